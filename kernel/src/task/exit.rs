//! How a task ends (Linux `kernel/exit.c`: `do_exit`, `do_group_exit`, `exit_mm`,
//! `exit_files`; `exit_notify`, `forget_original_parent`, `reparent_leader`,
//! `do_notify_parent` and `release_task` are in `tree.rs`).
//!
//! A thread that exits gives back what it alone owned (its share of the address space,
//! the file table, its futex word) and then, if it was the last thread of its process,
//! tells the parent: the process becomes a zombie (EXIT_ZOMBIE) that keeps only its pid,
//! exit status and times until the parent's wait4 reaps it (`release_task`, EXIT_DEAD).
//! Its children are handed to init first, which reaps whatever it adopts.
//!
//! ```text
//! exit_group(code) -> do_group_exit: group_exit_code = code, SIGKILL to the others
//!   each thread -> do_exit: live -= 1, exit_mm, exit_files, exit_notify
//!     not the leader: EXIT_DEAD at once (nobody waits for a thread)
//!     the leader:     EXIT_ZOMBIE; if it is the last (group_dead) the parent is told
//!     the last one:   forget_original_parent (children -> init), and if the leader
//!                     went first, the parent is told about the leader now
//! ```
//!
//! The task's kernel stack is freed only after the final switch away from it.
//!
//! Who adopts the children, whether the process waits as a zombie and what the parent
//! is sent are the process tree's rules (`task/tree.rs`, host-tested); this file applies
//! them to the exiting task through the kernel's `Tasklist`.

use super::sched::{self, current, TASKS};
use super::siginfo::KSigInfo;
use super::signal::{thread_group, SIGCHLD, SIGKILL};
use super::task::{TaskState, TaskStruct};
use super::tasklist::Tasklist;
use super::tree;
use crate::mm::uaccess;
use alloc::sync::Arc;

pub use super::tree::INIT_PID;

/// The wait status of a normal exit with `code` (Linux: `(code & 0xff) << 8`).
pub fn exit_status(code: i32) -> i32 {
    uapi::wait::w_exitcode(code)
}

/// End the whole thread group (Linux `do_group_exit`): the first caller records the
/// group's status and every other thread gets SIGKILL, then this thread exits. A
/// thread killed by exec's `de_thread` exits quietly with 0: the process lives on.
pub fn do_group_exit(status: i32) -> ! {
    let status = {
        // Scoped: do_exit never returns, so a reference held here would never be dropped.
        let cur = current();
        let mut sig = cur.signal.inner.lock();
        if let Some(code) = sig.group_exit_code {
            code
        } else if sig.group_exec_task.is_some_and(|p| p != cur.pid()) {
            0
        } else {
            sig.group_exit_code = Some(status);
            drop(sig);
            zap_other_threads(&cur);
            status
        }
    };
    do_exit(status)
}

/// Send SIGKILL to every other thread of `cur`'s group (Linux `zap_other_threads`).
///
/// When the group is not exiting, the caller is exec's `de_thread` (exec/mod.rs), which
/// Linux has set `signal->group_exec_task` first: this records it here, so the killed
/// threads do not turn their SIGKILL into a group exit (`do_group_exit`).
/// `take_over_leader` clears it again.
pub fn zap_other_threads(cur: &Arc<TaskStruct>) {
    {
        let mut sig = cur.signal.inner.lock();
        if sig.group_exit_code.is_none() {
            sig.group_exec_task = Some(cur.pid());
        }
    }
    for t in thread_group(cur.tgid()) {
        if !Arc::ptr_eq(&t, cur) {
            t.inner.lock().pending.add(KSigInfo::kernel(SIGKILL));
            sched::wake_up(&t);
        }
    }
}

