//! Device drivers for QEMU `virt`: the device tree (`fdt`), the PL011 UART (`pl011`), the
//! GIC interrupt controller v2/v3 (`gic`), the generic timer (`timer`), PSCI and
//! semihosting for power-off (`psci`), the PL031 real-time clock (`rtc_pl031`), and the interrupt dispatcher (`irq`).
//!
//! `fdt` is portable (host-tested against a device tree dumped from QEMU); the rest
//! touches hardware and exists only in the kernel build.

pub mod fdt;

#[cfg(target_os = "none")]
pub mod gic;
#[cfg(target_os = "none")]
pub mod irq;
#[cfg(target_os = "none")]
pub mod pl011;
#[cfg(target_os = "none")]
pub mod psci;
#[cfg(target_os = "none")]
pub mod rtc_pl031;
#[cfg(target_os = "none")]
pub mod timer;
