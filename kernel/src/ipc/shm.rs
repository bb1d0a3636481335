//! System V shared memory: shmget (194), shmctl (195), shmat (196), shmdt (197)
//! (Linux `ipc/shm.c`: `ksys_shmget`, `newseg`, `shm_more_checks`, `ksys_shmctl`,
//! `do_shmat`, `ksys_shmdt`, `shm_open`/`shm_close`, `shm_destroy`).
//!
//! A segment is a set of frames, allocated at its first attach. shmat maps them into
//! the caller (`mm/shm.rs`) as a shared file VMA whose file is an `ShmFile`: fork copies
//! the VMA and shares the frames, exit and munmap drop it. `shm_nattch` counts the VMAs
//! that map the segment (Linux counts each VMA through `shm_open`/`shm_close` too): each
//! attachment's `ShmFile` is shared by its VMAs, so the count is the sum of those
//! files' reference counts. IPC_RMID destroys a segment nobody maps at once; otherwise
//! it is marked SHM_DEST (its key forgotten) and destroyed when the last VMA goes
//! (`ShmFile::drop`). The frames are freed when the last page table and the segment let
//! go of them.
//!
//! Simplified: frames are allocated at the first attach, all at once (Linux allocates
//! pages as they are touched); no SHM_HUGETLB, no swap, IPC_INFO/SHM_INFO/SHM_STAT
//! left out; SHM_LOCK/SHM_UNLOCK only set the flag.

/// Smallest and largest segment (Linux `SHMMIN`, `SHMMAX`).
pub const SHMMIN: usize = 1;
/// Linux `SHMMAX` on 64-bit: `ULONG_MAX - (1 << 24)`.
pub const SHMMAX: usize = usize::MAX - (1 << 24);
/// Most segments (Linux `SHMMNI`).
pub const SHMMNI: usize = 4096;
pub use uapi::ipc::{
    SHM_DEST, SHM_EXEC, SHM_LOCK, SHM_LOCKED, SHM_RDONLY, SHM_REMAP, SHM_RND, SHM_UNLOCK,
};
/// Attach alignment (arm64 `SHMLBA` = 4 pages).
pub const SHMLBA: usize = 4 * crate::mm::layout::PAGE_SIZE;

/// Where shmat(addr, flg) maps (Linux `do_shmat`'s address rules, arm64 having no
/// `__ARCH_FORCE_SHMLBA`): None to let the kernel choose; an address off SHMLBA is
/// rounded down with SHM_RND and otherwise only needs to be page aligned; SHM_REMAP
/// needs an address; EINVAL for the rest.
pub fn shmat_addr(addr: usize, flg: u32) -> Result<Option<usize>, crate::errno::Errno> {
    use crate::errno::Errno;
    let page = crate::mm::layout::PAGE_SIZE;
    if addr == 0 {
        return if flg & SHM_REMAP != 0 {
            Err(Errno::EINVAL)
        } else {
            Ok(None)
        };
    }
    let mut addr = addr;
    if addr & (SHMLBA - 1) != 0 {
        if flg & SHM_RND != 0 {
            addr &= !(SHMLBA - 1);
        } else if addr & (page - 1) != 0 {
            return Err(Errno::EINVAL);
        }
    }
    // A fixed mapping at page 0 fails (Linux: in `do_mmap`, below mmap_min_addr).
    if addr == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(Some(addr))
}

#[cfg(target_os = "none")]
pub use syscalls::*;

#[cfg(target_os = "none")]
mod syscalls {
    use super::*;
    use crate::arch::TrapFrame;
    use crate::errno::{Errno, KResult};
    use crate::ipc::now;
    use crate::ipc::util::*;
    use crate::mm::layout::{page_align_up, PAGE_SIZE};
    use crate::mm::page_alloc;
    use crate::mm::uaccess;
    use crate::mm::vma::{VmFile, VmFlags};
    use crate::syscall::arg;
    use crate::task::sched::current;
    use alloc::format;
    use alloc::string::String;
    use alloc::sync::{Arc, Weak};
    use alloc::vec::Vec;
    use spin::Mutex;

    /// A segment's memory (Linux: the shmem file behind it).
    struct Segment {
        frames: Mutex<Vec<usize>>,
        pages: usize,
    }

    impl Drop for Segment {
        /// The segment is destroyed: its own references to the frames go.
        fn drop(&mut self) {
            for pa in self.frames.lock().drain(..) {
                page_alloc::put_page(pa);
            }
        }
    }

    /// One shmat: the file its VMAs map (Linux `struct shm_file_data`).
    struct ShmFile {
        id: i32,
        seg: Arc<Segment>,
        name: String,
    }

