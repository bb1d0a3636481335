//! timers: clocks, sleeps, itimers and POSIX timers, as Linux has them.
//!
//! CLOCK_REALTIME is wall time (after 2020) and gettimeofday agrees with it; clock_getres
//! reports 1 ns for the high-resolution clocks and one tick for the coarse ones;
//! clock_settime and settimeofday check their arguments (and, on Linnet only, where the
//! test is root without harm, really move the wall clock); clock_nanosleep sleeps
//! relative and absolute, on REALTIME, MONOTONIC and BOOTTIME, writes `rem` only for an
//! interrupted relative sleep, and refuses CPU clocks (EOPNOTSUPP); an absolute
//! REALTIME sleep follows the wall clock. times() counts the process's and its children's
//! CPU time. setitimer/getitimer: ITIMER_REAL (alarm) sends SIGALRM, repeatedly with an
//! interval; ITIMER_VIRTUAL and ITIMER_PROF count CPU time; the old value comes back;
//! fork does not inherit them. POSIX timers: SIGEV_SIGNAL delivers si_code SI_TIMER with
//! the timer id and value; SIGEV_THREAD_ID to a thread; SIGEV_NONE counts down for
//! timer_gettime; a blocked periodic timer's signal carries its overruns; CLOCK_PROCESS_
//! CPUTIME_ID timers; timer_delete; bad ids, clocks, events and pointers fail as on Linux.
//! On Linnet: kernel/src/syscall/time.rs and kernel/src/time/ (clocks.rs, hrtimer.rs,
//! timer_list.rs, posix_timers.rs).
//! Syscalls used: clock_gettime, clock_getres, clock_settime, clock_nanosleep,
//! gettimeofday, settimeofday, times, getitimer, setitimer, timer_create, timer_settime,
//! timer_gettime, timer_getoverrun, timer_delete, rt_sigaction, rt_sigprocmask, clone
//! (fork), wait4, gettid, getpid, exit_group, uname.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use ulib::process::{reap, spawn};
use ulib::signal::{
    rt_sigprocmask, sigaction, sigaction_info, sigmask, SigInfo, UContext, SIGALRM, SIGUSR1,
    SIGUSR2, SIG_BLOCK, SIG_UNBLOCK, SI_KERNEL,
};
use ulib::syscall::{nr, syscall2, syscall3, syscall4};
use ulib::time::{clock_gettime, CLOCK_MONOTONIC, CLOCK_REALTIME};
use ulib::timers::*;
use ulib::{Errno, Tap, Timespec};

/// An address no program has mapped.
const BAD: usize = 0x10;
const MS: i128 = 1_000_000;

fn now(clock: i32) -> i128 {
    clock_gettime(clock).map_or(0, |t| t.as_ns())
}

fn ts(ns: i128) -> Timespec {
    Timespec {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as i64,
    }
}

fn err(r: isize) -> Option<Errno> {
    (r < 0).then(|| Errno(-r as i32))
}

/// Spin (using CPU) until `done()` or `limit_ms` of wall time passed; true if done.
fn spin_until(limit_ms: i128, done: impl Fn() -> bool) -> bool {
    let end = now(CLOCK_MONOTONIC) + limit_ms * MS;
    while !done() {
        if now(CLOCK_MONOTONIC) > end {
            return false;
        }
        core::hint::spin_loop();
    }
    true
}

/// Spin until this process used `ms` more CPU time (at most 3 s of wall time).
fn spin_cpu(ms: i128) {
    let end = now(CLOCK_PROCESS_CPUTIME_ID) + ms * MS;
    spin_until(3000, || now(CLOCK_PROCESS_CPUTIME_ID) >= end);
}

/// Sleep in small steps until `done()` or `limit_ms` passed; true if done.
fn wait_until(limit_ms: i128, done: impl Fn() -> bool) -> bool {
    let end = now(CLOCK_MONOTONIC) + limit_ms * MS;
    while !done() {
        if now(CLOCK_MONOTONIC) > end {
            return false;
        }
        let _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(5 * MS), None);
    }
    true
}

static SPIN_STOP: AtomicUsize = AtomicUsize::new(0);

/// A thread that burns CPU until SPIN_STOP is set.
fn spinner(_: usize) -> i32 {
    while SPIN_STOP.load(SeqCst) == 0 {
        core::hint::spin_loop();
    }
    0
}

static ALRM: AtomicUsize = AtomicUsize::new(0);
static ALRM_CODE: AtomicI32 = AtomicI32::new(0);
static VT: AtomicUsize = AtomicUsize::new(0);
static PROF: AtomicUsize = AtomicUsize::new(0);
/// The last SI_TIMER signal: count, signo, code, timer id, overrun, value, handler tid.
static T_COUNT: AtomicUsize = AtomicUsize::new(0);
static T_SIGNO: AtomicI32 = AtomicI32::new(0);
static T_CODE: AtomicI32 = AtomicI32::new(0);
static T_ID: AtomicI32 = AtomicI32::new(0);
static T_OVERRUN: AtomicI32 = AtomicI32::new(0);
static T_VALUE: AtomicU64 = AtomicU64::new(0);
static T_TID: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_alrm(_sig: i32, info: *mut SigInfo, _uc: *mut UContext) {
    // SAFETY: the kernel passes a valid siginfo.
    ALRM_CODE.store(unsafe { (*info).si_code }, SeqCst);
    ALRM.fetch_add(1, SeqCst);
}

