//! TLB and cache maintenance on the host (Linux `asm/tlbflush.h`, `asm/cacheflush.h`):
//! the host tests' page tables are only ever walked by software (`PageTable::translate`),
//! which always reads the tables as they are now, and their frames are ordinary memory
//! with one coherent view. So there is nothing to invalidate, and these do nothing; they
//! keep the kernel's signatures (`arch/aarch64/mmu.rs`) so the same mm code calls them.

/// Invalidate every TLB entry of one ASID (Linux `flush_tlb_mm`): no TLB on the host.
pub fn flush_tlb_asid(_asid: u16) {}

/// Invalidate one user page of one ASID (Linux `flush_tlb_page`): no TLB on the host.
pub fn flush_tlb_user_page(_asid: u16, _va: usize) {}

/// Make instructions written at `kva` visible to instruction fetch (Linux
/// `caches_clean_inval_pou`): the host tests never execute what they write.
pub fn sync_icache(_kva: usize, _len: usize) {}
