//! wait4: the status word, WNOHANG, ECHILD, choosing a child, rusage, many children.
//!
//! Each exit code a child passes to exit_group must come back as `(code & 0xff) << 8`
//! (so 256 reads as 0 and 0x1234 as 0x34); exit (93) of a process's only thread is the
//! same. WNOHANG returns 0 while the child runs, leaving `*wstatus` alone, and the pid
//! once it has exited. ECHILD comes back when nothing matches: no children at all, a
//! thread's tid, our own pid, a child already reaped. Waiting for one pid returns that
//! child even when another exited first, and the other is still there afterwards. A
//! NULL wstatus is allowed; rusage reports the CPU time a busy child used. Finally 50
//! children run at once and each is reaped exactly once with its own status. On Linnet
//! this is `do_wait`, `wait_task_zombie` and `release_task` (kernel/src/task/wait.rs,
//! exit.rs). Syscalls used: clone (as fork), wait4, exit_group, exit, pipe2, read,
//! write, close, nanosleep, clock_gettime, mmap, futex.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
use ulib::process::{reap, spawn};
use ulib::process::{wait4_rusage, Rusage, StatusText, WNOHANG};
use ulib::{Errno, Tap};

fn read_byte(fd: i32) -> Option<u8> {
    let mut b = [0u8; 1];
    matches!(ulib::read(fd, &mut b), Ok(1)).then_some(b[0])
}

/// Spin in user space for `ms` milliseconds of wall time.
/// Spin until this process has used `ms` of CPU time (CLOCK_PROCESS_CPUTIME_ID), so a
/// loaded host that gives it less of the CPU does not shorten it; 20 s of wall time at
/// most (CLOCK_MONOTONIC), in case the CPU clock does not advance.
fn busy_ms(ms: u64) {
    let now = |clock| ulib::clock_gettime(clock).map_or(i128::MAX, |t| t.as_ns());
    let (cpu0, wall0) = (now(2), now(1));
    while now(2) - cpu0 < ms as i128 * 1_000_000 && now(1) - wall0 < 20_000_000_000 {
        core::hint::spin_loop();
    }
}

static THREAD_GO: AtomicU32 = AtomicU32::new(0);

fn sleeper(_: usize) -> i32 {
    while THREAD_GO.load(SeqCst) == 0 {
        let _ = ulib::thread::futex_wait(&THREAD_GO, 0);
    }
    0
}

