//! The in-memory file system the initramfs is unpacked into (Linux `fs/ramfs` plus the
//! file-making half of `init/initramfs.c`).
//!
//! `kernel/src/fs/ramfs.rs` (module `fs::ramfs`) keeps every inode in one arena, a
//! `Vec<Option<Inode>>` indexed by [`Ino`]: an inode number *is* its slot. Directories map
//! names to `Ino`s and remember their parent, so `..` needs no back-pointer juggling and
//! there are no reference cycles or interior locks. Why an arena rather than
//! `Arc<Inode>` with a mutex each: the whole tree is plain data, easy to print and to
//! test, and one lock around the `RamFs` (taken by the syscall layer) is the only lock
//! rule there is. The price is that an open file holds an `Ino`, not a pointer, so the
//! file layer tells the fs when it starts and stops using one ([`RamFs::iget`] /
//! [`RamFs::iput`], Linux's `i_count`): an unlinked inode is freed when it has no links
//! *and* no users, as in Linux `iput` -> `evict`. Slots are never reused, so a stale
//! `Ino` gives `ENOENT`, never another file.
//!
//! Mode bits, `struct stat` and errno values are Linux's. Names are at most 255 bytes
//! (`NAME_MAX`). Times: unpacked members keep the archive's; after that the rules of
//! `ramfs/attr.rs` (Linux's) stamp them from the clock given to [`RamFs::set_clock`].
//! No permission checks. Rename is in `ramfs/rename.rs`.
//!
//! Read next: [`RamFs::unpack`] (the initramfs, on top of `cpio.rs`), then `namei.rs`
//! (whole paths, on top of [`RamFs::lookup_child`]).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

mod attr;
mod rename;

pub use attr::{Timespec, UTIME_NOW, UTIME_OMIT};
pub use rename::{RenameEnd, RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT};

use super::cpio::{self, CpioEntry, CpioError};
use super::namei::{self, LookupFlags};
use crate::errno::{Errno, KResult};

/// File type mask and types (Linux `include/uapi/linux/stat.h`).
pub const S_IFMT: u32 = 0o170000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// Named pipe.
pub const S_IFIFO: u32 = 0o010000;
/// Permission bits plus set-uid, set-gid and sticky.
pub const S_IALLUGO: u32 = 0o7777;
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

/// The file types, with their `getdents64` `d_type` values ([`FileType::d_type`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// Named pipe.
    Fifo,
    /// Character device.
    CharDev,
    /// Directory.
    Dir,
    /// Block device.
    BlockDev,
    /// Regular file.
    Regular,
    /// Symbolic link.
    Symlink,
    /// Socket.
    Socket,
}

impl FileType {
    /// The type of a mode (its `S_IFMT` bits); `None` for an invalid type.
    pub fn from_mode(mode: u32) -> Option<Self> {
        Some(match mode & S_IFMT {
            S_IFIFO => FileType::Fifo,
            S_IFCHR => FileType::CharDev,
            S_IFDIR => FileType::Dir,
            S_IFBLK => FileType::BlockDev,
            S_IFREG => FileType::Regular,
            S_IFLNK => FileType::Symlink,
            S_IFSOCK => FileType::Socket,
            _ => return None,
        })
    }

    /// The `d_type` byte of a `linux_dirent64` (`DT_FIFO` 1 ... `DT_SOCK` 12): Linux
    /// computes it as `(mode >> 12) & 15`, which is what this returns.
    pub fn d_type(self) -> u8 {
        (self.mode_bits() >> 12) as u8
    }

    /// The `S_IFMT` bits of this type.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileType::Fifo => S_IFIFO,
            FileType::CharDev => S_IFCHR,
            FileType::Dir => S_IFDIR,
            FileType::BlockDev => S_IFBLK,
            FileType::Regular => S_IFREG,
            FileType::Symlink => S_IFLNK,
            FileType::Socket => S_IFSOCK,
        }
    }
}

/// Encodes a device number the way `stat` reports it: Linux `new_encode_dev`
/// (`include/linux/kdev_t.h`), which glibc's `major()` / `minor()` decode.
pub const fn new_encode_dev(major: u32, minor: u32) -> u64 {
    ((minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)) as u64
}

