//! Clocks and timers beyond `time`: clock_getres, clock_settime, clock_nanosleep,
//! gettimeofday, settimeofday, times, getitimer/setitimer (and `alarm` on top), and the
//! POSIX timers (timer_create, timer_settime, timer_gettime, timer_getoverrun,
//! timer_delete).
//!
//! The structs are Linux's arm64 layouts (`include/uapi/linux/time.h`,
//! `time_types.h`, `include/uapi/asm-generic/siginfo.h` for `struct sigevent`). On
//! Linnet the kernel side is `kernel/src/syscall/time.rs` and `kernel/src/time/`.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall1, syscall2, syscall3, syscall4};
use crate::time::Timespec;

/// si_code of a POSIX timer's signal.
pub use uapi::siginfo::SI_TIMER;
pub use uapi::siginfo::{SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD_ID};
pub use uapi::signal::{SIGPROF, SIGVTALRM};
pub use uapi::time::{
    CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW, CLOCK_PROCESS_CPUTIME_ID,
    CLOCK_REALTIME_COARSE, CLOCK_THREAD_CPUTIME_ID, ITIMER_PROF, ITIMER_REAL, ITIMER_VIRTUAL,
    TIMER_ABSTIME,
};

/// struct timeval.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeval {
    /// Seconds.
    pub tv_sec: i64,
    /// Microseconds, 0..=999_999.
    pub tv_usec: i64,
}

impl Timeval {
    /// `ms` milliseconds.
    pub fn from_ms(ms: u64) -> Timeval {
        Timeval {
            tv_sec: (ms / 1000) as i64,
            tv_usec: (ms % 1000 * 1000) as i64,
        }
    }

    /// In microseconds.
    pub fn as_us(&self) -> i128 {
        self.tv_sec as i128 * 1_000_000 + self.tv_usec as i128
    }
}

/// struct itimerval: the interval, then the value.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Itimerval {
    /// Reload value.
    pub it_interval: Timeval,
    /// Time to the next expiry (0: disarmed).
    pub it_value: Timeval,
}

/// struct itimerspec: the interval, then the value.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Itimerspec {
    /// Reload value.
    pub it_interval: Timespec,
    /// Time to the next expiry (0: disarmed).
    pub it_value: Timespec,
}

/// struct tms: CPU times in clock ticks (USER_HZ, 100 a second).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tms {
    /// User time of the process.
    pub tms_utime: i64,
    /// System time of the process.
    pub tms_stime: i64,
    /// User time of waited-for children.
    pub tms_cutime: i64,
    /// System time of waited-for children.
    pub tms_cstime: i64,
}

/// struct sigevent (64 bytes on arm64).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sigevent {
    /// sigev_value: what the signal carries in si_value.
    pub sigev_value: u64,
    /// The signal to send.
    pub sigev_signo: i32,
    /// SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID.
    pub sigev_notify: i32,
    /// sigev_notify_thread_id (for SIGEV_THREAD_ID), then padding.
    pub sigev_tid: [i32; 12],
}

const _: () = assert!(core::mem::size_of::<Sigevent>() == 64);

impl Sigevent {
    /// A sigevent of this kind, signal and value.
    pub fn new(notify: i32, signo: i32, value: u64) -> Sigevent {
        Sigevent {
            sigev_value: value,
            sigev_signo: signo,
            sigev_notify: notify,
            sigev_tid: [0; 12],
        }
    }
}

fn ptr<T>(p: Option<&T>) -> usize {
    p.map_or(0, |r| r as *const T as usize)
}

fn mptr<T>(p: Option<&mut T>) -> usize {
    p.map_or(0, |r| r as *mut T as usize)
}

/// clock_getres(2).
pub fn clock_getres(clock: i32) -> SysResult<Timespec> {
    let mut ts = Timespec::default();
    // SAFETY: the kernel writes one timespec into ts.
    check(unsafe {
        syscall2(
            nr::__NR_clock_getres,
            clock as usize,
            &mut ts as *mut _ as usize,
        )
    })?;
    Ok(ts)
}

/// clock_settime(2).
pub fn clock_settime(clock: i32, ts: &Timespec) -> SysResult<()> {
    // SAFETY: the kernel only reads ts.
    check(unsafe {
        syscall2(
            nr::__NR_clock_settime,
            clock as usize,
            ts as *const _ as usize,
        )
    })
    .map(drop)
}

