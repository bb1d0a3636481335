//! orphan: when a parent exits before its child, the child is handed to init (pid 1).
//!
//! `exit_notify` -> `forget_original_parent` (Linux `kernel/exit.c`; Linnet
//! `kernel/src/task/exit.rs`) gives the dying process's children to the "child reaper",
//! init, whose `wait4(-1)` loop (`bin/init.rs`) collects them when they exit, so they do
//! not stay zombies forever. The child sees it as getppid() turning into 1.
//!
//! Three processes: this program (P) forks a middle process (M), which forks the child
//! (C) and exits at once. C is then an orphan. P waits for M, and reads a pipe whose
//! write end only C holds: C's pid, then end of file when C exits. P then watches
//! /proc/C disappear: init has reaped it.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use binlib::read_file;
use ulib::fs::pipe2;
use ulib::io::{close, read, write};
use ulib::process::{exit_group, fork, getpid, getppid, wait4};
use ulib::time::sleep_ms;
use ulib::{eprintln, println, Errno};

/// The child: report the parent before and after it is gone.
fn child(me: i32, wr: i32) -> ! {
    let _ = write(wr, &me.to_le_bytes()); // tell P who the orphan is
    let first = getppid();
    println!("  child  {}: my parent is {}", me, first);
    for _ in 0..500 {
        if getppid() != first {
            break;
        }
        let _ = sleep_ms(10);
    }
    let now = getppid();
    let who = if now == 1 {
        "init: it will reap me when I exit"
    } else {
        "not 1: a \"subreaper\" (e.g. systemd --user or a container's init) adopted me"
    };
    println!(
        "  child  {}: my parent has exited; getppid() = {} ({})",
        me, now, who
    );
    exit_group(0)
}

#[no_mangle]
fn main() -> i32 {
    println!("orphan: a child whose parent exits is reparented to init (pid 1).");
    let Ok([rd, wr]) = pipe2(0) else {
        eprintln!("orphan: pipe2 failed");
        return 1;
    };
    let middle = match fork() {
        Ok(0) => {
            let _ = close(rd);
            match fork() {
                Ok(0) => child(getpid(), wr),
                Ok(c) => {
                    let _ = close(wr);
                    let _ = sleep_ms(100);
                    println!(
                        "  parent {}: exiting without waiting for child {}",
                        getpid(),
                        c
                    );
                    exit_group(0)
                }
                Err(e) => {
                    eprintln!("orphan: fork: {}", e);
                    exit_group(1)
                }
            }
        }
        Ok(pid) => pid,
        Err(e) => {
            eprintln!("orphan: fork: {}", e);
            return 1;
        }
    };
    let _ = close(wr);
    let _ = wait4(middle, None, 0);
    // End of file: the orphan has exited (its write end closed with it).
    let mut b = [0u8; 4];
    let mut orphan = 0;
    while let Ok(4) = read(rd, &mut b) {
        orphan = i32::from_le_bytes(b);
    }
    println!("  the orphan has exited; its new parent, init, reaps it (wait4(-1) in init):");
    // Its /proc entry goes when the zombie is released.
    let path = format!("/proc/{}/stat", orphan);
    for _ in 0..200 {
        if matches!(read_file(path.as_bytes()), Err(Errno::ENOENT)) {
            println!("  /proc/{} is gone: no zombie is left behind.", orphan);
            return 0;
        }
        let _ = sleep_ms(10);
    }
    println!(
        "  /proc/{} is still there: nobody reaped the orphan?",
        orphan
    );
    1
}
