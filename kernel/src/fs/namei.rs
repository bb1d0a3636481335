//! Path lookup: from a path string to an inode, the way Linux `fs/namei.c` does it.
//!
//! `kernel/src/fs/namei.rs` (module `fs::namei`) is what `openat`, `mkdirat`, `execve`,
//! `chdir` ... call with the caller's root and starting directory: the cwd for a relative
//! path under `AT_FDCWD`, or the directory of `dirfd`. [`lookup`] finds the inode a path
//! names ([`path_lookupat`](lookup)); [`lookup_parent`] stops one step short and returns the
//! directory and the last name, for the calls that create or remove that name
//! ([`filename_parentat`](lookup_parent)); [`path_of`] goes the other way, for `getcwd`.
//!
//! The walk keeps Linux's shape: `link_path_walk` walks every component but the last,
//! `walk_component` takes one step (`handle_dots` / `follow_dotdot` for `.` and `..`),
//! `step_into` decides whether a symlink is followed and `pick_link` follows it, pushing
//! the link's body on a stack of paths still to walk (`nd->stack`); `lookup_last` handles
//! the last component. The rules, all Linux's:
//!
//! - an absolute path starts at the root, a relative one at `start`; repeated slashes are
//!   one slash; the empty path is `ENOENT`; `PATH_MAX` (4096) bytes or more is
//!   `ENAMETOOLONG`, as is a component longer than `NAME_MAX` (255);
//! - `.` stays, `..` goes to the parent, and `..` at the root stays at the root (the
//!   process root: a `chroot` cannot be escaped with `..`);
//! - a non-directory in the middle is `ENOTDIR`; a trailing slash requires a directory and
//!   follows a final symlink;
//! - symlinks in the middle are always followed, the final one only if asked; an absolute
//!   target restarts at the root, a relative one at the link's directory; more than 40
//!   links followed in one lookup (`MAXSYMLINKS`) is `ELOOP`.
//!
//! Left out: permission checks ("search" permission on each directory; Linnet runs
//! everything as root and skips `may_lookup`), mount points (one file system), RCU walk.
//!
//! Read next: `ramfs.rs` ([`RamFs::lookup_child`], the one-step lookup this builds on).

use alloc::vec;
use alloc::vec::Vec;

use super::ramfs::{FileType, Ino, RamFs};
use crate::errno::{Errno, KResult};

/// Linux `MAXSYMLINKS` (`include/linux/namei.h`): symlinks one lookup may follow.
pub const MAXSYMLINKS: u32 = 40;
// Linux `PATH_MAX` (`include/uapi/linux/limits.h`): a path of this many bytes or more is
// `ENAMETOOLONG`; `cpio` refuses member names (with their NUL) longer than it.
pub use uapi::limits::PATH_MAX;

/// How a lookup treats the last component (Linux `LOOKUP_FOLLOW`, `LOOKUP_DIRECTORY`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LookupFlags {
    /// Follow a symlink in the last position (`stat`, `open` without `O_NOFOLLOW`);
    /// otherwise return the link itself (`lstat`, `unlink`, `readlink`).
    pub follow_last_symlink: bool,
    /// The result must be a directory (`O_DIRECTORY`, `chdir`), else `ENOTDIR`.
    pub want_dir: bool,
}

impl LookupFlags {
    /// Follow a final symlink (`LOOKUP_FOLLOW`).
    pub const FOLLOW: Self = LookupFlags {
        follow_last_symlink: true,
        want_dir: false,
    };
    /// Return a final symlink itself.
    pub const NOFOLLOW: Self = LookupFlags {
        follow_last_symlink: false,
        want_dir: false,
    };
}

