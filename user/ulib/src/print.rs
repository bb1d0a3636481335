//! `print!`, `println!`, `eprint!`, `eprintln!`: formatted output to fd 1 or 2.
//!
//! No allocation: the text is formatted into a 512-byte buffer on the stack and written
//! with write(2) when the buffer fills and at the end. A line shorter than the buffer
//! therefore leaves in a single write, so lines from several processes or threads do not
//! interleave mid-line (which keeps TAP output parseable).

use core::fmt::{self, Write};

/// Buffers formatted text for one file descriptor; writes it out on `flush`.
pub struct FdWriter {
    fd: i32,
    len: usize,
    buf: [u8; 512],
}

impl FdWriter {
    /// A writer for `fd` with an empty buffer.
    pub fn new(fd: i32) -> FdWriter {
        FdWriter {
            fd,
            len: 0,
            buf: [0; 512],
        }
    }

    /// Write out what is buffered. Errors are dropped: there is nowhere to report them.
    pub fn flush(&mut self) {
        let _ = crate::io::write_all(self.fd, &self.buf[..self.len]);
        self.len = 0;
    }
}

impl Write for FdWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == self.buf.len() {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

/// What the macros call: format `args` (and a newline) to `fd` in as few writes as fit.
#[doc(hidden)]
pub fn _print(fd: i32, args: fmt::Arguments, newline: bool) {
    let mut w = FdWriter::new(fd);
    let _ = w.write_fmt(args);
    if newline {
        let _ = w.write_str("\n");
    }
    w.flush();
}

/// Print to standard output (fd 1).
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::print::_print(1, format_args!($($arg)*), false) };
}

/// Print a line to standard output (fd 1).
#[macro_export]
macro_rules! println {
    () => { $crate::print::_print(1, format_args!(""), true) };
    ($($arg:tt)*) => { $crate::print::_print(1, format_args!($($arg)*), true) };
}

/// Print to standard error (fd 2).
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::print::_print(2, format_args!($($arg)*), false) };
}

/// Print a line to standard error (fd 2).
#[macro_export]
macro_rules! eprintln {
    () => { $crate::print::_print(2, format_args!(""), true) };
    ($($arg:tt)*) => { $crate::print::_print(2, format_args!($($arg)*), true) };
}
