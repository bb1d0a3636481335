//! sh: Linnet's shell. The code is in `user/bin/src/sh/` (start with its `mod.rs`), one
//! file per step a command line takes.

#![no_std]
#![no_main]

extern crate alloc;

#[path = "../sh/mod.rs"]
mod sh;

#[no_mangle]
fn main() -> i32 {
    sh::main()
}
