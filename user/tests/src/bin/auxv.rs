//! auxv: the Linux initial stack and auxiliary vector agree with the program itself.
//!
//! The kernel (`create_elf_tables` in `kernel/src/exec/binfmt_elf.rs`) builds argc, argv,
//! envp and the auxv below the strings; the values must match what the ELF file says.
//! The program reads its own file (AT_EXECFN names it) and compares: AT_PHDR points at
//! the real program header table in memory (the file's bytes, AT_PHNUM entries of
//! AT_PHENT bytes, the PT_PHDR entry's address), AT_ENTRY is `_start` and e_entry, the
//! ELF header sits in front of the table; AT_PAGESZ, AT_RANDOM (16 bytes on the stack),
//! AT_HWCAP (FP and ASIMD), AT_BASE 0 (no interpreter), AT_FLAGS 0, AT_SECURE 0; sp is
//! 16-byte aligned at entry and argv, envp and auxv follow each other as the ABI says.
//! Runs the same on Linux (qemu-aarch64), so runtests.py compares verdicts.
//! Syscalls used: openat, read, close, write, exit_group.

#![no_std]
#![no_main]

use core::ffi::{c_char, CStr};
use ulib::io::{AT_FDCWD, O_RDONLY};
use ulib::start::{initial_stack, AT_ENTRY, AT_EXECFN, AT_PAGESZ, AT_PHDR, AT_PHNUM, AT_RANDOM};
use ulib::{auxv, Tap};

const AT_PHENT: u64 = ulib::uapi::auxvec::AT_PHENT;
const AT_BASE: u64 = ulib::uapi::auxvec::AT_BASE;
const AT_FLAGS: u64 = ulib::uapi::auxvec::AT_FLAGS;
const AT_HWCAP: u64 = ulib::uapi::auxvec::AT_HWCAP;
const AT_SECURE: u64 = ulib::uapi::auxvec::AT_SECURE;
/// HWCAP_FP | HWCAP_ASIMD.
const HWCAP_FP_ASIMD: u64 = ulib::uapi::hwcap::HWCAP_FP | ulib::uapi::hwcap::HWCAP_ASIMD;
const PT_PHDR: u32 = ulib::uapi::elf::PT_PHDR;
const PHDR_SIZE: usize = 56;

extern "C" {
    /// ulib's entry point.
    fn _start();
}

/// The first bytes of this program's file.
fn read_own_file(buf: &mut [u8]) -> usize {
    let Some(name) = auxv(AT_EXECFN) else {
        return 0;
    };
    // SAFETY: AT_EXECFN points at a NUL-terminated string on the initial stack.
    let path = unsafe { CStr::from_ptr(name as *const c_char) };
    let Ok(fd) = ulib::openat(AT_FDCWD, path, O_RDONLY, 0) else {
        return 0;
    };
    let mut got = 0;
    while got < buf.len() {
        match ulib::read(fd as i32, &mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = ulib::close(fd as i32);
    got
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(15);
    let st = initial_stack();
    tap.eq(st.sp % 16, 0, "sp is 16-byte aligned at entry");
    // SAFETY: sp points at argc on the initial stack.
    let argc = unsafe { *(st.sp as *const usize) };
    tap.ok(
        argc >= 1 && st.envp == st.argv + (argc + 1) * 8,
        "argc, argv[argc] = NULL, then envp",
    );
    let envc = ulib::env().count();
    tap.eq(
        st.auxv,
        st.envp + (envc + 1) * 8,
        "the auxv follows envp's NULL",
    );
    let argv0 = ulib::args().next().unwrap_or(b"");
    let execfn = auxv(AT_EXECFN).map(|p| {
        // SAFETY: AT_EXECFN points at a NUL-terminated string on the initial stack.
        unsafe { CStr::from_ptr(p as *const c_char) }.to_bytes()
    });
    tap.ok(
        execfn == Some(argv0) && auxv(AT_EXECFN).is_some_and(|p| p as usize > st.auxv),
        "AT_EXECFN is the path (here argv[0]), a string above the tables",
    );
    tap.eq(auxv(AT_PAGESZ), Some(4096), "AT_PAGESZ is 4096");

    let mut file = [0u8; 64 + 16 * PHDR_SIZE];
    let got = read_own_file(&mut file);
    let (e_entry, e_phoff, e_phentsize, e_phnum) = if got >= 64 {
        (
            u64_at(&file, 24),
            u64_at(&file, 32) as usize,
            u16_at(&file, 54) as u64,
            u16_at(&file, 56) as u64,
        )
    } else {
        (0, 0, 0, 0)
    };
    tap.eq(
        auxv(AT_PHNUM),
        Some(e_phnum),
        "AT_PHNUM is the file's e_phnum",
    );
    tap.eq(
        auxv(AT_PHENT),
        Some(e_phentsize),
        "AT_PHENT is the file's e_phentsize (56)",
    );
    let phdr = auxv(AT_PHDR).unwrap_or(0) as usize;
    let table = e_phoff + e_phnum as usize * PHDR_SIZE;
    let same = phdr != 0 && got >= table && table > e_phoff && {
        // SAFETY: AT_PHDR points at AT_PHNUM program headers the kernel mapped.
        let mem = unsafe { core::slice::from_raw_parts(phdr as *const u8, table - e_phoff) };
        mem == &file[e_phoff..table]
    };
    tap.ok(
        same,
        "AT_PHDR points at the file's program headers, in memory",
    );
    let pt_phdr = file[e_phoff.min(file.len())..table.min(file.len())]
        .chunks_exact(PHDR_SIZE)
        .find(|ph| u16_at(ph, 0) as u32 == PT_PHDR)
        .map(|ph| u64_at(ph, 16) as usize);
    tap.eq(
        pt_phdr,
        Some(phdr),
        "AT_PHDR is PT_PHDR's p_vaddr (no load bias)",
    );
    let magic = phdr >= e_phoff && {
        // SAFETY: the ELF header precedes the program headers in the first segment.
        let h = unsafe { core::slice::from_raw_parts((phdr - e_phoff) as *const u8, 4) };
        h == b"\x7fELF"
    };
    tap.ok(
        magic,
        "the ELF header is mapped in front of the program headers",
    );
    let start = _start as *const () as u64;
    tap.ok(
        auxv(AT_ENTRY) == Some(start) && e_entry == start,
        "AT_ENTRY is e_entry, the address of _start",
    );

    let random = auxv(AT_RANDOM).unwrap_or(0) as usize;
    let bytes = (random > st.auxv).then(|| {
        // SAFETY: AT_RANDOM points at 16 bytes on the initial stack.
        unsafe { core::slice::from_raw_parts(random as *const u8, 16) }
    });
    tap.ok(
        bytes.is_some_and(|b| b.iter().any(|&x| x != 0)),
        "AT_RANDOM: 16 bytes on the stack, not all zero",
    );
    tap.ok(
        auxv(AT_HWCAP).is_some_and(|h| h & HWCAP_FP_ASIMD == HWCAP_FP_ASIMD),
        "AT_HWCAP has FP and ASIMD",
    );
    tap.eq(
        (auxv(AT_BASE), auxv(AT_FLAGS)),
        (Some(0), Some(0)),
        "AT_BASE and AT_FLAGS are 0 (no interpreter)",
    );
    tap.eq(auxv(AT_SECURE), Some(0), "AT_SECURE is 0");
    tap.done()
}
