//! /proc: files that are not stored anywhere but written, on demand, from the kernel's
//! own tables (Linux `fs/proc/`: `base.c` for /proc/PID, `array.c` for `stat` and
//! `status`, `task_mmu.c` for `maps`, `meminfo.c`, `self.c`, `root.c`).
//!
//! `kernel/src/fs/proc/` (module `fs::proc`). The initramfs has an empty `/proc`
//! directory; `vfs` sends every path below it here (`lookup`), and these files answer:
//!
//! ```text
//! /proc/meminfo         MemTotal, MemFree, MemAvailable ... in kB
//! /proc/self            the caller's own /proc/PID (Linux: a symlink to "PID")
//! /proc/PID/            one directory per process (listed by getdents64 on /proc)
//! /proc/PID/maps        its VMAs, one `vma::maps_line` each, [heap] and [stack] named
//! /proc/PID/stat        one line: pid (comm) state ppid pgrp session ... (52 fields)
//! /proc/PID/status      Name, State, Tgid, Pid, PPid, Threads, VmSize, VmRSS, Sig*...
//! /proc/PID/cmdline     argv, NUL-separated, read from the process's memory
//! /proc/PID/comm        the name, with a newline
//! ```
//!
//! A file's text is generated when it is opened and kept in the open file
//! (`FileKind::Generated`), so a reader sees one consistent snapshot; Linux generates it
//! at the first read into a `seq_file`. The formatting is plain Rust over a `TaskInfo`
//! snapshot, unit-tested on the host against lines Linux prints; the kernel half
//! (`base.rs`) gathers the snapshot from `TASKS` and the task's `MmStruct`.
//!
//! What Linux has that this does not: per-thread directories (`/proc/PID/task/TID`, and
//! /proc/TID for a thread works only because any pid is accepted), `fd/`, `exe`, `cwd`,
//! `environ`, `smaps`, `pagemap`; `readlink` and `chdir` on /proc paths (`/proc/self` is
//! resolved by `open`/`stat` only, and a symlink elsewhere that leads into /proc is not
//! followed into it); /proc/sys, /proc/uptime, /proc/cpuinfo ...; uids (everything is
//! root), start times, fault counters and PF_* flags (reported as 0), and a controlling
//! tty (tty_nr 0, tpgid -1).
//!
//! The pieces, named after their Linux files: this `mod.rs` (which path names what),
//! `array.rs` (`stat`, `status`), `task_mmu.rs` (`maps`), `meminfo.rs`, and `base.rs`,
//! the kernel half: the hooks `vfs` calls, and the snapshot of a task they print.

pub mod array;
pub mod meminfo;
pub mod sysfiles;
pub mod task_mmu;

#[cfg(target_os = "none")]
mod base;
#[cfg(target_os = "none")]
pub use base::*;

use crate::task::pid::Pid;
use alloc::string::String;
use alloc::vec::Vec;
use sysfiles::{RootFile, ROOT_FILES};

/// A file below /proc/PID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PidFile {
    /// `cmdline`.
    Cmdline,
    /// `comm`.
    Comm,
    /// `exe`, a symlink to the program the process runs.
    Exe,
    /// `maps`.
    Maps,
    /// `stat`.
    Stat,
    /// `status`.
    Status,
}

/// The files of a /proc/PID directory, in listing order.
pub const PID_FILES: [(&str, PidFile); 6] = [
    ("cmdline", PidFile::Cmdline),
    ("comm", PidFile::Comm),
    ("exe", PidFile::Exe),
    ("maps", PidFile::Maps),
    ("stat", PidFile::Stat),
    ("status", PidFile::Status),
];

/// What a path below /proc names (Linux: the dentry `proc_root_lookup` /
/// `proc_pid_lookup` / `proc_pident_lookup` find).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcPath {
    /// `/proc/meminfo`.
    Meminfo,
    /// `/proc/cpuinfo`, `mounts`, `stat`, `uptime`, `version`.
    Root(RootFile),
    /// `/proc/self` itself, not followed (lstat).
    SelfLink(Pid),
    /// `/proc/PID` (also `/proc/self`, followed).
    PidDir(Pid),
    /// `/proc/PID/NAME`.
    PidFile(Pid, PidFile),
}

