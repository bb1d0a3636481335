//! The system call table (Linux `arch/arm64/kernel/syscall.c` `invoke_syscall`; the
//! table in `include/uapi/asm-generic/unistd.h`).
//!
//! A user program puts the syscall number in x8 and up to six arguments in x0-x5, then
//! executes `svc #0`. The architecture's `do_el0_svc` (`arch/aarch64/syscall.rs`) reads
//! the number; `invoke_syscall` here finds the handler by number and runs it; the result
//! goes back in x0: a value, or `-errno` (docs/syscalls.md lists the calls). An unknown number
//! returns `-ENOSYS` and is logged once, by its Linux name.
//!
//! One file per family: `process.rs` (clone, exit, wait4, ids), `signal.rs` (kill,
//! sigaction, sigprocmask), `time.rs`, `info.rs` (uname, sysinfo), `fs.rs` (files),
//! `mm.rs` (mmap, munmap, mprotect, brk), `futex.rs`, `resource.rs` (getrlimit,
//! setrlimit, prlimit64).
//! `docs/syscalls.md` is generated from `SYSCALL_TABLE`.

pub mod names;
pub mod resource;
pub mod sys;

#[cfg(target_os = "none")]
mod fs;
#[cfg(target_os = "none")]
mod fs_attr;
#[cfg(target_os = "none")]
mod fs_ioctl;
#[cfg(target_os = "none")]
mod fs_lock;
#[cfg(target_os = "none")]
mod fs_rw;
#[cfg(target_os = "none")]
mod futex;
#[cfg(target_os = "none")]
pub mod info;
#[cfg(target_os = "none")]
mod mm;
#[cfg(target_os = "none")]
mod poll;
#[cfg(target_os = "none")]
mod process;
#[cfg(target_os = "none")]
pub mod signal;
#[cfg(target_os = "none")]
mod sigqueue;
#[cfg(target_os = "none")]
mod time;

#[cfg(target_os = "none")]
pub use table::*;

#[cfg(target_os = "none")]
mod table {
    use super::*;
    use crate::arch::TrapFrame;
    use crate::errno::{Errno, KResult};
    use core::sync::atomic::{AtomicU64, Ordering};

    /// A syscall handler: reads its arguments from the saved registers.
    pub type Handler = fn(&mut TrapFrame) -> KResult<usize>;

    /// One table entry.
    pub struct Syscall {
        /// asm-generic number.
        pub nr: usize,
        /// Linux name.
        pub name: &'static str,
        /// The implementation.
        pub handler: Handler,
    }

    // A row is `__NR_name => handler`: the number is uapi's (`uapi/src/unistd.rs`, the
    // one list shared with ulib), the name is the constant's without `__NR_`.
    macro_rules! table {
        ($($nr:ident => $f:path,)*) => {
            /// Every syscall Linnet implements, sorted by number.
            pub static SYSCALL_TABLE: &[Syscall] = &[
                $(Syscall {
                    nr: uapi::unistd::$nr,
                    name: uapi::unistd::strip_nr(stringify!($nr)),
                    handler: $f,
                },)*
            ];
            // `invoke_syscall` binary-searches the table: a row out of order (or twice)
            // fails the build here.
            const _: () = assert!(
                strictly_increasing(&[$(uapi::unistd::$nr),*]),
                "SYSCALL_TABLE out of order"
            );
        };
    }

    /// Is every number greater than the one before it? (Linux indexes its table by
    /// number, `sys_call_table[]`, and needs no such check.)
    const fn strictly_increasing(nrs: &[usize]) -> bool {
        let mut i = 1;
        while i < nrs.len() {
            if nrs[i] <= nrs[i - 1] {
                return false;
            }
            i += 1;
        }
        true
    }

