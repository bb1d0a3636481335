//! true: do nothing, successfully (exit status 0).

#![no_std]
#![no_main]

extern crate binlib;

#[no_mangle]
fn main() -> i32 {
    0
}
