//! binlib: what Linnet's user-land programs (`src/bin/*.rs`, each one `/bin/NAME`) share.
//!
//! - the heap: ulib's brk + mmap malloc installed as the global allocator, so the
//!   programs may use `Vec` and `String`;
//! - C strings from byte slices, whole-file reads, number parsing;
//! - running a program: [`execvp`] (search `$PATH`, as libc's `execvp`) and [`spawn`]
//!   (fork + exec, the way a shell starts a child);
//! - what happened to a child, for people: [`Status`] ("exited with 3", "killed by SIGSEGV");
//! - signal names; /proc parsing for `ps`, `maps` and the demos.
//!
//! Read next: `bin/init.rs`, then `bin/sh.rs`.

#![no_std]
#![deny(missing_docs)]

extern crate alloc;

pub mod proc;

use alloc::ffi::CString;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt;
use ulib::io::{self, AT_FDCWD, O_CLOEXEC, O_RDONLY};
use ulib::process::{self, wexitstatus, wifexited, wifsignaled, wtermsig};
use ulib::{Errno, SysResult};

#[global_allocator]
static HEAP: ulib::heap::Heap = ulib::heap::Heap::new();

/// The search path when the environment has no `PATH`.
pub const DEFAULT_PATH: &str = "/bin:/tests";

/// A NUL-terminated copy of `s` (a NUL inside `s` ends it early).
pub fn cstring(s: &[u8]) -> CString {
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    CString::new(&s[..end]).unwrap_or_default()
}

/// `s` as text; bytes that are not UTF-8 show as "?".
pub fn text(s: &[u8]) -> &str {
    core::str::from_utf8(s).unwrap_or("?")
}

/// Parse a decimal number (optionally negative).
pub fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().fold(0i64, |n, &d| n * 10 + (d - b'0') as i64);
    Some(if neg { -n } else { n })
}

/// Everything `fd` has to give, until end of file.
pub fn read_all(fd: i32) -> SysResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match io::read(fd, &mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
}

/// The contents of the file at `path`.
pub fn read_file(path: &[u8]) -> SysResult<Vec<u8>> {
    let fd = io::openat(AT_FDCWD, &cstring(path), O_RDONLY | O_CLOEXEC, 0)? as i32;
    let r = read_all(fd);
    let _ = io::close(fd);
    r
}

/// The value of environment variable `name`, from this program's environment.
pub fn getenv(name: &[u8]) -> Option<&'static [u8]> {
    ulib::env().find_map(|e| {
        (e.len() > name.len() && e.starts_with(name) && e[name.len()] == b'=')
            .then(|| &e[name.len() + 1..])
    })
}

/// A NULL-terminated array of pointers to the strings of `v` (for execve). The pointers
/// borrow `v`, which must outlive the array's use.
fn ptr_array(v: &[CString]) -> Vec<*const u8> {
    let mut a: Vec<*const u8> = v.iter().map(|s| s.as_ptr().cast()).collect();
    a.push(core::ptr::null());
    a
}

/// execve(2) with Rust strings. Only returns on failure.
pub fn execve(path: &CStr, argv: &[CString], envp: &[CString]) -> Errno {
    let (a, e) = (ptr_array(argv), ptr_array(envp));
    // SAFETY: path, every argv/envp string and both arrays are NUL/NULL-terminated and live
    // across the call.
    match unsafe { process::execve(path.as_ptr().cast(), a.as_ptr(), e.as_ptr()) } {
        Err(e) => e,
        Ok(_) => Errno::EINVAL, // execve does not return on success
    }
}

/// execvp(3): run `argv[0]`, searching the directories of `path` when it has no '/'.
/// Only returns on failure, with the most telling error (ENOENT if nothing was found).
pub fn execvp(argv: &[CString], envp: &[CString], path: &[u8]) -> Errno {
    let Some(name) = argv.first() else {
        return Errno::ENOENT;
    };
    let name = name.as_bytes();
    if name.contains(&b'/') {
        return execve(&cstring(name), argv, envp);
    }
    let mut err = Errno::ENOENT;
    for dir in path.split(|&b| b == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let mut full = Vec::with_capacity(dir.len() + 1 + name.len());
        full.extend_from_slice(dir);
        full.push(b'/');
        full.extend_from_slice(name);
        match execve(&cstring(&full), argv, envp) {
            Errno::ENOENT | Errno::ENOTDIR => {}
            e => err = e, // e.g. EACCES or ENOEXEC: remember it, keep looking
        }
    }
    err
}

