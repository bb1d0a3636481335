//! Unpacking the initramfs into the root file system, the way Linux's
//! `init/initramfs.c` does (`unpack_to_rootfs`, `do_name`, `do_copy`, `do_symlink`,
//! `maybe_link`, `clean_path`, `dir_utime`).
//!
//! `kernel/src/fs/initramfs.rs` (module `fs::initramfs`) sits between the archive format
//! and the file system: `cpio.rs` reads the members of the image (inflating gzip with
//! `gzip.rs`) and knows nothing of files; `ramfs.rs` makes files and knows nothing of
//! archives; [`unpack_to_rootfs`] walks the members and makes each file, directory,
//! symlink and device node through the ordinary `RamFs` calls (`mkdir`, `mknod`,
//! `symlink`, `link`, `write_at`, `chmod`, `chown`, `set_mtime`), as Linux makes them
//! through `init_mkdir`, `filp_open`, `init_symlink` ... At boot `vfs::mount_root` calls
//! it (Linux `populate_rootfs`).
//!
//! Like Linux, a member that cannot be made (a name too long, a parent that is a
//! file...) is logged and skipped; only a malformed archive is an error. Later members
//! win: a file of another type at the same path is removed first (`clean_path`), a
//! directory keeps its contents and takes the new mode and owner, a file is rewritten in
//! place. Two differences from Linux, both deliberate: missing parent directories are
//! made (mode 0755) where Linux would drop the member, and a later symlink or device node
//! replaces an earlier one of the same type where Linux's `symlink` / `mknod` would fail
//! with `EEXIST`. Tests: `initramfs/tests.rs`.
//!
//! Read next: `namei.rs` (the path walk used for symlinked parents), `vfs.rs`
//! (`mount_root`).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::cpio::{self, CpioEntry, CpioError};
use super::namei::{self, LookupFlags};
use super::ramfs::{
    check_symlink_target, FileType, Ino, RamFs, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK,
    S_IFMT, S_IFREG, S_IFSOCK,
};
use crate::errno::{Errno, KResult};

#[cfg(test)]
mod tests;

/// What [`unpack_to_rootfs`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnpackStats {
    /// Archive members seen (trailers not counted).
    pub entries: usize,
    /// Directories made or updated (including missing parents made on the way).
    pub dirs: usize,
    /// Regular files written.
    pub files: usize,
    /// Symbolic links made.
    pub symlinks: usize,
    /// Device nodes, FIFOs and sockets made.
    pub nodes: usize,
    /// Members that became a hard link to an earlier one.
    pub hardlinks: usize,
    /// Members that could not be made (logged, then skipped, as Linux does).
    pub skipped: usize,
    /// Bytes of file data written.
    pub bytes: usize,
}

/// Hard-link candidates seen so far: (device major, minor, inode) -> the inode made
/// (the hash `find_link` searches in Linux's `init/initramfs.c`).
type HardLinks = BTreeMap<(u32, u32, u32), Ino>;

/// The key of a member in [`HardLinks`] (`find_link` in Linux compares the same fields).
fn link_key(e: &CpioEntry<'_>) -> (u32, u32, u32) {
    (e.dev_major, e.dev_minor, e.ino)
}

/// Unpacks an initramfs image (cpio `newc`, plain or gzip, possibly several
/// concatenated) into `fs`.
///
/// Linux `unpack_to_rootfs` (`init/initramfs.c`); the walk over the image is
/// [`cpio::for_each_entry`], each member is made by [`Unpacker::do_name`], and the
/// directories get their archive times last ([`Unpacker::dir_utime`]).
pub fn unpack_to_rootfs(fs: &mut RamFs, image: &[u8]) -> Result<UnpackStats, CpioError> {
    let mut u = Unpacker {
        fs,
        links: BTreeMap::new(),
        dir_times: Vec::new(),
        stats: UnpackStats::default(),
    };
    cpio::for_each_entry(image, |e| {
        u.stats.entries += 1;
        match u.do_name(e) {
            Ok(ino) if e.mode & S_IFMT == S_IFDIR => u.dir_times.push((ino, e.mtime)),
            Ok(_) => {}
            Err(errno) => {
                u.stats.skipped += 1;
                log::warn!(
                    "initramfs: {}: {} (skipped)",
                    String::from_utf8_lossy(e.name),
                    errno
                );
            }
        }
    })?;
    u.dir_utime();
    Ok(u.stats)
}

