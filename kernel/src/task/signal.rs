//! Signals: numbers, sets, dispositions, sending and taking them (Linux
//! `include/uapi/asm-generic/signal.h`, `kernel/signal.c`, `struct signal_struct` and
//! `struct sighand_struct` in `include/linux/sched/signal.h`).
//!
//! How a signal travels, as in Linux:
//!
//! ```text
//! kill(pid, sig) -> kill_something_info -> group_send_sig_info -> send_signal_locked
//!     sig_ignored?  discard (unless blocked: a blocked signal is always kept)
//!     queue it with its siginfo: signal->shared_pending (to a process) or
//!                      task->pending (to a thread)
//!     complete_signal: pick a thread that does not block it and wake it; a fatal
//!                      signal (default action "terminate") kills the whole group now
//! return to EL0 -> exit_to_user_mode -> do_signal (arch/aarch64/signal.rs)
//!     -> get_signal -> dequeue_signal: the lowest pending, unblocked signal
//!        default action "terminate": do_group_exit(sig); "ignore": the next one
//!        a handler: handle_signal -> setup_rt_frame builds the frame on the user
//!        stack and the thread returns into the handler; its restorer calls
//!        rt_sigreturn, which puts everything back
//! ```
//!
//! Simplified: there is no stopped state: the stop signals (SIGSTOP, SIGTSTP, SIGTTIN,
//! SIGTTOU) are ignored. No core dumps. As in Linux, a pending set holds one instance
//! of each classic signal and queues every send of a real-time one (`siginfo.rs`).
//!
//! Lock order: a process's `signal.inner` before a task's `inner` (as Linux takes
//! `siglock` and then looks at the task).
//!
//! Read next: `siginfo.rs` (what a signal carries), `arch/aarch64/signal.rs` (running a
//! handler), `exit.rs` (what "terminate" does), `wait.rs` (how the parent hears of it),
//! `syscall/signal.rs` (the system calls).

use super::pid::Pid;
use super::rlimit::{Rlimits, RLIMIT_SIGPENDING};
use super::sched::{self, TASKS};
pub use super::siginfo::{KSigInfo, SigPending, SigSet};
use super::siginfo::{SIGRTMIN, SI_USER};
use super::task::{TaskState, TaskStruct};
use super::wait_queue::WaitQueue;
use crate::errno::{Errno, KResult};
use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Mutex;

pub use uapi::signal::{
    signame, NSIG, SA_EXPOSE_TAGBITS, SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_ONSTACK,
    SA_RESETHAND, SA_RESTART, SA_RESTORER, SA_SIGINFO, SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT,
    SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSEGV, SIGSTOP, SIGTERM, SIGTRAP,
    SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2, SIGWINCH,
};

/// The flags rt_sigaction keeps; unknown bits are dropped so a program can detect them
/// (Linux `UAPI_SA_FLAGS` in `include/linux/signal_types.h`).
pub const UAPI_SA_FLAGS: u64 = SA_NOCLDSTOP
    | SA_NOCLDWAIT
    | SA_SIGINFO
    | SA_ONSTACK
    | SA_RESTART
    | SA_NODEFER
    | SA_RESETHAND
    | SA_EXPOSE_TAGBITS
    | SA_RESTORER;

/// Is `sig` a signal number (1..=64)? (Linux `valid_signal`, without 0.)
pub fn valid_signal(sig: i32) -> bool {
    (1..=NSIG).contains(&sig)
}

/// What a process does with a signal (the handler word of Linux `struct k_sigaction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigDisposition {
    /// SIG_DFL: the default action.
    Default,
    /// SIG_IGN: discard.
    Ignore,
    /// A user handler at this address.
    Handler(u64),
}

impl SigDisposition {
    /// From the `sa_handler` word (SIG_DFL 0, SIG_IGN 1).
    pub fn from_user(handler: u64) -> SigDisposition {
        match handler {
            0 => SigDisposition::Default,
            1 => SigDisposition::Ignore,
            h => SigDisposition::Handler(h),
        }
    }
    /// The `sa_handler` word.
    pub fn to_user(self) -> u64 {
        match self {
            SigDisposition::Default => 0,
            SigDisposition::Ignore => 1,
            SigDisposition::Handler(h) => h,
        }
    }
}

