//! files: file descriptors, the ramfs, the cwd and path lookup, as Linux does them.
//!
//! Works in a fresh directory under /tmp, so it runs the same on Linnet and on Linux
//! (qemu-aarch64; runtests.py compares the verdicts). Checked: init's starting state (cwd
//! `/`, fds 0-2 on /dev/console, char 5:1; Linnet as init only); openat with O_CREAT,
//! O_EXCL, O_APPEND, O_TRUNC, O_DIRECTORY, O_NOFOLLOW; read, write, lseek, fstat,
//! newfstatat; getdents64; dup, dup3, fcntl (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/SETFD,
//! F_GETFL); a pipe between parent and child (pipe2, O_CLOEXEC, ESPIPE, S_IFIFO); chdir,
//! fchdir, getcwd (ERANGE); path rules: `..`, `.`, `//`, `/..`, symlinks (relative, to a
//! directory, dangling, loops, the 40-link limit: ELOOP), ENAMETOOLONG (a 256-byte name,
//! a 4096-byte path), ENOTDIR, ENOENT; symlinkat, readlinkat, mkdirat, unlinkat.
//! The kernel side: `kernel/src/syscall/fs.rs`, `kernel/src/fs/{vfs,file,namei,pipe}.rs`.
//! Syscalls used: openat, close, read, write, lseek, fstat, newfstatat, getdents64, dup,
//! dup3, fcntl, pipe2, clone, wait4, chdir, fchdir, getcwd, mkdirat, unlinkat, symlinkat,
//! readlinkat, getpid, uname, exit_group.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::fs::{
    chdir, dup3, fchdir, fstat, fstatat, getcwd, getdents64, mkdirat, pipe2, readlinkat, symlinkat,
    unlinkat, Dirents, Stat, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK,
    S_IFREG,
};
use ulib::io::fcntl::{FD_CLOEXEC, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD};
use ulib::io::{
    dup, fcntl, lseek, AT_FDCWD, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE,
    O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, SEEK_CUR, SEEK_END, SEEK_SET,
};
use ulib::{close, exit_group, fork, is_linnet, openat, read, wait4, write, Errno, SysResult, Tap};

/// A path assembled in a stack buffer (no allocator here).
struct PathBuf {
    buf: [u8; 4200],
    len: usize,
}

impl PathBuf {
    fn new() -> PathBuf {
        PathBuf {
            buf: [0; 4200],
            len: 0,
        }
    }
    fn push(&mut self, s: &[u8]) -> &mut Self {
        let n = s.len().min(self.buf.len() - 1 - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
        self
    }
    fn repeat(&mut self, s: &[u8], times: usize) -> &mut Self {
        for _ in 0..times {
            self.push(s);
        }
        self
    }
    fn as_cstr(&mut self) -> &CStr {
        self.buf[self.len] = 0;
        CStr::from_bytes_until_nul(&self.buf[..=self.len]).unwrap_or(c"")
    }
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn stat(path: &CStr) -> SysResult<Stat> {
    fstatat(AT_FDCWD, path, 0)
}

fn lstat(path: &CStr) -> SysResult<Stat> {
    fstatat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW)
}

fn open(path: &CStr, flags: u32) -> SysResult<i32> {
    openat(AT_FDCWD, path, flags, 0o644).map(|fd| fd as i32)
}

fn ino(path: &CStr) -> u64 {
    stat(path).map(|s| s.ino).unwrap_or(u64::MAX)
}

fn decimal(mut v: u32, p: &mut PathBuf) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    p.push(&digits[i..]);
}

/// F_GETFL without O_LARGEFILE, after checking that bit on Linnet: a 64-bit Linux kernel
/// sets it on every open file (`force_o_largefile`), but qemu-user drops it on the way
/// back from an x86-64 host, so the oracle cannot be asked about it.
fn getfl(fd: i32) -> SysResult<u32> {
    let fl = fcntl(fd, F_GETFL, 0)? as u32;
    if is_linnet() && fl & O_LARGEFILE == 0 {
        return Err(Errno::EINVAL); // reported as a mismatch
    }
    Ok(fl & !O_LARGEFILE)
}

