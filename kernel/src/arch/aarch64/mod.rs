//! AArch64: the boot code (`head.S`), exception entry (`entry.S`, `trap.rs`), the MMU
//! (`mmu.rs`), and the data formats the rest of the kernel reads through this door:
//! page-table descriptors (`pte.rs`) and exception syndromes (`esr.rs`).
//!
//! What user space gets from the architecture: the vDSO and its data page (`vdso/`), and
//! EL0 reads of the ID registers, emulated (`cpufeature.rs`).
//!
//! Boot path: `head.S` (Image header, EL2 -> EL1, early tables, MMU on) ->
//! `init::start_kernel`. Exceptions: `entry.S` (`vectors`) -> `trap.rs`.

pub mod asid;
pub mod cpufeature;
pub mod esr;
pub mod pte;
pub mod sigframe;
pub mod vdso;

#[cfg(target_os = "none")]
pub mod backtrace;
#[cfg(target_os = "none")]
pub mod context;
#[cfg(target_os = "none")]
pub mod cpu;
#[cfg(target_os = "none")]
pub mod mmu;
#[cfg(target_os = "none")]
pub mod signal;
#[cfg(target_os = "none")]
pub mod trap;
#[cfg(target_os = "none")]
pub mod uaccess;

#[cfg(target_os = "none")]
core::arch::global_asm!(include_str!("head.S"));
#[cfg(target_os = "none")]
core::arch::global_asm!(
    include_str!("entry.S"),
    THREAD_SHIFT = const crate::mm::layout::THREAD_SHIFT
);
