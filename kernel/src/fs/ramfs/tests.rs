//! Host tests of the ramfs operations: making, linking, removing, reading and writing
//! files and their errors, open-but-unlinked inodes, and the arena giving memory back.
//! (Unpacking is tested in `initramfs/tests.rs`, `struct stat` in `ramfs/stat.rs`.)

use super::*;
use crate::mm::layout::PAGE_SIZE;
use crate::mm::page_alloc;

fn read_all(fs: &RamFs, ino: Ino) -> Vec<u8> {
    let mut buf = alloc::vec![0u8; 1 << 16];
    let n = fs.read_at(ino, 0, &mut buf).unwrap();
    buf.truncate(n);
    buf
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

#[test]
fn file_data_lives_in_page_frames_with_holes() {
    let before = page_alloc::nr_used_pages();
    let mut fs = RamFs::new();
    let f = fs.create(RamFs::ROOT, b"f", 0o644).unwrap();
    // A write 3 pages in: the file grows, pages 0..3 are holes with no frame.
    let off = 3 * PAGE_SIZE as u64 + 100;
    assert_eq!(fs.write_at(f, off, b"xyz"), Ok(3));
    assert_eq!(fs.stat(f).unwrap().st_size, off as i64 + 3);
    assert_eq!(fs.mapping(f).unwrap().lock().nrpages(), 1);
    assert_eq!(page_alloc::nr_used_pages(), before + 1);
    let data = read_all(&fs, f);
    assert_eq!(data.len(), off as usize + 3);
    assert!(data[..off as usize].iter().all(|&b| b == 0));
    assert_eq!(&data[off as usize..], b"xyz");
    // A write across a page boundary fills two frames.
    let big = alloc::vec![0x5a_u8; PAGE_SIZE + 10];
    assert_eq!(fs.write_at(f, 10, &big), Ok(big.len()));
    assert_eq!(fs.mapping(f).unwrap().lock().nrpages(), 3);
    let data = read_all(&fs, f);
    assert_eq!(
        (
            data[9],
            data[10],
            data[PAGE_SIZE + 19],
            data[PAGE_SIZE + 20]
        ),
        (0, 0x5a, 0x5a, 0)
    );
    // A read straddling the end is short; at or past it, 0.
    let mut buf = [1u8; 8];
    assert_eq!(fs.read_at(f, off, &mut buf), Ok(3));
    assert_eq!(fs.read_at(f, off + 3, &mut buf), Ok(0));
    assert_eq!(fs.read_at(f, u64::MAX, &mut buf), Ok(0));
}

#[test]
fn truncate_down_frees_frames_and_up_reads_zeros() {
    let before = page_alloc::nr_used_pages();
    let mut fs = RamFs::new();
    let f = fs.create(RamFs::ROOT, b"f", 0o644).unwrap();
    let data = alloc::vec![0xee_u8; 4 * PAGE_SIZE];
    fs.write_at(f, 0, &data).unwrap();
    assert_eq!(page_alloc::nr_used_pages(), before + 4);
    fs.truncate(f, PAGE_SIZE as u64 + 5).unwrap();
    assert_eq!(page_alloc::nr_used_pages(), before + 2);
    fs.truncate(f, 3 * PAGE_SIZE as u64).unwrap(); // growth is a hole: no frame
    assert_eq!(page_alloc::nr_used_pages(), before + 2);
    let back = read_all(&fs, f);
    assert_eq!(back.len(), 3 * PAGE_SIZE);
    assert!(back[..PAGE_SIZE + 5].iter().all(|&b| b == 0xee));
    assert!(
        back[PAGE_SIZE + 5..].iter().all(|&b| b == 0),
        "the cut bytes do not come back"
    );
    fs.truncate(f, 0).unwrap();
    assert_eq!(page_alloc::nr_used_pages(), before);
    assert_eq!(fs.truncate(f, MAX_FILE_SIZE + 1), Err(Errno::EFBIG));
}

#[test]
fn unlinked_file_frames_go_with_the_last_user() {
    let before = page_alloc::nr_used_pages();
    let mut fs = RamFs::new();
    let f = fs.create(RamFs::ROOT, b"f", 0o644).unwrap();
    fs.write_at(f, 0, &alloc::vec![1u8; 3 * PAGE_SIZE]).unwrap();
    fs.iget(f).unwrap(); // an open file
    fs.unlink(RamFs::ROOT, b"f").unwrap();
    assert_eq!(
        page_alloc::nr_used_pages(),
        before + 3,
        "still open: data stays"
    );
    assert_eq!(read_all(&fs, f).len(), 3 * PAGE_SIZE);
    fs.iput(f); // last close: evict -> truncate_inode_pages_final
    assert_eq!(page_alloc::nr_used_pages(), before);
}

#[test]
fn out_of_frames_is_enomem_or_a_short_write() {
    let mut fs = RamFs::new();
    let f = fs.create(RamFs::ROOT, b"f", 0o644).unwrap();
    page_alloc::set_frame_limit(Some(page_alloc::nr_used_pages() + 1));
    let r = fs.write_at(f, 0, &alloc::vec![2u8; 2 * PAGE_SIZE]);
    let r2 = fs.write_at(f, 5 * PAGE_SIZE as u64, b"x");
    page_alloc::set_frame_limit(None);
    assert_eq!((r, r2), (Ok(PAGE_SIZE), Err(Errno::ENOMEM)));
    assert_eq!(fs.stat(f).unwrap().st_size, PAGE_SIZE as i64);
}
