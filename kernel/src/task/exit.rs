//! How a task ends (Linux `kernel/exit.c`: `do_exit`, `do_group_exit`, `exit_mm`,
//! `exit_files`, `exit_notify`, `forget_original_parent`, `reparent_leader`,
//! `do_notify_parent` from `kernel/signal.c`, `release_task`).
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

use super::pid::Pid;
use super::sched::{self, current, TASKS};
use super::siginfo::{KSigInfo, CLD_EXITED, CLD_KILLED};
use super::signal::{group_send_sig_info, thread_group, valid_signal, SIGCHLD, SIGKILL};
use super::task::{TaskState, TaskStruct};
use crate::mm::uaccess;
use alloc::sync::Arc;

/// Pid of init, the reaper of orphans (Linux `child_reaper`).
pub const INIT_PID: Pid = 1;

/// The wait status of a normal exit with `code` (Linux: `(code & 0xff) << 8`).
pub fn exit_status(code: i32) -> i32 {
    (code & 0xff) << 8
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
        let code = zombie_status(&cur, status);
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
    exit_notify(&cur, group_dead);
    drop(cur);
    sched::schedule();
    unreachable!("a dead task was scheduled again");
}

/// The status a zombie process reports (Linux `wait_task_zombie`): the group's exit code
/// if it ended as a group (exit_group, a fatal signal), else its leader's own.
pub fn zombie_status(any_thread: &TaskStruct, fallback: i32) -> i32 {
    if let Some(code) = any_thread.signal.inner.lock().group_exit_code {
        return code;
    }
    match TASKS.lock().get(&any_thread.tgid()) {
        Some(l) if !core::ptr::eq(Arc::as_ptr(l), any_thread) => l.inner.lock().exit_code,
        _ => fallback,
    }
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

/// Tell the world (Linux `exit_notify`): children go to init; a thread disappears at
/// once; a leader becomes a zombie, and the parent hears of it when the whole group
/// is gone, which may be now or when the last other thread exits (a "delayed group
/// leader", reported from that thread's exit, as Linux `release_task` does).
fn exit_notify(cur: &Arc<TaskStruct>, group_dead: bool) {
    if group_dead {
        forget_original_parent(cur);
    }
    if cur.is_leader() {
        cur.inner.lock().state = TaskState::Zombie;
        if group_dead && do_notify_parent(cur) {
            cur.inner.lock().state = TaskState::Dead;
            release_task(cur);
        }
        return;
    }
    cur.inner.lock().state = TaskState::Dead;
    release_task(cur);
    if group_dead {
        let leader = TASKS.lock().get(&cur.tgid()).cloned();
        if let Some(leader) = leader {
            if leader.state() == TaskState::Zombie && do_notify_parent(&leader) {
                leader.inner.lock().state = TaskState::Dead;
                release_task(&leader);
            }
        }
    }
}

/// A process has ended: send its exit signal (SIGCHLD) to the parent and wake the
/// parent's wait4. Returns true when nobody will wait for it, so it is to be reaped at
/// once: the parent set SIGCHLD to SIG_IGN or SA_NOCLDWAIT, or has no parent (Linux
/// `do_notify_parent` in `kernel/signal.c`).
fn do_notify_parent(leader: &Arc<TaskStruct>) -> bool {
    let (parent_pid, mut sig) = {
        let inner = leader.inner.lock();
        (inner.parent, inner.exit_signal)
    };
    let Some(parent) = TASKS.lock().get(&parent_pid).cloned() else {
        return true;
    };
    let mut autoreap = false;
    if sig == SIGCHLD {
        let ps = parent.signal.inner.lock();
        if ps.ignores_children() {
            autoreap = true;
            if ps.action[SIGCHLD as usize] == super::signal::SigDisposition::Ignore {
                sig = 0;
            }
        }
    }
    // Linux adds the child's maxrss to the parent's cmaxrss when it is reaped; Linnet
    // when it is reported.
    let child_rss = leader.inner.lock().attrs.maxrss_kb;
    let mut p = parent.inner.lock();
    p.attrs.cmaxrss_kb = p.attrs.cmaxrss_kb.max(child_rss);
    drop(p);
    if valid_signal(sig) {
        group_send_sig_info(&parent, chld_info(leader, sig));
    }
    parent.signal.wait_chldexit.wake_all();
    autoreap
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
    let (code, status) = match status & 0x7f {
        0 => (CLD_EXITED, (status >> 8) & 0xff),
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

/// Give this process's children to init (Linux `forget_original_parent` with
/// `find_child_reaper` and `reparent_leader`). Must run before the process itself is
/// reported: its parent may reap it at once, and the children must have a home by then.
/// A child that is already a zombie is reported to init now, as if it had just exited.
fn forget_original_parent(cur: &Arc<TaskStruct>) {
    send_pdeath_signals(cur);
    let reaper = find_new_reaper(cur);
    if reaper != INIT_PID {
        reparent_to(cur, reaper);
        return;
    }
    // LAB 6 BEGIN: hand every child to init, and report the ones already zombies to it
    let children = core::mem::take(&mut cur.signal.inner.lock().children);
    if children.is_empty() {
        return;
    }
    let Some(init) = TASKS.lock().get(&INIT_PID).cloned() else {
        return;
    };
    for pid in children {
        let Some(child) = TASKS.lock().get(&pid).cloned() else {
            continue;
        };
        for t in thread_group(pid) {
            t.inner.lock().parent = INIT_PID;
        }
        init.signal.inner.lock().children.push(pid);
        // "We don't want people slaying init": whatever it asked for, init gets SIGCHLD.
        child.inner.lock().exit_signal = SIGCHLD;
        let group_dead = child.signal.inner.lock().live == 0;
        if group_dead && child.state() == TaskState::Zombie && do_notify_parent(&child) {
            child.inner.lock().state = TaskState::Dead;
            release_task(&child);
        }
    }
    // LAB 6 END
}

/// PR_SET_PDEATHSIG: each thread of `cur`'s children that asked for a signal when its
/// parent dies gets it (Linux does this in `forget_original_parent`, as it reparents
/// each thread; Linnet when the whole parent process is gone, not its thread).
fn send_pdeath_signals(cur: &Arc<TaskStruct>) {
    let children = cur.signal.inner.lock().children.clone();
    for pid in children {
        for t in thread_group(pid) {
            let sig = t.inner.lock().attrs.pdeath_signal;
            if sig != 0 && valid_signal(sig) && t.state() != TaskState::Zombie {
                group_send_sig_info(&t, KSigInfo::kernel(sig));
            }
        }
    }
}

/// Give `cur`'s children to the subreaper `reaper` (a live process): as the init case
/// of `forget_original_parent`, with `reaper` for init.
fn reparent_to(cur: &Arc<TaskStruct>, reaper_pid: Pid) {
    let children = core::mem::take(&mut cur.signal.inner.lock().children);
    let Some(reaper) = TASKS.lock().get(&reaper_pid).cloned() else {
        return;
    };
    for pid in children {
        let Some(child) = TASKS.lock().get(&pid).cloned() else {
            continue;
        };
        for t in thread_group(pid) {
            t.inner.lock().parent = reaper_pid;
        }
        reaper.signal.inner.lock().children.push(pid);
        child.inner.lock().exit_signal = SIGCHLD; // Linux `reparent_leader`
        let group_dead = child.signal.inner.lock().live == 0;
        if group_dead && child.state() == TaskState::Zombie && do_notify_parent(&child) {
            child.inner.lock().state = TaskState::Dead;
            release_task(&child);
        }
    }
}

/// Who adopts `cur`'s children (Linux `find_new_reaper`): the nearest ancestor that
/// set PR_SET_CHILD_SUBREAPER and is not exiting itself, else init.
fn find_new_reaper(cur: &Arc<TaskStruct>) -> Pid {
    let mut pid = cur.inner.lock().parent;
    while pid > INIT_PID {
        let Some(t) = TASKS.lock().get(&pid).cloned() else {
            break;
        };
        let (subreaper, parent) = {
            let i = t.inner.lock();
            (i.attrs.child_subreaper, i.parent)
        };
        if subreaper && t.signal.inner.lock().live > 0 {
            return pid;
        }
        pid = parent;
    }
    INIT_PID
}

/// Forget a dead task (Linux `release_task` + `__unhash_process`): out of the pid table,
/// its pid freed, and a process leaves its parent's list of children. The memory goes
/// when the last reference does (the scheduler may still hold one).
pub fn release_task(t: &Arc<TaskStruct>) {
    TASKS.lock().remove(&t.pid());
    super::free_pid(t.pid());
    if t.is_leader() {
        let parent_pid = t.inner.lock().parent;
        let parent = TASKS.lock().get(&parent_pid).cloned();
        if let Some(p) = parent {
            let mut s = p.signal.inner.lock();
            s.children.retain(|&c| c != t.pid());
            if s.children.is_empty() {
                s.children = alloc::vec::Vec::new(); // no capacity kept: heap use returns to baseline
            }
        }
    }
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
