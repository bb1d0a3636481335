//! head [-n N] [FILE...]: the first N lines (default 10) of each file or of stdin; with
//! several files each gets a "==> NAME <==" header, as in coreutils. `-N` is `-n N`.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::{cstring, parse_int, text};
use ulib::io::{self, write_all, AT_FDCWD, O_CLOEXEC, O_RDONLY};
use ulib::{eprintln, println, Errno};

/// Copy the first `n` lines of `fd` to stdout; stops reading as soon as they are out.
fn head(fd: i32, mut n: u64) -> Result<(), Errno> {
    let mut buf = [0u8; 4096];
    while n > 0 {
        let len = match io::read(fd, &mut buf) {
            Ok(0) => return Ok(()),
            Ok(len) => len,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        };
        let mut end = len;
        for (i, _) in buf[..len].iter().enumerate().filter(|(_, &b)| b == b'\n') {
            n -= 1;
            if n == 0 {
                end = i + 1;
                break;
            }
        }
        write_all(1, &buf[..end])?;
    }
    Ok(())
}

fn usage_bad_count(v: &[u8]) -> i32 {
    eprintln!("head: invalid number of lines: '{}'", text(v));
    1
}

#[no_mangle]
fn main() -> i32 {
    let mut lines = 10u64;
    let mut files: Vec<&[u8]> = Vec::new();
    let mut args = ulib::args().skip(1);
    while let Some(a) = args.next() {
        let value = match a {
            b"-n" => match args.next() {
                Some(v) => v,
                None => {
                    eprintln!("head: option requires an argument -- 'n'");
                    eprintln!("Try 'head --help' for more information.");
                    return 1;
                }
            },
            [b'-', b'n', v @ ..] => v,
            [b'-', v @ ..] if !v.is_empty() && v.iter().all(u8::is_ascii_digit) => v,
            [b'-', f, ..] => {
                eprintln!("head: invalid option -- '{}'", *f as char);
                eprintln!("Try 'head --help' for more information.");
                return 1;
            }
            _ => {
                files.push(a);
                continue;
            }
        };
        match parse_int(value) {
            Some(n) if n >= 0 => lines = n as u64,
            _ => return usage_bad_count(value),
        }
    }
    if files.is_empty() {
        files.push(b"-");
    }
    let mut status = 0;
    for (i, f) in files.iter().enumerate() {
        let fd = if *f == b"-" {
            Ok(0)
        } else {
            io::openat(AT_FDCWD, &cstring(f), O_RDONLY | O_CLOEXEC, 0).map(|fd| fd as i32)
        };
        let fd = match fd {
            Ok(fd) => fd,
            Err(e) => {
                eprintln!("head: cannot open '{}' for reading: {}", text(f), e.text());
                status = 1;
                continue;
            }
        };
        if files.len() > 1 {
            let name = if *f == b"-" {
                "standard input"
            } else {
                text(f)
            };
            println!("{}==> {} <==", if i > 0 { "\n" } else { "" }, name);
        }
        if let Err(e) = head(fd, lines) {
            eprintln!("head: error reading '{}': {}", text(f), e.text());
            status = 1;
        }
        if fd != 0 {
            let _ = io::close(fd);
        }
    }
    status
}
