//! rt_sigaction and rt_sigprocmask: dispositions and the blocked mask, stored and honoured.
//!
//! rt_sigaction reports the previous action in the kernel's arm64 layout (handler,
//! flags, restorer, mask) and refuses SIGKILL and SIGSTOP, signal 0 or 65 and a sigset
//! size other than 8. SIG_IGN makes a signal harmless, is inherited across fork and is
//! undone by SIG_DFL. rt_sigprocmask blocks, unblocks and sets the mask and returns the
//! old one; SIGKILL and SIGSTOP stay unblockable. A blocked signal stays pending
//! (rt_sigpending shows it) and acts as soon as it is unblocked; making it ignored while
//! pending discards it. SIGCHLD set to SIG_IGN (or SA_NOCLDWAIT) means children leave no
//! zombie: wait4 sleeps until all are gone, then fails with ECHILD. On Linnet this is
//! `do_sigaction`, `send_signal_locked`, `dequeue_signal` (kernel/src/task/signal.rs),
//! the syscalls in kernel/src/syscall/signal.rs and `do_notify_parent` (exit.rs).
//! Syscalls used: rt_sigaction, rt_sigprocmask, rt_sigpending, kill, clone (as fork),
//! wait4, nanosleep, clock_gettime, exit_group, getpid, uname.

#![no_std]
#![no_main]

use ulib::process::StatusText;
use ulib::process::{reap, spawn};
use ulib::signal::{
    kill, rt_sigaction, rt_sigpending, rt_sigprocmask, sigmask, KSigaction, SIGCHLD, SIGKILL,
    SIGTERM, SIGUSR1, SIGUSR2, SIG_BLOCK, SIG_DFL, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK,
};
use ulib::syscall::{nr, syscall4};
use ulib::{Errno, Tap};

const SIGSTOP: i32 = ulib::uapi::signal::SIGSTOP;
const SA_NOCLDWAIT: u64 = ulib::uapi::signal::SA_NOCLDWAIT;
const SA_RESTART: u64 = ulib::uapi::signal::SA_RESTART;
const SA_RESTORER: u64 = ulib::uapi::signal::SA_RESTORER;

/// rt_sigaction with only a handler and flags (mask empty).
fn set(sig: i32, handler: usize, flags: u64) -> Result<KSigaction, Errno> {
    let act = KSigaction {
        handler,
        flags,
        restorer: 0,
        mask: 0,
    };
    let mut old = KSigaction::default();
    // SAFETY: only SIG_DFL / SIG_IGN or handlers that are never invoked are installed.
    unsafe { rt_sigaction(sig, Some(&act), Some(&mut old)) }.map(|_| old)
}

fn get(sig: i32) -> Result<KSigaction, Errno> {
    let mut old = KSigaction::default();
    // SAFETY: nothing is installed.
    unsafe { rt_sigaction(sig, None, Some(&mut old)) }.map(|_| old)
}

fn mask() -> u64 {
    let mut old = 0;
    let _ = rt_sigprocmask(SIG_BLOCK, None, Some(&mut old));
    old
}

/// A handler that is installed (and reported back) but never invoked.
extern "C" fn never_called(_: i32) {}

/// The child's status described, for diagnostics.
fn check_status(tap: &mut Tap, got: Option<i32>, want: i32, what: &str) {
    if !tap.ok(got == Some(want), what) {
        match got {
            Some(s) => tap.diag(format_args!("  child {}", StatusText(s))),
            None => tap.diag("  wait4 failed"),
        }
    }
}

