//! segfault: load from address 0 and die of SIGSEGV.
//!
//! Page 0 is never mapped. The load makes the MMU raise a data abort (a translation
//! fault); the kernel's `do_page_fault` (`kernel/src/mm/fault.rs`) finds no VMA at the
//! address, so it sends SIGSEGV. Nothing handles it, so the process is killed, and its
//! parent's wait4 sees WIFSIGNALED with WTERMSIG 11: the shell prints "killed by SIGSEGV"
//! and sets `$?` to 139 (128 + 11).

#![no_std]
#![no_main]

extern crate binlib;

use core::arch::asm;
use ulib::println;

#[no_mangle]
fn main() -> i32 {
    println!("segfault: loading 8 bytes from address 0x0 (page 0 is never mapped)...");
    let value: u64;
    // SAFETY: not safe at all, deliberately: the load faults and the process is killed
    // before `value` could be used. Written in assembly because a NULL dereference in Rust
    // is undefined behaviour, which the compiler may assume never happens.
    unsafe { asm!("ldr {v}, [{p}]", p = in(reg) 0usize, v = out(reg) value, options(nostack)) };
    println!(
        "segfault: read {:#x} from NULL?! (this line should never appear)",
        value
    );
    1
}
