//! The console: `print!`/`println!`, the `log` crate's backend, and console input
//! (Linux `kernel/printk/printk.c`, reduced to one UART).
//!
//! Messages logged with `log::error!` .. `log::trace!` reach the console when their
//! Linux level (error 3, warn 4, info 6, debug 7, trace 8) is below `loglevel`, as Linux's
//! `console_loglevel` works; the default keeps the console quiet so test output is clean.
//! `print!` always prints. Every message, printed or not, is also kept in the log
//! buffer (`printk_ringbuffer.rs`) that syslog(2) reads (`sys_syslog`, for `dmesg`).
//! After a panic the console lock is broken open
//! (`emergency_writer`) so the report gets out even if the panic hit mid-print.

use crate::drivers::pl011::Pl011;
use crate::printk_ringbuffer::{LogBuf, LOG_BUF_LEN};
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU8, Ordering};
use spin::Mutex;

/// The console UART (None until `init`).
static CONSOLE: Mutex<Option<Pl011>> = Mutex::new(None);
/// Linux `console_loglevel`.
static LOGLEVEL: AtomicU8 = AtomicU8::new(crate::cmdline::DEFAULT_LOGLEVEL);
/// The console loglevel SYSLOG_ACTION_CONSOLE_OFF saved (Linux `saved_console_loglevel`;
/// 0: none saved).
static SAVED_LOGLEVEL: AtomicU8 = AtomicU8::new(0);
/// The kernel log (Linux `prb`, the printk ring buffer).
static LOG: Mutex<LogBuf<LOG_BUF_LEN>> = Mutex::new(LogBuf::new());
/// The level of a message printed without one (Linux `default_message_loglevel`).
const DEFAULT_MESSAGE_LOGLEVEL: u8 = 4;

/// Put `s` in the log buffer at `level`, unless the log is busy (a message printed
/// from inside the log's own lock, on the way to a panic, is only shown).
fn log_store(level: u8, s: &str, printed: bool) {
    if let Some(mut log) = LOG.try_lock() {
        let t = crate::drivers::timer::uptime_ns();
        if printed {
            log.store_printed(level, t, s.as_bytes());
        } else {
            log.store(level, t, s.as_bytes());
        }
    }
}

/// Start the console on a PL011 mapped at `base`.
///
/// # Safety
/// `base` must map a PL011's registers for as long as the kernel runs (or until `rebase`).
pub unsafe fn init(base: usize) {
    // SAFETY: the caller's contract.
    let mut uart = unsafe { Pl011::new(base) };
    uart.init();
    *CONSOLE.lock() = Some(uart);
}

/// Move the console to a new mapping of the same UART (after `paging_init`).
///
/// # Safety
/// As for `init`.
pub unsafe fn rebase(base: usize) {
    if let Some(uart) = CONSOLE.lock().as_mut() {
        // SAFETY: the caller's contract.
        unsafe { uart.rebase(base) };
    }
}

/// Take console input by interrupt from now on.
pub fn enable_input() {
    if let Some(uart) = CONSOLE.lock().as_mut() {
        uart.enable_rx_interrupt();
    }
}

/// The console's interrupt: buffer what arrived.
pub fn console_irq() {
    if let Some(uart) = CONSOLE.lock().as_mut() {
        uart.handle_irq();
    }
}

/// The next byte typed at the console, if any.
pub fn console_getc() -> Option<u8> {
    CONSOLE.lock().as_mut().and_then(|u| u.getc())
}

/// Set Linux's console loglevel (0..=10): which messages reach the console. Every
/// message still reaches the log buffer, so the `log` crate lets all of them through.
pub fn set_loglevel(level: u8) {
    LOGLEVEL.store(level, Ordering::Relaxed);
    log::set_max_level(log::LevelFilter::Trace);
}

#[doc(hidden)]
pub fn _print(args: fmt::Arguments) {
    /// Each piece goes to the console and to the log.
    struct Both<'a>(&'a mut Pl011);
    impl Write for Both<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            log_store(DEFAULT_MESSAGE_LOGLEVEL, s, true);
            self.0.write_str(s)
        }
    }
    if let Some(uart) = CONSOLE.lock().as_mut() {
        let _ = Both(uart).write_fmt(args);
    }
}

/// A writer for crash reports: it takes the console even if someone holds the lock
/// (the holder will never run again).
pub fn emergency_writer() -> EmergencyWriter {
    EmergencyWriter
}

/// See `emergency_writer`.
pub struct EmergencyWriter;

impl Write for EmergencyWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if CONSOLE.is_locked() {
            // SAFETY: only used on the way to a panic or report, with interrupts masked on
            // a single CPU: whoever held the lock was interrupted and will not resume.
            unsafe { CONSOLE.force_unlock() };
        }
        if let Some(uart) = CONSOLE.lock().as_mut() {
            uart.write_str(s)?;
        }
        Ok(())
    }
}

/// Print to the console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => ($crate::printk::_print(format_args!($($arg)*)));
}

/// Print to the console, with a newline.
#[macro_export]
macro_rules! println {
    () => ($crate::print!("\n"));
    ($($arg:tt)*) => ($crate::printk::_print(format_args!("{}\n", format_args!($($arg)*))));
}

struct Logger;

/// The Linux level of a `log` level.
fn linux_level(l: log::Level) -> u8 {
    match l {
        log::Level::Error => 3,
        log::Level::Warn => 4,
        log::Level::Info => 6,
        log::Level::Debug => 7,
        log::Level::Trace => 8,
    }
}

