//! Names of the Linux asm-generic system call numbers.
//!
//! Linnet follows the asm-generic syscall numbering, the table that arm64
//! (and riscv, loongarch, ...) use, so a number that user space puts in `x8`
//! means the same here as on Linux. The list itself, `__NR_name = N`, is the uapi
//! crate's (`uapi/src/unistd.rs`, Linux `include/uapi/asm-generic/unistd.h`), shared
//! with ulib; this module maps a number back to its Linux name, so that a syscall
//! Linnet does not implement can be logged by name (97 is `unshare`) as well as by
//! number, and so that the docs can list syscalls by name. The tests below check the
//! list against the header's shape.

pub use uapi::unistd::syscall_name;

#[cfg(test)]
mod tests {
    use super::syscall_name;
    use uapi::unistd::NR_SYSCALLS;

    /// Every slot's name, indexed by number (what the old table held).
    fn names() -> alloc::vec::Vec<Option<&'static str>> {
        (0..NR_SYSCALLS).map(syscall_name).collect()
    }

    #[test]
    fn well_known_numbers() {
        let known: &[(usize, &str)] = &[
            (0, "io_setup"),
            (1, "io_destroy"),
            (17, "getcwd"),
            (25, "fcntl"),
            (29, "ioctl"),
            (39, "umount2"),
            (43, "statfs"),
            (44, "fstatfs"),
            (45, "truncate"),
            (46, "ftruncate"),
            (56, "openat"),
            (57, "close"),
            (61, "getdents64"),
            (62, "lseek"),
            (63, "read"),
            (64, "write"),
            (71, "sendfile"),
            (79, "newfstatat"),
            (80, "fstat"),
            (84, "sync_file_range"),
            (93, "exit"),
            (94, "exit_group"),
            (96, "set_tid_address"),
            (98, "futex"),
            (101, "nanosleep"),
            (113, "clock_gettime"),
            (124, "sched_yield"),
            (129, "kill"),
            (134, "rt_sigaction"),
            (139, "rt_sigreturn"),
            (160, "uname"),
            (172, "getpid"),
            (178, "gettid"),
            (179, "sysinfo"),
            (214, "brk"),
            (215, "munmap"),
            (220, "clone"),
            (221, "execve"),
            (222, "mmap"),
            (223, "fadvise64"),
            (226, "mprotect"),
            (243, "recvmmsg"),
            (260, "wait4"),
            (261, "prlimit64"),
            (278, "getrandom"),
            (281, "execveat"),
            (294, "kexec_file_load"),
            (424, "pidfd_send_signal"),
            (435, "clone3"),
            (448, "process_mrelease"),
            (462, "mseal"),
            (469, "file_setattr"),
        ];
        for &(nr, name) in known {
            assert_eq!(syscall_name(nr), Some(name), "syscall {}", nr);
        }
    }

    #[test]
    fn unassigned_numbers_are_none() {
        // Slots kept for arch-specific calls; arm64 defines none.
        for nr in 244..=259 {
            assert_eq!(syscall_name(nr), None, "syscall {}", nr);
        }
        // Never assigned, then the 32-bit-only time64 calls (and 415).
        for nr in 295..=423 {
            assert_eq!(syscall_name(nr), None, "syscall {}", nr);
        }
        // Past the end of the table.
        assert_eq!(syscall_name(NR_SYSCALLS), None);
        assert_eq!(syscall_name(1024), None);
        assert_eq!(syscall_name(usize::MAX), None);
    }

    #[test]
    fn assigned_ranges_have_no_holes() {
        for nr in (0..=243).chain(260..=294).chain(424..NR_SYSCALLS) {
            assert!(syscall_name(nr).is_some(), "syscall {} has no name", nr);
        }
        assert_eq!(NR_SYSCALLS, 470);
    }

    #[test]
    fn names_are_unique_and_plain() {
        let names = names();
        for (i, a) in names.iter().enumerate() {
            let Some(a) = a else { continue };
            assert!(
                !a.is_empty() && !a.starts_with("sys_"),
                "syscall {}: {:?}",
                i,
                a
            );
            assert!(
                a.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "syscall {}: {:?}",
                i,
                a
            );
            for (j, b) in names.iter().enumerate().skip(i + 1) {
                assert_ne!(Some(*a), *b, "syscalls {} and {} share a name", i, j);
            }
        }
    }
}
