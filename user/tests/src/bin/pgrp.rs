//! pgrp: process groups, sessions, signals to a group, and reboot's permission check.
//!
//! setpgid(0, 0) makes a new group; a parent can move its child into a group of the
//! same session, but not a session leader, and not into a group that does not exist.
//! setsid makes a new session and group led by the caller, and fails for a process
//! group leader. kill(-pgid, sig) reaches every process of a group, kill(0, sig) the
//! caller's own group. getpgid/getsid of a reaped pid: ESRCH. Last, on Linnet only:
//! reboot from a process other than init is EPERM, bad magic numbers are EINVAL, and
//! this program (init) ends by powering the machine off with reboot(POWER_OFF), which
//! QEMU reports as status 0. On Linnet this is `sys_setpgid`, `sys_setsid`,
//! `sys_reboot` (kernel/src/syscall/process.rs) and `kill_pgrp_info`
//! (kernel/src/task/signal.rs). Syscalls used: setpgid, getpgid, getsid, setsid, kill,
//! clone (as fork), wait4, pipe2, read, write, reboot, nanosleep, exit_group, uname.

#![no_std]
#![no_main]

use ulib::process::{getpgid, getpgrp, getsid, setpgid, setsid, StatusText};
use ulib::process::{reap, spawn};
use ulib::signal::{kill, SIGTERM};
use ulib::syscall::{nr, syscall4};
use ulib::{Errno, Tap};

fn nap_forever() -> i32 {
    loop {
        let _ = ulib::time::sleep_ms(10_000);
    }
}

fn wait_byte(fd: i32) {
    let mut b = [0u8; 1];
    let _ = ulib::read(fd, &mut b);
}

fn check_status(tap: &mut Tap, got: Option<i32>, want: i32, what: &str) {
    if !tap.ok(got == Some(want), what) {
        match got {
            Some(s) => tap.diag(format_args!("  child {}", StatusText(s))),
            None => tap.diag("  wait4 failed"),
        }
    }
}

/// reboot(2) with any magic numbers.
fn reboot_raw(magic1: usize, magic2: usize, cmd: usize) -> isize {
    // SAFETY: no memory is passed; from anyone but init, or with bad magic, it fails.
    unsafe { syscall4(nr::__NR_reboot, magic1, magic2, cmd, 0) }
}

