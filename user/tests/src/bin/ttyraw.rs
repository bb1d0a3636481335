//! ttyraw: a helper for the shell-session test (qemu/runtests.py SESSION), not a TAP
//! program. It puts the console in raw mode as a line-editing shell does (ICANON, ECHO
//! and ISIG off; VMIN 0, VTIME 50: wait up to 5 s for a byte), reads what is typed,
//! prints it in hex, and restores the settings. The session types Ctrl-C (0x03): with
//! ISIG off it must arrive as a byte, not as SIGINT.

#![no_std]
#![no_main]

use ulib::fileops::{ioctl_buf, ioctls::TCSETS};
use ulib::{println, read};

#[no_mangle]
fn main() -> i32 {
    let mut orig = [0u8; 36];
    if ioctl_buf(0, 0x5401, &mut orig).is_err() {
        println!("ttyraw: stdin is not a terminal");
        return 1;
    }
    let mut raw = orig;
    let lflag = u32::from_le_bytes([orig[12], orig[13], orig[14], orig[15]]) & !0o13; // ISIG|ICANON|ECHO
    raw[12..16].copy_from_slice(&lflag.to_le_bytes());
    raw[17 + 6] = 0; // VMIN
    raw[17 + 5] = 50; // VTIME: 5 s
    let _ = ioctl_buf(0, TCSETS, &mut raw);
    let mut b = [0u8; 16];
    let n = read(0, &mut b).unwrap_or(0);
    let _ = ioctl_buf(0, TCSETS, &mut orig);
    match n {
        0 => println!("ttyraw: nothing typed in 5 s"),
        _ => println!("ttyraw: read 0x{:02x} ({} bytes) in raw mode", b[0], n),
    }
    0
}
