//! mremap: shrink, grow in place, move (MREMAP_MAYMOVE), move to a fixed address
//! (MREMAP_FIXED), MREMAP_DONTUNMAP, and the errors, as Linux `mm/mremap.c` gives them.
//!
//! The kernel side is `kernel/src/mm/mremap.rs`: a move takes the page-table entries
//! with their frames to the new place, so the data stays without being copied. At the
//! end the free frames must be back where they were (Linnet only: the host's memory
//! moves on its own), read from /proc/meminfo once a reaped child's kernel stack is
//! freed too.
//! Syscalls used: mmap, munmap, mremap, clone (fork), wait4, openat, read, nanosleep.

#![no_std]
#![no_main]

use ulib::mm::*;
use ulib::process::{reap, spawn};
use ulib::syscall::syscall5;
use ulib::{Errno, Tap};

const P: usize = PAGE_SIZE;
const MAYMOVE: usize = ulib::uapi::mman::MREMAP_MAYMOVE as usize;
const FIXED: usize = ulib::uapi::mman::MREMAP_FIXED as usize;
const DONTUNMAP: usize = ulib::uapi::mman::MREMAP_DONTUNMAP as usize;

fn mremap(
    addr: usize,
    old: usize,
    new: usize,
    flags: usize,
    new_addr: usize,
) -> Result<usize, Errno> {
    // SAFETY: mremap moves or resizes mappings this test owns.
    ulib::errno::check(unsafe { syscall5(216, addr, old, new, flags, new_addr) })
}

fn unmap(addr: usize, len: usize) {
    // SAFETY: the test's own mappings, no longer referenced.
    let _ = unsafe { ulib::munmap(addr, len) };
}

fn map(len: usize) -> usize {
    ulib::map_anon(len).map_or(0, |m| m.as_mut_ptr() as usize)
}

fn fill(addr: usize, len: usize, seed: u8) {
    for i in (0..len).step_by(P) {
        // SAFETY: the test's own mapping.
        unsafe { ((addr + i) as *mut u8).write_volatile(seed.wrapping_add((i / P) as u8)) };
    }
}

fn check(addr: usize, len: usize, seed: u8) -> bool {
    // SAFETY: the test's own mapping.
    (0..len)
        .step_by(P)
        .all(|i| unsafe { ((addr + i) as *const u8).read_volatile() } == seed.wrapping_add((i / P) as u8))
}

fn zero(addr: usize) -> bool {
    // SAFETY: the test's own mapping.
    unsafe { (addr as *const u8).read_volatile() == 0 }
}

