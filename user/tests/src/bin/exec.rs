//! exec: execve and execveat, the way Linux does them, checked from the outside.
//!
//! The program execs *itself* with a crafted argv and envp; `argv[1]` tells the new image
//! what to do (print its argv and environment, its AT_RANDOM bytes or AT_EXECFN, check
//! its descriptors, pid and cwd, or just exit 42), and the parent reads the answer from a
//! pipe or the exit status. The kernel side: `kernel/src/exec/` (`do_execveat_common`,
//! `bprm_mm_init`, `copy_strings`, `search_binary_handler`, `load_elf_binary`,
//! `load_script`, `begin_new_exec`) and `kernel/src/fs/vfs.rs` (`open_exec`).
//!
//! Checked: argv and envp arrive exactly (order, empty strings, spaces); pid and cwd are
//! kept; O_CLOEXEC / FD_CLOEXEC descriptors are closed and the others stay; AT_RANDOM
//! differs between two execs; AT_EXECFN is the name exec was given; relative paths from
//! the cwd; execveat with AT_FDCWD, a dirfd and AT_EMPTY_PATH; a symlink; `#!` scripts
//! with and without an argument; ENOENT, ENOEXEC, EACCES, ENOTDIR, EFAULT, E2BIG, ELOOP,
//! each leaving the caller running; bad ELF files; exec from a process with a second
//! thread. Needs the initramfs files of user/tests/data (see its README), so it is
//! Linnet-only (runtests.py: `linnet_only`).
//! Syscalls used: execve, execveat, clone, wait4, pipe2, dup3, openat, read, write, close,
//! fcntl, chdir, getcwd, getpid, mmap, nanosleep, unlinkat, exit_group.

#![no_std]
#![no_main]

use core::ffi::{c_char, CStr};
use core::ptr::null;
use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
use ulib::fs::{chdir, dup3, getcwd, pipe2, AT_SYMLINK_NOFOLLOW};
use ulib::io::fcntl::{FD_CLOEXEC, F_GETFD, F_SETFD};
use ulib::io::{fcntl, AT_FDCWD, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_RDONLY, O_TRUNC, O_WRONLY};
use ulib::process::{execve, execveat, AT_EMPTY_PATH};
use ulib::start::{AT_EXECFN, AT_RANDOM};
use ulib::{
    auxv, close, exit_group, fork, map_anon, openat, read, wait4, wexitstatus, wifexited, write,
    Errno, SysResult, Tap,
};

const SELF: &CStr = c"/tests/exec";
/// What a "hello" child exits with.
const HELLO: i32 = 42;
/// Linux `MAX_ARG_STRLEN`: one argument, NUL included, may be this long.
const MAX_ARG_STRLEN: usize = 32 * 4096;

/// A NULL-terminated array of string pointers, as execve takes it.
struct Argv<const N: usize>([*const u8; N]);

impl<const N: usize> Argv<N> {
    /// `strs` followed by NULL (`N` must be `strs.len() + 1`).
    fn new(strs: [&CStr; N]) -> Argv<N> {
        let mut a = [null(); N];
        for (i, s) in strs.iter().enumerate().take(N - 1) {
            a[i] = s.as_ptr().cast();
        }
        Argv(a)
    }
    fn ptr(&self) -> *const *const u8 {
        self.0.as_ptr()
    }
}

/// An empty environment.
const NO_ENV: [*const u8; 1] = [null()];

/// execve(path, argv, envp) with arrays built by [`Argv`].
fn exec<const A: usize, const E: usize>(path: &CStr, argv: &Argv<A>, envp: &Argv<E>) -> Errno {
    // SAFETY: NUL-terminated strings and NULL-terminated arrays that outlive the call.
    match unsafe { execve(path.as_ptr().cast(), argv.ptr(), envp.ptr()) } {
        Ok(_) => Errno(0),
        Err(e) => e,
    }
}