/// The rest of a `struct sigaction`: flags, restorer and the handler's mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SaExtra {
    /// SA_* flags (only `UAPI_SA_FLAGS` bits).
    pub flags: u64,
    /// The sa_restorer word.
    pub restorer: u64,
    /// Signals blocked while the handler would run.
    pub mask: SigSet,
}

/// One complete action, as rt_sigaction reads and reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KSigaction {
    /// Handler, SIG_DFL or SIG_IGN.
    pub handler: SigDisposition,
    /// Flags, restorer, mask.
    pub extra: SaExtra,
}

/// Does `sig`'s default action ignore it (Linux `sig_kernel_ignore`)? Linnet also
/// ignores the stop signals (`sig_kernel_stop`): it has no stopped state.
pub fn default_ignores(sig: i32) -> bool {
    matches!(
        sig,
        SIGCHLD | SIGCONT | SIGURG | SIGWINCH | SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU
    )
}

/// Does `sig`'s default action end the process? (Everything not ignored: Linux's
/// "terminate" and "core dump" actions, which Linnet does not tell apart.)
pub fn default_terminates(sig: i32) -> bool {
    valid_signal(sig) && !default_ignores(sig)
}

/// The thread group's shared part (Linux `signal_struct` + `sighand_struct`).
pub struct SignalStruct {
    /// Locked state.
    pub inner: Mutex<SignalInner>,
    /// Parents sleeping in wait4 sleep here; `exit_notify` wakes them (Linux
    /// `signal->wait_chldexit`).
    pub wait_chldexit: WaitQueue,
    /// The resource limits (Linux `signal->rlim`, `task/rlimit.rs`): shared by the
    /// threads, copied by fork, kept by exec. A lock of their own (Linux uses the group
    /// leader's `task_lock`), held only to read or write them, so the fault path can
    /// read RLIMIT_STACK whatever else is locked.
    pub rlim: Mutex<Rlimits>,
}

/// The locked part of `SignalStruct`.
pub struct SignalInner {
    /// Dispositions, index = signal number (Linux `sighand->action[].sa.sa_handler`).
    pub action: [SigDisposition; NSIG as usize + 1],
    /// The rest of each sigaction, index = signal number.
    pub sa: [SaExtra; NSIG as usize + 1],
    /// Signals sent to the process as a whole, taken by whichever thread does not
    /// block them (Linux `shared_pending`).
    pub shared_pending: SigPending,
    /// The group is exiting (Linux `SIGNAL_GROUP_EXIT`), with this wait status.
    pub group_exit_code: Option<i32>,
    /// A thread is in exec and has killed the others (Linux `group_exec_task`): they
    /// exit quietly, without making it a group exit.
    pub group_exec_task: Option<Pid>,
    /// Threads of the group still alive (Linux `live`).
    pub live: usize,
    /// Child processes, by pid (Linux keeps `children` per task; Linnet keeps them per
    /// process, so any thread of the group can wait for them).
    pub children: Vec<Pid>,
    /// Process group id (Linux `pgrp`).
    pub pgid: Pid,
    /// Session id.
    pub sid: Pid,
    /// The console is this process's controlling terminal (Linux `signal->tty`; see
    /// `fs/tty_jobctrl.rs`).
    pub tty: bool,
    /// User-mode ticks of the group's threads that have exited (Linux `signal->utime`).
    pub utime: u64,
    /// Kernel-mode ticks of the group's exited threads (Linux `signal->stime`).
    pub stime: u64,
    /// CPU time of reaped children (Linux `cutime`, `cstime`), in ticks.
    pub cutime: u64,
    /// Kernel time of reaped children.
    pub cstime: u64,
}

impl SignalInner {
    /// The full action for `sig` (1..=64).
    pub fn get_action(&self, sig: i32) -> KSigaction {
        KSigaction {
            handler: self.action[sig as usize],
            extra: self.sa[sig as usize],
        }
    }

    /// Are this process's children reaped at exit without a zombie (SIGCHLD set to
    /// SIG_IGN, or SA_NOCLDWAIT)? (Linux: the test in `do_notify_parent`.)
    pub fn ignores_children(&self) -> bool {
        self.action[SIGCHLD as usize] == SigDisposition::Ignore
            || self.sa[SIGCHLD as usize].flags & SA_NOCLDWAIT != 0
    }

