//! clone(2) flags (Linux `include/uapi/linux/sched.h`). The low byte of clone's flags is
//! the exit signal, not a flag.

/// Share the address space.
pub const CLONE_VM: u64 = 0x100;
/// Share cwd, root and umask.
pub const CLONE_FS: u64 = 0x200;
/// Share the file descriptor table.
pub const CLONE_FILES: u64 = 0x400;
/// Share signal handlers.
pub const CLONE_SIGHAND: u64 = 0x800;
/// Return a pidfd.
pub const CLONE_PIDFD: u64 = 0x1000;
/// The parent sleeps until the child execs or exits.
pub const CLONE_VFORK: u64 = 0x4000;
/// The child's parent is the caller's parent.
pub const CLONE_PARENT: u64 = 0x8000;
/// Same thread group: a thread, not a process.
pub const CLONE_THREAD: u64 = 0x1_0000;
/// Share System V semaphore undo lists.
pub const CLONE_SYSVSEM: u64 = 0x4_0000;
/// Set the child's TLS register (TPIDR_EL0) to `tls`.
pub const CLONE_SETTLS: u64 = 0x8_0000;
/// Store the child's tid at `parent_tid` in the parent's memory.
pub const CLONE_PARENT_SETTID: u64 = 0x10_0000;
/// Clear `child_tid` and wake a futex there when the child exits.
pub const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
/// Ignored (Linux's too).
pub const CLONE_DETACHED: u64 = 0x40_0000;
/// Store the child's tid at `child_tid` in the child's memory.
pub const CLONE_CHILD_SETTID: u64 = 0x100_0000;
