//! uname [-a]: the kernel's name (uname(2)); -a adds node, release, version and machine.
//! Linnet calls itself "Linux" with a release ending in "-linnet".

#![no_std]
#![no_main]

extern crate binlib;

use ulib::{eprintln, println};

#[no_mangle]
fn main() -> i32 {
    let all = ulib::args().nth(1) == Some(b"-a");
    match ulib::uname() {
        Ok(u) if all => println!(
            "{} {} {} {} {}",
            u.sysname(),
            u.nodename(),
            u.release(),
            u.version(),
            u.machine()
        ),
        Ok(u) => println!("{}", u.sysname()),
        Err(e) => {
            eprintln!("uname: {}", e);
            return 1;
        }
    }
    0
}
