//! The words the generic page table (`mm/page_table.rs`) and the architecture's
//! descriptors (`arch/aarch64/pte.rs`) both speak: addresses, what a mapping allows, how
//! big a leaf is. Its own module so that neither of the two imports the other's types
//! (Linux: `phys_addr_t` in `linux/types.h`, `pgprot_t` in `asm/pgtable-types.h`, the
//! page sizes in `asm/pgtable-hwdef.h`).

use super::layout::{PAGE_SIZE, PMD_SIZE, PUD_SIZE};
use bitflags::bitflags;

/// A physical address.
pub type PhysAddr = usize;
/// A virtual address.
pub type VirtAddr = usize;

bitflags! {
    /// What a mapping allows: the `prot` of `mmap` plus who may use it and what it is.
    /// READ/WRITE/EXEC have Linux's `PROT_*` values.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Prot: u32 {
        /// May be read (`PROT_READ`).
        const READ = uapi::mman::PROT_READ;
        /// May be written (`PROT_WRITE`); implies READ, as on arm64 Linux.
        const WRITE = uapi::mman::PROT_WRITE;
        /// May be executed (`PROT_EXEC`). Never together with WRITE (W^X).
        const EXEC = uapi::mman::PROT_EXEC;
        /// User page: EL0 may use it, the TLB entry is per-ASID (nG), EL1 never executes it.
        const USER = 1 << 3;
        /// Device registers (MMIO): Device-nGnRE, never executable.
        const DEVICE = 1 << 4;
    }
}

/// The size of one leaf mapping (ordered by size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageSize {
    /// A page, mapped by a level-3 (pte) entry.
    Size4K,
    /// A block, mapped by a level-2 (pmd) entry (Linux "section", `PMD_SIZE`).
    Size2M,
    /// A block, mapped by a level-1 (pud) entry (`PUD_SIZE`).
    Size1G,
}

impl PageSize {
    /// Bytes mapped.
    pub const fn bytes(self) -> usize {
        match self {
            PageSize::Size4K => PAGE_SIZE,
            PageSize::Size2M => PMD_SIZE,
            PageSize::Size1G => PUD_SIZE,
        }
    }

    /// The level whose entries map this size: 3 (pte), 2 (pmd) or 1 (pud).
    pub const fn level(self) -> usize {
        match self {
            PageSize::Size4K => 3,
            PageSize::Size2M => 2,
            PageSize::Size1G => 1,
        }
    }
}
