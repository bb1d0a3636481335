//! Special mappings: VMAs whose pages are frames the kernel owns and shares with every
//! address space, such as the vDSO and its data page (Linux `struct vm_special_mapping`,
//! `_install_special_mapping` and `special_mapping_fault` in `mm/mmap.c`).
//!
//! The kernel keeps one reference on each frame for ever, and every mapping takes one
//! more (`get_page`), so unmapping or exit only drops the mapping's reference and the
//! frames are never freed. Fork shares the present pages like any other (they are not
//! writable, so nothing is write-protected for copy-on-write). Such a VMA is neither
//! anonymous nor file-backed and never merges with a neighbour (Linux's `VM_SPECIAL`).
//!
//! Simplified: the pages are mapped at install time (Linux maps them on first touch);
//! no `mremap` hook (Linux's `vdso_mremap` keeps `mm->context.vdso` current; Linnet
//! finds the vDSO by its VMA instead, see `arch/aarch64/vdso`).

use alloc::vec::Vec;

/// What a special VMA maps (Linux `struct vm_special_mapping`): a name for
/// /proc/PID/maps and the frames, page 0 first, set once at boot.
pub struct SpecialMapping {
    /// `[vdso]`, `[vvar]`.
    pub name: &'static str,
    /// The frames (physical addresses), each holding one kernel reference for ever.
    pub pages: spin::Once<Vec<usize>>,
}

impl SpecialMapping {
    /// A mapping with no frames yet.
    pub const fn new(name: &'static str) -> Self {
        SpecialMapping {
            name,
            pages: spin::Once::new(),
        }
    }

    /// The frame behind page `index` of the mapping (what Linux's `special_mapping_fault`
    /// looks up in `vm_special_mapping.pages`).
    pub fn page(&self, index: usize) -> Option<usize> {
        self.pages.get()?.get(index).copied()
    }
}

pub use imp::*;

mod imp {
    use super::SpecialMapping;
    use crate::errno::{Errno, KResult};
    use crate::mm::fault::{page_prot, Access, VmFault};
    use crate::mm::layout::{PAGE_SHIFT, PAGE_SIZE};
    use crate::mm::mm_struct::MmStruct;
    use crate::mm::page_alloc;
    use crate::mm::page_table::Prot;
    use crate::mm::vma::{VmArea, VmFlags};

    /// Add a VMA `[addr, addr + len)` showing `sm`'s frames with `flags`, and map them
    /// (Linux `_install_special_mapping`). The shared frames are always mapped without
    /// write permission: a write (only possible after mprotect of a VMA with MAYWRITE)
    /// gets a private copy.
    pub fn install_special_mapping(
        mm: &mut MmStruct,
        addr: usize,
        len: usize,
        flags: VmFlags,
        sm: &'static SpecialMapping,
    ) -> KResult<()> {
        mm.vmas
            .insert(VmArea::new_special(addr, addr + len, flags, sm))
            .map_err(Errno::from)?;
        let prot = page_prot(flags, Access::Read) - Prot::WRITE;
        for i in 0..len >> PAGE_SHIFT {
            let pa = sm.page(i).ok_or(Errno::ENOMEM)?;
            page_alloc::get_page(pa);
            if let Err(e) = mm.map_page(addr + i * PAGE_SIZE, pa, prot) {
                page_alloc::put_page(pa);
                return Err(e);
            }
        }
        Ok(())
    }

    /// A fault on a page of a special VMA that is not present (after MADV_DONTNEED, say):
    /// map the shared frame again, or for a write a private copy of it (Linux
    /// `special_mapping_fault`, then `do_wp_page`'s copy). A page past the frames is
    /// SIGBUS, as in Linux.
    pub fn special_mapping_fault(
        mm: &mut MmStruct,
        page: usize,
        access: Access,
    ) -> Result<(), VmFault> {
        let vma = mm.vmas.vma_at(page).ok_or(VmFault::MapErr)?;
        let sm = vma.vm_special.ok_or(VmFault::MapErr)?;
        let index = ((page - vma.vm_start) >> PAGE_SHIFT) + vma.vm_pgoff;
        let flags = vma.vm_flags;
        let pa = sm.page(index).ok_or(VmFault::SigBus)?;
        let prot = page_prot(flags, access);
        if access == Access::Write {
            let copy = page_alloc::alloc_user_page().ok_or(VmFault::Oom)?;
            // SAFETY: both frames are in the linear map; `copy` is ours alone.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    page_alloc::page_address(pa) as *const u8,
                    page_alloc::page_address(copy) as *mut u8,
                    PAGE_SIZE,
                )
            };
            if mm.map_page(page, copy, prot).is_err() {
                page_alloc::put_page(copy);
                return Err(VmFault::Oom);
            }
            return Ok(());
        }
        page_alloc::get_page(pa);
        if mm.map_page(page, pa, prot - Prot::WRITE).is_err() {
            page_alloc::put_page(pa);
            return Err(VmFault::Oom);
        }
        Ok(())
    }
}
