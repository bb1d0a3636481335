//! Small CPU helpers: reading syndrome registers, masking interrupts, waiting.
//!
//! Everything here is one or two instructions; the names say what each does so the rest
//! of the kernel never writes inline assembly (arch code behind a door).

use aarch64_cpu::asm;
use aarch64_cpu::registers::{Readable, Writeable, DAIF, ESR_EL1, FAR_EL1};

/// ESR_EL1: why the current synchronous exception was taken.
pub fn read_esr() -> u64 {
    ESR_EL1.get()
}

/// FAR_EL1: the faulting virtual address of the current abort.
pub fn read_far() -> u64 {
    FAR_EL1.get()
}

/// Unmask IRQs at EL1 (Linux `local_irq_enable`).
pub fn local_irq_enable() {
    DAIF.write(DAIF::I::Unmasked);
}

/// Mask IRQs at EL1 (Linux `local_irq_disable`).
pub fn local_irq_disable() {
    DAIF.write(DAIF::I::Masked + DAIF::F::Masked + DAIF::A::Masked + DAIF::D::Masked);
}

/// Mask IRQs and return the previous DAIF, for `local_irq_restore` (Linux
/// `local_irq_save`).
pub fn local_irq_save() -> u64 {
    let flags = DAIF.get();
    local_irq_disable();
    flags
}

/// Put DAIF back as `local_irq_save` found it (Linux `local_irq_restore`).
pub fn local_irq_restore(flags: u64) {
    DAIF.set(flags);
}

/// Are IRQs masked (PSTATE.I set)? (Linux `irqs_disabled`)
pub fn irqs_disabled() -> bool {
    DAIF.is_set(DAIF::I)
}

/// Wait for an interrupt (Linux `cpu_do_idle`).
pub fn wait_for_interrupt() {
    asm::wfi();
}

/// The current stack pointer (for the self-tests and reports).
pub fn current_sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register, touches no memory.
    unsafe { core::arch::asm!("mov {}, sp", out(reg) sp) };
    sp
}

/// The current frame pointer (x29), where a backtrace of the running code starts.
pub fn current_fp() -> u64 {
    let fp: u64;
    // SAFETY: reads a register, touches no memory.
    unsafe { core::arch::asm!("mov {}, x29", out(reg) fp) };
    fp
}

core::arch::global_asm!(
    // call_on_stack(arg, f, sp): run f(arg) on another stack and come back.
    ".section .text",
    ".global call_on_stack",
    "call_on_stack:",
    "  stp x29, x30, [sp, #-16]!",
    "  mov x29, sp",
    "  mov x9, sp",
    "  mov sp, x2",
    "  str x9, [sp, #-16]!",
    "  blr x1",
    "  ldr x9, [sp], #16",
    "  mov sp, x9",
    "  ldp x29, x30, [sp], #16",
    "  ret",
);

extern "C" {
    fn call_on_stack(arg: usize, f: extern "C" fn(usize), sp: usize);
}

/// Run `f(arg)` with the stack pointer set to `sp` (the top of another kernel stack).
///
/// # Safety
/// `sp` must be the 16-byte-aligned top of a mapped kernel stack nobody else uses.
pub unsafe fn run_on_stack(arg: usize, f: extern "C" fn(usize), sp: usize) {
    // SAFETY: the caller's contract; call_on_stack restores sp before returning.
    unsafe { call_on_stack(arg, f, sp) }
}

/// The HWCAP bits Linux would report for this CPU (`cpufeature::elf_hwcap_from` reads
/// the ID registers' fields).
pub fn elf_hwcap() -> u64 {
    use aarch64_cpu::registers::{ID_AA64ISAR0_EL1, ID_AA64PFR0_EL1};
    super::cpufeature::elf_hwcap_from(ID_AA64PFR0_EL1.get(), ID_AA64ISAR0_EL1.get())
}

/// CTR_EL0, the cache type register (aarch64-cpu 11 has no accessor for it).
pub fn read_ctr_el0() -> u64 {
    let ctr: u64;
    // SAFETY: reading CTR_EL0 has no side effects.
    unsafe { core::arch::asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack)) };
    ctr
}

/// Turn on Privileged Access Never where the CPU has it (FEAT_PAN, Armv8.1; Linux
/// `cpu_enable_pan`): EL1 then faults on any plain load or store to memory EL0 may
/// access, so only the `ldtr`/`sttr` of `uaccess` reach user memory. SCTLR_EL1.SPAN is
/// cleared so that every exception into EL1 sets PAN again. The Cortex-A72 QEMU models
/// by default predates PAN; `CPU=max` has it. Returns whether PAN is on.
pub fn enable_pan() -> bool {
    use aarch64_cpu::registers::{ID_AA64MMFR1_EL1, SCTLR_EL1};
    if ID_AA64MMFR1_EL1.read(ID_AA64MMFR1_EL1::PAN) == 0 {
        return false;
    }
    // SPAN is bit 23; aarch64-cpu 11 does not name it (to it, a RES1 bit of Armv8.0).
    const SCTLR_EL1_SPAN: u64 = 1 << 23;
    SCTLR_EL1.set(SCTLR_EL1.get() & !SCTLR_EL1_SPAN);
    // SAFETY: writes PSTATE.PAN through its system-register form (S3_0_C4_C2_3); the
    // kernel touches user memory only with unprivileged loads and stores.
    unsafe { core::arch::asm!("msr S3_0_C4_C2_3, {}", in(reg) 1u64 << 22, options(nostack)) };
    true
}

/// Let EL0 read the virtual counter and CNTFRQ_EL0, and start the event stream that
/// HWCAP_EVTSTRM promises (Linux `arch_counter_set_user_access` and
/// `arch_timer_evtstrm_enable` in `drivers/clocksource/arm_arch_timer.c`): CNTKCTL_EL1
/// EL0VCTEN (bit 1) set, EL0PCTEN and the EL0 timer-register bits clear; EVNTEN (bit 2)
/// with EVNTI (bits 7:4) chosen, as Linux does, for about 10 kHz from the counter.
pub fn arch_counter_set_user_access() {
    let freq = crate::drivers::timer::counter_frequency();
    let cntkctl = super::cpufeature::cntkctl_value(freq);
    // SAFETY: CNTKCTL_EL1 only controls EL0 access to the timer and the event stream.
    unsafe { core::arch::asm!("msr cntkctl_el1, {}", "isb", in(reg) cntkctl, options(nostack)) };
}
