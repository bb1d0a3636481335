//! What `siginfo_t.si_code` says and how a timer signals (Linux
//! `include/uapi/asm-generic/siginfo.h`). The 128-byte layout itself is described where it
//! is filled (the kernel's `task/siginfo.rs`) and read (ulib's `signal.rs`).

/// The size of `siginfo_t` (Linux `SI_MAX_SIZE`).
pub const SI_MAX_SIZE: usize = 128;

/// Sent by kill(2) (Linux `SI_USER`).
pub const SI_USER: i32 = 0;
/// Sent by the kernel itself, e.g. Ctrl-C on the console (Linux `SI_KERNEL`).
pub const SI_KERNEL: i32 = 0x80;
/// Sent by sigqueue(3) / rt_sigqueueinfo (Linux `SI_QUEUE`).
pub const SI_QUEUE: i32 = -1;
/// Sent by a POSIX timer's expiry (Linux `SI_TIMER`).
pub const SI_TIMER: i32 = -2;
/// Sent by tkill or tgkill (Linux `SI_TKILL`).
pub const SI_TKILL: i32 = -6;

/// SIGILL: illegal opcode.
pub const ILL_ILLOPC: i32 = 1;
/// SIGFPE: an unknown floating-point exception.
pub const FPE_FLTUNK: i32 = 14;
/// SIGSEGV: no mapping at the address.
pub const SEGV_MAPERR: i32 = 1;
/// SIGSEGV: a mapping, but the access is not allowed.
pub const SEGV_ACCERR: i32 = 2;
/// SIGBUS: misaligned address.
pub const BUS_ADRALN: i32 = 1;
/// SIGBUS: no such physical address (e.g. past the end of a mapped file).
pub const BUS_ADRERR: i32 = 2;
/// SIGBUS: a hardware error at the address (an external abort).
pub const BUS_OBJERR: i32 = 3;
/// SIGTRAP: a breakpoint instruction (brk).
pub const TRAP_BRKPT: i32 = 1;
/// SIGCHLD: the child called exit.
pub const CLD_EXITED: i32 = 1;
/// SIGCHLD: the child was killed by a signal.
pub const CLD_KILLED: i32 = 2;
/// SIGCHLD: the child was killed and dumped core.
pub const CLD_DUMPED: i32 = 3;

/// `sigevent.sigev_notify`: send the signal to the process.
pub const SIGEV_SIGNAL: i32 = 0;
/// `sigevent.sigev_notify`: no notification.
pub const SIGEV_NONE: i32 = 1;
/// `sigevent.sigev_notify`: the C library runs a function in a thread (for the kernel:
/// a signal).
pub const SIGEV_THREAD: i32 = 2;
/// `sigevent.sigev_notify`: send the signal to one thread (`sigev_notify_thread_id`).
pub const SIGEV_THREAD_ID: i32 = 4;
