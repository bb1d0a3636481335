//! The physical frame allocator: which 4 KiB frames of RAM are free.
//!
//! `kernel/src/mm/frame.rs` (module `mm::frame`) hands out physical pages to everything
//! above it: page-table pages (`mm/page_table.rs`), the kernel heap (`mm/heap.rs` takes
//! one contiguous run at boot), kernel stacks and the pages behind user mappings. It plays
//! the role of Linux's buddy allocator (`alloc_pages` / `__free_pages` in
//! `mm/page_alloc.c`), and, through [`FrameAllocator::reserve_range`], of `memblock`,
//! which records at boot what RAM is already taken (the kernel image, the device tree,
//! the initrd).
//!
//! It is written plainly, because it is a lesson: one bit per frame (set = in use), a
//! count of free frames, and a next-fit hint so that repeated allocations do not rescan
//! the start of RAM every time; a free below the hint moves it back, so freed frames are
//! handed out again before frames never used, much as from Linux's per-CPU lists. What Linux has and Linnet leaves out: no orders and no
//! free lists (a contiguous run is found by a linear search of the bitmap, not by
//! splitting and merging buddies), no zones, no per-CPU page caches, no `struct page`.
//!
//! The allocator owns no memory of its own: the caller gives it the bitmap, so the same
//! code runs in the kernel (bitmap carved out of RAM at boot) and in host tests (a `Vec`).
//! It never touches the frames themselves, only their addresses.
//!
//! Read next: `mm/heap.rs` (the first user), `mm/page_table.rs` (the busiest one).

use core::fmt;

use super::layout::{page_align_down, page_align_up, PAGE_SIZE};

/// Bits in one bitmap word.
const BITS: usize = u64::BITS as usize;

/// A bitmap allocator of the 4 KiB frames in `[base, base + nframes * PAGE_SIZE)`.
///
/// Mirrors the job of Linux's buddy allocator (`mm/page_alloc.c`) with a much simpler
/// structure: see the file comment for what is left out. Every frame starts *used*; boot
/// code hands RAM over with [`add_free_range`](Self::add_free_range) and takes back what
/// is already occupied with [`reserve_range`](Self::reserve_range), as Linux does with
/// `memblock_add` / `memblock_reserve`.
pub struct FrameAllocator<'a> {
    /// Physical address of frame 0 (page aligned).
    base: usize,
    /// Number of frames the bitmap covers.
    nframes: usize,
    /// Bit `i % 64` of word `i / 64` is set when frame `i` is in use (or is not RAM).
    bitmap: &'a mut [u64],
    /// How many bits in `bitmap[..nframes]` are clear. Kept so `alloc` can say "empty"
    /// without a scan, and so tests can check that nothing leaks.
    free: usize,
    /// Next-fit hint: the frame index where the next single-frame search starts. Without
    /// it every `alloc` would walk over the same used frames at the start of RAM.
    next: usize,
}

impl<'a> FrameAllocator<'a> {
    /// Bytes of bitmap needed for `nframes` (rounded up to u64 words).
    pub const fn bitmap_bytes(nframes: usize) -> usize {
        nframes.div_ceil(BITS) * core::mem::size_of::<u64>()
    }

    /// An allocator for `nframes` frames starting at physical address `base`, keeping its
    /// state in `bitmap`. All frames start *used*; `add_free_range` hands RAM to it.
    ///
    /// Panics if `base` is not page aligned, if `bitmap` is shorter than
    /// [`bitmap_bytes`](Self::bitmap_bytes)`(nframes)`, or if the range wraps the address
    /// space: those are mistakes in the boot code, not in the data it read.
    pub fn new(base: usize, nframes: usize, bitmap: &'a mut [u64]) -> Self {
        assert!(
            base.is_multiple_of(PAGE_SIZE),
            "frame allocator: base {base:#x} is not page aligned"
        );
        assert!(
            bitmap.len() >= nframes.div_ceil(BITS),
            "frame allocator: bitmap of {} words is too small for {nframes} frames",
            bitmap.len()
        );
        let wraps = nframes
            .checked_mul(PAGE_SIZE)
            .and_then(|bytes| base.checked_add(bytes))
            .is_none();
        assert!(
            !wraps,
            "frame allocator: {nframes} frames at {base:#x} wrap the address space"
        );
        bitmap.fill(u64::MAX);
        FrameAllocator {
            base,
            nframes,
            bitmap,
            free: 0,
            next: 0,
        }
    }

