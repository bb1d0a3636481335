//! Host tests of fork's `dup_mmap` and of tearing an address space down, over the fake
//! frames of `page_alloc_host.rs`.

use super::*;
use crate::mm::access_remote::{FollFlags, RemoteBuf};
use crate::mm::fault::{handle_mm_fault, Access};
use crate::mm::page_alloc::{nr_used_pages, page_count, set_frame_limit};
use crate::mm::vma::VmArea;

const A: usize = 0x10_0000;
const RW: VmFlags = VmFlags::READ
    .union(VmFlags::WRITE)
    .union(VmFlags::MAYREAD)
    .union(VmFlags::MAYWRITE);
const RO: VmFlags = VmFlags::READ.union(VmFlags::MAYREAD);

/// An mm with a private writable VMA at A (2 pages, both touched), a shared one at
/// A + 4 pages, a read-only one at A + 8 pages and a MADV_DONTFORK one at A + 12 pages
/// (one page each, touched).
fn parent() -> MmStruct {
    let mut mm = MmStruct::new().unwrap();
    let shared = RW | VmFlags::SHARED | VmFlags::MAYSHARE;
    for (start, pages, flags) in [
        (A, 2, RW),
        (A + 4 * PAGE_SIZE, 1, shared),
        (A + 8 * PAGE_SIZE, 1, RO),
        (A + 12 * PAGE_SIZE, 1, RW | VmFlags::DONTCOPY),
    ] {
        mm.vmas
            .insert(VmArea::new_anon(start, start + pages * PAGE_SIZE, flags))
            .unwrap();
        for p in 0..pages {
            handle_mm_fault(&mut mm, start + p * PAGE_SIZE, Access::Read).unwrap();
        }
    }
    let data = b"parent";
    let n = mm.access_remote_vm(A, RemoteBuf::Write(data), FollFlags::empty());
    assert_eq!(n, data.len());
    mm.brk = 0x1234_5000;
    mm
}

#[test]
fn dup_mmap_shares_every_page_and_write_protects_private_writable_ones() {
    let before = nr_used_pages();
    let mut p = parent();
    let c = p.dup_mmap().expect("fork");
    assert_eq!(c.brk, p.brk, "the bounds are copied");
    for va in [A, A + PAGE_SIZE, A + 4 * PAGE_SIZE, A + 8 * PAGE_SIZE] {
        let (ppa, pprot) = p.lookup(va).unwrap();
        let (cpa, cprot) = c.lookup(va).unwrap();
        assert_eq!(ppa, cpa, "{va:#x}: one frame for both");
        assert_eq!(page_count(ppa), 2, "{va:#x}: two page tables map it");
        assert_eq!(pprot, cprot, "{va:#x}: the same permissions on both sides");
        let private_rw = va < A + 2 * PAGE_SIZE;
        assert_eq!(
            pprot.contains(Prot::WRITE),
            va == A + 4 * PAGE_SIZE,
            "{va:#x}: only the shared page stays writable (private: {private_rw})"
        );
    }
    // MADV_DONTFORK: no VMA, no page in the child; the parent's page is untouched.
    assert!(c.vmas.find_vma(A + 12 * PAGE_SIZE).is_none());
    assert_eq!(c.lookup(A + 12 * PAGE_SIZE), None);
    let (dpa, dprot) = p.lookup(A + 12 * PAGE_SIZE).unwrap();
    assert_eq!(page_count(dpa), 1);
    assert!(dprot.contains(Prot::WRITE));
    // Each side drops its own references: the child first, then the parent.
    drop(c);
    assert_eq!(page_count(p.lookup(A).unwrap().0), 1);
    drop(p);
    assert_eq!(
        nr_used_pages(),
        before,
        "every frame and table page is back"
    );
}

#[test]
fn a_fork_that_runs_out_of_memory_releases_what_the_child_had_mapped() {
    let mut p = parent();
    let frames: alloc::vec::Vec<_> = [A, A + PAGE_SIZE, A + 4 * PAGE_SIZE]
        .iter()
        .map(|&va| p.lookup(va).unwrap().0)
        .collect();
    let before = nr_used_pages();
    // Room for the child's root table and a few more: not for all its tables.
    set_frame_limit(Some(before + 2));
    let r = p.dup_mmap();
    set_frame_limit(None);
    assert_eq!(r.err(), Some(Errno::ENOMEM));
    assert_eq!(nr_used_pages(), before, "the half-built child is freed");
    for pa in frames {
        assert_eq!(
            page_count(pa),
            1,
            "{pa:#x}: the child's references are dropped"
        );
    }
}

#[test]
fn zap_range_unmaps_and_frees_only_the_range() {
    let mut mm = parent();
    let before = nr_used_pages();
    mm.zap_range(A + PAGE_SIZE, A + 5 * PAGE_SIZE);
    assert!(mm.lookup(A).is_some());
    assert_eq!(mm.lookup(A + PAGE_SIZE), None);
    assert_eq!(mm.lookup(A + 4 * PAGE_SIZE), None);
    assert!(mm.lookup(A + 8 * PAGE_SIZE).is_some());
    assert_eq!(nr_used_pages(), before - 2);
    assert_eq!(mm.rss_pages(), 3);
    assert_eq!(
        mm.next_present(A + PAGE_SIZE, A + 16 * PAGE_SIZE)
            .map(|t| t.0),
        Some(A + 8 * PAGE_SIZE)
    );
}
