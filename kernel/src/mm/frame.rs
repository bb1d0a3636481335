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
//! the start of RAM every time. What Linux has and Linnet leaves out: no orders and no
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
    /// Next-fit: the search starts just after the frame returned last time and wraps
    /// around to the start once, so it finds a free frame if there is one.
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
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// QEMU `virt` puts RAM here.
    const RAM: usize = 0x4000_0000;

    fn bitmap_for(nframes: usize) -> Vec<u64> {
        vec![0; FrameAllocator::bitmap_bytes(nframes) / 8]
    }

    /// An allocator over `n` frames at `RAM`, all of them free.
    fn all_free(bitmap: &mut [u64], n: usize) -> FrameAllocator<'_> {
        let mut fa = FrameAllocator::new(RAM, n, bitmap);
        fa.add_free_range(RAM, RAM + n * PAGE_SIZE);
        fa
    }

    #[test]
    fn bitmap_size_rounds_up_to_words() {
        assert_eq!(FrameAllocator::bitmap_bytes(0), 0);
        assert_eq!(FrameAllocator::bitmap_bytes(1), 8);
        assert_eq!(FrameAllocator::bitmap_bytes(64), 8);
        assert_eq!(FrameAllocator::bitmap_bytes(65), 16);
        // 1 GiB of RAM: 262144 frames, 32 KiB of bitmap.
        assert_eq!(
            FrameAllocator::bitmap_bytes((1 << 30) / PAGE_SIZE),
            32 << 10
        );
    }

    #[test]
    fn starts_all_used() {
        let mut bm = bitmap_for(100);
        let mut fa = FrameAllocator::new(RAM, 100, &mut bm);
        assert_eq!(fa.free_count(), 0);
        assert_eq!(fa.total_count(), 100);
        assert!(!fa.is_free(RAM));
        assert_eq!(fa.alloc(), None);
    }

    #[test]
    fn alloc_until_empty_gives_distinct_aligned_frames() {
        let n = 200; // not a multiple of 64: the last word is partly outside
        let mut bm = bitmap_for(n);
        let mut fa = all_free(&mut bm, n);
        let mut got = Vec::new();
        while let Some(pa) = fa.alloc() {
            assert_eq!(pa % PAGE_SIZE, 0);
            assert!((RAM..RAM + n * PAGE_SIZE).contains(&pa));
            assert!(!fa.is_free(pa));
            got.push(pa);
        }
        assert_eq!(got.len(), n);
        got.sort_unstable();
        got.dedup();
        assert_eq!(got.len(), n, "an address was handed out twice");
        assert_eq!(fa.free_count(), 0);
        assert_eq!(fa.alloc(), None);
    }

    #[test]
    fn free_restores_count() {
        let mut bm = bitmap_for(10);
        let mut fa = all_free(&mut bm, 10);
        let a = fa.alloc().unwrap();
        let b = fa.alloc().unwrap();
        assert_eq!(fa.free_count(), 8);
        fa.free(a);
        assert!(fa.is_free(a));
        fa.free(b);
        assert_eq!(fa.free_count(), 10);
    }

    #[test]
    #[should_panic(expected = "double free")]
    fn double_free_panics() {
        let mut bm = bitmap_for(10);
        let mut fa = all_free(&mut bm, 10);
        let a = fa.alloc().unwrap();
        fa.free(a);
        fa.free(a);
    }

    #[test]
    #[should_panic(expected = "foreign address")]
    fn foreign_free_panics() {
        let mut bm = bitmap_for(10);
        let mut fa = all_free(&mut bm, 10);
        fa.free(RAM + 10 * PAGE_SIZE);
    }

    #[test]
    #[should_panic(expected = "unaligned")]
    fn unaligned_free_panics() {
        let mut bm = bitmap_for(10);
        let mut fa = all_free(&mut bm, 10);
        let a = fa.alloc().unwrap();
        fa.free(a + 8);
    }

    #[test]
    fn reserve_inside_free_range() {
        let mut bm = bitmap_for(16);
        let mut fa = all_free(&mut bm, 16);
        // Rounded outward: bytes 0x1800..0x2001 touch frames 1 and 2.
        fa.reserve_range(RAM + 0x1800, RAM + 0x2001);
        assert_eq!(fa.free_count(), 14);
        assert!(fa.is_free(RAM));
        assert!(!fa.is_free(RAM + PAGE_SIZE));
        assert!(!fa.is_free(RAM + 2 * PAGE_SIZE));
        assert!(fa.is_free(RAM + 3 * PAGE_SIZE));
        // Reserving again, or reserving past the end, changes nothing more.
        fa.reserve_range(RAM + PAGE_SIZE, RAM + 3 * PAGE_SIZE);
        fa.reserve_range(RAM + 16 * PAGE_SIZE, usize::MAX);
        fa.reserve_range(0, RAM);
        assert_eq!(fa.free_count(), 14);
        // Reserved frames are never handed out.
        while let Some(pa) = fa.alloc() {
            assert!(pa != RAM + PAGE_SIZE && pa != RAM + 2 * PAGE_SIZE);
        }
        // A reservation that covers an allocated frame just keeps it used.
        let mut bm2 = bitmap_for(4);
        let mut fb = all_free(&mut bm2, 4);
        let a = fb.alloc().unwrap();
        fb.reserve_range(a, a + PAGE_SIZE);
        assert_eq!(fb.free_count(), 3);
    }

    #[test]
    fn add_free_range_excludes_partial_frames() {
        let mut bm = bitmap_for(16);
        let mut fa = FrameAllocator::new(RAM, 16, &mut bm);
        // Rounded inward: 0x0001..0x3fff covers only frames 1 and 2 whole.
        fa.add_free_range(RAM + 1, RAM + 4 * PAGE_SIZE - 1);
        assert_eq!(fa.free_count(), 2);
        assert!(!fa.is_free(RAM));
        assert!(fa.is_free(RAM + PAGE_SIZE));
        assert!(fa.is_free(RAM + 2 * PAGE_SIZE));
        assert!(!fa.is_free(RAM + 3 * PAGE_SIZE));
        // Less than a frame: nothing. Overlap: not counted twice.
        fa.add_free_range(RAM + 0x5001, RAM + 0x5fff);
        fa.add_free_range(RAM, RAM + 3 * PAGE_SIZE);
        assert_eq!(fa.free_count(), 3);
        // Parts outside the managed range are ignored, even absurd ones.
        fa.add_free_range(0, usize::MAX);
        assert_eq!(fa.free_count(), 16);
        fa.add_free_range(usize::MAX - 10, usize::MAX);
        fa.add_free_range(RAM + PAGE_SIZE, RAM); // empty (end < start)
        assert_eq!(fa.free_count(), 16);
        assert!(!fa.is_free(RAM - PAGE_SIZE));
        assert!(!fa.is_free(RAM + 16 * PAGE_SIZE));
    }

    #[test]
    fn contiguous_with_alignment_and_fragmentation() {
        let n = 64;
        let mut bm = bitmap_for(n);
        // Start one frame past a 4-frame boundary, so that aligning the index would not
        // align the address: alignment is of the physical address.
        let base = RAM + PAGE_SIZE;
        let mut fa = FrameAllocator::new(base, n, &mut bm);
        fa.add_free_range(base, base + n * PAGE_SIZE);
        // Fragment the bottom: every even frame below index 40 is taken.
        for i in (0..40).step_by(2) {
            fa.reserve_range(base + i * PAGE_SIZE, base + i * PAGE_SIZE + 1);
        }
        assert_eq!(fa.free_count(), n - 20);

        // One frame fits in the first hole; two need the first pair of free frames.
        assert_eq!(fa.alloc_contiguous(1, 1), Some(base + PAGE_SIZE));
        assert_eq!(fa.alloc_contiguous(2, 1), Some(base + 39 * PAGE_SIZE));
        // Four, 16 KiB aligned: index 43 is the first free aligned start above them.
        let a = fa.alloc_contiguous(4, 4).unwrap();
        assert_eq!(a % (4 * PAGE_SIZE), 0);
        assert_eq!(a, base + 43 * PAGE_SIZE);
        let c = fa.alloc_contiguous(8, 8).unwrap();
        assert_eq!(c % (8 * PAGE_SIZE), 0);
        assert_eq!(c, base + 47 * PAGE_SIZE);
        for k in 0..8 {
            assert!(!fa.is_free(c + k * PAGE_SIZE));
        }

        // Too big for any hole, no aligned place, zero, absurd: None, and nothing changes.
        let before = fa.free_count();
        assert_eq!(before, n - 20 - 1 - 2 - 4 - 8);
        assert_eq!(fa.alloc_contiguous(10, 1), None);
        assert_eq!(fa.alloc_contiguous(2, 1 << 20), None);
        assert_eq!(fa.alloc_contiguous(0, 1), None);
        assert_eq!(fa.alloc_contiguous(usize::MAX, usize::MAX), None);
        assert_eq!(fa.free_count(), before);

        // Freed runs merge back into one longer run (there is nothing to coalesce: the
        // bitmap has no separate free lists).
        fa.free_contiguous(c, 8);
        fa.free_contiguous(a, 4);
        assert_eq!(fa.free_count(), before + 12);
        assert_eq!(fa.alloc_contiguous(12, 4), Some(a));
    }

    #[test]
    #[should_panic(expected = "runs past")]
    fn free_contiguous_past_end_panics() {
        let mut bm = bitmap_for(8);
        let mut fa = all_free(&mut bm, 8);
        let a = fa.alloc_contiguous(2, 1).unwrap();
        fa.free_contiguous(a, 9);
    }

    #[test]
    fn next_fit_wraps_around() {
        let mut bm = bitmap_for(8);
        let mut fa = all_free(&mut bm, 8);
        let first: Vec<usize> = (0..6).map(|_| fa.alloc().unwrap()).collect();
        assert_eq!(first[5], RAM + 5 * PAGE_SIZE);
        // Free a low frame: next-fit still goes on upward first ...
        fa.free(first[1]);
        assert_eq!(fa.alloc(), Some(RAM + 6 * PAGE_SIZE));
        assert_eq!(fa.alloc(), Some(RAM + 7 * PAGE_SIZE));
        // ... then wraps around to the start to find the hole.
        assert_eq!(fa.alloc(), Some(first[1]));
        assert_eq!(fa.alloc(), None);
    }

    /// A tiny deterministic xorshift (Marsaglia 2003), so tests need no crates.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn free_count_invariant_under_random_sequence() {
        let n = 300;
        let mut bm = bitmap_for(n);
        let mut fa = FrameAllocator::new(RAM, n, &mut bm);
        fa.add_free_range(RAM, RAM + n * PAGE_SIZE);
        fa.reserve_range(RAM + 10 * PAGE_SIZE, RAM + 20 * PAGE_SIZE);
        let usable = n - 10;
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        // What we hold: (address, frame count).
        let mut held: Vec<(usize, usize)> = Vec::new();
        for _ in 0..5000 {
            match rng.below(4) {
                0 | 1 => {
                    if let Some(pa) = fa.alloc() {
                        held.push((pa, 1));
                    }
                }
                2 => {
                    let count = 1 + rng.below(8);
                    let align = 1 << rng.below(4);
                    if let Some(pa) = fa.alloc_contiguous(count, align) {
                        assert_eq!(pa % (align * PAGE_SIZE), 0);
                        held.push((pa, count));
                    }
                }
                _ => {
                    if !held.is_empty() {
                        let (pa, count) = held.swap_remove(rng.below(held.len()));
                        fa.free_contiguous(pa, count);
                    }
                }
            }
            let in_use: usize = held.iter().map(|&(_, c)| c).sum();
            assert_eq!(fa.free_count(), usable - in_use);
        }
        // No two holdings overlap, and the reserved frames were never handed out.
        let mut frames: Vec<usize> = held
            .iter()
            .flat_map(|&(pa, c)| (0..c).map(move |k| pa + k * PAGE_SIZE))
            .collect();
        let total = frames.len();
        frames.sort_unstable();
        frames.dedup();
        assert_eq!(frames.len(), total);
        assert!(frames
            .iter()
            .all(|&pa| !(RAM + 10 * PAGE_SIZE..RAM + 20 * PAGE_SIZE).contains(&pa)));
        for (pa, count) in held.drain(..) {
            fa.free_contiguous(pa, count);
        }
        assert_eq!(fa.free_count(), usable);
    }
}
