//! Virtual memory areas: the list of regions one address space may use.
//!
//! `mm::vma` is Linnet's `struct vm_area_struct` (Linux `include/linux/mm_types.h`) and
//! the part of `mm/mmap.c` (split into `mm/vma.c` since Linux 6.10) that looks after the
//! list of them. Most of a process's user half is empty; the few ranges it may touch (each
//! ELF segment, the heap, each mmap, the stack) are one `VmArea` each: a page-aligned
//! range `[vm_start, vm_end)`, permissions and kind (`VmFlags`), and what backs it:
//! nothing (anonymous memory, zero-filled) or a file from page `vm_pgoff` on.
//!
//! A VMA says what *may* be mapped; the page table says what *is* mapped right now. Pages
//! are filled in lazily: the first touch faults, and the fault handler asks this list
//! whether the address is legal and what to put there.
//!
//! Linux keeps the VMAs of an `mm_struct` in a maple tree (before 6.1: a red-black tree
//! plus a sorted linked list). Linnet keeps them in a `BTreeMap<usize, VmArea>` keyed by
//! `vm_start`, which gives the same two things: the VMA around an address in O(log n), and
//! a walk in address order. `VmaList` keeps them sorted, non-overlapping, page aligned,
//! non-empty, above page 0 (`MMAP_MIN_ADDR`) and below `TASK_SIZE`; adjacent compatible
//! VMAs are merged, as Linux's `vma_merge` does.
//!
//! Left out: locking (the list lives in `MmStruct` under its lock, Linux `mmap_lock`), the
//! `anon_vma` reverse map, memory accounting, mempolicy, userfaultfd, `vm_ops`, and the
//! VMA cache. Nothing here touches a page table: callers unmap and free pages themselves.
//!
//! Read next: `mm/mm_struct.rs` (an `MmStruct` owns one `VmaList` beside its page table),
//! `mm/fault.rs` (the page fault: `find_vma`, then `expand_stack`), and `mm/mmap.rs`
//! (`do_mmap`, `do_munmap`, `mprotect`, `do_brk` on top of these operations).

use crate::errno::Errno;
use crate::mm::layout::{MMAP_MIN_ADDR, PAGE_SHIFT, PAGE_SIZE, TASK_SIZE};
use crate::mm::page_table::Prot;
use crate::mm::special_mapping::SpecialMapping;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use bitflags::bitflags;
use core::fmt::{self, Write};
use core::ops::Bound;

bitflags! {
    /// What a VMA allows and what kind it is: Linux `vm_flags`, with the `VM_*` bit
    /// values of `include/linux/mm.h`. The `MAY*` bits bound what `mprotect` may grant.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct VmFlags: u32 {
        /// Pages may be read (`VM_READ`).
        const READ = 0x1;
        /// Pages may be written (`VM_WRITE`).
        const WRITE = 0x2;
        /// Pages may be executed (`VM_EXEC`).
        const EXEC = 0x4;
        /// Writes reach the file and every other mapper (`VM_SHARED`).
        const SHARED = 0x8;
        /// `mprotect` may add READ (`VM_MAYREAD`).
        const MAYREAD = 0x10;
        /// `mprotect` may add WRITE (`VM_MAYWRITE`).
        const MAYWRITE = 0x20;
        /// `mprotect` may add EXEC (`VM_MAYEXEC`).
        const MAYEXEC = 0x40;
        /// Mapped with `MAP_SHARED` (`VM_MAYSHARE`); `s` in /proc/PID/maps.
        const MAYSHARE = 0x80;
        /// A stack: a fault just below it grows it downwards (`VM_GROWSDOWN`).
        const GROWSDOWN = 0x100;
        /// Not copied into the child by fork (`VM_DONTCOPY`, `MADV_DONTFORK`).
        const DONTCOPY = 0x20000;
        /// Private writable memory counted for overcommit (`VM_ACCOUNT`); Linnet only
        /// records it.
        const ACCOUNT = 0x100000;
    }
}

impl VmFlags {
    /// The page permissions for this VMA's pages, plus USER (Linux `vm_get_page_prot`,
    /// which looks the bits up in `protection_map`). As on arm64 Linux, WRITE and EXEC
    /// each imply READ: the architecture has no write-only pages, and Linux 6.1 maps
    /// exec-only VMAs readable unless the CPU has FEAT_EPAN (QEMU's cortex-a72 does not;
    /// `arch/arm64/mm/mmap.c` `vm_get_page_prot`). A WRITE|EXEC VMA gives a WRITE|EXEC
    /// `Prot`, which `PageTable::map` refuses (W^X; `fault.rs` splits it).
    pub fn to_prot(self) -> Prot {
        let mut prot = Prot::USER;
        if self.intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC) {
            prot |= Prot::READ;
        }
        if self.contains(VmFlags::WRITE) {
            prot |= Prot::WRITE;
        }
        if self.contains(VmFlags::EXEC) {
            prot |= Prot::EXEC;
        }
        prot
    }

    /// The VM_READ/WRITE/EXEC bits for an mmap/mprotect `prot` (Linux `calc_vm_prot_bits`
    /// in `include/linux/mman.h`). Other bits (`PROT_SEM`, `PROT_BTI`, ...) are ignored;
    /// Linnet has no arch-specific bits and no protection keys.
    pub fn from_prot_bits(prot: u32) -> VmFlags {
        const PROT_READ: u32 = 0x1;
        const PROT_WRITE: u32 = 0x2;
        const PROT_EXEC: u32 = 0x4;
        let mut flags = VmFlags::empty();
        if prot & PROT_READ != 0 {
            flags |= VmFlags::READ;
        }
        if prot & PROT_WRITE != 0 {
            flags |= VmFlags::WRITE;
        }
        if prot & PROT_EXEC != 0 {
            flags |= VmFlags::EXEC;
        }
        flags
    }
}

/// What a file-backed VMA maps: implemented later by the ramfs (issue "exec"); kept
/// minimal. Linux's `vm_file` is a whole `struct file`; the page fault only needs to read.
pub trait VmFile: Send + Sync {
    /// Path shown in /proc/PID/maps.
    fn path(&self) -> &str;
    /// Copy file bytes at `offset` into `buf`; returns bytes copied (short at EOF; the
    /// caller zero-fills the rest).
    fn read_at(&self, offset: usize, buf: &mut [u8]) -> usize;
    /// Inode number for /proc/PID/maps.
    fn ino(&self) -> u64;
    /// Is this a System V shared memory segment (Linux `vma->vm_ops == &shm_vm_ops`)?
    /// shmdt only detaches those.
    fn is_sysv_shm(&self) -> bool {
        false
    }
}

/// One mapped region of an address space (Linux `struct vm_area_struct`).
///
/// Left out of Linux's struct: `vm_mm` (the owner keeps the list), `vm_page_prot` (derived
/// on demand with `VmFlags::to_prot`), `anon_vma`, `vm_ops`, the tree links.
#[derive(Clone)]
pub struct VmArea {
    /// First address of the region (page aligned).
    pub vm_start: usize,
    /// First address after the region (page aligned, exclusive).
    pub vm_end: usize,
    /// Permissions and kind.
    pub vm_flags: VmFlags,
    /// For a file VMA, the file page that backs `vm_start`. For an anonymous VMA Linnet
    /// keeps 0 (Linux stores `vm_start >> PAGE_SHIFT` there, for the reverse map).
    pub vm_pgoff: usize,
    /// The file mapped, or `None` for anonymous memory.
    pub vm_file: Option<Arc<dyn VmFile>>,
    /// The kernel frames shown, for a special mapping (`[vdso]`, `[vvar]`; Linux keeps
    /// the `vm_special_mapping` in `vm_private_data`); `vm_pgoff` is then the index of
    /// the frame at `vm_start`.
    pub vm_special: Option<&'static SpecialMapping>,
}

