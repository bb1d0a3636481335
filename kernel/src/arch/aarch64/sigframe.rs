//! The arm64 signal frame: what the kernel writes on the user stack before it runs a
//! handler, and reads back in rt_sigreturn (Linux `struct rt_sigframe` in
//! `arch/arm64/kernel/signal.c`, `struct ucontext` in `arch/arm64/include/uapi/asm/ucontext.h`,
//! `struct sigcontext` and the `__reserved` records in `arch/arm64/include/uapi/asm/sigcontext.h`).
//!
//! ```text
//!  higher addresses   the interrupted sp (or the top of the alternate signal stack)
//!                     struct frame_record { fp, lr }   <- x29 of the handler
//!  16-aligned ------- struct rt_sigframe, 4688 bytes   <- sp of the handler
//!                        uc.uc_mcontext.__reserved: records, each { magic, size, ... }:
//!                           fpsimd_context (528): fpsr, fpcr, v0-v31
//!                           esr_context (16): the fault's ESR, for fault signals
//!                           a terminator { 0, 0 }
//!                        uc.uc_mcontext: fault_address, x0-x30, sp, pc, pstate
//!                        uc: uc_flags, uc_link, uc_stack, uc_sigmask
//!                        info: siginfo_t (128 bytes)
//! ```
//!
//! Everything the handler may change is here: rt_sigreturn restores the registers, the
//! blocked mask and the FP/SIMD state from the frame, so a handler that edits
//! `uc_mcontext.pc` or `uc_sigmask` changes where and how the program resumes. The
//! layout is the Linux ABI: glibc, musl, gdb and qemu-user all read it.
//!
//! Simplified: no SVE, SME or extra_context records (Linnet has no SVE).

use core::mem::size_of;

pub use uapi::sigcontext::{ESR_CONTEXT_SIZE, ESR_MAGIC, FPSIMD_CONTEXT_SIZE, FPSIMD_MAGIC};

/// The alternate signal stack, as sigaltstack(2) and `uc_stack` describe it (Linux `stack_t`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StackT {
    /// Lowest address of the stack.
    pub ss_sp: u64,
    /// SS_ONSTACK, SS_DISABLE, SS_AUTODISARM.
    pub ss_flags: i32,
    /// Padding, as the C struct has.
    pub _pad: i32,
    /// Size in bytes.
    pub ss_size: u64,
}

pub use uapi::sigcontext::SigContext;

/// The user context a handler receives as its third argument (Linux arm64 `struct ucontext`).
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct UContext {
    /// Always 0.
    pub uc_flags: u64,
    /// Always NULL.
    pub uc_link: u64,
    /// The alternate stack as it was when the signal came.
    pub uc_stack: StackT,
    /// The blocked mask to restore at rt_sigreturn.
    pub uc_sigmask: u64,
    /// Room for a 1024-bit sigset in glibc's view (1024 / 8 - 8 bytes).
    pub unused: [u8; 120],
    /// Padding: `uc_mcontext` is 16-byte aligned.
    pub _align: u64,
    /// The registers.
    pub uc_mcontext: SigContext,
}

/// The whole frame (Linux arm64 `struct rt_sigframe`).
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct RtSigframe {
    /// `siginfo_t`, the handler's second argument with SA_SIGINFO.
    pub info: [u8; uapi::siginfo::SI_MAX_SIZE],
    /// The context, the handler's third argument.
    pub uc: UContext,
}

// The Linux ABI: offsets glibc, musl, gdb and qemu-user rely on.
const _: () = {
    use core::mem::offset_of;
    use uapi::sigcontext::{UCONTEXT_MCONTEXT_OFFSET, UCONTEXT_SIZE};
    assert!(size_of::<FpsimdState>() == FPSIMD_CONTEXT_SIZE);
    assert!(offset_of!(FpsimdState, fpsr) == 512);
    assert!(size_of::<StackT>() == 24);
    assert!(offset_of!(UContext, uc_sigmask) == 40);
    assert!(offset_of!(UContext, uc_mcontext) == UCONTEXT_MCONTEXT_OFFSET);
    assert!(size_of::<UContext>() == UCONTEXT_SIZE);
    assert!(offset_of!(RtSigframe, uc) == uapi::siginfo::SI_MAX_SIZE);
    assert!(size_of::<RtSigframe>() == 4688);
};

// SAFETY: integers only, with the padding an explicit field.
#[cfg(target_os = "none")]
unsafe impl crate::mm::uaccess::UserPod for StackT {}

