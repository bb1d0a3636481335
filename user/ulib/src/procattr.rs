//! Process attributes and odd process calls: prctl, get/setpriority, get/setgroups,
//! getresuid/getresgid, getrusage, sched_get/setaffinity, socket/socketpair, syslog, and
//! clone with a function on a stack of its own (for CLONE_VM children such as vfork's).
//!
//! The kernel side is `kernel/src/syscall/sys.rs`, `task/fork.rs` and `printk.rs`.

use crate::errno::{check, SysResult};
use crate::syscall::{syscall2, syscall3, syscall4, syscall5};
use core::arch::global_asm;

/// Syscall numbers (uapi's `__NR_*`, Linux `include/uapi/asm-generic/unistd.h`).
pub use crate::syscall::nr;

/// prctl options (Linux `include/uapi/linux/prctl.h`).
pub const PR_SET_PDEATHSIG: usize = uapi::prctl::PR_SET_PDEATHSIG as usize;
/// Read the parent-death signal.
pub const PR_GET_PDEATHSIG: usize = uapi::prctl::PR_GET_PDEATHSIG as usize;
/// Read the dumpable flag (the return value).
pub const PR_GET_DUMPABLE: usize = uapi::prctl::PR_GET_DUMPABLE as usize;
/// Set the dumpable flag.
pub const PR_SET_DUMPABLE: usize = uapi::prctl::PR_SET_DUMPABLE as usize;
/// Set the name.
pub const PR_SET_NAME: usize = uapi::prctl::PR_SET_NAME as usize;
/// Read the name (16 bytes).
pub const PR_GET_NAME: usize = uapi::prctl::PR_GET_NAME as usize;
/// Become a subreaper.
pub const PR_SET_CHILD_SUBREAPER: usize = uapi::prctl::PR_SET_CHILD_SUBREAPER as usize;
/// Read the subreaper flag.
pub const PR_GET_CHILD_SUBREAPER: usize = uapi::prctl::PR_GET_CHILD_SUBREAPER as usize;

/// prctl(option, arg2, 0, 0, 0).
pub fn prctl(option: usize, arg2: usize) -> SysResult {
    // SAFETY: the options this module names take an integer or a pointer to memory the
    // caller provides in arg2; the kernel checks the pointer.
    check(unsafe { syscall5(nr::__NR_prctl, option, arg2, 0, 0, 0) })
}

/// PR_SET_NAME with a NUL-terminated name.
pub fn set_name(name: &[u8]) -> SysResult {
    prctl(PR_SET_NAME, name.as_ptr() as usize)
}

/// PR_GET_NAME: the 16 bytes the kernel writes.
pub fn get_name() -> SysResult<[u8; 16]> {
    let mut b = [0xffu8; 16];
    prctl(PR_GET_NAME, b.as_mut_ptr() as usize).map(|_| b)
}

/// PR_GET_PDEATHSIG.
pub fn get_pdeathsig() -> SysResult<i32> {
    let mut v = -1i32;
    prctl(PR_GET_PDEATHSIG, &mut v as *mut i32 as usize).map(|_| v)
}

/// `which` for get/setpriority.
pub const PRIO_PROCESS: usize = uapi::resource::PRIO_PROCESS as usize;
/// A process group.
pub const PRIO_PGRP: usize = uapi::resource::PRIO_PGRP as usize;
/// A user.
pub const PRIO_USER: usize = uapi::resource::PRIO_USER as usize;

/// The raw getpriority syscall: 20 - nice (libc's getpriority converts).
pub fn getpriority_raw(which: usize, who: usize) -> SysResult {
    // SAFETY: integer arguments only.
    check(unsafe { syscall2(nr::__NR_getpriority, which, who) })
}

/// setpriority(which, who, nice).
pub fn setpriority(which: usize, who: usize, nice: i32) -> SysResult {
    // SAFETY: integer arguments only.
    check(unsafe { syscall3(nr::__NR_setpriority, which, who, nice as isize as usize) })
}

/// getgroups(size, list) into `list`.
pub fn getgroups(list: &mut [u32]) -> SysResult {
    // SAFETY: the kernel writes at most list.len() ids into list.
    check(unsafe { syscall2(nr::__NR_getgroups, list.len(), list.as_mut_ptr() as usize) })
}

/// getgroups with a raw size and pointer (for the error cases).
pub fn getgroups_raw(size: usize, list: usize) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall2(nr::__NR_getgroups, size, list) })
}

/// setgroups(size, list).
pub fn setgroups(list: &[u32]) -> SysResult {
    // SAFETY: the kernel reads list.len() ids.
    check(unsafe { syscall2(nr::__NR_setgroups, list.len(), list.as_ptr() as usize) })
}

/// getresuid (or getresgid with `gid`): the three ids.
pub fn getresid(gid: bool) -> SysResult<[u32; 3]> {
    let mut v = [u32::MAX; 3];
    let n = if gid {
        nr::__NR_getresgid
    } else {
        nr::__NR_getresuid
    };
    let p = v.as_mut_ptr() as usize;
    // SAFETY: three writable u32s.
    check(unsafe { syscall3(n, p, p + 4, p + 8) }).map(|_| v)
}

