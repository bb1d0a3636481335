//! bench: the /init of `make bench` (qemu/bench.py boots it on Linnet and on Debian's
//! Linux with the same initramfs). It reads the counter at its first line (boot to the
//! first user instruction), runs every benchmark, prints one `RESULT name value unit`
//! line each, and powers the machine off with reboot(LINUX_REBOOT_CMD_POWER_OFF).
//!
//! The numbers are means over a loop, timed with CNTVCT_EL0 (benchlib). The rows and what
//! they time are listed in docs/performance.md. The programs it execs are /bench/tiny and
//! /bench/big (this crate's other binaries).

#![no_std]
#![no_main]

use benchlib::{freq, per_call, result, ticks, ticks_to_ns};
use ulib::mm::{brk, mmap, munmap, MAP_ANONYMOUS, MAP_PRIVATE, PAGE_SIZE, PROT_READ, PROT_WRITE};
use ulib::process::{execve, exit_group, fork, reap};
use ulib::time::{Timespec, CLOCK_MONOTONIC};
use ulib::vdso::Vdso;
use ulib::{getpid, println, read, sched_yield, write};

const MIB: usize = 1 << 20;

/// A private anonymous read-write mapping of `len` bytes; exits if mmap fails.
fn map(len: usize) -> usize {
    // SAFETY: no MAP_FIXED: the kernel picks a free range; nothing else refers to it.
    match unsafe {
        mmap(
            0,
            len,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    } {
        Ok(a) => a,
        Err(e) => {
            println!("bench: mmap {} bytes failed: {:?}", len, e);
            exit_group(1)
        }
    }
}

/// Write one byte in each page of `[addr, addr + len)`: one anonymous fault each when new.
fn touch(addr: usize, len: usize) {
    for off in (0..len).step_by(PAGE_SIZE) {
        // SAFETY: the range is a mapping of ours, read-write.
        unsafe { core::ptr::write_volatile((addr + off) as *mut u8, 1) };
    }
}

/// Unmap what `map` returned.
fn unmap(addr: usize, len: usize) {
    // SAFETY: the range is ours and nothing refers to it any more.
    unsafe { munmap(addr, len) }.expect("munmap");
}

/// fork, the child execs `path` (NUL-terminated), the parent waits.
fn fork_exec_wait(path: &[u8]) {
    match fork() {
        Ok(0) => {
            let argv = [path.as_ptr(), core::ptr::null()];
            let envp = [core::ptr::null()];
            // SAFETY: path is NUL-terminated; argv and envp are NULL-terminated arrays.
            let _ = unsafe { execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
            exit_group(127)
        }
        Ok(pid) => {
            if reap(pid) != Some(0) {
                println!(
                    "bench: {} did not exit 0",
                    core::str::from_utf8(path).unwrap_or("?")
                );
            }
        }
        Err(e) => println!("bench: fork failed: {:?}", e),
    }
}

/// Anonymous faults: map 64 MiB, touch every page (16384 faults), unmap; twice. The
/// second pass faults in a fresh mapping again, with the frames the first pass freed.
fn faults() {
    let len = 64 * MIB;
    let pages = (len / PAGE_SIZE) as u64;
    let mut unmap_ns = 0;
    for name in ["fault_64m_first", "fault_64m_second"] {
        let a = map(len);
        let t0 = ticks();
        touch(a, len);
        let t1 = ticks();
        unmap(a, len);
        let t2 = ticks();
        result(name, ticks_to_ns(t1 - t0), pages, "ns");
        unmap_ns += ticks_to_ns(t2 - t1);
    }
    result("munmap_64m", unmap_ns, 2, "us");
}

/// The break grows by one page at a time, `n` times (then shrinks back), with or without
/// a write to each new page.
fn brk_rows(n: usize) {
    // SAFETY: brk(0) only reports the break.
    let base = unsafe { brk(0) };
    for (name, write_it) in [("brk_grow_4k", false), ("brk_touch_4k", true)] {
        let t0 = ticks();
        for i in 1..=n {
            let want = base + i * PAGE_SIZE;
            // SAFETY: the heap above `base` is used by nothing but this loop.
            if unsafe { brk(want) } != want {
                println!("bench: brk failed");
                return;
            }
            if write_it {
                // SAFETY: the page below the new break is ours.
                unsafe { core::ptr::write_volatile((want - PAGE_SIZE) as *mut u8, 1) };
            }
        }
        let t1 = ticks();
        // SAFETY: as above: give the pages back.
        unsafe { brk(base) };
        result(name, ticks_to_ns(t1 - t0), n as u64, "ns");
    }
}

/// One byte each way between two processes through two pipes, `n` round trips.
fn pipe_pingpong(n: u64) {
    let (to_child, to_parent) = match (ulib::fs::pipe2(0), ulib::fs::pipe2(0)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return println!("bench: pipe2 failed"),
    };
    let mut b = [0u8; 1];
    let pid = ulib::process::spawn(|| {
        for _ in 0..n {
            if read(to_child[0], &mut b) != Ok(1) || write(to_parent[1], &b) != Ok(1) {
                return 1;
            }
        }
        0
    });
    let t0 = ticks();
    for _ in 0..n {
        if write(to_child[1], &b) != Ok(1) || read(to_parent[0], &mut b) != Ok(1) {
            println!("bench: pipe ping-pong failed");
            break;
        }
    }
    let t1 = ticks();
    reap(pid);
    for fd in to_child.iter().chain(to_parent.iter()) {
        let _ = ulib::close(*fd);
    }
    result("pipe_pingpong", ticks_to_ns(t1 - t0), n, "us");
}

/// Two processes each call sched_yield `n` times: each call switches to the other.
fn yield_switch(n: u64) {
    let pid = ulib::process::spawn(|| {
        for _ in 0..n {
            let _ = sched_yield();
        }
        0
    });
    let t0 = ticks();
    for _ in 0..n {
        let _ = sched_yield();
    }
    reap(pid);
    result("sched_yield_switch", ticks_to_ns(ticks() - t0), 2 * n, "ns");
}

/// clock_gettime(CLOCK_MONOTONIC) through the vDSO (when the kernel gives one) and as a
/// syscall.
fn clock_rows(n: u64) {
    type ClockFn = unsafe extern "C" fn(i32, *mut Timespec) -> i64;
    let mut ts = Timespec::default();
    if let Some(f) = Vdso::from_auxv().and_then(|v| v.sym("__kernel_clock_gettime", "LINUX_2.6.39"))
    {
        // SAFETY: the vDSO's clock_gettime has this C signature.
        let f = unsafe { core::mem::transmute::<usize, ClockFn>(f) };
        per_call("clock_gettime_vdso", n, "ns", || {
            // SAFETY: ts is a timespec we own.
            unsafe { f(CLOCK_MONOTONIC, &mut ts) };
        });
    } else {
        println!("bench: no vDSO clock_gettime");
    }
    per_call("clock_gettime_syscall", n, "ns", || {
        let _ = ulib::clock_gettime(CLOCK_MONOTONIC);
    });
}

/// A child maps 256 MiB, touches every page and exits; the parent times it to wait4.
fn touch_256m() {
    let t0 = ticks();
    let pid = ulib::process::spawn(|| {
        let len = 256 * MIB;
        touch(map(len), len);
        0
    });
    if reap(pid) != Some(0) {
        println!("bench: the 256 MiB child failed");
    }
    result("map_touch_256m", ticks_to_ns(ticks() - t0), 1, "ms");
}

#[no_mangle]
fn main() -> i32 {
    // First: the counter at the first user instruction (near enough: _start's few dozen
    // instructions come before). QEMU's virtual counter starts at 0 at machine reset and
    // neither kernel sets CNTVOFF (both run at EL1), so this is the time since reset.
    let boot = ticks();
    result("boot_to_init", ticks_to_ns(boot), 1, "ms");
    let u = ulib::uname();
    if let Ok(u) = &u {
        println!("KERNEL {} {} {}", u.sysname(), u.release(), u.version());
    }
    println!("INFO cntfrq {} Hz", freq());

    per_call("getpid", 20_000, "ns", || {
        let _ = getpid();
    });
    clock_rows(20_000);
    per_call("fork_exit_wait", 200, "us", || {
        let pid = ulib::process::spawn(|| 0);
        reap(pid);
    });
    per_call("fork_exec_wait", 100, "us", || {
        fork_exec_wait(b"/bench/tiny\0")
    });
    per_call("fork_exec_1m", 50, "us", || fork_exec_wait(b"/bench/big\0"));
    faults();
    brk_rows(2048);
    per_call("mmap_munmap_4k", 5_000, "ns", || {
        unmap(map(PAGE_SIZE), PAGE_SIZE)
    });
    pipe_pingpong(2_000);
    yield_switch(5_000);
    touch_256m();
    println!("BENCH done");
    let _ = ulib::info::reboot(ulib::info::REBOOT_POWER_OFF);
    0
}
