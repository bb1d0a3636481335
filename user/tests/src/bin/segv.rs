//! segv: a bad memory access kills only the process that made it, with SIGSEGV.
//!
//! Four children fault on purpose: a NULL read, a write to address 8, a read of a kernel
//! address, and a jump to address 0 (an instruction fetch). Each must die by signal 11,
//! which the parent sees in wait4's status (WIFSIGNALED, WTERMSIG == SIGSEGV). On Linnet
//! this is `do_page_fault` finding no VMA (or a kernel address from EL0) and sending
//! SIGSEGV, whose default action ends the process, instead of a kernel Oops. Then the
//! parent checks it is unharmed.
//! Syscalls used: clone (as fork), wait4, exit_group, getpid, write.

#![no_std]
#![no_main]

use core::arch::asm;
use ulib::process::StatusText;
use ulib::signal::SIGSEGV;
use ulib::{Errno, Tap};

/// The kernel image's address on Linnet (KIMAGE_VADDR); EL0 may not touch it on Linux either.
const KERNEL_ADDR: usize = 0xffff_0000_0800_0000;

// The faults are written in assembly so the compiler cannot treat them as undefined
// behaviour and optimize them away: the CPU really performs each access.

fn read_null() {
    // SAFETY: deliberately faults; the kernel must turn it into SIGSEGV.
    unsafe { asm!("ldr {t}, [{a}]", a = in(reg) 0usize, t = out(reg) _, options(nostack)) };
}

fn write_8() {
    // SAFETY: deliberately faults, as above.
    unsafe {
        asm!("str {v}, [{a}]", a = in(reg) 8usize, v = in(reg) 0x1234usize, options(nostack))
    };
}

fn read_kernel() {
    // SAFETY: deliberately faults, as above: a kernel (TTBR1) address from EL0.
    unsafe { asm!("ldr {t}, [{a}]", a = in(reg) KERNEL_ADDR, t = out(reg) _, options(nostack)) };
}

fn jump_0() {
    // SAFETY: deliberately faults, as above: an instruction fetch from page 0.
    unsafe { asm!("br {a}", a = in(reg) 0usize, options(noreturn)) };
}

const CASES: [(fn(), &str); 4] = [
    (read_null, "a NULL read"),
    (write_8, "a write to address 8"),
    (read_kernel, "a read of kernel address 0xffff000008000000"),
    (jump_0, "a jump to address 0"),
];

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(6);
    let me = ulib::getpid();
    let canary = core::hint::black_box(0x600d_f00d_u64);
    for (fault, what) in CASES {
        let result = match ulib::fork() {
            Ok(0) => {
                fault();
                ulib::exit_group(0) // the access did not fault: the status will say "exited 0"
            }
            Ok(pid) => {
                let mut status = 0;
                ulib::wait4(pid, Some(&mut status), 0).map(|_| status)
            }
            Err(e) => Err(e),
        };
        let killed =
            matches!(result, Ok(s) if ulib::wifsignaled(s) && ulib::wtermsig(s) == SIGSEGV);
        tap.ok(
            killed,
            format_args!("{} kills the child with SIGSEGV", what),
        );
        match result {
            Ok(s) if !killed => tap.diag(format_args!("  child {}", StatusText(s))),
            Err(e) => tap.diag(format_args!("  fork/wait4 failed: {:?}", e)),
            _ => {}
        }
    }
    tap.ok(
        ulib::getpid() == me && core::hint::black_box(canary) == 0x600d_f00d,
        "the parent is unharmed: same pid, its stack intact",
    );
    // Assumes the program started with no children of its own, as after a plain exec (a
    // shell's `2> >(cmd)` would make cmd our child, and this wait would block on it).
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "all four children were reaped",
    );
    tap.done()
}
