//! Linux error numbers, as user space sees them.
//!
//! A syscall that fails returns `-errno` in x0 (any value in -4095..=-1); `check` turns the
//! raw return into `Result<usize, Errno>`. The values are Linux's
//! (`include/uapi/asm-generic/errno-base.h` and `errno.h`), the same ones the kernel's
//! `kernel/src/errno.rs` returns, so a test can compare against `Errno::EFAULT` and mean
//! exactly what it means on Linux.

use core::fmt;

/// A Linux errno value, e.g. `Errno::ENOENT` (2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub i32);

/// The result of a syscall wrapper.
pub type SysResult<T = usize> = Result<T, Errno>;

/// Turn a raw syscall return (x0) into a result: -4095..=-1 is `-errno`, as in Linux's
/// `IS_ERR_VALUE`; anything else is a success value (mmap can return "negative" addresses).
pub fn check(ret: isize) -> SysResult {
    if (-4095..0).contains(&ret) {
        Err(Errno(-ret as i32))
    } else {
        Ok(ret as usize)
    }
}

macro_rules! errnos {
    ($($name:ident = $v:expr, $text:expr;)*) => {
        impl Errno {
            $(#[doc = $text] pub const $name: Errno = Errno($v);)*

            /// The symbolic name, e.g. "ENOENT" ("E?" for a value not listed here).
            pub fn name(self) -> &'static str {
                match self.0 { $($v => stringify!($name),)* _ => "E?" }
            }

            /// The text `strerror` gives, e.g. "No such file or directory".
            pub fn text(self) -> &'static str {
                match self.0 { $($v => $text,)* _ => "Unknown error" }
            }
        }
    };
}

errnos! {
    EPERM = 1, "Operation not permitted";
    ENOENT = 2, "No such file or directory";
    ESRCH = 3, "No such process";
    EINTR = 4, "Interrupted system call";
    EIO = 5, "Input/output error";
    ENXIO = 6, "No such device or address";
    E2BIG = 7, "Argument list too long";
    ENOEXEC = 8, "Exec format error";
    EBADF = 9, "Bad file descriptor";
    ECHILD = 10, "No child processes";
    EAGAIN = 11, "Resource temporarily unavailable";
    ENOMEM = 12, "Cannot allocate memory";
    EACCES = 13, "Permission denied";
    EFAULT = 14, "Bad address";
    EBUSY = 16, "Device or resource busy";
    EEXIST = 17, "File exists";
    EXDEV = 18, "Invalid cross-device link";
    ENODEV = 19, "No such device";
    ENOTDIR = 20, "Not a directory";
    EISDIR = 21, "Is a directory";
    EINVAL = 22, "Invalid argument";
    ENFILE = 23, "Too many open files in system";
    EMFILE = 24, "Too many open files";
    ENOTTY = 25, "Inappropriate ioctl for device";
    ETXTBSY = 26, "Text file busy";
    EFBIG = 27, "File too large";
    ENOSPC = 28, "No space left on device";
    ESPIPE = 29, "Illegal seek";
    EROFS = 30, "Read-only file system";
    EMLINK = 31, "Too many links";
    EPIPE = 32, "Broken pipe";
    ERANGE = 34, "Numerical result out of range";
    EDEADLK = 35, "Resource deadlock avoided";
    ENAMETOOLONG = 36, "File name too long";
    ENOSYS = 38, "Function not implemented";
    ENOTEMPTY = 39, "Directory not empty";
    ELOOP = 40, "Too many levels of symbolic links";
    EOVERFLOW = 75, "Value too large for defined data type";
    EOPNOTSUPP = 95, "Operation not supported";
    ETIMEDOUT = 110, "Connection timed out";
}

/// Prints the name and number, e.g. `EFAULT (14)`, so a failing check explains itself.
impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

/// Prints like `perror`: `EFAULT: Bad address`.
impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.text())
    }
}
