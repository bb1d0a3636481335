//! msync(2): flush a file mapping to its file. On Linnet (as on Linux's ramfs) there is
//! nothing to flush; the kernel checks the arguments and the range (`mm::mman::msync_check`).

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall3};

/// msync: schedule the write-back, return at once.
pub const MS_ASYNC: usize = uapi::mman::MS_ASYNC as usize;
/// msync: invalidate other mappings of the same file.
pub const MS_INVALIDATE: usize = uapi::mman::MS_INVALIDATE as usize;
/// msync: write back and wait.
pub const MS_SYNC: usize = uapi::mman::MS_SYNC as usize;

/// msync(2) over `[addr, addr + len)`.
pub fn msync(addr: usize, len: usize, flags: usize) -> SysResult {
    // SAFETY: msync reads no user memory and changes no mapping.
    check(unsafe { syscall3(nr::__NR_msync, addr, len, flags) })
}
