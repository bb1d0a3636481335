//! Resource limits (Linux `include/uapi/asm-generic/resource.h`, `include/uapi/linux/resource.h`).
//! The kernel indexes its limit array by these numbers, hence `usize`.

/// "No limit" (Linux `RLIM_INFINITY`, all ones in the 64-bit ABI).
pub const RLIM_INFINITY: u64 = u64::MAX;

/// CPU time in seconds.
pub const RLIMIT_CPU: usize = 0;
/// Largest file that may be created, bytes.
pub const RLIMIT_FSIZE: usize = 1;
/// Data segment (heap, private writable mappings), bytes.
pub const RLIMIT_DATA: usize = 2;
/// Main-thread stack, bytes.
pub const RLIMIT_STACK: usize = 3;
/// Core dump size, bytes.
pub const RLIMIT_CORE: usize = 4;
/// Resident set size (not enforced by Linux either).
pub const RLIMIT_RSS: usize = 5;
/// Processes of this user.
pub const RLIMIT_NPROC: usize = 6;
/// Open file descriptors.
pub const RLIMIT_NOFILE: usize = 7;
/// Locked memory, bytes.
pub const RLIMIT_MEMLOCK: usize = 8;
/// Address space, bytes.
pub const RLIMIT_AS: usize = 9;
/// File locks.
pub const RLIMIT_LOCKS: usize = 10;
/// Queued signals.
pub const RLIMIT_SIGPENDING: usize = 11;
/// POSIX message queue bytes.
pub const RLIMIT_MSGQUEUE: usize = 12;
/// Ceiling of the nice value.
pub const RLIMIT_NICE: usize = 13;
/// Ceiling of the real-time priority.
pub const RLIMIT_RTPRIO: usize = 14;
/// Real-time CPU time without a blocking call, microseconds.
pub const RLIMIT_RTTIME: usize = 15;
/// Number of limits (Linux `RLIM_NLIMITS`).
pub const RLIM_NLIMITS: usize = 16;

/// getpriority/setpriority `which`: a process (Linux `PRIO_PROCESS`).
pub const PRIO_PROCESS: u64 = 0;
/// getpriority/setpriority `which`: a process group.
pub const PRIO_PGRP: u64 = 1;
/// getpriority/setpriority `which`: a user.
pub const PRIO_USER: u64 = 2;

/// getrusage `who`: the calling process (Linux `RUSAGE_SELF`).
pub const RUSAGE_SELF: i32 = 0;
/// getrusage `who`: its reaped children.
pub const RUSAGE_CHILDREN: i32 = -1;
/// getrusage `who`: the calling thread.
pub const RUSAGE_THREAD: i32 = 1;
