//! POSIX interval timers: timer_create, timer_settime, timer_gettime,
//! timer_getoverrun, timer_delete (Linux `kernel/time/posix-timers.c`, and
//! `posix-cpu-timers.c` for the CPU clocks).
//!
//! A timer belongs to a process (`SignalTimers` in `timer_list.rs`, by tgid) and has a
//! per-process id counting up from 0 (Linux `next_posix_timer_id`). When it fires, it
//! queues its signal with si_code SI_TIMER, the timer id, and `sigev_value`; a periodic
//! timer then waits for that signal to be delivered, and re-arms at delivery, counting
//! the expirations it missed (`si_overrun`, timer_getoverrun). The arithmetic is in
//! `hrtimer.rs` (`Itimer`), host-tested.
//!
//! Simplified: SIGEV_THREAD is SIGEV_SIGNAL to the process (as in Linux: the C library
//! makes the thread); timers count with tick resolution; at most `MAX_TIMERS` per
//! process (Linux is bounded by RLIMIT_SIGPENDING; both give EAGAIN).

use super::clocks::Kclock;
use super::hrtimer::{Itimer, TimerBase};
use super::timer_list::{base_now, with_timers};
use crate::errno::{Errno, KResult};
use crate::task::pid::Pid;
use crate::task::signal::{KSigInfo, PidType, NSIG};

pub use uapi::siginfo::{SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_THREAD_ID};
/// The most timers one process may have.
pub const MAX_TIMERS: usize = 1024;

/// How a timer tells its expiry (Linux `it_sigev_notify`, `it_pid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notify {
    /// SIGEV_NONE.
    None,
    /// SIGEV_SIGNAL (and SIGEV_THREAD): to the process.
    Process,
    /// SIGEV_THREAD_ID: to this thread.
    Thread(Pid),
}

/// A user `struct sigevent`, as far as the kernel reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sigevent {
    /// sigev_value (the sival_int / sival_ptr word).
    pub value: u64,
    /// sigev_signo.
    pub signo: i32,
    /// sigev_notify.
    pub notify: i32,
    /// sigev_notify_thread_id (`_sigev_un._tid`).
    pub tid: Pid,
}

impl Sigevent {
    /// From the first 24 bytes of the 64-byte arm64 `struct sigevent`.
    pub fn from_words(w: [u64; 3]) -> Sigevent {
        Sigevent {
            value: w[0],
            signo: w[1] as u32 as i32,
            notify: (w[1] >> 32) as u32 as i32,
            tid: w[2] as u32 as i32,
        }
    }
}

/// One timer (Linux `struct k_itimer`).
#[derive(Clone, Copy, Debug)]
pub struct KItimer {
    /// Its id (Linux `it_id`).
    pub id: i32,
    /// The clock it was created on.
    pub clock: Kclock,
    /// Timing state.
    pub timer: Itimer,
    /// The signal it sends.
    pub signo: i32,
    /// What the signal carries (`sigev_value`).
    pub value: u64,
    /// Who is told.
    pub notify: Notify,
    /// For CLOCK_THREAD_CPUTIME_ID: the thread whose CPU time it counts.
    pub cpu_tid: Pid,
}

impl KItimer {
    /// Does it count CPU time (checked only when its process runs)?
    pub fn is_cpu(&self) -> bool {
        matches!(
            self.timer.base,
            TimerBase::ProcessCpu | TimerBase::ThreadCpu
        )
    }

    /// Called on a tick with the time on the timer's clock: if due, fire and hand the
    /// signal to `send(tgid, id, target, kind, info)` (Linux `posix_timer_fn` ->
    /// `posix_timer_event`).
    pub fn expire(
        &mut self,
        tgid: Pid,
        now: u64,
        send: &mut impl FnMut(Pid, i32, Pid, PidType, KSigInfo),
    ) {
        if !self.timer.due(now) {
            return;
        }
        let private = self.timer.fire();
        let info = KSigInfo::timer(self.signo, self.id, self.value, private);
        match self.notify {
            Notify::None => {}
            Notify::Process => send(tgid, self.id, tgid, PidType::Tgid, info),
            Notify::Thread(tid) => send(tgid, self.id, tid, PidType::Pid, info),
        }
    }
}

