//! mremap: resize a mapping, in place or by moving it (Linux `mm/mremap.c`:
//! `SYSCALL_DEFINE5(mremap)`, `mremap_to`, `vma_to_resize`, `vma_expandable`,
//! `move_vma`, `move_page_tables`).
//!
//! ```text
//! shrink (new_len <= old_len, no MREMAP_FIXED)  unmap the tail; the address stays
//! grow in place  (old range ends its VMA, room after it)   the VMA's end moves up
//! move   (MREMAP_MAYMOVE, or MREMAP_FIXED to new_addr)     a new VMA there, the page
//!        table entries move to it with their frames (no copying), the old range goes
//! ```
//!
//! With MREMAP_DONTUNMAP the old range keeps its VMA, now empty (its pages fault in
//! anew). The argument rules are plain (`check_args`, tested on the host); the work is
//! kernel-only. Simplified: no `mlock` accounting, no `uffd`, no `VM_DONTEXPAND`/`PFNMAP`
//! VMAs to refuse; a moved anonymous MAP_SHARED mapping gets every new page at once, as
//! `mmap` gives it (see `mmap.rs`).

use crate::errno::Errno;
use crate::mm::layout::{page_align_up, PAGE_SIZE, TASK_SIZE};

pub use uapi::mman::{MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE};

