//! Resource limits (Linux `include/linux/resource.h`, `include/asm-generic/resource.h`
//! for the defaults, `INIT_RLIMITS`; the checks of `do_prlimit` in `kernel/sys.c`; and
//! `rlimit()` of `include/linux/sched/signal.h`).
//!
//! A limit is a pair: the soft limit (`rlim_cur`), which the kernel enforces, and the hard
//! limit (`rlim_max`), the ceiling the soft one may be raised to. Linnet enforces
//! RLIMIT_STACK (how far `expand_stack` lets the stack grow, `mm/fault.rs`, and exec's
//! stack, `exec/stack.rs`), RLIMIT_DATA (how far `brk` may move, `mm/mmap.rs`),
//! RLIMIT_NOFILE (descriptors stay below it: `fs/file.rs`, `nofile_limit`) and
//! RLIMIT_SIGPENDING (`task/signal.rs`); the others are stored and reported as Linux
//! reports them, but nothing checks them yet.
//!
//! Where they live: as in Linux, in the process's `SignalStruct` (`signal.rlim`): the
//! threads of a group share them, fork copies them (a CLONE_VM child that is not a thread,
//! vfork's among them, gets its own copy), and exec keeps them. The kernel reads the
//! caller's with `rlimit`; the syscalls are `syscall/resource.rs`.
//!
//! The table and its checks are plain Rust, tested on the host.

use crate::errno::Errno;

pub use uapi::resource::{
    RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK,
    RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_RTPRIO,
    RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK, RLIM_INFINITY, RLIM_NLIMITS,
};

/// Largest RLIMIT_NOFILE hard limit (Linux `sysctl_nr_open`, default 1024 * 1024).
pub const NR_OPEN_MAX: u64 = 1024 * 1024;
/// Default RLIMIT_STACK soft limit (Linux `_STK_LIM`, 8 MiB).
pub const STK_LIM: u64 = 8 << 20;
/// Default RLIMIT_MEMLOCK (Linux `MLOCK_LIMIT`, 8 MiB since 5.16).
pub const MLOCK_LIMIT: u64 = 8 << 20;
/// Default RLIMIT_MSGQUEUE (Linux `MQ_BYTES_MAX`).
pub const MQ_BYTES_MAX: u64 = 819_200;

/// One limit (Linux `struct rlimit64`, two u64 in the syscall ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rlimit {
    /// The soft limit, the one enforced.
    pub cur: u64,
    /// The hard limit, the ceiling for `cur`.
    pub max: u64,
}

impl Rlimit {
    const fn new(cur: u64, max: u64) -> Rlimit {
        Rlimit { cur, max }
    }

    /// As user space sees it: `rlim_cur` then `rlim_max`, little-endian.
    pub fn to_bytes(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.cur.to_le_bytes());
        b[8..].copy_from_slice(&self.max.to_le_bytes());
        b
    }

    /// From the 16 bytes user space passes.
    pub fn from_bytes(b: [u8; 16]) -> Rlimit {
        let mut cur = [0u8; 8];
        let mut max = [0u8; 8];
        cur.copy_from_slice(&b[..8]);
        max.copy_from_slice(&b[8..]);
        Rlimit::new(u64::from_le_bytes(cur), u64::from_le_bytes(max))
    }
}

/// Every limit of one process, indexed by `RLIMIT_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rlimits(pub [Rlimit; RLIM_NLIMITS]);

impl Rlimits {
    /// What Linux gives init (`INIT_RLIMITS`), with RLIMIT_NPROC and RLIMIT_SIGPENDING
    /// computed as `fork_init` does: half of `max_threads`, which is the number of
    /// 16 KiB kernel stacks that fit in an eighth of RAM (`set_max_threads`).
    pub fn linux_defaults(total_ram_pages: usize) -> Rlimits {
        const INF: u64 = RLIM_INFINITY;
        let thread_pages = (16 << 10) / 4096;
        let max_threads = (total_ram_pages / (8 * thread_pages)).clamp(20, 0x3fff_ffff) as u64;
        let half = max_threads / 2;
        Rlimits([
            Rlimit::new(INF, INF),                   // CPU
            Rlimit::new(INF, INF),                   // FSIZE
            Rlimit::new(INF, INF),                   // DATA
            Rlimit::new(STK_LIM, INF),               // STACK
            Rlimit::new(0, INF),                     // CORE
            Rlimit::new(INF, INF),                   // RSS
            Rlimit::new(half, half),                 // NPROC
            Rlimit::new(1024, 4096),                 // NOFILE (INR_OPEN_CUR, INR_OPEN_MAX)
            Rlimit::new(MLOCK_LIMIT, MLOCK_LIMIT),   // MEMLOCK
            Rlimit::new(INF, INF),                   // AS
            Rlimit::new(INF, INF),                   // LOCKS
            Rlimit::new(half, half),                 // SIGPENDING
            Rlimit::new(MQ_BYTES_MAX, MQ_BYTES_MAX), // MSGQUEUE
            Rlimit::new(0, 0),                       // NICE
            Rlimit::new(0, 0),                       // RTPRIO
            Rlimit::new(INF, INF),                   // RTTIME
        ])
    }

    /// The limit `resource`, or EINVAL for a number Linux does not know.
    pub fn get(&self, resource: usize) -> Result<Rlimit, Errno> {
        self.0.get(resource).copied().ok_or(Errno::EINVAL)
    }

