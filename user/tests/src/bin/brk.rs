//! brk: the program break grows, shrinks, reads as zero when new, and is refused where
//! it would run into another mapping.
//!
//! The kernel side is `do_brk` in `kernel/src/mm/mmap.rs`, deciding with `brk_plan` in
//! `mm/mman.rs` (Linux `sys_brk`): brk never fails with an errno; a refused request
//! returns the old break, so brk(0) is how a program asks where the break is.
//! Syscalls used: brk, mmap, munmap, clone (as fork), wait4.

#![no_std]
#![no_main]

use ulib::mm::*;
use ulib::signal::SIGSEGV;
use ulib::Tap;

const P: usize = PAGE_SIZE;

fn set_brk(addr: usize) -> usize {
    // SAFETY: this program has no allocator on the heap; only the tests below use it.
    unsafe { brk(addr) }
}

fn read_at(addr: usize) -> u8 {
    // SAFETY: the callers read memory below the break (or, in a child, memory that must
    // fault).
    unsafe { core::ptr::read_volatile(addr as *const u8) }
}

fn write_at(addr: usize, v: u8) {
    // SAFETY: as in read_at.
    unsafe { core::ptr::write_volatile(addr as *mut u8, v) }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(10);
    let start = set_brk(0);
    tap.ok(
        start != 0 && start.is_multiple_of(P),
        "brk(0) reports the break: page aligned at the start",
    );
    tap.eq(set_brk(0), start, "brk(0) changes nothing");

    // Grow by three pages and a bit.
    let top = start + 3 * P + 100;
    tap.eq(set_brk(top), top, "growing returns the new break");
    let zero = (start..top).step_by(64).all(|a| read_at(a) == 0);
    tap.ok(zero, "the new memory reads as zeros");
    (start..top).step_by(64).for_each(|a| write_at(a, 0xab));
    tap.ok(
        (start..top).step_by(64).all(|a| read_at(a) == 0xab),
        "and is writable",
    );

    // Shrink: the pages above the break go; what stays keeps its data.
    tap.eq(
        set_brk(start + P),
        start + P,
        "shrinking returns the new break",
    );
    tap.ok(
        read_at(start) == 0xab && read_at(start + P - 64) == 0xab,
        "the page below the break keeps its data",
    );
    let st = match ulib::fork() {
        Ok(0) => {
            read_at(start + 2 * P);
            ulib::exit_group(0)
        }
        Ok(pid) => {
            let mut st = 0;
            let _ = ulib::wait4(pid, Some(&mut st), 0);
            st
        }
        Err(_) => -1,
    };
    let segv = ulib::wifsignaled(st) && ulib::wtermsig(st) == SIGSEGV;
    // Linux unmaps the pages; qemu-user 7.2 keeps them mapped (and zeroes them when the
    // heap grows again), so there only the next test applies.
    let name = "a page given back by shrinking is gone: reading it is SIGSEGV";
    match ulib::is_linnet() {
        true => tap.ok(segv, name),
        false => tap.ok(segv || ulib::wifexited(st), name),
    };
    set_brk(start + 3 * P);
    tap.ok(
        read_at(start + P) == 0 && read_at(start + 2 * P + 64) == 0,
        "grown again, it reads as zeros",
    );

    // Refusals: below the start, and into another mapping. The break stays.
    let cur = set_brk(0);
    let below = set_brk(start - P);
    let hint = cur.next_multiple_of(P) + 16 * P;
    // SAFETY: a hint, not MAP_FIXED: nothing is replaced.
    let m = unsafe { mmap(hint, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) };
    let blocked = if m == Ok(hint) {
        set_brk(hint + 16 * P)
    } else {
        cur
    };
    tap.ok(
        below == cur && blocked == cur && set_brk(0) == cur,
        "refused (below the start; into another mapping): brk returns the old break",
    );
    if m != Ok(hint) {
        tap.diag(format_args!(
            "  could not place a mapping at {:#x}: {:?}",
            hint, m
        ));
    }
    tap.done()
}
