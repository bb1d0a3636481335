//! Processes: ids, fork, execve, exit, wait4 and the wait-status encoding.
//!
//! `fork` is `clone(SIGCHLD, 0, 0, 0, 0)`, as glibc's fork is on arm64 (there is no fork
//! syscall in asm-generic): no new stack, so the child returns from the same call on a
//! copy-on-write copy of this stack. The kernel side is `kernel_clone`/`copy_process` in
//! `kernel/src/task/fork.rs`, then `do_exit` and `do_wait` (`exit.rs`, `wait.rs`).
//! The status helpers decode what `wait4` stores exactly as Linux's `<sys/wait.h>` macros.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};

/// SIGCHLD: the signal a forked child sends its parent at exit (the low byte of clone's flags).
pub const SIGCHLD: usize = uapi::signal::SIGCHLD as usize;
/// WNOHANG: wait4 returns 0 instead of blocking when no child has exited yet.
pub const WNOHANG: i32 = uapi::wait::WNOHANG as i32;

/// getpid(2): the process id (the thread-group id). Never fails.
pub fn getpid() -> i32 {
    // SAFETY: no arguments, no memory touched.
    unsafe { syscall0(nr::__NR_getpid) as i32 }
}

/// getppid(2): the parent's process id (0 for init). Never fails.
pub fn getppid() -> i32 {
    // SAFETY: no arguments, no memory touched.
    unsafe { syscall0(nr::__NR_getppid) as i32 }
}

/// gettid(2): this thread's id (== getpid() in the main thread). Never fails.
pub fn gettid() -> i32 {
    // SAFETY: no arguments, no memory touched.
    unsafe { syscall0(nr::__NR_gettid) as i32 }
}

/// sched_yield(2): let another runnable task go first.
pub fn sched_yield() -> SysResult {
    // SAFETY: no arguments, no memory touched.
    check(unsafe { syscall0(nr::__NR_sched_yield) })
}

/// set_tid_address(2): at thread exit the kernel writes 0 to `*tidptr` and futex-wakes it.
/// Returns the caller's tid.
///
/// # Safety
/// `tidptr` must stay valid (or be null) until this thread exits.
pub unsafe fn set_tid_address(tidptr: *mut u32) -> i32 {
    // SAFETY: the caller keeps tidptr alive for the thread's lifetime.
    unsafe { syscall1(nr::__NR_set_tid_address, tidptr as usize) as i32 }
}

/// exit(2): end this *thread* with `code` (the process ends when its last thread does).
pub fn exit(code: i32) -> ! {
    // SAFETY: the thread ends here; nothing runs after it.
    unsafe { syscall1(nr::__NR_exit, code as usize) };
    unreachable!("exit returned")
}

/// exit_group(2): end every thread of the process; `code & 0xff` is the exit status.
pub fn exit_group(code: i32) -> ! {
    // SAFETY: the process ends here; nothing runs after it.
    unsafe { syscall1(nr::__NR_exit_group, code as usize) };
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
    check(unsafe {
        syscall5(
            nr::__NR_clone,
            flags,
            newsp,
            ptid as usize,
            tls,
            ctid as usize,
        )
    })
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
    check(unsafe { syscall3(nr::__NR_execve, path as usize, argv as usize, envp as usize) })
}

/// AT_EMPTY_PATH for execveat: an empty path means the file `dirfd` is open on.
pub use uapi::fcntl::AT_EMPTY_PATH;

/// execveat(2): execve of `path` relative to `dirfd` (AT_FDCWD: the cwd), or of the file
/// `dirfd` itself with an empty path and [`AT_EMPTY_PATH`]. Only returns on failure.
///
/// # Safety
/// As for [`execve`].
pub unsafe fn execveat(
    dirfd: i32,
    path: *const u8,
    argv: *const *const u8,
    envp: *const *const u8,
    flags: u32,
) -> SysResult {
    // SAFETY: the caller vouches for the strings and arrays; the kernel only reads them.
    check(unsafe {
        syscall5(
            nr::__NR_execveat,
            dirfd as usize,
            path as usize,
            argv as usize,
            envp as usize,
            flags as usize,
        )
    })
}

/// wait4(2) without rusage: wait for child `pid` (-1: any child), store its status.
/// Returns the pid reaped (0 with [`WNOHANG`] when none is ready yet).
pub fn wait4(pid: i32, status: Option<&mut i32>, options: i32) -> SysResult<i32> {
    let status = status.map_or(core::ptr::null_mut(), |s| s as *mut i32);
    // SAFETY: status is null or a live i32 we own; rusage is null.
    check(unsafe {
        syscall4(
            nr::__NR_wait4,
            pid as usize,
            status as usize,
            options as usize,
            0,
        )
    })
    .map(|p| p as i32)
}

/// setpgid(2): put process `pid` (0: this one) in process group `pgid` (0: a new group
/// led by `pid`). A shell does this for each job, in the child and in the parent, so the
/// group exists before either goes on.
pub fn setpgid(pid: i32, pgid: i32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall2(nr::__NR_setpgid, pid as usize, pgid as usize) })
}