/// Linux `new_encode_dev` for small numbers: what st_rdev holds for major:minor.
fn makedev(major: u64, minor: u64) -> u64 {
    (major << 8) | minor
}

fn init_state(tap: &mut Tap) {
    let as_init = is_linnet() && ulib::getpid() == 1;
    if !as_init {
        tap.skip("init starts with cwd /", "not Linnet's init");
        tap.skip(
            "init's fds 0, 1, 2 are /dev/console (char 5:1)",
            "not Linnet's init",
        );
        return;
    }
    let mut b = [0u8; 16];
    tap.eq(getcwd(&mut b), Ok(&b"/"[..]), "init starts with cwd /");
    let console = stat(c"/dev/console");
    let all = (0..3).all(|fd| {
        fstat(fd).is_ok_and(|s| {
            s.kind() == S_IFCHR && s.rdev == makedev(5, 1) && console.is_ok_and(|c| c.ino == s.ino)
        })
    });
    tap.ok(all, "init's fds 0, 1, 2 are /dev/console (char 5:1)");
}

fn regular_files(tap: &mut Tap) {
    let fd = open(c"f", O_CREAT | O_EXCL | O_RDWR);
    tap.eq(
        fd.and_then(|fd| write(fd, b"hello, world")),
        Ok(12),
        "openat(O_CREAT|O_EXCL) and write 12 bytes",
    );
    let fd = fd.unwrap_or(-1);
    tap.eq(
        lseek(fd, 0, SEEK_CUR),
        Ok(12),
        "lseek(SEEK_CUR) is the end after the write",
    );
    let mut b = [0u8; 16];
    let got = lseek(fd, 7, SEEK_SET).and_then(|_| read(fd, &mut b));
    tap.ok(
        got == Ok(5) && &b[..5] == b"world",
        "lseek(SEEK_SET, 7) then read gives \"world\"",
    );
    tap.eq(lseek(fd, -5, SEEK_END), Ok(7), "lseek(SEEK_END, -5)");
    tap.eq(
        lseek(fd, -100, SEEK_CUR),
        Err(Errno::EINVAL),
        "lseek before the start is EINVAL",
    );
    let st = fstat(fd);
    tap.ok(
        st.is_ok_and(|s| s.mode == S_IFREG | 0o644 && s.size == 12 && s.nlink == 1),
        "fstat: a regular file, mode 0644, 12 bytes, 1 link",
    );
    tap.ok(
        st.is_ok_and(|s| stat(c"f").is_ok_and(|t| t.ino == s.ino && t.size == 12)),
        "newfstatat by name gives the same inode",
    );
    tap.eq(
        open(c"f", O_CREAT | O_EXCL | O_RDWR),
        Err(Errno::EEXIST),
        "O_CREAT|O_EXCL on an existing file is EEXIST",
    );
    let ap = open(c"f", O_WRONLY | O_APPEND);
    let appended = ap.and_then(|a| {
        lseek(a, 0, SEEK_SET)?;
        write(a, b"!")?;
        lseek(a, 0, SEEK_CUR)
    });
    let mut b = [0u8; 16];
    let whole = lseek(fd, 0, SEEK_SET).and_then(|_| read(fd, &mut b));
    tap.ok(
        appended == Ok(13) && whole == Ok(13) && &b[..13] == b"hello, world!",
        "O_APPEND writes at the end whatever the offset",
    );
    tap.eq(
        getfl(ap.unwrap_or(-1)),
        Ok(O_WRONLY | O_APPEND),
        "F_GETFL: O_WRONLY|O_APPEND (and O_LARGEFILE)",
    );
    let _ = close(ap.unwrap_or(-1));
    tap.eq(
        write(open(c"f", O_RDONLY).unwrap_or(-1), b"x"),
        Err(Errno::EBADF),
        "write to an O_RDONLY descriptor is EBADF",
    );
    let t = open(c"f", O_WRONLY | O_TRUNC);
    tap.ok(
        t.is_ok() && fstat(fd).is_ok_and(|s| s.size == 0),
        "O_TRUNC empties the file",
    );
    tap.eq(
        read(t.unwrap_or(-1), &mut b),
        Err(Errno::EBADF),
        "read from an O_WRONLY descriptor is EBADF",
    );
    let d = open(c".", O_RDONLY | O_DIRECTORY);
    tap.eq(
        d.and_then(|d| read(d, &mut b)),
        Err(Errno::EISDIR),
        "read on a directory is EISDIR",
    );
    tap.eq(
        open(c"f", O_RDONLY | O_DIRECTORY),
        Err(Errno::ENOTDIR),
        "O_DIRECTORY on a file is ENOTDIR",
    );
    tap.eq(
        open(c".", O_WRONLY),
        Err(Errno::EISDIR),
        "opening a directory for writing is EISDIR",
    );
    // The descriptors opened above (fd, t, d and the RDONLY one) close at the end.
}

