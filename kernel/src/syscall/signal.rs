//! Signal syscalls: kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, rt_sigpending,
//! rt_sigsuspend, sigaltstack (Linux `kernel/signal.c`: `sys_kill`,
//! `kill_something_info`, `do_tkill`, `sys_rt_sigaction`, `sys_rt_sigprocmask`,
//! `sys_rt_sigpending`, `sys_rt_sigsuspend`, `do_sigaltstack`).
//!
//! The machinery (queues, dispositions, delivery) is `task/signal.rs`, the alternate
//! stack `task/sigaltstack.rs`, the frame and
//! rt_sigreturn `arch/aarch64/signal.rs`; this file reads the arguments, applies
//! Linux's rules about them and picks the targets. Everyone is root in Linnet: there
//! are no permission checks (no EPERM).

use super::arg;
use crate::arch::sigframe::StackT;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::task::exit::INIT_PID;
use crate::task::pid::Pid;
use crate::task::sched::{self, current, TASKS};
use crate::task::sigaltstack::{do_sigaltstack, MINSIGSTKSZ};
use crate::task::siginfo::{SI_TKILL, SI_USER};
use crate::task::signal::{
    do_sigaction, group_send_sig_info, kill_pgrp_info, processes, send_signal_locked,
    signal_pending_current, valid_signal, KSigInfo, KSigaction, PidType, SaExtra, SigDisposition,
    SigSet,
};

/// The only sigset size arm64 Linux accepts: 64 signals, 8 bytes (`sizeof(sigset_t)`).
const SIGSET_SIZE: u64 = 8;

/// kill(pid, sig) (Linux `sys_kill`).
pub fn sys_kill(f: &mut TrapFrame) -> KResult<usize> {
    kill_something_info(arg(f, 0) as i32, arg(f, 1) as i32).map(|_| 0)
}

/// tkill(tid, sig): to one thread, without checking its process (Linux `sys_tkill`).
pub fn sys_tkill(f: &mut TrapFrame) -> KResult<usize> {
    do_tkill(None, arg(f, 0) as i32, arg(f, 1) as i32).map(|_| 0)
}

/// tgkill(tgid, tid, sig): to thread `tid` of process `tgid` (Linux `sys_tgkill`).
pub fn sys_tgkill(f: &mut TrapFrame) -> KResult<usize> {
    do_tkill(Some(arg(f, 0) as i32), arg(f, 1) as i32, arg(f, 2) as i32).map(|_| 0)
}

/// kill(2)'s four cases (Linux `kill_something_info`): pid > 0 the process holding that
/// pid (a thread id names its process, as in Linux); 0 the caller's process group; -1
/// every process except init and the caller; < -1 the group -pid. Sig 0 only checks
/// that a target exists. A zombie exists until it is reaped: signalling it succeeds and
/// does nothing.
pub fn kill_something_info(pid: Pid, sig: i32) -> KResult<()> {
    if sig != 0 && !valid_signal(sig) {
        return Err(Errno::EINVAL);
    }
    let cur = current();
    let info = KSigInfo::user(sig, SI_USER, cur.tgid());
    match pid {
        p if p > 0 => {
            let t = sched::find_task_by_vpid(p).ok_or(Errno::ESRCH)?;
            group_send_sig_info(&t, info);
            Ok(())
        }
        0 => {
            let pgid = cur.signal.inner.lock().pgid;
            kill_pgrp_info(pgid, info).map(|_| ())
        }
        -1 => {
            let me = cur.tgid();
            let targets = processes(|t| t.tgid() > INIT_PID && t.tgid() != me);
            if targets.is_empty() {
                return Err(Errno::ESRCH);
            }
            for t in &targets {
                group_send_sig_info(t, info);
            }
            Ok(())
        }
        // -i32::MIN does not exist (Linux sys_kill checks this too).
        i32::MIN => Err(Errno::ESRCH),
        p => kill_pgrp_info(-p, info).map(|_| ()),
    }
}

/// tkill and tgkill (Linux `do_tkill` -> `do_send_specific`): `sig` to thread `tid`,
/// which must belong to process `tgid` when that is given.
pub fn do_tkill(tgid: Option<Pid>, tid: Pid, sig: i32) -> KResult<()> {
    if tid <= 0 || tgid.is_some_and(|g| g <= 0) || (sig != 0 && !valid_signal(sig)) {
        return Err(Errno::EINVAL);
    }
    let t = TASKS.lock().get(&tid).cloned().ok_or(Errno::ESRCH)?;
    if tgid.is_some_and(|g| g != t.tgid()) {
        return Err(Errno::ESRCH);
    }
    if sig != 0 {
        let info = KSigInfo::user(sig, SI_TKILL, current().tgid());
        send_signal_locked(&t, info, PidType::Pid);
    }
    Ok(())
}

