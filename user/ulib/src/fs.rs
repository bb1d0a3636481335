//! Paths and directories: getcwd, chdir, getdents64, newfstatat, readlinkat, dup3, pipe2.
//!
//! The kernel side is `kernel/src/syscall/fs.rs` (path lookup from the cwd or a dirfd,
//! `AT_FDCWD`). Paths are `&CStr` because the kernel reads a NUL-terminated string; a
//! program holding a `&[u8]` (an argument) makes one with `alloc::ffi::CString`.
//! `struct stat` and `struct linux_dirent64` are the arm64 (asm-generic) layouts.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall1, syscall2, syscall3, syscall4};
use core::ffi::CStr;

/// AT_SYMLINK_NOFOLLOW: stat a symlink itself, not what it points to.
pub use uapi::fcntl::AT_SYMLINK_NOFOLLOW;
pub use uapi::stat::{S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK};

/// struct stat as arm64 Linux fills it (asm-generic layout, 128 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Stat {
    /// Device of the file system.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Type (S_IFMT bits) and permissions.
    pub mode: u32,
    /// Number of hard links.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number, for a device file.
    pub rdev: u64,
    pad1: u64,
    /// Size in bytes.
    pub size: i64,
    /// Preferred I/O size.
    pub blksize: i32,
    pad2: i32,
    /// 512-byte blocks allocated.
    pub blocks: i64,
    /// Last access (seconds, nanoseconds).
    pub atime: [i64; 2],
    /// Last modification.
    pub mtime: [i64; 2],
    /// Last status change.
    pub ctime: [i64; 2],
    unused: [u32; 2],
}

const _: () = assert!(core::mem::size_of::<Stat>() == 128);

impl Stat {
    /// The file type bits (compare with [`S_IFDIR`] and friends).
    pub fn kind(&self) -> u32 {
        self.mode & S_IFMT
    }
    /// Is it a directory?
    pub fn is_dir(&self) -> bool {
        self.kind() == S_IFDIR
    }
}

/// newfstatat(2): stat `path` relative to `dirfd` ([`crate::io::AT_FDCWD`]); `flags` may
/// hold [`AT_SYMLINK_NOFOLLOW`].
pub fn fstatat(dirfd: i32, path: &CStr, flags: u32) -> SysResult<Stat> {
    let mut st = Stat::default();
    // SAFETY: path is only read; the kernel writes one struct stat into st, which we own.
    check(unsafe {
        syscall4(
            nr::__NR_newfstatat,
            dirfd as usize,
            path.as_ptr() as usize,
            &mut st as *mut Stat as usize,
            flags as usize,
        )
    })?;
    Ok(st)
}

/// fstat(2).
pub fn fstat(fd: i32) -> SysResult<Stat> {
    let mut st = Stat::default();
    // SAFETY: the kernel writes one struct stat into st, which we own.
    check(unsafe { syscall2(nr::__NR_fstat, fd as usize, &mut st as *mut Stat as usize) })?;
    Ok(st)
}

/// getcwd(2): the current directory's path into `buf`; returns it without the NUL.
pub fn getcwd(buf: &mut [u8]) -> SysResult<&[u8]> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    let n = check(unsafe { syscall2(nr::__NR_getcwd, buf.as_mut_ptr() as usize, buf.len()) })?;
    // Linux returns the length including the NUL.
    Ok(&buf[..n.saturating_sub(1)])
}

/// chdir(2).
pub fn chdir(path: &CStr) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe { syscall1(nr::__NR_chdir, path.as_ptr() as usize) })
}

/// readlinkat(2): the target of symlink `path`, into `buf` (truncated, no NUL).
pub fn readlinkat<'a>(dirfd: i32, path: &CStr, buf: &'a mut [u8]) -> SysResult<&'a [u8]> {
    // SAFETY: path is only read; the kernel writes at most buf.len() bytes into buf.
    let n = check(unsafe {
        syscall4(
            nr::__NR_readlinkat,
            dirfd as usize,
            path.as_ptr() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })?;
    Ok(&buf[..n])
}

/// dup3(2): make `new` refer to the same open file as `old` (flags: 0 or O_CLOEXEC).
pub fn dup3(old: i32, new: i32, flags: u32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall3(nr::__NR_dup3, old as usize, new as usize, flags as usize) })
}

