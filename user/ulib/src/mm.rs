//! Memory: mmap, munmap, mprotect, madvise, brk.
//!
//! The kernel side is `do_mmap`, `do_munmap`, `mprotect` and `do_brk` in
//! `kernel/src/mm/mmap.rs`. These wrappers are `unsafe` because they can remove or change
//! memory the program still uses; `map_anon` is the one safe helper (fresh pages nobody
//! else refers to).

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall1, syscall2, syscall3, syscall6};

/// PROT_NONE: no access.
pub const PROT_NONE: usize = uapi::mman::PROT_NONE as usize;
/// PROT_READ: pages may be read.
pub const PROT_READ: usize = uapi::mman::PROT_READ as usize;
/// PROT_WRITE: pages may be written.
pub const PROT_WRITE: usize = uapi::mman::PROT_WRITE as usize;
/// PROT_EXEC: pages may be executed.
pub const PROT_EXEC: usize = uapi::mman::PROT_EXEC as usize;
/// MAP_SHARED: writes are shared with other mappings of the same object.
pub const MAP_SHARED: usize = uapi::mman::MAP_SHARED as usize;
/// MAP_PRIVATE: writes are private (copy-on-write).
pub const MAP_PRIVATE: usize = uapi::mman::MAP_PRIVATE as usize;
/// MAP_FIXED: map exactly at `addr`, replacing what is there.
pub const MAP_FIXED: usize = uapi::mman::MAP_FIXED as usize;
/// MAP_SHARED_VALIDATE: MAP_SHARED, but unknown flags are an error (EOPNOTSUPP).
pub const MAP_SHARED_VALIDATE: usize = uapi::mman::MAP_SHARED_VALIDATE as usize;
/// MAP_ANONYMOUS: zero-filled memory, not backed by a file (fd -1).
pub const MAP_ANONYMOUS: usize = uapi::mman::MAP_ANONYMOUS as usize;
/// MAP_GROWSDOWN: a stack-like mapping that grows down on a fault just below it.
pub const MAP_GROWSDOWN: usize = uapi::mman::MAP_GROWSDOWN as usize;
/// MAP_POPULATE: fault every page in at mmap time.
pub const MAP_POPULATE: usize = uapi::mman::MAP_POPULATE as usize;
/// MAP_FIXED_NOREPLACE: map exactly at `addr`, but fail with EEXIST if anything is there.
pub const MAP_FIXED_NOREPLACE: usize = uapi::mman::MAP_FIXED_NOREPLACE as usize;
/// madvise(2) MADV_NORMAL: no special treatment.
pub const MADV_NORMAL: usize = uapi::mman::MADV_NORMAL as usize;
/// madvise(2) MADV_WILLNEED: the pages will be needed soon (a hint).
pub const MADV_WILLNEED: usize = uapi::mman::MADV_WILLNEED as usize;
/// madvise(2) MADV_DONTNEED: drop the pages; private anonymous memory then reads as zero.
pub const MADV_DONTNEED: usize = uapi::mman::MADV_DONTNEED as usize;
/// Page size of Linnet and of Linux/arm64 with a 4 KiB granule.
pub const PAGE_SIZE: usize = 4096;

/// mmap(2). Returns the address of the new mapping.
///
/// # Safety
/// With MAP_FIXED it can replace memory the program uses.
pub unsafe fn mmap(
    addr: usize,
    len: usize,
    prot: usize,
    flags: usize,
    fd: i32,
    off: usize,
) -> SysResult {
    // SAFETY: the caller vouches for the effect on existing mappings.
    check(unsafe { syscall6(nr::__NR_mmap, addr, len, prot, flags, fd as usize, off) })
}

/// munmap(2).
///
/// # Safety
/// Nothing may use the range afterwards.
pub unsafe fn munmap(addr: usize, len: usize) -> SysResult {
    // SAFETY: the caller promises the range is no longer used.
    check(unsafe { syscall2(nr::__NR_munmap, addr, len) })
}

/// mprotect(2).
///
/// # Safety
/// Removing access from memory the program uses makes it fault.
pub unsafe fn mprotect(addr: usize, len: usize, prot: usize) -> SysResult {
    // SAFETY: the caller vouches for the new permissions.
    check(unsafe { syscall3(nr::__NR_mprotect, addr, len, prot) })
}

/// madvise(2): advice about the use of `[addr, addr + len)`.
///
/// # Safety
/// MADV_DONTNEED throws away the contents of private mappings.
pub unsafe fn madvise(addr: usize, len: usize, advice: usize) -> SysResult {
    // SAFETY: the caller vouches for the effect on the range.
    check(unsafe { syscall3(nr::__NR_madvise, addr, len, advice) })
}

/// brk(2): ask for the program break at `addr` (0: just report it). Linux's brk never
/// returns an error: on failure it returns the unchanged break, so compare with `addr`.
///
/// # Safety
/// Shrinking the break removes memory the program may use.
pub unsafe fn brk(addr: usize) -> usize {
    // SAFETY: the caller vouches for the effect on the heap.
    unsafe { syscall1(nr::__NR_brk, addr) as usize }
}

/// A fresh private anonymous read-write mapping of `len` bytes (rounded up to pages),
/// zero-filled. It is never unmapped, hence `'static`.
pub fn map_anon(len: usize) -> SysResult<&'static mut [u8]> {
    let len = len.div_ceil(PAGE_SIZE) * PAGE_SIZE;
    // SAFETY: no MAP_FIXED, so the kernel picks an unused range; nothing else refers to it.
    let addr = unsafe {
        mmap(
            0,
            len,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )?
    };
    // SAFETY: the kernel just mapped len readable, writable bytes at addr for us alone.
    Ok(unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, len) })
}
