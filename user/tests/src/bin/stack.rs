//! stack: the main stack grows on demand up to RLIMIT_STACK, and not further; and the
//! resource-limit calls report and change the limits.
//!
//! The kernel side is `expand_stack` in `kernel/src/mm/fault.rs` (a fault just below the
//! `[stack]` VMA moves its start down, within the soft RLIMIT_STACK and never closer than
//! `stack_guard_gap` to the mapping below) and `kernel/src/syscall/resource.rs`
//! (getrlimit, setrlimit, prlimit64). Each stack experiment runs in a child, whose
//! SIGSEGV the parent reads from wait4's status.
//! Syscalls used: getrlimit, setrlimit, prlimit64, clone (as fork), wait4, mmap,
//! openat, read.

#![no_std]
#![no_main]

use ulib::mm::*;
use ulib::resource::*;
use ulib::signal::SIGSEGV;
use ulib::{Errno, Tap};

/// Bytes each `recurse` frame takes, about (a 4000-byte array and the frame record).
const FRAME: usize = 4096;

/// Use about `depth * FRAME` bytes of stack.
#[inline(never)]
fn recurse(depth: usize) -> usize {
    let mut buf = [0u8; 4000];
    buf[0] = depth as u8;
    core::hint::black_box(&mut buf);
    if depth == 0 {
        return 1;
    }
    recurse(depth - 1) + (buf[0] == depth as u8) as usize // not a tail call
}

/// Run `f` in a child: Ok(exit code) or Err(signal).
fn in_child(f: impl FnOnce() -> i32) -> Result<i32, i32> {
    match ulib::fork() {
        Ok(0) => {
            let code = f();
            ulib::exit_group(code)
        }
        Ok(pid) => {
            let mut st = 0;
            match ulib::wait4(pid, Some(&mut st), 0) {
                Ok(_) if ulib::wifsignaled(st) => Err(ulib::wtermsig(st)),
                Ok(_) => Ok(ulib::wexitstatus(st)),
                Err(_) => Err(-1),
            }
        }
        Err(_) => Err(-1),
    }
}

fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer; nothing else.
    unsafe { core::arch::asm!("mov {}, sp", out(reg) sp) };
    sp
}

/// Touch (write then read) the byte `below` bytes under the stack pointer.
fn touch_below(below: usize) -> i32 {
    touch_at(sp() - below)
}

