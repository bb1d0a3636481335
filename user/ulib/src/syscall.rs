//! The system call itself: `svc #0`, as the Linux arm64 ABI defines it.
//!
//! The syscall number goes in x8, up to six arguments in x0..x5, and the result comes back
//! in x0; a value in -4095..=-1 is `-errno`. The kernel
//! preserves every other register. The numbers are asm-generic
//! (`include/uapi/asm-generic/unistd.h`), the table Linnet's `kernel/src/syscall/mod.rs`
//! is indexed by. The typed, checked wrappers live in the other modules; read this one to
//! see the trap, and `errno::check` to see how a result becomes `Result<usize, Errno>`.

use core::arch::asm;

/// Syscall numbers, from Linux `include/uapi/asm-generic/unistd.h`.
#[allow(missing_docs)]
pub mod nr {
    pub const GETCWD: usize = 17;
    pub const DUP: usize = 23;
    pub const DUP3: usize = 24;
    pub const FCNTL: usize = 25;
    pub const IOCTL: usize = 29;
    pub const MKDIRAT: usize = 34;
    pub const UNLINKAT: usize = 35;
    pub const SYMLINKAT: usize = 36;
    pub const CHDIR: usize = 49;
    pub const FCHDIR: usize = 50;
    pub const OPENAT: usize = 56;
    pub const CLOSE: usize = 57;
    pub const PIPE2: usize = 59;
    pub const GETDENTS64: usize = 61;
    pub const LSEEK: usize = 62;
    pub const READ: usize = 63;
    pub const WRITE: usize = 64;
    pub const PSELECT6: usize = 72;
    pub const PPOLL: usize = 73;
    pub const READLINKAT: usize = 78;
    pub const NEWFSTATAT: usize = 79;
    pub const FSTAT: usize = 80;
    pub const EXIT: usize = 93;
    pub const EXIT_GROUP: usize = 94;
    pub const WAITID: usize = 95;
    pub const SET_TID_ADDRESS: usize = 96;
    pub const FUTEX: usize = 98;
    pub const SET_ROBUST_LIST: usize = 99;
    pub const GET_ROBUST_LIST: usize = 100;
    pub const NANOSLEEP: usize = 101;
    pub const GETITIMER: usize = 102;
    pub const SETITIMER: usize = 103;
    pub const TIMER_CREATE: usize = 107;
    pub const TIMER_GETTIME: usize = 108;
    pub const TIMER_GETOVERRUN: usize = 109;
    pub const TIMER_SETTIME: usize = 110;
    pub const TIMER_DELETE: usize = 111;
    pub const CLOCK_SETTIME: usize = 112;
    pub const CLOCK_GETTIME: usize = 113;
    pub const CLOCK_GETRES: usize = 114;
    pub const CLOCK_NANOSLEEP: usize = 115;
    pub const SCHED_YIELD: usize = 124;
    pub const KILL: usize = 129;
    pub const TKILL: usize = 130;
    pub const TGKILL: usize = 131;
    pub const SIGALTSTACK: usize = 132;
    pub const RT_SIGSUSPEND: usize = 133;
    pub const RT_SIGACTION: usize = 134;
    pub const RT_SIGPROCMASK: usize = 135;
    pub const RT_SIGPENDING: usize = 136;
    pub const RT_SIGTIMEDWAIT: usize = 137;
    pub const RT_SIGQUEUEINFO: usize = 138;
    pub const RT_SIGRETURN: usize = 139;
    pub const REBOOT: usize = 142;
    pub const TIMES: usize = 153;
    pub const SETPGID: usize = 154;
    pub const GETPGID: usize = 155;
    pub const GETSID: usize = 156;
    pub const SETSID: usize = 157;
    pub const UNAME: usize = 160;
    pub const GETRLIMIT: usize = 163;
    pub const SETRLIMIT: usize = 164;
    pub const GETTIMEOFDAY: usize = 169;
    pub const SETTIMEOFDAY: usize = 170;
    pub const GETPID: usize = 172;
    pub const GETPPID: usize = 173;
    pub const GETTID: usize = 178;
    pub const SYSINFO: usize = 179;
    pub const BRK: usize = 214;
    pub const MUNMAP: usize = 215;
    pub const CLONE: usize = 220;
    pub const EXECVE: usize = 221;
    pub const MMAP: usize = 222;
    pub const MPROTECT: usize = 226;
    pub const MADVISE: usize = 233;
    pub const RT_TGSIGQUEUEINFO: usize = 240;
    pub const WAIT4: usize = 260;
    pub const PRLIMIT64: usize = 261;
    pub const EXECVEAT: usize = 281;
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