/// The checks Linux's `SYSCALL_DEFINE5(mremap)` makes before looking at the mappings: EINVAL
/// for unknown flags, FIXED or DONTUNMAP without MAYMOVE, DONTUNMAP with a new size, an
/// unaligned address, a zero new length (or one that overflows). Returns the lengths,
/// page aligned.
pub fn check_args(
    addr: usize,
    old_len: usize,
    new_len: usize,
    flags: u64,
) -> Result<(usize, usize), Errno> {
    if flags & !(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_DONTUNMAP != 0 && (flags & MREMAP_MAYMOVE == 0 || old_len != new_len) {
        return Err(Errno::EINVAL);
    }
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let old_len = page_align_up(old_len).ok_or(Errno::EINVAL)?;
    let new_len = page_align_up(new_len).ok_or(Errno::EINVAL)?;
    if new_len == 0 {
        return Err(Errno::EINVAL);
    }
    Ok((old_len, new_len))
}

/// Linux `mremap_to`'s checks of the target: page aligned, inside user space, not overlapping
/// the old range (EINVAL).
pub fn check_target(
    addr: usize,
    old_len: usize,
    new_addr: usize,
    new_len: usize,
) -> Result<(), Errno> {
    if !new_addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    if new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len {
        return Err(Errno::EINVAL);
    }
    if addr + old_len > new_addr && new_addr + new_len > addr {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

#[cfg(target_os = "none")]
pub use kernel::*;

#[cfg(target_os = "none")]
mod kernel {
    use super::*;
    use crate::errno::KResult;
    use crate::mm::fault::prefault;
    use crate::mm::mm_struct::MmStruct;
    use crate::mm::mman;
    use crate::mm::mmap::do_munmap;
    use crate::mm::page_alloc;
    use crate::mm::vma::{VmArea, VmFlags};

    /// Linux `vma_to_resize`: the VMA holding `[addr, addr + old_len)`, or EFAULT if
    /// `addr` is unmapped or the range runs past the VMA's end; EINVAL to duplicate a
    /// private mapping (old_len 0) or for a file offset that would wrap.
    fn vma_to_resize(
        mm: &MmStruct,
        addr: usize,
        old_len: usize,
        new_len: usize,
    ) -> KResult<VmArea> {
        let vma = mm.vmas.vma_at(addr).ok_or(Errno::EFAULT)?;
        if old_len == 0 && !vma.vm_flags.intersects(VmFlags::SHARED | VmFlags::MAYSHARE) {
            return Err(Errno::EINVAL);
        }
        if old_len > vma.vm_end - addr {
            return Err(Errno::EFAULT);
        }
        let pgoff = (addr - vma.vm_start) / PAGE_SIZE + vma.vm_pgoff;
        if pgoff.checked_add(new_len / PAGE_SIZE).is_none() {
            return Err(Errno::EINVAL);
        }
        Ok(vma.clone())
    }

    /// Anonymous shared memory must have all its pages (see `mmap.rs`).
    fn fill_shared(mm: &mut MmStruct, vma: &VmArea, start: usize, end: usize) -> KResult<()> {
        if vma.vm_file.is_none() && vma.vm_flags.contains(VmFlags::SHARED) {
            let mut va = start;
            while va < end {
                prefault(mm, va).map_err(|_| Errno::ENOMEM)?;
                va += PAGE_SIZE;
            }
        }
        Ok(())
    }

    /// Linux `move_vma` + `move_page_tables`: a VMA like `vma` at `new_addr` of
    /// `new_len` bytes, the old range's pages moved into it (each frame mapped at its new
    /// address, then unmapped from the old one, so nothing is copied), then the old
    /// range unmapped, or only emptied with DONTUNMAP.
    fn move_vma(
        mm: &mut MmStruct,
        vma: &VmArea,
        addr: usize,
        old_len: usize,
        new_addr: usize,
        new_len: usize,
        dontunmap: bool,
    ) -> KResult<usize> {
        let mut moved = vma.clone();
        moved.vm_start = new_addr;
        moved.vm_end = new_addr + new_len;
        if moved.vm_file.is_some() {
            moved.vm_pgoff = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
        }
        mm.vmas.insert(moved.clone()).map_err(Errno::from)?;
        let mut from = addr;
        let end = addr + old_len;
        while let Some((va, pa, prot)) = mm.next_present(from, end) {
            page_alloc::get_page(pa);
            if mm.map_page(new_addr + (va - addr), pa, prot).is_err() {
                page_alloc::put_page(pa);
                let _ = do_munmap(mm, new_addr, new_len);
                return Err(Errno::ENOMEM);
            }
            from = va + PAGE_SIZE;
        }
        if dontunmap {
            mm.zap_range(addr, end);
        } else {
            do_munmap(mm, addr, old_len)?;
        }
        fill_shared(mm, &moved, new_addr + old_len, new_addr + new_len)?;
        Ok(new_addr)
    }

    /// mremap(addr, old_len, new_len, flags, new_addr) (Linux `SYSCALL_DEFINE5(mremap)`):
    /// returns the mapping's address afterwards.
    pub fn do_mremap(
        mm: &mut MmStruct,
        addr: usize,
        old_len: usize,
        new_len: usize,
        flags: u64,
        new_addr: usize,
    ) -> KResult<usize> {
        let (old_len, new_len) = check_args(addr, old_len, new_len, flags)?;
        let dontunmap = flags & MREMAP_DONTUNMAP != 0;
        if flags & (MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 {
            // Linux `mremap_to`.
            let mut old_len = old_len;
            if flags & MREMAP_FIXED != 0 {
                check_target(addr, old_len, new_addr, new_len)?;
                do_munmap(mm, new_addr, new_len)?;
            }
            if old_len > new_len {
                do_munmap(mm, addr + new_len, old_len - new_len)?;
                old_len = new_len;
            }
            let vma = vma_to_resize(mm, addr, old_len, new_len)?;
            let to = if flags & MREMAP_FIXED != 0 {
                new_addr
            } else {
                mman::get_unmapped_area(&mm.vmas, mm.mmap_base, 0, new_len, false)?
            };
            return move_vma(mm, &vma, addr, old_len, to, new_len, dontunmap);
        }
        if old_len >= new_len {
            if old_len != new_len {
                do_munmap(mm, addr + new_len, old_len - new_len)?;
            }
            return Ok(addr);
        }
        let vma = vma_to_resize(mm, addr, old_len, new_len)?;
        // Grow in place when the range ends the VMA and the space after it is free
        // (Linux `vma_expandable`).
        let grow_end = addr.checked_add(new_len).filter(|&e| e <= TASK_SIZE);
        if old_len == vma.vm_end - addr {
            if let Some(end) = grow_end {
                if mm.vmas.find_vma_intersection(vma.vm_end, end).is_none()
                    && mm.vmas.expand_up(vma.vm_start, end).is_ok()
                {
                    fill_shared(mm, &vma, vma.vm_end, end)?;
                    return Ok(addr);
                }
            }
        }
        if flags & MREMAP_MAYMOVE == 0 {
            return Err(Errno::ENOMEM);
        }
        let to = mman::get_unmapped_area(&mm.vmas, mm.mmap_base, 0, new_len, false)?;
        move_vma(mm, &vma, addr, old_len, to, new_len, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_rules_as_linux() {
        const P: usize = PAGE_SIZE;
        assert_eq!(check_args(0x10000, P, 2 * P, 0), Ok((P, 2 * P)));
        assert_eq!(check_args(0x10000, 1, 5000, MREMAP_MAYMOVE), Ok((P, 2 * P)));
        assert_eq!(check_args(0x10000, P, P, 8), Err(Errno::EINVAL));
        assert_eq!(check_args(0x10000, P, P, MREMAP_FIXED), Err(Errno::EINVAL));
        assert_eq!(
            check_args(0x10000, P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP),
            Err(Errno::EINVAL)
        );
        assert!(check_args(0x10000, P, P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP).is_ok());
        assert_eq!(check_args(0x10001, P, P, 0), Err(Errno::EINVAL));
        assert_eq!(check_args(0x10000, P, 0, 0), Err(Errno::EINVAL));
        assert_eq!(check_args(0x10000, P, usize::MAX, 0), Err(Errno::EINVAL));
        assert_eq!(check_target(0x10000, P, 0x20000, P), Ok(()));
        assert_eq!(check_target(0x10000, 2 * P, 0x11000, P), Err(Errno::EINVAL)); // overlap
        assert_eq!(check_target(0x10000, P, 0x20001, P), Err(Errno::EINVAL));
        assert_eq!(check_target(0x10000, P, TASK_SIZE, P), Err(Errno::EINVAL));
    }
}
