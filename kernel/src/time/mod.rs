//! Timekeeping: the clocks behind `clock_gettime` (Linux `kernel/time/timekeeping.c`).
//!
//! CLOCK_MONOTONIC is the generic timer's counter since boot (`ktime_get_ns`).
//! CLOCK_REALTIME is the same counter plus one offset (Linux `tk->offs_real`): the wall
//! time at counter zero, set at boot from the PL031 RTC (`timekeeping_init`, Linux
//! `rtc_hctosys`) and moved by `clock_settime`/`settimeofday` (`do_settimeofday64`).
//! The vDSO reads the same offset from its data page, so both paths agree.
//!
//! Simplified: no NTP slewing, no leap seconds, and CLOCK_BOOTTIME equals CLOCK_MONOTONIC
//! (Linnet never suspends).
//!
//! The rest of the folder: `clocks.rs` (clock ids, resolutions, timespec/timeval rules),
//! `hrtimer.rs` (timer arithmetic: expiry, interval re-arm, overruns), `timer_list.rs`
//! (the per-process timers and sleepers, checked on every tick) and `posix_timers.rs`
//! (timer_create and friends). docs/time.md tells the story.

pub mod clocks;
pub mod hrtimer;
#[cfg(target_os = "none")]
pub mod posix_timers;
#[cfg(target_os = "none")]
pub mod timer_list;

use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Nanoseconds in a second.
pub const NSEC_PER_SEC: u64 = 1_000_000_000;

/// Wall-clock nanoseconds minus monotonic nanoseconds (Linux `offs_real`).
static OFFS_REAL: AtomicI64 = AtomicI64::new(0);

/// The time zone settimeofday stored (Linux `sys_tz`): minutes west of Greenwich in the
/// low half, the DST type in the high half. Only reported back (gettimeofday); the
/// kernel keeps UTC.
static SYS_TZ: AtomicU64 = AtomicU64::new(0);

/// The stored time zone as `struct timezone` {tz_minuteswest, tz_dsttime}.
pub fn sys_tz() -> [i32; 2] {
    let z = SYS_TZ.load(Ordering::Relaxed);
    [z as u32 as i32, (z >> 32) as u32 as i32]
}

/// Store the time zone (Linux `do_sys_settimeofday64`: `sys_tz = *tz`).
pub fn set_sys_tz(minuteswest: i32, dsttime: i32) {
    SYS_TZ.store(
        minuteswest as u32 as u64 | (dsttime as u32 as u64) << 32,
        Ordering::Relaxed,
    );
    #[cfg(target_os = "none")]
    crate::arch::vdso::update_vsyscall_tz(); // the vDSO's gettimeofday reports it
}

/// The realtime offset: CLOCK_REALTIME = CLOCK_MONOTONIC + this (nanoseconds).
pub fn offs_real() -> i64 {
    OFFS_REAL.load(Ordering::Relaxed)
}

/// Wall time from a monotonic time: `mono_ns + offs_real`, never below zero.
pub fn mono_to_real(mono_ns: u64, offs: i64) -> u64 {
    (mono_ns as i128 + offs as i128).clamp(0, u64::MAX as i128) as u64
}

/// The offset that makes the wall clock read `real_ns` when the monotonic clock reads
/// `mono_ns`.
pub fn offset_for(real_ns: u64, mono_ns: u64) -> i64 {
    (real_ns as i128 - mono_ns as i128).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// CLOCK_MONOTONIC in nanoseconds (Linux `ktime_get_ns`).
#[cfg(target_os = "none")]
pub fn ktime_get_ns() -> u64 {
    crate::drivers::timer::uptime_ns()
}

/// CLOCK_REALTIME in nanoseconds since 1970 (Linux `ktime_get_real_ns`).
#[cfg(target_os = "none")]
pub fn ktime_get_real_ns() -> u64 {
    mono_to_real(ktime_get_ns(), offs_real())
}

/// CLOCK_REALTIME in whole seconds (Linux `ktime_get_real_seconds`), for file times.
#[cfg(target_os = "none")]
pub fn ktime_get_real_seconds() -> u64 {
    ktime_get_real_ns() / NSEC_PER_SEC
}

/// Set the wall clock to `real_ns` (Linux `do_settimeofday64`).
#[cfg(target_os = "none")]
pub fn do_settimeofday64(real_ns: u64) {
    OFFS_REAL.store(offset_for(real_ns, ktime_get_ns()), Ordering::Relaxed);
    crate::arch::vdso::update_vsyscall(); // the vDSO reads offs_real too
}

/// Set the wall clock from the RTC's seconds at boot (Linux `timekeeping_init` with
/// `read_persistent_clock64`, then `rtc_hctosys`).
#[cfg(target_os = "none")]
pub fn timekeeping_init(rtc_seconds: u64) {
    do_settimeofday64(rtc_seconds.saturating_mul(NSEC_PER_SEC));
}

/// A broken-down UTC time (Linux `struct rtc_time`, but with the real year and month 1-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
    /// Hours, 0-23.
    pub hour: u32,
    /// Minutes, 0-59.
    pub min: u32,
    /// Seconds, 0-59.
    pub sec: u32,
}

/// Seconds since 1970 to a UTC date (Linux `time64_to_tm`), by the days-to-civil
/// conversion on 400-year eras (March-based years, so leap days fall last).
pub fn time64_to_tm(secs: u64) -> Tm {
    let days = (secs / 86_400) as i64;
    let rem = (secs % 86_400) as u32;
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let doe = z - era * 146_097; // day of the era, 0..146096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153; // month from March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    Tm {
        year,
        month,
        day,
        hour: rem / 3600,
        min: rem / 60 % 60,
        sec: rem % 60,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        let tm = |y, mo, d, h, mi, s| Tm {
            year: y,
            month: mo,
            day: d,
            hour: h,
            min: mi,
            sec: s,
        };
        assert_eq!(time64_to_tm(0), tm(1970, 1, 1, 0, 0, 0));
        assert_eq!(time64_to_tm(951_782_400), tm(2000, 2, 29, 0, 0, 0));
        assert_eq!(time64_to_tm(1_709_251_199), tm(2024, 2, 29, 23, 59, 59));
        assert_eq!(time64_to_tm(1_796_256_000), tm(2026, 12, 3, 0, 0, 0));
        assert_eq!(time64_to_tm(4_107_542_400), tm(2100, 3, 1, 0, 0, 0));
    }

    #[test]
    fn offsets_round_trip_and_clamp() {
        let off = offset_for(1_796_256_000 * NSEC_PER_SEC, 5 * NSEC_PER_SEC);
        assert_eq!(
            mono_to_real(5 * NSEC_PER_SEC, off),
            1_796_256_000 * NSEC_PER_SEC
        );
        assert_eq!(mono_to_real(5, offset_for(0, 10)), 0);
        assert_eq!(mono_to_real(u64::MAX, i64::MAX), u64::MAX);
    }
}
