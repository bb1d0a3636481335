//! procsys: /proc/self/exe, /proc/mounts, stat, uptime, cpuinfo, version, and syslog(2)
//! (what busybox `dmesg`, `uptime`, `free`, `ps` read).
//!
//! The kernel side is `kernel/src/fs/proc/sysfiles.rs` and `base.rs` (Linux
//! `fs/proc/stat.c`, `uptime.c`, `version.c`, `fs/proc_namespace.c`,
//! `arch/arm64/kernel/cpuinfo.c`) and `printk.rs` with `printk_ringbuffer.rs` (Linux
//! `kernel/printk/printk.c`). Under qemu-user these are the host's files (or qemu's
//! imitation), so the checks look at formats, not values; the arm64-specific lines of
//! cpuinfo and the syslog contents are checked on Linnet only.
//! Syscalls used: openat, read, close, readlinkat, syslog.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::io::{AT_FDCWD, O_RDONLY};
use ulib::procattr::{syslog, syslog_raw};
use ulib::{Errno, Tap};

fn read_file<'a>(path: &CStr, buf: &'a mut [u8]) -> &'a str {
    let Ok(fd) = ulib::openat(AT_FDCWD, path, O_RDONLY, 0) else {
        return "";
    };
    let mut len = 0;
    while len < buf.len() {
        match ulib::read(fd as i32, &mut buf[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    let _ = ulib::close(fd as i32);
    core::str::from_utf8(&buf[..len]).unwrap_or("")
}

fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim())
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// "12.34": digits, a dot, two digits.
fn is_centis(s: &str) -> bool {
    s.split_once('.')
        .is_some_and(|(a, b)| is_num(a) && b.len() == 2 && is_num(b))
}

#[no_mangle]
fn main() -> i32 {
    let linnet = ulib::is_linnet();
    let mut tap = Tap::new(20);
    let mut buf = [0u8; 16384];

    // /proc/self/exe
    let mut link = [0u8; 256];
    let r = ulib::fs::readlinkat(AT_FDCWD, c"/proc/self/exe", &mut link);
    let ok = r.is_ok_and(|p| p.starts_with(b"/") && p.ends_with(b"/procsys"));
    tap.ok(
        ok,
        "readlink /proc/self/exe: the absolute path of this program",
    );
    let _ = read_file(c"/proc/self/exe", &mut buf[..4]);
    tap.ok(
        &buf[..4] == b"\x7fELF",
        "open /proc/self/exe: the program file",
    );
    let st = ulib::fs::fstatat(AT_FDCWD, c"/proc/self/exe", ulib::fs::AT_SYMLINK_NOFOLLOW);
    tap.ok(
        st.is_ok_and(|s| s.kind() == 0o120000),
        "lstat /proc/self/exe: a symlink",
    );

    // /proc/mounts
    let m = read_file(c"/proc/mounts", &mut buf);
    let well_formed = !m.is_empty()
        && m.lines().all(|l| {
            let f: [&str; 6] = {
                let mut it = l.split(' ');
                core::array::from_fn(|_| it.next().unwrap_or(""))
            };
            l.split(' ').count() == 6 && f[4] == "0" && f[5] == "0"
        });
    tap.ok(well_formed, "/proc/mounts: six fields a line, ending 0 0");
    tap.ok(
        m.lines()
            .any(|l| l.split(' ').nth(1) == Some("/proc") && l.split(' ').nth(2) == Some("proc")),
        "/proc/mounts lists /proc",
    );
    if linnet {
        tap.ok(
            m.starts_with("rootfs / rootfs rw 0 0\n"),
            "Linnet: / is rootfs",
        );
    } else {
        tap.skip("Linnet: / is rootfs", "the host has its own mounts");
    }

    // /proc/stat
    let s = read_file(c"/proc/stat", &mut buf);
    let cpu = s.lines().next().unwrap_or("");
    let nums: usize = cpu.split_whitespace().skip(1).filter(|w| is_num(w)).count();
    tap.ok(
        cpu.starts_with("cpu ") && nums >= 4,
        "/proc/stat: a cpu line of tick counts",
    );
    tap.ok(
        field(s, "btime ").is_some_and(|v| v.parse::<u64>().is_ok_and(|t| t > 1_000_000_000)),
        "/proc/stat: btime in seconds since 1970",
    );
    tap.ok(
        field(s, "processes ").is_some_and(|v| v.parse::<u64>().is_ok_and(|n| n > 0)),
        "/proc/stat: processes",
    );
    tap.ok(
        field(s, "procs_running ").is_some_and(|v| v.parse::<u64>().is_ok_and(|n| n >= 1)),
        "/proc/stat: procs_running",
    );

    // /proc/uptime, /proc/version
    let u = read_file(c"/proc/uptime", &mut buf);
    let mut w = u.trim_end().split(' ');
    let ok =
        w.next().is_some_and(is_centis) && w.next().is_some_and(is_centis) && u.ends_with('\n');
    tap.ok(ok, "/proc/uptime: two numbers with two decimals");
    let v = read_file(c"/proc/version", &mut buf);
    tap.ok(
        v.starts_with("Linux version ") && v.ends_with('\n'),
        "/proc/version",
    );

    // /proc/cpuinfo
    let c = read_file(c"/proc/cpuinfo", &mut buf);
    tap.ok(c.contains("processor\t: 0\n"), "/proc/cpuinfo: processor 0");
    if linnet {
        let arm = field(c, "CPU implementer\t:") == Some("0x41")
            && field(c, "CPU architecture:") == Some("8")
            && field(c, "CPU part\t:").is_some_and(|p| p.starts_with("0x"))
            && field(c, "BogoMIPS\t:").is_some_and(is_centis)
            && field(c, "Features\t:").is_some_and(|f| f.split(' ').any(|x| x == "fp"));
        tap.ok(
            arm,
            "Linnet: arm64 cpuinfo (implementer, architecture, part, BogoMIPS, Features)",
        );
    } else {
        tap.skip(
            "Linnet: arm64 cpuinfo (implementer, architecture, part, BogoMIPS, Features)",
            "the host's CPU",
        );
    }

    // syslog
    tap.eq(
        syslog_raw(99, 0, 0),
        Err(Errno::EINVAL),
        "syslog of an unknown action: EINVAL",
    );
    if linnet {
        tap.eq(
            syslog_raw(3, 0, 16),
            Err(Errno::EINVAL),
            "syslog READ_ALL into NULL: EINVAL",
        );
    } else {
        // qemu-user checks the buffer itself and differs from Linux here.
        tap.skip("syslog READ_ALL into NULL: EINVAL", "qemu-user's own check");
    }
    tap.eq(
        syslog(3, &mut buf[..0]),
        Ok(0),
        "syslog READ_ALL of 0 bytes: 0",
    );
    tap.eq(
        syslog_raw(8, 0, 0),
        Err(Errno::EINVAL),
        "syslog CONSOLE_LEVEL 0: EINVAL",
    );
    if linnet {
        let size = syslog_raw(10, 0, 0);
        tap.ok(size.is_ok_and(|n| n >= 16384), "Linnet: SIZE_BUFFER");
        let n = syslog(3, &mut buf).unwrap_or(0);
        let text = core::str::from_utf8(&buf[..n]).unwrap_or("");
        let ok = n > 0
            && text.ends_with('\n')
            && text.lines().all(|l| {
                l.starts_with('<')
                    && l.as_bytes().get(1).is_some_and(u8::is_ascii_digit)
                    && l[2..].starts_with(">[")
            });
        tap.ok(ok, "Linnet: READ_ALL gives <level>[time] lines");
    } else {
        // The host's log may be closed to containers (dmesg_restrict).
        tap.skip("Linnet: SIZE_BUFFER", "the host's log");
        tap.skip(
            "Linnet: READ_ALL gives <level>[time] lines",
            "the host's log",
        );
    }
    tap.done()
}
