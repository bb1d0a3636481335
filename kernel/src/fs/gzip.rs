//! gzip (RFC 1952): unwrap a gzip member and inflate its deflate stream.
//!
//! `kernel/src/fs/gzip.rs` (module `fs::gzip`), Linux's `lib/decompress_inflate.c`
//! (`gunzip`) with zlib's inflate replaced by the `miniz_oxide` crate. An initramfs image
//! may be gzip-compressed, and `cpio::for_each_entry` calls [`gunzip_member`] for each
//! gzip member it meets. A member is a 10-byte header (magic `1f 8b`, method 8 =
//! deflate, flags, time, extra flags, OS), the optional fields its flags announce
//! (`FEXTRA`, `FNAME`, `FCOMMENT`, `FHCRC`), a raw deflate stream, then the CRC-32 and
//! the length (mod 2^32) of the inflated data. Both are checked; the header CRC16 is not.
//!
//! The data comes from the bootloader, so every length is checked and inflating stops
//! at [`GUNZIP_LIMIT`]: a bad member is a [`GzipError`], never a panic.
//!
//! Read next: `cpio.rs` (the archives inside), `initramfs.rs`.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// The most [`gunzip`] inflates from one gzip member, so that a tiny "zip bomb" cannot
/// eat all memory.
pub const GUNZIP_LIMIT: usize = 64 << 20;

/// Why gzip data was refused, and where (Linux's decompressors report through an
/// `error` callback with a message; Linnet also keeps the offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GzipError {
    /// Byte offset of the problem in the data given to [`gunzip`] / [`gunzip_member`].
    pub offset: usize,
    /// What is wrong, in words.
    pub msg: &'static str,
}

impl GzipError {
    fn at(offset: usize, msg: &'static str) -> Self {
        GzipError { offset, msg }
    }
}

/// True if `data` starts with the gzip magic `1f 8b` (RFC 1952 ID1, ID2).
pub fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b])
}

/// Inflates gzip data: one member or several concatenated (as `gzip -d` does), with
/// trailing zero padding allowed. Each member may inflate to [`GUNZIP_LIMIT`] bytes.
///
/// Linux does this in `lib/decompress_inflate.c` (`gunzip`, zlib's inflate).
pub fn gunzip(data: &[u8]) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let (member, used) =
            gunzip_member(&data[pos..]).map_err(|e| GzipError::at(pos + e.offset, e.msg))?;
        if out.is_empty() {
            out = member;
        } else {
            out.try_reserve(member.len())
                .map_err(|_| GzipError::at(pos, "out of memory"))?;
            out.extend_from_slice(&member);
        }
        pos += used;
        let rest = &data[pos..];
        if rest.iter().all(|&b| b == 0) {
            return Ok(out);
        }
        if !is_gzip(rest) {
            return Err(GzipError::at(pos, "junk after gzip data"));
        }
    }
}

/// Gzip header flags (RFC 1952 section 2.3.1, `FLG`).
pub(crate) const FHCRC: u8 = 1 << 1;
pub(crate) const FEXTRA: u8 = 1 << 2;
pub(crate) const FNAME: u8 = 1 << 3;
pub(crate) const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = 0xe0;

/// Inflates the one gzip member at the start of `data`: returns its contents and how many
/// bytes of `data` the member took (header, deflate stream, 8-byte trailer).
pub fn gunzip_member(data: &[u8]) -> Result<(Vec<u8>, usize), GzipError> {
    let err = GzipError::at;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::cpio::test_archive::{gzip, sample};

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
}
