//! Structure offsets for the assembly, computed by the compiler (Linux
//! `arch/arm64/kernel/asm-offsets.c`, which compiles `DEFINE(S_PC, offsetof(struct
//! pt_regs, pc))` lines into a generated header). Here the values are ordinary constants
//! handed to `global_asm!` as `const` operands (`mod.rs` for `entry.S`, `context.rs` for
//! `cpu_switch_to` and the FP/SIMD routines), so a field moved in Rust moves in the
//! assembly too. What the assembly assumes beyond single offsets (pairs of fields that
//! one `stp`/`ldp` moves together) is asserted below.

use super::context::{CpuContext, FpsimdState};
use super::trap::TrapFrame;
use core::mem::{offset_of, size_of};

/// `TrapFrame::regs[0]`: x0, the first of x0-x30 (Linux `S_X0`).
pub const S_X0: usize = offset_of!(TrapFrame, regs);
/// `TrapFrame::regs[30]`: x30, the link register (Linux `S_LR`).
pub const S_LR: usize = S_X0 + 30 * 8;
/// `TrapFrame::sp` (Linux `S_SP`).
pub const S_SP: usize = offset_of!(TrapFrame, sp);
/// `TrapFrame::pc`, the saved ELR_EL1 (Linux `S_PC`).
pub const S_PC: usize = offset_of!(TrapFrame, pc);
/// `TrapFrame::pstate`, the saved SPSR_EL1 (Linux `S_PSTATE`).
pub const S_PSTATE: usize = offset_of!(TrapFrame, pstate);
/// `TrapFrame::orig_x0` (Linux `S_ORIG_X0`).
pub const S_ORIG_X0: usize = offset_of!(TrapFrame, orig_x0);
/// The whole frame: what each exception entry takes off the stack (Linux
/// `PT_REGS_SIZE`, formerly `S_FRAME_SIZE`).
pub const S_FRAME_SIZE: usize = size_of::<TrapFrame>();

/// `CpuContext::x19_x28[0]`, where `cpu_switch_to` saves x19-x28 (Linux
/// `THREAD_CPU_CONTEXT` + `CPU_CONTEXT_X19`, simplified: the context is passed directly).
pub const CPU_CONTEXT_X19: usize = offset_of!(CpuContext, x19_x28);
/// `CpuContext::fp`, the saved x29 (followed by `sp`).
pub const CPU_CONTEXT_FP: usize = offset_of!(CpuContext, fp);
/// `CpuContext::pc`, the saved x30: where `cpu_switch_to` returns for this task.
pub const CPU_CONTEXT_PC: usize = offset_of!(CpuContext, pc);

/// `FpsimdState::vregs`, q0-q31.
pub const FPSIMD_VREGS: usize = offset_of!(FpsimdState, vregs);
/// `FpsimdState::fpsr` (followed by `fpcr`).
pub const FPSIMD_FPSR: usize = offset_of!(FpsimdState, fpsr);

// What the instructions assume besides the offsets themselves.
const _: () = {
    // kernel_entry / kernel_exit: `stp x30, x21, [sp, #S_LR]` (lr, sp), `stp x22, x23,
    // [sp, #S_PC]` (pc, pstate), `ldp x21, x22, [sp, #S_SP]` (sp, pc).
    assert!(S_SP == S_LR + 8);
    assert!(S_PC == S_SP + 8);
    assert!(S_PSTATE == S_PC + 8);
    // The frame keeps sp 16-byte aligned, as AArch64 requires of sp.
    assert!(S_FRAME_SIZE.is_multiple_of(16));
    // cpu_switch_to: x19-x28 in order, then `stp x29, x10, [x0, #CPU_CONTEXT_FP]` (fp, sp).
    assert!(offset_of!(CpuContext, sp) == CPU_CONTEXT_FP + 8);
    // fpsimd_save_state: `stp w1, w2` at FPSIMD_FPSR (fpsr, fpcr).
    assert!(offset_of!(FpsimdState, fpcr) == FPSIMD_FPSR + 4);
};
