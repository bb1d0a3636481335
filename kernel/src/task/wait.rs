//! Waiting for children (Linux `kernel/exit.c`: `do_wait`, `wait_consider_task`,
//! `wait_task_zombie`, and the `wait4` / `waitid` entry points).
//!
//! The parent scans its children for one that matches the request and has changed
//! state (here: become a zombie). Found: collect its status and times, then release it.
//! None changed but some match: sleep on the process's `wait_chldexit` queue until
//! `exit_notify` wakes it (or return 0 at once with WNOHANG). None match: ECHILD.

use super::exit::release_task;
use super::pid::Pid;
use super::sched::{current, TASKS};
use super::task::TaskState;
use crate::errno::{Errno, KResult};
use alloc::sync::Arc;

/// wait4 options (Linux `include/uapi/linux/wait.h`).
pub const WNOHANG: u32 = 1;
/// Report stopped children (accepted; Linnet has no stopped state).
pub const WUNTRACED: u32 = 2;
/// Report continued children (accepted; nothing to report).
pub const WCONTINUED: u32 = 8;
/// Also wait for "clone" children (accepted).
pub const WALL: u32 = 0x4000_0000;
/// Wait for clone children only (accepted).
pub const WCLONE: u32 = 0x8000_0000;

/// Which children a wait is for (Linux `enum pid_type` + pid in `wait_opts`).
#[derive(Clone, Copy, Debug)]
pub enum WaitFor {
    /// Any child (pid -1).
    Any,
    /// The child with this pid (pid > 0).
    Pid(Pid),
    /// Any child in this process group (pid 0: the caller's group; pid < -1: -pid).
    Pgid(Pid),
}

/// What `do_wait` found.
#[derive(Clone, Copy, Debug, Default)]
pub struct WaitResult {
    /// The reaped child's pid.
    pub pid: Pid,
    /// Linux wait status word.
    pub status: i32,
    /// User time in ticks.
    pub utime: u64,
    /// System time in ticks.
    pub stime: u64,
}

/// Translate wait4's pid argument (Linux `kernel_wait4`).
pub fn wait_for(pid: Pid) -> WaitFor {
    match pid {
        -1 => WaitFor::Any,
        0 => WaitFor::Pgid(current().signal.inner.lock().pgid),
        p if p < -1 => WaitFor::Pgid(-p),
        p => WaitFor::Pid(p),
    }
}

/// Wait for a child to change state (Linux `do_wait`). `Ok(None)` means WNOHANG found
/// matching children but none ready.
pub fn do_wait(which: WaitFor, options: u32) -> KResult<Option<WaitResult>> {
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE) != 0 {
        return Err(Errno::EINVAL);
    }
    let me = current();
    let mut result: KResult<Option<WaitResult>> = Err(Errno::ECHILD);
    let done = me.signal.wait_chldexit.wait_until(|| {
        result = scan_children(which);
        match result {
            Ok(None) if options & WNOHANG == 0 => false, // keep sleeping
            _ => true,
        }
    });
    if !done {
        return Err(Errno::EINTR);
    }
    result
}

/// One pass over the children (Linux `do_wait_thread` + `wait_consider_task`).
fn scan_children(which: WaitFor) -> KResult<Option<WaitResult>> {
    let me = current();
    let children = me.signal.inner.lock().children.clone();
    let mut matched = false;
    for pid in children {
        let Some(child) = TASKS.lock().get(&pid).cloned() else {
            continue;
        };
        let ok = match which {
            WaitFor::Any => true,
            WaitFor::Pid(p) => p == pid,
            WaitFor::Pgid(g) => child.signal.inner.lock().pgid == g,
        };
        if !ok {
            continue;
        }
        matched = true;
        let zombie = child.inner.lock().state == TaskState::Zombie;
        let group_dead = child.signal.inner.lock().live == 0;
        if zombie && group_dead {
            return Ok(Some(wait_task_zombie(&child)));
        }
    }
    if matched {
        Ok(None)
    } else {
        Err(Errno::ECHILD)
    }
}

/// Reap a zombie (Linux `wait_task_zombie`): take its status and times, add them to the
/// parent's children totals, and release it (EXIT_DEAD).
fn wait_task_zombie(child: &Arc<super::task::TaskStruct>) -> WaitResult {
    let me = current();
    let r = {
        let mut inner = child.inner.lock();
        inner.state = TaskState::Dead;
        let sig = child.signal.inner.lock();
        WaitResult {
            pid: child.pid(),
            status: inner.exit_code,
            utime: inner.utime + sig.cutime,
            stime: inner.stime + sig.cstime,
        }
    };
    {
        let mut sig = me.signal.inner.lock();
        sig.children.retain(|&c| c != r.pid);
        sig.cutime += r.utime;
        sig.cstime += r.stime;
    }
    release_task(child);
    r
}
