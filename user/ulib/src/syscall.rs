//! The system call itself: `svc #0`, as the Linux arm64 ABI defines it.
//!
//! The syscall number goes in x8, up to six arguments in x0..x5, and the result comes back
//! in x0; a value in -4095..=-1 is `-errno`. The kernel
//! preserves every other register. The numbers are asm-generic
//! (`include/uapi/asm-generic/unistd.h`), the table Linnet's `kernel/src/syscall/mod.rs`
//! is indexed by. The typed, checked wrappers live in the other modules; read this one to
//! see the trap, and `errno::check` to see how a result becomes `Result<usize, Errno>`.

use core::arch::asm;

/// Syscall numbers, `__NR_name` as in Linux `include/uapi/asm-generic/unistd.h`: the
/// uapi crate's list, the one the kernel's table uses too.
pub mod nr {
    pub use uapi::unistd::*;
}

// The raw calls are `unsafe`: a syscall can write through any pointer it is given, unmap
// the caller's stack, or end the process. They return the raw x0; see `errno::check`.

/// A syscall with no arguments.
///
/// # Safety
/// The call must not break memory the program still uses (see the module docs).
#[inline(always)]
pub unsafe fn syscall0(n: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller vouches for the call's effects; `svc` clobbers only x0.
    unsafe { asm!("svc #0", in("x8") n, lateout("x0") ret, options(nostack)) };
    ret
}

/// A syscall with one argument.
///
/// # Safety
/// As for [`syscall0`], and the argument must be what the syscall expects.
#[inline(always)]
pub unsafe fn syscall1(n: usize, a0: usize) -> isize {
    let ret: isize;
    // SAFETY: as for syscall0.
    unsafe { asm!("svc #0", in("x8") n, inlateout("x0") a0 => ret, options(nostack)) };
    ret
}

/// A syscall with two arguments.
///
/// # Safety
/// As for [`syscall1`].
#[inline(always)]
pub unsafe fn syscall2(n: usize, a0: usize, a1: usize) -> isize {
    let ret: isize;
    // SAFETY: as for syscall0.
    unsafe { asm!("svc #0", in("x8") n, inlateout("x0") a0 => ret, in("x1") a1, options(nostack)) };
    ret
}

/// A syscall with three arguments.
///
/// # Safety
/// As for [`syscall1`].
#[inline(always)]
pub unsafe fn syscall3(n: usize, a0: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("svc #0", in("x8") n, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
             options(nostack))
    };
    ret
}

/// A syscall with four arguments.
///
/// # Safety
/// As for [`syscall1`].
#[inline(always)]
pub unsafe fn syscall4(n: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("svc #0", in("x8") n, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
             in("x3") a3, options(nostack))
    };
    ret
}

/// A syscall with five arguments.
///
/// # Safety
/// As for [`syscall1`].
#[inline(always)]
pub unsafe fn syscall5(n: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> isize {
    let ret: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("svc #0", in("x8") n, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
             in("x3") a3, in("x4") a4, options(nostack))
    };
    ret
}

/// A syscall with six arguments.
///
/// # Safety
/// As for [`syscall1`].
#[inline(always)]
pub unsafe fn syscall6(
    n: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> isize {
    let ret: isize;
    // SAFETY: as for syscall0.
    unsafe {
        asm!("svc #0", in("x8") n, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
             in("x3") a3, in("x4") a4, in("x5") a5, options(nostack))
    };
    ret
}
