//! The process tree and its rules (Linux `kernel/exit.c`: `do_wait`, `wait_consider_task`,
//! `eligible_child`, `wait_task_zombie`, `exit_notify`, `forget_original_parent`,
//! `find_new_reaper`, `reparent_leader`, `release_task`; `do_notify_parent` from
//! `kernel/signal.c`). Portable and host-tested.
//!
//! Who is whose parent, which children a wait may take, who adopts the orphans and
//! whether a dead process waits as a zombie are decisions about the tree alone. They
//! are written here once, over the `TaskList` trait: the kernel implements it over its
//! pid table and `TaskStruct`s (`task/tasklist.rs`), where the effects (sending
//! SIGCHLD, waking `wait_chldexit`, freeing the pid) really happen; the host tests over a
//! table of plain records that logs those effects. `exit.rs` and `wait.rs` apply these
//! rules to the current task.
//!
//! Simplified: Linnet has no stopped or continued state and no ptrace, so WUNTRACED /
//! WSTOPPED / WCONTINUED are accepted and never report anything, and a child's only
//! waitable change is its exit.

use super::pid::Pid;
use super::siginfo::{CLD_EXITED, CLD_KILLED};
use crate::errno::{Errno, KResult};
use alloc::vec::Vec;

/// Pid of init, the reaper of orphans (Linux `child_reaper`).
pub const INIT_PID: Pid = 1;

use uapi::signal::SIGCHLD;
pub use uapi::wait::{
    WALL, WCLONE, WCONTINUED, WEXITED, WNOHANG, WNOTHREAD, WNOWAIT, WSTOPPED, WUNTRACED,
};

/// The options wait4 accepts (Linux `kernel_wait4`).
pub const WAIT4_OPTIONS: u32 = WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE;
/// The options waitid accepts (Linux `kernel_waitid`).
pub const WAITID_OPTIONS: u32 =
    WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | WNOTHREAD | WALL | WCLONE;

pub use uapi::siginfo::CLD_DUMPED;

/// What a task is doing (Linux `__state`: TASK_RUNNING, TASK_INTERRUPTIBLE; and
/// `exit_state`: EXIT_ZOMBIE, EXIT_DEAD).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Running or ready to run (TASK_RUNNING): on the run queue or on the CPU.
    Running,
    /// Sleeping until woken or signalled (TASK_INTERRUPTIBLE).
    Interruptible,
    /// Exited; only pid, exit status and usage are left until the parent reaps it
    /// (EXIT_ZOMBIE).
    Zombie,
    /// Reaped or self-reaping: about to disappear (EXIT_DEAD).
    Dead,
}

impl TaskState {
    /// The letter `ps` shows (Linux `task_state_array`).
    pub fn letter(self) -> char {
        match self {
            TaskState::Running => 'R',
            TaskState::Interruptible => 'S',
            TaskState::Zombie => 'Z',
            TaskState::Dead => 'X',
        }
    }
}

/// What a parent does with SIGCHLD, as far as its children's end is concerned: SIG_IGN,
/// and SA_NOCLDWAIT (Linux: its `k_sigaction`, as `do_notify_parent` reads it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChldAction {
    /// SIGCHLD is SIG_IGN.
    pub sig_ign: bool,
    /// SA_NOCLDWAIT is set.
    pub nocldwait: bool,
}

/// The process table as the rules see it: the tasks, their tree links and the
/// effects of a child's end (Linux: `task_struct`'s `real_parent`, `exit_state`,
/// `exit_signal`, `signal_struct`'s `live` and `children` under `tasklist_lock`).
///
/// The process-wide fields (children, live threads, group exit code, process group,
/// times, SIGCHLD action) are those of the task's thread group, as Linnet keeps them in
/// the shared `SignalStruct`; the others are the task's own.
pub trait TaskList {
    /// A reference to one task (kernel: `Arc<TaskStruct>`; host tests: a pid).
    type Task: Clone;

