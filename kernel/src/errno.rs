//! Linux error numbers (`include/uapi/asm-generic/errno-base.h` and `errno.h`).
//!
//! Inside the kernel a failure is a value, `Result<T, Errno>`;
//! the syscall layer turns it into `-errno` in x0, exactly as Linux returns it, so a
//! user program's `errno` means the same on Linnet and on Linux.

use core::fmt;

/// A Linux errno value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Errno(pub i32);

/// Kernel results.
pub type KResult<T> = Result<T, Errno>;

macro_rules! errnos {
    ($($name:ident = $v:expr, $text:expr;)*) => {
        impl Errno {
            $(#[doc = $text] pub const $name: Errno = Errno($v);)*

            /// The symbolic name, e.g. "ENOENT".
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
    ENOMSG = 42, "No message of desired type";
    EIDRM = 43, "Identifier removed";
    EOVERFLOW = 75, "Value too large for defined data type";
    EOPNOTSUPP = 95, "Operation not supported";
    EAFNOSUPPORT = 97, "Address family not supported by protocol";
    ETIMEDOUT = 110, "Connection timed out";
    ERESTARTSYS = 512, "Restart the syscall unless the handler lacks SA_RESTART (kernel only)";
    ERESTARTNOINTR = 513, "Restart the syscall always (kernel only)";
    ERESTARTNOHAND = 514, "Restart the syscall if no handler runs (kernel only)";
}

impl Errno {
    /// Is this one of the kernel-internal restart codes (Linux `include/linux/errno.h`)?
    /// A user program never sees them: `do_signal` turns each into a restart of the
    /// syscall or into EINTR before the return to user space.
    pub fn is_restart(self) -> bool {
        (512..=514).contains(&self.0)
    }

    /// The value a syscall returns for this error: `-errno` as a register.
    pub fn as_syscall_ret(self) -> u64 {
        (-(self.0 as i64)) as u64
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_linux() {
        assert_eq!(Errno::ENOENT.0, 2);
        assert_eq!(Errno::EFAULT.0, 14);
        assert_eq!(Errno::ENOSYS.0, 38);
        assert_eq!(Errno::ELOOP.0, 40);
        assert_eq!(Errno::ECHILD.name(), "ECHILD");
        assert_eq!(Errno::EFAULT.as_syscall_ret(), (-14i64) as u64);
        assert_eq!(
            format!("{}", Errno::ENOENT),
            "ENOENT (No such file or directory)"
        );
    }
}
