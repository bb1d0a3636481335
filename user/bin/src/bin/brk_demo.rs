//! brk_demo: the heap is one VMA whose end brk(2) moves; malloc sits on it.
//!
//! The heap starts just past the program's .bss (at a random offset on Linux). `brk(addr)`
//! (`do_brk`, `kernel/src/mm/mmap.rs`) grows or shrinks that VMA; it returns the new
//! break, or the old one when it cannot. A malloc carves small blocks out of this heap
//! and gives each big one (over 128 KiB, glibc's M_MMAP_THRESHOLD) its own mmap: ulib's
//! `heap.rs` does the same, shown in part 2.
//!
//! Part 1 must not allocate: malloc moves the break too.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::proc::{print_maps_self, vma_of};
use ulib::mm::brk;
use ulib::println;

fn show(start: usize, end: usize) {
    print_maps_self(|s, e| s < end.max(start + 1) && start < e);
}

#[no_mangle]
fn main() -> i32 {
    // SAFETY (every brk call here): the range above the first break is used only by this
    // function, and the break goes back where it was before anything else allocates.
    let b0 = unsafe { brk(0) };
    println!(
        "brk_demo: 1. brk(0) = {:#x}: the initial break; the heap is empty",
        b0
    );
    show(b0, b0);
    let b1 = unsafe { brk(b0 + 64 * 1024) };
    println!("   brk(+64 KiB) = {:#x}: the heap VMA now ends there", b1);
    show(b0, b1);
    if b1 > b0 {
        // SAFETY: [b0, b1) was just given to us, read-write.
        unsafe { (b0 as *mut u8).write_volatile(42) };
        println!("   wrote to its first byte (a page fault brought the page in)");
    }
    let b2 = unsafe { brk(b0 + 16 * 1024) };
    println!(
        "   brk(+16 KiB) = {:#x}: shrinking unmaps the top 48 KiB",
        b2
    );
    show(b0, b2);
    let b3 = unsafe { brk(b0) };
    println!("   brk(b0) = {:#x}: empty again", b3);

    println!("2. malloc (ulib::heap): small blocks from the brk heap, big ones from mmap");
    let small: Vec<u8> = Vec::with_capacity(100);
    let big: Vec<u8> = Vec::with_capacity(1024 * 1024);
    // SAFETY: only reports the break.
    let now = unsafe { brk(0) };
    println!(
        "   100 bytes at {:#x}; the break moved to {:#x}:",
        small.as_ptr() as usize,
        now
    );
    println!("    {}", vma_of(small.as_ptr() as usize));
    println!(
        "   1 MiB at {:#x}, a mapping of its own:",
        big.as_ptr() as usize
    );
    println!("    {}", vma_of(big.as_ptr() as usize));
    0
}
