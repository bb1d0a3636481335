//! touch FILE...: create each file that does not exist (openat with O_CREAT, mode 0666
//! less the umask) and set its access and modification times to now (utimensat).
//! Messages and the exit status are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use binlib::{cstring, missing_operand, options, text};
use ulib::eprintln;
use ulib::fileops::utimensat;
use ulib::io::{self, AT_FDCWD, O_CLOEXEC, O_CREAT, O_WRONLY};

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("touch", b"", b"") else {
        return 1;
    };
    if o.operands.is_empty() {
        return missing_operand("touch", "file operand");
    }
    let mut status = 0;
    for f in &o.operands {
        let path = cstring(f);
        // utimensat first: a file that exists (a directory too) only gets new times.
        let r = utimensat(AT_FDCWD, Some(&path), None, 0).or_else(|_| {
            let fd = io::openat(AT_FDCWD, &path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o666)?;
            io::close(fd as i32)
        });
        if let Err(e) = r {
            eprintln!("touch: cannot touch '{}': {}", text(f), e.text());
            status = 1;
        }
    }
    status
}
