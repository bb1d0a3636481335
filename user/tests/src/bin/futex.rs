//! futex: the futex operations C libraries build their locks on, and robust lists.
//!
//! FUTEX_WAIT sleeps while the word holds the expected value (EAGAIN if not), with a
//! relative timeout; FUTEX_WAIT_BITSET with an absolute one on CLOCK_MONOTONIC, or
//! CLOCK_REALTIME with FUTEX_CLOCK_REALTIME (which plain FUTEX_WAIT refuses with ENOSYS);
//! ETIMEDOUT when it passes. FUTEX_WAKE_BITSET wakes only waiters whose bitset meets its
//! own; an empty bitset is EINVAL. FUTEX_CMP_REQUEUE moves waiters to another word (EAGAIN
//! if the first word changed); FUTEX_WAKE_OP changes a second word and wakes on it if the
//! old value passes its comparison. FUTEX_LOCK_PI / TRYLOCK_PI / UNLOCK_PI keep the
//! owner's TID in the word, with FUTEX_WAITERS while somebody sleeps: EDEADLK on locking
//! twice, EAGAIN for a trylock that would sleep, EPERM for unlocking what one does not
//! own, and the unlock (or the owner's exit) hands the lock to the sleeper. At thread
//! exit, the robust list is walked: a futex the thread held gets FUTEX_OWNER_DIED and
//! one waiter is woken; a looped list does not hang the exit (qemu-user has no robust
//! lists: ENOSYS, skipped there). A shared futex in MAP_SHARED memory is one futex for
//! every process mapping it; a private page copied by fork is a different one in each.
//! On Linnet: `task/futex.rs`, `task/futex_op.rs`, `syscall/futex.rs`.
//! Syscalls used: futex, set_robust_list, get_robust_list, clone (threads), mmap,
//! gettid, clock_gettime, nanosleep, exit, exit_group.

#![no_std]
#![no_main]

use core::ptr::{addr_of, null};
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering::SeqCst};
use ulib::time::{clock_gettime, sleep_ms, Timespec, CLOCK_MONOTONIC, CLOCK_REALTIME};
use ulib::wait::*;
use ulib::{spawn_thread, Errno, SysResult, Tap, Thread};

const STACK: usize = 64 << 10;
const P: u32 = FUTEX_PRIVATE_FLAG;

fn now(clock: i32) -> i128 {
    clock_gettime(clock).map_or(0, |t| t.as_ns())
}

fn ts_at(ns: i128) -> Timespec {
    Timespec {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as i64,
    }
}

fn fx(
    w: &AtomicU32,
    op: u32,
    val: u32,
    t: Option<&Timespec>,
    w2: Option<&AtomicU32>,
    val3: u32,
) -> SysResult {
    let t = t.map_or(0, |t| t as *const Timespec as usize);
    let w2 = w2.map_or(null(), |w| w.as_ptr() as *const u32);
    // SAFETY: the words are statics or locals that outlive the call.
    unsafe { futex(w.as_ptr(), op, val, t, w2, val3) }
}

/// futex with a count in the timeout slot (REQUEUE, WAKE_OP).
fn fx2(w: &AtomicU32, op: u32, val: u32, val2: usize, w2: &AtomicU32, val3: u32) -> SysResult {
    // SAFETY: as in fx.
    unsafe { futex(w.as_ptr(), op, val, val2, w2.as_ptr(), val3) }
}

fn thread(f: fn(usize) -> i32, arg: usize) -> Option<Thread> {
    ulib::map_anon(STACK)
        .and_then(|s| spawn_thread(s, 0, f, arg))
        .ok()
}

static A: AtomicU32 = AtomicU32::new(0);
static B: AtomicU32 = AtomicU32::new(0);
static READY: AtomicU32 = AtomicU32::new(0);
static LOCK: AtomicU32 = AtomicU32::new(0);
static SEEN: AtomicU32 = AtomicU32::new(0);
static RESULT: AtomicI32 = AtomicI32::new(0);
static LOCK2: AtomicU32 = AtomicU32::new(0);
static C: AtomicU32 = AtomicU32::new(0);
static MAIN_TID: AtomicI32 = AtomicI32::new(0);
static HANDLED: AtomicU32 = AtomicU32::new(0);

