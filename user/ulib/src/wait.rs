//! Waiting: ppoll and pselect6, the futex operations, robust lists, and queued signals
//! (rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigtimedwait).
//!
//! Thin wrappers: each passes its arguments in the Linux arm64 layout and turns the
//! result into a `SysResult`. Raw pointers are allowed where a test wants to pass a bad
//! one on purpose.

use crate::errno::{check, SysResult};
use crate::signal::SigInfo;
use crate::syscall::{nr, syscall4, syscall5, syscall6};
use crate::time::Timespec;

/// `struct pollfd`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollFd {
    /// The descriptor (negative: ignored).
    pub fd: i32,
    /// What the caller waits for.
    pub events: i16,
    /// What the kernel found.
    pub revents: i16,
}

impl PollFd {
    /// Wait for `events` on `fd`.
    pub fn new(fd: i32, events: i16) -> PollFd {
        PollFd {
            fd,
            events,
            revents: 0,
        }
    }
}

/// Data to read.
pub const POLLIN: i16 = uapi::poll::POLLIN as i16;
/// Urgent data.
pub const POLLPRI: i16 = uapi::poll::POLLPRI as i16;
/// Writing would not block.
pub const POLLOUT: i16 = uapi::poll::POLLOUT as i16;
/// Error (a pipe with no reader).
pub const POLLERR: i16 = uapi::poll::POLLERR as i16;
/// Hung up (a pipe with no writer).
pub const POLLHUP: i16 = uapi::poll::POLLHUP as i16;
/// Not an open descriptor.
pub const POLLNVAL: i16 = uapi::poll::POLLNVAL as i16;
/// Normal data to read.
pub const POLLRDNORM: i16 = uapi::poll::POLLRDNORM as i16;
/// Normal data may be written.
pub const POLLWRNORM: i16 = uapi::poll::POLLWRNORM as i16;

/// ppoll(2) with raw pointers: `fds` (`nfds` entries), timeout (null: none), signal
/// mask (null: unchanged) and its size.
///
/// # Safety
/// The pointers must be null, or valid for the kernel to read and write as Linux does
/// (a test may pass a bad one to see EFAULT).
pub unsafe fn ppoll_raw(
    fds: *mut PollFd,
    nfds: usize,
    timeout: *mut Timespec,
    mask: *const u64,
    masksize: usize,
) -> SysResult {
    // SAFETY: the caller vouches for the pointers.
    check(unsafe {
        syscall5(
            nr::__NR_ppoll,
            fds as usize,
            nfds,
            timeout as usize,
            mask as usize,
            masksize,
        )
    })
}

/// ppoll(2): wait for events on `fds`, at most `timeout` (None: forever; it is updated
/// with the time left), with `mask` as the blocked set while waiting.
pub fn ppoll(fds: &mut [PollFd], timeout: Option<&mut Timespec>, mask: Option<&u64>) -> SysResult {
    let t = timeout.map_or(core::ptr::null_mut(), |t| t as *mut Timespec);
    let m = mask.map_or(core::ptr::null(), |m| m as *const u64);
    // SAFETY: all pointers come from references.
    unsafe { ppoll_raw(fds.as_mut_ptr(), fds.len(), t, m, 8) }
}

/// An fd_set for 1024 descriptors.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FdSet(pub [u64; 16]);

impl FdSet {
    /// Add `fd`.
    pub fn set(&mut self, fd: i32) {
        self.0[fd as usize / 64] |= 1 << (fd % 64);
    }
    /// Is `fd` in the set?
    pub fn is_set(&self, fd: i32) -> bool {
        self.0[fd as usize / 64] & (1 << (fd % 64)) != 0
    }
}

/// pselect6(2): `n` descriptors, three optional sets, a timeout (None: forever; updated
/// with the time left) and an optional blocked mask while waiting.
pub fn pselect6(
    n: i32,
    rd: Option<&mut FdSet>,
    wr: Option<&mut FdSet>,
    ex: Option<&mut FdSet>,
    timeout: Option<&mut Timespec>,
    mask: Option<&u64>,
) -> SysResult {
    let p = |s: Option<&mut FdSet>| s.map_or(0, |s| s as *mut FdSet as usize);
    let t = timeout.map_or(0, |t| t as *mut Timespec as usize);
    let sig: [usize; 2] = [mask.map_or(0, |m| m as *const u64 as usize), 8];
    let sigp = if mask.is_some() {
        sig.as_ptr() as usize
    } else {
        0
    };
    // SAFETY: all pointers come from references or are null.
    check(unsafe { syscall6(nr::__NR_pselect6, n as usize, p(rd), p(wr), p(ex), t, sigp) })
}

