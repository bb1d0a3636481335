//! cp SOURCE DEST, cp SOURCE... DIRECTORY: copy files (open, read, write; the new file
//! gets the source's permission bits, less the umask, as coreutils' cp without -p). A
//! DEST that is a directory receives copies under the sources' names. Directories are
//! not copied (no -r). Messages and the exit status are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use binlib::{cstring, options, targets, text};
use ulib::fs::fstatat;
use ulib::io::{self, write_all, AT_FDCWD, O_CLOEXEC, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY};
use ulib::{eprintln, Errno};

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
    let t = match targets("cp", &o.operands) {
        Ok(t) => t,
        Err(status) => return status,
    };
    let mut status = 0;
    for src in t.sources {
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
        let to = t.to(src);
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
