//! Linux error numbers (`include/uapi/asm-generic/errno-base.h` and `errno.h`).
//!
//! A failed syscall returns `-errno` in x0. The list is written once, in
//! [`for_each_errno!`], and expanded here into plain constants (`EPERM`...), the name and
//! text tables, and by [`errno_consts!`] into associated constants of a newtype
//! (the kernel's and ulib's `Errno`). The kernel-internal restart codes (ERESTARTSYS ...,
//! `include/linux/errno.h`) are not ABI and stay in the kernel.

/// Calls `$crate::$cb! { [$($arg)*] NAME = value, "text"; ... }` with every errno:
/// the one list of errno values.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_errno {
    ($cb:ident [$($arg:tt)*]) => {
        $crate::$cb! {
            [$($arg)*]
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
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __errno_plain {
    ([] $($name:ident = $v:literal, $text:literal;)*) => {
        $(#[doc = $text] pub const $name: i32 = $v;)*

        /// The symbolic name of an errno value, e.g. "ENOENT" (`None` if not listed).
        pub const fn errno_name(e: i32) -> Option<&'static str> {
            match e { $($v => Some(stringify!($name)),)* _ => None }
        }

        /// The text `strerror` gives, e.g. "No such file or directory".
        pub const fn errno_text(e: i32) -> Option<&'static str> {
            match e { $($v => Some($text),)* _ => None }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __errno_newtype {
    ([$t:ident] $($name:ident = $v:literal, $text:literal;)*) => {
        impl $t {
            $(#[doc = $text] pub const $name: $t = $t($crate::errno::$name);)*
        }
    };
}

/// `errno_consts!(Errno)`: `Errno::EPERM` ... for a `struct Errno(pub i32)`, every value
/// taken from this module.
#[macro_export]
macro_rules! errno_consts {
    ($t:ident) => {
        $crate::for_each_errno!(__errno_newtype[$t]);
    };
}

for_each_errno!(__errno_plain[]);

/// The largest errno a syscall returns: -4095..=-1 in x0 is `-errno` (Linux `MAX_ERRNO`,
/// `IS_ERR_VALUE`).
pub const MAX_ERRNO: i32 = 4095;
