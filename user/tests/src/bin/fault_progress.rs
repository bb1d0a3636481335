//! fault_progress: every fault the kernel resolves must make progress.
//!
//! `handle_mm_fault` (kernel/src/mm/fault.rs) once took "the VMA allows this access and
//! the page is present" for a stale TLB entry, flushed it and returned success, even when
//! the page-table entry itself forbade the access. The retried access then faulted again,
//! forever; from inside a syscall that was a hang of the whole machine. Two such pages:
//! an exec-only page (Linux 6.1 on a CPU without FEAT_EPAN maps PROT_EXEC readable) and a
//! write-only page shared copy-on-write with a live child (arm64 has no write-only
//! pages, so Linux maps it readable). In both, Linux reads the path string the page holds
//! (empty here, so unlinkat says ENOENT), and a user load from the page succeeds.
//! Syscalls used: mmap, mprotect, unlinkat, clone (as fork), kill, wait4, nanosleep.

#![no_std]
#![no_main]

use ulib::io::AT_FDCWD;
use ulib::mm::*;
use ulib::signal::{kill, SIGKILL};
use ulib::syscall::{nr, syscall3};
use ulib::{errno::check, Errno, Tap, Timespec};

/// unlinkat(AT_FDCWD, addr, 0) with the path string at a raw address.
fn unlink_raw(addr: usize) -> Result<usize, Errno> {
    // SAFETY: unlinkat only reads the string at addr; a bad one must give an errno.
    check(unsafe { syscall3(nr::__NR_unlinkat, AT_FDCWD as isize as usize, addr, 0) })
}

/// The errno unlinkat must give for an empty path string in a page EL0 may read: ENOENT,
/// as Linux gives. qemu-user checks its own page flags for the guest, which say exec-only
/// and write-only pages are unreadable, and answers EFAULT: accepted there only.
fn empty_path_ok(r: Result<usize, Errno>) -> bool {
    r == Err(Errno::ENOENT) || (!ulib::is_linnet() && r == Err(Errno::EFAULT))
}

fn protect(addr: usize, prot: usize) -> bool {
    // SAFETY: only this test's own page is changed.
    unsafe { mprotect(addr, PAGE_SIZE, prot) }.is_ok()
}

fn read_at(addr: usize) -> u8 {
    // SAFETY: the page is mapped and, as on Linux, readable.
    unsafe { core::ptr::read_volatile(addr as *const u8) }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(6);

    // An exec-only page that was touched first, so its PTE is present.
    let page = ulib::map_anon(PAGE_SIZE).expect("mmap");
    page[1] = 0x5a; // page[0] stays 0: the string there is ""
    let p = page.as_ptr() as usize;
    tap.ok(
        protect(p, PROT_EXEC),
        "mprotect(PROT_EXEC) on a touched page",
    );
    let r = unlink_raw(p);
    if !tap.ok(
        empty_path_ok(r),
        "unlinkat reads a path from an exec-only page: ENOENT",
    ) {
        tap.diag(format_args!("  got {:?}", r));
    }
    tap.eq(
        read_at(p + 1),
        0x5a,
        "a user load from an exec-only page succeeds",
    );

    // A write-only page shared copy-on-write with a live child.
    let page = ulib::map_anon(PAGE_SIZE).expect("mmap");
    page[1] = 0xa5;
    let p = page.as_ptr() as usize;
    let child = ulib::process::spawn(|| loop {
        let _ = ulib::nanosleep(
            &Timespec {
                tv_sec: 1,
                tv_nsec: 0,
            },
            None,
        );
    });
    tap.ok(
        child > 0 && protect(p, PROT_WRITE),
        "mprotect(PROT_WRITE) on a page shared with a child",
    );
    let r = unlink_raw(p);
    if !tap.ok(
        empty_path_ok(r),
        "unlinkat reads a path from a write-only CoW page: ENOENT",
    ) {
        tap.diag(format_args!("  got {:?}", r));
    }
    tap.eq(
        read_at(p + 1),
        0xa5,
        "a user load from a write-only CoW page succeeds",
    );
    if child > 0 {
        let _ = kill(child, SIGKILL);
        let _ = ulib::process::reap(child);
    }
    tap.done()
}