/// Does touching `addr` kill a child with SIGSEGV (nothing mapped there)?
fn unmapped(addr: usize) -> bool {
    let pid = spawn(|| {
        // SAFETY: a deliberate read of what should be unmapped.
        unsafe { (addr as *const u8).read_volatile() as i32 }
    });
    reap(pid).is_some_and(|s| ulib::wifsignaled(s) && ulib::wtermsig(s) == 11)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(20);
    let before = ulib::memstat::baseline();

    // Shrink.
    let a = map(4 * P);
    fill(a, 4 * P, 10);
    tap.eq(
        mremap(a, 4 * P, 2 * P, 0, 0),
        Ok(a),
        "shrink: the same address",
    );
    tap.ok(
        check(a, 2 * P, 10) && unmapped(a + 2 * P),
        "shrink: the head stays, the tail is gone",
    );

    // Grow in place into the space it just gave up.
    tap.eq(mremap(a, 2 * P, 3 * P, 0, 0), Ok(a), "grow in place");
    tap.ok(
        check(a, 2 * P, 10) && zero(a + 2 * P),
        "grow in place: old data kept, new page zero",
    );

    // A range that does not end its mapping cannot grow in place.
    tap.eq(
        mremap(a, P, 2 * P, 0, 0),
        Err(Errno::ENOMEM),
        "grow without room, no MAYMOVE: ENOMEM",
    );
    let b = mremap(a, P, 2 * P, MAYMOVE, 0);
    let b = b.unwrap_or(0);
    tap.ok(b != 0 && b != a, "MREMAP_MAYMOVE: moved");
    tap.ok(check(b, P, 10) && zero(b + P), "moved: the data came along");
    tap.ok(
        unmapped(a) && check(a + P, P, 11),
        "moved: only the old range went",
    );
    unmap(a + P, 2 * P);

    // MREMAP_FIXED to an address of our choosing.
    let target = map(8 * P);
    unmap(target, 8 * P);
    tap.eq(
        mremap(b, 2 * P, 4 * P, MAYMOVE | FIXED, target),
        Ok(target),
        "MREMAP_FIXED",
    );
    tap.ok(
        check(target, P, 10) && zero(target + 3 * P) && unmapped(b),
        "MREMAP_FIXED: moved there",
    );
    tap.eq(
        mremap(target, 4 * P, 4 * P, MAYMOVE | FIXED, target + 2 * P),
        Err(Errno::EINVAL),
        "MREMAP_FIXED onto itself: EINVAL",
    );

    // MREMAP_DONTUNMAP: the old range stays mapped, empty.
    let c = mremap(target, 4 * P, 4 * P, MAYMOVE | DONTUNMAP, 0).unwrap_or(0);
    tap.ok(
        c != 0 && check(c, P, 10) && zero(target),
        "MREMAP_DONTUNMAP: moved, old range empty",
    );
    unmap(target, 4 * P);
    unmap(c, 4 * P);

    // Errors.
    let d = map(2 * P);
    tap.eq(
        mremap(d + 1, P, P, 0, 0),
        Err(Errno::EINVAL),
        "unaligned address: EINVAL",
    );
    // qemu-user 7.2 checks these itself, with other answers than Linux's mm/mremap.c.
    let linnet = ulib::is_linnet();
    let qemu = "qemu-user's own mremap checks";
    if linnet {
        tap.eq(
            mremap(d, P, 0, 0, 0),
            Err(Errno::EINVAL),
            "new length 0: EINVAL",
        );
    } else {
        tap.skip("new length 0: EINVAL", qemu);
    }
    tap.eq(
        mremap(d, P, 2 * P, FIXED, 0),
        Err(Errno::EINVAL),
        "MREMAP_FIXED without MAYMOVE: EINVAL",
    );
    tap.eq(
        mremap(d, P, P, 0x80, 0),
        Err(Errno::EINVAL),
        "unknown flag: EINVAL",
    );
    if linnet {
        tap.eq(
            mremap(d, 3 * P, 4 * P, MAYMOVE, 0),
            Err(Errno::EFAULT),
            "range past the mapping: EFAULT",
        );
        tap.eq(
            mremap(d, 0, P, MAYMOVE, 0),
            Err(Errno::EINVAL),
            "old length 0 of private memory: EINVAL",
        );
    } else {
        tap.skip("range past the mapping: EFAULT", qemu);
        tap.skip("old length 0 of private memory: EINVAL", qemu);
    }
    unmap(d, 2 * P);
    tap.eq(
        mremap(d, P, 2 * P, MAYMOVE, 0),
        Err(Errno::EFAULT),
        "unmapped address: EFAULT",
    );

    // The same moves again, 32 times over: a frame lost per move would be 32 lost here.
    for round in 0..32u8 {
        let a = map(4 * P);
        fill(a, 4 * P, round);
        let b = mremap(a, 4 * P, 8 * P, MAYMOVE, 0).unwrap_or(a);
        let c = mremap(b, 4 * P, 4 * P, MAYMOVE | DONTUNMAP, 0).unwrap_or(b);
        unmap(b, 8 * P);
        if c != b {
            unmap(c, 4 * P);
        }
    }

    if ulib::is_linnet() {
        // A reaped child's last frame (its kernel stack) is freed just after wait4
        // returns, at the final switch away from it: wait for it (`settle`).
        let after = ulib::memstat::settle(before);
        if !tap.ok(
            after.free_kb >= before.free_kb,
            "free frames back to where they were",
        ) {
            tap.diag(format_args!(
                "MemFree {} kB -> {} kB",
                before.free_kb, after.free_kb
            ));
        }
    } else {
        tap.skip(
            "free frames back to where they were",
            "the host's memory moves",
        );
    }
    tap.done()
}
