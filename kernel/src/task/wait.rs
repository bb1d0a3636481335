//! Waiting for children (Linux `kernel/exit.c`: `do_wait`, `do_wait_thread`,
//! `wait_consider_task`, `eligible_child`, `wait_task_zombie`, and the `kernel_wait4` /
//! `kernel_waitid` entry points).
//!
//! The parent scans its children for one that matches the request and has changed
//! state (here: become a zombie whose threads are all gone). Found: collect its status
//! and times, then release it (unless WNOWAIT). None changed but some match: sleep on
//! the process's `wait_chldexit` queue until `exit_notify` wakes it (or return "none"
//! at once with WNOHANG). None match: ECHILD. Linnet has no stopped or continued
//! children, so WUNTRACED/WSTOPPED/WCONTINUED are accepted and never report anything.

use super::exit::{release_task, zombie_status};
use super::pid::Pid;
use super::sched::{current, TASKS};
use super::signal::SIGCHLD;
use super::task::{TaskState, TaskStruct};
use crate::errno::{Errno, KResult};
use alloc::sync::Arc;

/// Return at once if no child has changed state (Linux `include/uapi/linux/wait.h`).
pub const WNOHANG: u32 = 1;
/// wait4: also report stopped children (accepted; Linnet has no stopped state).
pub const WUNTRACED: u32 = 2;
/// waitid: report stopped children (same value as WUNTRACED; accepted).
pub const WSTOPPED: u32 = 2;
/// waitid: report children that exited.
pub const WEXITED: u32 = 4;
/// Report continued children (accepted; nothing to report).
pub const WCONTINUED: u32 = 8;
/// waitid: leave the child a zombie, to be waited for again.
pub const WNOWAIT: u32 = 0x0100_0000;
/// Only children of this thread (Linnet keeps children per process: accepted).
pub const WNOTHREAD: u32 = 0x2000_0000;
/// Wait for children of any exit signal.
pub const WALL: u32 = 0x4000_0000;
/// Wait only for "clone" children: those whose exit signal is not SIGCHLD.
pub const WCLONE: u32 = 0x8000_0000;

/// The options wait4 accepts (Linux `kernel_wait4`).
pub const WAIT4_OPTIONS: u32 = WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE;
/// The options waitid accepts (Linux `kernel_waitid`).
pub const WAITID_OPTIONS: u32 =
    WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | WNOTHREAD | WALL | WCLONE;

/// siginfo `si_code` for SIGCHLD: the child exited (Linux `CLD_EXITED`).
pub const CLD_EXITED: i32 = 1;
/// The child was killed by a signal (`CLD_KILLED`).
pub const CLD_KILLED: i32 = 2;
/// The child was killed and dumped core (`CLD_DUMPED`; Linnet dumps no core).
pub const CLD_DUMPED: i32 = 3;

/// Which children a wait is for (Linux `enum pid_type` + pid in `wait_opts`).
#[derive(Clone, Copy, Debug)]
pub enum WaitFor {
    /// Any child (wait4 pid -1, waitid P_ALL).
    Any,
    /// The child with this pid (pid > 0, P_PID).
    Pid(Pid),
    /// Any child in this process group (pid 0: the caller's group; pid < -1: -pid;
    /// P_PGID).
    Pgid(Pid),
}

/// What `do_wait` found.
#[derive(Clone, Copy, Debug, Default)]
pub struct WaitResult {
    /// The child's pid.
    pub pid: Pid,
    /// Linux wait status word: `code << 8` for an exit, the signal number for a kill.
    pub status: i32,
    /// User time in ticks (the child's threads and its reaped children).
    pub utime: u64,
    /// System time in ticks.
    pub stime: u64,
}

impl WaitResult {
    /// waitid's `si_code` and `si_status` for this status (Linux `wait_task_zombie`).
    pub fn cld_code(&self) -> (i32, i32) {
        if self.status & 0x7f == 0 {
            (CLD_EXITED, (self.status >> 8) & 0xff)
        } else if self.status & 0x80 != 0 {
            (CLD_DUMPED, self.status & 0x7f)
        } else {
            (CLD_KILLED, self.status & 0x7f)
        }
    }
}

