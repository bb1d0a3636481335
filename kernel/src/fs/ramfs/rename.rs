//! Renaming (Linux `fs/namei.c` `do_renameat2` / `vfs_rename`, `fs/libfs.c`
//! `simple_rename` / `simple_rename_exchange`).
//!
//! The checks come in Linux's order, so the same mistake gives the same errno: the
//! flags; `.` or `..` as either name (EBUSY, or EEXIST with RENAME_NOREPLACE); a missing
//! source (ENOENT); RENAME_NOREPLACE onto an existing name (EEXIST); RENAME_EXCHANGE
//! with a missing target (ENOENT); trailing slashes on a non-directory (ENOTDIR); a
//! directory moved below itself (EINVAL) or onto one of its ancestors (ENOTEMPTY);
//! then, unless source and target are the same inode (nothing to do), a directory onto
//! a non-directory (ENOTDIR), a non-directory onto a directory (EISDIR), onto a
//! non-empty directory (ENOTEMPTY).

use super::{Contents, Ino, RamFs};
use crate::errno::{Errno, KResult};

pub use uapi::fcntl::{RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT};

/// One side of a rename: the directory, the last name, and whether the path had a
/// trailing slash.
#[derive(Clone, Copy, Debug)]
pub struct RenameEnd<'a> {
    /// The directory holding the name.
    pub dir: Ino,
    /// The last component.
    pub name: &'a [u8],
    /// The path ended in '/'.
    pub slash: bool,
}

impl RamFs {
    /// True if `anc` is `ino` or one of its ancestors (Linux `is_subdir`).
    fn is_subdir(&self, mut ino: Ino, anc: Ino) -> bool {
        loop {
            if ino == anc {
                return true;
            }
            match self.parent(ino) {
                Ok(p) if p != ino => ino = p,
                _ => return false,
            }
        }
    }

