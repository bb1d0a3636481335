//! Signal numbers, sigaction flags and the alternate stack (Linux
//! `include/uapi/asm-generic/signal.h`, `signal-defs.h`, and arm64's
//! `arch/arm64/include/uapi/asm/signal.h` for `SA_RESTORER` and the stack sizes).

/// Hangup.
pub const SIGHUP: i32 = 1;
/// Interrupt (Ctrl-C).
pub const SIGINT: i32 = 2;
/// Quit (Ctrl-\).
pub const SIGQUIT: i32 = 3;
/// Illegal instruction.
pub const SIGILL: i32 = 4;
/// Trace/breakpoint trap (brk).
pub const SIGTRAP: i32 = 5;
/// Abort.
pub const SIGABRT: i32 = 6;
/// Bus error (misaligned access, bad physical address).
pub const SIGBUS: i32 = 7;
/// Floating-point exception.
pub const SIGFPE: i32 = 8;
/// Kill: cannot be caught, blocked or ignored.
pub const SIGKILL: i32 = 9;
/// User-defined 1.
pub const SIGUSR1: i32 = 10;
/// Segmentation fault: an invalid memory access.
pub const SIGSEGV: i32 = 11;
/// User-defined 2.
pub const SIGUSR2: i32 = 12;
/// Broken pipe.
pub const SIGPIPE: i32 = 13;
/// Alarm clock.
pub const SIGALRM: i32 = 14;
/// Termination request.
pub const SIGTERM: i32 = 15;
/// Stack fault (unused on arm64).
pub const SIGSTKFLT: i32 = 16;
/// A child stopped or exited.
pub const SIGCHLD: i32 = 17;
/// Continue.
pub const SIGCONT: i32 = 18;
/// Stop: cannot be caught, blocked or ignored.
pub const SIGSTOP: i32 = 19;
/// Stop from the terminal (Ctrl-Z).
pub const SIGTSTP: i32 = 20;
/// Background read from the terminal.
pub const SIGTTIN: i32 = 21;
/// Background write to the terminal.
pub const SIGTTOU: i32 = 22;
/// Urgent data on a socket.
pub const SIGURG: i32 = 23;
/// CPU time limit exceeded.
pub const SIGXCPU: i32 = 24;
/// File size limit exceeded.
pub const SIGXFSZ: i32 = 25;
/// Virtual (user CPU time) timer expired (ITIMER_VIRTUAL).
pub const SIGVTALRM: i32 = 26;
/// Profiling timer expired (ITIMER_PROF).
pub const SIGPROF: i32 = 27;
/// The terminal window changed size.
pub const SIGWINCH: i32 = 28;
/// I/O possible.
pub const SIGIO: i32 = 29;
/// Power failure.
pub const SIGPWR: i32 = 30;
/// Bad system call.
pub const SIGSYS: i32 = 31;
/// The first real-time signal (the kernel's; the C libraries keep the first two or three
/// for themselves and call a later one SIGRTMIN).
pub const SIGRTMIN: i32 = 32;
/// Highest signal number (Linux `_NSIG`).
pub const NSIG: i32 = 64;

/// The short name of a signal, e.g. "SIGSEGV"; "SIGRT" for a real-time one.
pub fn signame(sig: i32) -> &'static str {
    const NAMES: [&str; 32] = [
        "0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    NAMES.get(sig as usize).copied().unwrap_or("SIGRT")
}

/// rt_sigprocmask: add to the blocked set.
pub const SIG_BLOCK: i32 = 0;
/// rt_sigprocmask: remove from the blocked set.
pub const SIG_UNBLOCK: i32 = 1;
/// rt_sigprocmask: replace the blocked set.
pub const SIG_SETMASK: i32 = 2;
/// The `sa_handler` value of the default action.
pub const SIG_DFL: usize = 0;
/// The `sa_handler` value that discards the signal.
pub const SIG_IGN: usize = 1;

/// sigaction flag: no SIGCHLD when a child stops.
pub const SA_NOCLDSTOP: u64 = 0x1;
/// sigaction flag on SIGCHLD: children do not become zombies.
pub const SA_NOCLDWAIT: u64 = 0x2;
/// sigaction flag: the handler takes (sig, siginfo, ucontext).
pub const SA_SIGINFO: u64 = 0x4;
/// sigaction flag: keep the address tag bits in si_addr.
pub const SA_EXPOSE_TAGBITS: u64 = 0x800;
/// sigaction flag: `sa_restorer` is the return trampoline (it calls rt_sigreturn).
pub const SA_RESTORER: u64 = 0x0400_0000;
/// sigaction flag: run the handler on the alternate stack (sigaltstack).
pub const SA_ONSTACK: u64 = 0x0800_0000;
/// sigaction flag: restart a syscall the signal interrupted instead of failing it with EINTR.
pub const SA_RESTART: u64 = 0x1000_0000;
/// sigaction flag: do not block the signal in its own handler.
pub const SA_NODEFER: u64 = 0x4000_0000;
/// sigaction flag: reset to SIG_DFL on delivery.
pub const SA_RESETHAND: u64 = 0x8000_0000;

/// sigaltstack `ss_flags`: the thread is running on the alternate stack now.
pub const SS_ONSTACK: i32 = 1;
/// sigaltstack `ss_flags`: no alternate stack.
pub const SS_DISABLE: i32 = 2;
/// sigaltstack flag: disarm the stack while a handler runs on it.
pub const SS_AUTODISARM: i32 = 1 << 31;
/// The smallest alternate stack sigaltstack accepts (arm64: room for a signal frame with
/// its FP/SIMD record, 5 KiB).
pub const MINSIGSTKSZ: u64 = 5120;
/// A comfortable alternate stack size (arm64's, 16 KiB).
pub const SIGSTKSZ: u64 = 16384;
