//! basics: the simplest syscalls, the initial stack, and error returns.
//!
//! Checks that ids, uname, sched_yield, the monotonic clock and nanosleep behave as on
//! Linux, and that bad arguments give the right errno instead of a crash: a bad
//! timespec is EINVAL, a kernel or NULL buffer is EFAULT (the kernel's `uaccess` must
//! catch it), an unknown syscall number is ENOSYS.
//! Syscalls used: getpid, getppid, gettid, sched_yield, uname, clock_gettime,
//! nanosleep, write, set_tid_address, 999 and 0x7fff00xx (unknown), exit_group.

#![no_std]
#![no_main]

use ulib::start::{argc, AT_PAGESZ};
use ulib::syscall::{nr, syscall0, syscall3};
use ulib::time::CLOCK_MONOTONIC;
use ulib::{errno::check, Errno, Tap, Timespec};

/// The kernel image's address on Linnet (KIMAGE_VADDR); on Linux just as out of reach.
const KERNEL_ADDR: usize = 0xffff_0000_0800_0000;

/// write(2) with an arbitrary pointer, to see the kernel refuse it.
fn write_raw(fd: i32, addr: usize, len: usize) -> Result<usize, Errno> {
    // SAFETY: write only reads from addr; a bad addr must give EFAULT, not a fault.
    check(unsafe { syscall3(nr::__NR_write, fd as usize, addr, len) })
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(16);
    let pid = ulib::getpid();
    // Test names stay the same from run to run (values that vary, like pids, only
    // appear in a diagnostic on failure), so outputs can be compared with Linux's.
    if !tap.ok(pid > 0, "getpid is positive") {
        tap.diag(format_args!("  getpid returned {}", pid));
    }
    let ppid = ulib::getppid();
    if !tap.ok(ppid >= 0 && ppid != pid, "getppid is not getpid") {
        tap.diag(format_args!("  getppid {}, getpid {}", ppid, pid));
    }
    tap.eq(
        ulib::gettid(),
        pid,
        "gettid == getpid in a single-threaded process",
    );
    tap.eq(ulib::sched_yield(), Ok(0), "sched_yield returns 0");

    let u = ulib::uname();
    let (sysname, machine) = u
        .as_ref()
        .map_or(("?", "?"), |u| (u.sysname(), u.machine()));
    tap.eq(sysname, "Linux", "uname sysname is Linux");
    tap.eq(machine, "aarch64", "uname machine is aarch64");

    // The initial stack: argc counts argv, and the auxv carries the page size.
    tap.eq(
        ulib::args().count(),
        argc(),
        "argc matches the NULL-terminated argv",
    );
    tap.eq(ulib::auxv(AT_PAGESZ), Some(4096), "auxv AT_PAGESZ is 4096");

    let before = ulib::clock_gettime(CLOCK_MONOTONIC);
    let slept = ulib::nanosleep(&Timespec::from_ms(20), None);
    let after = ulib::clock_gettime(CLOCK_MONOTONIC);
    let ns = match (before, after) {
        (Ok(b), Ok(a)) if slept.is_ok() && a.tv_nsec < 1_000_000_000 => a.as_ns() - b.as_ns(),
        _ => -1,
    };
    let name = "CLOCK_MONOTONIC advances >= 20 ms across nanosleep(20 ms)";
    if !tap.ok(ns >= 20_000_000, name) {
        tap.diag(format_args!("  {} ns (-1: a call failed)", ns));
    }

    let bad = Timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000_000,
    };
    tap.eq(
        ulib::nanosleep(&bad, None),
        Err(Errno::EINVAL),
        "nanosleep with tv_nsec = 1e9 gives EINVAL",
    );

    tap.eq(
        write_raw(1, KERNEL_ADDR, 8),
        Err(Errno::EFAULT),
        "write from a kernel address gives EFAULT",
    );
    // On real Linux this needs fd 1 to be a terminal, pipe or file: /dev/null's write
    // succeeds without reading the buffer. (qemu-user checks the pointer itself.)
    tap.eq(
        write_raw(1, 0, 8),
        Err(Errno::EFAULT),
        "write from NULL gives EFAULT",
    );

    // SAFETY: an unknown syscall number has no effect but its -ENOSYS.
    tap.eq(
        check(unsafe { syscall0(999) }),
        Err(Errno::ENOSYS),
        "unknown syscall 999 gives ENOSYS",
    );
    // Only the low 32 bits of x8 name the syscall (Linux's `invoke_syscall` takes an
    // unsigned int): 0x1_0000_0040 is write (64).
    let msg = b"# write through x8 = 0x1_0000_0040\n";
    // SAFETY: write reads msg, which lives across the call.
    let r = check(unsafe {
        syscall3(
            0x1_0000_0000 | nr::__NR_write,
            1,
            msg.as_ptr() as usize,
            msg.len(),
        )
    });
    tap.eq(
        r,
        Ok(msg.len()),
        "syscall number: only x8's low 32 bits count",
    );
    // Numbers past the table: ENOSYS every time (and the kernel logs them once).
    // SAFETY: an unknown syscall number has no effect but its -ENOSYS.
    let all = (0..200).all(|i| check(unsafe { syscall0(0x7fff_0000 + i) }) == Err(Errno::ENOSYS));
    tap.ok(all, "200 unknown numbers above 511 give ENOSYS");

    // Pointing clear_child_tid at a static is harmless: it is only used at thread exit.
    static CLEAR_TID: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
    // SAFETY: CLEAR_TID lives for the whole program.
    let tid = unsafe { ulib::set_tid_address(CLEAR_TID.as_ptr()) };
    tap.eq(tid, ulib::gettid(), "set_tid_address returns the tid");
    tap.done()
}
