//! System information: uname and sysinfo (Linux `kernel/sys.c`: `newuname`,
//! `do_sysinfo`).

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::KResult;
use crate::mm::{layout::PAGE_SIZE, page_alloc, uaccess};

/// The `release` uname reports: Linux-compatible, and saying it is Linnet.
pub const UTS_RELEASE: &str = "6.1.0-linnet";

/// The `version` uname reports (Linux `UTS_VERSION`), also in /proc/version.
pub const UTS_VERSION: &str = concat!("#1 Linnet ", env!("CARGO_PKG_VERSION"));

/// uname(buf): six 65-byte fields (Linux `struct new_utsname`). sysname is "Linux" so
/// programs that check it behave as on Linux; release and version say "linnet".
pub fn sys_uname(f: &mut TrapFrame) -> KResult<usize> {
    let mut buf = [0u8; 65 * 6];
    let fields = [
        "Linux",
        "linnet",
        UTS_RELEASE,
        UTS_VERSION,
        "aarch64",
        "(none)",
    ];
    for (i, s) in fields.iter().enumerate() {
        buf[i * 65..i * 65 + s.len()].copy_from_slice(s.as_bytes());
    }
    uaccess::copy_to_user(arg(f, 0) as usize, &buf)?;
    Ok(0)
}

/// sysinfo(info) (Linux `struct sysinfo` on 64-bit): uptime, memory in `mem_unit` =
/// PAGE_SIZE units, process count. freeram is the free-frame count tests compare.
pub fn sys_sysinfo(f: &mut TrapFrame) -> KResult<usize> {
    let mut s = [0u64; 14]; // 112 bytes
    s[0] = crate::drivers::timer::uptime_ns() / 1_000_000_000; // uptime
    s[4] = page_alloc::nr_total_pages() as u64; // totalram
    s[5] = page_alloc::nr_free_pages() as u64; // freeram
                                               // procs (u16) and mem_unit (u32) share words: procs at byte 80, mem_unit at 104.
    let mut bytes = [0u8; 112];
    for (i, v) in s.iter().enumerate() {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    let procs = crate::task::nr_tasks().min(u16::MAX as usize) as u16;
    bytes[80..82].copy_from_slice(&procs.to_le_bytes());
    bytes[104..108].copy_from_slice(&(PAGE_SIZE as u32).to_le_bytes());
    uaccess::copy_to_user(arg(f, 0) as usize, &bytes)?;
    Ok(0)
}
