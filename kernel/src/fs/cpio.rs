//! The initramfs archive format: cpio `newc`, optionally gzip-compressed.
//!
//! `kernel/src/fs/cpio.rs` (module `fs::cpio`) only *reads* archives; it creates nothing
//! (`initramfs.rs` makes the files). [`parse`] / [`Entries`] walk an uncompressed `newc`
//! stream and hand out [`CpioEntry`] values that borrow names and file data straight from
//! the archive (no copies). [`for_each_entry`] is the outer loop of Linux's
//! `unpack_to_rootfs` (`init/initramfs.c`): an initramfs image is any mix of uncompressed
//! archives, zero padding and gzip members, one after another, and each gzip member holds
//! more archives, which `gzip.rs` inflates.
//!
//! A `newc` archive is a list of members, each: a 110-byte ASCII header (magic `070701`, or
//! `070702` for the "crc" variant whose checksum Linnet ignores, then 13 fields of 8 hex
//! digits), the name with its NUL, zero padding to a multiple of 4, the file data, zero
//! padding to a multiple of 4. The member named `TRAILER!!!` ends the archive.
//!
//! The archive comes from outside the kernel (the bootloader's initrd), so every length
//! is checked before it is used: a bad archive is a [`CpioError`] with a message and the
//! byte offset, never a panic or an out-of-bounds read. Tests: `cpio/tests.rs`, with
//! archives written by `cpio/test_archive.rs`.
//!
//! Read next: `initramfs.rs` (`unpack_to_rootfs`, which creates the files), `ramfs.rs`.

use alloc::vec::Vec;
use core::fmt;

use super::gzip::{gunzip_member, is_gzip};
use super::namei::PATH_MAX;

#[cfg(test)]
pub(crate) mod test_archive;
#[cfg(test)]
mod tests;

/// The size of a `newc` header: 6 bytes of magic and 13 fields of 8 hex digits.
const HEADER_LEN: usize = 110;
/// The name of the member that ends an archive.
const TRAILER: &[u8] = b"TRAILER!!!";

/// One member of a `newc` archive (Linux collects the same fields in `parse_header`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpioEntry<'a> {
    /// The path, without a leading `./` or `/` (`"."` itself becomes `""`, the root).
    pub name: &'a [u8],
    /// File type bits (`S_IFMT`, Linux values) and permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Number of links; `>= 2` marks a hard-link candidate (Linux `maybe_link`).
    pub nlink: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: u32,
    /// The inode number on the machine that made the archive (hard links share it).
    pub ino: u32,
    /// Major number of the device the file was on (for hard-link matching).
    pub dev_major: u32,
    /// Minor number of the device the file was on (for hard-link matching).
    pub dev_minor: u32,
    /// Major number of a device node.
    pub rdev_major: u32,
    /// Minor number of a device node.
    pub rdev_minor: u32,
    /// The file data (a symlink's target for a symlink).
    pub data: &'a [u8],
}

/// Why an archive was refused, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpioError {
    /// Byte offset of the problem: in the image, or in the decompressed data of the gzip
    /// member named by `gzip_member`.
    pub offset: usize,
    /// What is wrong, in words.
    pub msg: &'static str,
    /// Image offset of the gzip member whose decompressed data holds the problem.
    pub gzip_member: Option<usize>,
}

impl CpioError {
    fn at(offset: usize, msg: &'static str) -> Self {
        CpioError {
            offset,
            msg,
            gzip_member: None,
        }
    }
}

impl fmt::Display for CpioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "initramfs: {} at byte {}", self.msg, self.offset)?;
        if let Some(m) = self.gzip_member {
            write!(f, " of the data inflated from the gzip member at byte {m}")?;
        }
        Ok(())
    }
}

/// Parses an uncompressed `newc` stream: one or more archives, each ending with its
/// trailer, with zero padding allowed between them. Trailers are not returned.
///
/// Mirrors the state machine of Linux `write_buffer` in `init/initramfs.c` (`do_start`,
/// `do_header`, `do_name`, `do_reset`); the files themselves are made by
/// `initramfs::unpack_to_rootfs`. For compressed images use [`for_each_entry`].
pub fn parse(archive: &[u8]) -> Result<Vec<CpioEntry<'_>>, CpioError> {
    Entries::new(archive).collect()
}

