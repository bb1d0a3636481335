//! Self-relocation of a static-PIE program, before any Rust code touches a global (glibc
//! `_dl_relocate_static_pie`, musl `_dlstart_c` in `ldso/dlstart.c`).
//!
//! A static-PIE program (`user/pie`) is linked at address 0 and placed by the kernel at
//! ELF_ET_DYN_BASE plus a random bias (`load_elf_binary`). Code reaches code and data
//! PC-relatively, so it runs anywhere; but a *stored* address (a `&'static str` inside a
//! static, a vtable, a function pointer table) was written by the linker as a link-time
//! address, and the linker left one `R_AARCH64_RELATIVE` entry in `.rela.dyn` for each:
//! "add the load bias here". There is no dynamic linker to do that, so `_start` calls
//! [`_dl_relocate_static_pie`] first.
//!
//! One wrinkle: Rust's prebuilt `core` for aarch64-unknown-none is not position
//! independent, so a few of its read-only constants (panic locations) hold addresses
//! too. The linker accepts that with `-z notext` and marks the program DT_TEXTREL; then,
//! as glibc's `_dl_relocate_object` does, the read-only segments are made writable with
//! mprotect for the fix-ups and read-only again after.
//!
//! In an ordinary static program `_DYNAMIC` does not exist (a weak symbol, so it reads as
//! 0) and this does nothing. Rules for the code below, as for musl's: no globals, no
//! panics (a panic message is a stored address), nothing but the stack and the pointers
//! it is given.

use crate::syscall::{nr, syscall3};

use uapi::auxvec::{AT_PHDR, AT_PHENT, AT_PHNUM};
use uapi::elf::{
    DF_TEXTREL, DT_FLAGS, DT_NULL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_TEXTREL, PF_W, PF_X,
    PT_DYNAMIC, PT_LOAD, R_AARCH64_RELATIVE,
};
/// mprotect's PROT_READ and PROT_WRITE.
const PROT_READ: usize = uapi::mman::PROT_READ as usize;
const PROT_WRITE: usize = uapi::mman::PROT_WRITE as usize;

/// Apply the `R_AARCH64_RELATIVE` relocations of a static-PIE program. `sp` is the initial
/// stack (argc, argv, envp, auxv); `dynamic` is the run-time address of `_DYNAMIC`, 0 in
/// a program that has none. The load bias is `dynamic - PT_DYNAMIC.p_vaddr`, with the
/// program headers found through AT_PHDR, as musl does.
///
/// # Safety
/// Called once, by `_start`, before anything reads a global; `sp` must be the kernel's
/// initial stack and `dynamic` this program's `_DYNAMIC`.
#[no_mangle]
#[inline(never)]
pub unsafe extern "C" fn _dl_relocate_static_pie(sp: *const u64, dynamic: *const u64) {
    if dynamic.is_null() {
        return; // not a PIE: every address is final already
    }
    // SAFETY: the initial stack is argc, argv[] + NULL, envp[] + NULL, then auxv pairs
    // ending with AT_NULL; the program headers, dynamic section and relocations are
    // mapped where AT_PHDR and the dynamic entries say (that is what the kernel loaded),
    // and every target of a relocation lies in this program's writable segments.
    unsafe {
        let argc = *sp as usize;
        let mut p = sp.add(1 + argc + 1);
        while *p != 0 {
            p = p.add(1);
        }
        p = p.add(1);
        let (mut phdr, mut phent, mut phnum) = (0u64, 56u64, 0u64);
        while *p != 0 {
            let v = *p.add(1);
            if *p == AT_PHDR {
                phdr = v;
            } else if *p == AT_PHENT {
                phent = v;
            } else if *p == AT_PHNUM {
                phnum = v;
            }
            p = p.add(2);
        }
        // The bias: where _DYNAMIC is minus where the linker put it.
        let mut base = None;
        let mut i = 0;
        while i < phnum {
            let ph = (phdr + i * phent) as *const u8;
            if *(ph as *const u32) == PT_DYNAMIC {
                base = Some(dynamic as u64 - *(ph.add(16) as *const u64)); // p_vaddr
            }
            i += 1;
        }
        let Some(base) = base else { return };
        let (mut rela, mut relasz, mut relaent) = (0u64, 0u64, 24u64);
        let mut textrel = false;
        let mut d = dynamic;
        while *d != DT_NULL {
            let v = *d.add(1);
            if *d == DT_RELA {
                rela = v;
            } else if *d == DT_RELASZ {
                relasz = v;
            } else if *d == DT_RELAENT {
                relaent = v;
            } else if *d == DT_TEXTREL || (*d == DT_FLAGS && v & DF_TEXTREL != 0) {
                textrel = true;
            }
            d = d.add(2);
        }
        if textrel {
            protect_readonly_segments(base, phdr, phent, phnum, PROT_READ | PROT_WRITE);
        }
        // Each Elf64_Rela: r_offset, r_info (type in the low 32 bits), r_addend.
        let mut r = base + rela;
        let end = r + relasz;
        while r < end {
            let r_offset = *(r as *const u64);
            let r_info = *((r + 8) as *const u64);
            let r_addend = *((r + 16) as *const u64);
            if r_info & 0xffff_ffff == R_AARCH64_RELATIVE {
                *((base + r_offset) as *mut u64) = base.wrapping_add(r_addend);
            }
            r += relaent;
        }
        if textrel {
            protect_readonly_segments(base, phdr, phent, phnum, PROT_READ);
        }
    }
}

/// mprotect every read-only, non-executable PT_LOAD to `prot`.
///
/// # Safety
/// As for [`_dl_relocate_static_pie`]; the segments must not be in use by anything else.
unsafe fn protect_readonly_segments(base: u64, phdr: u64, phent: u64, phnum: u64, prot: usize) {
    let mut i = 0;
    while i < phnum {
        // SAFETY: AT_PHDR points at phnum program headers of phent bytes.
        let (ty, flags, vaddr, memsz) = unsafe {
            let ph = (phdr + i * phent) as *const u8;
            (
                *(ph as *const u32),
                *(ph.add(4) as *const u32),
                *(ph.add(16) as *const u64),
                *(ph.add(40) as *const u64),
            )
        };
        if ty == PT_LOAD && flags & (PF_W | PF_X) == 0 {
            let start = (base + vaddr) & !0xfff;
            let end = (base + vaddr + memsz + 0xfff) & !0xfff;
            // SAFETY: only this program's own read-only segment changes protection.
            unsafe {
                syscall3(
                    nr::__NR_mprotect,
                    start as usize,
                    (end - start) as usize,
                    prot,
                )
            };
        }
        i += 1;
    }
}
