//! File operations beyond open/read/write: positional and vectored I/O, sendfile,
//! truncate, sync, access checks, rename, hard links, modes, owners, times, umask,
//! statfs, record locks, getrandom and the generic ioctls.
//!
//! The kernel side is `kernel/src/syscall/fs_{rw,attr,lock,ioctl}.rs`. Numbers and
//! structures are the asm-generic (arm64) ones.

use crate::errno::{check, SysResult};
use crate::syscall::{syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};
use core::ffi::CStr;

/// Syscall numbers (uapi's `__NR_*`, Linux `include/uapi/asm-generic/unistd.h`).
pub use crate::syscall::nr;

/// `struct iovec`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IoVec {
    /// Start of the segment.
    pub base: usize,
    /// Its length.
    pub len: usize,
}

impl IoVec {
    /// A segment to write from `buf`.
    pub fn new(buf: &[u8]) -> IoVec {
        IoVec {
            base: buf.as_ptr() as usize,
            len: buf.len(),
        }
    }

    /// A segment to read into `buf`.
    pub fn new_mut(buf: &mut [u8]) -> IoVec {
        IoVec {
            base: buf.as_mut_ptr() as usize,
            len: buf.len(),
        }
    }
}

/// pread64(2).
pub fn pread(fd: i32, buf: &mut [u8], off: i64) -> SysResult {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    check(unsafe {
        syscall4(
            nr::__NR_pread64,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            off as usize,
        )
    })
}

/// pwrite64(2).
pub fn pwrite(fd: i32, buf: &[u8], off: i64) -> SysResult {
    // SAFETY: buf is only read.
    check(unsafe {
        syscall4(
            nr::__NR_pwrite64,
            fd as usize,
            buf.as_ptr() as usize,
            buf.len(),
            off as usize,
        )
    })
}

/// readv(2) with raw segments (the caller keeps the buffers alive and writable).
///
/// # Safety
/// Each segment must be writable memory of the caller, or deliberately bad for an
/// EFAULT test.
pub unsafe fn readv(fd: i32, iov: &[IoVec]) -> SysResult {
    // SAFETY: the caller vouches for the segments.
    check(unsafe {
        syscall3(
            nr::__NR_readv,
            fd as usize,
            iov.as_ptr() as usize,
            iov.len(),
        )
    })
}

/// writev(2).
pub fn writev(fd: i32, iov: &[IoVec]) -> SysResult {
    // SAFETY: the segments are only read.
    check(unsafe {
        syscall3(
            nr::__NR_writev,
            fd as usize,
            iov.as_ptr() as usize,
            iov.len(),
        )
    })
}

/// readv(2) with an explicit count (to test the count checks).
pub fn readv_count(fd: i32, iov: usize, cnt: usize) -> SysResult {
    // SAFETY: with a bad count the kernel reads nothing; tests pass null or real arrays.
    check(unsafe { syscall3(nr::__NR_readv, fd as usize, iov, cnt) })
}

/// preadv(2).
///
/// # Safety
/// As [`readv`].
pub unsafe fn preadv(fd: i32, iov: &[IoVec], off: i64) -> SysResult {
    // SAFETY: the caller vouches for the segments.
    check(unsafe {
        syscall5(
            nr::__NR_preadv,
            fd as usize,
            iov.as_ptr() as usize,
            iov.len(),
            off as usize,
            0,
        )
    })
}

/// pwritev(2).
pub fn pwritev(fd: i32, iov: &[IoVec], off: i64) -> SysResult {
    // SAFETY: the segments are only read.
    check(unsafe {
        syscall5(
            nr::__NR_pwritev,
            fd as usize,
            iov.as_ptr() as usize,
            iov.len(),
            off as usize,
            0,
        )
    })
}

/// sendfile(2); `off` None uses and advances in_fd's offset.
pub fn sendfile(out_fd: i32, in_fd: i32, off: Option<&mut i64>, count: usize) -> SysResult {
    let p = off.map(|o| o as *mut i64 as usize).unwrap_or(0);
    // SAFETY: the kernel reads and writes one i64 at p, which we own, if given.
    check(unsafe { syscall4(nr::__NR_sendfile, out_fd as usize, in_fd as usize, p, count) })
}

/// truncate(2).
pub fn truncate(path: &CStr, len: i64) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe { syscall2(nr::__NR_truncate, path.as_ptr() as usize, len as usize) })
}

/// ftruncate(2).
pub fn ftruncate(fd: i32, len: i64) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall2(nr::__NR_ftruncate, fd as usize, len as usize) })
}

/// fsync(2).
pub fn fsync(fd: i32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall1(nr::__NR_fsync, fd as usize) })
}