/// Finds the inode `path` names. Linux `path_lookupat` (`fs/namei.c`): `path_init` picks
/// the starting point, then `link_path_walk` and `lookup_last` run until the last
/// component is not a symlink to follow.
///
/// `start` is where a relative path begins (the cwd for `AT_FDCWD`, else the `dirfd`'s
/// directory; `ENOTDIR` if it is not a directory); `root` is the process root.
pub fn lookup(fs: &RamFs, start: Ino, root: Ino, path: &[u8], flags: LookupFlags) -> KResult<Ino> {
    let mut nd = Nameidata::path_init(fs, start, root, path)?;
    nd.follow_last = flags.follow_last_symlink;
    nd.want_dir = flags.want_dir;
    while let Some(last) = nd.link_path_walk()? {
        match nd.lookup_last(last)? {
            // A final symlink: its body is the rest of the path.
            Some(body) => nd.stack = vec![Frame { rest: body }],
            None => break,
        }
    }
    if nd.want_dir && !fs.is_dir(nd.cur) {
        return Err(Errno::ENOTDIR);
    }
    Ok(nd.cur)
}

/// Finds the directory that holds the last component of `path`, and that component, for
/// the calls that make or remove it (`mkdirat`, `openat` with `O_CREAT`, `unlinkat`,
/// `symlinkat`, ...). Linux `filename_parentat` -> `path_parentat`.
///
/// Symlinks on the way are followed; the last component is returned as written,
/// trailing slashes dropped (callers that care, like `openat(O_CREAT)` which gives
/// `EISDIR`, check `path.ends_with(b"/")`). It may be `.` or `..`, and a path of only
/// slashes gives the root and `.`; the fs calls refuse to create those (`EEXIST`).
pub fn lookup_parent(fs: &RamFs, start: Ino, root: Ino, path: &[u8]) -> KResult<(Ino, Vec<u8>)> {
    let mut nd = Nameidata::path_init(fs, start, root, path)?;
    match nd.link_path_walk()? {
        Some(last) => Ok((nd.cur, last.name.to_vec())),
        None => Ok((nd.cur, b".".to_vec())),
    }
}

/// The absolute path of directory `dir`, walking `..` up to the root of `fs`: what
/// `getcwd` returns. Linux `d_path` / `prepend_path` (`fs/d_path.c`). A directory that
/// has been removed is `ENOENT` (Linux `getcwd` says the same); a non-directory
/// `ENOTDIR`.
pub fn path_of(fs: &RamFs, dir: Ino) -> KResult<Vec<u8>> {
    if !fs.is_dir(dir) {
        return Err(if fs.stat(dir).is_ok() {
            Errno::ENOTDIR
        } else {
            Errno::ENOENT
        });
    }
    let mut names = Vec::new();
    let mut cur = dir;
    while cur != fs.root() {
        if fs.stat(cur)?.st_nlink == 0 {
            return Err(Errno::ENOENT);
        }
        let parent = fs.parent(cur)?;
        names.push(fs.child_name(parent, cur)?);
        cur = parent;
    }
    if names.is_empty() {
        return Ok(b"/".to_vec());
    }
    let mut path = Vec::new();
    for name in names.iter().rev() {
        path.push(b'/');
        path.extend_from_slice(name);
    }
    Ok(path)
}

/// One path (or symlink body) still being walked: what is left of it.
struct Frame<'a> {
    rest: &'a [u8],
}

impl<'a> Frame<'a> {
    /// The next component, skipping slashes; `None` when only slashes are left.
    fn next_component(&mut self) -> Option<&'a [u8]> {
        let skip = self.rest.iter().take_while(|&&b| b == b'/').count();
        let s = &self.rest[skip..];
        let end = s.iter().position(|&b| b == b'/').unwrap_or(s.len());
        let (name, rest) = s.split_at(end);
        self.rest = rest;
        (!name.is_empty()).then_some(name)
    }

    /// True when nothing but slashes is left.
    fn at_end(&self) -> bool {
        self.rest.iter().all(|&b| b == b'/')
    }
}

/// The last component of the path, as `link_path_walk` leaves it for `lookup_last`.
struct Last<'a> {
    name: &'a [u8],
    /// It was followed by slashes: it must be a directory, and a symlink is followed.
    trailing_slash: bool,
}

/// The state of one lookup (Linux `struct nameidata`). Symlink bodies are borrowed from
/// the fs, which the lookup only reads.
struct Nameidata<'a> {
    fs: &'a RamFs,
    root: Ino,
    /// Where the walk is: always a directory between components.
    cur: Ino,
    /// Paths still to walk; the bottom one is the path itself (or, after a final symlink,
    /// that link's body), the others bodies of symlinks met in the middle.
    stack: Vec<Frame<'a>>,
    total_link_count: u32,
    follow_last: bool,
    want_dir: bool,
}

