//! Clock ids and the time formats user space passes in (Linux `posix-timers.c`
//! `clockid_to_kclock` and the `k_clock` tables, `kernel/time/time.c`
//! `timespec64_valid`, `ns_to_timespec64`, `ns_to_kernel_old_timeval`).
//!
//! Pure rules, host-tested: which clock ids exist, what each can do (read, set, sleep
//! on, carry a timer), their resolution, and checking/converting timespec and timeval.
//! Simplified: no per-pid CPU clocks (negative ids; Linux's `CPUCLOCK_*` encoding) and
//! no alarm clocks; CLOCK_TAI is not provided.

use super::NSEC_PER_SEC;

/// Nanoseconds per microsecond.
pub const NSEC_PER_USEC: u64 = 1_000;
/// The largest time Linux represents (`KTIME_MAX`): about 292 years in ns.
pub const KTIME_MAX: u64 = i64::MAX as u64;
/// clock_nanosleep / timer_settime flag: the time is absolute (Linux `TIMER_ABSTIME`).
pub const TIMER_ABSTIME: u64 = uapi::time::TIMER_ABSTIME as u64;

/// CLOCK_REALTIME.
pub const CLOCK_REALTIME: u64 = uapi::time::CLOCK_REALTIME as u64;
/// CLOCK_MONOTONIC.
pub const CLOCK_MONOTONIC: u64 = uapi::time::CLOCK_MONOTONIC as u64;
/// CLOCK_PROCESS_CPUTIME_ID.
pub const CLOCK_PROCESS_CPUTIME_ID: u64 = uapi::time::CLOCK_PROCESS_CPUTIME_ID as u64;
/// CLOCK_THREAD_CPUTIME_ID.
pub const CLOCK_THREAD_CPUTIME_ID: u64 = uapi::time::CLOCK_THREAD_CPUTIME_ID as u64;
/// CLOCK_MONOTONIC_RAW.
pub const CLOCK_MONOTONIC_RAW: u64 = uapi::time::CLOCK_MONOTONIC_RAW as u64;
/// CLOCK_REALTIME_COARSE.
pub const CLOCK_REALTIME_COARSE: u64 = uapi::time::CLOCK_REALTIME_COARSE as u64;
/// CLOCK_MONOTONIC_COARSE.
pub const CLOCK_MONOTONIC_COARSE: u64 = uapi::time::CLOCK_MONOTONIC_COARSE as u64;
/// CLOCK_BOOTTIME.
pub const CLOCK_BOOTTIME: u64 = uapi::time::CLOCK_BOOTTIME as u64;

/// A clock Linnet knows (Linux `struct k_clock`: `clock_realtime`, `clock_monotonic`,
/// ...). BOOTTIME is MONOTONIC (Linnet never suspends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kclock {
    /// CLOCK_REALTIME: the wall clock.
    Realtime,
    /// CLOCK_MONOTONIC and CLOCK_BOOTTIME: time since boot.
    Monotonic,
    /// CLOCK_MONOTONIC_RAW: time since boot, never slewed (no timers, no sleeping).
    MonotonicRaw,
    /// CLOCK_REALTIME_COARSE: the wall clock at tick resolution.
    RealtimeCoarse,
    /// CLOCK_MONOTONIC_COARSE: time since boot at tick resolution.
    MonotonicCoarse,
    /// CLOCK_PROCESS_CPUTIME_ID: CPU time of the whole thread group.
    ProcessCpu,
    /// CLOCK_THREAD_CPUTIME_ID: CPU time of the calling thread.
    ThreadCpu,
}

impl Kclock {
    /// The clock for a user clock id, or None (EINVAL) (Linux `clockid_to_kclock`).
    pub fn from_id(id: u64) -> Option<Kclock> {
        Some(match id {
            CLOCK_REALTIME => Kclock::Realtime,
            CLOCK_MONOTONIC | CLOCK_BOOTTIME => Kclock::Monotonic,
            CLOCK_PROCESS_CPUTIME_ID => Kclock::ProcessCpu,
            CLOCK_THREAD_CPUTIME_ID => Kclock::ThreadCpu,
            CLOCK_MONOTONIC_RAW => Kclock::MonotonicRaw,
            CLOCK_REALTIME_COARSE => Kclock::RealtimeCoarse,
            CLOCK_MONOTONIC_COARSE => Kclock::MonotonicCoarse,
            _ => return None,
        })
    }

    /// Can clock_nanosleep sleep on it (Linux: `kc->nsleep` is set; for the process
    /// CPU clock `posix_cpu_nsleep`)? The others give EOPNOTSUPP.
    pub fn can_nsleep(self) -> bool {
        matches!(
            self,
            Kclock::Realtime | Kclock::Monotonic | Kclock::ProcessCpu
        )
    }

    /// Can a POSIX timer run on it (Linux: `kc->timer_create` is set)?
    pub fn can_timer(self) -> bool {
        matches!(
            self,
            Kclock::Realtime | Kclock::Monotonic | Kclock::ProcessCpu | Kclock::ThreadCpu
        )
    }