/// fdatasync(2).
pub fn fdatasync(fd: i32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall1(nr::__NR_fdatasync, fd as usize) })
}

/// sync(2).
pub fn sync() -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall0(nr::__NR_sync) })
}

pub use uapi::fcntl::{AT_EACCESS, AT_EMPTY_PATH, AT_SYMLINK_FOLLOW, F_OK, R_OK, W_OK, X_OK};

/// faccessat(2) (no flags).
pub fn faccessat(dirfd: i32, path: &CStr, mode: u32) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe {
        syscall3(
            nr::__NR_faccessat,
            dirfd as usize,
            path.as_ptr() as usize,
            mode as usize,
        )
    })
}

/// faccessat2(2).
pub fn faccessat2(dirfd: i32, path: &CStr, mode: u32, flags: u32) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe {
        syscall4(
            nr::__NR_faccessat2,
            dirfd as usize,
            path.as_ptr() as usize,
            mode as usize,
            flags as usize,
        )
    })
}

pub use uapi::fcntl::{RENAME_EXCHANGE, RENAME_NOREPLACE};

/// renameat(2).
pub fn renameat(olddir: i32, old: &CStr, newdir: i32, new: &CStr) -> SysResult {
    // SAFETY: the paths are only read.
    check(unsafe {
        syscall4(
            nr::__NR_renameat,
            olddir as usize,
            old.as_ptr() as usize,
            newdir as usize,
            new.as_ptr() as usize,
        )
    })
}

/// renameat2(2).
pub fn renameat2(olddir: i32, old: &CStr, newdir: i32, new: &CStr, flags: u32) -> SysResult {
    // SAFETY: the paths are only read.
    check(unsafe {
        syscall5(
            nr::__NR_renameat2,
            olddir as usize,
            old.as_ptr() as usize,
            newdir as usize,
            new.as_ptr() as usize,
            flags as usize,
        )
    })
}

/// linkat(2).
pub fn linkat(olddir: i32, old: &CStr, newdir: i32, new: &CStr, flags: u32) -> SysResult {
    // SAFETY: the paths are only read.
    check(unsafe {
        syscall5(
            nr::__NR_linkat,
            olddir as usize,
            old.as_ptr() as usize,
            newdir as usize,
            new.as_ptr() as usize,
            flags as usize,
        )
    })
}

/// fchmod(2).
pub fn fchmod(fd: i32, mode: u32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall2(nr::__NR_fchmod, fd as usize, mode as usize) })
}

/// fchmodat(2) (no flags at the syscall level).
pub fn fchmodat(dirfd: i32, path: &CStr, mode: u32) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe {
        syscall3(
            nr::__NR_fchmodat,
            dirfd as usize,
            path.as_ptr() as usize,
            mode as usize,
        )
    })
}

/// fchown(2); u32::MAX keeps an id.
pub fn fchown(fd: i32, uid: u32, gid: u32) -> SysResult {
    // SAFETY: touches no memory of ours.
    check(unsafe { syscall3(nr::__NR_fchown, fd as usize, uid as usize, gid as usize) })
}

/// fchownat(2).
pub fn fchownat(dirfd: i32, path: &CStr, uid: u32, gid: u32, flags: u32) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe {
        syscall5(
            nr::__NR_fchownat,
            dirfd as usize,
            path.as_ptr() as usize,
            uid as usize,
            gid as usize,
            flags as usize,
        )
    })
}

/// utimensat's special nanosecond values.
pub use uapi::stat::{UTIME_NOW, UTIME_OMIT};

/// utimensat(2): `times` None means now; `path` None operates on `dirfd`.
pub fn utimensat(
    dirfd: i32,
    path: Option<&CStr>,
    times: Option<&[[i64; 2]; 2]>,
    flags: u32,
) -> SysResult {
    let p = path.map(|p| p.as_ptr() as usize).unwrap_or(0);
    let t = times.map(|t| t.as_ptr() as usize).unwrap_or(0);
    // SAFETY: the path and times are only read.
    check(unsafe { syscall4(nr::__NR_utimensat, dirfd as usize, p, t, flags as usize) })
}

/// mknodat(2); `dev` as `makedev` encodes it.
pub fn mknodat(dirfd: i32, path: &CStr, mode: u32, dev: u64) -> SysResult {
    // SAFETY: path is only read.
    check(unsafe {
        syscall4(
            nr::__NR_mknodat,
            dirfd as usize,
            path.as_ptr() as usize,
            mode as usize,
            dev as usize,
        )
    })
}

/// umask(2): returns the old mask.
pub fn umask(mask: u32) -> u32 {
    // SAFETY: touches no memory of ours; umask cannot fail.
    (unsafe { syscall1(nr::__NR_umask, mask as usize) }) as u32
}

