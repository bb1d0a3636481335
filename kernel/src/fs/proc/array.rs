//! /proc/PID/stat and /proc/PID/status (Linux `fs/proc/array.c`: `do_task_stat`,
//! `proc_pid_status`, `task_state_array`; `fs/proc/task_mmu.c`: `task_mem` for the Vm*
//! lines): plain formatting of a `TaskInfo` snapshot, which `base.rs` gathers.

use crate::task::pid::Pid;
use alloc::format;
use alloc::string::String;
use core::fmt::Write;

/// The address space part of a snapshot, in bytes or pages as Linux keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MmInfo {
    /// Pages of all VMAs (`total_vm`).
    pub total_vm: usize,
    /// Pages mapped now (`get_mm_rss`).
    pub rss: usize,
    /// Pages of private writable non-stack VMAs (`data_vm`).
    pub data_vm: usize,
    /// Pages of stack VMAs (`stack_vm`).
    pub stack_vm: usize,
    /// Soft RLIMIT_RSS in bytes.
    pub rsslim: u64,
    /// The `mm_struct` bounds, in `stat` order.
    pub start_code: usize,
    /// End of text.
    pub end_code: usize,
    /// The initial stack pointer.
    pub start_stack: usize,
    /// Start of data.
    pub start_data: usize,
    /// End of data.
    pub end_data: usize,
    /// Start of the heap.
    pub start_brk: usize,
    /// argv strings.
    pub arg_start: usize,
    /// End of argv strings.
    pub arg_end: usize,
    /// envp strings.
    pub env_start: usize,
    /// End of envp strings.
    pub env_end: usize,
}

/// What `stat` and `status` say about one process, gathered in one go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskInfo {
    /// Process id (tgid).
    pub pid: Pid,
    /// Name (at most 15 bytes).
    pub comm: String,
    /// The `ps` letter: R, S, Z, X.
    pub state: char,
    /// Parent's process id.
    pub ppid: Pid,
    /// Process group.
    pub pgrp: Pid,
    /// Session.
    pub session: Pid,
    /// User time of all threads, in clock ticks (USER_HZ = 100 a second).
    pub utime: u64,
    /// System time, clock ticks.
    pub stime: u64,
    /// Reaped children's user time, clock ticks.
    pub cutime: u64,
    /// Reaped children's system time, clock ticks.
    pub cstime: u64,
    /// Threads in the group.
    pub threads: usize,
    /// Signals pending for the thread.
    pub sig_pending: u64,
    /// Signals pending for the process.
    pub sig_shared: u64,
    /// Blocked signals.
    pub sig_blocked: u64,
    /// Ignored signals.
    pub sig_ignored: u64,
    /// Signals with a handler.
    pub sig_caught: u64,
    /// Signal sent to the parent at exit.
    pub exit_signal: i32,
    /// Wait status (a zombie's is final).
    pub exit_code: i32,
    /// Size of the descriptor table.
    pub fd_size: usize,
    /// The address space; None for a zombie.
    pub mm: Option<MmInfo>,
    /// The nice value (-20..=19).
    pub nice: i32,
    /// Real, effective, saved and fs uid.
    pub uid: [u32; 4],
    /// Real, effective, saved and fs gid.
    pub gid: [u32; 4],
    /// Supplementary groups.
    pub groups: alloc::vec::Vec<u32>,
}

/// "R (running)" and the other names of `task_state_array` (fs/proc/array.c).
pub fn state_name(letter: char) -> &'static str {
    match letter {
        'R' => "R (running)",
        'S' => "S (sleeping)",
        'D' => "D (disk sleep)",
        'T' => "T (stopped)",
        'Z' => "Z (zombie)",
        'X' => "X (dead)",
        _ => "? (unknown)",
    }
}

/// /proc/PID/stat (Linux `do_task_stat`, fields in its order; see the module doc for
/// the ones Linnet reports as 0).
pub fn stat_line(t: &TaskInfo) -> String {
    let mut s = format!("{} ({}) {}", t.pid, t.comm, t.state);
    let mm = t.mm.clone().unwrap_or_default();
    let has_mm = t.mm.is_some() as usize;
    let low31 = |x: u64| x & 0x7fff_ffff;
    let sleeping = (t.state == 'S') as u64;
    let fields: [i128; 49] = [
        t.ppid as i128,
        t.pgrp as i128,
        t.session as i128,
        0,  // tty_nr
        -1, // tpgid
        0,  // flags
        0,  // minflt
        0,  // cminflt
        0,  // majflt
        0,  // cmajflt
        t.utime as i128,
        t.stime as i128,
        t.cutime as i128,
        t.cstime as i128,
        20 + t.nice as i128, // priority (prio - MAX_RT_PRIO)
        t.nice as i128,
        t.threads as i128,
        0, // itrealvalue
        0, // starttime
        (mm.total_vm * 4096) as i128,
        mm.rss as i128,
        if has_mm == 1 {
            mm.rsslim as i128
        } else {
            u64::MAX as i128
        },
        mm.start_code as i128,
        mm.end_code as i128,
        mm.start_stack as i128,
        0, // kstkesp
        0, // kstkeip
        low31(t.sig_pending) as i128,
        low31(t.sig_blocked) as i128,
        low31(t.sig_ignored) as i128,
        low31(t.sig_caught) as i128,
        sleeping as i128, // wchan: 1 if not running (Linux 5.16+)
        0,                // nswap
        0,                // cnswap
        t.exit_signal as i128,
        0, // processor
        0, // rt_priority
        0, // policy
        0, // delayacct_blkio_ticks
        0, // guest_time
        0, // cguest_time
        mm.start_data as i128,
        mm.end_data as i128,
        mm.start_brk as i128,
        mm.arg_start as i128,
        mm.arg_end as i128,
        mm.env_start as i128,
        mm.env_end as i128,
        t.exit_code as i128,
    ];
    for f in fields {
        let _ = write!(s, " {}", f);
    }
    s.push('\n');
    s
}

