//! The page cache: a file's pages, by page index, in frames (Linux `mm/filemap.c`,
//! `include/linux/pagemap.h`, `mm/truncate.c`).
//!
//! Each regular file has one [`AddressSpace`] (Linux `inode->i_mapping`), shared as a
//! [`Mapping`] by the inode (the file system reads and writes through it) and by every
//! VMA that maps the file (the fault path maps its frames, `fault.rs`). That is why it
//! lives in mm: fs uses it, mm never imports fs.
//!
//! Reference counts: every frame in the cache holds one reference owned by the cache
//! (taken when the frame is created, dropped when it is truncated away or the mapping
//! dies); each page table that maps it adds one (`get_page`), as for anonymous memory.
//! So a cached page mapped by two processes has count 3, and the CoW rule in
//! `fault.rs` never reuses a cache frame for a private write.
//!
//! Simplified: a `BTreeMap` instead of Linux's xarray, no page flags (uptodate, dirty,
//! locked: ramfs pages are always up to date and have nowhere to be written back), no
//! LRU and no reclaim (ramfs pages are unevictable in Linux too), and no reverse map:
//! Linux's `mapping->i_mmap` tree lists every VMA mapping the file, so truncation
//! (`unmap_mapping_range`) visits just those; Linnet walks every address space's VMAs
//! instead ([`unmap_mapping_range`]), which is slower but needs no bookkeeping in mmap,
//! munmap, mremap, fork and exec.

use super::layout::PAGE_SIZE;
use super::page_alloc;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Frames in every file's page cache (Linux `global_node_page_state(NR_FILE_PAGES)`),
/// shown as `Cached:` in /proc/meminfo.
static NR_FILE_PAGES: AtomicUsize = AtomicUsize::new(0);

/// Pages in all page caches now (Linux `NR_FILE_PAGES`; the host's count spans every
/// test thread).
pub fn nr_file_pages() -> usize {
    NR_FILE_PAGES.load(Ordering::Relaxed)
}

/// A file's page cache, shared by its inode and the VMAs mapping it.
pub type Mapping = Arc<spin::Mutex<AddressSpace>>;

/// One file's cached pages and its size (Linux `struct address_space`; the size is Linux's
/// `inode->i_size`, kept here beside the pages so the fault path can check a fault
/// against the end of the file without reaching into the file system).
#[derive(Debug, Default)]
pub struct AddressSpace {
    /// File page index -> frame (Linux `mapping->i_pages`).
    pages: BTreeMap<u64, usize>,
    /// The file's size in bytes (Linux `i_size`, read with `i_size_read`).
    pub i_size: u64,
}

impl AddressSpace {
    /// An empty page cache for a new, empty file.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new empty [`Mapping`] (Linux `address_space_init_once` for a new inode).
    pub fn new_mapping() -> Mapping {
        Arc::new(spin::Mutex::new(Self::new()))
    }

    /// Pages in the cache (Linux `mapping->nrpages`).
    pub fn nrpages(&self) -> usize {
        self.pages.len()
    }

    /// The frame caching page `index`, if any, without taking a reference: valid while
    /// the caller holds the mapping's lock (Linux `filemap_get_entry` under the RCU lock).
    pub fn find_page(&self, index: u64) -> Option<usize> {
        self.pages.get(&index).copied()
    }

    /// The frame caching page `index` with a reference for the caller, who gives it back
    /// with `put_page` (Linux `find_get_page`).
    pub fn find_get_page(&self, index: u64) -> Option<usize> {
        let pa = self.find_page(index)?;
        page_alloc::get_page(pa);
        Some(pa)
    }

    /// The frame caching page `index`, adding a zeroed one if there is none (a hole reads
    /// as zeros); no reference for the caller, who holds the lock (Linux
    /// `find_or_create_page`, which also returns the page locked and referenced). `None`:
    /// out of memory.
    pub fn find_or_create_page(&mut self, index: u64) -> Option<usize> {
        if let Some(pa) = self.find_page(index) {
            return Some(pa);
        }
        let pa = page_alloc::alloc_user_page()?; // count 1: the cache's own reference
        self.pages.insert(index, pa);
        NR_FILE_PAGES.fetch_add(1, Ordering::Relaxed);
        Some(pa)
    }

    /// Drop every page from byte `lstart` on, zeroing the rest of a partial page so a
    /// later growth reads zeros there (Linux `truncate_inode_pages`). Frames still mapped
    /// by a page table live on until it lets go (Linux unmaps them first with
    /// `unmap_mapping_range`; Linnet has no reverse map yet, see the file comment).
    pub fn truncate_inode_pages(&mut self, lstart: u64) {
        let partial = (lstart % PAGE_SIZE as u64) as usize;
        let first_whole = lstart.div_ceil(PAGE_SIZE as u64);
        if partial != 0 {
            if let Some(pa) = self.find_page(lstart / PAGE_SIZE as u64) {
                // SAFETY: `pa` is a cache frame (we hold a reference) and page_address
                // gives its PAGE_SIZE bytes; `partial < PAGE_SIZE`.
                unsafe {
                    core::ptr::write_bytes(
                        (page_alloc::page_address(pa) as *mut u8).add(partial),
                        0,
                        PAGE_SIZE - partial,
                    )
                };
            }
        }
        for (_, pa) in self.pages.split_off(&first_whole) {
            NR_FILE_PAGES.fetch_sub(1, Ordering::Relaxed);
            page_alloc::put_page(pa);
        }
    }
}

