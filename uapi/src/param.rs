//! The clock tick user space counts in (Linux `include/uapi/asm-generic/param.h`).

/// Ticks per second of the values times(2) and /proc report, and of `AT_CLKTCK`
/// (Linux `USER_HZ`; fixed, whatever the kernel's own tick rate).
pub const USER_HZ: u64 = 100;
