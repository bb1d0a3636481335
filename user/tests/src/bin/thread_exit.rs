//! thread_exit: exit versus exit_group in a multi-threaded process, signals to threads,
//! and execve from a process with several threads.
//!
//! exit_group from a second thread ends a main thread that spins in user space; exit
//! (93) ends only the calling thread and the others keep running; when the main thread
//! exits first, the process lives on (wait4 WNOHANG still says 0) and its parent hears
//! only when the last thread ends, with that thread's exit_group code (or, with plain
//! exits, the main thread's own code, as Linux reports a "delayed group leader"). A
//! fatal signal to one thread (tkill) or to a process whose main thread blocks it ends
//! the whole process. execve from a thread ends the other threads first (`de_thread`),
//! and a non-leader caller takes over the process's pid. On Linnet this is
//! `do_group_exit`, `zap_other_threads`, `do_exit`, `exit_notify`, `take_over_leader`
//! (kernel/src/task/exit.rs) and `de_thread` (kernel/src/exec/mod.rs).
//! Syscalls used: clone, exit, exit_group, futex, set_tid_address, wait4, kill, tkill,
//! tgkill, rt_sigprocmask, pipe2, read, write, execve, mmap, nanosleep, getpid, gettid.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering::SeqCst};
use ulib::process::{reap, spawn};
use ulib::process::{StatusText, WNOHANG};
use ulib::signal::{kill, rt_sigprocmask, sigmask, tgkill, tkill, SIGKILL, SIGTERM, SIGUSR1};
use ulib::signal::{SIG_BLOCK, SIG_UNBLOCK};
use ulib::thread::futex_wait;
use ulib::{Errno, Tap, Thread};

fn thread(f: fn(usize) -> i32, arg: usize) -> Option<Thread> {
    ulib::map_anon(64 * 1024)
        .and_then(|s| ulib::spawn_thread(s, 0, f, arg))
        .ok()
}

fn check_status(tap: &mut Tap, got: Option<i32>, want: i32, what: &str) {
    if !tap.ok(got == Some(want), what) {
        match got {
            Some(s) => tap.diag(format_args!("  child {}", StatusText(s))),
            None => tap.diag("  wait4 failed"),
        }
    }
}

fn spin(_: usize) -> i32 {
    loop {
        core::hint::spin_loop();
    }
}

/// Sleep on a futex nobody wakes.
fn sleep_forever(_: usize) -> i32 {
    let word = AtomicU32::new(0);
    loop {
        let _ = futex_wait(&word, 0);
    }
}

fn nap_forever(_: usize) -> i32 {
    loop {
        let _ = ulib::time::sleep_ms(10_000);
    }
}

fn group_exit_after_30ms(_: usize) -> i32 {
    let _ = ulib::time::sleep_ms(30);
    ulib::exit_group(21)
}

static COUNTER: AtomicU64 = AtomicU64::new(0);
static STOP: AtomicU32 = AtomicU32::new(0);

fn count_until_stopped(_: usize) -> i32 {
    while STOP.load(SeqCst) == 0 {
        COUNTER.fetch_add(1, SeqCst);
        let _ = ulib::sched_yield();
    }
    6
}

/// Cleared to 0 by the kernel when the main thread exits (set_tid_address).
static MAIN_CTID: AtomicU32 = AtomicU32::new(1);
static PIPES: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];

/// The second thread of "main exits first": wait for the main thread to be gone, tell
/// the parent, wait for its go, then end the process as `arg` says.
fn outlive_main(arg: usize) -> i32 {
    while MAIN_CTID.load(SeqCst) != 0 {
        let _ = futex_wait(&MAIN_CTID, 1);
    }
    let _ = ulib::write(PIPES[1].load(SeqCst) as i32, b"m");
    let mut b = [0u8; 1];
    let _ = ulib::read(PIPES[2].load(SeqCst) as i32, &mut b);
    if arg == 0 {
        ulib::exit_group(42)
    }
    7 // the thread returns: ulib ends it with exit(7)
}

