//! Signals: kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, rt_sigsuspend,
//! sigaltstack, the signal numbers, and what a handler needs.
//!
//! A user handler is installed with [`sigaction`] (`extern "C" fn(i32)`) or
//! [`sigaction_info`] (`extern "C" fn(i32, *mut SigInfo, *mut UContext)`, SA_SIGINFO).
//! Both set SA_RESTORER with ulib's [`restorer`], `__restore_rt`: the two instructions of
//! Linux's vDSO `__kernel_rt_sigreturn` (`mov x8, #139; svc #0`), which the handler
//! returns to. On arm64 the kernel delivers a signal by pushing a `struct rt_sigframe`
//! (a [`SigInfo`], then a [`UContext`] holding the interrupted registers, the old blocked
//! mask and, in `__reserved`, the FP/SIMD state as records) on the user stack or on the
//! alternate stack ([`sigaltstack`], SA_ONSTACK), and enters the handler with x0 = signo,
//! x1 = &info, x2 = &uc, x30 = the restorer. rt_sigreturn reads the frame back.
//! The layouts are Linux's (`arch/arm64/include/uapi/asm/sigcontext.h`, `ucontext.h`,
//! `include/uapi/asm-generic/siginfo.h`), the numbers too
//! (`include/uapi/asm-generic/signal.h`). On Linnet the kernel side is `get_signal`
//! (kernel/src/task/signal.rs), `do_signal`, `setup_rt_frame` and `sys_rt_sigreturn`
//! (kernel/src/arch/aarch64/signal.rs) and the frame layout (arch/aarch64/sigframe.rs).

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall2, syscall3, syscall4};
use core::arch::global_asm;

/// SIGHUP.
pub const SIGHUP: i32 = 1;
/// SIGINT.
pub const SIGINT: i32 = 2;
/// SIGQUIT.
pub const SIGQUIT: i32 = 3;
/// SIGILL: illegal instruction.
pub const SIGILL: i32 = 4;
/// SIGTRAP: breakpoint (brk).
pub const SIGTRAP: i32 = 5;
/// SIGABRT.
pub const SIGABRT: i32 = 6;
/// SIGBUS: misaligned or non-existent physical access.
pub const SIGBUS: i32 = 7;
/// SIGFPE.
pub const SIGFPE: i32 = 8;
/// SIGKILL: cannot be caught or ignored.
pub const SIGKILL: i32 = 9;
/// SIGUSR1.
pub const SIGUSR1: i32 = 10;
/// SIGSEGV: invalid memory access.
pub const SIGSEGV: i32 = 11;
/// SIGUSR2.
pub const SIGUSR2: i32 = 12;
/// SIGPIPE.
pub const SIGPIPE: i32 = 13;
/// SIGALRM.
pub const SIGALRM: i32 = 14;
/// SIGTERM.
pub const SIGTERM: i32 = 15;
/// SIGCHLD: a child stopped or exited.
pub const SIGCHLD: i32 = 17;

/// SIG_BLOCK: add to the blocked set.
pub const SIG_BLOCK: i32 = 0;
/// SIG_UNBLOCK: remove from the blocked set.
pub const SIG_UNBLOCK: i32 = 1;
/// SIG_SETMASK: replace the blocked set.
pub const SIG_SETMASK: i32 = 2;
/// SIG_DFL as a handler value.
pub const SIG_DFL: usize = 0;
/// SIG_IGN as a handler value.
pub const SIG_IGN: usize = 1;

/// The kernel's `struct sigaction` on arm64 (not glibc's): handler, flags, restorer, mask.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KSigaction {
    /// Handler address, or SIG_DFL / SIG_IGN.
    pub handler: usize,
    /// SA_* flags.
    pub flags: u64,
    /// Code that calls rt_sigreturn (with SA_RESTORER).
    pub restorer: usize,
    /// Signals blocked while the handler runs (bit n-1 for signal n).
    pub mask: u64,
}

const _: () = assert!(core::mem::size_of::<KSigaction>() == 32);

