//! mmap, mprotect, mremap and madvise arguments (Linux
//! `include/uapi/asm-generic/mman-common.h`, `mman.h` and `include/uapi/linux/mman.h`).

/// PROT_NONE: no access.
pub const PROT_NONE: u32 = 0x0;
/// PROT_READ.
pub const PROT_READ: u32 = 0x1;
/// PROT_WRITE.
pub const PROT_WRITE: u32 = 0x2;
/// PROT_EXEC.
pub const PROT_EXEC: u32 = 0x4;
/// PROT_SEM (accepted and ignored, as on arm64 Linux).
pub const PROT_SEM: u32 = 0x8;
/// PROT_GROWSDOWN (mprotect only): extend the change down to the start of a stack VMA.
pub const PROT_GROWSDOWN: u32 = 0x0100_0000;
/// PROT_GROWSUP (mprotect only; no arm64 VMA grows up, so always EINVAL in effect).
pub const PROT_GROWSUP: u32 = 0x0200_0000;

/// MAP_SHARED: changes are visible to other mappers.
pub const MAP_SHARED: u32 = 0x01;
/// MAP_PRIVATE: changes are copy-on-write private.
pub const MAP_PRIVATE: u32 = 0x02;
/// MAP_SHARED_VALIDATE: MAP_SHARED, refusing flags the file does not support.
pub const MAP_SHARED_VALIDATE: u32 = 0x03;
/// The two bits that say shared or private (Linux `MAP_TYPE`).
pub const MAP_TYPE: u32 = 0x0f;
/// MAP_FIXED: exactly at addr, replacing what is there.
pub const MAP_FIXED: u32 = 0x10;
/// MAP_ANONYMOUS: not backed by a file; zero-filled.
pub const MAP_ANONYMOUS: u32 = 0x20;
/// MAP_GROWSDOWN: a stack-like mapping.
pub const MAP_GROWSDOWN: u32 = 0x100;
/// MAP_DENYWRITE (ignored, as by Linux).
pub const MAP_DENYWRITE: u32 = 0x800;
/// MAP_EXECUTABLE (ignored, as by Linux).
pub const MAP_EXECUTABLE: u32 = 0x1000;
/// MAP_LOCKED (accepted; nothing is ever swapped).
pub const MAP_LOCKED: u32 = 0x2000;
/// MAP_NORESERVE (accepted; Linnet reserves nothing anyway).
pub const MAP_NORESERVE: u32 = 0x4000;
/// MAP_POPULATE: fault every page in now.
pub const MAP_POPULATE: u32 = 0x8000;
/// MAP_NONBLOCK: with MAP_POPULATE, do not populate after all.
pub const MAP_NONBLOCK: u32 = 0x10000;
/// MAP_STACK (accepted, a hint).
pub const MAP_STACK: u32 = 0x20000;
/// MAP_HUGETLB (EINVAL: Linnet is a kernel without hugetlbfs).
pub const MAP_HUGETLB: u32 = 0x40000;
/// MAP_SYNC (DAX files only: EOPNOTSUPP with MAP_SHARED_VALIDATE, ignored otherwise).
pub const MAP_SYNC: u32 = 0x80000;
/// MAP_FIXED_NOREPLACE: exactly at addr, EEXIST if anything is there.
pub const MAP_FIXED_NOREPLACE: u32 = 0x100000;
/// MAP_UNINITIALIZED (ignored without CONFIG_MMAP_ALLOW_UNINITIALIZED).
pub const MAP_UNINITIALIZED: u32 = 0x4000000;

/// MAP_HUGE_2MB (`21 << MAP_HUGE_SHIFT`): a huge page size for MAP_HUGETLB.
pub const MAP_HUGE_2MB: u32 = 21 << 26;
/// MAP_HUGE_1GB (`30 << MAP_HUGE_SHIFT`).
pub const MAP_HUGE_1GB: u32 = 30 << 26;

/// mremap: allow a move when growing in place is not possible.
pub const MREMAP_MAYMOVE: u64 = 1;
/// mremap: move to exactly `new_addr` (needs MAYMOVE).
pub const MREMAP_FIXED: u64 = 2;
/// mremap: move, but leave the old range mapped and empty (needs MAYMOVE, same size).
pub const MREMAP_DONTUNMAP: u64 = 4;

/// No special treatment.
pub const MADV_NORMAL: u32 = 0;
/// Expect random page references.
pub const MADV_RANDOM: u32 = 1;
/// Expect sequential page references.
pub const MADV_SEQUENTIAL: u32 = 2;
/// Will need these pages.
pub const MADV_WILLNEED: u32 = 3;
/// Drop the pages: private anonymous memory reads back as zeros.
pub const MADV_DONTNEED: u32 = 4;
/// The pages may be freed lazily (Linnet frees them at once, as DONTNEED).
pub const MADV_FREE: u32 = 8;
/// Free the backing store of a shared mapping.
pub const MADV_REMOVE: u32 = 9;
/// Do not give the range to a child at fork.
pub const MADV_DONTFORK: u32 = 10;
/// Undo DONTFORK.
pub const MADV_DOFORK: u32 = 11;
/// Do not include in a core dump.
pub const MADV_DONTDUMP: u32 = 16;
/// Undo DONTDUMP.
pub const MADV_DODUMP: u32 = 17;
/// Deactivate the pages.
pub const MADV_COLD: u32 = 20;
/// Reclaim the pages.
pub const MADV_PAGEOUT: u32 = 21;
/// Fault the pages in for reading.
pub const MADV_POPULATE_READ: u32 = 22;
/// Fault the pages in for writing.
pub const MADV_POPULATE_WRITE: u32 = 23;
/// DONTNEED, also on locked pages.
pub const MADV_DONTNEED_LOCKED: u32 = 24;

/// msync: schedule the write-back, return at once.
pub const MS_ASYNC: u32 = 1;
/// msync: invalidate other mappings of the same file (so they see the new data).
pub const MS_INVALIDATE: u32 = 2;
/// msync: write back and wait.
pub const MS_SYNC: u32 = 4;