/// Run `child` in a forked process whose stdout is a pipe; collect what it writes into
/// `out`. If `child` returns (its exec failed), the process exits 100 + errno. Returns the
/// exit status (or -1 if it did not exit normally) and the bytes read.
fn spawn(out: &mut [u8], child: impl FnOnce() -> Errno) -> (i32, usize) {
    let Ok([r, w]) = pipe2(0) else {
        return (-1, 0);
    };
    match fork() {
        Ok(0) => {
            let _ = close(r);
            let _ = dup3(w, 1, 0);
            let _ = close(w);
            let e = child();
            exit_group(100 + e.0)
        }
        Ok(pid) => {
            let _ = close(w);
            let mut n = 0;
            while n < out.len() {
                match read(r, &mut out[n..]) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => n += k,
                }
            }
            // Drain whatever did not fit, so the child never blocks on a full pipe.
            let mut sink = [0u8; 256];
            while matches!(read(r, &mut sink), Ok(k) if k > 0) {}
            let _ = close(r);
            let mut status = 0;
            let _ = wait4(pid, Some(&mut status), 0);
            let code = if wifexited(status) {
                wexitstatus(status)
            } else {
                -1
            };
            (code, n)
        }
        Err(_) => (-1, 0),
    }
}

/// Exit status of a child that runs `child` (which should exec), discarding its output.
fn status_of(child: impl FnOnce() -> Errno) -> i32 {
    spawn(&mut [0u8; 64], child).0
}

/// Append `s` and a NUL to `buf` at `*n`.
fn put(buf: &mut [u8], n: &mut usize, s: &[u8]) {
    for &b in s.iter().chain(core::iter::once(&0)) {
        if *n < buf.len() {
            buf[*n] = b;
            *n += 1;
        }
    }
}

/// Decimal text of `v` (for pids and descriptor numbers in argv).
fn itoa(v: i32, buf: &mut [u8; 12]) -> &CStr {
    let mut i = buf.len() - 1;
    buf[i] = 0;
    let mut x = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    CStr::from_bytes_with_nul(&buf[i..]).unwrap_or(c"?")
}

fn atoi(s: &[u8]) -> i32 {
    s.iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i32, |a, &b| a * 10 + (b - b'0') as i32)
}

/// Show two byte strings, NULs as '|', when they differ.
fn diag_bytes(tap: &Tap, got: &[u8], want: &[u8]) {
    tap.diag(format_args!("  got  {}", NulAsBar(got)));
    tap.diag(format_args!("  want {}", NulAsBar(want)));
}

/// Bytes printed as text with each NUL shown as '|' (no allocator for a `replace`).
struct NulAsBar<'a>(&'a [u8]);

