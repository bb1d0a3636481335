//! Reading the built vDSO image: the dynamic symbol table lookup a C library does
//! (glibc `dl_vdso_vsym`, musl `__vdsosym`), used by the kernel to find
//! `__kernel_rt_sigreturn` (Linux gets the offsets at build time instead, from
//! `gen_vdso_offsets.sh` over `nm`), by `build.rs` to refuse a broken image, and by the
//! host tests. Pure: it reads bytes, so every bound is checked and nothing panics.

/// Why an image is refused.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum ImageError {
    /// Not a little-endian 64-bit AArch64 ELF shared object.
    NotElfDyn,
    /// A header, table or string lies outside the image.
    Truncated,
    /// Not one PT_LOAD at address 0 with the file mapped one to one.
    BadLoad,
    /// No PT_DYNAMIC, or it lacks DT_SYMTAB, DT_STRTAB or DT_HASH.
    NoDynamic,
    /// It has dynamic relocations: it would need a loader.
    HasRelocations,
}

use uapi::elf::{
    DT_GNU_HASH, DT_HASH, DT_JMPREL, DT_NULL, DT_REL, DT_RELA, DT_RELR, DT_STRTAB, DT_SYMTAB,
    DT_VERDEF, DT_VERSYM, PT_DYNAMIC, PT_LOAD, STB_GLOBAL, STB_WEAK, STT_FUNC,
};

/// The dynamic tables of a checked vDSO image (addresses are offsets: it is linked at 0).
#[derive(Debug, Clone, Copy)]
pub struct VdsoImage<'a> {
    bytes: &'a [u8],
    symtab: usize,
    strtab: usize,
    nsyms: usize,
    versym: Option<usize>,
    verdef: Option<usize>,
    /// Has a DT_GNU_HASH table besides DT_HASH.
    pub gnu_hash: bool,
}

fn u16_at(b: &[u8], off: usize) -> Result<u16, ImageError> {
    let s = b.get(off..off.checked_add(2).ok_or(ImageError::Truncated)?);
    Ok(u16::from_le_bytes(
        s.ok_or(ImageError::Truncated)?.try_into().unwrap_or([0; 2]),
    ))
}

fn u32_at(b: &[u8], off: usize) -> Result<u32, ImageError> {
    let s = b.get(off..off.checked_add(4).ok_or(ImageError::Truncated)?);
    Ok(u32::from_le_bytes(
        s.ok_or(ImageError::Truncated)?.try_into().unwrap_or([0; 4]),
    ))
}

fn u64_at(b: &[u8], off: usize) -> Result<u64, ImageError> {
    let s = b.get(off..off.checked_add(8).ok_or(ImageError::Truncated)?);
    Ok(u64::from_le_bytes(
        s.ok_or(ImageError::Truncated)?.try_into().unwrap_or([0; 8]),
    ))
}

/// The NUL-terminated string at `off`.
fn str_at(b: &[u8], off: usize) -> Result<&[u8], ImageError> {
    let tail = b.get(off..).ok_or(ImageError::Truncated)?;
    let len = tail
        .iter()
        .position(|&c| c == 0)
        .ok_or(ImageError::Truncated)?;
    Ok(&tail[..len])
}

