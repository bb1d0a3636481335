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
mod tests;
