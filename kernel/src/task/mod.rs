//! Tasks and processes: the task structure (`task`), pids (`pid`), the scheduler and
//! context switch (`sched`), wait queues (`wait_queue`), fork and threads (`fork`),
//! exit (`exit`), wait4 (`wait`), the process tree's rules (`tree`, over the kernel's
//! `tasklist`), signals (`signal`), resource limits (`rlimit`) and futexes (`futex`).
//!
//! Life of a process: `fork::kernel_clone` creates it (copying or sharing the parent's
//! parts) and puts it on the run queue; `sched::schedule` switches to it, and it leaves
//! the kernel through its `TrapFrame`; it exits through `exit::do_exit`, which makes it a
//! zombie until its parent's `wait::do_wait` reaps it.

pub mod cred;
pub mod futex_op;
pub mod init_unkillable;
pub mod pid;
pub mod rlimit;
pub mod siginfo;
pub mod tree;

#[cfg(target_os = "none")]
pub mod attrs;
#[cfg(target_os = "none")]
pub mod cputime;
#[cfg(target_os = "none")]
pub mod exit;
#[cfg(target_os = "none")]
pub mod fork;
#[cfg(target_os = "none")]
pub mod futex;
#[cfg(target_os = "none")]
pub mod sched;
#[cfg(target_os = "none")]
pub mod sigaltstack;
#[cfg(target_os = "none")]
pub mod signal;
#[cfg(target_os = "none")]
#[allow(clippy::module_inception)]
pub mod task;
#[cfg(target_os = "none")]
pub mod tasklist;
#[cfg(target_os = "none")]
pub mod wait;
#[cfg(target_os = "none")]
pub mod wait_queue;

#[cfg(target_os = "none")]
pub use kthread::*;
#[cfg(target_os = "none")]
mod kthread;