    table! {
        __NR_getcwd => fs::sys_getcwd,
        __NR_dup => fs::sys_dup,
        __NR_dup3 => fs::sys_dup3,
        __NR_fcntl => fs::sys_fcntl,
        __NR_ioctl => fs::sys_ioctl,
        __NR_mknodat => fs_attr::sys_mknodat,
        __NR_mkdirat => fs::sys_mkdirat,
        __NR_unlinkat => fs::sys_unlinkat,
        __NR_symlinkat => fs::sys_symlinkat,
        __NR_linkat => fs_attr::sys_linkat,
        __NR_renameat => fs_attr::sys_renameat,
        __NR_statfs => fs_attr::sys_statfs,
        __NR_fstatfs => fs_attr::sys_fstatfs,
        __NR_truncate => fs_rw::sys_truncate,
        __NR_ftruncate => fs_rw::sys_ftruncate,
        __NR_faccessat => fs_attr::sys_faccessat,
        __NR_chdir => fs::sys_chdir,
        __NR_fchdir => fs::sys_fchdir,
        __NR_fchmod => fs_attr::sys_fchmod,
        __NR_fchmodat => fs_attr::sys_fchmodat,
        __NR_fchownat => fs_attr::sys_fchownat,
        __NR_fchown => fs_attr::sys_fchown,
        __NR_openat => fs::sys_openat,
        __NR_close => fs::sys_close,
        __NR_pipe2 => fs::sys_pipe2,
        __NR_getdents64 => fs::sys_getdents64,
        __NR_lseek => fs::sys_lseek,
        __NR_read => fs::sys_read,
        __NR_write => fs::sys_write,
        __NR_readv => fs_rw::sys_readv,
        __NR_writev => fs_rw::sys_writev,
        __NR_pread64 => fs_rw::sys_pread64,
        __NR_pwrite64 => fs_rw::sys_pwrite64,
        __NR_preadv => fs_rw::sys_preadv,
        __NR_pwritev => fs_rw::sys_pwritev,
        __NR_sendfile => fs_rw::sys_sendfile,
        __NR_pselect6 => poll::sys_pselect6,
        __NR_ppoll => poll::sys_ppoll,
        __NR_readlinkat => fs::sys_readlinkat,
        __NR_newfstatat => fs::sys_newfstatat,
        __NR_fstat => fs::sys_fstat,
        __NR_sync => fs_rw::sys_sync,
        __NR_fsync => fs_rw::sys_fsync,
        __NR_fdatasync => fs_rw::sys_fdatasync,
        __NR_utimensat => fs_attr::sys_utimensat,
        __NR_exit => process::sys_exit,
        __NR_exit_group => process::sys_exit_group,
        __NR_waitid => process::sys_waitid,
        __NR_set_tid_address => process::sys_set_tid_address,
        __NR_futex => futex::sys_futex,
        __NR_set_robust_list => futex::sys_set_robust_list,
        __NR_get_robust_list => futex::sys_get_robust_list,
        __NR_nanosleep => time::sys_nanosleep,
        __NR_getitimer => time::sys_getitimer,
        __NR_setitimer => time::sys_setitimer,
        __NR_timer_create => time::sys_timer_create,
        __NR_timer_gettime => time::sys_timer_gettime,
        __NR_timer_getoverrun => time::sys_timer_getoverrun,
        __NR_timer_settime => time::sys_timer_settime,
        __NR_timer_delete => time::sys_timer_delete,
        __NR_clock_settime => time::sys_clock_settime,
        __NR_clock_gettime => time::sys_clock_gettime,
        __NR_clock_getres => time::sys_clock_getres,
        __NR_clock_nanosleep => time::sys_clock_nanosleep,
        __NR_syslog => crate::printk::sys_syslog,
        __NR_sched_setaffinity => sys::sys_sched_setaffinity,
        __NR_sched_getaffinity => sys::sys_sched_getaffinity,
        __NR_sched_yield => process::sys_sched_yield,
        __NR_kill => signal::sys_kill,
        __NR_tkill => signal::sys_tkill,
        __NR_tgkill => signal::sys_tgkill,
        __NR_sigaltstack => signal::sys_sigaltstack,
        __NR_rt_sigsuspend => signal::sys_rt_sigsuspend,
        __NR_rt_sigaction => signal::sys_rt_sigaction,
        __NR_rt_sigprocmask => signal::sys_rt_sigprocmask,
        __NR_rt_sigpending => signal::sys_rt_sigpending,
        __NR_rt_sigtimedwait => sigqueue::sys_rt_sigtimedwait,
        __NR_rt_sigqueueinfo => sigqueue::sys_rt_sigqueueinfo,
        __NR_rt_sigreturn => crate::arch::signal::sys_rt_sigreturn,
        __NR_setpriority => sys::sys_setpriority,
        __NR_getpriority => sys::sys_getpriority,
        __NR_reboot => process::sys_reboot,
        __NR_setregid => sys::sys_setregid,
        __NR_setgid => sys::sys_setgid,
        __NR_setreuid => sys::sys_setreuid,
        __NR_setuid => sys::sys_setuid,
        __NR_setresuid => sys::sys_setresuid,
        __NR_getresuid => sys::sys_getresuid,
        __NR_setresgid => sys::sys_setresgid,
        __NR_getresgid => sys::sys_getresuid,
        __NR_setfsuid => sys::sys_setfsuid,
        __NR_setfsgid => sys::sys_setfsgid,
        __NR_times => time::sys_times,
        __NR_setpgid => process::sys_setpgid,
        __NR_getpgid => process::sys_getpgid,
        __NR_getsid => process::sys_getsid,
        __NR_setsid => process::sys_setsid,
        __NR_getgroups => sys::sys_getgroups,
        __NR_setgroups => sys::sys_setgroups,
        __NR_uname => info::sys_uname,
        __NR_getrlimit => resource::sys_getrlimit,
        __NR_setrlimit => resource::sys_setrlimit,
        __NR_getrusage => sys::sys_getrusage,
        __NR_umask => fs_attr::sys_umask,
        __NR_prctl => sys::sys_prctl,
        __NR_gettimeofday => time::sys_gettimeofday,
        __NR_settimeofday => time::sys_settimeofday,
        __NR_getpid => process::sys_getpid,
        __NR_getppid => process::sys_getppid,
        __NR_getuid => process::sys_getuid,
        __NR_geteuid => process::sys_getuid,
        __NR_getgid => process::sys_getuid,
        __NR_getegid => process::sys_getuid,
        __NR_gettid => process::sys_gettid,
        __NR_sysinfo => info::sys_sysinfo,
        __NR_msgget => crate::ipc::msg::sys_msgget,
        __NR_msgctl => crate::ipc::msg::sys_msgctl,
        __NR_msgrcv => crate::ipc::msg::sys_msgrcv,
        __NR_msgsnd => crate::ipc::msg::sys_msgsnd,
        __NR_semget => crate::ipc::sem::sys_semget,
        __NR_semctl => crate::ipc::sem::sys_semctl,
        __NR_semtimedop => crate::ipc::sem::sys_semtimedop,
        __NR_semop => crate::ipc::sem::sys_semop,
        __NR_shmget => crate::ipc::shm::sys_shmget,
        __NR_shmctl => crate::ipc::shm::sys_shmctl,
        __NR_shmat => crate::ipc::shm::sys_shmat,
        __NR_shmdt => crate::ipc::shm::sys_shmdt,
        __NR_socket => sys::sys_socket,
        __NR_socketpair => sys::sys_socketpair,
        __NR_brk => mm::sys_brk,
        __NR_munmap => mm::sys_munmap,
        __NR_mremap => mm::sys_mremap,
        __NR_clone => process::sys_clone,
        __NR_execve => fs::sys_execve,
        __NR_mmap => mm::sys_mmap,
        __NR_mprotect => mm::sys_mprotect,
        __NR_msync => mm::sys_msync,
        __NR_madvise => mm::sys_madvise,
        __NR_rt_tgsigqueueinfo => sigqueue::sys_rt_tgsigqueueinfo,
        __NR_wait4 => process::sys_wait4,
        __NR_prlimit64 => resource::sys_prlimit64,
        __NR_renameat2 => fs_attr::sys_renameat2,
        __NR_getrandom => fs_attr::sys_getrandom,
        __NR_execveat => fs::sys_execveat,
        __NR_faccessat2 => fs_attr::sys_faccessat2,
    }

