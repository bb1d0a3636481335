//! The user-space ABI of Linnet: every number the kernel and user programs must agree on,
//! written once (Linux `include/uapi/` and `arch/arm64/include/uapi/`).
//!
//! The kernel (`kernel/`) and the user runtime (`user/ulib`) both depend on this crate,
//! so a syscall number, an errno, a signal or a flag bit cannot mean one thing on one side
//! and another on the other. Each module mirrors one Linux uapi header and names its
//! constants as Linux does; the typed wrappers (the kernel's `Errno`, its `Prot` bitflags,
//! ulib's `Errno` ...) stay with their users and take their values from here.
//!
//! Only values: no functions that do anything, except the `const fn` encodings
//! (`wait::w_exitcode`) and the name tables (`errno_name`, `signame`, `syscall_name`).
//! The types are those the kernel uses; ulib casts where its wrappers take another.

#![no_std]
#![deny(missing_docs)]

pub mod auxvec;
pub mod elf;
pub mod errno;
pub mod fcntl;
pub mod futex;
pub mod ioctls;
pub mod ipc;
pub mod mman;
pub mod param;
pub mod poll;
pub mod resource;
pub mod sched;
pub mod sigcontext;
pub mod siginfo;
pub mod signal;
pub mod stat;
pub mod termbits;
pub mod time;
pub mod unistd;
pub mod wait;
