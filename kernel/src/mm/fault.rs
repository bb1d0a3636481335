//! Resolving a page fault, whatever the architecture (Linux `mm/memory.c`
//! `handle_mm_fault`, `do_anonymous_page`, `do_fault`, `do_wp_page`, and `expand_stack`).
//! The exception itself, its syndrome and the signal a fault earns are the
//! architecture's: `arch/aarch64/fault.rs` (Linux `arch/arm64/mm/fault.c`) decodes the
//! access and calls `handle_mm_fault` here.
//!
//! The path: find the VMA (growing a stack VMA if the address is just below it), check
//! the access against its flags, then make the page present: a zeroed page for anonymous
//! memory; for a file mapping the page cache's own frame (`filemap_fault`: read-only in a
//! private mapping, so every process running a program shares its text, writable in a
//! shared one, so stores reach the file), or a private copy of it for a write to a
//! private mapping; for a write to a page shared copy-on-write, a private copy. Anything
//! else is the program's fault: the caller sends SIGSEGV (SIGBUS for a file page wholly
//! past the end of the file).
//!
//! W^X: Linnet never maps a page writable and executable at once. A VMA that allows both
//! (`mmap(PROT_READ|PROT_WRITE|PROT_EXEC)`, which Linux permits) gets its pages mapped
//! read-write, and an instruction fetch from one flips it to read-execute (and a write
//! flips it back), so the program sees what Linux gives it, one fault later.
//!
//! Simplified: no zero page, no huge pages, no swap, no fault-around; files without a
//! page cache (System V shared memory) still get a copy read with `VmFile::read_at`.

use super::filemap::Mapping;
use super::layout::{self, PAGE_SIZE};
use super::mm_struct::MmStruct;
use super::page_alloc;
use super::page_table::Prot;
use super::vma::VmFlags;
use crate::arch::mmu;
use crate::task::rlimit::{rlimit, RLIMIT_STACK};

/// The kind of access that faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A load.
    Read,
    /// A store.
    Write,
    /// An instruction fetch.
    Exec,
}

/// Why a fault could not be resolved: what signal the task gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmFault {
    /// No VMA covers the address (SIGSEGV, si_code SEGV_MAPERR).
    MapErr,
    /// A VMA covers it but forbids this access (SIGSEGV, SEGV_ACCERR).
    AccErr,
    /// No memory for the page (Linux VM_FAULT_OOM; the task is killed).
    Oom,
    /// A file mapping's page lies wholly past the end of the file (Linux
    /// VM_FAULT_SIGBUS from `filemap_fault`): SIGBUS.
    SigBus,
}

/// The page permissions for an `access` to a page of a VMA with `flags`: the VMA's own
/// (Linux `vma->vm_page_prot`), except that a write+exec VMA gets read-write pages, or
/// read-exec ones for an instruction fetch (W^X, see the file comment).
pub fn page_prot(flags: VmFlags, access: Access) -> Prot {
    let prot = flags.to_prot();
    match (prot.contains(Prot::WRITE | Prot::EXEC), access) {
        (true, Access::Exec) => prot - Prot::WRITE,
        (true, _) => prot - Prot::EXEC,
        (false, _) => prot,
    }
}

/// Does a present page with `prot` let `access` through?
fn pte_allows(prot: Prot, access: Access) -> bool {
    match access {
        Access::Read => prot.contains(Prot::READ),
        Access::Write => prot.contains(Prot::WRITE),
        Access::Exec => prot.contains(Prot::EXEC),
    }
}

/// Resolve a fault at `addr` in `mm` (Linux `__do_page_fault` + `handle_mm_fault`).
pub fn handle_mm_fault(mm: &mut MmStruct, addr: usize, access: Access) -> Result<(), VmFault> {
    if !layout::is_user_addr(addr) {
        return Err(VmFault::MapErr);
    }
    let vma = mm.vmas.find_vma(addr).ok_or(VmFault::MapErr)?;
    let (vm_start, flags) = (vma.vm_start, vma.vm_flags);
    if vm_start > addr {
        if !flags.contains(VmFlags::GROWSDOWN) {
            return Err(VmFault::MapErr);
        }
        expand_stack(mm, vm_start, addr, rlimit(RLIMIT_STACK))?;
    }
    let allowed = match access {
        Access::Read => flags.intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC),
        Access::Write => flags.contains(VmFlags::WRITE),
        Access::Exec => flags.contains(VmFlags::EXEC),
    };
    if !allowed {
        return Err(VmFault::AccErr);
    }
    let page = addr & !(PAGE_SIZE - 1);
    match mm.lookup(page) {
        None => do_fault(mm, page, access),
        Some((pa, prot)) if access == Access::Write && !prot.contains(Prot::WRITE) => {
            do_wp_page(mm, page, pa, flags)
        }
        Some((pa, prot)) if access == Access::Exec && !prot.contains(Prot::EXEC) => {
            // A write+exec VMA's page, mapped read-write until now: make it read-exec.
            mmu::sync_icache(page_alloc::page_address(pa), PAGE_SIZE);
            mm.protect_page(page, page_prot(flags, Access::Exec))
                .map_err(|_| VmFault::Oom)
        }
        // Present with the right permissions: a stale TLB entry (another path changed
        // the PTE). Flushing it is enough, and the retried access then succeeds.
        Some((_, prot)) if pte_allows(prot, access) => {
            mm.flush_tlb_page(page);
            Ok(())
        }
        // The VMA allows the access but the PTE does not, and no rule above changes the
        // PTE: returning success would fault again at once, forever. Say so and refuse.
        Some((_, prot)) => {
            log::warn!(
                "fault at 0x{:x}: {:?} allowed by the VMA ({:?}) but not by the PTE ({:?})",
                addr,
                access,
                flags,
                prot
            );
            Err(VmFault::AccErr)
        }
    }
}

