//! tiny: the smallest program fork+execve+wait4 runs (`make bench`): it exits at once.

#![no_std]
#![no_main]

use ulib as _; // _start and the panic handler

#[no_mangle]
fn main() -> i32 {
    0
}
