//! The 4-level page table: walk, map, unmap, protect, translate, destroy.
//!
//! `mm::page_table` is the lesson's core of memory management: one `PageTable` is the
//! tree of 4 KiB tables the MMU walks for one address space (user space through TTBR0,
//! the kernel through TTBR1). A 48-bit virtual address is cut into four 9-bit indices,
//! one per level, named as in Linux: level 0 = pgd, 1 = pud, 2 = pmd, 3 = pte; what is
//! left is the offset in the 4 KiB page. A level-1 or level-2 entry may map a whole
//! 1 GiB or 2 MiB block instead of pointing to the next table.
//!
//! Every operation starts with the same walk from the pgd down (`walk`, Linux
//! `pgd_offset` -> `pud_offset` -> `pmd_offset` -> `pte_offset`). The code is portable:
//! it reaches table memory only through the `PhysMem` trait (the frame allocator and the
//! linear map in the kernel, a `Vec` in the host tests) and gets every descriptor bit from
//! `arch/aarch64/pte.rs`. Linux spreads this work over `arch/arm64/mm/mmu.c` (kernel
//! mappings), `mm/memory.c` (user mappings, `free_pgtables`) and `mm/mprotect.c`.
//!
//! What Linnet leaves out: locks (the caller holds its address space's lock), TLB
//! maintenance and barriers (the arch code flushes after `unmap`/`protect`, before a freed
//! table page is reused), contiguous-bit hints, huge-page splitting, and the
//! `mmu_gather` batching Linux uses to free tables. One `PageTable` serves one half:
//! indices come from bits 47:12, so `va` and `va | VA_START` name the same entry.
//!
//! Read next: `arch/aarch64/pte.rs` (the descriptor bits), then `mm/mm_struct.rs`, which
//! keeps one `PageTable` per address space.

use crate::arch::pte::{self, Descriptor, TYPE, VALID};
use crate::mm::layout::{PAGE_SHIFT, PAGE_SIZE, PMD_SIZE, PTRS_PER_TABLE, PUD_SIZE};
use crate::mm::layout::{TASK_SIZE, VA_START};
use core::fmt;
use tock_registers::interfaces::Readable;

pub use super::pgtable_types::{PageSize, PhysAddr, Prot, VirtAddr};

/// The largest size that fits at `va`/`pa` with `len` bytes left (`map_range`).
fn largest_fitting(va: VirtAddr, pa: PhysAddr, len: usize) -> PageSize {
    for size in [PageSize::Size1G, PageSize::Size2M] {
        if (va | pa).is_multiple_of(size.bytes()) && len >= size.bytes() {
            return size;
        }
    }
    PageSize::Size4K
}

/// Why a page-table operation was refused.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum MapError {
    /// Something is mapped there already (an entry, or a block covering the address).
    AlreadyMapped,
    /// Nothing is mapped at that address.
    NotMapped,
    /// No page was left for a new table.
    NoMemory,
    /// An address or length is not aligned to the page size asked for or found.
    Misaligned,
    /// WRITE and EXEC together: Linnet keeps every page W^X.
    WriteAndExec,
    /// Not a canonical address, a USER page in the kernel half, or a PA beyond 48 bits.
    BadAddress,
}

/// Access to physical memory holding tables: the frame allocator and the linear map in
/// the kernel, a `Vec` of pages in the host tests.
pub trait PhysMem {
    /// Pointer to the 512 descriptors of the table page at physical address `pa`.
    fn table(&mut self, pa: PhysAddr) -> *mut u64;
    /// A zero-filled page for a new table, or None when memory is out.
    fn alloc_table(&mut self) -> Option<PhysAddr>;
    /// Give back a table page that no longer holds any valid descriptor.
    fn free_table(&mut self, pa: PhysAddr);
}

/// What `translate` found for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Translation {
    /// The physical address, in-page offset included.
    pub pa: PhysAddr,
    /// Size of the leaf mapping the address.
    pub size: PageSize,
    /// Permissions as the hardware enforces them (e.g. WRITE comes back with READ).
    pub prot: Prot,
    /// Level of the leaf: 1, 2 or 3.
    pub level: usize,
    /// The raw leaf descriptor.
    pub desc: u64,
}

/// Linux's names of the four levels, indexed by level.
pub const LEVEL_NAMES: [&str; 4] = ["pgd", "pud", "pmd", "pte"];

/// Bits of virtual address each level consumes: log2(PTRS_PER_TABLE).
const TABLE_SHIFT: usize = 9;
const _: () = assert!(1 << TABLE_SHIFT == PTRS_PER_TABLE);

/// Index of `va`'s entry in a table at `level`: Linux `pgd_index`, `pud_index`,
/// `pmd_index`, `pte_index` in one. Bits 47:12 are used in both halves: TTBR0 or TTBR1
/// is chosen by the top bits, which the MMU does not index with.
pub const fn table_index(va: VirtAddr, level: usize) -> usize {
    // LAB 1 BEGIN: which 9 bits of va index the table at this level
    (va >> (PAGE_SHIFT + TABLE_SHIFT * (3 - level))) & (PTRS_PER_TABLE - 1)
    // LAB 1 END
}

/// Reads entry `index` of the table at `table` (Linux `READ_ONCE(*pmdp)` after
/// `pgd_offset`/`pud_offset`/`pmd_offset`/`pte_offset`).
fn get_entry(mem: &mut impl PhysMem, table: PhysAddr, index: usize) -> u64 {
    assert!(index < PTRS_PER_TABLE, "page table index out of range");
    let base = mem.table(table);
    // SAFETY: `PhysMem::table` returns 512 valid descriptors and index < 512 (checked).
    // Volatile, because the MMU reads the same words behind the compiler's back.
    unsafe { base.add(index).read_volatile() }
}

