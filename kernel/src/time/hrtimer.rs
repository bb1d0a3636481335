//! The arithmetic of Linnet's timers: arming, expiry, interval re-arm and overrun
//! counting (Linux `kernel/time/hrtimer.c` `hrtimer_forward`, and the `struct k_itimer`
//! rules in `kernel/time/posix-timers.c`: `common_timer_set`, `common_timer_get`,
//! `posix_timer_fn`, `posixtimer_rearm`; `struct cpu_itimer` in `itimer.c` /
//! `posix-cpu-timers.c` `check_cpu_itimer`).
//!
//! Pure and host-tested: the kernel side (`tick.rs`, `posix_timers.rs`, `itimer.rs`)
//! reads the clocks, calls these on each timer tick, and sends the signals. Timers
//! expire with tick resolution: a timer is due on the first tick at or after its expiry.

/// The clock a timer counts on (Linux's hrtimer bases, plus the CPU clocks of
/// posix-cpu-timers.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerBase {
    /// Time since boot (HRTIMER_BASE_MONOTONIC; also CLOCK_BOOTTIME here, and relative
    /// CLOCK_REALTIME timers: Linux `__hrtimer_init` moves those to MONOTONIC).
    Monotonic,
    /// The wall clock: absolute CLOCK_REALTIME timers follow clock_settime.
    Realtime,
    /// CPU time of the owning process.
    ProcessCpu,
    /// CPU time of one thread (the timer's target).
    ThreadCpu,
}

/// Move `expires` forward by whole `interval`s until it is after `now`; returns how many
/// intervals were added (Linux `hrtimer_forward`). Nothing moves if `expires > now` or
/// the interval is 0.
pub fn hrtimer_forward(expires: &mut u64, now: u64, interval: u64) -> u64 {
    if interval == 0 || now < *expires {
        return 0;
    }
    let n = (now - *expires) / interval + 1;
    *expires = expires.saturating_add(n.saturating_mul(interval));
    n
}

/// Linux `REQUEUE_PENDING`: the low bit of `requeue_pending` says a periodic timer's
/// signal is queued and the timer waits for its delivery to re-arm.
const REQUEUE_PENDING: u32 = 1;

/// The most overruns reported (Linux `DELAYTIMER_MAX`, INT_MAX).
pub const DELAYTIMER_MAX: i64 = i32::MAX as i64;

/// The state of one POSIX interval timer (the timing part of Linux `struct k_itimer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Itimer {
    /// The clock the expiry is on.
    pub base: TimerBase,
    /// Absolute expiry on `base`, in ns.
    pub expires: u64,
    /// Re-arm interval in ns; 0 for a one-shot timer (Linux `it_interval`).
    pub interval: u64,
    /// Armed and waiting for `expires` (Linux `it_active`).
    pub active: bool,
    /// A generation count; odd while a periodic timer's signal is queued (Linux
    /// `it_requeue_pending`). A queued signal carries it (`si_sys_private`), so a
    /// signal from before a timer_settime does not re-arm the new setting.
    pub requeue_pending: u32,
    /// Expirations not yet reported (Linux `it_overrun`, -1 after a delivery).
    pub overrun: i64,
    /// Overruns of the last delivered signal, for timer_getoverrun (Linux
    /// `it_overrun_last`).
    pub overrun_last: i64,
    /// SIGEV_NONE: never signals; timer_gettime still counts it down.
    pub sig_none: bool,
}

impl Itimer {
    /// A disarmed timer.
    pub fn new(sig_none: bool) -> Itimer {
        Itimer {
            base: TimerBase::Monotonic,
            expires: 0,
            interval: 0,
            active: false,
            requeue_pending: 0,
            overrun: -1,
            overrun_last: 0,
            sig_none,
        }
    }

    /// Arm (value > 0) or disarm (value 0) the timer (Linux `common_timer_set` /
    /// `common_hrtimer_arm`). `now` is `base`'s current time; `value` is absolute on
    /// that clock if `abs`, else relative to now. A signal already queued from the
    /// old setting no longer re-arms the timer.
    pub fn set(&mut self, base: TimerBase, now: u64, abs: bool, value: u64, interval: u64) {
        self.requeue_pending = (self.requeue_pending.wrapping_add(2)) & !REQUEUE_PENDING;
        self.overrun_last = 0;
        self.overrun = -1;
        self.base = base;
        self.interval = interval;
        self.active = false;
        if value == 0 {
            self.expires = 0;
            self.interval = 0;
            return;
        }
        self.expires = if abs {
            value
        } else {
            now.saturating_add(value)
        };
        // SIGEV_NONE timers are never queued (Linux: `if (!sigev_none) hrtimer_start`);
        // their expiry only serves timer_gettime.
        self.active = !self.sig_none;
    }

