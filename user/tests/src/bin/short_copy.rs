//! short_copy: a read or write whose buffer runs into an unmapped page moves what fits.
//!
//! Linux copies page by page and stops at the first fault: `read`, `write`, `pread64`
//! and `pwrite64` return the short count (EFAULT only when nothing could be copied), and
//! the file or pipe gives up only what was copied. Linnet asks `uaccess::user_prefix`
//! how far the buffer reaches before it reads (kernel/src/syscall/fs.rs). qemu-user
//! checks the whole buffer itself and answers EFAULT: accepted there only.
//! Syscalls used: mmap, munmap, openat, read, write, pread64, pwrite64, lseek, pipe2,
//! unlinkat, close.

#![no_std]
#![no_main]

use ulib::fileops::{pread, pwrite};
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

fn check_short(tap: &mut Tap, r: SysResult, name: &str) {
    if !tap.ok(short(r), name) {
        tap.diag(format_args!("  got {:?}, expected Ok({})", r, FITS));
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(8);
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
    for f in [fd, p[0], p[1]] {
        let _ = close(f);
    }
    // SAFETY: unlinkat reads the path string only.
    let _ = check(unsafe {
        syscall3(
            nr::UNLINKAT,
            AT_FDCWD as isize as usize,
            path.as_ptr() as usize,
            0,
        )
    });
    tap.done()
}
