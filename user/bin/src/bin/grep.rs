//! grep [-v] [-i] [-c] [-n] PATTERN [FILE...]: print the lines that contain PATTERN, a
//! plain string (as `grep -F`: no regular expressions). `-v` the lines that do not,
//! `-i` ignoring ASCII case, `-c` only how many, `-n` with line numbers. With several
//! files each line starts with "NAME:". Exit status as GNU grep: 0 if a line was
//! selected, 1 if none, 2 on an error.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::{cstring, options, read_all, text};
use ulib::io::{self, write_all, AT_FDCWD, O_CLOEXEC, O_RDONLY};
use ulib::{eprintln, println};

/// Does `line` contain `pat` (ignoring ASCII case with `icase`)?
fn contains(line: &[u8], pat: &[u8], icase: bool) -> bool {
    pat.is_empty()
        || line.windows(pat.len()).any(|w| {
            if icase {
                w.eq_ignore_ascii_case(pat)
            } else {
                w == pat
            }
        })
}

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("grep", b"vicn", b"") else {
        return 2;
    };
    let Some((&pat, files)) = o.operands.split_first() else {
        eprintln!("Usage: grep [OPTION]... PATTERNS [FILE]...");
        eprintln!("Try 'grep --help' for more information.");
        return 2;
    };
    let files: Vec<&[u8]> = if files.is_empty() {
        alloc::vec![b"-"]
    } else {
        files.to_vec()
    };
    let (invert, icase, count, number) = (o.has(b'v'), o.has(b'i'), o.has(b'c'), o.has(b'n'));
    let mut matched = false;
    let mut error = false;
    for f in &files {
        let data = if *f == b"-" {
            read_all(0)
        } else {
            io::openat(AT_FDCWD, &cstring(f), O_RDONLY | O_CLOEXEC, 0).and_then(|fd| {
                let r = read_all(fd as i32);
                let _ = io::close(fd as i32);
                r
            })
        };
        let data = match data {
            Ok(d) => d,
            Err(e) => {
                eprintln!("grep: {}: {}", text(f), e.text());
                error = true;
                continue;
            }
        };
        let name = if *f == b"-" {
            &b"(standard input)"[..]
        } else {
            f
        };
        let mut hits = 0u64;
        let mut out = Vec::new();
        let body = data.strip_suffix(b"\n").unwrap_or(&data);
        for (i, line) in body.split(|&b| b == b'\n').enumerate() {
            if data.is_empty() || contains(line, pat, icase) == invert {
                continue;
            }
            hits += 1;
            if count {
                continue;
            }
            if files.len() > 1 {
                out.extend_from_slice(name);
                out.push(b':');
            }
            if number {
                out.extend_from_slice(alloc::format!("{}:", i + 1).as_bytes());
            }
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        matched |= hits > 0;
        if count {
            if files.len() > 1 {
                println!("{}:{}", text(name), hits);
            } else {
                println!("{}", hits);
            }
        }
        let _ = write_all(1, &out);
    }
    if error {
        2
    } else if matched {
        0
    } else {
        1
    }
}
