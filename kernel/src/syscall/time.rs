//! Time syscalls (Linux `kernel/time/posix-timers.c`: `clock_gettime`, `clock_settime`,
//! `clock_getres`, `clock_nanosleep`, the `timer_*` calls; `kernel/time/hrtimer.c`
//! `nanosleep`; `kernel/time/time.c` `gettimeofday`, `settimeofday`;
//! `kernel/time/itimer.c` `getitimer`, `setitimer`; `kernel/sys.c` `times`).
//!
//! These read and write the user's structs and check them; the clocks are in
//! `crate::time`, the timers and sleeping in `time/timer_list.rs` and
//! `time/posix_timers.rs`, the pure rules in `time/clocks.rs` and `time/hrtimer.rs`.

use super::arg;
use crate::arch::TrapFrame;
use crate::drivers::timer;
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::task::sched::current;
use crate::time::clocks::{
    ns_to_timespec64, ns_to_timeval, timespec64_to_ns, timespec64_valid, timeval_to_ns,
    timeval_valid, Kclock, NSEC_PER_USEC, TIMER_ABSTIME,
};
use crate::time::hrtimer::TimerBase;
use crate::time::posix_timers::{self, Sigevent};
use crate::time::timer_list::{self, with_timers, Now};
use core::sync::atomic::Ordering;

/// ITIMER_REAL: wall time, SIGALRM.
const ITIMER_REAL: u64 = uapi::time::ITIMER_REAL as u64;
/// ITIMER_VIRTUAL: user CPU time, SIGVTALRM.
const ITIMER_VIRTUAL: u64 = uapi::time::ITIMER_VIRTUAL as u64;
/// ITIMER_PROF: user + system CPU time, SIGPROF.
const ITIMER_PROF: u64 = uapi::time::ITIMER_PROF as u64;
/// Latest wall time settimeofday accepts (Linux `TIME_SETTOD_SEC_MAX`: `KTIME_SEC_MAX`
/// less 30 years of uptime).
const TIME_SETTOD_SEC_MAX: i64 = 9_223_372_036 - 946_080_000;

/// A clock's time now in ns (Linux `kc->clock_get_timespec`).
fn clock_get_ns(kc: Kclock) -> u64 {
    let cur = current();
    match kc {
        Kclock::Realtime | Kclock::RealtimeCoarse => crate::time::ktime_get_real_ns(),
        Kclock::Monotonic | Kclock::MonotonicRaw | Kclock::MonotonicCoarse => {
            crate::time::ktime_get_ns()
        }
        Kclock::ProcessCpu => timer_list::process_cpu_ns(cur.tgid()).1,
        Kclock::ThreadCpu => timer_list::task_cputime_ns(&cur),
    }
}

fn kclock(id: u64) -> KResult<Kclock> {
    Kclock::from_id(id).ok_or(Errno::EINVAL)
}

/// Read a user `struct timespec` and check it as Linux `timespec64_valid` does; the
/// time in ns.
pub fn get_timespec(addr: usize) -> KResult<u64> {
    let ts: [i64; 2] = uaccess::get_user(addr)?;
    if !timespec64_valid(ts[0], ts[1]) {
        return Err(Errno::EINVAL);
    }
    Ok(timespec64_to_ns(ts[0], ts[1]))
}

fn put_timespec(addr: usize, ns: u64) -> KResult<()> {
    uaccess::put_user(addr, ns_to_timespec64(ns))
}

/// clock_gettime(clockid, tp) (Linux `sys_clock_gettime`).
pub fn sys_clock_gettime(f: &mut TrapFrame) -> KResult<usize> {
    let ns = clock_get_ns(kclock(arg(f, 0))?);
    put_timespec(arg(f, 1) as usize, ns)?;
    Ok(0)
}

/// clock_getres(clockid, res) (Linux `sys_clock_getres`): `res` may be NULL.
pub fn sys_clock_getres(f: &mut TrapFrame) -> KResult<usize> {
    let res = kclock(arg(f, 0))?.resolution_ns(timer::hz());
    let addr = arg(f, 1) as usize;
    if addr != 0 {
        put_timespec(addr, res)?;
    }
    Ok(0)
}

