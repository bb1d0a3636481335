//! poweroff [-f]: power the machine off.
//!
//! As BusyBox's `poweroff`: send SIGUSR2 to init (pid 1), which ends cleanly and calls
//! `reboot(LINUX_REBOOT_CMD_POWER_OFF)` (see `init.rs`). `-f` calls reboot(2) itself, which
//! only init may do on Linnet (Linux asks for CAP_SYS_BOOT): EPERM for anyone else.

#![no_std]
#![no_main]

extern crate binlib; // the heap (global allocator)

use ulib::eprintln;
use ulib::signal::{kill, SIGUSR2};

#[no_mangle]
fn main() -> i32 {
    let mut args = ulib::args().skip(1);
    let r = match args.next() {
        None => kill(1, SIGUSR2),
        Some(b"-f") => ulib::info::reboot(ulib::info::REBOOT_POWER_OFF),
        Some(_) => {
            eprintln!("usage: poweroff [-f]");
            return 2;
        }
    };
    match r {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("poweroff: {}", e.text());
            1
        }
    }
}
