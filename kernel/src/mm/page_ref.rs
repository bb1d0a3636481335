//! Per-frame reference counts, the part of Linux's `struct page` copy-on-write depends
//! on (`page_ref_inc`, `put_page`, `page_count` in `include/linux/mm.h`), and the
//! decision `do_wp_page` makes with them. Portable and host-tested; `page_alloc.rs`
//! owns the kernel's one instance.
//!
//! A user frame's count is the number of page-table entries that map it. fork maps every
//! private page into the child too (count + 1) read-only in both; a write fault then
//! copies the page unless the faulting process holds the only reference.

use core::sync::atomic::{AtomicU32, Ordering};

/// Reference counts for the frames from `base` on, one `AtomicU32` each (Linux
/// `mem_map`).
pub struct PageRefs<'a> {
    base: usize,
    page_size: usize,
    counts: &'a [AtomicU32],
}

impl<'a> PageRefs<'a> {
    /// Counts for `counts.len()` frames of `page_size` bytes starting at `base`.
    pub fn new(base: usize, page_size: usize, counts: &'a [AtomicU32]) -> Self {
        PageRefs {
            base,
            page_size,
            counts,
        }
    }

    fn slot(&self, pa: usize) -> &AtomicU32 {
        let i = pa.wrapping_sub(self.base) / self.page_size;
        match self.counts.get(i) {
            Some(c) => c,
            None => panic!("page_ref: 0x{:x} is not a managed frame (kernel bug)", pa),
        }
    }

    /// A newly allocated frame has one user (Linux `set_page_count(page, 1)`).
    pub fn set_one(&self, pa: usize) {
        self.slot(pa).store(1, Ordering::Relaxed);
    }

    /// One more mapping (Linux `get_page`).
    pub fn get(&self, pa: usize) {
        self.slot(pa).fetch_add(1, Ordering::Relaxed);
    }

    /// One mapping fewer (Linux `put_page`); true when that was the last one and the
    /// frame must be freed. Dropping a reference nobody holds is a kernel bug.
    pub fn put(&self, pa: usize) -> bool {
        let old = self.slot(pa).fetch_sub(1, Ordering::AcqRel);
        assert!(
            old != 0,
            "put_page: frame 0x{:x} has no references (kernel bug)",
            pa
        );
        old == 1
    }

    /// Current count (Linux `page_count`).
    pub fn count(&self, pa: usize) -> u32 {
        self.slot(pa).load(Ordering::Relaxed)
    }
}

/// `do_wp_page`'s choice for a write to a present read-only page of a writable VMA: the
/// frame may simply be made writable (Linux `wp_page_reuse`) when the mapping is shared
/// or nobody else maps it; otherwise it must be copied (`wp_page_copy`).
pub fn wp_can_reuse(count: u32, shared: bool) -> bool {
    // LAB 3 BEGIN: may the writer keep this frame (Linux wp_page_reuse) or must it copy
    shared || count == 1
    // LAB 3 END
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(n: usize) -> (Vec<AtomicU32>, usize) {
        ((0..n).map(|_| AtomicU32::new(0)).collect(), 0x4000_0000)
    }

    #[test]
    fn fork_then_writes_copy_until_the_last_owner() {
        let (counts, base) = refs(8);
        let r = PageRefs::new(base, 4096, &counts);
        let page = base + 3 * 4096;
        r.set_one(page); // the parent faulted it in
                         // Three forks share it read-only.
        for _ in 0..3 {
            r.get(page);
        }
        assert_eq!(r.count(page), 4);
        // Each child's write copies: it drops its reference to the shared frame.
        for expected_left in [3, 2, 1] {
            assert!(
                !wp_can_reuse(r.count(page), false),
                "shared by {}: must copy",
                r.count(page)
            );
            assert!(!r.put(page));
            assert_eq!(r.count(page), expected_left);
        }
        // The parent is the last owner: its write reuses the frame, no copy.
        assert!(wp_can_reuse(r.count(page), false));
        // The parent exits: the last reference frees the frame.
        assert!(r.put(page));
        assert_eq!(r.count(page), 0);
    }

    #[test]
    fn shared_mappings_never_copy() {
        assert!(wp_can_reuse(5, true));
        assert!(wp_can_reuse(1, false));
        assert!(!wp_can_reuse(2, false));
    }

    #[test]
    #[should_panic(expected = "no references")]
    fn putting_a_free_frame_is_a_kernel_bug() {
        let (counts, base) = refs(1);
        PageRefs::new(base, 4096, &counts).put(base);
    }

    #[test]
    #[should_panic(expected = "not a managed frame")]
    fn foreign_frames_are_a_kernel_bug() {
        let (counts, base) = refs(1);
        PageRefs::new(base, 4096, &counts).get(base + 4096);
    }
}
