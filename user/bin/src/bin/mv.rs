//! mv SOURCE DEST, mv SOURCE... DIRECTORY: rename with renameat(2). A DEST that is a
//! directory receives the sources under their own names. Linnet has one file system, so
//! rename always works where Linux's mv would fall back to copy + remove (EXDEV).
//! Messages and the exit status are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::{cstring, missing_operand, options, text};
use ulib::eprintln;
use ulib::fileops::renameat;
use ulib::fs::{fstatat, AT_SYMLINK_NOFOLLOW};
use ulib::io::AT_FDCWD;

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

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("mv", b"", b"") else {
        return 1;
    };
    let ops = &o.operands;
    match ops.len() {
        0 => return missing_operand("mv", "file operand"),
        1 => {
            let what = alloc::format!("destination file operand after '{}'", text(ops[0]));
            return missing_operand("mv", &what);
        }
        _ => {}
    }
    let dest = ops[ops.len() - 1];
    let dest_st = fstatat(AT_FDCWD, &cstring(dest), 0);
    let dest_dir = dest_st.is_ok_and(|s| s.is_dir());
    if ops.len() > 2 && !dest_dir {
        let why = dest_st.map_or_else(|e| e.text(), |_| "Not a directory");
        eprintln!("mv: target '{}': {}", text(dest), why);
        return 1;
    }
    let mut status = 0;
    for src in &ops[..ops.len() - 1] {
        if let Err(e) = fstatat(AT_FDCWD, &cstring(src), AT_SYMLINK_NOFOLLOW) {
            eprintln!("mv: cannot stat '{}': {}", text(src), e.text());
            status = 1;
            continue;
        }
        let to = if dest_dir {
            into_dir(dest, src)
        } else {
            dest.to_vec()
        };
        if let Err(e) = renameat(AT_FDCWD, &cstring(src), AT_FDCWD, &cstring(&to)) {
            eprintln!(
                "mv: cannot move '{}' to '{}': {}",
                text(src),
                text(&to),
                e.text()
            );
            status = 1;
        }
    }
    status
}
