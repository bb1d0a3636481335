//! Finding the vDSO's functions, the way a C library does (musl `src/internal/vdso.c`
//! `__vdsosym`; glibc `dl_vdso_vsym`): AT_SYSINFO_EHDR points at an ELF shared object the
//! kernel mapped; its PT_LOAD and PT_DYNAMIC program headers give the load bias and the
//! dynamic section; DT_SYMTAB, DT_STRTAB, DT_HASH (its nchain is the symbol count),
//! DT_VERSYM and DT_VERDEF give the symbols and their versions. A symbol counts if it is
//! a defined global (or weak) function whose version is the one asked for.
//!
//! Everything here reads memory the kernel mapped read-only; a kernel that passes a bad
//! AT_SYSINFO_EHDR would make it fault, as it would make a C library fault.

use crate::start::auxv;

/// AT_SYSINFO_EHDR: the address of the vDSO's ELF header.
pub use uapi::auxvec::AT_SYSINFO_EHDR;
use uapi::elf::{
    DT_HASH, DT_NULL, DT_STRTAB, DT_SYMTAB, DT_VERDEF, DT_VERSYM, PT_DYNAMIC, PT_LOAD,
};

/// The vDSO's tables, as absolute addresses.
#[derive(Clone, Copy, Debug)]
pub struct Vdso {
    /// Where the ELF header is (AT_SYSINFO_EHDR).
    pub base: usize,
    bias: usize,
    symtab: usize,
    strtab: usize,
    nsyms: usize,
    versym: usize,
    verdef: usize,
}

/// Read a `T` at `addr`.
///
/// # Safety
/// `addr` must be readable memory holding a `T` (the mapped vDSO).
unsafe fn rd<T: Copy>(addr: usize) -> T {
    // SAFETY: the caller's contract.
    unsafe { core::ptr::read_unaligned(addr as *const T) }
}

/// Does the NUL-terminated string at `addr` equal `s`?
///
/// # Safety
/// `addr` must be a readable NUL-terminated string.
unsafe fn str_eq(addr: usize, s: &str) -> bool {
    for (i, &b) in s.as_bytes().iter().enumerate() {
        // SAFETY: the string is readable up to and including its NUL, and we stop at the
        // first difference (a NUL differs from every byte of `s`).
        if unsafe { rd::<u8>(addr + i) } != b {
            return false;
        }
    }
    // SAFETY: as above.
    unsafe { rd::<u8>(addr + s.len()) == 0 }
}

impl Vdso {
    /// The vDSO the kernel gave this process, if any: an ELF header with one PT_LOAD and
    /// a PT_DYNAMIC with DT_SYMTAB, DT_STRTAB and DT_HASH.
    pub fn from_auxv() -> Option<Vdso> {
        let base = auxv(AT_SYSINFO_EHDR)? as usize;
        // SAFETY: AT_SYSINFO_EHDR points at the mapped vDSO; every address read below
        // comes from its own headers.
        unsafe { Self::parse(base) }
    }

    /// # Safety
    /// `base` must be a mapped ELF image.
    unsafe fn parse(base: usize) -> Option<Vdso> {
        // SAFETY: the caller's contract, for every read.
        unsafe {
            if rd::<[u8; 4]>(base) != *b"\x7fELF" || rd::<u8>(base + 4) != 2 {
                return None;
            }
            let phoff = rd::<u64>(base + 32) as usize;
            let phentsize = rd::<u16>(base + 54) as usize;
            let phnum = rd::<u16>(base + 56) as usize;
            let (mut bias, mut dynamic) = (None, None);
            for i in 0..phnum {
                let ph = base + phoff + i * phentsize;
                let (off, vaddr) = (rd::<u64>(ph + 8) as usize, rd::<u64>(ph + 16) as usize);
                match rd::<u32>(ph) {
                    PT_LOAD if bias.is_none() => bias = Some(base + off - vaddr),
                    PT_DYNAMIC => dynamic = Some(base + off),
                    _ => {}
                }
            }
            let (bias, mut dynp) = (bias?, dynamic?);
            let mut v = Vdso {
                base,
                bias,
                symtab: 0,
                strtab: 0,
                nsyms: 0,
                versym: 0,
                verdef: 0,
            };
            loop {
                let (tag, val) = (rd::<u64>(dynp), rd::<u64>(dynp + 8) as usize);
                match tag {
                    DT_NULL => break,
                    DT_SYMTAB => v.symtab = bias + val,
                    DT_STRTAB => v.strtab = bias + val,
                    DT_HASH => v.nsyms = rd::<u32>(bias + val + 4) as usize,
                    DT_VERSYM => v.versym = bias + val,
                    DT_VERDEF => v.verdef = bias + val,
                    _ => {}
                }
                dynp += 16;
            }
            (v.symtab != 0 && v.strtab != 0 && v.nsyms != 0).then_some(v)
        }
    }

    /// Does version index `ndx` name `version` in the verdef chain?
    fn version_is(&self, ndx: u16, version: &str) -> bool {
        if self.verdef == 0 {
            return true; // unversioned: any version matches (musl's rule)
        }
        let mut def = self.verdef;
        // SAFETY: the verdef chain of the mapped vDSO.
        unsafe {
            loop {
                // Elf64_Verdef: vd_flags at 2 (VER_FLG_BASE = 1), vd_ndx at 4, vd_aux at
                // 12, vd_next at 16; the first Verdaux's vda_name at 0.
                if rd::<u16>(def + 2) & 1 == 0 && rd::<u16>(def + 4) & 0x7fff == ndx & 0x7fff {
                    let aux = def + rd::<u32>(def + 12) as usize;
                    return str_eq(self.strtab + rd::<u32>(aux) as usize, version);
                }
                let next = rd::<u32>(def + 16) as usize;
                if next == 0 {
                    return false;
                }
                def += next;
            }
        }
    }

    /// The address of function `name` at `version`, or `None` (musl `__vdsosym`).
    pub fn sym(&self, name: &str, version: &str) -> Option<usize> {
        use uapi::elf::{STB_GLOBAL, STB_WEAK, STT_FUNC};
        for i in 0..self.nsyms {
            let sym = self.symtab + i * 24;
            // SAFETY: symbol i of the mapped vDSO's table (nsyms from DT_HASH).
            let (st_name, info, shndx, value) = unsafe {
                (
                    rd::<u32>(sym) as usize,
                    rd::<u8>(sym + 4),
                    rd::<u16>(sym + 6),
                    rd::<u64>(sym + 8) as usize,
                )
            };
            let bind = info >> 4;
            if info & 0xf != STT_FUNC || !(bind == STB_GLOBAL || bind == STB_WEAK) || shndx == 0 {
                continue;
            }
            // SAFETY: st_name indexes the mapped string table.
            if !unsafe { str_eq(self.strtab + st_name, name) } {
                continue;
            }
            if self.versym != 0 {
                // SAFETY: one u16 per symbol in the mapped versym table.
                let ndx = unsafe { rd::<u16>(self.versym + 2 * i) };
                if !self.version_is(ndx, version) {
                    continue;
                }
            }
            return Some(self.bias + value);
        }
        None
    }
}
