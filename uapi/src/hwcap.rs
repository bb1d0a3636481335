//! The hardware capabilities in `AT_HWCAP` that Linnet reports (Linux
//! `arch/arm64/include/uapi/asm/hwcap.h`; only the bits a Cortex-A72 can have are named).

/// Floating point.
pub const HWCAP_FP: u64 = 1 << 0;
/// Advanced SIMD.
pub const HWCAP_ASIMD: u64 = 1 << 1;
/// The generic timer's event stream (wfe wakes at least every 100 us).
pub const HWCAP_EVTSTRM: u64 = 1 << 2;
/// AES instructions.
pub const HWCAP_AES: u64 = 1 << 3;
/// 64-bit polynomial multiply (PMULL).
pub const HWCAP_PMULL: u64 = 1 << 4;
/// SHA-1 instructions.
pub const HWCAP_SHA1: u64 = 1 << 5;
/// SHA-256 instructions.
pub const HWCAP_SHA2: u64 = 1 << 6;
/// CRC32 instructions.
pub const HWCAP_CRC32: u64 = 1 << 7;
/// LSE atomics.
pub const HWCAP_ATOMICS: u64 = 1 << 8;
/// EL0 may read the ID registers: the kernel emulates `mrs` (this file).
pub const HWCAP_CPUID: u64 = 1 << 11;
