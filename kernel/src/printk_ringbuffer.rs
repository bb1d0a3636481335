//! The kernel log buffer behind `dmesg` (Linux `kernel/printk/printk_ringbuffer.c` and
//! the reading side of `kernel/printk/printk.c`: `syslog_print`, `syslog_print_all`,
//! `do_syslog`).
//!
//! Every kernel message is kept here, whatever the console shows, already in the form
//! syslog(2) hands out: `<level>[seconds.micros] text\n`. The buffer is a fixed byte
//! ring (no heap, so logging never disturbs the heap-leak checks); the oldest records
//! are overwritten. Positions are counted in bytes since boot: `head` is where the next
//! byte goes, `read` where SYSLOG_ACTION_READ continues, `clear` where READ_ALL starts
//! after a CLEAR. Linux counts records (sequence numbers); bytes of whole records are
//! the same thing here.

/// Linux's default `log_buf_len` with CONFIG_LOG_BUF_SHIFT=14 is 16 KiB; Linnet keeps 64.
pub const LOG_BUF_LEN: usize = 64 * 1024;

/// syslog(2) actions (Linux `include/linux/syslog.h`).
pub const SYSLOG_ACTION_CLOSE: i32 = 0;
/// Open the log (nothing to do).
pub const SYSLOG_ACTION_OPEN: i32 = 1;
/// Read unread records, sleeping until there are some; they become read.
pub const SYSLOG_ACTION_READ: i32 = 2;
/// Read every record still in the buffer (since the last CLEAR).
pub const SYSLOG_ACTION_READ_ALL: i32 = 3;
/// READ_ALL, then CLEAR.
pub const SYSLOG_ACTION_READ_CLEAR: i32 = 4;
/// Forget the records so far for READ_ALL.
pub const SYSLOG_ACTION_CLEAR: i32 = 5;
/// Console messages off (loglevel to the minimum).
pub const SYSLOG_ACTION_CONSOLE_OFF: i32 = 6;
/// Console messages back on.
pub const SYSLOG_ACTION_CONSOLE_ON: i32 = 7;
/// Set the console loglevel.
pub const SYSLOG_ACTION_CONSOLE_LEVEL: i32 = 8;
/// Bytes not yet read by READ.
pub const SYSLOG_ACTION_SIZE_UNREAD: i32 = 9;
/// The buffer's size.
pub const SYSLOG_ACTION_SIZE_BUFFER: i32 = 10;

/// The ring and its positions.
pub struct LogBuf<const N: usize> {
    buf: [u8; N],
    head: u64,
    /// Where the oldest whole record still in the ring starts.
    first: u64,
    read: u64,
    clear: u64,
    /// An unfinished line of `print!` output, and its level and time, completed by the
    /// next newline (Linux's `LOG_CONT` continuation).
    cont: [u8; 256],
    cont_len: usize,
}

impl<const N: usize> Default for LogBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> LogBuf<N> {
    /// Empty.
    pub const fn new() -> Self {
        LogBuf {
            buf: [0; N],
            head: 0,
            first: 0,
            read: 0,
            clear: 0,
            cont: [0; 256],
            cont_len: 0,
        }
    }

    fn byte(&self, pos: u64) -> u8 {
        self.buf[(pos % N as u64) as usize]
    }

    /// Append bytes, first moving `first` past the records they will overwrite.
    fn put(&mut self, bytes: &[u8]) {
        let new_tail = (self.head + bytes.len() as u64).saturating_sub(N as u64);
        while self.first < new_tail && self.first < self.head {
            let mut p = self.first;
            while p < self.head && self.byte(p) != b'\n' {
                p += 1;
            }
            self.first = p + 1;
        }
        for &b in bytes {
            self.buf[(self.head % N as u64) as usize] = b;
            self.head += 1;
        }
        self.first = self.first.min(self.head).max(new_tail);
    }

    /// The first record start at or after `pos` (older ones were overwritten).
    fn record_start(&self, pos: u64) -> u64 {
        pos.max(self.first)
    }

    /// Store one record: `<level>[sec.usec] text`, a newline added (Linux
    /// `vprintk_store` + `record_print_text` with the syslog prefix and printk_time).
    pub fn store(&mut self, level: u8, time_ns: u64, text: &[u8]) {
        let us = time_ns / 1000;
        let mut prefix = [0u8; 40];
        let n = fmt_prefix(&mut prefix, level, us / 1_000_000, us % 1_000_000);
        self.put(&prefix[..n]);
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        self.put(text);
        self.put(b"\n");
    }