/// A child whose main thread exits (93) with 5 first; the other thread then ends the
/// process. Returns (main gone while the process lives, final status).
fn main_exits_first(group_exit: bool) -> (bool, Option<i32>) {
    let (Ok(up), Ok(down)) = (ulib::fs::pipe2(0), ulib::fs::pipe2(0)) else {
        return (false, None);
    };
    for (i, fd) in [up[0], up[1], down[0], down[1]].into_iter().enumerate() {
        PIPES[i].store(fd as u32, SeqCst);
    }
    let pid = spawn(|| {
        // SAFETY: MAIN_CTID is a static, alive for the whole process.
        unsafe { ulib::set_tid_address(MAIN_CTID.as_ptr()) };
        if thread(outlive_main, (!group_exit) as usize).is_none() {
            return 99;
        }
        ulib::exit(5)
    });
    let mut b = [0u8; 1];
    let told = ulib::read(up[0], &mut b) == Ok(1);
    let alive = ulib::wait4(pid, None, WNOHANG) == Ok(0) && kill(pid, 0) == Ok(0);
    let _ = ulib::write(down[1], b"g");
    let status = reap(pid);
    for fd in [up[0], up[1], down[0], down[1]] {
        let _ = ulib::close(fd);
    }
    (told && alive, status)
}

/// Format `n` as decimal into `buf`, NUL-terminated; returns the digits.
fn itoa(n: i32, buf: &mut [u8; 12]) -> &[u8] {
    let mut i = buf.len() - 1;
    buf[i] = 0;
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

fn parse(s: &[u8]) -> i32 {
    s.iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i32, |n, &c| n * 10 + (c - b'0') as i32)
}

/// The tid of a thread that must be gone after the exec (test 9).
static OTHER_TID: AtomicI32 = AtomicI32::new(0);