/// An iterator over the members of an uncompressed `newc` stream (see [`parse`]).
/// It yields each member, or one error and then nothing.
pub struct Entries<'a> {
    buf: &'a [u8],
    pos: usize,
    state: State,
    /// Stop after the first trailer (used by [`for_each_entry`], where what follows an
    /// archive may be gzip rather than another archive).
    one_archive: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between archives: zero padding may follow (Linux `do_reset`).
    Between,
    /// Inside an archive: a header must follow.
    InArchive,
    /// Finished, or failed.
    Done,
}

impl<'a> Entries<'a> {
    /// Walks `buf` from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Entries {
            buf,
            pos: 0,
            state: State::Between,
            one_archive: false,
        }
    }

    /// Reads the next member; `Ok(None)` at the clean end of the stream.
    pub fn next_entry(&mut self) -> Result<Option<CpioEntry<'a>>, CpioError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Between => {
                    while self.buf.get(self.pos) == Some(&0) {
                        self.pos += 1;
                    }
                    if self.pos >= self.buf.len() {
                        self.state = State::Done;
                        return Ok(None);
                    }
                    if !self.pos.is_multiple_of(4) {
                        return self.fail(CpioError::at(self.pos, "broken padding"));
                    }
                    self.state = State::InArchive;
                }
                State::InArchive => {
                    let (entry, next) = match read_member(self.buf, self.pos) {
                        Ok(v) => v,
                        Err(e) => return self.fail(e),
                    };
                    self.pos = next;
                    if entry.name == TRAILER {
                        self.state = if self.one_archive {
                            State::Done
                        } else {
                            State::Between
                        };
                        continue;
                    }
                    return Ok(Some(entry));
                }
            }
        }
    }

    fn fail<T>(&mut self, e: CpioError) -> Result<T, CpioError> {
        self.state = State::Done;
        Err(e)
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<CpioEntry<'a>, CpioError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().transpose()
    }
}

/// Rounds up to a multiple of 4 (`newc` pads names and data to 4 bytes).
fn align4(n: usize) -> Option<usize> {
    n.checked_add(3).map(|v| v & !3)
}

/// Reads the member whose header starts at `pos`; returns it and where the next one
/// starts. Linux `do_header` + `parse_header` + `do_collect` for name and data.
fn read_member(buf: &[u8], pos: usize) -> Result<(CpioEntry<'_>, usize), CpioError> {
    let header = match pos
        .checked_add(HEADER_LEN)
        .and_then(|end| buf.get(pos..end))
    {
        Some(h) => h,
        None if pos >= buf.len() => {
            return Err(CpioError::at(pos, "archive ends without TRAILER!!!"))
        }
        None => return Err(CpioError::at(pos, "truncated cpio header")),
    };
    match &header[..6] {
        b"070701" | b"070702" => {}
        b"070707" => {
            return Err(CpioError::at(
                pos,
                "incorrect cpio method used: use -H newc option",
            ))
        }
        _ => return Err(CpioError::at(pos, "bad cpio magic (want 070701)")),
    }
    // The 13 fields, in order: ino mode uid gid nlink mtime filesize devmajor devminor
    // rdevmajor rdevminor namesize check.
    let mut f = [0u32; 13];
    for (i, field) in f.iter_mut().enumerate() {
        let at = 6 + 8 * i;
        *field = parse_hex(&header[at..at + 8])
            .ok_or(CpioError::at(pos + at, "non-hex digit in cpio header"))?;
    }
    let [ino, mode, uid, gid, nlink, mtime, filesize, dev_major, dev_minor, rdev_major, rdev_minor, namesize, _check] =
        f;

    let name_at = pos + HEADER_LEN;
    let namesize = namesize as usize;
    if namesize == 0 {
        return Err(CpioError::at(name_at, "empty name (namesize 0)"));
    }
    if namesize > PATH_MAX {
        return Err(CpioError::at(name_at, "name longer than PATH_MAX"));
    }
    let raw = buf
        .get(name_at..name_at + namesize)
        .ok_or(CpioError::at(name_at, "truncated name"))?;
    let (last, text) = raw
        .split_last()
        .ok_or(CpioError::at(name_at, "empty name"))?;
    if *last != 0 {
        return Err(CpioError::at(name_at, "name not terminated by NUL"));
    }
    if text.contains(&0) {
        return Err(CpioError::at(name_at, "NUL inside name"));
    }
    let name = text; // bytes, as every path is: Linux's `do_name` takes any name but NUL

    let mut e = CpioEntry {
        name: clean_name(name),
        mode,
        uid,
        gid,
        nlink,
        mtime,
        ino,
        dev_major,
        dev_minor,
        rdev_major,
        rdev_minor,
        data: &[],
    };
    let data_at = align4(name_at + namesize).ok_or(CpioError::at(name_at, "name too long"))?;
    let data_end = data_at.checked_add(filesize as usize);
    if name == TRAILER {
        // Padding after the trailer may be cut short: the stream may simply end there.
        let next = data_end
            .and_then(align4)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        return Ok((e, next));
    }
    e.data = data_end
        .and_then(|end| buf.get(data_at..end))
        .ok_or(CpioError::at(
            data_at,
            "file data runs past the end of the archive",
        ))?;
    let next = data_end
        .and_then(align4)
        .ok_or(CpioError::at(data_at, "absurd file size"))?;
    Ok((e, next))
}