/// Fork, and in the child run `argv` (via `$PATH`) with `envp`; returns the child's pid.
/// A child that cannot exec says why on stderr and exits 127, as a shell's does.
pub fn spawn(argv: &[CString], envp: &[CString]) -> SysResult<i32> {
    let path = getenv(b"PATH").unwrap_or(DEFAULT_PATH.as_bytes());
    let pid = process::fork()?;
    if pid == 0 {
        let e = execvp(argv, envp, path);
        let name = argv.first().map_or("", |a| text(a.as_bytes()));
        ulib::eprintln!("{}: {}", name, e.text());
        process::exit_group(127);
    }
    Ok(pid)
}

/// This program's environment as owned C strings (to pass on to a child).
pub fn environ() -> Vec<CString> {
    ulib::env().map(cstring).collect()
}

/// Wait for `pid` (restarting after EINTR); returns its wait status.
pub fn wait_for(pid: i32) -> SysResult<i32> {
    let mut status = 0;
    loop {
        match process::wait4(pid, Some(&mut status), 0) {
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
            Ok(_) => return Ok(status),
        }
    }
}

/// A wait status, written for people: "exited with 3", "killed by SIGSEGV".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub i32);

impl Status {
    /// The number a shell puts in `$?`: the exit code, or 128 + the signal.
    pub fn code(self) -> i32 {
        if wifsignaled(self.0) {
            128 + wtermsig(self.0)
        } else {
            wexitstatus(self.0)
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if wifexited(s) {
            write!(f, "exited with {}", wexitstatus(s))
        } else if wifsignaled(s) {
            write!(f, "killed by {}", signame(wtermsig(s)))?;
            if process::wcoredump(s) {
                write!(f, " (core dumped)")?;
            }
            Ok(())
        } else {
            write!(f, "wait status {:#x}", s)
        }
    }
}

/// Command-line options as the small tools take them (`-rf`, `-n 5`, `--` ends them):
/// the option letters given, in order, and the operands. `with_value` lists the letters
/// that take a value (the rest of the word, or the next word), returned in `values`.
pub struct Options<'a> {
    /// Each option letter, in order.
    pub flags: Vec<u8>,
    /// The value of each option in `with_value` that was given: (letter, value).
    pub values: Vec<(u8, &'a [u8])>,
    /// The other words.
    pub operands: Vec<&'a [u8]>,
}

impl Options<'_> {
    /// Was `-f` given?
    pub fn has(&self, f: u8) -> bool {
        self.flags.contains(&f)
    }
}

/// Parse this program's arguments (after its name) against `allowed` option letters.
/// On a bad option, prints coreutils' two lines ("PROG: invalid option -- 'x'", "Try
/// 'PROG --help' ...") and returns None.
pub fn options(prog: &str, allowed: &[u8], with_value: &[u8]) -> Option<Options<'static>> {
    let mut o = Options {
        flags: Vec::new(),
        values: Vec::new(),
        operands: Vec::new(),
    };
    let mut args = ulib::args().skip(1);
    while let Some(a) = args.next() {
        if a == b"--" {
            o.operands.extend(args);
            break;
        }
        if a.len() < 2 || a[0] != b'-' {
            o.operands.push(a);
            continue;
        }
        for (i, &f) in a[1..].iter().enumerate() {
            if !allowed.contains(&f) {
                ulib::eprintln!("{}: invalid option -- '{}'", prog, f as char);
                ulib::eprintln!("Try '{} --help' for more information.", prog);
                return None;
            }
            o.flags.push(f);
            if with_value.contains(&f) {
                let rest = &a[2 + i..];
                let v = if rest.is_empty() {
                    args.next()
                } else {
                    Some(rest)
                };
                let Some(v) = v else {
                    ulib::eprintln!("{}: option requires an argument -- '{}'", prog, f as char);
                    ulib::eprintln!("Try '{} --help' for more information.", prog);
                    return None;
                };
                o.values.push((f, v));
                break;
            }
        }
    }
    Some(o)
}

