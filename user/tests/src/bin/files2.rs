//! files2: the file calls beyond open/read/write, as Linux does them.
//!
//! Works in a fresh directory under /tmp, so it runs the same on Linnet and on Linux
//! (qemu-aarch64; runtests.py compares the verdicts). Checked: pread64/pwrite64,
//! readv/writev/preadv/pwritev (partial transfers, EINVAL for a bad count, EFAULT),
//! sendfile (with and without an offset), truncate/ftruncate, fsync/fdatasync/sync,
//! faccessat/faccessat2 (root's rules), renameat/renameat2 (NOREPLACE, EXCHANGE and
//! Linux's errnos), linkat (nlink, EPERM for directories), fchmod/fchmodat,
//! fchown/fchownat (set-user-ID cleared), utimensat (UTIME_NOW, UTIME_OMIT, NULL path),
//! the mtime/ctime rules, umask (applied, inherited by fork), statfs/fstatfs,
//! getrandom and /dev/urandom, /dev/full, /dev/zero, /dev/null, FIONREAD, FIONBIO,
//! FIOCLEX and ENOTTY for terminal requests on a file.
//! The kernel side: `kernel/src/syscall/fs_{rw,attr,ioctl}.rs`, `kernel/src/fs/ramfs/`.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::fileops::*;
use ulib::fs::{
    fstat, fstatat, mkdirat, pipe2, symlinkat, unlinkat, Stat, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW,
};
use ulib::io::fcntl::{FD_CLOEXEC, F_GETFD};
use ulib::io::{
    fcntl, lseek, AT_FDCWD, O_APPEND, O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, SEEK_CUR,
};
use ulib::{close, fork, is_linnet, openat, read, wait4, write, Errno, SysResult, Tap};

fn open(path: &CStr, flags: u32) -> i32 {
    openat(AT_FDCWD, path, flags, 0o644)
        .map(|fd| fd as i32)
        .unwrap_or(-1)
}

fn stat(path: &CStr) -> Stat {
    fstatat(AT_FDCWD, path, 0).unwrap_or_default()
}

fn lstat(path: &CStr) -> SysResult<Stat> {
    fstatat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW)
}

fn err<T>(r: SysResult<T>) -> Option<Errno> {
    r.err()
}

fn make(path: &CStr, data: &[u8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
    let _ = write(fd, data);
    let _ = close(fd);
}

fn contents<'a>(path: &CStr, buf: &'a mut [u8]) -> &'a [u8] {
    let fd = open(path, O_RDONLY);
    let n = read(fd, buf).unwrap_or(0);
    let _ = close(fd);
    &buf[..n]
}

