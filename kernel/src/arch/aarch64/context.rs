//! The context switch: saving one task's kernel registers and resuming another's (Linux
//! `cpu_switch_to` in `arch/arm64/kernel/entry.S`, `struct cpu_context` in
//! `asm/processor.h`, and the FP/SIMD and TLS parts of `__switch_to` in `process.c`).
//!
//! Only callee-saved registers need saving: `cpu_switch_to` is an ordinary function call
//! for its caller, which has already spilled everything else. A task's user registers are
//! in its `TrapFrame` at the top of its kernel stack and never move. What the kernel does
//! not use itself but user code does (TPIDR_EL0, the 32 FP/SIMD registers) is swapped
//! here too.

/// Callee-saved registers of a task that is not running (Linux `struct cpu_context`).
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct CpuContext {
    /// x19 to x28.
    pub x19_x28: [u64; 10],
    /// x29, the frame pointer.
    pub fp: u64,
    /// The kernel stack pointer.
    pub sp: u64,
    /// Where `cpu_switch_to` returns to: for a new task, `ret_from_fork`.
    pub pc: u64,
}

/// FP/SIMD registers of a user thread; defined with the signal frame, which carries
/// them too (`sigframe.rs`).
pub use super::sigframe::FpsimdState;

// The offsets into `CpuContext` and `FpsimdState` are `const` operands from
// `asm_offsets.rs`, computed by the compiler.
core::arch::global_asm!(
    // The kernel is built without FP/SIMD; these few routines move the user's registers.
    ".arch_extension fp",
    ".arch_extension simd",
    ".section .text",
    ".cfi_sections .debug_frame",
    // cpu_switch_to(prev: *mut CpuContext, next: *const CpuContext)
    ".global cpu_switch_to",
    "cpu_switch_to:",
    "  mov x10, sp",
    "  stp x19, x20, [x0, #{x19} + 16 * 0]",
    "  stp x21, x22, [x0, #{x19} + 16 * 1]",
    "  stp x23, x24, [x0, #{x19} + 16 * 2]",
    "  stp x25, x26, [x0, #{x19} + 16 * 3]",
    "  stp x27, x28, [x0, #{x19} + 16 * 4]",
    "  stp x29, x10, [x0, #{fp}]",
    "  str x30, [x0, #{pc}]",
    "  ldp x19, x20, [x1, #{x19} + 16 * 0]",
    "  ldp x21, x22, [x1, #{x19} + 16 * 1]",
    "  ldp x23, x24, [x1, #{x19} + 16 * 2]",
    "  ldp x25, x26, [x1, #{x19} + 16 * 3]",
    "  ldp x27, x28, [x1, #{x19} + 16 * 4]",
    "  ldp x29, x10, [x1, #{fp}]",
    "  ldr x30, [x1, #{pc}]",
    "  mov sp, x10",
    "  ret",
    // A new task starts here: finish the switch, then leave to EL0 through its TrapFrame,
    // which is where sp points (Linux ret_from_fork).
    // Both are where a task's kernel stack begins: x30 undefined in their call-frame
    // information ends gdb's backtrace there (.debug_frame, as in entry.S).
    ".global ret_from_fork",
    "ret_from_fork:",
    "  .cfi_startproc",
    "  .cfi_undefined x30",
    "  bl schedule_tail",
    "  mov x29, xzr",
    "  b ret_to_el0",
    "  .cfi_endproc",
    // A kernel thread starts here: run fn(arg) from x19/x20; if it returns, its
    // TrapFrame holds a user context (kernel_execve filled it) and it leaves to EL0.
    ".global ret_from_kernel_thread",
    "ret_from_kernel_thread:",
    "  .cfi_startproc",
    "  .cfi_undefined x30",
    "  bl schedule_tail",
    "  mov x0, x20",
    "  blr x19",
    "  mov x29, xzr",
    "  b ret_to_el0",
    "  .cfi_endproc",
    // fpsimd_save_state(state: *mut FpsimdState) / fpsimd_load_state(state)
    ".global fpsimd_save_state",
    "fpsimd_save_state:",
    "  stp q0, q1, [x0, #{vregs} + 32 * 0]",
    "  stp q2, q3, [x0, #{vregs} + 32 * 1]",
    "  stp q4, q5, [x0, #{vregs} + 32 * 2]",
    "  stp q6, q7, [x0, #{vregs} + 32 * 3]",
    "  stp q8, q9, [x0, #{vregs} + 32 * 4]",
    "  stp q10, q11, [x0, #{vregs} + 32 * 5]",
    "  stp q12, q13, [x0, #{vregs} + 32 * 6]",
    "  stp q14, q15, [x0, #{vregs} + 32 * 7]",
    "  stp q16, q17, [x0, #{vregs} + 32 * 8]",
    "  stp q18, q19, [x0, #{vregs} + 32 * 9]",
    "  stp q20, q21, [x0, #{vregs} + 32 * 10]",
    "  stp q22, q23, [x0, #{vregs} + 32 * 11]",
    "  stp q24, q25, [x0, #{vregs} + 32 * 12]",
    "  stp q26, q27, [x0, #{vregs} + 32 * 13]",
    "  stp q28, q29, [x0, #{vregs} + 32 * 14]",
    "  stp q30, q31, [x0, #{vregs} + 32 * 15]",
    "  mrs x1, fpsr",
    "  mrs x2, fpcr",
    "  add x0, x0, #{fpsr}",
    "  stp w1, w2, [x0]",
    "  ret",
    ".global fpsimd_load_state",
    "fpsimd_load_state:",
    "  ldp q0, q1, [x0, #{vregs} + 32 * 0]",
    "  ldp q2, q3, [x0, #{vregs} + 32 * 1]",
    "  ldp q4, q5, [x0, #{vregs} + 32 * 2]",
    "  ldp q6, q7, [x0, #{vregs} + 32 * 3]",
    "  ldp q8, q9, [x0, #{vregs} + 32 * 4]",
    "  ldp q10, q11, [x0, #{vregs} + 32 * 5]",
    "  ldp q12, q13, [x0, #{vregs} + 32 * 6]",
    "  ldp q14, q15, [x0, #{vregs} + 32 * 7]",
    "  ldp q16, q17, [x0, #{vregs} + 32 * 8]",
    "  ldp q18, q19, [x0, #{vregs} + 32 * 9]",
    "  ldp q20, q21, [x0, #{vregs} + 32 * 10]",
    "  ldp q22, q23, [x0, #{vregs} + 32 * 11]",
    "  ldp q24, q25, [x0, #{vregs} + 32 * 12]",
    "  ldp q26, q27, [x0, #{vregs} + 32 * 13]",
    "  ldp q28, q29, [x0, #{vregs} + 32 * 14]",
    "  ldp q30, q31, [x0, #{vregs} + 32 * 15]",
    "  add x0, x0, #{fpsr}",
    "  ldp w1, w2, [x0]",
    "  msr fpsr, x1",
    "  msr fpcr, x2",
    "  ret",
    x19 = const super::asm_offsets::CPU_CONTEXT_X19,
    fp = const super::asm_offsets::CPU_CONTEXT_FP,
    pc = const super::asm_offsets::CPU_CONTEXT_PC,
    vregs = const super::asm_offsets::FPSIMD_VREGS,
    fpsr = const super::asm_offsets::FPSIMD_FPSR,
);