impl core::fmt::Display for NulAsBar<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for &b in self.0 {
            let c = match b {
                0 => '|',
                b if b.is_ascii_graphic() || b == b' ' => b as char,
                _ => '?',
            };
            core::fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

// ---- the new image: what argv[1] asks it to do -------------------------------------

/// Print argv, then a newline, then envp, each string followed by a NUL.
fn print_args() -> i32 {
    let mut buf = [0u8; 2048];
    let mut n = 0;
    for a in ulib::args() {
        put(&mut buf, &mut n, a);
    }
    if n < buf.len() {
        buf[n] = b'\n';
        n += 1;
    }
    for e in ulib::env() {
        put(&mut buf, &mut n, e);
    }
    let _ = write(1, &buf[..n]);
    0
}

/// The child side; `None` if argv[1] names no child mode (then this is the parent).
fn child_mode() -> Option<i32> {
    let mut args = ulib::args().skip(1);
    let mode = args.next()?;
    let arg = |i: usize| ulib::args().nth(i).unwrap_or(&b""[..]);
    Some(match mode {
        b"child-argv" | b"shebang-arg" => print_args(),
        m if m.ends_with(b"script-noarg") => print_args(),
        b"child-exit" => HELLO,
        b"child-random" => {
            let p = auxv(AT_RANDOM).unwrap_or(0) as *const u8;
            if p.is_null() {
                return Some(1);
            }
            // SAFETY: AT_RANDOM points at 16 bytes on the initial stack.
            let _ = write(1, unsafe { core::slice::from_raw_parts(p, 16) });
            0
        }
        b"child-execfn" => {
            let p = auxv(AT_EXECFN).unwrap_or(0);
            if p == 0 {
                return Some(1);
            }
            // SAFETY: AT_EXECFN points at a NUL-terminated string on the initial stack.
            let name = unsafe { CStr::from_ptr(p as *const c_char) };
            let _ = write(1, name.to_bytes());
            0
        }
        // argv: child-fds CLOSED OPEN: CLOSED must be closed, OPEN open and readable.
        b"child-fds" => {
            let (closed, open) = (atoi(arg(2)), atoi(arg(3)));
            let gone = fcntl(closed, F_GETFD, 0) == Err(Errno::EBADF);
            let kept = fcntl(open, F_GETFD, 0) == Ok(0);
            let mut b = [0u8; 8];
            let readable = matches!(read(open, &mut b), Ok(8));
            (!(gone && kept && readable)) as i32
        }
        // argv: child-state PID: the pid and the cwd (/tests/data) survived the exec.
        b"child-state" => {
            let mut cwd = [0u8; 64];
            let same_pid = ulib::getpid() == atoi(arg(2));
            let same_cwd = getcwd(&mut cwd) == Ok(&b"/tests/data"[..]);
            (!same_pid) as i32 + 2 * (!same_cwd) as i32
        }
        // argv: child-big N LEN, then N strings of LEN bytes 'a'..'z' (one letter each).
        b"child-big" => {
            let (count, len) = (atoi(arg(2)) as usize, atoi(arg(3)) as usize);
            let mut ok = ulib::args().count() == 4 + count;
            for (i, s) in ulib::args().skip(4).enumerate() {
                let letter = b'a' + (i % 26) as u8;
                ok &= s.len() == len && s.iter().all(|&b| b == letter);
            }
            (!ok) as i32
        }
        _ => return None,
    })
}

// ---- the parent --------------------------------------------------------------------

/// Exit with 42 through `exec`.
fn hello<const E: usize>(path: &CStr, envp: &Argv<E>) -> Errno {
    exec(path, &Argv::new([c"exec", c"child-exit", c""]), envp)
}

/// execveat with the "hello" argv.
fn hello_at(dirfd: i32, path: &CStr, flags: u32) -> Errno {
    let argv = Argv::new([c"exec", c"child-exit", c""]);
    // SAFETY: NUL-terminated strings and NULL-terminated arrays that outlive the call.
    match unsafe {
        execveat(
            dirfd,
            path.as_ptr().cast(),
            argv.ptr(),
            NO_ENV.as_ptr(),
            flags,
        )
    } {
        Ok(_) => Errno(0),
        Err(e) => e,
    }
}

/// Copy the first `len` bytes of this program to `path` (mode 0755), with `patch`
/// applied, to make a broken ELF file.
fn write_bad_elf(path: &CStr, len: usize, patch: impl FnOnce(&mut [u8])) -> SysResult<()> {
    let mut buf = [0u8; 4096];
    let fd = openat(AT_FDCWD, SELF, O_RDONLY, 0)? as i32;
    let n = read(fd, &mut buf[..len])?;
    let _ = close(fd);
    patch(&mut buf[..n]);
    let fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0o755)? as i32;
    let r = write(fd, &buf[..n]);
    let _ = close(fd);
    r.map(|_| ())
}

/// A value the failed execs must not disturb.
static SURVIVOR: AtomicU32 = AtomicU32::new(0x5eed);

