//! Process syscalls: clone, exit, exit_group, wait4, waitid, the ids, process groups
//! and sessions, sched_yield, set_tid_address, reboot (Linux `kernel/fork.c`,
//! `kernel/exit.c`, `kernel/sys.c`, `kernel/reboot.c`).

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::task::exit::{do_exit, do_group_exit, exit_status, INIT_PID};
use crate::task::fork::{kernel_clone, CloneFlags, KernelCloneArgs};
use crate::task::sched::{self, current};
use crate::task::signal::{processes, SIGCHLD};
use crate::task::task::TaskStruct;
use crate::task::wait::{
    do_wait, wait_for, WaitFor, WaitResult, WAIT4_OPTIONS, WAITID_OPTIONS, WCONTINUED, WEXITED,
    WSTOPPED,
};
use alloc::sync::Arc;

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

/// Copy a `struct rusage` with only the times filled in.
fn put_rusage(ru: usize, r: &WaitResult) -> KResult<()> {
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
    uaccess::copy_to_user(ru, bytes)
}

/// wait4(pid, wstatus, options, rusage) (Linux `kernel_wait4`): pid > 0 that child, -1
/// any, 0 the caller's process group, < -1 group -pid. Returns the pid reaped, or 0
/// with WNOHANG when matching children exist but none has exited (then `*wstatus` is
/// left alone). A NULL `wstatus` or `rusage` is allowed.
pub fn sys_wait4(f: &mut TrapFrame) -> KResult<usize> {
    let (pid, wstatus, options, ru) = (
        arg(f, 0) as i32,
        arg(f, 1) as usize,
        arg(f, 2) as u32,
        arg(f, 3) as usize,
    );
    if options & !WAIT4_OPTIONS != 0 {
        return Err(Errno::EINVAL);
    }
    match do_wait(wait_for(pid)?, options | WEXITED)? {
        None => Ok(0),
        Some(r) => {
            if wstatus != 0 {
                uaccess::put_user(wstatus, r.status)?;
            }
            if ru != 0 {
                put_rusage(ru, &r)?;
            }
            Ok(r.pid as usize)
        }
    }
}

// waitid's idtype (`P_PIDFD` 3 is not supported).
use uapi::wait::{P_ALL, P_PGID, P_PID};

/// waitid(idtype, id, infop, options, rusage) (Linux `sys_waitid` + `kernel_waitid`):
/// P_PID id, P_PGID id (0: the caller's group) or P_ALL; options must ask for WEXITED
/// (WSTOPPED/WCONTINUED never report here); WNOWAIT leaves the child a zombie. Returns
/// 0; `infop` gets si_signo SIGCHLD, si_code CLD_EXITED / CLD_KILLED, si_pid, si_uid 0
/// and si_status (the exit code or the signal) -- or, with WNOHANG and nothing ready,
/// si_signo = si_pid = 0. Linux writes just these six fields of the 128-byte siginfo.
pub fn sys_waitid(f: &mut TrapFrame) -> KResult<usize> {
    let (idtype, id, infop, options, ru) = (
        arg(f, 0) as u32,
        arg(f, 1) as i32,
        arg(f, 2) as usize,
        arg(f, 3) as u32,
        arg(f, 4) as usize,
    );
    if options & !WAITID_OPTIONS != 0 || options & (WEXITED | WSTOPPED | WCONTINUED) == 0 {
        return Err(Errno::EINVAL);
    }
    let which = match idtype {
        P_ALL => WaitFor::Any,
        P_PID if id > 0 => WaitFor::Pid(id),
        P_PGID if id > 0 => WaitFor::Pgid(id),
        P_PGID if id == 0 => WaitFor::Pgid(current().signal.inner.lock().pgid),
        _ => return Err(Errno::EINVAL),
    };
    let found = do_wait(which, options)?;
    if let (Some(r), true) = (&found, ru != 0) {
        put_rusage(ru, r)?;
    }
    if infop != 0 {
        let (signo, code, pid, status) = match &found {
            Some(r) => {
                let (code, status) = r.cld_code();
                (SIGCHLD, code, r.pid, status)
            }
            None => (0, 0, 0, 0),
        };
        uaccess::put_user(infop, [signo, 0, code])?; // si_signo, si_errno, si_code
        uaccess::put_user(infop + 16, [pid, 0, status])?; // si_pid, si_uid, si_status
    }
    Ok(0)
}

/// getpid: the process id, which is the thread group id (Linux `sys_getpid`).
pub fn sys_getpid(_: &mut TrapFrame) -> KResult<usize> {
    Ok(current().tgid() as usize)
}