/// Writes entry `index` (Linux `set_pte`, `set_pmd`, `set_pud`, `set_pgd`): one 64-bit
/// store, so the table walker never sees half a descriptor.
fn set_entry(mem: &mut impl PhysMem, table: PhysAddr, index: usize, desc: u64) {
    assert!(index < PTRS_PER_TABLE, "page table index out of range");
    let base = mem.table(table);
    // SAFETY: as in `get_entry`; the table page belongs to this page table.
    unsafe { base.add(index).write_volatile(desc) }
}

/// What one entry is, at a given level.
enum Entry {
    /// Not valid, or a type the 4 KiB granule reserves (block at level 0, type 0 at 3).
    Invalid,
    /// Points to the next-level table.
    Table(PhysAddr),
    /// Maps a frame or block.
    Leaf(PhysAddr, PageSize),
}

fn classify(desc: u64, level: usize) -> Entry {
    let d = Descriptor::new(desc);
    if !d.is_set(VALID) {
        return Entry::Invalid;
    }
    let oa = pte::output_address(desc);
    match (level, d.matches_all(TYPE::Table)) {
        (0..=2, true) => Entry::Table(oa),
        (3, true) => Entry::Leaf(oa, PageSize::Size4K),
        // Low output-address bits of a block are RES0: ignore them.
        (1, false) => Entry::Leaf(oa & !(PUD_SIZE - 1), PageSize::Size1G),
        (2, false) => Entry::Leaf(oa & !(PMD_SIZE - 1), PageSize::Size2M),
        _ => Entry::Invalid,
    }
}

/// `unmap_range` below the table at `table` (level `level`, its first entry mapping
/// `base`), for the inclusive range `[start, last]` inside what it maps. Returns whether
/// the table is empty afterwards, so the caller can free it (Linux `free_pte_range` and
/// friends).
fn zap_table(
    mem: &mut impl PhysMem,
    table: PhysAddr,
    level: usize,
    base: VirtAddr,
    start: VirtAddr,
    last: VirtAddr,
    f: &mut impl FnMut(VirtAddr, PhysAddr, PageSize),
) -> bool {
    let shift = PAGE_SHIFT + TABLE_SHIFT * (3 - level);
    let first_index = (start - base) >> shift;
    let last_index = ((last - base) >> shift).min(PTRS_PER_TABLE - 1);
    for i in first_index..=last_index {
        let va = base + (i << shift);
        match classify(get_entry(mem, table, i), level) {
            Entry::Invalid => {}
            Entry::Leaf(pa, size) if va >= start => {
                set_entry(mem, table, i, 0);
                f(va, pa, size);
            }
            Entry::Leaf(..) => {}
            Entry::Table(child) => {
                let child_last = va + ((1usize << shift) - 1);
                let (from, to) = (start.max(va), last.min(child_last));
                if zap_table(mem, child, level + 1, va, from, to, f) {
                    set_entry(mem, table, i, 0);
                    mem.free_table(child);
                }
            }
        }
    }
    (0..PTRS_PER_TABLE).all(|i| get_entry(mem, table, i) == 0)
}

/// `BadAddress` unless `va` is canonical: below `TASK_SIZE` or from `VA_START` up.
fn check_va(va: VirtAddr) -> Result<(), MapError> {
    match (TASK_SIZE..VA_START).contains(&va) {
        true => Err(MapError::BadAddress),
        false => Ok(()),
    }
}

/// W^X, and no USER pages in the kernel half (TTBR1 is shared by every process).
fn check_prot(va: VirtAddr, prot: Prot) -> Result<(), MapError> {
    if prot.contains(Prot::WRITE | Prot::EXEC) {
        return Err(MapError::WriteAndExec);
    }
    if prot.contains(Prot::USER) && va >= VA_START {
        return Err(MapError::BadAddress);
    }
    Ok(())
}

/// Each level's step of a walk: `(level, table_pa, index, desc)`.
pub type WalkStep = (usize, PhysAddr, usize, u64);

/// The descriptors met on the way to one address, for crash reports and `ptwalk`.
pub struct Walk {
    va: VirtAddr,
    steps: [WalkStep; 4],
    len: usize,
}

impl Walk {
    /// The address walked.
    pub fn va(&self) -> VirtAddr {
        self.va
    }

    /// The steps, from the pgd down to the leaf or the first invalid entry; empty when
    /// the address is not canonical.
    pub fn steps(&self) -> &[WalkStep] {
        &self.steps[..self.len]
    }

    /// The last step, if it is a leaf, with the leaf's frame (block start) and size.
    fn leaf(&self) -> Option<(WalkStep, PhysAddr, PageSize)> {
        let &step = self.steps().last()?;
        match classify(step.3, step.0) {
            Entry::Leaf(pa, size) => Some((step, pa, size)),
            _ => None,
        }
    }
}

impl fmt::Display for Walk {
    /// One line per level, e.g. `pmd[  1] at 0x40002000: 0x0000000040003003 L2 table ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 {
            return write!(f, "{:#x}: not a canonical address", self.va);
        }
        for (i, &(level, table, index, desc)) in self.steps().iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let name = LEVEL_NAMES.get(level).copied().unwrap_or("?");
            let what = pte::describe(desc, level);
            write!(f, "{name}[{index:3}] at {table:#x}: {desc:#018x} {what}")?;
        }
        Ok(())
    }
}