/// coreutils' complaint about no operands: "PROG: missing operand" and the "Try" line.
pub fn missing_operand(prog: &str, what: &str) -> i32 {
    ulib::eprintln!("{}: missing {}", prog, what);
    ulib::eprintln!("Try '{} --help' for more information.", prog);
    1
}

/// The operands of `cp` and `mv`: SOURCE... and a last DEST, which must be a directory
/// when there is more than one source (coreutils' `target_directory_operand`).
pub struct Targets<'a> {
    /// Every operand but the last.
    pub sources: &'a [&'a [u8]],
    /// The last operand.
    pub dest: &'a [u8],
    /// DEST is a directory: each source goes into it under its own name.
    pub dest_dir: bool,
}

impl Targets<'_> {
    /// Where `src` goes: DEST itself, or `DEST/` + the last component of `src`.
    pub fn to(&self, src: &[u8]) -> Vec<u8> {
        if !self.dest_dir {
            return self.dest.to_vec();
        }
        let trimmed = src.strip_suffix(b"/").unwrap_or(src);
        let base = trimmed.rsplit(|&b| b == b'/').next().unwrap_or(trimmed);
        let mut p = self.dest.to_vec();
        if !p.ends_with(b"/") {
            p.push(b'/');
        }
        p.extend_from_slice(base);
        p
    }
}

/// Check `prog`'s operands as coreutils does (a missing operand; several sources into
/// something that is not a directory); Err is the exit status, the message printed.
pub fn targets<'a>(prog: &str, ops: &'a [&'a [u8]]) -> Result<Targets<'a>, i32> {
    match ops.len() {
        0 => return Err(missing_operand(prog, "file operand")),
        1 => {
            let what = alloc::format!("destination file operand after '{}'", text(ops[0]));
            return Err(missing_operand(prog, &what));
        }
        _ => {}
    }
    let dest = ops[ops.len() - 1];
    let dest_st = ulib::fs::fstatat(AT_FDCWD, &cstring(dest), 0);
    let dest_dir = dest_st.is_ok_and(|s| s.is_dir());
    if ops.len() > 2 && !dest_dir {
        let why = dest_st.map_or_else(|e| e.text(), |_| "Not a directory");
        ulib::eprintln!("{}: target '{}': {}", prog, text(dest), why);
        return Err(1);
    }
    Ok(Targets {
        sources: &ops[..ops.len() - 1],
        dest,
        dest_dir,
    })
}

/// `names` laid out in columns across a `width`-column terminal (as `ls` does on a
/// terminal), sorted down the lines in the order given; the text, with newlines.
pub fn columns(names: &[&[u8]], width: usize) -> Vec<u8> {
    let col = names.iter().map(|n| n.len()).max().unwrap_or(0) + 2;
    let per_line = (width / col).max(1);
    let mut out = Vec::new();
    for row in names.chunks(per_line) {
        for (i, n) in row.iter().enumerate() {
            out.extend_from_slice(n);
            if i + 1 < row.len() {
                out.extend(core::iter::repeat_n(b' ', col - n.len()));
            }
        }
        out.push(b'\n');
    }
    out
}

/// The name of signal `sig`, e.g. "SIGSEGV" ("SIGRT" for the real-time ones).
pub use ulib::signal::signame;

/// Every signal's number and name, 1..=31.
pub fn signals() -> impl Iterator<Item = (i32, &'static str)> {
    (1..ulib::uapi::signal::SIGRTMIN).map(|i| (i, signame(i)))
}

/// A signal by number ("9") or name, with or without "SIG" ("KILL", "SIGKILL").
pub fn signum(s: &[u8]) -> Option<i32> {
    if let Some(n) = parse_int(s) {
        return (0..=64).contains(&n).then_some(n as i32);
    }
    let name = s.strip_prefix(b"SIG").unwrap_or(s);
    signals()
        .find(|(_, n)| n.as_bytes()[3..].eq_ignore_ascii_case(name))
        .map(|(n, _)| n)
}
