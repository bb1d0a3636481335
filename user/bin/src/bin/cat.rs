//! cat [FILE...]: copy each file (or stdin, with no arguments or "-") to stdout.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::{cstring, text};
use ulib::io::{self, write_all, AT_FDCWD, O_RDONLY};
use ulib::{eprintln, Errno};

/// Copy `fd` to stdout in 4 KiB pieces.
fn copy(fd: i32) -> Result<(), Errno> {
    let mut buf = [0u8; 4096];
    loop {
        match io::read(fd, &mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => write_all(1, &buf[..n])?,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut status = 0;
    let files: Vec<&[u8]> = ulib::args().skip(1).collect();
    if files.is_empty() {
        return copy(0).map_or(1, |_| 0);
    }
    for f in files {
        let r = if f == b"-" {
            copy(0)
        } else {
            io::openat(AT_FDCWD, &cstring(f), O_RDONLY, 0).and_then(|fd| {
                let r = copy(fd as i32);
                let _ = io::close(fd as i32);
                r
            })
        };
        if let Err(e) = r {
            eprintln!("cat: {}: {}", text(f), e.text());
            status = 1;
        }
    }
    status
}