    /// The resolution clock_getres reports, in ns (Linux `posix_get_hrtimer_res`: 1 ns
    /// with high-resolution timers; `posix_get_coarse_res`: one tick, `TICK_NSEC`;
    /// `posix_cpu_clock_getres`: 1 ns for the scheduler-clock based CPU clocks).
    pub fn resolution_ns(self, hz: u32) -> u64 {
        match self {
            Kclock::RealtimeCoarse | Kclock::MonotonicCoarse => tick_nsec(hz),
            _ => 1,
        }
    }
}

/// The length of one tick in ns, rounded as Linux's `TICK_NSEC` (`(NSEC_PER_SEC + HZ/2) / HZ`).
pub fn tick_nsec(hz: u32) -> u64 {
    let hz = hz.max(1) as u64;
    (NSEC_PER_SEC + hz / 2) / hz
}

/// Is this a valid `struct timespec` (Linux `timespec64_valid`)? Seconds not negative,
/// nanoseconds in 0..1e9.
pub fn timespec64_valid(sec: i64, nsec: i64) -> bool {
    sec >= 0 && (0..NSEC_PER_SEC as i64).contains(&nsec)
}

/// A valid timespec in ns, saturating at `KTIME_MAX` (Linux `timespec64_to_ktime`).
pub fn timespec64_to_ns(sec: i64, nsec: i64) -> u64 {
    (sec as u64)
        .saturating_mul(NSEC_PER_SEC)
        .saturating_add(nsec as u64)
        .min(KTIME_MAX)
}

/// ns to (tv_sec, tv_nsec) (Linux `ns_to_timespec64`).
pub fn ns_to_timespec64(ns: u64) -> [i64; 2] {
    [(ns / NSEC_PER_SEC) as i64, (ns % NSEC_PER_SEC) as i64]
}

/// Is this a valid `struct timeval` (Linux `timeval_valid` in `itimer.c`)?
pub fn timeval_valid(sec: i64, usec: i64) -> bool {
    sec >= 0 && (0..1_000_000).contains(&usec)
}

/// A valid timeval in ns, saturating at `KTIME_MAX`.
pub fn timeval_to_ns(sec: i64, usec: i64) -> u64 {
    timespec64_to_ns(sec, usec * NSEC_PER_USEC as i64)
}

/// ns to (tv_sec, tv_usec), the microseconds truncated (Linux
/// `ns_to_kernel_old_timeval`).
pub fn ns_to_timeval(ns: u64) -> [i64; 2] {
    [
        (ns / NSEC_PER_SEC) as i64,
        (ns % NSEC_PER_SEC / NSEC_PER_USEC) as i64,
    ]
}

/// Scheduler ticks to ns of CPU time.
pub fn ticks_to_ns(ticks: u64, hz: u32) -> u64 {
    (ticks as u128 * NSEC_PER_SEC as u128 / hz.max(1) as u128).min(KTIME_MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_ids_and_what_they_can_do() {
        assert_eq!(Kclock::from_id(7), Some(Kclock::Monotonic));
        assert_eq!(Kclock::from_id(8), None); // CLOCK_REALTIME_ALARM: not provided
        assert_eq!(Kclock::from_id(u64::MAX), None); // a per-pid CPU clock
        assert!(Kclock::Realtime.can_nsleep() && Kclock::Monotonic.can_nsleep());
        assert!(!Kclock::ThreadCpu.can_nsleep() && !Kclock::MonotonicRaw.can_nsleep());
        assert!(Kclock::ProcessCpu.can_nsleep());
        assert!(!Kclock::RealtimeCoarse.can_timer() && Kclock::ProcessCpu.can_timer());
    }

    #[test]
    fn resolutions_are_linuxs() {
        assert_eq!(Kclock::Realtime.resolution_ns(100), 1);
        assert_eq!(Kclock::ProcessCpu.resolution_ns(100), 1);
        assert_eq!(Kclock::MonotonicCoarse.resolution_ns(250), 4_000_000);
        assert_eq!(Kclock::RealtimeCoarse.resolution_ns(100), 10_000_000);
        assert_eq!(tick_nsec(300), 3_333_333);
    }

    #[test]
    fn timespec_and_timeval_rules() {
        assert!(timespec64_valid(0, 999_999_999));
        assert!(!timespec64_valid(0, 1_000_000_000));
        assert!(!timespec64_valid(-1, 0) && !timespec64_valid(0, -1));
        assert!(timeval_valid(5, 999_999) && !timeval_valid(5, 1_000_000));
        assert!(!timeval_valid(-1, 0));
        assert_eq!(timespec64_to_ns(2, 5), 2_000_000_005);
        assert_eq!(timespec64_to_ns(i64::MAX, 0), KTIME_MAX);
        assert_eq!(timeval_to_ns(1, 500_000), 1_500_000_000);
        assert_eq!(ns_to_timespec64(3_000_000_007), [3, 7]);
        assert_eq!(ns_to_timeval(3_000_001_999), [3, 1]);
        assert_eq!(ticks_to_ns(3, 100), 30_000_000);
    }
}
