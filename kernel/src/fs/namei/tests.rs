//! Host tests of `fs/namei.rs`.

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
