//! Free memory and kernel heap, as leak tests read them: /proc/meminfo's `MemFree:`
//! (kB) and, on Linnet, `HeapBytes:` (the kernel heap in use, to the byte; Linux has no
//! such line, its closest is `Slab:`).

use crate::io::{AT_FDCWD, O_RDONLY};

/// One reading of /proc/meminfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MemStat {
    /// MemFree, in kB.
    pub free_kb: u64,
    /// HeapBytes (Linnet only; 0 where the line is missing).
    pub heap_bytes: u64,
}

fn field(text: &[u8], key: &str) -> Option<u64> {
    let text = core::str::from_utf8(text).ok()?;
    text.lines().find_map(|l| {
        let v = l.strip_prefix(key)?;
        let v = v.strip_suffix(" kB").unwrap_or(v);
        v.trim().parse().ok()
    })
}

/// Read /proc/meminfo (None if it cannot be opened or has no MemFree line).
pub fn memstat() -> Option<MemStat> {
    let mut buf = [0u8; 1024];
    let fd = crate::openat(AT_FDCWD, c"/proc/meminfo", O_RDONLY, 0).ok()? as i32;
    let mut len = 0;
    while len < buf.len() {
        match crate::read(fd, &mut buf[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    let _ = crate::close(fd);
    Some(MemStat {
        free_kb: field(&buf[..len], "MemFree:")?,
        heap_bytes: field(&buf[..len], "HeapBytes:").unwrap_or(0),
    })
}

/// The reading a leak test compares against, taken with 16 KiB more stack in use than
/// the caller has. A stack never gives its pages back, and with a randomized stack top
/// (no `norandmaps`) a later call only a little deeper than this one crosses into a new
/// page in some boots and not in others: one frame "lost" now and then. Touching the
/// pages first puts them in the baseline. For the same reason the reading is the second
/// of two: parsing the first goes deeper than the `read` that took it, so it may fault in
/// a stack page after MemFree was counted (about 1 boot in 12).
#[inline(never)]
pub fn baseline() -> MemStat {
    let mut depth = [0u8; 16 << 10];
    core::hint::black_box(&mut depth);
    let _ = memstat();
    memstat().unwrap_or_default()
}

/// Heap bytes a test may find above its baseline after the processes it started are
/// gone: the kernel's tables keyed by pid (B-trees) and lists that reached a new maximum
/// keep a shape or capacity that depends on history, a few hundred bytes either way. A
/// real leak grows with every process or call (the kernel-stack leak lost 10 MiB a run).
pub const HEAP_SLACK: u64 = 4096;

/// Wait (up to about a second, in 20 ms naps) until free memory and heap are back to
/// `base`: a reaped task's last pieces (kernel stack, task struct) are freed after the
/// final switch away from it, a moment after wait4 returns. The last reading.
pub fn settle(base: MemStat) -> MemStat {
    let mut now = memstat().unwrap_or_default();
    for _ in 0..50 {
        if now.free_kb >= base.free_kb && now.heap_bytes <= base.heap_bytes {
            break;
        }
        let _ = crate::nanosleep(&crate::Timespec::from_ms(20), None);
        now = memstat().unwrap_or_default();
    }
    now
}
