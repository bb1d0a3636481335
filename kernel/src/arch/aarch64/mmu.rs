//! MMU control: which tables TTBR0/TTBR1 point at, and TLB maintenance.
//!
//! Mirrors Linux `arch/arm64/include/asm/mmu_context.h` (`cpu_set_reserved_ttbr0`,
//! `cpu_replace_ttbr1`) and `tlbflush.h` (`flush_tlb_all`, `flush_tlb_kernel_range`).
//! TCR_EL1 and MAIR_EL1 are set once in `head.S` and never change.

use aarch64_cpu::asm::barrier;
use aarch64_cpu::registers::{Readable, Writeable, TTBR0_EL1, TTBR1_EL1};

core::arch::global_asm!(
    // Runs from the identity map (TTBR0) while TTBR1 changes under the kernel's feet:
    // first an empty table and a TLB flush, then the new table (Linux
    // idmap_cpu_replace_ttbr1 in arch/arm64/mm/proc.S; avoids TLB conflicts between the
    // early block mappings and the final page mappings of the same addresses).
    ".section .text",
    ".global idmap_cpu_replace_ttbr1",
    ".balign 16",
    "idmap_cpu_replace_ttbr1:",
    "  msr ttbr1_el1, x1",
    "  isb",
    "  tlbi vmalle1",
    "  dsb nsh",
    "  isb",
    "  msr ttbr1_el1, x0",
    "  isb",
    "  ret",
);

extern "C" {
    fn idmap_cpu_replace_ttbr1(new_root: u64, empty_root: u64);
}

/// Switch TTBR1 to the table at `new_root` (physical). Must be called while the early
/// identity map is still in TTBR0: the switch runs from there. `image_pa` is the physical
/// address of `_text`; `empty_root` a zeroed page.
///
/// # Safety
/// The new table must map the running kernel (text, stack, data) at the same addresses.
pub unsafe fn cpu_replace_ttbr1(new_root: usize, empty_root: usize, image_pa: usize) {
    let va = idmap_cpu_replace_ttbr1 as *const () as usize;
    let pa = va - crate::mm::layout::KIMAGE_VADDR + image_pa;
    // SAFETY: `pa` is the identity-mapped alias of idmap_cpu_replace_ttbr1 (TTBR0 still
    // holds the early identity map); it touches no memory and returns to our caller.
    unsafe {
        let f: unsafe extern "C" fn(u64, u64) = core::mem::transmute(pa);
        f(new_root as u64, empty_root as u64);
    }
}

/// Point TTBR0 at a table with no valid entries, so every user-half access faults
/// (Linux `cpu_set_reserved_ttbr0`: used when no user address space is active).
pub fn cpu_set_reserved_ttbr0(empty_root: usize) {
    TTBR0_EL1.set(empty_root as u64);
    barrier::isb(barrier::SY);
    flush_tlb_all();
}

/// Physical address of the current TTBR0 table (user half): the BADDR field, bits 47:1.
pub fn ttbr0_root() -> usize {
    (TTBR0_EL1.read(TTBR0_EL1::BADDR) << TTBR0_EL1::BADDR.shift) as usize
}

/// Physical address of the current TTBR1 table (kernel half).
pub fn ttbr1_root() -> usize {
    (TTBR1_EL1.read(TTBR1_EL1::BADDR) << TTBR1_EL1::BADDR.shift) as usize
}

/// Invalidate every TLB entry of this CPU (Linux `local_flush_tlb_all`).
pub fn flush_tlb_all() {
    barrier::dsb(barrier::ISHST);
    // SAFETY: TLB maintenance has no memory-safety effect; the barriers order it.
    unsafe { core::arch::asm!("tlbi vmalle1", options(nostack)) };
    barrier::dsb(barrier::ISH);
    barrier::isb(barrier::SY);
}