impl VmArea {
    /// An anonymous (zero-filled) VMA over `[start, end)`. Not checked here:
    /// `VmaList::insert` refuses bad ranges.
    pub fn new_anon(start: usize, end: usize, flags: VmFlags) -> Self {
        VmArea {
            vm_start: start,
            vm_end: end,
            vm_flags: flags,
            vm_pgoff: 0,
            vm_file: None,
            vm_special: None,
        }
    }

    /// A VMA over `[start, end)` backed by `file` from page `pgoff` on.
    pub fn new_file(
        start: usize,
        end: usize,
        flags: VmFlags,
        file: Arc<dyn VmFile>,
        pgoff: usize,
    ) -> Self {
        VmArea {
            vm_start: start,
            vm_end: end,
            vm_flags: flags,
            vm_pgoff: pgoff,
            vm_file: Some(file),
            vm_special: None,
        }
    }

    /// A special mapping's VMA over `[start, end)`, showing `sm`'s frames from the first
    /// (Linux `__install_special_mapping`).
    pub fn new_special(
        start: usize,
        end: usize,
        flags: VmFlags,
        sm: &'static SpecialMapping,
    ) -> Self {
        VmArea {
            vm_start: start,
            vm_end: end,
            vm_flags: flags,
            vm_pgoff: 0,
            vm_file: None,
            vm_special: Some(sm),
        }
    }

    /// Size in bytes (Linux `vma_pages(vma) << PAGE_SHIFT`).
    pub fn len(&self) -> usize {
        self.vm_end.saturating_sub(self.vm_start)
    }

    /// Is the VMA empty? Never true for one in a `VmaList`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Is `addr` inside `[vm_start, vm_end)`?
    pub fn contains(&self, addr: usize) -> bool {
        self.vm_start <= addr && addr < self.vm_end
    }

    /// Is this VMA anonymous (no file behind it; Linux `vma_is_anonymous`)?
    pub fn is_anonymous(&self) -> bool {
        self.vm_file.is_none() && self.vm_special.is_none()
    }

    /// The file offset (bytes) that backs `addr` (Linux `linear_page_index`, which returns
    /// the page index; this is that index times PAGE_SIZE plus the offset in the page).
    /// `addr` should be inside the VMA; outside, the result means nothing but never panics.
    pub fn file_offset(&self, addr: usize) -> usize {
        addr.wrapping_sub(self.vm_start)
            .wrapping_add(self.vm_pgoff.wrapping_mul(PAGE_SIZE))
    }
}

impl fmt::Debug for VmArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VmArea({:#x}-{:#x} {:?}",
            self.vm_start, self.vm_end, self.vm_flags
        )?;
        if let Some(file) = &self.vm_file {
            write!(f, " {} pgoff {:#x}", file.path(), self.vm_pgoff)?;
        }
        if let Some(sm) = self.vm_special {
            write!(f, " {} pgoff {:#x}", sm.name, self.vm_pgoff)?;
        }
        write!(f, ")")
    }
}

/// Why a VMA list operation was refused.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum VmaError {
    /// The range overlaps a VMA that is there already.
    Overlap,
    /// Unaligned, empty, wrapping, below `MMAP_MIN_ADDR` or above `TASK_SIZE` (or, for
    /// `split`/`expand_*`, a point where the operation means nothing).
    BadRange,
    /// Part of the range is not covered by any VMA.
    NotMapped,
}

/// The errno a syscall returns for each refusal. `Overlap` is `EEXIST`, what Linux's
/// `MAP_FIXED_NOREPLACE` returns over an existing mapping; `BadRange` is `EINVAL`, as for
/// an unaligned `munmap`/`mprotect`; `NotMapped` is `ENOMEM`, what `mprotect` returns
/// when the range has a hole. Callers with other rules (brk just fails, a stack that
/// cannot grow is SIGSEGV) match on the `VmaError` instead.
impl From<VmaError> for Errno {
    fn from(e: VmaError) -> Errno {
        match e {
            VmaError::Overlap => Errno::EEXIST,
            VmaError::BadRange => Errno::EINVAL,
            VmaError::NotMapped => Errno::ENOMEM,
        }
    }
}

/// Is `x` on a page boundary?
fn page_aligned(x: usize) -> bool {
    x.is_multiple_of(PAGE_SIZE)
}

/// A range that `munmap`/`mprotect` may name: page aligned, non-empty, not past
/// `TASK_SIZE`. Page 0 may be named (nothing is ever mapped there).
fn check_user_range(start: usize, end: usize) -> Result<(), VmaError> {
    if !page_aligned(start) || !page_aligned(end) || start >= end || end > TASK_SIZE {
        return Err(VmaError::BadRange);
    }
    Ok(())
}

/// A range a VMA may cover: a user range that also keeps off page 0.
fn check_vma_range(start: usize, end: usize) -> Result<(), VmaError> {
    check_user_range(start, end)?;
    if start < MMAP_MIN_ADDR {
        return Err(VmaError::BadRange);
    }
    Ok(())
}

/// May `lo` and `hi` (directly above it) become one VMA? Linux `can_vma_merge_after` /
/// `is_mergeable_vma`: they touch, have the same flags, and are both anonymous or map the
/// same file with `hi` continuing exactly where `lo` ends in the file.
fn can_merge(lo: &VmArea, hi: &VmArea) -> bool {
    // LAB 2 BEGIN: when two neighbouring VMAs may become one (Linux is_mergeable_vma)
    if lo.vm_end != hi.vm_start || lo.vm_flags != hi.vm_flags {
        return false;
    }
    // Special mappings never merge (Linux's VM_SPECIAL).
    if lo.vm_special.is_some() || hi.vm_special.is_some() {
        return false;
    }
    match (&lo.vm_file, &hi.vm_file) {
        (None, None) => true,
        (Some(f), Some(g)) => {
            Arc::ptr_eq(f, g)
                && lo.vm_pgoff.checked_add(lo.len() >> PAGE_SHIFT) == Some(hi.vm_pgoff)
        }
        _ => false,
    }
    // LAB 2 END
}

/// The VMAs of one address space, sorted by address (Linux `mm->mm_mt`, the maple tree).
/// `Clone` copies the list, sharing the files: fork's `dup_mmap`.
#[derive(Clone, Default, Debug)]
pub struct VmaList {
    /// vm_start -> the VMA starting there.
    map: BTreeMap<usize, VmArea>,
}

impl VmaList {
    /// An empty list (a new `mm_struct` has no VMAs).
    pub fn new() -> Self {
        Self::default()
    }

    /// The first VMA that ends above `addr` (Linux `find_vma`).
    ///
    /// Careful, this is the classic trap: the VMA returned may start *above* `addr`, so
    /// it does not mean `addr` is mapped. Linux returns it anyway because the page fault
    /// handler wants exactly that VMA: if it is a stack (`GROWSDOWN`) just above the
    /// faulting address, the stack is grown down to it. Use `vma_at` for "the VMA
    /// containing addr". Linnet: two `BTreeMap` range lookups instead of a tree walk.
    pub fn find_vma(&self, addr: usize) -> Option<&VmArea> {
        // LAB 2 BEGIN: the first VMA with addr < vm_end (it may start above addr)
        if let Some(vma) = self.vma_at(addr) {
            return Some(vma);
        }
        // Nothing contains addr, so the answer is the first VMA starting above it.
        self.map
            .range((Bound::Excluded(addr), Bound::Unbounded))
            .next()
            .map(|(_, v)| v)
        // LAB 2 END
    }

