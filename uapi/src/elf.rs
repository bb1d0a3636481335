//! The ELF numbers the loader, the vDSO and a static-PIE start-up read (Linux
//! `include/uapi/linux/elf.h`, `elf-em.h`; the relocation type from the AArch64 ELF ABI).

/// `e_ident[EI_CLASS]`: where `e_ident` says 32- or 64-bit.
pub const EI_CLASS: usize = 4;
/// The 64-bit class.
pub const ELFCLASS64: u8 = 2;
/// `e_type`: an executable file.
pub const ET_EXEC: u16 = 2;
/// `e_type`: a shared object / position-independent executable.
pub const ET_DYN: u16 = 3;
/// `e_machine`: AArch64 (Linux `EM_AARCH64`).
pub const EM_AARCH64: u16 = 183;

/// `p_type`: a loadable segment.
pub const PT_LOAD: u32 = 1;
/// `p_type`: dynamic linking information.
pub const PT_DYNAMIC: u32 = 2;
/// `p_type`: the program interpreter (dynamic linker) path.
pub const PT_INTERP: u32 = 3;
/// `p_type`: the program header table itself.
pub const PT_PHDR: u32 = 6;
/// `p_type`: stack executability (GNU extension).
pub const PT_GNU_STACK: u32 = 0x6474_e551;
/// `p_flags`: executable.
pub const PF_X: u32 = 1;
/// `p_flags`: writable.
pub const PF_W: u32 = 2;
/// `p_flags`: readable.
pub const PF_R: u32 = 4;

/// `d_tag`: the end of the dynamic section.
pub const DT_NULL: u64 = 0;
/// `d_tag`: the SysV symbol hash table.
pub const DT_HASH: u64 = 4;
/// `d_tag`: the string table.
pub const DT_STRTAB: u64 = 5;
/// `d_tag`: the symbol table.
pub const DT_SYMTAB: u64 = 6;
/// `d_tag`: relocations with addends.
pub const DT_RELA: u64 = 7;
/// `d_tag`: their total size.
pub const DT_RELASZ: u64 = 8;
/// `d_tag`: the size of one.
pub const DT_RELAENT: u64 = 9;
/// `d_tag`: relocations without addends.
pub const DT_REL: u64 = 17;
/// `d_tag`: relocations may touch read-only segments.
pub const DT_TEXTREL: u64 = 22;
/// `d_tag`: the PLT relocations.
pub const DT_JMPREL: u64 = 23;
/// `d_tag`: flags (`DF_*`).
pub const DT_FLAGS: u64 = 30;
/// `d_tag`: packed relative relocations.
pub const DT_RELR: u64 = 36;
/// `d_tag`: the GNU symbol hash table.
pub const DT_GNU_HASH: u64 = 0x6fff_fef5;
/// `d_tag`: the symbol versions.
pub const DT_VERSYM: u64 = 0x6fff_fff0;
/// `d_tag`: the version definitions.
pub const DT_VERDEF: u64 = 0x6fff_fffc;
/// `DT_FLAGS` bit: relocations may touch read-only segments.
pub const DF_TEXTREL: u64 = 4;

/// Symbol type: a function.
pub const STT_FUNC: u8 = 2;
/// Symbol binding: global.
pub const STB_GLOBAL: u8 = 1;
/// Symbol binding: weak.
pub const STB_WEAK: u8 = 2;

/// "Base plus addend" (the AArch64 ELF ABI's `R_AARCH64_RELATIVE`).
pub const R_AARCH64_RELATIVE: u64 = 1027;
