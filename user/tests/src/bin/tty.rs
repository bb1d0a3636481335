//! tty: the console's termios, as Linux's `drivers/tty/tty_ioctl.c` and `n_tty.c` keep
//! them. Linnet only: the program must start with the console as its terminal (init's
//! fds 0-2), which qemu-user under runtests.py does not have.
//!
//! Checked: isatty, the default termios (tty_std_termios), TCSETS/TCSETSW/TCSETSF round
//! trips, raw-mode reads with VMIN/VTIME (0/0 returns at once, 0/2 waits 0.2 s),
//! O_NONBLOCK reads (EAGAIN), FIONREAD, TIOCGWINSZ/TIOCSWINSZ, TCFLSH, /dev/tty.

#![no_std]
#![no_main]

use ulib::fileops::{ioctl_buf, ioctl_int, ioctls::*};
use ulib::fs::fstatat;
use ulib::io::{AT_FDCWD, O_RDWR};
use ulib::tty::isatty;
use ulib::{close, openat, read, Errno, Tap};

const TCGETS: usize = ulib::uapi::ioctls::TCGETS as usize;
const TCFLSH: usize = ulib::uapi::ioctls::TCFLSH as usize;
const ICANON: u32 = ulib::uapi::termbits::ICANON;
const ECHO: u32 = ulib::uapi::termbits::ECHO;
const ISIG: u32 = ulib::uapi::termbits::ISIG;
const VTIME: usize = ulib::uapi::termbits::VTIME;
const VMIN: usize = ulib::uapi::termbits::VMIN;

fn get(fd: i32) -> [u8; 36] {
    let mut t = [0u8; 36];
    let _ = ioctl_buf(fd, TCGETS, &mut t);
    t
}

fn set(fd: i32, req: usize, t: &[u8; 36]) -> ulib::SysResult {
    let mut c = *t;
    ioctl_buf(fd, req, &mut c)
}

fn word(t: &[u8; 36], i: usize) -> u32 {
    u32::from_le_bytes([t[i * 4], t[i * 4 + 1], t[i * 4 + 2], t[i * 4 + 3]])
}

fn set_word(t: &mut [u8; 36], i: usize, v: u32) {
    t[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
}

fn now_ms() -> i128 {
    ulib::clock_gettime(1)
        .map(|t| t.as_ns() / 1_000_000)
        .unwrap_or(0)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(19);
    tap.ok(isatty(0), "fd 0 (the console) is a terminal");
    let orig = get(0);
    tap.eq(
        (
            word(&orig, 0),
            word(&orig, 1),
            word(&orig, 2),
            word(&orig, 3),
        ),
        (0o2400, 0o5, 0o2277, 0o105073),
        "the default termios is Linux's tty_std_termios",
    );
    tap.eq(
        (orig[17], orig[17 + VMIN], orig[17 + 2]),
        (3, 1, 0x7f),
        "default c_cc: VINTR ^C, VMIN 1, VERASE DEL",
    );
    // Raw mode, the way shells set it for line editing.
    let mut raw = orig;
    set_word(&mut raw, 3, word(&orig, 3) & !(ICANON | ECHO | ISIG));
    raw[17 + VMIN] = 0;
    raw[17 + VTIME] = 0;
    tap.eq(set(0, TCSETS, &raw), Ok(0), "TCSETS to raw mode");
    tap.eq(get(0), raw, "TCGETS gives back what TCSETS set");
    let mut b = [0u8; 8];
    let t0 = now_ms();
    tap.eq(
        read(0, &mut b),
        Ok(0),
        "raw, VMIN 0 VTIME 0: a read with no input returns 0",
    );
    tap.ok(now_ms() - t0 < 100, "... at once");
    raw[17 + VTIME] = 2;
    let _ = set(0, TCSETSW, &raw);
    let t0 = now_ms();
    tap.eq(
        read(0, &mut b),
        Ok(0),
        "raw, VMIN 0 VTIME 2: a read with no input returns 0",
    );
    let waited = now_ms() - t0;
    tap.ok((150..2000).contains(&waited), "... after about 0.2 s");
    raw[17 + VMIN] = 1;
    raw[17 + VTIME] = 0;
    let _ = set(0, TCSETSF, &raw);
    let mut on = 1i32;
    let _ = ioctl_int(0, FIONBIO, &mut on);
    tap.eq(
        read(0, &mut b),
        Err(Errno::EAGAIN),
        "raw, VMIN 1, O_NONBLOCK: EAGAIN with no input",
    );
    tap.eq(
        set(0, TCSETSW, &orig),
        Ok(0),
        "TCSETSW back to the original settings",
    );
    tap.eq(
        read(0, &mut b),
        Err(Errno::EAGAIN),
        "canonical, O_NONBLOCK: EAGAIN with no line",
    );
    let mut off = 0i32;
    let _ = ioctl_int(0, FIONBIO, &mut off);
    let mut n = -1i32;
    tap.ok(
        ioctl_int(0, FIONREAD, &mut n).is_ok() && n == 0,
        "FIONREAD: nothing typed",
    );
    let mut ws = [0u8; 8];
    let _ = ioctl_buf(0, TIOCGWINSZ, &mut ws);
    tap.eq((ws[0], ws[2]), (24, 80), "TIOCGWINSZ: 24 rows, 80 columns");
    let mut big = [50u8, 0, 132, 0, 0, 0, 0, 0];
    let _ = ioctl_buf(0, TIOCSWINSZ, &mut big);
    let mut back = [0u8; 8];
    let _ = ioctl_buf(0, TIOCGWINSZ, &mut back);
    tap.eq(
        back,
        [50, 0, 132, 0, 0, 0, 0, 0],
        "TIOCSWINSZ then TIOCGWINSZ",
    );
    let _ = ioctl_buf(0, TIOCSWINSZ, &mut ws);
    // SAFETY: TCFLSH takes its argument by value; nothing is read from memory.
    let bad = ulib::errno::check(unsafe {
        ulib::syscall::syscall3(ulib::syscall::nr::__NR_ioctl, 0, TCFLSH, 7)
    });
    tap.eq(
        bad,
        Err(Errno::EINVAL),
        "TCFLSH with a bad queue selector is EINVAL",
    );
    let tty = openat(AT_FDCWD, c"/dev/tty", O_RDWR, 0).map(|fd| fd as i32);
    tap.ok(tty.is_ok_and(isatty), "/dev/tty opens as a terminal");
    let _ = tty.map(close);
    let st = fstatat(AT_FDCWD, c"/dev/tty", 0).map(|s| s.rdev);
    tap.eq(st, Ok(0x500), "/dev/tty is char 5:0");
    let null = openat(AT_FDCWD, c"/dev/null", O_RDWR, 0)
        .map(|fd| fd as i32)
        .unwrap_or(-1);
    tap.ok(!isatty(null), "/dev/null is not a terminal");
    tap.done()
}
