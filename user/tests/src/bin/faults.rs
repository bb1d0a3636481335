//! faults: each kind of bad instruction or access ends the process with its signal.
//!
//! A NULL write and a write to the program's own text segment give SIGSEGV (11);
//! jumping into a data page gives SIGSEGV too (it is not executable); a jump to a
//! misaligned address gives SIGBUS (7); an undefined instruction SIGILL (4); a `brk`
//! breakpoint SIGTRAP (5). A fault signal cannot be escaped: a child that set SIGSEGV
//! to SIG_IGN, or blocked it, still dies of it. On Linnet: `do_mem_abort` and
//! `user_fault` (kernel/src/mm/fault.rs, arch/aarch64/trap.rs) call `force_sig_fault`
//! (kernel/src/task/signal.rs); the address is logged at debug level (`loglevel=8`).
//! Syscalls used: clone (as fork), wait4, rt_sigaction, rt_sigprocmask, exit_group.

#![no_std]
#![no_main]

use core::arch::asm;
use ulib::process::StatusText;
use ulib::signal::{rt_sigaction, rt_sigprocmask, sigmask, KSigaction, SIG_BLOCK, SIG_IGN};
use ulib::{Errno, Tap};

const SIGILL: i32 = ulib::uapi::signal::SIGILL;
const SIGTRAP: i32 = ulib::uapi::signal::SIGTRAP;
const SIGBUS: i32 = ulib::uapi::signal::SIGBUS;
const SIGSEGV: i32 = ulib::uapi::signal::SIGSEGV;

/// A data page: readable and writable, never executable.
static mut DATA: [u32; 1024] = [0xd503_201f; 1024]; // `nop`s, were it executable

// The faults are in assembly so the compiler cannot optimize them away as undefined
// behaviour: the CPU really performs each one.

fn write_null() {
    // SAFETY: deliberately faults; the kernel must turn it into SIGSEGV.
    unsafe { asm!("str {v}, [{a}]", a = in(reg) 0usize, v = in(reg) 1usize, options(nostack)) };
}

fn write_text() {
    let text = write_text as *const () as usize;
    // SAFETY: deliberately faults: the text segment is mapped read+execute only.
    unsafe { asm!("str {v}, [{a}]", a = in(reg) text, v = in(reg) 0usize, options(nostack)) };
}

fn jump_to_data() {
    let data = core::ptr::addr_of!(DATA) as usize;
    // SAFETY: deliberately faults: the data segment is not executable.
    unsafe { asm!("blr {a}", a = in(reg) data, clobber_abi("C"), options(nostack)) };
}

fn jump_misaligned() {
    let target = jump_misaligned as *const () as usize + 2;
    // SAFETY: deliberately faults: a PC alignment fault.
    unsafe { asm!("blr {a}", a = in(reg) target, clobber_abi("C"), options(nostack)) };
}

fn undefined() {
    // SAFETY: deliberately faults: a permanently undefined instruction.
    unsafe { asm!("udf #0", options(nostack)) };
}

fn breakpoint() {
    // SAFETY: deliberately traps.
    unsafe { asm!("brk #0x7", options(nostack)) };
}

fn ignore_segv_then_null() {
    let act = KSigaction {
        handler: SIG_IGN,
        ..Default::default()
    };
    // SAFETY: SIG_IGN, no handler.
    if unsafe { rt_sigaction(SIGSEGV, Some(&act), None) }.is_err() {
        ulib::exit_group(2);
    }
    write_null();
}

fn block_segv_then_null() {
    if rt_sigprocmask(SIG_BLOCK, Some(&sigmask(SIGSEGV)), None).is_err() {
        ulib::exit_group(2);
    }
    write_null();
}

const CASES: [(fn(), i32, &str); 8] = [
    (write_null, SIGSEGV, "a write to NULL"),
    (write_text, SIGSEGV, "a write to the text segment"),
    (jump_to_data, SIGSEGV, "a jump into a data page"),
    (jump_misaligned, SIGBUS, "a jump to a misaligned address"),
    (undefined, SIGILL, "an undefined instruction (udf)"),
    (breakpoint, SIGTRAP, "a brk instruction"),
    (
        ignore_segv_then_null,
        SIGSEGV,
        "a NULL write with SIGSEGV set to SIG_IGN",
    ),
    (
        block_segv_then_null,
        SIGSEGV,
        "a NULL write with SIGSEGV blocked",
    ),
];

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(CASES.len() as u32 + 1);
    for (fault, sig, what) in CASES {
        let result = match ulib::fork() {
            Ok(0) => {
                fault();
                ulib::exit_group(0) // it did not fault: the status says "exited 0"
            }
            Ok(pid) => {
                let mut status = 0;
                ulib::wait4(pid, Some(&mut status), 0).map(|_| status)
            }
            Err(e) => Err(e),
        };
        let ok = matches!(result, Ok(s) if ulib::wifsignaled(s) && ulib::wtermsig(s) == sig);
        tap.ok(
            ok,
            format_args!("{} kills the child: WTERMSIG {}", what, sig),
        );
        match result {
            Ok(s) if !ok => tap.diag(format_args!("  child {}", StatusText(s))),
            Err(e) => tap.diag(format_args!("  fork/wait4 failed: {:?}", e)),
            _ => {}
        }
    }
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "every child was reaped",
    );
    tap.done()
}
