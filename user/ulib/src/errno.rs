//! Linux error numbers, as user space sees them.
//!
//! A syscall that fails returns `-errno` in x0 (any value in -4095..=-1); `check` turns the
//! raw return into `Result<usize, Errno>`. The values are Linux's
//! (`include/uapi/asm-generic/errno-base.h` and `errno.h`), taken from the `uapi` crate the
//! kernel's `kernel/src/errno.rs` uses too, so a test can compare against `Errno::EFAULT` and mean
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
    if (-(uapi::errno::MAX_ERRNO as isize)..0).contains(&ret) {
        Err(Errno(-ret as i32))
    } else {
        Ok(ret as usize)
    }
}

uapi::errno_consts!(Errno);

impl Errno {
    /// The symbolic name, e.g. "ENOENT" ("E?" for a value not listed).
    pub fn name(self) -> &'static str {
        uapi::errno::errno_name(self.0).unwrap_or("E?")
    }

    /// The text `strerror` gives, e.g. "No such file or directory".
    pub fn text(self) -> &'static str {
        uapi::errno::errno_text(self.0).unwrap_or("Unknown error")
    }
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
