//! mprotect and madvise: changing what a range allows, and dropping its pages.
//!
//! The kernel side is `do_mprotect` and `do_madvise` in `kernel/src/mm/mmap.rs` (the
//! checks in `mm/mman.rs`): mprotect splits the VMA at the range's edges, gives the
//! middle its new flags and rewrites the page-table entries of the pages already
//! present; the next access that breaks the new rules is a SIGSEGV. Linnet keeps every
//! page W^X, yet a PROT_READ|PROT_WRITE|PROT_EXEC mapping behaves as on Linux (the fault
//! handler flips the page between RW and RX).
//! Syscalls used: mmap, mprotect, madvise, munmap, clone (as fork), wait4, openat,
//! read, close.

#![no_std]
#![no_main]

use ulib::mm::*;
use ulib::signal::SIGSEGV;
use ulib::{Errno, Tap};

const P: usize = PAGE_SIZE;

/// Run `f` in a child; true if it died of SIGSEGV.
fn segv_in_child(f: impl FnOnce()) -> bool {
    match ulib::fork() {
        Ok(0) => {
            f();
            ulib::exit_group(0)
        }
        Ok(pid) => {
            let mut st = 0;
            ulib::wait4(pid, Some(&mut st), 0).is_ok()
                && ulib::wifsignaled(st)
                && ulib::wtermsig(st) == SIGSEGV
        }
        Err(_) => false,
    }
}

fn read_at(addr: usize) -> u8 {
    // SAFETY: the callers read mapped memory (or, in a child, memory that must fault).
    unsafe { core::ptr::read_volatile(addr as *const u8) }
}

fn write_at(addr: usize, v: u8) {
    // SAFETY: as in read_at.
    unsafe { core::ptr::write_volatile(addr as *mut u8, v) }
}

fn protect(addr: usize, len: usize, prot: usize) -> Result<usize, Errno> {
    // SAFETY: only this test's own mappings are changed, and only as the tests expect.
    unsafe { mprotect(addr, len, prot) }
}

/// Write `mov w0, #value; ret` at `code`. (A JIT on real hardware would also clean the
/// data cache and invalidate the instruction cache here, `dc cvau` / `ic ivau`; the
/// kernel does it for a page that becomes executable, and QEMU needs neither.)
fn jit_write(code: usize, value: u32) {
    let mov = 0x5280_0000 | (value & 0xffff) << 5; // movz w0, #value
                                                   // SAFETY: `code` is a writable mapping of this test's.
    unsafe {
        core::ptr::write_volatile(code as *mut u32, mov);
        core::ptr::write_volatile((code + 4) as *mut u32, 0xd65f_03c0); // ret
    }
}