/// One address space's translation tables, known by the physical address of its root
/// (the pgd, what TTBR0/TTBR1 hold). Linux keeps it in `mm_struct.pgd`.
pub struct PageTable {
    root: PhysAddr,
}

impl PageTable {
    /// A new, empty table: one zeroed pgd page (Linux `pgd_alloc`).
    pub fn new(mem: &mut impl PhysMem) -> Result<Self, MapError> {
        let root = mem.alloc_table().ok_or(MapError::NoMemory)?;
        Ok(PageTable { root })
    }

    /// Adopts an existing tree whose pgd is at `root` (e.g. the boot tables).
    pub fn from_root(root: PhysAddr) -> Self {
        PageTable { root }
    }

    /// Physical address of the pgd: the value for TTBR0_EL1/TTBR1_EL1 (without ASID).
    pub fn root(&self) -> PhysAddr {
        self.root
    }

    /// Maps one page or block: `va` -> `pa`, `size`, `prot`. Missing tables are built
    /// aside and linked in by one store at the end, so a failure leaves nothing behind.
    ///
    /// Linux: `__create_pgd_mapping` (arch/arm64/mm/mmu.c) for the kernel, `do_anonymous_page`
    /// and `set_pte_at` for user pages, with `pud_alloc`/`pmd_alloc`/`pte_alloc` building
    /// the tables. Linnet has no contiguous-bit hints and no locks here (the caller holds
    /// the address space's lock).
    pub fn map(
        &mut self,
        mem: &mut impl PhysMem,
        va: VirtAddr,
        pa: PhysAddr,
        size: PageSize,
        prot: Prot,
    ) -> Result<(), MapError> {
        check_va(va)?;
        check_prot(va, prot)?;
        if pa >> pte::PA_BITS != 0 {
            return Err(MapError::BadAddress);
        }
        if !va.is_multiple_of(size.bytes()) || !pa.is_multiple_of(size.bytes()) {
            return Err(MapError::Misaligned);
        }
        let leaf = pte::leaf_desc(pa, size, prot);
        let leaf_level = size.level();

        // The walk stops at the first invalid entry or at a leaf. Anything but an invalid
        // entry at or above the leaf's level means va is taken: by a page or block, by a
        // block covering it, or by a table of smaller mappings where the block would go.
        let walk = self.walk(mem, va);
        let &(level, table, index, desc) = walk.steps().last().ok_or(MapError::BadAddress)?;
        if level > leaf_level || !matches!(classify(desc, level), Entry::Invalid) {
            return Err(MapError::AlreadyMapped);
        }
        if level == leaf_level {
            set_entry(mem, table, index, leaf);
            return Ok(());
        }

        // Build the missing branch aside: new[i] is the table at level + 1 + i.
        let missing = leaf_level - level;
        let mut new = [0; 3];
        for got in 0..missing {
            match mem.alloc_table() {
                Some(t) => new[got] = t,
                None => {
                    new[..got].iter().for_each(|&t| mem.free_table(t));
                    return Err(MapError::NoMemory);
                }
            }
        }
        let mut child = leaf;
        for i in (0..missing).rev() {
            set_entry(mem, new[i], table_index(va, level + 1 + i), child);
            child = pte::table_desc(new[i]);
        }
        // Point of no return: this store makes the whole branch visible to the MMU.
        // (On hardware the arch code orders the stores before it with `dsb ishst`,
        // as Linux's `pmd_populate` does.)
        set_entry(mem, table, index, child);
        Ok(())
    }

    /// Maps [va, va+len) -> [pa, ...) with the largest blocks alignment allows (1G, 2M,
    /// else 4K), as Linux `__create_pgd_mapping` does with `alloc_init_pud` /
    /// `alloc_init_pmd`. All or nothing: on error, what this call mapped is unmapped.
    pub fn map_range(
        &mut self,
        mem: &mut impl PhysMem,
        va: VirtAddr,
        pa: PhysAddr,
        len: usize,
        prot: Prot,
    ) -> Result<(), MapError> {
        if !(va | pa | len).is_multiple_of(PAGE_SIZE) {
            return Err(MapError::Misaligned);
        }
        if len == 0 {
            return Ok(());
        }
        // The range must stay inside one half, and the frames inside 48 bits.
        let last = va.checked_add(len - 1).ok_or(MapError::BadAddress)?;
        let last_pa = pa.checked_add(len - 1).ok_or(MapError::BadAddress)?;
        check_va(va)?;
        check_va(last)?;
        if (va < TASK_SIZE) != (last < TASK_SIZE) || last_pa >> pte::PA_BITS != 0 {
            return Err(MapError::BadAddress);
        }
        check_prot(va, prot)?;
        let mut done = 0;
        while done < len {
            let size = largest_fitting(va + done, pa + done, len - done);
            if let Err(e) = self.map(mem, va + done, pa + done, size, prot) {
                self.unmap_mapped(mem, va, done);
                return Err(e);
            }
            done += size.bytes();
        }
        Ok(())
    }

    /// Undoes a partial `map_range`: unmaps every leaf in [va, va+len).
    fn unmap_mapped(&mut self, mem: &mut impl PhysMem, va: VirtAddr, len: usize) {
        let mut off = 0;
        while off < len {
            off += match self.unmap(mem, va + off) {
                Ok((_, size)) => size.bytes(),
                Err(_) => PAGE_SIZE,
            };
        }
    }