impl RtSigframe {
    /// An all-zero frame, on the heap: 4.6 KiB is too much for a 16 KiB kernel stack.
    pub fn new_boxed() -> alloc::boxed::Box<RtSigframe> {
        // SAFETY: every field is an integer or a byte array, for which all-zero bytes
        // are a valid value.
        unsafe { alloc::boxed::Box::<RtSigframe>::new_zeroed().assume_init() }
    }

    /// The frame's bytes, as they go to the user stack.
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: plain data without implicit padding (the const checks above pin the
        // layout); the slice covers exactly the frame and lives as long as the borrow.
        unsafe {
            core::slice::from_raw_parts(self as *const _ as *const u8, size_of::<RtSigframe>())
        }
    }

    /// The frame's bytes, to fill from the user stack.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as for `as_bytes`; any byte pattern is a valid frame.
        unsafe {
            core::slice::from_raw_parts_mut(self as *mut _ as *mut u8, size_of::<RtSigframe>())
        }
    }
}

/// FP/SIMD registers of a user thread (Linux `struct user_fpsimd_state`): what the
/// context switch saves (`context.rs`, whose assembly relies on this layout) and what
/// the frame's FP/SIMD record carries.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FpsimdState {
    /// q0 to q31.
    pub vregs: [u128; 32],
    /// Floating-point status register.
    pub fpsr: u32,
    /// Floating-point control register.
    pub fpcr: u32,
}

/// Write the records into `__reserved` (Linux `setup_sigframe`'s record part): FP/SIMD
/// always, the ESR for a fault, then the terminator.
pub fn write_records(reserved: &mut [u8; 4096], fp: &FpsimdState, esr: Option<u64>) {
    let mut put =
        |off: usize, bytes: &[u8]| reserved[off..off + bytes.len()].copy_from_slice(bytes);
    put(0, &FPSIMD_MAGIC.to_le_bytes());
    put(4, &(FPSIMD_CONTEXT_SIZE as u32).to_le_bytes());
    put(8, &fp.fpsr.to_le_bytes());
    put(12, &fp.fpcr.to_le_bytes());
    for (i, v) in fp.vregs.iter().enumerate() {
        put(16 + 16 * i, &v.to_le_bytes());
    }
    let mut end = FPSIMD_CONTEXT_SIZE;
    if let Some(esr) = esr {
        put(end, &ESR_MAGIC.to_le_bytes());
        put(end + 4, &(ESR_CONTEXT_SIZE as u32).to_le_bytes());
        put(end + 8, &esr.to_le_bytes());
        end += ESR_CONTEXT_SIZE;
    }
    put(end, &[0; 8]); // the terminator: magic 0, size 0
}

/// Walk the records a handler may have edited (Linux `parse_user_sigframe`) and return
/// the FP/SIMD state. `None` means a bad frame: a record that is misaligned, runs past
/// the area, has the wrong size, is unknown or repeated, no terminator, or no FP/SIMD
/// record at all (arm64 Linux requires one).
pub fn parse_records(reserved: &[u8; 4096]) -> Option<FpsimdState> {
    let word = |o: usize| {
        u32::from_le_bytes([
            reserved[o],
            reserved[o + 1],
            reserved[o + 2],
            reserved[o + 3],
        ])
    };
    let mut fp = None;
    let mut seen_esr = false;
    let mut off = 0usize;
    loop {
        if !off.is_multiple_of(16) || off + 8 > reserved.len() {
            return None;
        }
        let (magic, size) = (word(off), word(off + 4) as usize);
        if size > reserved.len() - off {
            return None;
        }
        match magic {
            0 if size == 0 => return fp,
            FPSIMD_MAGIC if size == FPSIMD_CONTEXT_SIZE && fp.is_none() => {
                let mut r = FpsimdState {
                    fpsr: word(off + 8),
                    fpcr: word(off + 12),
                    vregs: [0; 32],
                };
                for (i, v) in r.vregs.iter_mut().enumerate() {
                    let at = off + 16 + 16 * i;
                    let mut bytes = [0u8; 16];
                    bytes.copy_from_slice(&reserved[at..at + 16]);
                    *v = u128::from_le_bytes(bytes);
                }
                fp = Some(r);
            }
            // Informational only: ignored on the way back, as in Linux.
            ESR_MAGIC if size == ESR_CONTEXT_SIZE && !seen_esr => seen_esr = true,
            _ => return None,
        }
        off += size;
    }
}