fn argv_and_envp(tap: &mut Tap) {
    let argv = Argv::new([
        SELF,
        c"child-argv",
        c"",
        c"two words",
        c" lead",
        c"trail ",
        c"tab\there",
        c"",
        c"last",
        c"",
    ]);
    let envp = Argv::new([c"A=1", c"", c"EMPTY=", c"SPACES=a b  c", c"Z=last", c""]);
    let mut out = [0u8; 512];
    let (code, n) = spawn(&mut out, || exec(SELF, &argv, &envp));
    let mut want = [0u8; 512];
    let mut w = 0;
    for s in [
        "/tests/exec",
        "child-argv",
        "",
        "two words",
        " lead",
        "trail ",
        "tab\there",
        "",
        "last",
    ] {
        put(&mut want, &mut w, s.as_bytes());
    }
    let split = w;
    want[w] = b'\n';
    w += 1;
    for s in ["A=1", "", "EMPTY=", "SPACES=a b  c", "Z=last"] {
        put(&mut want, &mut w, s.as_bytes());
    }
    let (got_args, got_env) = out[..n].split_at(n.min(split));
    if !tap.ok(
        code == 0 && got_args == &want[..split],
        "argv arrives exactly (order, empty strings, spaces, a tab)",
    ) {
        diag_bytes(tap, got_args, &want[..split]);
    }
    if !tap.ok(
        code == 0 && got_env == &want[split..w],
        "envp arrives exactly (order, empty strings, spaces)",
    ) {
        diag_bytes(tap, got_env, &want[split..w]);
    }

    // envp == NULL is an empty environment (Linux accepts a NULL array as empty).
    let argv = Argv::new([SELF, c"child-argv", c""]);
    let (code, n) = spawn(&mut out, || {
        // SAFETY: valid path and argv; envp NULL is allowed.
        match unsafe { execve(SELF.as_ptr().cast(), argv.ptr(), null()) } {
            Ok(_) => Errno(0),
            Err(e) => e,
        }
    });
    tap.ok(
        code == 0 && out[..n] == b"/tests/exec\0child-argv\0\n"[..],
        "a NULL envp is an empty environment",
    );
}

fn kept_and_closed(tap: &mut Tap) {
    // pid and cwd survive exec.
    let _ = chdir(c"/tests/data");
    let code = status_of(|| {
        let mut b = [0u8; 12];
        let pid = itoa(ulib::getpid(), &mut b);
        exec(
            SELF,
            &Argv::new([SELF, c"child-state", pid, c""]),
            &Argv::new([c""]),
        )
    });
    tap.eq(code, 0, "exec keeps the pid and the cwd");
    let _ = chdir(c"/");

    // Close-on-exec: one fd opened with O_CLOEXEC, one marked with F_SETFD, one plain.
    let plain = c"/tests/data/plain.txt";
    let a = openat(AT_FDCWD, plain, O_RDONLY | O_CLOEXEC, 0).unwrap_or(0) as i32;
    let b = openat(AT_FDCWD, plain, O_RDONLY, 0).unwrap_or(0) as i32;
    let c = openat(AT_FDCWD, plain, O_RDONLY, 0).unwrap_or(0) as i32;
    let _ = fcntl(c, F_SETFD, FD_CLOEXEC);
    let (mut x, mut y, mut z) = ([0u8; 12], [0u8; 12], [0u8; 12]);
    let (sa, sb, sc) = (itoa(a, &mut x), itoa(b, &mut y), itoa(c, &mut z));
    let code = status_of(|| {
        exec(
            SELF,
            &Argv::new([SELF, c"child-fds", sa, sb, c""]),
            &Argv::new([c""]),
        )
    });
    tap.eq(
        code,
        0,
        "an O_CLOEXEC fd is closed by exec, a plain one stays open",
    );
    let code = status_of(|| {
        exec(
            SELF,
            &Argv::new([SELF, c"child-fds", sc, sb, c""]),
            &Argv::new([c""]),
        )
    });
    tap.eq(
        code,
        0,
        "an fd marked FD_CLOEXEC with F_SETFD is closed by exec",
    );
    tap.eq(
        fcntl(a, F_GETFD, 0),
        Ok(FD_CLOEXEC),
        "... and in the parent, which did not exec, it is still open",
    );
    for fd in [a, b, c] {
        let _ = close(fd);
    }
}

