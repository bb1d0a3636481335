//! The ELF64 file format, as much as the loader reads (the System V ABI's `Elf64_Ehdr`
//! and `Elf64_Phdr`; Linux `include/uapi/linux/elf.h`). Portable and host-tested:
//! `parse_header` refuses anything the loader could not safely act on, with the reason,
//! and `plan_load` places the segments.
//!
//! The bytes are decoded by the `xmas-elf` crate (the decoder the design names; Asterinas
//! uses it too), while the checks stay Linnet's own, in Linux's order. Three things
//! keep the crate from changing what loads. (1) Its front door, `parse_header`, picks
//! a 32- or 64-bit layout from EI_CLASS and refuses any other class, but Linux's 64-bit
//! loader looks at no byte of `e_ident` past the magic; so the crate is handed a copy
//! whose EI_CLASS says 64-bit, and EI_DATA and the versions, which it only stores, are
//! left as they came. (2) It reads structures in place and panics on short or
//! misaligned input (and older versions on truncated files): the header's size and the
//! program-header table's bounds are checked first, and the bytes are copied into
//! 8-aligned buffers sized for exactly what is read. (3) It keeps `p_type`'s number
//! private and calls the values it does not name invalid, where Linux ignores them: that
//! one field is read by hand. A fuzz test below checks the crate's decoding against a
//! plain byte-by-byte decoder and that no input panics.
//!
//! Read next: `binfmt_elf.rs`, which decides what to map from these headers.

use alloc::vec::Vec;
use xmas_elf::header::{self as xheader, HeaderPt2, Machine};
use xmas_elf::program::{self as xprogram, ProgramHeader as XProgramHeader};

pub use uapi::elf::{
    EM_AARCH64, ET_DYN, ET_EXEC, PF_R, PF_W, PF_X, PT_DYNAMIC, PT_GNU_STACK, PT_INTERP, PT_LOAD,
    PT_PHDR,
};
/// Size of an ELF64 file header.
pub const EHDR_SIZE: usize = 64;
/// Size of an ELF64 program header.
pub const PHDR_SIZE: usize = 56;
/// Most program-header bytes Linux reads (`load_elf_phdrs`: at most 64 KiB and at most
/// `ELF_MIN_ALIGN`, which is the page size on arm64): more headers than fit (73 at 4 KiB
/// pages) are ENOEXEC.
pub const MAX_PHDR_BYTES: usize = 4096;
use uapi::elf::{EI_CLASS, ELFCLASS64};

// xmas-elf reads every field in the machine's byte order (it casts the bytes in place),
// whatever EI_DATA says; Linux on arm64 reads them little-endian. Same thing, as long as
// Linnet and its host tests run little-endian.
const _: () = assert!(cfg!(target_endian = "little"));

/// The fields of `Elf64_Ehdr` the loader uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ElfHeader {
    /// ET_EXEC or ET_DYN.
    pub e_type: u16,
    /// Entry point (before the load bias).
    pub e_entry: u64,
    /// File offset of the program header table.
    pub e_phoff: u64,
    /// Size of one program header (56).
    pub e_phentsize: u16,
    /// Number of program headers.
    pub e_phnum: u16,
}

/// One `Elf64_Phdr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramHeader {
    /// Segment type (PT_LOAD, ...).
    pub p_type: u32,
    /// PF_R / PF_W / PF_X.
    pub p_flags: u32,
    /// File offset of the segment's bytes.
    pub p_offset: u64,
    /// Virtual address (before the load bias).
    pub p_vaddr: u64,
    /// Physical address (unused).
    pub p_paddr: u64,
    /// Bytes in the file.
    pub p_filesz: u64,
    /// Bytes in memory (>= p_filesz; the rest is zero: bss).
    pub p_memsz: u64,
    /// Alignment.
    pub p_align: u64,
}

/// Why a file is not an ELF executable Linnet can run. Each maps to ENOEXEC, except
/// where the variant says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// Shorter than an ELF header, or no `\x7fELF` magic: not ELF at all (the next
    /// binary format may try).
    NotElf,
    /// Not ET_EXEC or ET_DYN.
    BadType,
    /// Not built for AArch64.
    BadMachine,
    /// e_phentsize is not 56, e_phnum is 0, or the table is larger than 64 KiB.
    BadPhdrTable,
    /// The program headers lie (partly) outside the file.
    PhdrOutsideFile,
}

