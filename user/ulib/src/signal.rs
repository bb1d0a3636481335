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

pub use uapi::signal::{
    signame, SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGIO,
    SIGKILL, SIGPIPE, SIGPROF, SIGPWR, SIGQUIT, SIGSEGV, SIGSTKFLT, SIGSTOP, SIGSYS, SIGTERM,
    SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2, SIGVTALRM, SIGWINCH, SIGXCPU,
    SIGXFSZ, SIG_BLOCK, SIG_DFL, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK,
};

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
    check(unsafe { syscall2(nr::__NR_kill, pid as usize, sig as usize) })
}

/// tkill(2): send `sig` to thread `tid`.
pub fn tkill(tid: i32, sig: i32) -> SysResult {
    // SAFETY: as for kill.
    check(unsafe { syscall2(nr::__NR_tkill, tid as usize, sig as usize) })
}

/// tgkill(2): send `sig` to thread `tid` of thread group `tgid`.
pub fn tgkill(tgid: i32, tid: i32, sig: i32) -> SysResult {
    // SAFETY: as for kill.
    check(unsafe { syscall3(nr::__NR_tgkill, tgid as usize, tid as usize, sig as usize) })
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
            nr::__NR_rt_sigaction,
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
    check(unsafe { syscall2(nr::__NR_rt_sigpending, &mut set as *mut u64 as usize, 8) })?;
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
            nr::__NR_rt_sigprocmask,
            how as usize,
            set as usize,
            old as usize,
            8,
        )
    })
}

pub use uapi::siginfo::{
    CLD_EXITED, CLD_KILLED, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, SI_TKILL, SI_USER,
};
pub use uapi::signal::{
    SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_RESTORER,
    SA_SIGINFO, SS_DISABLE, SS_ONSTACK,
};
/// The smallest alternate stack arm64 Linux accepts (sigaltstack fails with ENOMEM below).
pub const MINSIGSTKSZ: usize = uapi::signal::MINSIGSTKSZ as usize;
/// A comfortable alternate stack size (arm64 Linux's SIGSTKSZ).
pub const SIGSTKSZ: usize = uapi::signal::SIGSTKSZ as usize;

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

const _: () = assert!(core::mem::size_of::<SigInfo>() == uapi::siginfo::SI_MAX_SIZE);

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
pub use uapi::sigcontext::SigContext;

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
    assert!(
        core::mem::offset_of!(UContext, uc_mcontext) == uapi::sigcontext::UCONTEXT_MCONTEXT_OFFSET
    );
    assert!(core::mem::size_of::<UContext>() == uapi::sigcontext::UCONTEXT_SIZE);
};

impl UContext {
    /// An all-zero ucontext (no records: not a frame rt_sigreturn accepts as it is).
    pub const fn zeroed() -> UContext {
        // SAFETY: every field is an integer or an array of them; all zeros is valid.
        unsafe { core::mem::zeroed() }
    }
}

pub use uapi::sigcontext::{ESR_MAGIC, EXTRA_MAGIC, FPSIMD_MAGIC};

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

const _: () =
    assert!(core::mem::size_of::<FpsimdContext>() == uapi::sigcontext::FPSIMD_CONTEXT_SIZE);

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

/// What a handler reads from a [`SigContext`]'s records (an extension trait: the struct
/// itself is uapi's).
pub trait SigContextExt {
    /// The FP/SIMD record, if present and of the right size.
    fn fpsimd(&self) -> Option<FpsimdContext>;
    /// The ESR (exception syndrome) of the fault the frame was made for, if recorded.
    fn esr(&self) -> Option<u64>;
}

impl SigContextExt for SigContext {
    fn fpsimd(&self) -> Option<FpsimdContext> {
        let rec = find_record(self, FPSIMD_MAGIC)?;
        if rec.len() != core::mem::size_of::<FpsimdContext>() {
            return None;
        }
        // SAFETY: the slice holds 528 bytes and FpsimdContext is plain integers; the
        // read is unaligned-tolerant.
        Some(unsafe { (rec.as_ptr() as *const FpsimdContext).read_unaligned() })
    }

    fn esr(&self) -> Option<u64> {
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
    nr = const nr::__NR_rt_sigreturn,
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
    check(unsafe { syscall2(nr::__NR_sigaltstack, new as usize, old as usize) })
}

/// rt_sigsuspend(2): wait for a signal with `mask` as the blocked set. It returns after a
/// handler ran, always with Err(EINTR), and the old mask back.
pub fn rt_sigsuspend(mask: u64) -> SysResult {
    // SAFETY: the kernel reads 8 bytes from mask.
    check(unsafe { syscall2(nr::__NR_rt_sigsuspend, &mask as *const u64 as usize, 8) })
}

/// raise(3): send `sig` to the calling thread (tgkill(getpid(), gettid(), sig)).
pub fn raise(sig: i32) -> SysResult {
    tgkill(crate::getpid(), crate::gettid(), sig)
}
