//! waitid, and waiting by process group with wait4.
//!
//! waitid fills the SIGCHLD fields of a siginfo: si_signo SIGCHLD, si_code CLD_EXITED
//! with the exit code in si_status, or CLD_KILLED with the signal; WNOWAIT reports a
//! zombie and leaves it to be waited for again; WNOHANG with nothing ready returns 0
//! with si_signo and si_pid zero. P_PID, P_PGID and P_ALL choose the children; bad
//! arguments give EINVAL, no children ECHILD. wait4(0) waits only for children in the
//! caller's process group and wait4(-pgid) for those in group pgid. On Linnet this is
//! `sys_waitid`, `sys_wait4` (kernel/src/syscall/process.rs) and `do_wait` (wait.rs).
//! Syscalls used: waitid, wait4, clone (as fork), setpgid, kill, nanosleep, exit_group.

#![no_std]
#![no_main]

use ulib::process::{reap, spawn};
use ulib::process::{
    setpgid, waitid, Siginfo, CLD_EXITED, CLD_KILLED, P_ALL, P_PGID, P_PID, WEXITED, WNOHANG,
    WNOWAIT,
};
use ulib::signal::{kill, SIGCHLD, SIGKILL};
use ulib::{Errno, Tap};

fn nap_forever() -> i32 {
    loop {
        let _ = ulib::time::sleep_ms(10_000);
    }
}

/// The info matches (signo, code, pid, status) with si_errno 0.
fn info_is(i: &Siginfo, code: i32, pid: i32, status: i32) -> bool {
    i.si_signo == SIGCHLD
        && i.si_errno == 0
        && i.si_code == code
        && i.si_pid == pid
        && i.si_status == status
}

fn show(tap: &Tap, i: &Siginfo) {
    tap.diag(format_args!(
        "  si_signo {} si_errno {} si_code {} si_pid {} si_status {}",
        i.si_signo, i.si_errno, i.si_code, i.si_pid, i.si_status
    ));
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(12);

    // 1-2: P_PID with WNOWAIT, then without: the same exit reported twice, reaped once.
    let pid = spawn(|| 7);
    let mut info = Siginfo::filled(0xff);
    let r = waitid(P_PID, pid, Some(&mut info), WEXITED | WNOWAIT);
    if !tap.ok(
        r == Ok(0) && info_is(&info, CLD_EXITED, pid, 7),
        "waitid(P_PID, WNOWAIT): SIGCHLD, CLD_EXITED, si_pid, si_status 7",
    ) {
        show(&tap, &info);
    }
    let mut info = Siginfo::filled(0xff);
    let r = waitid(P_PID, pid, Some(&mut info), WEXITED);
    let gone = ulib::wait4(pid, None, WNOHANG);
    tap.ok(
        r == Ok(0) && info_is(&info, CLD_EXITED, pid, 7) && gone == Err(Errno::ECHILD),
        "after WNOWAIT the zombie is still there; waitid without it reaps it",
    );

    // 3: a killed child.
    let pid = spawn(nap_forever);
    let _ = kill(pid, SIGKILL);
    let mut info = Siginfo::filled(0xff);
    let r = waitid(P_PID, pid, Some(&mut info), WEXITED);
    if !tap.ok(
        r == Ok(0) && info_is(&info, CLD_KILLED, pid, SIGKILL),
        "a child killed by SIGKILL: CLD_KILLED, si_status 9",
    ) {
        show(&tap, &info);
    }

    // 4: WNOHANG with nothing ready.
    let pid = spawn(nap_forever);
    let mut info = Siginfo::filled(0xff);
    let r = waitid(P_ALL, 0, Some(&mut info), WEXITED | WNOHANG);
    tap.ok(
        r == Ok(0) && info.si_signo == 0 && info.si_pid == 0,
        "waitid(WNOHANG) with a running child: 0, si_signo and si_pid zeroed",
    );
    let _ = kill(pid, SIGKILL);
    let _ = reap(pid);

    // 5-6: P_PGID and P_ALL.
    let a = spawn(|| {
        let _ = ulib::time::sleep_ms(30);
        3
    });
    let _ = setpgid(a, a);
    let b = spawn(|| 4);
    let mut info = Siginfo::filled(0xff);
    let r = waitid(P_PGID, a, Some(&mut info), WEXITED);
    tap.ok(
        r == Ok(0) && info_is(&info, CLD_EXITED, a, 3),
        "waitid(P_PGID, a) waits for the child in group a, not the other that exited",
    );
    let mut info = Siginfo::filled(0xff);
    let r = waitid(P_ALL, 0, Some(&mut info), WEXITED);
    tap.ok(
        r == Ok(0) && info_is(&info, CLD_EXITED, b, 4),
        "waitid(P_ALL) reaps the remaining child",
    );

    // 7-8: errors.
    let mut info = Siginfo::filled(0);
    tap.ok(
        waitid(P_ALL, 0, Some(&mut info), WNOHANG) == Err(Errno::EINVAL)
            && waitid(P_PID, 0, Some(&mut info), WEXITED) == Err(Errno::EINVAL)
            && waitid(9, 0, Some(&mut info), WEXITED) == Err(Errno::EINVAL),
        "waitid without WEXITED, P_PID 0, or idtype 9: EINVAL",
    );
    tap.eq(
        waitid(P_ALL, 0, Some(&mut info), WEXITED),
        Err(Errno::ECHILD),
        "waitid(P_ALL) with no children: ECHILD",
    );

    // 9-12: wait4 by process group.
    let ours = spawn(|| {
        let _ = ulib::time::sleep_ms(20);
        1
    });
    let other = spawn(|| {
        let _ = ulib::time::sleep_ms(40);
        2
    });
    let moved = setpgid(other, other);
    let mut status = 0;
    let r = ulib::wait4(0, Some(&mut status), 0);
    tap.ok(
        moved == Ok(0) && r == Ok(ours) && status == 1 << 8,
        "wait4(0) returns the child in our process group",
    );
    tap.eq(
        ulib::wait4(0, None, WNOHANG),
        Err(Errno::ECHILD),
        "wait4(0) then finds no child in our group: ECHILD (the other is in its own)",
    );
    let r = ulib::wait4(-other, Some(&mut status), 0);
    tap.ok(
        r == Ok(other) && status == 2 << 8,
        "wait4(-pgid) returns the child in that group",
    );
    tap.eq(
        ulib::wait4(-other, None, 0),
        Err(Errno::ECHILD),
        "wait4(-pgid) with nobody left in the group: ECHILD",
    );
    tap.done()
}
