//! File types and `stat`: the `S_IF*` mode bits (Linux `include/uapi/linux/stat.h`),
//! the `d_type` of a directory entry, device numbers as `stat` encodes them
//! (`include/linux/kdev_t.h`), arm64's `struct stat` and how an inode fills it (Linux
//! `fs/stat.c` `generic_fillattr`).
//!
//! `kernel/src/fs/ramfs/stat.rs` (module `fs::ramfs::stat`; its names are re-exported
//! from `fs::ramfs`).
//!
//! Read next: `ramfs/file.rs` (the data of regular files).

use super::{Contents, Ino, RamFs, RAMFS_DEV};
use crate::errno::KResult;

pub use uapi::stat::{S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK};
/// Permission bits plus set-uid, set-gid and sticky.
pub const S_IALLUGO: u32 = 0o7777;

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

impl RamFs {
    /// The `struct stat` of an inode. Linux `generic_fillattr` (`fs/stat.c`): ramfs
    /// directories report size 0, symlinks the target's length; `st_blocks` counts the
    /// 4 KiB pages the data occupies, in 512-byte units. `ENOENT` for a freed inode.
    pub fn stat(&self, ino: Ino) -> KResult<Stat> {
        let i = self.inode(ino)?;
        let size = match &i.contents {
            Contents::Regular(m) => m.lock().i_size as i64,
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
