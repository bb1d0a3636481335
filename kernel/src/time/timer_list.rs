//! The timer base every timer shares, checked on each timer tick (Linux
//! `kernel/time/hrtimer.c` `hrtimer_interrupt` and `hrtimer_nanosleep`,
//! `kernel/time/itimer.c`, `posix-cpu-timers.c` `run_posix_cpu_timers`).
//!
//! A process's timers live here by thread-group id (in Linux they hang off
//! `signal_struct`): ITIMER_REAL, the two CPU itimers, and the POSIX timers of
//! `posix_timers.rs`. Sleepers in clock_nanosleep are here by thread id. On each tick
//! `run_timers` reads the clocks once and acts on whatever is due: wakes sleepers, sends
//! SIGALRM / SIGVTALRM / SIGPROF and the POSIX timers' signals. So timers expire with tick
//! resolution. Absolute CLOCK_REALTIME timers and sleeps compare against the wall clock
//! on every tick, so they follow clock_settime.
//!
//! Lock order: `TIMERS` (or `SLEEPERS`) before the pid table and any task or signal
//! lock; signals are sent after `TIMERS` is released.

use super::clocks::{tick_nsec, ticks_to_ns};
use super::hrtimer::{CpuItimer, RealItimer, TimerBase};
use super::posix_timers::KItimer;
use crate::drivers::timer;
use crate::task::pid::Pid;
use crate::task::sched;
use crate::task::siginfo::SI_TIMER;
use crate::task::signal::{self, send_signal_locked, KSigInfo, PidType, SIGALRM, SIGKILL};
use crate::task::task::{TaskState, TaskStruct};
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Mutex;

// SIGVTALRM: ITIMER_VIRTUAL expired; SIGPROF: ITIMER_PROF expired.
pub use uapi::signal::{SIGPROF, SIGVTALRM};

/// A process's timers (the timer fields of Linux `struct signal_struct`).
#[derive(Default)]
pub struct SignalTimers {
    /// The id the next timer_create gets (Linux `next_posix_timer_id`).
    pub next_posix_timer_id: i32,
    /// POSIX timers by id (Linux `posix_timers`).
    pub posix_timers: BTreeMap<i32, KItimer>,
    /// ITIMER_REAL.
    pub real: RealItimer,
    /// ITIMER_VIRTUAL: counts user CPU time.
    pub virt: CpuItimer,
    /// ITIMER_PROF: counts user and system CPU time.
    pub prof: CpuItimer,
}

impl SignalTimers {
    fn has_cpu_timers(&self) -> bool {
        self.virt.expires != 0
            || self.prof.expires != 0
            || self.posix_timers.values().any(|t| t.is_cpu())
    }
}

/// Every process's timers, by tgid.
static TIMERS: Mutex<BTreeMap<Pid, SignalTimers>> = Mutex::new(BTreeMap::new());
/// Threads sleeping in clock_nanosleep: their clock, absolute wake-up time and process.
static SLEEPERS: Mutex<BTreeMap<Pid, (TimerBase, u64, Pid)>> = Mutex::new(BTreeMap::new());

/// Run `f` on process `tgid`'s timers (made on first use).
pub fn with_timers<R>(tgid: Pid, f: impl FnOnce(&mut SignalTimers) -> R) -> R {
    f(TIMERS.lock().entry(tgid).or_default())
}

/// A process ends (Linux `do_exit` with `group_dead`: `hrtimer_cancel(real_timer)` and
/// `exit_itimers`): all its timers go.
pub fn exit_itimers(tgid: Pid) {
    let gone = TIMERS.lock().remove(&tgid);
    drop(gone);
}

/// exec (Linux `begin_new_exec` -> `exit_itimers`): POSIX timers are deleted; the
/// itimers (ITIMER_REAL, so `alarm`, included) carry over to the new program.
pub fn exec_itimers(tgid: Pid) {
    let gone = TIMERS
        .lock()
        .get_mut(&tgid)
        .map(|t| core::mem::take(&mut t.posix_timers));
    drop(gone);
}

/// The clocks at one instant, read once per tick.
#[derive(Clone, Copy)]
pub struct Now {
    /// CLOCK_MONOTONIC, ns.
    pub mono: u64,
    /// CLOCK_REALTIME, ns.
    pub real: u64,
}

impl Now {
    /// Read both clocks.
    pub fn get() -> Now {
        let mono = super::ktime_get_ns();
        Now {
            mono,
            real: super::mono_to_real(mono, super::offs_real()),
        }
    }