/// A message formatted into a fixed buffer, cut at N bytes (at a char boundary).
struct StackText<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackText<N> {
    fn new() -> Self {
        StackText {
            buf: [0; N],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl<const N: usize> Write for StackText<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut n = s.len().min(N - self.len);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

impl log::Log for Logger {
    /// Does a message of this level reach the console?
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        linux_level(metadata.level()) < LOGLEVEL.load(Ordering::Relaxed)
    }

    fn log(&self, record: &log::Record) {
        // Into the log buffer always, formatted on the stack (no heap).
        let mut text = StackText::<256>::new();
        let _ = write!(text, "{}", record.args());
        log_store(linux_level(record.level()), text.as_str(), false);
        if self.enabled(record.metadata()) {
            let t = crate::drivers::timer::uptime_ns() / 1000;
            if let Some(uart) = CONSOLE.lock().as_mut() {
                let _ = writeln!(
                    uart,
                    "[{:5}.{:06}] {}",
                    t / 1_000_000,
                    t % 1_000_000,
                    record.args()
                );
            }
        }
    }

    fn flush(&self) {}
}

static LOGGER: Logger = Logger;

/// Install the `log` backend.
pub fn init_logger() {
    let _ = log::set_logger(&LOGGER);
    set_loglevel(LOGLEVEL.load(Ordering::Relaxed));
}

/// Write raw bytes to the console ("\n" becomes "\r\n"); invalid UTF-8 passes through.
pub fn write_bytes(buf: &[u8]) {
    if let Some(uart) = CONSOLE.lock().as_mut() {
        for &b in buf {
            if b == b'\n' {
                uart.putc(b'\r');
            }
            uart.putc(b);
        }
    }
}

/// Write bytes to the console exactly as given (the tty's output path when OPOST or
/// ONLCR is off: Linux `uart_write` without the line discipline's processing).
pub fn write_raw(buf: &[u8]) {
    if let Some(uart) = CONSOLE.lock().as_mut() {
        for &b in buf {
            uart.putc(b);
        }
    }
}

/// syslog(type, buf, len) (Linux `do_syslog`): read and clear the log buffer, set the
/// console level. READ sleeps until there is something unread, polling every 10 ms
/// (Linux sleeps on `log_wait`; a wake-up from inside printk could deadlock here).
pub fn sys_syslog(f: &mut crate::arch::TrapFrame) -> crate::errno::KResult<usize> {
    use crate::errno::Errno;
    use crate::mm::uaccess;
    use crate::printk_ringbuffer::*;
    let (ty, buf, len) = (
        crate::syscall::arg(f, 0) as i32,
        crate::syscall::arg(f, 1) as usize,
        crate::syscall::arg(f, 2) as i32,
    );
    match ty {
        SYSLOG_ACTION_CLOSE | SYSLOG_ACTION_OPEN => Ok(0),
        SYSLOG_ACTION_READ | SYSLOG_ACTION_READ_ALL | SYSLOG_ACTION_READ_CLEAR => {
            if buf == 0 || len < 0 {
                return Err(Errno::EINVAL);
            }
            if len == 0 {
                return Ok(0);
            }
            if !uaccess::access_ok(buf, len as usize) {
                return Err(Errno::EFAULT);
            }
            let mut out = alloc::vec![0u8; (len as usize).min(LOG_BUF_LEN)];
            let n = if ty == SYSLOG_ACTION_READ {
                loop {
                    let n = LOG.lock().read_unread(&mut out);
                    if n > 0 {
                        break n;
                    }
                    if crate::task::signal::signal_pending_current() {
                        return Err(Errno::ERESTARTSYS);
                    }
                    let now = crate::drivers::timer::uptime_ns();
                    crate::task::sched::sleep_until(now + 10_000_000);
                }
            } else {
                LOG.lock()
                    .read_all(&mut out, ty == SYSLOG_ACTION_READ_CLEAR)
            };
            uaccess::copy_to_user(buf, &out[..n])?;
            Ok(n)
        }
        SYSLOG_ACTION_CLEAR => {
            LOG.lock().clear();
            Ok(0)
        }
        SYSLOG_ACTION_CONSOLE_OFF => {
            if SAVED_LOGLEVEL.load(Ordering::Relaxed) == 0 {
                SAVED_LOGLEVEL.store(LOGLEVEL.load(Ordering::Relaxed), Ordering::Relaxed);
            }
            set_loglevel(1); // Linux `minimum_console_loglevel`
            Ok(0)
        }
        SYSLOG_ACTION_CONSOLE_ON => {
            let saved = SAVED_LOGLEVEL.swap(0, Ordering::Relaxed);
            if saved != 0 {
                set_loglevel(saved);
            }
            Ok(0)
        }
        SYSLOG_ACTION_CONSOLE_LEVEL => {
            if !(1..=8).contains(&len) {
                return Err(Errno::EINVAL);
            }
            set_loglevel(len as u8);
            SAVED_LOGLEVEL.store(0, Ordering::Relaxed); // Linux: `LOGLEVEL_DEFAULT`
            Ok(0)
        }
        SYSLOG_ACTION_SIZE_UNREAD => Ok(LOG.lock().unread()),
        SYSLOG_ACTION_SIZE_BUFFER => Ok(LOG_BUF_LEN),
        _ => Err(Errno::EINVAL),
    }
}