    /// Would `sig` be thrown away by this process right now (Linux `sig_handler_ignored`:
    /// SIG_IGN, or SIG_DFL with an "ignore" default)?
    pub fn handler_ignored(&self, sig: i32) -> bool {
        match self.action[sig as usize] {
            SigDisposition::Ignore => true,
            SigDisposition::Default => default_ignores(sig),
            SigDisposition::Handler(_) => false,
        }
    }
}

impl SignalStruct {
    /// A new thread group's signal state with one live thread.
    pub fn new(pgid: Pid, sid: Pid) -> SignalStruct {
        SignalStruct {
            inner: Mutex::new(SignalInner {
                action: [SigDisposition::Default; NSIG as usize + 1],
                sa: [SaExtra::default(); NSIG as usize + 1],
                shared_pending: SigPending::default(),
                group_exit_code: None,
                group_exec_task: None,
                live: 1,
                children: Vec::new(),
                pgid,
                sid,
                tty: false,
                utime: 0,
                stime: 0,
                cutime: 0,
                cstime: 0,
            }),
            wait_chldexit: WaitQueue::new(),
            rlim: Mutex::new(Rlimits::linux_defaults(
                crate::mm::page_alloc::nr_total_pages(),
            )),
        }
    }

    /// A copy for fork (Linux `copy_sighand` + `copy_signal`): dispositions, process
    /// group, session, controlling terminal and resource limits are inherited; pending
    /// signals, children and times are not.
    pub fn fork_copy(&self) -> SignalStruct {
        let p = self.inner.lock();
        let s = SignalStruct::new(p.pgid, p.sid);
        *s.rlim.lock() = *self.rlim.lock();
        {
            let mut c = s.inner.lock();
            c.action = p.action;
            c.sa = p.sa;
            c.tty = p.tty;
        }
        s
    }
}

/// exec resets what a new program cannot inherit (Linux `flush_signal_handlers` with
/// `force_default` false): handlers go back to SIG_DFL, SIG_IGN stays, every flag,
/// restorer and mask is cleared (so SA_NOCLDWAIT is dropped too).
pub fn flush_signal_handlers(sig: &mut SignalInner) {
    for a in sig.action.iter_mut() {
        if *a != SigDisposition::Ignore {
            *a = SigDisposition::Default;
        }
    }
    sig.sa = [SaExtra::default(); NSIG as usize + 1];
}

/// Change (and report) the action for `sig` (Linux `do_sigaction`). SIGKILL and SIGSTOP
/// cannot be changed. Making a signal ignored discards it where it is pending, in the
/// process and in every thread (POSIX 3.3.1.3).
pub fn do_sigaction(sig: i32, new: Option<KSigaction>) -> KResult<KSigaction> {
    if !valid_signal(sig) || (new.is_some() && (sig == SIGKILL || sig == SIGSTOP)) {
        return Err(Errno::EINVAL);
    }
    let cur = sched::current();
    let mut s = cur.signal.inner.lock();
    let old = s.get_action(sig);
    if let Some(mut act) = new {
        act.extra.flags &= UAPI_SA_FLAGS;
        act.extra.mask = act.extra.mask.without_kernel_only();
        s.action[sig as usize] = act.handler;
        s.sa[sig as usize] = act.extra;
        if s.handler_ignored(sig) {
            s.shared_pending.remove(sig);
            drop(s);
            for t in thread_group(cur.tgid()) {
                t.inner.lock().pending.remove(sig);
            }
        }
    }
    Ok(old)
}

/// Every thread of process `tgid`.
pub fn thread_group(tgid: Pid) -> Vec<Arc<TaskStruct>> {
    TASKS
        .lock()
        .values()
        .filter(|t| t.tgid() == tgid)
        .cloned()
        .collect()
}

/// Does the current task have a signal pending that it will act on (Linux
/// `signal_pending(current)`)? Interruptible sleeps end early when it is true; the
/// syscall then returns EINTR, or ERESTARTSYS to be restarted (`arch/aarch64/signal.rs`).
pub fn signal_pending_current() -> bool {
    let cur = sched::current();
    signal_pending(&cur)
}

