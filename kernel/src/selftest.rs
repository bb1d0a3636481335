//! In-kernel self-tests, chosen with the `test=NAME` bootarg (Linnet's own; the QEMU test
//! runner in `qemu/runtests.py` boots once per test). Each prints TAP lines and ends the
//! run: a pass powers off with status 0, a fault ends in the exception report and a panic
//! (status 1), which is what the runner expects for `fault` and `stack_overflow`.

use crate::arch::cpu;
use crate::drivers::{psci, timer};
use crate::mm::{kmap, layout, page_alloc};
use crate::println;
use core::sync::atomic::Ordering;

/// An address in the vmalloc area that nothing maps.
pub const UNMAPPED_KERNEL_ADDR: usize = 0xffff_7fff_dead_0000;

/// Run test `name`; unknown names are reported, not ignored.
pub fn run(name: &str) -> ! {
    match name {
        "ticks" => ticks(),
        "fault" => fault(),
        "stack_overflow" => stack_overflow(),
        "vmap_stack_overflow" => vmap_stack_overflow(),
        "kstack" => kstack(),
        _ => {
            println!("selftest: unknown test '{}'", name);
            println!("selftest: known: ticks fault stack_overflow vmap_stack_overflow kstack");
            psci::system_off(1)
        }
    }
}

fn finish(ok: bool) -> ! {
    psci::system_off(if ok { 0 } else { 1 })
}

/// The timer interrupt arrives and jiffies advance at about HZ per second.
fn ticks() -> ! {
    let hz = timer::hz() as u64;
    let start = timer::JIFFIES.load(Ordering::Relaxed);
    let t0 = timer::uptime_ns();
    let want = (hz / 5).max(2); // about 200 ms of ticks
    while timer::JIFFIES.load(Ordering::Relaxed) < start + want {
        if timer::uptime_ns() - t0 > 5_000_000_000 {
            break;
        }
        cpu::wait_for_interrupt();
    }
    let ticks = timer::JIFFIES.load(Ordering::Relaxed) - start;
    let ms = (timer::uptime_ns() - t0) / 1_000_000;
    let ok = ticks >= want;
    println!(
        "{} 1 - timer ticks advance: {} ticks in {} ms at HZ={}",
        if ok { "ok" } else { "not ok" },
        ticks,
        ms,
        hz
    );
    // Each tick is 1000/HZ ms; allow generous slack for a loaded host.
    let expect_ms = ticks * 1000 / hz;
    let ok2 = ok && ms >= expect_ms / 2 && ms <= expect_ms * 4 + 100;
    println!(
        "{} 2 - tick rate matches HZ (expected about {} ms)",
        if ok2 { "ok" } else { "not ok" },
        expect_ms
    );
    finish(ok && ok2)
}

/// A read of an unmapped kernel address: the report must name the data abort and FAR.
fn fault() -> ! {
    println!(
        "selftest: reading unmapped kernel address 0x{:016x}",
        UNMAPPED_KERNEL_ADDR
    );
    // SAFETY: not safe at all, on purpose: this read faults and the kernel stops with a
    // report. It exists to show what that report looks like.
    let v = unsafe { (UNMAPPED_KERNEL_ADDR as *const u64).read_volatile() };
    println!("not ok 1 - the read returned 0x{:x} instead of faulting", v);
    finish(false)
}

#[inline(never)]
fn recurse(depth: usize) -> usize {
    let buf = core::hint::black_box([depth as u8; 256]);
    if depth == usize::MAX {
        return 0;
    }
    recurse(depth + 1) + buf[depth % 256] as usize
}

/// Unbounded recursion on the boot stack must stop in its guard page with a report.
fn stack_overflow() -> ! {
    println!(
        "selftest: unbounded recursion on the boot stack (sp 0x{:016x})",
        cpu::current_sp()
    );
    let n = recurse(0);
    println!("not ok 1 - recursion returned {}", n);
    finish(false)
}

extern "C" fn recurse_entry(_: usize) {
    let n = recurse(0);
    println!("not ok 1 - recursion returned {}", n);
}

/// The same on a vmap-allocated kernel stack, the kind every task will get.
fn vmap_stack_overflow() -> ! {
    let Some(stack) = kmap::alloc_kernel_stack() else {
        println!("not ok 1 - no kernel stack");
        finish(false)
    };
    println!(
        "selftest: unbounded recursion on a kernel stack [0x{:016x}..0x{:016x})",
        stack.base(),
        stack.top()
    );
    // SAFETY: the stack was just allocated and mapped, and nothing else uses it.
    unsafe { cpu::run_on_stack(0, recurse_entry, stack.top()) };
    finish(false)
}

extern "C" fn touch_stack(depth: usize) {
    let v = recurse_bounded(depth);
    core::hint::black_box(v);
}

#[inline(never)]
fn recurse_bounded(depth: usize) -> usize {
    let buf = core::hint::black_box([depth as u8; 256]);
    if depth == 0 {
        return buf[0] as usize;
    }
    recurse_bounded(depth - 1) + buf[1] as usize
}

/// Kernel stacks come and go without leaking frames, and are usable to near their size.
fn kstack() -> ! {
    let before = page_alloc::nr_free_pages();
    let mut ok = true;
    for _ in 0..100 {
        let Some(stack) = kmap::alloc_kernel_stack() else {
            ok = false;
            break;
        };
        // About 40 frames of ~300 bytes: most of the 16 KiB, short of the guard.
        // SAFETY: the stack is freshly mapped and unused.
        unsafe { cpu::run_on_stack(40, touch_stack, stack.top()) };
        kmap::free_kernel_stack(stack);
    }
    let after = page_alloc::nr_free_pages();
    println!(
        "{} 1 - 100 kernel stacks of {} KiB used and freed",
        if ok { "ok" } else { "not ok" },
        layout::THREAD_SIZE >> 10
    );
    let ok2 = before == after;
    println!(
        "{} 2 - free frames before {} == after {}",
        if ok2 { "ok" } else { "not ok" },
        before,
        after
    );
    finish(ok && ok2)
}