fn auxv_across_execs(tap: &mut Tap) {
    let argv = Argv::new([SELF, c"child-random", c""]);
    let (mut r1, mut r2) = ([0u8; 16], [0u8; 16]);
    let (c1, n1) = spawn(&mut r1, || exec(SELF, &argv, &Argv::new([c""])));
    let (c2, n2) = spawn(&mut r2, || exec(SELF, &argv, &Argv::new([c""])));
    tap.ok(
        c1 == 0 && c2 == 0 && n1 == 16 && n2 == 16 && r1 != r2,
        "AT_RANDOM: 16 bytes that differ between two execs",
    );

    let mut name = [0u8; 64];
    let argv = Argv::new([c"x", c"child-execfn", c""]);
    let _ = chdir(c"/tests");
    let (code, n) = spawn(&mut name, || exec(c"exec", &argv, &Argv::new([c""])));
    let _ = chdir(c"/");
    if !tap.ok(
        code == 0 && &name[..n] == b"exec",
        "AT_EXECFN is the name given to execve (a relative \"exec\")",
    ) {
        diag_bytes(tap, &name[..n], b"exec");
    }
    let dir = openat(AT_FDCWD, c"/tests", O_RDONLY | O_DIRECTORY, 0).unwrap_or(0) as i32;
    let (code, n) = spawn(&mut name, || {
        // SAFETY: strings and arrays outlive the call.
        match unsafe { execveat(dir, c"exec".as_ptr().cast(), argv.ptr(), NO_ENV.as_ptr(), 0) } {
            Ok(_) => Errno(0),
            Err(e) => e,
        }
    });
    let mut want = [0u8; 32];
    let mut w = 0;
    let mut b = [0u8; 12];
    for part in [&b"/dev/fd/"[..], itoa(dir, &mut b).to_bytes(), b"/exec"] {
        want[w..w + part.len()].copy_from_slice(part);
        w += part.len();
    }
    if !tap.ok(
        code == 0 && name[..n] == want[..w],
        "AT_EXECFN through a dirfd is /dev/fd/N/exec, as Linux names it",
    ) {
        diag_bytes(tap, &name[..n], &want[..w]);
    }
    let _ = close(dir);
}

