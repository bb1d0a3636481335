//! The console terminal and its line discipline (Linux `drivers/tty/n_tty.c`,
//! `drivers/tty/tty_ioctl.c`, `include/uapi/asm-generic/termbits.h`), on one UART.
//!
//! Input arrives by interrupt (`printk::console_irq` -> [`receive`]) and is processed
//! as the terminal's `termios` says, as Linux's `n_tty_receive_char` does: ISTRIP,
//! IGNCR/ICRNL/INLCR; with ISIG the VINTR/VQUIT/VSUSP characters (Ctrl-C, Ctrl-\,
//! Ctrl-Z) send SIGINT/SIGQUIT/SIGTSTP to the foreground process group; with ICANON a
//! line is edited (VERASE, VKILL, VWERASE, VEOF) and a read returns only whole lines;
//! without it (raw mode, what shells set for their own line editing) bytes are readable
//! at once, and VMIN/VTIME decide how long a read waits. ECHO (with ECHOE, ECHOCTL,
//! ECHONL) echoes. Output honours OPOST/ONLCR.
//!
//! Simplified: one terminal (the console is /dev/console, /dev/tty and the controlling
//! terminal of everyone), no job-control stops for background reads/writes (SIGTTIN/
//! SIGTTOU), no flow control (IXON), no parity, no VLNEXT/VREPRINT. Ctrl-C echoes "^C"
//! and a newline (Linux echoes "^C" only and leaves the newline to the shell; Linnet's
//! own shell relies on this).
//!
//! All the buffers are fixed arrays (Linux's `N_TTY_BUF_SIZE` read buffer), because the
//! interrupt handler must not allocate: it may have interrupted the allocator itself.
//! What does not fit is dropped, as Linux drops input when its buffer is full.

use crate::errno::{Errno, KResult};
use crate::task::wait_queue::{schedule_timeout_on, WaitError, WaitQueue};
use spin::Mutex;

/// Bytes of typed input the terminal holds: the line being edited, and input waiting
/// for a reader (Linux `N_TTY_BUF_SIZE`).
const N_TTY_BUF_SIZE: usize = 4096;

/// `c_cc` entries (Linux `NCCS`).
pub const NCCS: usize = 19;
/// `c_cc` indices.
pub mod cc {
    /// Interrupt (Ctrl-C).
    pub const VINTR: usize = 0;
    /// Quit (Ctrl-\).
    pub const VQUIT: usize = 1;
    /// Erase a character (DEL).
    pub const VERASE: usize = 2;
    /// Erase the line (Ctrl-U).
    pub const VKILL: usize = 3;
    /// End of file (Ctrl-D).
    pub const VEOF: usize = 4;
    /// Raw-mode timeout, tenths of a second.
    pub const VTIME: usize = 5;
    /// Raw-mode minimum read.
    pub const VMIN: usize = 6;
    /// Suspend (Ctrl-Z).
    pub const VSUSP: usize = 10;
    /// Extra end of line.
    pub const VEOL: usize = 11;
    /// Erase a word (Ctrl-W).
    pub const VWERASE: usize = 14;
    /// Second extra end of line.
    pub const VEOL2: usize = 16;
}
use cc::*;

/// c_iflag bits.
const ISTRIP: u32 = 0o40;
const INLCR: u32 = 0o100;
const IGNCR: u32 = 0o200;
const ICRNL: u32 = 0o400;
/// c_oflag bits.
const OPOST: u32 = 0o1;
const ONLCR: u32 = 0o4;
/// c_lflag bits.
const ISIG: u32 = 0o1;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;
const ECHOE: u32 = 0o20;
const ECHONL: u32 = 0o100;
const NOFLSH: u32 = 0o200;
const ECHOCTL: u32 = 0o1000;
const IEXTEN: u32 = 0o100000;

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

