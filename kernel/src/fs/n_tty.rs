//! The line discipline's rules (Linux `drivers/tty/n_tty.c`), as plain data and code so
//! the host tests them: input processing per `termios`, canonical line editing, raw
//! reads, echo and output post-processing. `tty.rs` wraps one [`Tty`] in a lock for the
//! console, feeds it from the UART interrupt and sleeps readers.

// Signals the terminal sends.
use uapi::signal::{SIGINT, SIGQUIT, SIGTSTP};

/// Bytes of typed input the terminal holds: the line being edited, and input waiting
/// for a reader (Linux `N_TTY_BUF_SIZE`).
pub const N_TTY_BUF_SIZE: usize = 4096;

pub use uapi::termbits::NCCS;
/// `c_cc` indices.
pub mod cc {
    pub use uapi::termbits::{
        VEOF, VEOL, VEOL2, VERASE, VINTR, VKILL, VMIN, VQUIT, VSUSP, VTIME, VWERASE,
    };
}
use cc::*;
use uapi::termbits::{
    ECHO, ECHOCTL, ECHOE, ECHONL, ICANON, ICRNL, IEXTEN, IGNCR, INLCR, ISIG, ISTRIP, NOFLSH, ONLCR,
    OPOST,
};

/// `struct termios` as the TCGETS/TCSETS ioctls move it (asm-generic, 36 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Termios {
    /// Input modes.
    pub iflag: u32,
    /// Output modes.
    pub oflag: u32,
    /// Control modes.
    pub cflag: u32,
    /// Local modes.
    pub lflag: u32,
    /// Line discipline (0: N_TTY).
    pub line: u8,
    /// Control characters.
    pub cc: [u8; NCCS],
}

impl Termios {
    /// Linux `tty_std_termios`: ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL,
    /// ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN, and `INIT_C_CC`.
    pub const STD: Termios = Termios {
        iflag: 0o2400,
        oflag: 0o5,
        cflag: 0o2277,
        lflag: 0o105073,
        line: 0,
        cc: [
            3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0,
        ],
    };

