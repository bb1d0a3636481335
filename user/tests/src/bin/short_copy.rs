//! short_copy: a read or write whose buffer runs into an unmapped page moves what fits.
//!
//! Linux copies page by page and stops at the first fault: `read`, `write`, `pread64`
//! and `pwrite64` return the short count (EFAULT only when nothing could be copied), and
//! the file or pipe gives up only what was copied. Linnet asks `uaccess::user_prefix`
//! how far the buffer reaches before it reads (kernel/src/syscall/fs.rs). qemu-user
//! checks the whole buffer itself and answers EFAULT: accepted there only.
//! The vectored calls do the same across segments: a segment that runs into the hole
//! ends the transfer after its reachable part (`writable_prefix` and `gather` in
//! kernel/src/syscall/fs_rw.rs); qemu-user drops a bad later segment whole.
//! Syscalls used: mmap, munmap, openat, read, write, pread64, pwrite64, readv, writev,
//! preadv, lseek, pipe2, unlinkat, close.

#![no_std]
#![no_main]

use ulib::fileops::{pread, preadv, pwrite, readv, writev, IoVec};
use ulib::io::{lseek, AT_FDCWD, O_CREAT, O_RDWR, O_TRUNC};
use ulib::mm::*;
use ulib::syscall::{nr, syscall3};
use ulib::{close, errno::check, openat, read, write, Errno, SysResult, Tap};

/// Bytes of the buffer before the hole.
const FITS: usize = 100;
/// Bytes asked for.
const ASKED: usize = 300;

/// Linux's answer (the short count), or, under qemu-user only, EFAULT.
fn short(r: SysResult) -> bool {
    r == Ok(FITS) || (!ulib::is_linnet() && r == Err(Errno::EFAULT))
}

/// Bytes of the first segment of the vectored checks (a buffer of its own).
const HEAD: usize = 50;

/// A vectored call over [HEAD bytes, the buffer at the edge]: Linux moves the head and
/// what fits before the hole; qemu-user, dropping the bad segment, only the head.
fn check_vectored(tap: &mut Tap, r: SysResult, name: &str) {
    let linux = HEAD + FITS;
    if !tap.ok(
        r == Ok(linux) || (!ulib::is_linnet() && r == Ok(HEAD)),
        name,
    ) {
        tap.diag(format_args!("  got {:?}, expected Ok({})", r, linux));
    }
}

fn check_short(tap: &mut Tap, r: SysResult, name: &str) {
    if !tap.ok(short(r), name) {
        tap.diag(format_args!("  got {:?}, expected Ok({})", r, FITS));
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(13);
    // Two pages, the second unmapped: the buffer's last FITS bytes lie before the hole.
    let area = ulib::map_anon(2 * PAGE_SIZE).expect("mmap");
    let base = area.as_mut_ptr() as usize;
    // SAFETY: the second page is ours; nothing refers to it.
    let _ = unsafe { munmap(base + PAGE_SIZE, PAGE_SIZE) };
    let edge = base + PAGE_SIZE - FITS;
    // SAFETY: [edge, edge + ASKED) is a live page then a hole; the kernel must not
    // reach past the hole, and the first FITS bytes are ours.
    let at_edge = || unsafe { core::slice::from_raw_parts_mut(edge as *mut u8, ASKED) };

    let path = c"/tmp/short_copy.tmp";
    let fd = openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0o600).map_or(-1, |f| f as i32);
    let data = [b'x'; ASKED];
    tap.eq(write(fd, &data), Ok(ASKED), "a file of 300 bytes");
    let _ = lseek(fd, 0, 0);
    check_short(
        &mut tap,
        read(fd, at_edge()),
        "read into a buffer that runs into a hole: the short count",
    );
    let pos = lseek(fd, 0, 1);
    tap.ok(
        pos == Ok(FITS) || (!ulib::is_linnet() && pos == Ok(0)),
        "... and the file offset moved only by what was copied",
    );
    check_short(
        &mut tap,
        pread(fd, at_edge(), 0),
        "pread64 into it: the short count",
    );
    check_short(
        &mut tap,
        write(fd, at_edge()),
        "write from it: the short count",
    );
    check_short(
        &mut tap,
        pwrite(fd, at_edge(), 0),
        "pwrite64 from it: the short count",
    );

    // A pipe keeps what did not fit.
    let p = ulib::fs::pipe2(0).unwrap_or([-1, -1]);
    let _ = write(p[1], &data);
    let r = read(p[0], at_edge());
    check_short(&mut tap, r, "read from a pipe into it: the short count");
    let mut rest = [0u8; ASKED];
    let left = read(p[0], &mut rest);
    let want = if r == Ok(FITS) { ASKED - FITS } else { ASKED };
    tap.eq(left, Ok(want), "the pipe still holds what did not fit");

    // Vectored: a head segment, then the one that runs into the hole.
    let mut head = [0u8; HEAD];
    let segs = [IoVec::new_mut(&mut head), IoVec::new_mut(at_edge())];
    let _ = write(p[1], &data);
    // SAFETY: the head is ours; the edge segment is ours up to the hole.
    let r = unsafe { readv(p[0], &segs) };
    check_vectored(
        &mut tap,
        r,
        "readv from a pipe, the second segment into a hole",
    );
    let left = read(p[0], &mut rest);
    let want = ASKED - r.unwrap_or(0);
    tap.eq(
        left,
        Ok(want),
        "the pipe still holds what the segments could not take",
    );
    // SAFETY: as above.
    let r = unsafe { preadv(fd, &segs, 0) };
    check_vectored(&mut tap, r, "preadv into them: the short count");
    let w = writev(p[1], &segs);
    check_vectored(&mut tap, w, "writev from them: the short count");
    let left = read(p[0], &mut rest);
    tap.eq(left, w, "the pipe got what writev counted");
    for f in [fd, p[0], p[1]] {
        let _ = close(f);
    }
    // SAFETY: unlinkat reads the path string only.
    let _ = check(unsafe {
        syscall3(
            nr::__NR_unlinkat,
            AT_FDCWD as isize as usize,
            path.as_ptr() as usize,
            0,
        )
    });
    tap.done()
}
