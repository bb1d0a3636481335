//! An address space: its page table, its ASID, its VMA list and the bounds exec and brk
//! keep (Linux `struct mm_struct` in `include/linux/mm_types.h`; `mm_alloc`, `dup_mmap`
//! in `kernel/fork.c`, `exit_mmap` in `mm/mmap.c`, `zap_page_range`).
//!
//! Threads share one `MmStruct` (`Arc<Mutex<MmStruct>>`); fork copies it with
//! `dup_mmap`, sharing private pages copy-on-write. The VMAs say what *may* be mapped;
//! the page table says what *is* mapped now. Pages arrive lazily through
//! `fault::handle_mm_fault`.
//!
//! Host tests (`mm_struct/tests.rs`, `fault/tests.rs`) run this code over the fake
//! frames of `page_alloc_host.rs`, which explains that seam.
//!
//! Read next: `vma.rs` (the list), `fault.rs` (how pages arrive), `task/fork.rs`.

use super::page_alloc::{self, KernelPhysMem};
use super::page_table::{MapError, PageSize, PageTable, Prot};
use super::vma::{VmFlags, VmaList};
use crate::arch::mmu;
use crate::errno::{Errno, KResult};
use crate::mm::layout::{PAGE_SHIFT, PAGE_SIZE};

/// One address space.
pub struct MmStruct {
    pgd: PageTable,
    /// ASID context id (`generation | asid`; 0 = none yet), see `arch/aarch64/asid.rs`.
    pub context_id: u64,
    /// The areas that may be mapped, sorted (Linux `mm->mm_mt`).
    pub vmas: VmaList,
    /// Program text, as loaded by exec.
    pub start_code: usize,
    /// End of program text.
    pub end_code: usize,
    /// Start of initialized data.
    pub start_data: usize,
    /// End of initialized data.
    pub end_data: usize,
    /// Where the heap starts (right after bss, page aligned).
    pub start_brk: usize,
    /// The current program break.
    pub brk: usize,
    /// The initial stack pointer's area (for naming `[stack]`).
    pub start_stack: usize,
    /// Top of the area where mmap places mappings, searching downwards.
    pub mmap_base: usize,
    /// argv strings on the stack.
    pub arg_start: usize,
    /// End of argv strings.
    pub arg_end: usize,
    /// envp strings on the stack.
    pub env_start: usize,
    /// End of envp strings.
    pub env_end: usize,
}

impl MmStruct {
    /// An empty address space (Linux `mm_alloc`): a fresh top-level table, no VMAs.
    pub fn new() -> KResult<MmStruct> {
        let pgd = PageTable::new(&mut KernelPhysMem).map_err(|_| Errno::ENOMEM)?;
        Ok(MmStruct {
            pgd,
            context_id: 0,
            vmas: VmaList::new(),
            start_code: 0,
            end_code: 0,
            start_data: 0,
            end_data: 0,
            start_brk: 0,
            brk: 0,
            start_stack: 0,
            mmap_base: super::layout::MMAP_BASE,
            arg_start: 0,
            arg_end: 0,
            env_start: 0,
            env_end: 0,
        })
    }

    /// Physical address of the top-level table, for TTBR0.
    pub fn pgd_pa(&self) -> usize {
        self.pgd.root()
    }

    /// The ASID this mm last had (for TLB maintenance), if any.
    pub fn asid(&self) -> Option<u16> {
        (self.context_id != 0).then_some((self.context_id & 0xffff) as u16)
    }

    /// Flush this address space's TLB entries (Linux `flush_tlb_mm`).
    pub fn flush_tlb_mm(&self) {
        if let Some(asid) = self.asid() {
            mmu::flush_tlb_asid(asid);
        }
    }

    /// Flush one page's TLB entry (Linux `flush_tlb_page`).
    pub fn flush_tlb_page(&self, va: usize) {
        if let Some(asid) = self.asid() {
            mmu::flush_tlb_user_page(asid, va);
        }
    }

    /// What the page table maps at `va` now: (frame, permissions).
    pub fn lookup(&self, va: usize) -> Option<(usize, Prot)> {
        self.pgd
            .translate(&mut KernelPhysMem, va)
            .map(|t| (t.pa & !(PAGE_SIZE - 1), t.prot))
    }

    /// Map frame `pa` at `va` (the caller holds a reference on the frame for this mapping).
    pub fn map_page(&mut self, va: usize, pa: usize, prot: Prot) -> KResult<()> {
        self.pgd
            .map(
                &mut KernelPhysMem,
                va,
                pa,
                PageSize::Size4K,
                prot | Prot::USER,
            )
            .map_err(|e| match e {
                MapError::NoMemory => Errno::ENOMEM,
                _ => Errno::EINVAL,
            })
    }

    /// Change the permissions of the page at `va` and flush its TLB entry.
    pub fn protect_page(&mut self, va: usize, prot: Prot) -> KResult<()> {
        self.pgd
            .protect(&mut KernelPhysMem, va, prot | Prot::USER)
            .map_err(|_| Errno::EINVAL)?;
        self.flush_tlb_page(va);
        Ok(())
    }