pub use uapi::futex::{
    futex_op, FUTEX_CLOCK_REALTIME, FUTEX_CMP_REQUEUE, FUTEX_LOCK_PI, FUTEX_OWNER_DIED,
    FUTEX_PRIVATE_FLAG, FUTEX_REQUEUE, FUTEX_TRYLOCK_PI, FUTEX_UNLOCK_PI, FUTEX_WAIT,
    FUTEX_WAITERS, FUTEX_WAIT_BITSET, FUTEX_WAKE, FUTEX_WAKE_BITSET, FUTEX_WAKE_OP,
};

/// futex(2) with every argument: `uaddr`, `op`, `val`, the timeout pointer or `val2`,
/// `uaddr2`, `val3`.
///
/// # Safety
/// `uaddr` and `uaddr2` must be words the kernel may read (and, for the PI and wake-op
/// commands, write), `timeout` null or a timespec.
pub unsafe fn futex(
    uaddr: *const u32,
    op: u32,
    val: u32,
    timeout_or_val2: usize,
    uaddr2: *const u32,
    val3: u32,
) -> SysResult {
    // SAFETY: the caller vouches for the pointers.
    check(unsafe {
        syscall6(
            nr::__NR_futex,
            uaddr as usize,
            op as usize,
            val as usize,
            timeout_or_val2,
            uaddr2 as usize,
            val3 as usize,
        )
    })
}

/// `struct robust_list_head`: the list (its `next`), the offset from an entry to its
/// futex word, and the entry being locked or unlocked.
#[repr(C)]
#[derive(Debug)]
pub struct RobustListHead {
    /// The first entry, or the head itself when empty; bit 0 marks a PI futex.
    pub next: usize,
    /// Futex word address minus entry address.
    pub futex_offset: isize,
    /// The entry in the middle of an operation, or 0.
    pub list_op_pending: usize,
}

/// set_robust_list(2).
pub fn set_robust_list(head: *const RobustListHead, len: usize) -> SysResult {
    // SAFETY: the kernel only stores the pointer (it reads the list at thread exit).
    check(unsafe { crate::syscall::syscall2(nr::__NR_set_robust_list, head as usize, len) })
}

/// get_robust_list(2): thread `pid`'s head (0: the caller) and its size.
pub fn get_robust_list(pid: i32) -> SysResult<(usize, usize)> {
    let (mut head, mut len) = (0usize, 0usize);
    // SAFETY: both pointers are ours to write.
    check(unsafe {
        crate::syscall::syscall3(
            nr::__NR_get_robust_list,
            pid as usize,
            &mut head as *mut usize as usize,
            &mut len as *mut usize as usize,
        )
    })?;
    Ok((head, len))
}

pub use uapi::siginfo::SI_QUEUE;
pub use uapi::signal::SIGRTMIN;

/// A siginfo as sigqueue(3) builds it: SI_QUEUE, our pid and uid 0, and `value`.
pub fn sigqueue_info(sig: i32, code: i32, value: u64) -> SigInfo {
    let mut i = SigInfo::zeroed();
    i.si_signo = sig;
    i.si_code = code;
    i.fields[0] = crate::getpid() as u32 as u64;
    i.fields[1] = value;
    i
}

/// rt_sigqueueinfo(2): `sig` with `info` to process `pid`.
pub fn rt_sigqueueinfo(pid: i32, sig: i32, info: &SigInfo) -> SysResult {
    // SAFETY: the kernel reads 128 bytes of info.
    check(unsafe {
        crate::syscall::syscall3(
            nr::__NR_rt_sigqueueinfo,
            pid as usize,
            sig as usize,
            info as *const SigInfo as usize,
        )
    })
}

/// rt_tgsigqueueinfo(2): `sig` with `info` to thread `tid` of process `tgid`.
pub fn rt_tgsigqueueinfo(tgid: i32, tid: i32, sig: i32, info: &SigInfo) -> SysResult {
    // SAFETY: the kernel reads 128 bytes of info.
    check(unsafe {
        syscall4(
            nr::__NR_rt_tgsigqueueinfo,
            tgid as usize,
            tid as usize,
            sig as usize,
            info as *const SigInfo as usize,
        )
    })
}

/// rt_sigtimedwait(2): take a pending signal of `set` (its number), its siginfo into
/// `info`; None waits forever.
pub fn rt_sigtimedwait(
    set: u64,
    info: Option<&mut SigInfo>,
    timeout: Option<&Timespec>,
) -> SysResult {
    let i = info.map_or(0, |i| i as *mut SigInfo as usize);
    let t = timeout.map_or(0, |t| t as *const Timespec as usize);
    // SAFETY: set and timeout are read, info written; all from references.
    check(unsafe {
        syscall4(
            nr::__NR_rt_sigtimedwait,
            &set as *const u64 as usize,
            i,
            t,
            8,
        )
    })
}
