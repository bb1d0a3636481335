//! echo [-n] [WORD...]: print the words, separated by spaces, and a newline (not with -n).

#![no_std]
#![no_main]

extern crate alloc;
extern crate binlib; // the heap (global allocator)

use alloc::vec::Vec;
use ulib::io::write_all;

#[no_mangle]
fn main() -> i32 {
    let mut args = ulib::args().skip(1).peekable();
    let newline = args.next_if(|a| *a == b"-n").is_none();
    let mut out = Vec::new();
    for (i, a) in args.enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(a);
    }
    if newline {
        out.push(b'\n');
    }
    // One write, so the line cannot interleave with other processes' output.
    write_all(1, &out).map_or(1, |_| 0)
}