/// Does `t` have a signal to act on: SIGKILL, or an unblocked one in its own or its
/// process's pending set that is not ignored (it may have been queued while blocked),
/// or is its group exiting?
pub fn signal_pending(t: &TaskStruct) -> bool {
    let (shared, exiting, ignored) = {
        let s = t.signal.inner.lock();
        let ignored = (1..=NSIG).filter(|&n| s.handler_ignored(n));
        let ignored = ignored.fold(0u64, |m, n| m | 1 << (n - 1));
        (
            s.shared_pending.signal,
            s.group_exit_code.is_some(),
            ignored,
        )
    };
    let inner = t.inner.lock();
    exiting
        || inner.pending.contains(SIGKILL)
        || (inner.pending.signal.0 | shared.0) & !inner.blocked.0 & !ignored != 0
}

/// Where a signal is sent (Linux `enum pid_type`: PIDTYPE_PID for tkill, PIDTYPE_TGID
/// for kill).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PidType {
    /// One thread: its private pending set.
    Pid,
    /// The whole process: its shared pending set.
    Tgid,
}

/// Queue a signal (`info.signo`) for `t` or its process and make sure someone acts on
/// it (Linux `send_signal_locked` -> `__send_signal_locked` + `complete_signal`).
///
/// An ignored signal is discarded at once unless the target blocks it (it may be
/// unignored before it is unblocked). A dead or exiting process takes nothing.
pub fn send_signal_locked(t: &Arc<TaskStruct>, info: KSigInfo, kind: PidType) {
    let _ = send_signal_info(t, info, kind);
}

/// `send_signal_locked` for senders that want to hear of a full queue: EAGAIN when a
/// real-time signal sent with a code other than SI_USER finds RLIMIT_SIGPENDING
/// entries already queued (Linux `__send_signal_locked`'s overflow case).
pub fn send_signal_info(t: &Arc<TaskStruct>, info: KSigInfo, kind: PidType) -> KResult<()> {
    let sig = info.signo;
    if !valid_signal(sig) {
        return Ok(());
    }
    {
        let s = t.signal.inner.lock();
        if s.live == 0 || (s.group_exit_code.is_some() && sig != SIGKILL) {
            return Ok(()); // a zombie, or already dying: nothing left to do
        }
        // sig_ignored: SIGKILL never is. (Linux never ignores SIGSTOP either; Linnet has
        // no stopped state, so SIGSTOP's default action is to ignore it.) A signal
        // rt_sigtimedwait waits for (in `real_blocked`) counts as blocked.
        let blocked = {
            let i = t.inner.lock();
            i.blocked.contains(sig) || i.real_blocked.contains(sig)
        };
        if sig != SIGKILL && !blocked && s.handler_ignored(sig) {
            return Ok(());
        }
        if !blocked && super::init_unkillable::init_drops(t.tgid(), sig, s.action[sig as usize]) {
            return Ok(());
        }
    }
    // Linux charges the queue to the target's user, bounded by the target's limit;
    // the classic signals (and the kernel's own) override the limit.
    let limit = (sig >= SIGRTMIN).then(|| sigpending_limit(t));
    let queued = match kind {
        PidType::Pid => t.inner.lock().pending.queue(info, limit),
        PidType::Tgid => t.signal.inner.lock().shared_pending.queue(info, limit),
    };
    if queued.is_err() {
        return Err(Errno::EAGAIN);
    }
    complete_signal(t, sig, kind);
    Ok(())
}

/// The target's RLIMIT_SIGPENDING soft limit (Linux `task_rlimit(t, RLIMIT_SIGPENDING)`).
fn sigpending_limit(t: &TaskStruct) -> usize {
    t.signal.rlim.lock().soft(RLIMIT_SIGPENDING)
}

/// Find a thread to take `sig` and wake it (Linux `complete_signal`). A signal whose
/// action is to terminate, arriving at a thread that does not block it, ends the whole
/// group right here: every thread gets SIGKILL (the group's status names `sig`). A
/// signal with a handler only wakes the chosen thread, which runs the handler on its
/// way back to user space.
fn complete_signal(t: &Arc<TaskStruct>, sig: i32, kind: PidType) {
    // Linux `wants_signal`: a thread that has exited (a zombie leader) takes nothing.
    let wants = |x: &Arc<TaskStruct>| {
        let i = x.inner.lock();
        matches!(i.state, TaskState::Running | TaskState::Interruptible)
            && (sig == SIGKILL || !i.blocked.contains(sig))
    };
    let target = if wants(t) {
        t.clone()
    } else if kind == PidType::Pid {
        return; // it stays pending until this thread unblocks it
    } else {
        match thread_group(t.tgid()).into_iter().find(wants) {
            Some(x) => x,
            None => return, // every thread blocks it: pending until one unblocks
        }
    };
    let fatal = {
        let mut s = t.signal.inner.lock();
        // A signal rt_sigtimedwait is waiting for is not fatal (Linux checks
        // `real_blocked` in `complete_signal`).
        let waited = target.inner.lock().real_blocked.contains(sig);
        let fatal = sig == SIGKILL
            || (s.action[sig as usize] == SigDisposition::Default
                && default_terminates(sig)
                && !waited);
        if fatal && s.group_exit_code.is_none() {
            s.group_exit_code = Some(sig);
            true
        } else {
            false
        }
    };
    if fatal {
        for x in thread_group(t.tgid()) {
            x.inner.lock().pending.add(KSigInfo::kernel(SIGKILL));
            sched::wake_up(&x);
        }
    } else {
        sched::wake_up(&target);
    }
}

