//! vdso: the vDSO and the CPU features user space relies on, as Linux gives them.
//!
//! The kernel maps `[vvar]` and `[vdso]` into every new process and passes the vDSO's
//! address as AT_SYSINFO_EHDR; this program finds `__kernel_clock_gettime`,
//! `__kernel_gettimeofday`, `__kernel_clock_getres` and `__kernel_rt_sigreturn` through
//! its dynamic symbol table as musl and glibc do (`ulib::vdso`), and checks: each clock
//! the vDSO reads (REALTIME, MONOTONIC, MONOTONIC_RAW, both COARSE, BOOTTIME) agrees with
//! the syscall (it lies between two syscall readings), other clocks fall back to the
//! syscall (EINVAL for an unknown one), gettimeofday and clock_getres (the same as the
//! syscall's), and (Linnet only, it would set the host's clock under qemu-user) they follow
//! clock_settime and settimeofday's time zone; a handler
//! installed without SA_RESTORER returns, through `__kernel_rt_sigreturn`; EL0 `mrs` of
//! MIDR_EL1, MPIDR_EL1, ID_AA64PFR0_EL1 and ID_AA64ISAR0_EL1 gives Linux's sanitised
//! values (agreeing with AT_HWCAP), while an `mrs` outside the ID space is SIGILL;
//! CNTVCT_EL0 and CNTFRQ_EL0 are readable and the counter moves; /proc/self/maps shows
//! `[vdso]` at AT_SYSINFO_EHDR with `[vvar]` right below; a forked child's vDSO works,
//! also after MADV_DONTNEED dropped its pages,
//! a child's write to its vDSO (after mprotect) stays its own, a child unmapping its
//! vDSO leaves the parent's intact; and (on Linnet) no frame is lost doing all this.
//!
//! qemu-aarch64 7.2 gives programs no vDSO (no AT_SYSINFO_EHDR): there the checks that
//! need one are skipped (they run on Linnet and on Linux), so both verdicts agree.
//! On Linnet: `kernel/src/arch/aarch64/vdso/`, `arch/aarch64/cpufeature.rs`,
//! `mm/special_mapping.rs`, `setup_rt_frame` in `arch/aarch64/signal.rs`.
//! Syscalls used: clock_gettime, clock_getres, gettimeofday (through the vDSO's
//! fallback), clock_settime, settimeofday, rt_sigaction, kill, getpid, nanosleep, openat,
//! read, close, mprotect, madvise, munmap, clone (as fork), wait4, sysinfo, uname, write, exit_group.

#![no_std]
#![no_main]

use core::arch::{asm, global_asm};
use core::fmt::Display;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use ulib::mm::{PAGE_SIZE, PROT_READ, PROT_WRITE};
use ulib::process::{reap, spawn};
use ulib::signal::{rt_sigaction, sigaction_info, KSigaction, SigInfo, UContext, SIGILL};
use ulib::time::{Timespec, CLOCK_MONOTONIC, CLOCK_REALTIME};
use ulib::vdso::Vdso;
use ulib::Tap;

const VERSION: &str = "LINUX_2.6.39";
const SIGUSR1: i32 = ulib::uapi::signal::SIGUSR1;
const AT_HWCAP: u64 = ulib::uapi::auxvec::AT_HWCAP;
const CLOCK_PROCESS_CPUTIME_ID: i32 = ulib::uapi::time::CLOCK_PROCESS_CPUTIME_ID;
const CLOCK_MONOTONIC_RAW: i32 = ulib::uapi::time::CLOCK_MONOTONIC_RAW;
const CLOCK_REALTIME_COARSE: i32 = ulib::uapi::time::CLOCK_REALTIME_COARSE;
const CLOCK_MONOTONIC_COARSE: i32 = ulib::uapi::time::CLOCK_MONOTONIC_COARSE;
const CLOCK_BOOTTIME: i32 = ulib::uapi::time::CLOCK_BOOTTIME;
const EINVAL: i64 = 22;
const NO_VDSO: &str = "no vDSO (qemu-aarch64 7.2 maps none)";