    /// Clears the leaf at va; frees table pages that become empty; returns the old frame
    /// and its size. `va` must be the start of the leaf (a block is not split).
    /// TLB maintenance is the caller's (arch) job, and must happen before the freed
    /// table pages are handed out again.
    ///
    /// Linux: `zap_pte_range` / `pte_clear` (mm/memory.c) clear the leaves; the tables
    /// go later, a whole range at a time, in `free_pgtables` after the TLB flush
    /// (`tlb_remove_table`). Linnet frees a table as soon as it is empty.
    pub fn unmap(
        &mut self,
        mem: &mut impl PhysMem,
        va: VirtAddr,
    ) -> Result<(PhysAddr, PageSize), MapError> {
        check_va(va)?;
        let walk = self.walk(mem, va);
        let ((_, table, index, _), pa, size) = walk.leaf().ok_or(MapError::NotMapped)?;
        if !va.is_multiple_of(size.bytes()) {
            return Err(MapError::Misaligned);
        }
        set_entry(mem, table, index, 0);
        // Free tables from the bottom up while they are empty; never the pgd.
        for pair in walk.steps().windows(2).rev() {
            let ((_, parent, parent_index, _), (_, child, _, _)) = (pair[0], pair[1]);
            if (0..PTRS_PER_TABLE).any(|i| get_entry(mem, child, i) != 0) {
                break;
            }
            set_entry(mem, parent, parent_index, 0);
            mem.free_table(child);
        }
        Ok((pa, size))
    }

    /// Clears every leaf that starts in `[start, end)`, calls `f(va, frame, size)` for each,
    /// and frees the table pages the range left empty (never the pgd). One descent per
    /// table, so a large range costs one visit per entry, not a walk from the pgd and a
    /// table scan per page as `unmap` does. A block that starts below `start` is left.
    /// TLB maintenance is the caller's, as for `unmap`.
    ///
    /// Linux: `unmap_page_range` (`zap_pud_range` -> `zap_pmd_range` -> `zap_pte_range`,
    /// mm/memory.c), then `free_pgd_range` for the tables; Linnet does both in one pass.
    pub fn unmap_range(
        &mut self,
        mem: &mut impl PhysMem,
        start: VirtAddr,
        end: VirtAddr,
        f: &mut impl FnMut(VirtAddr, PhysAddr, PageSize),
    ) {
        if start >= end || check_va(start).is_err() || check_va(end - 1).is_err() {
            return;
        }
        let half = start & !((1usize << 48) - 1); // 0 for user space, VA_START for the kernel
        zap_table(mem, self.root, 0, half, start, end - 1, f);
    }

    /// Changes the permissions of the leaf mapping va (keeps the frame and the software
    /// bits). `va` must be the start of the leaf. Linux: `change_pte_range` with
    /// `pte_modify` (mm/mprotect.c). The caller flushes the TLB.
    pub fn protect(
        &mut self,
        mem: &mut impl PhysMem,
        va: VirtAddr,
        prot: Prot,
    ) -> Result<(), MapError> {
        check_va(va)?;
        check_prot(va, prot)?;
        let walk = self.walk(mem, va);
        let ((_, table, index, desc), _, size) = walk.leaf().ok_or(MapError::NotMapped)?;
        if !va.is_multiple_of(size.bytes()) {
            return Err(MapError::Misaligned);
        }
        set_entry(mem, table, index, pte::modify_prot(desc, size, prot));
        Ok(())
    }

    /// What `va` maps to, as the MMU would find it (Linux `follow_page` / the `AT S1E1R`
    /// instruction done in software). None if not canonical or not mapped.
    pub fn translate(&self, mem: &mut impl PhysMem, va: VirtAddr) -> Option<Translation> {
        // A non-canonical va gives an empty walk, so no leaf.
        let ((level, _, _, desc), pa, size) = self.walk(mem, va).leaf()?;
        Some(Translation {
            pa: pa + (va & (size.bytes() - 1)),
            size,
            prot: pte::prot_of(desc),
            level,
            desc,
        })
    }

    /// Each level's descriptor on the way to va (for reports and `ptwalk`):
    /// [(level, table_pa, index, desc)] until invalid or leaf.
    pub fn walk(&self, mem: &mut impl PhysMem, va: VirtAddr) -> Walk {
        let mut walk = Walk {
            va,
            steps: [(0, 0, 0, 0); 4],
            len: 0,
        };
        if check_va(va).is_err() {
            return walk;
        }
        // LAB 1 BEGIN: walk the four levels from the root, recording each step
        let mut table = self.root;
        for (level, step) in walk.steps.iter_mut().enumerate() {
            let index = table_index(va, level);
            let desc = get_entry(mem, table, index);
            *step = (level, table, index, desc);
            walk.len = level + 1;
            match classify(desc, level) {
                Entry::Table(next) => table = next,
                Entry::Invalid | Entry::Leaf(..) => break,
            }
        }
        // LAB 1 END
        walk
    }

    /// Frees every table page; calls `leaf(pa, size)` for each mapped leaf so the caller
    /// can free frames. Linux does this in two passes at `exit_mmap`: `unmap_vmas` for
    /// the pages, then `free_pgtables`. The table must no longer be live in a TTBR.
    pub fn destroy(self, mem: &mut impl PhysMem, mut leaf: impl FnMut(PhysAddr, PageSize)) {
        free_tree(mem, self.root, 0, &mut leaf);
    }
}

