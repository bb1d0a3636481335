//! Time syscalls from the generic timer (Linux `kernel/time/posix-timers.c`
//! `clock_gettime`, `kernel/time/hrtimer.c` `nanosleep`). CLOCK_REALTIME is wall time
//! (`crate::time`, set from the RTC at boot); the others count from boot.

use super::arg;
use crate::arch::aarch64::trap::TrapFrame;
use crate::drivers::timer;
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;

/// CLOCK_REALTIME.
const CLOCK_REALTIME: u64 = 0;
/// CLOCK_MONOTONIC.
const CLOCK_MONOTONIC: u64 = 1;
/// CLOCK_PROCESS_CPUTIME_ID.
const CLOCK_PROCESS_CPUTIME_ID: u64 = 2;
/// CLOCK_THREAD_CPUTIME_ID.
const CLOCK_THREAD_CPUTIME_ID: u64 = 3;
/// CLOCK_MONOTONIC_RAW.
const CLOCK_MONOTONIC_RAW: u64 = 4;
/// CLOCK_REALTIME_COARSE.
const CLOCK_REALTIME_COARSE: u64 = 5;
/// CLOCK_MONOTONIC_COARSE.
const CLOCK_MONOTONIC_COARSE: u64 = 6;
/// CLOCK_BOOTTIME.
const CLOCK_BOOTTIME: u64 = 7;

/// clock_gettime(clockid, tp) (Linux `sys_clock_gettime`).
pub fn sys_clock_gettime(f: &mut TrapFrame) -> KResult<usize> {
    let ns = match arg(f, 0) {
        CLOCK_REALTIME | CLOCK_REALTIME_COARSE => crate::time::ktime_get_real_ns(),
        CLOCK_MONOTONIC | CLOCK_MONOTONIC_RAW | CLOCK_MONOTONIC_COARSE | CLOCK_BOOTTIME => {
            timer::uptime_ns()
        }
        CLOCK_PROCESS_CPUTIME_ID | CLOCK_THREAD_CPUTIME_ID => {
            let cur = crate::task::sched::current();
            let inner = cur.inner.lock();
            (inner.utime + inner.stime) * 1_000_000_000 / timer::hz() as u64
        }
        _ => return Err(Errno::EINVAL),
    };
    let ts: [i64; 2] = [(ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as i64];
    uaccess::put_user(arg(f, 1) as usize, ts.map(|v| v as u64))?;
    Ok(0)
}

/// Read a user `struct timespec` and check it as Linux `timespec64_valid` does.
pub fn get_timespec(addr: usize) -> KResult<u64> {
    let ts: [u64; 2] = uaccess::get_user(addr)?;
    let (sec, nsec) = (ts[0] as i64, ts[1] as i64);
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Err(Errno::EINVAL);
    }
    Ok((sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(nsec as u64))
}

/// nanosleep(req, rem) (Linux `hrtimer_nanosleep`): sleeps at least `req`, rounded up to
/// the next tick.
pub fn sys_nanosleep(f: &mut TrapFrame) -> KResult<usize> {
    let ns = get_timespec(arg(f, 0) as usize)?;
    let deadline = timer::uptime_ns().saturating_add(ns);
    if crate::task::sched::sleep_until(deadline) {
        Ok(0)
    } else {
        let rem = deadline.saturating_sub(timer::uptime_ns());
        let rem_addr = arg(f, 1) as usize;
        if rem_addr != 0 {
            uaccess::put_user(rem_addr, [rem / 1_000_000_000, rem % 1_000_000_000])?;
        }
        Err(Errno::EINTR)
    }
}