    impl VmFile for ShmFile {
        fn path(&self) -> &str {
            &self.name
        }
        /// A page whose mapping went away (madvise) reads the segment's current
        /// contents into a private copy; the VMAs normally have every page present.
        fn read_at(&self, offset: usize, buf: &mut [u8]) -> usize {
            let frames = self.seg.frames.lock();
            let Some(&pa) = frames.get(offset / PAGE_SIZE) else {
                return 0;
            };
            let n = buf.len().min(PAGE_SIZE - offset % PAGE_SIZE);
            // SAFETY: `pa` is a frame this segment holds, read through the linear map.
            let src = unsafe {
                core::slice::from_raw_parts(
                    (crate::mm::layout::phys_to_virt(pa) + offset % PAGE_SIZE) as *const u8,
                    n,
                )
            };
            buf[..n].copy_from_slice(src);
            n
        }
        fn ino(&self) -> u64 {
            self.id as u64
        }
        fn is_sysv_shm(&self) -> bool {
            true
        }
    }

    impl Drop for ShmFile {
        /// The last VMA of this attachment is gone (Linux `shm_close`).
        fn drop(&mut self) {
            shm_close(self.id, &self.seg);
        }
    }

    /// One segment (Linux `struct shmid_kernel`).
    struct ShmSeg {
        seg: Arc<Segment>,
        size: usize,
        atime: i64,
        dtime: i64,
        ctime: i64,
        cpid: i32,
        lpid: i32,
        dest: bool,
        locked: bool,
        attaches: Vec<Weak<ShmFile>>,
    }

    impl ShmSeg {
        fn nattch(&self) -> usize {
            self.attaches.iter().map(|w| w.strong_count()).sum()
        }
    }

    /// Every segment (Linux `shm_ids(ns)`). Lock order: an mm before SHM_IDS (an
    /// `ShmFile` may be dropped while its mm is locked).
    static SHM_IDS: Mutex<IpcIds<ShmSeg>> = Mutex::new(IpcIds::new());

    fn shm_close(id: i32, seg: &Arc<Segment>) {
        let mut ids = SHM_IDS.lock();
        let Ok((_, s)) = ids.get_mut(id) else { return };
        if !Arc::ptr_eq(&s.seg, seg) {
            return;
        }
        s.dtime = now();
        s.lpid = current().tgid();
        s.attaches.retain(|w| w.strong_count() > 0);
        if s.dest && s.nattch() == 0 {
            drop(ids.remove(id)); // shm_destroy
        }
    }

    /// shmget(key, size, shmflg) (Linux `ksys_shmget`): EINVAL for a size outside
    /// SHMMIN..=SHMMAX when creating, or larger than an existing segment.
    pub fn sys_shmget(f: &mut TrapFrame) -> KResult<usize> {
        let (key, size, flg) = (arg(f, 0) as i32, arg(f, 1) as usize, arg(f, 2) as u32);
        let id = SHM_IDS.lock().ipcget(
            key,
            flg,
            SHMMNI,
            || {
                if !(SHMMIN..=SHMMAX).contains(&size) {
                    return Err(Errno::EINVAL);
                }
                let bytes = page_align_up(size).ok_or(Errno::ENOSPC)?;
                Ok(ShmSeg {
                    seg: Arc::new(Segment {
                        frames: Mutex::new(Vec::new()),
                        pages: bytes / PAGE_SIZE,
                    }),
                    size,
                    atime: 0,
                    dtime: 0,
                    ctime: now(),
                    cpid: current().tgid(),
                    lpid: 0,
                    dest: false,
                    locked: false,
                    attaches: Vec::new(),
                })
            },
            |s| {
                if s.size < size {
                    Err(Errno::EINVAL)
                } else {
                    Ok(())
                }
            },
        )?;
        Ok(id as usize)
    }

    /// `struct shmid64_ds` (asm-generic `shmbuf.h`, 112 bytes).
    fn shmid64(perm: &KernIpcPerm, s: &ShmSeg) -> [u8; 112] {
        let mut p = *perm;
        if s.dest {
            p.mode |= SHM_DEST;
        }
        if s.locked {
            p.mode |= SHM_LOCKED;
        }
        let mut b = [0u8; 112];
        b[..48].copy_from_slice(&p.to_ipc64());
        b[48..56].copy_from_slice(&(s.size as u64).to_le_bytes());
        b[56..64].copy_from_slice(&s.atime.to_le_bytes());
        b[64..72].copy_from_slice(&s.dtime.to_le_bytes());
        b[72..80].copy_from_slice(&s.ctime.to_le_bytes());
        b[80..84].copy_from_slice(&s.cpid.to_le_bytes());
        b[84..88].copy_from_slice(&s.lpid.to_le_bytes());
        b[88..96].copy_from_slice(&(s.nattch() as u64).to_le_bytes());
        b
    }

