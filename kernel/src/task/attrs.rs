//! Per-task attributes set by prctl, setpriority, setgroups and vfork (Linux keeps them
//! in `task_struct` (`pdeath_signal`, `vfork_done`, the nice value in `static_prio`), in
//! `mm_struct` (the dumpable flag), in `signal_struct` (`is_child_subreaper`) and in
//! `struct cred` (the supplementary groups)).
//!
//! Linnet gathers them in one struct so the task keeps one field for them. Simplified:
//! everyone is root, so the groups are stored and reported but never checked; the nice
//! value is stored and reported, but the round-robin scheduler does not weigh it; the
//! subreaper flag is read from the process's leader.

use super::pid::Pid;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

/// What a vfork parent sleeps on until its child execs or exits (Linux's
/// `struct completion vfork` in `kernel_clone`, reached through `vfork_done`).
pub struct VforkDone {
    done: AtomicBool,
    /// The parent thread that waits.
    pub waiter: Pid,
}

impl VforkDone {
    /// Not yet completed; `waiter` sleeps on it.
    pub fn new(waiter: Pid) -> VforkDone {
        VforkDone {
            done: AtomicBool::new(false),
            waiter,
        }
    }

    /// Has the child let go of the parent's memory?
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    /// Mark it done (Linux `complete_vfork_done`); the caller wakes the waiter.
    pub fn complete(&self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

/// Linux `SUID_DUMP_USER`: the default dumpable value.
pub const SUID_DUMP_USER: u32 = 1;

/// The attributes (see the module comment for where Linux keeps each).
pub struct TaskAttrs {
    /// Set for a CLONE_VFORK child until it execs or exits (Linux `vfork_done`).
    pub vfork_done: Option<Arc<VforkDone>>,
    /// Signal sent to this task when its parent exits (PR_SET_PDEATHSIG); 0 for none.
    pub pdeath_signal: i32,
    /// The nice value, -20..=19 (Linux `task_nice`).
    pub nice: i32,
    /// PR_SET_DUMPABLE (Linux `mm->flags & MMF_DUMPABLE_MASK`): 0 or 1.
    pub dumpable: u32,
    /// PR_SET_CHILD_SUBREAPER on this process (read from the leader).
    pub child_subreaper: bool,
    /// Supplementary group ids, sorted as Linux's `groups_sort` leaves them.
    pub groups: Vec<u32>,
    /// User and group ids (`task/cred.rs`).
    pub cred: super::cred::Cred,
    /// The process's resident-size high-water mark in KiB (Linux `signal->maxrss`), on
    /// the leader; sampled by getrusage and at exit (`sample_maxrss`).
    pub maxrss_kb: u64,
    /// The largest `maxrss_kb` of the children that have exited (Linux `cmaxrss`).
    pub cmaxrss_kb: u64,
    /// The absolute path of the program exec loaded (Linux `mm->exe_file`), for
    /// /proc/PID/exe; empty for a kernel thread.
    pub exe: alloc::string::String,
}

impl Default for TaskAttrs {
    fn default() -> Self {
        TaskAttrs {
            vfork_done: None,
            pdeath_signal: 0,
            nice: 0,
            dumpable: SUID_DUMP_USER,
            child_subreaper: false,
            groups: Vec::new(),
            cred: Default::default(),
            maxrss_kb: 0,
            cmaxrss_kb: 0,
            exe: alloc::string::String::new(),
        }
    }
}

impl TaskAttrs {
    /// What a child inherits (Linux `copy_process`/`dup_task_struct`): the nice value,
    /// the groups (credentials are shared copy-on-write) and the dumpable flag of the
    /// memory it copies; pdeath_signal, vfork_done and the subreaper flag start clear.
    pub fn fork_copy(&self) -> TaskAttrs {
        TaskAttrs {
            nice: self.nice,
            dumpable: self.dumpable,
            groups: self.groups.clone(),
            cred: self.cred,
            exe: self.exe.clone(),
            ..TaskAttrs::default()
        }
    }
}

/// The resident size of `t`'s memory in KiB, folded into its process's high-water mark
/// (kept on the leader), which is returned. Linux updates `hiwater_rss` as pages come
/// and go; Linnet samples when asked (getrusage) and at exit.
pub fn sample_maxrss(t: &Arc<super::task::TaskStruct>) -> u64 {
    let mm = t.inner.lock().mm.clone();
    let page_kb = (crate::mm::layout::PAGE_SIZE / 1024) as u64;
    let now = mm.map_or(0, |m| m.lock().rss_pages() as u64 * page_kb);
    let leader = super::sched::TASKS.lock().get(&t.tgid()).cloned();
    let l = leader.as_ref().unwrap_or(t);
    let mut i = l.inner.lock();
    i.attrs.maxrss_kb = i.attrs.maxrss_kb.max(now);
    i.attrs.maxrss_kb
}