/// Set the wall clock (Linux `do_sys_settimeofday64`), everyone being root. The time
/// must lie in 0..TIME_SETTOD_SEC_MAX s (Linux `timespec64_valid_settod`).
fn do_settimeofday(ts: Option<[i64; 2]>, tz: Option<[i32; 2]>) -> KResult<usize> {
    if let Some([sec, nsec]) = ts {
        if !timespec64_valid(sec, nsec) || sec >= TIME_SETTOD_SEC_MAX {
            return Err(Errno::EINVAL);
        }
    }
    if let Some([west, dst]) = tz {
        if !(-15 * 60..=15 * 60).contains(&west) {
            return Err(Errno::EINVAL);
        }
        crate::time::set_sys_tz(west, dst);
    }
    if let Some([sec, nsec]) = ts {
        crate::time::do_settimeofday64(timespec64_to_ns(sec, nsec));
    }
    Ok(0)
}

/// clock_settime(clockid, tp) (Linux `sys_clock_settime`): only CLOCK_REALTIME can be
/// set (the others have no `clock_set`: EINVAL, checked before reading `tp`).
pub fn sys_clock_settime(f: &mut TrapFrame) -> KResult<usize> {
    if kclock(arg(f, 0))? != Kclock::Realtime {
        return Err(Errno::EINVAL);
    }
    let ts: [i64; 2] = uaccess::get_user(arg(f, 1) as usize)?;
    do_settimeofday(Some(ts), None)
}

/// gettimeofday(tv, tz) (Linux `sys_gettimeofday`): either may be NULL.
pub fn sys_gettimeofday(f: &mut TrapFrame) -> KResult<usize> {
    let (tv, tz) = (arg(f, 0) as usize, arg(f, 1) as usize);
    if tv != 0 {
        uaccess::put_user(tv, ns_to_timeval(crate::time::ktime_get_real_ns()))?;
    }
    if tz != 0 {
        uaccess::put_user(tz, crate::time::sys_tz())?;
    }
    Ok(0)
}

/// settimeofday(tv, tz) (Linux `sys_settimeofday`): either may be NULL. Simplified:
/// the first time zone set does not warp the clock (Linux `timekeeping_warp_clock`,
/// for an RTC kept in local time; Linnet's PL031 keeps UTC).
pub fn sys_settimeofday(f: &mut TrapFrame) -> KResult<usize> {
    let (tv, tz) = (arg(f, 0) as usize, arg(f, 1) as usize);
    let ts = match tv {
        0 => None,
        _ => {
            let [sec, usec]: [i64; 2] = uaccess::get_user(tv)?;
            if !(0..=1_000_000).contains(&usec) {
                return Err(Errno::EINVAL);
            }
            Some([sec, usec * NSEC_PER_USEC as i64])
        }
    };
    let tz = match tz {
        0 => None,
        _ => Some(uaccess::get_user::<[i32; 2]>(tz)?),
    };
    do_settimeofday(ts, tz)
}

/// Sleep until `expires` on `base` (Linux `hrtimer_nanosleep` + `do_nanosleep`). An
/// absolute sleep cut short by a signal returns -ERESTARTNOHAND: restarted with the
/// same deadline if no handler runs, EINTR if one does. A relative one writes the time
/// left to `rmtp` (if not NULL) and returns EINTR. (Linux returns
/// -ERESTART_RESTARTBLOCK there and restarts through restart_syscall when no handler
/// runs; in Linnet a signal that interrupts a sleep always runs a handler or kills,
/// since it has no stop signals, so the caller sees the same EINTR.)
fn hrtimer_nanosleep(base: TimerBase, expires: u64, abs: bool, rmtp: usize) -> KResult<usize> {
    if timer_list::do_nanosleep(base, expires) {
        return Ok(0);
    }
    if abs {
        return Err(Errno::ERESTARTNOHAND);
    }
    if rmtp != 0 {
        let cur = current();
        let rem = expires.saturating_sub(timer_list::base_now(base, cur.tgid(), cur.pid()));
        put_timespec(rmtp, rem)?;
    }
    Err(Errno::EINTR)
}

/// nanosleep(req, rem) (Linux `sys_nanosleep`): a relative CLOCK_MONOTONIC sleep of at
/// least `req`, ending on a tick.
pub fn sys_nanosleep(f: &mut TrapFrame) -> KResult<usize> {
    let ns = get_timespec(arg(f, 0) as usize)?;
    let expires = Now::get().mono.saturating_add(ns);
    hrtimer_nanosleep(TimerBase::Monotonic, expires, false, arg(f, 1) as usize)
}

