//! Kernel backtraces by walking the frame-pointer chain (Linux
//! `arch/arm64/kernel/stacktrace.c`, `unwind_frame`), with names from kallsyms.
//!
//! The kernel is built with frame pointers (`.cargo/config.toml`), so every function
//! stores `{previous x29, x30}` at the address in x29. The walk checks each frame pointer
//! lies on a kernel stack (16-byte aligned, inside one THREAD_SIZE stack and not in a
//! guard half) before reading it, so a corrupt chain stops the walk instead of faulting.

use crate::mm::layout::{self, THREAD_SIZE};
use core::fmt::{self, Write};

/// An address printed with its symbol, `0xffff...  name+0x24`, when kallsyms knows it.
pub struct Sym(pub u64);

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match crate::kallsyms::lookup(self.0) {
            Some((name, off)) => write!(f, "0x{:016x}  {}+0x{:x}", self.0, name, off),
            None => write!(f, "0x{:016x}", self.0),
        }
    }
}

/// Is `fp` a plausible frame record address on a kernel stack?
fn fp_on_kernel_stack(fp: u64) -> bool {
    let fp = fp as usize;
    layout::is_kernel_addr(fp)
        && fp.is_multiple_of(16)
        // The record (16 bytes) must lie inside the THREAD_SIZE stack holding fp,
        // and not in a guard half (bit THREAD_SHIFT set: see layout::THREAD_ALIGN).
        && (fp & (THREAD_SIZE - 1)) <= THREAD_SIZE - 16
        && fp & THREAD_SIZE == 0
}

/// Print the call trace starting at `pc`, `lr` and frame pointer `fp` (Linux
/// `dump_backtrace`): at most 32 frames.
pub fn dump(w: &mut impl Write, pc: u64, lr: u64, fp: u64) {
    let _ = writeln!(w, "  {}", Sym(pc));
    let _ = writeln!(w, "  {}  (lr)", Sym(lr));
    let mut fp = fp;
    let mut prev = 0u64;
    // Deep recursion (a stack overflow) repeats one return address many times: print it
    // once with a count.
    let (mut last, mut repeats) = (0u64, 0usize);
    let flush = |w: &mut dyn Write, last: u64, repeats: usize| {
        if repeats > 0 {
            let _ = writeln!(w, "  ... the line above repeats {} more times", repeats);
        }
        let _ = last;
    };
    for _ in 0..4096 {
        if fp == 0 || !fp_on_kernel_stack(fp) || fp <= prev {
            flush(w, last, repeats);
            return;
        }
        // SAFETY: fp was checked to be a 16-byte aligned address inside a kernel stack;
        // kernel stacks are mapped for as long as they can appear in a frame chain.
        let (next, ret) = unsafe {
            let rec = fp as *const u64;
            (rec.read_volatile(), rec.add(1).read_volatile())
        };
        if ret == 0 {
            break;
        }
        if ret == last {
            repeats += 1;
        } else {
            flush(w, last, repeats);
            let _ = writeln!(w, "  {}", Sym(ret));
            (last, repeats) = (ret, 0);
        }
        prev = fp;
        fp = next;
    }
    flush(w, last, repeats);
}

/// Print the call trace of the code calling this function.
#[inline(never)]
pub fn dump_from_here(w: &mut impl Write) {
    let fp = super::cpu::current_fp();
    // SAFETY: fp is this function's own frame record: {caller's fp, return address}.
    let (caller_fp, ret) = unsafe { ((fp as *const u64).read(), (fp as *const u64).add(1).read()) };
    dump(w, ret, 0, caller_fp);
}
