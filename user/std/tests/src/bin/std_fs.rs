//! std_fs: std::fs and friends on a scratch directory under /tmp: create/read/write,
//! read_dir, metadata, rename, permissions, hard and symbolic links, pread/pwrite
//! (FileExt), write_vectored, seek, truncate.

use std::fs::{self, File, OpenOptions};
use std::io::{IoSlice, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt, PermissionsExt};
use tap::{Scratch, Tap};

fn main() {
    let mut t = Tap::new();
    let dir = match Scratch::new("std_fs") {
        Ok(d) => d,
        Err(e) => {
            t.ok(false, &format!("create a scratch directory: {e}"));
            std::process::exit(t.done());
        }
    };
    let a = dir.path("a.txt");

    t.ok_res(
        &fs::write(&a, b"hello, world\n"),
        "fs::write creates a file",
    );
    t.eq(
        fs::read_to_string(&a).ok(),
        Some("hello, world\n".to_string()),
        "fs::read_to_string reads it back",
    );
    let md = fs::metadata(&a);
    t.ok(
        md.as_ref()
            .map(|m| m.is_file() && m.len() == 13)
            .unwrap_or(false),
        "metadata: a file of 13 bytes",
    );
    t.ok(
        md.as_ref().map(|m| m.nlink() == 1).unwrap_or(false),
        "metadata: one link",
    );
    t.ok(
        fs::metadata(dir.path("nope")).map_err(|e| e.kind()).err()
            == Some(std::io::ErrorKind::NotFound),
        "metadata of a missing file: NotFound",
    );

    // Appending, seeking, reading.
    {
        let mut f = OpenOptions::new().append(true).open(&a).unwrap();
        t.ok_res(&f.write_all(b"more\n"), "append with OpenOptions::append");
    }
    let mut f = File::open(&a).unwrap();
    let mut s = String::new();
    f.seek(SeekFrom::Start(7)).unwrap();
    f.read_to_string(&mut s).unwrap();
    t.eq(s.as_str(), "world\nmore\n", "seek then read_to_string");

    // pread / pwrite (FileExt), write_vectored.
    let b = dir.path("b.bin");
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&b)
        .unwrap();
    t.eq(
        f.write_at(b"0123456789", 0).ok(),
        Some(10),
        "write_at (pwrite64) at 0",
    );
    t.eq(
        f.write_at(b"AB", 4).ok(),
        Some(2),
        "write_at (pwrite64) at 4",
    );
    let mut buf = [0u8; 4];
    t.eq(
        f.read_at(&mut buf, 3).ok(),
        Some(4),
        "read_at (pread64) 4 bytes at 3",
    );
    t.eq(&buf, b"3AB6", "read_at sees the pwrite");
    let mut pos_check = &f;
    t.eq(
        pos_check.stream_position().ok(),
        Some(0),
        "pread/pwrite leave the file offset alone",
    );
    let mut g = &f;
    let parts = [
        IoSlice::new(b"xy"),
        IoSlice::new(b"z"),
        IoSlice::new(b"!\n"),
    ];
    t.eq(
        g.write_vectored(&parts).ok(),
        Some(5),
        "write_vectored (writev) writes 3 buffers",
    );
    t.eq(
        fs::read(&b).ok(),
        Some(b"xyz!\nB6789".to_vec()),
        "writev wrote at the offset, in order",
    );
    t.ok_res(&f.set_len(3), "set_len (ftruncate) to 3");
    t.eq(
        fs::metadata(&b).map(|m| m.len()).ok(),
        Some(3),
        "the file is 3 bytes now",
    );
    t.ok_res(&f.sync_all(), "sync_all (fsync)");
    drop(f);

    // read_dir.
    fs::create_dir(dir.path("sub")).unwrap();
    fs::write(dir.path("sub/one"), "1").unwrap();
    fs::write(dir.path("sub/two"), "2").unwrap();
    let mut names: Vec<String> = fs::read_dir(dir.path("sub"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    t.eq(
        names,
        vec!["one".to_string(), "two".to_string()],
        "read_dir lists the two files (no . or ..)",
    );
    let ft = fs::read_dir(dir.path("sub"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_type()
        .unwrap();
    t.ok(ft.is_file(), "DirEntry::file_type is a file");
    t.ok(
        fs::metadata(dir.path("sub"))
            .map(|m| m.is_dir())
            .unwrap_or(false),
        "metadata: a directory",
    );

    // rename.
    t.ok_res(
        &fs::rename(dir.path("sub/one"), dir.path("sub/uno")),
        "rename within a directory",
    );
    t.ok(
        !dir.path("sub/one").exists() && dir.path("sub/uno").exists(),
        "the old name is gone, the new one there",
    );
    t.ok_res(
        &fs::rename(dir.path("sub/uno"), dir.path("sub/two")),
        "rename over an existing file",
    );
    t.eq(
        fs::read_to_string(dir.path("sub/two")).ok(),
        Some("1".to_string()),
        "the target was replaced",
    );

    // Permissions.
    let mut p = fs::metadata(&a).unwrap().permissions();
    p.set_mode(0o640);
    t.ok_res(&fs::set_permissions(&a, p), "set_permissions 0640 (chmod)");
    t.eq(
        fs::metadata(&a)
            .map(|m| m.permissions().mode() & 0o7777)
            .ok(),
        Some(0o640),
        "the mode is 0640",
    );
    let f = File::open(&a).unwrap();
    t.ok_res(
        &f.set_permissions(fs::Permissions::from_mode(0o600)),
        "File::set_permissions (fchmod)",
    );
    t.eq(
        fs::metadata(&a).map(|m| m.mode() & 0o7777).ok(),
        Some(0o600),
        "the mode is 0600",
    );
    drop(f);

    // Hard and symbolic links.
    let hard = dir.path("hard");
    t.ok_res(&fs::hard_link(&a, &hard), "hard_link");
    t.eq(
        fs::metadata(&a).map(|m| m.nlink()).ok(),
        Some(2),
        "nlink is 2",
    );
    t.ok(
        fs::metadata(&a).map(|m| m.ino()).ok() == fs::metadata(&hard).map(|m| m.ino()).ok(),
        "both names share the inode",
    );
    let soft = dir.path("soft");
    t.ok_res(&std::os::unix::fs::symlink("a.txt", &soft), "symlink");
    t.eq(
        fs::read_link(&soft).ok(),
        Some("a.txt".into()),
        "read_link gives the target",
    );
    t.ok(
        fs::symlink_metadata(&soft)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false),
        "symlink_metadata: a symlink",
    );
    t.eq(
        fs::read_to_string(&soft).ok(),
        Some("hello, world\nmore\n".to_string()),
        "reading through the symlink",
    );
    t.ok(
        fs::canonicalize(&soft)
            .map(|p| p.ends_with("a.txt"))
            .unwrap_or(false),
        "canonicalize follows the link",
    );

    // Removal.
    t.ok_res(&fs::remove_file(&hard), "remove_file");
    t.eq(
        fs::metadata(&a).map(|m| m.nlink()).ok(),
        Some(1),
        "nlink back to 1",
    );
    t.ok(
        fs::remove_dir(dir.path("sub")).is_err(),
        "remove_dir of a non-empty directory fails",
    );
    t.ok_res(&fs::remove_dir_all(dir.path("sub")), "remove_dir_all");
    t.ok(!dir.path("sub").exists(), "the directory is gone");
    let copied = fs::copy(&a, dir.path("copy"));
    t.eq(copied.ok(), Some(18), "fs::copy copies 18 bytes");

    drop(dir);
    std::process::exit(t.done());
}
