//! The PL031 real-time clock (Linux `drivers/rtc/rtc-pl031.c`).
//!
//! QEMU virt's PL031 counts seconds since 1970 in its data register, started from the
//! host's clock. Linnet reads it once at boot to set the wall clock (Linux
//! `rtc_hctosys`); after that CLOCK_REALTIME runs from the generic timer's counter.
//! Registers: ARM PrimeCell RTC (PL031) Technical Reference Manual, DDI 0224C, 3.2.

use tock_registers::interfaces::Readable;
use tock_registers::registers::ReadOnly;

/// RTCDR, the data register: seconds since the epoch.
#[repr(C)]
struct Pl031Regs {
    dr: ReadOnly<u32>,
}

/// Read the RTC at `base` (its ioremapped registers): seconds since 1970-01-01 UTC.
///
/// # Safety
/// `base` must be the kernel address of a mapped PL031 register block.
pub unsafe fn read_seconds(base: usize) -> u64 {
    // SAFETY: the caller vouches for the mapping; RTCDR is a 32-bit read-only register.
    let regs = unsafe { &*(base as *const Pl031Regs) };
    regs.dr.get() as u64
}
