//! Turning the machine off: PSCI `SYSTEM_OFF` (Linux `drivers/firmware/psci/psci.c`,
//! `psci_sys_poweroff`), or, when QEMU runs with semihosting, `SYS_EXIT` with a status so
//! a test run ends with the kernel's verdict as QEMU's exit code.

use crate::drivers::fdt::PsciMethod;
use core::sync::atomic::{AtomicBool, Ordering};

/// PSCI 0.2 function ID of SYSTEM_OFF (Arm DEN 0022, section 5.1).
const PSCI_0_2_FN_SYSTEM_OFF: u64 = 0x8400_0008;
/// Semihosting operation SYS_EXIT (Arm "Semihosting for AArch32 and AArch64", 6.5).
const SYS_EXIT: u64 = 0x18;
/// SYS_EXIT reason: the application exited (the status word follows).
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x20026;

static METHOD_SMC: AtomicBool = AtomicBool::new(false);
static SEMIHOSTING: AtomicBool = AtomicBool::new(false);

/// Record the PSCI conduit and whether semihosting may be used (the `semihosting` bootarg,
/// which `qemu/run.sh` passes together with QEMU's `-semihosting`).
pub fn init(method: PsciMethod, semihosting: bool) {
    METHOD_SMC.store(method == PsciMethod::Smc, Ordering::Relaxed);
    SEMIHOSTING.store(semihosting, Ordering::Relaxed);
}

/// Power off; `status` reaches the host as QEMU's exit code when semihosting is on
/// (Linux `kernel_power_off`). Never returns.
pub fn system_off(status: u8) -> ! {
    if SEMIHOSTING.load(Ordering::Relaxed) {
        let block: [u64; 2] = [ADP_STOPPED_APPLICATION_EXIT, status as u64];
        // SAFETY: the semihosting call reads the two-word block and ends QEMU.
        unsafe {
            core::arch::asm!("hlt #0xf000", in("x0") SYS_EXIT, in("x1") block.as_ptr(),
                options(nostack));
        }
    }
    // SAFETY: SYSTEM_OFF does not return; the conduit is the one the device tree named.
    unsafe {
        if METHOD_SMC.load(Ordering::Relaxed) {
            core::arch::asm!("smc #0", in("x0") PSCI_0_2_FN_SYSTEM_OFF, options(nostack));
        } else {
            core::arch::asm!("hvc #0", in("x0") PSCI_0_2_FN_SYSTEM_OFF, options(nostack));
        }
    }
    loop {
        crate::arch::cpu::local_irq_disable();
        crate::arch::cpu::wait_for_interrupt();
    }
}