extern "C" fn on_vt(_sig: i32) {
    VT.fetch_add(1, SeqCst);
}

extern "C" fn on_prof(_sig: i32) {
    PROF.fetch_add(1, SeqCst);
}

extern "C" fn on_timer(sig: i32, info: *mut SigInfo, _uc: *mut UContext) {
    // SAFETY: the kernel passes a valid siginfo.
    let i = unsafe { &*info };
    T_SIGNO.store(sig, SeqCst);
    T_CODE.store(i.si_code, SeqCst);
    T_ID.store(i.fields[0] as u32 as i32, SeqCst);
    T_OVERRUN.store((i.fields[0] >> 32) as u32 as i32, SeqCst);
    T_VALUE.store(i.fields[1], SeqCst);
    T_TID.store(ulib::gettid(), SeqCst);
    T_COUNT.fetch_add(1, SeqCst);
}

fn clocks(tap: &mut Tap, linnet: bool) {
    let real = now(CLOCK_REALTIME);
    tap.ok(
        real > 1_577_836_800 * 1_000_000_000,
        "CLOCK_REALTIME is wall time (after 2020)",
    );
    let tv = gettimeofday().map_or(0, |t| t.as_us() * 1000);
    let real2 = now(CLOCK_REALTIME);
    tap.ok(
        tv >= real - 1_000 && tv <= real2,
        "gettimeofday agrees with clock_gettime(CLOCK_REALTIME)",
    );
    // SAFETY: null pointers; the kernel writes nothing.
    let r = unsafe { syscall2(nr::__NR_gettimeofday, 0, 0) };
    tap.eq(r, 0, "gettimeofday(NULL, NULL) succeeds");
    // SAFETY: a bad pointer: the kernel must refuse it.
    let r = unsafe { syscall2(nr::__NR_gettimeofday, BAD, 0) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "gettimeofday to a bad pointer: EFAULT",
    );
    let mut tz = [7i32; 2];
    // SAFETY: tz is ours to write.
    let r = unsafe { syscall2(nr::__NR_gettimeofday, 0, tz.as_mut_ptr() as usize) };
    tap.ok(
        r == 0 && tz == [0, 0],
        "gettimeofday reports time zone 0 (UTC)",
    );
    let b1 = now(CLOCK_BOOTTIME);
    let m = now(CLOCK_MONOTONIC);
    tap.ok(
        b1 > 0 && m > 0,
        "CLOCK_BOOTTIME and CLOCK_MONOTONIC count from boot",
    );
    tap.eq(
        clock_gettime(100).err(),
        Some(Errno::EINVAL),
        "clock_gettime(100): EINVAL",
    );
    // SAFETY: a bad pointer.
    let r = unsafe { syscall2(nr::__NR_clock_gettime, 1, BAD) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "clock_gettime to a bad pointer: EFAULT",
    );

    // clock_getres: 1 ns for hrtimer clocks and the CPU clocks, a tick for coarse ones.
    let one = Timespec {
        tv_sec: 0,
        tv_nsec: 1,
    };
    let fine = [
        CLOCK_REALTIME,
        CLOCK_MONOTONIC,
        CLOCK_BOOTTIME,
        CLOCK_MONOTONIC_RAW,
        CLOCK_PROCESS_CPUTIME_ID,
        CLOCK_THREAD_CPUTIME_ID,
    ];
    tap.ok(
        fine.iter().all(|&c| clock_getres(c) == Ok(one)),
        "clock_getres: 1 ns for REALTIME, MONOTONIC, BOOTTIME, RAW and the CPU clocks",
    );
    let coarse = clock_getres(CLOCK_MONOTONIC_COARSE).map_or(0, |t| t.as_ns());
    tap.ok(
        (1_000_000..=10_000_000).contains(&coarse)
            && clock_getres(CLOCK_REALTIME_COARSE).map(|t| t.as_ns()) == Ok(coarse),
        "clock_getres: the COARSE clocks have the tick's resolution (1-10 ms)",
    );
    // SAFETY: NULL res is allowed.
    let r = unsafe { syscall2(nr::__NR_clock_getres, 0, 0) };
    tap.eq(r, 0, "clock_getres(REALTIME, NULL) succeeds");
    tap.eq(
        clock_getres(64).err(),
        Some(Errno::EINVAL),
        "clock_getres(64): EINVAL",
    );
    // qemu-user 7.2 ignores the failed copy-out and returns 0; Linux says EFAULT.
    if linnet {
        // SAFETY: a bad pointer.
        let r = unsafe { syscall2(nr::__NR_clock_getres, 1, BAD) };
        tap.eq(
            err(r),
            Some(Errno::EFAULT),
            "clock_getres to a bad pointer: EFAULT",
        );
    } else {
        tap.skip(
            "clock_getres to a bad pointer: EFAULT",
            "qemu-user ignores the failed copy",
        );
    }

    // Setting the clock: arguments are checked before permission (so these are safe
    // to run as root under qemu-user too).
    let t = Timespec {
        tv_sec: 1_800_000_000,
        tv_nsec: 0,
    };
    tap.eq(
        clock_settime(CLOCK_MONOTONIC, &t).err(),
        Some(Errno::EINVAL),
        "clock_settime(CLOCK_MONOTONIC): EINVAL",
    );
    tap.eq(
        clock_settime(CLOCK_PROCESS_CPUTIME_ID, &t).err(),
        Some(Errno::EINVAL),
        "clock_settime(CLOCK_PROCESS_CPUTIME_ID): EINVAL",
    );
    tap.eq(
        clock_settime(CLOCK_REALTIME_COARSE, &t).err(),
        Some(Errno::EINVAL),
        "clock_settime(CLOCK_REALTIME_COARSE): EINVAL",
    );
    // SAFETY: a bad pointer.
    let r = unsafe { syscall2(nr::__NR_clock_settime, 0, BAD) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "clock_settime from a bad pointer: EFAULT",
    );
    let bad_ns = Timespec {
        tv_sec: 1_800_000_000,
        tv_nsec: 1_000_000_000,
    };
    tap.eq(
        clock_settime(CLOCK_REALTIME, &bad_ns).err(),
        Some(Errno::EINVAL),
        "clock_settime with tv_nsec 1e9: EINVAL",
    );
    let bad_tv = Timeval {
        tv_sec: 1_800_000_000,
        tv_usec: 1_000_001,
    };
    tap.eq(
        settimeofday(Some(&bad_tv), None).err(),
        Some(Errno::EINVAL),
        "settimeofday with tv_usec > 1e6: EINVAL",
    );
    // SAFETY: a bad pointer.
    let r = unsafe { syscall2(nr::__NR_settimeofday, BAD, 0) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "settimeofday from a bad pointer: EFAULT",
    );

    // Really moving the wall clock: Linnet only (under qemu-user this would be the host's).
    if linnet {
        let (r0, m0) = (now(CLOCK_REALTIME), now(CLOCK_MONOTONIC));
        let ahead = ts(r0 + 1000 * 1_000_000_000);
        let set = clock_settime(CLOCK_REALTIME, &ahead);
        let (r1, m1) = (now(CLOCK_REALTIME), now(CLOCK_MONOTONIC));
        let _ = clock_settime(CLOCK_REALTIME, &ts(r1 - 1000 * 1_000_000_000));
        tap.ok(
            set.is_ok() && r1 - r0 >= 1000 * 1_000_000_000 && m1 - m0 < 1_000_000_000,
            "clock_settime moves CLOCK_REALTIME by 1000 s, not CLOCK_MONOTONIC",
        );
        let set = settimeofday(None, Some(&[-60, 0]));
        let mut tz = [0i32; 2];
        // SAFETY: tz is ours to write.
        unsafe { syscall2(nr::__NR_gettimeofday, 0, tz.as_mut_ptr() as usize) };
        let _ = settimeofday(None, Some(&[0, 0]));
        tap.ok(
            set.is_ok() && tz == [-60, 0],
            "settimeofday stores the time zone gettimeofday reports",
        );
        tap.eq(
            settimeofday(None, Some(&[16 * 60, 0])).err(),
            Some(Errno::EINVAL),
            "settimeofday with a time zone beyond 15 hours: EINVAL",
        );
    } else {
        for name in [
            "clock_settime moves CLOCK_REALTIME by 1000 s, not CLOCK_MONOTONIC",
            "settimeofday stores the time zone gettimeofday reports",
            "settimeofday with a time zone beyond 15 hours: EINVAL",
        ] {
            tap.skip(name, "would set the host's clock");
        }
    }
}

