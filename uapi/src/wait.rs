//! wait4/waitid options and the wait status word (Linux `include/uapi/linux/wait.h`; the
//! status encoding is the kernel's, `kernel/exit.c`, read by the C library's `W*` macros).

/// Return at once if no child has changed state.
pub const WNOHANG: u32 = 1;
/// wait4: also report stopped children.
pub const WUNTRACED: u32 = 2;
/// waitid: report stopped children (same value as WUNTRACED).
pub const WSTOPPED: u32 = 2;
/// waitid: report children that exited.
pub const WEXITED: u32 = 4;
/// Report continued children.
pub const WCONTINUED: u32 = 8;
/// waitid: leave the child a zombie, to be waited for again.
pub const WNOWAIT: u32 = 0x0100_0000;
/// Only children of this thread.
pub const WNOTHREAD: u32 = 0x2000_0000;
/// Wait for children of any exit signal.
pub const WALL: u32 = 0x4000_0000;
/// Wait only for "clone" children: those whose exit signal is not SIGCHLD.
pub const WCLONE: u32 = 0x8000_0000;

/// waitid `idtype`: any child (Linux `P_ALL`, `P_PID`, `P_PGID`; `P_PIDFD` 3 is not
/// supported by Linnet).
pub const P_ALL: u32 = 0;
/// waitid `idtype`: the child with this pid.
pub const P_PID: u32 = 1;
/// waitid `idtype`: any child in this process group.
pub const P_PGID: u32 = 2;

/// The status of a child that exited with `code`: `(code & 0xff) << 8`.
pub const fn w_exitcode(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// The status of a child killed by signal `sig` (the low 7 bits; bit 7 is WCOREDUMP).
pub const fn w_termsig_status(sig: i32) -> i32 {
    sig & 0x7f
}

/// WIFEXITED: the child exited (no signal in bits 0..6).
pub const fn wifexited(status: i32) -> bool {
    status & 0x7f == 0
}

/// WEXITSTATUS: the child's exit code (bits 8..15).
pub const fn wexitstatus(status: i32) -> i32 {
    (status >> 8) & 0xff
}

/// WIFSIGNALED: the child was killed by a signal (bits 0..6 hold it; 0x7f means "stopped").
pub const fn wifsignaled(status: i32) -> bool {
    ((status & 0x7f) + 1) as i8 >> 1 > 0
}

/// WTERMSIG: the signal that killed the child.
pub const fn wtermsig(status: i32) -> i32 {
    status & 0x7f
}

/// WCOREDUMP: the kernel says it dumped core (bit 7).
pub const fn wcoredump(status: i32) -> bool {
    status & 0x80 != 0
}
