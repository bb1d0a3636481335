//! Fast user-space mutexes, the two operations threads need (Linux `kernel/futex/`:
//! `futex_wait`, `futex_wake`). A futex is just a user address: waiters sleep on a queue
//! keyed by it, after checking that the word still holds the value they expect.
//! Simplified: private futexes only (keyed by address alone, within one process), no
//! timeouts beyond a relative timespec, no requeue or PI.

use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::task::wait_queue::WaitQueue;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use spin::Mutex;

/// FUTEX_WAIT.
pub const FUTEX_WAIT: u32 = 0;
/// FUTEX_WAKE.
pub const FUTEX_WAKE: u32 = 1;
/// Flag: process-private futex (all of Linnet's are).
pub const FUTEX_PRIVATE_FLAG: u32 = 128;
/// Flag: CLOCK_REALTIME for timeouts (accepted).
pub const FUTEX_CLOCK_REALTIME: u32 = 256;

static QUEUES: Mutex<BTreeMap<(i32, usize), Arc<WaitQueue>>> = Mutex::new(BTreeMap::new());

fn queue(addr: usize) -> Arc<WaitQueue> {
    let tgid = super::sched::current().tgid();
    QUEUES
        .lock()
        .entry((tgid, addr))
        .or_insert_with(|| Arc::new(WaitQueue::new()))
        .clone()
}

/// Sleep while `*addr == val` (Linux `futex_wait`): EAGAIN if it already differs,
/// ETIMEDOUT if `deadline_ns` passes first.
pub fn futex_wait(addr: usize, val: u32, deadline_ns: Option<u64>) -> KResult<()> {
    if !addr.is_multiple_of(4) {
        return Err(Errno::EINVAL);
    }
    let cur: u32 = uaccess::get_user(addr)?;
    if cur != val {
        return Err(Errno::EAGAIN);
    }
    let q = queue(addr);
    let me = super::sched::current();
    let mut woken = false;
    let mut first = true;
    let ok = q.wait_until(|| {
        if !first {
            woken = true;
            return true;
        }
        first = false;
        if let Some(d) = deadline_ns {
            me.inner.lock().wake_at = Some(d);
        }
        false
    });
    me.inner.lock().wake_at = None;
    drop(q);
    forget_queue(addr);
    if !ok {
        // Linux restarts an untimed wait after a SA_RESTART handler; a timed one ends
        // with EINTR (its restart block, which would keep the deadline, is not here).
        return Err(if deadline_ns.is_some() {
            Errno::ERESTARTNOHAND
        } else {
            Errno::ERESTARTSYS
        });
    }
    if let Some(d) = deadline_ns {
        if crate::drivers::timer::uptime_ns() >= d && woken {
            return Err(Errno::ETIMEDOUT);
        }
    }
    Ok(())
}

/// Drop `addr`'s queue once no waiter is left on it: a queue per address ever waited
/// on would let a program grow the kernel heap without bound (Linux hashes futexes
/// into a fixed table of buckets, `futex_hash`, and allocates nothing per address).
fn forget_queue(addr: usize) {
    let key = (super::sched::current().tgid(), addr);
    let mut queues = QUEUES.lock();
    if queues
        .get(&key)
        .is_some_and(|q| Arc::strong_count(q) == 1 && q.is_empty())
    {
        queues.remove(&key);
    }
}

/// Wake up to `n` waiters on `addr` (Linux `futex_wake`); returns how many. An address
/// nobody waits on has no queue, and gets none.
pub fn futex_wake(addr: usize, n: usize) -> usize {
    let tgid = super::sched::current().tgid();
    let q = QUEUES.lock().get(&(tgid, addr)).cloned();
    q.map_or(0, |q| q.wake_n(n))
}