    /// Renames `old` to `new` with `RENAME_*` flags (Linux `do_renameat2`'s checks, then
    /// `vfs_rename` -> `simple_rename`).
    pub fn rename(&mut self, old: RenameEnd<'_>, new: RenameEnd<'_>, flags: u32) -> KResult<()> {
        if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT) != 0
            || (flags & RENAME_NOREPLACE != 0 && flags & RENAME_EXCHANGE != 0)
            || flags & RENAME_WHITEOUT != 0
        {
            return Err(Errno::EINVAL);
        }
        self.dir_entries(old.dir)?;
        self.dir_entries(new.dir)?;
        let dots = |n: &[u8]| matches!(n, b"." | b".." | b"");
        if dots(old.name) {
            return Err(Errno::EBUSY);
        }
        if dots(new.name) {
            return Err(if flags & RENAME_NOREPLACE != 0 {
                Errno::EEXIST
            } else {
                Errno::EBUSY
            });
        }
        let src = self.lookup_child(old.dir, old.name)?;
        let dst = match self.lookup_child(new.dir, new.name) {
            Ok(i) => Some(i),
            Err(Errno::ENOENT) => None,
            Err(e) => return Err(e),
        };
        if flags & RENAME_NOREPLACE != 0 && dst.is_some() {
            return Err(Errno::EEXIST);
        }
        let exchange = flags & RENAME_EXCHANGE != 0;
        if exchange {
            let Some(d) = dst else {
                return Err(Errno::ENOENT);
            };
            if !self.is_dir(d) && new.slash {
                return Err(Errno::ENOTDIR);
            }
        }
        let src_dir = self.is_dir(src);
        if !src_dir && (old.slash || (!exchange && new.slash)) {
            return Err(Errno::ENOTDIR);
        }
        // Linux `lock_rename` finds the "trap": moving a directory below itself is
        // EINVAL; replacing an ancestor of the source is ENOTEMPTY.
        if src_dir && self.is_subdir(new.dir, src) {
            return Err(Errno::EINVAL);
        }
        if let Some(d) = dst {
            if self.is_dir(d) && self.is_subdir(old.dir, d) {
                return Err(if exchange {
                    Errno::EINVAL
                } else {
                    Errno::ENOTEMPTY
                });
            }
        }
        if dst == Some(src) {
            return Ok(()); // two names of one inode: Linux does nothing
        }
        match dst {
            Some(d) if exchange => self.exchange(old, new, src, d),
            Some(d) => {
                let dst_dir = self.is_dir(d);
                if src_dir && !dst_dir {
                    return Err(Errno::ENOTDIR);
                }
                if !src_dir && dst_dir {
                    return Err(Errno::EISDIR);
                }
                if dst_dir {
                    self.rmdir(new.dir, new.name)?; // ENOTEMPTY if it has entries
                } else {
                    self.unlink(new.dir, new.name)?;
                }
                self.move_entry(old, new, src)
            }
            None => {
                if self.inode(new.dir)?.nlink == 0 {
                    return Err(Errno::ENOENT); // a removed directory takes no names
                }
                self.move_entry(old, new, src)
            }
        }
    }

    /// Moves `src` from `old` to the free name `new`, fixing `..` and link counts.
    fn move_entry(&mut self, old: RenameEnd<'_>, new: RenameEnd<'_>, src: Ino) -> KResult<()> {
        self.dir_entries_mut(old.dir)?.remove(old.name);
        self.dir_entries_mut(new.dir)?
            .insert(new.name.to_vec(), src);
        if self.is_dir(src) && old.dir != new.dir {
            self.set_parent(src, new.dir);
            self.inode_mut(old.dir)?.nlink -= 1;
            self.inode_mut(new.dir)?.nlink += 1;
        }
        self.touch_ctime(src);
        self.touch_dir(old.dir);
        self.touch_dir(new.dir);
        Ok(())
    }

    /// Swaps two existing names (Linux `simple_rename_exchange`).
    fn exchange(&mut self, old: RenameEnd<'_>, new: RenameEnd<'_>, a: Ino, b: Ino) -> KResult<()> {
        *self
            .dir_entries_mut(old.dir)?
            .get_mut(old.name)
            .ok_or(Errno::ENOENT)? = b;
        *self
            .dir_entries_mut(new.dir)?
            .get_mut(new.name)
            .ok_or(Errno::ENOENT)? = a;
        if old.dir != new.dir {
            let (a_dir, b_dir) = (self.is_dir(a), self.is_dir(b));
            if a_dir {
                self.set_parent(a, new.dir);
            }
            if b_dir {
                self.set_parent(b, old.dir);
            }
            if a_dir && !b_dir {
                self.inode_mut(old.dir)?.nlink -= 1;
                self.inode_mut(new.dir)?.nlink += 1;
            } else if b_dir && !a_dir {
                self.inode_mut(new.dir)?.nlink -= 1;
                self.inode_mut(old.dir)?.nlink += 1;
            }
        }
        self.touch_ctime(a);
        self.touch_ctime(b);
        self.touch_dir(old.dir);
        self.touch_dir(new.dir);
        Ok(())
    }

    fn set_parent(&mut self, dir: Ino, to: Ino) {
        if let Ok(i) = self.inode_mut(dir) {
            if let Contents::Dir { parent, .. } = &mut i.contents {
                *parent = to;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(dir: Ino, name: &[u8]) -> RenameEnd<'_> {
        RenameEnd {
            dir,
            name,
            slash: false,
        }
    }

    #[test]
    fn rename_rules() {
        let mut fs = RamFs::new();
        let r = RamFs::ROOT;
        let a = fs.mkdir(r, b"a", 0o755).unwrap();
        let b = fs.mkdir(a, b"b", 0o755).unwrap();
        let f = fs.create(r, b"f", 0o644).unwrap();
        let g = fs.create(r, b"g", 0o644).unwrap();
        fs.mkdir(r, b"e", 0o755).unwrap();
        let n = 0;
        // Flags and dots.
        assert_eq!(fs.rename(end(r, b"f"), end(r, b"x"), 8), Err(Errno::EINVAL));
        assert_eq!(fs.rename(end(r, b"f"), end(r, b"x"), 3), Err(Errno::EINVAL));
        assert_eq!(
            fs.rename(end(r, b"f"), end(r, b"x"), RENAME_WHITEOUT),
            Err(Errno::EINVAL)
        );
        assert_eq!(fs.rename(end(a, b"."), end(r, b"x"), n), Err(Errno::EBUSY));
        assert_eq!(fs.rename(end(r, b"f"), end(a, b".."), n), Err(Errno::EBUSY));
        assert_eq!(
            fs.rename(end(r, b"f"), end(a, b".."), RENAME_NOREPLACE),
            Err(Errno::EEXIST)
        );
        // Missing, NOREPLACE, EXCHANGE with nothing.
        assert_eq!(
            fs.rename(end(r, b"nope"), end(r, b"x"), n),
            Err(Errno::ENOENT)
        );
        assert_eq!(
            fs.rename(end(r, b"f"), end(r, b"g"), RENAME_NOREPLACE),
            Err(Errno::EEXIST)
        );
        assert_eq!(
            fs.rename(end(r, b"f"), end(r, b"x"), RENAME_EXCHANGE),
            Err(Errno::ENOENT)
        );
        // Trailing slash on a file.
        let slash = RenameEnd {
            dir: r,
            name: b"f",
            slash: true,
        };
        assert_eq!(fs.rename(slash, end(r, b"x"), n), Err(Errno::ENOTDIR));
        // A directory into itself, or onto its ancestor.
        assert_eq!(fs.rename(end(r, b"a"), end(b, b"x"), n), Err(Errno::EINVAL));
        assert_eq!(fs.rename(end(r, b"a"), end(a, b"x"), n), Err(Errno::EINVAL));
        assert_eq!(
            fs.rename(end(a, b"b"), end(r, b"a"), n),
            Err(Errno::ENOTEMPTY)
        );
        // Type clashes.
        assert_eq!(
            fs.rename(end(r, b"e"), end(r, b"f"), n),
            Err(Errno::ENOTDIR)
        );
        assert_eq!(fs.rename(end(r, b"f"), end(r, b"e"), n), Err(Errno::EISDIR));
        assert_eq!(
            fs.rename(end(r, b"e"), end(r, b"a"), n),
            Err(Errno::ENOTEMPTY)
        );
        // Same inode: nothing happens.
        fs.link(r, b"f2", f).unwrap();
        fs.rename(end(r, b"f"), end(r, b"f2"), n).unwrap();
        assert_eq!(
            (fs.lookup_child(r, b"f"), fs.stat(f).unwrap().st_nlink),
            (Ok(f), 2)
        );
        fs.unlink(r, b"f2").unwrap();
        // A file over a file: the old target goes.
        fs.iget(g).unwrap();
        fs.rename(end(r, b"f"), end(r, b"g"), n).unwrap();
        assert_eq!(fs.lookup_child(r, b"g"), Ok(f));
        assert_eq!(fs.lookup_child(r, b"f"), Err(Errno::ENOENT));
        assert_eq!(fs.stat(g).unwrap().st_nlink, 0);
        fs.iput(g);
        assert!(fs.stat(g).is_err());
        // A directory to another parent: link counts and "..".
        let root_links = fs.stat(r).unwrap().st_nlink;
        fs.rename(end(a, b"b"), end(r, b"b2"), n).unwrap();
        assert_eq!(fs.parent(b), Ok(r));
        assert_eq!(fs.stat(a).unwrap().st_nlink, 2);
        assert_eq!(fs.stat(r).unwrap().st_nlink, root_links + 1);
        // A directory over an empty directory.
        fs.rename(end(r, b"b2"), end(r, b"e"), n).unwrap();
        assert_eq!(fs.lookup_child(r, b"e"), Ok(b));
        assert_eq!(fs.stat(r).unwrap().st_nlink, root_links);
        // Exchange a file and a directory across directories.
        let h = fs.create(a, b"h", 0o644).unwrap();
        fs.rename(end(a, b"h"), end(r, b"e"), RENAME_EXCHANGE)
            .unwrap();
        assert_eq!(
            (fs.lookup_child(a, b"e"), fs.lookup_child(r, b"h")),
            (Err(Errno::ENOENT), Err(Errno::ENOENT))
        );
        assert_eq!(
            (fs.lookup_child(a, b"h"), fs.lookup_child(r, b"e")),
            (Ok(b), Ok(h))
        );
        assert_eq!(fs.parent(b), Ok(a));
        assert_eq!(fs.stat(a).unwrap().st_nlink, 3);
        assert_eq!(fs.stat(r).unwrap().st_nlink, root_links - 1);
        // Exchange a directory with its ancestor: EINVAL.
        assert_eq!(
            fs.rename(end(a, b"h"), end(r, b"a"), RENAME_EXCHANGE),
            Err(Errno::EINVAL)
        );
    }
}