    /// `print!` output: whole lines become records at `level`; a partial line waits
    /// for the rest.
    pub fn store_printed(&mut self, level: u8, time_ns: u64, mut text: &[u8]) {
        while let Some(i) = text.iter().position(|&b| b == b'\n') {
            let (line, rest) = text.split_at(i);
            if self.cont_len > 0 {
                let mut joined = [0u8; 256];
                let k = self.cont_len;
                joined[..k].copy_from_slice(&self.cont[..k]);
                let m = line.len().min(256 - k);
                joined[k..k + m].copy_from_slice(&line[..m]);
                self.cont_len = 0;
                self.store(level, time_ns, &joined[..k + m]);
            } else {
                self.store(level, time_ns, line);
            }
            text = &rest[1..];
        }
        let m = text.len().min(self.cont.len() - self.cont_len);
        self.cont[self.cont_len..self.cont_len + m].copy_from_slice(&text[..m]);
        self.cont_len += m;
    }

    /// Copy the records from `from` into `out`: as many whole records as fit, the
    /// newest ones (Linux `syslog_print_all` drops the oldest until the rest fits).
    fn copy_tail(&self, from: u64, out: &mut [u8]) -> usize {
        let mut start = self.record_start(from);
        while self.head - start > out.len() as u64 {
            // Skip a record.
            let mut p = start;
            while p < self.head && self.byte(p) != b'\n' {
                p += 1;
            }
            start = p + 1;
        }
        let n = (self.head - start) as usize;
        for (i, o) in out[..n].iter_mut().enumerate() {
            *o = self.byte(start + i as u64);
        }
        n
    }

    /// SYSLOG_ACTION_READ_ALL / READ_CLEAR into `out`; the bytes given.
    pub fn read_all(&mut self, out: &mut [u8], clear: bool) -> usize {
        let n = self.copy_tail(self.clear, out);
        if clear {
            self.clear = self.head;
        }
        n
    }

    /// SYSLOG_ACTION_READ: whole unread records from the oldest, as many as fit;
    /// they count as read.
    pub fn read_unread(&mut self, out: &mut [u8]) -> usize {
        let start = self.record_start(self.read);
        let mut end = start;
        // Whole records only, oldest first.
        let mut p = start;
        while p < self.head {
            if self.byte(p) == b'\n' {
                if p + 1 - start > out.len() as u64 {
                    break;
                }
                end = p + 1;
            }
            p += 1;
        }
        let n = (end - start) as usize;
        for (i, o) in out[..n].iter_mut().enumerate() {
            *o = self.byte(start + i as u64);
        }
        self.read = end;
        n
    }

    /// SYSLOG_ACTION_CLEAR.
    pub fn clear(&mut self) {
        self.clear = self.head;
    }

    /// SYSLOG_ACTION_SIZE_UNREAD.
    pub fn unread(&self) -> usize {
        (self.head - self.record_start(self.read)) as usize
    }
}

/// `<level>[%5lu.%06lu] ` into `out`; its length.
fn fmt_prefix(out: &mut [u8; 40], level: u8, sec: u64, usec: u64) -> usize {
    struct W<'a>(&'a mut [u8], usize);
    impl core::fmt::Write for W<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let b = s.as_bytes();
            let n = b.len().min(self.0.len() - self.1);
            self.0[self.1..self.1 + n].copy_from_slice(&b[..n]);
            self.1 += n;
            Ok(())
        }
    }
    let mut w = W(out, 0);
    let _ = core::fmt::Write::write_fmt(&mut w, format_args!("<{level}>[{sec:5}.{usec:06}] "));
    w.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_syslog_format() {
        let mut l: LogBuf<256> = LogBuf::new();
        l.store(6, 1_500_000_000, b"hello\n");
        l.store_printed(4, 2_000_000_000, b"part ");
        l.store_printed(4, 2_000_000_000, b"two\nthree\n");
        let mut out = [0u8; 256];
        let n = l.read_all(&mut out, false);
        assert_eq!(
            &out[..n],
            b"<6>[    1.500000] hello\n<4>[    2.000000] part two\n<4>[    2.000000] three\n"
        );
        assert_eq!(l.unread(), n);
        // Only the newest whole records that fit.
        let mut small = [0u8; 30];
        let k = l.read_all(&mut small, false);
        assert_eq!(&small[..k], b"<4>[    2.000000] three\n");
        // READ consumes; CLEAR hides from READ_ALL.
        let k = l.read_unread(&mut out[..50]);
        assert_eq!(&out[..k], b"<6>[    1.500000] hello\n");
        assert_eq!(l.unread(), n - k);
        l.clear();
        assert_eq!(l.read_all(&mut out, false), 0);
        l.store(3, 0, b"after");
        assert_eq!(l.read_all(&mut out, true), 24);
        assert_eq!(l.read_all(&mut out, false), 0);
    }

    #[test]
    fn the_ring_drops_the_oldest() {
        let mut l: LogBuf<64> = LogBuf::new();
        for i in 0..10u8 {
            l.store(6, 0, &[b'a' + i; 5]);
        }
        let mut out = [0u8; 64];
        let n = l.read_all(&mut out, false);
        // Each record is 24 bytes; the ring holds 64, so two whole ones survive.
        assert_eq!(
            &out[..n],
            b"<6>[    0.000000] iiiii\n<6>[    0.000000] jjjjj\n"
        );
    }
}
