//! Architecture code, and the one door to it. Linnet has one architecture, AArch64;
//! everything that touches its system registers, exception vectors, descriptors or TLB
//! lives under `arch/aarch64/`, which is private: code outside `arch/` names
//! `crate::arch::mmu`, `crate::arch::TrapFrame`, ..., never the architecture itself, as
//! Linux's generic code includes `<asm/mmu_context.h>` and gets the one its build
//! selected. A second architecture would be a sibling folder and a `cfg` here.
//!
//! The data-only parts (descriptor formats, ESR decoding) also compile on the host so
//! they can be unit-tested.

mod aarch64;

/// What generic code may use, by Linux's `asm/` header it stands for.
pub use aarch64::{
    asid,       // asm/mmu_context.h: ASID allocation
    cpufeature, // asm/cpufeature.h: ID registers, HWCAPs
    esr,        // asm/esr.h: exception syndromes (for gdb_constants.rs)
    pte,        // asm/pgtable-hwdef.h, asm/pgtable-prot.h: descriptor bits
    sigframe,   // uapi/asm/sigcontext.h: the signal frame
    sysreg,     // asm/sysreg.h: register values
    vdso,       // asm/vdso.h
};

#[cfg(target_os = "none")]
pub use aarch64::{
    backtrace, // asm/stacktrace.h
    context,   // asm/processor.h, asm/fpsimd.h: switch_to's saved state
    cpu,       // asm/irqflags.h, asm/barrier.h: interrupts, wfi, registers
    mmu,       // asm/tlbflush.h, asm/mmu_context.h: TTBRs and TLB maintenance
    signal,    // arch/arm64/kernel/signal.c: frames on the user stack
    trap,      // asm/ptrace.h, asm/traps.h: the saved registers, die
    uaccess,   // asm/uaccess.h: the user-copy routines
};

#[cfg(target_os = "none")]
pub use aarch64::trap::{TrapFrame, NO_SYSCALL};

/// Host unit tests: the MMU maintenance the generic mm code calls, for a machine without
/// an MMU (`arch/host/`), so `MmStruct` and the fault path run in `cargo test`.
#[cfg(not(target_os = "none"))]
mod host;
#[cfg(not(target_os = "none"))]
pub use host::mmu;