fn positional_and_vectored(tap: &mut Tap) {
    make(c"p", b"0123456789");
    let fd = open(c"p", O_RDWR);
    let mut b = [0u8; 4];
    tap.eq(pread(fd, &mut b, 3), Ok(4), "pread64 reads at an offset");
    tap.eq(&b, b"3456", "pread64 data");
    tap.eq(
        lseek(fd, 0, SEEK_CUR),
        Ok(0),
        "pread64 leaves the file offset alone",
    );
    tap.eq(pwrite(fd, b"ab", 8), Ok(2), "pwrite64 writes at an offset");
    tap.eq(
        pwrite(fd, b"Z", 12),
        Ok(1),
        "pwrite64 past the end grows the file",
    );
    let mut all = [0u8; 16];
    tap.eq(
        pread(fd, &mut all, 0),
        Ok(13),
        "pread64 sees the grown file",
    );
    tap.eq(&all[..13], b"01234567ab\0\0Z", "the gap reads as zeros");
    tap.eq(
        err(pread(fd, &mut b, -1)),
        Some(Errno::EINVAL),
        "pread64 at a negative offset is EINVAL",
    );
    let [r, w] = pipe2(0).unwrap_or([-1, -1]);
    tap.eq(
        err(pread(r, &mut b, 0)),
        Some(Errno::ESPIPE),
        "pread64 on a pipe is ESPIPE",
    );
    // writev gathers, readv scatters.
    let (x, y, z) = (b"hello ", b"", b"vectored world");
    let iov = [IoVec::new(x), IoVec::new(y), IoVec::new(z)];
    tap.eq(
        writev(w, &iov),
        Ok(20),
        "writev writes every segment in order",
    );
    let (mut s1, mut s2) = ([0u8; 5], [0u8; 32]);
    let riov = [IoVec::new_mut(&mut s1), IoVec::new_mut(&mut s2)];
    // SAFETY: the segments are our own buffers.
    let n = unsafe { readv(r, &riov) };
    tap.eq(n, Ok(20), "readv returns what the pipe held");
    tap.ok(
        &s1 == b"hello" && &s2[..15] == b" vectored world",
        "readv fills the first segment, then the next",
    );
    tap.eq(
        readv_count(r, riov.as_ptr() as usize, 1025),
        Err(Errno::EINVAL),
        "readv with 1025 segments is EINVAL",
    );
    tap.eq(
        readv_count(r, riov.as_ptr() as usize, 0),
        Ok(0),
        "readv with 0 segments reads nothing",
    );
    let bad = [IoVec { base: 16, len: 4 }];
    tap.eq(
        writev(w, &bad),
        Err(Errno::EFAULT),
        "writev from a bad address is EFAULT",
    );
    let huge = [IoVec {
        base: x.as_ptr() as usize,
        len: 1 << 63,
    }];
    tap.eq(
        writev(w, &huge),
        Err(Errno::EINVAL),
        "a segment length with the sign bit set is EINVAL",
    );
    tap.eq(
        pwritev(fd, &[IoVec::new(b"AB"), IoVec::new(b"CD")], 1),
        Ok(4),
        "pwritev writes at an offset",
    );
    let (mut p1, mut p2) = ([0u8; 3], [0u8; 3]);
    // SAFETY: our own buffers.
    let n = unsafe { preadv(fd, &[IoVec::new_mut(&mut p1), IoVec::new_mut(&mut p2)], 0) };
    tap.ok(
        n == Ok(6) && &p1 == b"0AB" && &p2 == b"CD5",
        "preadv reads at an offset into both segments",
    );
    // A short read: preadv near the end transfers what there is.
    let mut q = [0u8; 8];
    // SAFETY: our own buffer.
    tap.eq(
        unsafe { preadv(fd, &[IoVec::new_mut(&mut q)], 10) },
        Ok(3),
        "preadv near the end is a short read",
    );
    // O_APPEND: pwrite appends anyway (Linux).
    let afd = open(c"p", O_WRONLY | O_APPEND);
    let _ = pwrite(afd, b"!", 0);
    let _ = close(afd);
    tap.eq(stat(c"p").size, 14, "pwrite64 on an O_APPEND file appends");
    // sendfile: file to pipe.
    let mut off = 2i64;
    tap.eq(
        sendfile(w, fd, Some(&mut off), 5),
        Ok(5),
        "sendfile with an offset copies",
    );
    tap.eq(off, 7, "sendfile updates *offset");
    let _ = lseek(fd, 4, 0);
    tap.eq(
        sendfile(w, fd, None, 3),
        Ok(3),
        "sendfile without an offset copies",
    );
    tap.eq(
        lseek(fd, 0, SEEK_CUR),
        Ok(7),
        "... and advances the file offset",
    );
    let mut got = [0u8; 16];
    let n = read(r, &mut got).unwrap_or(0);
    tap.eq(&got[..n], b"BCD56D56", "sendfile data arrives in the pipe");
    let _ = (close(r), close(w));
    // truncate / ftruncate.
    tap.eq(ftruncate(fd, 3), Ok(0), "ftruncate shrinks");
    tap.eq(stat(c"p").size, 3, "the size after shrinking");
    tap.eq(truncate(c"p", 6), Ok(0), "truncate grows");
    let mut buf = [0u8; 8];
    tap.eq(
        contents(c"p", &mut buf),
        b"0AB\0\0\0",
        "growing fills with zeros",
    );
    tap.eq(
        truncate(c"p", -1),
        Err(Errno::EINVAL),
        "truncate to a negative size is EINVAL",
    );
    let _ = mkdirat(AT_FDCWD, c"d", 0o755);
    tap.eq(
        truncate(c"d", 0),
        Err(Errno::EISDIR),
        "truncate of a directory is EISDIR",
    );
    let ro = open(c"p", O_RDONLY);
    tap.eq(
        ftruncate(ro, 0),
        Err(Errno::EINVAL),
        "ftruncate of a read-only descriptor is EINVAL",
    );
    let _ = close(ro);
    // fsync family.
    tap.eq(fsync(fd), Ok(0), "fsync of a file succeeds");
    tap.eq(fdatasync(fd), Ok(0), "fdatasync of a file succeeds");
    tap.eq(sync(), Ok(0), "sync succeeds");
    let [r, w] = pipe2(0).unwrap_or([-1, -1]);
    tap.eq(fsync(r), Err(Errno::EINVAL), "fsync of a pipe is EINVAL");
    tap.eq(
        fsync(99),
        Err(Errno::EBADF),
        "fsync of a closed descriptor is EBADF",
    );
    // ioctl FIONREAD / FIONBIO / FIOCLEX / ENOTTY.
    let _ = write(w, b"12345");
    let mut v = 0i32;
    tap.ok(
        ioctl_int(r, ioctls::FIONREAD, &mut v).is_ok() && v == 5,
        "FIONREAD on a pipe counts buffered bytes",
    );
    let _ = lseek(fd, 2, 0);
    let mut v = 0i32;
    tap.ok(
        ioctl_int(fd, ioctls::FIONREAD, &mut v).is_ok() && v == 4,
        "FIONREAD on a file counts bytes after the offset",
    );
    let mut one = 1i32;
    let _ = ioctl_int(r, ioctls::FIONBIO, &mut one);
    let _ = read(r, &mut got);
    tap.eq(
        read(r, &mut got),
        Err(Errno::EAGAIN),
        "after FIONBIO an empty pipe read is EAGAIN",
    );
    let mut zero = 0i32;
    let _ = ioctl_int(r, ioctls::FIOCLEX, &mut zero);
    tap.eq(
        fcntl(r, F_GETFD, 0),
        Ok(FD_CLOEXEC),
        "FIOCLEX sets close-on-exec",
    );
    tap.eq(
        ulib::tty::isatty(fd),
        false,
        "a file is not a terminal (TCGETS: ENOTTY)",
    );
    let mut t = [0u8; 64];
    tap.eq(
        ioctl_buf(fd, 0x5401, &mut t),
        Err(Errno::ENOTTY),
        "TCGETS on a file is ENOTTY",
    );
    let _ = (close(r), close(w), close(fd));
}

