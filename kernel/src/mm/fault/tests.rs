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

/// A file whose VMAs fault from a page cache (what `fs::vfs::RamFile` is in the kernel).
struct CachedFile(Mapping);

impl crate::mm::vma::VmFile for CachedFile {
    fn path(&self) -> &str {
        "/f"
    }
    fn read_at(&self, _: usize, _: &mut [u8]) -> usize {
        unreachable!("a file with a page cache is never read by copy")
    }
    fn ino(&self) -> u64 {
        7
    }
    fn mapping(&self) -> Option<Mapping> {
        Some(self.0.clone())
    }
}

/// A page cache of `size` bytes whose first page is all `fill`.
fn cached_file(size: u64, fill: u8) -> (Mapping, alloc::sync::Arc<CachedFile>) {
    let mapping = crate::mm::filemap::AddressSpace::new_mapping();
    {
        let mut m = mapping.lock();
        let pa = m.find_or_create_page(0).unwrap();
        // SAFETY: a host frame of PAGE_SIZE bytes, held by the cache.
        unsafe { core::ptr::write_bytes(page_address(pa) as *mut u8, fill, PAGE_SIZE) };
        m.i_size = size;
    }
    let file = alloc::sync::Arc::new(CachedFile(mapping.clone()));
    (mapping, file)
}

fn mm_with_file(flags: VmFlags, file: &alloc::sync::Arc<CachedFile>, pages: usize) -> MmStruct {
    let mut mm = MmStruct::new().expect("a page-table root");
    let f: alloc::sync::Arc<dyn crate::mm::vma::VmFile> = file.clone();
    mm.vmas
        .insert(VmArea::new_file(A, A + pages * PAGE_SIZE, flags, f, 0))
        .expect("a free range");
    mm
}

const RX: VmFlags = VmFlags::READ
    .union(VmFlags::EXEC)
    .union(VmFlags::MAYREAD)
    .union(VmFlags::MAYEXEC);

#[test]
fn two_mms_running_one_file_share_its_cache_frame() {
    let before = nr_used_pages();
    let (mapping, file) = cached_file(PAGE_SIZE as u64, 0xd4);
    let cache_pa = mapping.lock().find_page(0).unwrap();
    let mut one = mm_with_file(RX, &file, 1);
    let mut two = mm_with_file(RX, &file, 1);
    assert_eq!(handle_mm_fault(&mut one, A + 8, Access::Exec), Ok(()));
    assert_eq!(handle_mm_fault(&mut two, A, Access::Read), Ok(()));
    let (p1, prot1) = one.lookup(A).unwrap();
    let (p2, _) = two.lookup(A).unwrap();
    assert_eq!(
        (p1, p2),
        (cache_pa, cache_pa),
        "both map the cache's own frame"
    );
    assert!(prot1.contains(Prot::EXEC) && !prot1.contains(Prot::WRITE));
    assert_eq!(page_count(cache_pa), 3, "the cache and two page tables");
    assert_eq!(byte_at(&two, A + 100), Some(0xd4));
    drop((one, two));
    assert_eq!(page_count(cache_pa), 1);
    drop((mapping, file));
    assert_eq!(nr_used_pages(), before);
}

#[test]
fn a_private_write_copies_and_the_file_stays_unchanged() {
    let before = nr_used_pages();
    let (mapping, file) = cached_file(2 * PAGE_SIZE as u64, 0x11);
    let cache_pa = mapping.lock().find_page(0).unwrap();
    let mut mm = mm_with_file(RW, &file, 2);
    // Read first: the cache frame, read-only although the VMA is writable.
    assert_eq!(handle_mm_fault(&mut mm, A, Access::Read), Ok(()));
    assert_eq!(
        mm.lookup(A).map(|(pa, p)| (pa, p.contains(Prot::WRITE))),
        Some((cache_pa, false))
    );
    // Then a write: do_wp_page copies, even though only one page table maps the frame.
    write(&mut mm, A + 3, b"W");
    let (mine, prot) = mm.lookup(A).unwrap();
    assert!(mine != cache_pa && prot.contains(Prot::WRITE));
    assert_eq!(
        (byte_at(&mm, A + 3), byte_at(&mm, A + 4)),
        (Some(b'W'), Some(0x11))
    );
    // A write fault on a page not present (a hole of the file): a private copy at once.
    write(&mut mm, A + PAGE_SIZE, b"H");
    assert_eq!(byte_at(&mm, A + PAGE_SIZE + 1), Some(0));
    // The file saw nothing, and the cache frame has only its own reference left.
    // SAFETY: the cache's frame, PAGE_SIZE bytes.
    assert_eq!(
        unsafe { (page_address(cache_pa) as *const u8).add(3).read() },
        0x11
    );
    assert_eq!(page_count(cache_pa), 1);
    assert_eq!(
        mapping.lock().find_page(1),
        None,
        "a private write adds no cache page"
    );
    drop((mm, mapping, file));
    assert_eq!(nr_used_pages(), before);
}

