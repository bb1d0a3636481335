//! Fast user-space mutexes (Linux `kernel/futex/`: `core.c` `get_futex_key`,
//! `waitwake.c` `futex_wait` / `futex_wake` / `futex_wake_op`, `requeue.c`
//! `futex_requeue`, `pi.c` `futex_lock_pi` / `futex_unlock_pi`, `core.c`
//! `exit_robust_list` / `handle_futex_death`).
//!
//! A futex is a user word. Waiters sleep in the kernel on a queue entry keyed by it
//! (`FutexQ`, Linux `struct futex_q`), after checking that the word still holds what
//! they expect; a waker takes entries off the queue and wakes their tasks, so a woken
//! waiter knows it was woken (its entry is gone) and not timed out or signalled.
//!
//! Simplified: one list instead of Linux's hash of buckets (there is one CPU, and the
//! list is short); no requeue-to-PI (FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI are
//! ENOSYS); and priority inheritance is a no-op: Linnet has one scheduling class and
//! no priorities, so a PI futex is a lock with the owner's TID in the word, handed
//! straight to the first waiter on unlock, as Linux hands it over. The user word is read
//! and written with plain `get_user`/`put_user`: with one CPU and a kernel that is not
//! preempted, nothing runs in between, which is what Linux's `cmpxchg` guarantees.

use super::futex_op::*;
use super::pid::Pid;
use super::sched;
use super::wait_queue::{schedule_timeout_on, WaitError};
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use alloc::vec::Vec;
use spin::Mutex;

/// What identifies a futex (Linux `union futex_key`): the address space and address for
/// a private mapping, the physical address of the word for a shared one (so that
/// processes sharing the page meet on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutexKey {
    /// Private: (address space, user address).
    Private(usize, usize),
    /// Shared memory: the word's physical address.
    Shared(usize),
}

/// A sleeping waiter (Linux `struct futex_q`).
struct FutexQ {
    key: FutexKey,
    pid: Pid,
    bitset: u32,
    /// Waiting in FUTEX_LOCK_PI: only an unlock may take it off the queue.
    pi: bool,
}

/// Every waiter, oldest first (Linux `futex_queues`, one bucket here).
static FUTEX_QUEUE: Mutex<Vec<FutexQ>> = Mutex::new(Vec::new());

/// The key of the futex at `uaddr` (Linux `get_futex_key`): EINVAL if misaligned,
/// EFAULT outside user space. `shared` (no FUTEX_PRIVATE_FLAG) on a MAP_SHARED mapping
/// keys by the physical page; everything else by address space and address.
pub fn get_futex_key(uaddr: usize, shared: bool) -> KResult<FutexKey> {
    if !uaddr.is_multiple_of(4) {
        return Err(Errno::EINVAL);
    }
    if !uaccess::access_ok(uaddr, 4) {
        return Err(Errno::EFAULT);
    }
    let mm = sched::current()
        .inner
        .lock()
        .mm
        .clone()
        .ok_or(Errno::EFAULT)?;
    if shared {
        // Fault the page in first (the word is read anyway by every caller).
        uaccess::get_user::<u32>(uaddr)?;
        let mm = mm.lock();
        let is_shared = mm
            .vmas
            .vma_at(uaddr)
            .is_some_and(|v| v.vm_flags.contains(crate::mm::vma::VmFlags::MAYSHARE));
        if is_shared {
            let (pa, _) = mm.lookup(uaddr).ok_or(Errno::EFAULT)?;
            return Ok(FutexKey::Shared(pa + uaddr % crate::mm::layout::PAGE_SIZE));
        }
    }
    Ok(FutexKey::Private(
        alloc::sync::Arc::as_ptr(&mm) as usize,
        uaddr,
    ))
}

/// Is `pid` still queued (not yet taken off by a waker)?
fn queued(pid: Pid) -> bool {
    FUTEX_QUEUE.lock().iter().any(|q| q.pid == pid)
}