extern "C" fn on_usr1(_: i32) {
    HANDLED.fetch_add(1, SeqCst);
}

/// Signal the main thread after 30 ms; `arg` 1: then, 30 ms later, change C and wake it.
fn interrupter(arg: usize) -> i32 {
    let _ = sleep_ms(30);
    let _ = ulib::signal::tgkill(ulib::getpid(), MAIN_TID.load(SeqCst), ulib::signal::SIGUSR1);
    if arg == 1 {
        let _ = sleep_ms(30);
        C.store(1, SeqCst);
        let _ = fx(&C, FUTEX_WAKE | P, 1, None, None, 0);
    }
    0
}

fn code(r: SysResult) -> i32 {
    match r {
        Ok(v) => v as i32,
        Err(e) => -e.0,
    }
}

/// Wait until `n` threads said they are about to sleep, then give them time to.
fn until_ready(n: u32) {
    for _ in 0..1000 {
        if READY.load(SeqCst) >= n {
            break;
        }
        let _ = sleep_ms(1);
    }
    let _ = sleep_ms(30);
}

/// Wait on A with bitset `arg` (a 2 s timeout keeps a broken kernel from hanging us).
fn bitset_waiter(arg: usize) -> i32 {
    let t = ts_at(now(CLOCK_MONOTONIC) + 2_000_000_000);
    READY.fetch_add(1, SeqCst);
    code(fx(&A, FUTEX_WAIT_BITSET | P, 0, Some(&t), None, arg as u32))
}

/// Wait on the word at address `arg` for value 2 (B in the wake-op test).
fn waiter_on(arg: usize) -> i32 {
    // SAFETY: arg is the address of a static AtomicU32.
    let w = unsafe { &*(arg as *const AtomicU32) };
    let v = w.load(SeqCst);
    READY.fetch_add(1, SeqCst);
    code(fx(
        w,
        FUTEX_WAIT | P,
        v,
        Some(&Timespec::from_ms(2000)),
        None,
        0,
    ))
}

/// PI contender: `arg` 0 trylock, 1 lock with a 20 ms CLOCK_REALTIME deadline, 2 lock
/// (then record the word, unlock).
fn pi_contender(arg: usize) -> i32 {
    match arg {
        0 => code(fx(&LOCK, FUTEX_TRYLOCK_PI | P, 0, None, None, 0)),
        1 => {
            let t = ts_at(now(CLOCK_REALTIME) + 20_000_000);
            code(fx(&LOCK, FUTEX_LOCK_PI | P, 0, Some(&t), None, 0))
        }
        _ => {
            READY.fetch_add(1, SeqCst);
            let r = code(fx(&LOCK, FUTEX_LOCK_PI | P, 0, None, None, 0));
            SEEN.store(LOCK.load(SeqCst), SeqCst);
            let u = code(fx(&LOCK, FUTEX_UNLOCK_PI | P, 0, None, None, 0));
            if r == 0 && u == 0 {
                0
            } else {
                100 + r.abs() + u.abs()
            }
        }
    }
}

/// Take LOCK2 and exit while holding it.
fn pi_owner_exits(_: usize) -> i32 {
    let r = code(fx(&LOCK2, FUTEX_LOCK_PI | P, 0, None, None, 0));
    READY.fetch_add(1, SeqCst);
    let _ = sleep_ms(60);
    r
}

static mut HEAD: RobustListHead = RobustListHead {
    next: 0,
    futex_offset: 0,
    list_op_pending: 0,
};
/// A robust entry: the list link, then the futex word 8 bytes further.
#[repr(C)]
struct Entry {
    next: usize,
    word: AtomicU32,
}
static ENTRY: Entry = Entry {
    next: 0,
    word: AtomicU32::new(0),
};

