//! init: the first user program, PID 1 (Linux: the `init=` program `kernel_init` runs).
//!
//! The kernel (`kernel/src/init.rs`, `kernel_init`) starts it with fds 0, 1 and 2 on
//! /dev/console and the arguments that followed `--` on the kernel command line.
//!
//! With no arguments init is a tiny getty + init, as BusyBox's init with one `respawn`
//! line in `/etc/inittab`:
//!
//! 1. Start `/bin/sh` in a session of its own with the console as its controlling
//!    terminal (`setsid` + TIOCSCTTY, as a getty gives a login shell), so it has job
//!    control and Ctrl-C reaches its jobs.
//! 2. Reap. Every process whose parent dies is handed to init (`forget_original_parent`
//!    in `kernel/src/task/exit.rs`), and its zombie stays until init waits for it.
//! 3. When the shell ends (`exit`, Ctrl-D, `kill -9`), start a new one, as init respawns a
//!    getty after a logout. A shell that cannot start, or dies 10 times within a
//!    minute, is not restarted (sysvinit's "respawning too fast"): init powers off.
//! 4. SIGUSR2, which `poweroff` sends (BusyBox's convention), powers the machine off:
//!    `reboot(LINUX_REBOOT_CMD_POWER_OFF)`, which only init may call on Linnet.
//!
//! init waits for signals with SIGCHLD and SIGUSR2 blocked, taking them one at a time
//! with `rt_sigtimedwait` (as tini and systemd do), so none can slip in between a check
//! and the wait. The blocked mask is inherited across fork and execve, so the shell's
//! child unblocks them before it runs the shell.
//!
//! With arguments (`init=/bin/init -- /tests/basics`), init runs that program once with no
//! terminal (as under Linux's `rdinit=`), and exits with its status (128 + the signal if
//! it was killed): QEMU's exit status is then the test's verdict.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::ffi::CString;
use alloc::vec::Vec;
use binlib::{cstring, environ, spawn, Status};
use ulib::signal::{rt_sigprocmask, sigmask, SIGCHLD, SIGUSR2, SIG_BLOCK, SIG_SETMASK};
use ulib::time::{clock_gettime, CLOCK_MONOTONIC};
use ulib::wait::rt_sigtimedwait;
use ulib::{eprintln, println, process, Errno};

/// More respawns than this within [`RESPAWN_WINDOW_NS`] and init gives up.
const RESPAWN_MAX: usize = 10;
const RESPAWN_WINDOW_NS: i128 = 60_000_000_000;

#[no_mangle]
fn main() -> i32 {
    let argv: Vec<_> = ulib::args().skip(1).map(cstring).collect();
    let mut envp = environ();
    if binlib::getenv(b"PATH").is_none() {
        envp.push(cstring(b"PATH=/bin:/tests"));
    }
    if argv.is_empty() {
        login_loop(&[cstring(b"/bin/sh")], &envp)
    } else {
        run_once(&argv, &envp)
    }
}

/// Run a test program once and return its status as init's exit code.
fn run_once(argv: &[CString], envp: &[CString]) -> i32 {
    let child = match spawn(argv, envp) {
        Ok(pid) => pid,
        Err(e) => {
            eprintln!(
                "init: cannot start {}: {}",
                binlib::text(argv[0].as_bytes()),
                e
            );
            return 1;
        }
    };
    loop {
        let mut status = 0;
        match process::wait4(-1, Some(&mut status), 0) {
            Ok(pid) if pid == child => return Status(status).code(),
            Ok(_) | Err(Errno::EINTR) => {} // an adopted orphan, reaped silently
            Err(e) => {
                eprintln!("init: wait4: {}", e);
                return 1;
            }
        }
    }
}

fn now_ns() -> i128 {
    clock_gettime(CLOCK_MONOTONIC).map_or(0, |t| t.as_ns())
}

/// Keep a shell running on the console until `poweroff` (SIGUSR2): BusyBox init's main
/// loop (`init.c`: `run_actions(RESPAWN)`, then reap) with its signals taken synchronously.
fn login_loop(argv: &[CString], envp: &[CString]) -> i32 {
    let name = binlib::text(argv[0].as_bytes());
    let waited = sigmask(SIGCHLD) | sigmask(SIGUSR2);
    let mut old_mask = 0u64;
    if let Err(e) = rt_sigprocmask(SIG_BLOCK, Some(&waited), Some(&mut old_mask)) {
        eprintln!("init: sigprocmask: {}", e);
        return 1;
    }
    let mut starts: Vec<i128> = Vec::new(); // when each shell started, the last few
    let mut child = spawn_login(argv, envp, old_mask);
    loop {
        match rt_sigtimedwait(waited, None, None) {
            Ok(sig) if sig as i32 == SIGUSR2 => power_off(),
            Ok(_) => {}
            Err(Errno::EINTR) => continue,
            Err(e) => {
                eprintln!("init: rt_sigtimedwait: {}", e);
                return 1;
            }
        }
        // SIGCHLD: reap every child that has ended (orphans silently, as on Linux).
        loop {
            let mut status = 0;
            match process::wait4(-1, Some(&mut status), process::WNOHANG) {
                Ok(0) | Err(_) => break,
                Ok(pid) if Ok(pid) == child => {
                    let s = Status(status);
                    if s.code() != 0 {
                        println!("init: {} (pid {}) {}", name, pid, s);
                    }
                    if matches!(s.code(), 126 | 127) {
                        println!("init: {} cannot run; powering off", name);
                        power_off();
                    }
                    let now = now_ns();
                    starts.retain(|&t| now - t < RESPAWN_WINDOW_NS);
                    if starts.len() >= RESPAWN_MAX {
                        println!("init: {} respawning too fast; powering off", name);
                        power_off();
                    }
                    starts.push(now);
                    child = spawn_login(argv, envp, old_mask);
                }
                Ok(_) => {}
            }
        }
    }
}

/// reboot(LINUX_REBOOT_CMD_POWER_OFF) (BusyBox init's `halt_reboot_pwoff`, without
/// first signalling every process); the kernel prints "reboot: Power down".
fn power_off() -> ! {
    let e = ulib::info::reboot(ulib::info::REBOOT_POWER_OFF);
    eprintln!("init: reboot: {:?}", e);
    process::exit_group(1)
}

/// Fork a child that starts a new session, takes the console as its controlling
/// terminal (`kernel/src/fs/tty_jobctrl.rs`), restores the signal mask init started
/// with, and runs `argv`; its pid.
fn spawn_login(argv: &[CString], envp: &[CString], mask: u64) -> ulib::SysResult<i32> {
    let pid = process::fork();
    if pid == Ok(0) {
        use ulib::tty::TIOCSCTTY;
        let _ = process::setsid();
        // SAFETY: TIOCSCTTY takes an integer argument (0: do not steal), no pointer.
        if let Err(e) = unsafe { ulib::tty::ioctl(0, TIOCSCTTY, 0) } {
            eprintln!("init: no controlling terminal for the shell: {}", e);
        }
        let _ = rt_sigprocmask(SIG_SETMASK, Some(&mask), None);
        let path = binlib::getenv(b"PATH").unwrap_or(binlib::DEFAULT_PATH.as_bytes());
        let e = binlib::execvp(argv, envp, path);
        eprintln!("init: {}: {}", binlib::text(argv[0].as_bytes()), e.text());
        process::exit_group(127);
    }
    if let Err(e) = pid {
        eprintln!("init: fork: {}", e);
    }
    pid
}
