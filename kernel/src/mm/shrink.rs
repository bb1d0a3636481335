//! Giving spare capacity back. Tables and queues sized by a burst (of runnable tasks,
//! sleepers, files, IPC objects) shrink once they are mostly empty, so the burst leaves
//! no high-water mark in the kernel heap. Linux's lists are intrusive and hold no memory
//! of their own, and its slab caches give free pages back under memory pressure; a Rust
//! `Vec` or `VecDeque` keeps its capacity until it is told.

/// Capacity every table may keep, so a queue of one or two does not reallocate on each
/// use.
pub const KEEP: usize = 8;

/// The capacity a table of `len` entries in `capacity` slots should shrink to, if any:
/// when less than half is used, down to room for half as many again (so a push and a
/// pop at the edge do not reallocate every time), never below [`KEEP`].
pub fn shrink_target(len: usize, capacity: usize) -> Option<usize> {
    (capacity > KEEP && capacity > 2 * len).then(|| (len + len / 2).max(KEEP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_only_when_mostly_empty() {
        assert_eq!(shrink_target(0, 8), None); // the floor stays
        assert_eq!(shrink_target(0, 64), Some(KEEP));
        assert_eq!(shrink_target(40, 64), None); // more than half used
        assert_eq!(shrink_target(20, 64), Some(30));
        assert_eq!(shrink_target(67, 256), Some(100));
        // After shrinking, growing by one does not shrink again at once.
        let cap = shrink_target(20, 64).unwrap();
        assert_eq!(shrink_target(21, cap), None);
    }
}
