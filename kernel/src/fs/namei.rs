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
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    /// The tree every case below walks.
    fn tree() -> RamFs {
        let mut fs = RamFs::new();
        let r = RamFs::ROOT;
        let bin = fs.mkdir(r, b"bin", 0o755).unwrap();
        fs.create(bin, b"sh", 0o755).unwrap();
        let etc = fs.mkdir(r, b"etc", 0o755).unwrap();
        fs.create(etc, b"motd", 0o644).unwrap();
        let home = fs.mkdir(r, b"home", 0o755).unwrap();
        let user = fs.mkdir(home, b"user", 0o755).unwrap();
        fs.symlink(user, b"up", b"../../etc").unwrap();
        fs.symlink(home, b"abs", b"/user").unwrap(); // absolute: means /home/user only in a chroot at /home
        fs.create(r, b"file", 0o644).unwrap();
        fs.symlink(r, b"link_abs", b"/etc/motd").unwrap();
        fs.symlink(r, b"link_rel", b"etc/motd").unwrap();
        fs.symlink(r, b"dangling", b"/nonexistent").unwrap();
        fs.symlink(r, b"loop_a", b"loop_b").unwrap();
        fs.symlink(r, b"loop_b", b"loop_a").unwrap();
        fs.symlink(r, b"dirlink", b"bin").unwrap();
        fs.symlink(r, b"filelink", b"file").unwrap();
        fs.symlink(r, b"rootlink", b"/").unwrap();
        fs.symlink(r, b"slashlink", b"bin/").unwrap();
        fs.symlink(r, b"fileslash", b"file/").unwrap();
        let sub = fs.mkdir(r, b"sub", 0o755).unwrap();
        fs.symlink(sub, b"rel", b"../bin").unwrap();
        fs.symlink(sub, b"rel2", b"../dirlink").unwrap();
        // Chains: a0 -> a1 -> ... -> a39 -> file is 40 links; b0 ... b40 -> file is 41;
        // d0 ... d39 -> bin is 40 links to a directory.
        for (prefix, n, end) in [("a", 40, "file"), ("b", 41, "file"), ("d", 40, "bin")] {
            for i in 0..n {
                let target = if i + 1 == n {
                    String::from(end)
                } else {
                    format!("{prefix}{}", i + 1)
                };
                fs.symlink(r, format!("{prefix}{i}").as_bytes(), target.as_bytes())
                    .unwrap();
            }
        }
        fs
    }

    fn at(fs: &RamFs, p: &str) -> Ino {
        lookup(
            fs,
            RamFs::ROOT,
            RamFs::ROOT,
            p.as_bytes(),
            LookupFlags::NOFOLLOW,
        )
        .unwrap()
    }

    const F: LookupFlags = LookupFlags::FOLLOW;
    const N: LookupFlags = LookupFlags::NOFOLLOW;
    const DIR: LookupFlags = LookupFlags {
        follow_last_symlink: true,
        want_dir: true,
    };
    const DIR_NOFOLLOW: LookupFlags = LookupFlags {
        follow_last_symlink: false,
        want_dir: true,
    };

    #[test]
    fn the_rules_as_a_table() {
        let fs = tree();
        let long = "x".repeat(256);
        let max = "x".repeat(255);
        let path_4095 = format!("/bin{}", "/.".repeat((4095 - 4) / 2)) + "/"; // 4095 bytes
        let path_4096 = format!("{path_4095}.");
        assert_eq!((path_4095.len(), path_4096.len()), (4095, 4096));
        // (path, start directory, flags, expected: a path to look up without following, or an errno)
        let cases: Vec<(String, &str, LookupFlags, Result<&str, Errno>)> = [
            // Where a walk starts, slashes, dots.
            ("/", "/", F, Ok("/")),
            ("//", "/bin", F, Ok("/")),
            ("///bin//sh", "/", F, Ok("/bin/sh")),
            ("bin/sh", "/", F, Ok("/bin/sh")),
            ("sh", "/bin", F, Ok("/bin/sh")),
            ("../etc/motd", "/bin", F, Ok("/etc/motd")),
            (".", "/bin", F, Ok("/bin")),
            ("./sh", "/bin", F, Ok("/bin/sh")),
            ("./", "/bin", F, Ok("/bin")),
            ("", "/", F, Err(Errno::ENOENT)),
            ("..", "/", F, Ok("/")),
            ("/../..", "/bin", F, Ok("/")),
            ("/../../bin", "/", F, Ok("/bin")),
            ("../../../", "/home/user", F, Ok("/")),
            ("sh", "/file", F, Err(Errno::ENOTDIR)), // a dirfd that is not a directory
            ("/bin", "/file", F, Ok("/bin")),        // ... does not matter for an absolute path
            // Missing names and non-directories.
            ("/nonexistent", "/", F, Err(Errno::ENOENT)),
            ("/nonexistent/", "/", F, Err(Errno::ENOENT)),
            ("/nonexistent/x", "/", F, Err(Errno::ENOENT)),
            ("/file/x", "/", F, Err(Errno::ENOTDIR)),
            ("/file/.", "/", F, Err(Errno::ENOTDIR)),
            ("/file/..", "/", F, Err(Errno::ENOTDIR)),
            ("/bin/sh/", "/", F, Err(Errno::ENOTDIR)), // a trailing slash on a file
            ("/file/", "/", N, Err(Errno::ENOTDIR)),
            ("/bin/", "/", N, Ok("/bin")),
            // want_dir (O_DIRECTORY).
            ("/bin", "/", DIR, Ok("/bin")),
            ("/file", "/", DIR, Err(Errno::ENOTDIR)),
            ("/dirlink", "/", DIR, Ok("/bin")),
            ("/dirlink", "/", DIR_NOFOLLOW, Err(Errno::ENOTDIR)),
            // Symlinks: last one per flag, middle ones always; absolute and relative bodies.
            ("/link_abs", "/", F, Ok("/etc/motd")),
            ("/link_abs", "/", N, Ok("/link_abs")),
            ("/link_rel", "/", F, Ok("/etc/motd")),
            ("link_rel", "/", F, Ok("/etc/motd")),
            ("/home/user/up/motd", "/", N, Ok("/etc/motd")), // relative to the link's directory
            ("up/motd", "/home/user", N, Ok("/etc/motd")),
            ("/home/user/up", "/", N, Ok("/home/user/up")),
            ("/home/user/up", "/", F, Ok("/etc")),
            ("/home/user/up/", "/", N, Ok("/etc")), // a trailing slash follows the last link
            ("/filelink", "/", F, Ok("/file")),
            ("/filelink/", "/", N, Err(Errno::ENOTDIR)),
            ("/dirlink/sh", "/", N, Ok("/bin/sh")),
            ("/dirlink/../etc", "/", N, Ok("/etc")), // ".." after a link: the target's parent
            ("/sub/rel/sh", "/", N, Ok("/bin/sh")),
            ("/sub/rel2/sh", "/", N, Ok("/bin/sh")), // a link whose body ends in a link
            ("/rootlink", "/", F, Ok("/")),
            ("/rootlink/bin", "/", N, Ok("/bin")),
            ("/rootlink/..", "/", N, Ok("/")),
            ("/slashlink", "/", F, Ok("/bin")),
            ("/fileslash", "/", F, Err(Errno::ENOTDIR)), // the body's trailing slash counts
            ("/fileslash", "/", N, Ok("/fileslash")),
            // Dangling links and loops.
            ("/dangling", "/", F, Err(Errno::ENOENT)),
            ("/dangling", "/", N, Ok("/dangling")),
            ("/dangling/x", "/", N, Err(Errno::ENOENT)),
            ("/loop_a", "/", F, Err(Errno::ELOOP)),
            ("/loop_a", "/", N, Ok("/loop_a")),
            ("/loop_a/x", "/", N, Err(Errno::ELOOP)),
            ("/loop_a/", "/", N, Err(Errno::ELOOP)),
            // MAXSYMLINKS = 40 per lookup.
            ("/a0", "/", F, Ok("/file")),
            ("/a1", "/", F, Ok("/file")),
            ("/b0", "/", F, Err(Errno::ELOOP)),
            ("/b1", "/", F, Ok("/file")),
            ("/b0", "/", N, Ok("/b0")),
            ("/d0/sh", "/", N, Ok("/bin/sh")),
            ("/d0/../d1", "/", F, Err(Errno::ELOOP)), // 40 + 39: the count is per lookup
            ("/d0/../dirlink/sh", "/", F, Err(Errno::ELOOP)),
            ("/d1/../dirlink/sh", "/", F, Ok("/bin/sh")),
            // Name lengths.
            (&*format!("/{long}"), "/", F, Err(Errno::ENAMETOOLONG)),
            (&*format!("/bin/{long}/x"), "/", F, Err(Errno::ENAMETOOLONG)),
            (&*format!("/nonexistent/{long}"), "/", F, Err(Errno::ENOENT)), // checked in order
            (&*format!("/{max}"), "/", F, Err(Errno::ENOENT)),
            (&*path_4095, "/", F, Ok("/bin")),
            (&*path_4096, "/", F, Err(Errno::ENAMETOOLONG)),
        ]
        .into_iter()
        .map(|(p, s, f, r)| (String::from(p), s, f, r))
        .collect();
        for (p, start, flags, want) in &cases {
            let got = lookup(&fs, at(&fs, start), RamFs::ROOT, p.as_bytes(), *flags);
            let want = want.map(|w| at(&fs, w));
            assert_eq!(got, want, "lookup({p:?} from {start}, {flags:?})");
        }
    }

    #[test]
    fn dotdot_cannot_leave_a_chroot() {
        let fs = tree();
        let home = at(&fs, "/home");
        let user = at(&fs, "/home/user");
        let look = |p: &str| lookup(&fs, home, home, p.as_bytes(), F);
        assert_eq!(look("/.."), Ok(home));
        assert_eq!(look("/../../user"), Ok(user));
        assert_eq!(look("user/../.."), Ok(home));
        assert_eq!(look("/abs"), Ok(user)); // an absolute target restarts at the chroot
        assert_eq!(look("/etc"), Err(Errno::ENOENT));
    }

    #[test]
    fn parents_for_create() {
        let fs = tree();
        let (r, bin) = (RamFs::ROOT, at(&fs, "/bin"));
        let parent = |p: &str, start: Ino| lookup_parent(&fs, start, r, p.as_bytes());
        assert_eq!(parent("/bin/new", r), Ok((bin, b"new".to_vec())));
        assert_eq!(parent("new", bin), Ok((bin, b"new".to_vec())));
        assert_eq!(parent("/dirlink/new", r), Ok((bin, b"new".to_vec())));
        assert_eq!(parent("/bin/new//", r), Ok((bin, b"new".to_vec())));
        assert_eq!(parent("/dangling", r), Ok((r, b"dangling".to_vec()))); // the last is not followed
        assert_eq!(parent("/", r), Ok((r, b".".to_vec())));
        assert_eq!(parent("/bin/..", r), Ok((bin, b"..".to_vec())));
        assert_eq!(parent("/nonexistent/new", r), Err(Errno::ENOENT));
        assert_eq!(parent("/file/new", r), Err(Errno::ENOTDIR));
        assert_eq!(parent("/loop_a/new", r), Err(Errno::ELOOP));
        assert_eq!(parent("", r), Err(Errno::ENOENT));
    }

    #[test]
    fn names_are_bytes() {
        // Any bytes but '/' and NUL make a name, UTF-8 or not (Linux `getname`).
        let mut fs = tree();
        let d = fs.mkdir(RamFs::ROOT, b"\xc3(", 0o755).unwrap();
        let f = fs.create(d, b"\xff\xfe", 0o644).unwrap();
        let r = RamFs::ROOT;
        assert_eq!(lookup(&fs, r, r, b"/\xc3(/\xff\xfe", F), Ok(f));
        assert_eq!(lookup(&fs, r, r, b"/\xc3(/\xff", F), Err(Errno::ENOENT));
        assert_eq!(path_of(&fs, d).as_deref(), Ok(&b"/\xc3("[..]));
    }

    #[test]
    fn path_of_walks_up() {
        let mut fs = tree();
        assert_eq!(path_of(&fs, RamFs::ROOT).as_deref(), Ok(&b"/"[..]));
        assert_eq!(path_of(&fs, at(&fs, "/bin")).as_deref(), Ok(&b"/bin"[..]));
        assert_eq!(
            path_of(&fs, at(&fs, "/home/user")).as_deref(),
            Ok(&b"/home/user"[..])
        );
        assert_eq!(path_of(&fs, at(&fs, "/file")), Err(Errno::ENOTDIR));
        let gone = fs.mkdir(RamFs::ROOT, b"gone", 0o755).unwrap();
        fs.iget(gone).unwrap(); // someone's cwd
        fs.rmdir(RamFs::ROOT, b"gone").unwrap();
        assert_eq!(path_of(&fs, gone), Err(Errno::ENOENT));
    }
}
