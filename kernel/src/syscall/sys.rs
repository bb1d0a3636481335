//! Process attributes: prctl (167), getpriority (141) / setpriority (140), getgroups
//! (158) / setgroups (159), getresuid (148) / getresgid (150), the set*id calls
//! (143-147, 149, 151, 152; rules in `task/cred.rs`), getrusage (165) (Linux
//! `kernel/sys.c`); sched_getaffinity (123) / sched_setaffinity (122) (Linux
//! `kernel/sched/core.c`); socket (198) / socketpair (199), which refuse every address
//! family as a Linux without networking does (`net/socket.c`).
//!
//! The rules (argument checks, value conversions) are plain functions tested on the
//! host; the syscalls below them find the tasks and copy the values in and out. Where
//! the values are kept: `task/attrs.rs`.

use crate::errno::Errno;

pub use uapi::prctl::{
    PR_GET_CHILD_SUBREAPER, PR_GET_DUMPABLE, PR_GET_NAME, PR_GET_PDEATHSIG, PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE, PR_SET_NAME, PR_SET_PDEATHSIG,
};

/// Linux `TASK_COMM_LEN`: a name is at most 15 bytes plus its NUL.
pub const TASK_COMM_LEN: usize = 16;

/// The 16 bytes PR_GET_NAME copies out: the name, NUL-padded (Linux `get_task_comm`).
pub fn comm_bytes(comm: &str) -> [u8; TASK_COMM_LEN] {
    let mut b = [0u8; TASK_COMM_LEN];
    let n = comm.len().min(TASK_COMM_LEN - 1);
    b[..n].copy_from_slice(&comm.as_bytes()[..n]);
    b
}

pub use uapi::resource::{PRIO_PGRP, PRIO_PROCESS, PRIO_USER};
/// The lowest and highest nice values (Linux `MIN_NICE`, `MAX_NICE`).
pub const MIN_NICE: i64 = -20;
/// See MIN_NICE.
pub const MAX_NICE: i64 = 19;

/// setpriority's value, clamped into the nice range as Linux does.
pub fn clamp_nice(niceval: i64) -> i32 {
    niceval.clamp(MIN_NICE, MAX_NICE) as i32
}

/// What the getpriority syscall returns for a nice value (Linux `nice_to_rlimit`:
/// 20 - nice, 1..=40, so that it is never negative; libc turns it back).
pub fn nice_to_rlimit(nice: i32) -> usize {
    (MAX_NICE - nice as i64 + 1) as usize
}

pub use uapi::limits::NGROUPS_MAX;

/// Linnet's `NR_CPUS`: one CPU, so a CPU mask is one `unsigned long` (Linux
/// `cpumask_size()` is `BITS_TO_LONGS(nr_cpumask_bits) * sizeof(long)`).
pub const CPUMASK_SIZE: usize = 8;

/// sched_getaffinity's size rule (Linux `SYSCALL_DEFINE3(sched_getaffinity)`): EINVAL
/// when the buffer has fewer bits than CPUs or is not a whole number of longs; else
/// the number of bytes written.
pub fn getaffinity_len(len: usize) -> Result<usize, Errno> {
    if len * 8 < 1 || len & 7 != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(len.min(CPUMASK_SIZE))
}

pub use uapi::resource::{RUSAGE_CHILDREN, RUSAGE_SELF, RUSAGE_THREAD};

/// Socket type flags and mask (Linux `SOCK_TYPE_MASK`, `SOCK_CLOEXEC`, `SOCK_NONBLOCK`).
const SOCK_TYPE_MASK: u64 = 0xf;
const SOCK_CLOEXEC: u64 = 0o2000000;
const SOCK_NONBLOCK: u64 = 0o4000;
/// Linux `NPROTO` (`AF_MAX` in 6.1) and `SOCK_MAX`.
const NPROTO: u64 = 46;
const SOCK_MAX: u64 = 11;

/// What socket(family, type, protocol) gives on a kernel with no address family at all
/// (Linux `__sys_socket` + `__sock_create` with an empty `net_families`): EINVAL for
/// unknown type flags, EAFNOSUPPORT for a family out of range, EINVAL for a type out of
/// range, and then EAFNOSUPPORT, since no family is registered.
pub fn socket_error(family: u64, ty: u64) -> Errno {
    if ty & !SOCK_TYPE_MASK & !(SOCK_CLOEXEC | SOCK_NONBLOCK) != 0 {
        return Errno::EINVAL;
    }
    if family as i32 as i64 >= NPROTO as i64 || (family as i32) < 0 {
        return Errno::EAFNOSUPPORT;
    }
    if ty & SOCK_TYPE_MASK >= SOCK_MAX {
        return Errno::EINVAL;
    }
    Errno::EAFNOSUPPORT
}

