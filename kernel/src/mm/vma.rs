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
        use uapi::mman::{PROT_EXEC, PROT_READ, PROT_WRITE};
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
    /// The file's page cache (Linux `vma->vm_file->f_mapping`), when it has one: faults
    /// then map its frames (`fault.rs`, `filemap_fault`) instead of reading a copy.
    fn mapping(&self) -> Option<super::filemap::Mapping> {
        None
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
mod tests;
