//! mmap: anonymous, fixed, shared and file mappings, munmap, and mmap's errors.
//!
//! The kernel side is `do_mmap` / `mmap_region` / `do_munmap` in
//! `kernel/src/mm/mmap.rs`, with the rules (flags, errno, placement) in
//! `kernel/src/mm/mman.rs`, and the page fault that fills pages in `mm/fault.rs`.
//! Every check here also holds on Linux (the runner compares with qemu-aarch64); the
//! free-frame counts are Linnet's own (`# SKIP` elsewhere).
//! Syscalls used: mmap, munmap, clone (as fork), wait4, openat, read, close, sysinfo.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::mm::*;
use ulib::signal::{SIGBUS, SIGSEGV};
use ulib::{Errno, Tap};

const P: usize = PAGE_SIZE;

/// Run `f` in a child; its wait status.
fn in_child(f: impl FnOnce()) -> i32 {
    match ulib::fork() {
        Ok(0) => {
            f();
            ulib::exit_group(0)
        }
        Ok(pid) => {
            let mut status = 0;
            match ulib::wait4(pid, Some(&mut status), 0) {
                Ok(_) => status,
                Err(_) => -1,
            }
        }
        Err(_) => -1,
    }
}

fn killed_by(status: i32, sig: i32) -> bool {
    ulib::wifsignaled(status) && ulib::wtermsig(status) == sig
}