    /// shmctl(shmid, cmd, buf) (Linux `ksys_shmctl`): IPC_STAT, IPC_SET, IPC_RMID,
    /// SHM_LOCK, SHM_UNLOCK.
    pub fn sys_shmctl(f: &mut TrapFrame) -> KResult<usize> {
        let (id, cmd, buf) = (arg(f, 0) as i32, arg(f, 1) as i32, arg(f, 2) as usize);
        if id < 0 || cmd < 0 {
            return Err(Errno::EINVAL);
        }
        match cmd {
            IPC_STAT => {
                let b = {
                    let ids = SHM_IDS.lock();
                    let (perm, s) = ids.get(id)?;
                    shmid64(perm, s)
                };
                uaccess::copy_to_user(buf, &b)?;
                Ok(0)
            }
            IPC_SET => {
                let mut b = [0u8; 48];
                uaccess::copy_from_user(&mut b, buf)?;
                let mut ids = SHM_IDS.lock();
                let (perm, s) = ids.get_mut(id)?;
                perm.set_from(&b);
                s.ctime = now();
                Ok(0)
            }
            IPC_RMID => {
                let removed = {
                    let mut ids = SHM_IDS.lock();
                    let (perm, s) = ids.get_mut(id)?;
                    if s.nattch() == 0 {
                        ids.remove(id)
                    } else {
                        s.dest = true;
                        perm.key = IPC_PRIVATE;
                        None
                    }
                };
                drop(removed); // the frames go back outside the lock
                Ok(0)
            }
            SHM_LOCK | SHM_UNLOCK => {
                let mut ids = SHM_IDS.lock();
                let (_, s) = ids.get_mut(id)?;
                s.locked = cmd == SHM_LOCK;
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// shmat(shmid, shmaddr, shmflg) (Linux `do_shmat`): maps the segment (allocating
    /// its frames the first time) read-write, or read-only with SHM_RDONLY; returns the
    /// address. EINVAL for a bad id or address, ENOMEM when frames run out.
    pub fn sys_shmat(f: &mut TrapFrame) -> KResult<usize> {
        let (id, addr, flg) = (arg(f, 0) as i32, arg(f, 1) as usize, arg(f, 2) as u32);
        if id < 0 {
            return Err(Errno::EINVAL);
        }
        let addr = shmat_addr(addr, flg)?;
        let (file, frames) = {
            let mut ids = SHM_IDS.lock();
            let (perm, s) = ids.get_mut(id)?;
            let seg = s.seg.clone();
            let mut frames = seg.frames.lock();
            if frames.len() < seg.pages {
                // All or nothing: a segment larger than free memory takes none of it.
                if seg.pages - frames.len() > page_alloc::nr_free_pages() {
                    return Err(Errno::ENOMEM);
                }
                let mut new = Vec::new();
                while frames.len() + new.len() < seg.pages {
                    match page_alloc::alloc_user_page() {
                        Some(pa) => new.push(pa),
                        None => {
                            new.into_iter().for_each(page_alloc::put_page);
                            return Err(Errno::ENOMEM);
                        }
                    }
                }
                frames.extend(new);
            }
            let frames_copy = frames.clone();
            drop(frames);
            let file = Arc::new(ShmFile {
                id,
                seg: seg.clone(),
                name: format!("/SYSV{:08x}", perm.key as u32),
            });
            s.attaches.push(Arc::downgrade(&file));
            (file, frames_copy)
        };
        let mut vm = VmFlags::READ | VmFlags::MAYREAD | VmFlags::SHARED | VmFlags::MAYSHARE;
        if flg & SHM_RDONLY == 0 {
            vm |= VmFlags::WRITE | VmFlags::MAYWRITE;
        }
        if flg & SHM_EXEC != 0 {
            vm |= VmFlags::EXEC | VmFlags::MAYEXEC;
        }
        let mm = current().inner.lock().mm.clone().ok_or(Errno::EINVAL)?;
        let r = crate::mm::shm::shm_map(
            &mut mm.lock(),
            addr,
            &frames,
            vm,
            file,
            flg & SHM_REMAP != 0,
        );
        let at = r?;
        let mut ids = SHM_IDS.lock();
        if let Ok((_, s)) = ids.get_mut(id) {
            s.atime = now();
            s.lpid = current().tgid();
        }
        Ok(at)
    }

    /// shmdt(shmaddr) (Linux `ksys_shmdt`): EINVAL unless a segment is attached there.
    pub fn sys_shmdt(f: &mut TrapFrame) -> KResult<usize> {
        let mm = current().inner.lock().mm.clone().ok_or(Errno::EINVAL)?;
        let r = crate::mm::shm::shm_unmap(&mut mm.lock(), arg(f, 0) as usize);
        r.map(|_| 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::Errno;

    #[test]
    fn attach_addresses() {
        assert_eq!(shmat_addr(0, 0), Ok(None));
        assert_eq!(shmat_addr(0, SHM_REMAP), Err(Errno::EINVAL));
        assert_eq!(shmat_addr(0x40_0000, 0), Ok(Some(0x40_0000)));
        assert_eq!(shmat_addr(0x40_1000, 0), Ok(Some(0x40_1000))); // page aligned is enough
        assert_eq!(shmat_addr(0x40_1234, 0), Err(Errno::EINVAL));
        assert_eq!(shmat_addr(0x40_1234, SHM_RND), Ok(Some(0x40_0000)));
        assert_eq!(shmat_addr(0x1000, SHM_RND), Err(Errno::EINVAL));
    }
}