/// The state of one unpacking: what Linux keeps in the statics of `init/initramfs.c`
/// (the hard-link hash, `dir_list`), plus the counts.
struct Unpacker<'fs> {
    fs: &'fs mut RamFs,
    links: HardLinks,
    /// Directories made, with their archive mtimes (Linux `dir_list` / `dir_add`).
    dir_times: Vec<(Ino, u32)>,
    stats: UnpackStats,
}

impl Unpacker<'_> {
    /// Makes one archive member: Linux `do_name` and the states after it (`do_copy` for
    /// a file's data, `do_symlink` for a symlink), then its mode, owner and time
    /// (`init_chmod`, `init_chown`, `do_utime`).
    fn do_name(&mut self, e: &CpioEntry<'_>) -> KResult<Ino> {
        let kind = e.mode & S_IFMT;
        if !matches!(
            kind,
            S_IFDIR | S_IFREG | S_IFLNK | S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK
        ) {
            return Err(Errno::EINVAL); // Linux `do_name` ignores other types too
        }
        let (dir, name) = self.make_parents(e.name)?;
        let existing = match self.fs.lookup_child(dir, &name) {
            Ok(ino) => Some(ino),
            Err(Errno::ENOENT) => None,
            Err(err) => return Err(err),
        };
        let ino = if kind == S_IFDIR {
            self.stats.dirs += 1;
            match existing {
                Some(ino) if self.fs.is_dir(ino) => ino,
                _ => {
                    self.clean_path(dir, &name, kind)?;
                    self.fs.mkdir(dir, &name, 0)?
                }
            }
        } else if matches!(name.as_slice(), b"." | b"..") {
            return Err(Errno::EEXIST);
        } else if kind == S_IFLNK {
            self.do_symlink(e, dir, &name, existing)?
        } else {
            let linked = self.maybe_link(e, dir, &name, existing)?;
            let ino = match linked {
                Some(ino) => {
                    self.stats.hardlinks += 1;
                    ino
                }
                None => {
                    self.clean_path(dir, &name, kind)?;
                    match self.fs.lookup_child(dir, &name) {
                        Ok(ino) => ino, // same type: rewritten in place (Linux O_TRUNC)
                        Err(_) => self
                            .fs
                            .mknod(dir, &name, kind, e.rdev_major, e.rdev_minor)?,
                    }
                }
            };
            if kind == S_IFREG {
                self.stats.files += 1;
                // A later name of a hard link carries the data only if it has any (GNU
                // cpio stores it with the last name): Linux opens without O_TRUNC then.
                if linked.is_none() || !e.data.is_empty() {
                    self.do_copy(ino, e.data)?;
                }
            } else {
                self.stats.nodes += 1;
                self.fs.set_rdev(ino, e.rdev_major, e.rdev_minor)?;
            }
            if e.nlink >= 2 {
                self.links.entry(link_key(e)).or_insert(ino);
            }
            ino
        };
        if kind != S_IFLNK {
            self.fs.chmod(ino, e.mode)?;
        }
        self.fs.chown(ino, e.uid, e.gid)?;
        self.fs.set_mtime(ino, e.mtime as i64)?;
        Ok(ino)
    }

    /// Writes a regular file's data from the archive, replacing what it had. Linux
    /// `do_copy` (which writes from the archive buffer into the file opened by
    /// `do_name`).
    fn do_copy(&mut self, ino: Ino, data: &[u8]) -> KResult<()> {
        self.fs.truncate(ino, 0)?;
        self.fs.write_at(ino, 0, data)?;
        self.stats.bytes += data.len();
        Ok(())
    }

    /// Makes the symlink member `e` as `dir/name`, or gives an earlier symlink there the
    /// new target. Linux `do_symlink` (`clean_path`, then `init_symlink`).
    fn do_symlink(
        &mut self,
        e: &CpioEntry<'_>,
        dir: Ino,
        name: &[u8],
        existing: Option<Ino>,
    ) -> KResult<Ino> {
        let target = e.data;
        check_symlink_target(target)?;
        self.stats.symlinks += 1;
        match existing {
            Some(ino) if self.fs.file_type(ino) == Ok(FileType::Symlink) => {
                self.fs.set_link_target(ino, target)?;
                Ok(ino)
            }
            _ => {
                self.clean_path(dir, name, S_IFLNK)?;
                self.fs.symlink(dir, name, target)
            }
        }
    }

    /// If an earlier member had the same (device, inode) and `e` claims more than one
    /// link, makes `name` another name for it. Linux `maybe_link` / `find_link`.
    fn maybe_link(
        &mut self,
        e: &CpioEntry<'_>,
        dir: Ino,
        name: &[u8],
        existing: Option<Ino>,
    ) -> KResult<Option<Ino>> {
        if e.nlink < 2 {
            return Ok(None);
        }
        let Some(&target) = self.links.get(&link_key(e)) else {
            return Ok(None);
        };
        if self.fs.stat(target).map(|st| st.st_mode & S_IFMT) != Ok(e.mode & S_IFMT) {
            return Ok(None); // the first name was removed since, or has another type
        }
        if existing != Some(target) {
            if existing.is_some() {
                self.clean_path(dir, name, 0)?; // remove whatever is there
            }
            self.fs.link(dir, name, target)?;
        }
        Ok(Some(target))
    }

    /// Removes what is at `dir/name` if its type differs from `mode`'s (0: any type).
    /// Linux `clean_path`: `rmdir` for a directory (which fails if it is not empty),
    /// `unlink` for the rest.
    fn clean_path(&mut self, dir: Ino, name: &[u8], mode: u32) -> KResult<()> {
        let Ok(old) = self.fs.lookup_child(dir, name) else {
            return Ok(());
        };
        let old_mode = self.fs.stat(old)?.st_mode;
        if mode != 0 && (old_mode ^ mode) & S_IFMT == 0 {
            return Ok(());
        }
        if old_mode & S_IFMT == S_IFDIR {
            self.fs.rmdir(dir, name)
        } else {
            self.fs.unlink(dir, name)
        }
    }

    /// Walks to the directory that will hold `path` (an archive name, relative to the
    /// root), making missing directories on the way; returns it and the last component.
    /// Symlinks on the way are followed, as Linux's path walk in `do_name` does.
    fn make_parents(&mut self, path: &[u8]) -> KResult<(Ino, Vec<u8>)> {
        let root = self.fs.root();
        let mut parts = path
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty())
            .peekable();
        let mut dir = root;
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                return Ok((dir, part.to_vec()));
            }
            dir = match self.fs.lookup_child(dir, part) {
                Err(Errno::ENOENT) => {
                    self.stats.dirs += 1;
                    self.fs.mkdir(dir, part, 0o755)?
                }
                Err(err) => return Err(err),
                Ok(_) => namei::lookup(
                    self.fs,
                    dir,
                    root,
                    part,
                    LookupFlags {
                        follow_last_symlink: true,
                        want_dir: true,
                    },
                )?,
            };
        }
        Ok((root, b".".to_vec())) // "" or "/": the root itself
    }

    /// Gives the directories their archive times, last, because making their entries
    /// touched them. Linux `dir_utime`.
    fn dir_utime(&mut self) {
        for &(ino, mtime) in &self.dir_times {
            let _ = self.fs.set_mtime(ino, mtime as i64);
        }
    }
}
