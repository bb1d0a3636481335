//! reap_cycles: 1000 rounds of fork, exit, wait4 leave nothing behind.
//!
//! Every child exits with its own code and wait4 returns exactly that child and code.
//! Afterwards the free-frame count (sysinfo freeram) and the task count (sysinfo procs)
//! are what they were before: each zombie's kernel stack, page tables, address space and
//! pid were released (`release_task`, `finish_task_switch`, `exit_mm`). Those two exact
//! counts only hold on Linnet (Linux has other processes and caches), so on Linux they
//! are skipped. Syscalls used: clone (as fork), wait4, exit_group, sysinfo, uname.

#![no_std]
#![no_main]

use ulib::process::StatusText;
use ulib::Tap;

const CYCLES: i32 = 1000;

/// One fork+exit+wait4; Ok if the right child came back with the right status.
fn cycle(i: i32) -> Result<(), (i32, i32, i32)> {
    let pid = match ulib::fork() {
        Ok(0) => ulib::exit_group(i & 0xff),
        Ok(pid) => pid,
        Err(e) => return Err((-1, e.0, 0)),
    };
    let mut status = -1;
    match ulib::wait4(-1, Some(&mut status), 0) {
        Ok(p) if p == pid && status == (i & 0xff) << 8 => Ok(()),
        Ok(p) => Err((pid, p, status)),
        Err(e) => Err((pid, -e.0, status)),
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(3);
    let linnet = ulib::is_linnet();
    // One cycle first: anything allocated once, on first use, is allocated now.
    let _ = cycle(0);
    let before = ulib::sysinfo();
    let mut failure = None;
    for i in 1..=CYCLES {
        if let Err(e) = cycle(i) {
            failure = Some((i, e));
            break;
        }
    }
    let after = ulib::sysinfo();
    if !tap.ok(
        failure.is_none(),
        "1000 fork+exit+wait4 cycles: each child reaped with its own status",
    ) {
        if let Some((i, (pid, got, status))) = failure {
            tap.diag(format_args!(
                "  cycle {}: child {}, wait4 returned {}, {}",
                i,
                pid,
                got,
                StatusText(status)
            ));
        }
    }
    match (linnet, before, after) {
        (true, Ok(b), Ok(a)) => {
            tap.eq(
                a.freeram,
                b.freeram,
                "free frames (sysinfo freeram) unchanged",
            );
            tap.eq(a.procs, b.procs, "task count (sysinfo procs) unchanged");
        }
        (true, _, _) => {
            tap.ok(false, "sysinfo works");
            tap.ok(false, "sysinfo works");
        }
        _ => {
            tap.skip("free frames unchanged", "not Linnet");
            tap.skip("task count unchanged", "not Linnet");
        }
    }
    tap.done()
}