    /// The time left and the interval (Linux `common_timer_get`). A periodic timer
    /// waiting for its signal's delivery, or a periodic SIGEV_NONE timer, is first
    /// moved past `now` (counting overruns). An expired timer reports 0, except one whose
    /// signal is still on its way: it reports 1 ns, so it does not look disarmed.
    pub fn get(&mut self, now: u64) -> (u64, u64) {
        let pending = self.requeue_pending & REQUEUE_PENDING != 0;
        if self.interval == 0 && !self.active && !(self.sig_none && self.expires != 0) {
            return (0, 0);
        }
        if self.interval != 0 && (pending || self.sig_none) {
            let n = hrtimer_forward(&mut self.expires, now, self.interval);
            self.overrun = self.overrun.saturating_add(n as i64);
        }
        let value = match self.expires.checked_sub(now) {
            Some(rem) if rem > 0 => rem,
            _ if self.sig_none => 0,
            _ => 1,
        };
        (value, self.interval)
    }

    /// Is the timer due at `now` (checked on each tick)?
    pub fn due(&self, now: u64) -> bool {
        self.active && now >= self.expires
    }

    /// The timer fired (Linux `posix_timer_fn`): it stops until its signal is
    /// delivered. Returns the `si_sys_private` value the signal carries.
    pub fn fire(&mut self) -> u32 {
        self.active = false;
        if self.interval != 0 {
            self.requeue_pending = self.requeue_pending.wrapping_add(1);
        }
        self.requeue_pending
    }

    /// The signal could not be queued because it is ignored: a periodic timer goes on
    /// at once, so that it still runs when the signal is unignored (Linux
    /// `posix_timer_fn` for a `posix_timer_event` that failed).
    pub fn rearm_ignored(&mut self, now: u64) {
        if self.interval != 0 {
            let n = hrtimer_forward(&mut self.expires, now, self.interval);
            self.overrun = self.overrun.saturating_add(n as i64);
            self.requeue_pending = self.requeue_pending.wrapping_add(1);
            self.active = true;
        }
    }

    /// The timer's signal is being delivered (Linux `posixtimer_rearm`): if it is the
    /// signal of the current setting, a periodic timer moves past `now`, its overruns
    /// become `overrun_last`, and it is armed again. Returns the `si_overrun` to report,
    /// or None for a stale or one-shot signal (reported as queued).
    pub fn rearm(&mut self, now: u64, si_private: u32) -> Option<i32> {
        if self.interval == 0 || self.requeue_pending != si_private {
            return None;
        }
        let n = hrtimer_forward(&mut self.expires, now, self.interval);
        self.overrun = self.overrun.saturating_add(n as i64);
        self.active = true;
        self.overrun_last = self.overrun;
        self.overrun = -1;
        self.requeue_pending = self.requeue_pending.wrapping_add(1);
        Some(self.overrun_last.clamp(0, DELAYTIMER_MAX) as i32)
    }

    /// timer_getoverrun's answer (Linux `timer_overrun_to_int`).
    pub fn getoverrun(&self) -> i32 {
        self.overrun_last.clamp(0, DELAYTIMER_MAX) as i32
    }
}

/// One of a process's setitimer timers on a CPU clock (Linux `struct cpu_itimer`):
/// an absolute expiry on the process's CPU time and an interval, in ns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuItimer {
    /// Expiry in process CPU time (0: disarmed).
    pub expires: u64,
    /// Re-arm interval.
    pub incr: u64,
}

impl CpuItimer {
    /// The time left and the interval at CPU time `now` (Linux `get_cpu_itimer`): a
    /// timer past its expiry, about to fire, reports one tick.
    pub fn get(&self, now: u64, tick_ns: u64) -> (u64, u64) {
        let value = match self.expires {
            0 => 0,
            e if e < now => tick_ns,
            e => e - now,
        };
        (value, self.incr)
    }

