//! File descriptors: read, write, openat, close.
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
/// O_TRUNC: truncate to length 0.
pub const O_TRUNC: u32 = 0o1000;
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
