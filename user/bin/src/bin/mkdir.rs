//! mkdir [-p] DIR...: make directories with mkdirat(2) (mode 0777, less the umask).
//! `-p` also makes missing parents and accepts a directory that exists. Messages and the
//! exit status (1 if any failed) are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use binlib::{cstring, missing_operand, options, text};
use ulib::fs::{fstatat, mkdirat};
use ulib::io::AT_FDCWD;
use ulib::{eprintln, Errno};

/// Make `path`; with `parents`, make each missing prefix first (as `mkdir -p`).
fn make(path: &[u8], parents: bool) -> Result<(), Errno> {
    if parents {
        for (i, _) in path
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'/' && i > 0)
        {
            let prefix = &path[..i];
            if fstatat(AT_FDCWD, &cstring(prefix), 0).is_err() {
                mkdirat(AT_FDCWD, &cstring(prefix), 0o777)?;
            }
        }
    }
    match mkdirat(AT_FDCWD, &cstring(path), 0o777) {
        Err(Errno::EEXIST)
            if parents && fstatat(AT_FDCWD, &cstring(path), 0).is_ok_and(|s| s.is_dir()) =>
        {
            Ok(())
        }
        r => r.map(|_| ()),
    }
}

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("mkdir", b"p", b"") else {
        return 1;
    };
    if o.operands.is_empty() {
        return missing_operand("mkdir", "operand");
    }
    let mut status = 0;
    for d in &o.operands {
        if let Err(e) = make(d, o.has(b'p')) {
            eprintln!("mkdir: cannot create directory '{}': {}", text(d), e.text());
            status = 1;
        }
    }
    status
}
