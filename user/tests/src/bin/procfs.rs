//! procfs: /proc/self/maps, stat, status, cmdline, /proc/meminfo and the /proc listing.
//!
//! The kernel side is `kernel/src/fs/proc.rs` (Linux `fs/proc/`): the text of each file
//! is generated from the kernel's tables when it is opened. Under qemu-user (the
//! runner's Linux oracle) some of these files are qemu's own imitation, or the host's
//! file about the qemu process; the checks that only Linnet (or real Linux) can pass say
//! `# SKIP` there.
//! Syscalls used: openat, read, close, getdents64, fstat, mmap, mprotect, brk, clone (as
//! fork), wait4, nanosleep, getpid, getppid.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::fs::{dt, getdents64, Dirents};
use ulib::io::{AT_FDCWD, O_DIRECTORY, O_RDONLY};
use ulib::mm::*;
use ulib::{Errno, Tap};

const P: usize = PAGE_SIZE;

/// Read a whole file (up to 8 KiB) into `buf`; its length.
fn read_file(dirfd: i32, path: &CStr, buf: &mut [u8]) -> Result<usize, Errno> {
    let fd = ulib::openat(dirfd, path, O_RDONLY, 0)? as i32;
    let mut len = 0;
    let r = loop {
        match ulib::read(fd, &mut buf[len..]) {
            Ok(0) => break Ok(len),
            Ok(n) => len += n,
            Err(e) => break Err(e),
        }
        if len == buf.len() {
            break Ok(len);
        }
    };
    let _ = ulib::close(fd);
    r
}

fn text(buf: &[u8]) -> &str {
    core::str::from_utf8(buf).unwrap_or("")
}

/// "start-end perms ..." -> (start, end, perms).
fn maps_range(line: &str) -> Option<(usize, usize, &str)> {
    let mut words = line.split_whitespace();
    let (start, end) = words.next()?.split_once('-')?;
    let start = usize::from_str_radix(start, 16).ok()?;
    let end = usize::from_str_radix(end, 16).ok()?;
    Some((start, end, words.next()?))
}