/// Take `pid` off the queue (Linux `futex_unqueue`); false if a waker already did.
fn unqueue(pid: Pid) -> bool {
    let mut fq = FUTEX_QUEUE.lock();
    let before = fq.len();
    fq.retain(|q| q.pid != pid);
    fq.len() != before
}

/// Sleep on the queue until a waker takes us off it, `deadline_ns` (monotonic) passes,
/// or a signal comes (Linux `futex_wait_queue` + the end of `futex_wait`). Woken wins
/// over a timeout or signal that came at the same time.
fn futex_sleep(pid: Pid, deadline_ns: Option<u64>) -> Result<(), WaitError> {
    let r = loop {
        if !queued(pid) {
            break Ok(());
        }
        if let Err(e) = schedule_timeout_on(&[], deadline_ns) {
            break if unqueue(pid) { Err(e) } else { Ok(()) };
        }
    };
    // Every waiter leaves through here: the last one gives the queue's memory back, so
    // a burst of waiters does not keep its capacity in the heap for ever.
    let mut fq = FUTEX_QUEUE.lock();
    if fq.is_empty() {
        *fq = Vec::new();
    }
    r
}

/// FUTEX_WAIT / FUTEX_WAIT_BITSET (Linux `futex_wait`): sleep while `*uaddr == val`.
/// EAGAIN if it already differs, ETIMEDOUT at the deadline, EINVAL for an empty bitset.
pub fn futex_wait(
    uaddr: usize,
    shared: bool,
    val: u32,
    deadline_ns: Option<u64>,
    bitset: u32,
) -> KResult<usize> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let key = get_futex_key(uaddr, shared)?;
    if uaccess::get_user::<u32>(uaddr)? != val {
        return Err(Errno::EAGAIN);
    }
    let pid = sched::current().pid();
    FUTEX_QUEUE.lock().push(FutexQ {
        key,
        pid,
        bitset,
        pi: false,
    });
    match futex_sleep(pid, deadline_ns) {
        Ok(()) => Ok(0),
        Err(WaitError::TimedOut) => Err(Errno::ETIMEDOUT),
        // Linux restarts an untimed wait after a SA_RESTART handler; a timed one goes
        // through its restart block (remaining time kept), which Linnet lacks: it ends
        // with EINTR after a handler and restarts with the same timeout otherwise.
        Err(WaitError::Interrupted) if deadline_ns.is_none() => Err(Errno::ERESTARTSYS),
        Err(WaitError::Interrupted) => Err(Errno::ERESTARTNOHAND),
    }
}

/// Take up to `nr` waiters on `key` whose bitset meets `bitset` off the queue and wake
/// them. Linux's loop wakes one even when `nr` is 0 (`++ret >= nr_wake`), and so does
/// this. EINVAL if a PI waiter is met (Linux: a PI futex is not woken that way).
fn wake_key(key: FutexKey, nr: i32, bitset: u32) -> KResult<usize> {
    let mut woken = Vec::new();
    {
        let mut fq = FUTEX_QUEUE.lock();
        let mut i = 0;
        while i < fq.len() {
            let q = &fq[i];
            if q.key == key && q.pi {
                return Err(Errno::EINVAL);
            }
            if q.key == key && q.bitset & bitset != 0 {
                woken.push(fq.remove(i).pid);
                if woken.len() as i64 >= nr as i64 {
                    break;
                }
            } else {
                i += 1;
            }
        }
    }
    for &pid in &woken {
        sched::wake_up_pid(pid);
    }
    Ok(woken.len())
}

/// FUTEX_WAKE / FUTEX_WAKE_BITSET (Linux `futex_wake`): wake up to `nr` waiters.
pub fn futex_wake(uaddr: usize, shared: bool, nr: i32, bitset: u32) -> KResult<usize> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    wake_key(get_futex_key(uaddr, shared)?, nr, bitset)
}

/// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (Linux `futex_requeue`): wake `nr_wake` waiters of
/// `uaddr1` and move up to `nr_requeue` more to `uaddr2`; with `cmpval`, only if
/// `*uaddr1` still holds it (else EAGAIN). Returns woken + moved.
pub fn futex_requeue(
    uaddr1: usize,
    uaddr2: usize,
    shared: bool,
    nr_wake: i32,
    nr_requeue: i32,
    cmpval: Option<u32>,
) -> KResult<usize> {
    if nr_wake < 0 || nr_requeue < 0 {
        return Err(Errno::EINVAL);
    }
    let key1 = get_futex_key(uaddr1, shared)?;
    let key2 = get_futex_key(uaddr2, shared)?;
    if let Some(v) = cmpval {
        if uaccess::get_user::<u32>(uaddr1)? != v {
            return Err(Errno::EAGAIN);
        }
    }
    let mut woken = Vec::new();
    let mut moved = 0usize;
    {
        let mut fq = FUTEX_QUEUE.lock();
        if fq.iter().any(|q| q.key == key1 && q.pi) {
            return Err(Errno::EINVAL);
        }
        let mut i = 0;
        while i < fq.len() {
            if fq[i].key != key1 {
                i += 1;
            } else if woken.len() < nr_wake as usize {
                woken.push(fq.remove(i).pid);
            } else if moved < nr_requeue as usize {
                fq[i].key = key2; // Linux `requeue_futex`
                moved += 1;
                i += 1;
            } else {
                break;
            }
        }
    }
    for &pid in &woken {
        sched::wake_up_pid(pid);
    }
    Ok(woken.len() + moved)
}

/// FUTEX_WAKE_OP (Linux `futex_wake_op`): change `*uaddr2` by `encoded`'s operation,
/// wake up to `nr_wake` waiters of `uaddr1`, and, if the old `*uaddr2` passes the
/// comparison, up to `nr_wake2` of `uaddr2`. Returns how many woke.
pub fn futex_wake_op(
    uaddr1: usize,
    uaddr2: usize,
    shared: bool,
    nr_wake: i32,
    nr_wake2: i32,
    encoded: u32,
) -> KResult<usize> {
    let key1 = get_futex_key(uaddr1, shared)?;
    let key2 = get_futex_key(uaddr2, shared)?;
    let op = WakeOp::decode(encoded);
    let old: u32 = uaccess::get_user(uaddr2)?;
    uaccess::put_user(uaddr2, op.apply(old)?)?;
    let cond = op.compare(old)?;
    let mut n = wake_key(key1, nr_wake, FUTEX_BITSET_MATCH_ANY)?;
    if cond {
        n += wake_key(key2, nr_wake2, FUTEX_BITSET_MATCH_ANY)?;
    }
    Ok(n)
}

/// Hand the PI lock at `uaddr` to its first waiter, if it has one (Linux
/// `wake_futex_pi`): the word becomes its TID with FUTEX_WAITERS (Linux always keeps
/// the bit on a hand-over, so the next unlock comes to the kernel) and `keep` (the
/// FUTEX_OWNER_DIED bit after a death). False if nobody waits.
fn wake_futex_pi(key: FutexKey, uaddr: usize, keep: u32) -> KResult<bool> {
    let next = {
        let fq = FUTEX_QUEUE.lock();
        fq.iter().position(|q| q.key == key && q.pi)
    };
    let Some(i) = next else {
        return Ok(false);
    };
    let pid = FUTEX_QUEUE.lock()[i].pid;
    uaccess::put_user(uaddr, pid as u32 | FUTEX_WAITERS | keep)?;
    FUTEX_QUEUE.lock().remove(i);
    sched::wake_up_pid(pid);
    Ok(true)
}

