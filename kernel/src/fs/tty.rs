//! The console terminal and its line discipline (Linux `drivers/tty/n_tty.c`, reduced to
//! canonical mode on one UART).
//!
//! Input arrives by interrupt (`printk::console_irq`). In canonical mode the terminal
//! collects a line, echoing what is typed and honouring the editing keys, and a read
//! returns only whole lines: Enter ends a line, Backspace/DEL erases a character, Ctrl-U
//! the line, Ctrl-D at the start of a line is end of file, Ctrl-C sends SIGINT to the
//! terminal's foreground process group.

use crate::errno::{Errno, KResult};
use crate::task::wait_queue::WaitQueue;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use spin::Mutex;

struct Tty {
    /// The line being edited.
    line: Vec<u8>,
    /// Finished lines (and EOF markers as empty lines) ready for read.
    ready: VecDeque<Vec<u8>>,
    /// Process group that gets Ctrl-C (0: none).
    fg_pgrp: i32,
}

static TTY: Mutex<Tty> = Mutex::new(Tty {
    line: Vec::new(),
    ready: VecDeque::new(),
    fg_pgrp: 0,
});
static READERS: WaitQueue = WaitQueue::new();

/// Set the foreground process group (Linux TIOCSPGRP), which Ctrl-C signals.
pub fn set_foreground(pgrp: i32) {
    TTY.lock().fg_pgrp = pgrp;
}

/// The foreground process group (Linux TIOCGPGRP).
pub fn foreground() -> i32 {
    TTY.lock().fg_pgrp
}

/// Feed bytes that arrived at the UART through the line discipline (Linux
/// `n_tty_receive_buf`). Called from the console interrupt.
pub fn receive() {
    let mut woke = false;
    while let Some(c) = crate::printk::console_getc() {
        let mut tty = TTY.lock();
        match c {
            b'\r' | b'\n' => {
                crate::print!("\n");
                let mut line = core::mem::take(&mut tty.line);
                line.push(b'\n');
                tty.ready.push_back(line);
                woke = true;
            }
            0x7f | 0x08 if tty.line.pop().is_some() => {
                crate::print!("\x08 \x08");
            }
            0x15 => {
                // Ctrl-U: erase the whole line
                for _ in 0..tty.line.len() {
                    crate::print!("\x08 \x08");
                }
                tty.line.clear();
            }
            0x04 => {
                // Ctrl-D: hand over what is typed; on an empty line, end of file
                let line = core::mem::take(&mut tty.line);
                tty.ready.push_back(line);
                woke = true;
            }
            0x03 => {
                crate::print!("^C\n");
                tty.line.clear();
                let pg = tty.fg_pgrp;
                drop(tty);
                if pg > 0 {
                    crate::task::signal::kill_pgrp(pg, crate::task::signal::SIGINT);
                }
            }
            c if (c >= 0x20 || c == b'\t') && tty.line.len() < 4095 => {
                tty.line.push(c);
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
        let mut tty = TTY.lock();
        let Some(mut line) = tty.ready.pop_front() else {
            if nonblock {
                out = Err(Errno::EAGAIN);
                return true;
            }
            return false;
        };
        let n = line.len().min(buf.len());
        buf[..n].copy_from_slice(&line[..n]);
        if n < line.len() {
            tty.ready.push_front(line.split_off(n));
        }
        out = Ok(n);
        true
    });
    if !ok {
        return Err(Errno::EINTR);
    }
    out
}

/// Write to the console (Linux `n_tty_write` with OPOST|ONLCR: "\n" becomes "\r\n").
pub fn write(buf: &[u8]) -> usize {
    crate::printk::write_bytes(buf);
    buf.len()
}
