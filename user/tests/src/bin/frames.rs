//! frames: copy-on-write copies are freed again; fork+exit+wait4 leaks no page frames.
//!
//! The parent fills a 64-page private buffer, then runs 50 cycles of fork, a child that
//! writes one byte in each of the 64 pages (64 copy-on-write copies, plus its page tables
//! and kernel stack) and exits, and wait4. Once every child is reaped, free RAM as
//! sysinfo reports it must be exactly what it was before. That exact accounting only holds
//! on Linnet (Linux's page cache, per-CPU lists and other processes move freeram all the
//! time), so on Linux those checks are skipped and the rest still runs.
//! Syscalls used: uname, sysinfo, mmap, clone (as fork), wait4, exit_group, write.

#![no_std]
#![no_main]

use ulib::mm::PAGE_SIZE;
use ulib::process::StatusText;
use ulib::Tap;

const CYCLES: u32 = 50;
const PAGES: usize = 64;

/// The child: copy every page by writing to it, check that cost frames, and exit.
/// Exit code 0: fine; 2: (Linnet only) free RAM did not drop by at least 64 pages.
fn child(buf: &mut [u8], linnet: bool) -> i32 {
    let before = ulib::sysinfo().map_or(0, |s| s.free_bytes());
    for page in buf.chunks_mut(PAGE_SIZE) {
        // Volatile, so the write (and the copy-on-write fault it causes) really happens.
        // SAFETY: page is a live &mut [u8] of PAGE_SIZE bytes.
        unsafe { core::ptr::write_volatile(&mut page[0], 0xc0) };
    }
    let after = ulib::sysinfo().map_or(0, |s| s.free_bytes());
    let copied = before.saturating_sub(after) >= (PAGES * PAGE_SIZE) as u64;
    if linnet && !copied {
        return 2;
    }
    0
}

/// One fork+exit+wait4 cycle; the child's wait status on success.
fn cycle(buf: &mut [u8], linnet: bool) -> Result<i32, ulib::Errno> {
    let pid = ulib::fork()?;
    if pid == 0 {
        ulib::exit_group(child(buf, linnet));
    }
    let mut status = 0;
    ulib::wait4(pid, Some(&mut status), 0)?;
    Ok(status)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(4);
    let linnet = ulib::is_linnet();
    let info = ulib::sysinfo();
    tap.ok(
        info.is_ok_and(|s| s.totalram > 0 && s.freeram <= s.totalram && s.mem_unit >= 1),
        "sysinfo: totalram > 0, freeram <= totalram, mem_unit >= 1",
    );

    let buf = match ulib::map_anon(PAGES * PAGE_SIZE) {
        Ok(b) => b,
        Err(e) => {
            tap.diag(format_args!("mmap failed: {:?}", e));
            return 1;
        }
    };
    buf.fill(0x5a); // populate every page now, so the children's writes copy them

    // One warm-up cycle first, so anything the kernel allocates once and keeps (the
    // parent's own copy-on-write faults on its stack, say) is not counted as a leak.
    let warm = cycle(buf, linnet);
    let before = ulib::sysinfo().map_or(0, |s| s.free_bytes());
    let mut good = warm.is_ok_and(|s| s == 0) as u32;
    let mut copied = good;
    for _ in 0..CYCLES {
        match cycle(buf, linnet) {
            Ok(0) => (good, copied) = (good + 1, copied + 1),
            Ok(s) if ulib::wifexited(s) && ulib::wexitstatus(s) == 2 => good += 1,
            Ok(s) => tap.diag(format_args!("  a child {}", StatusText(s))),
            Err(e) => tap.diag(format_args!("  fork/wait4 failed: {:?}", e)),
        }
    }
    let after = ulib::sysinfo().map_or(0, |s| s.free_bytes());

    tap.eq(
        good,
        CYCLES + 1,
        "50 cycles (+1 warm-up) of fork, 64-page write, exit, wait4: all children exited 0",
    );
    if linnet {
        tap.eq(
            copied,
            CYCLES + 1,
            "each child's 64 writes took >= 64 free frames (copy-on-write)",
        );
        tap.eq(
            after,
            before,
            "free RAM after the 50 cycles == before: no frame leaked",
        );
    } else {
        tap.skip(
            "each child's 64 writes took >= 64 free frames (copy-on-write)",
            "not Linnet",
        );
        let _ = (before, after); // Linux's free RAM moves for reasons of its own
        tap.skip(
            "free RAM after the 50 cycles == before: no frame leaked",
            "not Linnet",
        );
    }
    tap.done()
}