/// clock_nanosleep(clockid, flags, req, rem) (Linux `sys_clock_nanosleep`): relative or
/// TIMER_ABSTIME, on CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME or
/// CLOCK_PROCESS_CPUTIME_ID (until the process has used that much CPU time, Linux
/// `posix_cpu_nsleep`); EINVAL for an unknown clock, EOPNOTSUPP for one that cannot
/// sleep (Linux: no `nsleep`). An absolute CLOCK_REALTIME deadline follows changes of the
/// wall clock.
pub fn sys_clock_nanosleep(f: &mut TrapFrame) -> KResult<usize> {
    let kc = kclock(arg(f, 0))?;
    if !kc.can_nsleep() {
        return Err(Errno::EOPNOTSUPP);
    }
    let ns = get_timespec(arg(f, 2) as usize)?;
    let abs = arg(f, 1) & TIMER_ABSTIME != 0;
    let base = match kc {
        Kclock::Realtime if abs => TimerBase::Realtime,
        Kclock::ProcessCpu => TimerBase::ProcessCpu,
        _ => TimerBase::Monotonic, // Linux: relative REALTIME sleeps run on MONOTONIC
    };
    let cur = current();
    let expires = match abs {
        true => ns,
        false => timer_list::base_now(base, cur.tgid(), cur.pid()).saturating_add(ns),
    };
    drop(cur);
    hrtimer_nanosleep(base, expires, abs, if abs { 0 } else { arg(f, 3) as usize })
}

/// times(buf) (Linux `sys_times`): the process's and its reaped children's user and
/// system times in clock ticks (USER_HZ); returns the ticks since boot. `buf` may be
/// NULL.
pub fn sys_times(f: &mut TrapFrame) -> KResult<usize> {
    let buf = arg(f, 0) as usize;
    if buf != 0 {
        let cur = current();
        let (user, total) = timer_list::thread_group_cputime(cur.tgid());
        let (cu, cs) = {
            let s = cur.signal.inner.lock();
            (s.cutime, s.cstime)
        };
        let tms = [user, total - user, cu, cs].map(timer::jiffies_to_clock_t);
        uaccess::put_user(buf, tms)?;
    }
    Ok(timer::jiffies_to_clock_t(timer::JIFFIES.load(Ordering::Relaxed)) as usize)
}

/// Read a user `struct itimerval` {interval, value} as ns (Linux `get_itimerval`).
fn get_itimerval(addr: usize) -> KResult<(u64, u64)> {
    let v: [i64; 4] = uaccess::get_user(addr)?;
    if !timeval_valid(v[0], v[1]) || !timeval_valid(v[2], v[3]) {
        return Err(Errno::EINVAL);
    }
    Ok((timeval_to_ns(v[2], v[3]), timeval_to_ns(v[0], v[1])))
}

/// Write (value, interval) in ns as a `struct itimerval` (Linux `put_itimerval`).
fn put_itimerval(addr: usize, (value, interval): (u64, u64)) -> KResult<()> {
    let [is, iu] = ns_to_timeval(interval);
    let [vs, vu] = ns_to_timeval(value);
    uaccess::put_user(addr, [is, iu, vs, vu])
}

/// Read or set one of the process's itimers (Linux `do_getitimer` / `do_setitimer`):
/// returns the old (value, interval).
fn do_itimer(which: u64, new: Option<(u64, u64)>) -> KResult<(u64, u64)> {
    let tgid = current().tgid();
    let tick = timer_list::tick_ns();
    match which {
        ITIMER_REAL => {
            let now = Now::get().mono;
            Ok(with_timers(tgid, |st| match new {
                Some((v, i)) => st.real.set(now, v, i),
                None => st.real.get(now),
            }))
        }
        ITIMER_VIRTUAL | ITIMER_PROF => {
            let (virt, prof) = timer_list::process_cpu_ns(tgid);
            let now = if which == ITIMER_VIRTUAL { virt } else { prof };
            Ok(with_timers(tgid, |st| {
                let it = if which == ITIMER_VIRTUAL {
                    &mut st.virt
                } else {
                    &mut st.prof
                };
                match new {
                    Some((v, i)) => it.set(now, v, i, tick),
                    None => it.get(now, tick),
                }
            }))
        }
        _ => Err(Errno::EINVAL),
    }
}

