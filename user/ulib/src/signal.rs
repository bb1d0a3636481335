//! Signals: kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, and the signal numbers.
//!
//! Only what the tests need; a handler also needs a restorer that calls rt_sigreturn
//! (SA_RESTORER), which ulib does not provide yet. The numbers are Linux's
//! (`include/uapi/asm-generic/signal.h`).

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall2, syscall3, syscall4};

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
