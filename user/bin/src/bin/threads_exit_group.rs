//! threads_exit_group: `exit` ends one thread, `exit_group` ends the whole process.
//!
//! On Linux, C's `exit()` is the exit_group syscall (94) and `pthread_exit()` is exit (93).
//! exit_group (`do_group_exit`, `kernel/src/task/exit.rs`) records the status for the
//! group and sends SIGKILL to every other thread (`zap_other_threads`); the last thread
//! out releases the process, and the parent's wait4 sees the group's status.

#![no_std]
#![no_main]

extern crate binlib;

use ulib::process::{exit_group, getpid, gettid};
use ulib::time::sleep_ms;
use ulib::{eprintln, println, spawn_thread};

/// Each thread's stack (from mmap).
const STACK: usize = 64 * 1024;

fn quitter(_: usize) -> i32 {
    println!(
        "  thread A (tid {}): returning, i.e. exit(0): only this thread ends",
        gettid()
    );
    0
}

fn group_ender(_: usize) -> i32 {
    let _ = sleep_ms(150);
    println!(
        "  thread B (tid {}): calling exit_group(42): every thread ends",
        gettid()
    );
    exit_group(42)
}

#[no_mangle]
fn main() -> i32 {
    println!(
        "threads_exit_group: pid {}, main thread tid {}",
        getpid(),
        gettid()
    );
    let a = match ulib::map_anon(STACK).and_then(|s| spawn_thread(s, 0, quitter, 0)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("threads_exit_group: clone: {}", e);
            return 1;
        }
    };
    let code = a.join();
    println!(
        "  main (tid {}): joined thread A (it returned {}); I am still running",
        gettid(),
        code
    );
    if let Err(e) = ulib::map_anon(STACK).and_then(|s| spawn_thread(s, 0, group_ender, 0)) {
        eprintln!("threads_exit_group: clone: {}", e);
        return 1;
    }
    for i in 0..20 {
        println!("  main (tid {}): still running ({})", gettid(), i);
        let _ = sleep_ms(50);
    }
    println!("  main: thread B's exit_group did not end me: this is a bug");
    1
}