impl ElfError {
    /// A sentence for the kernel log.
    pub fn reason(self) -> &'static str {
        match self {
            ElfError::NotElf => "not an ELF file",
            ElfError::BadType => "neither ET_EXEC nor ET_DYN",
            ElfError::BadMachine => "not built for AArch64",
            ElfError::BadPhdrTable => "bad program header table size",
            ElfError::PhdrOutsideFile => "program headers outside the file",
        }
    }
}

/// Bytes xmas-elf may read in place: its reader (`zero::read`) asserts the alignment of
/// the structure it casts to, 8 for the 64-bit ones, which a byte buffer does not have.
#[repr(C, align(8))]
struct Aligned<const N: usize>([u8; N]);

/// An ELF header that names one program header right after it: what the crate needs
/// to decode one table entry (`parse_program_header` reads entries only at the offset a
/// header names; Linux reads the table apart from the header, `elf_read_phdrs`).
const ONE_PHDR_EHDR: [u8; EHDR_SIZE] = {
    let mut h = [0u8; EHDR_SIZE];
    h[0] = 0x7f;
    h[1] = b'E';
    h[2] = b'L';
    h[3] = b'F';
    h[EI_CLASS] = ELFCLASS64;
    h[32] = EHDR_SIZE as u8; // e_phoff
    h[54] = PHDR_SIZE as u8; // e_phentsize
    h[56] = 1; // e_phnum
    h
};

/// Check and decode the file header from the first bytes of the file (Linux
/// `load_elf_binary`'s first checks and `elf_check_arch`), in Linux's order: magic,
/// e_type, e_machine, then the program header table (`elf_read_phdrs`).
pub fn parse_header(buf: &[u8], file_size: u64) -> Result<ElfHeader, ElfError> {
    // The size before the crate sees anything: it must not be handed a short header.
    if buf.len() < EHDR_SIZE || buf[0..4] != xheader::MAGIC {
        return Err(ElfError::NotElf);
    }
    // Like Linux's 64-bit loader, nothing else of e_ident is looked at: not EI_CLASS
    // (a 32-bit class with a 64-bit body loads as 64-bit; arm64's compat loader wants
    // EM_ARM), not EI_DATA (the fields are read little-endian regardless), not the
    // versions. The crate would choose the layout from EI_CLASS, so its copy says 64.
    let mut raw = Aligned([0u8; EHDR_SIZE]);
    raw.0.copy_from_slice(&buf[..EHDR_SIZE]);
    raw.0[EI_CLASS] = ELFCLASS64;
    let Ok(xmas) = xheader::parse_header(&raw.0) else {
        return Err(ElfError::NotElf); // cannot happen: size, magic and class are set
    };
    let HeaderPt2::Header64(b) = xmas.pt2 else {
        return Err(ElfError::NotElf); // cannot happen either: the class says 64
    };
    let h = ElfHeader {
        e_type: b.type_.0,
        e_entry: b.entry_point,
        e_phoff: b.ph_offset,
        e_phentsize: b.ph_entry_size,
        e_phnum: b.ph_count,
    };
    if h.e_type != ET_EXEC && h.e_type != ET_DYN {
        return Err(ElfError::BadType);
    }
    if b.machine.as_machine() != Machine::AArch64 {
        return Err(ElfError::BadMachine);
    }
    let table = h.e_phnum as usize * PHDR_SIZE;
    if h.e_phentsize as usize != PHDR_SIZE || h.e_phnum == 0 || table > MAX_PHDR_BYTES {
        return Err(ElfError::BadPhdrTable);
    }
    if h.e_phoff
        .checked_add(table as u64)
        .is_none_or(|end| end > file_size)
    {
        return Err(ElfError::PhdrOutsideFile);
    }
    Ok(h)
}

/// Decode the program header table, `bytes` being exactly `e_phnum * 56` bytes read at
/// `e_phoff` (Linux `elf_read_phdrs`); a partial entry at the end is ignored.
pub fn parse_phdrs(bytes: &[u8]) -> Vec<ProgramHeader> {
    bytes.chunks_exact(PHDR_SIZE).map(parse_phdr).collect()
}