fn sleeps(tap: &mut Tap, linnet: bool) {
    let t0 = now(CLOCK_MONOTONIC);
    let r = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(30 * MS), None);
    tap.ok(
        r.is_ok() && now(CLOCK_MONOTONIC) - t0 >= 30 * MS,
        "clock_nanosleep relative MONOTONIC 30 ms sleeps >= 30 ms",
    );
    let t0 = now(CLOCK_MONOTONIC);
    let r = clock_nanosleep(CLOCK_BOOTTIME, 0, &ts(20 * MS), None);
    tap.ok(
        r.is_ok() && now(CLOCK_MONOTONIC) - t0 >= 20 * MS,
        "clock_nanosleep relative BOOTTIME 20 ms",
    );
    let deadline = now(CLOCK_MONOTONIC) + 30 * MS;
    let r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts(deadline), None);
    tap.ok(
        r.is_ok() && now(CLOCK_MONOTONIC) >= deadline,
        "clock_nanosleep TIMER_ABSTIME MONOTONIC wakes at the deadline",
    );
    let deadline = now(CLOCK_REALTIME) + 30 * MS;
    let r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts(deadline), None);
    tap.ok(
        r.is_ok() && now(CLOCK_REALTIME) >= deadline,
        "clock_nanosleep TIMER_ABSTIME REALTIME wakes at the deadline",
    );
    let t0 = now(CLOCK_MONOTONIC);
    let r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts(MS), None); // 1 ms after boot
    tap.ok(
        r.is_ok() && now(CLOCK_MONOTONIC) - t0 < 200 * MS,
        "clock_nanosleep to a past absolute time returns at once",
    );
    tap.eq(
        clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts(MS), None).err(),
        Some(Errno::EOPNOTSUPP),
        "clock_nanosleep on CLOCK_THREAD_CPUTIME_ID: EOPNOTSUPP",
    );
    tap.eq(
        clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &ts(MS), None).err(),
        Some(Errno::EOPNOTSUPP),
        "clock_nanosleep on CLOCK_MONOTONIC_RAW: EOPNOTSUPP",
    );
    tap.eq(
        clock_nanosleep(100, 0, &ts(MS), None).err(),
        Some(Errno::EINVAL),
        "clock_nanosleep on clock 100: EINVAL",
    );
    let bad = Timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000_000,
    };
    tap.eq(
        clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, None).err(),
        Some(Errno::EINVAL),
        "clock_nanosleep with tv_nsec 1e9: EINVAL",
    );
    // SAFETY: a bad pointer.
    let r = unsafe { syscall4(nr::__NR_clock_nanosleep, 1, 0, BAD, 0) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "clock_nanosleep from a bad pointer: EFAULT",
    );

    // Interrupted by a handler (SIGALRM from ITIMER_REAL): EINTR, `rem` for relative only.
    let _ = sigaction_info(SIGALRM, on_alrm, 0, 0);
    let arm = |ms| {
        let v = Itimerval {
            it_interval: Timeval::default(),
            it_value: Timeval::from_ms(ms),
        };
        setitimer(ITIMER_REAL, Some(&v), None)
    };
    let _ = arm(50);
    let mut rem = Timespec::default();
    let r = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(2000 * MS), Some(&mut rem));
    tap.ok(
        r == Err(Errno::EINTR) && rem.as_ns() > 1000 * MS && rem.as_ns() < 2000 * MS,
        "a relative sleep cut short by a handler: EINTR, rem = the time left",
    );
    let _ = arm(50);
    let mut rem = Timespec {
        tv_sec: 77,
        tv_nsec: 77,
    };
    let deadline = now(CLOCK_MONOTONIC) + 2000 * MS;
    // SAFETY: rem is ours; the kernel must not write it for an absolute sleep.
    let r = unsafe {
        syscall4(
            nr::__NR_clock_nanosleep,
            CLOCK_MONOTONIC as usize,
            TIMER_ABSTIME as usize,
            &ts(deadline) as *const _ as usize,
            &mut rem as *mut _ as usize,
        )
    };
    tap.ok(
        err(r) == Some(Errno::EINTR) && rem.tv_sec == 77 && rem.tv_nsec == 77,
        "an absolute sleep cut short by a handler: EINTR, rem untouched",
    );

    // On the process CPU clock: sleeps until another thread has spun 50 ms of CPU time.
    // (ITIMER_REAL ends the sleep after 3 s should the CPU time never come.)
    let name = "clock_nanosleep on CLOCK_PROCESS_CPUTIME_ID waits for the process's CPU time";
    match ulib::map_anon(64 * 1024).and_then(|s| ulib::spawn_thread(s, 0, spinner, 0)) {
        Ok(t) => {
            let _ = arm(3000);
            let c0 = now(CLOCK_PROCESS_CPUTIME_ID);
            let r = clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ts(50 * MS), None);
            let c1 = now(CLOCK_PROCESS_CPUTIME_ID);
            let _ = setitimer(ITIMER_REAL, None, None);
            SPIN_STOP.store(1, SeqCst);
            t.join();
            tap.ok(r.is_ok() && c1 - c0 >= 50 * MS, name);
        }
        Err(e) => {
            tap.ok(false, name);
            tap.diag(format_args!("spawn_thread: {:?}", e));
        }
    }

    // An absolute REALTIME sleep follows the wall clock (Linnet only: sets the clock).
    if linnet {
        let child = spawn(|| {
            let deadline = now(CLOCK_REALTIME) + 5000 * MS;
            match clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts(deadline), None) {
                Ok(()) => 0,
                Err(_) => 1,
            }
        });
        let t0 = now(CLOCK_MONOTONIC);
        let _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(50 * MS), None);
        let _ = clock_settime(CLOCK_REALTIME, &ts(now(CLOCK_REALTIME) + 5000 * MS));
        let status = reap(child);
        let took = now(CLOCK_MONOTONIC) - t0;
        let _ = clock_settime(CLOCK_REALTIME, &ts(now(CLOCK_REALTIME) - 5000 * MS));
        tap.ok(
            status == Some(0) && took < 1000 * MS,
            "an absolute REALTIME sleep ends early when the clock is set past it",
        );
    } else {
        tap.skip(
            "an absolute REALTIME sleep ends early when the clock is set past it",
            "would set the host's clock",
        );
    }
}

