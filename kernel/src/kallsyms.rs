//! Kernel symbol names for backtraces (`crate::kallsyms`), after Linux `kernel/kallsyms.c`.
//!
//! A panic or an unexpected exception prints addresses; this module turns an address
//! into `function+0xoffset`. The names come from the kernel's own ELF symbol table, which
//! is not loaded at run time, so after linking `kernel/scripts/kallsyms.py` (after Linux
//! `scripts/kallsyms.c`) writes a compact table into the image's `.kallsyms` section, a
//! 256 KiB zero-filled hole that `linker.ld` reserves between `__kallsyms_start` and
//! `__kallsyms_end`. Filling it in place changes no address, so one link is enough
//! (Linux links three times instead, because its table sits inside the image it
//! describes). If the script was not run the section is all zeros and `lookup` finds
//! nothing: backtraces then print bare addresses.
//!
//! The blob format (the script's docstring describes the same; change both together).
//! All integers little endian; the header is 8 bytes so the addresses are 8-byte aligned:
//!
//! ```text
//! offset        size       field
//! 0             4          magic b"KSYM"
//! 4             4          count: u32, number of symbols
//! 8             8*count    addresses: u64, sorted ascending
//! 8+8*count     4*count    name offsets: u32, relative to the string table
//! 8+12*count    ...        string table: NUL-terminated UTF-8 names
//! ```
//!
//! [`lookup_in`] only reads the blob through bounds-checked slices: a missing, zeroed or
//! corrupt table gives `None`, never a panic, because it is used while printing a panic.
//!
//! Read next: `scripts/kallsyms.py` (how the blob is built) and the backtrace printer in
//! `arch/aarch64/backtrace.rs`, which calls `lookup` for each frame's return address.

/// The magic at the start of a filled `.kallsyms` section.
pub const KALLSYMS_MAGIC: &[u8; 4] = b"KSYM";

/// Size of the blob header: the magic and the u32 symbol count.
const HEADER_LEN: usize = 8;

/// Reads a little-endian integer of `N` bytes at `off`, or None if out of bounds.
fn read_le<const N: usize>(blob: &[u8], off: usize) -> Option<[u8; N]> {
    let end = off.checked_add(N)?;
    blob.get(off..end)?.try_into().ok()
}

