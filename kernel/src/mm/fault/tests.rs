//! Host tests of the fault path (`handle_mm_fault`, `do_anonymous_page`'s zeroed page,
//! `do_wp_page`'s copy-on-write and `expand_stack`), over the fake frames of
//! `page_alloc_host.rs` and the test thread's resource limits (`task/rlimit.rs`).

use super::*;
use crate::mm::access_remote::{FollFlags, RemoteBuf};
use crate::mm::layout::STACK_GUARD_GAP;
use crate::mm::page_alloc::{nr_used_pages, page_address, page_count};
use crate::mm::vma::VmArea;
use crate::task::rlimit::{host_set_rlimit, Rlimit};

/// A user address well inside user space, away from anything else the tests map.
const A: usize = 0x10_0000;
const RW: VmFlags = VmFlags::READ
    .union(VmFlags::WRITE)
    .union(VmFlags::MAYREAD)
    .union(VmFlags::MAYWRITE);
const STACK: VmFlags = RW.union(VmFlags::GROWSDOWN);
const MIB: usize = 1 << 20;

fn mm_with(vmas: &[(usize, usize, VmFlags)]) -> MmStruct {
    let mut mm = MmStruct::new().expect("a page-table root");
    for &(start, end, flags) in vmas {
        mm.vmas
            .insert(VmArea::new_anon(start, end, flags))
            .expect("a free range");
    }
    mm
}

/// The byte at `va` as the frame mapped there holds it (None: nothing mapped).
fn byte_at(mm: &MmStruct, va: usize) -> Option<u8> {
    let (pa, _) = mm.lookup(va)?;
    // SAFETY: `pa` is a frame of the host pool, mapped in `mm`; the offset is in the page.
    Some(unsafe { (page_address(pa) as *const u8).add(va % PAGE_SIZE).read() })
}

fn write(mm: &mut MmStruct, va: usize, data: &[u8]) {
    let n = mm.access_remote_vm(va, RemoteBuf::Write(data), FollFlags::empty());
    assert_eq!(n, data.len(), "writing {} bytes at {va:#x}", data.len());
}

#[test]
fn a_read_fault_maps_a_zeroed_page_with_the_vmas_permissions() {
    let before = nr_used_pages();
    let mut mm = mm_with(&[(A, A + 4 * PAGE_SIZE, RW)]);
    assert_eq!(
        handle_mm_fault(&mut mm, A + PAGE_SIZE + 5, Access::Read),
        Ok(())
    );
    let (pa, prot) = mm.lookup(A + PAGE_SIZE).expect("the page is present");
    assert_eq!(
        prot & (Prot::READ | Prot::WRITE | Prot::EXEC),
        Prot::READ | Prot::WRITE
    );
    assert_eq!(page_count(pa), 1, "one page table maps the new frame");
    assert_eq!(byte_at(&mm, A + PAGE_SIZE + 5), Some(0));
    assert_eq!(mm.lookup(A), None, "only the faulting page is made present");
    drop(mm);
    assert_eq!(nr_used_pages(), before, "exit_mmap frees frames and tables");
}

#[test]
fn faults_outside_a_vma_or_against_its_flags_are_refused() {
    let ro = VmFlags::READ | VmFlags::MAYREAD;
    let mut mm = mm_with(&[(A, A + PAGE_SIZE, ro)]);
    assert_eq!(
        handle_mm_fault(&mut mm, A + PAGE_SIZE, Access::Read),
        Err(VmFault::MapErr)
    );
    assert_eq!(
        handle_mm_fault(&mut mm, A, Access::Write),
        Err(VmFault::AccErr)
    );
    assert_eq!(
        handle_mm_fault(&mut mm, A, Access::Exec),
        Err(VmFault::AccErr)
    );
    assert_eq!(
        handle_mm_fault(&mut mm, usize::MAX - 7, Access::Read),
        Err(VmFault::MapErr)
    );
    assert_eq!(mm.lookup(A), None, "a refused fault maps nothing");
}

#[test]
fn no_memory_for_the_page_is_oom_and_leaks_nothing() {
    let mut mm = mm_with(&[(A, A + PAGE_SIZE, RW)]);
    let before = nr_used_pages();
    crate::mm::page_alloc::set_frame_limit(Some(before));
    let r = handle_mm_fault(&mut mm, A, Access::Write);
    crate::mm::page_alloc::set_frame_limit(None);
    assert_eq!(r, Err(VmFault::Oom));
    assert_eq!(nr_used_pages(), before);
}

#[test]
fn a_write_to_a_shared_cow_page_copies_it_and_the_other_side_keeps_the_old_data() {
    let before = nr_used_pages();
    let mut parent = mm_with(&[(A, A + PAGE_SIZE, RW)]);
    write(&mut parent, A, b"old");
    let mut child = parent.dup_mmap().expect("fork");
    let (shared, _) = parent.lookup(A).unwrap();
    assert_eq!(page_count(shared), 2);

    // The child writes: do_wp_page copies (wp_page_copy).
    assert_eq!(handle_mm_fault(&mut child, A, Access::Write), Ok(()));
    let (copy, prot) = child.lookup(A).unwrap();
    assert_ne!(copy, shared, "the writer gets a frame of its own");
    assert!(prot.contains(Prot::WRITE));
    assert_eq!(
        page_count(shared),
        1,
        "the copy dropped the child's reference"
    );
    assert_eq!(page_count(copy), 1);
    write(&mut child, A, b"new");
    assert_eq!(byte_at(&child, A), Some(b'n'));
    assert_eq!(
        byte_at(&parent, A),
        Some(b'o'),
        "the parent keeps the old data"
    );
    assert_eq!(byte_at(&child, A + 1), Some(b'e'));

    // The parent, now the frame's only user, gets it back writable (wp_page_reuse).
    assert!(!parent.lookup(A).unwrap().1.contains(Prot::WRITE));
    let used = nr_used_pages();
    assert_eq!(handle_mm_fault(&mut parent, A, Access::Write), Ok(()));
    assert_eq!(
        parent.lookup(A).unwrap(),
        (shared, prot),
        "the same frame, writable"
    );
    assert_eq!(nr_used_pages(), used, "reuse allocates nothing");
    drop(child);
    drop(parent);
    assert_eq!(nr_used_pages(), before);
}

