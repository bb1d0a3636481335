//! The Arm generic timer: a tick every 1/HZ seconds (Linux
//! `drivers/clocksource/arm_arch_timer.c` plus the tick in `kernel/time/`).
//!
//! Linnet uses the EL1 virtual timer (CNTV_*), as Linux does when it runs at EL1: its
//! interrupt is PPI 11 (INTID 27) on QEMU virt. `jiffies` counts ticks; the scheduler
//! (`sched::scheduler_tick`) and the timers (`time::timer_list::run_timers`) run on
//! each one (`drivers/irq.rs`).
//!
//! The ticks are kept on a fixed grid of counter values, as Linux's periodic tick does
//! (`tick_handle_periodic`): the next one is programmed at an absolute counter value
//! (CNTV_CVAL), and ticks that a late interrupt missed are counted at once, so
//! `jiffies` (and `times()`) does not fall behind the clock on a loaded host.

use aarch64_cpu::registers::{
    Readable, Writeable, CNTFRQ_EL0, CNTVCT_EL0, CNTV_CTL_EL0, CNTV_CVAL_EL0,
};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Ticks since the timer started (Linux `jiffies`).
pub static JIFFIES: AtomicU64 = AtomicU64::new(0);
/// Ticks per second (Linux `HZ`, chosen by the `hz=` bootarg).
static HZ: AtomicU32 = AtomicU32::new(100);
/// The counter value of the next tick (Linux `tick_next_period`).
static NEXT_TICK: AtomicU64 = AtomicU64::new(0);

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
/// `USER_HZ` a second), for /proc and SIGCHLD's si_utime.
pub fn jiffies_to_clock_t(ticks: u64) -> u64 {
    ticks * uapi::param::USER_HZ / hz().max(1) as u64
}

/// Counter ticks per scheduler tick.
fn period() -> u64 {
    (counter_frequency() / hz() as u64).max(1)
}

/// Start ticking at `hz` per second (Linux `arch_timer_starting_cpu`).
pub fn init(hz: u32) {
    HZ.store(hz.max(1), Ordering::Relaxed);
    let next = counter() + period();
    NEXT_TICK.store(next, Ordering::Relaxed);
    CNTV_CVAL_EL0.set(next);
    CNTV_CTL_EL0.write(CNTV_CTL_EL0::ENABLE::SET + CNTV_CTL_EL0::IMASK::CLEAR);
}

/// The tick (Linux `tick_handle_periodic` -> `do_timer`): count the ticks due and
/// program the next one.
pub fn timer_interrupt() {
    let mut next = NEXT_TICK.load(Ordering::Relaxed);
    // The ticks due since the last one, and the next on the grid (Linux's catch-up loop).
    let n = crate::time::hrtimer::hrtimer_forward(&mut next, counter(), period());
    JIFFIES.fetch_add(n, Ordering::Relaxed);
    NEXT_TICK.store(next, Ordering::Relaxed);
    CNTV_CVAL_EL0.set(next);
}