type ClockFn = unsafe extern "C" fn(i32, *mut Timespec) -> i64;
type TodFn = unsafe extern "C" fn(*mut [i64; 2], *mut [i32; 2]) -> i64;

/// The three vDSO functions, found by symbol lookup.
#[derive(Clone, Copy)]
struct Fns {
    gettime: ClockFn,
    getres: ClockFn,
    tod: TodFn,
}

impl Fns {
    fn find(v: &Vdso) -> Option<Fns> {
        let (g, r, t) = (
            v.sym("__kernel_clock_gettime", VERSION)?,
            v.sym("__kernel_clock_getres", VERSION)?,
            v.sym("__kernel_gettimeofday", VERSION)?,
        );
        // SAFETY: the addresses are the vDSO's functions of these C signatures.
        unsafe {
            Some(Fns {
                gettime: core::mem::transmute::<usize, ClockFn>(g),
                getres: core::mem::transmute::<usize, ClockFn>(r),
                tod: core::mem::transmute::<usize, TodFn>(t),
            })
        }
    }

    fn gettime(&self, clock: i32) -> (i64, Timespec) {
        let mut ts = Timespec::default();
        // SAFETY: the vDSO's clock_gettime with a valid timespec.
        let r = unsafe { (self.gettime)(clock, &mut ts) };
        (r, ts)
    }
}

fn ns(ts: &Timespec) -> i128 {
    ts.as_ns()
}

/// Does the vDSO's reading of `clock` lie between two syscall readings?
fn agrees(f: &Fns, clock: i32) -> bool {
    let Ok(a) = ulib::clock_gettime(clock) else {
        return false;
    };
    let (r, v) = f.gettime(clock);
    let Ok(b) = ulib::clock_gettime(clock) else {
        return false;
    };
    r == 0 && ns(&a) <= ns(&v) && ns(&v) <= ns(&b) && v.tv_nsec < 1_000_000_000
}

// The SA_RESTORER-less handler: records x30 (where it will return) and counts calls.
static HANDLER_LR: AtomicU64 = AtomicU64::new(0);
static HANDLER_CALLS: AtomicU64 = AtomicU64::new(0);
global_asm!(
    ".globl norestorer_handler",
    "norestorer_handler:",
    "adrp x9, {lr}",
    "add x9, x9, :lo12:{lr}",
    "str x30, [x9]",
    "adrp x9, {calls}",
    "add x9, x9, :lo12:{calls}",
    "ldr x10, [x9]",
    "add x10, x10, #1",
    "str x10, [x9]",
    "ret",
    lr = sym HANDLER_LR,
    calls = sym HANDLER_CALLS,
);
extern "C" {
    fn norestorer_handler();
}

static SIGILLS: AtomicU64 = AtomicU64::new(0);
static SIGILL_PC: AtomicU64 = AtomicU64::new(0);

/// SIGILL: note where, and step over the instruction.
extern "C" fn on_sigill(_sig: i32, _info: *mut SigInfo, uc: *mut UContext) {
    SIGILLS.fetch_add(1, SeqCst);
    // SAFETY: the kernel passes a valid ucontext; moving pc on is what a handler may do.
    unsafe {
        SIGILL_PC.store((*uc).uc_mcontext.pc, SeqCst);
        (*uc).uc_mcontext.pc += 4;
    }
}

fn midr() -> u64 {
    let v: u64;
    // SAFETY: an ID register read; the kernel emulates it (HWCAP_CPUID).
    unsafe { asm!("mrs {}, midr_el1", out(reg) v) };
    v
}
fn mpidr() -> u64 {
    let v: u64;
    // SAFETY: as above.
    unsafe { asm!("mrs {}, mpidr_el1", out(reg) v) };
    v
}
fn pfr0() -> u64 {
    let v: u64;
    // SAFETY: as above.
    unsafe { asm!("mrs {}, id_aa64pfr0_el1", out(reg) v) };
    v
}
fn isar0() -> u64 {
    let v: u64;
    // SAFETY: as above.
    unsafe { asm!("mrs {}, id_aa64isar0_el1", out(reg) v) };
    v
}
fn cntvct() -> u64 {
    let v: u64;
    // SAFETY: EL0 may read the virtual counter (CNTKCTL_EL1.EL0VCTEN).
    unsafe { asm!("isb", "mrs {}, cntvct_el0", out(reg) v) };
    v
}
fn cntfrq() -> u64 {
    let v: u64;
    // SAFETY: readable at EL0 when the counter is.
    unsafe { asm!("mrs {}, cntfrq_el0", out(reg) v) };
    v
}

