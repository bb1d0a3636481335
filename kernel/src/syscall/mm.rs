//! Memory syscalls: brk, mmap, munmap, mprotect, madvise (Linux `mm/mmap.c`
//! `sys_brk`, `ksys_mmap_pgoff`, `mm/mprotect.c`, `mm/madvise.c`). The work is in
//! `mm/mmap.rs`; this file reads the arguments and finds the file for a file mapping.

use super::arg;
use crate::arch::aarch64::trap::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::fs::file::FileKind;
use crate::fs::vfs::{self, RamFile};
use crate::mm::mmap::{self, MapFile, MAP_ANONYMOUS};
use crate::task::sched::current;

fn current_mm() -> KResult<alloc::sync::Arc<spin::Mutex<crate::mm::mm_struct::MmStruct>>> {
    current().inner.lock().mm.clone().ok_or(Errno::EFAULT)
}

/// brk(addr): never an error; the (possibly unchanged) break.
pub fn sys_brk(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = mmap::do_brk(&mut mm.lock(), arg(f, 0) as usize);
    Ok(r)
}

/// mmap(addr, len, prot, flags, fd, offset) (Linux `ksys_mmap_pgoff` -> `vm_mmap_pgoff`).
pub fn sys_mmap(f: &mut TrapFrame) -> KResult<usize> {
    let (addr, len, prot, flags, fd, off) = (
        arg(f, 0) as usize,
        arg(f, 1) as usize,
        arg(f, 2) as u32,
        arg(f, 3) as u32,
        arg(f, 4) as i32,
        arg(f, 5) as usize,
    );
    let file = if flags & MAP_ANONYMOUS != 0 {
        None
    } else {
        let file = vfs::fget(fd)?;
        let FileKind::Regular(ino) = file.kind else {
            return Err(Errno::ENODEV);
        };
        if !file.readable() {
            return Err(Errno::EACCES);
        }
        Some(MapFile {
            file: RamFile::new(ino, &file.path)?,
            writable: file.writable(),
        })
    };
    let mm = current_mm()?;
    let r = mmap::do_mmap(&mut mm.lock(), addr, len, prot, flags, file, off);
    r
}

/// munmap(addr, len).
pub fn sys_munmap(f: &mut TrapFrame) -> KResult<usize> {
    let mm = current_mm()?;
    let r = mmap::do_munmap(&mut mm.lock(), arg(f, 0) as usize, arg(f, 1) as usize).map(|_| 0);
    r
}

/// mprotect(addr, len, prot).
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

/// madvise(addr, len, advice): MADV_DONTNEED (4) drops the pages of private anonymous
/// memory, which then reads as zero (Linux `madvise_dontneed_free`); other advice is
/// accepted and ignored, as Linux ignores hints it cannot act on.
pub fn sys_madvise(f: &mut TrapFrame) -> KResult<usize> {
    const MADV_DONTNEED: u64 = 4;
    let (start, len, advice) = (arg(f, 0) as usize, arg(f, 1) as usize, arg(f, 2));
    if start % crate::mm::layout::PAGE_SIZE != 0 {
        return Err(Errno::EINVAL);
    }
    let end = start.checked_add(len).ok_or(Errno::EINVAL)?;
    if advice == MADV_DONTNEED {
        let mm = current_mm()?;
        let mut mm = mm.lock();
        let end = crate::mm::layout::page_align_up(end).ok_or(Errno::EINVAL)?;
        if mm.vmas.find_vma_intersection(start, end).is_none() && len > 0 {
            return Err(Errno::ENOMEM);
        }
        mm.zap_range(start, end);
    }
    Ok(0)
}
