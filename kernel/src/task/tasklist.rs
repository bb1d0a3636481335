//! The kernel's process table under the tree rules (`task/tree.rs`): the `TaskList` of
//! `TASKS` and the `TaskStruct`s, where notifying a parent really sends SIGCHLD and
//! wakes its `wait_chldexit` (Linux: the task list under `tasklist_lock`).
//!
//! Each method takes the locks it needs for one short statement, in the documented
//! order (`TASKS` before a task's `inner`), and holds none when it returns.

use super::pid::Pid;
use super::sched::TASKS;
use super::siginfo::{KSigInfo, CLD_EXITED, CLD_KILLED};
use super::signal::{self, group_send_sig_info, valid_signal, SigDisposition, SIGCHLD};
use super::task::{TaskState, TaskStruct};
use super::tree::{ChldAction, TaskList};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// The kernel's tasks, seen as a process tree.
pub struct Tasklist;

impl TaskList for Tasklist {
    type Task = Arc<TaskStruct>;

    fn find_task(&self, pid: Pid) -> Option<Arc<TaskStruct>> {
        TASKS.lock().get(&pid).cloned()
    }

    fn thread_group(&self, tgid: Pid) -> Vec<Arc<TaskStruct>> {
        signal::thread_group(tgid)
    }

    fn same_task(&self, a: &Arc<TaskStruct>, b: &Arc<TaskStruct>) -> bool {
        Arc::ptr_eq(a, b)
    }

    fn pid(&self, t: &Arc<TaskStruct>) -> Pid {
        t.pid()
    }

    fn tgid(&self, t: &Arc<TaskStruct>) -> Pid {
        t.tgid()
    }

    fn state(&self, t: &Arc<TaskStruct>) -> TaskState {
        t.state()
    }

    fn set_state(&mut self, t: &Arc<TaskStruct>, s: TaskState) {
        t.inner.lock().state = s;
    }

    fn parent(&self, t: &Arc<TaskStruct>) -> Pid {
        t.inner.lock().parent
    }

    fn set_parent(&mut self, t: &Arc<TaskStruct>, parent: Pid) {
        t.inner.lock().parent = parent;
    }

    fn exit_signal(&self, t: &Arc<TaskStruct>) -> i32 {
        t.inner.lock().exit_signal
    }

    fn set_exit_signal(&mut self, t: &Arc<TaskStruct>, sig: i32) {
        t.inner.lock().exit_signal = sig;
    }

    fn exit_code(&self, t: &Arc<TaskStruct>) -> i32 {
        t.inner.lock().exit_code
    }

    fn pdeath_signal(&self, t: &Arc<TaskStruct>) -> i32 {
        t.inner.lock().attrs.pdeath_signal
    }

    fn child_subreaper(&self, t: &Arc<TaskStruct>) -> bool {
        t.inner.lock().attrs.child_subreaper
    }

    fn live(&self, t: &Arc<TaskStruct>) -> usize {
        t.signal.inner.lock().live
    }

    fn group_exit_code(&self, t: &Arc<TaskStruct>) -> Option<i32> {
        t.signal.inner.lock().group_exit_code
    }

    fn pgid(&self, t: &Arc<TaskStruct>) -> Pid {
        t.signal.inner.lock().pgid
    }

    fn children(&self, t: &Arc<TaskStruct>) -> Vec<Pid> {
        t.signal.inner.lock().children.clone()
    }

    fn take_children(&mut self, t: &Arc<TaskStruct>) -> Vec<Pid> {
        core::mem::take(&mut t.signal.inner.lock().children)
    }

    fn add_child(&mut self, t: &Arc<TaskStruct>, child: Pid) {
        t.signal.inner.lock().children.push(child);
    }

    fn remove_child(&mut self, t: &Arc<TaskStruct>, child: Pid) {
        let mut s = t.signal.inner.lock();
        s.children.retain(|&c| c != child);
        if s.children.is_empty() {
            s.children = Vec::new(); // no capacity kept: heap use returns to baseline
        }
    }

    fn sigchld_action(&self, t: &Arc<TaskStruct>) -> ChldAction {
        let s = t.signal.inner.lock();
        ChldAction {
            sig_ign: s.action[SIGCHLD as usize] == SigDisposition::Ignore,
            nocldwait: s.sa[SIGCHLD as usize].flags & signal::SA_NOCLDWAIT != 0,
        }
    }

    fn wait_times(&self, t: &Arc<TaskStruct>) -> (u64, u64) {
        let s = t.signal.inner.lock();
        (s.utime + s.cutime, s.stime + s.cstime)
    }

    fn add_child_times(&mut self, t: &Arc<TaskStruct>, utime: u64, stime: u64) {
        let mut s = t.signal.inner.lock();
        s.cutime += utime;
        s.cstime += stime;
    }

    fn unhash_process(&mut self, t: &Arc<TaskStruct>) {
        TASKS.lock().remove(&t.pid());
        super::free_pid(t.pid());
    }

    fn send_signal(&mut self, t: &Arc<TaskStruct>, sig: i32) {
        if valid_signal(sig) {
            group_send_sig_info(t, KSigInfo::kernel(sig));
        }
    }

    fn notify_parent(&mut self, parent: &Arc<TaskStruct>, child: &Arc<TaskStruct>, sig: i32) {
        // Linux adds the child's maxrss to the parent's cmaxrss when it is reaped;
        // Linnet when it is reported.
        let child_rss = child.inner.lock().attrs.maxrss_kb;
        let mut p = parent.inner.lock();
        p.attrs.cmaxrss_kb = p.attrs.cmaxrss_kb.max(child_rss);
        drop(p);
        if valid_signal(sig) {
            group_send_sig_info(parent, chld_info(child, sig));
        }
        parent.signal.wait_chldexit.wake_all();
    }
}

/// What the parent's SIGCHLD handler learns about the child (Linux `do_notify_parent`'s
/// siginfo): who, how it ended (CLD_EXITED with the exit code, or CLD_KILLED with the
/// signal), and the CPU time of its whole thread group in clock ticks.
fn chld_info(leader: &Arc<TaskStruct>, sig: i32) -> KSigInfo {
    let (status, utime, stime) = {
        let i = leader.inner.lock();
        (i.exit_code, i.utime, i.stime)
    };
    let (gu, gs) = {
        let s = leader.signal.inner.lock();
        (s.utime, s.stime)
    };
    let (code, status) = match uapi::wait::wtermsig(status) {
        0 => (CLD_EXITED, uapi::wait::wexitstatus(status)),
        killed => (CLD_KILLED, killed),
    };
    KSigInfo {
        signo: sig,
        code,
        pid: leader.tgid(),
        status,
        utime: crate::drivers::timer::jiffies_to_clock_t(utime + gu),
        stime: crate::drivers::timer::jiffies_to_clock_t(stime + gs),
        ..Default::default()
    }
}
