//! The layout of the vDSO data page, `[vvar]` (Linux `struct vdso_data` in
//! `include/vdso/datapage.h`), shared by the kernel, which fills it, and the vDSO, which
//! reads it from user space. Both include this file, so the layout is written once.
//!
//! Simplified from Linux: one clock source (the generic timer's virtual counter, read as
//! it is: Linnet's monotonic clock is `counter * 10^9 / frequency`, with no `mult`/`shift`
//! scaling or `cycle_last`), one offset (`offs_real`, CLOCK_REALTIME minus
//! CLOCK_MONOTONIC), no time namespaces, no per-clock `basetime` array.

use core::sync::atomic::{AtomicI64, AtomicU32, AtomicU64};

/// `clock_mode`: the counter may be read from EL0 (Linux `VDSO_CLOCKMODE_ARCHTIMER`).
pub const VDSO_CLOCKMODE_ARCHTIMER: u32 = 1;
/// `clock_mode`: the vDSO must ask the kernel (Linux `VDSO_CLOCKMODE_NONE`).
pub const VDSO_CLOCKMODE_NONE: u32 = 0;

/// The data page's contents (Linux `struct vdso_data`). `seq` is a sequence count
/// (Linux `vdso_data::seq`, written by `vdso_write_begin`/`vdso_write_end`): odd while
/// the kernel is changing the page, so a reader that sees it odd, or changed after its
/// reads, reads again (`vdso_read_begin`/`vdso_read_retry`).
#[repr(C)]
pub struct VdsoData {
    /// The sequence count.
    pub seq: AtomicU32,
    /// `VDSO_CLOCKMODE_ARCHTIMER` or `VDSO_CLOCKMODE_NONE`.
    pub clock_mode: AtomicU32,
    /// Counter ticks per second (CNTFRQ_EL0).
    pub cntfrq: AtomicU64,
    /// CLOCK_REALTIME minus CLOCK_MONOTONIC, in nanoseconds (Linux `tk->offs_real`; the
    /// kernel's `crate::time::offs_real()`).
    pub offs_real: AtomicI64,
    /// clock_getres of the counter clocks, in nanoseconds (Linux `hrtimer_res`).
    pub hrtimer_res: AtomicU32,
    /// clock_getres of the *_COARSE clocks: one tick (Linux `LOW_RES_NSEC`, `TICK_NSEC`).
    pub coarse_res: AtomicU32,
    /// gettimeofday's timezone (Linux `tz_minuteswest`, from `sys_tz`, which
    /// settimeofday sets).
    pub tz_minuteswest: AtomicU32,
    /// gettimeofday's DST type (Linux `tz_dsttime`, from `sys_tz`).
    pub tz_dsttime: AtomicU32,
}

/// Nanoseconds in a second.
pub const NSEC_PER_SEC: u64 = 1_000_000_000;

/// Counter ticks to nanoseconds, exactly `cnt * 10^9 / freq` rounded down (what the
/// kernel's `uptime_ns` computes with a 128-bit product), in 64-bit arithmetic only, so
/// that the vDSO needs no 128-bit division helper: `cnt = q * freq + r`, and the sum of
/// `q * 10^9` (whole) and `r * 10^9 / freq` rounds down to the same value.
pub fn cycles_to_ns(cnt: u64, freq: u64) -> u64 {
    let freq = if freq == 0 { 1 } else { freq };
    let (q, r) = (cnt / freq, cnt % freq);
    q.wrapping_mul(NSEC_PER_SEC)
        .wrapping_add(r.wrapping_mul(NSEC_PER_SEC) / freq)
}

/// CLOCK_MONOTONIC nanoseconds plus `offs_real`, never below 0 nor above `u64::MAX`
/// (the same rule as the kernel's `time::mono_to_real`).
pub fn mono_to_real(mono: u64, offs: i64) -> u64 {
    if offs >= 0 {
        mono.saturating_add(offs as u64)
    } else {
        mono.saturating_sub(offs.unsigned_abs())
    }
}