fn paths(tap: &mut Tap) {
    let env = Argv::new([c""]);
    let _ = chdir(c"/tests");
    tap.eq(
        status_of(|| hello(c"exec", &env)),
        HELLO,
        "execve of a relative path after chdir",
    );
    tap.eq(
        status_of(|| hello(c"./exec", &env)),
        HELLO,
        "execve of ./exec",
    );
    let _ = chdir(c"/tests/data");
    tap.eq(
        status_of(|| hello(c"../exec", &env)),
        HELLO,
        "execve of ../exec",
    );
    tap.eq(
        status_of(|| hello(c"exec-link", &env)),
        HELLO,
        "execve through a symlink (exec-link -> ../exec)",
    );
    let _ = chdir(c"/tests");
    tap.eq(
        status_of(|| hello_at(AT_FDCWD, c"exec", 0)),
        HELLO,
        "execveat(AT_FDCWD, relative path)",
    );
    let _ = chdir(c"/");
    let dir = openat(AT_FDCWD, c"/tests", O_RDONLY | O_DIRECTORY, 0).unwrap_or(0) as i32;
    tap.eq(
        status_of(|| hello_at(dir, c"exec", 0)),
        HELLO,
        "execveat(dirfd of /tests, \"exec\")",
    );
    tap.eq(
        status_of(|| hello_at(dir, c"/tests/exec", 0)),
        HELLO,
        "execveat(dirfd, absolute path): the dirfd is ignored",
    );
    let file = openat(AT_FDCWD, SELF, O_RDONLY, 0).unwrap_or(0) as i32;
    tap.eq(
        status_of(|| hello_at(file, c"", AT_EMPTY_PATH)),
        HELLO,
        "execveat(fd, \"\", AT_EMPTY_PATH) runs the open file",
    );
    tap.eq(
        hello_at(file, c"", 0),
        Errno::ENOENT,
        "execveat(fd, \"\") without AT_EMPTY_PATH is ENOENT",
    );
    tap.eq(
        hello_at(file, c"exec", 0),
        Errno::ENOTDIR,
        "execveat with a dirfd that is a file is ENOTDIR",
    );
    tap.eq(
        hello_at(dir, c"exec", 0x8000_0000),
        Errno::EINVAL,
        "execveat with unknown flags is EINVAL",
    );
    tap.eq(
        hello_at(AT_FDCWD, c"/tests/data/exec-link", AT_SYMLINK_NOFOLLOW),
        Errno::ELOOP,
        "execveat(AT_SYMLINK_NOFOLLOW) of a symlink is ELOOP",
    );
    let _ = (close(dir), close(file));
}

fn errors(tap: &mut Tap) {
    let env = Argv::new([c""]);
    tap.eq(
        hello(c"/tests/nonexistent", &env),
        Errno::ENOENT,
        "ENOENT: no such file",
    );
    tap.eq(hello(c"", &env), Errno::ENOENT, "ENOENT: an empty path");
    tap.eq(
        hello(c"/tests/data/noexec", &env),
        Errno::ENOEXEC,
        "ENOEXEC: mode 0755 text without #!",
    );
    tap.eq(
        hello(c"/tests/data", &env),
        Errno::EACCES,
        "EACCES: a directory",
    );
    tap.eq(
        hello(c"/tests/data/plain.txt", &env),
        Errno::EACCES,
        "EACCES: a file without an execute bit (0644)",
    );
    tap.eq(
        hello(c"/tests/data/plain.txt/exec", &env),
        Errno::ENOTDIR,
        "ENOTDIR: a path through a regular file",
    );
    let argv = Argv::new([c"exec", c"child-exit", c""]);
    // SAFETY: the kernel must refuse these pointers with EFAULT; nothing is written.
    unsafe {
        tap.eq(
            execve(0x10 as *const u8, argv.ptr(), NO_ENV.as_ptr()),
            Err(Errno::EFAULT),
            "EFAULT: a bad path pointer",
        );
        tap.eq(
            execve(
                SELF.as_ptr().cast(),
                0x10 as *const *const u8,
                NO_ENV.as_ptr(),
            ),
            Err(Errno::EFAULT),
            "EFAULT: a bad argv pointer",
        );
        let bad_string = [SELF.as_ptr().cast(), 0x10 as *const u8, null()];
        tap.eq(
            execve(SELF.as_ptr().cast(), bad_string.as_ptr(), NO_ENV.as_ptr()),
            Err(Errno::EFAULT),
            "EFAULT: a bad string pointer inside argv",
        );
        tap.eq(
            execve(SELF.as_ptr().cast(), argv.ptr(), 0x10 as *const *const u8),
            Err(Errno::EFAULT),
            "EFAULT: a bad envp pointer",
        );
    }
    tap.eq(
        SURVIVOR.load(SeqCst),
        0x5eed,
        "after the failed execs the caller runs on, its memory intact",
    );
}

