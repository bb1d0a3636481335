//! pagecache: file data, read()/write() and file mappings all meet in the page cache.
//!
//! The kernel side is `kernel/src/mm/filemap.rs` (the `AddressSpace` of each file),
//! `fs/ramfs/file.rs` (read/write/truncate through it) and `filemap_fault` in
//! `mm/fault.rs` (a file fault maps the cache's frame: writable in a MAP_SHARED mapping,
//! read-only and copied on write in a MAP_PRIVATE one). Every check but the last two
//! also holds on Linux (the runner compares with qemu-aarch64); `Cached:` in
//! /proc/meminfo and the free-memory cost of running the program again are checked on
//! Linnet only (on a shared Linux host other processes move them).
//! Syscalls used: openat, write, pwrite64, pread64, mmap, munmap, clone (as fork), wait4,
//! msync, ftruncate, unlinkat, read, close, pipe2, dup3, execve, sysinfo.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::io::{AT_FDCWD, O_CREAT, O_RDONLY, O_RDWR, O_TRUNC};
use ulib::mm::*;
use ulib::msync::{msync, MS_ASYNC, MS_INVALIDATE, MS_SYNC};
use ulib::signal::SIGBUS;
use ulib::{Errno, Tap};

const P: usize = PAGE_SIZE;
const FILE: &CStr = c"/tmp/pagecache-test";

/// A mapping of `len` bytes of `fd` from offset 0, or None.
fn map(fd: i32, len: usize, flags: usize) -> Option<&'static mut [u8]> {
    // SAFETY: no MAP_FIXED: the kernel picks an unused range, which only this slice uses.
    let addr = unsafe { mmap(0, len, PROT_READ | PROT_WRITE, flags, fd, 0) }.ok()?;
    // SAFETY: the kernel just mapped `len` readable, writable bytes at `addr`.
    Some(unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, len) })
}

fn unmap(m: &mut [u8]) {
    // SAFETY: the mapping is not used after this.
    let _ = unsafe { munmap(m.as_mut_ptr() as usize, m.len()) };
}

/// The byte at `off` as read() sees it.
fn pread_byte(fd: i32, off: usize) -> Option<u8> {
    let mut b = [0u8; 1];
    match ulib::fileops::pread(fd, &mut b, off as i64) {
        Ok(1) => Some(b[0]),
        _ => None,
    }
}

/// The `Cached:` line of /proc/meminfo, in kB.
fn cached_kb() -> Option<u64> {
    let fd = ulib::openat(AT_FDCWD, c"/proc/meminfo", O_RDONLY, 0).ok()? as i32;
    let mut buf = [0u8; 2048];
    let n = ulib::read(fd, &mut buf).unwrap_or(0);
    let _ = ulib::close(fd);
    core::str::from_utf8(&buf[..n]).ok()?.lines().find_map(|l| {
        let v = l.strip_prefix("Cached:")?.strip_suffix(" kB")?;
        v.trim().parse().ok()
    })
}

/// 32 pages of read-only data in the program file (not zero, so not bss): each
/// instance reads all of it, so running the program again would cost these 32 frames
/// more if its pages were copied rather than shared.
static BIG: [u8; 32 * P] = [0x5a; 32 * P];

/// The program run again as `pagecache hold`: read every page of `BIG`, say so on fd 11,
/// and wait for EOF on fd 10.
fn hold() -> i32 {
    let mut sum = 0u32;
    for i in (0..BIG.len()).step_by(P) {
        // SAFETY: a volatile read of our own static, so each page is really touched.
        sum += unsafe { core::ptr::read_volatile(&BIG[i]) } as u32;
    }
    let _ = ulib::write(11, &[(sum != 0) as u8]);
    let mut b = [0u8; 1];
    let _ = ulib::read(10, &mut b);
    0
}