    /// Mark [start,end) (byte addresses, rounded inward to whole frames) free; ignores
    /// parts outside the managed range.
    ///
    /// Rounding inward means a partial frame at either end stays used: it may share its
    /// page with something that is not RAM. Frames already free stay free (and are not
    /// counted twice), so overlapping ranges are harmless.
    pub fn add_free_range(&mut self, start: usize, end: usize) {
        let Some(start) = page_align_up(start) else {
            return; // starts in the very last page of the address space: no whole frame
        };
        let end = page_align_down(end);
        for i in self.frames_between(start, end) {
            if self.is_used_index(i) {
                self.set_free_index(i);
                self.free += 1;
            }
        }
    }

    /// Mark [start,end) (rounded outward) used (memblock_reserve), whether free or not.
    ///
    /// Rounding outward means any frame the range touches at all is reserved. Parts
    /// outside the managed range are ignored.
    pub fn reserve_range(&mut self, start: usize, end: usize) {
        let start = page_align_down(start);
        let end = page_align_up(end).unwrap_or(usize::MAX);
        for i in self.frames_between(start, end) {
            if !self.is_used_index(i) {
                self.set_used_index(i);
                self.free -= 1;
            }
        }
    }

    /// Allocate one frame and return its physical address (Linux `alloc_page`, order 0),
    /// or `None` when every frame is in use.
    ///
    /// Next-fit: the search starts just after the frame returned last time, or at the
    /// lowest frame freed since (see `free`), and wraps around to the start once, so it
    /// finds a free frame if there is one.
    pub fn alloc(&mut self) -> Option<usize> {
        if self.free == 0 {
            return None;
        }
        let i = self
            .find_free(self.next, self.nframes)
            .or_else(|| self.find_free(0, self.next))?;
        self.set_used_index(i);
        self.free -= 1;
        self.next = (i + 1) % self.nframes;
        Some(self.addr_of(i))
    }

    /// Allocate `count` physically contiguous frames whose first address is a multiple
    /// of `align_frames * PAGE_SIZE`, and return that address; `None` if no such run is
    /// free (or `count` is 0). An `align_frames` of 0 or 1 means no extra alignment.
    ///
    /// Linux gets contiguous memory from the buddy allocator with `alloc_pages(gfp,
    /// order)` (always `2^order` frames, naturally aligned). Linnet takes any count and
    /// any alignment and finds the run by a first-fit linear search from the bottom of
    /// RAM, which is slow but easy to follow; it is used rarely (the heap, at boot).
    pub fn alloc_contiguous(&mut self, count: usize, align_frames: usize) -> Option<usize> {
        if count == 0 || count > self.free {
            return None;
        }
        let align = align_frames.max(1);
        let mut i = self.aligned_index_at_or_after(0, align)?;
        loop {
            let run_end = i.checked_add(count)?;
            if run_end > self.nframes {
                return None;
            }
            // Look for a used frame in the candidate run, from its top: every aligned
            // start at or below the highest used frame would include it too, so the
            // next candidate is the first aligned start above it.
            match (i..run_end).rev().find(|&j| self.is_used_index(j)) {
                Some(used) => i = self.aligned_index_at_or_after(used + 1, align)?,
                None => break,
            }
        }
        for j in i..i + count {
            self.set_used_index(j);
        }
        self.free -= count;
        Some(self.addr_of(i))
    }

    /// Give back the frame at physical address `pa` (Linux `__free_page`).
    ///
    /// Panics with a clear message on a double free or a foreign address: that is a kernel
    /// bug, not user input.
    pub fn free(&mut self, pa: usize) {
        let i = self.index_for_free(pa);
        assert!(
            self.is_used_index(i),
            "frame allocator: kernel bug: double free of frame {pa:#x}"
        );
        self.set_free_index(i);
        self.free += 1;
        // Move the hint back to the lowest frame freed, so freed frames are reused before
        // frames never handed out (Linux's per-CPU free lists are LIFO: their cache
        // lines are warm). Under QEMU it matters more: a frame the guest has used is a
        // host page already backed, a never-used one costs the host a page fault and a
        // zeroing of its own (docs/performance.md: the anonymous fault twice as fast).
        if i < self.next {
            self.next = i;
        }
    }

