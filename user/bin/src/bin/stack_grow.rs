//! stack_grow [KIB]: recursion grows the stack VMA on demand (default 1024 KiB deep).
//!
//! exec leaves a stack VMA of 128 KiB or so (`setup_arg_pages`). A push below its start
//! faults; `do_page_fault` sees the VM_GROWSDOWN stack VMA just above the address and
//! calls `expand_stack` (`kernel/src/mm/fault.rs`), which moves the VMA's start down, up
//! to RLIMIT_STACK (8 MiB by default); beyond that, or into another mapping, the fault is
//! a SIGSEGV. The VMA never shrinks back. Try `stack_grow 16384` to pass the limit.

#![no_std]
#![no_main]

extern crate binlib;

use binlib::parse_int;
use binlib::proc::print_maps_self;
use core::hint::black_box;
use ulib::println;

/// Bytes of stack each level of recursion uses (about).
const FRAME: usize = 4096;

/// The current stack pointer (approximately: an address in this frame).
#[inline(never)]
fn sp() -> usize {
    let marker = 0u8;
    black_box(&marker) as *const u8 as usize
}

fn show_stack(sp: usize) {
    print_maps_self(|s, e| (s..e).contains(&sp));
}

/// Recurse `depth` times with a 4 KiB frame each, touching it so every page is used.
#[inline(never)]
fn recurse(depth: usize) -> usize {
    let mut frame = [0u8; FRAME];
    black_box(&mut frame)[0] = depth as u8;
    if depth == 0 {
        let here = sp();
        println!(
            "  deepest frame: sp ~ {:#x}; the stack VMA has grown:",
            here
        );
        show_stack(here);
        return here;
    }
    let r = recurse(depth - 1);
    black_box(&frame);
    r
}

#[no_mangle]
fn main() -> i32 {
    let kib = ulib::args()
        .nth(1)
        .and_then(parse_int)
        .unwrap_or(1024)
        .max(4) as usize;
    let top = sp();
    println!(
        "stack_grow: recursing about {} KiB deep; sp ~ {:#x} in:",
        kib, top
    );
    show_stack(top);
    let deepest = recurse(kib * 1024 / FRAME);
    println!(
        "  back in main after using {} KiB of stack; the VMA stays grown:",
        (top - deepest) / 1024
    );
    show_stack(top);
    0
}
