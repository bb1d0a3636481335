//! mmap, munmap, mprotect and brk over the VMA list (Linux `mm/mmap.c`: `do_mmap`,
//! `get_unmapped_area`, `mmap_region`, `do_munmap`, `do_brk_flags`, `sys_brk`;
//! `mm/mprotect.c`: `do_mprotect_pkey`, `mprotect_fixup`).
//!
//! These change what *may* be mapped (the VMAs) and drop pages that may no longer be;
//! pages arrive later, one fault at a time (`fault.rs`), unless MAP_POPULATE asks for them
//! now. Simplified: anonymous MAP_SHARED memory is populated at mmap time, so fork shares
//! every page (Linux backs it with a shmem file instead); no RLIMIT_DATA / RLIMIT_AS.

use super::fault::{handle_mm_fault, Access};
use super::layout::{self, page_align_up, PAGE_SIZE};
use super::mm_struct::MmStruct;
use super::page_alloc;
use super::page_table::Prot;
use super::vma::{VmArea, VmFile, VmFlags, VmaError};
use crate::errno::{Errno, KResult};
use alloc::sync::Arc;

/// PROT_READ.
pub const PROT_READ: u32 = 0x1;
/// PROT_WRITE.
pub const PROT_WRITE: u32 = 0x2;
/// PROT_EXEC.
pub const PROT_EXEC: u32 = 0x4;
/// MAP_SHARED: changes are visible to other mappers.
pub const MAP_SHARED: u32 = 0x01;
/// MAP_PRIVATE: changes are copy-on-write private.
pub const MAP_PRIVATE: u32 = 0x02;
/// MAP_SHARED_VALIDATE: MAP_SHARED, refusing unknown flags.
pub const MAP_SHARED_VALIDATE: u32 = 0x03;
/// MAP_FIXED: exactly at addr, replacing what is there.
pub const MAP_FIXED: u32 = 0x10;
/// MAP_ANONYMOUS: not backed by a file; zero-filled.
pub const MAP_ANONYMOUS: u32 = 0x20;
/// MAP_GROWSDOWN: a stack-like mapping.
pub const MAP_GROWSDOWN: u32 = 0x100;
/// MAP_DENYWRITE (ignored, as by Linux).
pub const MAP_DENYWRITE: u32 = 0x800;
/// MAP_EXECUTABLE (ignored, as by Linux).
pub const MAP_EXECUTABLE: u32 = 0x1000;
/// MAP_LOCKED (accepted; nothing is ever swapped).
pub const MAP_LOCKED: u32 = 0x2000;
/// MAP_NORESERVE (accepted).
pub const MAP_NORESERVE: u32 = 0x4000;
/// MAP_POPULATE: fault every page in now.
pub const MAP_POPULATE: u32 = 0x8000;
/// MAP_NONBLOCK (accepted).
pub const MAP_NONBLOCK: u32 = 0x10000;
/// MAP_STACK (accepted, a hint).
pub const MAP_STACK: u32 = 0x20000;
/// MAP_HUGETLB (not supported: EINVAL).
pub const MAP_HUGETLB: u32 = 0x40000;
/// MAP_FIXED_NOREPLACE: exactly at addr, EEXIST if anything is there.
pub const MAP_FIXED_NOREPLACE: u32 = 0x100000;

const KNOWN_FLAGS: u32 = MAP_SHARED
    | MAP_PRIVATE
    | MAP_FIXED
    | MAP_ANONYMOUS
    | MAP_GROWSDOWN
    | MAP_DENYWRITE
    | MAP_EXECUTABLE
    | MAP_LOCKED
    | MAP_NORESERVE
    | MAP_POPULATE
    | MAP_NONBLOCK
    | MAP_STACK
    | MAP_HUGETLB
    | MAP_FIXED_NOREPLACE;

/// The file side of a file mapping: the object and whether it was opened for writing.
pub struct MapFile {
    /// What the pages are read from.
    pub file: Arc<dyn VmFile>,
    /// Opened with write access (needed for a writable MAP_SHARED mapping).
    pub writable: bool,
}