    /// The VMA containing `addr`, if any (Linux `vma_lookup`).
    pub fn vma_at(&self, addr: usize) -> Option<&VmArea> {
        // The last VMA starting at or below addr is the only one that can contain it.
        self.map
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.vm_end)
    }

    /// The VMA containing `addr`, to change it in place (Linux `vma_lookup` + a write
    /// lock). Change only `vm_flags` or `vm_file` through it; moving `vm_start`/`vm_end`
    /// behind the list's back breaks it (use `split`, `expand_*`, `remove_range`).
    pub fn find_vma_mut(&mut self, addr: usize) -> Option<&mut VmArea> {
        self.map
            .range_mut(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.vm_end)
    }

    /// The first VMA overlapping `[start, end)`, if any (Linux `find_vma_intersection`).
    /// An empty range overlaps nothing.
    pub fn find_vma_intersection(&self, start: usize, end: usize) -> Option<&VmArea> {
        if start >= end {
            return None;
        }
        self.find_vma(start).filter(|v| v.vm_start < end)
    }

    /// Add a VMA (Linux `insert_vm_struct`, then `vma_merge` with the neighbours). Refuses
    /// bad ranges and any overlap; merges with the previous and/or next VMA when they
    /// touch it and are compatible (same flags; both anonymous, or the same file
    /// (`Arc::ptr_eq`) with contiguous `vm_pgoff`). Returns the start of the VMA that now
    /// holds the range. Linux tries the merge before allocating a new VMA; Linnet inserts,
    /// then merges, which ends the same.
    pub fn insert(&mut self, vma: VmArea) -> Result<usize, VmaError> {
        check_vma_range(vma.vm_start, vma.vm_end)?;
        if self
            .find_vma_intersection(vma.vm_start, vma.vm_end)
            .is_some()
        {
            return Err(VmaError::Overlap);
        }
        let start = vma.vm_start;
        self.map.insert(start, vma);
        Ok(self.merge_around(start))
    }

    /// Merge the VMA at `start` with its neighbours where `can_merge` allows; returns the
    /// start of the VMA that now holds it (Linux `vma_merge`, which handles the previous
    /// and the next VMA in one call).
    fn merge_around(&mut self, start: usize) -> usize {
        let mut start = start;
        if let Some(prev) = self.map.range(..start).next_back().map(|(&k, _)| k) {
            if self.join(prev, start) {
                start = prev;
            }
        }
        // Then with the ones above, for as long as they continue it: after change_flags
        // a whole run of VMAs may have become alike.
        while let Some(next) = self.map.get(&start).map(|v| v.vm_end) {
            if !self.join(start, next) {
                break;
            }
        }
        start
    }

    /// If the VMAs at `lo` and `hi` can merge, make the lower one cover both (keeping its
    /// `vm_pgoff`) and drop the upper one. Returns whether they merged.
    fn join(&mut self, lo: usize, hi: usize) -> bool {
        let ok = match (self.map.get(&lo), self.map.get(&hi)) {
            (Some(a), Some(b)) => can_merge(a, b),
            _ => false,
        };
        if !ok {
            return false;
        }
        if let Some(upper) = self.map.remove(&hi) {
            if let Some(lower) = self.map.get_mut(&lo) {
                lower.vm_end = upper.vm_end;
            }
        }
        true
    }

    /// Split the VMA containing `addr` in two at `addr` (Linux `__split_vma`). The lower
    /// part keeps its place; the upper part starts at `addr`, and for a file VMA its
    /// `vm_pgoff` moves on by the pages left below. `BadRange` if `addr` is unaligned or
    /// is a VMA's start (nothing to split); `NotMapped` if no VMA contains `addr` (this
    /// includes a `vm_end` with nothing right above it).
    pub fn split(&mut self, addr: usize) -> Result<(), VmaError> {
        if !page_aligned(addr) {
            return Err(VmaError::BadRange);
        }
        let lower = self.find_vma_mut(addr).ok_or(VmaError::NotMapped)?;
        if lower.vm_start == addr {
            return Err(VmaError::BadRange);
        }
        let mut upper = lower.clone();
        if upper.vm_file.is_some() || upper.vm_special.is_some() {
            let below = (addr - lower.vm_start) >> PAGE_SHIFT;
            upper.vm_pgoff = upper
                .vm_pgoff
                .checked_add(below)
                .ok_or(VmaError::BadRange)?;
        }
        lower.vm_end = addr;
        upper.vm_start = addr;
        self.map.insert(addr, upper);
        Ok(())
    }

    /// Split the VMA containing `addr` if `addr` is strictly inside it, so that a range
    /// edge at `addr` falls on a VMA boundary. Nothing to do otherwise.
    fn split_if_inside(&mut self, addr: usize) -> Result<(), VmaError> {
        match self.vma_at(addr) {
            Some(v) if v.vm_start < addr => self.split(addr),
            _ => Ok(()),
        }
    }

    /// Remove `[start, end)` from the list (the VMA half of Linux `do_munmap` /
    /// `do_vmi_munmap`): VMAs straddling an edge are split there first, then every VMA
    /// inside is taken out. Unmapping a hole is fine, as in Linux. Returns the removed
    /// pieces in address order, so the caller can unmap and free their pages. `start` may
    /// be 0; the range must be page aligned, non-empty and end at most at `TASK_SIZE`.
    pub fn remove_range(&mut self, start: usize, end: usize) -> Result<Vec<VmArea>, VmaError> {
        check_user_range(start, end)?;
        // 1. Cut at the edges, so every VMA lies wholly inside or wholly outside.
        self.split_if_inside(start)?;
        self.split_if_inside(end)?;
        // 2. Detach the VMAs starting in [start, end): split the tree at both keys and
        //    glue the part at and above `end` back on.
        let mut inside = self.map.split_off(&start);
        let mut above = inside.split_off(&end);
        self.map.append(&mut above);
        Ok(inside.into_values().collect())
    }

    /// Change the flags of every page in `[start, end)` to `f(old flags)` (Linux
    /// `mprotect_fixup`, called by `do_mprotect_pkey` for each VMA of the range). If any
    /// page of the range is not covered, it fails with `NotMapped` (mprotect's ENOMEM) and
    /// changes nothing; Linux checks as it goes and may leave the VMAs before the hole
    /// changed. Splits at the edges, then re-merges neighbours whose flags now match.
    /// Checking `MAY*` bits is the caller's (mprotect's) job.
    pub fn change_flags(
        &mut self,
        start: usize,
        end: usize,
        f: impl Fn(VmFlags) -> VmFlags,
    ) -> Result<(), VmaError> {
        check_user_range(start, end)?;
        // 1. Every page must be covered: walk VMA to VMA from start.
        let mut addr = start;
        while addr < end {
            addr = self.vma_at(addr).ok_or(VmaError::NotMapped)?.vm_end;
        }
        // 2. Cut at the edges, then change the VMAs inside.
        self.split_if_inside(start)?;
        self.split_if_inside(end)?;
        let mut changed = Vec::new();
        for (&key, vma) in self.map.range_mut(start..end) {
            vma.vm_flags = f(vma.vm_flags);
            changed.push(key);
        }
        // 3. Merge back what now matches, including the neighbours outside the range.
        //    A VMA already swallowed by the one below it is gone from the map: skip it.
        for key in changed {
            if self.map.contains_key(&key) {
                self.merge_around(key);
            }
        }
        Ok(())
    }

    /// Move the start of the `GROWSDOWN` VMA at `vma_start` down to `new_start` (Linux
    /// `expand_downwards`). The rlimit and the `stack_guard_gap` to the previous VMA are
    /// the caller's checks (`expand_stack`); this only refuses an overlap with the previous
    /// VMA (`Overlap`), going below `MMAP_MIN_ADDR`, an unaligned or higher `new_start`, or
    /// a VMA without `GROWSDOWN` (`BadRange`). A file VMA's `vm_pgoff` moves down too.
    pub fn expand_down(&mut self, vma_start: usize, new_start: usize) -> Result<(), VmaError> {
        let vma = self.map.get(&vma_start).ok_or(VmaError::NotMapped)?;
        if !vma.vm_flags.contains(VmFlags::GROWSDOWN)
            || !page_aligned(new_start)
            || new_start > vma_start
            || new_start < MMAP_MIN_ADDR
        {
            return Err(VmaError::BadRange);
        }
        if new_start == vma_start {
            return Ok(());
        }
        if let Some((_, prev)) = self.map.range(..vma_start).next_back() {
            if prev.vm_end > new_start {
                return Err(VmaError::Overlap);
            }
        }
        let mut pgoff = vma.vm_pgoff;
        if vma.vm_file.is_some() {
            let grow = (vma_start - new_start) >> PAGE_SHIFT;
            pgoff = pgoff.checked_sub(grow).ok_or(VmaError::BadRange)?;
        }
        // The key is vm_start, so the VMA moves to a new key.
        let mut vma = self.map.remove(&vma_start).ok_or(VmaError::NotMapped)?;
        vma.vm_start = new_start;
        vma.vm_pgoff = pgoff;
        self.map.insert(new_start, vma);
        Ok(())
    }

    /// Move the end of the VMA that starts at `vma_start` up to `new_end` (the heap growing
    /// under `brk`; Linux `do_brk_flags` extending the brk VMA, or `expand_upwards`).
    /// Refuses an overlap with the next VMA (`Overlap`), an unaligned `new_end`, one below
    /// the current end or past `TASK_SIZE` (`BadRange`). Shrinking is `remove_range`'s job.
    /// It does not merge with a compatible next VMA it comes to touch.
    pub fn expand_up(&mut self, vma_start: usize, new_end: usize) -> Result<(), VmaError> {
        let vma = self.map.get(&vma_start).ok_or(VmaError::NotMapped)?;
        if !page_aligned(new_end) || new_end < vma.vm_end || new_end > TASK_SIZE {
            return Err(VmaError::BadRange);
        }
        let after = (Bound::Excluded(vma_start), Bound::Unbounded);
        if let Some((_, next)) = self.map.range(after).next() {
            if next.vm_start < new_end {
                return Err(VmaError::Overlap);
            }
        }
        if let Some(vma) = self.map.get_mut(&vma_start) {
            vma.vm_end = new_end;
        }
        Ok(())
    }

    /// The highest address `a`, a multiple of `align`, such that `[a, a + len)` lies in
    /// `[low, high)`, touches no VMA, and ends at least `guard` bytes below a `GROWSDOWN`
    /// VMA right above it (Linux `unmapped_area_topdown` with `stack_guard_gap`). `low` is
    /// raised to `MMAP_MIN_ADDR` and `high` lowered to `TASK_SIZE`. `None` if nothing fits,
    /// or if `len` is 0 or unaligned, or `align` is not a power of two (an `align` below
    /// `PAGE_SIZE` counts as `PAGE_SIZE`). Linux finds the gap in O(log n) with the
    /// maple tree's gap tracking; Linnet walks the gaps from the top down.
    pub fn find_gap_topdown(
        &self,
        len: usize,
        align: usize,
        low: usize,
        high: usize,
        guard: usize,
    ) -> Option<usize> {
        let align = align.max(PAGE_SIZE);
        if len == 0 || !page_aligned(len) || !align.is_power_of_two() {
            return None;
        }
        let low = low.max(MMAP_MIN_ADDR);
        let high = high.min(TASK_SIZE);
        // `next` is the VMA above the gap being looked at; the first gap is under the
        // lowest VMA that starts at or above `high` (it may need a guard below it).
        let mut next = self.map.range(high..).next().map(|(_, v)| v);
        let mut below = self.map.range(..high).rev().map(|(_, v)| v);
        loop {
            let prev = below.next();
            let mut gap_end = next.map_or(TASK_SIZE, |v| v.vm_start);
            if let Some(n) = next.filter(|n| n.vm_flags.contains(VmFlags::GROWSDOWN)) {
                gap_end = n.vm_start.saturating_sub(guard);
            }
            let gap_end = gap_end.min(high);
            let gap_start = prev.map_or(0, |v| v.vm_end).max(low);
            // The highest aligned start in [gap_start, gap_end - len].
            if let Some(top) = gap_end.checked_sub(len) {
                let a = top & !(align - 1);
                if a >= gap_start {
                    return Some(a);
                }
            }
            match prev {
                Some(p) if p.vm_end > low => next = Some(p),
                _ => return None,
            }
        }
    }

    /// The VMAs in address order (Linux `for_each_vma`).
    pub fn iter(&self) -> impl Iterator<Item = &VmArea> {
        self.map.values()
    }

    /// Number of VMAs (Linux `mm->map_count`).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Are there no VMAs?
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Total mapped bytes (Linux `mm->total_vm`, which counts pages).
    pub fn total_size(&self) -> usize {
        self.map.values().map(VmArea::len).sum()
    }

    /// Panics with a description if the list is broken: a key that is not its VMA's
    /// start, an unaligned or empty VMA, one in page 0 or past `TASK_SIZE`, or two that
    /// overlap or are out of order. Used by the tests after every operation; a failure is
    /// a kernel bug, never a user error.
    pub fn check_invariants(&self) {
        let mut prev_end = MMAP_MIN_ADDR;
        for (&key, v) in &self.map {
            assert_eq!(key, v.vm_start, "VMA {v:?} filed under {key:#x}");
            assert!(
                page_aligned(v.vm_start) && page_aligned(v.vm_end),
                "unaligned {v:?}"
            );
            assert!(v.vm_start < v.vm_end, "empty or inverted {v:?}");
            assert!(
                v.vm_start >= prev_end,
                "{v:?} overlaps the VMA below or page 0"
            );
            assert!(v.vm_end <= TASK_SIZE, "{v:?} goes past TASK_SIZE");
            prev_end = v.vm_end;
        }
    }
}