/// Free memory with `n` instances of this program alive, each having read `BIG`
/// (`hold`); the instances are ended and reaped before returning. None on an error.
fn free_with_instances(n: usize) -> Option<u64> {
    let go = ulib::fs::pipe2(ulib::io::O_CLOEXEC).ok()?;
    let ready = ulib::fs::pipe2(ulib::io::O_CLOEXEC).ok()?;
    let mut pids = [0i32; 8];
    for pid in pids.iter_mut().take(n) {
        *pid = match ulib::fork() {
            Ok(0) => {
                let _ = ulib::fs::dup3(go[0], 10, 0);
                let _ = ulib::fs::dup3(ready[1], 11, 0);
                let argv = [
                    c"/tests/pagecache".as_ptr() as *const u8,
                    c"hold".as_ptr() as *const u8,
                    core::ptr::null(),
                ];
                let envp = [core::ptr::null()];
                // SAFETY: NUL-terminated strings in NULL-terminated arrays.
                let _ = unsafe { ulib::process::execve(argv[0], argv.as_ptr(), envp.as_ptr()) };
                ulib::exit_group(127)
            }
            Ok(pid) => pid,
            Err(_) => return None,
        };
        let mut b = [0u8; 1];
        if ulib::read(ready[0], &mut b) != Ok(1) || b[0] != 1 {
            return None;
        }
    }
    let free = ulib::sysinfo().ok()?.free_bytes();
    for fd in [go[0], go[1], ready[0], ready[1]] {
        let _ = ulib::close(fd);
    }
    for &pid in &pids[..n] {
        let _ = ulib::wait4(pid, None, 0);
    }
    Some(free)
}

