//! Host tests of the initramfs unpacker (`initramfs.rs`): every kind of member, later
//! members replacing earlier ones, missing and symlinked parents, members that are
//! skipped, hard links, gzip, and archives that are refused.

use super::*;
use crate::errno::KResult;
use crate::fs::cpio::test_archive::{gzip, Builder, Meta};
use crate::fs::namei::{self, LookupFlags};
use crate::fs::ramfs::{FileType, Ino, RAMFS_DEV};
use alloc::string::String;

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
    let stats = unpack_to_rootfs(&mut fs, &b.finish()).unwrap();
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
    let stats = unpack_to_rootfs(&mut fs, &b.finish()).unwrap();
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
    let stats = unpack_to_rootfs(&mut fs, &b.finish()).unwrap();
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
    let stats = unpack_to_rootfs(&mut fs, &b.finish()).unwrap();
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
    assert_eq!(unpack_to_rootfs(&mut fs, &gzip(&a, 0)).unwrap().files, 1);
    assert_eq!(read_all(&fs, path(&fs, "/etc/motd").unwrap()), b"hi");
    assert!(unpack_to_rootfs(&mut fs, &a[..a.len() - 130]).is_err());
}
