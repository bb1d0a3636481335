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

uapi::errno_consts!(Errno);

/// The kernel-internal restart codes (Linux `include/linux/errno.h`, not ABI): a user
/// program never sees them.
impl Errno {
    /// Restart the syscall unless the handler lacks SA_RESTART (kernel only).
    pub const ERESTARTSYS: Errno = Errno(512);
    /// Restart the syscall always (kernel only).
    pub const ERESTARTNOINTR: Errno = Errno(513);
    /// Restart the syscall if no handler runs (kernel only).
    pub const ERESTARTNOHAND: Errno = Errno(514);

    /// The symbolic name, e.g. "ENOENT".
    pub fn name(self) -> &'static str {
        match self {
            Errno::ERESTARTSYS => "ERESTARTSYS",
            Errno::ERESTARTNOINTR => "ERESTARTNOINTR",
            Errno::ERESTARTNOHAND => "ERESTARTNOHAND",
            Errno(e) => uapi::errno::errno_name(e).unwrap_or("E?"),
        }
    }

    /// The text `strerror` gives, e.g. "No such file or directory".
    pub fn text(self) -> &'static str {
        match self {
            Errno::ERESTARTSYS => {
                "Restart the syscall unless the handler lacks SA_RESTART (kernel only)"
            }
            Errno::ERESTARTNOINTR => "Restart the syscall always (kernel only)",
            Errno::ERESTARTNOHAND => "Restart the syscall if no handler runs (kernel only)",
            Errno(e) => uapi::errno::errno_text(e).unwrap_or("Unknown error"),
        }
    }
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
