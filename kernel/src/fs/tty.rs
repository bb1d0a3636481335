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

pub use super::n_tty::Termios;
use super::n_tty::{cc::*, Tty};
use crate::errno::{Errno, KResult};
use crate::task::wait_queue::{schedule_timeout_on, WaitError, WaitQueue};
use spin::Mutex;

static TTY: Mutex<Tty> = Mutex::new(Tty::new());
static READERS: WaitQueue = WaitQueue::new();

/// Run `f` on the terminal from process context (a syscall), with IRQs masked while the
/// lock is held: the console interrupt (`receive`) takes the same lock, and if it arrived
/// while we held it, it would spin forever on this CPU (Linux: `spin_lock_irqsave`).
/// Linnet's kernel already runs with IRQs masked outside the idle loop; saving and
/// restoring keeps this correct wherever it is called from.
fn with_tty<T>(f: impl FnOnce(&mut Tty) -> T) -> T {
    let flags = crate::arch::cpu::local_irq_save();
    let r = f(&mut TTY.lock());
    crate::arch::cpu::local_irq_restore(flags);
    r
}

/// Set the foreground process group (Linux TIOCSPGRP), which Ctrl-C signals.
pub fn set_foreground(pgrp: i32) {
    with_tty(|tty| tty.fg_pgrp = pgrp);
}

/// The session the console is the controlling terminal of (0: none) and its
/// foreground process group (Linux `tty->session`, `tty->pgrp`).
pub fn ctty() -> (i32, i32) {
    with_tty(|tty| (tty.session, tty.fg_pgrp))
}

/// Make the console session `sid`'s controlling terminal with `pgrp` in the foreground
/// (Linux `__proc_set_tty`); (0, 0) frees it.
pub fn set_ctty(sid: i32, pgrp: i32) {
    with_tty(|tty| {
        tty.session = sid;
        tty.fg_pgrp = pgrp;
    });
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
        let (sig, wake) = TTY.lock().receive_char(c, &mut crate::printk::write_raw);
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
/// The usual settings take the console's own "\r\n" writer, which does the same in
/// one pass.
pub fn write(buf: &[u8]) -> usize {
    with_tty(|tty| {
        if tty.onlcr() {
            crate::printk::write_bytes(buf);
        } else {
            tty.output(buf, &mut crate::printk::write_raw);
        }
    });
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
    let readable = with_tty(|tty| tty.input_available_p());
    POLLOUT | POLLWRNORM | if readable { POLLIN | POLLRDNORM } else { 0 }
}
