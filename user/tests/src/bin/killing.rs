//! kill, tkill, tgkill: who can be signalled, what the default actions do, and zombies.
//!
//! A zombie still exists until its parent reaps it: kill(pid, 0) succeeds, even SIGKILL
//! succeeds and changes nothing (you cannot kill a zombie, only reap it), and after
//! wait4 the pid is gone (ESRCH). SIGKILL ends a child sleeping in nanosleep and one
//! spinning in user space without a syscall (the timer tick finds the signal); SIGTERM
//! and SIGUSR1 terminate by default; SIGCHLD is ignored by default. tkill and tgkill
//! reach one thread; bad arguments give EINVAL or ESRCH. On Linnet this is
//! `kill_something_info`, `send_signal_locked`, `complete_signal` and `dequeue_signal`
//! (kernel/src/syscall/signal.rs, kernel/src/task/signal.rs).
//! Syscalls used: kill, tkill, tgkill, clone (as fork), wait4, waitid, nanosleep,
//! exit_group, getpid.

#![no_std]
#![no_main]

use ulib::process::{reap, spawn};
use ulib::process::{waitid, StatusText, P_PID, WEXITED, WNOWAIT};
use ulib::signal::{kill, tgkill, tkill, SIGCHLD, SIGKILL, SIGTERM, SIGUSR1};
use ulib::{Errno, Tap};

fn sleep_forever() -> i32 {
    loop {
        let _ = ulib::time::sleep_ms(10_000);
    }
}

fn spin_forever() -> i32 {
    loop {
        core::hint::spin_loop();
    }
}

/// Check that `pid` ends killed by `sig`, with a TAP line.
fn killed_by(tap: &mut Tap, pid: i32, sig: i32, what: &str) {
    let got = reap(pid);
    let ok = matches!(got, Some(s) if ulib::wifsignaled(s) && ulib::wtermsig(s) == sig);
    tap.ok(ok, format_args!("{}: WTERMSIG {}", what, sig));
    match got {
        Some(s) if !ok => tap.diag(format_args!("  child {}", StatusText(s))),
        None => tap.diag("  wait4 failed"),
        _ => {}
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(20);

    tap.eq(
        kill(ulib::getpid(), 0),
        Ok(0),
        "kill(getpid(), 0): we exist",
    );
    tap.eq(kill(0, 0), Ok(0), "kill(0, 0): our process group exists");

    // 3-7: a zombie exists until it is reaped.
    let pid = spawn(|| 0);
    tap.eq(kill(pid, 0), Ok(0), "kill(child, 0) while it may still run");
    let waited = waitid(P_PID, pid, None, WEXITED | WNOWAIT); // a zombie now, not reaped
    tap.ok(
        waited == Ok(0) && kill(pid, 0) == Ok(0),
        "a zombie still exists: kill(zombie, 0) == 0",
    );
    tap.eq(
        kill(pid, SIGKILL),
        Ok(0),
        "SIGKILL to a zombie succeeds (and does nothing)",
    );
    tap.eq(
        reap(pid),
        Some(0),
        "the zombie's status is unchanged by the SIGKILL: exited 0",
    );
    tap.eq(
        kill(pid, 0),
        Err(Errno::ESRCH),
        "after wait4 the pid is gone: ESRCH",
    );

    // 8-10: bad arguments.
    tap.ok(
        kill(ulib::getpid(), 65) == Err(Errno::EINVAL)
            && kill(ulib::getpid(), -1) == Err(Errno::EINVAL),
        "kill with signal 65 or -1: EINVAL",
    );
    tap.eq(
        kill(i32::MAX, 0),
        Err(Errno::ESRCH),
        "kill(INT_MAX, 0): ESRCH",
    );
    tap.ok(
        tkill(0, 0) == Err(Errno::EINVAL)
            && tkill(-5, 0) == Err(Errno::EINVAL)
            && tgkill(0, ulib::gettid(), 0) == Err(Errno::EINVAL)
            && tgkill(ulib::getpid(), 0, 0) == Err(Errno::EINVAL),
        "tkill/tgkill with an id <= 0: EINVAL",
    );

    // 11-14: default actions.
    let pid = spawn(sleep_forever);
    let _ = ulib::time::sleep_ms(30);
    let _ = kill(pid, SIGKILL);
    killed_by(
        &mut tap,
        pid,
        SIGKILL,
        "SIGKILL to a child sleeping in nanosleep",
    );

    let pid = spawn(spin_forever);
    let _ = ulib::time::sleep_ms(30);
    let _ = kill(pid, SIGKILL);
    killed_by(
        &mut tap,
        pid,
        SIGKILL,
        "SIGKILL to a child spinning in user space",
    );

    let pid = spawn(sleep_forever);
    let _ = kill(pid, SIGTERM);
    killed_by(
        &mut tap,
        pid,
        SIGTERM,
        "SIGTERM's default action terminates",
    );

    let pid = spawn(spin_forever);
    let _ = kill(pid, SIGUSR1);
    killed_by(
        &mut tap,
        pid,
        SIGUSR1,
        "SIGUSR1's default action terminates",
    );

    // 15: SIGCHLD is ignored by default.
    let pid = spawn(|| {
        let _ = kill(ulib::getpid(), SIGCHLD);
        let _ = ulib::time::sleep_ms(10);
        9
    });
    tap.eq(
        reap(pid),
        Some(9 << 8),
        "SIGCHLD's default action is to ignore it: the child exits normally",
    );

    // 16-18: tkill and tgkill.
    let pid = spawn(sleep_forever);
    tap.eq(
        tkill(pid, SIGTERM),
        Ok(0),
        "tkill(child's tid, SIGTERM) == 0",
    );
    killed_by(&mut tap, pid, SIGTERM, "tkill's signal ends the child");
    let pid = spawn(spin_forever);
    tap.ok(
        tgkill(pid, ulib::getpid(), 0) == Err(Errno::ESRCH)
            && tgkill(pid, pid, 0) == Ok(0)
            && tgkill(pid, pid, SIGKILL) == Ok(0),
        "tgkill: ESRCH for a tid outside tgid, 0 for the right pair",
    );
    let _ = reap(pid);

    // 19-20: kill(-1, 0) finds someone else (a child at least); the child then ends.
    let pid = spawn(sleep_forever);
    tap.eq(kill(-1, 0), Ok(0), "kill(-1, 0) with a live child: 0");
    let _ = kill(pid, SIGKILL);
    killed_by(&mut tap, pid, SIGKILL, "and that child can be killed");
    tap.done()
}