// `mrs x0, sctlr_el1` at a known address: EL0 may not, so SIGILL.
global_asm!(
    ".globl read_sctlr",
    "read_sctlr:",
    "mov x0, #0x5a",
    ".globl read_sctlr_insn",
    "read_sctlr_insn:",
    "mrs x0, sctlr_el1",
    "ret",
);
extern "C" {
    fn read_sctlr() -> u64;
    fn read_sctlr_insn();
}

/// /proc/self/maps, into `buf`; the length read.
fn read_maps(buf: &mut [u8]) -> usize {
    let Ok(fd) = ulib::openat(
        ulib::io::AT_FDCWD,
        c"/proc/self/maps",
        ulib::io::O_RDONLY,
        0,
    ) else {
        return 0;
    };
    let mut got = 0;
    while got < buf.len() {
        match ulib::read(fd as i32, &mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = ulib::close(fd as i32);
    got
}

fn hex(s: &[u8]) -> Option<usize> {
    let mut v = 0usize;
    for &c in s {
        v = v.checked_mul(16)? + (c as char).to_digit(16)? as usize;
    }
    (!s.is_empty()).then_some(v)
}

/// The (start, end, perms) of the maps line named `name`.
fn maps_entry(maps: &[u8], name: &[u8]) -> Option<(usize, usize, [u8; 4])> {
    for line in maps.split(|&c| c == b'\n') {
        if !line.ends_with(name) {
            continue;
        }
        let dash = line.iter().position(|&c| c == b'-')?;
        let sp = line.iter().position(|&c| c == b' ')?;
        let perms: [u8; 4] = line.get(sp + 1..sp + 5)?.try_into().ok()?;
        return Some((hex(&line[..dash])?, hex(&line[dash + 1..sp])?, perms));
    }
    None
}

/// The child's side of the fork checks: exit 0 if its vDSO reads clocks correctly and
/// its maps still name [vdso] at the same place.
fn child_uses_vdso(f: Fns, base: usize) -> i32 {
    if !agrees(&f, CLOCK_MONOTONIC) || !agrees(&f, CLOCK_REALTIME) {
        return 2;
    }
    let mut buf = [0u8; 4096];
    let n = read_maps(&mut buf);
    match maps_entry(&buf[..n], b"[vdso]") {
        Some((start, _, _)) if start == base => 0,
        _ => 3,
    }
}

/// A child writes into its vDSO's ELF header padding after making it writable: exit 0
/// if the write took (a private copy; the parent checks its own page is unchanged).
fn child_writes_vdso(base: usize) -> i32 {
    // SAFETY: only this child's copy of the vDSO page changes; it calls no vDSO code.
    if unsafe { ulib::mprotect(base, PAGE_SIZE, PROT_READ | PROT_WRITE) }.is_err() {
        return 2;
    }
    let p = (base + 15) as *mut u8; // EI_PAD, unused
                                    // SAFETY: the page is mapped and now writable.
    unsafe { core::ptr::write_volatile(p, 0xa5) };
    // SAFETY: as above.
    (unsafe { core::ptr::read_volatile(p) } != 0xa5) as i32
}

/// A child drops its vDSO pages with MADV_DONTNEED, then calls into the vDSO: the pages
/// must come back as the vDSO (Linux `special_mapping_fault`), not as zeros. Exit 0 if
/// the clock still agrees with the syscall.
fn child_dontneed_vdso(f: Fns, base: usize, end: usize) -> i32 {
    // SAFETY: the vDSO's pages are dropped and fault back in; nothing of ours is lost.
    if unsafe { ulib::mm::madvise(base, end - base, ulib::mm::MADV_DONTNEED) }.is_err() {
        return 2;
    }
    (!agrees(&f, CLOCK_MONOTONIC)) as i32 * 3
}

/// A child unmaps [vvar] and [vdso] and exits.
fn child_unmaps_vdso(vvar: usize, end: usize) -> i32 {
    // SAFETY: this child uses neither again before it exits.
    unsafe { ulib::munmap(vvar, end - vvar) }.is_err() as i32
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(43);
    let linnet = ulib::is_linnet();
    let vdso = Vdso::from_auxv();
    let hwcap = ulib::auxv(AT_HWCAP).unwrap_or(0);

    // the image and its symbols.
    let fns = vdso.as_ref().and_then(Fns::find);
    const SYMBOLS: [&str; 4] = [
        "__kernel_rt_sigreturn",
        "__kernel_clock_gettime",
        "__kernel_gettimeofday",
        "__kernel_clock_getres",
    ];
    let header = "vdso: AT_SYSINFO_EHDR points at an ELF shared object";
    match &vdso {
        Some(v) => {
            tap.ok(true, header);
            for s in SYMBOLS {
                tap.ok(
                    v.sym(s, VERSION).is_some(),
                    format_args!("vdso: exports {s}@{VERSION}"),
                );
            }
        }
        // Linnet always has one; qemu-user 7.2 has none.
        None => {
            if linnet {
                tap.ok(false, header);
            } else {
                tap.skip(header, NO_VDSO);
            }
            for s in SYMBOLS {
                let name = format_args!("vdso: exports {s}@{VERSION}");
                if linnet {
                    tap.ok(false, name);
                } else {
                    tap.skip(name, NO_VDSO);
                }
            }
        }
    }
    // What needs the vDSO: run it, or (only where there is none and this is not Linnet)
    // skip it.
    let need = |tap: &mut Tap, name: &dyn Display, check: &dyn Fn(&Fns) -> bool| match &fns {
        Some(f) => {
            tap.ok(check(f), name);
        }
        None if linnet => {
            tap.ok(false, name);
        }
        None => tap.skip(name, NO_VDSO),
    };

    // the clocks it reads agree with the syscall.
    for (clock, name) in [
        (CLOCK_REALTIME, "CLOCK_REALTIME"),
        (CLOCK_MONOTONIC, "CLOCK_MONOTONIC"),
        (CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"),
        (CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"),
        (CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"),
        (CLOCK_BOOTTIME, "CLOCK_BOOTTIME"),
    ] {
        need(
            &mut tap,
            &format_args!("vdso: clock_gettime({name}) agrees with the syscall"),
            &|f| agrees(f, clock),
        );
    }
    // fallback to the syscall.
    need(
        &mut tap,
        &"vdso: clock_gettime(99) falls back to the syscall: -EINVAL",
        &|f| f.gettime(99).0 == -EINVAL,
    );
    need(
        &mut tap,
        &"vdso: clock_gettime(CLOCK_PROCESS_CPUTIME_ID) falls back and succeeds",
        &|f| {
            let (r, ts) = f.gettime(CLOCK_PROCESS_CPUTIME_ID);
            r == 0 && ts.tv_sec >= 0 && ts.tv_nsec < 1_000_000_000
        },
    );
    // gettimeofday.
    need(
        &mut tap,
        &"vdso: gettimeofday lies between two CLOCK_REALTIME syscalls",
        &|f| {
            let a = ulib::clock_gettime(CLOCK_REALTIME).map(|t| ns(&t) / 1000);
            let mut tv = [0i64; 2];
            // SAFETY: the vDSO's gettimeofday with a valid timeval and no timezone.
            let r = unsafe { (f.tod)(&mut tv, core::ptr::null_mut()) };
            let b = ulib::clock_gettime(CLOCK_REALTIME).map(|t| ns(&t) / 1000);
            let v = tv[0] as i128 * 1_000_000 + tv[1] as i128;
            matches!((a, b), (Ok(a), Ok(b)) if r == 0 && a <= v && v <= b && tv[1] < 1_000_000)
        },
    );
    need(&mut tap, &"vdso: gettimeofday(NULL, &tz) succeeds", &|f| {
        let mut tz = [-1i32; 2];
        // SAFETY: as above, with only a timezone.
        let r = unsafe { (f.tod)(core::ptr::null_mut(), &mut tz) };
        r == 0 && tz != [-1, -1]
    });
    // clock_getres.
    need(
        &mut tap,
        &"vdso: clock_getres(CLOCK_REALTIME) and (CLOCK_MONOTONIC) are 1 ns",
        &|f| {
            [CLOCK_REALTIME, CLOCK_MONOTONIC].iter().all(|&c| {
                let mut ts = Timespec {
                    tv_sec: -1,
                    tv_nsec: -1,
                };
                // SAFETY: the vDSO's clock_getres with a valid timespec.
                let r = unsafe { (f.getres)(c, &mut ts) };
                r == 0 && ts.tv_sec == 0 && ts.tv_nsec == 1
            })
        },
    );
    need(
        &mut tap,
        &"vdso: clock_getres(CLOCK_MONOTONIC_COARSE) is one tick, at most 10 ms",
        &|f| {
            let mut ts = Timespec {
                tv_sec: -1,
                tv_nsec: -1,
            };
            // SAFETY: as above.
            let r = unsafe { (f.getres)(CLOCK_MONOTONIC_COARSE, &mut ts) };
            r == 0 && ts.tv_sec == 0 && ts.tv_nsec > 1 && ts.tv_nsec <= 10_000_000
        },
    );
    need(
        &mut tap,
        &"vdso: clock_getres agrees with the syscall for every clock it handles",
        &|f| {
            [0, 1, 4, 5, 6, 7].iter().all(|&c| {
                let mut ts = Timespec::default();
                // SAFETY: the vDSO's clock_getres with a valid timespec.
                let r = unsafe { (f.getres)(c, &mut ts) };
                let sys = ulib::timers::clock_getres(c);
                r == 0 && matches!(sys, Ok(t) if t.tv_sec == ts.tv_sec && t.tv_nsec == ts.tv_nsec)
            })
        },
    );
    need(
        &mut tap,
        &"vdso: clock_getres with a NULL timespec returns 0",
        &|f| {
            // SAFETY: a NULL res is allowed.
            unsafe { (f.getres)(CLOCK_MONOTONIC, core::ptr::null_mut()) == 0 }
        },
    );
    // monotonic over many calls.
    need(
        &mut tap,
        &"vdso: 2000 CLOCK_MONOTONIC readings never go backwards",
        &|f| {
            let mut last = 0i128;
            (0..2000).all(|_| {
                let t = ns(&f.gettime(CLOCK_MONOTONIC).1);
                let ok = t >= last;
                last = t;
                ok
            })
        },
    );

    // a handler without SA_RESTORER returns (on Linux through the vDSO).
    let act = KSigaction {
        handler: norestorer_handler as *const () as usize,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    // SAFETY: the handler is a leaf function that returns to x30.
    let installed = unsafe { rt_sigaction(SIGUSR1, Some(&act), None) }.is_ok();
    let sent = ulib::signal::kill(ulib::getpid(), SIGUSR1).is_ok();
    tap.ok(
        installed && sent && HANDLER_CALLS.load(SeqCst) == 1,
        "signal: a handler installed without SA_RESTORER runs and returns",
    );
    let lr = HANDLER_LR.load(SeqCst) as usize;
    need(
        &mut tap,
        &"signal: it returns to the vDSO's __kernel_rt_sigreturn",
        &|_| {
            vdso.as_ref()
                .and_then(|v| v.sym("__kernel_rt_sigreturn", VERSION))
                == Some(lr)
        },
    );

    // ID registers.
    tap.eq(
        (midr() >> 16) & 0xf,
        0xf,
        "cpu: mrs MIDR_EL1 works (architecture field 0xf)",
    );
    tap.eq(
        mpidr(),
        0x8000_0000,
        "cpu: mrs MPIDR_EL1 reads Linux's safe value 0x80000000",
    );
    let p = pfr0();
    tap.eq(
        p & 0x0f00_ffff,
        0x11,
        "cpu: ID_AA64PFR0_EL1: EL0/EL1 read AArch64-only, EL2/EL3/GIC hidden",
    );
    let fp = (p >> 16) & 0xf != 0xf;
    let asimd = (p >> 20) & 0xf != 0xf;
    tap.ok(
        fp == (hwcap & 1 != 0) && asimd == (hwcap & 2 != 0),
        "cpu: ID_AA64PFR0_EL1 FP/AdvSIMD agree with HWCAP_FP/HWCAP_ASIMD",
    );
    let i = isar0();
    let f = |shift: u32| (i >> shift) & 0xf;
    let agree = i & 0xf == 0
        && (f(4) >= 1) == (hwcap & (1 << 3) != 0) // AES
        && (f(4) >= 2) == (hwcap & (1 << 4) != 0) // PMULL
        && (f(8) >= 1) == (hwcap & (1 << 5) != 0) // SHA1
        && (f(12) >= 1) == (hwcap & (1 << 6) != 0) // SHA2
        && (f(16) >= 1) == (hwcap & (1 << 7) != 0) // CRC32
        && (f(20) >= 2) == (hwcap & (1 << 8) != 0); // ATOMICS
    tap.ok(
        agree,
        "cpu: ID_AA64ISAR0_EL1 agrees with AT_HWCAP (AES, PMULL, SHA1/2, CRC32, atomics)",
    );
    // outside the ID space: SIGILL at the mrs.
    let _ = sigaction_info(SIGILL, on_sigill, 0, 0);
    // SAFETY: read_sctlr traps; the handler steps over the mrs.
    let x0 = unsafe { read_sctlr() };
    tap.ok(
        SIGILLS.load(SeqCst) == 1
            && SIGILL_PC.load(SeqCst) == read_sctlr_insn as *const () as u64
            && x0 == 0x5a,
        "cpu: mrs of SCTLR_EL1 at EL0 is SIGILL at that instruction",
    );
    tap.ok(hwcap & (1 << 11) != 0, "cpu: AT_HWCAP has HWCAP_CPUID");

    // the counter.
    let freq = cntfrq();
    tap.ok(
        freq >= 1_000_000,
        "cpu: cntfrq_el0 is readable at EL0 (at least 1 MHz)",
    );
    let c0 = cntvct();
    let _ = ulib::time::sleep_ms(10);
    let c1 = cntvct();
    tap.ok(
        c1 > c0 && (c1 - c0) >= freq / 100,
        "cpu: cntvct_el0 is readable at EL0 and advances at least 10 ms over a 10 ms sleep",
    );

    // /proc/self/maps.
    let mut buf = [0u8; 4096];
    let n = read_maps(&mut buf);
    let maps = &buf[..n];
    let base = vdso.map_or(0, |v| v.base);
    let vd = maps_entry(maps, b"[vdso]");
    let vv = maps_entry(maps, b"[vvar]");
    need(
        &mut tap,
        &"maps: [vdso] starts at AT_SYSINFO_EHDR, r-xp",
        &|_| matches!(vd, Some((s, _, p)) if s == base && &p == b"r-xp"),
    );
    need(
        &mut tap,
        &"maps: [vvar] lies right below [vdso], r--p",
        &|_| matches!((vv, vd), (Some((_, e, p)), Some((s, _, _))) if e == s && &p == b"r--p"),
    );

    // fork.
    let (vvar_start, vdso_end) = match (vv, vd) {
        (Some((a, _, _)), Some((_, b, _))) => (a, b),
        _ => (0, 0),
    };
    need(
        &mut tap,
        &"fork: the child's vDSO works and sits where the parent's does",
        &|f| {
            let f = *f;
            reap(spawn(move || child_uses_vdso(f, base))) == Some(0)
        },
    );
    // The first fork warmed up whatever the parent's own memory needs; from here free RAM
    // must come back exactly after each child (a CoW copy of a vDSO page freed, the
    // shared frames never freed by an unmap or an exit).
    let free_before = ulib::sysinfo().map_or(0, |s| s.free_bytes());
    need(
        &mut tap,
        &"fork: a child's write to its vDSO after mprotect is its own copy",
        &|_| {
            // SAFETY: byte 15 of the parent's mapped vDSO.
            let before = unsafe { core::ptr::read_volatile((base + 15) as *const u8) };
            let child_ok = reap(spawn(move || child_writes_vdso(base))) == Some(0);
            // SAFETY: as above.
            let after = unsafe { core::ptr::read_volatile((base + 15) as *const u8) };
            child_ok && before == after && after != 0xa5
        },
    );
    need(
        &mut tap,
        &"fork: after MADV_DONTNEED on its [vdso] the child's vDSO still works",
        &|f| {
            let f = *f;
            vdso_end != 0 && reap(spawn(move || child_dontneed_vdso(f, base, vdso_end))) == Some(0)
        },
    );
    need(
        &mut tap,
        &"fork: a child unmapping its vDSO leaves the parent's working",
        &|f| {
            let child_ok = reap(spawn(move || child_unmaps_vdso(vvar_start, vdso_end))) == Some(0);
            // SAFETY: the parent's vDSO header.
            let magic = unsafe { core::ptr::read_volatile(base as *const [u8; 4]) };
            child_ok && vvar_start != 0 && &magic == b"\x7fELF" && agrees(f, CLOCK_MONOTONIC)
        },
    );

    // Setting the clock and the time zone reaches the data page (update_vsyscall,
    // update_vsyscall_tz). Linnet only: under qemu-user this would set the host's clock.
    if linnet {
        need(
            &mut tap,
            &"vdso: CLOCK_REALTIME follows clock_settime (+1000 s)",
            &|f| {
                let Ok(now) = ulib::clock_gettime(CLOCK_REALTIME) else {
                    return false;
                };
                let later = Timespec {
                    tv_sec: now.tv_sec + 1000,
                    tv_nsec: now.tv_nsec,
                };
                let set = ulib::timers::clock_settime(CLOCK_REALTIME, &later).is_ok();
                let (r, v) = f.gettime(CLOCK_REALTIME);
                let follows =
                    set && r == 0 && agrees(f, CLOCK_REALTIME) && v.tv_sec >= later.tv_sec;
                let back = Timespec {
                    tv_sec: v.tv_sec - 1000,
                    tv_nsec: v.tv_nsec,
                };
                let _ = ulib::timers::clock_settime(CLOCK_REALTIME, &back);
                follows && agrees(f, CLOCK_REALTIME)
            },
        );
        need(
            &mut tap,
            &"vdso: gettimeofday reports the time zone settimeofday stored",
            &|f| {
                let set = ulib::timers::settimeofday(None, Some(&[-60, 1])).is_ok();
                let mut tz = [0i32; 2];
                // SAFETY: the vDSO's gettimeofday with only a timezone.
                let r = unsafe { (f.tod)(core::ptr::null_mut(), &mut tz) };
                let _ = ulib::timers::settimeofday(None, Some(&[0, 0]));
                set && r == 0 && tz == [-60, 1]
            },
        );
    } else {
        let why = "would set the host's clock (Linnet only)";
        tap.skip("vdso: CLOCK_REALTIME follows clock_settime (+1000 s)", why);
        tap.skip(
            "vdso: gettimeofday reports the time zone settimeofday stored",
            why,
        );
    }

    // the same again after the children are gone: nothing was freed under us.
    need(
        &mut tap,
        &"vdso: still agrees with CLOCK_REALTIME after the children",
        &|f| agrees(f, CLOCK_REALTIME),
    );
    let (r, _) = fns.map_or((0, Timespec::default()), |f| f.gettime(CLOCK_MONOTONIC));
    tap.eq(r, 0, "vdso: clock_gettime returns 0 (or there is no vDSO)");
    if linnet {
        let free_after = ulib::sysinfo().map_or(0, |s| s.free_bytes());
        tap.eq(
            free_after,
            free_before,
            "frames: free RAM is back to where it was after the first fork",
        );
    } else {
        // Linux's free RAM moves for reasons of its own (page cache, other processes).
        tap.skip(
            "frames: free RAM is back to where it was after the first fork",
            "exact only on Linnet",
        );
    }
    tap.ok(true, "vdso: ran to completion");
    tap.done()
}
