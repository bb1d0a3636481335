//! Resource limits: getrlimit (163), setrlimit (164), prlimit64 (261) (Linux
//! `kernel/sys.c`: `do_prlimit`, `SYSCALL_DEFINE2(getrlimit)`, `SYSCALL_DEFINE4(prlimit64)`).
//!
//! The limits, their defaults and the checks on a new value are `task/rlimit.rs`; they
//! live in the process's `SignalStruct`, as in Linux. Everything runs as root, so
//! raising a hard limit is allowed (Linux's `CAP_SYS_RESOURCE` check always passes).
//! These syscalls find the process and copy the limits in and out (kernel only).

#![cfg(target_os = "none")]

use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::syscall::arg;
use crate::task::rlimit::{Rlimit, RLIM_NLIMITS};
use crate::task::sched::{current, TASKS};
use crate::task::task::TaskStruct;
use alloc::sync::Arc;

/// Task `pid`, 0 meaning the caller (Linux `find_task_by_vpid` under RCU); ESRCH if
/// there is none. A zombie still has its limits until it is reaped, as in Linux
/// (its `sighand` goes in `release_task`).
fn task_of(pid: i32) -> KResult<Arc<TaskStruct>> {
    if pid == 0 {
        return Ok(current());
    }
    TASKS.lock().get(&pid).cloned().ok_or(Errno::ESRCH)
}

fn read_rlimit(addr: usize) -> KResult<Rlimit> {
    uaccess::get_user::<[u8; 16]>(addr).map(Rlimit::from_bytes)
}

/// Linux `do_prlimit`: read the old limit, then (if `new`) set it.
fn do_prlimit(pid: i32, resource: usize, new: Option<Rlimit>) -> KResult<Rlimit> {
    if resource >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    let task = task_of(pid)?;
    let mut rlim = task.signal.rlim.lock();
    match new {
        Some(new) => rlim.set(resource, new),
        None => rlim.get(resource),
    }
}

/// getrlimit(resource, rlim): the soft and hard limit (Linux `SYSCALL_DEFINE2(getrlimit)`);
/// EINVAL for a resource number Linux does not know.
pub fn sys_getrlimit(f: &mut TrapFrame) -> KResult<usize> {
    let old = do_prlimit(0, arg(f, 0) as usize, None)?;
    uaccess::copy_to_user(arg(f, 1) as usize, &old.to_bytes())?;
    Ok(0)
}

/// setrlimit(resource, rlim) (Linux `do_prlimit`): EINVAL for a soft limit above the
/// hard one, EPERM for RLIMIT_NOFILE above `nr_open`.
pub fn sys_setrlimit(f: &mut TrapFrame) -> KResult<usize> {
    let new = read_rlimit(arg(f, 1) as usize)?;
    do_prlimit(0, arg(f, 0) as usize, Some(new))?;
    Ok(0)
}

/// prlimit64(pid, resource, new, old) (Linux `SYSCALL_DEFINE4(prlimit64)`): any
/// process's limit (pid 0: the caller's; ESRCH if there is none); either pointer may
/// be NULL, and `old` gets the value from before `new` was set.
pub fn sys_prlimit64(f: &mut TrapFrame) -> KResult<usize> {
    let (pid, resource) = (arg(f, 0) as i32, arg(f, 1) as usize);
    let (new_addr, old_addr) = (arg(f, 2) as usize, arg(f, 3) as usize);
    let new = match new_addr {
        0 => None,
        a => Some(read_rlimit(a)?),
    };
    let old = do_prlimit(pid, resource, new)?;
    if old_addr != 0 {
        uaccess::copy_to_user(old_addr, &old.to_bytes())?;
    }
    Ok(0)
}
