//! The data of regular files: read, write, truncate (Linux `fs/ramfs/file-mmu.c`, whose
//! operations are the generic ones over the page cache: `mm/filemap.c`
//! `generic_file_read_iter` / `generic_perform_write`, `fs/libfs.c` `simple_setattr`).
//!
//! `kernel/src/fs/ramfs/file.rs` (module `fs::ramfs::file`). A ramfs file's page cache
//! *is* its data (`mm::filemap::AddressSpace`): page frames by page index, created on
//! the first write to a page. A page never written (a hole) has no frame and reads as
//! zeros. Files grow to at most [`MAX_FILE_SIZE`].
//!
//! Read next: `ramfs/attr.rs` (times, modes and owners).

use super::{Contents, Ino, RamFs, MAX_FILE_SIZE};
use crate::errno::{Errno, KResult};
use crate::mm::filemap::Mapping;
use crate::mm::layout::PAGE_SIZE;
use crate::mm::page_alloc;

/// The bytes of cache frame `pa`, for the time the caller holds its mapping's lock.
///
/// # Safety
/// `pa` must be a frame of a page cache whose lock the caller holds, so no one frees it
/// meanwhile; other mappers may write to it (MAP_SHARED), as on Linux.
unsafe fn frame_bytes<'a>(pa: usize) -> &'a mut [u8] {
    // SAFETY: page_address gives the frame's PAGE_SIZE bytes (the caller's contract).
    unsafe { core::slice::from_raw_parts_mut(page_alloc::page_address(pa) as *mut u8, PAGE_SIZE) }
}

impl RamFs {
    /// Reads from a regular file at byte `off` into `buf`; returns the count, 0 at or past
    /// the end. Linux `generic_file_read_iter` -> `filemap_read`: page by page from the
    /// page cache; a hole reads as zeros.
    pub fn read_at(&self, ino: Ino, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let m = self.mapping(ino)?.lock();
        let n = (buf.len() as u64).min(m.i_size.saturating_sub(off)) as usize;
        let mut done = 0;
        while done < n {
            let pos = off + done as u64;
            let in_page = (pos % PAGE_SIZE as u64) as usize;
            let chunk = (PAGE_SIZE - in_page).min(n - done);
            let out = &mut buf[done..done + chunk];
            match m.find_page(pos / PAGE_SIZE as u64) {
                // SAFETY: a frame of this cache, whose lock we hold.
                Some(pa) => {
                    out.copy_from_slice(unsafe { &frame_bytes(pa)[in_page..in_page + chunk] })
                }
                None => out.fill(0),
            }
            done += chunk;
        }
        Ok(n)
    }

    /// Writes `buf` into a regular file at byte `off`, growing it (a gap reads as zeros).
    /// Linux `generic_perform_write`: page by page into the page cache, adding frames as
    /// needed. Past [`MAX_FILE_SIZE`] is `EFBIG`; out of frames is `ENOMEM`, or a short
    /// count if some bytes went in (as Linux returns what it copied).
    pub fn write_at(&mut self, ino: Ino, off: u64, buf: &[u8]) -> KResult<usize> {
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        if end > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mapping = self.mapping(ino)?.clone();
        let mut m = mapping.lock();
        let mut done = 0;
        while done < buf.len() {
            let pos = off + done as u64;
            let in_page = (pos % PAGE_SIZE as u64) as usize;
            let chunk = (PAGE_SIZE - in_page).min(buf.len() - done);
            let Some(pa) = m.find_or_create_page(pos / PAGE_SIZE as u64) else {
                break;
            };
            // SAFETY: a frame of this cache, whose lock we hold.
            unsafe {
                frame_bytes(pa)[in_page..in_page + chunk].copy_from_slice(&buf[done..done + chunk])
            };
            done += chunk;
        }
        if done == 0 && !buf.is_empty() {
            return Err(Errno::ENOMEM);
        }
        m.i_size = m.i_size.max(off + done as u64);
        drop(m);
        if done != 0 {
            self.touch_mtime(ino); // Linux `file_update_time`
        }
        Ok(done)
    }

    /// Sets a regular file's size, cutting or zero-filling. Linux `do_truncate` ->
    /// `simple_setattr` -> `truncate_setsize`: shrinking drops the pages past the new end
    /// (`truncate_pagecache`) and zeroes the rest of the last one; growing adds a hole.
    /// A directory is `EISDIR`, other types `EINVAL`. Simplified: pages still mapped by
    /// a process are not unmapped (Linux `unmap_mapping_range`; Linnet has no reverse
    /// map yet), they stay that process's until it unmaps them.
    pub fn truncate(&mut self, ino: Ino, size: u64) -> KResult<()> {
        if size > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mapping = self.mapping(ino)?.clone();
        let mut m = mapping.lock();
        if size < m.i_size {
            m.truncate_inode_pages(size);
        }
        m.i_size = size;
        drop(m);
        self.touch_mtime(ino);
        Ok(())
    }

    /// A regular file's page cache (Linux `inode->i_mapping`), for reading and writing
    /// it and for mapping it. `EISDIR` for a directory, `EINVAL` for other types.
    pub fn mapping(&self, ino: Ino) -> KResult<&Mapping> {
        match &self.inode(ino)?.contents {
            Contents::Regular(m) => Ok(m),
            Contents::Dir { .. } => Err(Errno::EISDIR),
            _ => Err(Errno::EINVAL),
        }
    }
}