const CHILDREN: usize = 50;

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(19);

    // 1-5: the status word for exit_group(code).
    for code in [0, 1, 255, 256, 0x1234] {
        let pid = spawn(|| code);
        let want = (code & 0xff) << 8;
        let got = reap(pid);
        if !tap.ok(
            got == Some(want),
            format_args!("exit_group({:#x}) gives status {:#06x}", code, want),
        ) {
            match got {
                Some(s) => tap.diag(format_args!("  child {}", StatusText(s))),
                None => tap.diag("  wait4 failed"),
            }
        }
    }

    // 6: exit (93) by a process's only thread ends the process with that code.
    let pid = match ulib::fork() {
        Ok(0) => ulib::exit(7),
        Ok(p) => p,
        Err(_) => -1,
    };
    tap.eq(
        reap(pid),
        Some(7 << 8),
        "exit(7) of the only thread gives status 0x0700",
    );

    // 7-8: WNOHANG before and after the child exits.
    let pipe = ulib::fs::pipe2(0).unwrap_or([-1, -1]);
    let pid = spawn(|| {
        let _ = ulib::close(pipe[1]);
        read_byte(pipe[0]).map_or(1, |_| 3)
    });
    let _ = ulib::close(pipe[0]);
    let mut status = 0x5555;
    let r = ulib::wait4(pid, Some(&mut status), WNOHANG);
    tap.ok(
        r == Ok(0) && status == 0x5555,
        "WNOHANG while the child runs: returns 0, *wstatus untouched",
    );
    if r != Ok(0) || status != 0x5555 {
        tap.diag(format_args!("  got {:?}, status {:#x}", r, status));
    }
    let _ = ulib::write(pipe[1], b"x");
    let _ = ulib::close(pipe[1]);
    let mut got = Ok(0);
    for _ in 0..500 {
        got = ulib::wait4(pid, Some(&mut status), WNOHANG);
        if got != Ok(0) {
            break;
        }
        let _ = ulib::time::sleep_ms(10);
    }
    tap.ok(
        got == Ok(pid) && status == 3 << 8,
        "WNOHANG after the child exits: returns its pid and status 0x0300",
    );

    // 9-13: ECHILD whenever nothing matches.
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "wait4(-1) with no children: ECHILD",
    );
    tap.eq(
        ulib::wait4(-1, None, WNOHANG),
        Err(Errno::ECHILD),
        "wait4(-1, WNOHANG) with no children: ECHILD, not 0",
    );
    tap.eq(
        ulib::wait4(pid, None, 0),
        Err(Errno::ECHILD),
        "wait4 for a child already reaped: ECHILD",
    );
    tap.eq(
        ulib::wait4(ulib::getpid(), None, WNOHANG),
        Err(Errno::ECHILD),
        "wait4 for our own pid: ECHILD",
    );
    let thread = ulib::map_anon(64 * 1024).and_then(|s| ulib::spawn_thread(s, 0, sleeper, 0));
    match thread {
        Ok(t) => {
            let r = ulib::wait4(t.tid(), None, WNOHANG);
            THREAD_GO.store(1, SeqCst);
            let _ = ulib::thread::futex_wake(&THREAD_GO, 1);
            t.join();
            tap.eq(r, Err(Errno::ECHILD), "wait4 for a thread's tid: ECHILD");
        }
        Err(e) => {
            tap.ok(false, "wait4 for a thread's tid: ECHILD");
            tap.diag(format_args!("  spawn_thread: {:?}", e));
        }
    }

    // 14-15: waiting for one pid while another child has already exited.
    let first = spawn(|| 11);
    let second = spawn(|| {
        let _ = ulib::time::sleep_ms(50);
        22
    });
    let _ = ulib::time::sleep_ms(20); // `first` is a zombie by now
    tap.eq(
        reap(second),
        Some(22 << 8),
        "wait4(pid) returns that child although another exited first",
    );
    let mut status = 0;
    let r = ulib::wait4(-1, Some(&mut status), 0);
    tap.ok(
        r == Ok(first) && status == 11 << 8,
        "the child that exited first is still waiting, with its own status",
    );

    // 16: a NULL wstatus.
    let pid = spawn(|| 5);
    tap.eq(
        ulib::wait4(pid, None, 0),
        Ok(pid),
        "a NULL wstatus is allowed",
    );

    // 17: rusage shows the CPU time a busy child used.
    let pid = spawn(|| {
        busy_ms(300);
        0
    });
    let mut ru = Rusage::default();
    let r = wait4_rusage(pid, None, 0, Some(&mut ru));
    let us = |t: [i64; 2]| t[0] * 1_000_000 + t[1];
    let cpu = us(ru.ru_utime) + us(ru.ru_stime);
    if !tap.ok(
        r == Ok(pid) && (100_000..5_000_000).contains(&cpu),
        "rusage: a child busy for 300 ms reports 0.1 s to 5 s of CPU time",
    ) {
        tap.diag(format_args!(
            "  wait4 {:?}, utime {:?}, stime {:?}",
            r, ru.ru_utime, ru.ru_stime
        ));
    }

    // 18-19: 50 children at once, each reaped once with its own status.
    let mut pids = [0i32; CHILDREN];
    for (i, p) in pids.iter_mut().enumerate() {
        *p = spawn(|| {
            let _ = ulib::time::sleep_ms(20 + (i as u64 % 7) * 5);
            (i + 1) as i32
        });
    }
    let mut seen = [false; CHILDREN];
    let mut bad = 0;
    for _ in 0..CHILDREN {
        let mut status = 0;
        match ulib::wait4(-1, Some(&mut status), 0) {
            Ok(p) => match pids.iter().position(|&q| q == p) {
                Some(i) if !seen[i] && status == ((i + 1) as i32) << 8 => seen[i] = true,
                _ => bad += 1,
            },
            Err(_) => bad += 1,
        }
    }
    tap.ok(
        bad == 0 && seen.iter().all(|&s| s) && pids.iter().all(|&p| p > 0),
        "50 concurrent children: each reaped exactly once, with its own status",
    );
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "after 50 reaps no child is left: ECHILD",
    );
    tap.done()
}
