//! The arm64 signal frame's records (Linux `arch/arm64/include/uapi/asm/sigcontext.h`).
//!
//! `struct sigcontext` ends in `__reserved[4096]`, a list of records, each starting with
//! a `struct _aarch64_ctx` head (magic, size) and ending with a zero head. The kernel
//! writes them (`arch/aarch64/sigframe.rs`), user space reads them (ulib's `signal.rs`).

/// `_aarch64_ctx.magic` of the FP/SIMD record (Linux `FPSIMD_MAGIC`, `struct fpsimd_context`).
pub const FPSIMD_MAGIC: u32 = 0x4650_8001;
/// `_aarch64_ctx.magic` of the fault syndrome record (Linux `ESR_MAGIC`, `struct esr_context`).
pub const ESR_MAGIC: u32 = 0x4553_5201;
/// `_aarch64_ctx.magic` of the record pointing at more records outside the frame.
pub const EXTRA_MAGIC: u32 = 0x4558_5401;
/// Size of the FP/SIMD record: head 8, fpsr 4, fpcr 4, 32 x 16 bytes.
pub const FPSIMD_CONTEXT_SIZE: usize = 528;
/// Size of the ESR record: head 8, esr 8.
pub const ESR_CONTEXT_SIZE: usize = 16;
/// Size of `sigcontext.__reserved`, the record area.
pub const SIGCONTEXT_RESERVED_SIZE: usize = 4096;
/// Offset of `__reserved` in `struct sigcontext` (fault_address, x0..x30, sp, pc,
/// pstate, 16-byte aligned).
pub const SIGCONTEXT_RESERVED_OFFSET: usize = 288;
/// Size of `struct sigcontext`.
pub const SIGCONTEXT_SIZE: usize = SIGCONTEXT_RESERVED_OFFSET + SIGCONTEXT_RESERVED_SIZE;
/// Offset of `uc_mcontext` (the sigcontext) in arm64's `struct ucontext`.
pub const UCONTEXT_MCONTEXT_OFFSET: usize = 176;
/// Size of arm64's `struct ucontext`.
pub const UCONTEXT_SIZE: usize = UCONTEXT_MCONTEXT_OFFSET + SIGCONTEXT_SIZE;

/// The interrupted registers, as a handler sees them in `uc_mcontext` and rt_sigreturn
/// reads them back (Linux arm64 `struct sigcontext`): then `__reserved`, the records.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
pub struct SigContext {
    /// The faulting address (FAR) for a fault signal, else 0.
    pub fault_address: u64,
    /// x0..x30.
    pub regs: [u64; 31],
    /// The stack pointer.
    pub sp: u64,
    /// Where execution resumes.
    pub pc: u64,
    /// PSTATE (SPSR): NZCV in bits 31..28, DAIF, the mode (0: EL0t).
    pub pstate: u64,
    /// Padding: `__reserved` is 16-byte aligned in C.
    pub _pad: u64,
    /// The records: FP/SIMD, a fault's ESR, then a zero head.
    pub __reserved: [u8; SIGCONTEXT_RESERVED_SIZE],
}

// The Linux ABI: offsets glibc, musl, gdb and qemu-user rely on.
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(offset_of!(SigContext, regs) == 8);
    assert!(offset_of!(SigContext, sp) == 256);
    assert!(offset_of!(SigContext, pc) == 264);
    assert!(offset_of!(SigContext, pstate) == 272);
    assert!(offset_of!(SigContext, __reserved) == SIGCONTEXT_RESERVED_OFFSET);
    assert!(size_of::<SigContext>() == SIGCONTEXT_SIZE);
};