/// Find room for `len` bytes (Linux `get_unmapped_area` ->
/// `arch_get_unmapped_area_topdown`): the hint if it is free, else the highest gap below
/// `mm.mmap_base`.
pub fn get_unmapped_area(mm: &MmStruct, hint: usize, len: usize) -> KResult<usize> {
    if len > layout::TASK_SIZE - layout::MMAP_MIN_ADDR {
        return Err(Errno::ENOMEM);
    }
    if hint != 0 {
        let addr = page_align_up(hint).ok_or(Errno::ENOMEM)?;
        if addr >= layout::MMAP_MIN_ADDR
            && addr <= layout::TASK_SIZE - len
            && mm.vmas.find_vma_intersection(addr, addr + len).is_none()
            && gap_below_stack_ok(mm, addr + len)
        {
            return Ok(addr);
        }
    }
    mm.vmas
        .find_gap_topdown(
            len,
            PAGE_SIZE,
            layout::MMAP_MIN_ADDR,
            mm.mmap_base,
            layout::STACK_GUARD_GAP,
        )
        .or_else(|| {
            // Linux falls back to a bottom-up search when the top-down one fails.
            mm.vmas.find_gap_topdown(
                len,
                PAGE_SIZE,
                layout::MMAP_MIN_ADDR,
                layout::TASK_SIZE,
                layout::STACK_GUARD_GAP,
            )
        })
        .ok_or(Errno::ENOMEM)
}

/// A mapping ending at `end` must leave the guard gap below a stack above it.
fn gap_below_stack_ok(mm: &MmStruct, end: usize) -> bool {
    match mm.vmas.find_vma(end) {
        Some(v) if v.vm_flags.contains(VmFlags::GROWSDOWN) => {
            v.vm_start >= end.saturating_add(layout::STACK_GUARD_GAP)
        }
        _ => true,
    }
}

