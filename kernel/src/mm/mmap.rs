//! mmap, munmap, mprotect, madvise and brk over the VMA list (Linux `mm/mmap.c`:
//! `do_mmap`, `mmap_region`, `do_munmap`, `do_brk_flags`, `sys_brk`; `mm/mprotect.c`:
//! `do_mprotect_pkey`, `mprotect_fixup`, `change_protection`; `mm/madvise.c`:
//! `madvise_dontneed_free`).
//!
//! These change what *may* be mapped (the VMAs) and drop pages that may no longer be;
//! pages arrive later, one fault at a time (`fault.rs`), unless MAP_POPULATE asks for them
//! now. The rules (which flags, which errno, where a mapping goes, how far brk may move)
//! are in `mman.rs`, where they are unit-tested; this file applies them to an
//! `MmStruct`'s VMAs and page table.
//!
//! Simplified: anonymous MAP_SHARED memory is populated at mmap time, so fork shares
//! every page (Linux backs it with a shmem file instead); a MAP_SHARED file mapping gets
//! private copies of the file's pages, so its writes never reach the file (Linux shares
//! the page cache); no RLIMIT_AS, no overcommit accounting, no mlock.
//!
//! Read next: `mman.rs` (the rules), `fault.rs` (how pages arrive), `vma.rs` (the list).

use super::fault::{handle_mm_fault, page_prot, prefault, Access};
use super::layout::{self, PAGE_SIZE};
use super::mm_struct::MmStruct;
use super::mman::{self, madv, BrkBounds, BrkPlan, FileMode};
use super::page_alloc;
use super::page_table::Prot;
use super::vma::{VmArea, VmFile, VmFlags};
use crate::arch::mmu;
use crate::errno::{Errno, KResult};
use crate::task::rlimit::{rlimit, RLIMIT_DATA};
use alloc::sync::Arc;

pub use super::mman::{
    MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NONBLOCK, MAP_POPULATE, MAP_PRIVATE,
    MAP_SHARED, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE,
};

/// The file side of a file mapping: the object and how it was opened.
pub struct MapFile {
    /// What the pages are read from.
    pub file: Arc<dyn VmFile>,
    /// How the file was opened (the mapping may not outdo it).
    pub mode: FileMode,
}

/// mmap's checks and placement (Linux `do_mmap`), then `mmap_region`; returns the address.
/// The caller (`sys_mmap`) has refused an unaligned offset and looked up the file, and
/// passes the offset in pages. `mman.rs` has the rules: the length, the flags
/// (`mmap_vm_flags`), the placement (`get_unmapped_area`). MAP_FIXED_NOREPLACE over
/// anything mapped is EEXIST; MAP_FIXED replaces what it covers.
pub fn do_mmap(
    mm: &mut MmStruct,
    addr: usize,
    len: usize,
    prot: u32,
    flags: u32,
    file: Option<MapFile>,
    pgoff: usize,
) -> KResult<usize> {
    let len = mman::mmap_len(len, pgoff, mm.vmas.len())?;
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let start = mman::get_unmapped_area(&mm.vmas, mm.mmap_base, addr, len, fixed)?;
    if flags & MAP_FIXED_NOREPLACE != 0
        && mm.vmas.find_vma_intersection(start, start + len).is_some()
    {
        return Err(Errno::EEXIST);
    }
    let vm_flags = mman::mmap_vm_flags(prot, flags, file.as_ref().map(|f| f.mode))?;
    // Linux keeps `vm_start >> PAGE_SHIFT` as an anonymous VMA's pgoff; Linnet keeps 0.
    let (file, pgoff) = match file {
        Some(f) => (Some(f.file), pgoff),
        None => (None, 0),
    };
    let anonymous_shared = file.is_none() && vm_flags.contains(VmFlags::SHARED);
    mmap_region(mm, start, len, vm_flags, file, pgoff)?;
    if anonymous_shared {
        // Every page must exist before a fork can share it (see the file comment), even
        // a PROT_NONE one that mprotect may open up later.
        let mut va = start;
        while va < start + len {
            if prefault(mm, va).is_err() {
                let _ = do_munmap(mm, start, len);
                return Err(Errno::ENOMEM);
            }
            va += PAGE_SIZE;
        }
    } else if flags & (MAP_POPULATE | MAP_NONBLOCK) == MAP_POPULATE {
        // Linux ignores mm_populate's result: a page it could not get faults later.
        populate(mm, start, start + len);
    }
    Ok(start)
}