/// clock_nanosleep(2), as the raw syscall: the error comes back as an Errno (the C
/// function returns it instead of setting errno).
pub fn clock_nanosleep(
    clock: i32,
    flags: i32,
    req: &Timespec,
    rem: Option<&mut Timespec>,
) -> SysResult<()> {
    // SAFETY: req is read; rem is null or ours to write.
    check(unsafe {
        syscall4(
            nr::__NR_clock_nanosleep,
            clock as usize,
            flags as usize,
            req as *const _ as usize,
            mptr(rem),
        )
    })
    .map(drop)
}

/// gettimeofday(2) with no time zone.
pub fn gettimeofday() -> SysResult<Timeval> {
    let mut tv = Timeval::default();
    // SAFETY: the kernel writes one timeval.
    check(unsafe { syscall2(nr::__NR_gettimeofday, &mut tv as *mut _ as usize, 0) })?;
    Ok(tv)
}

/// settimeofday(2): either may be None.
pub fn settimeofday(tv: Option<&Timeval>, tz: Option<&[i32; 2]>) -> SysResult<()> {
    // SAFETY: the kernel only reads them.
    check(unsafe { syscall2(nr::__NR_settimeofday, ptr(tv), ptr(tz)) }).map(drop)
}

/// times(2): fills `buf` and returns the clock ticks since an arbitrary start.
pub fn times(buf: Option<&mut Tms>) -> SysResult<usize> {
    // SAFETY: the kernel writes one tms, or nothing for null.
    check(unsafe { syscall1(nr::__NR_times, mptr(buf)) })
}

/// getitimer(2).
pub fn getitimer(which: i32) -> SysResult<Itimerval> {
    let mut v = Itimerval::default();
    // SAFETY: the kernel writes one itimerval.
    check(unsafe {
        syscall2(
            nr::__NR_getitimer,
            which as usize,
            &mut v as *mut _ as usize,
        )
    })?;
    Ok(v)
}

/// setitimer(2): arm (or with a zero value disarm) `which`; `old` gets the previous
/// setting.
pub fn setitimer(
    which: i32,
    new: Option<&Itimerval>,
    old: Option<&mut Itimerval>,
) -> SysResult<()> {
    // SAFETY: new is read, old written.
    check(unsafe { syscall3(nr::__NR_setitimer, which as usize, ptr(new), mptr(old)) }).map(drop)
}

/// alarm(3) as the C libraries write it: ITIMER_REAL for `secs` seconds, returning the
/// seconds that were left (rounded to nearest, at least 1 if any).
pub fn alarm(secs: u32) -> u32 {
    let new = Itimerval {
        it_interval: Timeval::default(),
        it_value: Timeval {
            tv_sec: secs as i64,
            tv_usec: 0,
        },
    };
    let mut old = Itimerval::default();
    if setitimer(ITIMER_REAL, Some(&new), Some(&mut old)).is_err() {
        return 0;
    }
    let s = old.it_value.tv_sec as u32;
    if old.it_value.tv_usec >= 500_000 || (s == 0 && old.it_value.tv_usec > 0) {
        s + 1
    } else {
        s
    }
}

/// timer_create(2): the new timer's id.
pub fn timer_create(clock: i32, ev: Option<&Sigevent>) -> SysResult<i32> {
    let mut id = 0i32;
    // SAFETY: ev is read, id written.
    check(unsafe {
        syscall3(
            nr::__NR_timer_create,
            clock as usize,
            ptr(ev),
            &mut id as *mut _ as usize,
        )
    })?;
    Ok(id)
}

/// timer_settime(2).
pub fn timer_settime(
    id: i32,
    flags: i32,
    new: &Itimerspec,
    old: Option<&mut Itimerspec>,
) -> SysResult<()> {
    // SAFETY: new is read, old written.
    check(unsafe {
        syscall4(
            nr::__NR_timer_settime,
            id as usize,
            flags as usize,
            new as *const _ as usize,
            mptr(old),
        )
    })
    .map(drop)
}

/// timer_gettime(2).
pub fn timer_gettime(id: i32) -> SysResult<Itimerspec> {
    let mut v = Itimerspec::default();
    // SAFETY: the kernel writes one itimerspec.
    check(unsafe {
        syscall2(
            nr::__NR_timer_gettime,
            id as usize,
            &mut v as *mut _ as usize,
        )
    })?;
    Ok(v)
}

/// timer_getoverrun(2).
pub fn timer_getoverrun(id: i32) -> SysResult<usize> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall1(nr::__NR_timer_getoverrun, id as usize) })
}

/// timer_delete(2).
pub fn timer_delete(id: i32) -> SysResult<()> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall1(nr::__NR_timer_delete, id as usize) }).map(drop)
}