/// Send a signal to the process `t` belongs to (Linux `group_send_sig_info`). Signal 0
/// only checks that it exists (the caller found it).
pub fn group_send_sig_info(t: &Arc<TaskStruct>, info: KSigInfo) {
    if info.signo != 0 {
        send_signal_locked(t, info, PidType::Tgid);
    }
}

/// Send `sig` to the current thread as if it had called kill on itself (Linux
/// `send_sig(sig, current, 0)`, SI_USER from the caller), e.g. SIGPIPE.
pub fn send_signal_to_current(sig: i32) {
    let cur = sched::current();
    send_signal_locked(&cur, KSigInfo::user(sig, SI_USER, cur.tgid()), PidType::Pid);
}

/// Is `t` being killed: SIGKILL pending, or its group exiting (Linux
/// `fatal_signal_pending`)?
pub fn fatal_signal_pending(t: &TaskStruct) -> bool {
    {
        let s = t.signal.inner.lock();
        if s.group_exit_code.is_some() || s.shared_pending.contains(SIGKILL) {
            return true;
        }
    }
    t.inner.lock().pending.contains(SIGKILL)
}

/// The processes (thread-group leaders, zombies included until reaped) matching `f`.
pub fn processes(f: impl Fn(&TaskStruct) -> bool) -> Vec<Arc<TaskStruct>> {
    TASKS
        .lock()
        .values()
        .filter(|t| t.is_leader() && f(t))
        .cloned()
        .collect()
}

/// Send a signal to every process in group `pgid` (Linux `__kill_pgrp_info`): ESRCH if
/// the group is empty.
pub fn kill_pgrp_info(pgid: Pid, info: KSigInfo) -> KResult<usize> {
    let targets = processes(|t| t.signal.inner.lock().pgid == pgid);
    if targets.is_empty() {
        return Err(Errno::ESRCH);
    }
    for t in &targets {
        group_send_sig_info(t, info);
    }
    Ok(targets.len())
}

/// Send `sig` from the kernel to every process in group `pgid` (Linux `kill_pgrp`, used
/// by the tty for Ctrl-C); returns how many.
pub fn kill_pgrp(pgid: Pid, sig: i32) -> usize {
    kill_pgrp_info(pgid, KSigInfo::kernel(sig)).unwrap_or(0)
}

/// Take the next signal to act on (Linux `dequeue_signal`): SIGKILL first, then the
/// lowest unblocked signal of the thread's own pending set, then of the process's.
/// Signals whose action is to ignore them are dropped on the way (the disposition may
/// have changed since they were queued).
pub fn dequeue_signal(t: &TaskStruct) -> Option<KSigInfo> {
    loop {
        let info = {
            let mut s = t.signal.inner.lock();
            let mut inner = t.inner.lock();
            if let Some(kill) = inner.pending.take(SIGKILL) {
                return Some(kill);
            }
            let own = SigSet(inner.pending.signal.0 & !inner.blocked.0);
            let shared = SigSet(s.shared_pending.signal.0 & !inner.blocked.0);
            if let Some(sig) = own.first() {
                inner.pending.take(sig)?
            } else if let Some(sig) = shared.first() {
                s.shared_pending.take(sig)?
            } else {
                return None;
            }
        };
        if !t.signal.inner.lock().handler_ignored(info.signo) {
            let mut info = info;
            crate::time::timer_list::on_dequeue(t.tgid(), &mut info); // SIGALRM, SI_TIMER
            return Some(info);
        }
    }
}

