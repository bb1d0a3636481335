//! The console: `print!`/`println!`, the `log` crate's backend, and console input
//! (Linux `kernel/printk/printk.c`, reduced to one UART).
//!
//! Messages logged with `log::error!` .. `log::trace!` reach the console when their
//! Linux level (error 3, warn 4, info 6, debug 7, trace 8) is below `loglevel`, as Linux's
//! `console_loglevel` works; the default keeps the console quiet so test output is clean.
//! `print!` always prints. After a panic the console lock is broken open
//! (`emergency_writer`) so the report gets out even if the panic hit mid-print.

use crate::drivers::pl011::Pl011;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU8, Ordering};
use spin::Mutex;

/// The console UART (None until `init`).
static CONSOLE: Mutex<Option<Pl011>> = Mutex::new(None);
/// Linux `console_loglevel`.
static LOGLEVEL: AtomicU8 = AtomicU8::new(crate::cmdline::DEFAULT_LOGLEVEL);

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

/// Set Linux's console loglevel (0..=10).
pub fn set_loglevel(level: u8) {
    LOGLEVEL.store(level, Ordering::Relaxed);
    // The most verbose `log` level whose Linux level is still below `level`.
    log::set_max_level(match level {
        0..=3 => log::LevelFilter::Off,
        4 => log::LevelFilter::Error,
        5..=6 => log::LevelFilter::Warn,
        7 => log::LevelFilter::Info,
        8 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    });
}

#[doc(hidden)]
pub fn _print(args: fmt::Arguments) {
    if let Some(uart) = CONSOLE.lock().as_mut() {
        let _ = uart.write_fmt(args);
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

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        let linux_level = match metadata.level() {
            log::Level::Error => 3,
            log::Level::Warn => 4,
            log::Level::Info => 6,
            log::Level::Debug => 7,
            log::Level::Trace => 8,
        };
        linux_level < LOGLEVEL.load(Ordering::Relaxed)
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let t = crate::drivers::timer::uptime_ns() / 1000;
            _print(format_args!(
                "[{:5}.{:06}] {}\n",
                t / 1_000_000,
                t % 1_000_000,
                record.args()
            ));
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