    /// Give back `count` contiguous frames starting at `pa` (what `alloc_contiguous`
    /// returned; Linux `__free_pages(page, order)`). Panics like [`free`](Self::free),
    /// including when the run reaches past the managed range.
    pub fn free_contiguous(&mut self, pa: usize, count: usize) {
        let end = count
            .checked_mul(PAGE_SIZE)
            .and_then(|bytes| pa.checked_add(bytes));
        assert!(
            matches!(end, Some(end) if end <= self.end()),
            "frame allocator: kernel bug: free of {count} frames at {pa:#x} runs past the \
             managed range [{:#x}, {:#x})",
            self.base,
            self.end()
        );
        for k in 0..count {
            self.free(pa + k * PAGE_SIZE);
        }
    }

    /// How many frames are free now.
    pub fn free_count(&self) -> usize {
        self.free
    }

    /// Physical address of the first frame the allocator covers.
    pub fn base(&self) -> usize {
        self.base
    }

    /// How many frames the allocator covers, free or not (reserved frames and holes in
    /// RAM count too).
    pub fn total_count(&self) -> usize {
        self.nframes
    }

    /// Is the frame that holds physical address `pa` free? `false` for addresses outside
    /// the managed range.
    pub fn is_free(&self, pa: usize) -> bool {
        self.index_of(pa).is_some_and(|i| !self.is_used_index(i))
    }

    // ---- private helpers: address <-> index, one bit at a time ----

    /// One past the last managed byte (cannot overflow: `new` checked it).
    fn end(&self) -> usize {
        self.base + self.nframes * PAGE_SIZE
    }

    /// Physical address of frame `i`.
    fn addr_of(&self, i: usize) -> usize {
        self.base + i * PAGE_SIZE
    }

    /// Index of the frame holding `pa`, if it is managed here.
    fn index_of(&self, pa: usize) -> Option<usize> {
        if pa < self.base || pa >= self.end() {
            return None;
        }
        Some((pa - self.base) / PAGE_SIZE)
    }

    /// Index of the frame `pa` to be freed, or a panic explaining why `pa` is not one.
    fn index_for_free(&self, pa: usize) -> usize {
        assert!(
            pa.is_multiple_of(PAGE_SIZE),
            "frame allocator: kernel bug: free of unaligned address {pa:#x}"
        );
        match self.index_of(pa) {
            Some(i) => i,
            None => panic!(
                "frame allocator: kernel bug: free of foreign address {pa:#x}, outside the \
                 managed range [{:#x}, {:#x})",
                self.base,
                self.end()
            ),
        }
    }

    /// The frame indices of the page-aligned byte range `[start, end)`, clipped to the
    /// managed range (empty if they do not meet).
    fn frames_between(&self, start: usize, end: usize) -> core::ops::Range<usize> {
        let start = start.max(self.base);
        let end = end.min(self.end());
        if start >= end {
            return 0..0;
        }
        (start - self.base) / PAGE_SIZE..(end - self.base) / PAGE_SIZE
    }

    /// The first index `>= i` whose physical frame number is a multiple of `align`.
    /// Alignment is of the physical address, so it does not depend on `base`.
    fn aligned_index_at_or_after(&self, i: usize, align: usize) -> Option<usize> {
        let first_pfn = self.base / PAGE_SIZE;
        let pfn = (first_pfn + i).checked_next_multiple_of(align)?;
        Some(pfn - first_pfn)
    }

    /// The first free frame index in `[from, to)`, skipping whole used words.
    fn find_free(&self, from: usize, to: usize) -> Option<usize> {
        let mut i = from;
        while i < to {
            if i.is_multiple_of(BITS) && self.bitmap[i / BITS] == u64::MAX {
                i += BITS; // 64 used frames at once
                continue;
            }
            if !self.is_used_index(i) {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    fn is_used_index(&self, i: usize) -> bool {
        self.bitmap[i / BITS] & (1 << (i % BITS)) != 0
    }

    fn set_used_index(&mut self, i: usize) {
        self.bitmap[i / BITS] |= 1 << (i % BITS);
    }

    fn set_free_index(&mut self, i: usize) {
        self.bitmap[i / BITS] &= !(1 << (i % BITS));
    }
}

/// Shows the range and the counts, not the bitmap (which can be kilobytes).
impl fmt::Debug for FrameAllocator<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameAllocator")
            .field("base", &format_args!("{:#x}", self.base))
            .field("end", &format_args!("{:#x}", self.end()))
            .field("free", &self.free)
            .field("total", &self.nframes)
            .field("next", &self.next)
            .finish()
    }
}

#[cfg(test)]
mod tests;