const MAGIC1: usize = ulib::uapi::reboot::LINUX_REBOOT_MAGIC1 as usize;
const MAGIC2: usize = ulib::uapi::reboot::LINUX_REBOOT_MAGIC2 as usize;
const POWER_OFF: usize = ulib::uapi::reboot::LINUX_REBOOT_CMD_POWER_OFF as usize;

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(12);
    let linnet = ulib::is_linnet();

    // On Linux getsid() is 0 when the session's leader lives outside the caller's pid
    // namespace (a container started inside someone else's session); Linnet has one
    // namespace, so there it must name a process.
    let sid_ok = |s: i32| s > 0 || (s == 0 && !linnet);
    tap.ok(
        getpgrp() == getpgid(0).unwrap_or(-2) && getsid(0).is_ok_and(sid_ok),
        "getpgrp() == getpgid(0); getsid(0) is a session",
    );

    // 2-3: a new group, made by the child and by the parent (as a shell does).
    let Ok([rd, wr]) = ulib::fs::pipe2(0) else {
        tap.ok(false, "pipe2");
        return 1;
    };
    let leader = spawn(|| {
        let _ = setpgid(0, 0);
        wait_byte(rd);
        if getpgid(0) == Ok(ulib::getpid()) {
            nap_forever()
        } else {
            1
        }
    });
    tap.ok(
        setpgid(leader, leader) == Ok(0) && getpgid(leader) == Ok(leader),
        "setpgid(child, child): a new group led by the child",
    );
    let member = spawn(nap_forever);
    tap.ok(
        setpgid(member, leader) == Ok(0) && getpgid(member) == Ok(leader),
        "setpgid(other child, group): it joins that group",
    );
    let _ = ulib::write(wr, b"g");

    // 4-5: kill(-pgid) reaches the whole group.
    let _ = ulib::time::sleep_ms(20);
    let r = kill(-leader, SIGTERM);
    let (s1, s2) = (reap(leader), reap(member));
    tap.ok(
        r == Ok(0) && s1 == Some(SIGTERM) && s2 == Some(SIGTERM),
        "kill(-pgid, SIGTERM) ends every process of the group",
    );
    tap.ok(
        kill(-leader, 0) == Err(Errno::ESRCH)
            && getpgid(leader) == Err(Errno::ESRCH)
            && getsid(leader) == Err(Errno::ESRCH),
        "the group is gone: kill(-pgid, 0), getpgid, getsid give ESRCH",
    );

    // 6: kill(0, sig) reaches the caller's own group (a grandchild shares it).
    let pid = spawn(|| {
        let _ = setpgid(0, 0);
        spawn(nap_forever);
        let _ = kill(0, SIGTERM);
        nap_forever()
    });
    check_status(
        &mut tap,
        reap(pid),
        SIGTERM,
        "kill(0, SIGTERM) ends the caller's group",
    );

    // 7-9: setpgid's errors.
    tap.eq(setpgid(0, -1), Err(Errno::EINVAL), "setpgid(0, -1): EINVAL");
    tap.eq(
        setpgid(pid, 0),
        Err(Errno::ESRCH),
        "setpgid of a reaped pid: ESRCH",
    );
    let gone = member; // reaped, and never led a group
    let child = spawn(move || match setpgid(0, gone) {
        Err(Errno::EPERM) => 0,
        _ => 1,
    });
    check_status(
        &mut tap,
        reap(child),
        0,
        "setpgid into a group that does not exist: EPERM",
    );

    // 10-11: setsid.
    let Ok([rd, wr]) = ulib::fs::pipe2(0) else {
        tap.ok(false, "pipe2");
        return 1;
    };
    let child = spawn(|| {
        let me = ulib::getpid();
        let mut bad = 0;
        if setsid() != Ok(me) {
            bad |= 1;
        }
        if getsid(0) != Ok(me) || getpgid(0) != Ok(me) {
            bad |= 2;
        }
        if setsid() != Err(Errno::EPERM) || setpgid(0, 0) != Err(Errno::EPERM) {
            bad |= 4;
        }
        let _ = ulib::write(wr, b"s");
        let _ = ulib::time::sleep_ms(20);
        bad
    });
    wait_byte(rd);
    let moved = setpgid(child, getpgrp());
    check_status(
        &mut tap,
        reap(child),
        0,
        "setsid: new session and group named after the caller; again: EPERM",
    );
    let child = spawn(|| {
        let _ = setpgid(0, 0);
        match setsid() {
            Err(Errno::EPERM) => 0,
            _ => 1,
        }
    });
    tap.ok(
        moved == Err(Errno::EPERM) && reap(child) == Some(0),
        "a session leader cannot be moved; a group leader cannot setsid: EPERM",
    );

    // 12: reboot from anyone but init (Linnet only: on a real Linux, root could reboot).
    if linnet {
        let child = spawn(|| match reboot_raw(MAGIC1, MAGIC2, POWER_OFF) {
            -1 => 0, // -EPERM
            _ => 1,
        });
        let bad_magic = reboot_raw(MAGIC1, 12345, POWER_OFF) == -22
            && reboot_raw(0xdead, MAGIC2, POWER_OFF) == -22
            && reboot_raw(MAGIC1, MAGIC2, 0x1234) == -22;
        tap.ok(
            reap(child) == Some(0) && bad_magic,
            "reboot: EPERM from a process other than init; EINVAL for bad magic or command",
        );
    } else {
        tap.skip("reboot: EPERM from a non-init process", "not Linnet");
    }
    while ulib::wait4(-1, None, 0).is_ok() {}
    let code = tap.done();
    if linnet && code == 0 && ulib::getpid() == 1 {
        // Power off as init: QEMU ends with status 0, as if init had exited 0.
        let _ = ulib::info::reboot(ulib::info::REBOOT_POWER_OFF);
        return 3; // reboot returned: it failed
    }
    code
}
