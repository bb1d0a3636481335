//! Terminal and file ioctl request numbers (Linux `include/uapi/asm-generic/ioctls.h`).

/// Read the `struct termios`.
pub const TCGETS: u32 = 0x5401;
/// Set the `struct termios` now.
pub const TCSETS: u32 = 0x5402;
/// Set it after the output drains.
pub const TCSETSW: u32 = 0x5403;
/// Set it after the output drains, discarding pending input.
pub const TCSETSF: u32 = 0x5404;
/// Send a break (tcsendbreak, tcdrain).
pub const TCSBRK: u32 = 0x5409;
/// Discard pending input and/or output (`TCIFLUSH` ...).
pub const TCFLSH: u32 = 0x540b;
/// Make the terminal the caller's controlling terminal.
pub const TIOCSCTTY: u32 = 0x540e;
/// Read the foreground process group.
pub const TIOCGPGRP: u32 = 0x540f;
/// Set the foreground process group.
pub const TIOCSPGRP: u32 = 0x5410;
/// Bytes in the output queue.
pub const TIOCOUTQ: u32 = 0x5411;
/// Read the window size.
pub const TIOCGWINSZ: u32 = 0x5413;
/// Set the window size.
pub const TIOCSWINSZ: u32 = 0x5414;
/// Bytes ready to read.
pub const FIONREAD: u32 = 0x541b;
/// Set or clear O_NONBLOCK.
pub const FIONBIO: u32 = 0x5421;
/// Give up the controlling terminal.
pub const TIOCNOTTY: u32 = 0x5422;
/// Read the terminal's session id.
pub const TIOCGSID: u32 = 0x5429;
/// Clear close-on-exec.
pub const FIONCLEX: u32 = 0x5450;
/// Set close-on-exec.
pub const FIOCLEX: u32 = 0x5451;

/// TCFLSH argument: the input queue.
pub const TCIFLUSH: usize = 0;
/// TCFLSH argument: the output queue.
pub const TCOFLUSH: usize = 1;
/// TCFLSH argument: both.
pub const TCIOFLUSH: usize = 2;
