//! The panic handler: a panic in a user program prints where and why to fd 2 and ends the
//! whole process with status 101, as a Rust `std` program's panic does by default. It
//! uses `exit_group`, not `exit`, so a panicking thread takes its process down with it.

use core::panic::PanicInfo;

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    crate::eprintln!("{}", info);
    crate::exit_group(101)
}