/// One of the set*id / get*id calls (`nr::__NR_setuid` ...) with up to three ids; -1 as
/// `u32::MAX` means "unchanged".
pub fn id_call(n: usize, a: u32, b: u32, c: u32) -> SysResult {
    // SAFETY: integer arguments only.
    check(unsafe { syscall3(n, a as usize, b as usize, c as usize) })
}

/// getrusage `who`.
pub const RUSAGE_SELF: i32 = uapi::resource::RUSAGE_SELF;
/// Reaped children.
pub const RUSAGE_CHILDREN: i32 = uapi::resource::RUSAGE_CHILDREN;
/// The calling thread.
pub const RUSAGE_THREAD: i32 = uapi::resource::RUSAGE_THREAD;

/// `struct rusage` (18 longs on 64-bit).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Rusage {
    /// User time: seconds, microseconds.
    pub utime: [i64; 2],
    /// System time.
    pub stime: [i64; 2],
    /// Largest resident size, KiB.
    pub maxrss: i64,
    /// The other counters.
    pub rest: [i64; 13],
}

/// getrusage(who).
pub fn getrusage(who: i32) -> SysResult<Rusage> {
    let mut r = Rusage::default();
    // SAFETY: the kernel writes one struct rusage into r.
    check(unsafe {
        syscall2(
            nr::__NR_getrusage,
            who as isize as usize,
            &mut r as *mut Rusage as usize,
        )
    })
    .map(|_| r)
}

/// getrusage with a raw pointer.
pub fn getrusage_raw(who: i32, p: usize) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall2(nr::__NR_getrusage, who as isize as usize, p) })
}

/// sched_getaffinity(pid, len, mask): bytes written.
pub fn sched_getaffinity(pid: i32, len: usize, mask: &mut [u8]) -> SysResult {
    assert!(len <= mask.len());
    // SAFETY: the kernel writes at most len bytes into mask.
    check(unsafe {
        syscall3(
            nr::__NR_sched_getaffinity,
            pid as usize,
            len,
            mask.as_mut_ptr() as usize,
        )
    })
}

/// sched_setaffinity(pid, len, mask).
pub fn sched_setaffinity(pid: i32, mask: &[u8]) -> SysResult {
    // SAFETY: the kernel reads mask.len() bytes.
    check(unsafe {
        syscall3(
            nr::__NR_sched_setaffinity,
            pid as usize,
            mask.len(),
            mask.as_ptr() as usize,
        )
    })
}

/// socket(family, type, protocol).
pub fn socket(family: usize, ty: usize, proto: usize) -> SysResult {
    // SAFETY: integer arguments only.
    check(unsafe { syscall3(nr::__NR_socket, family, ty, proto) })
}

/// socketpair(family, type, protocol, sv) with a raw `sv`.
pub fn socketpair(family: usize, ty: usize, proto: usize, sv: usize) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall4(nr::__NR_socketpair, family, ty, proto, sv) })
}

/// syslog(type, buf, len).
pub fn syslog(ty: i32, buf: &mut [u8]) -> SysResult {
    // SAFETY: the kernel writes at most buf.len() bytes.
    check(unsafe {
        syscall3(
            nr::__NR_syslog,
            ty as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// syslog with raw arguments.
pub fn syslog_raw(ty: i32, buf: usize, len: usize) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall3(nr::__NR_syslog, ty as usize, buf, len) })
}

// clone with a function: x0-x4 are clone's arguments; the new stack holds [fn, arg].
// The child calls fn(arg) on it and exits (exit, 93) with its result.
global_asm!(
    ".section .text.ulib_clone_fn, \"ax\", %progbits",
    ".globl ulib_clone_fn",
    ".type ulib_clone_fn, %function",
    "ulib_clone_fn:",
    "    mov x8, #220",
    "    svc #0",
    "    cbz x0, 1f",
    "    ret",
    "1:  ldp x9, x0, [sp]",
    "    mov x29, xzr",
    "    mov x30, xzr",
    "    blr x9",
    "    mov x8, #93",
    "    svc #0",
    "    brk #0x1",
    ".size ulib_clone_fn, . - ulib_clone_fn",
);

extern "C" {
    fn ulib_clone_fn(flags: usize, newsp: usize, ptid: usize, tls: usize, ctid: usize) -> isize;
}

/// clone(flags) with a new stack: the child runs `f(arg)` on the top of `stack` and
/// exits with its result; the parent gets the child's pid. For CLONE_VM children
/// (CLONE_VFORK among them) that must not touch the parent's stack.
pub fn clone_fn(
    flags: usize,
    stack: &'static mut [u8],
    f: extern "C" fn(usize) -> i32,
    arg: usize,
) -> SysResult<i32> {
    let top = (stack.as_mut_ptr() as usize + stack.len()) & !15;
    let sp = top - 16;
    // SAFETY: sp..top lies in `stack`, which the caller gives up for the child.
    unsafe {
        (sp as *mut usize).write(f as usize);
        ((sp + 8) as *mut usize).write(arg);
    }
    // SAFETY: the child runs only `f` on its own stack, then exits; no tid pointers.
    check(unsafe { ulib_clone_fn(flags, sp, 0, 0, 0) }).map(|p| p as i32)
}