/// FUTEX_LOCK_PI / FUTEX_TRYLOCK_PI (Linux `futex_lock_pi`): take the lock whose word
/// holds its owner's TID. Free (TID 0): write ours (FUTEX_OWNER_DIED kept). Ours
/// already: EDEADLK. Another's: set FUTEX_WAITERS and sleep until the owner's unlock
/// hands it to us (`trylock`: EAGAIN instead); ESRCH if no such owner lives;
/// ETIMEDOUT at the deadline. A signal restarts the call (Linux ERESTARTNOINTR).
pub fn futex_lock_pi(
    uaddr: usize,
    shared: bool,
    deadline_ns: Option<u64>,
    trylock: bool,
) -> KResult<usize> {
    let key = get_futex_key(uaddr, shared)?;
    let pid = sched::current().pid();
    let tid = pid as u32;
    loop {
        let uval: u32 = uaccess::get_user(uaddr)?;
        let others = FUTEX_QUEUE.lock().iter().any(|q| q.key == key && q.pi);
        let with_waiters = match lock_pi_attempt(uval, tid, others) {
            LockPiAttempt::Deadlock => return Err(Errno::EDEADLK),
            LockPiAttempt::Acquire(v) => {
                uaccess::put_user(uaddr, v)?;
                return Ok(0);
            }
            LockPiAttempt::Owned {
                owner,
                with_waiters,
            } => {
                // Linux `attach_to_pi_owner`: the owner must be a live task.
                let alive = sched::find_task_by_vpid(owner as Pid).is_some_and(|t| {
                    matches!(
                        t.state(),
                        super::task::TaskState::Running | super::task::TaskState::Interruptible
                    )
                });
                if !alive {
                    return Err(Errno::ESRCH);
                }
                with_waiters
            }
        };
        uaccess::put_user(uaddr, with_waiters)?;
        if trylock {
            return Err(Errno::EAGAIN);
        }
        FUTEX_QUEUE.lock().push(FutexQ {
            key,
            pid,
            bitset: FUTEX_BITSET_MATCH_ANY,
            pi: true,
        });
        match futex_sleep(pid, deadline_ns) {
            // Handed over (the word names us), or freed by a dying owner: try again.
            Ok(()) => {
                if uaccess::get_user::<u32>(uaddr)? & FUTEX_TID_MASK == tid {
                    return Ok(0);
                }
            }
            Err(WaitError::TimedOut) => return Err(Errno::ETIMEDOUT),
            Err(WaitError::Interrupted) => return Err(Errno::ERESTARTNOINTR),
        }
    }
}

/// FUTEX_UNLOCK_PI (Linux `futex_unlock_pi`): EPERM unless the word names the caller;
/// hand the lock to the first waiter, or write 0 if nobody waits.
pub fn futex_unlock_pi(uaddr: usize, shared: bool) -> KResult<usize> {
    let key = get_futex_key(uaddr, shared)?;
    let tid = sched::current().pid() as u32;
    let uval: u32 = uaccess::get_user(uaddr)?;
    if uval & FUTEX_TID_MASK != tid {
        return Err(Errno::EPERM);
    }
    if !wake_futex_pi(key, uaddr, 0)? {
        uaccess::put_user(uaddr, 0u32)?;
    }
    Ok(0)
}

/// Wake one waiter of the futex at `uaddr` from the kernel (thread exit's
/// CLONE_CHILD_CLEARTID, robust lists). Linux calls `futex_wake(uaddr, FLAGS_SHARED, 1,
/// FUTEX_BITSET_MATCH_ANY)`.
pub fn futex_wake_one(uaddr: usize) {
    let _ = futex_wake(uaddr, true, 1, FUTEX_BITSET_MATCH_ANY);
}

/// The size of a `struct robust_list_head`: `list.next`, `futex_offset`,
/// `list_op_pending`, 8 bytes each.
pub const ROBUST_LIST_HEAD_SIZE: usize = 24;
/// Most entries walked at exit (Linux `ROBUST_LIST_LIMIT`): a looped list must not hang
/// the exit.
pub const ROBUST_LIST_LIMIT: usize = 2048;

