//! Memory syscalls: brk, mmap, munmap, mprotect, madvise (Linux `mm/mmap.c`
//! `sys_brk`, `ksys_mmap_pgoff`, `arch/arm64/kernel/sys.c` `sys_mmap`,
//! `mm/mprotect.c`, `mm/madvise.c`). The work is in `mm/mmap.rs` (and its rules in
//! `mm/mman.rs`); this file reads the arguments and finds the file for a file mapping.

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::fs::file::FileKind;
use crate::fs::vfs::{self, RamFile};
use crate::mm::layout::PAGE_SIZE;
use crate::mm::mm_struct::MmStruct;
use crate::mm::mman::{self, FileMode, MAP_HUGETLB, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE};
use crate::mm::mmap::{self, MapFile, MAP_ANONYMOUS};
use crate::task::sched::current;
use alloc::sync::Arc;
use spin::Mutex;

fn current_mm() -> KResult<Arc<Mutex<MmStruct>>> {
    current().inner.lock().mm.clone().ok_or(Errno::EFAULT)
}

/// brk(addr): never an error; the (possibly unchanged) break.
pub fn sys_brk(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = mmap::do_brk(&mut mm.lock(), arg(f, 0) as usize);
    Ok(r)
}

/// mmap(addr, len, prot, flags, fd, offset) (Linux arm64 `sys_mmap` ->
/// `ksys_mmap_pgoff` -> `vm_mmap_pgoff` -> `do_mmap`), checking in Linux's order: the
/// offset must be page aligned (EINVAL), then the fd must be open unless MAP_ANONYMOUS
/// (EBADF; with MAP_ANONYMOUS the fd is ignored), then `do_mmap`. What can be mapped:
/// a regular file of the ramfs (read into private pages at fault time), and `/dev/zero`,
/// which gives anonymous memory as in Linux; anything else is ENODEV (no `f_op->mmap`).
pub fn sys_mmap(f: &mut TrapFrame) -> KResult<usize> {
    let (addr, len, prot, mut flags, fd, off) = (
        arg(f, 0) as usize,
        arg(f, 1) as usize,
        arg(f, 2) as u32,
        arg(f, 3) as u32,
        arg(f, 4) as i32,
        arg(f, 5) as usize,
    );
    if !off.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let mut file = None;
    if flags & MAP_ANONYMOUS == 0 {
        let open = vfs::fget(fd)?;
        if flags & MAP_HUGETLB != 0 {
            return Err(Errno::EINVAL); // not a hugetlbfs file
        }
        let mode = FileMode {
            readable: open.readable(),
            writable: open.writable(),
        };
        match open.kind {
            FileKind::Regular(ino) => {
                file = Some(MapFile {
                    file: RamFile::new(ino, open.path.as_bytes())?,
                    mode,
                })
            }
            // Linux `mmap_zero`: a private mapping of /dev/zero is anonymous memory (a
            // shared one is shmem, which Linnet's shared anonymous memory stands in for).
            FileKind::Zero => {
                mman::mmap_vm_flags(prot, flags, Some(mode))?; // EACCES, EOPNOTSUPP, ...
                if flags & MAP_TYPE == MAP_SHARED_VALIDATE {
                    flags = (flags & !MAP_TYPE) | MAP_SHARED;
                }
                flags |= MAP_ANONYMOUS;
            }
            _ => return Err(Errno::ENODEV),
        }
    } else if flags & MAP_HUGETLB != 0 {
        return Err(Errno::EINVAL); // Linnet is a kernel without hugetlbfs
    }
    let mm = current_mm()?;
    let r = mmap::do_mmap(
        &mut mm.lock(),
        addr,
        len,
        prot,
        flags,
        file,
        off / PAGE_SIZE,
    );
    r
}

/// munmap(addr, len) (Linux `__vm_munmap`): unmapping a hole is fine; an unaligned
/// address, a zero length or a range leaving user space is EINVAL.
pub fn sys_munmap(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = mmap::do_munmap(&mut mm.lock(), arg(f, 0) as usize, arg(f, 1) as usize).map(|_| 0);
    r
}

/// mremap(addr, old_len, new_len, flags, new_addr) (Linux `SYSCALL_DEFINE5(mremap)`):
/// the work and the rules are in `mm/mremap.rs`.
pub fn sys_mremap(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = crate::mm::mremap::do_mremap(
        &mut mm.lock(),
        arg(f, 0) as usize,
        arg(f, 1) as usize,
        arg(f, 2) as usize,
        arg(f, 3),
        arg(f, 4) as usize,
    );
    r
}

/// mprotect(addr, len, prot) (Linux `do_mprotect_pkey`): ENOMEM if a page of the range
/// is unmapped, EACCES for more than the mapping may ever allow, EINVAL for an unaligned
/// address or unknown `prot` bits.
pub fn sys_mprotect(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = mmap::do_mprotect(
        &mut mm.lock(),
        arg(f, 0) as usize,
        arg(f, 1) as usize,
        arg(f, 2) as u32,
    )
    .map(|_| 0);
    r
}

/// msync(addr, len, flags) (Linux `sys_msync`): the argument and range checks of
/// `mman::msync_check`, then nothing to write back (ramfs pages are the file).
pub fn sys_msync(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = crate::mm::mman::msync_check(
        &mm.lock().vmas,
        arg(f, 0) as usize,
        arg(f, 1) as usize,
        arg(f, 2) as u32,
    )
    .map(|_| 0);
    r
}

/// madvise(addr, len, advice) (Linux `do_madvise`): MADV_DONTNEED drops private pages,
/// which then read as zero (or as the file) again; DONTFORK/DOFORK and POPULATE_* act;
/// hints are accepted; unknown advice is EINVAL. Details at `mmap::do_madvise`.
pub fn sys_madvise(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = mmap::do_madvise(
        &mut mm.lock(),
        arg(f, 0) as usize,
        arg(f, 1) as usize,
        arg(f, 2) as u32,
    )
    .map(|_| 0);
    r
}