    /// Argument `i` of the current syscall (x0..x5).
    pub fn arg(f: &TrapFrame, i: usize) -> u64 {
        f.regs[i]
    }

    /// Calls that are ENOSYS by design, as on a Linux built without them, and that every
    /// program tries at start-up: not worth a warning. rseq (293): glibc registers a
    /// restartable-sequence area and falls back when the kernel has none.
    const QUIET_ENOSYS: &[usize] = &[293];

    /// Numbers already reported as unknown (one bit each for 0..511, and the last bit
    /// for every number from 511 up: none is assigned there), so a program calling them
    /// in a loop cannot flood the console.
    static UNKNOWN_SEEN: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

    /// Run syscall `nr` with the arguments in `frame` (Linux `invoke_syscall` in
    /// `arch/arm64/kernel/syscall.c`, which indexes `sys_call_table`): the table is
    /// binary searched; an unknown number is ENOSYS, logged once. The registers that carry
    /// the number and the result are the architecture's (`arch/aarch64/syscall.rs`).
    pub fn invoke_syscall(nr: usize, frame: &mut TrapFrame) -> KResult<usize> {
        match SYSCALL_TABLE.binary_search_by_key(&nr, |s| s.nr) {
            Ok(i) => (SYSCALL_TABLE[i].handler)(frame),
            Err(_) => {
                if !QUIET_ENOSYS.contains(&nr) {
                    report_unknown(nr);
                }
                Err(Errno::ENOSYS)
            }
        }
    }

    fn report_unknown(nr: usize) {
        let slot = nr.min(UNKNOWN_SEEN.len() * 64 - 1);
        let (word, bit) = (slot / 64, slot % 64);
        if UNKNOWN_SEEN[word].fetch_or(1 << bit, Ordering::Relaxed) & (1 << bit) != 0 {
            return;
        }
        let cur = crate::task::sched::current();
        log::warn!(
            "syscall {} ({}) is not implemented: -ENOSYS to pid {} ({})",
            nr,
            names::syscall_name(nr).unwrap_or("unassigned"),
            cur.pid(),
            cur.comm()
        );
    }
}
