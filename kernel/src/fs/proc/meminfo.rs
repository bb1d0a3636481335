//! /proc/meminfo (Linux `fs/proc/meminfo.c`).

use alloc::string::String;
use core::fmt::Write;

/// /proc/meminfo's first lines (Linux `meminfo_proc_show`: `%-16s%8lu kB`). `Cached:` is
/// the page cache (Linux `NR_FILE_PAGES` minus swap cache and buffers, both 0 here): all
/// of it is ramfs file data, which Linux keeps on the unevictable list and so leaves out
/// of MemAvailable; with no swap or reclaimable slab, MemAvailable is MemFree and the
/// rest is 0.
/// The kernel heap (Linux's slab, our kmalloc) follows as `Slab:` (kB, rounded up) and,
/// Linnet only, `HeapBytes:` to the byte, so leak tests can check it exactly.
pub fn meminfo_text(
    total_pages: usize,
    free_pages: usize,
    cached_pages: usize,
    heap_used: usize,
) -> String {
    let mut s = String::new();
    for (name, pages) in [
        ("MemTotal:", total_pages),
        ("MemFree:", free_pages),
        ("MemAvailable:", free_pages),
        ("Buffers:", 0),
        ("Cached:", cached_pages),
        ("SwapCached:", 0),
        ("SwapTotal:", 0),
        ("SwapFree:", 0),
    ] {
        let _ = writeln!(s, "{:<16}{:>8} kB", name, pages * 4);
    }
    let _ = writeln!(s, "{:<16}{:>8} kB", "Slab:", heap_used.div_ceil(1024));
    let _ = writeln!(s, "{:<16}{:>8}", "HeapBytes:", heap_used);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn meminfo_columns() {
        let m = meminfo_text(131072, 100000, 300, 5000);
        let lines: Vec<&str> = m.lines().collect();
        assert_eq!(lines[0], "MemTotal:         524288 kB");
        assert_eq!(lines[1], "MemFree:          400000 kB");
        assert_eq!(lines[2], "MemAvailable:     400000 kB");
        assert_eq!(lines[4], "Cached:             1200 kB");
        assert_eq!(lines[8], "Slab:                  5 kB");
        assert_eq!(lines[9], "HeapBytes:          5000");
        assert!(lines[..9].iter().all(|l| l.len() == 27));
    }
}
