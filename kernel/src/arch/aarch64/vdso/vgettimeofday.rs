//! The vDSO's code (Linux `arch/arm64/kernel/vdso/vgettimeofday.c` on top of
//! `lib/vdso/gettimeofday.c`): `__kernel_clock_gettime`, `__kernel_gettimeofday` and
//! `__kernel_clock_getres` in user space, from the virtual counter (CNTVCT_EL0, which
//! the kernel lets EL0 read) and the `[vvar]` page the kernel keeps current; plus the
//! signal return trampoline (`sigreturn.S`).
//!
//! This file is not part of the kernel crate: `kernel/build.rs` compiles it on its own
//! (position independent, no `core` calls), links it with `rust-lld` as a shared object
//! (`vdso.lds`), and the kernel embeds the result (`vdso/mod.rs`). The code must need
//! no loader: no relocations, no data of its own, only PC-relative references.
//!
//! As in Linux, a clock the vDSO does not handle, or a data page saying the counter is
//! not usable (`VDSO_CLOCKMODE_NONE`), falls back to the real syscall, and the result
//! is the syscall's raw return value (0 or a negative errno), which the C library turns
//! into errno.
#![no_std]
#![allow(clippy::missing_safety_doc)]

#[path = "data.rs"]
#[allow(dead_code)] // the kernel uses the rest
mod data;

use core::sync::atomic::{fence, Ordering};
use data::{cycles_to_ns, mono_to_real, VdsoData, NSEC_PER_SEC, VDSO_CLOCKMODE_NONE};

core::arch::global_asm!(include_str!("sigreturn.S"));

// The uapi crate's clock ids and syscall numbers, included as source (this file is
// compiled on its own, without cargo: Linux's vDSO includes the uapi headers likewise).
#[allow(dead_code)]
#[path = "../../../../../uapi/src/time.rs"]
mod time;
#[allow(dead_code)]
#[path = "../../../../../uapi/src/unistd.rs"]
mod unistd;
use time::{
    CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME,
    CLOCK_REALTIME_COARSE,
};

const NR_CLOCK_GETTIME: u64 = unistd::__NR_clock_gettime as u64;
const NR_CLOCK_GETRES: u64 = unistd::__NR_clock_getres as u64;
const NR_GETTIMEOFDAY: u64 = unistd::__NR_gettimeofday as u64;

/// `struct timespec`.
#[repr(C)]
pub struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

/// `struct timeval`.
#[repr(C)]
pub struct Timeval {
    tv_sec: i64,
    tv_usec: i64,
}

/// `struct timezone`.
#[repr(C)]
pub struct Timezone {
    tz_minuteswest: i32,
    tz_dsttime: i32,
}

/// The data page, one page below this object's first byte (Linux `_vdso_data`, defined
/// by the linker script). `adrp` + `add` reach it PC-relative: no relocation.
fn vdso_data() -> &'static VdsoData {
    let p: *const VdsoData;
    // SAFETY: computes an address; touches no memory.
    unsafe {
        core::arch::asm!(
            "adrp {0}, _vdso_data",
            "add {0}, {0}, :lo12:_vdso_data",
            out(reg) p,
            options(pure, nomem, nostack)
        )
    };
    // SAFETY: exec maps the [vvar] page there, readable, for as long as this code is.
    unsafe { &*p }
}

/// CNTVCT_EL0, after an `isb` so the read is not hoisted above earlier instructions
/// (Linux `__arch_get_hw_counter` / `__arch_counter_get_cntvct`).
fn read_cntvct() -> u64 {
    let cnt: u64;
    // SAFETY: reads a register EL0 may read (the kernel set CNTKCTL_EL1.EL0VCTEN).
    unsafe { core::arch::asm!("isb", "mrs {}, cntvct_el0", out(reg) cnt, options(nostack)) };
    cnt
}

/// A syscall with two arguments: the fallback (Linux `clock_gettime_fallback` and
/// friends in `arch/arm64/include/asm/vdso/gettimeofday.h`).
unsafe fn syscall2(nr: u64, a: u64, b: u64) -> i64 {
    let ret: i64;
    // SAFETY: the caller passes the user's own arguments on to the kernel.
    unsafe {
        core::arch::asm!("svc #0", inlateout("x0") a => ret, in("x1") b, in("x8") nr,
            options(nostack))
    };
    ret
}

