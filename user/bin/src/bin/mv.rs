//! mv SOURCE DEST, mv SOURCE... DIRECTORY: rename with renameat(2). A DEST that is a
//! directory receives the sources under their own names. Linnet has one file system, so
//! rename always works where Linux's mv would fall back to copy + remove (EXDEV).
//! Messages and the exit status are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use binlib::{cstring, options, targets, text};
use ulib::eprintln;
use ulib::fileops::renameat;
use ulib::fs::{fstatat, AT_SYMLINK_NOFOLLOW};
use ulib::io::AT_FDCWD;

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("mv", b"", b"") else {
        return 1;
    };
    let t = match targets("mv", &o.operands) {
        Ok(t) => t,
        Err(status) => return status,
    };
    let mut status = 0;
    for src in t.sources {
        if let Err(e) = fstatat(AT_FDCWD, &cstring(src), AT_SYMLINK_NOFOLLOW) {
            eprintln!("mv: cannot stat '{}': {}", text(src), e.text());
            status = 1;
            continue;
        }
        let to = t.to(src);
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
