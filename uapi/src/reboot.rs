//! reboot(2)'s magic numbers and commands (Linux `include/uapi/linux/reboot.h`).

/// The first magic number.
pub const LINUX_REBOOT_MAGIC1: u32 = 0xfee1_dead;
/// The second magic number: Linus's birthday (`LINUX_REBOOT_MAGIC2`, 0x28121969).
pub const LINUX_REBOOT_MAGIC2: u32 = 672_274_793;
/// The other second magic numbers Linux accepts: his daughters' birthdays
/// (`LINUX_REBOOT_MAGIC2A`, `2B`, `2C`).
pub const LINUX_REBOOT_MAGIC2A: u32 = 85_072_278;
/// See `LINUX_REBOOT_MAGIC2A`.
pub const LINUX_REBOOT_MAGIC2B: u32 = 369_367_448;
/// See `LINUX_REBOOT_MAGIC2A`.
pub const LINUX_REBOOT_MAGIC2C: u32 = 537_993_216;
/// Restart the system.
pub const LINUX_REBOOT_CMD_RESTART: u32 = 0x0123_4567;
/// Stop the system.
pub const LINUX_REBOOT_CMD_HALT: u32 = 0xcdef_0123;
/// Ctrl-Alt-Del reboots at once.
pub const LINUX_REBOOT_CMD_CAD_ON: u32 = 0x89ab_cdef;
/// Ctrl-Alt-Del sends SIGINT to init.
pub const LINUX_REBOOT_CMD_CAD_OFF: u32 = 0;
/// Power the machine off.
pub const LINUX_REBOOT_CMD_POWER_OFF: u32 = 0x4321_fedc;
/// Restart with a command string.
pub const LINUX_REBOOT_CMD_RESTART2: u32 = 0xa1b2_c3d4;
