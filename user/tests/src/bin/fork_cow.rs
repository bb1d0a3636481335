//! fork_cow: fork gives each child a private, copy-on-write copy of every kind of memory.
//!
//! Four buffers -- in .data, in .bss, on the stack and in an anonymous private mmap -- are
//! filled with the parent's pattern. Then 100 children are forked one at a time; each
//! checks it inherited the parent's bytes, writes its own pattern into all four, reads it
//! back, and exits 0 only if everything held. Afterwards the parent's four buffers must
//! still hold the parent's pattern: the children's writes went to their own copies
//! (Linnet: `copy_mm` in kernel/src/task/fork.rs marks the pages read-only and shared,
//! `handle_mm_fault` in kernel/src/mm/fault.rs copies on the first write).
//! Syscalls used: mmap, clone (as fork), getpid, getppid, wait4, exit_group, write.

#![no_std]
#![no_main]

use core::cell::UnsafeCell;
use core::ptr::{read_volatile, write_volatile};
use ulib::process::StatusText;
use ulib::{Errno, Tap};

const CHILDREN: u32 = 100;
/// Each buffer spans two pages, so a copy of the wrong page would show.
const WORDS: usize = 2 * 4096 / 8;
const NAMES: [&str; 4] = [".data", ".bss", "stack", "mmap"];

/// Two page-aligned pages that several "processes" write through raw pointers.
#[repr(C, align(4096))]
struct Pages(UnsafeCell<[u64; WORDS]>);
// SAFETY: only ever touched through raw pointers by one thread per process.
unsafe impl Sync for Pages {}

/// Non-zero, so the linker puts it in .data and the ELF loader must copy it from the file.
const DATA_INIT: u64 = 0xd5d5_d5d5_d5d5_d5d5;
static DATA: Pages = Pages(UnsafeCell::new([DATA_INIT; WORDS]));
/// Zero, so it goes to .bss and the ELF loader must zero it.
static BSS: Pages = Pages(UnsafeCell::new([0; WORDS]));

/// The word at index `i` of pattern `seed`: distinct for every (seed, i).
fn pattern(seed: u32, i: usize) -> u64 {
    0x5a00_0000_0000_0000 | (seed as u64) << 32 | i as u64
}

/// Write pattern `seed` into a buffer. Volatile, so the stores really reach memory.
fn fill(buf: *mut u64, seed: u32) {
    for i in 0..WORDS {
        // SAFETY: every buffer is WORDS u64s long, aligned, and ours.
        unsafe { write_volatile(buf.add(i), pattern(seed, i)) };
    }
}

/// Does the buffer hold `want(i)` at every index? Volatile, so it is really read back.
fn holds(buf: *const u64, want: impl Fn(usize) -> u64) -> bool {
    // SAFETY: as for fill.
    (0..WORDS).all(|i| unsafe { read_volatile(buf.add(i)) } == want(i))
}

fn parent_seed(k: usize) -> u32 {
    1 + k as u32
}

fn child_seed(c: u32, k: usize) -> u32 {
    100 + 4 * c + k as u32
}

/// The child's side; the exit code has one bit per kind of failure.
fn child(c: u32, parent: i32, bufs: [*mut u64; 4]) -> i32 {
    let mut bad = 0;
    if ulib::getppid() != parent {
        bad |= 1;
    }
    if ulib::getpid() == parent {
        bad |= 2;
    }
    for (k, &b) in bufs.iter().enumerate() {
        if !holds(b, |i| pattern(parent_seed(k), i)) {
            bad |= 4 << k; // did not inherit the parent's bytes (bits 4..32)
        }
    }
    for (k, &b) in bufs.iter().enumerate() {
        fill(b, child_seed(c, k));
    }
    for (k, &b) in bufs.iter().enumerate() {
        if !holds(b, |i| pattern(child_seed(c, k), i)) {
            bad |= 64; // its own writes did not stick
        }
    }
    bad
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(9);
    let data = DATA.0.get() as *mut u64;
    let bss = BSS.0.get() as *mut u64;
    tap.ok(
        holds(data, |_| DATA_INIT) && holds(bss, |_| 0),
        "at start .data holds its initial bytes and .bss is zero (ELF loader)",
    );

    let mut stack = Pages(UnsafeCell::new([0; WORDS]));
    let stack = core::hint::black_box(stack.0.get_mut().as_mut_ptr());
    let mmap = match ulib::map_anon(WORDS * 8) {
        Ok(m) => m.as_mut_ptr() as *mut u64,
        Err(e) => {
            tap.diag(format_args!("mmap failed: {:?}", e));
            return 1;
        }
    };
    let bufs = [data, bss, stack, mmap];
    for (k, &b) in bufs.iter().enumerate() {
        fill(b, parent_seed(k));
    }

    let me = ulib::getpid();
    let (mut forks_ok, mut reaped_ok, mut exits_ok) = (0, 0, 0);
    for c in 0..CHILDREN {
        let pid = match ulib::fork() {
            Ok(0) => ulib::exit_group(child(c, me, bufs)),
            Ok(pid) => pid,
            Err(e) => {
                tap.diag(format_args!("fork {} failed: {:?}", c, e));
                break;
            }
        };
        forks_ok += (pid > 0 && pid != me) as u32;
        let mut status = 0;
        let reaped = ulib::wait4(pid, Some(&mut status), 0);
        reaped_ok += (reaped == Ok(pid)) as u32;
        if reaped == Ok(pid) && ulib::wifexited(status) && ulib::wexitstatus(status) == 0 {
            exits_ok += 1;
        } else if exits_ok == c {
            // Report the first failure only; the code's bits are explained in `child`.
            tap.diag(format_args!(
                "child {} (pid {}): wait4 {:?}, {}",
                c,
                pid,
                reaped,
                StatusText(status)
            ));
        }
    }

    tap.eq(
        forks_ok,
        CHILDREN,
        "fork returns a new pid > 0 in the parent (100 forks)",
    );
    tap.eq(
        reaped_ok,
        CHILDREN,
        "wait4(pid) reaps exactly the pid fork returned",
    );
    tap.eq(
        exits_ok,
        CHILDREN,
        "every child saw the parent's bytes, its own writes, getppid == parent, and exited 0",
    );
    for (k, &b) in bufs.iter().enumerate() {
        tap.ok(
            holds(b, |i| pattern(parent_seed(k), i)),
            format_args!("the parent's {} buffer still holds its pattern", NAMES[k]),
        );
    }
    // Assumes the program started with no children of its own, as after a plain exec (a
    // shell's `2> >(cmd)` would make cmd our child, and this wait would block on it).
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "wait4(-1) with no children left gives ECHILD",
    );
    tap.done()
}
