//! Waiting for children (Linux `kernel/exit.c`: `do_wait`, and the `kernel_wait4` /
//! `kernel_waitid` entry points).
//!
//! The parent scans its children for one that matches the request and has changed
//! state (here: become a zombie whose threads are all gone). Found: collect its status
//! and times, then release it (unless WNOWAIT). None changed but some match: sleep on
//! the process's `wait_chldexit` queue until `exit_notify` wakes it (or return "none"
//! at once with WNOHANG). None match: ECHILD. The scan and its rules (`do_wait_thread`,
//! `eligible_child`, `wait_consider_task`, `wait_task_zombie`) are the process tree's
//! (`task/tree.rs`, host-tested); this file sleeps and wakes around them. Linnet has no
//! stopped or continued children, so WUNTRACED/WSTOPPED/WCONTINUED are accepted and
//! never report anything.

use super::pid::Pid;
use super::sched::current;
use super::tasklist::Tasklist;
use super::tree;
use crate::errno::{Errno, KResult};

pub use super::tree::{
    WaitFor, WaitResult, CLD_DUMPED, WAIT4_OPTIONS, WAITID_OPTIONS, WALL, WCLONE, WCONTINUED,
    WEXITED, WNOHANG, WNOTHREAD, WNOWAIT, WSTOPPED, WUNTRACED,
};

/// Translate wait4's pid argument for the current process (Linux `kernel_wait4`; see
/// `tree::wait_for_pid`).
pub fn wait_for(pid: Pid) -> KResult<WaitFor> {
    tree::wait_for_pid(pid, current().signal.inner.lock().pgid)
}

/// Wait for a child to change state (Linux `do_wait`). `options` are already checked by
/// the syscall; exits are reported only with WEXITED (wait4 always adds it).
/// `Ok(None)` means WNOHANG found matching children but none ready. Never inlined: it
/// is the README's first breakpoint (`kbreak do_wait`), which must stop in one place.
#[inline(never)]
pub fn do_wait(which: WaitFor, options: u32) -> KResult<Option<WaitResult>> {
    let me = current();
    let mut result: KResult<Option<WaitResult>> = Err(Errno::ECHILD);
    let done = me.signal.wait_chldexit.wait_until(|| {
        result = tree::do_wait_thread(&mut Tasklist, &me, which, options);
        tree::wait_done(&result, options)
    });
    if !done {
        return Err(Errno::ERESTARTSYS);
    }
    result
}