/// Decode one 56-byte `Elf64_Phdr` with the crate, from an image of a header that names
/// it (`ONE_PHDR_EHDR`) and the entry, 8-aligned: the crate slices and casts without
/// checking, so it is handed exactly the bytes it reads.
fn parse_phdr(entry: &[u8]) -> ProgramHeader {
    let mut image = Aligned([0u8; EHDR_SIZE + PHDR_SIZE]);
    image.0[..EHDR_SIZE].copy_from_slice(&ONE_PHDR_EHDR);
    image.0[EHDR_SIZE..].copy_from_slice(entry);
    // By hand, as the crate cannot give it: `Type_`'s number is private and `get_type`
    // refuses p_type values it has no name for, which Linux ignores (and so must we).
    let p_type = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
    let p = xheader::parse_header(&image.0)
        .and_then(|h| xprogram::parse_program_header(&image.0, h, 0));
    match p {
        Ok(XProgramHeader::Ph64(p)) => ProgramHeader {
            p_type,
            p_flags: p.flags.0,
            p_offset: p.offset,
            p_vaddr: p.virtual_addr,
            p_paddr: p.physical_addr,
            p_filesz: p.file_size,
            p_memsz: p.mem_size,
            p_align: p.align,
        },
        // Cannot happen: the image's header is a constant naming one 64-bit entry (were
        // it to, the fuzz test's comparison with the byte-by-byte decoder would fail).
        Ok(XProgramHeader::Ph32(_)) | Err(_) => ProgramHeader {
            p_type,
            ..Default::default()
        },
    }
}

/// Why the program headers cannot be loaded (all ENOEXEC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// A PT_INTERP segment: dynamically linked programs need a loader Linnet lacks.
    Interpreter,
    /// No PT_LOAD segment at all.
    NoLoadSegments,
    /// p_filesz > p_memsz.
    FileszOverMemsz,
    /// p_offset + p_filesz wraps around (Linux's `vm_mmap` says EOVERFLOW). A segment
    /// that merely reaches past the end of the file is mapped, as in Linux: its pages
    /// wholly past the end are SIGBUS when touched.
    OffsetOverflow,
    /// p_vaddr and p_offset differ modulo the page size, so the file cannot be mapped.
    Misaligned,
    /// The segment reaches past TASK_SIZE, below MMAP_MIN_ADDR, or its end wraps.
    OutOfRange,
    /// A segment both writable and executable: Linnet keeps W^X for user pages too.
    WriteAndExec,
}

impl PlanError {
    /// A sentence for the kernel log.
    pub fn reason(self) -> &'static str {
        match self {
            PlanError::Interpreter => {
                "PT_INTERP: dynamic linking is not supported, link statically"
            }
            PlanError::NoLoadSegments => "no PT_LOAD segment",
            PlanError::FileszOverMemsz => "a PT_LOAD has p_filesz > p_memsz",
            PlanError::OffsetOverflow => "a PT_LOAD's p_offset + p_filesz wraps around",
            PlanError::Misaligned => {
                "a PT_LOAD has p_vaddr and p_offset differing modulo the page size"
            }
            PlanError::OutOfRange => "a PT_LOAD lies outside the user address range",
            PlanError::WriteAndExec => "a PT_LOAD is writable and executable (Linnet enforces W^X)",
        }
    }
}

/// One segment, placed: what `elf_map` maps (addresses include the load bias).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentPlan {
    /// First page of the segment.
    pub start: u64,
    /// End of the file-backed pages (page aligned).
    pub file_end: u64,
    /// End of all its pages, bss included (page aligned).
    pub mem_end: u64,
    /// File page mapped at `start`.
    pub file_pgoff: u64,
    /// Where the file bytes end: from here to `file_end` must read as zero (bss in the
    /// last file page; Linux `padzero`).
    pub zero_from: u64,
    /// PF_R / PF_W / PF_X.
    pub flags: u32,
}

/// The whole placement of an executable (what `load_elf_binary` computes before mapping).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadPlan {
    /// Added to every p_vaddr (0 for ET_EXEC).
    pub load_bias: u64,
    /// The placed segments, in program header order.
    pub segments: Vec<SegmentPlan>,
    /// Entry point.
    pub entry: u64,
    /// Address of the program headers in memory (AT_PHDR), 0 if not loaded.
    pub phdr_addr: u64,
    /// Lowest and highest addresses of executable segments (mm.start_code/end_code).
    pub start_code: u64,
    /// End of code.
    pub end_code: u64,
    /// Start of data (mm.start_data).
    pub start_data: u64,
    /// End of data (mm.end_data).
    pub end_data: u64,
    /// End of the highest segment in memory: the heap starts at the next page.
    pub elf_brk: u64,
}