/// execve this program again with argv = [self, "exec-child", pid, code, tid, tid]: the
/// new image checks it kept the pid and that threads `gone` no longer exist. Returns
/// only if execve failed.
fn exec_self(code: i32, gone: [i32; 2]) -> i32 {
    let Some(me) = ulib::args().next() else {
        return 90;
    };
    let mut path = [0u8; 256];
    if me.len() >= path.len() {
        return 91;
    }
    path[..me.len()].copy_from_slice(me);
    let mut bufs = [[0u8; 12]; 4];
    let [b0, b1, b2, b3] = &mut bufs;
    let argv = [
        path.as_ptr(),
        c"exec-child".as_ptr().cast(),
        itoa(ulib::getpid(), b0).as_ptr(),
        itoa(code, b1).as_ptr(),
        itoa(gone[0], b2).as_ptr(),
        itoa(gone[1], b3).as_ptr(),
        core::ptr::null(),
    ];
    let envp = [core::ptr::null()];
    // SAFETY: every string is NUL-terminated and both arrays end with NULL.
    let _ = unsafe { ulib::process::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    92
}

/// Test 9's exec'ing thread: it and the spinner must both be gone afterwards.
fn exec_from_thread(code: usize) -> i32 {
    exec_self(code as i32, [ulib::gettid(), OTHER_TID.load(SeqCst)])
}

/// After the exec: the new program checks it is alone and kept the process's pid.
fn exec_child() -> i32 {
    let a: [&[u8]; 6] = {
        let mut it = ulib::args();
        core::array::from_fn(|_| it.next().unwrap_or(b""))
    };
    let (pid, code) = (parse(a[2]), parse(a[3]));
    if ulib::getpid() != pid || ulib::gettid() != pid {
        return 1; // not the same process, or not its leader
    }
    for tid in [parse(a[4]), parse(a[5])] {
        if tid != pid && tgkill(pid, tid, 0) != Err(Errno::ESRCH) {
            return 2; // that thread (or its old tid) survived the exec
        }
    }
    code
}

#[no_mangle]
fn main() -> i32 {
    if ulib::args().nth(1) == Some(b"exec-child") {
        return exec_child();
    }
    let mut tap = Tap::new(11);

    // 1: exit_group from a non-main thread ends a spinning main thread.
    let pid = spawn(|| {
        if thread(group_exit_after_30ms, 0).is_none() {
            return 99;
        }
        spin(0)
    });
    check_status(
        &mut tap,
        reap(pid),
        21 << 8,
        "exit_group(21) from a second thread ends a spinning main thread",
    );

    // 2: exit (93) in one thread leaves the others running.
    let t1 = thread(|_| 5, 0);
    let t2 = thread(count_until_stopped, 0);
    let ret1 = t1.as_ref().map(|t| t.join());
    let c1 = COUNTER.load(SeqCst);
    let _ = ulib::time::sleep_ms(30);
    let c2 = COUNTER.load(SeqCst);
    STOP.store(1, SeqCst);
    let ret2 = t2.as_ref().map(|t| t.join());
    tap.ok(
        ret1 == Some(5) && ret2 == Some(6) && c2 > c1,
        "exit(93) in one thread: the other thread and the main thread keep running",
    );

    // 3-5: the main thread exits first.
    let (alive, status) = main_exits_first(true);
    tap.ok(
        alive,
        "main thread gone, process still there: WNOHANG gives 0, kill(pid, 0) == 0",
    );
    check_status(
        &mut tap,
        status,
        42 << 8,
        "the parent is told when the last thread ends, with its exit_group code",
    );
    if ulib::is_linnet() {
        let (_, status) = main_exits_first(false);
        check_status(
            &mut tap,
            status,
            5 << 8,
            "with plain exits only, the status is the main thread's own exit code",
        );
    } else {
        tap.skip(
            "with plain exits only, the status is the main thread's",
            "qemu-user reports the last thread's code",
        );
    }

    // 6: a fatal signal to one thread ends the whole process.
    let pid = spawn(|| {
        let Some(t) = thread(sleep_forever, 0) else {
            return 99;
        };
        let _ = tkill(t.tid(), SIGTERM);
        nap_forever(0)
    });
    check_status(
        &mut tap,
        reap(pid),
        SIGTERM,
        "tkill(other thread, SIGTERM) ends the whole process",
    );

    // 7: kill() to a process whose main thread blocks the signal: another thread takes it.
    let pid = spawn(|| {
        let _ = rt_sigprocmask(SIG_BLOCK, Some(&sigmask(SIGUSR1)), None);
        let Some(_t) = thread(
            |_| {
                let _ = rt_sigprocmask(SIG_UNBLOCK, Some(&sigmask(SIGUSR1)), None);
                sleep_forever(0)
            },
            0,
        ) else {
            return 99;
        };
        let _ = ulib::time::sleep_ms(20);
        let _ = kill(ulib::getpid(), SIGUSR1);
        nap_forever(0)
    });
    check_status(
        &mut tap,
        reap(pid),
        SIGUSR1,
        "SIGUSR1 blocked by the main thread is taken by another and ends the process",
    );

    // 8: SIGKILL ends threads sleeping in futex and nanosleep and a spinning main thread.
    let pid = spawn(|| {
        if thread(sleep_forever, 0).is_none() || thread(nap_forever, 0).is_none() {
            return 99;
        }
        spin(0)
    });
    let _ = ulib::time::sleep_ms(30);
    let _ = kill(pid, SIGKILL);
    check_status(
        &mut tap,
        reap(pid),
        SIGKILL,
        "SIGKILL ends every thread: futex, nanosleep, spinning",
    );

    // 9-10: execve from a multi-threaded process (Linnet: qemu-user cannot exec aarch64
    // programs without binfmt_misc).
    if ulib::is_linnet() {
        let pid = spawn(|| {
            let Some(spinner) = thread(spin, 0) else {
                return 99;
            };
            OTHER_TID.store(spinner.tid(), SeqCst);
            let Some(t) = thread(exec_from_thread, 42) else {
                return 98;
            };
            t.join() // only if execve failed
        });
        check_status(
            &mut tap,
            reap(pid),
            42 << 8,
            "execve from a non-leader thread: others end, it takes over the pid",
        );
        let pid = spawn(|| match (thread(spin, 0), thread(sleep_forever, 0)) {
            (Some(a), Some(b)) => exec_self(43, [a.tid(), b.tid()]),
            _ => 99,
        });
        check_status(
            &mut tap,
            reap(pid),
            43 << 8,
            "execve from the main thread while two others run: they end first",
        );
    } else {
        tap.skip(
            "execve from a non-leader thread",
            "needs exec of aarch64 programs",
        );
        tap.skip(
            "execve from the main thread",
            "needs exec of aarch64 programs",
        );
    }
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "every child was reaped",
    );
    tap.done()
}