fn itimers(tap: &mut Tap) {
    let _ = sigaction_info(SIGALRM, on_alrm, 0, 0);
    tap.eq(alarm(5), 0, "alarm(5) with no alarm set returns 0");
    tap.eq(alarm(0), 5, "alarm(0) cancels it and returns the 5 s left");
    let before = ALRM.load(SeqCst);
    alarm(1);
    let got = wait_until(3000, || ALRM.load(SeqCst) > before);
    tap.ok(
        got && ALRM_CODE.load(SeqCst) == SI_KERNEL,
        "alarm(1) delivers SIGALRM (SI_KERNEL) to the handler",
    );

    let v = Itimerval {
        it_interval: Timeval::from_ms(20),
        it_value: Timeval::from_ms(20),
    };
    let before = ALRM.load(SeqCst);
    let r = setitimer(ITIMER_REAL, Some(&v), None);
    let got = wait_until(2000, || ALRM.load(SeqCst) >= before + 3);
    let mut old = Itimerval::default();
    let _ = setitimer(ITIMER_REAL, None, Some(&mut old));
    tap.ok(
        r.is_ok() && got,
        "setitimer ITIMER_REAL with an interval fires repeatedly",
    );
    tap.eq(
        old.it_interval,
        Timeval::from_ms(20),
        "setitimer returns the old interval",
    );
    tap.eq(
        getitimer(ITIMER_REAL),
        Ok(Itimerval::default()),
        "setitimer(NULL) disarmed it: getitimer says 0",
    );

    let v = Itimerval {
        it_interval: Timeval::from_ms(250),
        it_value: Timeval::from_ms(1000),
    };
    let _ = setitimer(ITIMER_REAL, Some(&v), None);
    let _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(30 * MS), None);
    let g = getitimer(ITIMER_REAL).unwrap_or_default();
    tap.ok(
        g.it_value.as_us() > 500_000 && g.it_value.as_us() <= 975_000,
        "getitimer ITIMER_REAL counts down",
    );
    tap.eq(
        g.it_interval,
        Timeval::from_ms(250),
        "getitimer reports the interval",
    );
    let status = reap(spawn(|| match getitimer(ITIMER_REAL) {
        Ok(v) if v == Itimerval::default() => 0,
        _ => 1,
    }));
    tap.eq(status, Some(0), "fork does not inherit ITIMER_REAL");
    let _ = setitimer(ITIMER_REAL, None, None);

    tap.eq(
        setitimer(3, Some(&v), None).err(),
        Some(Errno::EINVAL),
        "setitimer(3): EINVAL",
    );
    let bad = Itimerval {
        it_interval: Timeval::default(),
        it_value: Timeval {
            tv_sec: 0,
            tv_usec: 1_000_000,
        },
    };
    tap.eq(
        setitimer(ITIMER_REAL, Some(&bad), None).err(),
        Some(Errno::EINVAL),
        "setitimer with tv_usec 1e6: EINVAL",
    );
    // SAFETY: bad pointers.
    let r = unsafe { syscall3(nr::__NR_setitimer, 0, BAD, 0) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "setitimer from a bad pointer: EFAULT",
    );
    // SAFETY: as above.
    let r = unsafe { syscall2(nr::__NR_getitimer, 0, BAD) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "getitimer to a bad pointer: EFAULT",
    );
    tap.eq(
        getitimer(5).err(),
        Some(Errno::EINVAL),
        "getitimer(5): EINVAL",
    );

    let _ = sigaction(SIGVTALRM, on_vt, 0, 0);
    let _ = sigaction(SIGPROF, on_prof, 0, 0);
    let v = Itimerval {
        it_interval: Timeval::from_ms(10),
        it_value: Timeval::from_ms(30),
    };
    let rv = setitimer(ITIMER_VIRTUAL, Some(&v), None);
    let rp = setitimer(ITIMER_PROF, Some(&v), None);
    let g = getitimer(ITIMER_VIRTUAL).unwrap_or_default();
    tap.ok(
        g.it_value.as_us() > 0 && g.it_value.as_us() <= 40_000 && g.it_interval == v.it_interval,
        "getitimer ITIMER_VIRTUAL reports the value and interval",
    );
    let vt = spin_until(3000, || VT.load(SeqCst) >= 2);
    let prof = spin_until(3000, || PROF.load(SeqCst) >= 2);
    let _ = setitimer(ITIMER_VIRTUAL, None, None);
    let _ = setitimer(ITIMER_PROF, None, None);
    tap.ok(
        rv.is_ok() && vt,
        "ITIMER_VIRTUAL sends SIGVTALRM as user time passes, repeatedly",
    );
    tap.ok(
        rp.is_ok() && prof,
        "ITIMER_PROF sends SIGPROF as CPU time passes, repeatedly",
    );
}

