//! The terminal's modes around the line editor (what readline's `rltty.c` does).
//!
//! While the shell reads a command it turns off ICANON (the kernel's line editing), ECHO
//! and ISIG (Ctrl-C arrives as a byte, which abandons the line) with the TCSETS ioctl:
//! `kernel/src/fs/n_tty.rs` then hands over each byte as it is typed (VMIN 1, VTIME 0).
//! Before it runs a command it puts the normal ("cooked") mode back, so programs see
//! the terminal as usual and Ctrl-C sends SIGINT to the job.

use ulib::fileops::{ioctl_buf, ioctls::TCSETS};
use ulib::tty::TCGETS;

// c_lflag bits and c_cc indices (Linux `include/uapi/asm-generic/termbits.h`).
use ulib::uapi::termbits::{ECHO, ECHOE, ICANON, ISIG, VMIN, VTIME};
/// Offsets in the 36-byte `struct termios`: c_lflag, then c_cc after c_line.
const LFLAG: usize = 12;
const CC: usize = 17;

/// The terminal on fd 0 and its two settings.
pub struct Term {
    cooked: [u8; 36],
    raw: [u8; 36],
}

fn lflag(t: &[u8; 36]) -> u32 {
    u32::from_le_bytes([t[LFLAG], t[LFLAG + 1], t[LFLAG + 2], t[LFLAG + 3]])
}

fn set_lflag(t: &mut [u8; 36], v: u32) {
    t[LFLAG..LFLAG + 4].copy_from_slice(&v.to_le_bytes());
}

impl Term {
    /// Read fd 0's settings (None if it is not a terminal). The cooked mode is those
    /// settings with line editing, echo and signals on, whatever a program that died in
    /// raw mode left behind.
    pub fn new() -> Option<Term> {
        let mut cooked = [0u8; 36];
        ioctl_buf(0, TCGETS, &mut cooked).ok()?;
        let on = lflag(&cooked) | ISIG | ICANON | ECHO | ECHOE;
        set_lflag(&mut cooked, on);
        let mut raw = cooked;
        set_lflag(&mut raw, lflag(&cooked) & !(ISIG | ICANON | ECHO));
        raw[CC + VMIN] = 1;
        raw[CC + VTIME] = 0;
        Some(Term { cooked, raw })
    }

    /// Byte at a time, no echo, no signals: for the line editor.
    pub fn raw(&mut self) {
        let _ = ioctl_buf(0, TCSETS, &mut self.raw);
    }

    /// The normal mode, for running commands.
    pub fn cooked(&mut self) {
        let _ = ioctl_buf(0, TCSETS, &mut self.cooked);
    }
}