extern "C" {
    fn cpu_switch_to(prev: *mut CpuContext, next: *const CpuContext);
    fn fpsimd_save_state(state: *mut FpsimdState);
    fn fpsimd_load_state(state: *const FpsimdState);
    fn ret_from_fork();
    fn ret_from_kernel_thread();
}

/// Switch kernel stacks and callee-saved registers: returns when someone switches back.
///
/// # Safety
/// `next` must hold a context saved by `cpu_switch_to` or prepared by `new_task_context`,
/// whose stack is still mapped; `prev` must stay valid until the switch back.
pub unsafe fn switch_to(prev: *mut CpuContext, next: *const CpuContext) {
    // SAFETY: the caller's contract.
    unsafe { cpu_switch_to(prev, next) }
}

/// The context of a task that has never run: it will enter `ret_from_fork` with `sp` at
/// its TrapFrame and leave to EL0 from there.
pub fn new_task_context(frame_addr: usize) -> CpuContext {
    CpuContext {
        sp: frame_addr as u64,
        pc: ret_from_fork as *const () as u64,
        ..Default::default()
    }
}

/// The context of a kernel thread that will run `f(arg)` on its own stack, with `sp` at
/// its TrapFrame (Linux `copy_thread` for a kernel thread: x19 = function, x20 = argument).
pub fn new_kthread_context(frame_addr: usize, f: extern "C" fn(usize), arg: usize) -> CpuContext {
    let mut ctx = CpuContext {
        sp: frame_addr as u64,
        pc: ret_from_kernel_thread as *const () as u64,
        ..Default::default()
    };
    ctx.x19_x28[0] = f as *const () as u64;
    ctx.x19_x28[1] = arg as u64;
    ctx
}

/// Save the user's FP/SIMD registers.
pub fn fpsimd_save(state: &mut FpsimdState) {
    // SAFETY: writes exactly the 528 bytes of `state`; the kernel itself never uses FP.
    unsafe { fpsimd_save_state(state) }
}

/// Load a user's FP/SIMD registers.
pub fn fpsimd_load(state: &FpsimdState) {
    // SAFETY: reads exactly the bytes of `state`.
    unsafe { fpsimd_load_state(state) }
}

/// The user thread pointer TPIDR_EL0 (where a thread's TLS block is).
pub fn read_tpidr_el0() -> u64 {
    let v: u64;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mrs {}, tpidr_el0", out(reg) v) };
    v
}

/// Set TPIDR_EL0.
pub fn write_tpidr_el0(v: u64) {
    // SAFETY: writes a register only user code reads.
    unsafe { core::arch::asm!("msr tpidr_el0, {}", in(reg) v) };
}