/// pipe2(2): returns `[read end, write end]`.
pub fn pipe2(flags: u32) -> SysResult<[i32; 2]> {
    let mut fds = [-1i32; 2];
    // SAFETY: the kernel writes two ints into fds, which we own.
    check(unsafe { syscall2(nr::__NR_pipe2, fds.as_mut_ptr() as usize, flags as usize) })?;
    Ok(fds)
}

/// getdents64(2): read directory entries of `fd` into `buf`; 0 at the end. Walk the
/// result with [`Dirents`].
pub fn getdents64(fd: i32, buf: &mut [u8]) -> SysResult {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    check(unsafe {
        syscall3(
            nr::__NR_getdents64,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// DT_* values of `linux_dirent64.d_type`.
pub mod dt {
    /// Unknown: stat the entry to find out.
    pub const UNKNOWN: u8 = 0;
    /// A FIFO.
    pub const FIFO: u8 = 1;
    /// A character device.
    pub const CHR: u8 = 2;
    /// A directory.
    pub const DIR: u8 = 4;
    /// A block device.
    pub const BLK: u8 = 6;
    /// A regular file.
    pub const REG: u8 = 8;
    /// A symbolic link.
    pub const LNK: u8 = 10;
}

/// One directory entry (`struct linux_dirent64`: ino, off, reclen, type, name).
#[derive(Clone, Copy, Debug)]
pub struct Dirent<'a> {
    /// Inode number.
    pub ino: u64,
    /// Type: one of [`dt`].
    pub kind: u8,
    /// The name, without its NUL.
    pub name: &'a [u8],
}

/// The entries in the first `len` bytes a [`getdents64`] call filled.
pub struct Dirents<'a> {
    buf: &'a [u8],
}

impl<'a> Dirents<'a> {
    /// Walk `buf[..len]`, as filled by getdents64.
    pub fn new(buf: &'a [u8], len: usize) -> Dirents<'a> {
        Dirents {
            buf: &buf[..len.min(buf.len())],
        }
    }
}

impl<'a> Iterator for Dirents<'a> {
    type Item = Dirent<'a>;

    fn next(&mut self) -> Option<Dirent<'a>> {
        // Header: d_ino (8), d_off (8), d_reclen (2), d_type (1), then the name.
        const HEADER: usize = 19;
        if self.buf.len() < HEADER {
            return None;
        }
        let ino = u64::from_le_bytes(self.buf[0..8].try_into().ok()?);
        let reclen = u16::from_le_bytes([self.buf[16], self.buf[17]]) as usize;
        if reclen < HEADER || reclen > self.buf.len() {
            return None;
        }
        let kind = self.buf[18];
        let name = &self.buf[HEADER..reclen];
        let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
        self.buf = &self.buf[reclen..];
        Some(Dirent { ino, kind, name })
    }
}

/// fchdir(2): make the directory `fd` is open on the current directory.
pub fn fchdir(fd: i32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall1(nr::__NR_fchdir, fd as usize) })
}

/// mkdirat(2): make directory `path` (relative to `dirfd`) with permissions `mode`.
pub fn mkdirat(dirfd: i32, path: &CStr, mode: u32) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe {
        syscall3(
            nr::__NR_mkdirat,
            dirfd as usize,
            path.as_ptr() as usize,
            mode as usize,
        )
    })
}

/// AT_REMOVEDIR for unlinkat: remove a directory (rmdir) instead of a file.
pub use uapi::fcntl::AT_REMOVEDIR;

/// unlinkat(2): remove `path` (relative to `dirfd`); with [`AT_REMOVEDIR`] an empty
/// directory.
pub fn unlinkat(dirfd: i32, path: &CStr, flags: u32) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe {
        syscall3(
            nr::__NR_unlinkat,
            dirfd as usize,
            path.as_ptr() as usize,
            flags as usize,
        )
    })
}

/// symlinkat(2): make `path` (relative to `dirfd`) a symlink whose body is `target`.
pub fn symlinkat(target: &CStr, dirfd: i32, path: &CStr) -> SysResult {
    // SAFETY: both strings are only read.
    check(unsafe {
        syscall3(
            nr::__NR_symlinkat,
            target.as_ptr() as usize,
            dirfd as usize,
            path.as_ptr() as usize,
        )
    })
}