/// Collapse `//`, `.` and `..` in an absolute path (no symlinks are looked at). None if
/// the path is not absolute.
pub fn normalize(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = String::new();
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// What `rest` (the path after `/proc/`, normalized, non-empty) names, for a caller whose
/// process id is `self_pid`. `follow` says whether a final `self` is followed. None: no
/// such entry (ENOENT). A pid is accepted here whether or not it exists; the caller
/// checks.
pub fn parse(rest: &str, self_pid: Pid, follow: bool) -> Option<ProcPath> {
    let mut it = rest.split('/');
    let first = it.next()?;
    let second = it.next();
    if it.next().is_some() {
        return None;
    }
    let pid = match first {
        "meminfo" if second.is_none() => return Some(ProcPath::Meminfo),
        name if second.is_none() && ROOT_FILES.iter().any(|(n, _)| *n == name) => {
            let f = ROOT_FILES.iter().find(|(n, _)| *n == name)?.1;
            return Some(ProcPath::Root(f));
        }
        "self" if second.is_none() && !follow => return Some(ProcPath::SelfLink(self_pid)),
        "self" => self_pid,
        digits => {
            if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            digits.parse().ok().filter(|&p: &Pid| p > 0)?
        }
    };
    match second {
        None => Some(ProcPath::PidDir(pid)),
        Some(name) => PID_FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, f)| ProcPath::PidFile(pid, f)),
    }
}

/// A fake, stable inode number for a /proc entry (Linux allocates them dynamically; 0
/// would make readdir callers skip the entry).
pub fn proc_ino(p: ProcPath) -> u32 {
    const BASE: u32 = 0xf000_0000;
    match p {
        ProcPath::Meminfo => BASE + 1,
        ProcPath::SelfLink(_) => BASE + 2,
        ProcPath::Root(f) => {
            BASE + 3 + ROOT_FILES.iter().position(|(_, g)| *g == f).unwrap_or(0) as u32
        }
        ProcPath::PidDir(pid) => BASE + 16 + (pid as u32 & 0x00ff_ffff) * 8,
        ProcPath::PidFile(pid, f) => {
            let k = PID_FILES.iter().position(|(_, g)| *g == f).unwrap_or(0) as u32;
            BASE + 16 + (pid as u32 & 0x00ff_ffff) * 8 + 1 + k
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_and_parse() {
        assert_eq!(
            normalize("/proc//self/./maps").as_deref(),
            Some("/proc/self/maps")
        );
        assert_eq!(normalize("/tmp/../proc/1/").as_deref(), Some("/proc/1"));
        assert_eq!(normalize("/../..").as_deref(), Some("/"));
        assert_eq!(normalize("proc"), None);
        assert_eq!(parse("meminfo", 7, true), Some(ProcPath::Meminfo));
        assert_eq!(parse("self", 7, true), Some(ProcPath::PidDir(7)));
        assert_eq!(
            parse("cpuinfo", 7, true),
            Some(ProcPath::Root(RootFile::Cpuinfo))
        );
        assert_eq!(
            parse("self/exe", 7, false),
            Some(ProcPath::PidFile(7, PidFile::Exe))
        );
        assert_eq!(parse("stat/x", 7, true), None);
        assert_eq!(parse("self", 7, false), Some(ProcPath::SelfLink(7)));
        assert_eq!(
            parse("self/maps", 7, false),
            Some(ProcPath::PidFile(7, PidFile::Maps))
        );
        assert_eq!(
            parse("42/stat", 7, true),
            Some(ProcPath::PidFile(42, PidFile::Stat))
        );
        assert_eq!(parse("42", 7, true), Some(ProcPath::PidDir(42)));
        for bad in [
            "0",
            "-1",
            "4x",
            "42/nope",
            "42/stat/x",
            "meminfo/x",
            "",
            "99999999999",
        ] {
            assert_eq!(parse(bad, 7, true), None, "{bad}");
        }
        assert_ne!(
            proc_ino(ProcPath::PidDir(1)),
            proc_ino(ProcPath::PidFile(1, PidFile::Cmdline))
        );
        assert_ne!(
            proc_ino(ProcPath::PidFile(1, PidFile::Status)),
            proc_ino(ProcPath::PidDir(2))
        );
    }
}
