//! Host tests of exec's new stack: `bprm_mm_init`, `copy_strings` / `push_string` (the
//! strings under STACK_TOP, their limits), `remove_arg_zero`, `setup_arg_pages` (the
//! move to the chosen top and the 128 KiB below) and `mmap_base`, over the fake frames
//! of `mm/page_alloc_host.rs`.

use super::*;
use crate::exec::bprm::{
    bprm_mm_init, collect_strings, copy_strings, push_string, remove_arg_zero, ArgSource,
    MAX_ARG_STRLEN,
};
use crate::fs::ramfs::Ino;
use crate::mm::access_remote::{FollFlags, RemoteBuf};
use crate::mm::mm_struct::MmStruct;
use crate::mm::page_alloc::{nr_used_pages, page_count};
use alloc::string::String;
use alloc::vec::Vec;

const MIB: usize = 1 << 20;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| String::from(*s)).collect()
}

/// exec/mod.rs's order: the filename, then envp, then argv, each below the last.
pub(crate) fn bprm_with(argv: &[&str], envp: &[&str]) -> LinuxBinprm {
    let mut bprm = bprm_mm_init(Ino(1), 0, b"/bin/prog", false).expect("a new mm");
    let (argv, envp) = (strings(argv), strings(envp));
    let args = collect_strings(&ArgSource::Kernel(&argv)).unwrap();
    let envs = collect_strings(&ArgSource::Kernel(&envp)).unwrap();
    bprm.exec = push_string(&mut bprm, b"/bin/prog").unwrap();
    copy_strings(&mut bprm, &envs).unwrap();
    copy_strings(&mut bprm, &args).unwrap();
    bprm.argc = args.len();
    bprm.envc = envs.len();
    bprm
}

fn read(mm: &mut MmStruct, addr: usize, len: usize) -> Vec<u8> {
    let mut buf = alloc::vec![0u8; len];
    let n = mm.access_remote_vm(addr, RemoteBuf::Read(&mut buf), FollFlags::empty());
    assert_eq!(n, len, "reading {len} bytes at {addr:#x}");
    buf
}

#[test]
fn the_strings_lie_in_order_under_the_stack_top() {
    let mut bprm = bprm_with(&["prog", "-v", ""], &["HOME=/", "TERM=vt100"]);
    let want = b"prog\0-v\0\0HOME=/\0TERM=vt100\0/bin/prog\0";
    // One word below STACK_TOP is left empty, as Linux's `bprm->p` starts there.
    assert_eq!(bprm.p, layout::STACK_TOP - 8 - want.len());
    assert_eq!(bprm.strings_size(), 8 + want.len());
    let p = bprm.p;
    assert_eq!(read(&mut bprm.mm, p, want.len()), want);
    assert_eq!(
        bprm.exec,
        layout::STACK_TOP - 8 - b"/bin/prog\0".len(),
        "AT_EXECFN"
    );
    // The stack VMA is still the one page bprm_mm_init made.
    let vma = bprm.mm.vmas.find_vma(p).unwrap();
    assert_eq!(
        (vma.vm_start, vma.vm_end),
        (layout::STACK_TOP - PAGE_SIZE, layout::STACK_TOP)
    );
    // #! scripts drop argv[0].
    remove_arg_zero(&mut bprm).unwrap();
    assert_eq!((bprm.argc, bprm.p), (2, p + 5));
}

