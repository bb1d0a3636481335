//! Queued signals: rt_sigqueueinfo, rt_tgsigqueueinfo and rt_sigtimedwait (Linux
//! `kernel/signal.c`: `sys_rt_sigqueueinfo` -> `do_rt_sigqueueinfo`,
//! `do_rt_tgsigqueueinfo`, `sys_rt_sigtimedwait` -> `do_sigtimedwait`).
//!
//! The queueing itself (every send of a real-time signal is kept, with its siginfo, up
//! to RLIMIT_SIGPENDING) is `task/siginfo.rs` `SigPending::queue`.

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::task::pid::Pid;
use crate::task::sched::{self, current};
use crate::task::siginfo::SI_TKILL;
use crate::task::signal::{
    dequeue_signal_in, send_signal_info, valid_signal, KSigInfo, PidType, SigSet,
};
use crate::task::wait_queue::{schedule_timeout_on, WaitError};

/// Read the sender's siginfo (Linux `copy_siginfo_from_user`).
fn siginfo_from_user(uinfo: usize, sig: i32) -> KResult<KSigInfo> {
    let raw: [u8; 128] = uaccess::get_user(uinfo)?;
    Ok(KSigInfo::from_user(sig, &raw))
}

/// Nobody may pretend to be the kernel, kill or tgkill when signalling another thread:
/// a code >= 0 or SI_TKILL is EPERM unless `pid` is the caller's own thread id.
fn check_sender_code(info: &KSigInfo, pid: Pid) -> KResult<()> {
    if (info.code >= 0 || info.code == SI_TKILL) && current().pid() != pid {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// rt_sigqueueinfo(tgid, sig, uinfo) (Linux `do_rt_sigqueueinfo` -> `kill_proc_info`):
/// `sig` with the caller's siginfo to process `tgid`; EAGAIN when the queue is full.
pub fn sys_rt_sigqueueinfo(f: &mut TrapFrame) -> KResult<usize> {
    let (pid, sig, uinfo) = (arg(f, 0) as i32, arg(f, 1) as i32, arg(f, 2) as usize);
    let info = siginfo_from_user(uinfo, sig)?;
    check_sender_code(&info, pid)?;
    let t = sched::find_task_by_vpid(pid).ok_or(Errno::ESRCH)?;
    if sig == 0 {
        return Ok(0);
    }
    if !valid_signal(sig) {
        return Err(Errno::EINVAL);
    }
    send_signal_info(&t, info, PidType::Tgid).map(|_| 0)
}

/// rt_tgsigqueueinfo(tgid, tid, sig, uinfo) (Linux `do_rt_tgsigqueueinfo` ->
/// `do_send_specific`): to thread `tid` of process `tgid`.
pub fn sys_rt_tgsigqueueinfo(f: &mut TrapFrame) -> KResult<usize> {
    let (tgid, tid, sig) = (arg(f, 0) as i32, arg(f, 1) as i32, arg(f, 2) as i32);
    let uinfo = arg(f, 3) as usize;
    let info = siginfo_from_user(uinfo, sig)?;
    if tid <= 0 || tgid <= 0 {
        return Err(Errno::EINVAL);
    }
    check_sender_code(&info, tid)?;
    let t = sched::find_task_by_vpid(tid).ok_or(Errno::ESRCH)?;
    if t.tgid() != tgid {
        return Err(Errno::ESRCH);
    }
    if sig == 0 {
        return Ok(0);
    }
    if !valid_signal(sig) {
        return Err(Errno::EINVAL);
    }
    send_signal_info(&t, info, PidType::Pid).map(|_| 0)
}

/// rt_sigtimedwait(set, info, timeout, sigsetsize) (Linux `do_sigtimedwait`): take a
/// pending signal of `set` without running its handler and return its number, its
/// siginfo written to `info`. If none is pending, the signals of `set` are unblocked
/// for the wait (the old mask is `real_blocked`, so they are neither dropped as
/// ignored nor fatal) and the thread sleeps: EAGAIN when the timeout passes (a zero
/// timeout only looks), EINTR when another signal comes.
pub fn sys_rt_sigtimedwait(f: &mut TrapFrame) -> KResult<usize> {
    let (uset, uinfo, uts) = (arg(f, 0) as usize, arg(f, 1) as usize, arg(f, 2) as usize);
    if arg(f, 3) != 8 {
        return Err(Errno::EINVAL);
    }
    let set = SigSet(uaccess::get_user::<u64>(uset)?).without_kernel_only();
    let timeout = match uts {
        0 => None,
        p => Some(super::time::get_timespec(p)?),
    };
    let cur = current();
    let mut info = dequeue_signal_in(&cur, set);
    if info.is_none() {
        let mut end = Err(WaitError::TimedOut);
        if timeout != Some(0) {
            let deadline = timeout.map(|ns| crate::time::ktime_get_ns().saturating_add(ns));
            {
                let mut inner = cur.inner.lock();
                inner.real_blocked = inner.blocked;
                inner.blocked = SigSet(inner.blocked.0 & !set.0);
            }
            end = loop {
                let pending = {
                    let s = cur.signal.inner.lock();
                    let inner = cur.inner.lock();
                    (inner.pending.signal.0 | s.shared_pending.signal.0) & set.0 != 0
                };
                if pending {
                    break Ok(());
                }
                if let Err(e) = schedule_timeout_on(&[], deadline) {
                    break Err(e);
                }
            };
            let mut inner = cur.inner.lock();
            inner.blocked = inner.real_blocked;
            inner.real_blocked = SigSet(0);
        }
        info = dequeue_signal_in(&cur, set);
        if info.is_none() {
            return Err(match end {
                Err(WaitError::TimedOut) => Errno::EAGAIN,
                _ => Errno::EINTR,
            });
        }
    }
    let info = info.ok_or(Errno::EINTR)?;
    if uinfo != 0 {
        uaccess::copy_to_user(uinfo, &info.to_user())?;
    }
    Ok(info.signo as usize)
}
