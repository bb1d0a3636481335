//! Reading /proc, the kernel's window on its tasks (Linux `fs/proc/`; Linnet
//! `kernel/src/fs/proc.rs`): the pid list, `/proc/PID/stat` and `/proc/PID/maps`.
//!
//! The same code runs on Linux (qemu-aarch64 user mode reads the host's /proc), which is
//! why only the fields both kernels fill are used.

use crate::{read_file, text};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use ulib::fs::{getdents64, Dirents};
use ulib::io::{self, AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_RDONLY};
use ulib::SysResult;

/// The pids listed in /proc, in increasing order.
pub fn pids() -> SysResult<Vec<i32>> {
    let fd = io::openat(AT_FDCWD, c"/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)? as i32;
    let mut pids = Vec::new();
    let mut buf = [0u8; 2048];
    let r = loop {
        match getdents64(fd, &mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => pids.extend(
                Dirents::new(&buf, n)
                    .filter_map(|d| crate::parse_int(d.name))
                    .map(|p| p as i32),
            ),
            Err(e) => break Err(e),
        }
    };
    let _ = io::close(fd);
    r?;
    pids.sort_unstable();
    Ok(pids)
}

/// The first fields of `/proc/PID/stat` (see proc(5)).
#[derive(Clone, Debug)]
pub struct ProcStat {
    /// Process id.
    pub pid: i32,
    /// The command name (`comm`: the program's file name, at most 15 bytes).
    pub comm: String,
    /// R running, S sleeping, Z zombie, D disk sleep, T stopped, X dead.
    pub state: char,
    /// Parent's pid.
    pub ppid: i32,
    /// Process group.
    pub pgrp: i32,
}

impl ProcStat {
    /// Read `/proc/<pid>/stat`; `pid` may be "self".
    pub fn read(pid: &str) -> SysResult<ProcStat> {
        let data = read_file(format!("/proc/{}/stat", pid).as_bytes())?;
        ProcStat::parse(&data).ok_or(ulib::Errno::EINVAL)
    }

    /// Parse "pid (comm) state ppid pgrp ...". The name may hold spaces and parentheses,
    /// so it ends at the *last* ')'.
    pub fn parse(data: &[u8]) -> Option<ProcStat> {
        let open = data.iter().position(|&b| b == b'(')?;
        let close = data.iter().rposition(|&b| b == b')')?;
        let pid = crate::parse_int(data[..open].trim_ascii())? as i32;
        let comm = String::from(text(data.get(open + 1..close)?));
        let mut rest = data[close + 1..]
            .split(|&b| b == b' ')
            .filter(|w| !w.is_empty());
        let state = *rest.next()?.first()? as char;
        let ppid = crate::parse_int(rest.next()?)? as i32;
        let pgrp = crate::parse_int(rest.next()?)? as i32;
        Some(ProcStat {
            pid,
            comm,
            state,
            ppid,
            pgrp,
        })
    }
}

/// Call `f(start, end, line)` for each line of `/proc/<pid>/maps`, without allocating
/// (the demos that move the program break must not let malloc move it too): the file is
/// read into a buffer on the stack, and lines past its 16 KiB are dropped.
pub fn for_each_map(pid: &str, mut f: impl FnMut(usize, usize, &str)) -> SysResult<()> {
    let mut path = [0u8; 32];
    let name = [&b"/proc/"[..], pid.as_bytes(), b"/maps\0"];
    let mut n = 0;
    for part in name {
        let dst = path
            .get_mut(n..n + part.len())
            .ok_or(ulib::Errno::ENAMETOOLONG)?;
        dst.copy_from_slice(part);
        n += part.len();
    }
    let path = core::ffi::CStr::from_bytes_until_nul(&path).map_err(|_| ulib::Errno::EINVAL)?;
    let fd = io::openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0)? as i32;
    let mut buf = [0u8; 16384];
    let mut len = 0;
    while len < buf.len() {
        match io::read(fd, &mut buf[len..]) {
            Ok(0) => break,
            Ok(k) => len += k,
            Err(ulib::Errno::EINTR) => {}
            Err(e) => {
                let _ = io::close(fd);
                return Err(e);
            }
        }
    }
    let _ = io::close(fd);
    for l in buf[..len].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let range = l.split(|&b| b == b' ').next().unwrap_or(b"");
        let Some(dash) = range.iter().position(|&b| b == b'-') else {
            continue;
        };
        let hex = |h: &[u8]| usize::from_str_radix(text(h), 16).ok();
        if let (Some(start), Some(end)) = (hex(&range[..dash]), hex(&range[dash + 1..])) {
            f(start, end, text(l).trim_end());
        }
    }
    Ok(())
}

/// The mapping of this process that covers `addr`, as its maps line (or why not).
pub fn vma_of(addr: usize) -> String {
    let mut found = None;
    match for_each_map("self", |s, e, l| {
        if (s..e).contains(&addr) {
            found = Some(String::from(l));
        }
    }) {
        Ok(()) => found.unwrap_or_else(|| format!("(no mapping covers {:#x})", addr)),
        Err(e) => format!("(cannot read /proc/self/maps: {})", e.text()),
    }
}

/// Print, indented, this process's maps lines for which `keep(start, end)` says yes (or
/// why there are none). Does not allocate.
pub fn print_maps_self(keep: impl Fn(usize, usize) -> bool) {
    let mut any = false;
    let r = for_each_map("self", |s, e, l| {
        if keep(s, e) {
            ulib::println!("    {}", l);
            any = true;
        }
    });
    match r {
        Err(e) => ulib::println!("    (cannot read /proc/self/maps: {})", e.text()),
        Ok(()) if !any => ulib::println!("    (no such mapping)"),
        Ok(()) => {}
    }
}