/// Eight ASCII hex digits to a number; `None` if any is not a hex digit. (Linux uses
/// `simple_strtoul`, which silently stops at a bad digit; Linnet refuses the archive.)
fn parse_hex(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &c| {
        let d = (c as char).to_digit(16)?;
        Some((acc << 4) | d)
    })
}

/// Strips leading `./` and `/` so names are relative to the root: `./bin/sh`, `/bin/sh`
/// and `bin/sh` are the same file, and `.` is the root itself (`""`).
fn clean_name(mut name: &[u8]) -> &[u8] {
    loop {
        if let Some(rest) = name.strip_prefix(b"./") {
            name = rest;
        } else if let Some(rest) = name.strip_prefix(b"/") {
            name = rest;
        } else if name == b"." {
            return b"";
        } else {
            return name;
        }
    }
}

/// Visits every member of an initramfs image, in order.
///
/// The outer loop of Linux `unpack_to_rootfs` (`init/initramfs.c`): at each point of the
/// image, zero bytes are padding and skipped; a `0` at a 4-byte boundary starts an
/// uncompressed archive, read up to its trailer; the gzip magic starts a compressed
/// member, whose inflated data is itself a `newc` stream ([`Entries`]). Anything else is
/// an error. Linux also knows bzip2, lzma, xz, lzo, lz4 and zstd; Linnet only gzip.
pub fn for_each_entry(
    image: &[u8],
    mut visit: impl FnMut(&CpioEntry<'_>),
) -> Result<(), CpioError> {
    let mut pos = 0;
    while let Some(&byte) = image.get(pos) {
        if byte == 0 {
            pos += 1;
        } else if byte == b'0' && pos.is_multiple_of(4) {
            let mut it = Entries {
                buf: image,
                pos,
                state: State::InArchive,
                one_archive: true,
            };
            while let Some(e) = it.next_entry()? {
                visit(&e);
            }
            pos = it.pos;
        } else if is_gzip(&image[pos..]) {
            let (data, used) =
                gunzip_member(&image[pos..]).map_err(|e| CpioError::at(pos + e.offset, e.msg))?;
            for e in Entries::new(&data) {
                let e = e.map_err(|err| CpioError {
                    gzip_member: Some(pos),
                    ..err
                })?;
                visit(&e);
            }
            pos += used;
        } else {
            return Err(CpioError::at(
                pos,
                "invalid magic at start of compressed archive",
            ));
        }
    }
    Ok(())
}