    /// The task with this pid still in the table (Linux `find_task_by_vpid`).
    fn find_task(&self, pid: Pid) -> Option<Self::Task>;
    /// Every task of thread group `tgid` (Linux `for_each_thread`).
    fn thread_group(&self, tgid: Pid) -> Vec<Self::Task>;
    /// Are these one task (not just one pid)?
    fn same_task(&self, a: &Self::Task, b: &Self::Task) -> bool;
    /// Thread id.
    fn pid(&self, t: &Self::Task) -> Pid;
    /// Process id.
    fn tgid(&self, t: &Self::Task) -> Pid;
    /// Scheduling / exit state.
    fn state(&self, t: &Self::Task) -> TaskState;
    /// Set the state.
    fn set_state(&mut self, t: &Self::Task, s: TaskState);
    /// The parent process (Linux `real_parent`).
    fn parent(&self, t: &Self::Task) -> Pid;
    /// Give the task a new parent process.
    fn set_parent(&mut self, t: &Self::Task, parent: Pid);
    /// The signal the parent gets at exit (Linux `exit_signal`; -1: none).
    fn exit_signal(&self, t: &Self::Task) -> i32;
    /// Change it.
    fn set_exit_signal(&mut self, t: &Self::Task, sig: i32);
    /// The wait status the task ended with (Linux `exit_code`).
    fn exit_code(&self, t: &Self::Task) -> i32;
    /// PR_SET_PDEATHSIG's signal (0: none).
    fn pdeath_signal(&self, t: &Self::Task) -> i32;
    /// PR_SET_CHILD_SUBREAPER was set.
    fn child_subreaper(&self, t: &Self::Task) -> bool;
    /// Live threads of the process (Linux `signal->live`).
    fn live(&self, t: &Self::Task) -> usize;
    /// The status the whole group ends with, once it is exiting (`group_exit_code`).
    fn group_exit_code(&self, t: &Self::Task) -> Option<i32>;
    /// Process group id.
    fn pgid(&self, t: &Self::Task) -> Pid;
    /// A copy of the process's children list, by pid.
    fn children(&self, t: &Self::Task) -> Vec<Pid>;
    /// Take the children list, leaving it empty.
    fn take_children(&mut self, t: &Self::Task) -> Vec<Pid>;
    /// Add a child.
    fn add_child(&mut self, t: &Self::Task, child: Pid);
    /// Remove a child.
    fn remove_child(&mut self, t: &Self::Task, child: Pid);
    /// The process's SIGCHLD action.
    fn sigchld_action(&self, t: &Self::Task) -> ChldAction;
    /// User and system ticks a wait reports: the group's own plus its reaped children's
    /// (as Linux `wait_task_zombie` adds them).
    fn wait_times(&self, t: &Self::Task) -> (u64, u64);
    /// Add a reaped child's times to the process's `cutime`, `cstime`.
    fn add_child_times(&mut self, t: &Self::Task, utime: u64, stime: u64);
    /// Out of the pid table, the pid freed (Linux `__unhash_process` + `free_pid`).
    fn unhash_process(&mut self, t: &Self::Task);
    /// Send `sig` to the task's process (Linux `group_send_sig_info`, from the kernel).
    fn send_signal(&mut self, t: &Self::Task, sig: i32);
    /// Tell `parent` that process `child` ended: send it `sig` with the child's exit
    /// siginfo if `sig` is a valid signal (0: none), and wake the waiters on its
    /// `wait_chldexit` (the effects of Linux `do_notify_parent`).
    fn notify_parent(&mut self, parent: &Self::Task, child: &Self::Task, sig: i32);
}

/// Which children a wait is for (Linux `enum pid_type` + pid in `wait_opts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
        use uapi::wait::{wcoredump, wexitstatus, wifexited, wtermsig};
        if wifexited(self.status) {
            (CLD_EXITED, wexitstatus(self.status))
        } else if wcoredump(self.status) {
            (CLD_DUMPED, wtermsig(self.status))
        } else {
            (CLD_KILLED, wtermsig(self.status))
        }
    }
}

/// Translate wait4's pid argument (Linux `kernel_wait4`): -1 any child, 0 the caller's
/// group `my_pgid`, < -1 the group -pid, > 0 that child. `i32::MIN` has no group: ESRCH,
/// as in Linux.
pub fn wait_for_pid(pid: Pid, my_pgid: Pid) -> KResult<WaitFor> {
    Ok(match pid {
        -1 => WaitFor::Any,
        0 => WaitFor::Pgid(my_pgid),
        i32::MIN => return Err(Errno::ESRCH),
        p if p < -1 => WaitFor::Pgid(-p),
        p => WaitFor::Pid(p),
    })
}

/// One pass of a wait over `me`'s children (Linux `do_wait_thread`): the first
/// eligible child with something to report is reported; none ready but some eligible
/// is `Ok(None)` (the caller sleeps, or returns 0 with WNOHANG); none eligible is ECHILD.
pub fn do_wait_thread<L: TaskList>(
    l: &mut L,
    me: &L::Task,
    which: WaitFor,
    options: u32,
) -> KResult<Option<WaitResult>> {
    // LAB 6 BEGIN: find an eligible child with something to report, else none or ECHILD
    let mut matched = false;
    for pid in l.children(me) {
        let Some(child) = l.find_task(pid) else {
            continue;
        };
        if !eligible_child(l, &child, pid, which, options) {
            continue;
        }
        matched = true;
        if let Some(r) = wait_consider_task(l, me, &child, options) {
            return Ok(Some(r));
        }
    }
    if matched {
        Ok(None)
    } else {
        Err(Errno::ECHILD)
    }
    // LAB 6 END
}