/// Hold the robust futex ENTRY.word (with FUTEX_WAITERS, as if a waiter slept) and exit
/// without unlocking. `arg` 1: a list that loops on itself instead of ending at the head.
fn robust_holder(arg: usize) -> i32 {
    let head = addr_of!(HEAD) as usize;
    let entry = &ENTRY as *const Entry as usize;
    // SAFETY: only this thread touches HEAD and ENTRY.next while it runs; the kernel reads
    // them at its exit.
    unsafe {
        HEAD.next = entry;
        HEAD.futex_offset = 8;
        let link = &ENTRY.next as *const usize as *mut usize;
        link.write_volatile(if arg == 1 { entry } else { head });
    }
    let tid = ulib::gettid() as u32;
    ENTRY.word.store(tid | FUTEX_WAITERS, SeqCst);
    RESULT.store(tid as i32, SeqCst);
    if set_robust_list(addr_of!(HEAD), 24).is_err() {
        return 1;
    }
    READY.fetch_add(1, SeqCst);
    let _ = sleep_ms(60);
    0
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(42);
    let word = AtomicU32::new(5);

    // 1-12: single-thread rules.
    tap.eq(
        fx(&word, FUTEX_WAIT | P, 4, None, None, 0),
        Err(Errno::EAGAIN),
        "FUTEX_WAIT on a changed word: EAGAIN",
    );
    let start = now(CLOCK_MONOTONIC);
    let r = fx(
        &word,
        FUTEX_WAIT | P,
        5,
        Some(&Timespec::from_ms(20)),
        None,
        0,
    );
    let took = now(CLOCK_MONOTONIC) - start;
    tap.ok(
        r == Err(Errno::ETIMEDOUT) && took >= 15_000_000,
        "FUTEX_WAIT relative 20 ms: ETIMEDOUT",
    );
    let start = now(CLOCK_MONOTONIC);
    let t = ts_at(start + 20_000_000);
    let r = fx(&word, FUTEX_WAIT_BITSET | P, 5, Some(&t), None, !0);
    let took = now(CLOCK_MONOTONIC) - start;
    tap.ok(
        r == Err(Errno::ETIMEDOUT) && took >= 15_000_000,
        "FUTEX_WAIT_BITSET absolute CLOCK_MONOTONIC: ETIMEDOUT at the deadline",
    );
    let start = now(CLOCK_MONOTONIC);
    let t = ts_at(now(CLOCK_REALTIME) + 20_000_000);
    let r = fx(
        &word,
        FUTEX_WAIT_BITSET | P | FUTEX_CLOCK_REALTIME,
        5,
        Some(&t),
        None,
        !0,
    );
    let took = now(CLOCK_MONOTONIC) - start;
    tap.ok(
        r == Err(Errno::ETIMEDOUT) && took >= 15_000_000,
        "FUTEX_WAIT_BITSET absolute CLOCK_REALTIME: ETIMEDOUT at the deadline",
    );
    let t = ts_at(now(CLOCK_MONOTONIC) - 1_000_000);
    tap.eq(
        fx(&word, FUTEX_WAIT_BITSET | P, 5, Some(&t), None, !0),
        Err(Errno::ETIMEDOUT),
        "a deadline already past: ETIMEDOUT at once",
    );
    let ten = Timespec::from_ms(10);
    tap.eq(
        fx(
            &word,
            FUTEX_WAIT | FUTEX_CLOCK_REALTIME,
            5,
            Some(&ten),
            None,
            0,
        ),
        Err(Errno::ENOSYS),
        "FUTEX_WAIT with FUTEX_CLOCK_REALTIME: ENOSYS",
    );
    tap.eq(
        fx(&word, FUTEX_WAIT_BITSET | P, 5, Some(&ten), None, 0),
        Err(Errno::EINVAL),
        "FUTEX_WAIT_BITSET with bitset 0: EINVAL",
    );
    tap.eq(
        fx(&word, FUTEX_WAKE_BITSET | P, 1, None, None, 0),
        Err(Errno::EINVAL),
        "FUTEX_WAKE_BITSET with bitset 0: EINVAL",
    );
    let bytes = [0u32; 2];
    // SAFETY: a misaligned pointer into a local; the kernel must refuse it.
    let mis = unsafe {
        futex(
            (bytes.as_ptr() as *const u8).add(1) as *const u32,
            FUTEX_WAKE | P,
            1,
            0,
            null(),
            0,
        )
    };
    tap.eq(mis, Err(Errno::EINVAL), "a misaligned futex: EINVAL");
    tap.eq(
        fx(&word, 99, 0, None, None, 0),
        Err(Errno::ENOSYS),
        "an unknown futex op: ENOSYS",
    );
    tap.eq(
        fx(&word, FUTEX_WAKE, 1, None, None, 0),
        Ok(0),
        "FUTEX_WAKE with no waiter: 0",
    );
    let bad = Timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000_000,
    };
    tap.eq(
        fx(&word, FUTEX_WAIT | P, 5, Some(&bad), None, 0),
        Err(Errno::EINVAL),
        "a bad timeout: EINVAL",
    );

    // 13-15: bitsets.
    READY.store(0, SeqCst);
    let t = thread(bitset_waiter, 0b01);
    until_ready(1);
    tap.eq(
        fx(&A, FUTEX_WAKE_BITSET | P, 1, None, None, 0b10),
        Ok(0),
        "FUTEX_WAKE_BITSET with a disjoint bitset wakes nobody",
    );
    tap.eq(
        fx(&A, FUTEX_WAKE_BITSET | P, 1, None, None, 0b11),
        Ok(1),
        "FUTEX_WAKE_BITSET with a shared bit wakes the waiter",
    );
    tap.eq(
        t.map(|t| t.join()),
        Some(0),
        "the woken waiter's FUTEX_WAIT_BITSET returned 0",
    );

    // 16-20: requeue.
    READY.store(0, SeqCst);
    let t1 = thread(bitset_waiter, !0);
    let t2 = thread(bitset_waiter, !0);
    until_ready(2);
    tap.eq(
        fx2(&A, FUTEX_CMP_REQUEUE | P, 0, 2, &B, 1),
        Err(Errno::EAGAIN),
        "FUTEX_CMP_REQUEUE with a stale value: EAGAIN",
    );
    tap.eq(
        fx2(&A, FUTEX_CMP_REQUEUE | P, 0, 2, &B, 0),
        Ok(2),
        "FUTEX_CMP_REQUEUE moves both waiters to the second word",
    );
    tap.eq(
        fx(&A, FUTEX_WAKE | P, 10, None, None, 0),
        Ok(0),
        "nobody is left on the first word",
    );
    tap.eq(
        fx(&B, FUTEX_WAKE | P, 10, None, None, 0),
        Ok(2),
        "FUTEX_WAKE on the second word wakes both",
    );
    let joined = (t1.map(|t| t.join()), t2.map(|t| t.join()));
    tap.eq(
        joined,
        (Some(0), Some(0)),
        "both requeued waiters returned 0",
    );

    // 21-22: plain FUTEX_REQUEUE.
    READY.store(0, SeqCst);
    let t = thread(bitset_waiter, !0);
    until_ready(1);
    tap.eq(
        fx2(&A, FUTEX_REQUEUE | P, 0, 1, &B, 0),
        Ok(1),
        "FUTEX_REQUEUE moves one waiter",
    );
    let woke = fx(&B, FUTEX_WAKE | P, 1, None, None, 0);
    tap.ok(
        woke == Ok(1) && t.map(|t| t.join()) == Some(0),
        "and a wake on the second word reaches it",
    );

    // 23-25: FUTEX_WAKE_OP.
    READY.store(0, SeqCst);
    B.store(2, SeqCst);
    let t = thread(waiter_on, &B as *const AtomicU32 as usize);
    until_ready(1);
    let set0_if_gt1 = futex_op(0, 0, 4, 1); // SET 0; wake if old > 1
    let n = fx2(&A, FUTEX_WAKE_OP | P, 1, 1, &B, set0_if_gt1);
    tap.ok(
        n == Ok(1) && B.load(SeqCst) == 0 && t.map(|t| t.join()) == Some(0),
        "FUTEX_WAKE_OP sets the word and wakes its waiter (old 2 > 1)",
    );
    let add5_if_gt1 = futex_op(1, 5, 4, 1);
    let n = fx2(&A, FUTEX_WAKE_OP | P, 1, 1, &B, add5_if_gt1);
    tap.ok(
        n == Ok(0) && B.load(SeqCst) == 5,
        "FUTEX_WAKE_OP adds, and wakes nobody when the comparison fails",
    );
    tap.eq(
        fx2(&A, FUTEX_WAKE_OP | P, 1, 1, &B, futex_op(7, 0, 0, 0)),
        Err(Errno::ENOSYS),
        "FUTEX_WAKE_OP with an unknown operation: ENOSYS",
    );

    // 26-33: PI locks.
    let me = ulib::gettid() as u32;
    let r = fx(&LOCK, FUTEX_LOCK_PI | P, 0, None, None, 0);
    tap.ok(
        r == Ok(0) && LOCK.load(SeqCst) == me,
        "FUTEX_LOCK_PI on a free word writes our TID",
    );
    tap.eq(
        fx(&LOCK, FUTEX_LOCK_PI | P, 0, None, None, 0),
        Err(Errno::EDEADLK),
        "FUTEX_LOCK_PI on our own lock: EDEADLK",
    );
    tap.eq(
        thread(pi_contender, 0).map(|t| t.join()),
        Some(-Errno::EAGAIN.0),
        "FUTEX_TRYLOCK_PI on another's lock: EAGAIN",
    );
    tap.eq(
        thread(pi_contender, 1).map(|t| t.join()),
        Some(-Errno::ETIMEDOUT.0),
        "FUTEX_LOCK_PI with a deadline: ETIMEDOUT",
    );
    READY.store(0, SeqCst);
    LOCK.store(me, SeqCst); // the timed-out locker left FUTEX_WAITERS behind
    let t = thread(pi_contender, 2);
    until_ready(1);
    let waiters = LOCK.load(SeqCst);
    let u = fx(&LOCK, FUTEX_UNLOCK_PI | P, 0, None, None, 0);
    let got = t.as_ref().map(|t| t.join());
    let tid = t.map_or(0, |t| t.tid() as u32);
    tap.ok(
        waiters == me | FUTEX_WAITERS && u == Ok(0),
        "a sleeping locker sets FUTEX_WAITERS; FUTEX_UNLOCK_PI succeeds",
    );
    tap.ok(
        got == Some(0) && SEEN.load(SeqCst) & 0x3fff_ffff == tid && LOCK.load(SeqCst) == 0,
        "the unlock hands the lock to the sleeper, whose unlock frees it",
    );
    tap.eq(
        fx(&LOCK, FUTEX_UNLOCK_PI | P, 0, None, None, 0),
        Err(Errno::EPERM),
        "FUTEX_UNLOCK_PI of a lock we do not own: EPERM",
    );
    READY.store(0, SeqCst);
    let t = thread(pi_owner_exits, 0);
    until_ready(1);
    let deadline = ts_at(now(CLOCK_REALTIME) + 2_000_000_000);
    let r = fx(&LOCK2, FUTEX_LOCK_PI | P, 0, Some(&deadline), None, 0);
    let _ = t.map(|t| t.join());
    tap.ok(
        r == Ok(0) && LOCK2.load(SeqCst) & 0x3fff_ffff == me,
        "a PI lock whose owner exits goes to its sleeper",
    );

    // 34-35: a signal handler ends an untimed FUTEX_WAIT with EINTR, or restarts it
    // (SA_RESTART), as Linux's -ERESTARTSYS does.
    MAIN_TID.store(ulib::gettid(), SeqCst);
    let _ = ulib::signal::sigaction(ulib::signal::SIGUSR1, on_usr1, 0, 0);
    let t = thread(interrupter, 0);
    let r = fx(&C, FUTEX_WAIT | P, 0, None, None, 0);
    let _ = t.map(|t| t.join());
    tap.ok(
        r == Err(Errno::EINTR) && HANDLED.load(SeqCst) == 1,
        "a handler without SA_RESTART ends FUTEX_WAIT with EINTR",
    );
    let _ = ulib::signal::sigaction(ulib::signal::SIGUSR1, on_usr1, ulib::signal::SA_RESTART, 0);
    let t = thread(interrupter, 1);
    let r = fx(&C, FUTEX_WAIT | P, 0, None, None, 0);
    let _ = t.map(|t| t.join());
    tap.ok(
        r == Ok(0) && HANDLED.load(SeqCst) == 2,
        "with SA_RESTART the wait goes on after the handler until woken",
    );

    // 36-37: between processes. A shared futex (no FUTEX_PRIVATE_FLAG) in MAP_SHARED
    // memory is the same futex in both; a private word after fork is two futexes.
    use ulib::mm::{MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE};
    // SAFETY: a fresh anonymous page, not MAP_FIXED.
    let shared = unsafe {
        ulib::mmap(
            0,
            4096,
            PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    // SAFETY: as above, a private page.
    let private = unsafe {
        ulib::mmap(
            0,
            4096,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    let (Ok(sh), Ok(pr)) = (shared, private) else {
        tap.ok(false, "mmap for the cross-process futexes");
        tap.ok(false, "mmap for the cross-process futexes");
        return tap.done();
    };
    // SAFETY: both pages are mapped read-write and page-aligned.
    let (sw, pw) = unsafe { (&*(sh as *const AtomicU32), &*(pr as *const AtomicU32)) };
    let waiter = |w: &'static AtomicU32| {
        ulib::process::spawn(move || {
            let t = Timespec::from_ms(300);
            match fx(w, FUTEX_WAIT, 0, Some(&t), None, 0) {
                Ok(_) => 0,
                Err(Errno::ETIMEDOUT) => 1,
                Err(_) => 2,
            }
        })
    };
    let child = waiter(sw);
    let _ = sleep_ms(50);
    let n = fx(sw, FUTEX_WAKE, 1, None, None, 0);
    let st = ulib::process::reap(child).map(ulib::wexitstatus);
    tap.ok(
        n == Ok(1) && st == Some(0),
        "a shared futex in MAP_SHARED memory wakes a waiter in another process",
    );
    let child = waiter(pw);
    let _ = sleep_ms(50);
    let n = fx(pw, FUTEX_WAKE, 1, None, None, 0);
    let st = ulib::process::reap(child).map(ulib::wexitstatus);
    tap.ok(
        n == Ok(0) && st == Some(1),
        "a private page after fork is a different futex in each process",
    );

    // 38-42: robust lists.
    let head = RobustListHead {
        next: 0,
        futex_offset: 0,
        list_op_pending: 0,
    };
    let first = set_robust_list(&head, 24);
    if first == Err(Errno::ENOSYS) && !ulib::is_linnet() {
        for name in [
            "set_robust_list with a bad size: EINVAL",
            "get_robust_list returns the head and its size",
            "a thread dying with a robust futex sets FUTEX_OWNER_DIED",
            "and wakes the futex's waiter",
            "a looped robust list does not hang the exit",
        ] {
            tap.skip(name, "qemu-user has no robust lists (ENOSYS)");
        }
        return tap.done();
    }
    tap.eq(
        set_robust_list(&head, 16),
        Err(Errno::EINVAL),
        "set_robust_list with a bad size: EINVAL",
    );
    tap.eq(
        get_robust_list(0),
        Ok((&head as *const RobustListHead as usize, 24)),
        "get_robust_list returns the head and its size",
    );
    let _ = set_robust_list(null(), 24);
    READY.store(0, SeqCst);
    let t = thread(robust_holder, 0);
    until_ready(1);
    let tid = RESULT.load(SeqCst) as u32;
    let t2 = Timespec::from_ms(2000);
    let woke = fx(
        &ENTRY.word,
        FUTEX_WAIT,
        tid | FUTEX_WAITERS,
        Some(&t2),
        None,
        0,
    );
    let _ = t.map(|t| t.join());
    tap.eq(
        ENTRY.word.load(SeqCst),
        FUTEX_OWNER_DIED | FUTEX_WAITERS,
        "a thread dying with a robust futex sets FUTEX_OWNER_DIED",
    );
    tap.eq(woke, Ok(0), "and wakes the futex's waiter");
    READY.store(0, SeqCst);
    let t = thread(robust_holder, 1);
    tap.eq(
        t.map(|t| t.join()),
        Some(0),
        "a looped robust list does not hang the exit",
    );
    tap.done()
}
