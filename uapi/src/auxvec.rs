//! Auxiliary vector keys: what the kernel tells a new program besides argv and envp
//! (Linux `include/uapi/linux/auxvec.h`, arm64's `arch/arm64/include/uapi/asm/auxvec.h`).

/// End of the vector.
pub const AT_NULL: u64 = 0;
/// Program headers in memory.
pub const AT_PHDR: u64 = 3;
/// Size of one program header.
pub const AT_PHENT: u64 = 4;
/// Number of program headers.
pub const AT_PHNUM: u64 = 5;
/// Page size.
pub const AT_PAGESZ: u64 = 6;
/// Interpreter base (0: none).
pub const AT_BASE: u64 = 7;
/// Flags (0).
pub const AT_FLAGS: u64 = 8;
/// Program entry point.
pub const AT_ENTRY: u64 = 9;
/// Real uid.
pub const AT_UID: u64 = 11;
/// Effective uid.
pub const AT_EUID: u64 = 12;
/// Real gid.
pub const AT_GID: u64 = 13;
/// Effective gid.
pub const AT_EGID: u64 = 14;
/// CPU capabilities (HWCAP_*).
pub const AT_HWCAP: u64 = 16;
/// Clock ticks per second (times()).
pub const AT_CLKTCK: u64 = 17;
/// Secure mode (setuid): 0.
pub const AT_SECURE: u64 = 23;
/// Address of 16 random bytes.
pub const AT_RANDOM: u64 = 25;
/// More CPU capabilities.
pub const AT_HWCAP2: u64 = 26;
/// Address of the filename string.
pub const AT_EXECFN: u64 = 31;
/// Address of the vDSO's ELF header (`ARCH_DLINFO` on arm64).
pub const AT_SYSINFO_EHDR: u64 = 33;
/// Minimal signal stack size (arm64).
pub const AT_MINSIGSTKSZ: u64 = 51;
