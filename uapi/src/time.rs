//! Clock ids, timer flags and interval timers (Linux `include/uapi/linux/time.h`).
//! `clockid_t` is a C `int`, hence `i32`.

/// The wall clock.
pub const CLOCK_REALTIME: i32 = 0;
/// Time since an arbitrary start (boot); never goes back.
pub const CLOCK_MONOTONIC: i32 = 1;
/// CPU time of the whole process.
pub const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
/// CPU time of the calling thread.
pub const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
/// CLOCK_MONOTONIC without NTP slewing.
pub const CLOCK_MONOTONIC_RAW: i32 = 4;
/// The wall clock at tick resolution.
pub const CLOCK_REALTIME_COARSE: i32 = 5;
/// CLOCK_MONOTONIC at tick resolution.
pub const CLOCK_MONOTONIC_COARSE: i32 = 6;
/// Time since boot, suspend included.
pub const CLOCK_BOOTTIME: i32 = 7;

/// clock_nanosleep / timer_settime flag: the time is absolute (Linux `TIMER_ABSTIME`).
pub const TIMER_ABSTIME: i32 = 1;

/// setitimer: wall time, SIGALRM.
pub const ITIMER_REAL: i32 = 0;
/// setitimer: user CPU time, SIGVTALRM.
pub const ITIMER_VIRTUAL: i32 = 1;
/// setitimer: user and system CPU time, SIGPROF.
pub const ITIMER_PROF: i32 = 2;
