//! Giving spare capacity back. Tables and queues sized by a burst (of runnable tasks,
//! sleepers, files, IPC objects) shrink once they are mostly empty, so the burst leaves
//! no high-water mark in the kernel heap. Linux's lists are intrusive and hold no memory
//! of their own, and its slab caches give free pages back under memory pressure; a Rust
//! `Vec` or `VecDeque` keeps its capacity until it is told.

/// Capacity every table may keep, so a queue of one or two does not reallocate on each
/// use.
pub const KEEP: usize = 8;

/// The capacity a table of `len` entries in `capacity` slots should shrink to, if any:
/// when less than half is used, down to the power of two a table grown from empty to
/// `len` would have (`Vec` and `VecDeque` double as they grow), never below [`KEEP`].
/// So once a burst is over the capacity is what it was before it, whatever the burst
/// was, and the factor of two between shrinking and growing keeps a push and a pop at
/// the edge from reallocating every time. No Linux counterpart: its lists need no
/// capacity (`list_head` lives in each entry).
pub fn shrink_target(len: usize, capacity: usize) -> Option<usize> {
    (capacity > KEEP && capacity > 2 * len).then(|| len.next_power_of_two().max(KEEP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_only_when_mostly_empty() {
        assert_eq!(shrink_target(0, 8), None); // the floor stays
        assert_eq!(shrink_target(0, 64), Some(KEEP));
        assert_eq!(shrink_target(40, 64), None); // more than half used
        assert_eq!(shrink_target(20, 64), Some(32));
        assert_eq!(shrink_target(67, 256), Some(128));
        // After shrinking, growing by one does not shrink again at once.
        let cap = shrink_target(20, 64).unwrap();
        assert_eq!(shrink_target(21, cap), None);
    }

    #[test]
    fn a_burst_leaves_the_capacity_it_found() {
        // A table of 210 grown by pushes has 256 slots; after any burst and back to 210,
        // shrinking (each removal checks) gives 256 again.
        let grown = |n: usize| n.next_power_of_two().max(KEEP);
        for peak in [300, 700, 5000] {
            let mut cap = grown(peak);
            for len in (210..=peak).rev() {
                if let Some(c) = shrink_target(len, cap) {
                    cap = c;
                }
            }
            assert_eq!(cap, grown(210), "after a burst to {peak}");
        }
    }
}
