//! hogs: memory and resource hogs at 128 MiB of RAM: the offender is killed or gets
//! ENOMEM/EMFILE, init lives on, and free memory and kernel heap come back (issue 11).
//!
//! Each hog runs in a child: an mmap hog (1 MiB mappings, touched, until mmap fails or
//! a fault finds no frame and the kernel sends SIGKILL, `do_mem_abort`), a brk hog (the
//! same through brk), 200 threads at once (`copy_process` with CLONE_VM), and a
//! descriptor hog (dup until EMFILE: RLIMIT_NOFILE 1024). After each, free memory and
//! the heap (/proc/meminfo `MemFree:`, `HeapBytes:`) are back where they were.
//! `make test` boots this with MEM=128M. The memory hogs and the accounting are Linnet
//! only (on Linux, qemu-user, they would eat the host's memory: `# SKIP`); the thread
//! and descriptor hogs run on both.
//! Syscalls used: mmap, brk, clone, dup, close, wait4, futex, openat, read, nanosleep.

#![no_std]
#![no_main]

use ulib::memstat::{memstat, settle, MemStat, HEAP_SLACK};
use ulib::mm::PAGE_SIZE;
use ulib::process::{reap, spawn};
use ulib::signal::SIGKILL;
use ulib::syscall::{nr, syscall1};
use ulib::{Errno, Tap};

const MIB: usize = 1 << 20;
const THREADS: usize = 200;
const THREAD_STACK: usize = 64 << 10;

fn touch(base: usize, len: usize) {
    for va in (base..base + len).step_by(PAGE_SIZE) {
        // SAFETY: the caller just mapped [base, base + len) read-write for us alone.
        unsafe { core::ptr::write_volatile(va as *mut u8, 1) };
    }
}

/// Exit 0 when mmap said ENOMEM (SIGKILL from a fault is the other good end).
fn mmap_hog() -> i32 {
    loop {
        match ulib::map_anon(MIB) {
            Ok(m) => touch(m.as_mut_ptr() as usize, MIB),
            Err(Errno::ENOMEM) => return 0,
            Err(_) => return 2,
        }
    }
}

/// Exit 0 when brk refused to grow (it returns the old break).
fn brk_hog() -> i32 {
    // SAFETY: brk(0) only reports the break.
    let mut cur = unsafe { ulib::mm::brk(0) };
    loop {
        // SAFETY: this child uses no heap of its own; growing the break is harmless.
        let new = unsafe { ulib::mm::brk(cur + MIB) };
        if new != cur + MIB {
            return 0;
        }
        touch(cur, MIB);
        cur = new;
    }
}

fn sleeper(_: usize) -> i32 {
    let _ = ulib::nanosleep(&ulib::Timespec::from_ms(200), None);
    7
}

/// Start THREADS threads, then join them; exit 0 if all started and returned 7.
fn thread_hog() -> i32 {
    let mut threads = [const { None }; THREADS];
    for t in threads.iter_mut() {
        let Ok(stack) = ulib::map_anon(THREAD_STACK) else {
            return 2;
        };
        *t = ulib::spawn_thread(stack, 0, sleeper, 0).ok();
    }
    let started = threads.iter().filter(|t| t.is_some()).count();
    let good = threads.iter().flatten().filter(|t| t.join() == 7).count();
    if started == THREADS && good == THREADS {
        0
    } else {
        3
    }
}

/// dup(0) until it fails: exit 0 on EMFILE after at least 900 new descriptors.
fn fd_hog() -> i32 {
    let mut n = 0;
    loop {
        // SAFETY: dup touches no memory of ours.
        let r = unsafe { syscall1(nr::DUP, 0) };
        if r < 0 {
            return if r == -(Errno::EMFILE.0 as isize) && n >= 900 {
                0
            } else {
                2
            };
        }
        n += 1;
    }
}

/// Run `hog` in a child; its wait status.
fn run(hog: fn() -> i32) -> i32 {
    reap(spawn(hog)).unwrap_or(-1)
}

fn back(tap: &mut Tap, linnet: bool, name: core::fmt::Arguments, base: MemStat) {
    if !linnet {
        tap.skip(name, "not Linnet (exact accounting)");
        return;
    }
    let now = settle(base);
    if !tap.ok(
        now.free_kb >= base.free_kb && now.heap_bytes <= base.heap_bytes + HEAP_SLACK,
        name,
    ) {
        tap.diag(format_args!(
            "  free {} kB -> {} kB, heap {} -> {} bytes",
            base.free_kb, now.free_kb, base.heap_bytes, now.heap_bytes
        ));
    }
}

/// A hog, its check's name, its short name, and whether it eats memory.
type Hog = (fn() -> i32, &'static str, &'static str, bool);

/// Run `hog` twice, the first time as a warm-up (what the kernel allocates once and
/// keeps, a run queue's capacity say, is not a leak); the second run's wait status and
/// the reading it started from.
fn twice(hog: fn() -> i32) -> (i32, MemStat) {
    let _ = run(hog);
    let base = settle(memstat().unwrap_or_default());
    (run(hog), base)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(8);
    let linnet = ulib::is_linnet();
    let killed_or_enomem = |s: i32| {
        (ulib::wifsignaled(s) && ulib::wtermsig(s) == SIGKILL)
            || (ulib::wifexited(s) && ulib::wexitstatus(s) == 0)
    };
    let hogs: [Hog; 4] = [
        (
            mmap_hog,
            "mmap hog: killed with SIGKILL or ENOMEM",
            "mmap hog",
            true,
        ),
        (
            brk_hog,
            "brk hog: killed with SIGKILL or brk refuses",
            "brk hog",
            true,
        ),
        (
            thread_hog,
            "200 threads start, run and are joined",
            "200 threads",
            false,
        ),
        (
            fd_hog,
            "dup until EMFILE: more than 900 descriptors, then EMFILE",
            "descriptor hog",
            false,
        ),
    ];
    for (hog, name, short, eats_memory) in hogs {
        if eats_memory && !linnet {
            tap.skip(name, "not Linnet (the host's memory)");
            tap.skip(
                format_args!("{}: free memory and heap back", short),
                "not Linnet",
            );
            continue;
        }
        let (s, base) = twice(hog);
        let good = if eats_memory {
            killed_or_enomem(s)
        } else {
            s == 0
        };
        if !tap.ok(good, name) {
            tap.diag(format_args!("  status {:#x}", s));
        }
        back(
            &mut tap,
            linnet,
            format_args!("{}: free memory and heap back", short),
            base,
        );
    }
    tap.done()
}
