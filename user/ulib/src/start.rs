//! Process entry: `_start`, the Linux initial stack, and `main`.
//!
//! When `execve` (Linnet: `setup_arg_pages` and `create_elf_tables` in
//! `kernel/src/exec/stack.rs`) starts a program, sp points at this, lowest address first:
//!
//! ```text
//! sp ->  argc
//!        argv[0] .. argv[argc-1], NULL
//!        envp[0] .. envp[n-1],    NULL
//!        auxv: (type, value) pairs, ending with (AT_NULL = 0, _)
//!        ... the strings themselves, higher up
//! ```
//!
//! `_start` hands that sp to `ulib_start`, which records where the three arrays are, calls
//! the program's `main` and passes its return value to `exit_group`, as C's `exit` would.
//! `args`, `env` and `auxv` read the recorded arrays later.

use core::arch::global_asm;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

// The entry point. Linux leaves all registers but sp zero at exec, yet clearing x29/x30 is
// what ends the frame-pointer chain for a backtrace, so do it explicitly (the CFI line
// says the same to gdb). The ABI promises a 16-byte aligned sp here. A static-PIE
// program first applies its own relocations (`reloc.rs`); `_DYNAMIC` is weak, so in an
// ordinary static program it is 0 and that call returns at once.
global_asm!(
    ".section .text._start, \"ax\", %progbits",
    ".globl _start",
    ".type _start, %function",
    ".weak _DYNAMIC",
    ".hidden _DYNAMIC",
    "_start:",
    "    .cfi_startproc",
    "    .cfi_undefined x30", // no caller: gdb's backtrace ends here
    "    mov x29, xzr",
    "    mov x30, xzr",
    "    mov x19, sp", // callee-saved: the initial stack, across the next call
    "    mov x0, sp",
    "    adrp x1, _DYNAMIC",
    "    add x1, x1, :lo12:_DYNAMIC",
    "    bl _dl_relocate_static_pie",
    "    mov x0, x19",
    "    bl ulib_start",
    "    brk #0x1", // ulib_start never returns
    "    .cfi_endproc",
    ".size _start, . - _start",
);

extern "Rust" {
    /// The program's `#[no_mangle] fn main() -> i32`; its result is the exit status.
    fn main() -> i32;
}

// Written once by ulib_start before main runs; only read afterwards.
static ARGC: AtomicUsize = AtomicUsize::new(0);
static ARGV: AtomicUsize = AtomicUsize::new(0);
static ENVP: AtomicUsize = AtomicUsize::new(0);
static AUXV: AtomicUsize = AtomicUsize::new(0);

pub use uapi::auxvec::{AT_ENTRY, AT_EXECFN, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHNUM, AT_RANDOM};

/// Called by `_start` with the initial sp; never returns.
#[no_mangle]
unsafe extern "C" fn ulib_start(sp: *const usize) -> ! {
    // SAFETY: sp is the initial stack the kernel built, laid out as the module docs show;
    // each array ends with a NULL, so every read below stays inside it.
    unsafe {
        let argc = *sp;
        let argv = sp.add(1);
        let envp = argv.add(argc + 1);
        let mut p = envp;
        while *p != 0 {
            p = p.add(1);
        }
        ARGC.store(argc, Relaxed);
        ARGV.store(argv as usize, Relaxed);
        ENVP.store(envp as usize, Relaxed);
        AUXV.store(p.add(1) as usize, Relaxed);
        crate::exit_group(main())
    }
}

/// The bytes of the NUL-terminated string at `p`, without the NUL.
///
/// # Safety
/// `p` must point to a NUL-terminated string that lives for the rest of the program.
unsafe fn c_bytes(p: *const u8) -> &'static [u8] {
    let mut len = 0;
    // SAFETY: the caller promises a NUL before the end of the string's memory.
    unsafe {
        while *p.add(len) != 0 {
            len += 1;
        }
        core::slice::from_raw_parts(p, len)
    }
}

/// The strings of a NULL-terminated array of `char *` (argv or envp).
fn strings(array: usize) -> impl Iterator<Item = &'static [u8]> {
    let array = array as *const *const u8;
    let len = if array.is_null() { 0 } else { usize::MAX }; // 0: not recorded, no strings
    (0..len)
        .map(move |i| {
            // SAFETY: the array ends with NULL (the initial stack's layout), and
            // take_while below stops there, so no read goes past it.
            unsafe { *array.add(i) }
        })
        .take_while(|p| !p.is_null())
        .map(|p| {
            // SAFETY: argv and envp strings are NUL-terminated and live as long as the
            // process.
            unsafe { c_bytes(p) }
        })
}

/// The program's arguments, argv[0] first (`argc` of them).
pub fn args() -> impl Iterator<Item = &'static [u8]> {
    strings(ARGV.load(Relaxed)).take(ARGC.load(Relaxed))
}

/// The number of arguments, argc.
pub fn argc() -> usize {
    ARGC.load(Relaxed)
}

/// The environment, as `NAME=value` strings.
pub fn env() -> impl Iterator<Item = &'static [u8]> {
    strings(ENVP.load(Relaxed))
}

/// The value of auxiliary-vector entry `ty` (e.g. [`AT_PAGESZ`]), if the kernel gave one.
pub fn auxv(ty: u64) -> Option<u64> {
    let mut p = AUXV.load(Relaxed) as *const u64;
    if p.is_null() {
        return None;
    }
    loop {
        // SAFETY: the vector is a run of (type, value) pairs ending with AT_NULL, and the
        // loop stops there.
        let (t, v) = unsafe { (*p, *p.add(1)) };
        if t == AT_NULL {
            return None;
        }
        if t == ty {
            return Some(v);
        }
        // SAFETY: this pair was not the last one.
        p = unsafe { p.add(2) };
    }
}

/// Where the initial stack's pieces sit, for programs that show them (`exec_stack`):
/// the stack pointer `_start` received (it points at argc) and the three arrays.
#[derive(Clone, Copy, Debug)]
pub struct InitialStack {
    /// sp at entry: the address of argc.
    pub sp: usize,
    /// Address of argv[0] (sp + 8).
    pub argv: usize,
    /// Address of envp[0] (just past argv's NULL).
    pub envp: usize,
    /// Address of the first auxv pair (just past envp's NULL).
    pub auxv: usize,
}

/// The addresses recorded by `_start` (all 0 if it did not run, as in a unit test).
pub fn initial_stack() -> InitialStack {
    let argv = ARGV.load(Relaxed);
    InitialStack {
        sp: argv.saturating_sub(8),
        argv,
        envp: ENVP.load(Relaxed),
        auxv: AUXV.load(Relaxed),
    }
}

/// Every auxiliary-vector pair `(type, value)`, in order, up to (not including) AT_NULL.
pub fn auxv_entries() -> impl Iterator<Item = (u64, u64)> {
    let p = AUXV.load(Relaxed) as *const u64;
    let len = if p.is_null() { 0 } else { usize::MAX };
    (0..len)
        .map(move |i| {
            // SAFETY: the vector is (type, value) pairs ending with AT_NULL, and take_while
            // stops there, so no read goes past it.
            unsafe { (*p.add(2 * i), *p.add(2 * i + 1)) }
        })
        .take_while(|&(t, _)| t != AT_NULL)
}