/// Create (or merge into a neighbour) the VMA for `[start, start + len)`, first
/// unmapping whatever MAP_FIXED covers (Linux `mmap_region`).
pub fn mmap_region(
    mm: &mut MmStruct,
    start: usize,
    len: usize,
    flags: VmFlags,
    file: Option<Arc<dyn VmFile>>,
    pgoff: usize,
) -> KResult<()> {
    do_munmap(mm, start, len)?;
    let vma = match file {
        Some(f) => VmArea::new_file(start, start + len, flags, f, pgoff),
        None => VmArea::new_anon(start, start + len, flags),
    };
    mm.vmas.insert(vma).map_err(Errno::from)?;
    Ok(())
}

/// Fault in every page of `[start, end)` now (Linux `mm_populate` /
/// `populate_vma_page_range`), as a write where the VMA allows it. Returns false if a
/// page could not be had (the rest is left for later faults); inaccessible (PROT_NONE)
/// pages are skipped.
pub fn populate(mm: &mut MmStruct, start: usize, end: usize) -> bool {
    let mut va = start;
    while va < end {
        let access = match mm.vmas.vma_at(va).map(|v| v.vm_flags) {
            Some(f) if f.contains(VmFlags::WRITE) => Access::Write,
            Some(f) if f.intersects(VmFlags::READ | VmFlags::EXEC) => Access::Read,
            Some(_) => {
                va += PAGE_SIZE;
                continue;
            }
            None => return false,
        };
        if handle_mm_fault(mm, va, access).is_err() {
            return false;
        }
        va += PAGE_SIZE;
    }
    true
}

/// Remove `[start, start + len)` from the address space (Linux `do_munmap` /
/// `do_vmi_munmap`): split the VMAs at the edges, drop them, free their pages and the
/// page-table pages that become empty, and invalidate each page's TLB entry by ASID and
/// address (`MmStruct::zap_range`). Unmapping a hole is not an error.
pub fn do_munmap(mm: &mut MmStruct, start: usize, len: usize) -> KResult<()> {
    let end = mman::munmap_range(start, len)?;
    // Page 0 never holds a VMA, so only the part above it can have any.
    let from = start.max(layout::MMAP_MIN_ADDR);
    if from >= end {
        return Ok(());
    }
    let removed = mm.vmas.remove_range(from, end).map_err(Errno::from)?;
    for v in removed {
        mm.zap_range(v.vm_start, v.vm_end);
    }
    Ok(())
}

/// Change the protection of `[start, start + len)` (Linux `do_mprotect_pkey` +
/// `mprotect_fixup` + `change_protection`): split the VMAs at the edges, give them the
/// new READ/WRITE/EXEC bits, merge what now matches, and rewrite the present pages'
/// entries. An unmapped page anywhere in the range is ENOMEM and nothing changes (Linux
/// may have changed the VMAs before the hole). A private page still shared
/// copy-on-write stays read-only until written; a write+exec VMA's pages get read-write
/// (W^X, `fault::page_prot`); a page that becomes executable has its instruction cache
/// made coherent first (Linux does that in `set_pte_at`).
pub fn do_mprotect(mm: &mut MmStruct, start: usize, len: usize, prot: u32) -> KResult<()> {
    let Some((start, end, new)) = mman::mprotect_check(&mm.vmas, start, len, prot)? else {
        return Ok(());
    };
    let rwx = VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC;
    mm.vmas
        .change_flags(start, end, |f| (f - rwx) | new)
        .map_err(Errno::from)?;
    let mut from = start;
    while let Some((va, pa, _)) = mm.next_present(from, end) {
        let flags = mm.vmas.vma_at(va).map_or(new, |v| v.vm_flags);
        let mut p = page_prot(flags, Access::Read);
        if !flags.contains(VmFlags::SHARED) && page_alloc::page_count(pa) > 1 {
            p -= Prot::WRITE; // still copy-on-write
        }
        if p.contains(Prot::EXEC) {
            mmu::sync_icache(layout::phys_to_virt(pa), PAGE_SIZE);
        }
        mm.protect_page(va, p)?;
        from = va + PAGE_SIZE;
    }
    Ok(())
}

