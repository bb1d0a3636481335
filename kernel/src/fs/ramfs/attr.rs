//! Inode times, modes and owners, and the attribute changes that stamp them (Linux
//! `fs/inode.c` `current_time` / `file_update_time` / `touch_atime` /
//! `relatime_need_update`, `fs/attr.c` `setattr_copy`, `fs/utimes.c` `vfs_utimes`,
//! `fs/open.c` `chmod_common` / `chown_common`).
//!
//! The rules, Linux's: writing or truncating a file sets its mtime and ctime; chmod,
//! chown, link, unlink and rename set the ctime of the inode they change; adding or
//! removing a directory entry sets the directory's mtime and ctime; utimensat sets what
//! it is told and the ctime. Access time follows `relatime` (Linux's default mount
//! option): a read updates atime only if it is older than mtime or ctime, or more than a
//! day old. Simplified: no `noatime`/`strictatime`, no lazytime.
//!
//! Read next: `ramfs/rename.rs`.

use super::{Ino, RamFs, S_IALLUGO, S_IFMT, S_IFREG};
use crate::errno::{Errno, KResult};

/// A time as `stat` reports it: seconds and nanoseconds since the epoch (Linux
/// `struct timespec64`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timespec {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds, below 1e9.
    pub nsec: u32,
}

impl Timespec {
    /// The epoch.
    pub const ZERO: Timespec = Timespec { sec: 0, nsec: 0 };

    /// From nanoseconds since the epoch.
    pub fn from_ns(ns: u64) -> Timespec {
        Timespec {
            sec: (ns / 1_000_000_000) as i64,
            nsec: (ns % 1_000_000_000) as u32,
        }
    }
}

pub use uapi::stat::{UTIME_NOW, UTIME_OMIT};

/// One second-day, the relatime horizon.
const RELATIME_SECS: i64 = 24 * 60 * 60;

impl RamFs {
    /// Sets the clock new stamps are read from (the kernel's wall clock).
    pub fn set_clock(&mut self, clock: fn() -> Timespec) {
        self.clock = clock;
    }

    /// The current time by this fs's clock (Linux `current_time`).
    pub fn now(&self) -> Timespec {
        (self.clock)()
    }

    /// The inode changed (Linux `inode_set_ctime_current`).
    pub(super) fn touch_ctime(&mut self, ino: Ino) {
        let now = self.now();
        if let Ok(i) = self.inode_mut(ino) {
            i.ctime = now;
        }
    }

    /// Its data changed (Linux `file_update_time` / `inode_update_time`).
    pub(super) fn touch_mtime(&mut self, ino: Ino) {
        let now = self.now();
        if let Ok(i) = self.inode_mut(ino) {
            (i.mtime, i.ctime) = (now, now);
        }
    }

    /// An entry of directory `dir` was added or removed (Linux `simple_link`,
    /// `ramfs_mknod`, `simple_unlink` ... all set `dir`'s mtime and ctime).
    pub(super) fn touch_dir(&mut self, dir: Ino) {
        self.touch_mtime(dir);
    }

    /// A read or a directory listing: update atime under relatime rules (Linux
    /// `touch_atime` -> `atime_needs_update` -> `relatime_need_update`).
    pub fn touch_atime(&mut self, ino: Ino) {
        let now = self.now();
        if let Ok(i) = self.inode_mut(ino) {
            if relatime_need_update(i.atime, i.mtime, i.ctime, now) {
                i.atime = now;
            }
        }
    }

    /// Sets atime and mtime as `utimensat` asks (Linux `vfs_utimes`): each `Some` is a
    /// `(sec, nsec)` pair where nsec may be [`UTIME_NOW`] or [`UTIME_OMIT`]; `None` for
    /// both (a NULL `times`) means now. ctime becomes now unless both are omitted.
    /// EINVAL for nsec out of range.
    pub fn utimes(&mut self, ino: Ino, times: Option<[(i64, i64); 2]>) -> KResult<()> {
        let now = self.now();
        let [a, m] = times.unwrap_or([(0, UTIME_NOW), (0, UTIME_NOW)]);
        let pick = |(sec, nsec): (i64, i64)| -> KResult<Option<Timespec>> {
            match nsec {
                UTIME_OMIT => Ok(None),
                UTIME_NOW => Ok(Some(now)),
                0..=999_999_999 => Ok(Some(Timespec {
                    sec,
                    nsec: nsec as u32,
                })),
                _ => Err(Errno::EINVAL),
            }
        };
        let (a, m) = (pick(a)?, pick(m)?);
        let i = self.inode_mut(ino)?;
        if a.is_none() && m.is_none() {
            return Ok(());
        }
        if let Some(a) = a {
            i.atime = a;
        }
        if let Some(m) = m {
            i.mtime = m;
        }
        i.ctime = now;
        Ok(())
    }

