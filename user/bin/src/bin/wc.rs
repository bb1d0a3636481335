//! wc [-l] [-w] [-c] [FILE...]: count lines, words and bytes (all three by default), with
//! a "total" line for several files. The column width follows coreutils'
//! `compute_number_width`: the digits of the regular files' total size, at least 7 when an
//! input is not a regular file (a pipe or terminal), and no padding at all for a single
//! count of a single input (`ls | wc -l` prints just the number).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use binlib::{cstring, options, text};
use ulib::fs::{fstat, S_IFREG};
use ulib::io::{self, AT_FDCWD, O_CLOEXEC, O_RDONLY};
use ulib::{eprintln, print, Errno};

/// Lines, words, bytes.
#[derive(Clone, Copy, Default)]
struct Counts([u64; 3]);

/// Count what `fd` holds.
fn count(fd: i32) -> Result<Counts, Errno> {
    let mut c = Counts::default();
    let mut in_word = false;
    let mut buf = [0u8; 4096];
    loop {
        let n = match io::read(fd, &mut buf) {
            Ok(0) => return Ok(c),
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        };
        for &b in &buf[..n] {
            if b == b'\n' {
                c.0[0] += 1;
            }
            let space = matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
            if !space && !in_word {
                c.0[1] += 1;
            }
            in_word = !space;
        }
        c.0[2] += n as u64;
    }
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("wc", b"lwc", b"") else {
        return 1;
    };
    let mut show = [o.has(b'l'), o.has(b'w'), o.has(b'c')];
    if show == [false; 3] {
        show = [true; 3];
    }
    let names: Vec<Option<&[u8]>> = if o.operands.is_empty() {
        alloc::vec![None]
    } else {
        o.operands
            .iter()
            .map(|&f| (f != b"-").then_some(f))
            .collect()
    };
    // Open everything first: the width depends on all the inputs.
    let mut fds: Vec<Result<i32, Errno>> = Vec::new();
    let (mut regular_total, mut min_width) = (0u64, 1usize);
    for n in &names {
        let fd = match n {
            None => Ok(0),
            Some(f) => {
                io::openat(AT_FDCWD, &cstring(f), O_RDONLY | O_CLOEXEC, 0).map(|fd| fd as i32)
            }
        };
        // An input that cannot be read does not count (coreutils skips failed ones).
        match fd.and_then(fstat) {
            Ok(st) if st.mode & 0o170000 == S_IFREG => regular_total += st.size as u64,
            Ok(_) => min_width = 7,
            Err(_) => {}
        }
        fds.push(fd);
    }
    let single = names.len() == 1 && show.iter().filter(|&&s| s).count() == 1;
    let width = if single {
        1
    } else {
        digits(regular_total).max(min_width)
    };
    let line = |c: &Counts, name: Option<&[u8]>| {
        let mut s = String::new();
        for (i, v) in c.0.iter().enumerate().filter(|(i, _)| show[*i]) {
            let _ = i;
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&alloc::format!("{:>w$}", v, w = width));
        }
        if let Some(n) = name {
            s.push(' ');
            s.push_str(text(n));
        }
        print!("{}\n", s);
    };
    let mut total = Counts::default();
    let mut status = 0;
    for (n, fd) in names.iter().zip(fds) {
        let r = fd.and_then(|fd| {
            let r = count(fd);
            if fd != 0 {
                let _ = io::close(fd);
            }
            r
        });
        match r {
            Ok(c) => {
                for i in 0..3 {
                    total.0[i] += c.0[i];
                }
                line(&c, *n);
            }
            Err(e) => {
                eprintln!("wc: {}: {}", text(n.unwrap_or(b"-")), e.text());
                status = 1;
            }
        }
    }
    if names.len() > 1 {
        line(&total, Some(b"total"));
    }
    status
}
