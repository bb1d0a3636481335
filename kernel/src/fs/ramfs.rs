//! The in-memory file system the initramfs is unpacked into (Linux `fs/ramfs/inode.c`
//! with the `fs/libfs.c` helpers it uses): the inode arena and the directory operations.
//!
//! `kernel/src/fs/ramfs.rs` (module `fs::ramfs`) keeps every inode in one arena, a
//! `Vec<Option<Inode>>` indexed by [`Ino`]: an inode number *is* its slot. Directories map
//! names to `Ino`s and remember their parent, so `..` needs no back-pointer juggling and
//! there are no reference cycles or interior locks. Why an arena rather than
//! `Arc<Inode>` with a mutex each: the whole tree is plain data, easy to print and to
//! test, and one lock around the `RamFs` (taken by the syscall layer) is the lock rule.
//! The one exception is a regular file's data, its page cache (`mm::filemap::Mapping`):
//! shared with the VMAs that map the file, it has its own lock, taken inside the
//! `RamFs` lock or the mm's, never the other way round. The price is that an open file holds an `Ino`, not a pointer, so the
//! file layer tells the fs when it starts and stops using one ([`RamFs::iget`] /
//! [`RamFs::iput`], Linux's `i_count`): an unlinked inode is freed when it has no links
//! *and* no users, as in Linux `iput` -> `evict`. A freed slot is reused by a later
//! inode, so an `Ino` is only good while its holder keeps an `iget` on it.
//!
//! Mode bits, `struct stat` and errno values are Linux's. Names are at most 255 bytes
//! (`NAME_MAX`). No permission checks. The rest of the file system is in `ramfs/`:
//! `stat.rs` (file types, `struct stat`), `file.rs` (file data), `attr.rs` (times,
//! modes, owners: unpacked members keep the archive's times, after that Linux's rules
//! stamp them from the clock given to [`RamFs::set_clock`]), `rename.rs`; the host tests
//! are in `ramfs/tests.rs`. The initramfs is unpacked into it by `initramfs.rs`.
//!
//! Read next: `ramfs/stat.rs`, then `namei.rs` (whole paths, on top of
//! [`RamFs::lookup_child`]), then `initramfs.rs`.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

mod attr;
mod file;
mod rename;
mod stat;
#[cfg(test)]
mod tests;

pub use attr::{Timespec, UTIME_NOW, UTIME_OMIT};
pub use rename::{RenameEnd, RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT};
pub use stat::{
    new_encode_dev, FileType, Stat, S_IALLUGO, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT,
    S_IFREG, S_IFSOCK,
};

use super::namei::PATH_MAX;
use crate::errno::{Errno, KResult};
use crate::mm::filemap::{AddressSpace, Mapping};

/// Linux `NAME_MAX`: the longest name of one directory entry, in bytes.
pub const NAME_MAX: usize = 255;
/// The largest file Linnet's ramfs will hold (a teaching limit; Linux allows
/// `MAX_LFS_FILESIZE`). Writing past it is `EFBIG`.
pub const MAX_FILE_SIZE: u64 = 1 << 32;
/// The device number of the ramfs, as `stat` reports it in `st_dev` (anonymous 0:1).
pub const RAMFS_DEV: u64 = new_encode_dev(0, 1);

/// An inode number; also the inode's slot in the arena. 0 is never used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ino(pub u32);

/// What an inode holds, by type.
#[derive(Clone, Debug)]
enum Contents {
    /// Name -> inode; "." and ".." are not stored (see [`RamFs::lookup_child`]).
    Dir {
        entries: BTreeMap<Vec<u8>, Ino>,
        parent: Ino,
    },
    /// A regular file's data: its page cache, which for ramfs is all there is (Linux
    /// `inode->i_mapping`; the size `i_size` is kept in it, see `mm::filemap`).
    Regular(Mapping),
    Symlink(Vec<u8>),
    /// Device nodes, FIFOs, sockets: the type is in `mode`, the device in `rdev`.
    Special,
}

