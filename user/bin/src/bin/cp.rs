//! cp SOURCE DEST, cp SOURCE... DIRECTORY: copy files (open, read, write; the new file
//! gets the source's permission bits, less the umask, as coreutils' cp without -p). A
//! DEST that is a directory receives copies under the sources' names. Directories are
//! not copied (no -r). Messages and the exit status are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::{cstring, missing_operand, options, text};
use ulib::fs::fstatat;
use ulib::io::{self, write_all, AT_FDCWD, O_CLOEXEC, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY};
use ulib::{eprintln, Errno};

/// `dir/` + the last component of `src`.
fn into_dir(dir: &[u8], src: &[u8]) -> Vec<u8> {
    let trimmed = src.strip_suffix(b"/").unwrap_or(src);
    let base = trimmed.rsplit(|&b| b == b'/').next().unwrap_or(trimmed);
    let mut p = dir.to_vec();
    if !p.ends_with(b"/") {
        p.push(b'/');
    }
    p.extend_from_slice(base);
    p
}

/// Copy the bytes of `from` into `to`. Err says which side failed and why.
fn copy(from: &[u8], to: &[u8], mode: u32) -> Result<(), (bool, Errno)> {
    let src = io::openat(AT_FDCWD, &cstring(from), O_RDONLY | O_CLOEXEC, 0)
        .map_err(|e| (false, e))? as i32;
    let dst = match io::openat(
        AT_FDCWD,
        &cstring(to),
        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
        mode,
    ) {
        Ok(fd) => fd as i32,
        Err(e) => {
            let _ = io::close(src);
            return Err((true, e));
        }
    };
    let mut buf = [0u8; 4096];
    let r = loop {
        match io::read(src, &mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                if let Err(e) = write_all(dst, &buf[..n]) {
                    break Err((true, e));
                }
            }
            Err(Errno::EINTR) => {}
            Err(e) => break Err((false, e)),
        }
    };
    let _ = io::close(src);
    let _ = io::close(dst);
    r
}

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("cp", b"", b"") else {
        return 1;
    };
    let ops = &o.operands;
    match ops.len() {
        0 => return missing_operand("cp", "file operand"),
        1 => {
            let what = alloc::format!("destination file operand after '{}'", text(ops[0]));
            return missing_operand("cp", &what);
        }
        _ => {}
    }
    let dest = ops[ops.len() - 1];
    let dest_st = fstatat(AT_FDCWD, &cstring(dest), 0);
    let dest_dir = dest_st.is_ok_and(|s| s.is_dir());
    if ops.len() > 2 && !dest_dir {
        let why = dest_st.map_or_else(|e| e.text(), |_| "Not a directory");
        eprintln!("cp: target '{}': {}", text(dest), why);
        return 1;
    }
    let mut status = 0;
    for src in &ops[..ops.len() - 1] {
        let st = match fstatat(AT_FDCWD, &cstring(src), 0) {
            Ok(st) => st,
            Err(e) => {
                eprintln!("cp: cannot stat '{}': {}", text(src), e.text());
                status = 1;
                continue;
            }
        };
        if st.is_dir() {
            eprintln!("cp: -r not specified; omitting directory '{}'", text(src));
            status = 1;
            continue;
        }
        let to = if dest_dir {
            into_dir(dest, src)
        } else {
            dest.to_vec()
        };
        match copy(src, &to, st.mode & 0o777) {
            Ok(()) => {}
            Err((false, e)) => {
                eprintln!("cp: cannot open '{}' for reading: {}", text(src), e.text());
                status = 1;
            }
            Err((true, e)) => {
                eprintln!(
                    "cp: cannot create regular file '{}': {}",
                    text(&to),
                    e.text()
                );
                status = 1;
            }
        }
    }
    status
}
