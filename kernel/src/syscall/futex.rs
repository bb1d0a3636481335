//! futex(uaddr, op, val, timeout/val2, uaddr2, val3) (Linux `kernel/futex/syscalls.c`
//! `sys_futex` -> `do_futex`), and set_robust_list / get_robust_list (same file).
//!
//! This file reads the arguments and timeouts; the queues are `task/futex.rs`, the
//! pure rules (op decoding, FUTEX_WAKE_OP arithmetic, the PI word) `task/futex_op.rs`.

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::task::futex::*;
use crate::task::futex_op::*;
use crate::task::sched;

/// The timeout argument as an absolute CLOCK_MONOTONIC deadline in ns (Linux
/// `futex_init_timeout`): EINVAL for a bad timespec. An absolute CLOCK_REALTIME time
/// is converted with the wall clock's current offset (Linux's hrtimer would follow a
/// later clock change; Linnet's does not).
fn futex_deadline(op: FutexOp, utime: usize) -> KResult<Option<u64>> {
    if utime == 0 || !op.has_timeout() {
        return Ok(None);
    }
    let ns = super::time::get_timespec(utime)?;
    let now = crate::time::ktime_get_ns();
    Ok(Some(match op.timeout_kind() {
        TimeoutKind::Relative => now.saturating_add(ns),
        TimeoutKind::AbsMonotonic => ns,
        TimeoutKind::AbsRealtime => {
            (ns as i128 - crate::time::offs_real() as i128).clamp(0, u64::MAX as i128) as u64
        }
    }))
}

/// futex(uaddr, op, val, timeout/val2, uaddr2, val3) (Linux `sys_futex` -> `do_futex`):
/// WAIT/WAKE (with bitsets, relative or absolute timeouts on either clock), REQUEUE,
/// CMP_REQUEUE, WAKE_OP, LOCK_PI/LOCK_PI2/TRYLOCK_PI/UNLOCK_PI; ENOSYS for the others.
pub fn sys_futex(f: &mut TrapFrame) -> KResult<usize> {
    let (uaddr, op, val) = (arg(f, 0) as usize, arg(f, 1) as u32, arg(f, 2) as u32);
    let (utime, uaddr2, val3) = (arg(f, 3) as usize, arg(f, 4) as usize, arg(f, 5) as u32);
    let op = FutexOp::decode(op)?;
    let deadline = futex_deadline(op, utime)?;
    // For the requeue and wake-op commands the timeout slot carries a count.
    let val2 = utime as u32 as i32;
    let shared = op.shared;
    match op.cmd {
        FUTEX_WAIT => futex_wait(uaddr, shared, val, deadline, FUTEX_BITSET_MATCH_ANY),
        FUTEX_WAIT_BITSET => futex_wait(uaddr, shared, val, deadline, val3),
        FUTEX_WAKE => futex_wake(uaddr, shared, val as i32, FUTEX_BITSET_MATCH_ANY),
        FUTEX_WAKE_BITSET => futex_wake(uaddr, shared, val as i32, val3),
        FUTEX_REQUEUE => futex_requeue(uaddr, uaddr2, shared, val as i32, val2, None),
        FUTEX_CMP_REQUEUE => futex_requeue(uaddr, uaddr2, shared, val as i32, val2, Some(val3)),
        FUTEX_WAKE_OP => futex_wake_op(uaddr, uaddr2, shared, val as i32, val2, val3),
        FUTEX_LOCK_PI | FUTEX_LOCK_PI2 => futex_lock_pi(uaddr, shared, deadline, false),
        FUTEX_TRYLOCK_PI => futex_lock_pi(uaddr, shared, None, true),
        FUTEX_UNLOCK_PI => futex_unlock_pi(uaddr, shared),
        _ => Err(Errno::ENOSYS),
    }
}

/// set_robust_list(head, len) (Linux `sys_set_robust_list`): EINVAL unless `len` is the
/// size of `struct robust_list_head`. The list is only read at thread exit and exec.
pub fn sys_set_robust_list(f: &mut TrapFrame) -> KResult<usize> {
    if arg(f, 1) as usize != ROBUST_LIST_HEAD_SIZE {
        return Err(Errno::EINVAL);
    }
    sched::current().inner.lock().robust_list = arg(f, 0) as usize;
    Ok(0)
}

/// get_robust_list(pid, head_ptr, len_ptr) (Linux `sys_get_robust_list`): the head of
/// thread `pid` (0: the caller); ESRCH if there is none. Everyone is root: no EPERM.
pub fn sys_get_robust_list(f: &mut TrapFrame) -> KResult<usize> {
    let (pid, head_ptr, len_ptr) = (arg(f, 0) as i32, arg(f, 1) as usize, arg(f, 2) as usize);
    let t = if pid == 0 {
        sched::current()
    } else {
        sched::find_task_by_vpid(pid).ok_or(Errno::ESRCH)?
    };
    let head = t.inner.lock().robust_list;
    uaccess::put_user(len_ptr, ROBUST_LIST_HEAD_SIZE)?;
    uaccess::put_user(head_ptr, head)?;
    Ok(0)
}