#[cfg(target_os = "none")]
pub use syscalls::*;

#[cfg(target_os = "none")]
mod syscalls {
    use super::*;
    use crate::arch::TrapFrame;
    use crate::errno::KResult;
    use crate::mm::uaccess;
    use crate::syscall::arg;
    use crate::task::cred::Cred;
    use crate::task::sched::{current, TASKS};
    use crate::task::signal::valid_signal;
    use crate::task::task::TaskStruct;
    use alloc::string::String;
    use alloc::sync::Arc;
    use alloc::vec::Vec;

    /// The leader of the caller's process (where per-process attributes live).
    fn leader(t: &Arc<TaskStruct>) -> Arc<TaskStruct> {
        TASKS
            .lock()
            .get(&t.tgid())
            .cloned()
            .unwrap_or_else(|| t.clone())
    }

    /// prctl(option, arg2, ...) (Linux `SYSCALL_DEFINE5(prctl)`): the options listed at
    /// the top of this file; EINVAL for any other.
    pub fn sys_prctl(f: &mut TrapFrame) -> KResult<usize> {
        let (option, arg2) = (arg(f, 0), arg(f, 1));
        let cur = current();
        match option {
            PR_SET_PDEATHSIG => {
                let sig = arg2 as i32;
                if arg2 != 0 && (arg2 > i32::MAX as u64 || !valid_signal(sig)) {
                    return Err(Errno::EINVAL);
                }
                cur.inner.lock().attrs.pdeath_signal = sig;
                Ok(0)
            }
            PR_GET_PDEATHSIG => {
                let sig = cur.inner.lock().attrs.pdeath_signal;
                uaccess::put_user(arg2 as usize, sig)?;
                Ok(0)
            }
            PR_GET_DUMPABLE => Ok(cur.inner.lock().attrs.dumpable as usize),
            PR_SET_DUMPABLE => {
                if arg2 > 1 {
                    return Err(Errno::EINVAL);
                }
                cur.inner.lock().attrs.dumpable = arg2 as u32;
                Ok(0)
            }
            PR_SET_NAME => {
                // Linux `strncpy_from_user(comm, arg2, 15)`: at most 15 bytes are read.
                let mut name = Vec::new();
                for i in 0..TASK_COMM_LEN - 1 {
                    match uaccess::get_user::<u8>(arg2 as usize + i)? {
                        0 => break,
                        b => name.push(b),
                    }
                }
                cur.inner.lock().comm = String::from_utf8_lossy(&name).into_owned();
                Ok(0)
            }
            PR_GET_NAME => {
                let b = comm_bytes(&cur.comm());
                uaccess::copy_to_user(arg2 as usize, &b)?;
                Ok(0)
            }
            PR_SET_CHILD_SUBREAPER => {
                leader(&cur).inner.lock().attrs.child_subreaper = arg2 != 0;
                Ok(0)
            }
            PR_GET_CHILD_SUBREAPER => {
                let v = leader(&cur).inner.lock().attrs.child_subreaper as i32;
                uaccess::put_user(arg2 as usize, v)?;
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// The tasks getpriority/setpriority act on (Linux's `switch (which)` in
    /// `SYSCALL_DEFINE2(getpriority)`): one thread, every thread of a process group, or
    /// every task of a user (everyone is uid 0). EINVAL for another `which`.
    fn prio_targets(which: u64, who: u64) -> KResult<Vec<Arc<TaskStruct>>> {
        let who = who as i32;
        let cur = current();
        Ok(match which {
            PRIO_PROCESS if who == 0 => Vec::from([cur]),
            PRIO_PROCESS => TASKS.lock().get(&who).cloned().into_iter().collect(),
            PRIO_PGRP => {
                let pg = if who == 0 {
                    cur.signal.inner.lock().pgid
                } else {
                    who
                };
                let all: Vec<Arc<TaskStruct>> = TASKS.lock().values().cloned().collect();
                all.into_iter()
                    .filter(|t| t.pid() > 0 && t.signal.inner.lock().pgid == pg)
                    .collect()
            }
            PRIO_USER if who == 0 => TASKS
                .lock()
                .values()
                .filter(|t| t.pid() > 0)
                .cloned()
                .collect(),
            PRIO_USER => Vec::new(),
            _ => return Err(Errno::EINVAL),
        })
    }

    /// getpriority(which, who) (Linux `SYSCALL_DEFINE2(getpriority)`): the highest
    /// priority (lowest nice) among the targets as `20 - nice`; ESRCH if none.
    pub fn sys_getpriority(f: &mut TrapFrame) -> KResult<usize> {
        let targets = prio_targets(arg(f, 0), arg(f, 1))?;
        targets
            .iter()
            .map(|t| nice_to_rlimit(t.inner.lock().attrs.nice))
            .max()
            .ok_or(Errno::ESRCH)
    }

    /// setpriority(which, who, niceval) (Linux `SYSCALL_DEFINE3(setpriority)`): the
    /// value is clamped to -20..=19 and set on every target; ESRCH if none. Lowering
    /// the nice value needs CAP_SYS_NICE, which root has.
    pub fn sys_setpriority(f: &mut TrapFrame) -> KResult<usize> {
        let targets = prio_targets(arg(f, 0), arg(f, 1))?;
        if targets.is_empty() {
            return Err(Errno::ESRCH);
        }
        let nice = clamp_nice(arg(f, 2) as i32 as i64);
        for t in targets {
            t.inner.lock().attrs.nice = nice;
        }
        Ok(0)
    }

    /// getgroups(size, list) (Linux `SYSCALL_DEFINE2(getgroups)`): the count for size 0,
    /// EINVAL if `size` is negative or too small, else the groups copied out.
    pub fn sys_getgroups(f: &mut TrapFrame) -> KResult<usize> {
        let size = arg(f, 0) as i32;
        if size < 0 {
            return Err(Errno::EINVAL);
        }
        let groups = current().inner.lock().attrs.groups.clone();
        if size == 0 {
            return Ok(groups.len());
        }
        if groups.len() > size as usize {
            return Err(Errno::EINVAL);
        }
        for (i, g) in groups.iter().enumerate() {
            uaccess::put_user(arg(f, 1) as usize + 4 * i, *g)?;
        }
        Ok(groups.len())
    }

    /// setgroups(size, list) (Linux `SYSCALL_DEFINE2(setgroups)` + `groups_sort`):
    /// EPERM without CAP_SETGID, EINVAL above NGROUPS_MAX, EFAULT for a bad list; the
    /// groups are kept sorted.
    pub fn sys_setgroups(f: &mut TrapFrame) -> KResult<usize> {
        let size = arg(f, 0) as u32 as usize;
        if !current().inner.lock().attrs.cred.capable() {
            return Err(Errno::EPERM);
        }
        if size > NGROUPS_MAX {
            return Err(Errno::EINVAL);
        }
        let mut groups = Vec::with_capacity(size);
        for i in 0..size {
            groups.push(uaccess::get_user::<u32>(arg(f, 1) as usize + 4 * i)?);
        }
        groups.sort_unstable();
        current().inner.lock().attrs.groups = groups;
        Ok(0)
    }

    /// getresuid(ruid, euid, suid) and getresgid, told apart by name (Linux
    /// `SYSCALL_DEFINE3(getresuid)`): the real, effective and saved ids; stops at the
    /// first bad pointer.
    pub fn sys_getresuid(f: &mut TrapFrame) -> KResult<usize> {
        let c = current().inner.lock().attrs.cred;
        let gid = crate::syscall::names::syscall_name(f.syscallno as usize) == Some("getresgid");
        let ids = if gid { c.gid } else { c.uid };
        for (i, id) in [ids.r, ids.e, ids.s].into_iter().enumerate() {
            uaccess::put_user(arg(f, i) as usize, id)?;
        }
        Ok(0)
    }

    /// Change the caller's credentials with `op` (given the capability), keeping them
    /// only if it succeeds.
    fn with_cred(op: impl FnOnce(&mut Cred, bool) -> KResult<usize>) -> KResult<usize> {
        let cur = current();
        let mut inner = cur.inner.lock();
        let mut c = inner.attrs.cred;
        let cap = c.capable();
        let r = op(&mut c, cap)?;
        inner.attrs.cred = c;
        Ok(r)
    }

    /// setuid(uid) (Linux `__sys_setuid`; the rules are in `task/cred.rs`).
    pub fn sys_setuid(f: &mut TrapFrame) -> KResult<usize> {
        with_cred(|c, cap| c.uid.set(arg(f, 0) as u32, cap).map(|_| 0))
    }

    /// setgid(gid) (Linux `__sys_setgid`).
    pub fn sys_setgid(f: &mut TrapFrame) -> KResult<usize> {
        with_cred(|c, cap| c.gid.set(arg(f, 0) as u32, cap).map(|_| 0))
    }

    /// setreuid(ruid, euid) (Linux `__sys_setreuid`).
    pub fn sys_setreuid(f: &mut TrapFrame) -> KResult<usize> {
        with_cred(|c, cap| {
            c.uid
                .set_re(arg(f, 0) as u32, arg(f, 1) as u32, cap)
                .map(|_| 0)
        })
    }

    /// setregid(rgid, egid) (Linux `__sys_setregid`).
    pub fn sys_setregid(f: &mut TrapFrame) -> KResult<usize> {
        with_cred(|c, cap| {
            c.gid
                .set_re(arg(f, 0) as u32, arg(f, 1) as u32, cap)
                .map(|_| 0)
        })
    }

    /// setresuid(ruid, euid, suid) (Linux `__sys_setresuid`).
    pub fn sys_setresuid(f: &mut TrapFrame) -> KResult<usize> {
        let (r, e, s) = (arg(f, 0) as u32, arg(f, 1) as u32, arg(f, 2) as u32);
        with_cred(|c, cap| c.uid.set_res(r, e, s, cap).map(|_| 0))
    }

    /// setresgid(rgid, egid, sgid) (Linux `__sys_setresgid`).
    pub fn sys_setresgid(f: &mut TrapFrame) -> KResult<usize> {
        let (r, e, s) = (arg(f, 0) as u32, arg(f, 1) as u32, arg(f, 2) as u32);
        with_cred(|c, cap| c.gid.set_res(r, e, s, cap).map(|_| 0))
    }

    /// setfsuid(uid) (Linux `__sys_setfsuid`): the old fs uid, always.
    pub fn sys_setfsuid(f: &mut TrapFrame) -> KResult<usize> {
        with_cred(|c, cap| Ok(c.uid.set_fs(arg(f, 0) as u32, cap) as usize))
    }

    /// setfsgid(gid) (Linux `__sys_setfsgid`): the old fs gid, always.
    pub fn sys_setfsgid(f: &mut TrapFrame) -> KResult<usize> {
        with_cred(|c, cap| Ok(c.gid.set_fs(arg(f, 0) as u32, cap) as usize))
    }

    /// Ticks to a `struct timeval` (seconds, microseconds).
    fn timeval(ticks: u64) -> [i64; 2] {
        let us = ticks * 1_000_000 / crate::drivers::timer::hz() as u64;
        [(us / 1_000_000) as i64, (us % 1_000_000) as i64]
    }

    /// getrusage(who, usage) (Linux `getrusage` in `kernel/sys.c`): RUSAGE_SELF (all
    /// threads, living and gone), RUSAGE_THREAD (the caller), RUSAGE_CHILDREN (reaped
    /// children); user and system time, and ru_maxrss in KiB. Simplified: the high-water
    /// mark of the resident size is sampled here and at exit rather than at every page
    /// fault, and the fault, I/O and context-switch counters are 0.
    pub fn sys_getrusage(f: &mut TrapFrame) -> KResult<usize> {
        let who = arg(f, 0) as i32;
        let cur = current();
        let (utime, stime, maxrss) = match who {
            RUSAGE_THREAD => {
                let (u, s) = {
                    let i = cur.inner.lock();
                    (i.utime, i.stime)
                };
                (u, s, crate::task::attrs::sample_maxrss(&cur))
            }
            RUSAGE_SELF => {
                let tgid = cur.tgid();
                let threads: Vec<Arc<TaskStruct>> = TASKS
                    .lock()
                    .values()
                    .filter(|t| t.tgid() == tgid)
                    .cloned()
                    .collect();
                let (mut u, mut s) = {
                    let sig = cur.signal.inner.lock();
                    (sig.utime, sig.stime)
                };
                for t in &threads {
                    let i = t.inner.lock();
                    u += i.utime;
                    s += i.stime;
                }
                (u, s, crate::task::attrs::sample_maxrss(&cur))
            }
            RUSAGE_CHILDREN => {
                let (u, s) = {
                    let sig = cur.signal.inner.lock();
                    (sig.cutime, sig.cstime)
                };
                (u, s, leader(&cur).inner.lock().attrs.cmaxrss_kb)
            }
            _ => return Err(Errno::EINVAL),
        };
        let mut ru = [0i64; 18];
        ru[0..2].copy_from_slice(&timeval(utime));
        ru[2..4].copy_from_slice(&timeval(stime));
        ru[4] = maxrss as i64;
        let mut bytes = [0u8; 18 * 8];
        for (i, v) in ru.iter().enumerate() {
            bytes[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
        }
        uaccess::copy_to_user(arg(f, 1) as usize, &bytes)?;
        Ok(0)
    }

    /// The task `pid` names for the sched_* calls (0: the caller); ESRCH if none.
    fn sched_task(pid: u64) -> KResult<Arc<TaskStruct>> {
        match pid as i32 {
            0 => Ok(current()),
            p if p < 0 => Err(Errno::EINVAL),
            p => TASKS.lock().get(&p).cloned().ok_or(Errno::ESRCH),
        }
    }

    /// sched_getaffinity(pid, len, mask) (Linux `SYSCALL_DEFINE3(sched_getaffinity)`):
    /// CPU 0 is the only CPU, so the mask is 1; returns the bytes written.
    pub fn sys_sched_getaffinity(f: &mut TrapFrame) -> KResult<usize> {
        let n = getaffinity_len(arg(f, 1) as usize)?;
        sched_task(arg(f, 0))?;
        let mask = 1u64.to_le_bytes();
        uaccess::copy_to_user(arg(f, 2) as usize, &mask[..n])?;
        Ok(n)
    }

    /// sched_setaffinity(pid, len, mask) (Linux `SYSCALL_DEFINE3(sched_setaffinity)`):
    /// the mask is read (a short one zero-extended, a long one cut to CPUMASK_SIZE), then
    /// it must include an online CPU, i.e. CPU 0: else EINVAL. Nothing else changes, as
    /// there is one CPU to run on.
    pub fn sys_sched_setaffinity(f: &mut TrapFrame) -> KResult<usize> {
        let len = (arg(f, 1) as usize).min(CPUMASK_SIZE);
        let mut mask = [0u8; CPUMASK_SIZE];
        uaccess::copy_from_user(&mut mask[..len], arg(f, 2) as usize)?;
        sched_task(arg(f, 0))?;
        if mask[0] & 1 == 0 {
            return Err(Errno::EINVAL);
        }
        Ok(0)
    }

    /// socket(family, type, protocol): see `socket_error`.
    pub fn sys_socket(f: &mut TrapFrame) -> KResult<usize> {
        Err(socket_error(arg(f, 0), arg(f, 1)))
    }

    /// socketpair(family, type, protocol, sv) (Linux `__sys_socketpair`): the type flags
    /// are checked, then `sv` must be writable (Linux stores the reserved descriptors
    /// there before creating the sockets; Linnet leaves its contents alone), then the
    /// family is refused as by `socket`.
    pub fn sys_socketpair(f: &mut TrapFrame) -> KResult<usize> {
        if arg(f, 1) & !SOCK_TYPE_MASK & !(SOCK_CLOEXEC | SOCK_NONBLOCK) != 0 {
            return Err(Errno::EINVAL);
        }
        let sv = arg(f, 3) as usize;
        let old = uaccess::get_user::<[u32; 2]>(sv)?;
        uaccess::put_user(sv, old)?;
        Err(socket_error(arg(f, 0), arg(f, 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comm_is_nul_padded_and_cut() {
        assert_eq!(&comm_bytes("sh")[..3], b"sh\0");
        let b = comm_bytes("abcdefghijklmnopqrstuvwxyz");
        assert_eq!(&b[..15], b"abcdefghijklmno");
        assert_eq!(b[15], 0);
    }

    #[test]
    fn nice_rules() {
        assert_eq!(clamp_nice(-100), -20);
        assert_eq!(clamp_nice(100), 19);
        assert_eq!(clamp_nice(5), 5);
        assert_eq!(nice_to_rlimit(0), 20);
        assert_eq!(nice_to_rlimit(-20), 40);
        assert_eq!(nice_to_rlimit(19), 1);
    }

    #[test]
    fn affinity_sizes() {
        assert_eq!(getaffinity_len(0), Err(Errno::EINVAL));
        assert_eq!(getaffinity_len(4), Err(Errno::EINVAL));
        assert_eq!(getaffinity_len(8), Ok(8));
        assert_eq!(getaffinity_len(128), Ok(8));
    }

    #[test]
    fn sockets_refused_as_linux() {
        assert_eq!(socket_error(1, 1), Errno::EAFNOSUPPORT); // AF_UNIX, SOCK_STREAM
        assert_eq!(socket_error(2, 2 | 0o2000000), Errno::EAFNOSUPPORT);
        assert_eq!(socket_error(1, 1 | 0x100), Errno::EINVAL); // unknown flag
        assert_eq!(socket_error(9999, 1), Errno::EAFNOSUPPORT);
        assert_eq!(socket_error(u64::MAX, 1), Errno::EAFNOSUPPORT); // -1
        assert_eq!(socket_error(1, 12), Errno::EINVAL); // type >= SOCK_MAX
        assert_eq!(socket_error(9999, 12), Errno::EAFNOSUPPORT); // family checked first
    }
}