fn posix_timers(tap: &mut Tap, linnet: bool) {
    let _ = sigaction_info(SIGUSR1, on_timer, 0, 0);
    let _ = sigaction_info(SIGUSR2, on_timer, 0, 0);
    let ev = Sigevent::new(SIGEV_SIGNAL, SIGUSR1, 0x1234_5678_9abc);
    let id = timer_create(CLOCK_MONOTONIC, Some(&ev));
    let id = id.unwrap_or(-1);
    let one = Itimerspec {
        it_interval: Timespec::default(),
        it_value: ts(20 * MS),
    };
    let before = T_COUNT.load(SeqCst);
    let r = timer_settime(id, 0, &one, None);
    let got = wait_until(2000, || T_COUNT.load(SeqCst) > before);
    tap.ok(
        r.is_ok() && got && T_SIGNO.load(SeqCst) == SIGUSR1,
        "timer_create SIGEV_SIGNAL: the timer's signal arrives",
    );
    tap.eq(
        (
            T_CODE.load(SeqCst),
            T_VALUE.load(SeqCst),
            T_OVERRUN.load(SeqCst),
        ),
        (SI_TIMER, 0x1234_5678_9abc, 0),
        "its siginfo: si_code SI_TIMER, si_value, si_overrun 0",
    );
    // qemu-user hands out its own timer ids (0x0caf0000 | n) and passes the host's
    // si_timerid through, so there the two differ.
    let tid = T_ID.load(SeqCst);
    tap.ok(
        tid == id || (!linnet && id as u32 & 0xffff_0000 == 0x0caf_0000),
        "its si_timerid is the timer's id",
    );
    tap.eq(
        timer_gettime(id).map(|v| v.it_value.as_ns()),
        Ok(0),
        "an expired one-shot timer reads 0",
    );
    // timer_settime returns the old setting.
    let long = Itimerspec {
        it_interval: ts(100 * MS),
        it_value: ts(900 * MS),
    };
    let _ = timer_settime(id, 0, &long, None);
    let mut old = Itimerspec::default();
    let r = timer_settime(id, 0, &Itimerspec::default(), Some(&mut old));
    tap.ok(
        r.is_ok()
            && old.it_interval == ts(100 * MS)
            && old.it_value.as_ns() > 800 * MS
            && old.it_value.as_ns() <= 900 * MS,
        "timer_settime returns the old value and interval",
    );
    tap.eq(
        timer_gettime(id),
        Ok(Itimerspec::default()),
        "a zero it_value disarms the timer",
    );

    // Overruns: a periodic 10 ms timer whose signal is blocked for ~100 ms.
    let ev2 = Sigevent::new(SIGEV_SIGNAL, SIGUSR2, 99);
    let id2 = timer_create(CLOCK_MONOTONIC, Some(&ev2)).unwrap_or(-1);
    let mask = sigmask(SIGUSR2);
    let _ = rt_sigprocmask(SIG_BLOCK, Some(&mask), None);
    let per = Itimerspec {
        it_interval: ts(10 * MS),
        it_value: ts(10 * MS),
    };
    let before = T_COUNT.load(SeqCst);
    let t0 = now(CLOCK_MONOTONIC);
    let _ = timer_settime(id2, 0, &per, None);
    let _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(105 * MS), None);
    // Expiries at 10, 20, ... ms: the first is the signal, the rest overruns.
    let want = ((now(CLOCK_MONOTONIC) - t0) / (10 * MS) - 1) as i32;
    let _ = rt_sigprocmask(SIG_UNBLOCK, Some(&mask), None);
    let delivered = T_COUNT.load(SeqCst) == before + 1;
    let over = T_OVERRUN.load(SeqCst);
    let getover = timer_getoverrun(id2);
    let _ = timer_delete(id2);
    if !tap.ok(
        delivered && over >= 5 && (want - 3..=want + 1).contains(&over),
        "a blocked periodic timer's signal carries its overruns (about 9)",
    ) {
        tap.diag(format_args!("si_overrun {}, expected about {}", over, want));
    }
    tap.eq(
        getover,
        Ok(over as usize),
        "timer_getoverrun equals the delivered si_overrun",
    );

    // SIGEV_NONE: no signal, but timer_gettime counts down, and forward for periodic.
    let none = Sigevent::new(SIGEV_NONE, 0, 0);
    let id3 = timer_create(CLOCK_MONOTONIC, Some(&none)).unwrap_or(-1);
    let _ = timer_settime(
        id3,
        0,
        &Itimerspec {
            it_interval: Timespec::default(),
            it_value: ts(500 * MS),
        },
        None,
    );
    let a = timer_gettime(id3).map_or(0, |v| v.it_value.as_ns());
    let _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(50 * MS), None);
    let b = timer_gettime(id3).map_or(0, |v| v.it_value.as_ns());
    tap.ok(
        a > 300 * MS && a <= 500 * MS && b < a - 40 * MS && b > 0,
        "SIGEV_NONE: timer_gettime counts down",
    );
    let abs = now(CLOCK_MONOTONIC) + 30 * MS;
    let _ = timer_settime(
        id3,
        TIMER_ABSTIME,
        &Itimerspec {
            it_interval: Timespec::default(),
            it_value: ts(abs),
        },
        None,
    );
    let _ = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts(abs + 10 * MS), None);
    tap.eq(
        timer_gettime(id3).map(|v| v.it_value.as_ns()),
        Ok(0),
        "SIGEV_NONE with TIMER_ABSTIME: 0 once past",
    );
    let _ = timer_delete(id3);

    // SIGEV_THREAD_ID: to this thread.
    let me = ulib::gettid();
    let mut ev4 = Sigevent::new(SIGEV_THREAD_ID, SIGUSR1, 4);
    ev4.sigev_tid[0] = me;
    let id4 = timer_create(CLOCK_REALTIME, Some(&ev4));
    let before = T_COUNT.load(SeqCst);
    let _ = id4.map(|i| timer_settime(i, 0, &one, None));
    let got = wait_until(2000, || T_COUNT.load(SeqCst) > before);
    tap.ok(
        got && T_TID.load(SeqCst) == me && T_VALUE.load(SeqCst) == 4,
        "SIGEV_THREAD_ID: the signal goes to that thread",
    );
    let _ = id4.map(timer_delete);
    let child = spawn(|| {
        let _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(100 * MS), None);
        0
    });
    ev4.sigev_tid[0] = child; // a thread, but of another process
    let r = timer_create(CLOCK_MONOTONIC, Some(&ev4));
    let _ = reap(child);
    tap.eq(
        r.err(),
        Some(Errno::EINVAL),
        "SIGEV_THREAD_ID naming another process's thread: EINVAL",
    );

    // A CPU-time timer.
    let ev5 = Sigevent::new(SIGEV_SIGNAL, SIGUSR1, 5);
    let id5 = timer_create(CLOCK_PROCESS_CPUTIME_ID, Some(&ev5)).unwrap_or(-1);
    let before = T_COUNT.load(SeqCst);
    let r = timer_settime(id5, 0, &one, None);
    let got = spin_until(3000, || T_COUNT.load(SeqCst) > before);
    tap.ok(
        r.is_ok() && got && T_VALUE.load(SeqCst) == 5,
        "a CLOCK_PROCESS_CPUTIME_ID timer fires after 20 ms of CPU time",
    );
    let _ = timer_delete(id5);

    // Deleting, and bad arguments.
    tap.ok(timer_delete(id).is_ok(), "timer_delete");
    tap.eq(
        timer_gettime(id).err(),
        Some(Errno::EINVAL),
        "timer_gettime of a deleted timer: EINVAL",
    );
    tap.eq(
        timer_delete(id).err(),
        Some(Errno::EINVAL),
        "timer_delete of a deleted timer: EINVAL",
    );
    tap.eq(
        timer_settime(id, 0, &one, None).err(),
        Some(Errno::EINVAL),
        "timer_settime of a deleted timer: EINVAL",
    );
    tap.eq(
        timer_getoverrun(id).err(),
        Some(Errno::EINVAL),
        "timer_getoverrun of a deleted timer: EINVAL",
    );
    tap.eq(
        timer_create(100, Some(&ev)).err(),
        Some(Errno::EINVAL),
        "timer_create on clock 100: EINVAL",
    );
    tap.eq(
        timer_create(CLOCK_MONOTONIC_RAW, Some(&ev)).err(),
        Some(Errno::EOPNOTSUPP),
        "timer_create on CLOCK_MONOTONIC_RAW: EOPNOTSUPP",
    );
    tap.eq(
        timer_create(CLOCK_MONOTONIC, Some(&Sigevent::new(99, SIGUSR1, 0))).err(),
        Some(Errno::EINVAL),
        "timer_create with sigev_notify 99: EINVAL",
    );
    tap.eq(
        timer_create(CLOCK_MONOTONIC, Some(&Sigevent::new(SIGEV_SIGNAL, 0, 0))).err(),
        Some(Errno::EINVAL),
        "timer_create with signal 0: EINVAL",
    );
    let mut out = 0i32;
    // SAFETY: bad pointers.
    let r = unsafe { syscall3(nr::__NR_timer_create, 1, BAD, &mut out as *mut _ as usize) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "timer_create from a bad sigevent: EFAULT",
    );
    // SAFETY: as above.
    let r = unsafe { syscall3(nr::__NR_timer_create, 1, &ev as *const _ as usize, BAD) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "timer_create to a bad id pointer: EFAULT",
    );
    let id6 = timer_create(CLOCK_MONOTONIC, None).unwrap_or(-1);
    // SAFETY: as above.
    let r = unsafe { syscall4(nr::__NR_timer_settime, id6 as usize, 0, BAD, 0) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "timer_settime from a bad pointer: EFAULT",
    );
    // SAFETY: NULL new_value.
    let r = unsafe { syscall4(nr::__NR_timer_settime, id6 as usize, 0, 0, 0) };
    tap.eq(
        err(r),
        Some(Errno::EINVAL),
        "timer_settime with NULL: EINVAL",
    );
    let bad = Itimerspec {
        it_interval: Timespec::default(),
        it_value: Timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000_000,
        },
    };
    tap.eq(
        timer_settime(id6, 0, &bad, None).err(),
        Some(Errno::EINVAL),
        "timer_settime with tv_nsec 1e9: EINVAL",
    );
    // SAFETY: as above.
    let r = unsafe { syscall2(nr::__NR_timer_gettime, id6 as usize, BAD) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "timer_gettime to a bad pointer: EFAULT",
    );
    let _ = timer_delete(id6);
}