fn access_and_names(tap: &mut Tap) {
    make(c"f644", b"x");
    make(c"f755", b"x");
    let _ = fchmodat(AT_FDCWD, c"f755", 0o755);
    make(c"f444", b"x");
    let _ = fchmodat(AT_FDCWD, c"f444", 0o444);
    tap.eq(
        faccessat(AT_FDCWD, c"f644", F_OK),
        Ok(0),
        "faccessat F_OK on an existing file",
    );
    tap.eq(
        faccessat(AT_FDCWD, c"nope", F_OK),
        Err(Errno::ENOENT),
        "faccessat on a missing file is ENOENT",
    );
    tap.eq(
        faccessat(AT_FDCWD, c"f644", X_OK),
        Err(Errno::EACCES),
        "root may not execute a file without x bits",
    );
    tap.eq(
        faccessat(AT_FDCWD, c"f755", X_OK),
        Ok(0),
        "X_OK with an x bit",
    );
    tap.eq(
        faccessat(AT_FDCWD, c"f444", W_OK | R_OK),
        Ok(0),
        "root may write a read-only file",
    );
    tap.eq(
        faccessat(AT_FDCWD, c"d", X_OK),
        Ok(0),
        "X_OK on a directory",
    );
    tap.eq(
        faccessat(AT_FDCWD, c"f644", 8),
        Err(Errno::EINVAL),
        "a bad mode is EINVAL",
    );
    tap.eq(
        faccessat2(AT_FDCWD, c"f644", R_OK, 0x8000),
        Err(Errno::EINVAL),
        "faccessat2 with a bad flag is EINVAL",
    );
    let _ = symlinkat(c"nowhere", AT_FDCWD, c"dangling");
    tap.eq(
        faccessat2(AT_FDCWD, c"dangling", F_OK, AT_SYMLINK_NOFOLLOW),
        Ok(0),
        "faccessat2 AT_SYMLINK_NOFOLLOW checks the link",
    );
    tap.eq(
        faccessat2(AT_FDCWD, c"dangling", F_OK, AT_EACCESS),
        Err(Errno::ENOENT),
        "without it the link is followed",
    );
    // rename.
    make(c"a", b"A");
    make(c"b", b"B");
    tap.eq(
        renameat(AT_FDCWD, c"a", AT_FDCWD, c"b"),
        Ok(0),
        "rename a file over another",
    );
    let mut buf = [0u8; 4];
    tap.ok(
        contents(c"b", &mut buf) == b"A" && lstat(c"a").is_err(),
        "the old name is gone, the new one has the data",
    );
    let _ = mkdirat(AT_FDCWD, c"e", 0o755);
    let _ = mkdirat(AT_FDCWD, c"d/sub", 0o755);
    tap.eq(
        renameat(AT_FDCWD, c"b", AT_FDCWD, c"e"),
        Err(Errno::EISDIR),
        "a file over a directory is EISDIR",
    );
    tap.eq(
        renameat(AT_FDCWD, c"e", AT_FDCWD, c"b"),
        Err(Errno::ENOTDIR),
        "a directory over a file is ENOTDIR",
    );
    tap.eq(
        renameat(AT_FDCWD, c"e", AT_FDCWD, c"d"),
        Err(Errno::ENOTEMPTY),
        "a directory over a non-empty one is ENOTEMPTY",
    );
    tap.eq(
        renameat(AT_FDCWD, c"d", AT_FDCWD, c"d/sub/x"),
        Err(Errno::EINVAL),
        "a directory into itself is EINVAL",
    );
    tap.eq(
        renameat(AT_FDCWD, c"b/", AT_FDCWD, c"c"),
        Err(Errno::ENOTDIR),
        "a trailing slash on a file is ENOTDIR",
    );
    tap.eq(
        renameat(AT_FDCWD, c"missing", AT_FDCWD, c"c"),
        Err(Errno::ENOENT),
        "renaming a missing name is ENOENT",
    );
    tap.eq(
        renameat2(AT_FDCWD, c"b", AT_FDCWD, c"f644", RENAME_NOREPLACE),
        Err(Errno::EEXIST),
        "RENAME_NOREPLACE onto a name is EEXIST",
    );
    tap.eq(
        renameat2(
            AT_FDCWD,
            c"b",
            AT_FDCWD,
            c"c",
            RENAME_NOREPLACE | RENAME_EXCHANGE,
        ),
        Err(Errno::EINVAL),
        "NOREPLACE with EXCHANGE is EINVAL",
    );
    tap.eq(
        renameat2(AT_FDCWD, c"b", AT_FDCWD, c"c", RENAME_EXCHANGE),
        Err(Errno::ENOENT),
        "EXCHANGE with a missing target is ENOENT",
    );
    let ib = stat(c"b").ino;
    let ie = stat(c"e").ino;
    tap.eq(
        renameat2(AT_FDCWD, c"b", AT_FDCWD, c"e", RENAME_EXCHANGE),
        Ok(0),
        "RENAME_EXCHANGE swaps a file and a directory",
    );
    tap.ok(
        stat(c"b").ino == ie && stat(c"e").ino == ib,
        "the two names swapped inodes",
    );
    let links = stat(c"d").nlink;
    tap.eq(
        renameat(AT_FDCWD, c"b", AT_FDCWD, c"d/moved"),
        Ok(0),
        "a directory moves to another parent",
    );
    tap.eq(
        stat(c"d").nlink,
        links + 1,
        "the new parent gains a link (the moved '..')",
    );
    tap.eq(
        stat(c"d/moved/..").ino,
        stat(c"d").ino,
        "'..' of the moved directory is the new parent",
    );
    // linkat.
    tap.eq(
        linkat(AT_FDCWD, c"f644", AT_FDCWD, c"hard", 0),
        Ok(0),
        "linkat makes a hard link",
    );
    let (s1, s2) = (stat(c"f644"), stat(c"hard"));
    tap.ok(
        s1.ino == s2.ino && s1.nlink == 2,
        "both names are one inode with nlink 2",
    );
    tap.eq(
        linkat(AT_FDCWD, c"d", AT_FDCWD, c"dl", 0),
        Err(Errno::EPERM),
        "a hard link to a directory is EPERM",
    );
    tap.eq(
        linkat(AT_FDCWD, c"f644", AT_FDCWD, c"hard", 0),
        Err(Errno::EEXIST),
        "linkat onto an existing name is EEXIST",
    );
    tap.eq(
        linkat(AT_FDCWD, c"dangling", AT_FDCWD, c"dl2", 0),
        Ok(0),
        "linkat links a symlink itself",
    );
    tap.eq(
        lstat(c"dl2").map(|s| s.kind()),
        Ok(ulib::fs::S_IFLNK),
        "the new name is the symlink",
    );
    tap.eq(
        linkat(AT_FDCWD, c"dangling", AT_FDCWD, c"dl3", AT_SYMLINK_FOLLOW),
        Err(Errno::ENOENT),
        "AT_SYMLINK_FOLLOW follows it (dangling: ENOENT)",
    );
    let _ = unlinkat(AT_FDCWD, c"hard", 0);
    tap.eq(stat(c"f644").nlink, 1, "unlink drops nlink back to 1");
}