/// kill(2): send `sig` to process `pid`.
pub fn kill(pid: i32, sig: i32) -> SysResult {
    // SAFETY: touches no memory of ours (it may end the process, which is sound).
    check(unsafe { syscall2(nr::KILL, pid as usize, sig as usize) })
}

/// tkill(2): send `sig` to thread `tid`.
pub fn tkill(tid: i32, sig: i32) -> SysResult {
    // SAFETY: as for kill.
    check(unsafe { syscall2(nr::TKILL, tid as usize, sig as usize) })
}

/// tgkill(2): send `sig` to thread `tid` of thread group `tgid`.
pub fn tgkill(tgid: i32, tid: i32, sig: i32) -> SysResult {
    // SAFETY: as for kill.
    check(unsafe { syscall3(nr::TGKILL, tgid as usize, tid as usize, sig as usize) })
}

/// rt_sigaction(2) with the 8-byte sigset arm64 uses.
///
/// # Safety
/// A handler must be a valid function with a working restorer.
pub unsafe fn rt_sigaction(
    sig: i32,
    act: Option<&KSigaction>,
    old: Option<&mut KSigaction>,
) -> SysResult {
    let act = act.map_or(core::ptr::null(), |a| a as *const KSigaction);
    let old = old.map_or(core::ptr::null_mut(), |o| o as *mut KSigaction);
    // SAFETY: act is only read, old is ours to write; the caller vouches for the handler.
    check(unsafe {
        syscall4(
            nr::RT_SIGACTION,
            sig as usize,
            act as usize,
            old as usize,
            8,
        )
    })
}

/// rt_sigpending(2): the signals pending for this thread or process while blocked.
pub fn rt_sigpending() -> SysResult<u64> {
    let mut set = 0u64;
    // SAFETY: the kernel writes 8 bytes into set, which we own.
    check(unsafe { syscall2(nr::RT_SIGPENDING, &mut set as *mut u64 as usize, 8) })?;
    Ok(set)
}

/// The sigset bit for signal `sig` (bit n-1 for signal n), as `sigaddset` sets it.
pub const fn sigmask(sig: i32) -> u64 {
    1 << (sig - 1)
}

/// rt_sigprocmask(2): change the blocked-signal mask; the old one goes to `old`.
pub fn rt_sigprocmask(how: i32, set: Option<&u64>, old: Option<&mut u64>) -> SysResult {
    let set = set.map_or(core::ptr::null(), |s| s as *const u64);
    let old = old.map_or(core::ptr::null_mut(), |o| o as *mut u64);
    // SAFETY: set is only read, old is ours to write.
    check(unsafe {
        syscall4(
            nr::RT_SIGPROCMASK,
            how as usize,
            set as usize,
            old as usize,
            8,
        )
    })
}

/// SA_NOCLDSTOP: no SIGCHLD when a child stops or continues.
pub const SA_NOCLDSTOP: u64 = 1;
/// SA_NOCLDWAIT: children leave no zombie.
pub const SA_NOCLDWAIT: u64 = 2;
/// SA_SIGINFO: the handler takes (signo, &siginfo, &ucontext).
pub const SA_SIGINFO: u64 = 4;
/// SA_RESTORER: `restorer` is the code the handler returns to (it calls rt_sigreturn).
pub const SA_RESTORER: u64 = 0x0400_0000;
/// SA_ONSTACK: run the handler on the alternate signal stack, if one is set up.
pub const SA_ONSTACK: u64 = 0x0800_0000;
/// SA_RESTART: a slow syscall the signal interrupted is restarted instead of failing with EINTR.
pub const SA_RESTART: u64 = 0x1000_0000;
/// SA_NODEFER: do not block the signal itself while its handler runs.
pub const SA_NODEFER: u64 = 0x4000_0000;
/// SA_RESETHAND: reset the action to SIG_DFL when the signal is delivered.
pub const SA_RESETHAND: u64 = 0x8000_0000;

