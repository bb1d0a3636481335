//! faultprobe: the /init of the page-fault diagnosis (qemu/faultprof.py, with the QEMU
//! plugin qemu/plugin/tbcount.c). Each window of work is bracketed by calls to
//! `probe_mark_start` and `probe_mark_stop`, whose addresses the plugin is given: it
//! counts the guest instructions (user and kernel) executed between them. Windows:
//! 1 `fault`: touch each page of a fresh 16 MiB anonymous mapping (4096 faults; the
//! environment variable FAULT_MIB, a boot argument `FAULT_MIB=64`, changes the size);
//! 2 `munmap`: unmap that mapping; 3 `getpid`: 4096 getpid calls (the bare syscall
//! entry and exit, for comparison); 4 `brk_touch`: grow the break by a page and touch
//! it, 1024 times. Each window's time (CNTVCT) is printed as `PROBE name ns_per_op`.
//! FAULT_PASSES=N adds N timed passes of map, touch, unmap after the windows.
//! With FAULT_PERF=1 it sleeps 1.5 s before the fault window (for `perf record` to
//! attach). On Linux it then mounts /proc and prints the text symbols of /proc/kallsyms (nokaslr:
//! the addresses the plugin saw), so faultprof.py can name the functions.

#![no_std]
#![no_main]

use benchlib::{ticks, ticks_to_ns};
use core::arch::asm;
use ulib::mm::{brk, mmap, munmap, MAP_ANONYMOUS, MAP_PRIVATE, PAGE_SIZE, PROT_READ, PROT_WRITE};
use ulib::syscall::syscall5;
use ulib::{println, read, write};

/// The plugin snapshots its counters when a block starting here runs.
#[no_mangle]
#[inline(never)]
pub extern "C" fn probe_mark_start() {
    // SAFETY: a nop; the body differs from probe_mark_stop's so the two are not merged.
    unsafe { asm!("nop", options(nomem, nostack)) };
}

/// The plugin writes the counts since `probe_mark_start` when a block starting here runs.
#[no_mangle]
#[inline(never)]
pub extern "C" fn probe_mark_stop() {
    // SAFETY: two nops (see probe_mark_start).
    unsafe { asm!("nop", "nop", options(nomem, nostack)) };
}

/// Run `f` between the two marks; print its time per operation.
fn window(name: &str, ops: u64, f: impl FnOnce()) {
    let t0 = ticks();
    probe_mark_start();
    f();
    probe_mark_stop();
    let ns = ticks_to_ns(ticks() - t0);
    println!("PROBE {} {} ns/op", name, ns / ops);
}

/// mount(2) (asm-generic 40), for /proc on Linux.
fn mount_proc() -> bool {
    // SAFETY: the strings are NUL-terminated; no data argument.
    let r = unsafe {
        syscall5(
            40,
            c"proc".as_ptr() as usize,
            c"/proc".as_ptr() as usize,
            c"proc".as_ptr() as usize,
            0,
            0,
        )
    };
    r == 0
}

/// Copy the text symbols (" t " and " T ") of /proc/kallsyms to stdout, as `KSYM` lines.
fn dump_kallsyms() {
    let fd = match ulib::openat(-100, c"/proc/kallsyms", 0, 0) {
        Ok(fd) => fd as i32,
        Err(_) => return println!("faultprobe: no /proc/kallsyms"),
    };
    let mut buf = [0u8; 4096];
    let mut line = [0u8; 256];
    let mut len = 0;
    let mut out = [0u8; 4096];
    let mut olen = 0;
    while let Ok(n) = read(fd, &mut buf) {
        if n == 0 {
            break;
        }
        for &c in &buf[..n] {
            if c != b'\n' {
                if len < line.len() {
                    line[len] = c;
                    len += 1;
                }
                continue;
            }
            let l = &line[..len];
            if l.len() > 19 && (l[17] == b't' || l[17] == b'T') && l[18] == b' ' {
                if olen + l.len() + 6 > out.len() {
                    let _ = write(1, &out[..olen]);
                    olen = 0;
                }
                out[olen..olen + 5].copy_from_slice(b"KSYM ");
                out[olen + 5..olen + 5 + l.len()].copy_from_slice(l);
                out[olen + 5 + l.len()] = b'\n';
                olen += l.len() + 6;
            }
            len = 0;
        }
    }
    let _ = write(1, &out[..olen]);
}