/// mmap's checks and placement (Linux `do_mmap`), then `mmap_region`. Returns the address.
pub fn do_mmap(
    mm: &mut MmStruct,
    addr: usize,
    len: usize,
    prot: u32,
    flags: u32,
    file: Option<MapFile>,
    offset: usize,
) -> KResult<usize> {
    if len == 0 || !offset.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    match flags & MAP_SHARED_VALIDATE {
        MAP_SHARED | MAP_PRIVATE => {}
        // Linux: MAP_SHARED_VALIDATE refuses flags it does not know.
        MAP_SHARED_VALIDATE if flags & !KNOWN_FLAGS != 0 => return Err(Errno(95)), // EOPNOTSUPP
        MAP_SHARED_VALIDATE => {}
        _ => return Err(Errno::EINVAL), // neither shared nor private
    }
    if flags & MAP_HUGETLB != 0 {
        return Err(Errno::EINVAL);
    }
    let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
    if offset.checked_add(len).is_none() {
        return Err(Errno::EOVERFLOW);
    }
    let shared = flags & MAP_SHARED != 0;
    let anonymous = flags & MAP_ANONYMOUS != 0;
    if !anonymous && file.is_none() {
        return Err(Errno::EBADF);
    }
    if let Some(f) = &file {
        if shared && prot & PROT_WRITE != 0 && !f.writable {
            return Err(Errno::EACCES);
        }
    }
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let start = if fixed {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        if addr < layout::MMAP_MIN_ADDR && addr.checked_add(len).is_some() {
            return Err(Errno::EPERM); // Linux: below mmap_min_addr is refused
        }
        if addr.checked_add(len).is_none_or(|e| e > layout::TASK_SIZE) {
            return Err(Errno::ENOMEM);
        }
        if flags & MAP_FIXED_NOREPLACE != 0
            && mm.vmas.find_vma_intersection(addr, addr + len).is_some()
        {
            return Err(Errno::EEXIST);
        }
        addr
    } else {
        get_unmapped_area(mm, addr, len)?
    };
    let mut vm_flags =
        VmFlags::from_prot_bits(prot) | VmFlags::MAYREAD | VmFlags::MAYWRITE | VmFlags::MAYEXEC;
    if shared {
        vm_flags |= VmFlags::SHARED | VmFlags::MAYSHARE;
    }
    if flags & MAP_GROWSDOWN != 0 {
        vm_flags |= VmFlags::GROWSDOWN;
    }
    let file = if anonymous {
        None
    } else {
        file.map(|f| f.file)
    };
    mmap_region(mm, start, len, vm_flags, file, offset / PAGE_SIZE)?;
    if flags & MAP_POPULATE != 0 || (shared && anonymous) {
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

/// Fault in every page of `[start, end)` now (Linux `mm_populate`), ignoring failures:
/// the accesses will fault again later and report them then.
pub fn populate(mm: &mut MmStruct, start: usize, end: usize) {
    let mut va = start;
    while va < end {
        let access = match mm.vmas.vma_at(va) {
            Some(v) if v.vm_flags.contains(VmFlags::WRITE) => Access::Write,
            Some(_) => Access::Read,
            None => break,
        };
        if handle_mm_fault(mm, va, access).is_err() {
            break;
        }
        va += PAGE_SIZE;
    }
}

/// Remove `[start, start + len)` from the address space (Linux `do_munmap` /
/// `do_vmi_munmap`): split the VMAs at the edges, drop them, free their pages and the
/// page-table pages that become empty. Unmapping a hole is not an error.
pub fn do_munmap(mm: &mut MmStruct, start: usize, len: usize) -> KResult<()> {
    if !start.is_multiple_of(PAGE_SIZE) || len == 0 {
        return Err(Errno::EINVAL);
    }
    let len = page_align_up(len).ok_or(Errno::EINVAL)?;
    let end = start.checked_add(len).ok_or(Errno::EINVAL)?;
    if end > layout::TASK_SIZE {
        return Err(Errno::EINVAL);
    }
    let removed = match mm.vmas.remove_range(start, end) {
        Ok(r) => r,
        Err(VmaError::BadRange) if start < layout::MMAP_MIN_ADDR => {
            // A range starting in page 0 holds no VMA: only the part above matters.
            mm.vmas
                .remove_range(layout::MMAP_MIN_ADDR.min(end), end)
                .unwrap_or_default()
        }
        Err(e) => return Err(e.into()),
    };
    for v in removed {
        mm.zap_range(v.vm_start, v.vm_end);
    }
    Ok(())
}

/// Change the protection of `[start, start + len)` (Linux `do_mprotect_pkey` +
/// `mprotect_fixup` + `change_protection`): ENOMEM if any page is unmapped, and then
/// nothing changes. Present pages get the new permissions now; pages still shared
/// copy-on-write stay read-only until written.
pub fn do_mprotect(mm: &mut MmStruct, start: usize, len: usize, prot: u32) -> KResult<()> {
    if !start.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(());
    }
    let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
    let end = start.checked_add(len).ok_or(Errno::ENOMEM)?;
    if end > layout::TASK_SIZE {
        return Err(Errno::ENOMEM);
    }
    let new = VmFlags::from_prot_bits(prot);
    let rwx = VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC;
    mm.vmas
        .change_flags(start, end, |f| (f - rwx) | new)
        .map_err(Errno::from)?;
    let mut va = start;
    while va < end {
        if let Some((pa, _)) = mm.lookup(va) {
            let shared = mm
                .vmas
                .vma_at(va)
                .is_some_and(|v| v.vm_flags.contains(VmFlags::SHARED));
            let mut p = new.to_prot();
            if !shared && page_alloc::page_count(pa) > 1 {
                p -= Prot::WRITE; // still copy-on-write
            }
            if p.contains(Prot::WRITE | Prot::EXEC) {
                p -= Prot::EXEC; // W^X: a writable page is never executable
            }
            mm.protect_page(va, p)?;
        }
        va += PAGE_SIZE;
    }
    Ok(())
}

/// brk(addr) (Linux `sys_brk`): move the program break. Asking for less than the start,
/// or for more than fits below the next mapping, leaves it where it is; either way the
/// (possibly unchanged) break is returned, never an error. Shrinking frees the pages;
/// growing maps zero-filled memory.
pub fn do_brk(mm: &mut MmStruct, brk: usize) -> usize {
    if brk < mm.start_brk || brk > layout::TASK_SIZE {
        return mm.brk;
    }
    let (Some(newbrk), Some(oldbrk)) = (page_align_up(brk), page_align_up(mm.brk)) else {
        return mm.brk;
    };
    if newbrk == oldbrk {
        mm.brk = brk;
        return brk;
    }
    if newbrk < oldbrk {
        if do_munmap(mm, newbrk, oldbrk - newbrk).is_err() {
            return mm.brk;
        }
        mm.brk = brk;
        return brk;
    }
    // Growing: the new pages (and a guard page) must not touch another mapping.
    if mm
        .vmas
        .find_vma_intersection(oldbrk, newbrk + PAGE_SIZE)
        .is_some()
        || !gap_below_stack_ok(mm, newbrk)
    {
        return mm.brk;
    }
    let flags =
        VmFlags::READ | VmFlags::WRITE | VmFlags::MAYREAD | VmFlags::MAYWRITE | VmFlags::MAYEXEC;
    if mm
        .vmas
        .insert(VmArea::new_anon(oldbrk, newbrk, flags))
        .is_err()
    {
        return mm.brk;
    }
    mm.brk = brk;
    brk
}
