//! Signals: numbers, sets, and the parts shared by a thread group (Linux
//! `include/uapi/asm-generic/signal.h`, `kernel/signal.c`, `struct signal_struct`).
//!
//! This file holds what the rest of the task code needs: the Linux signal numbers, a
//! 64-bit signal set, per-process handler dispositions, and delivery of the default
//! actions Linnet supports (terminate or ignore). User handlers with a sigreturn frame
//! are not implemented yet.

use super::pid::Pid;
use super::sched;
use super::wait_queue::WaitQueue;
use spin::Mutex;

/// Hangup.
pub const SIGHUP: i32 = 1;
/// Interrupt (Ctrl-C).
pub const SIGINT: i32 = 2;
/// Quit.
pub const SIGQUIT: i32 = 3;
/// Illegal instruction.
pub const SIGILL: i32 = 4;
/// Trace/breakpoint trap.
pub const SIGTRAP: i32 = 5;
/// Abort.
pub const SIGABRT: i32 = 6;
/// Bus error (misaligned access, bad physical address).
pub const SIGBUS: i32 = 7;
/// Floating-point exception.
pub const SIGFPE: i32 = 8;
/// Kill: cannot be caught, blocked or ignored.
pub const SIGKILL: i32 = 9;
/// User-defined 1.
pub const SIGUSR1: i32 = 10;
/// Segmentation fault: an invalid memory access.
pub const SIGSEGV: i32 = 11;
/// User-defined 2.
pub const SIGUSR2: i32 = 12;
/// Broken pipe.
pub const SIGPIPE: i32 = 13;
/// Alarm clock.
pub const SIGALRM: i32 = 14;
/// Termination request.
pub const SIGTERM: i32 = 15;
/// A child stopped or exited.
pub const SIGCHLD: i32 = 17;
/// Continue.
pub const SIGCONT: i32 = 18;
/// Stop: cannot be caught or ignored.
pub const SIGSTOP: i32 = 19;
/// Highest signal number (Linux `_NSIG`).
pub const NSIG: i32 = 64;

/// The short name of a signal, e.g. "SIGSEGV".
pub fn signame(sig: i32) -> &'static str {
    const NAMES: [&str; 32] = [
        "0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    NAMES.get(sig as usize).copied().unwrap_or("SIGRT")
}

/// A set of signals, bit `n - 1` for signal `n` (Linux `sigset_t` on 64-bit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigSet(pub u64);

impl SigSet {
    /// Is `sig` in the set?
    pub fn contains(self, sig: i32) -> bool {
        (1..=NSIG).contains(&sig) && self.0 & (1 << (sig - 1)) != 0
    }
    /// Add `sig`.
    pub fn add(&mut self, sig: i32) {
        if (1..=NSIG).contains(&sig) {
            self.0 |= 1 << (sig - 1);
        }
    }
    /// Remove `sig`.
    pub fn remove(&mut self, sig: i32) {
        if (1..=NSIG).contains(&sig) {
            self.0 &= !(1 << (sig - 1));
        }
    }
    /// The lowest signal in the set.
    pub fn first(self) -> Option<i32> {
        (self.0 != 0).then(|| self.0.trailing_zeros() as i32 + 1)
    }
}

/// What a process does with a signal (Linux `struct k_sigaction`, reduced to the
/// dispositions Linnet honours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigDisposition {
    /// SIG_DFL: the default action.
    Default,
    /// SIG_IGN: discard.
    Ignore,
    /// A user handler at this address (stored; delivery comes with sigreturn support).
    Handler(u64),
}

/// The default action of a signal (Linux `sig_kernel_ignore` / `sig_kernel_coredump` /
/// `sig_kernel_stop`): true = terminate, false = ignore.
pub fn default_terminates(sig: i32) -> bool {
    !matches!(
        sig,
        SIGCHLD | SIGCONT | 23 /* SIGURG */ | 28 /* SIGWINCH */
    )
}

/// The thread group's shared part (Linux `signal_struct` + `sighand_struct`).
pub struct SignalStruct {
    /// Locked state.
    pub inner: Mutex<SignalInner>,
    /// Parents sleeping in wait4 sleep here; `exit_notify` wakes them (Linux
    /// `signal->wait_chldexit`).
    pub wait_chldexit: WaitQueue,
}

