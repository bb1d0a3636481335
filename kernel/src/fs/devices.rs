//! The memory character devices of major 1 that are not plain null/zero (Linux
//! `drivers/char/mem.c` `devlist`, and `drivers/char/random.c` for 1:8 and 1:9).
//!
//! `/dev/full` (1:7) reads as zeros and refuses writes with ENOSPC. `/dev/random` (1:8)
//! and `/dev/urandom` (1:9) read from the kernel's generator (`crate::random`); since
//! Linux 5.6 both never block once the pool is initialised, which Linnet's always is.
//! Writing to them mixes the bytes in (Linux `write_pool`); it credits no entropy.

use crate::errno::{Errno, KResult};

/// Which device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemDev {
    /// /dev/full (1:7).
    Full,
    /// /dev/random (1:8).
    Random,
    /// /dev/urandom (1:9).
    Urandom,
}

impl MemDev {
    /// The device for a major 1 minor number, if it is one of these.
    pub fn from_minor(minor: u64) -> Option<MemDev> {
        match minor {
            7 => Some(MemDev::Full),
            8 => Some(MemDev::Random),
            9 => Some(MemDev::Urandom),
            _ => None,
        }
    }

    /// Read (Linux `read_zero` for full, `random_read_iter` / `urandom_read_iter`).
    pub fn read(self, buf: &mut [u8]) -> KResult<usize> {
        match self {
            MemDev::Full => buf.fill(0),
            MemDev::Random | MemDev::Urandom => crate::random::get_random_bytes(buf),
        }
        Ok(buf.len())
    }

    /// Write (Linux `write_full`: ENOSPC; `random_write_iter`: mix the data in).
    pub fn write(self, buf: &[u8]) -> KResult<usize> {
        match self {
            MemDev::Full => Err(Errno::ENOSPC),
            MemDev::Random | MemDev::Urandom => {
                for chunk in buf.chunks(8) {
                    let mut w = [0u8; 8];
                    w[..chunk.len()].copy_from_slice(chunk);
                    crate::random::stir(u64::from_le_bytes(w));
                }
                Ok(buf.len())
            }
        }
    }
}
