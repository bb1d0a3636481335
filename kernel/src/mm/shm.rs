//! The address-space half of System V shared memory (Linux `do_shmat`'s `do_mmap` of the
//! segment's shmem file, and `ksys_shmdt`): a segment's frames mapped into the caller,
//! shared and never copied on write. `ipc/shm.rs` owns the segments; this file only
//! maps frames it is given.
//!
//! The VMA is a file VMA whose file is the segment (`VmFile::is_sysv_shm`), flagged
//! SHARED | MAYSHARE, so `dup_mmap` gives a forked child the same frames (not
//! copy-on-write), and every page is present from the start, as for anonymous
//! MAP_SHARED memory (`mmap.rs`).

use super::layout::PAGE_SIZE;
use super::mm_struct::MmStruct;
use super::mman;
use super::mmap::{do_munmap, mmap_region};
use super::page_alloc;
use super::vma::{VmFile, VmFlags};
use crate::errno::{Errno, KResult};
use alloc::sync::Arc;

/// Map `frames` (one per page) at `addr`, or where mmap would put them (`None`), with
/// `flags`, as a VMA of `file`. Without `remap`, a fixed range that overlaps a mapping
/// is EINVAL (Linux `do_shmat` without SHM_REMAP); with it, the old mappings go.
pub fn shm_map(
    mm: &mut MmStruct,
    addr: Option<usize>,
    frames: &[usize],
    flags: VmFlags,
    file: Arc<dyn VmFile>,
    remap: bool,
) -> KResult<usize> {
    let len = frames.len() * PAGE_SIZE;
    let start = match addr {
        Some(a) => {
            let end = a.checked_add(len).ok_or(Errno::EINVAL)?;
            if !remap && mm.vmas.find_vma_intersection(a, end).is_some() {
                return Err(Errno::EINVAL);
            }
            mman::get_unmapped_area(&mm.vmas, mm.mmap_base, a, len, true)?
        }
        None => mman::get_unmapped_area(&mm.vmas, mm.mmap_base, 0, len, false)?,
    };
    mmap_region(mm, start, len, flags, Some(file), 0)?;
    let mut prot = flags.to_prot();
    if prot.contains(super::page_table::Prot::WRITE) {
        prot -= super::page_table::Prot::EXEC; // W^X for the pages; the VMA keeps both
    }
    for (i, &pa) in frames.iter().enumerate() {
        page_alloc::get_page(pa);
        if mm.map_page(start + i * PAGE_SIZE, pa, prot).is_err() {
            page_alloc::put_page(pa);
            let _ = do_munmap(mm, start, len);
            return Err(Errno::ENOMEM);
        }
    }
    Ok(start)
}

/// Detach the segment mapped at `addr` (Linux `ksys_shmdt`): the VMA must start there,
/// at the segment's first page, and be a System V segment; it and the VMAs of the same
/// attachment right after it (mprotect may have split it) are unmapped. EINVAL if
/// there is none.
pub fn shm_unmap(mm: &mut MmStruct, addr: usize) -> KResult<()> {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let first = mm
        .vmas
        .vma_at(addr)
        .filter(|v| v.vm_start == addr && v.vm_pgoff == 0)
        .and_then(|v| v.vm_file.clone())
        .filter(|f| f.is_sysv_shm())
        .ok_or(Errno::EINVAL)?;
    let mut end = addr;
    while let Some(v) = mm.vmas.vma_at(end) {
        let same = v.vm_start == end
            && v.vm_file.as_ref().is_some_and(|f| Arc::ptr_eq(f, &first))
            && v.vm_pgoff == (end - addr) / PAGE_SIZE;
        if !same {
            break;
        }
        end = v.vm_end;
    }
    drop(first);
    do_munmap(mm, addr, end - addr)
}
