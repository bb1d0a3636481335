//! The initramfs archive format: cpio `newc`, optionally gzip-compressed.
//!
//! `kernel/src/fs/cpio.rs` (module `fs::cpio`) only *reads* archives; it creates nothing.
//! [`parse`] / [`Entries`] walk an uncompressed `newc` stream and hand out [`CpioEntry`]
//! values that borrow names and file data straight from the archive (no copies).
//! [`for_each_entry`] is the outer loop of Linux's `unpack_to_rootfs`
//! (`init/initramfs.c`): an initramfs image is any mix of uncompressed archives, zero
//! padding and gzip members, one after another, and each gzip member holds more
//! archives. [`gunzip`] unwraps RFC 1952 gzip and inflates with `miniz_oxide`.
//!
//! A `newc` archive is a list of members, each: a 110-byte ASCII header (magic `070701`, or
//! `070702` for the "crc" variant whose checksum Linnet ignores, then 13 fields of 8 hex
//! digits), the name with its NUL, zero padding to a multiple of 4, the file data, zero
//! padding to a multiple of 4. The member named `TRAILER!!!` ends the archive.
//!
//! The archive comes from outside the kernel (the bootloader's initrd), so every length
//! is checked before it is used: a bad archive is a [`CpioError`] with a message and the
//! byte offset, never a panic or an out-of-bounds read.
//!
//! Read next: `ramfs.rs` (`RamFs::unpack`, which creates the files), `namei.rs`.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::namei::PATH_MAX;

/// The most [`gunzip`] inflates from one gzip member, so that a tiny "zip bomb" cannot
/// eat all memory.
pub const GUNZIP_LIMIT: usize = 64 << 20;
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
/// `RamFs::unpack`. For compressed images use [`for_each_entry`].
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

/// True if `data` starts with the gzip magic `1f 8b` (RFC 1952 ID1, ID2).
pub fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b])
}

/// Inflates gzip data: one member or several concatenated (as `gzip -d` does), with
/// trailing zero padding allowed. Each member may inflate to [`GUNZIP_LIMIT`] bytes.
///
/// Linux does this in `lib/decompress_inflate.c` (`gunzip`, zlib's inflate).
pub fn gunzip(data: &[u8]) -> Result<Vec<u8>, CpioError> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let (member, used) =
            gunzip_member(&data[pos..]).map_err(|e| CpioError::at(pos + e.offset, e.msg))?;
        if out.is_empty() {
            out = member;
        } else {
            out.try_reserve(member.len())
                .map_err(|_| CpioError::at(pos, "out of memory"))?;
            out.extend_from_slice(&member);
        }
        pos += used;
        let rest = &data[pos..];
        if rest.iter().all(|&b| b == 0) {
            return Ok(out);
        }
        if !is_gzip(rest) {
            return Err(CpioError::at(pos, "junk after gzip data"));
        }
    }
}

/// Gzip header flags (RFC 1952 section 2.3.1, `FLG`).
const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = 0xe0;