/// Invalidate the TLB entries of one kernel page, all ASIDs (Linux
/// `flush_tlb_kernel_range` for one page).
pub fn flush_tlb_kernel_page(va: usize) {
    barrier::dsb(barrier::ISHST);
    // SAFETY: as above; the operand is VA[55:12].
    unsafe { core::arch::asm!("tlbi vaae1, {}", in(reg) (va >> 12) as u64, options(nostack)) };
    barrier::dsb(barrier::ISH);
    barrier::isb(barrier::SY);
}

/// Bits of ASID the CPU supports (ID_AA64MMFR0_EL1.ASIDBits: 0b0010 means 16, else 8).
/// head.S set TCR_EL1.AS (16-bit ASIDs); on an 8-bit CPU the upper bits are ignored.
pub fn asid_bits() -> u32 {
    use aarch64_cpu::registers::ID_AA64MMFR0_EL1;
    if ID_AA64MMFR0_EL1.read(ID_AA64MMFR0_EL1::ASIDBits) == 0b0010 {
        16
    } else {
        8
    }
}

/// Install a user address space: its table and ASID in TTBR0 (Linux `cpu_switch_mm`).
/// Only the context switch calls this: never syscall entry or exit.
pub fn cpu_switch_mm(pgd_pa: usize, asid: u16) {
    TTBR0_EL1.write(
        TTBR0_EL1::ASID.val(asid as u64)
            + TTBR0_EL1::BADDR.val(pgd_pa as u64 >> TTBR0_EL1::BADDR.shift),
    );
    barrier::isb(barrier::SY);
}

/// Invalidate every TLB entry of one ASID (Linux `flush_tlb_mm`).
pub fn flush_tlb_asid(asid: u16) {
    barrier::dsb(barrier::ISHST);
    // SAFETY: TLB maintenance only; the operand's bits 63:48 are the ASID.
    unsafe { core::arch::asm!("tlbi aside1is, {}", in(reg) (asid as u64) << 48, options(nostack)) };
    barrier::dsb(barrier::ISH);
    barrier::isb(barrier::SY);
}

/// Invalidate one user page of one ASID (Linux `flush_tlb_page`).
pub fn flush_tlb_user_page(asid: u16, va: usize) {
    barrier::dsb(barrier::ISHST);
    let op = ((asid as u64) << 48) | ((va as u64 >> 12) & 0xfff_ffff_ffff);
    // SAFETY: TLB maintenance only.
    unsafe { core::arch::asm!("tlbi vae1is, {}", in(reg) op, options(nostack)) };
    barrier::dsb(barrier::ISH);
    barrier::isb(barrier::SY);
}

/// Make instructions just written at kernel address `kva` visible to instruction fetch
/// (Linux `caches_clean_inval_pou`, used by `__sync_icache_dcache`): clean the data cache
/// to the point of unification, then invalidate the instruction cache. QEMU does not
/// model caches, so forgetting this works there and fails on real hardware.
pub fn sync_icache(kva: usize, len: usize) {
    use super::sysreg::id::{line_bytes, CTR_EL0};
    use tock_registers::LocalRegisterCopy;
    let ctr: LocalRegisterCopy<u64, CTR_EL0::Register> =
        LocalRegisterCopy::new(super::cpu::read_ctr_el0());
    let dline = line_bytes(ctr.read(CTR_EL0::DminLine));
    let mut a = kva & !(dline - 1);
    while a < kva + len {
        // SAFETY: cache maintenance on a mapped kernel address; no data changes.
        unsafe { core::arch::asm!("dc cvau, {}", in(reg) a, options(nostack)) };
        a += dline;
    }
    barrier::dsb(barrier::ISH);
    let iline = line_bytes(ctr.read(CTR_EL0::IminLine));
    let mut a = kva & !(iline - 1);
    while a < kva + len {
        // SAFETY: as above.
        unsafe { core::arch::asm!("ic ivau, {}", in(reg) a, options(nostack)) };
        a += iline;
    }
    barrier::dsb(barrier::ISH);
    barrier::isb(barrier::SY);
}
