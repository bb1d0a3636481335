//! The data of regular files: read, write, truncate (Linux `fs/ramfs/file-mmu.c`, whose
//! operations are the generic ones over the page cache: `mm/filemap.c`
//! `generic_file_read_iter` / `generic_perform_write`, `fs/libfs.c` `simple_setattr`).
//!
//! `kernel/src/fs/ramfs/file.rs` (module `fs::ramfs::file`). A ramfs file's page cache
//! *is* its data; here it is one `Vec<u8>` per inode, and files grow to at most
//! [`MAX_FILE_SIZE`].
//!
//! Read next: `ramfs/attr.rs` (times, modes and owners).

use alloc::vec::Vec;

use super::{Contents, Ino, RamFs, MAX_FILE_SIZE};
use crate::errno::{Errno, KResult};

impl RamFs {
    /// Reads from a regular file at byte `off` into `buf`; returns the count, 0 at or past
    /// the end. Linux `generic_file_read_iter` over the page cache, which is ramfs's data.
    pub fn read_at(&self, ino: Ino, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let data = self.file_data(ino)?;
        let start = usize::try_from(off).unwrap_or(usize::MAX).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    /// Writes `buf` into a regular file at byte `off`, growing it (a gap reads as zeros).
    /// Linux `generic_perform_write`. Past [`MAX_FILE_SIZE`] is `EFBIG`.
    pub fn write_at(&mut self, ino: Ino, off: u64, buf: &[u8]) -> KResult<usize> {
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        if end > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let data = self.file_data_mut(ino)?;
        let (off, end) = (off as usize, end as usize);
        if end > data.len() {
            data.try_reserve(end - data.len())
                .map_err(|_| Errno::ENOMEM)?;
            data.resize(end, 0);
        }
        data[off..end].copy_from_slice(buf);
        if !buf.is_empty() {
            self.touch_mtime(ino); // Linux `file_update_time`
        }
        Ok(buf.len())
    }

    /// Sets a regular file's size, cutting or zero-filling. Linux `do_truncate` ->
    /// `simple_setattr`; a directory is `EISDIR`, other types `EINVAL`.
    pub fn truncate(&mut self, ino: Ino, size: u64) -> KResult<()> {
        if size > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let data = self.file_data_mut(ino)?;
        let size = size as usize;
        if size > data.len() {
            data.try_reserve(size - data.len())
                .map_err(|_| Errno::ENOMEM)?;
        }
        data.resize(size, 0);
        self.touch_mtime(ino);
        Ok(())
    }

    /// A regular file's whole contents, borrowed (for the ELF loader and for mmap's page
    /// cache stand-in). `EISDIR` for a directory, `EINVAL` for other types.
    pub fn file_data(&self, ino: Ino) -> KResult<&[u8]> {
        match &self.inode(ino)?.contents {
            Contents::Regular(data) => Ok(data),
            Contents::Dir { .. } => Err(Errno::EISDIR),
            _ => Err(Errno::EINVAL),
        }
    }

    fn file_data_mut(&mut self, ino: Ino) -> KResult<&mut Vec<u8>> {
        match &mut self.inode_mut(ino)?.contents {
            Contents::Regular(data) => Ok(data),
            Contents::Dir { .. } => Err(Errno::EISDIR),
            _ => Err(Errno::EINVAL),
        }
    }
}
