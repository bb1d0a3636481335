//! ps [PID...]: list processes from /proc: pid, parent, process group, state, name.
//!
//! Every number here comes from the kernel's /proc (`/proc` lists a directory per live
//! pid; `/proc/PID/stat` holds "pid (comm) state ppid pgrp ..."). States: R running or
//! runnable, S sleeping (in wait4, read, nanosleep ...), Z zombie: exited, but its parent
//! has not yet waited for it, so its task struct and exit status are kept.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec::Vec;
use binlib::proc::{pids, ProcStat};
use binlib::{parse_int, text};
use ulib::{eprintln, println};

#[no_mangle]
fn main() -> i32 {
    let mut wanted: Vec<i32> = Vec::new();
    for a in ulib::args().skip(1) {
        match parse_int(a) {
            Some(p) => wanted.push(p as i32),
            None => {
                eprintln!("ps: not a pid: {} (usage: ps [PID...])", text(a));
                return 2;
            }
        }
    }
    let list = if wanted.is_empty() {
        match pids() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("ps: /proc: {}", e.text());
                return 1;
            }
        }
    } else {
        wanted
    };
    println!("  PID  PPID  PGRP S CMD");
    let mut status = 0;
    for pid in list {
        match ProcStat::read(&format!("{}", pid)) {
            Ok(s) => println!(
                "{:>5} {:>5} {:>5} {} {}{}",
                s.pid,
                s.ppid,
                s.pgrp,
                s.state,
                s.comm,
                if s.state == 'Z' { " <defunct>" } else { "" }
            ),
            Err(e) => {
                // A process listed a moment ago may have been reaped since.
                if !matches!(e, ulib::Errno::ENOENT | ulib::Errno::ESRCH) {
                    eprintln!("ps: /proc/{}/stat: {}", pid, e.text());
                }
                status = 1;
            }
        }
    }
    status
}
