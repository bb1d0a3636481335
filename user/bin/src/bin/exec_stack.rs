//! exec_stack [ARG...]: what execve left on the new program's stack, and where.
//!
//! `do_execve` copies the strings (filename, envp, argv) to the top of the new stack
//! (`copy_strings`), and `load_elf_binary` -> `create_elf_tables` then writes, below
//! them, argc, the argv and envp pointer arrays (each ending in NULL) and the auxiliary
//! vector: (type, value) pairs that tell the program about itself and the machine
//! (Linux `fs/binfmt_elf.c`; Linnet `kernel/src/exec/stack.rs`). `_start` gets sp
//! pointing at argc. Run it with a few arguments: `exec_stack one two`.

#![no_std]
#![no_main]

extern crate binlib;

use binlib::proc::print_maps_self;
use binlib::text;
use ulib::println;
use ulib::start::{self, initial_stack};

/// The name of auxv type `t` (Linux `include/uapi/linux/auxvec.h`).
fn at_name(t: u64) -> &'static str {
    match t {
        2 => "AT_EXECFD",
        3 => "AT_PHDR      program headers",
        4 => "AT_PHENT     size of one",
        5 => "AT_PHNUM     how many",
        6 => "AT_PAGESZ",
        7 => "AT_BASE      interpreter base",
        8 => "AT_FLAGS",
        9 => "AT_ENTRY     entry point",
        11 => "AT_UID",
        12 => "AT_EUID",
        13 => "AT_GID",
        14 => "AT_EGID",
        15 => "AT_PLATFORM",
        16 => "AT_HWCAP",
        17 => "AT_CLKTCK",
        23 => "AT_SECURE",
        24 => "AT_BASE_PLATFORM",
        25 => "AT_RANDOM    16 random bytes",
        26 => "AT_HWCAP2",
        27 => "AT_RSEQ_FEATURE_SIZE",
        28 => "AT_RSEQ_ALIGN",
        29 => "AT_HWCAP3",
        30 => "AT_HWCAP4",
        31 => "AT_EXECFN    file name",
        33 => "AT_SYSINFO_EHDR  vDSO",
        51 => "AT_MINSIGSTKSZ",
        _ => "?",
    }
}

/// The NUL-terminated string at `addr`.
///
/// # Safety
/// `addr` must point to a NUL-terminated string that stays mapped.
unsafe fn c_str_at(addr: u64) -> &'static [u8] {
    // SAFETY: as the caller promises.
    unsafe { core::ffi::CStr::from_ptr(addr as *const core::ffi::c_char).to_bytes() }
}

#[no_mangle]
fn main() -> i32 {
    let st = initial_stack();
    println!(
        "exec_stack: the initial stack, lowest address first (sp = {:#x})",
        st.sp
    );
    println!("  {:#x}  argc = {}", st.sp, start::argc());
    for (i, a) in ulib::args().enumerate() {
        println!(
            "  {:#x}  argv[{}] = {:#x} -> \"{}\"",
            st.argv + 8 * i,
            i,
            a.as_ptr() as usize,
            text(a)
        );
    }
    println!(
        "  {:#x}  argv[{}] = NULL",
        st.argv + 8 * start::argc(),
        start::argc()
    );
    let mut n = 0;
    for (i, e) in ulib::env().enumerate() {
        println!(
            "  {:#x}  envp[{}] = {:#x} -> \"{}\"",
            st.envp + 8 * i,
            i,
            e.as_ptr() as usize,
            text(e)
        );
        n = i + 1;
    }
    println!("  {:#x}  envp[{}] = NULL", st.envp + 8 * n, n);
    let mut n = 0;
    for (i, (t, v)) in start::auxv_entries().enumerate() {
        let at = st.auxv + 16 * i;
        match t {
            // SAFETY: the kernel put NUL-terminated strings at these addresses.
            15 | 24 | 31 => println!(
                "  {:#x}  auxv {:>2} {:<28} {:#x} -> \"{}\"",
                at,
                t,
                at_name(t),
                v,
                text(unsafe { c_str_at(v) })
            ),
            25 => {
                // SAFETY: AT_RANDOM points at 16 bytes on the stack.
                let r = unsafe { core::slice::from_raw_parts(v as *const u8, 16) };
                println!(
                    "  {:#x}  auxv {:>2} {:<28} {:#x} -> {:02x?}",
                    at,
                    t,
                    at_name(t),
                    v,
                    r
                );
            }
            6 | 4 | 5 | 11..=14 | 17 | 23 | 51 => {
                println!("  {:#x}  auxv {:>2} {:<28} {}", at, t, at_name(t), v)
            }
            _ => println!("  {:#x}  auxv {:>2} {:<28} {:#x}", at, t, at_name(t), v),
        }
        n = i + 1;
    }
    println!(
        "  {:#x}  auxv  0 AT_NULL                      (end)",
        st.auxv + 16 * n
    );
    println!("  ... and above these, up to the top of the stack, the strings themselves.");
    println!("The [stack] VMA holding all this (from /proc/self/maps):");
    print_maps_self(|s, e| (s..e).contains(&st.sp));
    0
}
