//! The console terminal and its line discipline (Linux `drivers/tty/n_tty.c`, reduced to
//! canonical mode on one UART).
//!
//! Input arrives by interrupt (`printk::console_irq`). In canonical mode the terminal
//! collects a line, echoing what is typed and honouring the editing keys, and a read
//! returns only whole lines: Enter ends a line, Backspace/DEL erases a character, Ctrl-U
//! the line, Ctrl-D at the start of a line is end of file, Ctrl-C sends SIGINT to the
//! terminal's foreground process group.
//!
//! All the buffers are fixed arrays (Linux's `N_TTY_BUF_SIZE` read buffer), because the
//! interrupt handler must not allocate: it may have interrupted the allocator itself.
//! What does not fit is dropped, as Linux drops input when its buffer is full.

use crate::errno::{Errno, KResult};
use crate::task::wait_queue::WaitQueue;
use spin::Mutex;

/// Bytes of typed input the terminal holds: the line being edited, and finished lines
/// waiting for a reader (Linux `N_TTY_BUF_SIZE`).
const N_TTY_BUF_SIZE: usize = 4096;
/// Most finished lines (or end-of-file marks) waiting for a reader.
const MAX_LINES: usize = 64;

struct Tty {
    /// The line being edited: `line[..line_len]`.
    line: [u8; N_TTY_BUF_SIZE],
    line_len: usize,
    /// Finished lines, back to back in a ring: `ready_len` bytes from `ready_head`.
    ready: [u8; N_TTY_BUF_SIZE],
    ready_head: usize,
    ready_len: usize,
    /// The length of each finished line still (partly) unread, oldest first, in a ring of
    /// `nlines` from `lines_head`. A length of 0 is an end-of-file mark (Ctrl-D on an
    /// empty line).
    lines: [usize; MAX_LINES],
    lines_head: usize,
    nlines: usize,
    /// Process group that gets Ctrl-C (0: none).
    fg_pgrp: i32,
}

impl Tty {
    /// Hand the edited line (plus `end`, a newline or nothing) to readers; false if there
    /// is no room (the line is then dropped, as Linux does when its buffer is full).
    fn finish_line(&mut self, end: &[u8]) -> bool {
        let len = self.line_len + end.len();
        let ok = self.nlines < MAX_LINES && self.ready_len + len <= N_TTY_BUF_SIZE;
        if ok {
            for i in 0..len {
                let b = if i < self.line_len {
                    self.line[i]
                } else {
                    end[i - self.line_len]
                };
                self.ready[(self.ready_head + self.ready_len) % N_TTY_BUF_SIZE] = b;
                self.ready_len += 1;
            }
            self.lines[(self.lines_head + self.nlines) % MAX_LINES] = len;
            self.nlines += 1;
        }
        self.line_len = 0;
        ok
    }

    /// Copy what fits of the oldest finished line into `buf` (Linux
    /// `canon_copy_from_read_buf`); `None` if no line is ready, `Some(0)` at an end-of-file
    /// mark.
    fn take_line(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.nlines == 0 {
            return None;
        }
        let left = self.lines[self.lines_head];
        let n = left.min(buf.len());
        for b in buf[..n].iter_mut() {
            *b = self.ready[self.ready_head];
            self.ready_head = (self.ready_head + 1) % N_TTY_BUF_SIZE;
        }
        self.ready_len -= n;
        if n == left {
            self.lines_head = (self.lines_head + 1) % MAX_LINES;
            self.nlines -= 1;
        } else {
            self.lines[self.lines_head] = left - n; // the rest is for the next read
        }
        Some(n)
    }
}

static TTY: Mutex<Tty> = Mutex::new(Tty {
    line: [0; N_TTY_BUF_SIZE],
    line_len: 0,
    ready: [0; N_TTY_BUF_SIZE],
    ready_head: 0,
    ready_len: 0,
    lines: [0; MAX_LINES],
    lines_head: 0,
    nlines: 0,
    fg_pgrp: 0,
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

/// Feed bytes that arrived at the UART through the line discipline (Linux
/// `n_tty_receive_buf`). Called from the console interrupt: no allocation here.
pub fn receive() {
    let mut woke = false;
    while let Some(c) = crate::printk::console_getc() {
        let mut tty = TTY.lock();
        match c {
            b'\r' | b'\n' => {
                crate::print!("\n");
                woke |= tty.finish_line(b"\n");
            }
            0x7f | 0x08 if tty.line_len > 0 => {
                tty.line_len -= 1;
                crate::print!("\x08 \x08");
            }
            0x15 => {
                // Ctrl-U: erase the whole line
                for _ in 0..tty.line_len {
                    crate::print!("\x08 \x08");
                }
                tty.line_len = 0;
            }
            0x04 => {
                // Ctrl-D: hand over what is typed; on an empty line, end of file
                woke |= tty.finish_line(b"");
            }
            0x03 => {
                crate::print!("^C\n");
                tty.line_len = 0;
                let pg = tty.fg_pgrp;
                drop(tty);
                if pg > 0 {
                    crate::task::signal::kill_pgrp(pg, crate::task::signal::SIGINT);
                }
            }
            // One byte is kept free for the newline that ends the line.
            c if (c >= 0x20 || c == b'\t') && tty.line_len < N_TTY_BUF_SIZE - 1 => {
                let at = tty.line_len;
                tty.line[at] = c;
                tty.line_len += 1;
                crate::print!("{}", c as char);
            }
            _ => {}
        }
    }
    if woke {
        READERS.wake_all();
    }
}

/// Read one line (or what fits of it) from the console (Linux `n_tty_read`).
pub fn read(buf: &mut [u8], nonblock: bool) -> KResult<usize> {
    let mut out = Ok(0);
    let ok = READERS.wait_until(|| {
        with_tty(|tty| match tty.take_line(buf) {
            Some(n) => {
                out = Ok(n);
                true
            }
            None if nonblock => {
                out = Err(Errno::EAGAIN);
                true
            }
            None => false,
        })
    });
    if !ok {
        return Err(Errno::ERESTARTSYS);
    }
    out
}

/// Write to the console (Linux `n_tty_write` with OPOST|ONLCR: "\n" becomes "\r\n").
pub fn write(buf: &[u8]) -> usize {
    crate::printk::write_bytes(buf);
    buf.len()
}

/// The console's ready mask (Linux `n_tty_poll`): readable when a line (or an
/// end-of-file mark) waits, always writable.
pub fn poll<'a>(pt: Option<&mut super::select::PollTable<'a>>) -> u32 {
    use super::poll::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
    if let Some(pt) = pt {
        pt.poll_wait(&READERS);
    }
    let readable = with_tty(|tty| tty.nlines > 0);
    POLLOUT | POLLWRNORM | if readable { POLLIN | POLLRDNORM } else { 0 }
}
