//! The terminal: isatty and the foreground process group (ioctl TCGETS, TIOCGPGRP,
//! TIOCSPGRP).
//!
//! Linnet's console is one terminal in canonical mode (`kernel/src/fs/tty.rs`, Linux
//! `n_tty`): it echoes, edits the line, and sends SIGINT for Ctrl-C to its *foreground
//! process group*. A shell puts each job in its own group and hands the terminal to it
//! with [`tcsetpgrp`], so Ctrl-C reaches the job and not the shell.

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall3};

/// TCGETS: read the terminal's `struct termios` (isatty asks this).
pub const TCGETS: usize = uapi::ioctls::TCGETS as usize;
/// TIOCGPGRP: read the foreground process group.
pub const TIOCGPGRP: usize = uapi::ioctls::TIOCGPGRP as usize;
/// TIOCSPGRP: set the foreground process group.
pub const TIOCSPGRP: usize = uapi::ioctls::TIOCSPGRP as usize;
/// TIOCSCTTY: make the terminal the caller's controlling terminal.
pub const TIOCSCTTY: usize = uapi::ioctls::TIOCSCTTY as usize;

/// ioctl(2) with a pointer argument.
///
/// # Safety
/// `arg` must point to memory of the size and kind `request` reads or writes.
pub unsafe fn ioctl(fd: i32, request: usize, arg: usize) -> SysResult {
    // SAFETY: the caller vouches for arg.
    check(unsafe { syscall3(nr::__NR_ioctl, fd as usize, request, arg) })
}

/// isatty(3): is `fd` a terminal? (TCGETS succeeds only on one.)
pub fn isatty(fd: i32) -> bool {
    // struct termios is 36 bytes on Linux (60 in glibc's larger copy); room for either.
    let mut termios = [0u8; 64];
    // SAFETY: TCGETS writes at most sizeof(struct termios) bytes into our buffer.
    unsafe { ioctl(fd, TCGETS, termios.as_mut_ptr() as usize) }.is_ok()
}

/// tcgetpgrp(3): the terminal's foreground process group.
pub fn tcgetpgrp(fd: i32) -> SysResult<i32> {
    let mut pgrp = 0i32;
    // SAFETY: TIOCGPGRP writes one int into pgrp.
    unsafe { ioctl(fd, TIOCGPGRP, &mut pgrp as *mut i32 as usize) }?;
    Ok(pgrp)
}

/// tcsetpgrp(3): make `pgrp` the terminal's foreground process group.
pub fn tcsetpgrp(fd: i32, pgrp: i32) -> SysResult {
    // SAFETY: TIOCSPGRP reads one int from pgrp.
    unsafe { ioctl(fd, TIOCSPGRP, &pgrp as *const i32 as usize) }
}