    /// The 36 bytes user space sees.
    pub fn to_bytes(&self) -> [u8; 36] {
        let mut b = [0u8; 36];
        for (i, v) in [self.iflag, self.oflag, self.cflag, self.lflag]
            .iter()
            .enumerate()
        {
            b[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        b[16] = self.line;
        b[17..].copy_from_slice(&self.cc);
        b
    }

    /// From the 36 bytes user space passed.
    pub fn from_bytes(b: &[u8; 36]) -> Termios {
        let w = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let mut cc = [0u8; NCCS];
        cc.copy_from_slice(&b[17..]);
        Termios {
            iflag: w(0),
            oflag: w(4),
            cflag: w(8),
            lflag: w(12),
            line: b[16],
            cc,
        }
    }
}

/// Flags of a byte in the read buffer.
const F_EOL: u8 = 1; // it ends a canonical line
const F_EOF: u8 = 2; // an end-of-file mark, not data (VEOF)

/// One terminal's line discipline state (Linux `struct n_tty_data` plus the
/// `termios`, window size and foreground group of `struct tty_struct`).
pub struct Tty {
    /// The settings.
    pub termios: Termios,
    /// The line being edited (canonical mode): `line[..line_len]`.
    line: [u8; N_TTY_BUF_SIZE],
    line_len: usize,
    /// Input a reader may take, in a ring: `ready_len` bytes from `ready_head`, each
    /// with its `F_*` flags (Linux `read_buf` and `read_flags`).
    ready: [u8; N_TTY_BUF_SIZE],
    flags: [u8; N_TTY_BUF_SIZE],
    ready_head: usize,
    ready_len: usize,
    /// Line ends (F_EOL or F_EOF marks) in the ring: whole lines a canonical read can take.
    lines: usize,
    /// Process group that gets the terminal's signals (0: none).
    pub fg_pgrp: i32,
    /// The session whose controlling terminal this is (Linux `tty->session`; 0: none).
    pub session: i32,
    /// Window size: rows, columns, x pixels, y pixels (`struct winsize`).
    pub winsize: [u16; 4],
}

impl Tty {
    fn push(&mut self, b: u8, flag: u8) -> bool {
        if self.ready_len == N_TTY_BUF_SIZE {
            return false;
        }
        let at = (self.ready_head + self.ready_len) % N_TTY_BUF_SIZE;
        self.ready[at] = b;
        self.flags[at] = flag;
        self.ready_len += 1;
        if flag != 0 {
            self.lines += 1;
        }
        true
    }

    /// Hand the edited line plus `end` (a newline or EOL character, or an EOF mark) to
    /// readers; false if it does not fit (then it is dropped, as Linux does).
    fn finish_line(&mut self, end: Option<u8>) -> bool {
        let ok = self.ready_len + self.line_len < N_TTY_BUF_SIZE;
        if ok {
            for i in 0..self.line_len {
                self.push(self.line[i], 0);
            }
            match end {
                Some(c) => self.push(c, F_EOL),
                None => self.push(0, F_EOF),
            };
        }
        self.line_len = 0;
        ok
    }

    fn pop(&mut self) -> (u8, u8) {
        let (b, f) = (self.ready[self.ready_head], self.flags[self.ready_head]);
        self.ready_head = (self.ready_head + 1) % N_TTY_BUF_SIZE;
        self.ready_len -= 1;
        if f != 0 {
            self.lines -= 1;
        }
        (b, f)
    }

    /// Canonical read (Linux `canon_copy_from_read_buf`): up to the end of the oldest
    /// line; `None` if no whole line is there, `Some(0)` at an end-of-file mark.
    pub fn take_line(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.lines == 0 {
            return None;
        }
        let mut n = 0;
        while n < buf.len() && self.ready_len > 0 {
            let f = self.flags[self.ready_head];
            if f == F_EOF {
                self.pop();
                break;
            }
            let (b, _) = self.pop();
            buf[n] = b;
            n += 1;
            if f == F_EOL {
                break;
            }
        }
        Some(n)
    }

    /// Raw read (Linux `copy_from_read_buf`): whatever is there; EOF marks left over
    /// from canonical mode are dropped.
    pub fn take_raw(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        while n < buf.len() && self.ready_len > 0 {
            let (b, f) = self.pop();
            if f != F_EOF {
                buf[n] = b;
                n += 1;
            }
        }
        n
    }

    /// Bytes a read could take now (FIONREAD; Linux `n_tty_ioctl` TIOCINQ).
    pub fn available(&self) -> usize {
        self.ready_len
    }

    /// Would a read find input (Linux `input_available_p` for poll)? Canonical mode: a
    /// whole line (or an end-of-file mark). Raw mode: VMIN bytes, or one byte when
    /// VTIME is set or VMIN is 0.
    pub fn input_available_p(&self) -> bool {
        if self.canon() {
            return self.lines > 0;
        }
        let (vmin, vtime) = (self.termios.cc[VMIN] as usize, self.termios.cc[VTIME]);
        let amt = if vtime == 0 && vmin > 0 { vmin } else { 1 };
        self.ready_len >= amt
    }

    /// In canonical (line) mode?
    pub fn canon(&self) -> bool {
        self.termios.lflag & ICANON != 0
    }

    /// Does output turn "\n" into "\r\n" (OPOST and ONLCR)?
    pub fn onlcr(&self) -> bool {
        self.termios.oflag & (OPOST | ONLCR) == OPOST | ONLCR
    }

    /// Output through OPOST/ONLCR (Linux `do_output_char`): "\n" becomes "\r\n".
    pub fn output(&self, buf: &[u8], out: &mut dyn FnMut(&[u8])) {
        if !self.onlcr() {
            return out(buf);
        }
        for piece in buf.split_inclusive(|&b| b == b'\n') {
            match piece.split_last() {
                Some((b'\n', body)) => {
                    out(body);
                    out(b"\r\n");
                }
                _ => out(piece),
            }
        }
    }

    /// Echo one input character (Linux `echo_char`): control characters as ^X with
    /// ECHOCTL, except tab and newline.
    fn echo(&self, c: u8, out: &mut dyn FnMut(&[u8])) {
        if self.termios.lflag & ECHO == 0 {
            return;
        }
        if self.termios.lflag & ECHOCTL != 0 && c < 0x20 && c != b'\t' && c != b'\n' {
            self.output(&[b'^', c + 0x40], out);
        } else {
            self.output(&[c], out);
        }
    }

    /// Echo the erasing of one character (ECHOE: backspace, space, backspace).
    fn echo_erase(&self, out: &mut dyn FnMut(&[u8])) {
        if self.termios.lflag & (ECHO | ECHOE) == ECHO | ECHOE {
            self.output(b"\x08 \x08", out);
        }
    }

    /// One input character (Linux `n_tty_receive_char_special` / `_char`). Returns the
    /// signal to send, and whether readers should wake.
    pub fn receive_char(&mut self, mut c: u8, out: &mut dyn FnMut(&[u8])) -> (Option<i32>, bool) {
        let t = self.termios;
        if t.iflag & ISTRIP != 0 {
            c &= 0x7f;
        }
        if c == b'\r' {
            if t.iflag & IGNCR != 0 {
                return (None, false);
            }
            if t.iflag & ICRNL != 0 {
                c = b'\n';
            }
        } else if c == b'\n' && t.iflag & INLCR != 0 {
            c = b'\r';
        }
        let is = |i: usize| t.cc[i] != 0 && c == t.cc[i];
        if t.lflag & ISIG != 0 {
            let sig = if is(VINTR) {
                Some(SIGINT)
            } else if is(VQUIT) {
                Some(SIGQUIT)
            } else if is(VSUSP) {
                Some(SIGTSTP)
            } else {
                None
            };
            if let Some(sig) = sig {
                if t.lflag & NOFLSH == 0 {
                    self.flush_input();
                }
                self.echo(c, out);
                if t.lflag & ECHO != 0 && sig == SIGINT {
                    self.output(b"\n", out);
                }
                return (Some(sig), false);
            }
        }
        if t.lflag & ICANON == 0 {
            self.echo(c, out);
            return (None, self.push(c, 0));
        }
        if is(VERASE) {
            if self.line_len > 0 {
                self.line_len -= 1;
                self.echo_erase(out);
            }
            return (None, false);
        }
        if is(VKILL) {
            while self.line_len > 0 {
                self.line_len -= 1;
                self.echo_erase(out);
            }
            return (None, false);
        }
        if is(VWERASE) && t.lflag & IEXTEN != 0 {
            while self.line_len > 0 && self.line[self.line_len - 1] == b' ' {
                self.line_len -= 1;
                self.echo_erase(out);
            }
            while self.line_len > 0 && self.line[self.line_len - 1] != b' ' {
                self.line_len -= 1;
                self.echo_erase(out);
            }
            return (None, false);
        }
        if is(VEOF) {
            return (None, self.finish_line(None));
        }
        if c == b'\n' || is(VEOL) || is(VEOL2) {
            if t.lflag & ECHO != 0 || (c == b'\n' && t.lflag & ECHONL != 0) {
                self.output(&[c], out);
            }
            return (None, self.finish_line(Some(c)));
        }
        // One byte is kept free for the character that ends the line.
        if self.line_len < N_TTY_BUF_SIZE - 1 {
            self.line[self.line_len] = c;
            self.line_len += 1;
            self.echo(c, out);
        }
        (None, false)
    }

    /// Discard the edited line and all unread input (Linux `n_tty_flush_buffer`).
    pub fn flush_input(&mut self) {
        self.line_len = 0;
        self.ready_len = 0;
        self.lines = 0;
    }

    /// New settings (Linux `n_tty_set_termios`): leaving canonical mode makes the line
    /// being edited readable as it is.
    pub fn set_termios(&mut self, new: Termios) {
        let was_canon = self.canon();
        self.termios = new;
        if was_canon && !self.canon() {
            for i in 0..self.line_len {
                self.push(self.line[i], 0);
            }
            self.line_len = 0;
        }
    }
}

impl Tty {
    /// A terminal with `tty_std_termios`, empty buffers and an 80x24 window.
    pub const fn new() -> Tty {
        Tty {
            termios: Termios::STD,
            line: [0; N_TTY_BUF_SIZE],
            line_len: 0,
            ready: [0; N_TTY_BUF_SIZE],
            flags: [0; N_TTY_BUF_SIZE],
            ready_head: 0,
            ready_len: 0,
            lines: 0,
            fg_pgrp: 0,
            session: 0,
            winsize: [24, 80, 0, 0],
        }
    }
}

impl Default for Tty {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn feed(t: &mut Tty, input: &[u8]) -> (Vec<u8>, Vec<i32>) {
        let (mut echo, mut sigs) = (Vec::new(), Vec::new());
        for &c in input {
            let (sig, _) = t.receive_char(c, &mut |b: &[u8]| echo.extend_from_slice(b));
            sigs.extend(sig);
        }
        (echo, sigs)
    }

    fn line(t: &mut Tty) -> Option<Vec<u8>> {
        let mut buf = [0u8; 64];
        t.take_line(&mut buf).map(|n| buf[..n].to_vec())
    }

    #[test]
    fn canonical_editing_and_echo() {
        let mut t = Tty::new();
        let (echo, _) = feed(&mut t, b"lx\x7fs -l\r");
        assert_eq!(echo, b"lx\x08 \x08s -l\r\n"); // ECHOE erase; ICRNL + ONLCR
        assert_eq!(line(&mut t).as_deref(), Some(&b"ls -l\n"[..]));
        assert_eq!(line(&mut t), None); // no whole line yet
        feed(&mut t, b"abc\x15xy\x17z\n"); // Ctrl-U kills, Ctrl-W erases a word
        assert_eq!(line(&mut t).as_deref(), Some(&b"z\n"[..]));
        feed(&mut t, b"ab\x04\x04"); // VEOF: hand over without newline, then EOF
        assert_eq!(line(&mut t).as_deref(), Some(&b"ab"[..]));
        assert_eq!(line(&mut t).as_deref(), Some(&b""[..]));
        let mut small = [0u8; 2];
        feed(&mut t, b"long\n");
        assert_eq!(t.take_line(&mut small), Some(2)); // the rest waits for the next read
        assert_eq!(line(&mut t).as_deref(), Some(&b"ng\n"[..]));
    }

    #[test]
    fn signals_and_raw_mode() {
        let mut t = Tty::new();
        feed(&mut t, b"partial");
        let (echo, sigs) = feed(&mut t, b"\x03\x1c\x1a");
        assert_eq!(sigs, [SIGINT, SIGQUIT, SIGTSTP]);
        assert!(echo.starts_with(b"^C\r\n")); // ECHOCTL
        assert_eq!(t.available(), 0); // the signal flushed the input
                                      // Raw: no ISIG, ICANON or ECHO; bytes are readable at once, ^C included.
        let mut raw = Termios::STD;
        raw.lflag &= !(ISIG | ICANON | ECHO);
        feed(&mut t, b"ab");
        t.set_termios(raw); // leaving canonical mode hands over the edited "ab"
        let (echo, sigs) = feed(&mut t, b"\x03\r");
        assert!(echo.is_empty() && sigs.is_empty());
        let mut buf = [0u8; 8];
        assert_eq!(t.take_raw(&mut buf), 4);
        assert_eq!(&buf[..4], b"ab\x03\n"); // ICRNL still applies
                                            // IGNCR drops CR; without ICRNL it passes.
        raw.iflag = 0;
        t.set_termios(raw);
        feed(&mut t, b"\r");
        assert_eq!((t.take_raw(&mut buf), buf[0]), (1, b'\r'));
        raw.iflag = IGNCR;
        t.set_termios(raw);
        feed(&mut t, b"\rx");
        assert_eq!((t.take_raw(&mut buf), buf[0]), (1, b'x'));
    }

    #[test]
    fn poll_readiness() {
        let mut t = Tty::new();
        feed(&mut t, b"abc");
        assert!(!t.input_available_p()); // canonical: no whole line yet
        feed(&mut t, b"\n");
        assert!(t.input_available_p());
        let mut raw = Termios::STD;
        raw.lflag &= !(ICANON | ECHO);
        raw.cc[VMIN] = 6;
        raw.cc[VTIME] = 0;
        t.set_termios(raw);
        assert!(!t.input_available_p()); // raw, VMIN 6: four bytes are not enough
        feed(&mut t, b"de");
        assert!(t.input_available_p());
        raw.cc[VMIN] = 9;
        raw.cc[VTIME] = 1; // with VTIME one byte makes it readable
        t.set_termios(raw);
        assert!(t.input_available_p());
    }

    #[test]
    fn output_processing_and_termios_bytes() {
        let mut t = Tty::new();
        let mut out = Vec::new();
        t.output(b"a\nb\n", &mut |b: &[u8]| out.extend_from_slice(b));
        assert_eq!(out, b"a\r\nb\r\n");
        t.termios.oflag = 0;
        out.clear();
        t.output(b"a\n", &mut |b: &[u8]| out.extend_from_slice(b));
        assert_eq!(out, b"a\n");
        let bytes = Termios::STD.to_bytes();
        assert_eq!(Termios::from_bytes(&bytes), Termios::STD);
        assert_eq!(&bytes[12..16], &0o105073u32.to_le_bytes());
        assert_eq!(bytes[17 + VINTR], 3);
    }
}
