//! Vectored I/O arguments (Linux `lib/iov_iter.c` `import_iovec` / `iovec_from_user`,
//! `include/uapi/linux/uio.h`).
//!
//! `readv`/`writev`/`preadv`/`pwritev` take an array of `struct iovec { void *base;
//! size_t len; }`. Linux's rules: more than `UIO_MAXIOV` (1024) entries is EINVAL, 0
//! entries transfers nothing; a length that is negative as an `ssize_t` is EINVAL; the
//! total is capped at `MAX_RW_COUNT` (the later entries shrink or drop out), so the
//! result always fits in the return register. Each segment's address range must be a
//! user range (EFAULT), which the caller checks with `access_ok`.

use crate::errno::{Errno, KResult};
use alloc::vec::Vec;

/// Most entries in one call (Linux `UIO_MAXIOV`).
pub const UIO_MAXIOV: usize = 1024;
/// Most bytes one read or write moves (Linux `MAX_RW_COUNT`: INT_MAX rounded down to a
/// page).
pub const MAX_RW_COUNT: usize = 0x7fff_f000;

/// One segment: user address and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoVec {
    /// User address.
    pub base: usize,
    /// Length in bytes.
    pub len: usize,
}

/// Checks an iovec count before the array is read (EINVAL above `UIO_MAXIOV`).
pub fn check_count(iovcnt: usize) -> KResult<()> {
    if iovcnt > UIO_MAXIOV {
        Err(Errno::EINVAL)
    } else {
        Ok(())
    }
}

/// Decodes the array (16 bytes an entry, little-endian) and applies Linux's length
/// rules: EINVAL for a length with the sign bit set; the total capped at `limit` (the
/// entries that do not fit are shortened, then dropped).
pub fn parse(raw: &[u8], limit: usize) -> KResult<Vec<IoVec>> {
    let mut out = Vec::with_capacity(raw.len() / 16);
    let mut total = 0usize;
    for e in raw.chunks_exact(16) {
        let base = u64::from_le_bytes(e[0..8].try_into().map_err(|_| Errno::EFAULT)?) as usize;
        let len = u64::from_le_bytes(e[8..16].try_into().map_err(|_| Errno::EFAULT)?);
        if len > isize::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        let len = (len as usize).min(limit - total);
        total += len;
        out.push(IoVec { base, len });
    }
    Ok(out)
}

/// The total length of the segments.
pub fn total(iov: &[IoVec]) -> usize {
    iov.iter().map(|v| v.len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(v: &[(u64, u64)]) -> Vec<u8> {
        v.iter()
            .flat_map(|(b, l)| b.to_le_bytes().into_iter().chain(l.to_le_bytes()))
            .collect()
    }

    #[test]
    fn iovec_rules() {
        assert_eq!(check_count(1024), Ok(()));
        assert_eq!(check_count(1025), Err(Errno::EINVAL));
        let v = parse(&raw(&[(0x1000, 3), (0x2000, 0), (0x3000, 5)]), MAX_RW_COUNT).unwrap();
        assert_eq!(total(&v), 8);
        assert_eq!(
            v[2],
            IoVec {
                base: 0x3000,
                len: 5
            }
        );
        assert_eq!(
            parse(&raw(&[(0x1000, 1 << 63)]), MAX_RW_COUNT),
            Err(Errno::EINVAL)
        );
        let capped = parse(&raw(&[(0, 6), (0, 6), (0, 6)]), 10).unwrap();
        assert_eq!(capped.iter().map(|v| v.len).collect::<Vec<_>>(), [6, 4, 0]);
        assert!(parse(&[], 10).unwrap().is_empty());
    }
}
