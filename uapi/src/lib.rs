//! The user-space ABI of Linnet: every number the kernel and user programs must agree on,
//! written once (Linux `include/uapi/` and `arch/arm64/include/uapi/`).
//!
//! The kernel (`kernel/`) and the user runtime (`user/ulib`) both depend on this crate,
//! so a syscall number, an errno, a signal or a flag bit cannot mean one thing on one side
//! and another on the other. Each module mirrors one Linux uapi header and names its
//! constants as Linux does; the typed wrappers (the kernel's `Errno`, its `Prot` bitflags,
//! ulib's `Errno` ...) stay with their users and take their values from here.
//!
//! Values and layouts only: no code that does anything, except the `const fn` encodings
//! (`wait::w_exitcode`, `futex::futex_op`) and the name tables (`errno::errno_name`,
//! `signal::signame`, `unistd::syscall_name`). The types are those the kernel uses; ulib
//! casts where its wrappers take another. The vDSO (compiled on its own, without cargo)
//! includes `time.rs` and `unistd.rs` by path.
//!
//! | module | Linux header | holds |
//! |---|---|---|
//! | `unistd` | `asm-generic/unistd.h` | `__NR_*` syscall numbers, `syscall_name` |
//! | `errno` | `asm-generic/errno-base.h`, `errno.h` | `E*`, names and texts, `errno_consts!` |
//! | `signal` | `asm-generic/signal.h`, `signal-defs.h` | `SIG*`, `SA_*`, `SS_*`, `MINSIGSTKSZ`, `signame` |
//! | `siginfo` | `asm-generic/siginfo.h` | `si_code`s (`SI_*`, `SEGV_*`, `CLD_*` ...), `SIGEV_*` |
//! | `sigcontext` | arm64 `asm/sigcontext.h` | record magics and sizes, `struct sigcontext` |
//! | `wait` | `linux/wait.h` | `W*` options, `P_*`, the wait status encoding |
//! | `fcntl` | `asm-generic/fcntl.h`, `linux/fcntl.h` | `O_*`, `F_*`, `AT_*`, `SEEK_*`, `RENAME_*` |
//! | `stat` | `linux/stat.h` | `S_IF*`, `UTIME_*` |
//! | `mman` | `asm-generic/mman-common.h`, `linux/mman.h` | `PROT_*`, `MAP_*`, `MREMAP_*`, `MADV_*` |
//! | `auxvec` | `linux/auxvec.h` | auxv tags `AT_*` |
//! | `hwcap` | `asm/hwcap.h` | `HWCAP_*` bits of `AT_HWCAP` |
//! | `limits` | `linux/limits.h` | `PATH_MAX`, `NGROUPS_MAX` |
//! | `param` | `asm-generic/param.h` | `USER_HZ` |
//! | `resource` | `asm-generic/resource.h`, `linux/resource.h` | `RLIMIT_*`, `RLIM_INFINITY`, `PRIO_*`, `RUSAGE_*` |
//! | `reboot` | `linux/reboot.h` | `LINUX_REBOOT_MAGIC*`, `LINUX_REBOOT_CMD_*` |
//! | `prctl` | `linux/prctl.h` | `PR_*` |
//! | `time` | `linux/time.h` | `CLOCK_*`, `TIMER_ABSTIME`, `ITIMER_*` |
//! | `sched` | `linux/sched.h` | `CLONE_*` |
//! | `futex` | `linux/futex.h` | `FUTEX_*`, `futex_op` |
//! | `ipc` | `linux/ipc.h`, `msg.h`, `sem.h`, `shm.h` | `IPC_*`, `MSG_*`, `SEM_UNDO`, semctl and `SHM_*` |
//! | `poll` | `asm-generic/poll.h` | `POLL*` |
//! | `ioctls` | `asm-generic/ioctls.h` | `TC*`, `TIOC*`, `FIO*` |
//! | `termbits` | `asm-generic/termbits.h` | `c_cc` indices, `c_iflag`/`c_oflag`/`c_lflag` bits |
//! | `elf` | `linux/elf.h` | `PT_*`, `PF_*`, `DT_*`, `ET_*`, `EM_AARCH64` ... |

#![no_std]
#![deny(missing_docs)]

pub mod auxvec;
pub mod elf;
pub mod errno;
pub mod fcntl;
pub mod futex;
pub mod hwcap;
pub mod ioctls;
pub mod ipc;
pub mod limits;
pub mod mman;
pub mod param;
pub mod poll;
pub mod prctl;
pub mod reboot;
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
