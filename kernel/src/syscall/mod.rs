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

    macro_rules! table {
        ($($nr:literal $name:ident => $f:path,)*) => {
            /// Every syscall Linnet implements, sorted by number.
            pub static SYSCALL_TABLE: &[Syscall] = &[
                $(Syscall { nr: $nr, name: stringify!($name), handler: $f },)*
            ];
            // `invoke_syscall` binary-searches the table: a row out of order (or twice)
            // fails the build here.
            const _: () = assert!(strictly_increasing(&[$($nr),*]), "SYSCALL_TABLE out of order");
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
        17 getcwd => fs::sys_getcwd,
        23 dup => fs::sys_dup,
        24 dup3 => fs::sys_dup3,
        25 fcntl => fs::sys_fcntl,
        29 ioctl => fs::sys_ioctl,
        33 mknodat => fs_attr::sys_mknodat,
        34 mkdirat => fs::sys_mkdirat,
        35 unlinkat => fs::sys_unlinkat,
        36 symlinkat => fs::sys_symlinkat,
        37 linkat => fs_attr::sys_linkat,
        38 renameat => fs_attr::sys_renameat,
        43 statfs => fs_attr::sys_statfs,
        44 fstatfs => fs_attr::sys_fstatfs,
        45 truncate => fs_rw::sys_truncate,
        46 ftruncate => fs_rw::sys_ftruncate,
        48 faccessat => fs_attr::sys_faccessat,
        49 chdir => fs::sys_chdir,
        50 fchdir => fs::sys_fchdir,
        52 fchmod => fs_attr::sys_fchmod,
        53 fchmodat => fs_attr::sys_fchmodat,
        54 fchownat => fs_attr::sys_fchownat,
        55 fchown => fs_attr::sys_fchown,
        56 openat => fs::sys_openat,
        57 close => fs::sys_close,
        59 pipe2 => fs::sys_pipe2,
        61 getdents64 => fs::sys_getdents64,
        62 lseek => fs::sys_lseek,
        63 read => fs::sys_read,
        64 write => fs::sys_write,
        65 readv => fs_rw::sys_readv,
        66 writev => fs_rw::sys_writev,
        67 pread64 => fs_rw::sys_pread64,
        68 pwrite64 => fs_rw::sys_pwrite64,
        69 preadv => fs_rw::sys_preadv,
        70 pwritev => fs_rw::sys_pwritev,
        71 sendfile => fs_rw::sys_sendfile,
        72 pselect6 => poll::sys_pselect6,
        73 ppoll => poll::sys_ppoll,
        78 readlinkat => fs::sys_readlinkat,
        79 newfstatat => fs::sys_newfstatat,
        80 fstat => fs::sys_fstat,
        81 sync => fs_rw::sys_sync,
        82 fsync => fs_rw::sys_fsync,
        83 fdatasync => fs_rw::sys_fdatasync,
        88 utimensat => fs_attr::sys_utimensat,
        93 exit => process::sys_exit,
        94 exit_group => process::sys_exit_group,
        95 waitid => process::sys_waitid,
        96 set_tid_address => process::sys_set_tid_address,
        98 futex => futex::sys_futex,
        99 set_robust_list => futex::sys_set_robust_list,
        100 get_robust_list => futex::sys_get_robust_list,
        101 nanosleep => time::sys_nanosleep,
        102 getitimer => time::sys_getitimer,
        103 setitimer => time::sys_setitimer,
        107 timer_create => time::sys_timer_create,
        108 timer_gettime => time::sys_timer_gettime,
        109 timer_getoverrun => time::sys_timer_getoverrun,
        110 timer_settime => time::sys_timer_settime,
        111 timer_delete => time::sys_timer_delete,
        112 clock_settime => time::sys_clock_settime,
        113 clock_gettime => time::sys_clock_gettime,
        114 clock_getres => time::sys_clock_getres,
        115 clock_nanosleep => time::sys_clock_nanosleep,
        116 syslog => crate::printk::sys_syslog,
        122 sched_setaffinity => sys::sys_sched_setaffinity,
        123 sched_getaffinity => sys::sys_sched_getaffinity,
        124 sched_yield => process::sys_sched_yield,
        129 kill => signal::sys_kill,
        130 tkill => signal::sys_tkill,
        131 tgkill => signal::sys_tgkill,
        132 sigaltstack => signal::sys_sigaltstack,
        133 rt_sigsuspend => signal::sys_rt_sigsuspend,
        134 rt_sigaction => signal::sys_rt_sigaction,
        135 rt_sigprocmask => signal::sys_rt_sigprocmask,
        136 rt_sigpending => signal::sys_rt_sigpending,
        137 rt_sigtimedwait => sigqueue::sys_rt_sigtimedwait,
        138 rt_sigqueueinfo => sigqueue::sys_rt_sigqueueinfo,
        139 rt_sigreturn => crate::arch::signal::sys_rt_sigreturn,
        140 setpriority => sys::sys_setpriority,
        141 getpriority => sys::sys_getpriority,
        142 reboot => process::sys_reboot,
        143 setregid => sys::sys_setregid,
        144 setgid => sys::sys_setgid,
        145 setreuid => sys::sys_setreuid,
        146 setuid => sys::sys_setuid,
        147 setresuid => sys::sys_setresuid,
        148 getresuid => sys::sys_getresuid,
        149 setresgid => sys::sys_setresgid,
        150 getresgid => sys::sys_getresuid,
        151 setfsuid => sys::sys_setfsuid,
        152 setfsgid => sys::sys_setfsgid,
        153 times => time::sys_times,
        154 setpgid => process::sys_setpgid,
        155 getpgid => process::sys_getpgid,
        156 getsid => process::sys_getsid,
        157 setsid => process::sys_setsid,
        158 getgroups => sys::sys_getgroups,
        159 setgroups => sys::sys_setgroups,
        160 uname => info::sys_uname,
        163 getrlimit => resource::sys_getrlimit,
        164 setrlimit => resource::sys_setrlimit,
        165 getrusage => sys::sys_getrusage,
        166 umask => fs_attr::sys_umask,
        167 prctl => sys::sys_prctl,
        169 gettimeofday => time::sys_gettimeofday,
        170 settimeofday => time::sys_settimeofday,
        172 getpid => process::sys_getpid,
        173 getppid => process::sys_getppid,
        174 getuid => process::sys_getuid,
        175 geteuid => process::sys_getuid,
        176 getgid => process::sys_getuid,
        177 getegid => process::sys_getuid,
        178 gettid => process::sys_gettid,
        179 sysinfo => info::sys_sysinfo,
        186 msgget => crate::ipc::msg::sys_msgget,
        187 msgctl => crate::ipc::msg::sys_msgctl,
        188 msgrcv => crate::ipc::msg::sys_msgrcv,
        189 msgsnd => crate::ipc::msg::sys_msgsnd,
        190 semget => crate::ipc::sem::sys_semget,
        191 semctl => crate::ipc::sem::sys_semctl,
        192 semtimedop => crate::ipc::sem::sys_semtimedop,
        193 semop => crate::ipc::sem::sys_semop,
        194 shmget => crate::ipc::shm::sys_shmget,
        195 shmctl => crate::ipc::shm::sys_shmctl,
        196 shmat => crate::ipc::shm::sys_shmat,
        197 shmdt => crate::ipc::shm::sys_shmdt,
        198 socket => sys::sys_socket,
        199 socketpair => sys::sys_socketpair,
        214 brk => mm::sys_brk,
        215 munmap => mm::sys_munmap,
        216 mremap => mm::sys_mremap,
        220 clone => process::sys_clone,
        221 execve => fs::sys_execve,
        222 mmap => mm::sys_mmap,
        226 mprotect => mm::sys_mprotect,
        233 madvise => mm::sys_madvise,
        240 rt_tgsigqueueinfo => sigqueue::sys_rt_tgsigqueueinfo,
        260 wait4 => process::sys_wait4,
        261 prlimit64 => resource::sys_prlimit64,
        276 renameat2 => fs_attr::sys_renameat2,
        278 getrandom => fs_attr::sys_getrandom,
        281 execveat => fs::sys_execveat,
        439 faccessat2 => fs_attr::sys_faccessat2,
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