fn directories(tap: &mut Tap) {
    let made = mkdirat(AT_FDCWD, c"sub", 0o755)
        .and_then(|_| open(c"sub/g", O_CREAT | O_WRONLY))
        .and_then(close);
    tap.ok(
        made.is_ok(),
        "mkdirat a subdirectory and create a file in it",
    );
    let d = open(c".", O_RDONLY | O_DIRECTORY).unwrap_or(-1);
    let mut buf = [0u8; 1024];
    let n = getdents64(d, &mut buf).unwrap_or(0);
    let (mut seen, mut count) = (0u32, 0);
    for e in Dirents::new(&buf, n) {
        count += 1;
        seen |= match (e.name, e.kind) {
            (b".", 4) => 1,
            (b"..", 4) => 2,
            (b"f", 8) => 4,
            (b"sub", 4) => 8,
            _ => 16,
        };
    }
    if !tap.ok(
        seen == 15 && count == 4,
        "getdents64: \".\", \"..\", f (DT_REG), sub (DT_DIR)",
    ) {
        tap.diag(format_args!("  seen mask {:#x}, {} entries", seen, count));
    }
    tap.eq(
        getdents64(d, &mut buf),
        Ok(0),
        "getdents64 again: 0 at the end",
    );
    let _ = close(d);
    let d = open(c".", O_RDONLY | O_DIRECTORY).unwrap_or(-1);
    tap.eq(
        getdents64(d, &mut buf[..8]),
        Err(Errno::EINVAL),
        "getdents64 with a buffer too small for one entry is EINVAL",
    );
    let _ = close(d);
}