/// What `stat` returns: Linux's `struct stat` for arm64 (`include/uapi/asm-generic/stat.h`),
/// field for field, padding included, 128 bytes. [`Stat::to_bytes`] gives the bytes to copy
/// to user space.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)] // the field names are `struct stat`'s own
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_mode: u32,
    pub st_nlink: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_rdev: u64,
    pub __pad1: u64,
    pub st_size: i64,
    pub st_blksize: i32,
    pub __pad2: i32,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: u64,
    pub st_mtime: i64,
    pub st_mtime_nsec: u64,
    pub st_ctime: i64,
    pub st_ctime_nsec: u64,
    pub __unused4: u32,
    pub __unused5: u32,
}

const _: () = assert!(core::mem::size_of::<Stat>() == 128);

impl Stat {
    /// The structure as user space sees it (little-endian, Linux layout).
    pub fn to_bytes(&self) -> [u8; 128] {
        let mut out = [0u8; 128];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&self.st_dev.to_le_bytes());
        put(&self.st_ino.to_le_bytes());
        put(&self.st_mode.to_le_bytes());
        put(&self.st_nlink.to_le_bytes());
        put(&self.st_uid.to_le_bytes());
        put(&self.st_gid.to_le_bytes());
        put(&self.st_rdev.to_le_bytes());
        put(&self.__pad1.to_le_bytes());
        put(&self.st_size.to_le_bytes());
        put(&self.st_blksize.to_le_bytes());
        put(&self.__pad2.to_le_bytes());
        put(&self.st_blocks.to_le_bytes());
        put(&self.st_atime.to_le_bytes());
        put(&self.st_atime_nsec.to_le_bytes());
        put(&self.st_mtime.to_le_bytes());
        put(&self.st_mtime_nsec.to_le_bytes());
        put(&self.st_ctime.to_le_bytes());
        put(&self.st_ctime_nsec.to_le_bytes());
        put(&self.__unused4.to_le_bytes());
        put(&self.__unused5.to_le_bytes());
        out
    }
}

/// What [`RamFs::unpack`] did.
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

