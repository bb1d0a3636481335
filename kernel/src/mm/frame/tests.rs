//! Host tests of `mm/frame.rs`.

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
    // Free a low frame: it is handed out again first (the hint moves back to it) ...
    fa.free(first[1]);
    assert_eq!(fa.alloc(), Some(first[1]));
    // ... then the search goes on upward from there ...
    assert_eq!(fa.alloc(), Some(RAM + 6 * PAGE_SIZE));
    assert_eq!(fa.alloc(), Some(RAM + 7 * PAGE_SIZE));
    assert_eq!(fa.alloc(), None);
    // ... past the top it wraps to the start (the hint is 0 now); frames freed at or
    // above the hint leave it, and are found in address order.
    fa.free(first[0]);
    fa.free(first[4]);
    assert_eq!(fa.alloc(), Some(first[0]));
    assert_eq!(fa.alloc(), Some(first[4]));
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
