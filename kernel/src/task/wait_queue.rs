//! Wait queues: where tasks sleep until something happens (Linux `wait_queue_head_t`,
//! `prepare_to_wait`, `wake_up` in `kernel/sched/wait.c`).
//!
//! A sleeper checks its condition, and if it does not hold, puts itself on the queue,
//! marks itself sleeping and calls `schedule`. Interrupts are masked in the kernel and
//! there is one CPU, so no wake-up can slip in between the check and the sleep.
//!
//! A task may sleep on several queues at once, with a deadline (`schedule_timeout_on`):
//! that is what poll and select need (Linux `poll_wait` adds the task to each file's
//! queue, `poll_schedule_timeout` sleeps until any of them, the timer or a signal wakes
//! it).

use super::pid::Pid;
use super::sched;
use alloc::collections::VecDeque;
use spin::Mutex;

/// A queue of sleeping tasks.
pub struct WaitQueue {
    sleepers: Mutex<VecDeque<Pid>>,
}

impl Default for WaitQueue {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a wait ended without its condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitError {
    /// The deadline passed (Linux: the timeout reached 0).
    TimedOut,
    /// A signal is pending: the caller returns ERESTARTSYS, EINTR or the like.
    Interrupted,
}

impl WaitQueue {
    /// An empty queue.
    pub const fn new() -> Self {
        WaitQueue {
            sleepers: Mutex::new(VecDeque::new()),
        }
    }

    /// Sleep until `cond` holds or the task has a signal pending (Linux
    /// `wait_event_interruptible`). Returns false if a signal ended the wait: the
    /// caller returns ERESTARTSYS (or EINTR where Linux never restarts).
    pub fn wait_until(&self, cond: impl FnMut() -> bool) -> bool {
        self.wait_until_deadline(None, cond).is_ok()
    }

    /// Sleep until `cond` holds, a signal is pending, or uptime reaches `deadline_ns`
    /// (Linux `wait_event_interruptible_hrtimeout`). `cond` is checked first, so a
    /// condition that already holds wins over a past deadline.
    pub fn wait_until_deadline(
        &self,
        deadline_ns: Option<u64>,
        mut cond: impl FnMut() -> bool,
    ) -> Result<(), WaitError> {
        loop {
            if cond() {
                return Ok(());
            }
            schedule_timeout_on(&[self], deadline_ns)?;
        }
    }

    /// Put a task on the queue (Linux `add_wait_queue`).
    pub fn add(&self, pid: Pid) {
        self.sleepers.lock().push_back(pid);
    }

    /// Take a task off the queue, every time it is there (Linux `remove_wait_queue`).
    pub fn remove(&self, pid: Pid) {
        let mut q = self.sleepers.lock();
        q.retain(|&p| p != pid);
        if let Some(c) = crate::mm::shrink::shrink_target(q.len(), q.capacity()) {
            q.shrink_to(c);
        }
    }

    /// Wake every sleeper (Linux `wake_up_all`); each rechecks its condition.
    pub fn wake_all(&self) {
        let woken: VecDeque<Pid> = core::mem::take(&mut *self.sleepers.lock());
        for pid in woken {
            sched::wake_up_pid(pid);
        }
    }

    /// Is anybody waiting?
    pub fn is_empty(&self) -> bool {
        self.sleepers.lock().is_empty()
    }
}

/// Sleep once on every queue in `queues` (there may be none) until one of them wakes
/// the task, uptime reaches `deadline_ns`, or a signal arrives (Linux
/// `poll_schedule_timeout` / `schedule_hrtimeout`). Returns Ok after a wake-up, which
/// may be spurious: the caller rechecks what it waits for. A deadline already past or
/// a signal already pending returns at once, without sleeping.
pub fn schedule_timeout_on(
    queues: &[&WaitQueue],
    deadline_ns: Option<u64>,
) -> Result<(), WaitError> {
    if deadline_ns.is_some_and(|d| crate::time::ktime_get_ns() >= d) {
        return Err(WaitError::TimedOut);
    }
    if super::signal::signal_pending_current() {
        return Err(WaitError::Interrupted);
    }
    let me = sched::current();
    let pid = me.pid();
    for q in queues {
        q.add(pid);
    }
    {
        let mut inner = me.inner.lock();
        inner.wake_at = deadline_ns;
        inner.state = super::task::TaskState::Interruptible;
    }
    sched::schedule();
    me.inner.lock().wake_at = None;
    for q in queues {
        q.remove(pid);
    }
    Ok(())
}