/// Fork three children that sleep 30 ms and exit, then wait4(-1): it must sleep until
/// they are all gone and fail with ECHILD. Exit 0 if so, 1 if wait4 reaped something,
/// 2 if it returned too early.
fn no_zombies() -> i32 {
    let start = ulib::clock_gettime(1).map_or(0, |t| t.as_ns());
    for _ in 0..3 {
        spawn(|| {
            let _ = ulib::time::sleep_ms(30);
            0
        });
    }
    let r = ulib::wait4(-1, None, 0);
    let elapsed_ms = (ulib::clock_gettime(1).map_or(0, |t| t.as_ns()) - start) / 1_000_000;
    match r {
        Err(Errno::ECHILD) if elapsed_ms >= 25 => 0,
        Err(Errno::ECHILD) => 2,
        _ => 1,
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(22);

    // 1-4: storing and reporting actions.
    tap.eq(
        get(SIGUSR1).map(|a| a.handler),
        Ok(SIG_DFL),
        "SIGUSR1 starts as SIG_DFL",
    );
    let act = KSigaction {
        handler: SIG_IGN,
        flags: SA_RESTART,
        restorer: 0,
        mask: sigmask(SIGUSR2) | sigmask(SIGTERM),
    };
    // SAFETY: SIG_IGN, no handler.
    let r = unsafe { rt_sigaction(SIGUSR1, Some(&act), None) };
    let back = get(SIGUSR1);
    tap.ok(
        r == Ok(0)
            && back
                .is_ok_and(|b| b.handler == SIG_IGN && b.flags == SA_RESTART && b.mask == act.mask),
        "rt_sigaction reports back handler SIG_IGN, flags and mask as set",
    );
    let handler = KSigaction {
        handler: never_called as *const () as usize,
        flags: SA_RESTORER,
        restorer: never_called as *const () as usize + 4,
        mask: sigmask(SIGUSR1),
    };
    let mut old = KSigaction::default();
    // SAFETY: the handler is never invoked: SIGUSR2 is not sent while it is installed.
    let r = unsafe { rt_sigaction(SIGUSR2, Some(&handler), Some(&mut old)) };
    let back = get(SIGUSR2);
    tap.ok(
        r == Ok(0)
            && old.handler == SIG_DFL
            && back.is_ok_and(|b| {
                b.handler == handler.handler
                    && b.restorer == handler.restorer
                    && b.flags == SA_RESTORER
                    && b.mask == handler.mask
            }),
        "a user handler is stored: handler, restorer, flags, mask reported back",
    );
    tap.eq(
        set(SIGUSR2, SIG_DFL, 0).map(|o| o.handler),
        Ok(never_called as *const () as usize),
        "setting SIG_DFL again returns the handler as the old action",
    );

    // 5-7: what rt_sigaction refuses.
    tap.ok(
        set(SIGKILL, SIG_IGN, 0) == Err(Errno::EINVAL)
            && set(SIGSTOP, SIG_DFL, 0) == Err(Errno::EINVAL),
        "changing SIGKILL or SIGSTOP: EINVAL",
    );
    tap.ok(
        get(SIGKILL).is_ok_and(|a| a.handler == SIG_DFL),
        "reading SIGKILL's action is allowed (SIG_DFL)",
    );
    let act = KSigaction::default();
    // SAFETY: act is a valid sigaction (SIG_DFL); the kernel must reject the size first.
    let bad_size = unsafe {
        syscall4(
            nr::__NR_rt_sigaction,
            SIGUSR1 as usize,
            &act as *const KSigaction as usize,
            0,
            16,
        )
    };
    tap.ok(
        get(0) == Err(Errno::EINVAL) && get(65) == Err(Errno::EINVAL) && bad_size == -22,
        "signal 0 or 65, or sigsetsize 16: EINVAL",
    );

    // 8-10: SIG_IGN is honoured, inherited, and undone by SIG_DFL.
    let pid = spawn(|| {
        let _ = set(SIGTERM, SIG_IGN, 0);
        let _ = kill(ulib::getpid(), SIGTERM);
        let _ = ulib::time::sleep_ms(10);
        0
    });
    check_status(
        &mut tap,
        reap(pid),
        0,
        "a child ignoring SIGTERM survives kill(self, SIGTERM)",
    );
    let _ = set(SIGUSR1, SIG_IGN, 0);
    let pid = spawn(|| {
        let _ = kill(ulib::getpid(), SIGUSR1);
        4
    });
    check_status(
        &mut tap,
        reap(pid),
        4 << 8,
        "SIG_IGN is inherited across fork",
    );
    let _ = set(SIGUSR1, SIG_DFL, 0);
    let pid = spawn(|| {
        let _ = set(SIGTERM, SIG_IGN, 0);
        let _ = set(SIGTERM, SIG_DFL, 0);
        let _ = kill(ulib::getpid(), SIGTERM);
        let _ = ulib::time::sleep_ms(10);
        0
    });
    check_status(
        &mut tap,
        reap(pid),
        SIGTERM,
        "back to SIG_DFL, SIGTERM kills again",
    );

    // 11-15: the blocked mask.
    let mut old = 0;
    let a = rt_sigprocmask(SIG_SETMASK, Some(&sigmask(SIGUSR1)), None);
    let b = rt_sigprocmask(SIG_BLOCK, Some(&sigmask(SIGUSR2)), Some(&mut old));
    tap.ok(
        a == Ok(0) && b == Ok(0) && old == sigmask(SIGUSR1),
        "SIG_SETMASK then SIG_BLOCK: the old mask is returned",
    );
    tap.eq(
        mask(),
        sigmask(SIGUSR1) | sigmask(SIGUSR2),
        "SIG_BLOCK adds to the mask",
    );
    let _ = rt_sigprocmask(SIG_UNBLOCK, Some(&sigmask(SIGUSR1)), None);
    tap.eq(mask(), sigmask(SIGUSR2), "SIG_UNBLOCK removes from it");
    let _ = rt_sigprocmask(SIG_SETMASK, Some(&!0u64), None);
    let m = mask();
    let _ = rt_sigprocmask(SIG_SETMASK, Some(&0), None);
    tap.ok(
        m & sigmask(SIGKILL) == 0 && m & sigmask(SIGSTOP) == 0 && m & sigmask(SIGTERM) != 0,
        "blocking everything leaves SIGKILL and SIGSTOP unblocked",
    );
    // SAFETY: no memory is passed; the kernel must reject how and size first.
    let bad_how = unsafe {
        syscall4(
            nr::__NR_rt_sigprocmask,
            7,
            &0u64 as *const u64 as usize,
            0,
            8,
        )
    };
    // SAFETY: as above.
    let bad_size = unsafe {
        syscall4(
            nr::__NR_rt_sigprocmask,
            0,
            &0u64 as *const u64 as usize,
            0,
            4,
        )
    };
    tap.ok(
        bad_how == -22 && bad_size == -22 && mask() == 0,
        "rt_sigprocmask with how 7 or sigsetsize 4: EINVAL, mask unchanged",
    );

    // 16-18: blocked signals stay pending.
    let pid = spawn(|| {
        let _ = rt_sigprocmask(SIG_BLOCK, Some(&sigmask(SIGUSR1)), None);
        let _ = kill(ulib::getpid(), SIGUSR1);
        if rt_sigpending().map_or(0, |p| p & sigmask(SIGUSR1)) == 0 {
            return 2; // not pending
        }
        let _ = rt_sigprocmask(SIG_UNBLOCK, Some(&sigmask(SIGUSR1)), None);
        3 // the signal should have ended us before this
    });
    check_status(
        &mut tap,
        reap(pid),
        SIGUSR1,
        "a blocked SIGUSR1 stays pending, and kills when unblocked",
    );
    let pid = spawn(|| {
        let _ = rt_sigprocmask(SIG_BLOCK, Some(&sigmask(SIGUSR1)), None);
        let _ = kill(ulib::getpid(), SIGUSR1);
        let _ = set(SIGUSR1, SIG_IGN, 0);
        let pending = rt_sigpending().map_or(1, |p| p & sigmask(SIGUSR1));
        let _ = set(SIGUSR1, SIG_DFL, 0);
        let _ = rt_sigprocmask(SIG_UNBLOCK, Some(&sigmask(SIGUSR1)), None);
        if pending != 0 {
            2
        } else {
            0
        }
    });
    check_status(
        &mut tap,
        reap(pid),
        0,
        "ignoring a pending blocked signal discards it",
    );
    let pid = spawn(|| {
        let _ = rt_sigprocmask(SIG_SETMASK, Some(&!0u64), None);
        let _ = kill(ulib::getpid(), SIGKILL);
        let _ = ulib::time::sleep_ms(10);
        0
    });
    check_status(&mut tap, reap(pid), SIGKILL, "SIGKILL cannot be blocked");

    // 19: SIGCHLD to SIG_IGN: children are reaped by the kernel.
    let pid = spawn(|| {
        let _ = set(SIGCHLD, SIG_IGN, 0);
        no_zombies()
    });
    check_status(
        &mut tap,
        reap(pid),
        0,
        "SIGCHLD SIG_IGN: no zombies; wait4 blocks until all are gone, then ECHILD",
    );
    // 20: SA_NOCLDWAIT. qemu-user does not hand this flag to the host kernel.
    if ulib::is_linnet() {
        let pid = spawn(|| {
            let _ = set(SIGCHLD, SIG_DFL, SA_NOCLDWAIT);
            no_zombies()
        });
        check_status(
            &mut tap,
            reap(pid),
            0,
            "SA_NOCLDWAIT: no zombies; wait4 blocks until all are gone, then ECHILD",
        );
    } else {
        tap.skip(
            "SA_NOCLDWAIT: no zombies",
            "qemu-user does not pass SA_NOCLDWAIT on",
        );
    }
    // 21-22: the parent's own SIGCHLD (default: ignore) did not disturb it; nothing left.
    tap.eq(
        get(SIGCHLD).map(|a| a.handler),
        Ok(SIG_DFL),
        "our SIGCHLD is still SIG_DFL",
    );
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "every child was reaped",
    );
    tap.done()
}