fn big_arguments(tap: &mut Tap) {
    // One string buffer per letter would be 26 * 128 KiB: use one buffer and rewrite it
    // between tests instead; the pointers all point into it.
    let Ok(buf) = map_anon(MAX_ARG_STRLEN + 4096) else {
        tap.ok(false, "mmap for the big-argument tests");
        return;
    };
    let Ok(ptrs) = map_anon(300_001 * 8) else {
        tap.ok(false, "mmap for the big-argument tests");
        return;
    };
    // SAFETY: ptrs is 8-byte aligned (page aligned) and 300_001 * 8 bytes long.
    let ptrs =
        unsafe { core::slice::from_raw_parts_mut(ptrs.as_mut_ptr() as *mut *const u8, 300_001) };
    let env = Argv::new([c""]);
    let run = |ptrs: &[*const u8]| -> Errno {
        // SAFETY: every pointer is a NUL-terminated string in `buf` or NULL-terminated.
        match unsafe { execve(SELF.as_ptr().cast(), ptrs.as_ptr(), env.ptr()) } {
            Ok(_) => Errno(0),
            Err(e) => e,
        }
    };

    // A string of MAX_ARG_STRLEN bytes plus its NUL is one too many.
    buf[..MAX_ARG_STRLEN].fill(b'x');
    buf[MAX_ARG_STRLEN] = 0;
    ptrs[0] = SELF.as_ptr().cast();
    ptrs[1] = buf.as_ptr();
    ptrs[2] = null();
    tap.eq(
        run(&ptrs[..3]),
        Errno::E2BIG,
        "E2BIG: one argument of 128 KiB + NUL",
    );

    // 20 arguments of 128 KiB - 1: 2.5 MiB, past the 2 MiB limit (RLIMIT_STACK / 4).
    buf[MAX_ARG_STRLEN - 1] = 0;
    for p in ptrs[1..21].iter_mut() {
        *p = buf.as_ptr();
    }
    ptrs[21] = null();
    tap.eq(
        run(&ptrs[..22]),
        Errno::E2BIG,
        "E2BIG: 2.5 MiB of arguments",
    );

    // 300 000 empty strings: their pointers alone pass the limit (and must fail fast).
    buf[0] = 0;
    for p in ptrs[1..300_000].iter_mut() {
        *p = buf.as_ptr();
    }
    ptrs[300_000] = null();
    tap.eq(
        run(&ptrs[..300_001]),
        Errno::E2BIG,
        "E2BIG: 300 000 empty arguments",
    );

    // 1 MiB that fits: 8 strings of 128 KiB - 1, one letter each. The buffer holds the
    // eight strings one after the other, 128 KiB apart... in one 128 KiB buffer that is
    // impossible, so use 8 separate mappings.
    let len = MAX_ARG_STRLEN - 1;
    let mut strings: [*const u8; 13] = [null(); 13];
    strings[0] = SELF.as_ptr().cast();
    strings[1] = c"child-big".as_ptr().cast();
    strings[2] = c"8".as_ptr().cast();
    strings[3] = c"131071".as_ptr().cast();
    for i in 0..8 {
        let Ok(s) = map_anon(len + 1) else {
            tap.ok(false, "mmap for the big-argument tests");
            return;
        };
        s[..len].fill(b'a' + i as u8);
        s[len] = 0;
        strings[4 + i] = s.as_ptr();
    }
    let code = status_of(|| run(&strings));
    tap.eq(
        code,
        0,
        "1 MiB of arguments (8 x 128 KiB - 1) arrives intact",
    );
}