fn attributes(tap: &mut Tap) {
    let fd = open(c"f644", O_RDWR);
    tap.eq(fchmod(fd, 0o4711), Ok(0), "fchmod");
    tap.eq(
        stat(c"f644").mode,
        0o104711,
        "stat shows the new mode, type kept",
    );
    tap.eq(fchown(fd, 1000, 100), Ok(0), "fchown");
    let st = stat(c"f644");
    tap.ok(
        st.uid == 1000 && st.gid == 100,
        "stat shows the new owner and group",
    );
    tap.eq(st.mode, 0o100711, "chown cleared the set-user-ID bit");
    tap.eq(
        fchownat(AT_FDCWD, c"f644", u32::MAX, 7, 0),
        Ok(0),
        "fchownat with uid -1",
    );
    let st = stat(c"f644");
    tap.ok(st.uid == 1000 && st.gid == 7, "-1 keeps the uid");
    let _ = fchmod(fd, 0o6755);
    let _ = fchown(fd, u32::MAX, u32::MAX);
    tap.eq(
        stat(c"f644").mode,
        0o100755,
        "even chown(-1, -1) clears set-user-ID and set-group-ID",
    );
    tap.eq(
        fchownat(AT_FDCWD, c"dangling", 5, 5, AT_SYMLINK_NOFOLLOW),
        Ok(0),
        "fchownat AT_SYMLINK_NOFOLLOW changes the link",
    );
    tap.eq(
        lstat(c"dangling").map(|s| s.uid),
        Ok(5),
        "the link's owner changed",
    );
    // utimensat.
    let t = [[1000, 5], [2000, 6]];
    tap.eq(
        utimensat(AT_FDCWD, Some(c"f644"), Some(&t), 0),
        Ok(0),
        "utimensat sets both times",
    );
    let st = stat(c"f644");
    tap.eq(
        (st.atime, st.mtime),
        ([1000, 5], [2000, 6]),
        "stat shows them, nanoseconds too",
    );
    let t = [[0, UTIME_OMIT], [3000, 0]];
    tap.eq(
        utimensat(AT_FDCWD, Some(c"f644"), Some(&t), 0),
        Ok(0),
        "UTIME_OMIT",
    );
    let st = stat(c"f644");
    tap.eq(
        (st.atime[0], st.mtime[0]),
        (1000, 3000),
        "UTIME_OMIT keeps atime",
    );
    tap.eq(
        utimensat(fd, None, None, 0),
        Ok(0),
        "utimensat on a descriptor with NULL times",
    );
    let now = ulib::clock_gettime(0).map(|t| t.tv_sec).unwrap_or(0);
    let st = stat(c"f644");
    tap.ok(
        (st.mtime[0] - now).abs() <= 2 && (st.atime[0] - now).abs() <= 2,
        "NULL times mean now",
    );
    let t = [[0, 1_000_000_000], [0, 0]];
    tap.eq(
        utimensat(AT_FDCWD, Some(c"f644"), Some(&t), 0),
        Err(Errno::EINVAL),
        "a bad tv_nsec is EINVAL",
    );
    tap.eq(
        utimensat(fd, None, None, AT_SYMLINK_NOFOLLOW),
        Err(Errno::EINVAL),
        "NULL path with AT_SYMLINK_NOFOLLOW is EINVAL",
    );
    // The time rules: a write sets mtime and ctime; chmod only ctime.
    let old = [[100, 0], [100, 0]];
    let _ = utimensat(AT_FDCWD, Some(c"f644"), Some(&old), 0);
    let _ = fchmod(fd, 0o644);
    let st = stat(c"f644");
    tap.ok(
        st.mtime[0] == 100 && st.ctime[0] >= now - 2,
        "chmod sets ctime, not mtime",
    );
    let _ = write(fd, b"more");
    let st = stat(c"f644");
    tap.ok(
        st.mtime[0] >= now - 2 && st.ctime[0] >= now - 2,
        "write sets mtime and ctime",
    );
    let _ = utimensat(AT_FDCWD, Some(c"d"), Some(&old), 0);
    make(c"d/new", b"");
    tap.ok(
        stat(c"d").mtime[0] >= now - 2,
        "creating an entry sets the directory's mtime",
    );
    let _ = close(fd);
    // umask.
    let old_mask = umask(0o027);
    make(c"masked", b"");
    tap.eq(
        stat(c"masked").mode & 0o777,
        0o640,
        "umask applies to open(O_CREAT)",
    );
    let _ = mkdirat(AT_FDCWD, c"maskdir", 0o777);
    tap.eq(
        stat(c"maskdir").mode & 0o777,
        0o750,
        "umask applies to mkdirat",
    );
    tap.eq(
        mknodat(AT_FDCWD, c"node", ulib::fs::S_IFCHR | 0o666, 0x103),
        Ok(0),
        "mknodat makes a device node",
    );
    let st = stat(c"node");
    tap.eq(
        (st.mode, st.rdev),
        (ulib::fs::S_IFCHR | 0o640, 0x103),
        "... with its number, less the umask",
    );
    tap.eq(
        mknodat(AT_FDCWD, c"node2", ulib::fs::S_IFDIR | 0o755, 0),
        Err(Errno::EPERM),
        "mknodat of a directory is EPERM",
    );
    tap.eq(
        mknodat(AT_FDCWD, c"node2", 0o170000 | 0o755, 0),
        Err(Errno::EINVAL),
        "mknodat of an unknown type is EINVAL",
    );
    let _ = unlinkat(AT_FDCWD, c"node", 0);
    tap.eq(umask(0o022), 0o027, "umask returns the old mask");
    let _ = umask(0o077);
    let inherited = match fork() {
        Ok(0) => ulib::exit_group(umask(0) as i32),
        Ok(pid) => {
            let mut status = 0;
            let _ = wait4(pid, Some(&mut status), 0);
            ulib::wexitstatus(status)
        }
        Err(_) => -1,
    };
    tap.eq(inherited, 0o077, "a forked child inherits the umask");
    let _ = umask(old_mask);
    let _ = unlinkat(AT_FDCWD, c"maskdir", AT_REMOVEDIR);
}

