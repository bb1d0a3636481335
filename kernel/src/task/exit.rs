//! How a task ends (Linux `kernel/exit.c`: `do_exit`, `do_group_exit`, `exit_mm`,
//! `exit_files`, `exit_notify`, `forget_original_parent`, `release_task`).
//!
//! A thread that exits gives back what it alone owned (its share of the address space,
//! the file table, its futex word) and then, if it was the last thread of its process,
//! tells the parent: the process becomes a zombie (EXIT_ZOMBIE) that keeps only its pid,
//! exit status and times until the parent's wait4 reaps it (`release_task`, EXIT_DEAD).
//! Its children are handed to init first, which reaps whatever it adopts.
//! The task's kernel stack is freed only after the final switch away from it.

use super::pid::Pid;
use super::sched::{self, current, TASKS};
use super::signal::{SigDisposition, SIGCHLD, SIGKILL};
use super::task::{TaskState, TaskStruct};
use crate::mm::uaccess;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Pid of init, the reaper of orphans (Linux `child_reaper`).
pub const INIT_PID: Pid = 1;

/// The wait status of a normal exit with `code` (Linux: `(code & 0xff) << 8`).
pub fn exit_status(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// End the whole thread group (Linux `do_group_exit`): the first caller records the
/// group's status, every other thread gets SIGKILL, then this thread exits.
pub fn do_group_exit(status: i32) -> ! {
    let status = {
        // Scoped: do_exit never returns, so a reference held here would never be dropped.
        let cur = current();
        let status = *cur
            .signal
            .inner
            .lock()
            .group_exit_code
            .get_or_insert(status);
        zap_other_threads(&cur);
        status
    };
    do_exit(status)
}

/// Send SIGKILL to every other thread of `cur`'s group (Linux `zap_other_threads`).
pub fn zap_other_threads(cur: &Arc<TaskStruct>) {
    let others: Vec<Arc<TaskStruct>> = TASKS
        .lock()
        .values()
        .filter(|t| t.tgid() == cur.tgid() && !Arc::ptr_eq(t, cur))
        .cloned()
        .collect();
    for t in others {
        t.inner.lock().pending.add(SIGKILL);
        sched::wake_up(&t);
    }
}

/// End the current thread with wait status `status` (Linux `do_exit`). Never returns.
pub fn do_exit(status: i32) -> ! {
    let cur = current();
    assert!(!sched::is_idle(&cur), "the idle task tried to exit");
    if cur.pid() == INIT_PID && cur.is_leader() {
        super::init_exited(status);
    }
    // CLONE_CHILD_CLEARTID: tell a joining thread we are gone (Linux mm_release).
    let ctid = core::mem::take(&mut cur.inner.lock().clear_child_tid);
    if ctid != 0 && uaccess::put_user(ctid, 0u32).is_ok() {
        super::futex::futex_wake(ctid, 1);
    }
    exit_mm(&cur);
    exit_files(&cur);
    let group_dead = {
        let mut sig = cur.signal.inner.lock();
        sig.live -= 1;
        sig.live == 0
    };
    {
        let mut inner = cur.inner.lock();
        inner.exit_code = cur.signal.inner.lock().group_exit_code.unwrap_or(status);
    }
    exit_notify(&cur, group_dead);
    drop(cur);
    sched::schedule();
    unreachable!("a dead task was scheduled again");
}

/// Drop this thread's hold on the address space (Linux `exit_mm`). TTBR0 leaves it
/// first: the last reference tears down the tables the CPU would otherwise be using.
fn exit_mm(cur: &TaskStruct) {
    let mm = cur.inner.lock().mm.take();
    if mm.is_some() {
        crate::arch::aarch64::mmu::cpu_set_reserved_ttbr0(crate::mm::kmap::reserved_pg_dir());
    }
    drop(mm);
}

/// Close this thread's file table if it was the last user (Linux `exit_files`).
fn exit_files(cur: &TaskStruct) {
    let empty = alloc::sync::Arc::new(spin::Mutex::new(crate::fs::file::FilesStruct::empty()));
    let files = core::mem::replace(&mut cur.inner.lock().files, empty);
    drop(files);
}

/// Tell the world (Linux `exit_notify`): children go to init, the process becomes a
/// zombie for its parent, or disappears at once if nobody will wait for it.
fn exit_notify(cur: &Arc<TaskStruct>, group_dead: bool) {
    if group_dead {
        forget_original_parent(cur);
    }
    if !cur.is_leader() {
        // A thread: nobody waits for it. If it was the last, its leader (already a
        // zombie) can now be reported to the parent (Linux `release_task` ->
        // `do_notify_parent` for a delayed group leader).
        cur.inner.lock().state = TaskState::Dead;
        release_task(cur);
        if group_dead {
            let leader = TASKS.lock().get(&cur.tgid()).cloned();
            if let Some(leader) = leader {
                leader.inner.lock().exit_code = cur.inner.lock().exit_code;
                notify_parent(&leader);
            }
        }
        return;
    }
    cur.inner.lock().state = TaskState::Zombie;
    if group_dead {
        notify_parent(cur);
    }
}

/// The process's last thread is gone: a zombie for the parent to reap, or, if the
/// parent ignores SIGCHLD or set SA_NOCLDWAIT, reaped right here (Linux
/// `do_notify_parent`).
fn notify_parent(leader: &Arc<TaskStruct>) {
    let parent_pid = leader.inner.lock().parent;
    let Some(parent) = TASKS.lock().get(&parent_pid).cloned() else {
        leader.inner.lock().state = TaskState::Dead;
        release_task(leader);
        return;
    };
    let autoreap = {
        let sig = parent.signal.inner.lock();
        sig.nocldwait || sig.action[SIGCHLD as usize] == SigDisposition::Ignore
    };
    if autoreap && leader.pid() != INIT_PID {
        leader.inner.lock().state = TaskState::Dead;
        parent
            .signal
            .inner
            .lock()
            .children
            .retain(|&c| c != leader.pid());
        release_task(leader);
    }
    parent.signal.wait_chldexit.wake_all();
}

/// Give this process's children to init (Linux `forget_original_parent` with
/// `find_child_reaper`); init is woken if any of them is already a zombie.
fn forget_original_parent(cur: &Arc<TaskStruct>) {
    let children = core::mem::take(&mut cur.signal.inner.lock().children);
    if children.is_empty() {
        return;
    }
    let Some(init) = TASKS.lock().get(&INIT_PID).cloned() else {
        return;
    };
    let mut zombie = false;
    for pid in children {
        let Some(child) = TASKS.lock().get(&pid).cloned() else {
            continue;
        };
        // Every thread of the child process gets the new parent.
        let threads: Vec<Arc<TaskStruct>> = TASKS
            .lock()
            .values()
            .filter(|t| t.tgid() == pid)
            .cloned()
            .collect();
        for t in threads {
            t.inner.lock().parent = INIT_PID;
        }
        zombie |= child.inner.lock().state == TaskState::Zombie;
        init.signal.inner.lock().children.push(pid);
    }
    if zombie {
        init.signal.wait_chldexit.wake_all();
    }
}

/// Forget a dead task (Linux `release_task`): out of the pid table and its pid freed.
/// The memory goes when the last reference does (the scheduler may still hold one).
pub fn release_task(t: &Arc<TaskStruct>) {
    TASKS.lock().remove(&t.pid());
    super::free_pid(t.pid());
}

/// After `de_thread` killed the others, a non-leader thread that execs becomes the
/// leader and takes its pid (Linux `de_thread`'s "exchange_tids" step): the old
/// leader, a zombie by now, is released unreported.
pub fn take_over_leader(cur: &Arc<TaskStruct>) {
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
