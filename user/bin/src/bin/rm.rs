//! rm [-r] [-f] FILE...: remove files with unlinkat(2); `-r` removes directories and what
//! they hold (depth first, as coreutils' `remove.c` walks with fts), `-f` says nothing
//! about files that do not exist. Messages and the exit status are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::{cstring, missing_operand, options, text};
use ulib::fs::{fstatat, getdents64, unlinkat, Dirents, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW};
use ulib::io::{self, AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_RDONLY};
use ulib::{eprintln, Errno};

/// The names in directory `path`, without "." and "..".
fn entries(path: &[u8]) -> Result<Vec<Vec<u8>>, Errno> {
    let fd = io::openat(
        AT_FDCWD,
        &cstring(path),
        O_RDONLY | O_DIRECTORY | O_CLOEXEC,
        0,
    )? as i32;
    let mut names = Vec::new();
    let mut buf = [0u8; 4096];
    let r = loop {
        match getdents64(fd, &mut buf) {
            Ok(0) => break Ok(names),
            Ok(n) => names.extend(
                Dirents::new(&buf, n)
                    .filter(|d| d.name != b"." && d.name != b"..")
                    .map(|d| d.name.to_vec()),
            ),
            Err(e) => break Err(e),
        }
    };
    let _ = io::close(fd);
    r
}

/// Remove `path` (a directory only with `recursive`); false if something failed (and
/// was reported).
fn remove(path: &[u8], recursive: bool, force: bool) -> bool {
    let st = match fstatat(AT_FDCWD, &cstring(path), AT_SYMLINK_NOFOLLOW) {
        Ok(st) => st,
        Err(Errno::ENOENT) if force => return true,
        Err(e) => {
            eprintln!("rm: cannot remove '{}': {}", text(path), e.text());
            return false;
        }
    };
    if st.is_dir() {
        if !recursive {
            eprintln!("rm: cannot remove '{}': Is a directory", text(path));
            return false;
        }
        let mut ok = true;
        match entries(path) {
            Ok(names) => {
                for n in names {
                    let mut child = path.to_vec();
                    if !child.ends_with(b"/") {
                        child.push(b'/');
                    }
                    child.extend_from_slice(&n);
                    ok &= remove(&child, recursive, force);
                }
            }
            Err(e) => {
                eprintln!("rm: cannot remove '{}': {}", text(path), e.text());
                return false;
            }
        }
        if !ok {
            return false;
        }
    }
    let flags = if st.is_dir() { AT_REMOVEDIR } else { 0 };
    match unlinkat(AT_FDCWD, &cstring(path), flags) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("rm: cannot remove '{}': {}", text(path), e.text());
            false
        }
    }
}

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("rm", b"rRf", b"") else {
        return 1;
    };
    let (recursive, force) = (o.has(b'r') || o.has(b'R'), o.has(b'f'));
    if o.operands.is_empty() {
        return if force {
            0
        } else {
            missing_operand("rm", "operand")
        };
    }
    let mut status = 0;
    for f in &o.operands {
        if !remove(f, recursive, force) {
            status = 1;
        }
    }
    status
}
