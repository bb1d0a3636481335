//! threads: clone(CLONE_VM | CLONE_THREAD | ...) makes threads that share memory and pid.
//!
//! One thread is checked in detail: it sees and changes a global the main thread then
//! reads; it has its own tid but the same pid (thread-group id); its TPIDR_EL0 is the tls
//! passed to clone while the main thread's is untouched; the kernel stored its tid at
//! parent_tidptr and, when it exited, cleared child_tidptr and woke the futex `join` sleeps
//! on. Then four threads increment counters at the same time. On Linnet this exercises
//! `copy_process` with shared mm and files, CLONE_SETTLS / PARENT_SETTID / CHILD_CLEARTID,
//! futex wait/wake, and `do_exit` of one thread (exit, not exit_group).
//! Syscalls used: mmap, clone, gettid, getpid, futex, nanosleep, sched_yield, exit, exit_group, write.

#![no_std]
#![no_main]

use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst,
};
use ulib::thread::set_tls;
use ulib::{get_tls, spawn_thread, Tap};

const MAIN_TLS: usize = 0x1111_2222_3333_4444;
const THREAD_TLS: usize = 0x7777_0000_0000_1000;
const STACK: usize = 64 * 1024;

// What the first thread saw and did, for the main thread to check.
static SHARED: AtomicU32 = AtomicU32::new(7);
static SEEN_SHARED: AtomicU32 = AtomicU32::new(0);
static T_TID: AtomicI32 = AtomicI32::new(0);
static T_PID: AtomicI32 = AtomicI32::new(0);
static T_TLS: AtomicUsize = AtomicUsize::new(0);

fn first(arg: usize) -> i32 {
    T_TID.store(ulib::gettid(), SeqCst);
    T_PID.store(ulib::getpid(), SeqCst);
    T_TLS.store(get_tls(), SeqCst);
    SEEN_SHARED.store(SHARED.load(SeqCst), SeqCst);
    SHARED.fetch_add(arg as u32, SeqCst);
    // Still running when the main thread gets to join, so join really sleeps in FUTEX_WAIT.
    let _ = ulib::time::sleep_ms(10);
    33
}

// The concurrent part: every thread waits for GO, then counts to ROUNDS.
const WORKERS: usize = 4;
const ROUNDS: u64 = 50_000;
static GO: AtomicBool = AtomicBool::new(false);
static COUNTERS: [AtomicU64; WORKERS] = [const { AtomicU64::new(0) }; WORKERS];
static TOTAL: AtomicU64 = AtomicU64::new(0);

fn worker(i: usize) -> i32 {
    while !GO.load(SeqCst) {
        let _ = ulib::sched_yield();
    }
    for n in 0..ROUNDS {
        COUNTERS[i].fetch_add(1, SeqCst);
        TOTAL.fetch_add(1, SeqCst);
        if n % 4096 == 0 {
            let _ = ulib::sched_yield(); // interleave even without a timer tick
        }
    }
    i as i32
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(11);
    let pid = ulib::getpid();
    // SAFETY: ulib keeps nothing behind TPIDR_EL0.
    unsafe { set_tls(MAIN_TLS) };

    let t = match ulib::map_anon(STACK).and_then(|s| spawn_thread(s, THREAD_TLS, first, 35)) {
        Ok(t) => t,
        Err(e) => {
            tap.ok(false, format_args!("spawn_thread: {:?}", e));
            return 1;
        }
    };
    if !tap.ok(t.tid() > 0, "clone returns the new thread's tid") {
        tap.diag(format_args!("  clone returned {}", t.tid()));
    }
    let ret = t.join();
    tap.ok(
        T_TID.load(SeqCst) == t.tid() && t.tid() != pid,
        "gettid in the thread == clone's return value, != the process's pid",
    );
    tap.eq(
        T_PID.load(SeqCst),
        pid,
        "getpid in the thread == the main thread's (same tgid)",
    );
    tap.eq(
        t.ptid(),
        t.tid() as u32,
        "*parent_tidptr holds the tid (CLONE_PARENT_SETTID)",
    );
    tap.ok(
        SEEN_SHARED.load(SeqCst) == 7 && SHARED.load(SeqCst) == 42,
        "the thread read the shared global and its write is visible after join",
    );
    tap.eq(
        T_TLS.load(SeqCst),
        THREAD_TLS,
        "the thread's TPIDR_EL0 is the tls given to clone",
    );
    tap.eq(
        get_tls(),
        MAIN_TLS,
        "the main thread's TPIDR_EL0 is unchanged",
    );
    tap.ok(
        t.ctid() == 0 && ret == 33,
        "join returns: *child_tidptr cleared to 0 at exit, the thread's result 33 published",
    );

    let mut threads = [const { None }; WORKERS];
    for (i, slot) in threads.iter_mut().enumerate() {
        match ulib::map_anon(STACK).and_then(|s| spawn_thread(s, 0, worker, i)) {
            Ok(t) => *slot = Some(t),
            Err(e) => tap.diag(format_args!("spawn worker {}: {:?}", i, e)),
        }
    }
    GO.store(true, SeqCst);
    let rets = threads.each_ref().map(|t| t.as_ref().map(|t| t.join()));
    let counts = COUNTERS.each_ref().map(|c| c.load(SeqCst));
    let all_counted = counts.iter().all(|&c| c == ROUNDS)
        && rets.iter().enumerate().all(|(i, r)| *r == Some(i as i32));
    let name = format_args!("4 concurrent threads each counted to {}", ROUNDS);
    if !tap.ok(all_counted, name) {
        tap.diag(format_args!(
            "  counts {:?}, join results {:?}",
            counts, rets
        ));
    }
    tap.eq(
        TOTAL.load(SeqCst),
        WORKERS as u64 * ROUNDS,
        "their shared atomic total is 4 x that",
    );
    let tids = threads
        .each_ref()
        .map(|t| t.as_ref().map_or(0, |t| t.tid()));
    let distinct =
        (0..WORKERS).all(|i| tids[i] > 0 && tids[i] != pid && !tids[..i].contains(&tids[i]));
    tap.ok(distinct, "the four threads had four distinct tids");
    tap.done()
}