/// Mark a robust futex the dying thread `tid` held (Linux `handle_futex_death`): if the
/// word names it, keep FUTEX_WAITERS, set FUTEX_OWNER_DIED and clear the TID, then wake
/// one waiter (a PI futex is handed to its first waiter instead, as Linux's
/// `exit_pi_state_list` does). `pending`: the entry was `list_op_pending`, where a lock
/// may be half taken: a word of 0 still wakes one waiter. Err ends the walk.
fn handle_futex_death(uaddr: usize, tid: u32, pi: bool, pending: bool) -> KResult<()> {
    if !uaddr.is_multiple_of(4) {
        return Err(Errno::EINVAL);
    }
    let uval: u32 = uaccess::get_user(uaddr)?;
    if pending && !pi && uval == 0 {
        futex_wake_one(uaddr);
        return Ok(());
    }
    if uval & FUTEX_TID_MASK != tid {
        return Ok(());
    }
    if pi {
        let key = get_futex_key(uaddr, true)?;
        if wake_futex_pi(key, uaddr, FUTEX_OWNER_DIED)? {
            return Ok(());
        }
    }
    uaccess::put_user(uaddr, (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED)?;
    if !pi && uval & FUTEX_WAITERS != 0 {
        futex_wake_one(uaddr);
    }
    Ok(())
}

/// Read a robust list pointer: the entry address, and bit 0 saying "PI futex" (Linux
/// `fetch_robust_entry`).
fn fetch_robust_entry(addr: usize) -> KResult<(usize, bool)> {
    let v: u64 = uaccess::get_user(addr)?;
    Ok(((v & !1) as usize, v & 1 != 0))
}

/// Walk the exiting thread's robust list and release what it held (Linux
/// `exit_robust_list`): every entry's futex, at `entry + futex_offset`, gets
/// `handle_futex_death`, then `list_op_pending`'s. At most ROBUST_LIST_LIMIT entries;
/// any fault ends the walk quietly.
fn exit_robust_list(head: usize, tid: u32) -> KResult<()> {
    let (mut entry, mut pi) = fetch_robust_entry(head)?;
    let futex_offset: i64 = uaccess::get_user(head + 8)?;
    let (pending, pending_pi) = fetch_robust_entry(head + 16)?;
    let at = |e: usize| e.wrapping_add(futex_offset as usize);
    let mut limit = ROBUST_LIST_LIMIT;
    while entry != head {
        let next = fetch_robust_entry(entry);
        if entry != pending {
            handle_futex_death(at(entry), tid, pi, false)?;
        }
        (entry, pi) = next?;
        limit -= 1;
        if limit == 0 {
            break;
        }
    }
    if pending != 0 {
        handle_futex_death(at(pending), tid, pending_pi, true)?;
    }
    Ok(())
}

/// Hand every PI lock the dying thread `tid` still holds to its first sleeper (Linux
/// `exit_pi_state_list`): the word becomes the sleeper's TID with FUTEX_WAITERS, and
/// FUTEX_OWNER_DIED if a robust release set it. Linnet finds them through the sleepers:
/// only futexes private to this address space (a PI futex in shared memory whose owner
/// dies without a robust list keeps its sleepers until their timeout or a signal).
fn exit_pi_state_list(tid: u32) {
    let Some(mm) = sched::current().inner.lock().mm.clone() else {
        return;
    };
    let me = alloc::sync::Arc::as_ptr(&mm) as usize;
    let mut keys: Vec<FutexKey> = Vec::new();
    for q in FUTEX_QUEUE.lock().iter() {
        if q.pi && matches!(q.key, FutexKey::Private(m, _) if m == me) && !keys.contains(&q.key) {
            keys.push(q.key);
        }
    }
    for key in keys {
        let FutexKey::Private(_, uaddr) = key else {
            continue;
        };
        if let Ok(uval) = uaccess::get_user::<u32>(uaddr) {
            if uval & FUTEX_TID_MASK == tid {
                let _ = wake_futex_pi(key, uaddr, uval & FUTEX_OWNER_DIED);
            }
        }
    }
}

/// The futex part of a thread's exit or exec (Linux `futex_exit_release`,
/// `futex_exec_release` -> `futex_cleanup`): release its robust futexes and forget the
/// list, then hand over the PI locks it still holds. Runs while the thread still has
/// its (old) address space.
pub fn futex_exit_release(t: &super::task::TaskStruct) {
    let head = core::mem::take(&mut t.inner.lock().robust_list);
    if head != 0 {
        let _ = exit_robust_list(head, t.pid() as u32);
    }
    exit_pi_state_list(t.pid() as u32);
}
