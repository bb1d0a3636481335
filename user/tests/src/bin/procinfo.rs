//! procinfo: prctl, sched_getaffinity/sched_setaffinity, get/setpriority,
//! get/setgroups, getresuid/getresgid, getrusage, socket/socketpair, rseq.
//!
//! The kernel side is `kernel/src/syscall/sys.rs` (Linux `kernel/sys.c`,
//! `kernel/sched/core.c`, `net/socket.c`) and `task/exit.rs` (the parent-death signal
//! and subreapers). qemu-user hands these calls to the host kernel, so the checks hold
//! there too, except where the host has more CPUs or address families (those accept
//! both answers).
//! Syscalls used: prctl, sched_getaffinity, sched_setaffinity, getpriority,
//! setpriority, getgroups, setgroups, getresuid, getresgid, getrusage, socket,
//! socketpair, rseq, clone (fork), wait4, pipe2, read, write, openat, nanosleep.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::io::{AT_FDCWD, O_RDONLY};
use ulib::procattr::*;
use ulib::process::{reap, spawn};
use ulib::signal::SIGTERM;
use ulib::time::Timespec;
use ulib::{Errno, Tap};

fn read_file(path: &CStr, buf: &mut [u8]) -> usize {
    let Ok(fd) = ulib::openat(AT_FDCWD, path, O_RDONLY, 0) else {
        return 0;
    };
    let mut len = 0;
    while let Ok(n) = ulib::read(fd as i32, &mut buf[len..]) {
        if n == 0 || len + n == buf.len() {
            len += n;
            break;
        }
        len += n;
    }
    let _ = ulib::close(fd as i32);
    len
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Spin until this thread has used `ms` more milliseconds of CPU time (wall time would
/// not do: the machine may be busy with other work).
fn busy_ms(ms: u64) {
    let used = || {
        getrusage(RUSAGE_THREAD).map_or(i64::MAX, |r| {
            r.utime[0] * 1_000_000 + r.utime[1] + r.stime[0] * 1_000_000 + r.stime[1]
        })
    };
    let start = used();
    while used() - start < ms as i64 * 1000 {
        core::hint::spin_loop();
    }
}

fn names(tap: &mut Tap) {
    tap.eq(set_name(b"procinfo-test\0"), Ok(0), "PR_SET_NAME");
    tap.eq(
        get_name().ok(),
        Some(*b"procinfo-test\0\0\0"),
        "PR_GET_NAME gives the name, NUL-padded to 16 bytes",
    );
    let _ = set_name(b"abcdefghijklmnopqrstuvwxyz\0");
    tap.eq(
        get_name().ok(),
        Some(*b"abcdefghijklmno\0"),
        "a long name is cut to 15 bytes",
    );
    let mut buf = [0u8; 1024];
    let n = read_file(c"/proc/self/comm", &mut buf);
    tap.eq(
        &buf[..n],
        b"abcdefghijklmno\n".as_slice(),
        "/proc/self/comm shows it",
    );
    let n = read_file(c"/proc/self/stat", &mut buf);
    if ulib::is_linnet() {
        tap.ok(
            contains(&buf[..n], b" (abcdefghijklmno) "),
            "/proc/self/stat shows it",
        );
    } else {
        // qemu-user writes its own /proc/self/stat, named after the program file.
        tap.skip(
            "/proc/self/stat shows it",
            "qemu-user's own /proc/self/stat",
        );
    }
    tap.eq(
        prctl(PR_SET_NAME, 16),
        Err(Errno::EFAULT),
        "PR_SET_NAME of a bad pointer: EFAULT",
    );
    tap.eq(
        prctl(PR_GET_NAME, 16),
        Err(Errno::EFAULT),
        "PR_GET_NAME to a bad pointer: EFAULT",
    );
    tap.eq(
        prctl(0x7fff_0000, 0),
        Err(Errno::EINVAL),
        "an unknown prctl option: EINVAL",
    );
}

fn dumpable_and_pdeathsig(tap: &mut Tap) {
    tap.eq(prctl(PR_GET_DUMPABLE, 0), Ok(1), "PR_GET_DUMPABLE is 1");
    let set0 = prctl(PR_SET_DUMPABLE, 0);
    let got = prctl(PR_GET_DUMPABLE, 0);
    let _ = prctl(PR_SET_DUMPABLE, 1);
    tap.eq((set0, got), (Ok(0), Ok(0)), "PR_SET_DUMPABLE 0 then GET: 0");
    tap.eq(
        prctl(PR_SET_DUMPABLE, 2),
        Err(Errno::EINVAL),
        "PR_SET_DUMPABLE 2: EINVAL",
    );
    tap.eq(get_pdeathsig(), Ok(0), "PR_GET_PDEATHSIG is 0 at first");
    let _ = prctl(PR_SET_PDEATHSIG, 10);
    tap.eq(get_pdeathsig(), Ok(10), "PR_SET_PDEATHSIG 10 then GET: 10");
    let _ = prctl(PR_SET_PDEATHSIG, 0);
    tap.eq(
        prctl(PR_SET_PDEATHSIG, 99),
        Err(Errno::EINVAL),
        "PR_SET_PDEATHSIG 99: EINVAL",
    );

    if !ulib::is_linnet() && prctl(PR_GET_CHILD_SUBREAPER, 0) == Err(Errno::EINVAL) {
        // qemu-user 7.2 refuses the subreaper options, and then an orphan goes to the
        // host's init, out of sight.
        tap.skip(
            "an orphan goes to its subreaper",
            "qemu-user lacks PR_SET_CHILD_SUBREAPER",
        );
        tap.skip(
            "PR_SET_PDEATHSIG: SIGTERM when the parent exits",
            "needs a subreaper",
        );
        return;
    }
    // A subreaper S; its child C forks G (with SIGTERM as parent-death signal) and G2,
    // then exits. G dies of SIGTERM; G2 is adopted by S, not by init.
    let s = spawn(|| {
        if prctl(PR_SET_CHILD_SUBREAPER, 1).is_err() {
            return 1;
        }
        let mut v = 0i32;
        let _ = prctl(PR_GET_CHILD_SUBREAPER, &mut v as *mut i32 as usize);
        if v != 1 {
            return 2;
        }
        let me = ulib::getpid();
        let [r, w] = ulib::fs::pipe2(0).unwrap_or([-1, -1]);
        let c = spawn(|| {
            let c = ulib::getpid();
            spawn(|| {
                let _ = prctl(PR_SET_PDEATHSIG, SIGTERM as usize);
                let _ = ulib::write(w, b"g");
                let _ = ulib::nanosleep(&Timespec::from_ms(5000), None);
                0
            });
            spawn(move || {
                let _ = ulib::write(w, b"h");
                while ulib::getppid() == c {
                    let _ = ulib::nanosleep(&Timespec::from_ms(5), None);
                }
                let b = if ulib::getppid() == me { b"y" } else { b"n" };
                let _ = ulib::write(w, b);
                0
            });
            let mut b = [0u8; 2];
            let mut got = 0;
            while got < 2 {
                match ulib::read(r, &mut b[got..]) {
                    Ok(n) if n > 0 => got += n,
                    _ => break,
                }
            }
            0
        });
        let mut code = 0;
        if reap(c) != Some(0) {
            code |= 4;
        }
        let mut b = [0u8; 1];
        if ulib::read(r, &mut b) != Ok(1) || b[0] != b'y' {
            code |= 8;
        }
        // Two adopted children: G killed by SIGTERM, G2 exited 0.
        let mut term = 0;
        for _ in 0..2 {
            let mut st = 0;
            if ulib::wait4(-1, Some(&mut st), 0).is_ok() && ulib::wtermsig(st) == SIGTERM {
                term += 1;
            }
        }
        if term != 1 {
            code |= 16;
        }
        code
    });
    let st = reap(s).unwrap_or(-1);
    tap.eq(st & 0x8f00, 0, "an orphan goes to its subreaper");
    tap.eq(
        st & 0x7000,
        0,
        "PR_SET_PDEATHSIG: SIGTERM when the parent exits",
    );
    tap.diag(format_args!("  subreaper child status {:#x}", st));
}

fn affinity(tap: &mut Tap) {
    let mut m = [0u8; 128];
    let n = sched_getaffinity(0, 128, &mut m);
    let ok = matches!(n, Ok(n) if n >= 8 && n % 8 == 0) && m.iter().any(|&b| b != 0);
    tap.ok(ok, "sched_getaffinity: whole longs, some CPU set");
    if ulib::is_linnet() {
        tap.eq((n, m[0]), (Ok(8), 1), "Linnet: one CPU, mask 1, 8 bytes");
    } else {
        tap.skip(
            "Linnet: one CPU, mask 1, 8 bytes",
            "the host has its own CPUs",
        );
    }
    tap.eq(
        sched_getaffinity(0, 4, &mut m),
        Err(Errno::EINVAL),
        "sched_getaffinity of 4 bytes: EINVAL",
    );
    tap.eq(
        sched_getaffinity(0, 0, &mut m),
        Err(Errno::EINVAL),
        "sched_getaffinity of 0 bytes: EINVAL",
    );
    tap.eq(
        sched_getaffinity(0x3fff_fff0, 8, &mut m),
        Err(Errno::ESRCH),
        "sched_getaffinity of no such pid: ESRCH",
    );
    let _ = sched_getaffinity(0, 128, &mut m);
    tap.eq(
        sched_setaffinity(0, &m[..8]),
        Ok(0),
        "sched_setaffinity to the current mask",
    );
    tap.eq(
        sched_setaffinity(0, &[0u8; 8]),
        Err(Errno::EINVAL),
        "sched_setaffinity to no CPU: EINVAL",
    );
}

fn priority(tap: &mut Tap) {
    tap.eq(
        getpriority_raw(PRIO_PROCESS, 0),
        Ok(20),
        "getpriority: nice 0 reads as 20",
    );
    let _ = setpriority(PRIO_PROCESS, 0, 5);
    tap.eq(
        getpriority_raw(PRIO_PROCESS, 0),
        Ok(15),
        "setpriority 5: reads as 15",
    );
    if ulib::is_linnet() {
        let mut buf = [0u8; 1024];
        let n = read_file(c"/proc/self/stat", &mut buf);
        let text = core::str::from_utf8(&buf[..n]).unwrap_or("");
        // Fields after "(comm)": state is field 3, priority 18, nice 19.
        let rest = text.rsplit_once(") ").map_or("", |(_, r)| r);
        let mut f = rest.split(' ').skip(15);
        let ok = f.next() == Some("25") && f.next() == Some("5");
        tap.ok(ok, "Linnet: /proc/self/stat shows priority 25, nice 5");
    } else {
        tap.skip(
            "Linnet: /proc/self/stat shows priority 25, nice 5",
            "qemu-user's own /proc/self/stat",
        );
    }
    let _ = setpriority(PRIO_PROCESS, 0, 100);
    tap.eq(
        getpriority_raw(PRIO_PROCESS, 0),
        Ok(1),
        "setpriority 100 is clamped to 19",
    );
    tap.eq(
        setpriority(PRIO_PROCESS, 0, 0),
        Ok(0),
        "root may lower the nice value again",
    );
    tap.eq(
        getpriority_raw(5, 0),
        Err(Errno::EINVAL),
        "getpriority with a bad which: EINVAL",
    );
    tap.eq(
        getpriority_raw(PRIO_PROCESS, 0x3fff_fff0),
        Err(Errno::ESRCH),
        "getpriority of no such pid: ESRCH",
    );
    let pg = ulib::process::getpgrp() as usize;
    tap.eq(
        getpriority_raw(PRIO_PGRP, pg),
        Ok(20),
        "getpriority of our process group",
    );
}

fn ids(tap: &mut Tap) {
    tap.eq(getresid(false), Ok([0, 0, 0]), "getresuid: root");
    tap.eq(getresid(true), Ok([0, 0, 0]), "getresgid: root");
    tap.eq(setgroups(&[9, 3, 5]), Ok(0), "setgroups of three groups");
    let mut g = [0u32; 8];
    tap.eq(getgroups(&mut g), Ok(3), "getgroups returns three");
    tap.eq(
        &g[..3],
        [3u32, 5, 9].as_slice(),
        "sorted, as Linux keeps them",
    );
    let mut buf = [0u8; 2048];
    let n = read_file(c"/proc/self/status", &mut buf);
    tap.ok(
        contains(&buf[..n], b"\nGroups:\t3 5 9 \n"),
        "/proc/self/status: Groups",
    );
    tap.eq(getgroups_raw(0, 0), Ok(3), "getgroups(0, NULL) counts");
    tap.eq(
        getgroups_raw(1, g.as_mut_ptr() as usize),
        Err(Errno::EINVAL),
        "getgroups too small: EINVAL",
    );
    tap.eq(
        getgroups_raw(3, 16),
        Err(Errno::EFAULT),
        "getgroups to a bad pointer: EFAULT",
    );
    let _ = setgroups(&[]);
}

/// The set*id rules, in a child (dropping root cannot be undone).
fn setids(tap: &mut Tap) {
    const N: u32 = u32::MAX;
    // The child exits with the number of its first failed check (0: none).
    let pid = spawn(|| {
        let mut bad = 0;
        let mut check = |n: i32, ok: bool| {
            if !ok && bad == 0 {
                bad = n + 1;
            }
        };
        check(0, id_call(nr::__NR_setuid, N, 0, 0) == Err(Errno::EINVAL));
        // seteuid(1000): the saved uid stays 0, so root can come back.
        check(1, id_call(nr::__NR_setresuid, N, 1000, N) == Ok(0));
        check(
            2,
            id_call(nr::__NR_geteuid, 0, 0, 0) == Ok(1000)
                && id_call(nr::__NR_getuid, 0, 0, 0) == Ok(0),
        );
        check(3, getresid(false) == Ok([0, 1000, 0]));
        check(4, id_call(nr::__NR_setresuid, N, 5, N) == Err(Errno::EPERM));
        check(5, setgroups(&[1]) == Err(Errno::EPERM));
        check(6, id_call(nr::__NR_setresuid, N, 0, N) == Ok(0));
        check(7, id_call(nr::__NR_setgid, 50, 0, 0) == Ok(0));
        check(
            8,
            id_call(nr::__NR_getgid, 0, 0, 0) == Ok(50)
                && id_call(nr::__NR_getegid, 0, 0, 0) == Ok(50),
        );
        check(
            9,
            id_call(nr::__NR_setreuid, N, 7, 0) == Ok(0) && getresid(false) == Ok([0, 7, 7]),
        );
        check(
            10,
            id_call(nr::__NR_setuid, 0, 0, 0) == Ok(0)
                && id_call(nr::__NR_geteuid, 0, 0, 0) == Ok(0),
        );
        check(
            11,
            id_call(nr::__NR_setfsuid, 1000, 0, 0) == Ok(0)
                && id_call(nr::__NR_setfsuid, N, 0, 0) == Ok(1000),
        );
        check(
            12,
            id_call(nr::__NR_setuid, 1000, 0, 0) == Ok(0)
                && getresid(false) == Ok([1000, 1000, 1000]),
        );
        check(13, id_call(nr::__NR_setuid, 0, 0, 0) == Err(Errno::EPERM));
        check(
            14,
            id_call(nr::__NR_setresgid, 1, 1, 1) == Err(Errno::EPERM),
        );
        bad
    });
    let st = reap(pid).unwrap_or(-1);
    let first = if ulib::wifexited(st) {
        ulib::wexitstatus(st)
    } else {
        99
    };
    tap.ok(
        !(1..=7).contains(&first),
        "setresuid/seteuid keep the saved uid; back to root",
    );
    tap.ok(
        !(8..=11).contains(&first),
        "setgid, setreuid, setuid to the real uid",
    );
    tap.ok(first != 12, "setfsuid returns the old fs uid");
    tap.eq(first, 0, "setuid as root drops root for good (EPERM after)");
    tap.diag(format_args!("  set*id child status {:#x}", st));
    tap.eq(getresid(false), Ok([0, 0, 0]), "the parent is still root");
}

fn rusage(tap: &mut Tap) {
    busy_ms(100);
    let me = getrusage(RUSAGE_SELF).unwrap_or_default();
    let cpu =
        |r: &Rusage| r.utime[0] * 1_000_000 + r.utime[1] + r.stime[0] * 1_000_000 + r.stime[1];
    tap.ok(cpu(&me) >= 50_000, "RUSAGE_SELF counts 100 ms of spinning");
    tap.ok(me.maxrss > 0, "RUSAGE_SELF has a maxrss");
    let th = getrusage(RUSAGE_THREAD).unwrap_or_default();
    tap.ok(
        cpu(&th) >= 50_000 && cpu(&th) <= cpu(&me) + 20_000,
        "RUSAGE_THREAD",
    );
    let before = getrusage(RUSAGE_CHILDREN).map(|r| cpu(&r)).unwrap_or(-1);
    let pid = spawn(|| {
        busy_ms(100);
        0
    });
    let _ = reap(pid);
    let ch = getrusage(RUSAGE_CHILDREN).unwrap_or_default();
    tap.ok(
        cpu(&ch) - before >= 50_000,
        "RUSAGE_CHILDREN counts a reaped child's 100 ms",
    );
    tap.ok(ch.maxrss > 0, "RUSAGE_CHILDREN has a maxrss");
    tap.eq(
        getrusage_raw(7, 0),
        Err(Errno::EINVAL),
        "getrusage of a bad who: EINVAL",
    );
    tap.eq(
        getrusage_raw(RUSAGE_SELF, 16),
        Err(Errno::EFAULT),
        "getrusage to a bad pointer: EFAULT",
    );
}

fn sockets(tap: &mut Tap) {
    // AF_UNIX: a host with it gives a socket; Linnet (no families) EAFNOSUPPORT.
    let r = socket(1, 1, 0);
    if let Ok(fd) = r {
        let _ = ulib::close(fd as i32);
    }
    tap.ok(
        matches!(r, Ok(_) | Err(Errno::EAFNOSUPPORT)),
        "socket(AF_UNIX): a socket or EAFNOSUPPORT",
    );
    if ulib::is_linnet() {
        tap.eq(
            socket(2, 1, 0),
            Err(Errno::EAFNOSUPPORT),
            "Linnet: socket(AF_INET) EAFNOSUPPORT",
        );
    } else {
        tap.skip(
            "Linnet: socket(AF_INET) EAFNOSUPPORT",
            "the host has networking",
        );
    }
    tap.eq(
        socket(9999, 1, 0),
        Err(Errno::EAFNOSUPPORT),
        "socket of family 9999: EAFNOSUPPORT",
    );
    let mut sv = [0i32; 2];
    if ulib::is_linnet() {
        tap.eq(
            socket(1, 1 | 0x100, 0),
            Err(Errno::EINVAL),
            "socket with an unknown type flag: EINVAL",
        );
        tap.eq(
            socketpair(1, 1 | 0x100, 0, sv.as_mut_ptr() as usize),
            Err(Errno::EINVAL),
            "socketpair with an unknown type flag: EINVAL",
        );
    } else {
        // qemu-user drops type flags it does not know before calling the host.
        tap.skip(
            "socket with an unknown type flag: EINVAL",
            "qemu-user drops the flag",
        );
        tap.skip(
            "socketpair with an unknown type flag: EINVAL",
            "qemu-user drops the flag",
        );
    }
    tap.eq(
        socketpair(9999, 1, 0, sv.as_mut_ptr() as usize),
        Err(Errno::EAFNOSUPPORT),
        "socketpair of family 9999: EAFNOSUPPORT",
    );
    // SAFETY: rseq with no area: the kernel only looks at the arguments.
    let r = ulib::errno::check(unsafe { ulib::syscall::syscall4(nr::__NR_rseq, 0, 0, 0, 0) });
    tap.eq(r, Err(Errno::ENOSYS), "rseq: ENOSYS");
}

/// RLIMIT_NOFILE at 10: every way of making a descriptor stops below it.
fn nofile(tap: &mut Tap) {
    use ulib::io::fcntl::F_DUPFD;
    use ulib::resource::{getrlimit, setrlimit, Rlimit, RLIMIT_NOFILE};
    let old = getrlimit(RLIMIT_NOFILE).unwrap_or(Rlimit {
        cur: 1024,
        max: 4096,
    });
    let low = Rlimit {
        cur: 10,
        max: old.max,
    };
    tap.eq(
        setrlimit(RLIMIT_NOFILE, &low),
        Ok(0),
        "setrlimit(RLIMIT_NOFILE) to 10",
    );
    let mut fds = [-1i32; 16];
    let mut n = 0;
    let last = loop {
        match ulib::io::dup(0) {
            Ok(fd) if n < fds.len() => {
                fds[n] = fd as i32;
                n += 1;
            }
            r => break r,
        }
    };
    let below = fds[..n].iter().all(|&fd| fd < 10);
    tap.ok(
        below && last == Err(Errno::EMFILE),
        "dup: EMFILE at the soft limit, all fds below it",
    );
    tap.eq(
        ulib::openat(AT_FDCWD, c"/", O_RDONLY, 0),
        Err(Errno::EMFILE),
        "openat: EMFILE",
    );
    tap.eq(
        ulib::fs::pipe2(0).err(),
        Some(Errno::EMFILE),
        "pipe2: EMFILE",
    );
    tap.eq(
        ulib::io::fcntl(0, F_DUPFD, 0),
        Err(Errno::EMFILE),
        "F_DUPFD: EMFILE",
    );
    tap.eq(
        ulib::io::fcntl(0, F_DUPFD, 10),
        Err(Errno::EINVAL),
        "F_DUPFD from the limit: EINVAL",
    );
    tap.eq(
        ulib::fs::dup3(0, 10, 0),
        Err(Errno::EBADF),
        "dup3 to the limit: EBADF",
    );
    tap.eq(
        ulib::fs::dup3(0, 9, 0),
        Ok(9),
        "dup3 below the limit replaces",
    );
    for &fd in &fds[..n] {
        let _ = ulib::close(fd);
    }
    let _ = ulib::close(9);
    let _ = setrlimit(RLIMIT_NOFILE, &old);
    let r = ulib::io::dup(0);
    tap.ok(r.is_ok(), "raised again, dup works");
    if let Ok(fd) = r {
        let _ = ulib::close(fd as i32);
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(68);
    names(&mut tap); // 8
    dumpable_and_pdeathsig(&mut tap); // 8
    affinity(&mut tap); // 7
    priority(&mut tap); // 7
    ids(&mut tap); // 8
    setids(&mut tap); // 5
    rusage(&mut tap); // 7
    sockets(&mut tap); // 7
    nofile(&mut tap); // 9
    tap.done()
}