fn descriptors(tap: &mut Tap) {
    let fd = open(c"f", O_RDWR).unwrap_or(-1);
    let _ = write(fd, b"0123456789");
    let d = dup(fd).map(|d| d as i32);
    let shared = d.and_then(|d| {
        lseek(d, 3, SEEK_SET)?;
        lseek(fd, 0, SEEK_CUR)
    });
    tap.eq(shared, Ok(3), "dup shares the file offset");
    tap.eq(
        d.and_then(|d| fcntl(d, F_GETFD, 0)),
        Ok(0),
        "dup's new descriptor is not close-on-exec",
    );
    let n = dup3(fd, 30, O_CLOEXEC).map(|n| n as i32);
    tap.ok(
        n == Ok(30) && fcntl(30, F_GETFD, 0) == Ok(FD_CLOEXEC) && lseek(30, 0, SEEK_CUR) == Ok(3),
        "dup3(fd, 30, O_CLOEXEC): same file, FD_CLOEXEC set",
    );
    tap.eq(
        dup3(fd, fd, 0),
        Err(Errno::EINVAL),
        "dup3(fd, fd) is EINVAL",
    );
    tap.eq(
        dup3(999, 31, 0),
        Err(Errno::EBADF),
        "dup3 of a closed fd is EBADF",
    );
    let low = fcntl(fd, F_DUPFD, 20);
    let cx = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    tap.ok(
        low == Ok(20) && cx == Ok(21) && fcntl(21, F_GETFD, 0) == Ok(FD_CLOEXEC),
        "F_DUPFD / F_DUPFD_CLOEXEC: the lowest free fd >= 20",
    );
    let round = fcntl(20, F_SETFD, FD_CLOEXEC)
        .and_then(|_| fcntl(20, F_GETFD, 0))
        .and_then(|a| Ok((a, fcntl(20, F_SETFD, 0)?, fcntl(20, F_GETFD, 0)?)));
    tap.eq(
        round,
        Ok((FD_CLOEXEC, 0, 0)),
        "F_SETFD / F_GETFD round trip",
    );
    tap.eq(getfl(fd), Ok(O_RDWR), "F_GETFL: O_RDWR (and O_LARGEFILE)");
    let _ = (close(20), close(21), close(30), close(d.unwrap_or(-1)));
    let _ = close(fd);
    tap.eq(
        (fcntl(fd, F_GETFD, 0), close(fd)),
        (Err(Errno::EBADF), Err(Errno::EBADF)),
        "a closed fd: fcntl and close are EBADF",
    );
}

fn pipes(tap: &mut Tap) {
    let Ok([r, w]) = pipe2(0) else {
        tap.ok(false, "pipe2");
        return;
    };
    match fork() {
        Ok(0) => {
            let _ = close(r);
            let ok = write(w, b"ping") == Ok(4);
            exit_group(!ok as i32)
        }
        Ok(pid) => {
            let _ = close(w);
            let mut b = [0u8; 8];
            let mut n = 0;
            while n < 4 {
                match read(r, &mut b[n..]) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => n += k,
                }
            }
            let mut status = -1;
            let _ = wait4(pid, Some(&mut status), 0);
            let eof = read(r, &mut b[4..]);
            tap.ok(
                n == 4 && &b[..4] == b"ping" && status == 0,
                "pipe2: a child writes, the parent reads",
            );
            tap.eq(eof, Ok(0), "the writer gone, read returns 0 (end of file)");
            tap.eq(
                lseek(r, 0, SEEK_CUR),
                Err(Errno::ESPIPE),
                "lseek on a pipe is ESPIPE",
            );
            tap.ok(
                fstat(r).is_ok_and(|s| s.kind() == S_IFIFO),
                "fstat of a pipe says S_IFIFO",
            );
            let _ = close(r);
        }
        Err(_) => {
            tap.ok(false, "fork");
        }
    }
    let cx = pipe2(O_CLOEXEC);
    tap.ok(
        cx.is_ok_and(|[a, b]| {
            fcntl(a, F_GETFD, 0) == Ok(FD_CLOEXEC) && fcntl(b, F_GETFD, 0) == Ok(FD_CLOEXEC)
        }),
        "pipe2(O_CLOEXEC): both ends close-on-exec",
    );
    if let Ok([a, b]) = cx {
        let _ = (close(a), close(b));
    }
    tap.eq(
        pipe2(0x1234_0000),
        Err(Errno::EINVAL),
        "pipe2 with bad flags is EINVAL",
    );
}