#[test]
fn a_shared_mapping_is_never_copied() {
    let shared = RW | VmFlags::SHARED | VmFlags::MAYSHARE;
    let mut parent = mm_with(&[(A, A + PAGE_SIZE, shared)]);
    write(&mut parent, A, b"x");
    let mut child = parent.dup_mmap().expect("fork");
    write(&mut child, A, b"y");
    assert_eq!(parent.lookup(A).map(|t| t.0), child.lookup(A).map(|t| t.0));
    assert_eq!(
        byte_at(&parent, A),
        Some(b'y'),
        "both see the child's write"
    );
}

/// A stack VMA of one page whose end is `top`, under an optional mapping `below`.
fn stack_mm(top: usize, below: Option<(usize, usize, VmFlags)>) -> MmStruct {
    let mut vmas = alloc::vec![(top - PAGE_SIZE, top, STACK)];
    vmas.extend(below);
    mm_with(&vmas)
}

#[test]
fn expand_stack_grows_within_the_limit_and_refuses_beyond_it() {
    let top = 0x40_0000_0000;
    let mut mm = stack_mm(top, None);
    let start = top - PAGE_SIZE;
    assert_eq!(expand_stack(&mut mm, start, top - MIB + 3, 8 * MIB), Ok(()));
    let vma = mm.vmas.find_vma(top - 1).unwrap();
    assert_eq!(
        (vma.vm_start, vma.vm_end),
        (top - MIB, top),
        "grown to the page of addr"
    );
    // The limit counts the whole stack, top to the new start.
    let start = top - MIB;
    assert_eq!(expand_stack(&mut mm, start, top - 8 * MIB, 8 * MIB), Ok(()));
    let start = top - 8 * MIB;
    assert_eq!(
        expand_stack(&mut mm, start, start - 1, 8 * MIB),
        Err(VmFault::MapErr)
    );
    assert_eq!(
        mm.vmas.find_vma(top - 1).unwrap().vm_start,
        start,
        "a refusal changes nothing"
    );
}

#[test]
fn expand_stack_keeps_the_guard_gap_to_an_accessible_mapping_below() {
    let top = 0x40_0000_0000;
    let below_end = top - PAGE_SIZE - 2 * STACK_GUARD_GAP;
    let mut mm = stack_mm(top, Some((below_end - PAGE_SIZE, below_end, RW)));
    let start = top - PAGE_SIZE;
    // Down to exactly one guard gap above the mapping: allowed.
    assert_eq!(
        expand_stack(&mut mm, start, below_end + STACK_GUARD_GAP, usize::MAX),
        Ok(())
    );
    let start = below_end + STACK_GUARD_GAP;
    assert_eq!(
        expand_stack(&mut mm, start, start - 1, usize::MAX),
        Err(VmFault::MapErr)
    );
    // A PROT_NONE mapping below is a guard itself: the stack may grow right up to it.
    let mut mm = stack_mm(
        top,
        Some((below_end - PAGE_SIZE, below_end, VmFlags::empty())),
    );
    assert_eq!(
        expand_stack(&mut mm, top - PAGE_SIZE, below_end, usize::MAX),
        Ok(())
    );
    // Never below mmap_min_addr.
    let mut mm = stack_mm(layout::MMAP_MIN_ADDR + PAGE_SIZE, None);
    let start = layout::MMAP_MIN_ADDR;
    assert_eq!(
        expand_stack(&mut mm, start, start - 1, usize::MAX),
        Err(VmFault::MapErr)
    );
}

#[test]
fn a_fault_below_the_stack_grows_it_by_the_callers_rlimit_stack() {
    let top = 0x40_0000_0000;
    let mut mm = stack_mm(top, None);
    assert_eq!(
        handle_mm_fault(&mut mm, top - 2 * MIB, Access::Write),
        Ok(())
    );
    assert!(mm.lookup(top - 2 * MIB).is_some());
    let old = host_set_rlimit(
        crate::task::rlimit::RLIMIT_STACK,
        Rlimit {
            cur: 4 << 20,
            max: u64::MAX,
        },
    )
    .unwrap();
    assert_eq!(
        handle_mm_fault(&mut mm, top - 5 * MIB, Access::Write),
        Err(VmFault::MapErr),
        "past a 4 MiB RLIMIT_STACK"
    );
    assert_eq!(
        handle_mm_fault(&mut mm, top - 3 * MIB, Access::Read),
        Ok(())
    );
    host_set_rlimit(crate::task::rlimit::RLIMIT_STACK, old).unwrap();
}