/// After exec (argv[1] = "exec-child"): ITIMER_REAL carried over, POSIX timer 0.. gone.
/// Exit 0 if so.
fn exec_child() -> i32 {
    let real = getitimer(ITIMER_REAL).map_or(0, |v| v.it_value.as_us());
    let gone = (0..4).all(|id| timer_gettime(id) == Err(Errno::EINVAL));
    let _ = setitimer(ITIMER_REAL, None, None);
    match (real > 0, gone) {
        (true, true) => 0,
        (false, _) => 2,
        (true, false) => 3,
    }
}

/// exec keeps ITIMER_REAL and deletes POSIX timers (Linux `begin_new_exec` ->
/// `exit_itimers`). Linnet only: under qemu-user /tests/timers is not there to exec.
fn exec_check(tap: &mut Tap, linnet: bool) {
    let name = "exec keeps ITIMER_REAL and deletes the POSIX timers";
    if !linnet {
        tap.skip(name, "needs /tests/timers");
        return;
    }
    let child = spawn(|| {
        for _ in 0..4 {
            let _ = timer_create(CLOCK_MONOTONIC, None);
        }
        let v = Itimerval {
            it_interval: Timeval::default(),
            it_value: Timeval::from_ms(10_000),
        };
        let _ = setitimer(ITIMER_REAL, Some(&v), None);
        let path = c"/tests/timers";
        let argv = [path.as_ptr(), c"exec-child".as_ptr(), core::ptr::null()];
        let envp = [core::ptr::null()];
        // SAFETY: NUL-terminated strings and NULL-terminated arrays that outlive the call.
        let _ = unsafe {
            ulib::process::execve(path.as_ptr().cast(), argv.as_ptr().cast(), envp.as_ptr())
        };
        1
    });
    let status = reap(child);
    if !tap.eq(status.map(ulib::wexitstatus), Some(0), name) {
        tap.diag("exit 1: exec failed; 2: ITIMER_REAL lost; 3: a POSIX timer survived");
    }
}