fn cwd(tap: &mut Tap, dir: &mut PathBuf) {
    let mut b = [0u8; 256];
    tap.eq(
        getcwd(&mut b),
        Ok(dir.bytes()),
        "getcwd after chdir into the test directory",
    );
    let _ = chdir(c"..");
    let up = getcwd(&mut b).map(|p| p == b"/tmp");
    let _ = chdir(dir.as_cstr());
    tap.eq(up, Ok(true), "chdir(\"..\") goes to /tmp");
    let sub = open(c"sub", O_RDONLY | O_DIRECTORY).unwrap_or(-1);
    let mut want = PathBuf::new();
    want.push(dir.bytes()).push(b"/sub");
    let moved = fchdir(sub).and_then(|_| getcwd(&mut b).map(|p| p == want.bytes()));
    let _ = chdir(dir.as_cstr());
    tap.eq(moved, Ok(true), "fchdir to an open directory");
    let _ = close(sub);
    tap.eq(
        getcwd(&mut b[..4]),
        Err(Errno::ERANGE),
        "getcwd into a too small buffer is ERANGE",
    );
    let f = open(c"f", O_RDONLY).unwrap_or(-1);
    tap.eq(
        (chdir(c"f"), chdir(c"nope"), fchdir(f)),
        (Err(Errno::ENOTDIR), Err(Errno::ENOENT), Err(Errno::ENOTDIR)),
        "chdir to a file is ENOTDIR, to nothing ENOENT; fchdir of a file ENOTDIR",
    );
    let _ = close(f);
}

fn path_rules(tap: &mut Tap) {
    let f = ino(c"f");
    let g = ino(c"sub/g");
    tap.ok(
        f != u64::MAX && ino(c"sub/../f") == f && ino(c"./sub/./../././f") == f,
        "\"..\" and \".\" in the middle of a path",
    );
    tap.ok(
        ino(c"sub//g") == g && ino(c".//sub///g") == g,
        "repeated slashes are one slash",
    );
    tap.ok(
        ino(c"/..") == ino(c"/") && ino(c"/../tmp") == ino(c"/tmp"),
        "\"..\" at the root stays at the root",
    );
    let made = symlinkat(c"f", AT_FDCWD, c"ln")
        .and_then(|_| symlinkat(c"sub", AT_FDCWD, c"dl"))
        .and_then(|_| symlinkat(c"nowhere", AT_FDCWD, c"dangling"))
        .and_then(|_| symlinkat(c"loop_b", AT_FDCWD, c"loop_a"))
        .and_then(|_| symlinkat(c"loop_a", AT_FDCWD, c"loop_b"));
    tap.ok(made.is_ok(), "symlinkat: five symlinks");
    let mut b = [0u8; 16];
    tap.ok(
        ino(c"ln") == f
            && lstat(c"ln").is_ok_and(|s| s.kind() == S_IFLNK && s.size == 1)
            && readlinkat(AT_FDCWD, c"ln", &mut b) == Ok(&b"f"[..]),
        "a symlink: stat follows it, lstat and readlinkat see the link",
    );
    tap.ok(
        ino(c"dl/g") == g,
        "a symlink to a directory in the middle of a path",
    );
    tap.eq(
        (
            stat(c"dangling").map(|_| ()),
            lstat(c"dangling").map(|s| s.kind()),
        ),
        (Err(Errno::ENOENT), Ok(S_IFLNK)),
        "a dangling symlink: ENOENT through it, lstat sees it",
    );
    tap.eq(
        open(c"loop_a", O_RDONLY),
        Err(Errno::ELOOP),
        "a symlink loop is ELOOP",
    );
    tap.eq(
        open(c"ln", O_RDONLY | O_NOFOLLOW),
        Err(Errno::ELOOP),
        "O_NOFOLLOW on a symlink is ELOOP",
    );
    // chain0 -> chain1 -> ... -> chain40 -> f: 41 links from chain0, 40 from chain1.
    let mut made = Ok(0);
    for i in 0..=40u32 {
        let (mut link, mut target) = (PathBuf::new(), PathBuf::new());
        link.push(b"chain");
        decimal(i, &mut link);
        if i == 40 {
            target.push(b"f");
        } else {
            target.push(b"chain");
            decimal(i + 1, &mut target);
        }
        made = made.and_then(|_| symlinkat(target.as_cstr(), AT_FDCWD, link.as_cstr()));
    }
    tap.ok(
        made.is_ok() && ino(c"chain1") == f,
        "40 symlinks in a row are followed (MAXSYMLINKS)",
    );
    tap.eq(
        stat(c"chain0").map(|s| s.ino),
        Err(Errno::ELOOP),
        "41 symlinks in a row are ELOOP",
    );
    let mut long = PathBuf::new();
    long.repeat(b"x", 256);
    tap.eq(
        stat(long.as_cstr()).map(|s| s.ino),
        Err(Errno::ENAMETOOLONG),
        "a 256-byte name is ENAMETOOLONG",
    );
    let mut p4095 = PathBuf::new();
    p4095.repeat(b"./", 2047).push(b".");
    let mut p4096 = PathBuf::new();
    p4096.repeat(b"./", 2048);
    tap.eq(
        (
            stat(p4095.as_cstr()).map(|s| s.kind()),
            stat(p4096.as_cstr()).map(|s| s.kind()),
        ),
        (Ok(S_IFDIR), Err(Errno::ENAMETOOLONG)),
        "a 4095-byte path resolves, a 4096-byte one is ENAMETOOLONG",
    );
    tap.eq(
        (
            stat(c"f/x").map(|_| ()),
            stat(c"f/").map(|_| ()),
            stat(c"ln/").map(|_| ()),
        ),
        (
            Err(Errno::ENOTDIR),
            Err(Errno::ENOTDIR),
            Err(Errno::ENOTDIR),
        ),
        "a file in the middle, or with a trailing slash, is ENOTDIR",
    );
    tap.eq(
        stat(c"nope/f").map(|_| ()),
        Err(Errno::ENOENT),
        "a missing directory in the middle is ENOENT",
    );
}