/// Inflates the one gzip member at the start of `data`: returns its contents and how many
/// bytes of `data` the member took (header, deflate stream, 8-byte trailer).
pub fn gunzip_member(data: &[u8]) -> Result<(Vec<u8>, usize), CpioError> {
    let err = CpioError::at;
    let fixed = data.get(..10).ok_or(err(0, "truncated gzip header"))?;
    if !is_gzip(fixed) {
        return Err(err(0, "bad gzip magic"));
    }
    if fixed[2] != 8 {
        return Err(err(2, "gzip compression method is not deflate"));
    }
    let flags = fixed[3];
    if flags & FRESERVED != 0 {
        return Err(err(3, "reserved gzip flag set"));
    }
    let mut pos = 10;
    if flags & FEXTRA != 0 {
        let xlen = data
            .get(pos..pos + 2)
            .ok_or(err(pos, "truncated gzip FEXTRA"))?;
        pos += 2 + u16::from_le_bytes([xlen[0], xlen[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = data.get(pos..).ok_or(err(pos, "truncated gzip header"))?;
            let nul = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or(err(pos, "unterminated gzip name or comment"))?;
            pos += nul + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2; // the header CRC16; Linnet does not check it
    }
    let deflate = data.get(pos..).ok_or(err(pos, "truncated gzip header"))?;
    let (out, used) = inflate(deflate, GUNZIP_LIMIT).map_err(|msg| err(pos, msg))?;
    pos += used;
    let trailer = data
        .get(pos..pos + 8)
        .ok_or(err(pos, "truncated gzip trailer"))?;
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let isize = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if crc != crc32(&out) {
        return Err(err(pos, "gzip CRC32 mismatch"));
    }
    if isize != out.len() as u32 {
        return Err(err(pos + 4, "gzip ISIZE mismatch"));
    }
    Ok((out, pos + 8))
}

/// Inflates one raw deflate stream into at most `limit` bytes; returns the data and the
/// number of input bytes the stream used (so the gzip trailer can be found after it).
fn inflate(input: &[u8], limit: usize) -> Result<(Vec<u8>, usize), &'static str> {
    use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;

    let mut out = vec![0u8; input.len().saturating_mul(4).clamp(1, limit.max(1))];
    // The decompressor is about 11 KiB: on the heap, not on a kernel stack.
    let mut state = Box::<DecompressorOxide>::default();
    let (mut in_pos, mut out_pos) = (0, 0);
    loop {
        let rest = input.get(in_pos..).unwrap_or(&[]);
        let (status, used, written) = decompress(
            &mut state,
            rest,
            &mut out,
            out_pos,
            TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        in_pos += used;
        out_pos += written;
        match status {
            TINFLStatus::Done => {
                out.truncate(out_pos);
                return Ok((out, in_pos));
            }
            TINFLStatus::HasMoreOutput => {
                if out.len() >= limit {
                    return Err("gzip data inflates past the size limit");
                }
                let new_len = out.len().saturating_mul(2).min(limit);
                out.try_reserve(new_len - out.len())
                    .map_err(|_| "out of memory inflating gzip data")?;
                out.resize(new_len, 0);
            }
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                return Err("truncated deflate data")
            }
            _ => return Err("corrupt deflate data"),
        }
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320), as the gzip trailer uses.
pub fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |crc, &b| {
        CRC_TABLE[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8)
    })
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// A tiny `newc` writer for the tests of this module and of `ramfs` / `namei`.
#[cfg(test)]
pub(crate) mod test_archive {
    use alloc::format;
    use alloc::vec::Vec;

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
        if flags & super::FEXTRA != 0 {
            out.extend_from_slice(&[4, 0, b'x', b'y', 0, 0]);
        }
        if flags & super::FNAME != 0 {
            out.extend_from_slice(b"initramfs.cpio\0");
        }
        if flags & super::FCOMMENT != 0 {
            out.extend_from_slice(b"a comment\0");
        }
        if flags & super::FHCRC != 0 {
            out.extend_from_slice(&[0xab, 0xcd]);
        }
        out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
        out.extend_from_slice(&super::crc32(data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_archive::{gzip, Builder, Meta};
    use super::*;
    use alloc::string::String;

    fn sample() -> Vec<u8> {
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

    #[test]
    fn parses_every_kind() {
        let a = sample();
        let v = parse(&a).unwrap();
        let names: Vec<&str> = v
            .iter()
            .map(|e| core::str::from_utf8(e.name).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "",
                "bin",
                "bin/hello",
                "etc/motd",
                "init",
                "dev/console",
                "empty"
            ]
        );
        assert_eq!(v[0].mode, 0o040755);
        assert_eq!(v[2].mode, 0o100755);
        assert_eq!(v[2].data, b"hello, world\n");
        assert_eq!(v[3].data, b"abc");
        assert_eq!(v[4].mode, 0o120777);
        assert_eq!(v[4].data, b"/bin/hello");
        assert_eq!(
            (v[5].mode, v[5].rdev_major, v[5].rdev_minor),
            (0o020600, 5, 1)
        );
        assert_eq!(v[6].data, b"");
        assert_eq!(v[1].nlink, 2);
        assert_eq!(v[2].ino, 3);
    }

    #[test]
    fn crc_variant_and_empty_streams() {
        let mut a = sample();
        a[5] = b'2'; // 070702: the checksum is ignored
        assert_eq!(parse(&a).unwrap().len(), 7);
        assert_eq!(parse(&[]).unwrap(), []);
        assert_eq!(parse(&[0; 1024]).unwrap(), []);
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        let a = sample();
        let full = parse(&a).unwrap().len();
        let trailer_at = a.len() - 124; // 110 + "TRAILER!!!\0" padded to 124
        for len in 0..a.len() {
            match parse(&a[..len]) {
                Ok(v) => assert!(
                    len == 0 || len > trailer_at,
                    "len {len} parsed {} entries",
                    v.len()
                ),
                // The offset is where the missing piece should start (at most the padding
                // after the name past the cut).
                Err(e) => assert!(e.offset <= len + 3, "len {len}: {e}"),
            }
            let n = parse(&a[..len]).map(|v| v.len()).unwrap_or(0);
            assert!(n < full || len > trailer_at);
        }
    }

    #[test]
    fn corrupted_headers_say_where() {
        let a = sample();
        let mut bad = a.clone();
        bad[6 + 8 + 3] = b'g'; // inside the first member's mode field
        let e = parse(&bad).unwrap_err();
        assert_eq!((e.offset, e.msg), (6 + 8, "non-hex digit in cpio header"));
        let mut bad = a.clone();
        bad[0] = b'1';
        assert_eq!(parse(&bad).unwrap_err().msg, "bad cpio magic (want 070701)");
        let mut bad = a.clone();
        bad[..6].copy_from_slice(b"070707");
        assert!(parse(&bad).unwrap_err().msg.contains("-H newc"));
        // The second member: corrupt its magic; the offset names it.
        let second = a.windows(6).skip(1).position(|w| w == b"070701").unwrap() + 1;
        let mut bad = a.clone();
        bad[second + 2] = b'X';
        assert_eq!(parse(&bad).unwrap_err().offset, second);
        // A format's own words in the printed form.
        let text = alloc::format!("{}", parse(&bad).unwrap_err());
        assert!(text.contains("bad cpio magic") && text.contains(&alloc::format!("byte {second}")));
    }

    /// Sets header field `i` (0 = ino ... 12 = check) of the member at `at`.
    fn set_field(a: &mut [u8], at: usize, i: usize, v: u32) {
        a[at + 6 + 8 * i..at + 14 + 8 * i].copy_from_slice(alloc::format!("{v:08X}").as_bytes());
    }

    #[test]
    fn absurd_sizes_and_bad_names() {
        let a = Builder::default().file("f", 0o644, b"data").finish();
        let cases: [(usize, u32, &str); 4] = [
            (6, 0xffff_ffff, "file data runs past the end of the archive"),
            (11, 0xffff_ffff, "name longer than PATH_MAX"),
            (11, 0, "empty name (namesize 0)"),
            (11, 1, "name not terminated by NUL"),
        ];
        for (field, v, msg) in cases {
            let mut bad = a.clone();
            set_field(&mut bad, 0, field, v);
            assert_eq!(parse(&bad).unwrap_err().msg, msg, "field {field} = {v:#x}");
        }
        let mut bad = a.clone();
        set_field(&mut bad, 0, 11, 4000); // fits PATH_MAX, but not the archive
        assert_eq!(parse(&bad).unwrap_err().msg, "truncated name");
        let mut bad = a.clone();
        bad[110] = 0xff; // the name "f" becomes a byte that is not UTF-8: still a name
        assert_eq!(parse(&bad).unwrap()[0].name, b"\xff");
        let no_trailer = &a[..a.len() - 124];
        assert_eq!(
            parse(no_trailer).unwrap_err().msg,
            "archive ends without TRAILER!!!"
        );
        let b = Builder::default()
            .raw(
                "a\0b",
                Meta {
                    mode: 0o100644,
                    ..Meta::default()
                },
                b"",
            )
            .finish();
        assert_eq!(parse(&b).unwrap_err().msg, "NUL inside name");
    }

    #[test]
    fn concatenated_archives_with_padding() {
        let mut a = Builder::default().dir("a", 0o755).finish();
        a.extend_from_slice(&[0; 512]);
        a.extend_from_slice(&Builder::default().file("a/b", 0o644, b"x").finish());
        a.extend_from_slice(&Builder::default().file("c", 0o644, b"y").finish());
        let names: Vec<&[u8]> = parse(&a).unwrap().iter().map(|e| e.name).collect();
        assert_eq!(names, [&b"a"[..], b"a/b", b"c"]);
        // Padding that leaves the next header off a 4-byte boundary is refused.
        let mut b = Builder::default().dir("a", 0o755).finish();
        b.push(0);
        b.extend_from_slice(&Builder::default().dir("b", 0o755).finish());
        assert_eq!(parse(&b).unwrap_err().msg, "broken padding");
        // Junk after a trailer is a bad magic.
        let mut c = Builder::default().dir("a", 0o755).finish();
        c.extend_from_slice(&[b'j'; 200]);
        assert_eq!(parse(&c).unwrap_err().msg, "bad cpio magic (want 070701)");
    }

    #[test]
    fn gzip_round_trip_with_every_header_flag() {
        let a = sample();
        for flags in [
            0,
            FEXTRA,
            FNAME,
            FCOMMENT,
            FHCRC,
            FEXTRA | FNAME | FCOMMENT | FHCRC,
        ] {
            let gz = gzip(&a, flags);
            assert!(is_gzip(&gz));
            assert_eq!(gunzip(&gz).unwrap(), a, "flags {flags:#x}");
            let (_, used) = gunzip_member(&gz).unwrap();
            assert_eq!(used, gz.len());
        }
        assert!(!is_gzip(&a));
    }

    #[test]
    fn gzip_errors() {
        let a = sample();
        let gz = gzip(&a, FNAME);
        for len in 0..gz.len() {
            assert!(gunzip(&gz[..len]).is_err(), "truncated to {len}");
        }
        let mut bad = gz.clone();
        let n = bad.len();
        bad[n - 8] ^= 1;
        assert_eq!(gunzip(&bad).unwrap_err().msg, "gzip CRC32 mismatch");
        let mut bad = gz.clone();
        bad[n - 1] ^= 1;
        assert_eq!(gunzip(&bad).unwrap_err().msg, "gzip ISIZE mismatch");
        let mut bad = gz.clone();
        bad[2] = 7;
        assert_eq!(
            gunzip(&bad).unwrap_err().msg,
            "gzip compression method is not deflate"
        );
        let mut bad = gz.clone();
        bad[3] |= 0x80;
        assert_eq!(gunzip(&bad).unwrap_err().msg, "reserved gzip flag set");
        let mut bad = gz.clone();
        bad[40] ^= 0xff; // inside the deflate data
        assert!(gunzip(&bad).is_err());
        // The size limit: a small limit on the private inflater shows the check.
        let deflated = miniz_oxide::deflate::compress_to_vec(&[0u8; 100_000], 6);
        assert_eq!(
            inflate(&deflated, 1000).unwrap_err(),
            "gzip data inflates past the size limit"
        );
        assert_eq!(inflate(&deflated, 100_000).unwrap().0.len(), 100_000);
        // Two members concatenated, then zero padding: one stream; then junk: an error.
        let mut two = gzip(b"abc", 0);
        two.extend_from_slice(&gzip(b"def", FNAME));
        two.extend_from_slice(&[0; 7]);
        assert_eq!(gunzip(&two).unwrap(), b"abcdef");
        two.push(1);
        assert_eq!(gunzip(&two).unwrap_err().msg, "junk after gzip data");
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926); // the standard check value
    }

    fn names_in(image: &[u8]) -> Result<Vec<String>, CpioError> {
        let mut names = Vec::new();
        for_each_entry(image, |e| {
            names.push(String::from_utf8(e.name.to_vec()).unwrap())
        })?;
        Ok(names)
    }

    #[test]
    fn images_mix_plain_archives_padding_and_gzip() {
        let mut image = Builder::default().dir("a", 0o755).finish();
        image.extend_from_slice(&[0; 8]);
        let inner = [
            Builder::default().file("b", 0o644, b"1").finish(),
            Builder::default().file("c", 0o644, b"2").finish(),
        ]
        .concat();
        image.extend_from_slice(&gzip(&inner, 0));
        image.extend_from_slice(&[0; 3]);
        image.extend_from_slice(&gzip(&Builder::default().dir("d", 0o700).finish(), FNAME));
        // An uncompressed archive must start at a 4-byte boundary of the image.
        image.resize(image.len() + 5 + (4 - (image.len() + 5) % 4) % 4, 0);
        image.extend_from_slice(&Builder::default().dir("e", 0o700).finish());
        assert_eq!(names_in(&image).unwrap(), ["a", "b", "c", "d", "e"]);
        // A bad archive inside a gzip member names the member.
        let bad_inner = &inner[..inner.len() - 4];
        let mut bad = Builder::default().dir("a", 0o755).finish();
        let member_at = bad.len();
        bad.extend_from_slice(&gzip(bad_inner, 0));
        let e = names_in(&bad).unwrap_err();
        assert_eq!(e.gzip_member, Some(member_at));
        assert_eq!(
            names_in(b"\0\0\0\0xyz").unwrap_err().msg,
            "invalid magic at start of compressed archive"
        );
        for len in 0..image.len() {
            let _ = names_in(&image[..len]); // never panics
        }
    }

    /// The archive qemu/mkinitramfs.py writes is the one this module reads.
    #[test]
    fn agrees_with_mkinitramfs_py() {
        use std::process::Command;
        let dir = std::env::temp_dir().join(alloc::format!("linnet-cpio-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let host = dir.join("hello");
        std::fs::write(&host, b"hello from the host\n").unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../qemu/mkinitramfs.py");
        for gz in [false, true] {
            let out = dir.join(if gz { "i.cpio.gz" } else { "i.cpio" });
            let mut cmd = Command::new("python3");
            cmd.arg(script);
            if gz {
                cmd.arg("--gzip");
            }
            cmd.arg(&out).args([
                "dir:/bin:755",
                &alloc::format!("file:/bin/hello:755:{}", host.display()),
                "symlink:/init:/bin/hello",
                "chardev:/dev/console:600:5:1",
                "dir:/dev:755",
            ]);
            let status = match cmd.status() {
                Ok(s) => s,
                Err(_) => {
                    std::eprintln!("python3 not found: skipping agrees_with_mkinitramfs_py");
                    return;
                }
            };
            assert!(status.success());
            let image = std::fs::read(&out).unwrap();
            assert_eq!(is_gzip(&image), gz);
            let mut got = Vec::new();
            for_each_entry(&image, |e| {
                got.push((
                    String::from_utf8(e.name.to_vec()).unwrap(),
                    e.mode,
                    e.data.to_vec(),
                    e.rdev_major,
                    e.rdev_minor,
                ))
            })
            .unwrap();
            let want = [
                ("bin", 0o040755, &b""[..], 0, 0),
                ("bin/hello", 0o100755, b"hello from the host\n", 0, 0),
                ("dev", 0o040755, b"", 0, 0),
                ("dev/console", 0o020600, b"", 5, 1),
                ("init", 0o120777, b"/bin/hello", 0, 0),
            ];
            let want: Vec<_> = want
                .iter()
                .map(|&(n, m, d, a, b)| (String::from(n), m, d.to_vec(), a, b))
                .collect();
            assert_eq!(got, want);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
