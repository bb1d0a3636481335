//! ppoll and pselect6 (Linux `fs/select.c`: `sys_ppoll`, `sys_pselect6`,
//! `poll_select_set_timeout`, `poll_select_finish`; `kernel/signal.c`
//! `set_user_sigmask`, `restore_saved_sigmask_unless`).
//!
//! The waiting is `fs/select.rs`; this file reads and writes the user's structures, the
//! timeout and the temporary signal mask. The mask works as for rt_sigsuspend: it
//! replaces the blocked set for the wait; if a signal interrupts the wait, the old mask
//! comes back only after the handler's frame is built (so the handler runs with the
//! caller's mask, restored by rt_sigreturn), otherwise right away.

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::fs::select::{do_poll, do_select};
use crate::mm::uaccess;
use crate::task::rlimit::{rlimit, RLIMIT_NOFILE};
use crate::task::sched::current;
use crate::task::signal::SigSet;
use alloc::vec::Vec;

/// The user timeout as a deadline (Linux `poll_select_set_timeout`): None for no
/// timeout; `zero` says it was {0, 0}, which polls once and is not written back.
struct Timeout {
    deadline: Option<u64>,
    zero: bool,
}

fn read_timeout(tsp: usize) -> KResult<Timeout> {
    if tsp == 0 {
        return Ok(Timeout {
            deadline: None,
            zero: false,
        });
    }
    let ns = super::time::get_timespec(tsp)?;
    Ok(Timeout {
        deadline: Some(crate::time::ktime_get_ns().saturating_add(ns)),
        zero: ns == 0,
    })
}

/// Install a temporary signal mask (Linux `set_user_sigmask`): EINVAL unless the size
/// is a sigset_t's; the old mask is kept in `saved_sigmask`.
fn set_user_sigmask(umask: usize, size: usize) -> KResult<()> {
    if umask == 0 {
        return Ok(());
    }
    if size != core::mem::size_of::<u64>() {
        return Err(Errno::EINVAL);
    }
    let mask = SigSet(uaccess::get_user::<u64>(umask)?).without_kernel_only();
    let cur = current();
    let mut inner = cur.inner.lock();
    let old = core::mem::replace(&mut inner.blocked, mask);
    inner.saved_sigmask = Some(old);
    Ok(())
}

/// The end of ppoll/pselect6 (Linux `poll_select_finish`): the old signal mask comes
/// back unless a signal interrupted the wait (then `do_signal` restores it); the time
/// left is written back unless the timeout was absent or zero. If it cannot be
/// written, an interrupted call is not restarted (its timeout would start over).
fn poll_select_finish(t: &Timeout, tsp: usize, ret: KResult<usize>) -> KResult<usize> {
    if ret != Err(Errno::ERESTARTNOHAND) {
        let cur = current();
        let mut inner = cur.inner.lock();
        if let Some(saved) = inner.saved_sigmask.take() {
            inner.blocked = saved;
        }
    }
    let Some(deadline) = t.deadline.filter(|_| !t.zero) else {
        return ret;
    };
    let left = deadline.saturating_sub(crate::time::ktime_get_ns());
    let ts = [left / 1_000_000_000, left % 1_000_000_000];
    if uaccess::put_user(tsp, ts).is_err() && ret == Err(Errno::ERESTARTNOHAND) {
        return Err(Errno::EINTR);
    }
    ret
}

/// ppoll(fds, nfds, tmo_p, sigmask, sigsetsize) (Linux `sys_ppoll` -> `do_sys_poll`):
/// EINVAL for more descriptors than RLIMIT_NOFILE; every `revents` is written back.
/// `ppoll(NULL, 0, NULL, mask)` sleeps until a signal (musl's `pause`).
pub fn sys_ppoll(f: &mut TrapFrame) -> KResult<usize> {
    let (ufds, nfds, tsp) = (arg(f, 0) as usize, arg(f, 1) as usize, arg(f, 2) as usize);
    let t = read_timeout(tsp)?;
    set_user_sigmask(arg(f, 3) as usize, arg(f, 4) as usize)?;
    let ret = ppoll_fds(ufds, nfds, t.deadline);
    poll_select_finish(&t, tsp, ret)
}