/// getuid, geteuid, getgid, getegid, told apart by name (Linux `sys_getuid` and friends in `kernel/sys.c`): the real or effective id of the
/// caller's credentials (`task/cred.rs`); root (0) unless a set*id call changed them.
pub fn sys_getuid(f: &mut TrapFrame) -> KResult<usize> {
    let c = current().inner.lock().attrs.cred;
    Ok(match super::names::syscall_name(f.syscallno as usize) {
        Some("geteuid") => c.uid.e,
        Some("getgid") => c.gid.r,
        Some("getegid") => c.gid.e,
        _ => c.uid.r,
    } as usize)
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

/// The process (thread-group leader) with id `pid`, or the caller's for 0.
fn process_or_self(pid: i32) -> KResult<Arc<TaskStruct>> {
    match pid {
        0 => Ok(current()),
        p if p < 0 => Err(Errno::ESRCH),
        p => sched::find_task_by_vpid(p).ok_or(Errno::ESRCH),
    }
}

/// setpgid(pid, pgid) (Linux `sys_setpgid`): move process `pid` (0: the caller), which
/// must be the caller or one of its children in the same session, into group `pgid`
/// (0: a new group named after `pid`). The group must exist in the caller's session
/// unless it is the new one; a session leader cannot move. Simplified: Linux refuses a
/// child that has already exec'd (EACCES); Linnet does not track that.
pub fn sys_setpgid(f: &mut TrapFrame) -> KResult<usize> {
    let cur = current();
    let pid = match arg(f, 0) as i32 {
        0 => cur.tgid(),
        p => p,
    };
    let pgid = match arg(f, 1) as i32 {
        0 => pid,
        g if g < 0 => return Err(Errno::EINVAL),
        g => g,
    };
    let p = process_or_self(pid)?;
    if !p.is_leader() {
        return Err(Errno::EINVAL);
    }
    let my_sid = cur.signal.inner.lock().sid;
    let (p_sid, p_parent) = (p.signal.inner.lock().sid, p.inner.lock().parent);
    if p_parent == cur.tgid() {
        if p_sid != my_sid {
            return Err(Errno::EPERM);
        }
    } else if p.tgid() != cur.tgid() {
        return Err(Errno::ESRCH);
    }
    if p_sid == p.tgid() {
        return Err(Errno::EPERM); // a session leader stays in its group
    }
    if pgid != pid {
        let same = |t: &TaskStruct| {
            let s = t.signal.inner.lock();
            s.pgid == pgid && s.sid == my_sid
        };
        if processes(same).is_empty() {
            return Err(Errno::EPERM);
        }
    }
    p.signal.inner.lock().pgid = pgid;
    Ok(0)
}

/// getpgid(pid): the process group of `pid` (0: the caller); getpgrp() is getpgid(0)
/// (Linux `sys_getpgid`).
pub fn sys_getpgid(f: &mut TrapFrame) -> KResult<usize> {
    let p = process_or_self(arg(f, 0) as i32)?;
    let pgid = p.signal.inner.lock().pgid;
    Ok(pgid as usize)
}

/// getsid(pid): the session of `pid` (0: the caller) (Linux `sys_getsid`).
pub fn sys_getsid(f: &mut TrapFrame) -> KResult<usize> {
    let p = process_or_self(arg(f, 0) as i32)?;
    let sid = p.signal.inner.lock().sid;
    Ok(sid as usize)
}

/// setsid(): a new session and process group, both named after the caller, which
/// leads them (Linux `ksys_setsid`). EPERM if a process group with the caller's pid
/// already exists (e.g. the caller leads one). Simplified: there is no controlling
/// terminal to drop.
pub fn sys_setsid(_: &mut TrapFrame) -> KResult<usize> {
    let cur = current();
    let me = cur.tgid();
    let leads_session = cur.signal.inner.lock().sid == me;
    if leads_session || !processes(|t| t.signal.inner.lock().pgid == me).is_empty() {
        return Err(Errno::EPERM);
    }
    let mut s = cur.signal.inner.lock();
    s.sid = me;
    s.pgid = me;
    s.tty = false; // a new session has no controlling terminal (Linux proc_clear_tty)
    Ok(me as usize)
}

use uapi::reboot::{
    LINUX_REBOOT_CMD_CAD_OFF, LINUX_REBOOT_CMD_CAD_ON, LINUX_REBOOT_CMD_HALT,
    LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_CMD_RESTART, LINUX_REBOOT_CMD_RESTART2,
    LINUX_REBOOT_MAGIC1,
};
/// The second magic numbers Linux accepts: Linus's birthday, and his daughters'
/// (`LINUX_REBOOT_MAGIC2`, `2A`, `2B`, `2C` in `include/uapi/linux/reboot.h`).
const LINUX_REBOOT_MAGIC2: [u32; 4] = [
    uapi::reboot::LINUX_REBOOT_MAGIC2,
    uapi::reboot::LINUX_REBOOT_MAGIC2A,
    uapi::reboot::LINUX_REBOOT_MAGIC2B,
    uapi::reboot::LINUX_REBOOT_MAGIC2C,
];

/// reboot(magic1, magic2, cmd, arg) (Linux `sys_reboot`): only init may do it (Linnet's
/// stand-in for CAP_SYS_BOOT: EPERM for everyone else, checked first as in Linux), then
/// the magic numbers (EINVAL). POWER_OFF, HALT and the restarts all power off through
/// PSCI with status 0 (QEMU runs with -no-reboot, so a restart would end it too);
/// CAD_ON/CAD_OFF are accepted and do nothing.
pub fn sys_reboot(f: &mut TrapFrame) -> KResult<usize> {
    let (magic1, magic2, cmd) = (arg(f, 0) as u32, arg(f, 1) as u32, arg(f, 2) as u32);
    if current().tgid() != INIT_PID {
        return Err(Errno::EPERM);
    }
    if magic1 != LINUX_REBOOT_MAGIC1 || !LINUX_REBOOT_MAGIC2.contains(&magic2) {
        return Err(Errno::EINVAL);
    }
    match cmd {
        LINUX_REBOOT_CMD_CAD_ON | LINUX_REBOOT_CMD_CAD_OFF => Ok(0),
        LINUX_REBOOT_CMD_POWER_OFF
        | LINUX_REBOOT_CMD_HALT
        | LINUX_REBOOT_CMD_RESTART
        | LINUX_REBOOT_CMD_RESTART2 => {
            crate::println!("reboot: Power down");
            crate::drivers::psci::system_off(0)
        }
        _ => Err(Errno::EINVAL),
    }
}
