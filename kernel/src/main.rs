//! Linnet: a small, Linux-shaped teaching kernel for arm64 on QEMU `virt`.
//!
//! This file only lists the subsystems; the order in which they start is `start_kernel`
//! in `init.rs` (Linux's name, from `init/main.c`).
//! The boot path begins earlier, in `arch/aarch64/head.S` (the Linux arm64 Image header
//! and the code before the MMU is on), which jumps to `start_kernel` with the MMU on and
//! the kernel running at its high address.
//!
//! On the host (`cargo test`), only the portable modules are compiled, with `std`, so the
//! lessons (page tables, the frame allocator, bootargs, ...) are unit-tested there.

#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod arch;
pub mod cmdline;
pub mod drivers;
pub mod errno;
pub mod exec;
pub mod fs;
#[cfg(target_os = "none")]
pub mod gdb_constants;
pub mod ipc;
pub mod kallsyms;
mod layering;
pub mod mm;
pub mod random;
pub mod syscall;
pub mod task;
pub mod time;

#[cfg(target_os = "none")]
mod init;
#[cfg(target_os = "none")]
pub mod printk;
pub mod printk_ringbuffer;
#[cfg(target_os = "none")]
mod selftest;