/// Column where /proc/PID/maps puts the name on 64-bit: Linux `show_vma_header_prefix`
/// calls `seq_setwidth(m, 25 + sizeof(void *) * 6 - 1)`, and `seq_pad(m, ' ')` pads to
/// that width and adds one space.
pub const MAPS_NAME_WIDTH: usize = 25 + 8 * 6 - 1;

/// One line of /proc/PID/maps, without the newline (Linux `show_map_vma` in
/// `fs/proc/task_mmu.c`), e.g.
/// `00400000-00452000 r-xp 00000000 00:00 1234` + padding + `/bin/init`.
/// Fields: `%08lx-%08lx`, rwx and `s`/`p` (MAYSHARE), the file offset in bytes `%08llx`
/// (0 for anonymous memory), the device `%02x:%02x` (Linnet's ramfs has none: `00:00`),
/// the inode `%lu` and a space. If there is a name, the line is padded with spaces to 72
/// columns and one more space is added before it. A file VMA shows its file's path and
/// ignores `name`; an anonymous one shows `name` (`[heap]`, `[stack]`, or "" for none,
/// which leaves the trailing space, exactly as Linux does).
pub fn maps_line(vma: &VmArea, name: &str) -> String {
    let flags = vma.vm_flags;
    let bit = |f: VmFlags, c: char| if flags.contains(f) { c } else { '-' };
    let share = if flags.contains(VmFlags::MAYSHARE) {
        's'
    } else {
        'p'
    };
    let (pgoff, ino, name) = match &vma.vm_file {
        Some(file) => ((vma.vm_pgoff as u64) << PAGE_SHIFT, file.ino(), file.path()),
        None => (0, 0, name),
    };
    let mut line = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        line,
        "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ",
        vma.vm_start,
        vma.vm_end,
        bit(VmFlags::READ, 'r'),
        bit(VmFlags::WRITE, 'w'),
        bit(VmFlags::EXEC, 'x'),
        share,
        pgoff,
        0,
        0,
        ino
    );
    if !name.is_empty() {
        while line.len() < MAPS_NAME_WIDTH {
            line.push(' ');
        }
        line.push(' ');
        line.push_str(name);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: usize = PAGE_SIZE;
    const R: VmFlags = VmFlags::READ;
    const RW: VmFlags = VmFlags::READ.union(VmFlags::WRITE);
    const RX: VmFlags = VmFlags::READ.union(VmFlags::EXEC);
    const STACK: VmFlags = RW.union(VmFlags::GROWSDOWN);

    struct FakeFile {
        path: &'static str,
        ino: u64,
    }

    impl VmFile for FakeFile {
        fn path(&self) -> &str {
            self.path
        }
        fn read_at(&self, _offset: usize, _buf: &mut [u8]) -> usize {
            0
        }
        fn ino(&self) -> u64 {
            self.ino
        }
    }

    fn file(path: &'static str, ino: u64) -> Arc<dyn VmFile> {
        Arc::new(FakeFile { path, ino })
    }

    /// An anonymous VMA over pages [s, e).
    fn anon(s: usize, e: usize, flags: VmFlags) -> VmArea {
        VmArea::new_anon(s * P, e * P, flags)
    }

    /// A file VMA over pages [s, e) from file page `pgoff`.
    fn filed(s: usize, e: usize, flags: VmFlags, f: &Arc<dyn VmFile>, pgoff: usize) -> VmArea {
        VmArea::new_file(s * P, e * P, flags, f.clone(), pgoff)
    }

    /// The list as (start page, end page, flags, pgoff), checking invariants first.
    fn shape(l: &VmaList) -> Vec<(usize, usize, VmFlags, usize)> {
        l.check_invariants();
        l.iter()
            .map(|v| (v.vm_start / P, v.vm_end / P, v.vm_flags, v.vm_pgoff))
            .collect()
    }

    fn list(vmas: Vec<VmArea>) -> VmaList {
        let mut l = VmaList::new();
        for v in vmas {
            assert!(l.insert(v).is_ok());
        }
        l.check_invariants();
        l
    }

    #[test]
    fn overlap_refused_in_every_shape() {
        let mut l = list(vec![anon(10, 20, RW)]);
        let before = shape(&l);
        // Over the start, over the end, inside, around, equal, at each edge inside.
        for (s, e) in [
            (5, 15),
            (15, 25),
            (12, 18),
            (5, 25),
            (10, 20),
            (10, 11),
            (19, 20),
            (9, 11),
        ] {
            assert_eq!(
                l.insert(anon(s, e, R)),
                Err(VmaError::Overlap),
                "[{s}, {e})"
            );
            assert_eq!(shape(&l), before);
        }
        // Touching on either side is not an overlap.
        assert_eq!(l.insert(anon(5, 10, R)), Ok(5 * P));
        assert_eq!(l.insert(anon(20, 25, R)), Ok(20 * P));
        assert_eq!(
            shape(&l),
            vec![(5, 10, R, 0), (10, 20, RW, 0), (20, 25, R, 0)]
        );
        assert_eq!(Errno::from(VmaError::Overlap), Errno::EEXIST);
        assert_eq!(Errno::from(VmaError::BadRange), Errno::EINVAL);
        assert_eq!(Errno::from(VmaError::NotMapped), Errno::ENOMEM);
    }

    #[test]
    fn insert_merges_adjacent_anonymous() {
        let mut l = list(vec![anon(10, 20, RW)]);
        assert_eq!(l.insert(anon(20, 30, RW)), Ok(10 * P)); // after
        assert_eq!(l.insert(anon(5, 10, RW)), Ok(5 * P)); // before
        assert_eq!(shape(&l), vec![(5, 30, RW, 0)]);
        l.insert(anon(40, 50, RW)).unwrap();
        l.insert(anon(60, 70, RW)).unwrap();
        assert_eq!(l.insert(anon(50, 60, RW)), Ok(40 * P)); // fills the hole
        assert_eq!(shape(&l), vec![(5, 30, RW, 0), (40, 70, RW, 0)]);
        assert_eq!(l.total_size(), 55 * P);
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn insert_does_not_merge_incompatible() {
        let (a, b) = (file("/a", 1), file("/b", 2));
        let mut l = list(vec![anon(10, 20, RW)]);
        l.insert(anon(20, 30, R)).unwrap(); // other flags
        l.insert(filed(30, 40, R, &a, 0)).unwrap(); // file next to anonymous
        l.insert(filed(40, 50, R, &b, 10)).unwrap(); // another file
        l.insert(filed(50, 60, R, &b, 99)).unwrap(); // same file, pgoff not contiguous
        assert_eq!(l.len(), 5);
        // Same file, contiguous pgoff: merges, keeping the lower pgoff.
        assert_eq!(l.insert(filed(60, 62, R, &b, 109)), Ok(50 * P));
        assert_eq!(l.insert(filed(62, 64, RX, &b, 111)), Ok(62 * P)); // flags differ
        assert_eq!(shape(&l)[4], (50, 62, R, 99));
        assert!(!l.vma_at(35 * P).unwrap().is_anonymous());
        assert_eq!(
            l.vma_at(55 * P).unwrap().file_offset(55 * P + 12),
            (104 * P) + 12
        );
    }

    #[test]
    fn special_mappings_never_merge_and_split_keeps_their_page_index() {
        static SM: SpecialMapping = SpecialMapping::new("[vdso]");
        let special = |s: usize, e: usize| VmArea::new_special(s * P, e * P, R, &SM);
        let mut l = list(vec![special(10, 14)]);
        // Neighbours with the same flags, anonymous or special, stay separate VMAs.
        l.insert(anon(14, 16, R)).unwrap();
        l.insert(anon(8, 10, R)).unwrap();
        l.insert(special(16, 18)).unwrap();
        assert_eq!(l.len(), 4);
        assert!(!l.vma_at(10 * P).unwrap().is_anonymous());
        // mprotect of the middle of the special VMA splits it; each piece still knows
        // which frame its first page shows, and the pieces do not merge back.
        l.change_flags(11 * P, 12 * P, |f| f | VmFlags::EXEC)
            .unwrap();
        let pieces: Vec<(usize, usize)> = l
            .iter()
            .filter(|v| v.vm_special.is_some() && v.vm_start < 14 * P)
            .map(|v| (v.vm_start / P, v.vm_pgoff))
            .collect();
        assert_eq!(pieces, vec![(10, 0), (11, 1), (12, 2)]);
        l.change_flags(11 * P, 12 * P, |f| f - VmFlags::EXEC)
            .unwrap();
        assert_eq!(l.len(), 6);
        l.check_invariants();
    }

    #[test]
    fn split_at_boundaries() {
        let f = file("/f", 3);
        let mut l = list(vec![anon(10, 20, RW), filed(30, 40, R, &f, 5)]);
        assert_eq!(l.split(10 * P), Err(VmaError::BadRange)); // at vm_start
        assert_eq!(l.split(20 * P), Err(VmaError::NotMapped)); // at vm_end
        assert_eq!(l.split(25 * P), Err(VmaError::NotMapped)); // outside
        assert_eq!(l.split(15 * P + 8), Err(VmaError::BadRange)); // unaligned
        assert_eq!(l.split(usize::MAX & !(P - 1)), Err(VmaError::NotMapped));
        assert_eq!(shape(&l).len(), 2);
        l.split(15 * P).unwrap();
        l.split(33 * P).unwrap();
        let want = vec![
            (10, 15, RW, 0),
            (15, 20, RW, 0),
            (30, 33, R, 5),
            (33, 40, R, 8),
        ];
        assert_eq!(shape(&l), want);
        assert_eq!(l.vma_at(33 * P).unwrap().file_offset(34 * P), 9 * P);
    }

    #[test]
    fn remove_range_shapes() {
        let mut l = list(vec![anon(10, 20, RW)]);
        let gone = l.remove_range(13 * P, 15 * P).unwrap(); // the middle
        assert_eq!(
            gone.iter()
                .map(|v| (v.vm_start / P, v.vm_end / P))
                .collect::<Vec<_>>(),
            [(13, 15)]
        );
        assert_eq!(shape(&l), vec![(10, 13, RW, 0), (15, 20, RW, 0)]);
        assert!(l.remove_range(30 * P, 40 * P).unwrap().is_empty()); // a hole
        assert!(l.remove_range(0, P).unwrap().is_empty()); // page 0 may be named
        l.insert(anon(20, 25, R)).unwrap();
        l.insert(anon(30, 35, RX)).unwrap();
        // Partial at both edges, spanning several VMAs and holes.
        let gone = l.remove_range(12 * P, 32 * P).unwrap();
        let pieces: Vec<_> = gone
            .iter()
            .map(|v| (v.vm_start / P, v.vm_end / P))
            .collect();
        assert_eq!(pieces, [(12, 13), (15, 20), (20, 25), (30, 32)]);
        assert_eq!(shape(&l), vec![(10, 12, RW, 0), (32, 35, RX, 0)]);
        assert_eq!(l.remove_range(P, TASK_SIZE).unwrap().len(), 2);
        assert!(l.is_empty());
        for (s, e) in [(P, P), (2 * P, P), (P + 1, 2 * P), (P, TASK_SIZE + P)] {
            assert_eq!(l.remove_range(s, e).err(), Some(VmaError::BadRange));
        }
    }

    #[test]
    fn change_flags_splits_and_remerges() {
        let f = file("/f", 3);
        let mut l = list(vec![anon(10, 20, RW), filed(30, 40, R, &f, 0)]);
        l.change_flags(13 * P, 15 * P, |fl| fl - VmFlags::WRITE)
            .unwrap();
        assert_eq!(
            shape(&l)[..3],
            [(10, 13, RW, 0), (13, 15, R, 0), (15, 20, RW, 0)]
        );
        l.change_flags(13 * P, 15 * P, |fl| fl | VmFlags::WRITE)
            .unwrap();
        assert_eq!(shape(&l)[0], (10, 20, RW, 0));
        // The same on a file VMA: pgoff follows the split, and it merges back.
        l.change_flags(32 * P, 34 * P, |_| RX).unwrap();
        assert_eq!(
            shape(&l)[1..],
            [(30, 32, R, 0), (32, 34, RX, 2), (34, 40, R, 4)]
        );
        l.change_flags(32 * P, 34 * P, |_| R).unwrap();
        assert_eq!(shape(&l)[1], (30, 40, R, 0));
        // Over several touching VMAs: all become one.
        l.insert(anon(20, 25, R)).unwrap();
        l.change_flags(15 * P, 25 * P, |_| RX).unwrap();
        assert_eq!(shape(&l)[..2], [(10, 15, RW, 0), (15, 25, RX, 0)]);
    }

    #[test]
    fn change_flags_over_a_hole_changes_nothing() {
        let mut l = list(vec![anon(10, 20, RW), anon(21, 30, RW)]);
        let before = shape(&l);
        for (s, e) in [(12, 25), (5, 15), (25, 31), (20, 21), (0, 12)] {
            assert_eq!(
                l.change_flags(s * P, e * P, |_| R),
                Err(VmaError::NotMapped)
            );
            assert_eq!(shape(&l), before);
        }
        assert_eq!(
            l.change_flags(12 * P, 12 * P, |_| R),
            Err(VmaError::BadRange)
        );
    }

    #[test]
    fn find_vma_semantics() {
        let l = list(vec![anon(10, 20, RW), anon(30, 40, R)]);
        let start = |v: Option<&VmArea>| v.map(|v| v.vm_start / P);
        assert_eq!(start(l.find_vma(0)), Some(10)); // below: the VMA above, not mapped!
        assert_eq!(start(l.vma_at(0)), None);
        assert_eq!(start(l.find_vma(10 * P)), Some(10));
        assert_eq!(start(l.find_vma(20 * P - 1)), Some(10));
        assert_eq!(start(l.find_vma(20 * P)), Some(30)); // vm_end is outside
        assert_eq!(start(l.vma_at(20 * P)), None);
        assert_eq!(start(l.find_vma(40 * P)), None);
        assert_eq!(start(l.find_vma(usize::MAX)), None);
        assert_eq!(start(l.find_vma_intersection(20 * P, 30 * P)), None);
        assert_eq!(start(l.find_vma_intersection(20 * P, 30 * P + 1)), Some(30));
        assert_eq!(start(l.find_vma_intersection(15 * P, 35 * P)), Some(10));
        assert_eq!(start(l.find_vma_intersection(35 * P, 15 * P)), None);
        let mut l = l;
        l.find_vma_mut(35 * P).unwrap().vm_flags = RW;
        assert!(l.find_vma_mut(25 * P).is_none());
        assert_eq!(l.vma_at(39 * P).unwrap().vm_flags, RW);
    }

    #[test]
    fn find_gap_topdown_cases() {
        // In pages: (len, align, low, high, guard) -> the start page found.
        let gap = |l: &VmaList, len: usize, align: usize, low: usize, high: usize, guard: usize| {
            l.find_gap_topdown(len * P, align * P, low * P, high * P, guard * P)
                .map(|a| a / P)
        };
        let empty = VmaList::new();
        assert_eq!(gap(&empty, 4, 1, 0, 100, 0), Some(96));
        assert_eq!(gap(&empty, 4, 16, 0, 90, 0), Some(80)); // aligned down
        assert_eq!(gap(&empty, 3, 1, 0, 3, 0), None); // page 0 is never handed out
        assert_eq!(gap(&empty, 2, 1, 0, 3, 0), Some(1));
        assert_eq!(gap(&empty, 0, 1, 0, 100, 0), None);
        assert_eq!(gap(&empty, 1, 3, 0, 100, 0), None); // align not a power of two
        assert_eq!(empty.find_gap_topdown(P + 1, P, 0, 100 * P, 0), None);
        let top = empty.find_gap_topdown(P, P, 0, usize::MAX, 0);
        assert_eq!(top, Some(TASK_SIZE - P)); // high is capped at TASK_SIZE
        let huge = usize::MAX & !(P - 1);
        assert_eq!(empty.find_gap_topdown(huge, P, 0, usize::MAX, 0), None);

        let mut l = list(vec![anon(10, 20, RW), anon(50, 60, R), anon(80, 100, RX)]);
        assert_eq!(gap(&l, 10, 1, 0, 100, 0), Some(70)); // highest gap first
        assert_eq!(gap(&l, 20, 1, 0, 100, 0), Some(60)); // exact fit
        assert_eq!(gap(&l, 25, 1, 0, 100, 0), Some(25)); // only the lower gap is wide enough
        assert_eq!(gap(&l, 16, 16, 0, 100, 0), Some(64));
        assert_eq!(gap(&l, 18, 8, 0, 100, 0), Some(32)); // alignment pushes it down a gap
        assert_eq!(gap(&l, 25, 1, 30, 100, 0), None); // above low only [30, 50) is free
        assert_eq!(gap(&l, 31, 1, 0, 100, 0), None);
        assert_eq!(gap(&l, 10, 1, 0, 200, 0), Some(190));
        // The guard applies only below a GROWSDOWN VMA ...
        assert_eq!(gap(&l, 10, 1, 0, 100, 4), Some(70));
        l.change_flags(80 * P, 100 * P, |_| STACK).unwrap();
        assert_eq!(gap(&l, 10, 1, 0, 100, 4), Some(66));
        assert_eq!(gap(&l, 10, 1, 0, 100, 15), Some(40));
        // ... also when the stack starts at or above `high`.
        assert_eq!(gap(&l, 5, 1, 0, 80, 2), Some(73));
        assert_eq!(gap(&l, 5, 1, 0, 75, 2), Some(70));
        let a = l.find_gap_topdown(10 * P, P, 0, 100 * P, 0).unwrap();
        assert!(l.insert(VmArea::new_anon(a, a + 10 * P, RX)).is_ok());
    }

    #[test]
    fn expand_refuses_neighbours() {
        let mut l = list(vec![anon(10, 20, RW), anon(30, 40, STACK), anon(50, 60, R)]);
        assert_eq!(l.expand_down(30 * P, 19 * P), Err(VmaError::Overlap));
        assert_eq!(l.expand_down(30 * P, 25 * P + 1), Err(VmaError::BadRange));
        assert_eq!(l.expand_down(30 * P, 31 * P), Err(VmaError::BadRange));
        assert_eq!(l.expand_down(50 * P, 45 * P), Err(VmaError::BadRange)); // no GROWSDOWN
        assert_eq!(l.expand_down(31 * P, 25 * P), Err(VmaError::NotMapped));
        l.expand_down(30 * P, 20 * P).unwrap(); // up to the neighbour, not into it
        assert_eq!(shape(&l)[1], (20, 40, STACK, 0));
        assert_eq!(l.expand_up(20 * P, 51 * P), Err(VmaError::Overlap));
        assert_eq!(l.expand_up(20 * P, 39 * P), Err(VmaError::BadRange));
        assert_eq!(l.expand_up(20 * P, TASK_SIZE + P), Err(VmaError::BadRange));
        assert_eq!(l.expand_up(21 * P, 45 * P), Err(VmaError::NotMapped));
        l.expand_up(20 * P, 50 * P).unwrap();
        assert_eq!(shape(&l)[1], (20, 50, STACK, 0));
        l.expand_up(50 * P, TASK_SIZE).unwrap();
        // A stack alone cannot grow into page 0.
        let mut s = list(vec![anon(4, 8, STACK)]);
        assert_eq!(s.expand_down(4 * P, 0), Err(VmaError::BadRange));
        s.expand_down(4 * P, P).unwrap();
        assert_eq!(shape(&s), vec![(1, 8, STACK, 0)]);
        // A file-backed one moves its pgoff down, and cannot go below file page 0.
        let f = file("/f", 1);
        let mut fl = list(vec![filed(10, 12, STACK, &f, 2)]);
        assert_eq!(fl.expand_down(10 * P, 7 * P), Err(VmaError::BadRange));
        fl.expand_down(10 * P, 8 * P).unwrap();
        assert_eq!(shape(&fl), vec![(8, 12, STACK, 0)]);
    }

    #[test]
    fn bad_ranges_refused() {
        let mut l = VmaList::new();
        let bad = [
            (0, P),                         // page 0
            (0, 3 * P),                     // starts in page 0
            (P, P),                         // empty
            (3 * P, 2 * P),                 // inverted
            (P + 1, 2 * P),                 // unaligned
            (P, 2 * P - 1),                 // unaligned end
            (TASK_SIZE - P, TASK_SIZE + P), // past TASK_SIZE
            (TASK_SIZE, TASK_SIZE + P),
            (usize::MAX & !(P - 1), 0), // wraps
            (usize::MAX - P + 1, usize::MAX),
        ];
        for (s, e) in bad {
            assert_eq!(
                l.insert(VmArea::new_anon(s, e, RW)),
                Err(VmaError::BadRange),
                "{s:#x}"
            );
        }
        assert!(l.is_empty());
        assert_eq!(
            l.insert(VmArea::new_anon(TASK_SIZE - P, TASK_SIZE, RW)),
            Ok(TASK_SIZE - P)
        );
        assert_eq!(l.insert(VmArea::new_anon(MMAP_MIN_ADDR, 2 * P, RW)), Ok(P));
        assert_eq!(
            l.change_flags(TASK_SIZE, usize::MAX & !(P - 1), |f| f),
            Err(VmaError::BadRange)
        );
        l.check_invariants();
    }

    #[test]
    fn flag_conversions() {
        assert_eq!(VmFlags::from_prot_bits(0), VmFlags::empty());
        assert_eq!(VmFlags::from_prot_bits(1 | 4 | 0x10), RX);
        assert_eq!(RW.to_prot(), Prot::USER | Prot::READ | Prot::WRITE);
        assert_eq!(VmFlags::empty().to_prot(), Prot::USER);
        // arm64 has no write-only pages, and exec-only is readable without FEAT_EPAN.
        assert_eq!(
            VmFlags::WRITE.to_prot(),
            Prot::USER | Prot::READ | Prot::WRITE
        );
        assert_eq!(
            VmFlags::EXEC.to_prot(),
            Prot::USER | Prot::READ | Prot::EXEC
        );
        assert_eq!(VmFlags::GROWSDOWN.bits(), 0x100);
        assert_eq!(VmFlags::ACCOUNT.bits(), 0x100000);
    }

    #[test]
    fn maps_line_matches_linux() {
        // Lines as Linux prints them (from a real /proc/self/maps; device set to 00:00).
        let f = file("/usr/bin/head", 247282);
        let text = VmArea::new_file(0x55572f91e000, 0x55572f924000, RX, f, 2);
        assert_eq!(
            maps_line(&text, "ignored"),
            "55572f91e000-55572f924000 r-xp 00002000 00:00 247282                     /usr/bin/head"
        );
        let heap = VmArea::new_anon(0x5557539f3000, 0x555753a14000, RW);
        assert_eq!(
            maps_line(&heap, "[heap]"),
            "5557539f3000-555753a14000 rw-p 00000000 00:00 0                          [heap]"
        );
        let plain = VmArea::new_anon(0x55fe9d3a4000, 0x55fe9d3b7000, RW);
        assert_eq!(
            maps_line(&plain, ""),
            "55fe9d3a4000-55fe9d3b7000 rw-p 00000000 00:00 0 "
        );
        // Short addresses keep 8 digits; the name still starts at column 73.
        let init = VmArea::new_file(0x400000, 0x452000, RX, file("/bin/init", 1234), 0);
        let line = maps_line(&init, "");
        assert_eq!(
            line,
            "00400000-00452000 r-xp 00000000 00:00 1234                               /bin/init"
        );
        assert_eq!(line.find('/'), Some(73));
        let shared = VmArea::new_anon(0x1000, 0x2000, R | VmFlags::MAYSHARE);
        assert_eq!(
            maps_line(&shared, ""),
            "00001000-00002000 r--s 00000000 00:00 0 "
        );
    }

    // ---- Randomized test against a page-by-page model ----

    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, n: usize) -> usize {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            (x % n as u64) as usize
        }
    }

    /// What the model knows of a page: its flags and (file number, file page).
    type Page = (VmFlags, Option<(usize, usize)>);

    fn file_index(files: &[Arc<dyn VmFile>], v: &VmArea) -> Option<usize> {
        let f = v.vm_file.as_ref()?;
        files.iter().position(|g| Arc::ptr_eq(f, g))
    }

    /// The list, page by page, in the model's terms.
    fn pages(l: &VmaList, files: &[Arc<dyn VmFile>]) -> BTreeMap<usize, Page> {
        let mut m = BTreeMap::new();
        for v in l.iter() {
            for (i, page) in (v.vm_start / P..v.vm_end / P).enumerate() {
                let backing = file_index(files, v).map(|f| (f, v.vm_pgoff + i));
                m.insert(page, (v.vm_flags, backing));
            }
        }
        m
    }

    /// How many VMAs a fully merged list has for this model: one per run of pages that
    /// continue each other.
    fn runs(model: &BTreeMap<usize, Page>) -> usize {
        let continues = |p: usize, cur: &Page| match model.get(&p.wrapping_sub(1)) {
            Some((fl, b)) => {
                *fl == cur.0
                    && match (b, cur.1) {
                        (None, None) => true,
                        (Some((f, q)), Some((g, r))) => *f == g && q + 1 == r,
                        _ => false,
                    }
            }
            None => false,
        };
        model.iter().filter(|(&p, cur)| !continues(p, cur)).count()
    }

    /// The highest page `a` (aligned, at least 1) with `[a, a + len)` free and below
    /// `high`, and `guard` free pages below a GROWSDOWN VMA right above it.
    fn brute_gap(
        model: &BTreeMap<usize, Page>,
        len: usize,
        align: usize,
        high: usize,
        guard: usize,
    ) -> Option<usize> {
        let fits = |a: usize| {
            let free = (a..a + len).all(|p| !model.contains_key(&p));
            let above = model.range(a + len..).next();
            let guarded = match above {
                Some((&p, (fl, _))) if fl.contains(VmFlags::GROWSDOWN) => p >= a + len + guard,
                _ => true,
            };
            free && guarded
        };
        (1..=high.checked_sub(len)?)
            .rev()
            .find(|&a| a % align == 0 && fits(a))
    }

    #[test]
    fn randomized_against_page_model() {
        let files = [file("/a", 1), file("/b", 2)];
        let flag_set = [R, RW, RX, R | VmFlags::MAYSHARE, STACK];
        for seed in [1u64, 0x9e37_79b9_7f4a_7c15, 12345] {
            let mut rng = XorShift(seed);
            let mut l = VmaList::new();
            let mut model: BTreeMap<usize, Page> = BTreeMap::new();
            for _ in 0..4000 {
                let s = rng.below(64);
                let e = s + 1 + rng.below(10);
                let covered = (s..e).filter(|p| model.contains_key(p)).count();
                match rng.below(10) {
                    0..=3 => {
                        let flags = flag_set[rng.below(flag_set.len())];
                        let vma = match rng.below(3) {
                            0 => anon(s, e, flags),
                            k => {
                                let pgoff = if rng.below(2) == 0 { s } else { rng.below(16) };
                                filed(s, e, flags, &files[k - 1], pgoff)
                            }
                        };
                        let backing = file_index(&files, &vma).map(|f| (f, vma.vm_pgoff));
                        let got = l.insert(vma);
                        if s == 0 {
                            assert_eq!(got, Err(VmaError::BadRange));
                        } else if covered > 0 {
                            assert_eq!(got, Err(VmaError::Overlap));
                        } else {
                            let start = got.unwrap();
                            assert_eq!(l.vma_at(s * P).map(|v| v.vm_start), Some(start));
                            for (i, p) in (s..e).enumerate() {
                                model.insert(p, (flags, backing.map(|(f, q)| (f, q + i))));
                            }
                        }
                    }
                    4..=5 => {
                        let gone = l.remove_range(s * P, e * P).unwrap();
                        let gone_pages: usize = gone.iter().map(|v| v.len() / P).sum();
                        assert_eq!(gone_pages, covered);
                        for v in &gone {
                            let first =
                                (v.vm_flags, file_index(&files, v).map(|f| (f, v.vm_pgoff)));
                            assert_eq!(model.get(&(v.vm_start / P)), Some(&first));
                        }
                        model.retain(|p, _| !(s..e).contains(p));
                    }
                    6..=8 => {
                        let new = flag_set[rng.below(flag_set.len())];
                        let toggle = rng.below(2) == 0;
                        let f = |fl: VmFlags| if toggle { fl ^ VmFlags::WRITE } else { new };
                        let got = l.change_flags(s * P, e * P, f);
                        if covered < e - s {
                            assert_eq!(got, Err(VmaError::NotMapped));
                        } else {
                            assert_eq!(got, Ok(()));
                            for p in s..e {
                                if let Some(page) = model.get_mut(&p) {
                                    page.0 = f(page.0);
                                }
                            }
                        }
                    }
                    _ => {
                        let (a, b) = (s * P + 8, e * P);
                        assert_eq!(l.insert(VmArea::new_anon(a, b, R)), Err(VmaError::BadRange));
                        assert_eq!(l.remove_range(a, b).err(), Some(VmaError::BadRange));
                        assert_eq!(l.change_flags(b, a, |f| f), Err(VmaError::BadRange));
                    }
                }
                l.check_invariants();
                assert_eq!(pages(&l, &files), model);
                assert_eq!(l.len(), runs(&model), "not fully merged: {l:?}");
                assert_eq!(l.total_size(), model.len() * P);
                // The gap search against a brute-force scan, in pages.
                let (len, align) = (1 + rng.below(8), 1 << rng.below(3));
                let (high, guard) = (rng.below(80), rng.below(3));
                let got = l.find_gap_topdown(len * P, align * P, 0, high * P, guard * P);
                assert_eq!(
                    got.map(|a| a / P),
                    brute_gap(&model, len, align, high, guard)
                );
            }
        }
    }
}