impl<'a> Nameidata<'a> {
    /// Checks the path and picks the starting directory. Linux `getname` (length) and
    /// `path_init`.
    fn path_init(fs: &'a RamFs, start: Ino, root: Ino, path: &'a [u8]) -> KResult<Self> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let cur = if path.starts_with(b"/") { root } else { start };
        if !fs.is_dir(cur) {
            return Err(Errno::ENOTDIR);
        }
        let stack = vec![Frame { rest: path }];
        Ok(Nameidata {
            fs,
            root,
            cur,
            stack,
            total_link_count: 0,
            follow_last: false,
            want_dir: false,
        })
    }

    /// Walks every component except the last one of the bottom path; returns that last
    /// component, or `None` if the path has none left (it was `/`, or a link body was).
    /// Linux `link_path_walk`.
    fn link_path_walk(&mut self) -> KResult<Option<Last<'a>>> {
        loop {
            let depth = self.stack.len();
            let Some(top) = self.stack.last_mut() else {
                return Ok(None);
            };
            let Some(name) = top.next_component() else {
                if depth == 1 {
                    return Ok(None);
                }
                self.stack.pop(); // a symlink body in the middle is done
                continue;
            };
            if top.at_end() {
                if depth == 1 {
                    return Ok(Some(Last {
                        name,
                        trailing_slash: !top.rest.is_empty(),
                    }));
                }
                // The last component of a link body in the middle: walked like any middle
                // component. Pop the body first, so the stack never holds finished ones.
                self.stack.pop();
            }
            match self.walk_component(name, true)? {
                Some(body) => self.stack.push(Frame { rest: body }),
                None if !self.fs.is_dir(self.cur) => return Err(Errno::ENOTDIR),
                None => {}
            }
        }
    }

    /// The last component: a trailing slash demands a directory and follows a symlink;
    /// otherwise a symlink is followed only if the caller asked. Returns the body of a
    /// link to walk next. Linux `lookup_last`.
    fn lookup_last(&mut self, last: Last<'a>) -> KResult<Option<&'a [u8]>> {
        if last.trailing_slash {
            self.want_dir = true;
            self.follow_last = true;
        }
        self.walk_component(last.name, self.follow_last)
    }

    /// One step from `cur` by `name`. Linux `walk_component`, with `handle_dots` for the
    /// dots. Returns a symlink body to walk if `step_into` followed a link.
    fn walk_component(&mut self, name: &[u8], follow: bool) -> KResult<Option<&'a [u8]>> {
        match name {
            b"." => Ok(None),
            b".." => {
                self.follow_dotdot()?;
                Ok(None)
            }
            _ => {
                let child = self.fs.lookup_child(self.cur, name)?;
                self.step_into(child, follow)
            }
        }
    }

    /// `..`: the parent, except at the process root, which is its own parent here.
    /// Linux `follow_dotdot` (without mount crossing).
    fn follow_dotdot(&mut self) -> KResult<()> {
        if self.cur != self.root {
            self.cur = self.fs.parent(self.cur)?;
        }
        Ok(())
    }

    /// Moves onto `child`, unless it is a symlink to follow: then `pick_link`. Linux
    /// `step_into`.
    fn step_into(&mut self, child: Ino, follow: bool) -> KResult<Option<&'a [u8]>> {
        if follow && self.fs.file_type(child)? == FileType::Symlink {
            return self.pick_link(child).map(Some);
        }
        self.cur = child;
        Ok(None)
    }

    /// Follows symlink `link`, which is in directory `cur`: counts it against
    /// `MAXSYMLINKS`, jumps to the root for an absolute target (a relative one is walked
    /// from `cur`), and returns the target to walk. Linux `pick_link` / `nd_jump_root`.
    fn pick_link(&mut self, link: Ino) -> KResult<&'a [u8]> {
        if self.total_link_count >= MAXSYMLINKS {
            return Err(Errno::ELOOP);
        }
        self.total_link_count += 1;
        let fs: &'a RamFs = self.fs;
        let body = fs.readlink(link)?;
        if body.starts_with(b"/") {
            self.cur = self.root;
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests;