/// madvise(start, len, advice) (Linux `do_madvise`): unknown advice is EINVAL; if part
/// of the range is unmapped, the advice still applies to the rest and the call returns
/// ENOMEM. What Linnet does with each advice:
/// - DONTNEED / DONTNEED_LOCKED / FREE: drop the pages of private mappings
///   (`madvise_dontneed_free`): anonymous memory then reads as zeros, a private file
///   mapping reads the file again. Shared mappings keep their pages: anonymous shared
///   memory has no shmem behind it, so its pages *are* the contents; a shared file
///   mapping's pages are the page cache's own (`filemap_fault`), so keeping them mapped
///   changes nothing a program can see.
/// - DONTFORK / DOFORK: set or clear `VM_DONTCOPY` (fork leaves the range out).
/// - POPULATE_READ / POPULATE_WRITE: fault the pages in now (ENOMEM if one cannot be).
/// - REMOVE: EINVAL unless the mapping is shared (then accepted, nothing to free).
/// - the hints (NORMAL, RANDOM, SEQUENTIAL, WILLNEED, COLD, PAGEOUT, DONTDUMP, DODUMP):
///   accepted and ignored, as Linux may ignore them.
pub fn do_madvise(mm: &mut MmStruct, start: usize, len: usize, advice: u32) -> KResult<()> {
    let Some(end) = mman::madvise_range(start, len, advice)? else {
        return Ok(());
    };
    let mut hole = false;
    let mut addr = start;
    while addr < end {
        let Some(v) = mm.vmas.find_vma_intersection(addr, end) else {
            hole = true;
            break;
        };
        hole |= v.vm_start > addr;
        let (lo, hi) = (v.vm_start.max(addr), v.vm_end.min(end));
        let flags = v.vm_flags;
        match advice {
            madv::DONTNEED | madv::DONTNEED_LOCKED | madv::FREE
                if !flags.contains(VmFlags::MAYSHARE) =>
            {
                mm.zap_range(lo, hi);
            }
            madv::DONTFORK | madv::DOFORK => {
                let set = advice == madv::DONTFORK;
                mm.vmas
                    .change_flags(lo, hi, |f| f.difference(VmFlags::DONTCOPY) | dontcopy(set))
                    .map_err(Errno::from)?;
            }
            madv::POPULATE_READ | madv::POPULATE_WRITE => {
                let access = match advice {
                    madv::POPULATE_WRITE => Access::Write,
                    _ => Access::Read,
                };
                let mut va = lo;
                while va < hi {
                    handle_mm_fault(mm, va, access).map_err(|_| Errno::ENOMEM)?;
                    va += PAGE_SIZE;
                }
            }
            madv::REMOVE if !flags.contains(VmFlags::SHARED) => return Err(Errno::EINVAL),
            _ => {}
        }
        addr = hi;
    }
    match hole {
        true => Err(Errno::ENOMEM),
        false => Ok(()),
    }
}

/// `VM_DONTCOPY` if `set`, else nothing.
fn dontcopy(set: bool) -> VmFlags {
    match set {
        true => VmFlags::DONTCOPY,
        false => VmFlags::empty(),
    }
}

/// brk(addr) (Linux `sys_brk`): move the program break. `mman::brk_plan` decides; a
/// refused request leaves the break where it is. Either way the (possibly unchanged)
/// break is returned, never an error, so `brk(0)` reports it. Shrinking unmaps the pages
/// (they read as zero if the heap grows back); growing maps zero-filled memory lazily,
/// merging with the heap VMA below (Linux `do_brk_flags` extends it).
pub fn do_brk(mm: &mut MmStruct, brk: usize) -> usize {
    let bounds = BrkBounds {
        start_brk: mm.start_brk,
        brk: mm.brk,
        start_data: mm.start_data,
        end_data: mm.end_data,
    };
    match mman::brk_plan(&mm.vmas, bounds, brk, rlimit(RLIMIT_DATA)) {
        BrkPlan::Refuse => return mm.brk,
        BrkPlan::Set => {}
        BrkPlan::Shrink(from, to) => {
            if do_munmap(mm, from, to - from).is_err() {
                return mm.brk;
            }
        }
        BrkPlan::Grow(from, to) => {
            let flags = VmFlags::READ
                | VmFlags::WRITE
                | VmFlags::MAYREAD
                | VmFlags::MAYWRITE
                | VmFlags::MAYEXEC;
            if mm.vmas.insert(VmArea::new_anon(from, to, flags)).is_err() {
                return mm.brk;
            }
        }
    }
    mm.brk = brk;
    brk
}
