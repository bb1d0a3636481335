//! Host tests of `create_elf_tables`: the initial stack a new program finds at sp, read
//! back word by word, as a libc's `_start` would.

use super::auxv::*;
use super::*;
use crate::exec::elf::ElfHeader;
use crate::exec::stack::setup_arg_pages;
use crate::mm::access_remote::{FollFlags, RemoteBuf};
use crate::mm::layout::STACK_TOP;

/// A new stack as exec leaves it before `create_elf_tables`: the strings copied (the
/// fixture of `exec/stack/tests.rs`) and moved to their top (here STACK_TOP itself, no
/// randomization).
fn bprm_with(argv: &[&str], envp: &[&str]) -> LinuxBinprm {
    let mut bprm = crate::exec::stack::tests::bprm_with(argv, envp);
    setup_arg_pages(&mut bprm, STACK_TOP, false).unwrap();
    bprm
}

fn word(bprm: &mut LinuxBinprm, addr: usize) -> u64 {
    let mut b = [0u8; 8];
    let n = bprm
        .mm
        .access_remote_vm(addr, RemoteBuf::Read(&mut b), FollFlags::empty());
    assert_eq!(n, 8, "reading the word at {addr:#x}");
    u64::from_le_bytes(b)
}

fn c_string(bprm: &mut LinuxBinprm, addr: u64) -> Vec<u8> {
    let len = bprm.mm.strnlen_remote_vm(addr as usize, 4096);
    assert!(len > 0 && len <= 4096, "a string at {addr:#x}");
    let mut b = alloc::vec![0u8; len - 1];
    bprm.mm
        .access_remote_vm(addr as usize, RemoteBuf::Read(&mut b), FollFlags::empty());
    b
}

fn plan() -> (ElfHeader, LoadPlan) {
    let h = ElfHeader {
        e_phnum: 7,
        ..Default::default()
    };
    let plan = LoadPlan {
        entry: 0x40_0123,
        phdr_addr: 0x40_0040,
        ..Default::default()
    };
    (h, plan)
}

/// The auxiliary vector from `at`: (key, value) pairs up to and including AT_NULL.
fn auxv_at(bprm: &mut LinuxBinprm, mut at: usize) -> Vec<(u64, u64)> {
    let mut v = Vec::new();
    loop {
        let (k, val) = (word(bprm, at), word(bprm, at + 8));
        v.push((k, val));
        at += 16;
        if k == AT_NULL {
            return v;
        }
        assert!(v.len() < 64, "no AT_NULL");
    }
}

#[test]
fn sp_points_at_argc_argv_envp_and_the_auxiliary_vector() {
    let mut bprm = bprm_with(&["prog", "-x", ""], &["A=1", "B=22"]);
    let p = bprm.p;
    let (h, plan) = plan();
    let sp = create_elf_tables(&mut bprm, &h, &plan, false, Some(0x7fff_0000), 0xabc).unwrap();
    assert_eq!(sp % 16, 0, "sp is 16-byte aligned");
    assert_eq!(word(&mut bprm, sp), 3, "argc");
    let argv: Vec<u64> = (0..3).map(|i| word(&mut bprm, sp + 8 + 8 * i)).collect();
    assert_eq!(
        argv,
        [p as u64, p as u64 + 5, p as u64 + 8],
        "argv points at the strings"
    );
    assert_eq!(c_string(&mut bprm, argv[1]), b"-x");
    assert_eq!(word(&mut bprm, sp + 32), 0, "argv ends with NULL");
    let envp: Vec<u64> = (0..2).map(|i| word(&mut bprm, sp + 40 + 8 * i)).collect();
    assert_eq!(c_string(&mut bprm, envp[0]), b"A=1");
    assert_eq!(c_string(&mut bprm, envp[1]), b"B=22");
    assert_eq!(word(&mut bprm, sp + 56), 0, "envp ends with NULL");
    // /proc/PID/cmdline and environ bounds.
    assert_eq!((bprm.mm.arg_start, bprm.mm.arg_end), (p, p + 9));
    assert_eq!((bprm.mm.env_start, bprm.mm.env_end), (p + 9, p + 18));

    let aux = auxv_at(&mut bprm, sp + 64);
    assert_eq!(
        aux[0],
        (AT_SYSINFO_EHDR, 0x7fff_0000),
        "arm64 ARCH_DLINFO comes first"
    );
    assert_eq!(aux.last(), Some(&(AT_NULL, 0)));
    let get = |k| aux.iter().find(|&&(key, _)| key == k).map(|&(_, v)| v);
    assert_eq!(get(AT_HWCAP), Some(0xabc));
    assert_eq!(get(AT_PAGESZ), Some(4096));
    assert_eq!(get(AT_PHDR), Some(0x40_0040));
    assert_eq!(get(AT_PHENT), Some(56));
    assert_eq!(get(AT_PHNUM), Some(7));
    assert_eq!(get(AT_ENTRY), Some(0x40_0123));
    assert_eq!(get(AT_EXECFN), Some(bprm.exec as u64));
    let execfn = bprm.exec as u64;
    assert_eq!(c_string(&mut bprm, execfn), b"/bin/prog");
    // AT_RANDOM: 16 bytes just under the strings (aligned down, no random gap here),
    // above the end of the table.
    let random = get(AT_RANDOM).unwrap() as usize;
    assert_eq!(random, (p & !0xf) - 16);
    assert!(
        sp + 64 + 16 * aux.len() <= random,
        "the table ends below AT_RANDOM's bytes"
    );
}

#[test]
fn without_a_vdso_or_arguments_the_table_is_argc_zero_and_the_auxv() {
    let mut bprm = bprm_with(&[], &[]);
    let (h, plan) = plan();
    let sp = create_elf_tables(&mut bprm, &h, &plan, true, None, 0).unwrap();
    assert_eq!(sp % 16, 0);
    assert_eq!(
        (word(&mut bprm, sp), word(&mut bprm, sp + 8)),
        (0, 0),
        "argc 0, argv NULL"
    );
    assert_eq!(word(&mut bprm, sp + 16), 0, "envp NULL");
    let aux = auxv_at(&mut bprm, sp + 24);
    assert!(aux.iter().all(|&(k, _)| k != AT_SYSINFO_EHDR));
    assert_eq!(aux[0].0, AT_MINSIGSTKSZ);
    // Randomized: AT_RANDOM still lies between the table and the strings.
    let random = aux.iter().find(|a| a.0 == AT_RANDOM).unwrap().1 as usize;
    assert!(sp + 24 + 16 * aux.len() <= random && random + 16 <= bprm.p);
}