    /// Set it (Linux `set_cpu_itimer`): a value is rounded up by one tick, as Linux
    /// does, so the timer never fires early. Returns the old (value, interval).
    pub fn set(&mut self, now: u64, value: u64, incr: u64, tick_ns: u64) -> (u64, u64) {
        let old = self.get(now, tick_ns);
        self.expires = if value == 0 {
            0
        } else {
            now.saturating_add(value).saturating_add(tick_ns)
        };
        self.incr = incr;
        old
    }

    /// Has it expired at CPU time `now`? Then re-arm by the interval or disarm (Linux
    /// `check_cpu_itimer`); the caller sends the signal.
    pub fn check(&mut self, now: u64) -> bool {
        if self.expires == 0 || now < self.expires {
            return false;
        }
        self.expires = if self.incr != 0 {
            self.expires.saturating_add(self.incr)
        } else {
            0
        };
        true
    }
}

/// A process's ITIMER_REAL (Linux `signal->real_timer` and `it_real_incr`): a monotonic
/// expiry and an interval. Linux re-arms a periodic one only when its SIGALRM is
/// dequeued (`dequeue_signal`), so a blocked SIGALRM holds it back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RealItimer {
    /// Monotonic expiry, ns.
    pub expires: u64,
    /// Interval, ns (Linux `it_real_incr`).
    pub incr: u64,
    /// Queued and counting down (Linux `hrtimer_active`).
    pub active: bool,
}

impl RealItimer {
    /// The time left and the interval (Linux `itimer_get_remtime`): an active timer at
    /// or past its expiry reports 1 us, an inactive one 0.
    pub fn get(&self, now: u64) -> (u64, u64) {
        let value = match self.active {
            false => 0,
            true if self.expires > now => self.expires - now,
            true => super::clocks::NSEC_PER_USEC,
        };
        (value, self.incr)
    }

    /// Arm it `value` ns from `now` (0 disarms, and drops the interval too). Returns
    /// the old (value, interval) (Linux `do_setitimer` for ITIMER_REAL).
    pub fn set(&mut self, now: u64, value: u64, incr: u64) -> (u64, u64) {
        let old = self.get(now);
        self.active = value != 0;
        self.expires = now.saturating_add(value);
        self.incr = if value != 0 { incr } else { 0 };
        old
    }

    /// Due at `now`? Then it stops (Linux `it_real_fn`); the caller sends SIGALRM.
    pub fn fire(&mut self, now: u64) -> bool {
        if self.active && now >= self.expires {
            self.active = false;
            return true;
        }
        false
    }

