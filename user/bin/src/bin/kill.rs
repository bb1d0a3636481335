//! kill [-SIGNAL] PID...: send a signal (default SIGTERM) with kill(2); `kill -l` lists
//! the signals. SIGNAL is a number or a name, with or without "SIG": -9, -KILL, -SIGKILL.
//!
//! A negative PID names a process group (`kill -INT -- -5`), as kill(2) does. Only the
//! parent's wait can remove a zombie: sending it SIGKILL changes nothing.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use binlib::{parse_int, signals, signame, signum, text};
use ulib::signal::{kill, SIGTERM};
use ulib::{eprintln, println};

fn usage() -> i32 {
    eprintln!("usage: kill [-SIGNAL] PID...   kill -l");
    2
}

#[no_mangle]
fn main() -> i32 {
    let mut args: Vec<&[u8]> = ulib::args().skip(1).collect();
    if args.first() == Some(&&b"-l"[..]) {
        for (n, name) in signals() {
            println!("{:>2} {}", n, name);
        }
        return 0;
    }
    let mut sig = SIGTERM;
    // A leading "-X" is the signal when a pid follows it.
    if args.len() > 1 && args[0].len() > 1 && args[0][0] == b'-' && args[0] != b"--" {
        match signum(&args[0][1..]) {
            Some(s) => sig = s,
            None => {
                eprintln!("kill: unknown signal {}", text(args[0]));
                return usage();
            }
        }
        args.remove(0);
    }
    if args.first() == Some(&&b"--"[..]) {
        args.remove(0);
    }
    if args.is_empty() {
        return usage();
    }
    let mut status = 0;
    for a in args {
        let Some(pid) = parse_int(a) else {
            eprintln!("kill: not a pid: {}", text(a));
            status = 1;
            continue;
        };
        if let Err(e) = kill(pid as i32, sig) {
            eprintln!("kill: ({}) {}: {}", pid, signame(sig), e.text());
            status = 1;
        }
    }
    status
}