/// stack_t ss_flags (as reported): the thread is running on the alternate stack.
pub const SS_ONSTACK: i32 = 1;
/// stack_t ss_flags: no alternate stack (set it to turn the stack off).
pub const SS_DISABLE: i32 = 2;
/// The smallest alternate stack arm64 Linux accepts (sigaltstack fails with ENOMEM below).
pub const MINSIGSTKSZ: usize = 5120;
/// A comfortable alternate stack size (arm64 Linux's SIGSTKSZ).
pub const SIGSTKSZ: usize = 16384;

/// si_code: sent by kill(2) (or another process's sigqueue without a value).
pub const SI_USER: i32 = 0;
/// si_code: sent by the kernel.
pub const SI_KERNEL: i32 = 0x80;
/// si_code: sent by tkill(2) or tgkill(2).
pub const SI_TKILL: i32 = -6;
/// si_code for SIGSEGV: no mapping at the address.
pub const SEGV_MAPERR: i32 = 1;
/// si_code for SIGSEGV: a mapping, but the access is not permitted.
pub const SEGV_ACCERR: i32 = 2;
/// si_code for SIGCHLD: the child exited (si_status: its exit code).
pub const CLD_EXITED: i32 = 1;
/// si_code for SIGCHLD: the child was killed (si_status: the signal).
pub const CLD_KILLED: i32 = 2;

/// Linux's `siginfo_t` on arm64: 128 bytes, signo/errno/code, then a union at offset 16
/// whose meaning depends on the signal and si_code. Read it with the accessors.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigInfo {
    /// The signal number.
    pub si_signo: i32,
    /// An errno value; 0 for every signal the kernel sends today.
    pub si_errno: i32,
    /// Where the signal came from: SI_USER, SI_TKILL, SEGV_MAPERR, CLD_EXITED, ...
    pub si_code: i32,
    _pad: i32,
    /// The union (`_sifields`), as little-endian words.
    pub fields: [u64; 14],
}

const _: () = assert!(core::mem::size_of::<SigInfo>() == 128);

impl SigInfo {
    /// An all-zero siginfo.
    pub const fn zeroed() -> SigInfo {
        // SAFETY: integers only; all zeros is a valid value.
        unsafe { core::mem::zeroed() }
    }

    /// si_pid (offset 16): the sender (kill, tgkill) or the child (SIGCHLD).
    pub fn pid(&self) -> i32 {
        self.fields[0] as u32 as i32
    }

    /// si_uid (offset 20): the sender's real uid.
    pub fn uid(&self) -> u32 {
        (self.fields[0] >> 32) as u32
    }

    /// si_addr (offset 16): the faulting address, for SIGSEGV, SIGBUS, SIGILL, SIGFPE.
    pub fn addr(&self) -> u64 {
        self.fields[0]
    }

    /// si_status (offset 24) for SIGCHLD: the exit code, or the signal that killed the child.
    pub fn status(&self) -> i32 {
        self.fields[1] as u32 as i32
    }
}

/// Linux's `stack_t`: an alternate signal stack.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StackT {
    /// Lowest address of the stack.
    pub ss_sp: usize,
    /// 0, SS_DISABLE (set or reported) or SS_ONSTACK (reported).
    pub ss_flags: i32,
    /// Size in bytes.
    pub ss_size: usize,
}

const _: () = assert!(core::mem::size_of::<StackT>() == 24);

/// Linux's arm64 `struct sigcontext`: the interrupted registers, then `__reserved`, a
/// list of records (`struct _aarch64_ctx` heads: magic, size) ending in a zero head;
/// the first is the FP/SIMD state ([`FPSIMD_MAGIC`]), a fault adds [`ESR_MAGIC`].
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
pub struct SigContext {
    /// The faulting address (FAR) for a fault, else 0.
    pub fault_address: u64,
    /// x0..x30.
    pub regs: [u64; 31],
    /// The stack pointer.
    pub sp: u64,
    /// Where execution resumes.
    pub pc: u64,
    /// PSTATE (SPSR): NZCV in bits 31..28, DAIF, the mode (0: EL0t).
    pub pstate: u64,
    _pad: u64,
    /// The records (16-byte aligned, at offset 288).
    pub __reserved: [u8; 4096],
}