fn anon(addr: usize, len: usize, flags: usize) -> Result<usize, Errno> {
    // SAFETY: only MAP_FIXED can replace memory, and the callers pass it only over
    // mappings this test made for that purpose.
    unsafe {
        mmap(
            addr,
            len,
            PROT_READ | PROT_WRITE,
            flags | MAP_ANONYMOUS,
            -1,
            0,
        )
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

fn free_pages() -> u64 {
    ulib::sysinfo().map_or(0, |s| s.freeram * s.mem_unit.max(1) as u64 / P as u64)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(23);
    let linnet = ulib::is_linnet();

    // A new mapping: zero-filled, writable.
    let a = anon(0, 4 * P, MAP_PRIVATE).unwrap_or(0);
    let zero = a != 0 && (0..4 * P).all(|i| read_at(a + i) == 0);
    tap.ok(zero, "a new anonymous mapping reads as zeros");
    (0..4 * P).step_by(512).for_each(|i| write_at(a + i, 0x5a));
    let kept = a != 0 && (0..4 * P).step_by(512).all(|i| read_at(a + i) == 0x5a);
    tap.ok(kept, "it is writable and keeps what was written");

    // MAP_FIXED over the middle page: zeros there, the rest untouched.
    let fixed = anon(a + P, P, MAP_PRIVATE | MAP_FIXED);
    tap.eq(
        fixed,
        Ok(a + P),
        "MAP_FIXED maps exactly at the address asked for",
    );
    let ok = read_at(a + P) == 0 && read_at(a + P + 512) == 0 && read_at(a) == 0x5a;
    tap.ok(
        ok && read_at(a + 2 * P) == 0x5a && read_at(a + 3 * P + 512) == 0x5a,
        "MAP_FIXED over one page: it reads zero, its neighbours keep their data",
    );

    // munmap of the middle: both neighbours stay; the hole faults.
    // SAFETY: page a + 2P is this test's own and nothing refers to it.
    let r = unsafe { munmap(a + 2 * P, P) };
    tap.eq(r, Ok(0), "munmap of one page in the middle of a mapping");
    tap.ok(
        read_at(a + P - 512) == 0x5a && read_at(a + 3 * P) == 0x5a,
        "both neighbours of the hole are still mapped, with their data",
    );
    let st = in_child(|| {
        read_at(a + 2 * P);
    });
    tap.ok(
        killed_by(st, SIGSEGV),
        "reading the unmapped page is SIGSEGV",
    );
    // SAFETY: the whole range is this test's.
    let r = unsafe { munmap(a, 4 * P) };
    tap.eq(r, Ok(0), "munmap over a range with a hole in it succeeds");

    // Placement: a free hint is taken as is, an occupied one is not.
    let r = anon(a + P, 2 * P, MAP_PRIVATE);
    tap.eq(r, Ok(a + P), "a free hint address is used exactly");
    let b = r.unwrap_or(0);
    write_at(b, 7);
    let moved = anon(b, P, MAP_PRIVATE);
    tap.ok(
        matches!(moved, Ok(m) if m != b && (m + P <= b || m >= b + 2 * P)) && read_at(b) == 7,
        "an occupied hint is moved elsewhere; the mapping there is left alone",
    );
    let r = anon(b, P, MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    // Linux says EEXIST; qemu-user 7.2 (the runner's oracle) treats the flag as a hint
    // and maps elsewhere. Either way nothing is replaced.
    let name = "MAP_FIXED_NOREPLACE over a mapping is EEXIST, never a replacement";
    match linnet {
        true => tap.eq(r, Err(Errno::EEXIST), name),
        false => tap.ok(
            r == Err(Errno::EEXIST) || matches!(r, Ok(m) if m != b),
            name,
        ),
    };
    tap.ok(read_at(b) == 7, "... and leaves that mapping alone");
    let free = anon(0, P, MAP_PRIVATE).unwrap_or(0);
    // SAFETY: just mapped, never used: this only makes a known free page.
    let _ = unsafe { munmap(free, P) };
    let r = anon(free, P, MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    tap.eq(
        r,
        Ok(free),
        "MAP_FIXED_NOREPLACE on free space maps exactly there",
    );

    // Shared and private memory across fork.
    let shared = anon(0, P, MAP_SHARED).unwrap_or(0);
    let private = anon(0, P, MAP_PRIVATE).unwrap_or(0);
    let st = in_child(|| {
        write_at(shared, 0x11);
        write_at(private, 0x22);
    });
    tap.ok(
        ulib::wifexited(st) && read_at(shared) == 0x11,
        "MAP_SHARED anonymous memory: the parent sees the child's write",
    );
    tap.ok(
        read_at(private) == 0,
        "MAP_PRIVATE memory: the child's write stays its own",
    );

    // A file mapping at an offset: the bytes read() gives from there.
    file_mapping(&mut tap);

    // Errors, in Linux's terms.
    let e = |r: Result<usize, Errno>| r.err();
    // SAFETY (all below): none of these calls succeeds or replaces anything.
    let bad = [
        (e(anon(0, 0, MAP_PRIVATE)), Errno::EINVAL, "length 0"),
        (
            e(anon(0, P, 0)),
            Errno::EINVAL,
            "neither MAP_SHARED nor MAP_PRIVATE",
        ),
        (
            e(anon(0, P, MAP_SHARED_VALIDATE)),
            Errno::EINVAL,
            "anonymous MAP_SHARED_VALIDATE",
        ),
        (
            e(anon(0, usize::MAX - P, MAP_PRIVATE)),
            Errno::ENOMEM,
            "a length that overflows",
        ),
        (
            e(anon(P + 1, P, MAP_PRIVATE | MAP_FIXED)),
            Errno::EINVAL,
            "an unaligned MAP_FIXED address",
        ),
        (
            e(unsafe { mmap(0, P, PROT_READ, MAP_PRIVATE, 99, 0) }),
            Errno::EBADF,
            "a bad fd",
        ),
        (
            e(unsafe { mmap(0, P, PROT_READ, MAP_PRIVATE, 0, 1) }),
            Errno::EINVAL,
            "an unaligned offset",
        ),
        (
            e(unsafe { munmap(P + 1, P) }),
            Errno::EINVAL,
            "munmap of an unaligned address",
        ),
        (
            e(unsafe { munmap(b, 0) }),
            Errno::EINVAL,
            "munmap of length 0",
        ),
    ];
    let all = bad.iter().all(|(got, want, _)| *got == Some(*want));
    tap.ok(
        all,
        "mmap/munmap errors: EINVAL, ENOMEM, EBADF as Linux gives them",
    );
    for (got, want, what) in bad.iter().filter(|(g, w, _)| *g != Some(*w)) {
        tap.diag(format_args!(
            "  {}: got {:?}, expected {:?}",
            what, got, want
        ));
    }
    let r = anon(0, P, MAP_PRIVATE | 0x0800_0000);
    tap.ok(r.is_ok(), "an unknown flag is ignored with MAP_PRIVATE");

    // Frames come and go with the pages (Linnet counts them exactly).
    frames(&mut tap, linnet);
    tap.done()
}

/// Map this program's own file at offset 4096 and compare with read().
fn file_mapping(tap: &mut Tap) {
    let mut path = [0u8; 256];
    let argv0 = ulib::args().next().unwrap_or(b"");
    let n = argv0.len().min(255);
    path[..n].copy_from_slice(&argv0[..n]);
    let path = CStr::from_bytes_until_nul(&path).unwrap_or(c"/tests/mmap");
    let fd = ulib::openat(ulib::io::AT_FDCWD, path, ulib::io::O_RDONLY, 0).map_or(-1, |f| f as i32);
    let mut expect = [0u8; 2 * P];
    let mut skip = [0u8; P];
    let ok = read_full(fd, &mut skip) && read_full(fd, &mut expect);
    // SAFETY: a new private read-only mapping; nothing else refers to it.
    let m = unsafe { mmap(0, 2 * P, PROT_READ, MAP_PRIVATE, fd, P) };
    let same = match m {
        // SAFETY: the kernel just mapped 2 pages readable at m.
        Ok(m) => ok && unsafe { core::slice::from_raw_parts(m as *const u8, 2 * P) } == expect,
        Err(_) => false,
    };
    tap.ok(
        same,
        "a file mapping at offset 4096 holds the file's bytes from 4096 on",
    );
    // A page wholly past the end of the file: SIGBUS (the end of the last page is zeros).
    let size = ulib::fs::fstat(fd).map_or(0, |s| s.size as usize);
    let last = size.div_ceil(P) * P;
    // SAFETY: as above.
    let m = unsafe { mmap(0, last + P, PROT_READ, MAP_PRIVATE, fd, 0) }.unwrap_or(0);
    let tail_zero =
        m != 0 && !size.is_multiple_of(P) && read_at(m + size) == 0 && read_at(m + last - 1) == 0;
    let st = in_child(|| {
        read_at(m + last);
    });
    tap.ok(
        tail_zero && killed_by(st, SIGBUS),
        "past the end of the file: zeros to the end of the page, then SIGBUS",
    );
    let e = unsafe { mmap(0, P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) };
    tap.eq(
        e,
        Err(Errno::EACCES),
        "a writable MAP_SHARED mapping of a read-only fd is EACCES",
    );
    let e = unsafe { mmap(0, P, PROT_READ, MAP_SHARED_VALIDATE | 0x0020_0000, fd, 0) };
    // Linux says EOPNOTSUPP; qemu-user 7.2 refuses the flags itself, with EINVAL.
    let name = "MAP_SHARED_VALIDATE with an unknown flag is refused (EOPNOTSUPP)";
    match ulib::is_linnet() {
        true => tap.eq(e.err(), Some(Errno(95)), name),
        false => tap.ok(
            matches!(e.err(), Some(Errno(95)) | Some(Errno::EINVAL)),
            name,
        ),
    };
    let _ = ulib::close(fd);
}

fn read_full(fd: i32, buf: &mut [u8]) -> bool {
    let mut done = 0;
    while done < buf.len() {
        match ulib::read(fd, &mut buf[done..]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => done += n,
        }
    }
    true
}

/// 64 MiB mapped, touched and unmapped gives every frame back; MAP_POPULATE takes its
/// frames at mmap time.
fn frames(tap: &mut Tap, linnet: bool) {
    const LEN: usize = 64 << 20;
    let before = free_pages();
    let m = anon(0, LEN, MAP_PRIVATE).unwrap_or(0);
    let mut va = m;
    while m != 0 && va < m + LEN {
        write_at(va, 1);
        va += P;
    }
    let during = free_pages();
    // SAFETY: the mapping is this function's alone.
    let r = unsafe { munmap(m, LEN) };
    let after = free_pages();
    let pop = anon(0, 64 * P, MAP_PRIVATE | MAP_POPULATE).unwrap_or(0);
    let populated = free_pages();
    let pop_ok = pop != 0 && (0..64).all(|i| read_at(pop + i * P) == 0);
    if linnet {
        let name = "64 MiB mapped and touched took >= 16384 frames; munmap gave back every one";
        if !tap.ok(
            r.is_ok() && during + 16384 <= before && after == before,
            name,
        ) {
            tap.diag(format_args!(
                "  free: before {}, during {}, after {}",
                before, during, after
            ));
        }
        tap.ok(
            pop_ok && populated + 64 <= after,
            "MAP_POPULATE took the 64 pages' frames at mmap time",
        );
    } else {
        let _ = (during, after, populated, pop_ok);
        tap.skip(
            "64 MiB mapped and touched took >= 16384 frames; munmap gave back every one",
            "not Linnet",
        );
        tap.skip(
            "MAP_POPULATE took the 64 pages' frames at mmap time",
            "not Linnet",
        );
    }
}