/// What an inode holds, by type.
#[derive(Clone, Debug)]
enum Contents {
    /// Name -> inode; "." and ".." are not stored (see [`RamFs::lookup_child`]).
    Dir {
        entries: BTreeMap<Vec<u8>, Ino>,
        parent: Ino,
    },
    Regular(Vec<u8>),
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
            Contents::Regular(Vec::new()),
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
        // (keeping room to grow by half, so add/remove at the edge does not thrash): a
        // burst of files leaves no high-water mark in the heap (Linux frees each inode).
        while self.inodes.len() > 2 && self.inodes.last().is_some_and(Option::is_none) {
            self.inodes.pop();
        }
        if self.inodes.capacity() > 2 * self.inodes.len() {
            self.inodes
                .shrink_to(self.inodes.len() + self.inodes.len() / 2);
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

    /// The `struct stat` of an inode. Linux `generic_fillattr` (`fs/stat.c`): ramfs
    /// directories report size 0, symlinks the target's length; `st_blocks` counts the
    /// 4 KiB pages the data occupies, in 512-byte units. `ENOENT` for a freed inode.
    pub fn stat(&self, ino: Ino) -> KResult<Stat> {
        let i = self.inode(ino)?;
        let size = match &i.contents {
            Contents::Regular(data) => data.len() as i64,
            Contents::Symlink(target) => target.len() as i64,
            _ => 0,
        };
        Ok(Stat {
            st_dev: RAMFS_DEV,
            st_ino: ino.0 as u64,
            st_mode: i.mode,
            st_nlink: i.nlink,
            st_uid: i.uid,
            st_gid: i.gid,
            st_rdev: new_encode_dev(i.rdev.0, i.rdev.1),
            st_size: size,
            st_blksize: 4096,
            st_blocks: (size + 4095) / 4096 * 8,
            st_atime: i.atime.sec,
            st_atime_nsec: i.atime.nsec as u64,
            st_mtime: i.mtime.sec,
            st_mtime_nsec: i.mtime.nsec as u64,
            st_ctime: i.ctime.sec,
            st_ctime_nsec: i.ctime.nsec as u64,
            ..Stat::default()
        })
    }

    /// A symbolic link's target. Linux `vfs_readlink` / `simple_get_link`; `EINVAL` if
    /// `ino` is not a symlink.
    pub fn readlink(&self, ino: Ino) -> KResult<&[u8]> {
        match &self.inode(ino)?.contents {
            Contents::Symlink(target) => Ok(target),
            _ => Err(Errno::EINVAL),
        }
    }

    /// Sets the permission bits (the type stays). Linux `chmod_common`.
    pub fn chmod(&mut self, ino: Ino, mode: u32) -> KResult<()> {
        let i = self.inode_mut(ino)?;
        i.mode = (i.mode & S_IFMT) | (mode & S_IALLUGO);
        self.touch_ctime(ino);
        Ok(())
    }

    /// Sets owner and group. Linux `chown_common`.
    pub fn chown(&mut self, ino: Ino, uid: u32, gid: u32) -> KResult<()> {
        let i = self.inode_mut(ino)?;
        (i.uid, i.gid) = (uid, gid);
        self.touch_ctime(ino);
        Ok(())
    }

    /// Sets all three times to `mtime` (seconds): initramfs `do_utime`, which stamps
    /// what the archive says (ctime included, so an unpacked tree looks untouched).
    pub fn set_mtime(&mut self, ino: Ino, mtime: i64) -> KResult<()> {
        let t = Timespec {
            sec: mtime,
            nsec: 0,
        };
        let i = self.inode_mut(ino)?;
        (i.atime, i.mtime, i.ctime) = (t, t, t);
        Ok(())
    }

    /// Unpacks an initramfs image (cpio `newc`, plain or gzip, possibly several
    /// concatenated) into this file system.
    ///
    /// Linux `unpack_to_rootfs` and its `do_name` / `do_copy` / `do_symlink` /
    /// `maybe_link` / `clean_path` (`init/initramfs.c`). Like Linux, a member that cannot
    /// be made (a name too long, a parent that is a file...) is logged and skipped; only a
    /// malformed archive is an error. Later members win: a file of another type at the same
    /// path is removed first (`clean_path`), a directory keeps its contents and takes the
    /// new mode and owner, a file is rewritten in place. Two differences from Linux, both
    /// deliberate: missing parent directories are made (mode 0755) where Linux would drop
    /// the member, and a later symlink or device node replaces an earlier one of the same
    /// type where Linux's `symlink` / `mknod` would fail with `EEXIST`.
    pub fn unpack(&mut self, archive: &[u8]) -> Result<UnpackStats, CpioError> {
        let mut stats = UnpackStats::default();
        let mut links = BTreeMap::new();
        let mut dir_times = Vec::new();
        cpio::for_each_entry(archive, |e| {
            stats.entries += 1;
            match self.unpack_entry(e, &mut links, &mut stats) {
                Ok(ino) if e.mode & S_IFMT == S_IFDIR => dir_times.push((ino, e.mtime)),
                Ok(_) => {}
                Err(errno) => {
                    stats.skipped += 1;
                    log::warn!(
                        "initramfs: {}: {} (skipped)",
                        String::from_utf8_lossy(e.name),
                        errno
                    );
                }
            }
        })?;
        // Directories get their times last, as Linux's `dir_utime` does: making their
        // entries touched them.
        for (ino, mtime) in dir_times {
            let _ = self.set_mtime(ino, mtime as i64);
        }
        Ok(stats)
    }

    /// Makes one archive member (Linux `do_name` and the states after it).
    fn unpack_entry(
        &mut self,
        e: &CpioEntry<'_>,
        links: &mut HardLinks,
        stats: &mut UnpackStats,
    ) -> KResult<Ino> {
        let kind = e.mode & S_IFMT;
        if !matches!(
            kind,
            S_IFDIR | S_IFREG | S_IFLNK | S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK
        ) {
            return Err(Errno::EINVAL); // Linux `do_name` ignores other types too
        }
        let (dir, name) = self.make_parents(e.name, stats)?;
        let existing = match self.lookup_child(dir, &name) {
            Ok(ino) => Some(ino),
            Err(Errno::ENOENT) => None,
            Err(err) => return Err(err),
        };
        let ino = if kind == S_IFDIR {
            stats.dirs += 1;
            match existing {
                Some(ino) if self.is_dir(ino) => ino,
                _ => {
                    self.clean_path(dir, &name, kind)?;
                    self.mkdir(dir, &name, 0)?
                }
            }
        } else if matches!(name.as_slice(), b"." | b"..") {
            return Err(Errno::EEXIST);
        } else if kind == S_IFLNK {
            let target = e.data;
            check_symlink_target(target)?;
            stats.symlinks += 1;
            match existing.map(|i| (i, self.inode_mut(i))) {
                Some((
                    ino,
                    Ok(Inode {
                        contents: Contents::Symlink(old),
                        ..
                    }),
                )) => {
                    *old = target.to_vec();
                    ino
                }
                _ => {
                    self.clean_path(dir, &name, kind)?;
                    self.symlink(dir, &name, target)?
                }
            }
        } else {
            let linked = self.maybe_link(e, dir, &name, existing, links)?;
            let ino = match linked {
                Some(ino) => {
                    stats.hardlinks += 1;
                    ino
                }
                None => {
                    self.clean_path(dir, &name, kind)?;
                    match self.lookup_child(dir, &name) {
                        Ok(ino) => ino, // same type: rewritten in place (Linux O_TRUNC)
                        Err(_) => self.mknod(dir, &name, kind, e.rdev_major, e.rdev_minor)?,
                    }
                }
            };
            if kind == S_IFREG {
                stats.files += 1;
                // A later name of a hard link carries the data only if it has any (GNU
                // cpio stores it with the last name): Linux opens without O_TRUNC then.
                if linked.is_none() || !e.data.is_empty() {
                    self.truncate(ino, 0)?;
                    self.write_at(ino, 0, e.data)?;
                    stats.bytes += e.data.len();
                }
            } else {
                stats.nodes += 1;
                self.inode_mut(ino)?.rdev = (e.rdev_major, e.rdev_minor);
            }
            if e.nlink >= 2 {
                links.entry(link_key(e)).or_insert(ino);
            }
            ino
        };
        if kind != S_IFLNK {
            self.chmod(ino, e.mode)?;
        }
        self.chown(ino, e.uid, e.gid)?;
        self.set_mtime(ino, e.mtime as i64)?;
        Ok(ino)
    }

    /// If an earlier member had the same (device, inode) and `e` claims more than one
    /// link, makes `name` another name for it. Linux `maybe_link` / `find_link`.
    fn maybe_link(
        &mut self,
        e: &CpioEntry<'_>,
        dir: Ino,
        name: &[u8],
        existing: Option<Ino>,
        links: &HardLinks,
    ) -> KResult<Option<Ino>> {
        if e.nlink < 2 {
            return Ok(None);
        }
        let Some(&target) = links.get(&link_key(e)) else {
            return Ok(None);
        };
        if self.inode(target).map(|i| i.mode & S_IFMT) != Ok(e.mode & S_IFMT) {
            return Ok(None); // the first name was removed since, or has another type
        }
        if existing != Some(target) {
            if existing.is_some() {
                self.clean_path(dir, name, 0)?; // remove whatever is there
            }
            self.link(dir, name, target)?;
        }
        Ok(Some(target))
    }

    /// Removes what is at `dir/name` if its type differs from `mode`'s (0: any type).
    /// Linux `clean_path`: `rmdir` for a directory (which fails if it is not empty),
    /// `unlink` for the rest.
    fn clean_path(&mut self, dir: Ino, name: &[u8], mode: u32) -> KResult<()> {
        let Ok(old) = self.lookup_child(dir, name) else {
            return Ok(());
        };
        let old_mode = self.inode(old)?.mode;
        if mode != 0 && (old_mode ^ mode) & S_IFMT == 0 {
            return Ok(());
        }
        if old_mode & S_IFMT == S_IFDIR {
            self.rmdir(dir, name)
        } else {
            self.unlink(dir, name)
        }
    }

    /// Walks to the directory that will hold `path` (an archive name, relative to the
    /// root), making missing directories on the way; returns it and the last component.
    /// Symlinks on the way are followed, as Linux's path walk in `do_name` does.
    fn make_parents(&mut self, path: &[u8], stats: &mut UnpackStats) -> KResult<(Ino, Vec<u8>)> {
        let root = self.root();
        let mut parts = path
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty())
            .peekable();
        let mut dir = root;
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                return Ok((dir, part.to_vec()));
            }
            dir = match self.lookup_child(dir, part) {
                Err(Errno::ENOENT) => {
                    stats.dirs += 1;
                    self.mkdir(dir, part, 0o755)?
                }
                Err(err) => return Err(err),
                Ok(_) => namei::lookup(
                    self,
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
}

/// Hard-link candidates seen so far: (device major, minor, inode) -> the inode made.
type HardLinks = BTreeMap<(u32, u32, u32), Ino>;

fn link_key(e: &CpioEntry<'_>) -> (u32, u32, u32) {
    (e.dev_major, e.dev_minor, e.ino)
}

/// What `symlinkat` accepts as a target: not empty (`ENOENT`), shorter than `PATH_MAX`.
fn check_symlink_target(target: &[u8]) -> KResult<()> {
    if target.is_empty() {
        Err(Errno::ENOENT)
    } else if target.len() >= namei::PATH_MAX {
        Err(Errno::ENAMETOOLONG)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::cpio::test_archive::{gzip, Builder, Meta};

    fn path(fs: &RamFs, p: &str) -> KResult<Ino> {
        namei::lookup(
            fs,
            RamFs::ROOT,
            RamFs::ROOT,
            p.as_bytes(),
            LookupFlags::NOFOLLOW,
        )
    }

    fn read_all(fs: &RamFs, ino: Ino) -> Vec<u8> {
        let mut buf = alloc::vec![0u8; 1 << 16];
        let n = fs.read_at(ino, 0, &mut buf).unwrap();
        buf.truncate(n);
        buf
    }

    fn names(fs: &RamFs, dir: Ino) -> Vec<String> {
        fs.readdir(dir)
            .unwrap()
            .into_iter()
            .map(|(n, _, _)| String::from_utf8(n).unwrap())
            .collect()
    }

    #[test]
    fn unpack_then_stat_readdir_read() {
        let mut b = Builder::default();
        b.raw(
            ".",
            Meta {
                mode: 0o040700,
                nlink: 3,
                mtime: 7,
                ino: 90,
                ..Meta::default()
            },
            b"",
        );
        b.dir("bin", 0o755)
            .file("bin/hello", 0o4755, &[b'x'; 5000])
            .symlink("init", "/bin/hello");
        b.chardev("dev/console", 0o600, 5, 1);
        b.raw(
            "etc",
            Meta {
                mode: 0o040750,
                uid: 1000,
                gid: 100,
                mtime: 1_700_000_000,
                nlink: 2,
                ..Meta::default()
            },
            b"",
        );
        let mut fs = RamFs::new();
        let stats = fs.unpack(&b.finish()).unwrap();
        assert_eq!(
            stats,
            UnpackStats {
                entries: 6,
                dirs: 4,
                files: 1,
                symlinks: 1,
                nodes: 1,
                hardlinks: 0,
                skipped: 0,
                bytes: 5000
            }
        );
        let root = fs.stat(RamFs::ROOT).unwrap();
        assert_eq!((root.st_mode, root.st_mtime, root.st_ino), (0o040700, 7, 1)); // "." sets the root
        assert_eq!(root.st_nlink, 5); // ".", "..", and bin, dev, etc's ".."
        assert_eq!(
            names(&fs, RamFs::ROOT),
            [".", "..", "bin", "dev", "etc", "init"]
        );
        let hello = path(&fs, "/bin/hello").unwrap();
        let st = fs.stat(hello).unwrap();
        assert_eq!(
            (
                st.st_mode,
                st.st_size,
                st.st_blocks,
                st.st_blksize,
                st.st_nlink
            ),
            (0o104755, 5000, 16, 4096, 1)
        );
        assert_eq!(st.st_dev, RAMFS_DEV);
        assert_eq!(read_all(&fs, hello), [b'x'; 5000]);
        let mut buf = [0u8; 10];
        assert_eq!(fs.read_at(hello, 4995, &mut buf), Ok(5));
        assert_eq!(fs.read_at(hello, 9999, &mut buf), Ok(0));
        assert_eq!(fs.read_at(hello, u64::MAX, &mut buf), Ok(0));
        let init = path(&fs, "/init").unwrap();
        assert_eq!(fs.readlink(init), Ok(&b"/bin/hello"[..]));
        assert_eq!(
            (
                fs.stat(init).unwrap().st_mode,
                fs.stat(init).unwrap().st_size
            ),
            (0o120777, 10)
        );
        let console = fs.stat(path(&fs, "/dev/console").unwrap()).unwrap();
        assert_eq!((console.st_mode, console.st_rdev), (0o020600, 0x501));
        let etc = fs.stat(path(&fs, "/etc").unwrap()).unwrap();
        assert_eq!(
            (
                etc.st_mode,
                etc.st_uid,
                etc.st_gid,
                etc.st_mtime,
                etc.st_size
            ),
            (0o040750, 1000, 100, 1_700_000_000, 0)
        );
        let dev = path(&fs, "/dev").unwrap();
        assert_eq!(fs.stat(dev).unwrap().st_mode, 0o040755); // made as a missing parent
        let listing = fs.readdir(dev).unwrap();
        assert_eq!(listing[1], (b"..".to_vec(), RamFs::ROOT, FileType::Dir));
        assert_eq!(listing[2].2, FileType::CharDev);
        assert_eq!(FileType::CharDev.d_type(), 2);
        assert_eq!(FileType::Regular.d_type(), 8);
        assert_eq!(FileType::Symlink.d_type(), 10);
    }

    #[test]
    fn later_members_overwrite() {
        let mut b = Builder::default();
        b.file("f", 0o644, b"first version")
            .file("f", 0o600, b"2nd");
        b.file("x", 0o644, b"file").dir("x", 0o700); // a file replaced by a directory
        b.dir("d", 0o755)
            .file("d/in", 0o644, b"")
            .file("d", 0o644, b"not empty"); // refused
        b.dir("e", 0o755).symlink("e", "target"); // an empty directory becomes a link
        b.symlink("s", "one").symlink("s", "two");
        b.chardev("c", 0o600, 1, 3).chardev("c", 0o666, 1, 5);
        let mut fs = RamFs::new();
        let stats = fs.unpack(&b.finish()).unwrap();
        assert_eq!(stats.skipped, 1);
        let f = path(&fs, "/f").unwrap();
        assert_eq!(read_all(&fs, f), b"2nd");
        assert_eq!(fs.stat(f).unwrap().st_mode, 0o100600);
        assert_eq!(fs.file_type(path(&fs, "/x").unwrap()), Ok(FileType::Dir));
        assert_eq!(fs.file_type(path(&fs, "/d").unwrap()), Ok(FileType::Dir));
        assert_eq!(fs.readlink(path(&fs, "/e").unwrap()), Ok(&b"target"[..]));
        assert_eq!(fs.readlink(path(&fs, "/s").unwrap()), Ok(&b"two"[..]));
        let c = fs.stat(path(&fs, "/c").unwrap()).unwrap();
        assert_eq!((c.st_mode, c.st_rdev), (0o020666, 0x105));
    }

    #[test]
    fn missing_parents_symlinked_parents_and_bad_members() {
        let mut b = Builder::default();
        b.file("a/b/c/file", 0o640, b"deep");
        b.dir("usr/lib", 0o755)
            .symlink("lib", "usr/lib")
            .file("lib/libc.so", 0o755, b"elf");
        b.file("plain", 0o644, b"").file("plain/under", 0o644, b""); // ENOTDIR: skipped
        b.symlink("gone", "/nowhere").file("gone/x", 0o644, b""); // dangling: skipped
        let long = "n".repeat(256);
        b.file(&long, 0o644, b""); // ENAMETOOLONG: skipped
        b.raw(
            "weird",
            Meta {
                mode: 0o170644,
                ..Meta::default()
            },
            b"",
        ); // no such type: skipped
        b.symlink("empty-link", ""); // ENOENT: skipped
        b.file("./x/../y", 0o644, b"dots");
        let mut fs = RamFs::new();
        let stats = fs.unpack(&b.finish()).unwrap();
        assert_eq!(stats.skipped, 5);
        assert_eq!(read_all(&fs, path(&fs, "/a/b/c/file").unwrap()), b"deep");
        assert_eq!(
            fs.stat(path(&fs, "/a/b").unwrap()).unwrap().st_mode,
            0o040755
        );
        assert_eq!(
            read_all(&fs, path(&fs, "/usr/lib/libc.so").unwrap()),
            b"elf"
        );
        assert_eq!(read_all(&fs, path(&fs, "/y").unwrap()), b"dots");
        assert_eq!(path(&fs, "/x").map(|i| fs.is_dir(i)), Ok(true));
    }

    #[test]
    fn hard_links_share_an_inode() {
        let m = Meta {
            mode: 0o100644,
            nlink: 2,
            ino: 42,
            ..Meta::default()
        };
        let mut b = Builder::default();
        b.raw("one", m, b"").raw("two", m, b"shared data"); // GNU cpio: data with the last name
        let mut fs = RamFs::new();
        let stats = fs.unpack(&b.finish()).unwrap();
        assert_eq!((stats.files, stats.hardlinks), (2, 1));
        let (one, two) = (path(&fs, "/one").unwrap(), path(&fs, "/two").unwrap());
        assert_eq!(one, two);
        assert_eq!(fs.stat(one).unwrap().st_nlink, 2);
        assert_eq!(read_all(&fs, one), b"shared data");
    }

    #[test]
    fn unpacks_gzip_and_refuses_bad_archives() {
        let a = Builder::default()
            .dir("etc", 0o755)
            .file("etc/motd", 0o644, b"hi")
            .finish();
        let mut fs = RamFs::new();
        assert_eq!(fs.unpack(&gzip(&a, 0)).unwrap().files, 1);
        assert_eq!(read_all(&fs, path(&fs, "/etc/motd").unwrap()), b"hi");
        assert!(fs.unpack(&a[..a.len() - 130]).is_err());
    }

    #[test]
    fn operations_and_their_errors() {
        let mut fs = RamFs::new();
        let r = RamFs::ROOT;
        let d = fs.mkdir(r, b"d", 0o755).unwrap();
        let f = fs.create(d, b"f", 0o644).unwrap();
        assert_eq!(fs.mkdir(r, b"d", 0o755), Err(Errno::EEXIST));
        assert_eq!(fs.create(d, b"f", 0o644), Err(Errno::EEXIST));
        assert_eq!(fs.mkdir(d, b".", 0o755), Err(Errno::EEXIST));
        assert_eq!(fs.mkdir(d, b"..", 0o755), Err(Errno::EEXIST));
        assert_eq!(fs.create(f, b"x", 0o644), Err(Errno::ENOTDIR));
        assert_eq!(fs.create(d, b"", 0o644), Err(Errno::ENOENT));
        assert_eq!(
            fs.create(d, "n".repeat(256).as_bytes(), 0o644),
            Err(Errno::ENAMETOOLONG)
        );
        assert!(fs.create(d, "n".repeat(255).as_bytes(), 0o644).is_ok());
        assert_eq!(
            fs.lookup_child(d, "m".repeat(256).as_bytes()),
            Err(Errno::ENAMETOOLONG)
        );
        assert_eq!(fs.create(d, b"a/b", 0o644), Err(Errno::EINVAL));
        assert_eq!(fs.lookup_child(d, b"nope"), Err(Errno::ENOENT));
        assert_eq!(fs.lookup_child(f, b"x"), Err(Errno::ENOTDIR));
        assert_eq!(
            (fs.lookup_child(d, b"."), fs.lookup_child(d, b"..")),
            (Ok(d), Ok(r))
        );
        assert_eq!(
            (fs.parent(r), fs.parent(d), fs.parent(f)),
            (Ok(r), Ok(r), Err(Errno::ENOTDIR))
        );
        assert_eq!(fs.symlink(d, b"l", b""), Err(Errno::ENOENT));
        assert_eq!(
            fs.mknod(d, b"bad", S_IFDIR | 0o755, 0, 0),
            Err(Errno::EINVAL)
        );
        let fifo = fs.mknod(d, b"p", S_IFIFO | 0o644, 0, 0).unwrap();
        assert_eq!(fs.file_type(fifo), Ok(FileType::Fifo));
        // Reads and writes.
        let mut buf = [0u8; 8];
        assert_eq!(fs.read_at(d, 0, &mut buf), Err(Errno::EISDIR));
        assert_eq!(fs.write_at(d, 0, b"x"), Err(Errno::EISDIR));
        assert_eq!(fs.read_at(fifo, 0, &mut buf), Err(Errno::EINVAL));
        assert_eq!(fs.write_at(f, 4, b"tail"), Ok(4));
        assert_eq!(read_all(&fs, f), b"\0\0\0\0tail");
        assert_eq!(fs.write_at(f, 0, b"he"), Ok(2));
        assert_eq!(read_all(&fs, f), b"he\0\0tail");
        assert_eq!(fs.write_at(f, MAX_FILE_SIZE, b"x"), Err(Errno::EFBIG));
        assert_eq!(fs.write_at(f, u64::MAX, b"x"), Err(Errno::EFBIG));
        fs.truncate(f, 2).unwrap();
        assert_eq!(read_all(&fs, f), b"he");
        fs.truncate(f, 3).unwrap();
        assert_eq!(read_all(&fs, f), b"he\0");
        assert_eq!(fs.truncate(d, 0), Err(Errno::EISDIR));
        assert_eq!(fs.readlink(f), Err(Errno::EINVAL));
        // Links, unlink, rmdir.
        fs.link(r, b"f2", f).unwrap();
        assert_eq!(fs.stat(f).unwrap().st_nlink, 2);
        assert_eq!(fs.link(r, b"d2", d), Err(Errno::EPERM));
        assert_eq!(fs.unlink(r, b"d"), Err(Errno::EISDIR));
        assert_eq!(fs.rmdir(r, b"d"), Err(Errno::ENOTEMPTY));
        assert_eq!(fs.rmdir(r, b"f2"), Err(Errno::ENOTDIR));
        assert_eq!(
            (fs.rmdir(d, b"."), fs.rmdir(d, b"..")),
            (Err(Errno::EINVAL), Err(Errno::ENOTEMPTY))
        );
        fs.unlink(d, b"f").unwrap();
        assert_eq!(fs.stat(f).unwrap().st_nlink, 1);
        fs.iget(f).unwrap(); // an open file
        fs.unlink(r, b"f2").unwrap();
        assert_eq!(read_all(&fs, f), b"he\0"); // still readable while open
        fs.iput(f);
        assert_eq!(fs.stat(f), Err(Errno::ENOENT)); // freed with its last user
        let e = fs.mkdir(d, b"e", 0o700).unwrap();
        assert_eq!(fs.stat(d).unwrap().st_nlink, 3);
        fs.rmdir(d, b"e").unwrap();
        assert_eq!(fs.stat(d).unwrap().st_nlink, 2);
        assert_eq!(fs.stat(e), Err(Errno::ENOENT));
        // A removed directory that is someone's cwd takes no new names.
        let cwd = fs.mkdir(r, b"cwd", 0o755).unwrap();
        fs.iget(cwd).unwrap();
        fs.rmdir(r, b"cwd").unwrap();
        assert_eq!(fs.create(cwd, b"x", 0o644), Err(Errno::ENOENT));
        // chmod keeps the type.
        fs.chmod(d, 0o1777).unwrap();
        assert_eq!(fs.stat(d).unwrap().st_mode, 0o041777);
    }

    #[test]
    fn stat_bytes_match_the_linux_layout() {
        let st = Stat {
            st_dev: 1,
            st_ino: 2,
            st_mode: 3,
            st_nlink: 4,
            st_size: 5,
            st_blksize: 6,
            st_blocks: 7,
            st_mtime: 8,
            ..Stat::default()
        };
        let b = st.to_bytes();
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        assert_eq!((u64_at(0), u64_at(8), u32_at(16), u32_at(20)), (1, 2, 3, 4));
        assert_eq!(
            (u64_at(48), u32_at(56), u64_at(64), u64_at(88)),
            (5, 6, 7, 8)
        );
        assert_eq!(new_encode_dev(5, 1), 0x501);
        let dev = new_encode_dev(259, 0x12345);
        assert_eq!(dev, 0x1231_0345);
        // glibc's major() and minor() get the numbers back.
        assert_eq!(
            ((dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & !0xff)),
            (259, 0x12345)
        );
    }
}

#[cfg(test)]
mod arena_tests {
    use super::*;

    #[test]
    fn freed_inode_slots_are_reused_and_the_arena_shrinks() {
        let mut fs = RamFs::new();
        for _ in 0..1000 {
            fs.create(RamFs::ROOT, b"f", 0o644).unwrap();
            fs.unlink(RamFs::ROOT, b"f").unwrap();
        }
        assert!(fs.inodes.len() <= 3, "{} slots", fs.inodes.len());
        for i in 0..500 {
            fs.create(RamFs::ROOT, alloc::format!("f{}", i).as_bytes(), 0o644)
                .unwrap();
        }
        for i in 0..500 {
            fs.unlink(RamFs::ROOT, alloc::format!("f{}", i).as_bytes())
                .unwrap();
        }
        assert_eq!(fs.inodes.len(), 2);
        assert!(
            fs.inodes.capacity() <= 8,
            "capacity {}",
            fs.inodes.capacity()
        );
    }
}