fn cleanup(tap: &mut Tap, dir: &mut PathBuf) {
    tap.eq(
        unlinkat(AT_FDCWD, c"sub", AT_REMOVEDIR),
        Err(Errno::ENOTEMPTY),
        "rmdir of a non-empty directory is ENOTEMPTY",
    );
    let mut ok =
        unlinkat(AT_FDCWD, c"sub/g", 0).is_ok() && unlinkat(AT_FDCWD, c"sub", AT_REMOVEDIR).is_ok();
    for name in [c"f", c"ln", c"dl", c"dangling", c"loop_a", c"loop_b"] {
        ok &= unlinkat(AT_FDCWD, name, 0).is_ok();
    }
    for i in 0..=40u32 {
        let mut link = PathBuf::new();
        link.push(b"chain");
        decimal(i, &mut link);
        ok &= unlinkat(AT_FDCWD, link.as_cstr(), 0).is_ok();
    }
    let _ = chdir(c"/");
    ok &= unlinkat(AT_FDCWD, dir.as_cstr(), AT_REMOVEDIR).is_ok();
    tap.ok(ok, "unlinkat removes every file, link and directory made");
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(60);
    init_state(&mut tap); // 2
    let mut dir = PathBuf::new();
    dir.push(b"/tmp/linnet-files-");
    decimal(ulib::getpid() as u32, &mut dir);
    let _ = unlinkat(AT_FDCWD, dir.as_cstr(), AT_REMOVEDIR);
    let made = mkdirat(AT_FDCWD, dir.as_cstr(), 0o755).and_then(|_| chdir(dir.as_cstr()));
    if !tap.ok(
        made.is_ok(),
        "mkdirat and chdir into a fresh directory in /tmp",
    ) {
        tap.diag(format_args!("  {:?}", made));
        return 1;
    }
    regular_files(&mut tap); // 16
    directories(&mut tap); // 4
    descriptors(&mut tap); // 9
    pipes(&mut tap); // 6
    cwd(&mut tap, &mut dir); // 5
    path_rules(&mut tap); // 15
    cleanup(&mut tap, &mut dir); // 2
    tap.done()
}
