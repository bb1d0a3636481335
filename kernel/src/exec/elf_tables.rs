//! The initial stack of a new program, below its strings (Linux `create_elf_tables` in
//! `fs/binfmt_elf.c`): argc, the argv and envp pointers and the auxiliary vector, as
//! every libc's `_start` reads them. `load_elf_binary` (`binfmt_elf.rs`) calls it last;
//! it only writes the new mm, so it runs in host tests too (`elf_tables/tests.rs`).

use super::bprm::{mm_write, LinuxBinprm};
use super::elf::{self, LoadPlan};
use super::stack::arch_align_stack;
use crate::errno::{Errno, KResult};
use crate::mm::layout::PAGE_SIZE;
use alloc::vec::Vec;

/// Auxiliary vector keys (Linux `include/uapi/linux/auxvec.h`).
pub mod auxv {
    pub use uapi::auxvec::*;
}

/// Build the Linux initial stack below the strings (Linux `create_elf_tables`), from the
/// top down: a random gap of less than a page (`arch_align_stack`, unless `norandmaps`),
/// 16 random bytes (AT_RANDOM), then, 16-byte aligned, argc, the argv pointers, NULL,
/// the envp pointers, NULL, and the auxiliary vector, whose first entry is
/// AT_SYSINFO_EHDR when there is a vDSO (arm64's `ARCH_DLINFO`). `hwcap` is the CPU's
/// `elf_hwcap`. Returns sp. Left out: AT_PLATFORM and its "aarch64" string.
pub fn create_elf_tables(
    bprm: &mut LinuxBinprm,
    h: &elf::ElfHeader,
    plan: &LoadPlan,
    randomize: bool,
    vdso: Option<usize>,
    hwcap: u64,
) -> KResult<usize> {
    use auxv::*;
    // Where the strings are: copy_strings put filename, envp, argv from the top down.
    let strings = read_string_addrs(bprm)?;
    let (argv, envp) = strings.split_at(bprm.argc);

    let mut p = arch_align_stack(bprm.p, randomize);
    let mut random = [0u8; 16];
    crate::random::get_random_bytes(&mut random);
    p -= 16;
    let u_rand_bytes = p;
    mm_write(&mut bprm.mm, u_rand_bytes, &random)?;

    let ehdr = vdso.map(|base| (AT_SYSINFO_EHDR, base as u64));
    let aux = [
        (AT_MINSIGSTKSZ, uapi::signal::MINSIGSTKSZ),
        (AT_HWCAP, hwcap),
        (AT_PAGESZ, PAGE_SIZE as u64),
        (AT_CLKTCK, uapi::param::USER_HZ),
        (AT_PHDR, plan.phdr_addr),
        (AT_PHENT, elf::PHDR_SIZE as u64),
        (AT_PHNUM, h.e_phnum as u64),
        (AT_BASE, 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, plan.entry),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
        (AT_SECURE, 0),
        (AT_RANDOM, u_rand_bytes as u64),
        (AT_HWCAP2, 0),
        (AT_EXECFN, bprm.exec as u64),
        (AT_NULL, 0),
    ];
    let aux: Vec<(u64, u64)> = ehdr.into_iter().chain(aux).collect();
    // LAB 5 BEGIN: lay out argc, argv, NULL, envp, NULL and the auxv pairs at an aligned sp
    let words = 1 + argv.len() + 1 + envp.len() + 1 + aux.len() * 2;
    let sp = (p - words * 8) & !0xf; // STACK_ROUND: 16-byte aligned, as AAPCS64 wants
    let mut table: Vec<u64> = Vec::with_capacity(words);
    table.push(bprm.argc as u64);
    table.extend(argv.iter().map(|&a| a as u64));
    table.push(0);
    table.extend(envp.iter().map(|&a| a as u64));
    table.push(0);
    for (k, v) in aux {
        table.push(k);
        table.push(v);
    }
    let bytes: Vec<u8> = table.iter().flat_map(|w| w.to_le_bytes()).collect();
    mm_write(&mut bprm.mm, sp, &bytes)?;
    bprm.mm.arg_end = bprm.mm.env_start;
    Ok(sp)
    // LAB 5 END
}

/// The addresses of the argv and envp strings on the new stack, in order: walk up from
/// `p` over `argc + envc` NUL-terminated strings (Linux does the same walk with
/// `strnlen_user` in `create_elf_tables`; here `MmStruct::strnlen_remote_vm`).
fn read_string_addrs(bprm: &mut LinuxBinprm) -> KResult<Vec<usize>> {
    let n = bprm.argc + bprm.envc;
    let mut addrs = Vec::with_capacity(n);
    let mut at = bprm.p;
    for i in 0..n {
        if i == bprm.argc {
            bprm.mm.arg_end = at;
            bprm.mm.env_start = at;
        }
        addrs.push(at);
        // Each string with its NUL: EFAULT if it cannot be read, E2BIG if it is longer
        // than MAX_ARG_STRLEN.
        let max = super::bprm::MAX_ARG_STRLEN;
        at += match bprm.mm.strnlen_remote_vm(at, max + 1) {
            0 => return Err(Errno::EFAULT),
            n if n > max + 1 => return Err(Errno::E2BIG),
            n => n,
        };
    }
    if bprm.envc == 0 {
        bprm.mm.arg_end = at;
        bprm.mm.env_start = at;
    }
    bprm.mm.env_end = at;
    Ok(addrs)
}

#[cfg(test)]
mod tests;
