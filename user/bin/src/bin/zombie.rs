//! zombie: a child that has exited stays a zombie (state Z) until its parent waits.
//!
//! At exit (`do_exit` -> `exit_notify`, `kernel/src/task/exit.rs`) a process frees its
//! memory and files but keeps its task struct and exit status, state EXIT_ZOMBIE, so the
//! parent can still collect the status. The parent's wait4 (`do_wait` ->
//! `wait_task_zombie`, `wait.rs`) hands over the status and releases it (`release_task`).
//! A zombie cannot be killed: it is already dead; only the parent's wait removes it.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use binlib::proc::ProcStat;
use binlib::{cstring, environ, spawn, wait_for, Status};
use ulib::process::{exit_group, fork, getpid};
use ulib::time::sleep_ms;
use ulib::{eprintln, println};

/// What /proc says about `pid`'s state.
fn state(pid: i32) -> alloc::string::String {
    match ProcStat::read(&format!("{}", pid)) {
        Ok(s) => format!("state {} ({})", s.state, s.comm),
        Err(e) => format!("no /proc/{} ({})", pid, e.text()),
    }
}

#[no_mangle]
fn main() -> i32 {
    let me = getpid();
    println!("zombie: an exited child stays a zombie (Z) until its parent waits for it.");
    let child = match fork() {
        Ok(0) => {
            println!("  child  {}: exiting with status 7", getpid());
            exit_group(7);
        }
        Ok(pid) => pid,
        Err(e) => {
            eprintln!("zombie: fork: {}", e);
            return 1;
        }
    };
    // Let the child run and exit: watch /proc until it is a zombie (or give it 200 ms).
    for _ in 0..100 {
        match ProcStat::read(&format!("{}", child)) {
            Ok(s) if s.state == 'Z' => break,
            Ok(_) => {
                let _ = sleep_ms(20);
            }
            Err(_) => {
                let _ = sleep_ms(200);
                break;
            }
        }
    }
    println!(
        "  parent {}: child {} has exited; I have not called wait4 yet",
        me, child
    );
    println!("  /proc/{}/stat: {}", child, state(child));
    println!(
        "  running /bin/ps {} {} (fork + execve, then wait4 for ps only):",
        me, child
    );
    let argv = [
        cstring(b"/bin/ps"),
        cstring(format!("{}", me).as_bytes()),
        cstring(format!("{}", child).as_bytes()),
    ];
    match spawn(&argv, &environ()).and_then(wait_for) {
        Ok(_) => {}
        Err(e) => eprintln!("zombie: /bin/ps: {}", e),
    }
    match wait_for(child) {
        Ok(s) => println!(
            "  parent {}: wait4({}) collected its status: {}; the zombie is released",
            me,
            child,
            Status(s)
        ),
        Err(e) => {
            eprintln!("zombie: wait4: {}", e);
            return 1;
        }
    }
    println!("  /proc/{}/stat now: {}", child, state(child));
    0
}