/// End the current thread with wait status `status` (Linux `do_exit`). Never returns.
pub fn do_exit(status: i32) -> ! {
    let cur = current();
    assert!(!sched::is_idle(&cur), "the idle task tried to exit");
    // Linux `exit_signals` + `atomic_dec_and_test(&signal->live)`: from here on this
    // thread takes no signals, and the last thread out knows it is the last.
    let group_dead = {
        let mut sig = cur.signal.inner.lock();
        sig.live -= 1;
        sig.live == 0
    };
    if group_dead && cur.tgid() == INIT_PID {
        // Linux panics ("Attempted to kill init!"); Linnet reports and powers off.
        let code = tree::zombie_status(&Tasklist, &cur, status);
        super::init_exited(code);
    }
    // Robust futexes, then CLONE_CHILD_CLEARTID: tell a joining thread we are gone
    // (Linux mm_release: futex_exit_release first).
    super::futex::futex_exit_release(&cur);
    let ctid = core::mem::take(&mut cur.inner.lock().clear_child_tid);
    if ctid != 0 && uaccess::put_user(ctid, 0u32).is_ok() {
        super::futex::futex_wake_one(ctid);
    }
    super::fork::mm_release(&cur); // a vfork parent may run again
    super::attrs::sample_maxrss(&cur);
    exit_mm(&cur);
    exit_files(&cur);
    // The thread's times move to the process's (Linux `__exit_signal`), for its
    // parent's wait4 rusage; /proc adds the live threads' own times to these.
    let (utime, stime) = {
        let mut inner = cur.inner.lock();
        inner.exit_code = status;
        (
            core::mem::take(&mut inner.utime),
            core::mem::take(&mut inner.stime),
        )
    };
    {
        let mut sig = cur.signal.inner.lock();
        sig.utime += utime;
        sig.stime += stime;
        if group_dead {
            sig.shared_pending = Default::default();
        }
    }
    if group_dead {
        let (sid, tty) = {
            let s = cur.signal.inner.lock();
            (s.sid, s.tty)
        };
        crate::fs::tty_jobctrl::exit_ctty(cur.tgid(), sid, tty);
        crate::time::timer_list::exit_itimers(cur.tgid());
        crate::ipc::sem::exit_sem(cur.tgid()); // SEM_UNDO adjustments
    }
    tree::exit_notify(&mut Tasklist, &cur, group_dead);
    drop(cur);
    sched::schedule();
    unreachable!("a dead task was scheduled again");
}

/// Drop this thread's hold on the address space (Linux `exit_mm`). TTBR0 leaves it
/// first: the last reference tears down the tables the CPU would otherwise be using.
fn exit_mm(cur: &TaskStruct) {
    let mm = cur.inner.lock().mm.take();
    if mm.is_some() {
        crate::arch::mmu::cpu_set_reserved_ttbr0(crate::mm::kmap::reserved_pg_dir());
    }
    drop(mm);
}

/// Close this thread's file table if it was the last user (Linux `exit_files`).
fn exit_files(cur: &TaskStruct) {
    let empty = alloc::sync::Arc::new(spin::Mutex::new(crate::fs::file::FilesStruct::empty()));
    let files = core::mem::replace(&mut cur.inner.lock().files, empty);
    drop(files);
}

/// After `de_thread` killed the others, a non-leader thread that execs becomes the
/// leader and takes its pid (Linux `de_thread`'s "exchange_tids" step): the old
/// leader, a zombie by now, is released unreported.
pub fn take_over_leader(cur: &Arc<TaskStruct>) {
    cur.signal.inner.lock().group_exec_task = None;
    if cur.is_leader() {
        return;
    }
    let leader_pid = cur.tgid();
    let old_pid = cur.pid();
    let leader = TASKS.lock().remove(&leader_pid);
    if let Some(leader) = &leader {
        leader.inner.lock().state = TaskState::Dead;
    }
    {
        let mut tasks = TASKS.lock();
        tasks.remove(&old_pid);
        cur.set_pid(leader_pid);
        tasks.insert(leader_pid, cur.clone());
    }
    super::free_pid(old_pid);
    cur.inner.lock().exit_signal = SIGCHLD;
    drop(leader);
}