/// Is the wait over after a pass that gave `result` (Linux `do_wait`: it sleeps and
/// repeats only while eligible children exist, none is ready, and WNOHANG is not set)?
pub fn wait_done(result: &KResult<Option<WaitResult>>, options: u32) -> bool {
    !matches!(result, Ok(None) if options & WNOHANG == 0)
}

/// Does this child count for the wait (Linux `eligible_pid` + `eligible_child`)? By
/// default only children that send SIGCHLD at exit; __WCLONE only the others; __WALL
/// all. (__WNOTHREAD is accepted: Linnet keeps children per process.)
pub fn eligible_child<L: TaskList>(
    l: &L,
    child: &L::Task,
    pid: Pid,
    which: WaitFor,
    options: u32,
) -> bool {
    let ok = match which {
        WaitFor::Any => true,
        WaitFor::Pid(p) => p == pid,
        WaitFor::Pgid(g) => l.pgid(child) == g,
    };
    let clone_child = l.exit_signal(child) != SIGCHLD;
    ok && (options & WALL != 0 || clone_child == (options & WCLONE != 0))
}

/// Has this eligible child something to report (Linux `wait_consider_task`)? Only an
/// exit, with WEXITED: a zombie leader whose whole group is gone (a zombie leader with
/// live threads is Linux `delay_group_leader`: the process has not ended yet).
pub fn wait_consider_task<L: TaskList>(
    l: &mut L,
    me: &L::Task,
    child: &L::Task,
    options: u32,
) -> Option<WaitResult> {
    // LAB 6 BEGIN: a zombie whose group has no live thread, with WEXITED: reap it
    let zombie = l.state(child) == TaskState::Zombie;
    let group_dead = l.live(child) == 0;
    if zombie && group_dead && options & WEXITED != 0 {
        return Some(wait_task_zombie(l, me, child, options & WNOWAIT != 0));
    }
    None
    // LAB 6 END
}

/// Reap a zombie (Linux `wait_task_zombie`): take its status and times, add them to
/// `me`'s children totals, and release it (EXIT_DEAD). With WNOWAIT (`nowait`) only
/// look: it stays a zombie, to be waited for again.
pub fn wait_task_zombie<L: TaskList>(
    l: &mut L,
    me: &L::Task,
    child: &L::Task,
    nowait: bool,
) -> WaitResult {
    // LAB 6 BEGIN: collect status and times, then unless nowait make it EXIT_DEAD and release it
    let own = l.exit_code(child);
    let status = zombie_status(l, child, own);
    let (utime, stime) = l.wait_times(child);
    let r = WaitResult {
        pid: l.pid(child),
        status,
        utime,
        stime,
    };
    if nowait {
        return r;
    }
    l.set_state(child, TaskState::Dead);
    l.remove_child(me, r.pid);
    l.add_child_times(me, r.utime, r.stime);
    release_task(l, child);
    r
    // LAB 6 END
}

/// The status a zombie process reports (Linux `wait_task_zombie`): the group's exit code
/// if it ended as a group (exit_group, a fatal signal), else its leader's own;
/// `fallback` when `any_thread` is the leader (or the leader is gone).
pub fn zombie_status<L: TaskList>(l: &L, any_thread: &L::Task, fallback: i32) -> i32 {
    if let Some(code) = l.group_exit_code(any_thread) {
        return code;
    }
    match l.find_task(l.tgid(any_thread)) {
        Some(leader) if !l.same_task(&leader, any_thread) => l.exit_code(&leader),
        _ => fallback,
    }
}

/// Tell the world that `cur` ended (Linux `exit_notify`): children go to their new
/// reaper; a thread disappears at once; a leader becomes a zombie, and the parent hears
/// of it when the whole group is gone, which may be now or when the last other thread
/// exits (a "delayed group leader", reported from that thread's exit, as Linux
/// `release_task` does). `group_dead`: `cur` is the last live thread of its process.
pub fn exit_notify<L: TaskList>(l: &mut L, cur: &L::Task, group_dead: bool) {
    if group_dead {
        forget_original_parent(l, cur);
    }
    if l.pid(cur) == l.tgid(cur) {
        l.set_state(cur, TaskState::Zombie);
        if group_dead && do_notify_parent(l, cur) {
            l.set_state(cur, TaskState::Dead);
            release_task(l, cur);
        }
        return;
    }
    l.set_state(cur, TaskState::Dead);
    release_task(l, cur);
    if group_dead {
        if let Some(leader) = l.find_task(l.tgid(cur)) {
            if l.state(&leader) == TaskState::Zombie && do_notify_parent(l, &leader) {
                l.set_state(&leader, TaskState::Dead);
                release_task(l, &leader);
            }
        }
    }
}