/// /proc/PID/status, the lines Linnet can fill (Linux `proc_pid_status`: the same
/// names, order and `\t` layout; memory as `%8lu kB`).
pub fn status_text(t: &TaskInfo) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "Name:\t{}\nUmask:\t0022\nState:\t{}\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\n\
         TracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t{}\nGroups:\t{}\n\
         NStgid:\t{}\nNSpid:\t{}\nNSpgid:\t{}\nNSsid:\t{}\n",
        t.comm,
        state_name(t.state),
        t.pid,
        t.pid,
        t.ppid,
        t.uid[0],
        t.uid[1],
        t.uid[2],
        t.uid[3],
        t.gid[0],
        t.gid[1],
        t.gid[2],
        t.gid[3],
        t.fd_size,
        t.groups.iter().map(|g| format!("{g} ")).collect::<String>(),
        t.pid,
        t.pid,
        t.pgrp,
        t.session
    );
    if let Some(mm) = &t.mm {
        let text = (mm.end_code.next_multiple_of(4096) - (mm.start_code & !4095)) / 1024;
        for (name, kb) in [
            ("VmSize", mm.total_vm * 4),
            ("VmRSS", mm.rss * 4),
            ("VmData", mm.data_vm * 4),
            ("VmStk", mm.stack_vm * 4),
            ("VmExe", text),
            ("VmLib", 0),
            ("VmSwap", 0),
        ] {
            let _ = writeln!(s, "{}:\t{:>8} kB", name, kb);
        }
    }
    let _ = write!(
        s,
        "Threads:\t{}\nSigPnd:\t{:016x}\nShdPnd:\t{:016x}\nSigBlk:\t{:016x}\n\
         SigIgn:\t{:016x}\nSigCgt:\t{:016x}\n",
        t.threads, t.sig_pending, t.sig_shared, t.sig_blocked, t.sig_ignored, t.sig_caught
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn init_like() -> TaskInfo {
        TaskInfo {
            pid: 1,
            comm: String::from("init"),
            state: 'S',
            ppid: 0,
            pgrp: 1,
            session: 1,
            utime: 3,
            stime: 12,
            threads: 1,
            sig_ignored: 1 << 12, // SIGPIPE
            sig_caught: 1 << 16,  // SIGCHLD
            exit_signal: 17,
            fd_size: 64,
            mm: Some(MmInfo {
                total_vm: 300,
                rss: 20,
                data_vm: 10,
                stack_vm: 33,
                rsslim: u64::MAX,
                start_code: 0x400000,
                end_code: 0x412345,
                start_stack: 0xffffffffe6f0,
                start_data: 0x422000,
                end_data: 0x423000,
                start_brk: 0x424000,
                arg_start: 0xffffffffef00,
                arg_end: 0xffffffffef0a,
                env_start: 0xffffffffef0a,
                env_end: 0xffffffffefe0,
            }),
            ..TaskInfo::default()
        }
    }

    #[test]
    fn stat_has_linuxs_52_fields() {
        let line = stat_line(&init_like());
        assert!(line.starts_with("1 (init) S 0 1 1 0 -1 0 0 0 0 0 3 12 0 0 20 0 1 0 0 1228800 20 "));
        assert!(line.ends_with(" 0\n"));
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 52);
        assert_eq!(fields[24], "18446744073709551615"); // rsslim
        assert_eq!(fields[25], "4194304"); // startcode
        assert_eq!(fields[27], "281474976704240"); // startstack
        assert_eq!((fields[32], fields[33]), ("4096", "65536")); // sigignore, sigcatch
        assert_eq!(fields[34], "1"); // wchan: sleeping
        assert_eq!(fields[37], "17"); // exit_signal
        assert_eq!(fields[46], "4341760"); // start_brk
                                           // A comm with spaces and parentheses stays one field for parsers that take the
                                           // last ')' (as procps does).
        let odd = TaskInfo {
            comm: String::from("a) (b"),
            mm: None,
            state: 'Z',
            ..init_like()
        };
        let line = stat_line(&odd);
        let after = &line[line.rfind(')').unwrap() + 2..];
        assert!(after.starts_with("Z 0 1 1 "));
        assert_eq!(after.split_whitespace().count(), 50);
    }

    #[test]
    fn status_lines_as_linux_prints_them() {
        let s = status_text(&init_like());
        assert!(s.starts_with("Name:\tinit\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\n"));
        assert!(s.contains("\nPid:\t1\nPPid:\t0\n"));
        assert!(s.contains("\nVmSize:\t    1200 kB\n"));
        assert!(s.contains("\nVmRSS:\t      80 kB\n"));
        assert!(s.contains("\nVmExe:\t      76 kB\n"));
        assert!(s.contains("\nThreads:\t1\n"));
        assert!(s.contains("\nSigIgn:\t0000000000001000\nSigCgt:\t0000000000010000\n"));
        let zombie = status_text(&TaskInfo {
            mm: None,
            state: 'Z',
            ..init_like()
        });
        assert!(zombie.contains("State:\tZ (zombie)\n") && !zombie.contains("VmRSS"));
    }
}
