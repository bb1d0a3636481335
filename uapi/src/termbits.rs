//! The terminal settings `struct termios` holds (Linux `include/uapi/asm-generic/termbits.h`).

/// `c_cc` entries (Linux `NCCS`).
pub const NCCS: usize = 19;

/// `c_cc` index: interrupt (Ctrl-C).
pub const VINTR: usize = 0;
/// `c_cc` index: quit (Ctrl-\).
pub const VQUIT: usize = 1;
/// `c_cc` index: erase a character (DEL).
pub const VERASE: usize = 2;
/// `c_cc` index: erase the line (Ctrl-U).
pub const VKILL: usize = 3;
/// `c_cc` index: end of file (Ctrl-D).
pub const VEOF: usize = 4;
/// `c_cc` index: raw-mode timeout, tenths of a second.
pub const VTIME: usize = 5;
/// `c_cc` index: raw-mode minimum read.
pub const VMIN: usize = 6;
/// `c_cc` index: suspend (Ctrl-Z).
pub const VSUSP: usize = 10;
/// `c_cc` index: extra end of line.
pub const VEOL: usize = 11;
/// `c_cc` index: erase a word (Ctrl-W).
pub const VWERASE: usize = 14;
/// `c_cc` index: second extra end of line.
pub const VEOL2: usize = 16;

/// c_iflag: strip the eighth bit.
pub const ISTRIP: u32 = 0o40;
/// c_iflag: NL to CR on input.
pub const INLCR: u32 = 0o100;
/// c_iflag: ignore CR on input.
pub const IGNCR: u32 = 0o200;
/// c_iflag: CR to NL on input.
pub const ICRNL: u32 = 0o400;
/// c_oflag: post-process output.
pub const OPOST: u32 = 0o1;
/// c_oflag: NL to CR NL on output.
pub const ONLCR: u32 = 0o4;
/// c_lflag: INTR, QUIT and SUSP send signals.
pub const ISIG: u32 = 0o1;
/// c_lflag: canonical (line) input.
pub const ICANON: u32 = 0o2;
/// c_lflag: echo input.
pub const ECHO: u32 = 0o10;
/// c_lflag: ERASE erases the character on screen.
pub const ECHOE: u32 = 0o20;
/// c_lflag: echo NL even without ECHO.
pub const ECHONL: u32 = 0o100;
/// c_lflag: no flush after a signal character.
pub const NOFLSH: u32 = 0o200;
/// c_lflag: echo control characters as ^X.
pub const ECHOCTL: u32 = 0o1000;
/// c_lflag: extended input processing (WERASE ...).
pub const IEXTEN: u32 = 0o100000;