/// Touch the byte at `addr`, below the stack; 0 if it reads back.
fn touch_at(addr: usize) -> i32 {
    // SAFETY: below the stack pointer, in the area the stack may grow into: the kernel
    // either grows the stack over it or ends this child with SIGSEGV.
    unsafe {
        core::ptr::write_volatile(addr as *mut u8, 0x77);
        (core::ptr::read_volatile(addr as *const u8) == 0x77) as i32 - 1
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(12);
    let linnet = ulib::is_linnet();
    let stack = getrlimit(RLIMIT_STACK);
    // The defaults are Linux's (8 MiB soft, no hard limit); elsewhere the shell decides.
    match linnet {
        true => tap.eq(
            stack,
            Ok(Rlimit {
                cur: 8 << 20,
                max: RLIM_INFINITY,
            }),
            "RLIMIT_STACK is 8 MiB soft, unlimited hard",
        ),
        false => tap.ok(
            matches!(stack, Ok(r) if r.cur <= r.max),
            "RLIMIT_STACK is 8 MiB soft, unlimited hard",
        ),
    };
    tap.eq(
        prlimit64(0, RLIMIT_STACK, None),
        stack,
        "prlimit64 reports the same",
    );

    // Growth on demand, within the limit.
    tap.eq(
        in_child(|| touch_below(1 << 20)),
        Ok(0),
        "a write 1 MiB below sp grows the stack",
    );
    let deep = in_child(|| (recurse((6 << 20) / FRAME) > 0) as i32 - 1);
    tap.eq(
        deep,
        Ok(0),
        "6 MiB of recursion grows the stack page by page",
    );
    let past = in_child(|| (recurse((10 << 20) / FRAME) > 0) as i32 - 1);
    tap.eq(past, Err(SIGSEGV), "recursion past 8 MiB is SIGSEGV");

    // The soft limit is what counts (setrlimit of the stack is ignored by qemu-user).
    if linnet {
        let big = in_child(|| {
            let r = Rlimit {
                cur: 16 << 20,
                max: RLIM_INFINITY,
            };
            let _ = setrlimit(RLIMIT_STACK, &r);
            (recurse((12 << 20) / FRAME) > 0) as i32 - 1
        });
        tap.eq(
            big,
            Ok(0),
            "with RLIMIT_STACK raised to 16 MiB, 12 MiB of recursion works",
        );
        let small = in_child(|| {
            let r = Rlimit {
                cur: 1 << 20,
                max: RLIM_INFINITY,
            };
            let _ = setrlimit(RLIMIT_STACK, &r);
            touch_below(2 << 20)
        });
        tap.eq(
            small,
            Err(SIGSEGV),
            "with RLIMIT_STACK lowered to 1 MiB, 2 MiB below sp is SIGSEGV",
        );
        tap.eq(
            in_child(guard_gap),
            Ok(0),
            "the stack never grows within 1 MiB of a mapping below it",
        );
    } else {
        tap.skip(
            "with RLIMIT_STACK raised to 16 MiB, 12 MiB of recursion works",
            "not Linnet",
        );
        tap.skip(
            "with RLIMIT_STACK lowered to 1 MiB, 2 MiB below sp is SIGSEGV",
            "not Linnet",
        );
        tap.skip(
            "the stack never grows within 1 MiB of a mapping below it",
            "not Linnet",
        );
    }

    // The other limits, and the calls' errors.
    let nofile = getrlimit(RLIMIT_NOFILE);
    match linnet {
        true => tap.eq(
            nofile,
            Ok(Rlimit {
                cur: 1024,
                max: 4096,
            }),
            "RLIMIT_NOFILE is 1024 soft, 4096 hard",
        ),
        false => tap.ok(
            matches!(nofile, Ok(r) if r.cur <= r.max),
            "RLIMIT_NOFILE is 1024 soft, 4096 hard",
        ),
    };
    let max = nofile.map_or(0, |r| r.max);
    let r = setrlimit(RLIMIT_NOFILE, &Rlimit { cur: 512, max });
    tap.eq(
        (r, getrlimit(RLIMIT_NOFILE)),
        (Ok(0), Ok(Rlimit { cur: 512, max })),
        "setrlimit(RLIMIT_NOFILE) then getrlimit reads it back",
    );
    let old = prlimit64(0, RLIMIT_NOFILE, Some(&Rlimit { cur: 256, max }));
    tap.eq(
        (old, getrlimit(RLIMIT_NOFILE).map(|r| r.cur)),
        (Ok(Rlimit { cur: 512, max }), Ok(256)),
        "prlimit64 sets a limit and returns the one before",
    );
    let errs = (
        setrlimit(RLIMIT_NOFILE, &Rlimit { cur: 2, max: 1 }),
        getrlimit(99).map(|_| 0),
    );
    tap.eq(
        errs,
        (Err(Errno::EINVAL), Err(Errno::EINVAL)),
        "soft above hard, or no such resource: EINVAL",
    );
    tap.done()
}

/// Map a page 2 MiB below the stack's VMA; then the stack may grow to 1 MiB above that
/// page (the guard gap) but not closer. 0 if so.
fn guard_gap() -> i32 {
    let Some(start) = stack_vma_start() else {
        return 2;
    };
    let below = start - (2 << 20);
    // SAFETY: a fresh page where nothing is mapped (MAP_FIXED_NOREPLACE).
    let m = unsafe {
        mmap(
            below,
            PAGE_SIZE,
            PROT_READ,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    };
    if m != Ok(below) {
        return 3;
    }
    // Just outside the gap: fine. Inside it: SIGSEGV.
    let outside = below + PAGE_SIZE + (1 << 20);
    if in_child(|| touch_at(outside)) != Ok(0) {
        return 4;
    }
    match in_child(|| touch_at(outside - PAGE_SIZE)) {
        Err(SIGSEGV) => 0,
        _ => 5,
    }
}

/// The start of the `[stack]` line of /proc/self/maps.
fn stack_vma_start() -> Option<usize> {
    let fd = ulib::openat(ulib::io::AT_FDCWD, c"/proc/self/maps", 0, 0).ok()? as i32;
    let mut buf = [0u8; 4096];
    let mut len = 0;
    while let Ok(n @ 1..) = ulib::read(fd, &mut buf[len..]) {
        len += n;
    }
    let _ = ulib::close(fd);
    let text = core::str::from_utf8(&buf[..len]).ok()?;
    let line = text.lines().find(|l| l.ends_with("[stack]"))?;
    usize::from_str_radix(line.split('-').next()?, 16).ok()
}
