//! ASIDs: tagging each address space's TLB entries so a context switch needs no TLB flush
//! (Linux `arch/arm64/mm/context.c`: `new_context`, `check_and_switch_context`,
//! `flush_context`). Portable; the TLB flush itself is the caller's.
//!
//! An mm's context id is `generation | asid`. The allocator hands out ASIDs from a bitmap;
//! when it runs dry it starts a new generation: the bitmap is cleared (the running mm
//! keeps its ASID), the whole TLB must be flushed, and every mm whose id carries an old
//! generation gets a fresh ASID the next time it is switched to. Linnet has one CPU, so
//! Linux's per-CPU `reserved_asids` shrink to one value: the active context.

use alloc::vec;
use alloc::vec::Vec;

/// Allocator state (Linux `asid_bits`, `asid_generation`, `asid_map`, `cur_idx`).
pub struct AsidAllocator {
    bits: u32,
    generation: u64,
    map: Vec<u64>,
    next: usize,
}

/// What `check_and_switch` decided.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct AsidSwitch {
    /// The ASID to write into TTBR0_EL1 bits 63:48.
    pub asid: u16,
    /// A new generation began: flush the whole TLB before using the ASID.
    pub flush_all: bool,
}

impl AsidAllocator {
    /// An allocator for `bits`-bit ASIDs (8 or 16; ID_AA64MMFR0_EL1.ASIDBits). ASID 0 is
    /// never handed out: it tags the reserved (empty) TTBR0 table.
    pub fn new(bits: u32) -> Self {
        let n = 1usize << bits;
        let mut a = AsidAllocator {
            bits,
            generation: 1 << bits,
            map: vec![0; n / 64],
            next: 1,
        };
        a.map[0] = 1;
        a
    }

    fn asid_mask(&self) -> u64 {
        (1 << self.bits) - 1
    }

    /// Number of ASIDs (including the reserved 0).
    pub fn capacity(&self) -> usize {
        1 << self.bits
    }

    fn take(&mut self, asid: usize) {
        self.map[asid / 64] |= 1 << (asid % 64);
    }

    fn is_taken(&self, asid: usize) -> bool {
        self.map[asid / 64] & (1 << (asid % 64)) != 0
    }

    fn find_free(&mut self) -> Option<usize> {
        let n = self.capacity();
        (0..n)
            .map(|i| (self.next + i) % n)
            .find(|&a| a != 0 && !self.is_taken(a))
    }

    /// Called when switching to an mm whose context id is `*ctx` (0 = never had one);
    /// `active` is the context id of the mm being switched away from, which keeps its ASID
    /// across a rollover (Linux `check_and_switch_context` + `new_context`).
    pub fn check_and_switch(&mut self, ctx: &mut u64, active: u64) -> AsidSwitch {
        let mask = self.asid_mask();
        if *ctx != 0 && (*ctx & !mask) == self.generation {
            return AsidSwitch {
                asid: (*ctx & mask) as u16,
                flush_all: false,
            };
        }
        let mut flush_all = false;
        let asid = match self.find_free() {
            Some(a) => a,
            None => {
                // Rollover (Linux flush_context): a new generation, only the active
                // context's ASID stays taken, and the TLB must be flushed.
                self.generation += 1 << self.bits;
                self.map.iter_mut().for_each(|w| *w = 0);
                self.map[0] = 1;
                if active != 0 {
                    let a = (active & mask) as usize;
                    self.take(a);
                }
                flush_all = true;
                // None only with a 1-bit allocator; ASID 0 still works there.
                self.find_free().unwrap_or_default()
            }
        };
        self.take(asid);
        self.next = asid + 1;
        *ctx = self.generation | asid as u64;
        AsidSwitch {
            asid: asid as u16,
            flush_all,
        }
    }

    /// Refresh the active context's id into the current generation after a rollover, so
    /// it is not treated as stale next time (Linux keeps it in `reserved_asids`).
    pub fn adopt_active(&mut self, ctx: &mut u64) {
        let mask = self.asid_mask();
        if *ctx != 0 && (*ctx & !mask) != self.generation {
            *ctx = self.generation | (*ctx & mask);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_generation_keeps_its_asid() {
        let mut a = AsidAllocator::new(8);
        let mut c = 0;
        let s1 = a.check_and_switch(&mut c, 0);
        assert_ne!(s1.asid, 0);
        assert!(!s1.flush_all);
        let s2 = a.check_and_switch(&mut c, 0);
        assert_eq!(s1, s2);
    }

    #[test]
    fn distinct_mms_get_distinct_asids() {
        let mut a = AsidAllocator::new(8);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..255 {
            let mut c = 0;
            let s = a.check_and_switch(&mut c, 0);
            assert!(!s.flush_all);
            assert!(seen.insert(s.asid), "ASID {} handed out twice", s.asid);
        }
        assert!(!seen.contains(&0));
    }

    #[test]
    fn rollover_flushes_and_keeps_active() {
        let mut a = AsidAllocator::new(8);
        let mut ctxs = vec![0u64; 255];
        for c in ctxs.iter_mut() {
            a.check_and_switch(c, 0);
        }
        let active = ctxs[10];
        let mut newcomer = 0;
        let s = a.check_and_switch(&mut newcomer, active);
        assert!(s.flush_all, "the 256th mm must start a new generation");
        assert_ne!(
            s.asid as u64,
            active & 0xff,
            "the active ASID stays reserved"
        );
        // An old-generation mm gets a new ASID (and no second flush).
        let old = ctxs[20];
        let s2 = a.check_and_switch(&mut ctxs[20], newcomer);
        assert_ne!(ctxs[20], old);
        assert!(!s2.flush_all);
        // The active one, adopted into the new generation, keeps its ASID.
        let mut act = active;
        a.adopt_active(&mut act);
        assert_eq!(a.check_and_switch(&mut act, 0).asid as u64, active & 0xff);
    }

    #[test]
    fn sixteen_bit_asids() {
        let mut a = AsidAllocator::new(16);
        assert_eq!(a.capacity(), 65536);
        let mut c = 0;
        assert_eq!(a.check_and_switch(&mut c, 0).asid, 1);
    }
}