#[test]
fn a_shared_mapping_writes_the_cache_frame_and_past_eof_is_sigbus() {
    let before = nr_used_pages();
    let (mapping, file) = cached_file(PAGE_SIZE as u64 + 1, 0x22);
    let cache_pa = mapping.lock().find_page(0).unwrap();
    let mut mm = mm_with_file(RW | VmFlags::SHARED | VmFlags::MAYSHARE, &file, 3);
    write(&mut mm, A + 5, b"S");
    assert_eq!(mm.lookup(A).map(|(pa, _)| pa), Some(cache_pa));
    // SAFETY: the cache's frame, PAGE_SIZE bytes.
    assert_eq!(
        unsafe { (page_address(cache_pa) as *const u8).add(5).read() },
        b'S'
    );
    // Page 1 holds the file's last byte: present (a zeroed cache page for the hole).
    assert_eq!(
        handle_mm_fault(&mut mm, A + PAGE_SIZE, Access::Read),
        Ok(())
    );
    assert_eq!(mapping.lock().nrpages(), 2);
    // Page 2 lies wholly past the end: SIGBUS, for reads and writes alike.
    for access in [Access::Read, Access::Write] {
        assert_eq!(
            handle_mm_fault(&mut mm, A + 2 * PAGE_SIZE, access),
            Err(VmFault::SigBus)
        );
    }
    drop((mm, mapping, file));
    assert_eq!(nr_used_pages(), before);
}

#[test]
fn truncation_unmaps_the_pages_past_the_new_end_even_private_copies() {
    let before = nr_used_pages();
    let (mapping, file) = cached_file(3 * PAGE_SIZE as u64, 0x33);
    let mut shared = mm_with_file(RW | VmFlags::SHARED | VmFlags::MAYSHARE, &file, 3);
    let mut private = mm_with_file(RW, &file, 3);
    for p in 0..3 {
        assert_eq!(
            handle_mm_fault(&mut shared, A + p * PAGE_SIZE, Access::Read),
            Ok(())
        );
    }
    write(&mut private, A + 2 * PAGE_SIZE, b"c"); // a private copy of page 2
                                                  // ftruncate(fd, PAGE_SIZE + 1): the cache drops page 2, then every mapping of it goes.
    {
        let mut m = mapping.lock();
        m.truncate_inode_pages(PAGE_SIZE as u64 + 1);
        m.i_size = PAGE_SIZE as u64 + 1;
    }
    let first = (PAGE_SIZE as u64 + 1).div_ceil(PAGE_SIZE as u64);
    assert_eq!(
        crate::mm::filemap::unmap_mapping_pages(&mut shared, &mapping, first),
        1
    );
    assert_eq!(
        crate::mm::filemap::unmap_mapping_pages(&mut private, &mapping, first),
        1
    );
    assert!(
        shared.lookup(A + PAGE_SIZE).is_some(),
        "the partial last page stays"
    );
    assert!(shared.lookup(A + 2 * PAGE_SIZE).is_none());
    assert!(
        private.lookup(A + 2 * PAGE_SIZE).is_none(),
        "even the private copy"
    );
    assert_eq!(
        handle_mm_fault(&mut shared, A + 2 * PAGE_SIZE, Access::Read),
        Err(VmFault::SigBus)
    );
    drop((shared, private, mapping, file));
    assert_eq!(nr_used_pages(), before);
}