    /// The soft limit of `resource` as a byte count (`usize::MAX` for no limit): what the
    /// kernel enforces (Linux `rlimit(resource)`).
    pub fn soft(&self, resource: usize) -> usize {
        self.0
            .get(resource)
            .map_or(usize::MAX, |r| usize::try_from(r.cur).unwrap_or(usize::MAX))
    }

    /// Set `resource` to `new` after Linux's checks (`do_prlimit`): EINVAL for an unknown
    /// resource or a soft limit above the hard one, EPERM for an RLIMIT_NOFILE hard limit
    /// above `nr_open`. Raising a hard limit needs `CAP_SYS_RESOURCE`, which Linnet's
    /// only user (root) has. Returns the old value.
    pub fn set(&mut self, resource: usize, new: Rlimit) -> Result<Rlimit, Errno> {
        let old = self.get(resource)?;
        if new.cur > new.max {
            return Err(Errno::EINVAL);
        }
        if resource == RLIMIT_NOFILE && new.max > NR_OPEN_MAX {
            return Err(Errno::EPERM);
        }
        self.0[resource] = new;
        Ok(old)
    }
}

/// The caller's soft limit of `resource`, in bytes or items (`usize::MAX` for none)
/// (Linux `rlimit()`, which reads `current->signal->rlim`).
#[cfg(target_os = "none")]
pub fn rlimit(resource: usize) -> usize {
    crate::task::sched::current()
        .signal
        .rlim
        .lock()
        .soft(resource)
}

// Host unit tests have no tasks: "the caller" is the test thread, whose limits start as
// Linux's defaults for a 512 MiB machine and change with `host_set_rlimit`.
#[cfg(not(target_os = "none"))]
std::thread_local! {
    static HOST_RLIM: core::cell::Cell<Rlimits> =
        core::cell::Cell::new(Rlimits::linux_defaults(131072));
}

/// The test thread's soft limit of `resource` (the host's `rlimit`, see above).
#[cfg(not(target_os = "none"))]
pub fn rlimit(resource: usize) -> usize {
    HOST_RLIM.with(|r| r.get().soft(resource))
}

/// Set the test thread's limit `resource`, with `Rlimits::set`'s checks.
#[cfg(not(target_os = "none"))]
pub fn host_set_rlimit(resource: usize, new: Rlimit) -> Result<Rlimit, Errno> {
    HOST_RLIM.with(|r| {
        let mut all = r.get();
        let old = all.set(resource, new)?;
        r.set(all);
        Ok(old)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_linuxs() {
        let r = Rlimits::linux_defaults(131072); // 512 MiB
        assert_eq!(r.get(RLIMIT_STACK), Ok(Rlimit::new(8 << 20, RLIM_INFINITY)));
        assert_eq!(r.get(RLIMIT_NOFILE), Ok(Rlimit::new(1024, 4096)));
        assert_eq!(r.get(RLIMIT_CORE), Ok(Rlimit::new(0, RLIM_INFINITY)));
        assert_eq!(
            r.get(RLIMIT_AS),
            Ok(Rlimit::new(RLIM_INFINITY, RLIM_INFINITY))
        );
        // max_threads = 131072 / 32 = 4096; NPROC and SIGPENDING are half of it.
        assert_eq!(r.get(RLIMIT_NPROC), Ok(Rlimit::new(2048, 2048)));
        assert_eq!(r.get(RLIMIT_SIGPENDING), Ok(Rlimit::new(2048, 2048)));
        assert_eq!(r.get(RLIM_NLIMITS), Err(Errno::EINVAL));
        assert_eq!(r.soft(RLIMIT_STACK), 8 << 20);
        assert_eq!(r.soft(RLIMIT_DATA), usize::MAX);
        assert_eq!(r.soft(99), usize::MAX);
        // A tiny machine still gets Linux's floor of 20 threads.
        let tiny = Rlimits::linux_defaults(16);
        assert_eq!(tiny.get(RLIMIT_NPROC), Ok(Rlimit::new(10, 10)));
    }

    #[test]
    fn set_checks_as_do_prlimit() {
        let mut r = Rlimits::linux_defaults(131072);
        let stack = Rlimit::new(16 << 20, 32 << 20);
        assert_eq!(
            r.set(RLIMIT_STACK, stack),
            Ok(Rlimit::new(8 << 20, RLIM_INFINITY))
        );
        assert_eq!(r.get(RLIMIT_STACK), Ok(stack));
        assert_eq!(r.set(RLIMIT_STACK, Rlimit::new(2, 1)), Err(Errno::EINVAL));
        assert_eq!(r.set(RLIM_NLIMITS, stack), Err(Errno::EINVAL));
        let too_many = Rlimit::new(1024, NR_OPEN_MAX + 1);
        assert_eq!(r.set(RLIMIT_NOFILE, too_many), Err(Errno::EPERM));
        assert_eq!(r.get(RLIMIT_NOFILE), Ok(Rlimit::new(1024, 4096)));
        let inf = Rlimit::new(RLIM_INFINITY, RLIM_INFINITY);
        assert!(r.set(RLIMIT_STACK, inf).is_ok());
        assert_eq!(r.soft(RLIMIT_STACK), usize::MAX);
    }

    #[test]
    fn bytes_round_trip() {
        let r = Rlimit::new(0x0102_0304_0506_0708, RLIM_INFINITY);
        let b = r.to_bytes();
        assert_eq!(b[0], 0x08);
        assert_eq!(&b[8..], &[0xff; 8]);
        assert_eq!(Rlimit::from_bytes(b), r);
    }
}