/// Frees the table at `table` (level `level`) and everything below it (Linux
/// `free_pgd_range`), zeroing each entry on the way so a freed page holds no descriptor.
fn free_tree(
    mem: &mut impl PhysMem,
    table: PhysAddr,
    level: usize,
    leaf: &mut impl FnMut(PhysAddr, PageSize),
) {
    for index in 0..PTRS_PER_TABLE {
        let desc = get_entry(mem, table, index);
        match classify(desc, level) {
            Entry::Table(next) => free_tree(mem, next, level + 1, leaf),
            Entry::Leaf(pa, size) => leaf(pa, size),
            Entry::Invalid => {}
        }
        if desc != 0 {
            set_entry(mem, table, index, 0);
        }
    }
    mem.free_table(table);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::pte::{nG, MT_DEVICE_nGnRE, MT_NORMAL, TYPE_PAGE};
    use crate::arch::pte::{AF, AP, ATTRINDX, PXN, SH, UXN};

    const BASE: PhysAddr = 0x4000_0000;

    /// A pool of 4 KiB pages at a fake physical base, counting live table pages.
    struct FakeMem {
        words: Vec<u64>,
        used: Vec<bool>,
        live: usize,
        limit: usize,
    }

    impl FakeMem {
        fn new(pages: usize) -> Self {
            FakeMem {
                words: vec![0; pages * 512],
                used: vec![false; pages],
                live: 0,
                limit: pages,
            }
        }

        fn page(&self, pa: PhysAddr) -> usize {
            assert_eq!(pa % PAGE_SIZE, 0, "table address not page aligned");
            let i = (pa - BASE) / PAGE_SIZE;
            assert!(self.used[i], "table page {pa:#x} is not allocated");
            i
        }
    }

    impl PhysMem for FakeMem {
        fn table(&mut self, pa: PhysAddr) -> *mut u64 {
            let i = self.page(pa);
            self.words[i * 512..].as_mut_ptr()
        }

        fn alloc_table(&mut self) -> Option<PhysAddr> {
            if self.live >= self.limit {
                return None;
            }
            let i = self.used.iter().position(|u| !u)?;
            self.used[i] = true;
            self.words[i * 512..(i + 1) * 512].fill(0);
            self.live += 1;
            Some(BASE + i * PAGE_SIZE)
        }

        fn free_table(&mut self, pa: PhysAddr) {
            let i = self.page(pa);
            let words = &self.words[i * 512..(i + 1) * 512];
            assert!(
                words.iter().all(|&d| d & 1 == 0),
                "freed table still has a valid entry"
            );
            self.used[i] = false;
            self.live -= 1;
        }
    }

    fn setup() -> (FakeMem, PageTable) {
        let mut mem = FakeMem::new(64);
        let pt = PageTable::new(&mut mem).unwrap();
        (mem, pt)
    }

    const USER_RW: Prot = Prot::USER.union(Prot::READ).union(Prot::WRITE);
    const USER_RX: Prot = Prot::USER.union(Prot::READ).union(Prot::EXEC);
    const KERNEL_RW: Prot = Prot::READ.union(Prot::WRITE);
    const KERNEL_RX: Prot = Prot::READ.union(Prot::EXEC);

    #[test]
    fn map_translate_unmap_each_size_in_both_halves() {
        use PageSize::*;
        let cases = [
            (0x0000_0000_0040_0000, 0x4020_1000, Size4K, USER_RW),
            (0x0000_7f80_0020_0000, 0x4040_0000, Size2M, USER_RW),
            (0x0000_0080_0000_0000, 0x8000_0000, Size1G, USER_RX),
            (0xffff_0000_4000_3000, 0x0900_0000, Size4K, KERNEL_RW),
            (0xffff_0000_0800_0000, 0x4020_0000, Size2M, KERNEL_RX),
            (0xffff_8000_4000_0000, 0x4000_0000, Size1G, KERNEL_RW),
        ];
        for (va, pa, size, prot) in cases {
            let (mut mem, mut pt) = setup();
            pt.map(&mut mem, va, pa, size, prot).unwrap();
            assert_eq!(
                mem.live,
                1 + size.level(),
                "one table per level above the leaf"
            );
            let off = size.bytes() - 8;
            let t = pt.translate(&mut mem, va + off).unwrap();
            assert_eq!(
                (t.pa, t.size, t.level, t.prot),
                (pa + off, size, size.level(), prot)
            );
            assert_eq!(pt.translate(&mut mem, va + size.bytes()), None);
            assert_eq!(pt.unmap(&mut mem, va), Ok((pa, size)));
            assert_eq!(pt.translate(&mut mem, va), None);
            assert_eq!(mem.live, 1, "empty tables freed, only the pgd is left");
        }
    }

    fn leaf(prot: Prot) -> Descriptor {
        let (mut mem, mut pt) = setup();
        pt.map(&mut mem, 0x40_0000, 0x4020_1000, PageSize::Size4K, prot)
            .unwrap();
        Descriptor::new(pt.translate(&mut mem, 0x40_0000).unwrap().desc)
    }

    #[test]
    fn permission_bits_are_exact() {
        // (prot, AP, UXN, PXN, nG)
        let cases = [
            (USER_RW, 0b01, 1, 1, 1),
            (USER_RX, 0b11, 0, 1, 1),
            (Prot::USER, 0b00, 1, 1, 1), // PROT_NONE
            (KERNEL_RX, 0b10, 1, 0, 0),
            (KERNEL_RW, 0b00, 1, 1, 0),
        ];
        for (prot, ap, uxn, pxn, ng) in cases {
            let d = leaf(prot);
            assert_eq!(
                (d.read(AP), d.read(UXN), d.read(PXN), d.read(nG)),
                (ap, uxn, pxn, ng),
                "{prot:?}"
            );
            assert_eq!(
                (d.read(AF), d.read(ATTRINDX), d.read(SH)),
                (1, MT_NORMAL, 0b11)
            );
            assert!(d.matches_all(VALID::SET + TYPE_PAGE));
            assert_eq!(pte::prot_of(d.get()), prot);
        }
        let dev = leaf(Prot::READ | Prot::DEVICE | Prot::EXEC);
        assert_eq!((dev.read(ATTRINDX), dev.read(SH)), (MT_DEVICE_nGnRE, 0));
        assert_eq!(
            (dev.read(UXN), dev.read(PXN)),
            (1, 1),
            "device memory is never executable"
        );
    }

    #[test]
    fn write_and_exec_refused() {
        let (mut mem, mut pt) = setup();
        let rwx = Prot::READ | Prot::WRITE | Prot::EXEC;
        assert_eq!(
            pt.map(&mut mem, 0x1000, 0x4000_0000, PageSize::Size4K, rwx),
            Err(MapError::WriteAndExec)
        );
        assert_eq!(
            pt.map_range(&mut mem, 0x1000, 0x4000_0000, 0x2000, rwx | Prot::USER),
            Err(MapError::WriteAndExec)
        );
        pt.map(&mut mem, 0x1000, 0x4000_0000, PageSize::Size4K, USER_RW)
            .unwrap();
        assert_eq!(
            pt.protect(&mut mem, 0x1000, rwx | Prot::USER),
            Err(MapError::WriteAndExec)
        );
        assert_eq!(pt.translate(&mut mem, 0x1000).unwrap().prot, USER_RW);
    }

    #[test]
    fn misaligned_refused() {
        let (mut mem, mut pt) = setup();
        let err = Err(MapError::Misaligned);
        assert_eq!(
            pt.map(&mut mem, 0x1001, 0x4000_0000, PageSize::Size4K, USER_RW),
            err
        );
        assert_eq!(
            pt.map(&mut mem, 0x1000, 0x4000_0800, PageSize::Size4K, USER_RW),
            err
        );
        assert_eq!(
            pt.map(&mut mem, 0x20_1000, 0x4020_0000, PageSize::Size2M, USER_RW),
            err
        );
        assert_eq!(
            pt.map(
                &mut mem,
                0x4000_0000,
                0x4020_0000,
                PageSize::Size1G,
                USER_RW
            ),
            err
        );
        assert_eq!(
            pt.map_range(&mut mem, 0x1000, 0x4000_0000, 0x1800, USER_RW),
            err
        );
        assert_eq!(mem.live, 1);
        // A block is unmapped or protected only from its start.
        pt.map(&mut mem, 0x20_0000, 0x4020_0000, PageSize::Size2M, USER_RW)
            .unwrap();
        assert_eq!(pt.unmap(&mut mem, 0x20_1000), Err(MapError::Misaligned));
        assert_eq!(pt.protect(&mut mem, 0x20_1000, Prot::USER), err);
    }

    #[test]
    fn double_map_refused() {
        let (mut mem, mut pt) = setup();
        let taken = Err(MapError::AlreadyMapped);
        pt.map(&mut mem, 0x1000, 0x4000_1000, PageSize::Size4K, USER_RW)
            .unwrap();
        assert_eq!(
            pt.map(&mut mem, 0x1000, 0x4000_2000, PageSize::Size4K, USER_RW),
            taken
        );
        // A 2M block over a table of pages.
        assert_eq!(
            pt.map(&mut mem, 0, 0x4020_0000, PageSize::Size2M, USER_RW),
            taken
        );
        // A page under a 2M block, and a 2M block under a 1G block.
        pt.map(&mut mem, 0x20_0000, 0x4020_0000, PageSize::Size2M, USER_RW)
            .unwrap();
        assert_eq!(
            pt.map(&mut mem, 0x20_3000, 0x4000_3000, PageSize::Size4K, USER_RW),
            taken
        );
        pt.map(
            &mut mem,
            0x8000_0000,
            0x8000_0000,
            PageSize::Size1G,
            USER_RW,
        )
        .unwrap();
        assert_eq!(
            pt.map(
                &mut mem,
                0x8020_0000,
                0x4020_0000,
                PageSize::Size2M,
                USER_RW
            ),
            taken
        );
        let before = mem.live;
        assert_eq!(
            pt.map_range(&mut mem, 0x1f_f000, 0x401f_f000, 0x2000, USER_RW),
            taken
        );
        assert_eq!(mem.live, before);
        assert_eq!(
            pt.translate(&mut mem, 0x1f_f000),
            None,
            "map_range rolled back"
        );
    }

    #[test]
    fn unmap_frees_tables_only_when_empty() {
        let (mut mem, mut pt) = setup();
        pt.map(&mut mem, 0x1000, 0x4000_1000, PageSize::Size4K, USER_RW)
            .unwrap();
        pt.map(&mut mem, 0x2000, 0x4000_2000, PageSize::Size4K, USER_RW)
            .unwrap();
        assert_eq!(mem.live, 4);
        assert_eq!(
            pt.unmap(&mut mem, 0x1000),
            Ok((0x4000_1000, PageSize::Size4K))
        );
        assert_eq!(mem.live, 4, "the pte table still maps 0x2000");
        assert_eq!(pt.unmap(&mut mem, 0x1000), Err(MapError::NotMapped));
        assert_eq!(
            pt.unmap(&mut mem, 0x2000),
            Ok((0x4000_2000, PageSize::Size4K))
        );
        assert_eq!(mem.live, 1);
        assert_eq!(pt.unmap(&mut mem, 0x2000), Err(MapError::NotMapped));
        assert_eq!(
            pt.unmap(&mut mem, 0xffff_0000_0000_0000),
            Err(MapError::NotMapped)
        );
    }

    #[test]
    fn unmap_range_clears_what_starts_inside_and_frees_emptied_tables() {
        let (mut mem, mut pt) = setup();
        // Pages on both sides of a 2 MiB (pmd) boundary and of a 1 GiB (pud) boundary,
        // a block, and a page far above the range.
        let pages = [0x1f_f000, 0x20_0000, 0x20_1000, 0x3fff_f000, 0x4000_0000];
        for (n, &va) in pages.iter().enumerate() {
            pt.map(
                &mut mem,
                va,
                0x4100_0000 + n * PAGE_SIZE,
                PageSize::Size4K,
                USER_RW,
            )
            .unwrap();
        }
        pt.map(&mut mem, 0x60_0000, 0x4060_0000, PageSize::Size2M, USER_RW)
            .unwrap();
        pt.map(
            &mut mem,
            0x7f_0000_0000,
            0x4080_0000,
            PageSize::Size4K,
            USER_RW,
        )
        .unwrap();
        let live = mem.live;
        // [0x20_0000, 0x3fff_f000): the second pmd's pages and the block, not the page
        // below it nor the one at the range's end.
        let mut gone = Vec::new();
        pt.unmap_range(&mut mem, 0x20_0000, 0x3fff_f000, &mut |va, pa, size| {
            gone.push((va, pa, size))
        });
        assert_eq!(
            gone,
            vec![
                (0x20_0000, 0x4100_1000, PageSize::Size4K),
                (0x20_1000, 0x4100_2000, PageSize::Size4K),
                (0x60_0000, 0x4060_0000, PageSize::Size2M),
            ]
        );
        assert_eq!(
            mem.live,
            live - 1,
            "the emptied pte table is freed, no other"
        );
        for va in [0x1f_f000, 0x3fff_f000, 0x4000_0000, 0x7f_0000_0000] {
            assert!(pt.translate(&mut mem, va).is_some(), "{va:#x} stays mapped");
        }
        // A range that starts inside a block leaves the block; empty ranges do nothing.
        pt.map(&mut mem, 0x80_0000, 0x4080_0000, PageSize::Size2M, USER_RW)
            .unwrap();
        let mut count = 0;
        pt.unmap_range(&mut mem, 0x80_1000, 0xa0_0000, &mut |_, _, _| count += 1);
        pt.unmap_range(&mut mem, 0x1000, 0x1000, &mut |_, _, _| count += 1);
        assert_eq!(count, 0);
        // The whole user half: everything of it goes, and every user table with it.
        pt.unmap_range(&mut mem, 0, TASK_SIZE, &mut |_, _, _| count += 1);
        assert_eq!(count, 5);
        assert_eq!(mem.live, 1, "only the pgd is left");
    }

    #[test]
    fn destroy_frees_all_tables_and_reports_leaves() {
        let (mut mem, mut pt) = setup();
        pt.map(&mut mem, 0x1000, 0x4000_1000, PageSize::Size4K, USER_RW)
            .unwrap();
        pt.map(&mut mem, 0x20_0000, 0x4020_0000, PageSize::Size2M, USER_RX)
            .unwrap();
        pt.map(
            &mut mem,
            0x7f_c000_0000,
            0x8000_0000,
            PageSize::Size1G,
            USER_RW,
        )
        .unwrap();
        pt.map(
            &mut mem,
            0xffff_0000_0800_0000,
            0x4060_0000,
            PageSize::Size2M,
            KERNEL_RX,
        )
        .unwrap();
        let mut leaves = Vec::new();
        pt.destroy(&mut mem, |pa, size| leaves.push((pa, size)));
        leaves.sort();
        let mut want = vec![
            (0x4000_1000, PageSize::Size4K),
            (0x4020_0000, PageSize::Size2M),
            (0x8000_0000, PageSize::Size1G),
            (0x4060_0000, PageSize::Size2M),
        ];
        want.sort();
        assert_eq!(leaves, want);
        assert_eq!(mem.live, 0);
    }

    #[test]
    fn protect_changes_bits_keeps_frame() {
        let (mut mem, mut pt) = setup();
        pt.map(&mut mem, 0x40_0000, 0x4020_1000, PageSize::Size4K, USER_RW)
            .unwrap();
        pt.protect(&mut mem, 0x40_0000, USER_RX).unwrap();
        let t = pt.translate(&mut mem, 0x40_0000).unwrap();
        let d = Descriptor::new(t.desc);
        assert_eq!((t.pa, t.prot), (0x4020_1000, USER_RX));
        assert_eq!((d.read(AP), d.read(UXN), d.read(PXN)), (0b11, 0, 1));
        pt.protect(&mut mem, 0x40_0000, Prot::USER).unwrap();
        assert_eq!(pt.translate(&mut mem, 0x40_0000).unwrap().prot, Prot::USER);
        assert_eq!(
            pt.protect(&mut mem, 0x80_0000, USER_RW),
            Err(MapError::NotMapped)
        );
    }

    #[test]
    fn map_range_uses_blocks_when_aligned() {
        use PageSize::*;
        let (mut mem, mut pt) = setup();
        // 4K edge, two 2M blocks, two 4K pages at the far edge.
        let len = 0x1000 + 2 * PMD_SIZE + 0x2000;
        pt.map_range(&mut mem, 0x1f_f000, 0x401f_f000, len, USER_RW)
            .unwrap();
        let sizes: Vec<_> = [0x1f_f000, 0x20_0000, 0x40_0000, 0x60_0000, 0x60_1000]
            .iter()
            .map(|&va| pt.translate(&mut mem, va).unwrap().size)
            .collect();
        assert_eq!(sizes, [Size4K, Size2M, Size2M, Size4K, Size4K]);
        assert_eq!(pt.translate(&mut mem, 0x60_2000), None);
        assert_eq!(pt.translate(&mut mem, 0x45_6789).unwrap().pa, 0x4045_6789);
        // 1G when both sides allow it; all 4K when va and pa disagree on 2M alignment.
        pt.map_range(
            &mut mem,
            0xffff_8000_4000_0000,
            0x4000_0000,
            PUD_SIZE + PMD_SIZE,
            KERNEL_RW,
        )
        .unwrap();
        assert_eq!(
            pt.translate(&mut mem, 0xffff_8000_4000_0000).unwrap().size,
            Size1G
        );
        assert_eq!(
            pt.translate(&mut mem, 0xffff_8000_8000_0000).unwrap().size,
            Size2M
        );
        pt.map_range(&mut mem, 0x4000_0000, 0x4000_1000, PMD_SIZE, USER_RW)
            .unwrap();
        assert_eq!(pt.translate(&mut mem, 0x4000_0000).unwrap().size, Size4K);
        assert_eq!(
            pt.map_range(&mut mem, 0x1000, 0x4000_0000, 0, USER_RW),
            Ok(())
        );
    }

    #[test]
    fn non_canonical_and_bad_addresses_refused() {
        let (mut mem, mut pt) = setup();
        let bad = Err(MapError::BadAddress);
        for va in [TASK_SIZE, 0x8000_0000_0000_0000, VA_START - PAGE_SIZE] {
            assert_eq!(
                pt.map(&mut mem, va, 0x4000_0000, PageSize::Size4K, KERNEL_RW),
                bad
            );
            assert_eq!(pt.translate(&mut mem, va), None);
            assert_eq!(pt.unmap(&mut mem, va), Err(MapError::BadAddress));
            assert_eq!(pt.walk(&mut mem, va).steps().len(), 0);
        }
        // User pages never go in the shared kernel half; frames stay within 48 bits.
        assert_eq!(
            pt.map(&mut mem, VA_START, 0x4000_0000, PageSize::Size4K, USER_RW),
            bad
        );
        assert_eq!(
            pt.map(&mut mem, 0x1000, 1 << 48, PageSize::Size4K, USER_RW),
            bad
        );
        // A range may not run off the end of user space or wrap.
        assert_eq!(
            pt.map_range(&mut mem, TASK_SIZE - 0x1000, 0, 0x2000, USER_RW),
            bad
        );
        assert_eq!(
            pt.map_range(&mut mem, usize::MAX - 0xfff, 0, 0x2000, KERNEL_RW),
            bad
        );
        assert_eq!(mem.live, 1);
    }

    #[test]
    fn out_of_memory_leaves_nothing_behind() {
        let (mut mem, mut pt) = setup();
        mem.limit = 3; // pgd + 2: one short of a 4K mapping in an empty tree
        assert_eq!(
            pt.map(&mut mem, 0x1000, 0x4000_1000, PageSize::Size4K, USER_RW),
            Err(MapError::NoMemory)
        );
        assert_eq!(mem.live, 1);
        mem.limit = 4;
        pt.map(&mut mem, 0x1000, 0x4000_1000, PageSize::Size4K, USER_RW)
            .unwrap();
        // The second page needs a new pte table: map_range must undo its first page.
        assert_eq!(
            pt.map_range(&mut mem, 0x1f_f000, 0x4000_0000, 0x2000, USER_RW),
            Err(MapError::NoMemory)
        );
        assert_eq!(pt.translate(&mut mem, 0x1f_f000), None);
        assert_eq!(mem.live, 4);
        assert_eq!(
            pt.unmap(&mut mem, 0x1000),
            Ok((0x4000_1000, PageSize::Size4K))
        );
        assert_eq!(mem.live, 1);
        assert!(PageTable::new(&mut FakeMem {
            limit: 0,
            ..FakeMem::new(1)
        })
        .is_err());
    }

    #[test]
    fn walk_prints_one_line_per_level() {
        let (mut mem, mut pt) = setup();
        pt.map(
            &mut mem,
            0xffff_0000_0800_1000,
            0x4020_1000,
            PageSize::Size4K,
            Prot::READ,
        )
        .unwrap();
        let walk = pt.walk(&mut mem, 0xffff_0000_0800_1000);
        let steps = walk.steps();
        assert_eq!(steps.len(), 4);
        assert_eq!((steps[0].0, steps[0].1, steps[0].2), (0, pt.root(), 0));
        assert_eq!((steps[2].2, steps[3].2), (0x40, 1));
        let text = walk.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("pgd[  0] at 0x40000000: ") && lines[0].contains("L0 table"));
        assert!(lines[3].starts_with("pte[  1]"));
        assert!(lines[3]
            .ends_with("L3 page pa=0x40201000 AF SH=inner AP=EL1-RO/EL0-none PXN UXN attr=Normal"));
        // An unmapped address stops at the first invalid entry.
        let walk = pt.walk(&mut mem, 0xffff_7fff_0000_0000);
        assert_eq!(walk.steps().len(), 1);
        assert!(walk.to_string().ends_with("invalid"));
        let text = pt.walk(&mut mem, TASK_SIZE).to_string();
        assert_eq!(text, "0x1000000000000: not a canonical address");
        assert_eq!(PageTable::from_root(pt.root()).root(), pt.root());
    }
}