/// getitimer(which, value) (Linux `sys_getitimer`).
pub fn sys_getitimer(f: &mut TrapFrame) -> KResult<usize> {
    let old = do_itimer(arg(f, 0), None)?;
    put_itimerval(arg(f, 1) as usize, old)?;
    Ok(0)
}

/// setitimer(which, value, ovalue) (Linux `sys_setitimer`): a NULL `value` disarms (a
/// misfeature Linux keeps); `ovalue` may be NULL.
pub fn sys_setitimer(f: &mut TrapFrame) -> KResult<usize> {
    let new = match arg(f, 1) as usize {
        0 => (0, 0),
        addr => get_itimerval(addr)?,
    };
    let old = do_itimer(arg(f, 0), Some(new))?;
    if arg(f, 2) != 0 {
        put_itimerval(arg(f, 2) as usize, old)?;
    }
    Ok(0)
}

/// timer_create(clockid, sevp, timerid) (Linux `sys_timer_create`): `sevp` may be NULL
/// (SIGALRM, with the id as the value).
pub fn sys_timer_create(f: &mut TrapFrame) -> KResult<usize> {
    let kc = kclock(arg(f, 0))?;
    let ev = match arg(f, 1) as usize {
        0 => None,
        addr => Some(Sigevent::from_words(uaccess::get_user::<[u64; 3]>(addr)?)),
    };
    let cur = current();
    let out = arg(f, 2) as usize;
    posix_timers::do_timer_create(kc, ev, cur.tgid(), cur.pid(), |id| {
        uaccess::put_user(out, id)
    })?;
    Ok(0)
}

/// Read a user `struct itimerspec` {interval, value} as ns (Linux `get_itimerspec64`).
fn get_itimerspec(addr: usize) -> KResult<(u64, u64)> {
    let v: [i64; 4] = uaccess::get_user(addr)?;
    if !timespec64_valid(v[0], v[1]) || !timespec64_valid(v[2], v[3]) {
        return Err(Errno::EINVAL);
    }
    Ok((timespec64_to_ns(v[2], v[3]), timespec64_to_ns(v[0], v[1])))
}

/// Write (value, interval) in ns as a `struct itimerspec`.
fn put_itimerspec(addr: usize, (value, interval): (u64, u64)) -> KResult<()> {
    let [is, ins] = ns_to_timespec64(interval);
    let [vs, vns] = ns_to_timespec64(value);
    uaccess::put_user(addr, [is, ins, vs, vns])
}

/// The timer id argument (Linux `timer_t` is an int).
fn timer_id(f: &TrapFrame) -> i32 {
    arg(f, 0) as u32 as i32
}

/// timer_settime(timerid, flags, new, old) (Linux `sys_timer_settime`).
pub fn sys_timer_settime(f: &mut TrapFrame) -> KResult<usize> {
    if arg(f, 2) == 0 {
        return Err(Errno::EINVAL);
    }
    let (value, interval) = get_itimerspec(arg(f, 2) as usize)?;
    let abs = arg(f, 1) & TIMER_ABSTIME != 0;
    let old = posix_timers::do_timer_settime(current().tgid(), timer_id(f), abs, value, interval)?;
    if arg(f, 3) != 0 {
        put_itimerspec(arg(f, 3) as usize, old)?;
    }
    Ok(0)
}

/// timer_gettime(timerid, curr) (Linux `sys_timer_gettime`).
pub fn sys_timer_gettime(f: &mut TrapFrame) -> KResult<usize> {
    let cur = posix_timers::do_timer_gettime(current().tgid(), timer_id(f))?;
    put_itimerspec(arg(f, 1) as usize, cur)?;
    Ok(0)
}

/// timer_getoverrun(timerid) (Linux `sys_timer_getoverrun`).
pub fn sys_timer_getoverrun(f: &mut TrapFrame) -> KResult<usize> {
    Ok(posix_timers::do_timer_getoverrun(current().tgid(), timer_id(f))? as usize)
}

/// timer_delete(timerid) (Linux `sys_timer_delete`).
pub fn sys_timer_delete(f: &mut TrapFrame) -> KResult<usize> {
    posix_timers::do_timer_delete(current().tgid(), timer_id(f))?;
    Ok(0)
}
