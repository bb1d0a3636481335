//! poll(2) event bits (Linux `include/uapi/asm-generic/poll.h`). The kernel's `poll`
//! methods return them; `struct pollfd.events`/`revents` hold them (as `short`).

/// There is data to read.
pub const POLLIN: u32 = 0x1;
/// There is urgent data (not in Linnet's files).
pub const POLLPRI: u32 = 0x2;
/// Writing now would not block.
pub const POLLOUT: u32 = 0x4;
/// An error condition (a pipe's write end with no reader left).
pub const POLLERR: u32 = 0x8;
/// Hung up (a pipe's read end with no writer left).
pub const POLLHUP: u32 = 0x10;
/// The descriptor is not open (poll only).
pub const POLLNVAL: u32 = 0x20;
/// Normal data to read (same as POLLIN here).
pub const POLLRDNORM: u32 = 0x40;
/// Priority data to read.
pub const POLLRDBAND: u32 = 0x80;
/// Normal data may be written (same as POLLOUT here).
pub const POLLWRNORM: u32 = 0x100;
/// Priority data may be written.
pub const POLLWRBAND: u32 = 0x200;