/// `struct statfs` (asm-generic 64-bit, 120 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Statfs {
    /// File system magic.
    pub f_type: i64,
    /// Block size.
    pub f_bsize: i64,
    /// Blocks in all.
    pub f_blocks: u64,
    /// Free blocks.
    pub f_bfree: u64,
    /// Free blocks for unprivileged users.
    pub f_bavail: u64,
    /// Inodes in all.
    pub f_files: u64,
    /// Free inodes.
    pub f_ffree: u64,
    /// File system id.
    pub f_fsid: [i32; 2],
    /// Longest name.
    pub f_namelen: i64,
    /// Fragment size.
    pub f_frsize: i64,
    /// Mount flags (ST_*).
    pub f_flags: i64,
    spare: [i64; 4],
}

const _: () = assert!(core::mem::size_of::<Statfs>() == 120);

/// statfs(2).
pub fn statfs(path: &CStr) -> SysResult<Statfs> {
    let mut s = Statfs::default();
    // SAFETY: the kernel writes one struct statfs into s.
    check(unsafe {
        syscall2(
            nr::__NR_statfs,
            path.as_ptr() as usize,
            &mut s as *mut Statfs as usize,
        )
    })?;
    Ok(s)
}

/// fstatfs(2).
pub fn fstatfs(fd: i32) -> SysResult<Statfs> {
    let mut s = Statfs::default();
    // SAFETY: the kernel writes one struct statfs into s.
    check(unsafe {
        syscall2(
            nr::__NR_fstatfs,
            fd as usize,
            &mut s as *mut Statfs as usize,
        )
    })?;
    Ok(s)
}

/// getrandom(2).
pub fn getrandom(buf: &mut [u8], flags: u32) -> SysResult {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    check(unsafe {
        syscall3(
            nr::__NR_getrandom,
            buf.as_mut_ptr() as usize,
            buf.len(),
            flags as usize,
        )
    })
}

/// Record lock commands and types.
pub mod lock {
    pub use uapi::fcntl::{
        F_GETLK, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_RDLCK, F_SETLK, F_SETLKW, F_UNLCK,
        F_WRLCK,
    };
}

/// `struct flock` (arm64, 32 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flock {
    /// F_RDLCK, F_WRLCK, F_UNLCK.
    pub l_type: i16,
    /// SEEK_SET, SEEK_CUR, SEEK_END.
    pub l_whence: i16,
    /// Start offset.
    pub l_start: i64,
    /// Length (0: to the end).
    pub l_len: i64,
    /// Holder (F_GETLK).
    pub l_pid: i32,
}

/// fcntl(2) with a `struct flock`.
pub fn fcntl_lock(fd: i32, cmd: u32, fl: &mut Flock) -> SysResult {
    // SAFETY: the kernel reads and may write one struct flock, which we own.
    check(unsafe {
        syscall3(
            nr::__NR_fcntl,
            fd as usize,
            cmd as usize,
            fl as *mut Flock as usize,
        )
    })
}

/// The generic ioctls.
#[allow(missing_docs)] // the names are Linux's
pub mod ioctls {
    pub const FIONREAD: usize = uapi::ioctls::FIONREAD as usize;
    pub const FIONBIO: usize = uapi::ioctls::FIONBIO as usize;
    pub const FIONCLEX: usize = uapi::ioctls::FIONCLEX as usize;
    pub const FIOCLEX: usize = uapi::ioctls::FIOCLEX as usize;
    pub const TCSETS: usize = uapi::ioctls::TCSETS as usize;
    pub const TCSETSW: usize = uapi::ioctls::TCSETSW as usize;
    pub const TCSETSF: usize = uapi::ioctls::TCSETSF as usize;
    pub const TIOCGWINSZ: usize = uapi::ioctls::TIOCGWINSZ as usize;
    pub const TIOCSWINSZ: usize = uapi::ioctls::TIOCSWINSZ as usize;
}

/// ioctl(2) with an int argument passed by pointer (FIONBIO, FIONREAD).
pub fn ioctl_int(fd: i32, req: usize, v: &mut i32) -> SysResult {
    // SAFETY: the kernel reads or writes one int, which we own.
    check(unsafe { syscall3(nr::__NR_ioctl, fd as usize, req, v as *mut i32 as usize) })
}

/// ioctl(2) with a buffer argument (termios, winsize).
pub fn ioctl_buf(fd: i32, req: usize, buf: &mut [u8]) -> SysResult {
    // SAFETY: the requests used with this move at most buf.len() bytes (callers size
    // it for the structure).
    check(unsafe { syscall3(nr::__NR_ioctl, fd as usize, req, buf.as_mut_ptr() as usize) })
}