fn times_check(tap: &mut Tap) {
    let mut a = Tms::default();
    let t0 = times(Some(&mut a));
    let m0 = now(CLOCK_MONOTONIC);
    spin_cpu(150);
    let mut b = Tms::default();
    let _ = times(Some(&mut b));
    let used = (b.tms_utime + b.tms_stime) - (a.tms_utime + a.tms_stime);
    tap.ok(
        (5..=30).contains(&used),
        "times: 150 ms of spinning counts about 15 ticks of CPU time",
    );
    let _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts(100 * MS), None);
    let t1 = times(None);
    let wall = (now(CLOCK_MONOTONIC) - m0) / (10 * MS);
    let ticks = match (t0, t1) {
        (Ok(x), Ok(y)) => y as i128 - x as i128,
        _ => -1,
    };
    if !tap.ok(
        ticks >= wall - 3 && ticks <= wall + 3,
        "times returns clock ticks (100 a second)",
    ) {
        tap.diag(format_args!("{} ticks in {} wall ticks", ticks, wall));
    }
    let child = spawn(|| {
        spin_cpu(120);
        0
    });
    let _ = reap(child);
    let mut c = Tms::default();
    let _ = times(Some(&mut c));
    if !tap.ok(
        (4..=30).contains(&(c.tms_cutime + c.tms_cstime)),
        "times: a waited-for child's CPU time is in tms_cutime + tms_cstime",
    ) {
        tap.diag(format_args!("{:?}", c));
    }
    // SAFETY: a bad pointer.
    let r = unsafe { ulib::syscall::syscall1(nr::__NR_times, BAD) };
    tap.eq(
        err(r),
        Some(Errno::EFAULT),
        "times to a bad pointer: EFAULT",
    );
}

#[no_mangle]
fn main() -> i32 {
    if ulib::args().nth(1) == Some(b"exec-child".as_slice()) {
        return exec_child();
    }
    let mut tap = Tap::new(87);
    let linnet = ulib::is_linnet();
    clocks(&mut tap, linnet);
    sleeps(&mut tap, linnet);
    itimers(&mut tap);
    posix_timers(&mut tap, linnet);
    times_check(&mut tap);
    exec_check(&mut tap, linnet);
    tap.done()
}