/// Unmap, in `mm`, every page of a VMA mapping `mapping` from file page `first_index` on,
/// private copies included (Linux `unmap_mapping_pages` with `even_cows`, for one mm):
/// after a truncation the next touch faults, and a page wholly past the new end is
/// SIGBUS. Returns the number of VMAs that had pages in the range.
pub fn unmap_mapping_pages(
    mm: &mut super::mm_struct::MmStruct,
    mapping: &Mapping,
    first_index: u64,
) -> usize {
    let ranges: alloc::vec::Vec<(usize, usize)> = mm
        .vmas
        .iter()
        .filter(|v| {
            v.vm_file
                .as_ref()
                .and_then(|f| f.mapping())
                .is_some_and(|m| Arc::ptr_eq(&m, mapping))
        })
        .filter_map(|v| {
            let skip = first_index.saturating_sub(v.vm_pgoff as u64);
            let start = v
                .vm_start
                .checked_add(usize::try_from(skip).ok()?.checked_mul(PAGE_SIZE)?)?;
            (start < v.vm_end).then_some((start, v.vm_end))
        })
        .collect();
    for &(start, end) in &ranges {
        mm.zap_range(start, end);
    }
    ranges.len()
}

/// After a file shrank to `holebegin` bytes: unmap the pages wholly past it from every
/// process (Linux `unmap_mapping_range(mapping, holebegin, 0, 1)` from
/// `truncate_pagecache`). Walks every task's mm, as the file comment explains; call it
/// without the file system's lock (mmap takes that lock inside an mm's), holding one
/// clone of the inode's `Mapping`.
#[cfg(target_os = "none")]
pub fn unmap_mapping_range(mapping: &Mapping, holebegin: u64) {
    // Held by the inode and the caller only: no VMA maps the file, nothing to walk
    // (Linux tests `mapping_mapped`, an empty `i_mmap`, the same way).
    if Arc::strong_count(mapping) <= 2 {
        return;
    }
    let first_index = holebegin.div_ceil(PAGE_SIZE as u64);
    let mut mms: alloc::vec::Vec<Arc<spin::Mutex<super::mm_struct::MmStruct>>> =
        alloc::vec::Vec::new();
    for t in crate::task::sched::TASKS.lock().values() {
        if let Some(mm) = t.inner.lock().mm.clone() {
            if !mms.iter().any(|m| Arc::ptr_eq(m, &mm)) {
                mms.push(mm);
            }
        }
    }
    for mm in mms {
        unmap_mapping_pages(&mut mm.lock(), mapping, first_index);
    }
}

impl Drop for AddressSpace {
    /// The inode is gone: every page goes (Linux `evict` -> `truncate_inode_pages_final`).
    fn drop(&mut self) {
        self.truncate_inode_pages(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn byte(pa: usize, i: usize) -> u8 {
        // SAFETY: host frames are PAGE_SIZE bytes at page_address; i < PAGE_SIZE.
        unsafe { (page_alloc::page_address(pa) as *const u8).add(i).read() }
    }

    fn set(pa: usize, i: usize, v: u8) {
        // SAFETY: as in `byte`.
        unsafe { (page_alloc::page_address(pa) as *mut u8).add(i).write(v) }
    }

    #[test]
    fn pages_are_created_zeroed_once_and_found_again() {
        let before = page_alloc::nr_used_pages();
        let mut m = AddressSpace::new();
        assert_eq!(m.find_page(3), None);
        let pa = m.find_or_create_page(3).unwrap();
        assert_eq!(byte(pa, 100), 0);
        set(pa, 100, 7);
        assert_eq!(m.find_or_create_page(3), Some(pa));
        assert_eq!(m.nrpages(), 1);
        assert_eq!(page_alloc::page_count(pa), 1, "the cache's own reference");
        let got = m.find_get_page(3).unwrap();
        assert_eq!((got, page_alloc::page_count(pa)), (pa, 2));
        page_alloc::put_page(got);
        assert_eq!(m.find_get_page(4), None);
        drop(m);
        assert_eq!(page_alloc::nr_used_pages(), before, "drop frees the pages");
    }

    #[test]
    fn truncate_drops_whole_pages_and_zeroes_the_partial_one() {
        let before = page_alloc::nr_used_pages();
        let mut m = AddressSpace::new();
        for i in 0..4 {
            let pa = m.find_or_create_page(i).unwrap();
            for b in 0..PAGE_SIZE {
                set(pa, b, 0xaa);
            }
        }
        m.truncate_inode_pages(PAGE_SIZE as u64 + 10);
        assert_eq!(m.nrpages(), 2);
        let p1 = m.find_page(1).unwrap();
        assert_eq!(
            (byte(p1, 9), byte(p1, 10), byte(p1, PAGE_SIZE - 1)),
            (0xaa, 0, 0)
        );
        assert_eq!(page_alloc::nr_used_pages(), before + 2);
        m.truncate_inode_pages(0);
        assert_eq!(m.nrpages(), 0);
        assert_eq!(page_alloc::nr_used_pages(), before);
    }

    #[test]
    fn a_mapped_page_outlives_its_truncation() {
        let before = page_alloc::nr_used_pages();
        let mut m = AddressSpace::new();
        let pa = m.find_get_page(0).or_else(|| {
            m.find_or_create_page(0);
            m.find_get_page(0)
        });
        let pa = pa.unwrap(); // a page table's reference, say
        m.truncate_inode_pages(0);
        assert_eq!(page_alloc::page_count(pa), 1);
        assert_eq!(page_alloc::nr_used_pages(), before + 1);
        page_alloc::put_page(pa);
        assert_eq!(page_alloc::nr_used_pages(), before);
    }
}
