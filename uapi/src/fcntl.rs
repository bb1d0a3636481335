//! open flags, fcntl commands, `*at` flags and lseek whence (Linux
//! `include/uapi/asm-generic/fcntl.h`, `include/uapi/linux/fcntl.h`, `linux/fs.h`).

/// Open for reading only.
pub const O_RDONLY: u32 = 0;
/// Open for writing only.
pub const O_WRONLY: u32 = 1;
/// Open for reading and writing.
pub const O_RDWR: u32 = 2;
/// The access mode bits.
pub const O_ACCMODE: u32 = 3;
/// Create the file if it does not exist.
pub const O_CREAT: u32 = 0o100;
/// With O_CREAT: fail if it exists.
pub const O_EXCL: u32 = 0o200;
/// Do not make it the controlling terminal.
pub const O_NOCTTY: u32 = 0o400;
/// Truncate to length 0.
pub const O_TRUNC: u32 = 0o1000;
/// Every write appends.
pub const O_APPEND: u32 = 0o2000;
/// Do not block.
pub const O_NONBLOCK: u32 = 0o4000;
/// Fail unless it is a directory (arm64's value).
pub const O_DIRECTORY: u32 = 0o40000;
/// Do not follow a symbolic link in the last component (arm64's value).
pub const O_NOFOLLOW: u32 = 0o100000;
/// Large file offsets (always on for 64-bit; arm64's value).
pub const O_LARGEFILE: u32 = 0o400000;
/// Close on exec.
pub const O_CLOEXEC: u32 = 0o2000000;
/// A handle on the path only.
pub const O_PATH: u32 = 0o10000000;

/// fcntl: duplicate to the lowest free fd >= arg.
pub const F_DUPFD: u32 = 0;
/// fcntl: the fd flags (FD_CLOEXEC).
pub const F_GETFD: u32 = 1;
/// fcntl: set the fd flags.
pub const F_SETFD: u32 = 2;
/// fcntl: the file status flags.
pub const F_GETFL: u32 = 3;
/// fcntl: set the file status flags.
pub const F_SETFL: u32 = 4;
/// fcntl: test for a POSIX lock.
pub const F_GETLK: u32 = 5;
/// fcntl: take or drop a POSIX lock, failing if it is held.
pub const F_SETLK: u32 = 6;
/// fcntl: take a POSIX lock, waiting.
pub const F_SETLKW: u32 = 7;
/// fcntl: test for an open-file-description lock.
pub const F_OFD_GETLK: u32 = 36;
/// fcntl: take or drop an OFD lock.
pub const F_OFD_SETLK: u32 = 37;
/// fcntl: take an OFD lock, waiting.
pub const F_OFD_SETLKW: u32 = 38;
/// fcntl: F_DUPFD with close-on-exec.
pub const F_DUPFD_CLOEXEC: u32 = 1030;
/// The fd flag: close on exec.
pub const FD_CLOEXEC: usize = 1;
/// `flock.l_type`: a read lock.
pub const F_RDLCK: i16 = 0;
/// `flock.l_type`: a write lock.
pub const F_WRLCK: i16 = 1;
/// `flock.l_type`: unlock.
pub const F_UNLCK: i16 = 2;

/// The `dirfd` meaning "the current directory".
pub const AT_FDCWD: i32 = -100;
/// Do not follow a symbolic link in the last component.
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
/// faccessat: check with the effective ids.
pub const AT_EACCESS: u32 = 0x200;
/// unlinkat: remove a directory (same bit as AT_EACCESS).
pub const AT_REMOVEDIR: u32 = 0x200;
/// linkat: follow a symbolic link.
pub const AT_SYMLINK_FOLLOW: u32 = 0x400;
/// Operate on the fd itself when the path is empty.
pub const AT_EMPTY_PATH: u32 = 0x1000;

/// faccessat mode: the file exists.
pub const F_OK: u32 = 0;
/// faccessat mode: executable.
pub const X_OK: u32 = 1;
/// faccessat mode: writable.
pub const W_OK: u32 = 2;
/// faccessat mode: readable.
pub const R_OK: u32 = 4;

/// lseek: from the start.
pub const SEEK_SET: u32 = 0;
/// lseek: from the current offset.
pub const SEEK_CUR: u32 = 1;
/// lseek: from the end.
pub const SEEK_END: u32 = 2;

/// renameat2: fail if the target exists (Linux `RENAME_NOREPLACE`, `include/uapi/linux/fs.h`).
pub const RENAME_NOREPLACE: u32 = 1;
/// renameat2: swap source and target (Linux `RENAME_EXCHANGE`).
pub const RENAME_EXCHANGE: u32 = 2;
/// renameat2: leave a whiteout (Linux `RENAME_WHITEOUT`; overlay file systems only).
pub const RENAME_WHITEOUT: u32 = 4;
