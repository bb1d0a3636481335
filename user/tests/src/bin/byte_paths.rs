//! byte_paths: a path is bytes, not text.
//!
//! To Linux a file name is any bytes but `/` and NUL: a name that is not valid UTF-8 is
//! created, found, listed, renamed, linked to and removed like any other, and a missing
//! one is ENOENT. Linnet once read paths into Rust `String`s and answered EINVAL for such
//! names; now `strncpy_from_user` hands out bytes and namei, ramfs and exec keep them
//! (kernel/src/fs/namei.rs, ramfs.rs, exec/binfmt_script.rs).
//! Syscalls used: openat, write, read, close, newfstatat, mkdirat, chdir, getcwd,
//! getdents64, symlinkat, readlinkat, renameat, unlinkat, fchmodat, execve, clone, wait4.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::fileops::{fchmodat, renameat};
use ulib::fs::{chdir, fstatat, getcwd, getdents64, mkdirat, readlinkat, symlinkat, unlinkat};
use ulib::io::{AT_FDCWD, O_CREAT, O_DIRECTORY, O_RDONLY, O_RDWR, O_TRUNC};
use ulib::process::execve;
use ulib::{close, fork, openat, read, wait4, write, Errno, Tap};

/// Not UTF-8: 0xff never occurs in UTF-8, 0xc3 starts a sequence `(` cannot continue.
const FILE: &CStr = c"/tmp/bp-\xff\xfe.bin";
const MISSING: &CStr = c"/tmp/bp-\xff-missing";
const DIR: &CStr = c"/tmp/bp-\xc3(dir";
const LINK: &CStr = c"/tmp/bp-link-\x80";
const RENAMED: &CStr = c"/tmp/bp-\xfe\xff.renamed";
const SCRIPT: &CStr = c"/tmp/bp-script-\xff";
/// A `#!` line naming an interpreter whose name is not UTF-8 and does not exist.
const SCRIPT_TEXT: &[u8] = b"#!/tmp/bp-no-such-\xfe-interp\n";

fn err<T>(r: Result<T, Errno>) -> Option<Errno> {
    r.err()
}

/// Does directory `dir` list an entry whose name is exactly `name`?
fn lists(dir: &CStr, name: &[u8]) -> bool {
    let Ok(fd) = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0) else {
        return false;
    };
    let fd = fd as i32;
    let mut buf = [0u8; 4096];
    let mut found = false;
    while let Ok(n) = getdents64(fd, &mut buf) {
        if n == 0 {
            break;
        }
        let mut off = 0;
        while off < n {
            let reclen = u16::from_le_bytes([buf[off + 16], buf[off + 17]]) as usize;
            let rec = &buf[off + 19..off + reclen];
            let len = rec.iter().position(|&b| b == 0).unwrap_or(rec.len());
            found |= &rec[..len] == name;
            off += reclen;
        }
    }
    let _ = close(fd);
    found
}

/// Runs `execve(path)` in a child; returns the errno it failed with (the child exits
/// with it), or None if the exec went through.
fn exec_errno(path: &CStr) -> Option<i32> {
    match fork() {
        Ok(0) => {
            let argv = [path.as_ptr().cast::<u8>(), core::ptr::null()];
            let envp = [core::ptr::null::<u8>()];
            // SAFETY: NULL-terminated arrays of NUL-terminated strings we own.
            let r = unsafe { execve(path.as_ptr().cast(), argv.as_ptr(), envp.as_ptr()) };
            ulib::exit(match r {
                Err(e) => e.0,
                Ok(_) => 0,
            });
        }
        Ok(pid) => {
            let mut status = 0;
            let _ = wait4(pid as i32, Some(&mut status), 0);
            Some((status >> 8) & 0xff)
        }
        Err(_) => None,
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(13);
    let _ = unlinkat(AT_FDCWD, FILE, 0);
    let _ = unlinkat(AT_FDCWD, RENAMED, 0);

    let fd = openat(AT_FDCWD, FILE, O_RDWR | O_CREAT | O_TRUNC, 0o644).map_or(-1, |f| f as i32);
    tap.ok(fd >= 0, "openat(O_CREAT) of a name that is not UTF-8");
    tap.eq(write(fd, b"bytes"), Ok(5), "and it takes data");
    let _ = close(fd);
    let fd = openat(AT_FDCWD, FILE, O_RDONLY, 0).map_or(-1, |f| f as i32);
    let mut b = [0u8; 8];
    tap.eq(
        read(fd, &mut b),
        Ok(5),
        "openat finds it again by the same bytes",
    );
    let _ = close(fd);
    tap.eq(
        fstatat(AT_FDCWD, FILE, 0).map(|s| s.size),
        Ok(5),
        "newfstatat on it",
    );
    tap.eq(
        err(openat(AT_FDCWD, MISSING, O_RDONLY, 0)),
        Some(Errno::ENOENT),
        "a missing name that is not UTF-8 is ENOENT",
    );
    tap.ok(
        lists(c"/tmp", &FILE.to_bytes()[5..]),
        "getdents64 lists the name byte for byte",
    );

    // A directory, entered: getcwd returns the bytes.
    let _ = mkdirat(AT_FDCWD, DIR, 0o755);
    let _ = chdir(DIR);
    let mut cwd = [0u8; 256];
    tap.eq(
        getcwd(&mut cwd).ok(),
        Some(DIR.to_bytes()),
        "mkdirat, chdir, getcwd with such a name",
    );
    let _ = chdir(c"/");
    tap.eq(unlinkat(AT_FDCWD, DIR, 0x200), Ok(0), "and rmdir of it");

    // A symlink whose name and target are not UTF-8.
    let _ = unlinkat(AT_FDCWD, LINK, 0);
    let _ = symlinkat(FILE, AT_FDCWD, LINK);
    let mut t = [0u8; 64];
    tap.eq(
        readlinkat(AT_FDCWD, LINK, &mut t).ok(),
        Some(FILE.to_bytes()),
        "symlinkat and readlinkat keep the bytes",
    );
    let _ = unlinkat(AT_FDCWD, LINK, 0);

    tap.eq(
        renameat(AT_FDCWD, FILE, AT_FDCWD, RENAMED),
        Ok(0),
        "renameat between two such names",
    );
    tap.eq(unlinkat(AT_FDCWD, RENAMED, 0), Ok(0), "unlinkat of it");

    // exec: a missing program, and a script whose interpreter is missing.
    tap.eq(
        exec_errno(MISSING),
        Some(Errno::ENOENT.0),
        "execve of a missing name that is not UTF-8: ENOENT",
    );
    let fd = openat(AT_FDCWD, SCRIPT, O_RDWR | O_CREAT | O_TRUNC, 0o755).map_or(-1, |f| f as i32);
    let _ = write(fd, SCRIPT_TEXT);
    let _ = close(fd);
    let _ = fchmodat(AT_FDCWD, SCRIPT, 0o755);
    tap.eq(
        exec_errno(SCRIPT),
        Some(Errno::ENOENT.0),
        "a #! line naming a missing interpreter that is not UTF-8: ENOENT",
    );
    let _ = unlinkat(AT_FDCWD, SCRIPT, 0);
    tap.done()
}