    /// A SIGALRM is being dequeued: a stopped periodic timer goes on from its last
    /// expiry (Linux `dequeue_signal`: `hrtimer_forward` + `hrtimer_restart`).
    pub fn on_sigalrm_dequeued(&mut self, now: u64) {
        if !self.active && self.incr != 0 {
            hrtimer_forward(&mut self.expires, now, self.incr);
            self.active = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const MS: u64 = 1_000_000;

    #[test]
    fn forward_moves_past_now_by_whole_intervals() {
        let mut e = 10 * MS;
        assert_eq!(hrtimer_forward(&mut e, 95 * MS, 10 * MS), 9);
        assert_eq!(e, 100 * MS);
        assert_eq!(hrtimer_forward(&mut e, 100 * MS, 10 * MS), 1); // now == expires
        assert_eq!(e, 110 * MS);
        assert_eq!(hrtimer_forward(&mut e, 50 * MS, 10 * MS), 0); // not yet
        assert_eq!(hrtimer_forward(&mut e, 500 * MS, 0), 0); // one-shot
    }

    #[test]
    fn periodic_timer_counts_overruns_at_delivery() {
        let mut t = Itimer::new(false);
        t.set(TimerBase::Monotonic, 0, false, 10 * MS, 10 * MS);
        assert!(!t.due(9 * MS) && t.due(10 * MS));
        let private = t.fire();
        assert!(!t.due(50 * MS)); // waits for its signal to be delivered
                                  // Delivered at 95 ms: fired at 10 (this signal), missed 20..90: 8 overruns.
        assert_eq!(t.rearm(95 * MS, private), Some(8));
        assert_eq!(t.getoverrun(), 8);
        assert_eq!(t.expires, 100 * MS);
        assert!(t.active);
        // Delivered on time: no overrun.
        let private = t.fire();
        assert_eq!(t.rearm(100 * MS + 1, private), Some(0));
        assert_eq!(t.getoverrun(), 0);
    }

    #[test]
    fn a_signal_from_an_old_setting_does_not_rearm() {
        let mut t = Itimer::new(false);
        t.set(TimerBase::Monotonic, 0, false, 10 * MS, 10 * MS);
        let private = t.fire();
        t.set(TimerBase::Monotonic, 20 * MS, false, 0, 0); // disarmed meanwhile
        assert_eq!(t.rearm(30 * MS, private), None);
        assert!(!t.active);
        assert_eq!(t.get(30 * MS), (0, 0));
    }

    #[test]
    fn gettime_counts_down_and_reports_pending_expiry() {
        let mut t = Itimer::new(false);
        t.set(TimerBase::Realtime, 1000 * MS, true, 1500 * MS, 0);
        assert_eq!(t.get(1200 * MS), (300 * MS, 0));
        let _ = t.fire(); // one-shot: expired and gone
        assert_eq!(t.get(1600 * MS), (0, 0));
        // A periodic one whose signal is still queued: moved forward, never 0.
        t.set(TimerBase::Monotonic, 0, false, 10 * MS, 10 * MS);
        let _ = t.fire();
        assert_eq!(t.get(25 * MS), (5 * MS, 10 * MS));
    }

    #[test]
    fn sigev_none_is_never_due_but_counts_down() {
        let mut t = Itimer::new(true);
        t.set(TimerBase::Monotonic, 0, false, 100 * MS, 0);
        assert!(!t.due(200 * MS));
        assert_eq!(t.get(40 * MS), (60 * MS, 0));
        assert_eq!(t.get(200 * MS), (0, 0));
        t.set(TimerBase::Monotonic, 0, false, 100 * MS, 30 * MS);
        assert_eq!(t.get(150 * MS), (10 * MS, 30 * MS)); // expiries at 100, 130; next 160
    }

    #[test]
    fn ignored_signal_keeps_a_periodic_timer_running() {
        let mut t = Itimer::new(false);
        t.set(TimerBase::Monotonic, 0, false, 10 * MS, 10 * MS);
        let _ = t.fire();
        t.rearm_ignored(12 * MS);
        assert!(t.active && t.expires == 20 * MS);
        let mut one = Itimer::new(false);
        one.set(TimerBase::Monotonic, 0, false, 10 * MS, 0);
        let _ = one.fire();
        one.rearm_ignored(12 * MS);
        assert!(!one.active);
    }

    #[test]
    fn cpu_itimer_rounds_up_and_reloads() {
        let tick = 10 * MS;
        let mut it = CpuItimer::default();
        assert_eq!(it.set(5 * MS, 20 * MS, 30 * MS, tick), (0, 0));
        assert_eq!(it.expires, 35 * MS);
        assert!(!it.check(34 * MS));
        assert!(it.check(40 * MS));
        assert_eq!(it.expires, 65 * MS);
        assert_eq!(it.get(70 * MS, tick), (tick, 30 * MS)); // overdue: about to fire
        assert_eq!(it.set(70 * MS, 0, 0, tick), (tick, 30 * MS));
        assert!(!it.check(u64::MAX));
    }

    #[test]
    fn real_itimer_rearms_when_sigalrm_is_taken() {
        let mut r = RealItimer::default();
        assert_eq!(r.set(0, 10 * MS, 5 * MS), (0, 0));
        assert_eq!(r.get(4 * MS), (6 * MS, 5 * MS));
        assert!(!r.fire(9 * MS) && r.fire(10 * MS));
        assert_eq!(r.get(12 * MS), (0, 5 * MS)); // stopped until SIGALRM is taken
        r.on_sigalrm_dequeued(12 * MS);
        assert_eq!(r.get(12 * MS), (3 * MS, 5 * MS));
        assert!(r.fire(15 * MS));
        assert_eq!(r.set(16 * MS, 0, 7 * MS), (0, 5 * MS));
        r.on_sigalrm_dequeued(20 * MS);
        assert_eq!(r.get(20 * MS), (0, 0));
        r.set(0, 10 * MS, 0);
        assert_eq!(r.get(10 * MS), (1_000, 0)); // due, not yet fired
    }
}