fn filesystems_and_devices(tap: &mut Tap) {
    let p = statfs(c"/proc");
    tap.eq(
        p.map(|s| s.f_type),
        Ok(0x9fa0),
        "statfs of /proc says PROC_SUPER_MAGIC",
    );
    let s = statfs(c".");
    tap.ok(
        s.is_ok_and(|s| s.f_bsize > 0 && s.f_bfree <= s.f_blocks && s.f_namelen == 255),
        "statfs of a directory: sizes that add up",
    );
    if is_linnet() {
        tap.eq(
            s.map(|s| s.f_type),
            Ok(0x858458f6),
            "the root file system is a ramfs",
        );
    } else {
        tap.skip("the root file system is a ramfs", "Linnet only");
    }
    tap.eq(
        err(statfs(c"nope")),
        Some(Errno::ENOENT),
        "statfs of a missing path is ENOENT",
    );
    let fd = open(c".", O_RDONLY);
    tap.eq(
        fstatfs(fd).map(|s| s.f_namelen),
        Ok(255),
        "fstatfs of a directory descriptor",
    );
    let mut v = 0i32;
    tap.eq(
        ioctl_int(fd, ioctls::FIONREAD, &mut v),
        Err(Errno::ENOTTY),
        "FIONREAD on a directory is ENOTTY",
    );
    let [r, w] = pipe2(0).unwrap_or([-1, -1]);
    tap.eq(
        fstatfs(r).map(|s| s.f_type),
        Ok(0x50495045),
        "fstatfs of a pipe says PIPEFS_MAGIC",
    );
    let _ = (close(r), close(w));
    let _ = close(fd);
    // getrandom.
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    tap.eq(getrandom(&mut a, 0), Ok(32), "getrandom fills the buffer");
    let _ = getrandom(&mut b, 1);
    tap.ok(a != b && a != [0; 32], "two draws differ");
    tap.eq(
        getrandom(&mut a, 8),
        Err(Errno::EINVAL),
        "an unknown getrandom flag is EINVAL",
    );
    tap.eq(
        getrandom(&mut a, 6),
        Err(Errno::EINVAL),
        "GRND_INSECURE with GRND_RANDOM is EINVAL",
    );
    tap.eq(getrandom(&mut a[..0], 0), Ok(0), "getrandom of 0 bytes");
    // SAFETY: a deliberately bad pointer; the kernel must refuse it.
    let bad = ulib::errno::check(unsafe { ulib::syscall::syscall3(nr::__NR_getrandom, 16, 8, 0) });
    tap.eq(
        bad,
        Err(Errno::EFAULT),
        "getrandom into a bad address is EFAULT",
    );
    // The memory devices.
    let u = open(c"/dev/urandom", O_RDONLY);
    let mut r = [0u8; 64];
    tap.ok(
        read(u, &mut r) == Ok(64) && r != [0; 64],
        "/dev/urandom reads random bytes",
    );
    let _ = close(u);
    let rnd = open(c"/dev/random", O_RDWR);
    tap.ok(
        read(rnd, &mut r) == Ok(64) && write(rnd, b"seed") == Ok(4),
        "/dev/random reads, and takes writes",
    );
    let _ = close(rnd);
    let full = open(c"/dev/full", O_RDWR);
    tap.eq(
        write(full, b"x"),
        Err(Errno::ENOSPC),
        "writing /dev/full is ENOSPC",
    );
    let mut z = [1u8; 8];
    tap.ok(
        read(full, &mut z) == Ok(8) && z == [0; 8],
        "/dev/full reads zeros",
    );
    let _ = close(full);
    let st = stat(c"/dev/full");
    tap.eq(
        (st.kind(), st.rdev),
        (ulib::fs::S_IFCHR, 0x107),
        "/dev/full is char 1:7",
    );
    tap.eq(
        stat(c"/dev/urandom").rdev,
        0x109,
        "/dev/urandom is char 1:9",
    );
    let null = open(c"/dev/null", O_RDWR);
    tap.ok(
        write(null, b"gone") == Ok(4) && read(null, &mut z) == Ok(0),
        "/dev/null swallows writes and reads empty",
    );
    let _ = close(null);
    let zero = open(c"/dev/zero", O_RDONLY);
    let mut z = [1u8; 8];
    tap.ok(
        read(zero, &mut z) == Ok(8) && z == [0; 8],
        "/dev/zero reads zeros",
    );
    let _ = close(zero);
    let fd = open(c"p", O_RDONLY);
    tap.eq(
        fstat(fd).map(|s| s.size),
        Ok(6),
        "fstat still agrees after all that",
    );
    let _ = close(fd);
}