/// Call the two instructions `jit_write` put at `code`.
fn jit_call(code: usize) -> u32 {
    // SAFETY: `code` holds `mov w0, #value; ret`, a function returning a u32.
    let f: extern "C" fn() -> u32 = unsafe { core::mem::transmute(code) };
    f()
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(18);
    let linnet = ulib::is_linnet();
    // SAFETY: a fresh private mapping; nothing else refers to it.
    let a = unsafe {
        mmap(
            0,
            3 * P,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    }
    .unwrap_or(0);
    for i in 0..3 {
        write_at(a + i * P, 0x40 + i as u8);
    }

    // Read-only in the middle.
    tap.eq(
        protect(a + P, P, PROT_READ),
        Ok(0),
        "mprotect(PROT_READ) of the middle page",
    );
    tap.ok(read_at(a + P) == 0x41, "the page still reads its data");
    tap.ok(
        segv_in_child(|| write_at(a + P, 1)),
        "a write to it is SIGSEGV",
    );
    write_at(a, 0x50);
    write_at(a + 2 * P, 0x52);
    tap.ok(
        read_at(a) == 0x50 && read_at(a + 2 * P) == 0x52,
        "its neighbours are still writable",
    );

    // No access at all, then back.
    tap.eq(protect(a + P, P, PROT_NONE), Ok(0), "mprotect(PROT_NONE)");
    tap.ok(
        segv_in_child(|| {
            read_at(a + P);
        }),
        "a read of a PROT_NONE page is SIGSEGV",
    );
    tap.eq(
        protect(a, 3 * P, PROT_READ | PROT_WRITE),
        Ok(0),
        "mprotect back to read-write",
    );
    write_at(a + P, 0x61);
    tap.ok(
        read_at(a + P) == 0x61 && read_at(a) == 0x50,
        "the page is writable again",
    );

    // Errors.
    // SAFETY: unmaps this test's page, made for the purpose.
    let hole = unsafe { munmap(a + 2 * P, P) };
    tap.eq(
        (hole, protect(a + P, 2 * P, PROT_READ)),
        (Ok(0), Err(Errno::ENOMEM)),
        "mprotect over an unmapped page is ENOMEM",
    );
    tap.eq(
        protect(a + 1, P, PROT_READ),
        Err(Errno::EINVAL),
        "an unaligned address is EINVAL",
    );
    tap.eq(
        protect(a, P, 0x40),
        Err(Errno::EINVAL),
        "an unknown prot bit is EINVAL",
    );
    // Linux returns 0; qemu-user 7.2 says ENOMEM (its range check rejects length 0).
    let r = protect(a, 0, PROT_READ);
    let name = "a zero length does nothing and succeeds";
    match linnet {
        true => tap.eq(r, Ok(0), name),
        false => tap.ok(matches!(r, Ok(0) | Err(Errno::ENOMEM)), name),
    };
    read_only_file(&mut tap);

    // Code: written, made executable, run; and a read-write-exec mapping.
    // SAFETY: a fresh private mapping.
    let code = unsafe {
        mmap(
            0,
            P,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    }
    .unwrap_or(0);
    jit_write(code, 42);
    let r = protect(code, P, PROT_READ | PROT_EXEC).map(|_| jit_call(code));
    tap.eq(
        r,
        Ok(42),
        "code written, then mprotect(PROT_READ|PROT_EXEC), runs",
    );
    let rwx = PROT_READ | PROT_WRITE | PROT_EXEC;
    // SAFETY: a fresh private mapping.
    let code = unsafe { mmap(0, P, rwx, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) }.unwrap_or(0);
    jit_write(code, 7);
    let first = jit_call(code);
    jit_write(code, 9);
    let second = jit_call(code);
    tap.eq(
        (first, second),
        (7, 9),
        "a read-write-exec mapping can be written and run in turn",
    );

    // madvise.
    // SAFETY: fresh mappings of this test's.
    let private = unsafe {
        mmap(
            0,
            2 * P,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    let shared = unsafe {
        mmap(
            0,
            P,
            PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    let (private, shared) = (private.unwrap_or(0), shared.unwrap_or(0));
    write_at(private, 3);
    write_at(private + P, 4);
    write_at(shared, 5);
    // SAFETY: the contents of these two mappings may go.
    let r = unsafe {
        (
            madvise(private, 2 * P, MADV_DONTNEED),
            madvise(shared, P, MADV_DONTNEED),
        )
    };
    tap.ok(
        r == (Ok(0), Ok(0)) && read_at(private) == 0 && read_at(private + P) == 0,
        "MADV_DONTNEED: private anonymous memory reads as zeros again",
    );
    tap.ok(
        read_at(shared) == 5,
        "MADV_DONTNEED keeps shared memory's contents",
    );
    // SAFETY: hints only.
    let hint = unsafe { madvise(private, P, MADV_WILLNEED) };
    let bad = unsafe { madvise(private, P, 999) };
    // Linux refuses unknown advice; qemu-user 7.2 accepts any advice as a hint.
    let name = "MADV_WILLNEED is accepted; unknown advice is EINVAL";
    match linnet {
        true => tap.eq((hint, bad), (Ok(0), Err(Errno::EINVAL)), name),
        false => tap.ok(
            hint == Ok(0) && matches!(bad, Ok(0) | Err(Errno::EINVAL)),
            name,
        ),
    };
    tap.done()
}

/// A MAP_SHARED mapping of a file opened read-only may never become writable.
fn read_only_file(tap: &mut Tap) {
    let argv0 = ulib::args().next().unwrap_or(b"");
    let mut path = [0u8; 256];
    let n = argv0.len().min(255);
    path[..n].copy_from_slice(&argv0[..n]);
    let path = core::ffi::CStr::from_bytes_until_nul(&path).unwrap_or(c"/tests/mprotect");
    let fd = ulib::openat(ulib::io::AT_FDCWD, path, ulib::io::O_RDONLY, 0).map_or(-1, |f| f as i32);
    // SAFETY: a new shared read-only mapping of our own file.
    let m = unsafe { mmap(0, P, PROT_READ, MAP_SHARED, fd, 0) }.unwrap_or(0);
    tap.eq(
        protect(m, P, PROT_READ | PROT_WRITE),
        Err(Errno::EACCES),
        "PROT_WRITE on a read-only file's MAP_SHARED mapping is EACCES",
    );
    let _ = ulib::close(fd);
}