const _: () = {
    assert!(core::mem::offset_of!(SigContext, regs) == 8);
    assert!(core::mem::offset_of!(SigContext, sp) == 256);
    assert!(core::mem::offset_of!(SigContext, pc) == 264);
    assert!(core::mem::offset_of!(SigContext, pstate) == 272);
    assert!(core::mem::offset_of!(SigContext, __reserved) == 288);
    assert!(core::mem::size_of::<SigContext>() == 4384);
};

/// Linux's arm64 `struct ucontext`, the handler's third argument.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct UContext {
    /// 0.
    pub uc_flags: u64,
    /// 0 (no linked context).
    pub uc_link: u64,
    /// The alternate stack as it was when the signal came.
    pub uc_stack: StackT,
    /// The blocked mask before delivery; rt_sigreturn restores it (a handler may edit it).
    pub uc_sigmask: u64,
    /// Room for a 1024-bit sigset.
    pub __unused: [u8; 120],
    /// The interrupted registers and FP/SIMD state (offset 176).
    pub uc_mcontext: SigContext,
}

const _: () = {
    assert!(core::mem::offset_of!(UContext, uc_stack) == 16);
    assert!(core::mem::offset_of!(UContext, uc_sigmask) == 40);
    assert!(core::mem::offset_of!(UContext, uc_mcontext) == 176);
    assert!(core::mem::size_of::<UContext>() == 4560);
};

impl UContext {
    /// An all-zero ucontext (no records: not a frame rt_sigreturn accepts as it is).
    pub const fn zeroed() -> UContext {
        // SAFETY: every field is an integer or an array of them; all zeros is valid.
        unsafe { core::mem::zeroed() }
    }
}

/// The magic of the FP/SIMD record in `__reserved` (`struct fpsimd_context`).
pub const FPSIMD_MAGIC: u32 = 0x4650_8001;
/// The magic of the fault's ESR record (`struct esr_context`: head, esr u64; 16 bytes).
pub const ESR_MAGIC: u32 = 0x4553_5201;
/// The magic of the record pointing at more records outside the frame (large SVE state).
pub const EXTRA_MAGIC: u32 = 0x4558_5401;

/// Linux's `struct fpsimd_context`: V0..V31, FPSR, FPCR (528 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FpsimdContext {
    /// FPSIMD_MAGIC.
    pub magic: u32,
    /// 528.
    pub size: u32,
    /// The FP status register.
    pub fpsr: u32,
    /// The FP control register.
    pub fpcr: u32,
    /// V0..V31 (offset 16).
    pub vregs: [u128; 32],
}

const _: () = assert!(core::mem::size_of::<FpsimdContext>() == 528);

/// The record with `magic` in `sc.__reserved` (head included), if the list has one.
/// Walks `_aarch64_ctx` heads from offset 0 by their sizes; a zero head ends the list;
/// a malformed list (size < 8, not a multiple of 16, or past the end) yields `None`.
pub fn find_record(sc: &SigContext, magic: u32) -> Option<&[u8]> {
    let area = &sc.__reserved;
    let mut off = 0;
    while off + 8 <= area.len() {
        let word =
            |at: usize| u32::from_le_bytes([area[at], area[at + 1], area[at + 2], area[at + 3]]);
        let (m, size) = (word(off), word(off + 4) as usize);
        if m == 0 || size < 8 || size % 16 != 0 || off + size > area.len() {
            return None;
        }
        if m == magic {
            return Some(&area[off..off + size]);
        }
        off += size;
    }
    None
}

impl SigContext {
    /// The FP/SIMD record, if present and of the right size.
    pub fn fpsimd(&self) -> Option<FpsimdContext> {
        let rec = find_record(self, FPSIMD_MAGIC)?;
        if rec.len() != core::mem::size_of::<FpsimdContext>() {
            return None;
        }
        // SAFETY: the slice holds 528 bytes and FpsimdContext is plain integers; the
        // read is unaligned-tolerant.
        Some(unsafe { (rec.as_ptr() as *const FpsimdContext).read_unaligned() })
    }