/// Which signal the parent gets and whether the child reaps itself (the rule of Linux
/// `do_notify_parent`): a child that would send SIGCHLD to a parent whose SIGCHLD is
/// SIG_IGN, or who set SA_NOCLDWAIT, is not waited for (autoreap); with SIG_IGN no
/// signal is sent either (0). Any other exit signal is sent as it is.
pub fn notify_decision(exit_signal: i32, parent: ChldAction) -> (i32, bool) {
    if exit_signal == SIGCHLD && (parent.sig_ign || parent.nocldwait) {
        (if parent.sig_ign { 0 } else { exit_signal }, true)
    } else {
        (exit_signal, false)
    }
}

/// A process has ended: send its exit signal to the parent and wake the parent's wait4
/// (Linux `do_notify_parent` in `kernel/signal.c`). Returns true when nobody will wait
/// for it, so it is to be reaped at once: `notify_decision` says so, or it has no
/// parent.
pub fn do_notify_parent<L: TaskList>(l: &mut L, leader: &L::Task) -> bool {
    let exit_signal = l.exit_signal(leader);
    let Some(parent) = l.find_task(l.parent(leader)) else {
        return true;
    };
    let (sig, autoreap) = notify_decision(exit_signal, l.sigchld_action(&parent));
    l.notify_parent(&parent, leader, sig);
    autoreap
}

/// Give `cur`'s children to a new parent (Linux `forget_original_parent` with
/// `find_new_reaper` and `reparent_leader`). Must run before `cur` itself is reported:
/// its parent may reap it at once, and the children must have a home by then. A child
/// that is already a zombie is reported to the new parent now, as if it had just
/// exited; every child's exit signal becomes SIGCHLD ("we don't want people slaying
/// init"). Simplified: PR_SET_PDEATHSIG signals go out here for the whole process, not
/// per exiting thread.
pub fn forget_original_parent<L: TaskList>(l: &mut L, cur: &L::Task) {
    for pid in l.children(cur) {
        for t in l.thread_group(pid) {
            let sig = l.pdeath_signal(&t);
            if sig != 0 && l.state(&t) != TaskState::Zombie {
                l.send_signal(&t, sig);
            }
        }
    }
    let reaper_pid = find_new_reaper(l, cur);
    // LAB 6 BEGIN: hand every child to the reaper, and report the ones already zombies to it
    let children = l.take_children(cur);
    let Some(reaper) = l.find_task(reaper_pid) else {
        return;
    };
    for pid in children {
        let Some(child) = l.find_task(pid) else {
            continue;
        };
        for t in l.thread_group(pid) {
            l.set_parent(&t, reaper_pid);
        }
        l.add_child(&reaper, pid);
        l.set_exit_signal(&child, SIGCHLD);
        let group_dead = l.live(&child) == 0;
        if group_dead && l.state(&child) == TaskState::Zombie && do_notify_parent(l, &child) {
            l.set_state(&child, TaskState::Dead);
            release_task(l, &child);
        }
    }
    // LAB 6 END
}

/// Who adopts `cur`'s children (Linux `find_new_reaper`): the nearest ancestor that
/// set PR_SET_CHILD_SUBREAPER and is not exiting itself, else init.
pub fn find_new_reaper<L: TaskList>(l: &L, cur: &L::Task) -> Pid {
    let mut pid = l.parent(cur);
    while pid > INIT_PID {
        let Some(t) = l.find_task(pid) else {
            break;
        };
        if l.child_subreaper(&t) && l.live(&t) > 0 {
            return pid;
        }
        pid = l.parent(&t);
    }
    INIT_PID
}

/// Forget a dead task (Linux `release_task` + `__unhash_process`): out of the pid table,
/// its pid freed, and a process leaves its parent's list of children.
pub fn release_task<L: TaskList>(l: &mut L, t: &L::Task) {
    l.unhash_process(t);
    if l.pid(t) == l.tgid(t) {
        if let Some(p) = l.find_task(l.parent(t)) {
            let pid = l.pid(t);
            l.remove_child(&p, pid);
        }
    }
}

#[cfg(test)]
mod tests;