/// One inode (Linux `struct inode`, the fields ramfs uses).
#[derive(Clone, Debug)]
struct Inode {
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u32,
    /// Users that are not directory entries: open files, cwds (Linux `i_count`).
    count: u32,
    /// Last access, data change and status change (Linux `i_atime`, `i_mtime`,
    /// `i_ctime`); kept by `ramfs/attr.rs`.
    atime: Timespec,
    mtime: Timespec,
    ctime: Timespec,
    rdev: (u32, u32),
    contents: Contents,
}

/// The in-memory file system. Not internally locked: callers that share it wrap it in a
/// `spin::Mutex` and hold that lock across a whole lookup-and-change.
#[derive(Clone, Debug)]
pub struct RamFs {
    /// Slot `n` is inode `n`; slot 0 is unused; `None` is a freed inode.
    inodes: Vec<Option<Inode>>,
    /// The wall clock that stamps inode times (Linux `current_time`); the kernel sets
    /// it with [`RamFs::set_clock`], host tests use a fake one.
    clock: fn() -> Timespec,
}

impl Default for RamFs {
    fn default() -> Self {
        Self::new()
    }
}

impl RamFs {
    /// The root directory's inode number (1, as in Linux ramfs).
    pub const ROOT: Ino = Ino(1);

    /// An empty file system: only the root directory, mode `drwxr-xr-x`, owned by root.
    /// Linux `ramfs_fill_super` / `ramfs_get_inode`.
    pub fn new() -> Self {
        let root = Inode {
            mode: S_IFDIR | 0o755,
            uid: 0,
            gid: 0,
            nlink: 2,
            count: 0,
            atime: Timespec::ZERO,
            mtime: Timespec::ZERO,
            ctime: Timespec::ZERO,
            rdev: (0, 0),
            contents: Contents::Dir {
                entries: BTreeMap::new(),
                parent: Self::ROOT,
            },
        };
        RamFs {
            inodes: alloc::vec![None, Some(root)],
            clock: || Timespec::ZERO,
        }
    }

    /// The root directory.
    pub fn root(&self) -> Ino {
        Self::ROOT
    }

    fn inode(&self, ino: Ino) -> KResult<&Inode> {
        self.inodes
            .get(ino.0 as usize)
            .and_then(Option::as_ref)
            .ok_or(Errno::ENOENT)
    }

    fn inode_mut(&mut self, ino: Ino) -> KResult<&mut Inode> {
        self.inodes
            .get_mut(ino.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::ENOENT)
    }