struct Tty {
    termios: Termios,
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
    fg_pgrp: i32,
    /// Window size: rows, columns, x pixels, y pixels (`struct winsize`).
    winsize: [u16; 4],
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
    fn take_line(&mut self, buf: &mut [u8]) -> Option<usize> {
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
    fn take_raw(&mut self, buf: &mut [u8]) -> usize {
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

    /// Bytes a read could take now (FIONREAD; Linux `input_available_p` / `n_tty_ioctl`).
    fn available(&self) -> usize {
        self.ready_len
    }

    fn canon(&self) -> bool {
        self.termios.lflag & ICANON != 0
    }

    /// Output through OPOST/ONLCR (Linux `do_output_char`).
    fn output(&self, buf: &[u8]) {
        if self.termios.oflag & (OPOST | ONLCR) == OPOST | ONLCR {
            crate::printk::write_bytes(buf);
        } else {
            crate::printk::write_raw(buf);
        }
    }

    /// Echo one input character (Linux `echo_char`): control characters as ^X with
    /// ECHOCTL, except tab and newline.
    fn echo(&self, c: u8) {
        if self.termios.lflag & ECHO == 0 {
            return;
        }
        if self.termios.lflag & ECHOCTL != 0 && c < 0x20 && c != b'\t' && c != b'\n' {
            self.output(&[b'^', c + 0x40]);
        } else {
            self.output(&[c]);
        }
    }

    /// Echo the erasing of one character (ECHOE: backspace, space, backspace).
    fn echo_erase(&self) {
        if self.termios.lflag & (ECHO | ECHOE) == ECHO | ECHOE {
            self.output(b"\x08 \x08");
        }
    }

    /// One input character (Linux `n_tty_receive_char_special` / `_char`). Returns the
    /// signal to send, and whether readers should wake.
    fn receive_char(&mut self, mut c: u8) -> (Option<i32>, bool) {
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
                Some(crate::task::signal::SIGINT)
            } else if is(VQUIT) {
                Some(crate::task::signal::SIGQUIT)
            } else if is(VSUSP) {
                Some(crate::task::signal::SIGTSTP)
            } else {
                None
            };
            if let Some(sig) = sig {
                if t.lflag & NOFLSH == 0 {
                    self.flush_input();
                }
                self.echo(c);
                if t.lflag & ECHO != 0 && sig == crate::task::signal::SIGINT {
                    self.output(b"\n");
                }
                return (Some(sig), false);
            }
        }
        if t.lflag & ICANON == 0 {
            self.echo(c);
            return (None, self.push(c, 0));
        }
        if is(VERASE) {
            if self.line_len > 0 {
                self.line_len -= 1;
                self.echo_erase();
            }
            return (None, false);
        }
        if is(VKILL) {
            while self.line_len > 0 {
                self.line_len -= 1;
                self.echo_erase();
            }
            return (None, false);
        }
        if is(VWERASE) && t.lflag & IEXTEN != 0 {
            while self.line_len > 0 && self.line[self.line_len - 1] == b' ' {
                self.line_len -= 1;
                self.echo_erase();
            }
            while self.line_len > 0 && self.line[self.line_len - 1] != b' ' {
                self.line_len -= 1;
                self.echo_erase();
            }
            return (None, false);
        }
        if is(VEOF) {
            return (None, self.finish_line(None));
        }
        if c == b'\n' || is(VEOL) || is(VEOL2) {
            if t.lflag & ECHO != 0 || (c == b'\n' && t.lflag & ECHONL != 0) {
                self.output(&[c]);
            }
            return (None, self.finish_line(Some(c)));
        }
        // One byte is kept free for the character that ends the line.
        if self.line_len < N_TTY_BUF_SIZE - 1 {
            self.line[self.line_len] = c;
            self.line_len += 1;
            self.echo(c);
        }
        (None, false)
    }

    fn flush_input(&mut self) {
        self.line_len = 0;
        self.ready_len = 0;
        self.lines = 0;
    }