    /// The time on a wall or monotonic base (CPU bases are per task: `cpu_now`).
    pub fn of(&self, base: TimerBase) -> u64 {
        match base {
            TimerBase::Realtime => self.real,
            _ => self.mono,
        }
    }
}

/// A thread's CPU time in ns (utime + stime).
pub fn task_cputime_ns(t: &TaskStruct) -> u64 {
    let i = t.inner.lock();
    ticks_to_ns(i.utime + i.stime, timer::hz())
}

/// The CPU time of process `tgid` in ticks: (user, user + system), exited threads
/// included (Linux `thread_group_cputime`).
pub fn thread_group_cputime(tgid: Pid) -> (u64, u64) {
    let threads = signal::thread_group(tgid);
    let (mut u, mut s) = match threads.first() {
        Some(t) => {
            let sig = t.signal.inner.lock();
            (sig.utime, sig.stime)
        }
        None => (0, 0),
    };
    for t in &threads {
        let i = t.inner.lock();
        u += i.utime;
        s += i.stime;
    }
    (u, u + s)
}

/// A timer's clock now: wall or monotonic, or the CPU time of its process or thread.
pub fn base_now(base: TimerBase, tgid: Pid, cpu_tid: Pid) -> u64 {
    let hz = timer::hz();
    match base {
        TimerBase::ProcessCpu => ticks_to_ns(thread_group_cputime(tgid).1, hz),
        TimerBase::ThreadCpu => sched::find_task_by_vpid(cpu_tid)
            .map(|t| task_cputime_ns(&t))
            .unwrap_or(0),
        b => Now::get().of(b),
    }
}

/// Sleep until `expires` on `base` or until a signal (Linux `do_nanosleep`; on the
/// process CPU clock `do_cpu_nanosleep`, where the other threads' work wakes it).
/// Returns true when the time came, false when a signal is pending.
pub fn do_nanosleep(base: TimerBase, expires: u64) -> bool {
    let me = sched::current();
    let (tid, tgid) = (me.pid(), me.tgid());
    let expired = loop {
        if base_now(base, tgid, tid) >= expires {
            break true;
        }
        if signal::signal_pending_current() {
            break false;
        }
        SLEEPERS.lock().insert(tid, (base, expires, tgid));
        me.inner.lock().state = TaskState::Interruptible;
        sched::schedule();
    };
    SLEEPERS.lock().remove(&tid);
    expired
}

/// What a tick decided to send, once the locks are dropped.
enum Send {
    /// SIGALRM, SIGVTALRM or SIGPROF to a process (Linux `SEND_SIG_PRIV`).
    Itimer(Pid, i32),
    /// A POSIX timer's signal: the process, the timer id, the target and what it
    /// carries.
    Posix(Pid, i32, Pid, PidType, KSigInfo),
}

/// The timer tick (Linux `hrtimer_interrupt` + `run_posix_cpu_timers`), after
/// `scheduler_tick` charged the tick to the running task: wake due sleepers, fire due
/// timers. Runs with interrupts masked, so no lock of ours is held by the interrupted
/// code (the kernel takes interrupts only in the idle loop and in user mode).
pub fn run_timers() {
    if TIMERS.lock().is_empty() && SLEEPERS.lock().is_empty() {
        return; // also: nothing to do before the first task exists
    }
    let now = Now::get();
    let cur = sched::current();
    let cpu = (!sched::is_idle(&cur)).then(|| (cur.tgid(), cur.pid(), task_cputime_ns(&cur)));
    drop(cur);
    let due: Vec<Pid> = SLEEPERS
        .lock()
        .iter()
        .filter(|(_, &(base, expires, tgid))| match base {
            // CPU time moves only for the running process.
            TimerBase::ProcessCpu => {
                cpu.is_some_and(|(t, _, _)| t == tgid) && base_now(base, tgid, 0) >= expires
            }
            TimerBase::ThreadCpu => false,
            _ => now.of(base) >= expires,
        })
        .map(|(&tid, _)| tid)
        .collect();
    for tid in due {
        sched::wake_up_pid(tid);
    }
    let mut sends = Vec::new();
    {
        let mut all = TIMERS.lock();
        for (&tgid, st) in all.iter_mut() {
            if st.real.fire(now.mono) {
                sends.push(Send::Itimer(tgid, SIGALRM));
            }
            for t in st.posix_timers.values_mut() {
                if !t.is_cpu() {
                    let n = now.of(t.timer.base);
                    t.expire(tgid, n, &mut sends_posix(&mut sends));
                }
            }
        }
        if let Some((tgid, tid, thread_ns)) = cpu {
            if let Some(st) = all.get_mut(&tgid).filter(|st| st.has_cpu_timers()) {
                let (user, total) = thread_group_cputime(tgid);
                let hz = timer::hz();
                let (virt, prof) = (ticks_to_ns(user, hz), ticks_to_ns(total, hz));
                if st.virt.check(virt) {
                    sends.push(Send::Itimer(tgid, SIGVTALRM));
                }
                if st.prof.check(prof) {
                    sends.push(Send::Itimer(tgid, SIGPROF));
                }
                for t in st.posix_timers.values_mut() {
                    let n = match t.timer.base {
                        TimerBase::ProcessCpu => prof,
                        TimerBase::ThreadCpu if t.cpu_tid == tid => thread_ns,
                        _ => continue,
                    };
                    t.expire(tgid, n, &mut sends_posix(&mut sends));
                }
            }
        }
    }
    for s in sends {
        match s {
            Send::Itimer(tgid, sig) => {
                if let Some(t) = sched::find_task_by_vpid(tgid) {
                    signal::group_send_sig_info(&t, KSigInfo::kernel(sig));
                }
            }
            Send::Posix(tgid, id, target, kind, info) => {
                let queued = sched::find_task_by_vpid(target)
                    .filter(|t| t.tgid() == tgid)
                    .is_some_and(|t| send_timer_signal(&t, info, kind));
                if !queued {
                    // Ignored, or already pending: a periodic timer goes on anyway.
                    if let Some(st) = TIMERS.lock().get_mut(&tgid) {
                        if let Some(t) = st.posix_timers.get_mut(&id) {
                            let n = base_now(t.timer.base, tgid, t.cpu_tid);
                            t.timer.rearm_ignored(n);
                        }
                    }
                }
            }
        }
    }
}