/// Take the lowest signal of `set` pending for `t` or its process, without acting on
/// it (Linux `dequeue_signal` with rt_sigtimedwait's mask): the thread's own first.
/// Timer signals taken this way re-arm their timers as `dequeue_signal`'s do.
pub fn dequeue_signal_in(t: &TaskStruct, set: SigSet) -> Option<KSigInfo> {
    let mut info = {
        let mut s = t.signal.inner.lock();
        let mut inner = t.inner.lock();
        if let Some(sig) = SigSet(inner.pending.signal.0 & set.0).first() {
            inner.pending.take(sig)?
        } else {
            let sig = SigSet(s.shared_pending.signal.0 & set.0).first()?;
            s.shared_pending.take(sig)?
        }
    };
    crate::time::timer_list::on_dequeue(t.tgid(), &mut info); // SIGALRM, SI_TIMER
    Some(info)
}

/// A signal on its way to a user handler (Linux `struct ksignal`).
#[derive(Clone, Copy, Debug)]
pub struct KSignal {
    /// What it carries.
    pub info: KSigInfo,
    /// The action as it was when the signal was taken (before SA_RESETHAND).
    pub ka: KSigaction,
}

/// Act on pending signals until one needs a user handler (Linux `get_signal`): the
/// default actions happen here (terminate ends the process and does not return;
/// ignore goes on to the next signal). A handler with SA_RESETHAND is reset to SIG_DFL
/// as it is taken. `None`: nothing left to do.
pub fn get_signal() -> Option<KSignal> {
    loop {
        let info = dequeue_signal(&sched::current())?;
        let sig = info.signo;
        let ka = {
            let cur = sched::current();
            let mut s = cur.signal.inner.lock();
            let ka = s.get_action(sig);
            if matches!(ka.handler, SigDisposition::Handler(_))
                && ka.extra.flags & SA_RESETHAND != 0
            {
                s.action[sig as usize] = SigDisposition::Default;
            }
            ka
        };
        // Nothing of ours may be held across do_group_exit, which never returns: a
        // task reference kept here would leak the task and its kernel stack.
        if super::init_unkillable::init_drops_dequeued(&info, ka.handler) {
            continue;
        }
        match ka.handler {
            _ if sig == SIGKILL => super::exit::do_group_exit(SIGKILL),
            SigDisposition::Handler(_) => return Some(KSignal { info, ka }),
            SigDisposition::Ignore => continue,
            SigDisposition::Default if default_ignores(sig) => continue,
            SigDisposition::Default => super::exit::do_group_exit(sig),
        }
    }
}

/// Deliver a synchronous signal the program cannot ignore or block (Linux
/// `force_sig_info_to_task`): if it is ignored or blocked, the action is reset to the
/// default and the signal unblocked first, so a fault inside its own handler kills.
pub fn force_sig_info(info: KSigInfo) {
    let sig = info.signo;
    if !valid_signal(sig) {
        return;
    }
    let cur = sched::current();
    let blocked = cur.inner.lock().blocked.contains(sig);
    {
        let mut s = cur.signal.inner.lock();
        if blocked || s.action[sig as usize] == SigDisposition::Ignore {
            s.action[sig as usize] = SigDisposition::Default;
        }
    }
    let mut inner = cur.inner.lock();
    inner.blocked.remove(sig);
    inner.pending.remove(sig); // the fault's own information replaces an older kill's
    inner.pending.add(info);
}

/// A fault (Linux `force_sig_fault`): `sig` with `code` (SEGV_MAPERR, ...), the address
/// and the exception syndrome.
pub fn force_sig_fault(sig: i32, code: i32, addr: u64, esr: u64) {
    force_sig_info(KSigInfo::fault(sig, code, addr, esr));
}

/// A signal from the kernel with no more to say (Linux `force_sig`), e.g. SIGKILL when
/// a fault finds no memory.
pub fn force_sig(sig: i32) {
    force_sig_info(KSigInfo::kernel(sig));
}

/// The kernel could not run the handler for `sig` (no room for the frame): SIGSEGV,
/// which kills the process if `sig` was SIGSEGV itself (Linux `force_sigsegv`).
pub fn force_sigsegv(sig: i32) {
    if sig == SIGSEGV {
        sched::current().signal.inner.lock().action[SIGSEGV as usize] = SigDisposition::Default;
    }
    force_sig(SIGSEGV);
}