/// Monotonic and realtime nanoseconds now, read consistently under the sequence count
/// (Linux `do_hres` with `vdso_read_begin`/`vdso_read_retry`); `None` when the counter
/// may not be used.
fn read_clocks(vd: &VdsoData) -> Option<(u64, u64)> {
    loop {
        let seq = vd.seq.load(Ordering::Acquire);
        if seq & 1 != 0 {
            core::hint::spin_loop();
            continue;
        }
        if vd.clock_mode.load(Ordering::Relaxed) == VDSO_CLOCKMODE_NONE {
            return None;
        }
        let freq = vd.cntfrq.load(Ordering::Relaxed);
        let offs = vd.offs_real.load(Ordering::Relaxed);
        let cnt = read_cntvct();
        fence(Ordering::Acquire);
        if vd.seq.load(Ordering::Relaxed) == seq {
            let mono = cycles_to_ns(cnt, freq);
            return Some((mono, mono_to_real(mono, offs)));
        }
    }
}

/// The nanoseconds `clock` reads now, if the vDSO handles it: REALTIME (and COARSE) is
/// wall time, the others count from boot, exactly as `sys_clock_gettime` computes them.
fn do_clock(clock: i32) -> Option<u64> {
    let real = match clock {
        CLOCK_REALTIME | CLOCK_REALTIME_COARSE => true,
        CLOCK_MONOTONIC | CLOCK_MONOTONIC_RAW | CLOCK_MONOTONIC_COARSE | CLOCK_BOOTTIME => false,
        _ => return None,
    };
    let (mono, realtime) = read_clocks(vdso_data())?;
    Some(if real { realtime } else { mono })
}

/// clock_gettime(2) in user space (Linux `__kernel_clock_gettime` ->
/// `__cvdso_clock_gettime`).
#[no_mangle]
pub unsafe extern "C" fn __kernel_clock_gettime(clock: i32, ts: *mut Timespec) -> i64 {
    match do_clock(clock) {
        Some(ns) => {
            // SAFETY: the caller's pointer; a bad one faults here, as in Linux's vDSO.
            unsafe {
                (*ts).tv_sec = (ns / NSEC_PER_SEC) as i64;
                (*ts).tv_nsec = (ns % NSEC_PER_SEC) as i64;
            }
            0
        }
        // SAFETY: the user's arguments go to the kernel, which checks them.
        None => unsafe { syscall2(NR_CLOCK_GETTIME, clock as i64 as u64, ts as u64) },
    }
}

/// gettimeofday(2) in user space (Linux `__kernel_gettimeofday` ->
/// `__cvdso_gettimeofday`): CLOCK_REALTIME in microseconds, and the timezone.
#[no_mangle]
pub unsafe extern "C" fn __kernel_gettimeofday(tv: *mut Timeval, tz: *mut Timezone) -> i64 {
    let vd = vdso_data();
    if !tv.is_null() {
        let Some((_, ns)) = read_clocks(vd) else {
            // SAFETY: as above, the kernel checks the arguments.
            return unsafe { syscall2(NR_GETTIMEOFDAY, tv as u64, tz as u64) };
        };
        // SAFETY: the caller's pointer.
        unsafe {
            (*tv).tv_sec = (ns / NSEC_PER_SEC) as i64;
            (*tv).tv_usec = (ns % NSEC_PER_SEC / 1000) as i64;
        }
    }
    if !tz.is_null() {
        // SAFETY: the caller's pointer.
        unsafe {
            (*tz).tz_minuteswest = vd.tz_minuteswest.load(Ordering::Relaxed) as i32;
            (*tz).tz_dsttime = vd.tz_dsttime.load(Ordering::Relaxed) as i32;
        }
    }
    0
}

/// clock_getres(2) in user space (Linux `__kernel_clock_getres` ->
/// `__cvdso_clock_getres_common`): the counter clocks resolve to `hrtimer_res`, the
/// coarse ones to a tick; a NULL `res` is allowed.
#[no_mangle]
pub unsafe extern "C" fn __kernel_clock_getres(clock: i32, res: *mut Timespec) -> i64 {
    let vd = vdso_data();
    let ns = match clock {
        CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_MONOTONIC_RAW | CLOCK_BOOTTIME => {
            vd.hrtimer_res.load(Ordering::Relaxed)
        }
        CLOCK_REALTIME_COARSE | CLOCK_MONOTONIC_COARSE => vd.coarse_res.load(Ordering::Relaxed),
        // SAFETY: the kernel checks the arguments.
        _ => return unsafe { syscall2(NR_CLOCK_GETRES, clock as i64 as u64, res as u64) },
    };
    if !res.is_null() {
        // SAFETY: the caller's pointer.
        unsafe {
            (*res).tv_sec = 0;
            (*res).tv_nsec = ns as i64;
        }
    }
    0
}
