//! ulib: the whole C library a Linnet test program needs, in a few small files.
//!
//! A program links ulib, defines `#[no_mangle] fn main() -> i32`, and gets a Linux arm64
//! process exactly as the kernel hands it over: `_start` reads the initial stack (argc,
//! argv, envp, auxv), calls `main`, and passes its result to `exit_group`. Every kernel
//! service is a raw `svc #0` with the asm-generic syscall number, so the same binary runs
//! on Linnet, on Linux and under `qemu-aarch64` user mode.
//!
//! Reading order: `start` (process entry) -> `syscall` (the trap itself) -> `errno` ->
//! the typed wrappers (`io`, `fs`, `tty`, `process`, `mm`, `time`, `signal`, `info`) ->
//! `thread` (clone with a new stack) -> `print` and `tap` (output) -> `panic`; `heap` is
//! a malloc (brk + mmap) a program may install as its `#[global_allocator]`.
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use ulib::{println, Tap};
//!
//! #[no_mangle]
//! fn main() -> i32 {
//!     let mut tap = Tap::new(1);
//!     tap.ok(ulib::getpid() > 0, "getpid is positive");
//!     tap.done()
//! }
//! ```

#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod errno;
pub mod fileops;
pub mod fs;
pub mod heap;
pub mod info;
pub mod io;
pub mod ipc;
pub mod memstat;
pub mod mm;
pub mod msync;
mod panic;
pub mod print;
pub mod procattr;
pub mod process;
pub mod reloc;
pub mod resource;
pub mod signal;
pub mod start;
pub mod syscall;
pub mod tap;
pub mod thread;
pub mod time;
pub mod timers;
pub mod tty;
pub mod vdso;
pub mod wait;

/// The ABI numbers (syscall numbers, errno, signals, flags), shared with the kernel.
pub use uapi;

pub use errno::{Errno, SysResult};
pub use info::{is_linnet, sysinfo, uname, Sysinfo, Utsname};
pub use io::{close, openat, read, write};
pub use mm::{map_anon, mmap, mprotect, munmap};
pub use process::{
    exit, exit_group, fork, getpid, getppid, gettid, sched_yield, set_tid_address, wait4,
    wexitstatus, wifexited, wifsignaled, wtermsig,
};
pub use start::{args, auxv, env};
pub use tap::Tap;
pub use thread::{get_tls, spawn_thread, Thread};
pub use time::{clock_gettime, nanosleep, Timespec};
