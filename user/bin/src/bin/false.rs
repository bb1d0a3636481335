//! false: do nothing, unsuccessfully (exit status 1); the shell then says "exited with 1"
//! and `$?` is 1.

#![no_std]
#![no_main]

extern crate binlib;

#[no_mangle]
fn main() -> i32 {
    1
}
