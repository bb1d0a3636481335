//! File descriptors: read, write, openat, close, lseek, dup, fcntl.
//!
//! Thin wrappers: a slice becomes (pointer, length), the raw return becomes a
//! `Result` (`errno::check`). To hand the kernel a deliberately bad pointer (the EFAULT
//! tests), call `syscall::syscall3(nr::__NR_write, ...)` directly instead.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall1, syscall3, syscall4};
use core::ffi::CStr;

pub use uapi::fcntl::{
    AT_FDCWD, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOFOLLOW,
    O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY,
};

/// read(2): read up to `buf.len()` bytes from `fd`.
pub fn read(fd: i32, buf: &mut [u8]) -> SysResult {
    // SAFETY: the kernel writes at most buf.len() bytes into buf, which we own mutably.
    check(unsafe {
        syscall3(
            nr::__NR_read,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// write(2): write up to `buf.len()` bytes of `buf` to `fd`.
pub fn write(fd: i32, buf: &[u8]) -> SysResult {
    // SAFETY: the kernel only reads buf.
    check(unsafe {
        syscall3(
            nr::__NR_write,
            fd as usize,
            buf.as_ptr() as usize,
            buf.len(),
        )
    })
}

/// write(2) until all of `buf` is written or an error occurs.
pub fn write_all(fd: i32, mut buf: &[u8]) -> SysResult<()> {
    while !buf.is_empty() {
        match write(fd, buf)? {
            0 => return Err(crate::Errno::EIO),
            n => buf = &buf[n..],
        }
    }
    Ok(())
}

/// openat(2): open `path` relative to `dirfd` (usually [`AT_FDCWD`]); returns the new fd.
pub fn openat(dirfd: i32, path: &CStr, flags: u32, mode: u32) -> SysResult {
    // SAFETY: path is NUL-terminated and only read.
    check(unsafe {
        syscall4(
            nr::__NR_openat,
            dirfd as usize,
            path.as_ptr() as usize,
            flags as usize,
            mode as usize,
        )
    })
}

/// close(2).
pub fn close(fd: i32) -> SysResult {
    // SAFETY: closing a descriptor touches no memory of ours.
    check(unsafe { syscall1(nr::__NR_close, fd as usize) })
}

pub use uapi::fcntl::{SEEK_CUR, SEEK_END, SEEK_SET};

/// lseek(2): move the file offset; returns the new offset.
pub fn lseek(fd: i32, offset: i64, whence: u32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe {
        syscall3(
            nr::__NR_lseek,
            fd as usize,
            offset as usize,
            whence as usize,
        )
    })
}

/// dup(2): the lowest free descriptor, sharing `fd`'s open file (and offset).
pub fn dup(fd: i32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall1(nr::__NR_dup, fd as usize) })
}

/// fcntl commands (Linux `include/uapi/asm-generic/fcntl.h`).
pub mod fcntl {
    pub use uapi::fcntl::{
        FD_CLOEXEC, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL,
    };
}

/// fcntl(2) with an integer argument (every command in [`fcntl`]).
pub fn fcntl(fd: i32, cmd: u32, arg: usize) -> SysResult {
    // SAFETY: these commands take an integer, not a pointer.
    check(unsafe { syscall3(nr::__NR_fcntl, fd as usize, cmd as usize, arg) })
}