/// Check a sigevent (Linux `good_sigevent`): a signal number for the signalling kinds,
/// a thread of the caller's own process for SIGEV_THREAD_ID.
pub fn good_sigevent(ev: &Sigevent, tgid: Pid) -> KResult<Notify> {
    let notify = match ev.notify {
        SIGEV_NONE => return Ok(Notify::None),
        SIGEV_SIGNAL | SIGEV_THREAD => Notify::Process,
        SIGEV_THREAD_ID => {
            let t = crate::task::sched::find_task_by_vpid(ev.tid).ok_or(Errno::EINVAL)?;
            if t.tgid() != tgid {
                return Err(Errno::EINVAL);
            }
            Notify::Thread(ev.tid)
        }
        _ => return Err(Errno::EINVAL),
    };
    if !(1..=NSIG).contains(&ev.signo) {
        return Err(Errno::EINVAL);
    }
    Ok(notify)
}

/// Make a timer (Linux `do_timer_create`). `ev` None means SIGEV_SIGNAL with SIGALRM
/// and the timer id as the value. `publish(id)` writes the id to the user; if it fails,
/// no timer is made.
pub fn do_timer_create(
    clock: Kclock,
    ev: Option<Sigevent>,
    tgid: Pid,
    tid: Pid,
    publish: impl FnOnce(i32) -> KResult<()>,
) -> KResult<i32> {
    if !clock.can_timer() {
        return Err(Errno::EOPNOTSUPP);
    }
    let notify = match &ev {
        Some(ev) => good_sigevent(ev, tgid)?,
        None => Notify::Process,
    };
    let id = with_timers(tgid, |st| {
        if st.posix_timers.len() >= MAX_TIMERS {
            return Err(Errno::EAGAIN);
        }
        // Linux skips ids still in use when the counter wraps; so do we.
        let mut id = st.next_posix_timer_id;
        while st.posix_timers.contains_key(&id) {
            id = id.wrapping_add(1) & i32::MAX;
        }
        st.next_posix_timer_id = id.wrapping_add(1) & i32::MAX;
        Ok(id)
    })?;
    publish(id)?;
    let (signo, value) = match ev {
        Some(ev) => (ev.signo, ev.value),
        None => (crate::task::signal::SIGALRM, id as u64),
    };
    let t = KItimer {
        id,
        clock,
        timer: Itimer::new(notify == Notify::None),
        signo,
        value,
        notify,
        cpu_tid: tid,
    };
    with_timers(tgid, |st| st.posix_timers.insert(id, t));
    Ok(id)
}

/// Run `f` on timer `id` of process `tgid`, with its clock's time now; EINVAL if there
/// is no such timer (Linux `lock_timer`).
fn with_timer<R>(tgid: Pid, id: i32, f: impl FnOnce(&mut KItimer, Pid) -> R) -> KResult<R> {
    with_timers(tgid, |st| {
        let t = st.posix_timers.get_mut(&id).ok_or(Errno::EINVAL)?;
        Ok(f(t, tgid))
    })
}

/// timer_settime (Linux `do_timer_settime` + `common_timer_set`): returns the old
/// (value, interval) in ns. A relative CLOCK_REALTIME timer runs on the monotonic
/// clock, an absolute one on the wall clock (Linux `__hrtimer_init`).
pub fn do_timer_settime(
    tgid: Pid,
    id: i32,
    abs: bool,
    value: u64,
    interval: u64,
) -> KResult<(u64, u64)> {
    with_timer(tgid, id, |t, tgid| {
        let old = t.timer.get(base_now(t.timer.base, tgid, t.cpu_tid));
        let base = match t.clock {
            Kclock::Realtime if abs => TimerBase::Realtime,
            Kclock::ProcessCpu => TimerBase::ProcessCpu,
            Kclock::ThreadCpu => TimerBase::ThreadCpu,
            _ => TimerBase::Monotonic,
        };
        let now = base_now(base, tgid, t.cpu_tid);
        t.timer.set(base, now, abs, value, interval);
        old
    })
}

/// timer_gettime (Linux `common_timer_get`): (value, interval) in ns.
pub fn do_timer_gettime(tgid: Pid, id: i32) -> KResult<(u64, u64)> {
    with_timer(tgid, id, |t, tgid| {
        t.timer.get(base_now(t.timer.base, tgid, t.cpu_tid))
    })
}

/// timer_getoverrun (Linux `sys_timer_getoverrun`).
pub fn do_timer_getoverrun(tgid: Pid, id: i32) -> KResult<i32> {
    with_timer(tgid, id, |t, _| t.timer.getoverrun())
}

/// timer_delete (Linux `sys_timer_delete`): a signal it already queued stays queued.
pub fn do_timer_delete(tgid: Pid, id: i32) -> KResult<()> {
    with_timers(tgid, |st| {
        st.posix_timers.remove(&id).map(drop).ok_or(Errno::EINVAL)
    })
}