fn cleanup(tap: &mut Tap, dir: &CStr) {
    for name in [
        c"p",
        c"f644",
        c"f755",
        c"f444",
        c"dangling",
        c"dl2",
        c"masked",
        c"e",
        c"d/new",
    ] {
        let _ = unlinkat(AT_FDCWD, name, 0);
    }
    for name in [c"d/moved", c"d/sub", c"d"] {
        let _ = unlinkat(AT_FDCWD, name, AT_REMOVEDIR);
    }
    let _ = ulib::fs::chdir(c"/tmp");
    tap.eq(
        unlinkat(AT_FDCWD, dir, AT_REMOVEDIR),
        Ok(0),
        "everything made was removed",
    );
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(PLAN);
    let mut name = [0u8; 48];
    let prefix = b"/tmp/linnet-files2-";
    name[..prefix.len()].copy_from_slice(prefix);
    let mut n = prefix.len();
    let mut pid = ulib::getpid() as u32;
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (pid % 10) as u8;
        pid /= 10;
        if pid == 0 {
            break;
        }
    }
    name[n..n + digits.len() - i].copy_from_slice(&digits[i..]);
    n += digits.len() - i;
    let dir = CStr::from_bytes_until_nul(&name[..=n]).unwrap_or(c"/tmp/linnet-files2");
    let ok = mkdirat(AT_FDCWD, dir, 0o755).and_then(|_| ulib::fs::chdir(dir));
    if !tap.ok(
        ok.is_ok(),
        "mkdirat and chdir into a fresh directory in /tmp",
    ) {
        return 1;
    }
    positional_and_vectored(&mut tap);
    access_and_names(&mut tap);
    attributes(&mut tap);
    filesystems_and_devices(&mut tap);
    cleanup(&mut tap, dir);
    tap.done()
}

/// Checks run (the Linnet-only one is a SKIP elsewhere).
const PLAN: u32 = 130;