    /// The first page at or above `va` and below `end` that is mapped now: (address,
    /// frame, permissions). Holes are skipped a whole table entry at a time (an empty pgd
    /// entry is 512 GiB of nothing), so walking a large, mostly untouched VMA costs one
    /// walk per hole, not one per page (Linux's `pgd_none_or_clear_bad` /
    /// `pmd_none_or_clear_bad` skips in `zap_pmd_range` and friends).
    pub fn next_present(&self, va: usize, end: usize) -> Option<(usize, usize, Prot)> {
        let mut va = va & !(PAGE_SIZE - 1);
        while va < end {
            if let Some(t) = self.pgd.translate(&mut KernelPhysMem, va) {
                return Some((va, t.pa & !(PAGE_SIZE - 1), t.prot));
            }
            // Not mapped: the walk stopped at an invalid entry of `level`, and everything
            // that entry would map is a hole.
            let walk = self.pgd.walk(&mut KernelPhysMem, va);
            let &(level, _, _, _) = walk.steps().last()?;
            let covers = 1usize << (PAGE_SHIFT + 9 * (3 - level.min(3)));
            va = (va | (covers - 1)).checked_add(1)?;
        }
        None
    }

    /// Unmap every page in `[start, end)` and drop the frames' references; page-table
    /// pages that become empty are freed (Linux `zap_page_range` + `free_pgtables`).
    /// TLB entries go by ASID and address, page by page, or, for a range of more than
    /// 512 pages, all of this ASID's at once at the end (Linux `__flush_tlb_range` and
    /// its `MAX_DVM_OPS` cut-off). Deferring is safe: the frames and table pages freed
    /// here cannot be handed out again before the flush, as nothing is allocated in
    /// between and the caller holds the mm's lock.
    pub fn zap_range(&mut self, start: usize, end: usize) {
        const MAX_DVM_OPS: usize = 512;
        let start = start & !(PAGE_SIZE - 1);
        let whole_asid = (end.saturating_sub(start)) / PAGE_SIZE > MAX_DVM_OPS;
        let asid = self.asid();
        let mut zapped = false;
        let mut drop_page = |va: usize, pa: usize, _| {
            if let (Some(asid), false) = (asid, whole_asid) {
                mmu::flush_tlb_user_page(asid, va);
            }
            zapped = true;
            page_alloc::put_page(pa);
        };
        self.pgd
            .unmap_range(&mut KernelPhysMem, start, end, &mut drop_page);
        if whole_asid && zapped {
            self.flush_tlb_mm();
        }
    }

    /// Copy this address space for fork (Linux `dup_mmap` + `copy_page_range`): the same
    /// VMAs, except those marked `DONTCOPY` (`MADV_DONTFORK`), which the child does not
    /// get; every mapped page shared with the child. Private writable pages become
    /// read-only in both, so the first write to one copies it (`fault.rs`, `do_wp_page`);
    /// shared pages (MAP_SHARED) stay writable and shared.
    pub fn dup_mmap(&mut self) -> KResult<MmStruct> {
        let mut child = MmStruct::new()?;
        child.vmas = self.vmas.clone();
        child.start_code = self.start_code;
        child.end_code = self.end_code;
        child.start_data = self.start_data;
        child.end_data = self.end_data;
        child.start_brk = self.start_brk;
        child.brk = self.brk;
        child.start_stack = self.start_stack;
        child.mmap_base = self.mmap_base;
        child.arg_start = self.arg_start;
        child.arg_end = self.arg_end;
        child.env_start = self.env_start;
        child.env_end = self.env_end;
        let ranges: alloc::vec::Vec<(usize, usize, VmFlags)> = self
            .vmas
            .iter()
            .map(|v| (v.vm_start, v.vm_end, v.vm_flags))
            .collect();
        let mut wrprotected = false;
        for (start, end, flags) in ranges {
            if flags.contains(VmFlags::DONTCOPY) {
                // Removing a whole VMA the child has just copied cannot fail.
                let _ = child.vmas.remove_range(start, end);
                continue;
            }
            let cow = !flags.contains(VmFlags::SHARED) && flags.contains(VmFlags::WRITE);
            let mut from = start;
            while let Some((va, pa, prot)) = self.next_present(from, end) {
                let prot = if cow { prot - Prot::WRITE } else { prot };
                if cow && self.pgd.protect(&mut KernelPhysMem, va, prot).is_ok() {
                    wrprotected = true;
                }
                page_alloc::get_page(pa);
                if let Err(e) = child.map_page(va, pa, prot) {
                    page_alloc::put_page(pa);
                    if wrprotected {
                        self.flush_tlb_mm();
                    }
                    return Err(e); // child is dropped: everything it mapped is released
                }
                from = va + PAGE_SIZE;
            }
        }
        if wrprotected {
            self.flush_tlb_mm();
        }
        Ok(child)
    }

    /// Pages currently mapped in `[start, end)` (Linux's RSS counters, counted on demand).
    pub fn present_pages(&self, start: usize, end: usize) -> usize {
        let mut n = 0;
        let mut from = start;
        while let Some((va, _, _)) = self.next_present(from, end) {
            n += 1;
            from = va + PAGE_SIZE;
        }
        n
    }

    /// Pages currently mapped (Linux's RSS, `get_mm_rss`).
    pub fn rss_pages(&self) -> usize {
        self.vmas
            .iter()
            .map(|v| self.present_pages(v.vm_start, v.vm_end))
            .sum()
    }
}

impl Drop for MmStruct {
    /// Tear the address space down (Linux `exit_mmap`): every frame's reference dropped,
    /// every table page freed. The caller must have switched TTBR0 away from it.
    fn drop(&mut self) {
        let pgd = core::mem::replace(&mut self.pgd, PageTable::from_root(0));
        pgd.destroy(&mut KernelPhysMem, |pa, _| page_alloc::put_page(pa));
        self.flush_tlb_mm();
    }
}

#[cfg(test)]
mod tests;
