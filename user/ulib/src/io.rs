//! File descriptors: read, write, openat, close, lseek, dup, fcntl.
//!
//! Thin wrappers: a slice becomes (pointer, length), the raw return becomes a
//! `Result` (`errno::check`). To hand the kernel a deliberately bad pointer (the EFAULT
//! tests), call `syscall::syscall3(nr::WRITE, ...)` directly instead.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall1, syscall3, syscall4};
use core::ffi::CStr;

/// AT_FDCWD: "relative to the current directory", for the `*at` calls.
pub const AT_FDCWD: i32 = -100;
/// O_RDONLY: open for reading.
pub const O_RDONLY: u32 = 0;
/// O_WRONLY: open for writing.
pub const O_WRONLY: u32 = 1;
/// O_RDWR: open for reading and writing.
pub const O_RDWR: u32 = 2;
/// O_CREAT: create the file if it does not exist.
pub const O_CREAT: u32 = 0o100;
/// O_EXCL: with O_CREAT, fail with EEXIST if the file exists.
pub const O_EXCL: u32 = 0o200;
/// O_TRUNC: truncate to length 0.
pub const O_TRUNC: u32 = 0o1000;
/// O_APPEND: every write goes to the end of the file.
pub const O_APPEND: u32 = 0o2000;
/// O_NONBLOCK: never sleep (EAGAIN instead).
pub const O_NONBLOCK: u32 = 0o4000;
/// O_NOFOLLOW: fail with ELOOP if the last component is a symlink (arm64 value).
pub const O_NOFOLLOW: u32 = 0o100000;
/// O_LARGEFILE: 64-bit offsets; a 64-bit kernel sets it on every open file (arm64 value).
pub const O_LARGEFILE: u32 = 0o400000;
/// O_DIRECTORY: fail unless the path is a directory (arm64 value).
pub const O_DIRECTORY: u32 = 0o40000;
/// O_CLOEXEC: close on execve.
pub const O_CLOEXEC: u32 = 0o2000000;

/// read(2): read up to `buf.len()` bytes from `fd`.
pub fn read(fd: i32, buf: &mut [u8]) -> SysResult {
    // SAFETY: the kernel writes at most buf.len() bytes into buf, which we own mutably.
    check(unsafe { syscall3(nr::READ, fd as usize, buf.as_mut_ptr() as usize, buf.len()) })
}

/// write(2): write up to `buf.len()` bytes of `buf` to `fd`.
pub fn write(fd: i32, buf: &[u8]) -> SysResult {
    // SAFETY: the kernel only reads buf.
    check(unsafe { syscall3(nr::WRITE, fd as usize, buf.as_ptr() as usize, buf.len()) })
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
            nr::OPENAT,
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
    check(unsafe { syscall1(nr::CLOSE, fd as usize) })
}

/// lseek whence: from the start of the file.
pub const SEEK_SET: u32 = 0;
/// lseek whence: from the current offset.
pub const SEEK_CUR: u32 = 1;
/// lseek whence: from the end of the file.
pub const SEEK_END: u32 = 2;

/// lseek(2): move the file offset; returns the new offset.
pub fn lseek(fd: i32, offset: i64, whence: u32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall3(nr::LSEEK, fd as usize, offset as usize, whence as usize) })
}

/// dup(2): the lowest free descriptor, sharing `fd`'s open file (and offset).
pub fn dup(fd: i32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall1(nr::DUP, fd as usize) })
}

/// fcntl commands (Linux `include/uapi/asm-generic/fcntl.h`).
pub mod fcntl {
    /// Duplicate to the lowest free descriptor >= arg.
    pub const F_DUPFD: u32 = 0;
    /// Read the descriptor flags (FD_CLOEXEC).
    pub const F_GETFD: u32 = 1;
    /// Set the descriptor flags.
    pub const F_SETFD: u32 = 2;
    /// Read the open file's status flags (access mode, O_APPEND, ...).
    pub const F_GETFL: u32 = 3;
    /// Set O_APPEND and O_NONBLOCK.
    pub const F_SETFL: u32 = 4;
    /// F_DUPFD, with FD_CLOEXEC on the new descriptor.
    pub const F_DUPFD_CLOEXEC: u32 = 1030;
    /// The one descriptor flag: close on execve.
    pub const FD_CLOEXEC: usize = 1;
}

/// fcntl(2) with an integer argument (every command in [`fcntl`]).
pub fn fcntl(fd: i32, cmd: u32, arg: usize) -> SysResult {
    // SAFETY: these commands take an integer, not a pointer.
    check(unsafe { syscall3(nr::FCNTL, fd as usize, cmd as usize, arg) })
}