    /// Counts for `statfs`: (inodes in use, bytes of file data).
    pub fn usage(&self) -> (u64, u64) {
        let mut inodes = 0;
        let mut bytes = 0;
        for i in self.inodes.iter().flatten() {
            inodes += 1;
            if i.mode & S_IFMT == S_IFREG {
                if let super::Contents::Regular(d) = &i.contents {
                    bytes += d.lock().i_size;
                }
            }
        }
        (inodes, bytes)
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
}

/// Linux `relatime_need_update` (`fs/inode.c`): atime is updated if it is not newer than
/// mtime or ctime, or if it is more than a day old.
pub fn relatime_need_update(
    atime: Timespec,
    mtime: Timespec,
    ctime: Timespec,
    now: Timespec,
) -> bool {
    atime <= mtime || atime <= ctime || now.sec - atime.sec >= RELATIME_SECS
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::{AtomicI64, Ordering};

    static NOW: AtomicI64 = AtomicI64::new(1000);

    fn clock() -> Timespec {
        Timespec {
            sec: NOW.load(Ordering::Relaxed),
            nsec: 5,
        }
    }

    fn at(t: i64) {
        NOW.store(t, Ordering::Relaxed);
    }

    #[test]
    fn times_follow_linux_rules() {
        let mut fs = RamFs::new();
        fs.set_clock(clock);
        let r = RamFs::ROOT;
        at(1000);
        let d = fs.mkdir(r, b"d", 0o755).unwrap();
        let st = fs.stat(r).unwrap();
        assert_eq!(
            (st.st_mtime, st.st_ctime, st.st_mtime_nsec),
            (1000, 1000, 5)
        );
        at(1010);
        let f = fs.create(d, b"f", 0o644).unwrap();
        assert_eq!(fs.stat(d).unwrap().st_mtime, 1010);
        assert_eq!(fs.stat(r).unwrap().st_mtime, 1000); // only the parent
        at(1020);
        fs.write_at(f, 0, b"abc").unwrap();
        let st = fs.stat(f).unwrap();
        assert_eq!((st.st_atime, st.st_mtime, st.st_ctime), (1010, 1020, 1020));
        at(1030);
        fs.chmod(f, 0o600).unwrap();
        let st = fs.stat(f).unwrap();
        assert_eq!((st.st_mtime, st.st_ctime), (1020, 1030));
        at(1040);
        fs.truncate(f, 1).unwrap();
        assert_eq!(fs.stat(f).unwrap().st_mtime, 1040);
        at(1050);
        fs.link(r, b"g", f).unwrap();
        assert_eq!(fs.stat(f).unwrap().st_ctime, 1050);
        assert_eq!(fs.stat(r).unwrap().st_mtime, 1050);
        // relatime: atime (1010) <= mtime, so a read updates it; a second one does not.
        at(1060);
        fs.touch_atime(f);
        assert_eq!(fs.stat(f).unwrap().st_atime, 1060);
        at(1070);
        fs.touch_atime(f);
        assert_eq!(fs.stat(f).unwrap().st_atime, 1060);
        at(1060 + RELATIME_SECS);
        fs.touch_atime(f);
        assert_eq!(fs.stat(f).unwrap().st_atime, 1060 + RELATIME_SECS);
        // utimensat.
        at(2000);
        fs.utimes(f, Some([(5, 6), (7, UTIME_OMIT)])).unwrap();
        let st = fs.stat(f).unwrap();
        assert_eq!(
            (st.st_atime, st.st_atime_nsec, st.st_mtime, st.st_ctime),
            (5, 6, 1040, 2000)
        );
        at(2100);
        fs.utimes(f, Some([(0, UTIME_OMIT), (0, UTIME_OMIT)]))
            .unwrap();
        assert_eq!(fs.stat(f).unwrap().st_ctime, 2000);
        fs.utimes(f, None).unwrap();
        let st = fs.stat(f).unwrap();
        assert_eq!((st.st_atime, st.st_mtime, st.st_ctime), (2100, 2100, 2100));
        fs.utimes(f, Some([(0, UTIME_NOW), (9, 8)])).unwrap();
        assert_eq!(fs.stat(f).unwrap().st_mtime, 9);
        assert_eq!(
            fs.utimes(f, Some([(0, 1_000_000_000), (0, 0)])),
            Err(Errno::EINVAL)
        );
        assert_eq!(fs.utimes(f, Some([(0, -1), (0, 0)])), Err(Errno::EINVAL));
        // unlink: the parent's mtime, the inode's ctime.
        at(3000);
        fs.unlink(r, b"g").unwrap();
        assert_eq!(fs.stat(r).unwrap().st_mtime, 3000);
        assert_eq!(fs.stat(f).unwrap().st_ctime, 3000);
    }

    #[test]
    fn relatime_rule() {
        let t = |s| Timespec { sec: s, nsec: 0 };
        assert!(relatime_need_update(t(10), t(10), t(5), t(11)));
        assert!(relatime_need_update(t(10), t(5), t(10), t(11)));
        assert!(!relatime_need_update(t(11), t(10), t(10), t(12)));
        assert!(relatime_need_update(
            t(11),
            t(10),
            t(10),
            t(11 + RELATIME_SECS)
        ));
    }
}
