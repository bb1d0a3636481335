//! futex(uaddr, op, val, timeout, ...) (Linux `kernel/futex/syscalls.c` `do_futex`):
//! FUTEX_WAIT and FUTEX_WAKE, what thread join and mutexes need.

use super::arg;
use crate::arch::aarch64::trap::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::task::futex::{
    futex_wait, futex_wake, FUTEX_CLOCK_REALTIME, FUTEX_PRIVATE_FLAG, FUTEX_WAIT, FUTEX_WAKE,
};

/// futex: wait or wake on a user word.
pub fn sys_futex(f: &mut TrapFrame) -> KResult<usize> {
    let (uaddr, op, val, timeout) = (
        arg(f, 0) as usize,
        arg(f, 1) as u32,
        arg(f, 2) as u32,
        arg(f, 3) as usize,
    );
    match op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME) {
        FUTEX_WAIT => {
            let deadline = if timeout != 0 {
                let ns = super::time::get_timespec(timeout)?;
                Some(crate::drivers::timer::uptime_ns().saturating_add(ns))
            } else {
                None
            };
            futex_wait(uaddr, val, deadline).map(|_| 0)
        }
        FUTEX_WAKE => Ok(futex_wake(uaddr, val as usize)),
        _ => Err(Errno::ENOSYS),
    }
}