    fn dir_entries(&self, dir: Ino) -> KResult<&BTreeMap<Vec<u8>, Ino>> {
        match &self.inode(dir)?.contents {
            Contents::Dir { entries, .. } => Ok(entries),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn dir_entries_mut(&mut self, dir: Ino) -> KResult<&mut BTreeMap<Vec<u8>, Ino>> {
        match &mut self.inode_mut(dir)?.contents {
            Contents::Dir { entries, .. } => Ok(entries),
            _ => Err(Errno::ENOTDIR),
        }
    }

    /// The type of an inode.
    pub fn file_type(&self, ino: Ino) -> KResult<FileType> {
        FileType::from_mode(self.inode(ino)?.mode).ok_or(Errno::EINVAL)
    }

    /// True if `ino` exists and is a directory.
    pub fn is_dir(&self, ino: Ino) -> bool {
        matches!(self.file_type(ino), Ok(FileType::Dir))
    }

    /// Looks `name` up in directory `dir`, one component, no symlink following: `.` is
    /// `dir`, `..` its parent (the root's parent is the root). Linux `lookup_one` /
    /// `simple_lookup` (`fs/libfs.c`), with the dots `handle_dots` handles in namei.
    pub fn lookup_child(&self, dir: Ino, name: &[u8]) -> KResult<Ino> {
        let entries = self.dir_entries(dir)?;
        match name {
            b"" => Err(Errno::ENOENT),
            b"." => Ok(dir),
            b".." => self.parent(dir),
            _ if name.len() > NAME_MAX => Err(Errno::ENAMETOOLONG),
            _ if name.contains(&b'/') => Err(Errno::EINVAL),
            _ => entries.get(name).copied().ok_or(Errno::ENOENT),
        }
    }

    /// A directory's parent (the root is its own parent). `ENOTDIR` for a non-directory.
    pub fn parent(&self, dir: Ino) -> KResult<Ino> {
        match &self.inode(dir)?.contents {
            Contents::Dir { parent, .. } => Ok(*parent),
            _ => Err(Errno::ENOTDIR),
        }
    }

    /// The name under which `dir` holds `child` (used by `getcwd`, see `namei::path_of`).
    pub fn child_name(&self, dir: Ino, child: Ino) -> KResult<&[u8]> {
        let entries = self.dir_entries(dir)?;
        entries
            .iter()
            .find(|(_, &i)| i == child)
            .map(|(n, _)| n.as_slice())
            .ok_or(Errno::ENOENT)
    }

    /// Checks a new name for `dir` and that `dir` can take it: Linux `may_create` plus the
    /// `NAME_MAX` check of `simple_lookup`.
    fn check_new_name(&self, dir: Ino, name: &[u8]) -> KResult<()> {
        let d = self.inode(dir)?;
        let Contents::Dir { entries, .. } = &d.contents else {
            return Err(Errno::ENOTDIR);
        };
        match name {
            b"" => return Err(Errno::ENOENT),
            b"." | b".." => return Err(Errno::EEXIST),
            _ if name.len() > NAME_MAX => return Err(Errno::ENAMETOOLONG),
            _ if name.contains(&b'/') || name.contains(&0) => return Err(Errno::EINVAL),
            _ => {}
        }
        if d.nlink == 0 {
            return Err(Errno::ENOENT); // the directory was removed (Linux IS_DEADDIR)
        }
        if entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        Ok(())
    }

    /// Puts a new inode in the arena and links it into `dir` as `name` (name checked).
    fn add(&mut self, dir: Ino, name: &[u8], mode: u32, contents: Contents) -> KResult<Ino> {
        self.check_new_name(dir, name)?;
        // A freed slot is reused: an arena that only grew let a program grow the kernel
        // heap without bound by creating and removing files (Linux frees the inode).
        let free = self
            .inodes
            .iter()
            .skip(2)
            .position(Option::is_none)
            .map(|i| i + 2);
        let slot = free.unwrap_or(self.inodes.len());
        let ino = Ino(u32::try_from(slot).map_err(|_| Errno::ENOSPC)?);
        if free.is_none() {
            self.inodes.try_reserve(1).map_err(|_| Errno::ENOMEM)?;
            self.inodes.push(None);
        }
        let is_dir = matches!(contents, Contents::Dir { .. });
        let now = (self.clock)();
        self.inodes[slot] = Some(Inode {
            mode,
            uid: 0,
            gid: 0,
            nlink: if is_dir { 2 } else { 1 },
            count: 0,
            atime: now,
            mtime: now,
            ctime: now,
            rdev: (0, 0),
            contents,
        });
        self.dir_entries_mut(dir)?.insert(name.to_vec(), ino);
        if is_dir {
            self.inode_mut(dir)?.nlink += 1; // the child's ".."
        }
        self.touch_dir(dir);
        Ok(ino)
    }

    /// Makes an empty regular file `name` in `dir` with permission bits `mode` (the caller
    /// has applied the umask). Linux `ramfs_create` -> `ramfs_mknod`.
    pub fn create(&mut self, dir: Ino, name: &[u8], mode: u32) -> KResult<Ino> {
        self.add(
            dir,
            name,
            S_IFREG | (mode & S_IALLUGO),
            Contents::Regular(AddressSpace::new_mapping()),
        )
    }

    /// Makes an empty directory. Linux `ramfs_mkdir` (`inc_nlink(dir)` for the new `..`).
    pub fn mkdir(&mut self, dir: Ino, name: &[u8], mode: u32) -> KResult<Ino> {
        let contents = Contents::Dir {
            entries: BTreeMap::new(),
            parent: dir,
        };
        self.add(dir, name, S_IFDIR | (mode & S_IALLUGO), contents)
    }

    /// Makes a symbolic link to `target` (stored as given, not resolved), mode 0777.
    /// Linux `ramfs_symlink`; an empty target is `ENOENT`, one of `PATH_MAX` bytes or
    /// more `ENAMETOOLONG`, as `getname` rules in `symlinkat`.
    pub fn symlink(&mut self, dir: Ino, name: &[u8], target: &[u8]) -> KResult<Ino> {
        check_symlink_target(target)?;
        self.add(
            dir,
            name,
            S_IFLNK | 0o777,
            Contents::Symlink(target.to_vec()),
        )
    }

    /// Makes a node whose type is in `mode`: a device (`S_IFCHR`, `S_IFBLK`, numbers
    /// `major:minor`), a FIFO or a socket; `S_IFREG` or no type makes a regular file.
    /// Linux `vfs_mknod` -> `ramfs_mknod`; a directory or symlink type is `EINVAL`
    /// (as `mknodat` says: use `mkdir`, `symlink`).
    pub fn mknod(
        &mut self,
        dir: Ino,
        name: &[u8],
        mode: u32,
        major: u32,
        minor: u32,
    ) -> KResult<Ino> {
        let perm = mode & S_IALLUGO;
        match mode & S_IFMT {
            0 | S_IFREG => self.create(dir, name, perm),
            t @ (S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK) => {
                let ino = self.add(dir, name, t | perm, Contents::Special)?;
                self.inode_mut(ino)?.rdev = (major, minor);
                Ok(ino)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// Adds the name `name` in `dir` for the existing inode `target` (a hard link). Linux
    /// `vfs_link` -> `simple_link`; directories cannot be linked (`EPERM`).
    pub fn link(&mut self, dir: Ino, name: &[u8], target: Ino) -> KResult<()> {
        if self.is_dir(target) {
            return Err(Errno::EPERM);
        }
        self.inode(target)?;
        self.check_new_name(dir, name)?;
        self.dir_entries_mut(dir)?.insert(name.to_vec(), target);
        self.inode_mut(target)?.nlink += 1;
        self.touch_ctime(target);
        self.touch_dir(dir);
        Ok(())
    }

    /// Removes the name `name` of a non-directory from `dir`; the inode goes when it has
    /// no names and no users. Linux `vfs_unlink` -> `simple_unlink`.
    pub fn unlink(&mut self, dir: Ino, name: &[u8]) -> KResult<()> {
        let child = self.lookup_child(dir, name)?;
        if self.is_dir(child) {
            return Err(Errno::EISDIR); // what Linux returns for unlink(2) of a directory
        }
        self.dir_entries_mut(dir)?.remove(name);
        let inode = self.inode_mut(child)?;
        inode.nlink = inode.nlink.saturating_sub(1);
        self.touch_ctime(child);
        self.touch_dir(dir);
        self.maybe_evict(child);
        Ok(())
    }

    /// Removes the empty directory `name` from `dir`. Linux `vfs_rmdir` ->
    /// `simple_rmdir`: `.` is `EINVAL`, `..` `ENOTEMPTY`, a non-directory `ENOTDIR`, a
    /// directory with entries `ENOTEMPTY`.
    pub fn rmdir(&mut self, dir: Ino, name: &[u8]) -> KResult<()> {
        match name {
            b"." => return Err(Errno::EINVAL),
            b".." => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        let child = self.lookup_child(dir, name)?;
        if !self.dir_entries(child)?.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        self.dir_entries_mut(dir)?.remove(name);
        self.inode_mut(child)?.nlink = 0;
        let d = self.inode_mut(dir)?;
        d.nlink = d.nlink.saturating_sub(1);
        self.touch_dir(dir);
        self.maybe_evict(child);
        Ok(())
    }

    /// Frees an inode with no links and no users (Linux `iput_final` -> `evict`).
    fn maybe_evict(&mut self, ino: Ino) {
        if let Some(slot) = self.inodes.get_mut(ino.0 as usize) {
            if slot.as_ref().is_some_and(|i| i.nlink == 0 && i.count == 0) {
                *slot = None;
            }
        }
        // Trailing free slots go, and an arena less than half used gives memory back
        // (`mm::shrink`): a burst of files leaves no high-water mark in the heap (Linux
        // frees each inode).
        while self.inodes.len() > 2 && self.inodes.last().is_some_and(Option::is_none) {
            self.inodes.pop();
        }
        if let Some(c) = crate::mm::shrink::shrink_target(self.inodes.len(), self.inodes.capacity())
        {
            self.inodes.shrink_to(c);
        }
    }

    /// Notes one more user of `ino` (an open file, a cwd). Linux `igrab` / `ihold`.
    pub fn iget(&mut self, ino: Ino) -> KResult<()> {
        let inode = self.inode_mut(ino)?;
        inode.count = inode.count.checked_add(1).ok_or(Errno::ENFILE)?;
        Ok(())
    }

    /// Drops one user of `ino`; an unlinked inode is freed with its last user. Linux `iput`.
    pub fn iput(&mut self, ino: Ino) {
        if let Ok(inode) = self.inode_mut(ino) {
            inode.count = inode.count.saturating_sub(1);
            self.maybe_evict(ino);
        }
    }

    /// A directory's entries: `.`, `..`, then the names in byte order, so the listing is
    /// the same every time (a `getdents64` offset can be an index into it). Linux
    /// `dcache_readdir` (`fs/libfs.c`), which also emits the dots first.
    pub fn readdir(&self, dir: Ino) -> KResult<Vec<(Vec<u8>, Ino, FileType)>> {
        let entries = self.dir_entries(dir)?;
        let mut out = Vec::with_capacity(entries.len() + 2);
        out.push((b".".to_vec(), dir, FileType::Dir));
        out.push((b"..".to_vec(), self.parent(dir)?, FileType::Dir));
        for (name, &ino) in entries {
            out.push((name.clone(), ino, self.file_type(ino)?));
        }
        Ok(out)
    }

    /// A symbolic link's target. Linux `vfs_readlink` / `simple_get_link`; `EINVAL` if
    /// `ino` is not a symlink.
    pub fn readlink(&self, ino: Ino) -> KResult<&[u8]> {
        match &self.inode(ino)?.contents {
            Contents::Symlink(target) => Ok(target),
            _ => Err(Errno::EINVAL),
        }
    }

    /// Gives the symlink `ino` a new target, in place (same inode). Linux has no such
    /// call: it serves the initramfs rule that a later member replaces an earlier symlink
    /// of the same name, where `do_symlink` in Linux would fail with `EEXIST`. `EINVAL` if
    /// `ino` is not a symlink; the caller has checked the target
    /// ([`check_symlink_target`]).
    pub fn set_link_target(&mut self, ino: Ino, target: &[u8]) -> KResult<()> {
        match &mut self.inode_mut(ino)?.contents {
            Contents::Symlink(old) => {
                *old = target.to_vec();
                Ok(())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// Sets the device number of a node (Linux `init_special_inode` sets `i_rdev` when
    /// the node is made; the initramfs also re-numbers a node a later member remakes).
    pub fn set_rdev(&mut self, ino: Ino, major: u32, minor: u32) -> KResult<()> {
        self.inode_mut(ino)?.rdev = (major, minor);
        Ok(())
    }
}

/// What `symlinkat` accepts as a target: not empty (`ENOENT`), shorter than `PATH_MAX`.
/// `initramfs.rs` checks its symlink members with it too.
pub(super) fn check_symlink_target(target: &[u8]) -> KResult<()> {
    if target.is_empty() {
        Err(Errno::ENOENT)
    } else if target.len() >= PATH_MAX {
        Err(Errno::ENAMETOOLONG)
    } else {
        Ok(())
    }
}