    /// The ESR (exception syndrome) of the fault the frame was made for, if recorded.
    pub fn esr(&self) -> Option<u64> {
        let rec = find_record(self, ESR_MAGIC)?;
        let bytes: [u8; 8] = rec.get(8..16)?.try_into().ok()?;
        Some(u64::from_le_bytes(bytes))
    }
}

// The restorer: a handler returns here (x30), with sp back at the signal frame, and
// rt_sigreturn restores what the frame holds. These are exactly the instructions of
// Linux's vDSO `__kernel_rt_sigreturn`, which gdb recognizes to unwind through a frame.
global_asm!(
    ".text",
    ".globl __restore_rt",
    ".type __restore_rt, %function",
    ".p2align 2",
    "__restore_rt:",
    "    mov x8, #{nr}",
    "    svc #0",
    ".size __restore_rt, . - __restore_rt",
    nr = const nr::RT_SIGRETURN,
);

extern "C" {
    fn __restore_rt();
}

/// The address of ulib's restorer, `__restore_rt` (`mov x8, #139; svc #0`).
pub fn restorer() -> usize {
    __restore_rt as *const () as usize
}

fn install(sig: i32, handler: usize, flags: u64, mask: u64) -> SysResult<KSigaction> {
    let act = KSigaction {
        handler,
        flags: flags | SA_RESTORER,
        restorer: restorer(),
        mask,
    };
    let mut old = KSigaction::default();
    // SAFETY: the handler is an extern "C" function of the right type (the callers'
    // signatures say so) and the restorer calls rt_sigreturn.
    unsafe { rt_sigaction(sig, Some(&act), Some(&mut old)) }.map(|_| old)
}

/// Install `handler` for `sig` with `flags` (SA_RESTORER is added) and `mask` (signals
/// blocked while it runs, besides `sig` itself unless SA_NODEFER). Returns the old action.
pub fn sigaction(
    sig: i32,
    handler: extern "C" fn(i32),
    flags: u64,
    mask: u64,
) -> SysResult<KSigaction> {
    install(
        sig,
        handler as *const () as usize,
        flags & !SA_SIGINFO,
        mask,
    )
}

/// Install an SA_SIGINFO `handler` for `sig`: it gets the signal's [`SigInfo`] and the
/// interrupted context ([`UContext`]); what it changes there, rt_sigreturn restores.
/// SA_SIGINFO and SA_RESTORER are added to `flags`. Returns the old action.
pub fn sigaction_info(
    sig: i32,
    handler: extern "C" fn(i32, *mut SigInfo, *mut UContext),
    flags: u64,
    mask: u64,
) -> SysResult<KSigaction> {
    install(sig, handler as *const () as usize, flags | SA_SIGINFO, mask)
}

/// sigaltstack(2): set the alternate signal stack (`new`), report the current one (`old`).
/// ENOMEM if `new.ss_size` < MINSIGSTKSZ; EINVAL for unknown flags; EPERM while on it.
pub fn sigaltstack(new: Option<&StackT>, old: Option<&mut StackT>) -> SysResult {
    let new = new.map_or(core::ptr::null(), |s| s as *const StackT);
    let old = old.map_or(core::ptr::null_mut(), |o| o as *mut StackT);
    // SAFETY: new is only read, old is ours to write. The stack itself is the caller's
    // business: the kernel only writes to it when a signal is delivered there.
    check(unsafe { syscall2(nr::SIGALTSTACK, new as usize, old as usize) })
}

/// rt_sigsuspend(2): wait for a signal with `mask` as the blocked set. It returns after a
/// handler ran, always with Err(EINTR), and the old mask back.
pub fn rt_sigsuspend(mask: u64) -> SysResult {
    // SAFETY: the kernel reads 8 bytes from mask.
    check(unsafe { syscall2(nr::RT_SIGSUSPEND, &mask as *const u64 as usize, 8) })
}

/// raise(3): send `sig` to the calling thread (tgkill(getpid(), gettid(), sig)).
pub fn raise(sig: i32) -> SysResult {
    tgkill(crate::getpid(), crate::gettid(), sig)
}