/// Where the frame goes (Linux `get_sigframe`): below `sp_top`, a 16-byte frame record
/// for unwinders, then the 16-aligned `rt_sigframe`. Returns (frame, frame record).
pub fn sigframe_addrs(sp_top: u64) -> Option<(u64, u64)> {
    let record = sp_top.checked_sub(16)? & !15;
    let frame = record.checked_sub(size_of::<RtSigframe>() as u64)? & !15;
    Some((frame, record))
}

/// PSTATE bits a user program may hold: the condition flags N, Z, C, V.
const PSR_NZCV: u64 = 0xf000_0000;
/// The mode, execution state and interrupt-mask bits (M[3:0], nRW, D, A, I, F) and
/// the other bits below 10: all must be 0 for 64-bit EL0 with interrupts on.
const PSR_PRIVILEGED: u64 = 0x3ff;

/// Is `pstate` one a user program may return to (Linux `valid_native_regs`)? Returns
/// the value to use (bits user code cannot own are cleared), or `None`: a frame asking
/// for EL1, AArch32 or masked interrupts is a bad frame.
pub fn valid_user_pstate(pstate: u64) -> Option<u64> {
    if pstate & PSR_PRIVILEGED != 0 {
        return None;
    }
    Some(pstate & PSR_NZCV)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FpsimdState {
        let mut r = FpsimdState {
            fpsr: 0x1f,
            fpcr: 0x0300_0000,
            vregs: [0; 32],
        };
        for (i, v) in r.vregs.iter_mut().enumerate() {
            *v = (i as u128) << 64 | 0xdead_beef_0000 | i as u128;
        }
        r
    }

    #[test]
    fn records_round_trip() {
        let mut area = [0xaau8; 4096];
        write_records(&mut area, &sample(), None);
        assert_eq!(parse_records(&area), Some(sample()));
        write_records(&mut area, &sample(), Some(0x9200_004f));
        assert_eq!(parse_records(&area), Some(sample()));
        assert_eq!(&area[528..532], &ESR_MAGIC.to_le_bytes());
    }

    #[test]
    fn bad_records_are_refused() {
        let mut good = [0u8; 4096];
        write_records(&mut good, &sample(), Some(1));
        // No FP/SIMD record at all.
        assert_eq!(parse_records(&[0u8; 4096]), None);
        // A wrong size, an unknown magic, a size that is not a multiple of 16.
        for (off, bytes) in [
            (4usize, 527u32.to_le_bytes()),
            (0, 0x1234_5678u32.to_le_bytes()),
            (532, 24u32.to_le_bytes()),
        ] {
            let mut a = good;
            a[off..off + 4].copy_from_slice(&bytes);
            assert_eq!(parse_records(&a), None, "patched at {}", off);
        }
        // A repeated record, and records that run to the end of the area.
        let mut a = [0u8; 4096];
        write_records(&mut a, &sample(), None);
        for off in (528..4096).step_by(16) {
            a[off..off + 4].copy_from_slice(&ESR_MAGIC.to_le_bytes());
            a[off + 4..off + 8].copy_from_slice(&16u32.to_le_bytes());
        }
        assert_eq!(parse_records(&a), None);
        // A huge size must not overflow.
        let mut a = good;
        a[532..536].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse_records(&a), None);
    }

    #[test]
    fn a_new_frame_is_zero() {
        let f = RtSigframe::new_boxed();
        assert_eq!(f.as_bytes().len(), 4688);
        assert!(f.as_bytes().iter().all(|&b| b == 0));
    }

    #[test]
    fn frame_sits_below_the_stack_and_is_aligned() {
        let (frame, record) = sigframe_addrs(0x7fff_ffff_f123).unwrap();
        assert_eq!(record, 0x7fff_ffff_f110);
        assert_eq!(frame % 16, 0);
        assert!(frame + size_of::<RtSigframe>() as u64 <= record);
        assert_eq!(sigframe_addrs(100), None);
    }

    #[test]
    fn pstate_checks() {
        assert_eq!(valid_user_pstate(0x6000_0000), Some(0x6000_0000));
        assert_eq!(valid_user_pstate(0x6040_0000), Some(0x6000_0000)); // PAN dropped
        assert_eq!(valid_user_pstate(0x5), None); // EL1h
        assert_eq!(valid_user_pstate(0x10), None); // AArch32
        assert_eq!(valid_user_pstate(0x80), None); // IRQs masked
    }
}