/// The locked part of `SignalStruct`.
pub struct SignalInner {
    /// Dispositions, index = signal number.
    pub action: [SigDisposition; NSIG as usize + 1],
    /// SA_NOCLDWAIT set on SIGCHLD: children are reaped at once.
    pub nocldwait: bool,
    /// The group is exiting (Linux `SIGNAL_GROUP_EXIT`), with this status.
    pub group_exit_code: Option<i32>,
    /// Threads of the group still alive (Linux `live`).
    pub live: usize,
    /// Child processes, by pid (Linux keeps `children` per task; Linnet keeps them per
    /// process, so any thread of the group can wait for them).
    pub children: alloc::vec::Vec<Pid>,
    /// Process group id (Linux `pgrp`).
    pub pgid: Pid,
    /// Session id.
    pub sid: Pid,
    /// CPU time of reaped children (Linux `cutime`, `cstime`), in ticks.
    pub cutime: u64,
    /// Kernel time of reaped children.
    pub cstime: u64,
}

impl SignalStruct {
    /// A new thread group's signal state with one live thread.
    pub fn new(pgid: Pid, sid: Pid) -> SignalStruct {
        SignalStruct {
            inner: Mutex::new(SignalInner {
                action: [SigDisposition::Default; NSIG as usize + 1],
                nocldwait: false,
                group_exit_code: None,
                live: 1,
                children: alloc::vec::Vec::new(),
                pgid,
                sid,
                cutime: 0,
                cstime: 0,
            }),
            wait_chldexit: WaitQueue::new(),
        }
    }

    /// A copy for fork: dispositions and groups are inherited; no children's times.
    pub fn fork_copy(&self) -> SignalStruct {
        let p = self.inner.lock();
        let s = SignalStruct::new(p.pgid, p.sid);
        {
            let mut c = s.inner.lock();
            c.action = p.action;
            c.nocldwait = p.nocldwait;
        }
        s
    }
}

/// Does the current task have a signal pending whose action is to terminate it?
pub fn fatal_signal_pending() -> bool {
    let cur = sched::current();
    if cur.signal.inner.lock().group_exit_code.is_some() {
        return true;
    }
    let inner = cur.inner.lock();
    inner.pending.contains(SIGKILL) || inner.pending.0 & !inner.blocked.0 != 0
}

/// Send `sig` to one task (Linux `send_signal` + `complete_signal`): discarded if the
/// process ignores it (SIGKILL cannot be ignored), otherwise pending, and the task is
/// woken so it notices. Sig 0 only checks that the task exists (the caller does that).
pub fn send_signal(t: &alloc::sync::Arc<super::task::TaskStruct>, sig: i32) {
    if !(1..=NSIG).contains(&sig) {
        return;
    }
    let disp = t.signal.inner.lock().action[sig as usize];
    let ignored = match disp {
        SigDisposition::Ignore => true,
        SigDisposition::Default => !default_terminates(sig),
        // No user handler frames yet: a handled signal takes the default action.
        SigDisposition::Handler(_) => !default_terminates(sig),
    };
    if ignored && sig != SIGKILL {
        return;
    }
    t.inner.lock().pending.add(sig);
    if sig == SIGKILL {
        // SIGKILL also wakes a sleeper that has other signals blocked.
        t.inner.lock().blocked.remove(SIGKILL);
    }
    sched::wake_up(t);
}

/// Send `sig` to the current task.
pub fn send_signal_to_current(sig: i32) {
    send_signal(&sched::current(), sig);
}

/// Send `sig` to every process in group `pgid` (Linux `kill_pgrp`); returns how many.
pub fn kill_pgrp(pgid: Pid, sig: i32) -> usize {
    let targets: alloc::vec::Vec<_> = sched::TASKS
        .lock()
        .values()
        .filter(|t| t.is_leader() && t.signal.inner.lock().pgid == pgid)
        .cloned()
        .collect();
    for t in &targets {
        send_signal(t, sig);
    }
    targets.len()
}

/// The signal to act on before returning to user space, if any (Linux `get_signal`):
/// the lowest pending one not blocked (SIGKILL is never blocked), removed from pending.
pub fn dequeue_signal(t: &super::task::TaskStruct) -> Option<i32> {
    let mut inner = t.inner.lock();
    let mut deliverable = SigSet(inner.pending.0 & !inner.blocked.0);
    if inner.pending.contains(SIGKILL) {
        deliverable.add(SIGKILL);
    }
    let sig = if deliverable.contains(SIGKILL) {
        SIGKILL
    } else {
        deliverable.first()?
    };
    inner.pending.remove(sig);
    Some(sig)
}

/// Deliver a synchronous fault signal the program cannot ignore or block (Linux
/// `force_sig_fault` -> `force_sig_info_to_task`): an ignored or blocked one is reset to
/// the default action first.
pub fn force_sig(sig: i32) {
    let cur = sched::current();
    {
        let mut s = cur.signal.inner.lock();
        if s.action[sig as usize] == SigDisposition::Ignore {
            s.action[sig as usize] = SigDisposition::Default;
        }
    }
    {
        let mut inner = cur.inner.lock();
        inner.blocked.remove(sig);
        inner.pending.add(sig);
    }
}