/// Decide where each PT_LOAD goes and check everything the loader will rely on (the
/// checks Linux `load_elf_binary` makes, plus W^X). `dyn_base` is where an ET_DYN image
/// starts (ELF_ET_DYN_BASE plus randomness, already page aligned); `page` the page
/// size; `[min_addr, task_size)` the user range.
pub fn plan_load(
    h: &ElfHeader,
    phdrs: &[ProgramHeader],
    dyn_base: u64,
    page: u64,
    min_addr: u64,
    task_size: u64,
) -> Result<LoadPlan, PlanError> {
    if phdrs.iter().any(|p| p.p_type == PT_INTERP) {
        return Err(PlanError::Interpreter);
    }
    let loads: Vec<&ProgramHeader> = phdrs.iter().filter(|p| p.p_type == PT_LOAD).collect();
    let first = loads.first().ok_or(PlanError::NoLoadSegments)?;
    let load_bias = if h.e_type == ET_DYN {
        dyn_base.wrapping_sub(first.p_vaddr & !(page - 1))
    } else {
        0
    };
    let mut plan = LoadPlan {
        load_bias,
        start_code: u64::MAX,
        start_data: 0,
        ..Default::default()
    };
    for p in &loads {
        // LAB 4 BEGIN: refuse bad PT_LOADs: filesz over memsz, past the file end, misaligned, W+X
        if p.p_filesz > p.p_memsz {
            return Err(PlanError::FileszOverMemsz);
        }
        // Only a segment that maps file pages is checked against the file, as in Linux:
        // `elf_map` maps nothing when `p_filesz + p_vaddr % page` is 0, so an all-.bss
        // segment starting on a page may name any p_offset, even past the end.
        let maps_file = p.p_filesz != 0 || p.p_vaddr % page != 0;
        // Past the end of the file is not checked: Linux maps it, and the pages wholly
        // past the end are SIGBUS when touched (`filemap_fault`).
        if maps_file && p.p_offset.checked_add(p.p_filesz + page).is_none() {
            return Err(PlanError::OffsetOverflow);
        }
        if maps_file && p.p_vaddr % page != p.p_offset % page {
            return Err(PlanError::Misaligned);
        }
        if p.p_flags & PF_W != 0 && p.p_flags & PF_X != 0 {
            return Err(PlanError::WriteAndExec);
        }
        // LAB 4 END
        let vaddr = p
            .p_vaddr
            .checked_add(load_bias)
            .ok_or(PlanError::OutOfRange)?;
        let file_top = vaddr.checked_add(p.p_filesz).ok_or(PlanError::OutOfRange)?;
        let mem_top = vaddr.checked_add(p.p_memsz).ok_or(PlanError::OutOfRange)?;
        let start = vaddr & !(page - 1);
        let mem_end = mem_top.checked_add(page - 1).ok_or(PlanError::OutOfRange)? & !(page - 1);
        let file_end = (file_top + page - 1) & !(page - 1);
        if start < min_addr || mem_end > task_size || mem_end < start {
            return Err(PlanError::OutOfRange);
        }
        plan.segments.push(SegmentPlan {
            start,
            file_end: if p.p_filesz == 0 { start } else { file_end },
            mem_end,
            file_pgoff: if p.p_filesz == 0 {
                0
            } else {
                (p.p_offset & !(page - 1)) / page
            },
            zero_from: file_top,
            flags: p.p_flags,
        });
        if p.p_flags & PF_X != 0 {
            plan.start_code = plan.start_code.min(vaddr);
            plan.end_code = plan.end_code.max(file_top);
        }
        plan.start_data = plan
            .start_data
            .max(if p.p_flags & PF_X == 0 { vaddr } else { 0 });
        plan.end_data = plan.end_data.max(file_top);
        plan.elf_brk = plan.elf_brk.max(mem_top);
        // AT_PHDR: the PT_LOAD that holds the program header table (Linux 6.x
        // computes it the same way when there is no PT_PHDR).
        let phoff = h.e_phoff;
        if phoff >= p.p_offset && phoff < p.p_offset + p.p_filesz {
            plan.phdr_addr = vaddr + (phoff - p.p_offset);
        }
    }
    if let Some(ph) = phdrs.iter().find(|p| p.p_type == PT_PHDR) {
        plan.phdr_addr = ph.p_vaddr.wrapping_add(load_bias);
    }
    if plan.start_code == u64::MAX {
        plan.start_code = 0;
    }
    if plan.start_data == 0 {
        plan.start_data = plan.end_code;
    }
    plan.entry = h.e_entry.wrapping_add(load_bias);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(e_type: u16, machine: u16, phnum: u16) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[0..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[6] = 1;
        h[16..18].copy_from_slice(&e_type.to_le_bytes());
        h[18..20].copy_from_slice(&machine.to_le_bytes());
        h[24..32].copy_from_slice(&0x400000u64.to_le_bytes());
        h[32..40].copy_from_slice(&64u64.to_le_bytes());
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h[56..58].copy_from_slice(&phnum.to_le_bytes());
        h
    }

    #[test]
    fn accepts_a_good_header() {
        let h = parse_header(&header(ET_EXEC, EM_AARCH64, 2), 4096).unwrap();
        assert_eq!(h.e_entry, 0x400000);
        assert_eq!(h.e_phnum, 2);
        assert!(parse_header(&header(ET_DYN, EM_AARCH64, 1), 4096).is_ok());
    }

    #[test]
    fn refuses_bad_headers_with_reasons() {
        assert_eq!(parse_header(b"#!/bin/sh\n", 10), Err(ElfError::NotElf));
        assert_eq!(
            parse_header(&header(ET_EXEC, EM_AARCH64, 1)[..63], 63),
            Err(ElfError::NotElf)
        );
        let mut h = header(ET_EXEC, EM_AARCH64, 1);
        h[4] = 1; // 32-bit class, big-endian, version 0: Linux does not look
        h[5] = 2;
        h[6] = 0;
        assert!(parse_header(&h, 4096).is_ok());
        // 74 headers are 4144 bytes, more than a page: Linux refuses them.
        assert_eq!(
            parse_header(&header(ET_EXEC, EM_AARCH64, 74), 1 << 20),
            Err(ElfError::BadPhdrTable)
        );
        assert!(parse_header(&header(ET_EXEC, EM_AARCH64, 73), 1 << 20).is_ok());
        assert_eq!(
            parse_header(&header(1, EM_AARCH64, 1), 4096),
            Err(ElfError::BadType)
        );
        assert_eq!(
            parse_header(&header(ET_EXEC, 62, 1), 4096),
            Err(ElfError::BadMachine)
        );
        assert_eq!(
            parse_header(&header(ET_EXEC, EM_AARCH64, 0), 4096),
            Err(ElfError::BadPhdrTable)
        );
        assert_eq!(
            parse_header(&header(ET_EXEC, EM_AARCH64, 2000), 1 << 20),
            Err(ElfError::BadPhdrTable)
        );
        // 2 headers need 64 + 112 bytes of file.
        assert_eq!(
            parse_header(&header(ET_EXEC, EM_AARCH64, 2), 100),
            Err(ElfError::PhdrOutsideFile)
        );
        let mut h = header(ET_EXEC, EM_AARCH64, 1);
        h[32..40].copy_from_slice(&u64::MAX.to_le_bytes()); // e_phoff wraps
        assert_eq!(parse_header(&h, 4096), Err(ElfError::PhdrOutsideFile));
    }

    fn load(vaddr: u64, off: u64, filesz: u64, memsz: u64, flags: u32) -> ProgramHeader {
        ProgramHeader {
            p_type: PT_LOAD,
            p_flags: flags,
            p_offset: off,
            p_vaddr: vaddr,
            p_filesz: filesz,
            p_memsz: memsz,
            p_align: 0x1000,
            p_paddr: 0,
        }
    }

    const T: u64 = 1 << 48;

    fn plan(e_type: u16, phdrs: &[ProgramHeader]) -> Result<LoadPlan, PlanError> {
        let h = ElfHeader {
            e_type,
            e_entry: 0x400100,
            e_phoff: 64,
            e_phentsize: 56,
            e_phnum: phdrs.len() as u16,
        };
        plan_load(&h, phdrs, 0xaaaa_aaaa_a000, 0x1000, 0x1000, T)
    }

    #[test]
    fn static_executable_layout() {
        let text = load(0x400000, 0, 0x1234, 0x1234, PF_R | PF_X);
        let data = load(0x411234, 0x1234, 0x100, 0x3000, PF_R | PF_W);
        let p = plan(ET_EXEC, &[text, data]).unwrap();
        assert_eq!(p.load_bias, 0);
        assert_eq!(p.segments[0].start, 0x400000);
        assert_eq!(p.segments[0].file_end, 0x402000);
        assert_eq!(p.segments[1].start, 0x411000);
        assert_eq!(p.segments[1].file_pgoff, 1);
        assert_eq!(p.segments[1].zero_from, 0x411334);
        assert_eq!(p.segments[1].mem_end, 0x415000);
        assert_eq!(p.elf_brk, 0x414234);
        assert_eq!(p.phdr_addr, 0x400040);
        assert_eq!((p.start_code, p.end_code), (0x400000, 0x401234));
        assert_eq!(p.entry, 0x400100);
    }

    #[test]
    fn segments_may_point_past_the_file() {
        // A static program whose only writable segment is all .bss, with p_offset past
        // the end of the file (as some linkers write it): Linux loads it.
        let text = load(0x400000, 0, 0x1234, 0x1234, PF_R | PF_X);
        let bss = load(0x412000, 0x2000, 0, 0x3000, PF_R | PF_W);
        let p = plan(ET_EXEC, &[text, bss]).unwrap();
        assert_eq!(p.segments[1].start, 0x412000);
        assert_eq!(p.segments[1].file_end, 0x412000); // nothing from the file
        assert_eq!(p.segments[1].mem_end, 0x415000);
        assert_eq!(p.elf_brk, 0x415000);
        // File bytes past the end are mapped too (Linux does; touching them is SIGBUS),
        // but an offset that wraps around cannot be.
        let data = load(0x412000, 0x2000, 0x10, 0x3000, PF_R | PF_W);
        let p = plan(ET_EXEC, &[text, data]).unwrap();
        assert_eq!(p.segments[1].file_pgoff, 2);
        let wraps = load(0x412000, u64::MAX - 4, 0, 0x1000, PF_R | PF_W);
        assert!(plan(ET_EXEC, &[text, wraps]).is_ok()); // maps no file page
        let unaligned = load(0x412010, u64::MAX - 4, 0, 0x1000, PF_R | PF_W);
        assert_eq!(
            plan(ET_EXEC, &[text, unaligned]),
            Err(PlanError::OffsetOverflow)
        );
    }

    #[test]
    fn overlapping_segments_are_placed_in_header_order() {
        // Linux maps each PT_LOAD with MAP_FIXED in turn: a later one replaces what an
        // earlier one mapped where they overlap, and out-of-order headers are taken as
        // they come. `elf_map` unmaps before it maps.
        let text = load(0x400000, 0, 0x1800, 0x1800, PF_R | PF_X);
        let ro = load(0x401000, 0x1000, 0x100, 0x100, PF_R);
        let p = plan(ET_EXEC, &[text, ro]).unwrap();
        assert_eq!(p.segments[1].start, 0x401000);
        let high = load(0x500000, 0, 0x10, 0x10, PF_R);
        let p = plan(ET_EXEC, &[high, text]).unwrap();
        assert_eq!(
            (p.segments[0].start, p.segments[1].start),
            (0x500000, 0x400000)
        );
    }

    #[test]
    fn pie_gets_a_bias() {
        let text = load(0, 0, 0x800, 0x800, PF_R | PF_X);
        let p = plan(ET_DYN, &[text]).unwrap();
        assert_eq!(p.load_bias, 0xaaaa_aaaa_a000);
        assert_eq!(p.segments[0].start, 0xaaaa_aaaa_a000);
        assert_eq!(p.entry, 0xaaaa_aaaa_a000 + 0x400100);
    }

    #[test]
    fn every_bad_segment_is_refused() {
        let ok = load(0x400000, 0, 0x100, 0x100, PF_R | PF_X);
        assert_eq!(plan(ET_EXEC, &[]), Err(PlanError::NoLoadSegments));
        assert_eq!(
            plan(ET_EXEC, &[load(0x400000, 0, 0x200, 0x100, PF_R)]),
            Err(PlanError::FileszOverMemsz)
        );
        assert_eq!(
            plan(ET_EXEC, &[load(0x400000, u64::MAX, 2, 2, PF_R)]),
            Err(PlanError::OffsetOverflow)
        );
        assert_eq!(
            plan(ET_EXEC, &[load(0x400010, 0x20, 0x10, 0x10, PF_R)]),
            Err(PlanError::Misaligned)
        );
        assert_eq!(
            plan(ET_EXEC, &[load(0, 0, 0x10, 0x10, PF_R)]),
            Err(PlanError::OutOfRange)
        );
        assert_eq!(
            plan(ET_EXEC, &[load(T - 0x1000, 0, 0x10, 0x2000, PF_R)]),
            Err(PlanError::OutOfRange)
        );
        assert_eq!(
            plan(ET_EXEC, &[load(u64::MAX - 0xfff, 0, 0x10, 0x2000, PF_R)]),
            Err(PlanError::OutOfRange)
        );
        assert_eq!(
            plan(
                ET_EXEC,
                &[load(0x400000, 0, 0x10, 0x10, PF_R | PF_W | PF_X)]
            ),
            Err(PlanError::WriteAndExec)
        );
        let mut interp = ok;
        interp.p_type = PT_INTERP;
        assert_eq!(plan(ET_EXEC, &[interp, ok]), Err(PlanError::Interpreter));
    }

    fn le(b: &[u8], off: usize, n: usize) -> u64 {
        (0..n).fold(0, |v, i| v | (b[off + i] as u64) << (8 * i))
    }

    /// The decoder Linnet had before xmas-elf, byte by byte, as the reference the crate's
    /// decoding must match: `parse_header` before the crate, then the same checks.
    fn reference_header(buf: &[u8], file_size: u64) -> Result<ElfHeader, ElfError> {
        if buf.len() < EHDR_SIZE || &buf[0..4] != b"\x7fELF" {
            return Err(ElfError::NotElf);
        }
        let h = ElfHeader {
            e_type: le(buf, 16, 2) as u16,
            e_entry: le(buf, 24, 8),
            e_phoff: le(buf, 32, 8),
            e_phentsize: le(buf, 54, 2) as u16,
            e_phnum: le(buf, 56, 2) as u16,
        };
        if h.e_type != ET_EXEC && h.e_type != ET_DYN {
            return Err(ElfError::BadType);
        }
        if le(buf, 18, 2) as u16 != EM_AARCH64 {
            return Err(ElfError::BadMachine);
        }
        let table = h.e_phnum as usize * PHDR_SIZE;
        if h.e_phentsize as usize != PHDR_SIZE || h.e_phnum == 0 || table > MAX_PHDR_BYTES {
            return Err(ElfError::BadPhdrTable);
        }
        if h.e_phoff
            .checked_add(table as u64)
            .is_none_or(|end| end > file_size)
        {
            return Err(ElfError::PhdrOutsideFile);
        }
        Ok(h)
    }

    fn reference_phdrs(bytes: &[u8]) -> Vec<ProgramHeader> {
        bytes
            .chunks_exact(PHDR_SIZE)
            .map(|b| ProgramHeader {
                p_type: le(b, 0, 4) as u32,
                p_flags: le(b, 4, 4) as u32,
                p_offset: le(b, 8, 8),
                p_vaddr: le(b, 16, 8),
                p_paddr: le(b, 24, 8),
                p_filesz: le(b, 32, 8),
                p_memsz: le(b, 40, 8),
                p_align: le(b, 48, 8),
            })
            .collect()
    }

    #[test]
    fn e_ident_past_the_magic_is_not_looked_at() {
        // Every class, data and version byte, as Linux: the crate must not decide.
        for class in [0u8, 1, 2, 3, 0xff] {
            for data in [0u8, 1, 2, 0xff] {
                let mut h = header(ET_DYN, EM_AARCH64, 1);
                h[4] = class;
                h[5] = data;
                h[6] = class ^ data;
                h[7..16].fill(class);
                let p = parse_header(&h, 4096).unwrap();
                assert_eq!((p.e_type, p.e_entry, p.e_phnum), (ET_DYN, 0x400000, 1));
            }
        }
    }

    #[test]
    fn unknown_segment_types_decode_as_they_are() {
        // xmas-elf has no name for these (its get_type says "Invalid type"); Linux
        // skips them, and the loader must see their numbers unchanged.
        for t in [8u32, 0x5fff_ffff, 0x8000_0000, u32::MAX, PT_GNU_STACK] {
            let mut b = vec![0u8; 56];
            b[0..4].copy_from_slice(&t.to_le_bytes());
            b[8..16].copy_from_slice(&0x1234u64.to_le_bytes());
            let p = parse_phdrs(&b);
            assert_eq!((p[0].p_type, p[0].p_offset), (t, 0x1234));
        }
    }

    /// Random and mutated headers: parsing and planning return errors, never panic, and
    /// an accepted plan always lies inside the user range. The crate's decoding (from
    /// any alignment, any e_ident) equals the byte-by-byte reference's.
    #[test]
    fn fuzz_headers_and_plans() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let good = {
            let mut f = header(ET_EXEC, EM_AARCH64, 2);
            let mut ph = vec![0u8; 112];
            for (i, p) in [
                load(0x400000, 0, 0x200, 0x200, PF_R | PF_X),
                load(0x401200, 0x200, 0x10, 0x800, PF_R | PF_W),
            ]
            .iter()
            .enumerate()
            {
                let b = &mut ph[i * 56..];
                b[0..4].copy_from_slice(&p.p_type.to_le_bytes());
                b[4..8].copy_from_slice(&p.p_flags.to_le_bytes());
                b[8..16].copy_from_slice(&p.p_offset.to_le_bytes());
                b[16..24].copy_from_slice(&p.p_vaddr.to_le_bytes());
                b[32..40].copy_from_slice(&p.p_filesz.to_le_bytes());
                b[40..48].copy_from_slice(&p.p_memsz.to_le_bytes());
            }
            f.extend(ph);
            f.resize(0x300, 0);
            f
        };
        let mut accepted = 0;
        for round in 0..20000 {
            let mut f = if round % 4 == 0 {
                (0..(rnd() % 400) as usize).map(|_| rnd() as u8).collect()
            } else {
                good.clone()
            };
            if !f.is_empty() {
                for _ in 0..(rnd() % 6) {
                    let i = (rnd() as usize) % f.len();
                    f[i] = rnd() as u8;
                }
            }
            if round % 3 == 1 && f.len() > 16 {
                // e_ident past the magic, which Linux ignores and the crate would not.
                for b in &mut f[4..16] {
                    *b = rnd() as u8;
                }
            }
            // A buffer at an odd address too: the crate must not be handed it as is.
            let shifted: Vec<u8> = core::iter::once(0).chain(f.iter().copied()).collect();
            let f = if round % 2 == 0 {
                &f[..]
            } else {
                &shifted[1..]
            };
            let size = f.len() as u64;
            let (lo, hi) = (
                (rnd() as usize) % (f.len() + 1),
                (rnd() as usize) % (f.len() + 1),
            );
            let any = &f[lo.min(hi)..lo.max(hi)];
            assert_eq!(parse_phdrs(any), reference_phdrs(any));
            let parsed = parse_header(f, size);
            assert_eq!(parsed, reference_header(f, size));
            let Ok(h) = parsed else {
                continue;
            };
            let off = h.e_phoff as usize;
            let n = h.e_phnum as usize * PHDR_SIZE;
            let phdrs = parse_phdrs(&f[off..off + n]);
            assert_eq!(phdrs, reference_phdrs(&f[off..off + n]));
            if let Ok(p) = plan_load(&h, &phdrs, 0xaaaa_aaaa_a000, 0x1000, 0x1000, T) {
                accepted += 1;
                for s in &p.segments {
                    assert!(
                        s.start >= 0x1000
                            && s.mem_end <= T
                            && s.start <= s.file_end
                            && s.file_end <= s.mem_end.max(s.file_end)
                    );
                }
            }
        }
        assert!(
            accepted > 100,
            "the fuzzer should also produce loadable files ({accepted})"
        );
    }

    #[test]
    fn phdrs_decode_field_by_field() {
        let mut b = vec![0u8; 56];
        b[0..4].copy_from_slice(&PT_LOAD.to_le_bytes());
        b[4..8].copy_from_slice(&(PF_R | PF_X).to_le_bytes());
        b[16..24].copy_from_slice(&0x400000u64.to_le_bytes());
        b[32..40].copy_from_slice(&0x1234u64.to_le_bytes());
        b[40..48].copy_from_slice(&0x2000u64.to_le_bytes());
        let p = parse_phdrs(&b);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].p_type, PT_LOAD);
        assert_eq!(p[0].p_flags, PF_R | PF_X);
        assert_eq!(p[0].p_vaddr, 0x400000);
        assert_eq!(p[0].p_filesz, 0x1234);
        assert_eq!(p[0].p_memsz, 0x2000);
    }
}