#[test]
fn strings_grow_the_stack_vma_and_stop_at_a_quarter_of_rlimit_stack() {
    let mut bprm = bprm_mm_init(Ino(1), 0, b"p", false).unwrap();
    bprm.rlim_stack = 64 * 1024; // strings may take 16 KiB
    let big = alloc::vec![b'x'; 5000];
    for _ in 0..3 {
        push_string(&mut bprm, &big).unwrap();
    }
    let vma = bprm.mm.vmas.find_vma(bprm.p).unwrap();
    assert!(
        vma.vm_start <= bprm.p,
        "pages below the first were faulted in"
    );
    assert_eq!(vma.vm_end, layout::STACK_TOP);
    let p = bprm.p;
    assert_eq!(
        push_string(&mut bprm, &big),
        Err(Errno::E2BIG),
        "past 16 KiB"
    );
    assert_eq!(bprm.p, p, "a refused string moves nothing");
    // One string may not exceed MAX_ARG_STRLEN (with its NUL), whatever the limit.
    bprm.rlim_stack = usize::MAX;
    let huge = alloc::vec![b'y'; MAX_ARG_STRLEN];
    assert_eq!(push_string(&mut bprm, &huge), Err(Errno::E2BIG));
    assert!(push_string(&mut bprm, &huge[1..]).is_ok());
}

#[test]
fn setup_arg_pages_moves_the_strings_to_the_new_top_and_leaves_room_below() {
    let before = nr_used_pages();
    let mut bprm = bprm_with(&["a", "bc"], &["X=1"]);
    let (p, exec) = (bprm.p, bprm.exec);
    let (frame, _) = bprm.mm.lookup(p).unwrap();
    let shift = 0x1234 * PAGE_SIZE;
    let top = layout::STACK_TOP - shift;
    setup_arg_pages(&mut bprm, top, false).unwrap();
    assert_eq!((bprm.p, bprm.exec), (p - shift, exec - shift));
    assert_eq!((bprm.mm.arg_start, bprm.mm.start_stack), (bprm.p, bprm.p));
    // The page table entry moved; the frame (and its one reference) stayed.
    assert_eq!(bprm.mm.lookup(p), None);
    assert_eq!(bprm.mm.lookup(p - shift).map(|t| t.0), Some(frame));
    assert_eq!(page_count(frame), 1);
    let q = bprm.p;
    assert_eq!(read(&mut bprm.mm, q, 14), b"a\0bc\0X=1\0/bin/");
    // The VMA: its page, now ending at `top`, plus 128 KiB below.
    let vma = bprm.mm.vmas.find_vma(top - 1).unwrap();
    assert_eq!(
        (vma.vm_start, vma.vm_end),
        (top - PAGE_SIZE - STACK_EXPAND, top)
    );
    assert!(
        bprm.mm.vmas.find_vma(top).is_none(),
        "nothing above the new top"
    );
    drop(bprm);
    assert_eq!(nr_used_pages(), before);
}

#[test]
fn setup_arg_pages_extends_no_further_than_rlimit_stack() {
    let mut bprm = bprm_with(&["a"], &[]);
    bprm.rlim_stack = 64 * 1024; // less than one page + 128 KiB
    let top = layout::STACK_TOP - 16 * PAGE_SIZE;
    setup_arg_pages(&mut bprm, top, false).unwrap();
    let vma = bprm.mm.vmas.find_vma(top - 1).unwrap();
    assert_eq!((vma.vm_start, vma.vm_end), (top - 64 * 1024, top));
}

#[test]
fn mmap_base_leaves_the_stack_its_limit_and_the_guard_gap() {
    // Small limits get Linux's minimum gap of 128 MiB.
    let base = mmap_base(8 * MIB, false);
    assert_eq!(base, layout::STACK_TOP - layout::MMAP_MIN_GAP);
    // A large one gets itself plus the guard gap.
    let base = mmap_base(512 * MIB, false);
    assert_eq!(
        base,
        layout::STACK_TOP - 512 * MIB - layout::STACK_GUARD_GAP
    );
    // Randomized: page aligned, within 2^18 pages (plus the stack's own randomization).
    let r = mmap_base(8 * MIB, true);
    assert_eq!(r % PAGE_SIZE, 0);
    let gap = 8 * MIB + layout::STACK_GUARD_GAP + (STACK_RND_MASK << layout::PAGE_SHIFT);
    let lowest = layout::STACK_TOP - gap - (0x3ffff << layout::PAGE_SHIFT);
    assert!((lowest..=layout::STACK_TOP - gap).contains(&r));
}