/// Translate wait4's pid argument (Linux `kernel_wait4`). `i32::MIN` has no group:
/// ESRCH, as in Linux.
pub fn wait_for(pid: Pid) -> KResult<WaitFor> {
    Ok(match pid {
        -1 => WaitFor::Any,
        0 => WaitFor::Pgid(current().signal.inner.lock().pgid),
        i32::MIN => return Err(Errno::ESRCH),
        p if p < -1 => WaitFor::Pgid(-p),
        p => WaitFor::Pid(p),
    })
}

/// Wait for a child to change state (Linux `do_wait`). `options` are already checked by
/// the syscall; exits are reported only with WEXITED (wait4 always adds it). `Ok(None)` means WNOHANG found matching children but none ready.
pub fn do_wait(which: WaitFor, options: u32) -> KResult<Option<WaitResult>> {
    let me = current();
    let mut result: KResult<Option<WaitResult>> = Err(Errno::ECHILD);
    let done = me.signal.wait_chldexit.wait_until(|| {
        result = scan_children(which, options);
        // Keep sleeping only while children match but none is ready.
        !matches!(result, Ok(None) if options & WNOHANG == 0)
    });
    if !done {
        return Err(Errno::ERESTARTSYS);
    }
    result
}

/// Does this child count for the wait (Linux `eligible_pid` + `eligible_child`)? By
/// default only children that send SIGCHLD at exit; __WCLONE only the others; __WALL
/// all.
fn eligible_child(child: &TaskStruct, pid: Pid, which: WaitFor, options: u32) -> bool {
    let ok = match which {
        WaitFor::Any => true,
        WaitFor::Pid(p) => p == pid,
        WaitFor::Pgid(g) => child.signal.inner.lock().pgid == g,
    };
    let clone_child = child.inner.lock().exit_signal != SIGCHLD;
    ok && (options & WALL != 0 || clone_child == (options & WCLONE != 0))
}

/// One pass over the children (Linux `do_wait_thread` + `wait_consider_task`).
fn scan_children(which: WaitFor, options: u32) -> KResult<Option<WaitResult>> {
    // LAB 6 BEGIN: find an eligible child whose whole group is a zombie, else none or ECHILD
    let me = current();
    let children = me.signal.inner.lock().children.clone();
    let mut matched = false;
    for pid in children {
        let Some(child) = TASKS.lock().get(&pid).cloned() else {
            continue;
        };
        if !eligible_child(&child, pid, which, options) {
            continue;
        }
        matched = true;
        let zombie = child.state() == TaskState::Zombie;
        let group_dead = child.signal.inner.lock().live == 0;
        if zombie && group_dead && options & WEXITED != 0 {
            return Ok(Some(wait_task_zombie(&child, options & WNOWAIT != 0)));
        }
    }
    if matched {
        Ok(None)
    } else {
        Err(Errno::ECHILD)
    }
    // LAB 6 END
}

/// Reap a zombie (Linux `wait_task_zombie`): take its status and times, add them to the
/// parent's children totals, and release it (EXIT_DEAD). With WNOWAIT only look.
fn wait_task_zombie(child: &Arc<TaskStruct>, nowait: bool) -> WaitResult {
    // LAB 6 BEGIN: collect status and times, then unless nowait make it EXIT_DEAD and release it
    let own = child.inner.lock().exit_code;
    let status = zombie_status(child, own);
    let r = {
        let sig = child.signal.inner.lock();
        WaitResult {
            pid: child.pid(),
            status,
            utime: sig.utime + sig.cutime,
            stime: sig.stime + sig.cstime,
        }
    };
    if nowait {
        return r;
    }
    child.inner.lock().state = TaskState::Dead;
    {
        let me = current();
        let mut sig = me.signal.inner.lock();
        sig.children.retain(|&c| c != r.pid);
        sig.cutime += r.utime;
        sig.cstime += r.stime;
    }
    release_task(child);
    r
    // LAB 6 END
}
