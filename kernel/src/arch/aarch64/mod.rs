//! AArch64: the boot code (`head.S`), exception entry (`entry.S`, `trap.rs`), the MMU
//! (`mmu.rs`), and the data formats the rest of the kernel reads through this door:
//! page-table descriptors (`pte.rs`) and exception syndromes (`esr.rs`).
//!
//! What user space gets from the architecture: the vDSO and its data page (`vdso/`), and
//! EL0 reads of the ID registers, emulated (`cpufeature.rs`).
//!
//! Boot path: `head.S` (Image header, EL2 -> EL1, early tables, MMU on) ->
//! `init::start_kernel`. Exceptions: `entry.S` (`vectors`) -> `trap.rs` (-> `fault.rs` for
//! data and instruction aborts, which calls the generic `mm::fault::handle_mm_fault`).
//!
//! The assembly writes no number the Rust side also knows: structure offsets come from
//! `asm_offsets.rs`, register values from `sysreg.rs`, descriptor bits and MAIR from
//! `pte.rs`, all as `const` operands of the `global_asm!`s below and in `context.rs`.

pub mod asid;
pub mod cpufeature;
pub mod esr;
pub mod pte;
pub mod sigframe;
pub mod sysreg;
pub mod vdso;

#[cfg(target_os = "none")]
pub mod asm_offsets;
#[cfg(target_os = "none")]
pub mod backtrace;
#[cfg(target_os = "none")]
pub mod context;
#[cfg(target_os = "none")]
pub mod cpu;
#[cfg(target_os = "none")]
pub mod fault;
#[cfg(target_os = "none")]
pub mod mmu;
#[cfg(target_os = "none")]
pub mod signal;
#[cfg(target_os = "none")]
pub mod syscall;
#[cfg(target_os = "none")]
pub mod trap;
#[cfg(target_os = "none")]
pub mod uaccess;

#[cfg(target_os = "none")]
core::arch::global_asm!(
    include_str!("head.S"),
    PTE_VALID = const pte::VALID::SET.value,
    PTE_TABLE = const pte::TYPE::Table.value,
    ATTR_NORMAL = const pte::ATTRINDX::Normal.value,
    ATTR_DEVICE = const pte::ATTRINDX::Device_nGnRE.value,
    PTE_SH_INNER = const pte::SH::InnerShareable.value,
    PTE_AF = const pte::AF::SET.value,
    PTE_PXN = const pte::PXN::SET.value,
    PTE_UXN = const pte::UXN::SET.value,
    MAIR_EL1_VALUE = const pte::MAIR_EL1_VALUE,
    KIMAGE_VADDR = const crate::mm::layout::KIMAGE_VADDR,
    TCR_EL1_VALUE = const sysreg::TCR_EL1_VALUE,
    TCR_EL1_IPS_SHIFT = const sysreg::TCR_EL1_IPS_SHIFT,
    ID_AA64MMFR0_EL1_PARANGE_SHIFT = const sysreg::ID_AA64MMFR0_EL1_PARANGE_SHIFT,
    INIT_SCTLR_EL1_MMU_OFF = const sysreg::INIT_SCTLR_EL1_MMU_OFF,
    INIT_SCTLR_EL1_MMU_ON = const sysreg::INIT_SCTLR_EL1_MMU_ON,
    INIT_HCR_EL2 = const sysreg::INIT_HCR_EL2,
    CNTHCTL_EL2_EL1PC = const sysreg::CNTHCTL_EL2_EL1PC,
    ICC_SRE_EL2_INIT = const sysreg::ICC_SRE_EL2_INIT,
    INIT_PSTATE_EL1 = const sysreg::INIT_PSTATE_EL1,
    CPACR_EL1_FPEN = const sysreg::CPACR_EL1_FPEN,
);
#[cfg(target_os = "none")]
core::arch::global_asm!(
    include_str!("entry.S"),
    THREAD_SHIFT = const crate::mm::layout::THREAD_SHIFT,
    S_X0 = const asm_offsets::S_X0,
    S_LR = const asm_offsets::S_LR,
    S_SP = const asm_offsets::S_SP,
    S_PC = const asm_offsets::S_PC,
    S_PSTATE = const asm_offsets::S_PSTATE,
    S_ORIG_X0 = const asm_offsets::S_ORIG_X0,
    S_FRAME_SIZE = const asm_offsets::S_FRAME_SIZE,
);