/// rt_sigaction(sig, act, oldact, sigsetsize) (Linux `sys_rt_sigaction`), with the
/// kernel's arm64 `struct sigaction`: handler, flags, restorer, mask, one u64 each.
/// `act` is read before anything changes; `oldact` gets the action as it was. A
/// handler runs with a frame `arch/aarch64/signal.rs` builds; its `restorer` (with
/// SA_RESTORER, as every C library sets it) must call rt_sigreturn.
pub fn sys_rt_sigaction(f: &mut TrapFrame) -> KResult<usize> {
    let (sig, act, oact, size) = (arg(f, 0) as i32, arg(f, 1), arg(f, 2), arg(f, 3));
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let new = if act != 0 {
        let [handler, flags, restorer, mask] = uaccess::get_user::<[u64; 4]>(act as usize)?;
        Some(KSigaction {
            handler: SigDisposition::from_user(handler),
            extra: SaExtra {
                flags,
                restorer,
                mask: SigSet(mask),
            },
        })
    } else {
        None
    };
    let old = do_sigaction(sig, new)?;
    if oact != 0 {
        let words = [
            old.handler.to_user(),
            old.extra.flags,
            old.extra.restorer,
            old.extra.mask.0,
        ];
        uaccess::put_user(oact as usize, words)?;
    }
    Ok(0)
}

/// rt_sigprocmask(how, set, oldset, sigsetsize) (Linux `sys_rt_sigprocmask`): how is
/// SIG_BLOCK 0, SIG_UNBLOCK 1 or SIG_SETMASK 2 (checked only when `set` is given).
/// SIGKILL and SIGSTOP are never blocked. A pending signal this unblocks is acted on
/// as the syscall returns to user space.
pub fn sys_rt_sigprocmask(f: &mut TrapFrame) -> KResult<usize> {
    let (how, set, oset, size) = (arg(f, 0) as i32, arg(f, 1), arg(f, 2), arg(f, 3));
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let cur = current();
    let old = cur.inner.lock().blocked;
    if set != 0 {
        let set = SigSet(uaccess::get_user::<u64>(set as usize)?).without_kernel_only();
        let new = match how {
            0 => SigSet(old.0 | set.0),
            1 => SigSet(old.0 & !set.0),
            2 => set,
            _ => return Err(Errno::EINVAL),
        };
        cur.inner.lock().blocked = new;
    }
    if oset != 0 {
        uaccess::put_user(oset as usize, old.0)?;
    }
    Ok(0)
}

/// rt_sigpending(set, sigsetsize): the signals pending for this thread or its process
/// that are blocked (Linux `do_sigpending`). Linux accepts any size up to 8 here.
pub fn sys_rt_sigpending(f: &mut TrapFrame) -> KResult<usize> {
    let (set, size) = (arg(f, 0) as usize, arg(f, 1));
    if size > SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let cur = current();
    let shared = cur.signal.inner.lock().shared_pending.signal;
    let pending = {
        let inner = cur.inner.lock();
        (inner.pending.signal.0 | shared.0) & inner.blocked.0
    };
    uaccess::copy_to_user(set, &pending.to_le_bytes()[..size as usize])?;
    Ok(0)
}

/// rt_sigsuspend(mask, sigsetsize) (Linux `sys_rt_sigsuspend`): replace the blocked mask
/// with `mask` and sleep until a signal is to be acted on. The old mask comes back
/// after the handler's frame is built (so the frame records it, and rt_sigreturn
/// restores it); the call itself always "fails" with EINTR once a handler has run.
pub fn sys_rt_sigsuspend(f: &mut TrapFrame) -> KResult<usize> {
    if arg(f, 1) != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let mask = SigSet(uaccess::get_user::<u64>(arg(f, 0) as usize)?).without_kernel_only();
    let cur = current();
    {
        let mut inner = cur.inner.lock();
        let old = core::mem::replace(&mut inner.blocked, mask);
        inner.saved_sigmask = Some(old); // Linux set_restore_sigmask
    }
    while !signal_pending_current() {
        sched::sleep_current();
    }
    Err(Errno::ERESTARTNOHAND)
}

/// sigaltstack(ss, old_ss) (Linux `sys_sigaltstack`): the new stack is read first, the
/// old one written after the change.
pub fn sys_sigaltstack(f: &mut TrapFrame) -> KResult<usize> {
    let (ss, oss) = (arg(f, 0) as usize, arg(f, 1) as usize);
    let new = match ss {
        0 => None,
        p => Some(uaccess::get_user::<StackT>(p)?),
    };
    let old = do_sigaltstack(new, f.sp, MINSIGSTKSZ)?;
    if oss != 0 {
        uaccess::put_user(oss, old)?;
    }
    Ok(0)
}
