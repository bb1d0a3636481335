//! Process syscalls: clone, exit, exit_group, wait4, the ids, sched_yield,
//! set_tid_address (Linux `kernel/fork.c`, `kernel/exit.c`, `kernel/sys.c`).

use super::arg;
use crate::arch::aarch64::trap::TrapFrame;
use crate::errno::KResult;
use crate::mm::uaccess;
use crate::task::exit::{do_exit, do_group_exit, exit_status};
use crate::task::fork::{kernel_clone, CloneFlags, KernelCloneArgs};
use crate::task::sched::{self, current};
use crate::task::wait::{do_wait, wait_for};

/// clone(flags, newsp, parent_tid, tls, child_tid): the arm64 argument order
/// (Linux `SYSCALL_DEFINE5(clone, ...)` without CONFIG_CLONE_BACKWARDS variants).
pub fn sys_clone(f: &mut TrapFrame) -> KResult<usize> {
    let raw = arg(f, 0);
    let args = KernelCloneArgs {
        flags: CloneFlags::from_bits_truncate(raw & !0xff),
        exit_signal: (raw & 0xff) as i32,
        stack: arg(f, 1) as usize,
        parent_tid: arg(f, 2) as usize,
        tls: arg(f, 3),
        child_tid: arg(f, 4) as usize,
    };
    let unknown = raw & !0xff & !CloneFlags::all().bits();
    if unknown != 0 {
        log::debug!("clone: ignoring unsupported flags 0x{:x}", unknown);
    }
    kernel_clone(&args, f).map(|pid| pid as usize)
}

/// exit(code): end this thread only (Linux `sys_exit`).
pub fn sys_exit(f: &mut TrapFrame) -> KResult<usize> {
    do_exit(exit_status(arg(f, 0) as i32))
}

/// exit_group(code): end every thread of the process (Linux `sys_exit_group`).
pub fn sys_exit_group(f: &mut TrapFrame) -> KResult<usize> {
    do_group_exit(exit_status(arg(f, 0) as i32))
}

/// Linux `struct rusage` (only the times are filled in).
#[repr(C)]
#[derive(Default, Clone, Copy)]
struct Rusage {
    ru_utime: [i64; 2],
    ru_stime: [i64; 2],
    rest: [i64; 14],
}

fn ticks_to_timeval(ticks: u64) -> [i64; 2] {
    let hz = crate::drivers::timer::hz() as u64;
    let us = ticks * 1_000_000 / hz;
    [(us / 1_000_000) as i64, (us % 1_000_000) as i64]
}

/// wait4(pid, wstatus, options, rusage) (Linux `kernel_wait4`).
pub fn sys_wait4(f: &mut TrapFrame) -> KResult<usize> {
    let (pid, wstatus, options, ru) = (
        arg(f, 0) as i32,
        arg(f, 1) as usize,
        arg(f, 2) as u32,
        arg(f, 3) as usize,
    );
    match do_wait(wait_for(pid), options)? {
        None => Ok(0),
        Some(r) => {
            if wstatus != 0 {
                uaccess::put_user(wstatus, r.status)?;
            }
            if ru != 0 {
                let usage = Rusage {
                    ru_utime: ticks_to_timeval(r.utime),
                    ru_stime: ticks_to_timeval(r.stime),
                    ..Default::default()
                };
                // SAFETY: Rusage is plain integers; viewing it as bytes is sound.
                let bytes = unsafe {
                    core::slice::from_raw_parts(
                        &usage as *const Rusage as *const u8,
                        core::mem::size_of::<Rusage>(),
                    )
                };
                uaccess::copy_to_user(ru, bytes)?;
            }
            Ok(r.pid as usize)
        }
    }
}

/// getpid: the process id, which is the thread group id (Linux `sys_getpid`).
pub fn sys_getpid(_: &mut TrapFrame) -> KResult<usize> {
    Ok(current().tgid() as usize)
}

/// getppid: the parent process's id (Linux `sys_getppid`).
pub fn sys_getppid(_: &mut TrapFrame) -> KResult<usize> {
    Ok(current().inner.lock().parent as usize)
}

/// gettid: this thread's id (Linux `sys_gettid`).
pub fn sys_gettid(_: &mut TrapFrame) -> KResult<usize> {
    Ok(current().pid() as usize)
}

/// sched_yield: let the next runnable task go first (Linux `do_sched_yield`).
pub fn sys_sched_yield(_: &mut TrapFrame) -> KResult<usize> {
    sched::schedule();
    Ok(0)
}

/// set_tid_address(tidptr): where to clear and futex-wake at exit; returns the tid
/// (Linux `sys_set_tid_address`).
pub fn sys_set_tid_address(f: &mut TrapFrame) -> KResult<usize> {
    let cur = current();
    cur.inner.lock().clear_child_tid = arg(f, 0) as usize;
    Ok(cur.pid() as usize)
}
