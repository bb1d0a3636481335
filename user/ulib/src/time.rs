//! Time: clock_gettime and nanosleep.
//!
//! Both take a `struct timespec` (64-bit seconds and nanoseconds on arm64). Linnet counts
//! time with the arm generic timer (`kernel/src/drivers/timer.rs`); CLOCK_MONOTONIC is
//! time since boot.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall2};

pub use uapi::time::{CLOCK_MONOTONIC, CLOCK_REALTIME};

/// struct timespec.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds, 0..=999_999_999.
    pub tv_nsec: i64,
}

const _: () = assert!(core::mem::size_of::<Timespec>() == 16);

impl Timespec {
    /// A timespec of `ms` milliseconds.
    pub fn from_ms(ms: u64) -> Timespec {
        Timespec {
            tv_sec: (ms / 1000) as i64,
            tv_nsec: (ms % 1000 * 1_000_000) as i64,
        }
    }

    /// The time in nanoseconds.
    pub fn as_ns(&self) -> i128 {
        self.tv_sec as i128 * 1_000_000_000 + self.tv_nsec as i128
    }
}

/// clock_gettime(2).
pub fn clock_gettime(clock: i32) -> SysResult<Timespec> {
    let mut ts = Timespec::default();
    // SAFETY: the kernel writes one timespec into ts, which we own.
    check(unsafe {
        syscall2(
            nr::__NR_clock_gettime,
            clock as usize,
            &mut ts as *mut _ as usize,
        )
    })?;
    Ok(ts)
}

/// nanosleep(2): sleep for `req`; if interrupted, the time left goes to `rem`.
pub fn nanosleep(req: &Timespec, rem: Option<&mut Timespec>) -> SysResult {
    let rem = rem.map_or(core::ptr::null_mut(), |r| r as *mut Timespec);
    // SAFETY: req is only read; rem is null or a timespec we own.
    check(unsafe { syscall2(nr::__NR_nanosleep, req as *const _ as usize, rem as usize) })
}

/// Sleep for `ms` milliseconds.
pub fn sleep_ms(ms: u64) -> SysResult {
    nanosleep(&Timespec::from_ms(ms), None)
}
