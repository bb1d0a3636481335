//! File types in `st_mode` (Linux `include/uapi/linux/stat.h`).

/// The file type bits of `st_mode` (Linux `S_IFMT`).
pub const S_IFMT: u32 = 0o170000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// Named pipe.
pub const S_IFIFO: u32 = 0o010000;

/// utimensat `tv_nsec` meaning "the current time" (Linux `UTIME_NOW`).
pub const UTIME_NOW: i64 = (1 << 30) - 1;
/// utimensat `tv_nsec` meaning "leave this one alone" (Linux `UTIME_OMIT`).
pub const UTIME_OMIT: i64 = (1 << 30) - 2;
