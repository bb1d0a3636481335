//! benchlib: what the benchmark programs share: the arm generic timer's virtual counter
//! (CNTVCT_EL0, ticking at CNTFRQ_EL0 Hz, readable at EL0 on Linux and on Linnet) and the
//! `RESULT name value unit` line qemu/bench.py parses.
//!
//! Every time is counter ticks turned into nanoseconds; QEMU's virtual counter follows the
//! host clock, so these are host wall times as the guest sees them. Nothing here judges a
//! time: qemu/bench.py compares Linnet's with Linux's from the same run.

#![no_std]

use core::arch::asm;

/// CNTVCT_EL0, after an `isb` so the read is not hoisted above earlier work (Linux
/// `__arch_counter_get_cntvct` does the same).
#[inline(always)]
pub fn ticks() -> u64 {
    let t: u64;
    // SAFETY: reading the virtual counter has no side effects; EL0 access is enabled by
    // both kernels (CNTKCTL_EL1.EL0VCTEN), as the vDSO needs it.
    unsafe { asm!("isb", "mrs {}, cntvct_el0", out(reg) t, options(nomem, nostack)) };
    t
}

/// CNTFRQ_EL0: the counter's frequency in Hz (62.5 MHz on QEMU virt).
pub fn freq() -> u64 {
    let f: u64;
    // SAFETY: as for `ticks`.
    unsafe { asm!("mrs {}, cntfrq_el0", out(reg) f, options(nomem, nostack)) };
    f
}

/// `t` counter ticks in nanoseconds.
pub fn ticks_to_ns(t: u64) -> u64 {
    (t as u128 * 1_000_000_000 / freq() as u128) as u64
}

/// Print `RESULT name value unit`, value = `total_ns / count` in `unit` (ns, us or ms),
/// with one decimal.
pub fn result(name: &str, total_ns: u64, count: u64, unit: &str) {
    let div: u64 = match unit {
        "us" => 1_000,
        "ms" => 1_000_000,
        _ => 1,
    };
    let tenths = (total_ns as u128 * 10 / (count.max(1) as u128 * div as u128)) as u64;
    ulib::println!("RESULT {} {}.{} {}", name, tenths / 10, tenths % 10, unit);
}

/// Run `f` `n` times and print its mean time per call.
pub fn per_call(name: &str, n: u64, unit: &str, mut f: impl FnMut()) {
    let t0 = ticks();
    for _ in 0..n {
        f();
    }
    result(name, ticks_to_ns(ticks() - t0), n, unit);
}