    /// New settings (Linux `n_tty_set_termios`): leaving canonical mode makes the line
    /// being edited readable as it is.
    fn set_termios(&mut self, new: Termios) {
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

static TTY: Mutex<Tty> = Mutex::new(Tty {
    termios: Termios::STD,
    line: [0; N_TTY_BUF_SIZE],
    line_len: 0,
    ready: [0; N_TTY_BUF_SIZE],
    flags: [0; N_TTY_BUF_SIZE],
    ready_head: 0,
    ready_len: 0,
    lines: 0,
    fg_pgrp: 0,
    winsize: [24, 80, 0, 0],
});
static READERS: WaitQueue = WaitQueue::new();

/// Run `f` on the terminal from process context (a syscall), with IRQs masked while the
/// lock is held: the console interrupt (`receive`) takes the same lock, and if it arrived
/// while we held it, it would spin forever on this CPU (Linux: `spin_lock_irqsave`).
/// Linnet's kernel already runs with IRQs masked outside the idle loop; saving and
/// restoring keeps this correct wherever it is called from.
fn with_tty<T>(f: impl FnOnce(&mut Tty) -> T) -> T {
    let flags = crate::arch::aarch64::cpu::local_irq_save();
    let r = f(&mut TTY.lock());
    crate::arch::aarch64::cpu::local_irq_restore(flags);
    r
}

/// Set the foreground process group (Linux TIOCSPGRP), which Ctrl-C signals.
pub fn set_foreground(pgrp: i32) {
    with_tty(|tty| tty.fg_pgrp = pgrp);
}

/// The foreground process group (Linux TIOCGPGRP).
pub fn foreground() -> i32 {
    with_tty(|tty| tty.fg_pgrp)
}

/// The current settings (TCGETS).
pub fn get_termios() -> Termios {
    with_tty(|tty| tty.termios)
}

/// New settings (TCSETS; TCSETSF also flushes pending input). Output is written
/// synchronously, so TCSETSW has nothing to wait for.
pub fn set_termios(t: Termios, flush: bool) {
    with_tty(|tty| {
        if flush {
            tty.flush_input();
        }
        tty.set_termios(t);
    });
    READERS.wake_all(); // a reader may now have enough (raw mode)
}

/// Discard pending input (TCFLSH with TCIFLUSH or TCIOFLUSH).
pub fn flush_input() {
    with_tty(|tty| tty.flush_input());
}

/// Bytes waiting to be read (FIONREAD).
pub fn input_available() -> usize {
    with_tty(|tty| tty.available())
}

/// The window size (TIOCGWINSZ).
pub fn winsize() -> [u16; 4] {
    with_tty(|tty| tty.winsize)
}

/// Set the window size (TIOCSWINSZ): a change sends SIGWINCH to the foreground group
/// (Linux `tty_do_resize`).
pub fn set_winsize(ws: [u16; 4]) {
    let (changed, pg) = with_tty(|tty| {
        let changed = tty.winsize != ws;
        tty.winsize = ws;
        (changed, tty.fg_pgrp)
    });
    if changed && pg > 0 {
        crate::task::signal::kill_pgrp(pg, crate::task::signal::SIGWINCH);
    }
}

/// Feed bytes that arrived at the UART through the line discipline (Linux
/// `n_tty_receive_buf`). Called from the console interrupt: no allocation here.
pub fn receive() {
    let mut woke = false;
    while let Some(c) = crate::printk::console_getc() {
        let (sig, wake) = TTY.lock().receive_char(c);
        woke |= wake;
        if let Some(sig) = sig {
            let pg = TTY.lock().fg_pgrp;
            if pg > 0 {
                crate::task::signal::kill_pgrp(pg, sig);
            }
        }
    }
    if woke {
        READERS.wake_all();
    }
}

/// Read from the console (Linux `n_tty_read`): a line in canonical mode; in raw mode
/// what is there, waiting as VMIN and VTIME say (VMIN 0 / VTIME 0: never wait; VMIN 0:
/// wait up to VTIME tenths for a byte; VTIME 0: wait for VMIN bytes; both: VMIN bytes
/// or VTIME tenths without a new byte).
pub fn read(buf: &mut [u8], nonblock: bool) -> KResult<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    let mut out = Ok(0);
    let mut got = 0;
    let mut deadline: Option<u64> = None;
    let ok = loop {
        // Some(wait): not done yet, sleep until a wake-up or the `wait` deadline.
        let wait: Option<Option<u64>> = with_tty(|tty| {
            if tty.canon() {
                return match tty.take_line(buf) {
                    Some(n) => {
                        out = Ok(n);
                        None
                    }
                    None if nonblock => {
                        out = Err(Errno::EAGAIN);
                        None
                    }
                    None => Some(None),
                };
            }
            let (vmin, vtime) = (tty.termios.cc[VMIN] as usize, tty.termios.cc[VTIME] as u64);
            let n = tty.take_raw(&mut buf[got..]);
            let now = crate::drivers::timer::uptime_ns();
            if n > 0 || deadline.is_none() {
                // VTIME is an overall timer with VMIN 0, an inter-byte one otherwise.
                deadline = Some(now + vtime * 100_000_000);
            }
            got += n;
            out = Ok(got);
            if got >= vmin.clamp(1, buf.len()) || (vmin == 0 && vtime == 0) {
                return None;
            }
            if nonblock && got == 0 {
                out = Err(Errno::EAGAIN);
                return None;
            }
            if vtime > 0 && (vmin == 0 || got > 0) {
                let d = deadline.unwrap_or(now);
                if now >= d {
                    return None;
                }
                return Some(Some(d));
            }
            Some(None)
        });
        let Some(until) = wait else {
            break true;
        };
        // A timeout just loops: the next pass sees the deadline passed.
        if let Err(WaitError::Interrupted) = schedule_timeout_on(&[&READERS], until) {
            break false;
        }
    };
    if !ok {
        return if got > 0 {
            Ok(got)
        } else {
            Err(Errno::ERESTARTSYS)
        };
    }
    out
}

/// Write to the console (Linux `n_tty_write`, OPOST|ONLCR: "\n" becomes "\r\n").
pub fn write(buf: &[u8]) -> usize {
    with_tty(|tty| tty.output(buf));
    buf.len()
}

/// The console's ready mask (Linux `n_tty_poll` -> `input_available_p`): readable when
/// a line (or an end-of-file mark) waits in canonical mode, or in raw mode when VMIN
/// bytes wait (one byte if VTIME is set or VMIN is 0); always writable.
pub fn poll<'a>(pt: Option<&mut super::select::PollTable<'a>>) -> u32 {
    use super::poll::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
    if let Some(pt) = pt {
        pt.poll_wait(&READERS);
    }
    let readable = with_tty(|tty| {
        if tty.canon() {
            return tty.lines > 0;
        }
        let (vmin, vtime) = (tty.termios.cc[VMIN] as usize, tty.termios.cc[VTIME]);
        let amt = if vtime == 0 && vmin > 0 { vmin } else { 1 };
        tty.ready_len >= amt
    });
    POLLOUT | POLLWRNORM | if readable { POLLIN | POLLRDNORM } else { 0 }
}