fn scripts(tap: &mut Tap) {
    let mut out = [0u8; 256];
    let argv = Argv::new([c"script-argv0", c"x y", c"", c""]);
    let env = Argv::new([c"K=v", c""]);
    let mut check = |tap: &mut Tap, path: &CStr, want: &[u8], name: &str| {
        let (code, n) = spawn(&mut out, || exec(path, &argv, &env));
        if !tap.ok(code == 0 && &out[..n] == want, name) {
            diag_bytes(tap, &out[..n], want);
        }
    };
    check(
        tap,
        c"/tests/data/script-arg",
        b"/tests/exec\0shebang-arg\0/tests/data/script-arg\0x y\0\0\nK=v\0",
        "#! with an argument: interp, arg, script path, then argv[1..]",
    );
    check(
        tap,
        c"/tests/data/script-noarg",
        b"/tests/exec\0/tests/data/script-noarg\0x y\0\0\nK=v\0",
        "#! without an argument: interp, script path, then argv[1..]",
    );
    let _ = chdir(c"/tests/data");
    check(
        tap,
        c"script-arg",
        b"/tests/exec\0shebang-arg\0script-arg\0x y\0\0\nK=v\0",
        "#! script by a relative path: the path as given",
    );
    let _ = chdir(c"/");
    tap.eq(
        exec(c"/tests/data/script-badinterp", &argv, &env),
        Errno::ENOENT,
        "#! naming a missing interpreter is ENOENT",
    );
}

fn bad_elves(tap: &mut Tap) {
    let env = Argv::new([c""]);
    let cases: [(&CStr, usize, fn(&mut [u8]), &str); 2] = [
        (
            c"/tmp/exec-header-only",
            64,
            |_| {},
            "ENOEXEC: an ELF header whose program headers are past the end",
        ),
        (
            c"/tmp/exec-x86",
            4096,
            |b| b[18] = 62, // e_machine = EM_X86_64
            "ENOEXEC: built for another machine",
        ),
    ];
    for (path, len, patch, name) in cases {
        let made = write_bad_elf(path, len, patch);
        tap.eq(made.map(|_| hello(path, &env)), Ok(Errno::ENOEXEC), name);
        let _ = ulib::fs::unlinkat(AT_FDCWD, path, 0);
    }
    // Segments past the end of the file are no exec error: Linux maps them, past its
    // point of no return, and the program dies of SIGBUS when it runs into them
    // (elfmut.rs tests more such files).
    let path = c"/tmp/exec-4k";
    let made = write_bad_elf(path, 4096, |_| {});
    let st = ulib::process::reap(ulib::process::spawn(|| hello(path, &env).0 + 100));
    tap.ok(
        made.is_ok() && st.is_some_and(|s| ulib::wifsignaled(s) && ulib::wtermsig(s) == 7),
        "the first 4 KiB of a program (segments past the end): killed by SIGBUS",
    );
    let _ = ulib::fs::unlinkat(AT_FDCWD, path, 0);
}

/// A thread that sleeps while its process execs: exec must end it (`de_thread`).
fn sleeper(_: usize) -> i32 {
    let _ = ulib::time::sleep_ms(10_000);
    0
}

fn exec_with_threads(tap: &mut Tap) {
    let code = status_of(|| {
        let Ok(stack) = map_anon(64 * 1024) else {
            return Errno::ENOMEM;
        };
        if ulib::spawn_thread(stack, 0, sleeper, 0).is_err() {
            return Errno::EAGAIN;
        }
        hello(SELF, &Argv::new([c""]))
    });
    tap.eq(code, HELLO, "exec from a process with a second thread");
}

#[no_mangle]
fn main() -> i32 {
    if let Some(code) = child_mode() {
        return code;
    }
    if !ulib::is_linnet() {
        // Elsewhere (qemu-user on a host, user/build.sh --check) /tests/exec and
        // /tests/data do not exist: the whole plan is skipped, as TAP allows.
        ulib::println!("1..0 # SKIP needs Linnet's initramfs (/tests/exec, /tests/data)");
        return 0;
    }
    let mut tap = Tap::new(45);
    argv_and_envp(&mut tap); // 3
    kept_and_closed(&mut tap); // 4
    auxv_across_execs(&mut tap); // 3
    paths(&mut tap); // 12
    errors(&mut tap); // 11
    big_arguments(&mut tap); // 4
    scripts(&mut tap); // 4
    bad_elves(&mut tap); // 3
    exec_with_threads(&mut tap); // 1
    tap.done()
}