/// Grow the stack VMA starting at `vm_start` down to cover `addr` (Linux `expand_stack`
/// -> `expand_downwards` + `acct_stack_growth`, `mm/mmap.c`). Refused (the fault becomes
/// SIGSEGV) when the stack would get bigger than `stack_limit`, the caller's soft
/// RLIMIT_STACK (8 MiB unless setrlimit changed it; Linux's `acct_stack_growth` reads
/// `rlimit(RLIMIT_STACK)` itself, Linnet's caller passes it in), reach below
/// `mmap_min_addr`, or come closer than `stack_guard_gap` (256 pages) to the VMA below
/// it, if that one is accessible and not a stack itself (Linux skips PROT_NONE guard
/// mappings in that test). Simplified: no RLIMIT_AS / RLIMIT_MEMLOCK accounting.
pub fn expand_stack(
    mm: &mut MmStruct,
    vm_start: usize,
    addr: usize,
    stack_limit: usize,
) -> Result<(), VmFault> {
    // LAB 3 BEGIN: grow the stack VMA down to addr within RLIMIT_STACK and the guard gap
    let new_start = addr & !(PAGE_SIZE - 1);
    if new_start < layout::MMAP_MIN_ADDR {
        return Err(VmFault::MapErr);
    }
    let vm_end = mm
        .vmas
        .vma_at(vm_start)
        .map(|v| v.vm_end)
        .ok_or(VmFault::MapErr)?;
    if vm_end - new_start > stack_limit {
        return Err(VmFault::MapErr);
    }
    let prev = mm.vmas.iter().take_while(|v| v.vm_end <= vm_start).last();
    if let Some(prev) = prev {
        let accessible = prev
            .vm_flags
            .intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC);
        if accessible
            && !prev.vm_flags.contains(VmFlags::GROWSDOWN)
            && new_start - prev.vm_end.min(new_start) < layout::STACK_GUARD_GAP
        {
            return Err(VmFault::MapErr);
        }
    }
    mm.vmas
        .expand_down(vm_start, new_start)
        .map_err(|_| VmFault::MapErr)
    // LAB 3 END
}

/// Make the page at `page` present now, as a read fault would, whatever its VMA allows
/// (a PROT_NONE page gets a frame it cannot yet reach). For memory that must exist
/// before anyone touches it: anonymous MAP_SHARED memory, which fork can only share
/// page by page (see `mmap.rs`).
pub fn prefault(mm: &mut MmStruct, page: usize) -> Result<(), VmFault> {
    match mm.lookup(page) {
        Some(_) => Ok(()),
        None => do_fault(mm, page & !(PAGE_SIZE - 1), Access::Read),
    }
}

/// A page not present yet (Linux `do_anonymous_page` / `do_read_fault` /
/// `do_cow_fault`): a zeroed frame, filled from the file for a file mapping, mapped with
/// the VMA's permissions. The part of the last file page past the end of the file reads
/// as zeros; a page wholly past it is SIGBUS, as in Linux.
fn do_fault(mm: &mut MmStruct, page: usize, access: Access) -> Result<(), VmFault> {
    let vma = mm.vmas.vma_at(page).ok_or(VmFault::MapErr)?;
    if vma.vm_special.is_some() {
        return super::special_mapping::special_mapping_fault(mm, page, access);
    }
    let prot = page_prot(vma.vm_flags, access);
    let shared = vma.vm_flags.contains(VmFlags::SHARED);
    let file = vma.vm_file.clone().map(|f| (f, vma.file_offset(page)));
    if let Some((f, off)) = &file {
        if let Some(mapping) = f.mapping() {
            return filemap_fault(mm, page, &mapping, *off as u64, prot, access, shared);
        }
    }
    let pa = page_alloc::alloc_user_page().ok_or(VmFault::Oom)?;
    let kva = page_alloc::page_address(pa);
    if let Some((f, off)) = file {
        // SAFETY: the frame was just allocated and is reached through the linear map.
        let buf = unsafe { core::slice::from_raw_parts_mut(kva as *mut u8, PAGE_SIZE) };
        if f.read_at(off, buf) == 0 {
            page_alloc::put_page(pa);
            return Err(VmFault::SigBus);
        }
    }
    if prot.contains(Prot::EXEC) {
        mmu::sync_icache(kva, PAGE_SIZE);
    }
    if mm.map_page(page, pa, prot).is_err() {
        page_alloc::put_page(pa);
        return Err(VmFault::Oom);
    }
    Ok(())
}