/// Does the decimal `n` equal the text `s`?
fn is_num(s: &str, n: i64) -> bool {
    s.parse::<i64>() == Ok(n)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(15);
    let linnet = ulib::is_linnet();
    let (pid, ppid) = (ulib::getpid(), ulib::getppid());
    let mut buf = [0u8; 8192];

    // maps: a mapping split by mprotect shows as three lines, the middle one its own.
    // SAFETY: a fresh private mapping of this test's.
    let m = unsafe {
        mmap(
            0,
            3 * P,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    }
    .unwrap_or(0);
    // SAFETY: only this test's mapping changes.
    let _ = unsafe { mprotect(m + P, P, PROT_READ) };
    // SAFETY: the heap is not used by anything else in this program.
    let heap = unsafe { brk(0) };
    let _ = unsafe { brk(heap + 2 * P) };
    let n = read_file(AT_FDCWD, c"/proc/self/maps", &mut buf).unwrap_or(0);
    let maps = text(&buf[..n]);
    tap.ok(n > 0 && maps.ends_with('\n'), "/proc/self/maps can be read");
    let middle = maps
        .lines()
        .find(|l| maps_range(l) == Some((m + P, m + 2 * P, "r--p")));
    tap.ok(
        middle.is_some(),
        "it shows the mprotect-ed middle page as its own r--p line",
    );
    let sp = &buf as *const _ as usize;
    let stack = maps
        .lines()
        .filter(|l| l.ends_with("[stack]"))
        .any(|l| matches!(maps_range(l), Some((s, e, "rw-p")) if s <= sp && sp < e));
    tap.ok(stack, "the [stack] line holds the stack pointer");
    if linnet {
        let mut want = [0u8; 64];
        let exact = middle.is_some_and(|l| {
            let w = fmt(
                &mut want,
                format_args!("{:08x}-{:08x} r--p 00000000 00:00 0 ", m + P, m + 2 * P),
            );
            l == w
        });
        tap.ok(
            exact,
            "the line is exactly Linux's format (trailing space included)",
        );
        let heap_line = maps.lines().filter(|l| l.ends_with(" [heap]")).any(
            |l| matches!(maps_range(l), Some((s, e, "rw-p")) if s <= heap && heap + 2 * P <= e),
        );
        tap.ok(heap_line, "the brk area is named [heap]");
    } else {
        tap.skip(
            "the line is exactly Linux's format (trailing space included)",
            "qemu-user writes its own maps",
        );
        tap.skip(
            "the brk area is named [heap]",
            "qemu-user 7.2 does not name it",
        );
    }

    // stat: "pid (comm) state ppid ...".
    let n = read_file(AT_FDCWD, c"/proc/self/stat", &mut buf).unwrap_or(0);
    let stat = text(&buf[..n]);
    let close = stat.rfind(')').unwrap_or(0);
    let fields: [&str; 4] = {
        let mut w = stat[close.min(stat.len())..].split_whitespace().skip(1);
        [
            stat.split(' ').next().unwrap_or(""),
            w.next().unwrap_or(""),
            w.next().unwrap_or(""),
            "",
        ]
    };
    tap.ok(
        is_num(fields[0], pid as i64)
            && stat[..close.min(stat.len())].ends_with("(procfs")
            && is_num(fields[2], ppid as i64),
        "/proc/self/stat: our pid, (procfs), our parent's pid",
    );
    if linnet {
        let count = stat[close + 1..].split_whitespace().count() + 2; // + pid, (comm)
        tap.ok(
            fields[1] == "R" && count == 52,
            "... state R (running), 52 fields as Linux",
        );
    } else {
        tap.skip(
            "... state R (running), 52 fields as Linux",
            "qemu-user writes its own stat",
        );
    }

    // status: "Name:\tprocfs" ... (qemu-user hands out the host's status of qemu itself).
    let n = read_file(AT_FDCWD, c"/proc/self/status", &mut buf).unwrap_or(0);
    let status = text(&buf[..n]);
    let has = |key: &str, val: i64| {
        status
            .lines()
            .any(|l| l.strip_prefix(key).is_some_and(|v| is_num(v.trim(), val)))
    };
    tap.ok(
        has("Pid:", pid as i64) && has("PPid:", ppid as i64),
        "/proc/self/status: Pid and PPid",
    );
    if linnet {
        let rss = status
            .lines()
            .any(|l| l.starts_with("VmRSS:") && l.ends_with(" kB"));
        tap.ok(
            status.starts_with("Name:\tprocfs\n") && has("Threads:", 1) && rss,
            "... Name, Threads and VmRSS as Linux prints them",
        );
    } else {
        tap.skip(
            "... Name, Threads and VmRSS as Linux prints them",
            "the host's status of qemu",
        );
    }

    // cmdline: argv, NUL-separated.
    let n = read_file(AT_FDCWD, c"/proc/self/cmdline", &mut buf).unwrap_or(0);
    let argv0 = ulib::args().next().unwrap_or(b"");
    tap.ok(
        n == argv0.len() + 1 && &buf[..n - 1] == argv0 && buf[n - 1] == 0,
        "/proc/self/cmdline is argv[0] and its NUL",
    );

    // meminfo.
    let n = read_file(AT_FDCWD, c"/proc/meminfo", &mut buf).unwrap_or(0);
    let kb = |key: &str| {
        text(&buf[..n]).lines().find_map(|l| {
            let v = l.strip_prefix(key)?.strip_suffix(" kB")?;
            v.trim().parse::<u64>().ok()
        })
    };
    tap.ok(
        matches!((kb("MemTotal:"), kb("MemFree:")), (Some(t), Some(f)) if f <= t && t > 0),
        "/proc/meminfo: MemTotal and MemFree in kB",
    );

    // The /proc listing and a zombie child's stat.
    let child = match ulib::fork() {
        Ok(0) => ulib::exit_group(0),
        Ok(c) => c,
        Err(_) => -1,
    };
    let _ = ulib::nanosleep(&ulib::Timespec::from_ms(50), None);
    let (mut me, mut kid, mut myself) = (false, false, false);
    if let Ok(fd) = ulib::openat(AT_FDCWD, c"/proc", O_RDONLY | O_DIRECTORY, 0) {
        let mut d = [0u8; 4096];
        while let Ok(n @ 1..) = getdents64(fd as i32, &mut d) {
            for e in Dirents::new(&d, n) {
                let name = text(e.name);
                me |= is_num(name, pid as i64) && e.kind == dt::DIR;
                kid |= is_num(name, child as i64);
                myself |= name == "self";
            }
        }
        let _ = ulib::close(fd as i32);
    }
    tap.ok(
        me && kid && myself,
        "getdents64 on /proc lists our pid, our child's and self",
    );
    let mut path = [0u8; 32];
    let path = cstr(&mut path, format_args!("/proc/{}/stat", child));
    let n = read_file(AT_FDCWD, path, &mut buf).unwrap_or(0);
    let stat = text(&buf[..n]);
    let state = stat[stat.rfind(')').map_or(0, |i| i + 1)..]
        .split_whitespace()
        .next();
    tap.eq(
        state,
        Some("Z"),
        "an exited, unwaited child's stat says Z (zombie)",
    );
    let _ = ulib::wait4(child, None, 0);
    let r = read_file(AT_FDCWD, path, &mut buf);
    tap.eq(
        r,
        Err(Errno::ENOENT),
        "once reaped, its /proc entry is gone (ENOENT)",
    );

    // A /proc/PID directory as a dirfd.
    let dir =
        ulib::openat(AT_FDCWD, c"/proc/self", O_RDONLY | O_DIRECTORY, 0).map_or(-1, |f| f as i32);
    let n = read_file(dir, c"stat", &mut buf).unwrap_or(0);
    let first = text(&buf[..n]).split(' ').next().unwrap_or("");
    tap.ok(
        is_num(first, pid as i64),
        "openat(/proc/self dirfd, \"stat\") reads our stat",
    );
    let _ = ulib::close(dir);
    tap.done()
}

/// Format into `buf` as a str.
fn fmt<'a>(buf: &'a mut [u8], args: core::fmt::Arguments) -> &'a str {
    struct W<'b>(&'b mut [u8], usize);
    impl core::fmt::Write for W<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let end = self.1 + s.len();
            self.0
                .get_mut(self.1..end)
                .ok_or(core::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }
    let mut w = W(buf, 0);
    let _ = core::fmt::write(&mut w, args);
    let len = w.1;
    core::str::from_utf8(&buf[..len]).unwrap_or("")
}

/// Format a path into `buf`, NUL-terminated.
fn cstr<'a>(buf: &'a mut [u8], args: core::fmt::Arguments) -> &'a CStr {
    let len = fmt(&mut buf[..31], args).len();
    buf[len] = 0;
    CStr::from_bytes_until_nul(&buf[..=len]).unwrap_or(c"")
}
