//! The system call table and entry (Linux `arch/arm64/kernel/syscall.c`: `el0_svc`,
//! `invoke_syscall`; the table in `include/uapi/asm-generic/unistd.h`).
//!
//! A user program puts the syscall number in x8 and up to six arguments in x0-x5, then
//! executes `svc #0`. `do_el0_svc` finds the handler by number, runs it, and puts the
//! result in x0: a value, or `-errno` (ARCHITECTURE.md section 5). An unknown number
//! returns `-ENOSYS` and is logged once, by its Linux name.
//!
//! One file per family: `process.rs` (clone, exit, wait4, ids), `signal.rs` (kill,
//! sigaction, sigprocmask), `time.rs`, `info.rs` (uname, sysinfo), `fs.rs` (files),
//! `mm.rs` (mmap, munmap, mprotect, brk), `futex.rs`, `resource.rs` (getrlimit,
//! setrlimit, prlimit64).
//! `docs/syscalls.md` is generated from `SYSCALL_TABLE`.

pub mod names;
pub mod resource;

#[cfg(target_os = "none")]
mod fs;
#[cfg(target_os = "none")]
mod futex;
#[cfg(target_os = "none")]
mod info;
#[cfg(target_os = "none")]
mod mm;
#[cfg(target_os = "none")]
mod process;
#[cfg(target_os = "none")]
pub mod signal;
#[cfg(target_os = "none")]
mod time;

#[cfg(target_os = "none")]
pub use table::*;

#[cfg(target_os = "none")]
mod table {
    use super::*;
    use crate::arch::aarch64::trap::TrapFrame;
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
        };
    }

    table! {
        17 getcwd => fs::sys_getcwd,
        23 dup => fs::sys_dup,
        24 dup3 => fs::sys_dup3,
        25 fcntl => fs::sys_fcntl,
        29 ioctl => fs::sys_ioctl,
        34 mkdirat => fs::sys_mkdirat,
        35 unlinkat => fs::sys_unlinkat,
        36 symlinkat => fs::sys_symlinkat,
        49 chdir => fs::sys_chdir,
        50 fchdir => fs::sys_fchdir,
        56 openat => fs::sys_openat,
        57 close => fs::sys_close,
        59 pipe2 => fs::sys_pipe2,
        61 getdents64 => fs::sys_getdents64,
        62 lseek => fs::sys_lseek,
        63 read => fs::sys_read,
        64 write => fs::sys_write,
        78 readlinkat => fs::sys_readlinkat,
        79 newfstatat => fs::sys_newfstatat,
        80 fstat => fs::sys_fstat,
        93 exit => process::sys_exit,
        94 exit_group => process::sys_exit_group,
        95 waitid => process::sys_waitid,
        96 set_tid_address => process::sys_set_tid_address,
        98 futex => futex::sys_futex,
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
        124 sched_yield => process::sys_sched_yield,
        129 kill => signal::sys_kill,
        130 tkill => signal::sys_tkill,
        131 tgkill => signal::sys_tgkill,
        132 sigaltstack => signal::sys_sigaltstack,
        133 rt_sigsuspend => signal::sys_rt_sigsuspend,
        134 rt_sigaction => signal::sys_rt_sigaction,
        135 rt_sigprocmask => signal::sys_rt_sigprocmask,
        136 rt_sigpending => signal::sys_rt_sigpending,
        139 rt_sigreturn => crate::arch::aarch64::signal::sys_rt_sigreturn,
        142 reboot => process::sys_reboot,
        153 times => time::sys_times,
        154 setpgid => process::sys_setpgid,
        155 getpgid => process::sys_getpgid,
        156 getsid => process::sys_getsid,
        157 setsid => process::sys_setsid,
        160 uname => info::sys_uname,
        163 getrlimit => resource::sys_getrlimit,
        164 setrlimit => resource::sys_setrlimit,
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
        214 brk => mm::sys_brk,
        215 munmap => mm::sys_munmap,
        220 clone => process::sys_clone,
        221 execve => fs::sys_execve,
        222 mmap => mm::sys_mmap,
        226 mprotect => mm::sys_mprotect,
        233 madvise => mm::sys_madvise,
        260 wait4 => process::sys_wait4,
        261 prlimit64 => resource::sys_prlimit64,
        281 execveat => fs::sys_execveat,
    }

    /// Argument `i` of the current syscall (x0..x5).
    pub fn arg(f: &TrapFrame, i: usize) -> u64 {
        f.regs[i]
    }

    /// Numbers already reported as unknown (one bit each for 0..511, and the last bit
    /// for every number from 511 up: none is assigned there), so a program calling them
    /// in a loop cannot flood the console.
    static UNKNOWN_SEEN: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

    /// Handle `svc #0` from EL0 (Linux `el0_svc` -> `invoke_syscall`). Only the low 32
    /// bits of x8 count: Linux passes the number on as an `unsigned int`.
    pub fn do_el0_svc(frame: &mut TrapFrame) {
        let nr = frame.regs[8] as u32 as usize;
        frame.syscallno = nr as u64;
        frame.orig_x0 = frame.regs[0];
        let ret = match SYSCALL_TABLE.binary_search_by_key(&nr, |s| s.nr) {
            Ok(i) => (SYSCALL_TABLE[i].handler)(frame),
            Err(_) => {
                report_unknown(nr);
                Err(Errno::ENOSYS)
            }
        };
        frame.regs[0] = match ret {
            Ok(v) => v as u64,
            Err(e) => e.as_syscall_ret(),
        };
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
