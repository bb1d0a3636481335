//! Processes: ids, fork, execve, exit, wait4 and the wait-status encoding.
//!
//! `fork` is `clone(SIGCHLD, 0, 0, 0, 0)`, as glibc's fork is on arm64 (there is no fork
//! syscall in asm-generic): no new stack, so the child returns from the same call on a
//! copy-on-write copy of this stack. The kernel side is `kernel_clone`/`copy_process` in
//! `kernel/src/task/fork.rs`, then `do_exit` and `do_wait` (`exit.rs`, `wait.rs`).
//! The status helpers decode what `wait4` stores exactly as Linux's `<sys/wait.h>` macros.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall0, syscall1, syscall3, syscall4, syscall5};

/// SIGCHLD: the signal a forked child sends its parent at exit (the low byte of clone's flags).
pub const SIGCHLD: usize = 17;
/// WNOHANG: wait4 returns 0 instead of blocking when no child has exited yet.
pub const WNOHANG: i32 = 1;

/// getpid(2): the process id (the thread-group id). Never fails.
pub fn getpid() -> i32 {
    // SAFETY: no arguments, no memory touched.
    unsafe { syscall0(nr::GETPID) as i32 }
}

/// getppid(2): the parent's process id (0 for init). Never fails.
pub fn getppid() -> i32 {
    // SAFETY: no arguments, no memory touched.
    unsafe { syscall0(nr::GETPPID) as i32 }
}

/// gettid(2): this thread's id (== getpid() in the main thread). Never fails.
pub fn gettid() -> i32 {
    // SAFETY: no arguments, no memory touched.
    unsafe { syscall0(nr::GETTID) as i32 }
}

/// sched_yield(2): let another runnable task go first.
pub fn sched_yield() -> SysResult {
    // SAFETY: no arguments, no memory touched.
    check(unsafe { syscall0(nr::SCHED_YIELD) })
}

/// set_tid_address(2): at thread exit the kernel writes 0 to `*tidptr` and futex-wakes it.
/// Returns the caller's tid.
///
/// # Safety
/// `tidptr` must stay valid (or be null) until this thread exits.
pub unsafe fn set_tid_address(tidptr: *mut u32) -> i32 {
    // SAFETY: the caller keeps tidptr alive for the thread's lifetime.
    unsafe { syscall1(nr::SET_TID_ADDRESS, tidptr as usize) as i32 }
}

/// exit(2): end this *thread* with `code` (the process ends when its last thread does).
pub fn exit(code: i32) -> ! {
    // SAFETY: the thread ends here; nothing runs after it.
    unsafe { syscall1(nr::EXIT, code as usize) };
    unreachable!("exit returned")
}

/// exit_group(2): end every thread of the process; `code & 0xff` is the exit status.
pub fn exit_group(code: i32) -> ! {
    // SAFETY: the process ends here; nothing runs after it.
    unsafe { syscall1(nr::EXIT_GROUP, code as usize) };
    unreachable!("exit_group returned")
}

/// clone(2) in its raw arm64 argument order: flags, newsp, parent_tidptr, tls,
/// child_tidptr. Returns the child's tid in the parent and 0 in the child.
///
/// # Safety
/// With `newsp != 0` the child would return into Rust code on a stack with no frames: use
/// [`crate::thread::spawn_thread`] for that. The pointers must suit the flags given.
pub unsafe fn clone(
    flags: usize,
    newsp: usize,
    ptid: *mut u32,
    tls: usize,
    ctid: *mut u32,
) -> SysResult {
    // SAFETY: the caller vouches for the flags and pointers.
    check(unsafe { syscall5(nr::CLONE, flags, newsp, ptid as usize, tls, ctid as usize) })
}

/// fork(): a new process with a copy-on-write copy of this one. Returns the child's pid in
/// the parent and 0 in the child.
pub fn fork() -> SysResult<i32> {
    // SAFETY: no new stack (newsp 0) and no tid pointers: the child continues on its own
    // copy of this stack, exactly as after fork(2).
    unsafe { clone(SIGCHLD, 0, core::ptr::null_mut(), 0, core::ptr::null_mut()) }.map(|p| p as i32)
}

/// execve(2): replace this program. Only returns on failure.
///
/// # Safety
/// `path` must be NUL-terminated; `argv` and `envp` NULL-terminated arrays of such strings.
pub unsafe fn execve(path: *const u8, argv: *const *const u8, envp: *const *const u8) -> SysResult {
    // SAFETY: the caller vouches for the strings and arrays; the kernel only reads them.
    check(unsafe { syscall3(nr::EXECVE, path as usize, argv as usize, envp as usize) })
}

/// wait4(2) without rusage: wait for child `pid` (-1: any child), store its status.
/// Returns the pid reaped (0 with [`WNOHANG`] when none is ready yet).
pub fn wait4(pid: i32, status: Option<&mut i32>, options: i32) -> SysResult<i32> {
    let status = status.map_or(core::ptr::null_mut(), |s| s as *mut i32);
    // SAFETY: status is null or a live i32 we own; rusage is null.
    check(unsafe {
        syscall4(
            nr::WAIT4,
            pid as usize,
            status as usize,
            options as usize,
            0,
        )
    })
    .map(|p| p as i32)
}

/// WIFEXITED: the child called exit (status bits 0..6 are zero).
pub fn wifexited(status: i32) -> bool {
    status & 0x7f == 0
}

/// WEXITSTATUS: the child's exit code (bits 8..15).
pub fn wexitstatus(status: i32) -> i32 {
    (status >> 8) & 0xff
}

/// WIFSIGNALED: the child was killed by a signal (bits 0..6 hold it; 0x7f means "stopped").
pub fn wifsignaled(status: i32) -> bool {
    ((status & 0x7f) + 1) as i8 >> 1 > 0
}

/// WTERMSIG: the signal that killed the child.
pub fn wtermsig(status: i32) -> i32 {
    status & 0x7f
}

/// WCOREDUMP: the kernel says it dumped core (bit 7); informational only.
pub fn wcoredump(status: i32) -> bool {
    status & 0x80 != 0
}

/// A wait status written for people: "exited 0", "killed by signal 11", "status 0x137f".
pub struct StatusText(pub i32);

impl core::fmt::Display for StatusText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            s if wifexited(s) => write!(f, "exited {}", wexitstatus(s)),
            s if wifsignaled(s) => write!(f, "killed by signal {}", wtermsig(s)),
            s => write!(f, "status {:#x}", s),
        }
    }
}