/// `struct pollfd`: int fd, short events, short revents.
const POLLFD_SIZE: usize = 8;

fn ppoll_fds(ufds: usize, nfds: usize, deadline: Option<u64>) -> KResult<usize> {
    if nfds as u64 > nofile_limit() {
        return Err(Errno::EINVAL);
    }
    // RLIMIT_NOFILE may be raised far beyond what the kernel heap holds: running out
    // of memory is ENOMEM, as when Linux's allocation fails, never a panic.
    let mut fds: Vec<(i32, u16, u16)> = Vec::new();
    fds.try_reserve_exact(nfds).map_err(|_| Errno::ENOMEM)?;
    for i in 0..nfds {
        let [fd, ev]: [u32; 2] = uaccess::get_user(ufds + i * POLLFD_SIZE)?;
        fds.push((fd as i32, ev as u16, 0));
    }
    let ret = do_poll(&mut fds, deadline);
    for (i, p) in fds.iter().enumerate() {
        uaccess::put_user(ufds + i * POLLFD_SIZE + 6, p.2)?;
    }
    ret
}

/// The RLIMIT_NOFILE soft limit of the caller.
fn nofile_limit() -> u64 {
    rlimit(RLIMIT_NOFILE) as u64
}

/// pselect6(n, inp, outp, exp, tsp, sig) (Linux `sys_pselect6` -> `do_pselect`): `sig`
/// points to {sigset pointer, its size}. EINVAL for n < 0, EBADF for a set bit naming
/// a closed descriptor. The sets are written back unless a signal interrupted.
pub fn sys_pselect6(f: &mut TrapFrame) -> KResult<usize> {
    let tsp = arg(f, 4) as usize;
    let t = read_timeout(tsp)?;
    let sig = arg(f, 5) as usize;
    if sig != 0 {
        let [ss, ss_len]: [u64; 2] = uaccess::get_user(sig)?;
        set_user_sigmask(ss as usize, ss_len as usize)?;
    }
    let ret = core_sys_select(
        arg(f, 0) as i32,
        [1, 2, 3].map(|i| arg(f, i) as usize),
        t.deadline,
    );
    poll_select_finish(&t, tsp, ret)
}

/// How many descriptors select looks at, at most (Linux `fdt->max_fds`): the table's
/// size, which grows in powers of two from 64.
fn max_select_fds() -> usize {
    let files = current().inner.lock().files.clone();
    let top = files.lock().iter().map(|(fd, _)| fd + 1).max().unwrap_or(0);
    top.next_power_of_two().max(64)
}

/// Linux `core_sys_select`: read the sets (a NULL set is empty and not written back),
/// wait, write them back.
fn core_sys_select(n: i32, ptrs: [usize; 3], deadline: Option<u64>) -> KResult<usize> {
    if n < 0 {
        return Err(Errno::EINVAL);
    }
    let n = (n as usize).min(max_select_fds());
    let words = n.div_ceil(64);
    let mut sets: [Vec<u64>; 3] = Default::default();
    for (set, &p) in sets.iter_mut().zip(&ptrs) {
        *set = alloc::vec![0u64; words];
        if p != 0 {
            let mut raw = alloc::vec![0u8; words * 8];
            uaccess::copy_from_user(&mut raw, p)?;
            for (w, c) in set.iter_mut().zip(raw.chunks_exact(8)) {
                *w = u64::from_le_bytes(c.try_into().unwrap_or_default());
            }
            // Bits at or above n are not looked at.
            if !n.is_multiple_of(64) {
                if let Some(last) = set.last_mut() {
                    *last &= (1u64 << (n % 64)) - 1;
                }
            }
        }
    }
    let count = do_select(n, &mut sets, deadline)?;
    for (set, &p) in sets.iter().zip(&ptrs) {
        if p != 0 {
            let raw: Vec<u8> = set.iter().flat_map(|w| w.to_le_bytes()).collect();
            uaccess::copy_to_user(p, &raw)?;
        }
    }
    Ok(count)
}
