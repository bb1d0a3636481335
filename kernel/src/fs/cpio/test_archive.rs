//! A tiny `newc` (and gzip) writer for host tests: `cpio`'s, `gzip`'s and
//! `initramfs`'s tests build the archives they read with it. Test-only
//! (`#[cfg(test)]` in `cpio.rs`); Linux's counterpart is `usr/gen_init_cpio.c`.
//!
//! `kernel/src/fs/cpio/test_archive.rs` (module `fs::cpio::test_archive`).
//!
//! Read next: `cpio/tests.rs`.

use alloc::format;
use alloc::vec::Vec;

use crate::fs::gzip::{crc32, FCOMMENT, FEXTRA, FHCRC, FNAME};

/// Builds an archive member by member; [`Builder::finish`] adds the trailer.
#[derive(Default)]
pub struct Builder {
    pub out: Vec<u8>,
    next_ino: u32,
}

/// One member's header fields the tests vary.
#[derive(Clone, Copy, Default)]
pub struct Meta {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub mtime: u32,
    pub ino: u32,
    pub rdev: (u32, u32),
}

impl Builder {
    pub fn raw(&mut self, name: &str, m: Meta, data: &[u8]) -> &mut Self {
        let namesize = name.len() + 1;
        let fields = [
            m.ino,
            m.mode,
            m.uid,
            m.gid,
            m.nlink,
            m.mtime,
            data.len() as u32,
            0,
            0,
            m.rdev.0,
            m.rdev.1,
            namesize as u32,
            0,
        ];
        self.out.extend_from_slice(b"070701");
        for f in fields {
            self.out.extend_from_slice(format!("{f:08X}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        self.pad();
        self.out.extend_from_slice(data);
        self.pad();
        self
    }

    fn pad(&mut self) {
        while !self.out.len().is_multiple_of(4) {
            self.out.push(0);
        }
    }

    fn ino(&mut self) -> u32 {
        self.next_ino += 1;
        self.next_ino
    }

    pub fn dir(&mut self, name: &str, perm: u32) -> &mut Self {
        let ino = self.ino();
        self.raw(
            name,
            Meta {
                mode: 0o040000 | perm,
                nlink: 2,
                ino,
                ..Meta::default()
            },
            b"",
        )
    }

    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> &mut Self {
        let ino = self.ino();
        self.raw(
            name,
            Meta {
                mode: 0o100000 | perm,
                nlink: 1,
                ino,
                ..Meta::default()
            },
            data,
        )
    }

    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        let ino = self.ino();
        self.raw(
            name,
            Meta {
                mode: 0o120777,
                nlink: 1,
                ino,
                ..Meta::default()
            },
            target.as_bytes(),
        )
    }

    pub fn chardev(&mut self, name: &str, perm: u32, major: u32, minor: u32) -> &mut Self {
        let ino = self.ino();
        let m = Meta {
            mode: 0o020000 | perm,
            nlink: 1,
            ino,
            rdev: (major, minor),
            ..Meta::default()
        };
        self.raw(name, m, b"")
    }

    /// Adds the trailer and returns the archive.
    pub fn finish(&mut self) -> Vec<u8> {
        self.raw(
            "TRAILER!!!",
            Meta {
                nlink: 1,
                ..Meta::default()
            },
            b"",
        );
        core::mem::take(&mut self.out)
    }
}

/// Wraps `data` in a gzip member with the header `flags` asks for (RFC 1952).
pub fn gzip(data: &[u8], flags: u8) -> Vec<u8> {
    let mut out = alloc::vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3];
    if flags & FEXTRA != 0 {
        out.extend_from_slice(&[4, 0, b'x', b'y', 0, 0]);
    }
    if flags & FNAME != 0 {
        out.extend_from_slice(b"initramfs.cpio\0");
    }
    if flags & FCOMMENT != 0 {
        out.extend_from_slice(b"a comment\0");
    }
    if flags & FHCRC != 0 {
        out.extend_from_slice(&[0xab, 0xcd]);
    }
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// An archive with one member of each kind the tests need.
pub fn sample() -> Vec<u8> {
    Builder::default()
        .dir(".", 0o755)
        .dir("./bin", 0o755)
        .file("./bin/hello", 0o755, b"hello, world\n")
        .file("/etc/motd", 0o644, b"abc")
        .symlink("init", "/bin/hello")
        .chardev("dev/console", 0o600, 5, 1)
        .file("empty", 0o600, b"")
        .finish()
}
