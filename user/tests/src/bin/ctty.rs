//! ctty: the controlling terminal (kernel/src/fs/tty_jobctrl.rs, Linux
//! `drivers/tty/tty_jobctrl.c`).
//!
//! Booted as init, this program leads session 1 and has no controlling terminal: the
//! console was opened for it, and opening the console never makes it one. So the
//! job-control requests say ENOTTY (a shell then runs without job control, as busybox's
//! ash does on Linux's console), until the session leader takes the console with
//! TIOCSCTTY. Then its children share the terminal, a non-leader cannot take it, a new
//! session has none and cannot take one already owned, and TIOCNOTTY gives it back.
//! Linnet only: under qemu-user the program's stdin is no terminal at all.
//! Syscalls used: ioctl (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID), setsid,
//! clone (as fork), wait4.

#![no_std]
#![no_main]

use ulib::fileops::ioctl_int;
use ulib::syscall::{nr, syscall3};
use ulib::{errno::check, process, Errno, SysResult, Tap};

const TIOCSCTTY: usize = ulib::uapi::ioctls::TIOCSCTTY as usize;
const TIOCGPGRP: usize = ulib::uapi::ioctls::TIOCGPGRP as usize;
const TIOCSPGRP: usize = ulib::uapi::ioctls::TIOCSPGRP as usize;
const TIOCNOTTY: usize = ulib::uapi::ioctls::TIOCNOTTY as usize;
const TIOCGSID: usize = ulib::uapi::ioctls::TIOCGSID as usize;

/// ioctl(0, req, value): the requests that take an int by value (TIOCSCTTY, TIOCNOTTY).
fn ioctl_val(req: usize, v: usize) -> SysResult {
    // SAFETY: these requests read no memory of ours.
    check(unsafe { syscall3(nr::__NR_ioctl, 0, req, v) })
}

fn get(req: usize) -> SysResult<i32> {
    let mut v = 0;
    ioctl_int(0, req, &mut v).map(|_| v)
}

fn set_pgrp(pg: i32) -> SysResult {
    let mut v = pg;
    ioctl_int(0, TIOCSPGRP, &mut v)
}

/// Run `f` in a child; its exit code (0 when every check in it held).
fn in_child(f: impl FnOnce() -> bool) -> bool {
    let pid = process::spawn(|| if f() { 0 } else { 1 });
    process::reap(pid).is_some_and(|st| process::wifexited(st) && process::wexitstatus(st) == 0)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(13);
    let me = process::getpid();
    tap.eq(
        get(TIOCGPGRP),
        Err(Errno::ENOTTY),
        "no controlling terminal: TIOCGPGRP is ENOTTY",
    );
    tap.eq(
        set_pgrp(me),
        Err(Errno::ENOTTY),
        "no controlling terminal: TIOCSPGRP is ENOTTY",
    );
    tap.eq(
        get(TIOCGSID),
        Err(Errno::ENOTTY),
        "no controlling terminal: TIOCGSID is ENOTTY",
    );
    tap.eq(
        in_child(|| ioctl_val(TIOCSCTTY, 0) == Err(Errno::EPERM)),
        true,
        "a process that does not lead its session cannot take the terminal (EPERM)",
    );
    tap.eq(
        ioctl_val(TIOCSCTTY, 0),
        Ok(0),
        "the session leader takes the console (TIOCSCTTY)",
    );
    tap.eq(
        get(TIOCGPGRP),
        Ok(me),
        "its process group is in the foreground",
    );
    tap.eq(
        get(TIOCGSID),
        Ok(process::getsid(0).unwrap_or(-1)),
        "TIOCGSID is its session",
    );
    tap.eq(
        in_child(|| get(TIOCGPGRP) == Ok(process::getppid())),
        true,
        "a child shares the controlling terminal",
    );
    tap.eq(
        in_child(|| {
            process::setsid().is_ok()
                && get(TIOCGPGRP) == Err(Errno::ENOTTY)
                && ioctl_val(TIOCSCTTY, 0) == Err(Errno::EPERM)
        }),
        true,
        "a new session has none, and cannot take one another session owns",
    );
    tap.eq(
        set_pgrp(-1),
        Err(Errno::EINVAL),
        "TIOCSPGRP of a negative group is EINVAL",
    );
    tap.eq(
        set_pgrp(0x7ffe),
        Err(Errno::ESRCH),
        "TIOCSPGRP of no such group is ESRCH",
    );
    tap.eq(
        ioctl_val(TIOCNOTTY, 0),
        Ok(0),
        "TIOCNOTTY gives the terminal up",
    );
    tap.eq(
        get(TIOCGPGRP),
        Err(Errno::ENOTTY),
        "after TIOCNOTTY: ENOTTY again",
    );
    tap.done()
}