/// Finds the symbol containing `addr` in a blob built by `scripts/kallsyms.py`: the one
/// with the greatest address `<= addr`. Returns its name and `addr`'s offset from it.
///
/// Returns None for an empty, zeroed or corrupt blob (bad magic, a count that does not
/// fit, a name offset out of range, a name without NUL or not UTF-8) and for an address
/// below the first symbol. Past the last symbol the last one is returned, with whatever
/// offset that gives: the table has no sizes, like Linux's. A blob whose addresses are
/// not sorted gives wrong answers but still never panics.
///
/// Mirrors Linux `kallsyms_lookup()` / `get_symbol_pos()` in `kernel/kallsyms.c`; Linnet
/// leaves out name compression, module symbols and symbol sizes.
pub fn lookup_in(blob: &[u8], addr: u64) -> Option<(&str, u64)> {
    if blob.get(..4)? != KALLSYMS_MAGIC {
        return None;
    }
    let count = u32::from_le_bytes(read_le(blob, 4)?) as usize;
    let offsets_at = count.checked_mul(8)?.checked_add(HEADER_LEN)?;
    let strtab_at = count.checked_mul(4)?.checked_add(offsets_at)?;
    if count == 0 || strtab_at > blob.len() {
        return None;
    }
    let address = |i: usize| read_le(blob, HEADER_LEN + 8 * i).map(u64::from_le_bytes);

    // Binary search for the number of symbols starting at or below `addr`
    // (all reads are in bounds: i < count and the checks above).
    let (mut lo, mut hi) = (0usize, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if address(mid)? <= addr {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let index = lo.checked_sub(1)?; // None: addr is below the first symbol.
    let start = address(index)?;

    let name_off = u32::from_le_bytes(read_le(blob, offsets_at + 4 * index)?) as usize;
    let strtab = &blob[strtab_at..];
    let rest = strtab.get(name_off..)?;
    let len = rest.iter().position(|&b| b == 0)?;
    let name = core::str::from_utf8(&rest[..len]).ok()?;
    Some((name, addr.checked_sub(start)?))
}

#[cfg(target_os = "none")]
extern "C" {
    // Defined by linker.ld around the `.kallsyms` section.
    static __kallsyms_start: u8;
    static __kallsyms_end: u8;
}

/// Finds the kernel function containing `addr` (see [`lookup_in`]), in the table that
/// `scripts/kallsyms.py` wrote into this kernel image. None if the script was not run.
///
/// Mirrors Linux `kallsyms_lookup()` in `kernel/kallsyms.c`.
#[cfg(target_os = "none")]
pub fn lookup(addr: u64) -> Option<(&'static str, u64)> {
    let start = core::ptr::addr_of!(__kallsyms_start);
    let end = core::ptr::addr_of!(__kallsyms_end);
    let len = (end as usize).saturating_sub(start as usize);
    // SAFETY: linker.ld places `__kallsyms_start` and `__kallsyms_end` at the two ends
    // of the `.kallsyms` section, which is mapped read-only for the kernel's whole life
    // and never written at run time, so these `len` bytes are valid and immutable.
    let blob = unsafe { core::slice::from_raw_parts(start, len) };
    lookup_in(blob, addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Builds a blob in the format described at the top of this file.
    fn build_blob(syms: &[(u64, &str)]) -> Vec<u8> {
        let mut blob = KALLSYMS_MAGIC.to_vec();
        blob.extend_from_slice(&(syms.len() as u32).to_le_bytes());
        let mut strtab = Vec::new();
        let mut offsets = Vec::new();
        for &(addr, name) in syms {
            blob.extend_from_slice(&addr.to_le_bytes());
            offsets.extend_from_slice(&(strtab.len() as u32).to_le_bytes());
            strtab.extend_from_slice(name.as_bytes());
            strtab.push(0);
        }
        blob.extend_from_slice(&offsets);
        blob.extend_from_slice(&strtab);
        blob
    }

    const SYMS: &[(u64, &str)] = &[
        (0xffff_0000_0800_0000, "_head"),
        (0xffff_0000_0800_1000, "linnet::kernel_main"),
        (0xffff_0000_0800_1400, "linnet::mm::frame::alloc_frame"),
        (0xffff_0000_0800_2000, "do_execve"),
    ];

    #[test]
    fn lookups() {
        let blob = build_blob(SYMS);
        // Exact start, middle, and the very last byte before the next symbol.
        assert_eq!(lookup_in(&blob, 0xffff_0000_0800_0000), Some(("_head", 0)));
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_1010),
            Some(("linnet::kernel_main", 0x10))
        );
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_13ff),
            Some(("linnet::kernel_main", 0x3ff))
        );
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_1400),
            Some(("linnet::mm::frame::alloc_frame", 0))
        );
        // Before the first symbol, and after the last.
        assert_eq!(lookup_in(&blob, 0xffff_0000_07ff_ffff), None);
        assert_eq!(lookup_in(&blob, 0), None);
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_2345),
            Some(("do_execve", 0x345))
        );
        assert_eq!(lookup_in(&blob, u64::MAX).map(|s| s.0), Some("do_execve"));
        // One symbol only; and trailing zero padding (as in the real section) is fine.
        let mut one = build_blob(&[(0x1000, "only")]);
        one.resize(4096, 0);
        assert_eq!(lookup_in(&one, 0x1008), Some(("only", 8)));
        assert_eq!(lookup_in(&one, 0xfff), None);
    }

    #[test]
    fn empty_and_corrupt_blobs() {
        let good = build_blob(SYMS);
        let addr = 0xffff_0000_0800_1010;
        assert_eq!(lookup_in(&[], addr), None);
        assert_eq!(lookup_in(&[0u8; 4096], addr), None); // the script was not run
        assert_eq!(lookup_in(&build_blob(&[]), addr), None); // no symbols
        assert_eq!(lookup_in(b"KSY", addr), None);
        assert_eq!(lookup_in(b"KSYM\x01\x00", addr), None); // truncated count

        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        assert_eq!(lookup_in(&bad_magic, addr), None);

        for count in [5u32, 1000, u32::MAX] {
            let mut too_many = good.clone();
            too_many[4..8].copy_from_slice(&count.to_le_bytes());
            // Must not panic; may not find anything meaningful.
            let _ = lookup_in(&too_many, addr);
            let _ = lookup_in(&too_many, u64::MAX);
        }
        let mut way_too_many = good.clone();
        way_too_many[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(lookup_in(&way_too_many, addr), None);

        // Name offset of symbol 1 out of range.
        let offsets_at = 8 + 8 * SYMS.len();
        let mut bad_off = good.clone();
        bad_off[offsets_at + 4..offsets_at + 8].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        assert_eq!(lookup_in(&bad_off, addr), None);
        assert!(lookup_in(&bad_off, 0xffff_0000_0800_0000).is_some()); // others still fine

        // Non-UTF-8 name, and a name without its NUL at the end of the blob.
        let bad_utf8 = build_blob(&[(0x1000, "ok"), (0x2000, "\u{7f}x")]);
        let mut bad_utf8 = bad_utf8;
        let at = bad_utf8.len() - 3;
        bad_utf8[at] = 0xff;
        assert_eq!(lookup_in(&bad_utf8, 0x2000), None);
        assert_eq!(lookup_in(&bad_utf8, 0x1000), Some(("ok", 0)));
        let mut no_nul = good.clone();
        no_nul.pop();
        assert_eq!(lookup_in(&no_nul, 0xffff_0000_0800_2000), None);

        // Every truncation of a good blob is handled without panicking.
        for len in 0..good.len() {
            let _ = lookup_in(&good[..len], addr);
        }
    }

    /// Runs `scripts/kallsyms.py` with `args`; None (and a note) if python3 is missing.
    fn run_script(args: &[&str]) -> Option<std::process::Output> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/kallsyms.py");
        match Command::new("python3").arg(script).args(args).output() {
            Ok(out) => Some(out),
            Err(e) => {
                eprintln!("note: skipping kallsyms.py test, cannot run python3: {e}");
                None
            }
        }
    }

    #[test]
    fn script_self_test() {
        let Some(out) = run_script(&["--self-test"]) else {
            return;
        };
        assert!(
            out.status.success(),
            "kallsyms.py --self-test failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The script and `lookup_in` agree on the format: parse the script's test blob.
    #[test]
    fn script_blob_parses() {
        let Some(out) = run_script(&["--dump-blob-for-test"]) else {
            return;
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hex = String::from_utf8(out.stdout).expect("hex output");
        let hex = hex.trim();
        assert!(hex.len().is_multiple_of(2), "odd hex length");
        let blob: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digit"))
            .collect();

        // The fixed list in kallsyms.py (FIXED_NM_OUTPUT): unsorted, with data symbols,
        // mapping symbols and Rust hash suffixes that the script must drop or strip.
        assert_eq!(lookup_in(&blob, 0xffff_0000_0800_0000), Some(("_head", 0)));
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_1234),
            Some(("linnet::kernel_main", 0x234))
        );
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_2008),
            Some(("<linnet::mm::vma::VmArea as core::fmt::Debug>::fmt", 8))
        );
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_3000),
            Some(("local_helper", 0))
        );
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_4010),
            Some(("weak_fn", 0x10))
        );
        // The data symbol at ..._5000 was dropped, so this is still inside weak_fn.
        assert_eq!(
            lookup_in(&blob, 0xffff_0000_0800_5000),
            Some(("weak_fn", 0x1000))
        );
        assert_eq!(lookup_in(&blob, 0xffff_0000_07ff_fff0), None);
    }
}
