//! The Arm generic timer: a tick every 1/HZ seconds (Linux
//! `drivers/clocksource/arm_arch_timer.c` plus the tick in `kernel/time/`).
//!
//! Linnet uses the EL1 virtual timer (CNTV_*), as Linux does when it runs at EL1: its
//! interrupt is PPI 11 (INTID 27) on QEMU virt. `jiffies` counts ticks; the scheduler
//! will hang off `timer_interrupt` later.

use aarch64_cpu::registers::{
    Readable, Writeable, CNTFRQ_EL0, CNTVCT_EL0, CNTV_CTL_EL0, CNTV_TVAL_EL0,
};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Ticks since the timer started (Linux `jiffies`).
pub static JIFFIES: AtomicU64 = AtomicU64::new(0);
/// Ticks per second (Linux `HZ`, chosen by the `hz=` bootarg).
static HZ: AtomicU32 = AtomicU32::new(100);

/// Counter ticks per second (CNTFRQ_EL0; 62.5 MHz on QEMU virt).
pub fn counter_frequency() -> u64 {
    CNTFRQ_EL0.get()
}

/// The free-running virtual counter.
pub fn counter() -> u64 {
    CNTVCT_EL0.get()
}

/// Nanoseconds since the counter started (for clock_gettime later, and for reports).
pub fn uptime_ns() -> u64 {
    let f = counter_frequency().max(1);
    (counter() as u128 * 1_000_000_000 / f as u128) as u64
}

/// The current tick rate.
pub fn hz() -> u32 {
    HZ.load(Ordering::Relaxed)
}

/// Scheduler ticks to the clock ticks user space counts in (Linux `jiffies_to_clock_t`,
/// USER_HZ = 100 a second), for /proc and SIGCHLD's si_utime.
pub fn jiffies_to_clock_t(ticks: u64) -> u64 {
    ticks * 100 / hz().max(1) as u64
}

fn reload() {
    let interval = counter_frequency() / hz() as u64;
    CNTV_TVAL_EL0.set(interval);
}

/// Start ticking at `hz` per second (Linux `arch_timer_starting_cpu`).
pub fn init(hz: u32) {
    HZ.store(hz.max(1), Ordering::Relaxed);
    reload();
    CNTV_CTL_EL0.write(CNTV_CTL_EL0::ENABLE::SET + CNTV_CTL_EL0::IMASK::CLEAR);
}

/// The tick (Linux `tick_handle_periodic` -> `do_timer`): count it and re-arm.
pub fn timer_interrupt() {
    JIFFIES.fetch_add(1, Ordering::Relaxed);
    reload();
}