#[no_mangle]
fn main() -> i32 {
    if ulib::args().nth(1) == Some(b"hold") {
        return hold();
    }
    let mut tap = Tap::new(10);
    let linnet = ulib::is_linnet();
    let cached_before = cached_kb();
    let fd = match ulib::openat(AT_FDCWD, FILE, O_RDWR | O_CREAT | O_TRUNC, 0o644) {
        Ok(fd) => fd as i32,
        Err(_) => -1,
    };
    let data = [b'a'; 2 * P];
    let wrote = ulib::write(fd, &data) == Ok(2 * P);

    let shared = map(fd, 2 * P, MAP_SHARED);
    let private = map(fd, 2 * P, MAP_PRIVATE);
    let (Some(shared), Some(private)) = (shared, private) else {
        tap.ok(false, "the file is mapped MAP_SHARED and MAP_PRIVATE");
        return tap.done();
    };
    tap.ok(
        wrote && shared[P + 7] == b'a' && private[100] == b'a',
        "both mappings show the bytes write() put in the file",
    );

    shared[P + 9] = b'S';
    tap.ok(
        pread_byte(fd, P + 9) == Some(b'S'),
        "a store to a MAP_SHARED mapping is seen by read()",
    );

    let _ = ulib::fileops::pwrite(fd, b"W", 50);
    tap.ok(
        shared[50] == b'W' && private[50] == b'W',
        "write() is seen by the shared mapping and by a private page not yet written",
    );

    private[60] = b'P';
    tap.ok(
        pread_byte(fd, 60) == Some(b'a') && shared[60] == b'a' && private[61] == b'a',
        "a store to a MAP_PRIVATE mapping reaches neither the file nor other mappings",
    );

    // Another process maps the file on its own and stores into it.
    let status = match ulib::fork() {
        Ok(0) => {
            let code = match map(fd, 2 * P, MAP_SHARED) {
                Some(m) => {
                    m[P + 300] = b'C';
                    0
                }
                None => 1,
            };
            ulib::exit_group(code)
        }
        Ok(pid) => {
            let mut st = -1;
            let _ = ulib::wait4(pid, Some(&mut st), 0);
            st
        }
        Err(_) => -1,
    };
    tap.ok(
        status == 0 && shared[P + 300] == b'C' && pread_byte(fd, P + 300) == Some(b'C'),
        "a child's store to its own MAP_SHARED mapping is seen by the parent's and by read()",
    );

    // msync: nothing to write back, but the arguments and the range are checked.
    let at = shared.as_ptr() as usize;
    let rs = (
        msync(at, 2 * P, MS_SYNC),
        msync(at, 5, MS_ASYNC | MS_INVALIDATE),
        msync(at, P, MS_ASYNC | MS_SYNC),
        msync(at + 1, P, MS_SYNC),
        msync(at, P, 8),
        msync(at, 8 * P, MS_SYNC),
    );
    if !tap.ok(
        rs == (
            Ok(0),
            Ok(0),
            Err(Errno::EINVAL),
            Err(Errno::EINVAL),
            Err(Errno::EINVAL),
            Err(Errno::ENOMEM),
        ),
        "msync of the shared mapping succeeds; bad flags or start EINVAL, a hole ENOMEM",
    ) {
        tap.diag(format_args!("{rs:?}"));
    }

    // ftruncate under a mapping: the pages wholly past the new end go (SIGBUS when
    // touched), the partial last page stays with its tail zeroed.
    let grown = ulib::fileops::pwrite(fd, &[b'e'; P], 2 * P as i64) == Ok(P);
    let status = match ulib::fork() {
        Ok(0) => {
            let Some(m) = map(fd, 3 * P, MAP_SHARED) else {
                ulib::exit_group(1)
            };
            if m[2 * P] != b'e' || ulib::fileops::ftruncate(fd, P as i64 + 1).is_err() {
                ulib::exit_group(2);
            }
            if m[P] != b'a' || m[P + 5] != 0 {
                ulib::exit_group(3);
            }
            // SAFETY: a volatile load, so the compiler keeps the access that must fault.
            let _ = unsafe { core::ptr::read_volatile(&m[2 * P]) };
            ulib::exit_group(4)
        }
        Ok(pid) => {
            let mut st = -1;
            let _ = ulib::wait4(pid, Some(&mut st), 0);
            st
        }
        Err(_) => -1,
    };
    if !tap.ok(
        grown && ulib::wifsignaled(status) && ulib::wtermsig(status) == SIGBUS,
        "ftruncate under a MAP_SHARED mapping: SIGBUS past the new end, the last page kept",
    ) {
        tap.diag(format_args!("child status {status:#x}"));
    }

    unmap(shared);
    unmap(private);
    let _ = ulib::close(fd);

    // A bigger file: its pages show in Cached, and go with the file.
    let fd = ulib::openat(AT_FDCWD, FILE, O_RDWR | O_TRUNC, 0).map_or(-1, |f| f as i32);
    let chunk = [b'z'; P];
    let mut ok = true;
    for _ in 0..64 {
        ok &= ulib::write(fd, &chunk) == Ok(P);
    }
    let cached_full = cached_kb();
    let _ = ulib::close(fd);
    let unlinked = ulib::fs::unlinkat(AT_FDCWD, FILE, 0).is_ok();
    let cached_after = cached_kb();
    tap.ok(ok && unlinked, "a 256 KiB file is written and removed");
    if linnet {
        let (b, f, a) = (
            cached_before.unwrap_or(0),
            cached_full.unwrap_or(0),
            cached_after.unwrap_or(u64::MAX),
        );
        if !tap.ok(
            f == b + 256 && a == b,
            "/proc/meminfo Cached: grows by the file's 256 KiB and shrinks back at unlink",
        ) {
            tap.diag(format_args!("Cached: before {b}, full {f}, after {a} kB"));
        }
    } else {
        tap.skip(
            "/proc/meminfo Cached: grows by the file's 256 KiB and shrinks back at unlink",
            "not Linnet",
        );
    }
    // Running the program again shares its file pages: four more instances, each
    // having read all 32 pages of BIG, cost far less than 32 frames each.
    let name = "four more instances of this program cost < 32 frames each (BIG is shared)";
    if linnet {
        let base = ulib::sysinfo().map(|s| s.free_bytes()).unwrap_or(0);
        let _ = free_with_instances(1); // warm up: the kernel's caches reach their size
        let one = free_with_instances(1);
        let five = free_with_instances(5);
        let per = match (one, five) {
            (Some(one), Some(five)) => one.saturating_sub(five) / 4 / P as u64,
            _ => u64::MAX,
        };
        if !tap.ok(per < 32, name) {
            tap.diag(format_args!("free {base}: per instance {per} frames"));
        }
    } else {
        tap.skip(name, "not Linnet");
    }
    tap.done()
}