impl<'a> VdsoImage<'a> {
    /// Check the headers and find the dynamic tables.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ImageError> {
        // e_ident: ELFCLASS64, ELFDATA2LSB; e_type ET_DYN (3); e_machine EM_AARCH64 (183).
        if bytes.get(..6) != Some(b"\x7fELF\x02\x01")
            || u16_at(bytes, 16)? != 3
            || u16_at(bytes, 18)? != 183
        {
            return Err(ImageError::NotElfDyn);
        }
        let phoff = u64_at(bytes, 32)? as usize;
        let phentsize = u16_at(bytes, 54)? as usize;
        let phnum = u16_at(bytes, 56)? as usize;
        let (mut loads, mut dynamic) = (0, None);
        for i in 0..phnum {
            let ph = phoff.saturating_add(i.saturating_mul(phentsize));
            let p_type = u32_at(bytes, ph)?;
            let p_offset = u64_at(bytes, ph + 8)?;
            let p_vaddr = u64_at(bytes, ph + 16)?;
            let p_filesz = u64_at(bytes, ph + 32)?;
            match p_type {
                PT_LOAD => {
                    loads += 1;
                    if p_offset != 0 || p_vaddr != 0 || p_filesz > bytes.len() as u64 {
                        return Err(ImageError::BadLoad);
                    }
                }
                PT_DYNAMIC => dynamic = Some(p_offset as usize),
                _ => {}
            }
        }
        if loads != 1 {
            return Err(ImageError::BadLoad);
        }
        let dynamic = dynamic.ok_or(ImageError::NoDynamic)?;
        let (mut symtab, mut strtab, mut hash) = (None, None, None);
        let (mut versym, mut verdef, mut gnu_hash) = (None, None, false);
        let mut at = dynamic;
        loop {
            let tag = u64_at(bytes, at)?;
            let val = u64_at(bytes, at + 8)? as usize;
            match tag {
                DT_NULL => break,
                DT_SYMTAB => symtab = Some(val),
                DT_STRTAB => strtab = Some(val),
                DT_HASH => hash = Some(val),
                DT_GNU_HASH => gnu_hash = true,
                DT_VERSYM => versym = Some(val),
                DT_VERDEF => verdef = Some(val),
                DT_RELA | DT_REL | DT_JMPREL | DT_RELR => return Err(ImageError::HasRelocations),
                _ => {}
            }
            at += 16;
        }
        let (symtab, strtab, hash) = match (symtab, strtab, hash) {
            (Some(s), Some(t), Some(h)) => (s, t, h),
            _ => return Err(ImageError::NoDynamic),
        };
        // DT_HASH: nbucket, nchain; nchain is the number of symbols.
        let nsyms = u32_at(bytes, hash + 4)? as usize;
        Ok(VdsoImage {
            bytes,
            symtab,
            strtab,
            nsyms,
            versym,
            verdef,
            gnu_hash,
        })
    }

    /// The name of version index `ndx` in the verdef chain, if defined.
    fn version_name(&self, ndx: u16) -> Result<Option<&'a [u8]>, ImageError> {
        let Some(mut def) = self.verdef else {
            return Ok(None);
        };
        loop {
            // Elf64_Verdef: vd_version, vd_flags, vd_ndx, vd_cnt (u16 each), vd_hash,
            // vd_aux, vd_next (u32 each). The first Verdaux names the version.
            if u16_at(self.bytes, def + 4)? & 0x7fff == ndx & 0x7fff {
                let aux = def + u32_at(self.bytes, def + 12)? as usize;
                let name = u32_at(self.bytes, aux)? as usize;
                return str_at(self.bytes, self.strtab + name).map(Some);
            }
            let next = u32_at(self.bytes, def + 16)? as usize;
            if next == 0 {
                return Ok(None);
            }
            def += next;
        }
    }

    /// The offset of function `name` defined with version `version` (musl `__vdsosym`:
    /// a FUNC, global or weak, defined, whose version entry names `version`).
    pub fn lookup(&self, name: &str, version: &str) -> Option<usize> {
        (0..self.nsyms).find_map(|i| self.symbol(i, name, version).ok().flatten())
    }

    fn symbol(&self, i: usize, name: &str, version: &str) -> Result<Option<usize>, ImageError> {
        // Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64.
        let sym = self.symtab + i * 24;
        let info = *self.bytes.get(sym + 4).ok_or(ImageError::Truncated)?;
        let (bind, typ) = (info >> 4, info & 0xf);
        if typ != STT_FUNC
            || !(bind == STB_GLOBAL || bind == STB_WEAK)
            || u16_at(self.bytes, sym + 6)? == 0
        {
            return Ok(None);
        }
        let st_name = u32_at(self.bytes, sym)? as usize;
        if str_at(self.bytes, self.strtab + st_name)? != name.as_bytes() {
            return Ok(None);
        }
        if let Some(versym) = self.versym {
            let ndx = u16_at(self.bytes, versym + 2 * i)?;
            if self.version_name(ndx)? != Some(version.as_bytes()) {
                return Ok(None);
            }
        }
        Ok(Some(u64_at(self.bytes, sym + 8)? as usize))
    }
}