/// A file page not present yet, in a VMA whose file has a page cache (Linux
/// `filemap_fault` in `mm/filemap.c`, reached through `do_read_fault`, `do_cow_fault`
/// and `do_shared_fault` in `mm/memory.c`). A page wholly past the end of the file is
/// SIGBUS. A read or exec fault maps the cache frame itself with one more reference,
/// read-only in a private mapping (a later write copies it in `do_wp_page`: the cache's
/// reference keeps the count above 1, so the frame is never reused); a fault in a shared
/// mapping maps it with the VMA's permissions, writable if the VMA is, so stores reach
/// the file. A write fault in a private mapping maps a private copy at once
/// (`do_cow_fault`). A hole inside the file gets a zeroed cache frame first, as Linux's
/// `shmem`/ramfs `filemap_fault` allocates one. Simplified: no readahead, no page lock.
fn filemap_fault(
    mm: &mut MmStruct,
    page: usize,
    mapping: &Mapping,
    off: u64,
    prot: Prot,
    access: Access,
    shared: bool,
) -> Result<(), VmFault> {
    let mut m = mapping.lock();
    if off >= m.i_size {
        return Err(VmFault::SigBus);
    }
    let index = off / PAGE_SIZE as u64;
    let (pa, prot) = if access == Access::Write && !shared {
        let new = page_alloc::alloc_user_page().ok_or(VmFault::Oom)?;
        if let Some(src) = m.find_page(index) {
            // SAFETY: `src` is a cache frame (held by the cache, whose lock we hold) and
            // `new` is ours alone; both are PAGE_SIZE bytes at page_address.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    page_alloc::page_address(src) as *const u8,
                    page_alloc::page_address(new) as *mut u8,
                    PAGE_SIZE,
                )
            };
        }
        (new, prot)
    } else {
        let pa = m.find_or_create_page(index).ok_or(VmFault::Oom)?;
        page_alloc::get_page(pa); // the page table's reference
        (pa, if shared { prot } else { prot - Prot::WRITE })
    };
    drop(m);
    if prot.contains(Prot::EXEC) {
        mmu::sync_icache(page_alloc::page_address(pa), PAGE_SIZE);
    }
    if mm.map_page(page, pa, prot).is_err() {
        page_alloc::put_page(pa);
        return Err(VmFault::Oom);
    }
    Ok(())
}

/// A write to a present read-only page of a writable VMA: copy-on-write (Linux
/// `do_wp_page`). The last user of the frame just gets write permission back
/// (`wp_page_reuse`); otherwise the page is copied (`wp_page_copy`). A page-cache frame
/// mapped into a private VMA always has a count above 1 (the cache holds one), so it is
/// copied, as Linux's `PageAnon` test decides; once truncation has dropped it from the
/// cache the mapper owns it alone and may reuse it.
fn do_wp_page(mm: &mut MmStruct, page: usize, old: usize, flags: VmFlags) -> Result<(), VmFault> {
    // LAB 3 BEGIN: copy-on-write: reuse the frame, or copy it with wp_page_copy
    let prot = page_prot(flags, Access::Write);
    if super::page_ref::wp_can_reuse(page_alloc::page_count(old), flags.contains(VmFlags::SHARED)) {
        return mm.protect_page(page, prot).map_err(|_| VmFault::Oom);
    }
    wp_page_copy(mm, page, old, prot)
    // LAB 3 END
}

/// Replace the frame `old` mapped at `page` by a private copy mapped with `prot` (Linux
/// `wp_page_copy`); also how a forced write (ptrace, `/proc/PID/mem`) breaks the sharing
/// of a read-only private page (`access_remote.rs`).
pub fn wp_page_copy(mm: &mut MmStruct, page: usize, old: usize, prot: Prot) -> Result<(), VmFault> {
    // LAB 3 BEGIN: copy the frame to a new one and map that instead, with prot
    let new = page_alloc::alloc_user_page().ok_or(VmFault::Oom)?;
    // SAFETY: both frames are mapped in the linear map; `new` is ours alone.
    unsafe {
        core::ptr::copy_nonoverlapping(
            page_alloc::page_address(old) as *const u8,
            page_alloc::page_address(new) as *mut u8,
            PAGE_SIZE,
        );
    }
    if prot.contains(Prot::EXEC) {
        mmu::sync_icache(page_alloc::page_address(new), PAGE_SIZE);
    }
    mm.zap_range(page, page + PAGE_SIZE); // drops our reference to `old`
    if mm.map_page(page, new, prot).is_err() {
        page_alloc::put_page(new);
        return Err(VmFault::Oom);
    }
    Ok(())
    // LAB 3 END
}

#[cfg(test)]
mod tests;