fn map(len: usize) -> usize {
    // SAFETY: no MAP_FIXED; a fresh private mapping of ours.
    unsafe {
        mmap(
            0,
            len,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    }
    .expect("mmap")
}

#[no_mangle]
fn main() -> i32 {
    let mib = ulib::env()
        .find_map(|e| e.strip_prefix(b"FAULT_MIB="))
        .and_then(|v| core::str::from_utf8(v).ok()?.parse::<usize>().ok())
        .unwrap_or(16);
    let len = mib << 20;
    let pages = (len / PAGE_SIZE) as u64;
    // Warm up: the first touches of a kernel may differ (caches, per-cpu lists).
    let a = map(len);
    for off in (0..len).step_by(PAGE_SIZE) {
        // SAFETY: our mapping.
        unsafe { core::ptr::write_volatile((a + off) as *mut u8, 1) };
    }
    // SAFETY: our mapping, no longer used.
    unsafe { munmap(a, len) }.expect("munmap");

    let a = map(len);
    // qemu/faultprof.py --perf starts `perf record` on QEMU when it sees this line.
    println!("PROBE pages {}", len / PAGE_SIZE);
    if ulib::env().any(|e| e == b"FAULT_PERF=1") {
        // Time for perf to attach (an idle guest costs QEMU next to nothing).
        let _ = ulib::time::sleep_ms(1500);
    }
    window("fault", pages, || {
        for off in (0..len).step_by(PAGE_SIZE) {
            // SAFETY: our mapping.
            unsafe { core::ptr::write_volatile((a + off) as *mut u8, 1) };
        }
    });
    window("munmap", 1, || {
        // SAFETY: our mapping, no longer used.
        unsafe { munmap(a, len) }.expect("munmap");
    });
    window("getpid", 4096, || {
        for _ in 0..4096 {
            ulib::getpid();
        }
    });
    // SAFETY: brk(0) only reports the break.
    let base = unsafe { brk(0) };
    window("brk_touch", 1024, || {
        for i in 1..=1024 {
            let want = base + i * PAGE_SIZE;
            // SAFETY: the heap above base is only ours; the new page is written once.
            unsafe {
                brk(want);
                core::ptr::write_volatile((want - PAGE_SIZE) as *mut u8, 1);
            }
        }
    });
    // SAFETY: give the pages back.
    unsafe { brk(base) };
    // FAULT_PASSES=N: N more passes of map, touch, unmap of the same size, each timed
    // (does the cost per fault change once the kernel reuses frames it used before?).
    let passes = ulib::env()
        .find_map(|e| e.strip_prefix(b"FAULT_PASSES="))
        .and_then(|v| core::str::from_utf8(v).ok()?.parse::<usize>().ok())
        .unwrap_or(0);
    for i in 0..passes {
        let a = map(len);
        let t0 = ticks();
        for off in (0..len).step_by(PAGE_SIZE) {
            // SAFETY: our mapping.
            unsafe { core::ptr::write_volatile((a + off) as *mut u8, 1) };
        }
        let ns = ticks_to_ns(ticks() - t0);
        // SAFETY: our mapping, no longer used.
        unsafe { munmap(a, len) }.expect("munmap");
        println!("PROBE pass{} {} ns/op", i + 1, ns / pages);
    }
    if mount_proc() {
        dump_kallsyms();
    }
    println!("PROBE done");
    let _ = ulib::info::reboot(ulib::info::REBOOT_POWER_OFF);
    0
}
