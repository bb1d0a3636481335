//! big: a ~1 MiB static program for the "execve of a 1 MiB binary" row of `make bench`:
//! 1 MiB of read-only data it never reads beyond one byte, so what is measured is the
//! kernel's exec of a large file (reading and mapping it), not the program's work.

#![no_std]
#![no_main]

use ulib as _; // _start and the panic handler

/// 1 MiB of non-zero constant data: it lands in .rodata, in the file (not .bss).
static BLOB: [u8; 1 << 20] = [0x5a; 1 << 20];

#[no_mangle]
fn main() -> i32 {
    // One read through black_box keeps BLOB in the binary.
    (core::hint::black_box(&BLOB)[12345] != 0x5a) as i32
}
