//! init: the first user program, PID 1 (Linux: the `init=` program `kernel_init` runs).
//!
//! The kernel (`kernel/src/init.rs`, `kernel_init`) starts it with fds 0, 1 and 2 on
//! /dev/console and the arguments that followed `--` on the kernel command line.
//!
//! 1. Start one child: `/bin/sh`, or the program named by init's own arguments
//!    (`init=/bin/init -- /tests/basics` runs /tests/basics). The shell gets a session of
//!    its own with the console as its controlling terminal, as a getty gives a login
//!    shell (`setsid` + TIOCSCTTY), so it has job control and Ctrl-C reaches its jobs;
//!    a program run for a test gets none, as under Linux's `rdinit=` on the console.
//! 2. Reap. Every process whose parent dies is handed to init (`forget_original_parent`
//!    in `kernel/src/task/exit.rs`), and its zombie stays until init waits for it, so
//!    init loops on `wait4(-1)` forever, as every Unix init does.
//! 3. When its own child ends, init exits: with 0 after the shell (the kernel then powers
//!    off), or with the child's status when it ran a program for a test, so QEMU's exit
//!    status is the test's verdict (128 + the signal if it was killed).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::ffi::CString;
use alloc::vec::Vec;
use binlib::{cstring, environ, spawn, Status};
use ulib::{eprintln, println, process, Errno};

#[no_mangle]
fn main() -> i32 {
    let mut argv: Vec<_> = ulib::args().skip(1).map(cstring).collect();
    let for_test = !argv.is_empty();
    if !for_test {
        argv.push(cstring(b"/bin/sh"));
    }
    let mut envp = environ();
    if binlib::getenv(b"PATH").is_none() {
        envp.push(cstring(b"PATH=/bin:/tests"));
    }
    let name = binlib::text(argv[0].as_bytes());
    let started = if for_test {
        spawn(&argv, &envp)
    } else {
        spawn_login(&argv, &envp)
    };
    let child = match started {
        Ok(pid) => pid,
        Err(e) => {
            eprintln!("init: cannot start {}: {}", name, e);
            return 1;
        }
    };
    loop {
        let mut status = 0;
        match process::wait4(-1, Some(&mut status), 0) {
            Ok(pid) if pid == child => {
                let status = Status(status);
                if for_test {
                    return status.code();
                }
                if status.code() != 0 {
                    println!("init: {} {}", name, status);
                }
                return 0;
            }
            // An orphan this init adopted: its zombie is gone now. (Silently, as on Linux.)
            Ok(_) => {}
            Err(Errno::EINTR) => {}
            Err(e) => {
                eprintln!("init: wait4: {}", e);
                return 1;
            }
        }
    }
}

/// Fork a child that starts a new session, takes the console as its controlling
/// terminal (`kernel/src/fs/tty_jobctrl.rs`), and runs `argv`; its pid.
fn spawn_login(argv: &[CString], envp: &[CString]) -> ulib::SysResult<i32> {
    let pid = process::fork()?;
    if pid == 0 {
        const TIOCSCTTY: usize = 0x540e;
        let _ = process::setsid();
        // SAFETY: TIOCSCTTY takes an integer argument (0: do not steal), no pointer.
        if let Err(e) = unsafe { ulib::tty::ioctl(0, TIOCSCTTY, 0) } {
            eprintln!("init: no controlling terminal for the shell: {}", e);
        }
        let path = binlib::getenv(b"PATH").unwrap_or(binlib::DEFAULT_PATH.as_bytes());
        let e = binlib::execvp(argv, envp, path);
        eprintln!("init: {}: {}", binlib::text(argv[0].as_bytes()), e.text());
        process::exit_group(127);
    }
    Ok(pid)
}