/// getpgid(2): the process group of `pid` (0: this process).
pub fn getpgid(pid: i32) -> SysResult<i32> {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall1(nr::__NR_getpgid, pid as usize) }).map(|g| g as i32)
}

/// setsid(2): start a new session (and process group) led by this process.
pub fn setsid() -> SysResult<i32> {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall0(nr::__NR_setsid) }).map(|g| g as i32)
}

/// getsid(2): the session of `pid` (0: this process).
pub fn getsid(pid: i32) -> SysResult<i32> {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall1(nr::__NR_getsid, pid as usize) }).map(|g| g as i32)
}

/// getpgrp(): this process's group, as glibc does it: getpgid(0).
pub fn getpgrp() -> i32 {
    getpgid(0).unwrap_or(-1)
}

/// `struct rusage` (Linux `include/uapi/linux/resource.h`): times as (seconds,
/// microseconds), then 14 counters.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Rusage {
    /// User CPU time.
    pub ru_utime: [i64; 2],
    /// System CPU time.
    pub ru_stime: [i64; 2],
    /// maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
    /// msgrcv, nsignals, nvcsw, nivcsw.
    pub rest: [i64; 14],
}

const _: () = assert!(core::mem::size_of::<Rusage>() == 144);

/// wait4(2) with all four arguments: also the child's resource usage.
pub fn wait4_rusage(
    pid: i32,
    status: Option<&mut i32>,
    options: i32,
    ru: Option<&mut Rusage>,
) -> SysResult<i32> {
    let status = status.map_or(core::ptr::null_mut(), |s| s as *mut i32);
    let ru = ru.map_or(core::ptr::null_mut(), |r| r as *mut Rusage);
    // SAFETY: status and ru are null or live objects we own, of the sizes the kernel writes.
    check(unsafe {
        syscall4(
            nr::__NR_wait4,
            pid as usize,
            status as usize,
            options as usize,
            ru as usize,
        )
    })
    .map(|p| p as i32)
}

/// waitid idtype: any child.
pub const P_ALL: i32 = uapi::wait::P_ALL as i32;
/// waitid idtype: the child with pid `id`.
pub const P_PID: i32 = uapi::wait::P_PID as i32;
/// waitid idtype: any child in process group `id` (0: ours).
pub const P_PGID: i32 = uapi::wait::P_PGID as i32;
/// waitid option: report children that exited.
pub const WEXITED: i32 = uapi::wait::WEXITED as i32;
/// waitid option: leave the child waitable (a zombie) after reporting it.
pub const WNOWAIT: i32 = uapi::wait::WNOWAIT as i32;
pub use uapi::siginfo::{CLD_DUMPED, CLD_EXITED, CLD_KILLED};

/// The kernel's 128-byte `siginfo_t` as waitid fills it (SIGCHLD fields only).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Siginfo {
    /// SIGCHLD, or 0 when WNOHANG found nothing.
    pub si_signo: i32,
    /// Always 0 here.
    pub si_errno: i32,
    /// CLD_EXITED, CLD_KILLED or CLD_DUMPED.
    pub si_code: i32,
    pad0: i32,
    /// The child's pid.
    pub si_pid: i32,
    /// The child's real uid.
    pub si_uid: u32,
    /// Exit code or signal.
    pub si_status: i32,
    rest: [i32; 25],
}

const _: () = assert!(core::mem::size_of::<Siginfo>() == 128);

impl Siginfo {
    /// Filled with `byte`, so a test can see which fields the kernel wrote.
    pub fn filled(byte: u8) -> Siginfo {
        let w = i32::from_ne_bytes([byte; 4]);
        Siginfo {
            si_signo: w,
            si_errno: w,
            si_code: w,
            pad0: w,
            si_pid: w,
            si_uid: w as u32,
            si_status: w,
            rest: [w; 25],
        }
    }
}

/// waitid(2) (the raw syscall, with the rusage pointer NULL): wait for a child matching
/// (`idtype`, `id`) to change as `options` ask (must include [`WEXITED`]).
pub fn waitid(idtype: i32, id: i32, info: Option<&mut Siginfo>, options: i32) -> SysResult {
    let info = info.map_or(core::ptr::null_mut(), |i| i as *mut Siginfo);
    // SAFETY: info is null or a live 128-byte siginfo we own.
    check(unsafe {
        syscall5(
            nr::__NR_waitid,
            idtype as usize,
            id as usize,
            info as usize,
            options as usize,
            0,
        )
    })
}

pub use uapi::wait::{wcoredump, wexitstatus, wifexited, wifsignaled, wtermsig};

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

/// Fork a child that runs `f` and exits with what it returns (`exit_group`); the child's
/// pid in the parent, or -1 if fork failed. The tests' way to start a child.
pub fn spawn(f: impl FnOnce() -> i32) -> i32 {
    match fork() {
        Ok(0) => exit_group(f()),
        Ok(pid) => pid,
        Err(_) => -1,
    }
}

/// Block in wait4 for `pid`; its wait status if wait4 returned that pid.
pub fn reap(pid: i32) -> Option<i32> {
    let mut status = 0;
    match wait4(pid, Some(&mut status), 0) {
        Ok(p) if p == pid => Some(status),
        _ => None,
    }
}
