//! init_signals: init cannot be killed from user space, and a CLONE_PARENT child's exit
//! does not hand init a foreign signal (issue 11, bugs 3 and 4).
//!
//! On Linnet this program runs as init (pid 1). Linux drops every signal to init whose
//! action is the default, unless init installed a handler, and SIGKILL and SIGSTOP
//! always (`SIGNAL_UNKILLABLE`, `sig_task_ignored` and `get_signal` in kernel/signal.c;
//! Linnet: kernel/src/task/init_unkillable.rs). Before the fix, a child's
//! `kill(1, SIGTERM)` powered the machine off. And `clone(CLONE_PARENT | SIGXFSZ)` from a
//! child of init made init the new child's parent with SIGXFSZ as its exit signal, so
//! init died of SIGXFSZ when it exited; Linux's `copy_process` gives a CLONE_PARENT child
//! the caller's own exit signal (SIGCHLD here), and a plain wait4 reaps it.
//! Under qemu-user this program is not pid 1 (and must not signal the host's init): the
//! init checks say `# SKIP` there; qemu-user also refuses CLONE_PARENT (EINVAL).
//! Syscalls used: kill, rt_sigaction, rt_sigprocmask, rt_sigpending, clone, wait4,
//! getpid, exit_group.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};
use ulib::process::{reap, spawn};
use ulib::signal::*;
use ulib::{Errno, Tap};

const SIGXFSZ: usize = ulib::uapi::signal::SIGXFSZ as usize;
const CLONE_PARENT: usize = ulib::uapi::sched::CLONE_PARENT as usize;
const KIDS: u32 = 50;

static USR1: AtomicU32 = AtomicU32::new(0);

extern "C" fn on_usr1(_: i32) {
    USR1.fetch_add(1, Ordering::SeqCst);
}

/// A child sends `sig` to pid 1; its exit status is 0 if kill succeeded.
fn child_kills_init(sig: i32) -> bool {
    let pid = spawn(move || kill(1, sig).map_or(1, |_| 0));
    reap(pid).is_some_and(|s| ulib::wifexited(s) && ulib::wexitstatus(s) == 0)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(7);
    let init = ulib::getpid() == 1;
    let names = [
        "kill(1, SIGTERM) from a child succeeds and init lives on",
        "kill(1, SIGKILL) from a child succeeds and init lives on",
        "kill(1, SIGSTOP) from a child succeeds and init lives on",
        "a SIGTERM init blocks, then unblocks with the default action, is dropped",
        "a signal init has a handler for is delivered",
        "clone(CLONE_PARENT) by init itself is EINVAL",
    ];
    if init {
        tap.ok(child_kills_init(SIGTERM), names[0]);
        tap.ok(child_kills_init(SIGKILL), names[1]);
        tap.ok(child_kills_init(19), names[2]);
        let set = 1u64 << (SIGTERM - 1);
        let _ = rt_sigprocmask(SIG_BLOCK, Some(&set), None);
        let sent = child_kills_init(SIGTERM);
        let queued = rt_sigpending().is_ok_and(|p| p & set != 0);
        let _ = rt_sigprocmask(SIG_UNBLOCK, Some(&set), None);
        let gone = rt_sigpending().is_ok_and(|p| p & set == 0);
        tap.ok(sent && queued && gone, names[3]);
        let _ = sigaction(SIGUSR1, on_usr1, SA_RESTART, 0);
        let sent = child_kills_init(SIGUSR1);
        tap.ok(sent && USR1.load(Ordering::SeqCst) == 1, names[4]);
        // SAFETY: no new stack, no tid pointers; the call fails before any child exists.
        let r = unsafe {
            ulib::process::clone(
                CLONE_PARENT | 17,
                0,
                core::ptr::null_mut(),
                0,
                core::ptr::null_mut(),
            )
        };
        if r.is_ok_and(|p| p == 0) {
            ulib::exit_group(0); // a child, if the kernel wrongly made one
        }
        tap.eq(r.err(), Some(Errno::EINVAL), names[5]);
    } else {
        for name in names {
            tap.skip(
                name,
                "not pid 1 (qemu-user): the host's init is not ours to signal",
            );
        }
    }

    // A child of ours makes KIDS siblings with exit signal SIGXFSZ, then exits; we reap
    // them all with a plain wait4(-1) (only SIGCHLD children qualify without __WALL).
    let name = "CLONE_PARENT|SIGXFSZ children of a child: the caller's parent reaps all";
    let child = spawn(|| {
        for _ in 0..KIDS {
            // SAFETY: no new stack (the child continues on its copy of ours, as after
            // fork) and no tid pointers.
            let r = unsafe {
                ulib::process::clone(
                    CLONE_PARENT | SIGXFSZ,
                    0,
                    core::ptr::null_mut(),
                    0,
                    core::ptr::null_mut(),
                )
            };
            match r {
                Ok(0) => ulib::exit_group(0),
                Ok(_) => {}
                Err(Errno::EINVAL) => return 3, // qemu-user: CLONE_PARENT unsupported
                Err(_) => return 2,
            }
        }
        0
    });
    let mut reaped = 0;
    let mut child_status = -1;
    loop {
        let mut st = 0;
        match ulib::wait4(-1, Some(&mut st), 0) {
            Ok(p) if p == child => child_status = st,
            Ok(_) => reaped += 1,
            Err(_) => break,
        }
    }
    if !ulib::is_linnet() && ulib::wifexited(child_status) && ulib::wexitstatus(child_status) == 3 {
        tap.skip(name, "qemu-user refuses CLONE_PARENT (EINVAL)");
    } else if !tap.ok(child_status == 0 && reaped == KIDS, name) {
        tap.diag(format_args!(
            "  child status {:#x}, reaped {} of {}",
            child_status, reaped, KIDS
        ));
    }
    tap.done()
}