/// A closure that records a POSIX timer's signal for sending after the locks drop.
fn sends_posix(sends: &mut Vec<Send>) -> impl FnMut(Pid, i32, Pid, PidType, KSigInfo) + '_ {
    move |tgid, id, target, kind, info| sends.push(Send::Posix(tgid, id, target, kind, info))
}

/// Queue a timer's signal unless it would be dropped (Linux `posix_timer_event`):
/// returns false if the signal is ignored (and not blocked), or the same signal is
/// already pending (Linnet queues one instance per signal; Linux queues each timer's
/// own `sigqueue`), or the process is exiting.
fn send_timer_signal(t: &Arc<TaskStruct>, info: KSigInfo, kind: PidType) -> bool {
    let sig = info.signo;
    {
        let s = t.signal.inner.lock();
        let i = t.inner.lock();
        let pending = match kind {
            PidType::Pid => i.pending.contains(sig),
            PidType::Tgid => s.shared_pending.contains(sig),
        };
        let ignored = sig != SIGKILL && s.handler_ignored(sig) && !i.blocked.contains(sig);
        if pending || ignored || s.live == 0 || s.group_exit_code.is_some() {
            return false;
        }
    }
    send_signal_locked(t, info, kind);
    true
}

/// A signal is being taken by a thread of process `tgid` (called from `dequeue_signal`,
/// as in Linux): SIGALRM lets a periodic ITIMER_REAL go on; a POSIX timer's signal re-arms
/// its timer and learns its overrun count (Linux `posixtimer_rearm`).
pub fn on_dequeue(tgid: Pid, info: &mut KSigInfo) {
    if info.signo != SIGALRM && info.code != SI_TIMER {
        return;
    }
    let mut all = TIMERS.lock();
    let Some(st) = all.get_mut(&tgid) else {
        return;
    };
    if info.signo == SIGALRM {
        st.real.on_sigalrm_dequeued(Now::get().mono);
    }
    if info.code != SI_TIMER {
        return;
    }
    if let Some(t) = st.posix_timers.get_mut(&info.tid) {
        let now = base_now(t.timer.base, tgid, t.cpu_tid);
        if let Some(overrun) = t.timer.rearm(now, info.sys_private) {
            info.overrun = overrun;
        }
    }
}

/// Process `tgid`'s CPU clocks now, in ns: (virtual = user time, prof = user + system).
pub fn process_cpu_ns(tgid: Pid) -> (u64, u64) {
    let (u, total) = thread_group_cputime(tgid);
    let hz = timer::hz();
    (ticks_to_ns(u, hz), ticks_to_ns(total, hz))
}

/// The tick length in ns (Linux `TICK_NSEC`).
pub fn tick_ns() -> u64 {
    tick_nsec(timer::hz())
}
