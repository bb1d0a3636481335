//! Wait queues: where tasks sleep until something happens (Linux `wait_queue_head_t`,
//! `prepare_to_wait`, `wake_up` in `kernel/sched/wait.c`).
//!
//! A sleeper checks its condition, and if it does not hold, puts itself on the queue,
//! marks itself sleeping and calls `schedule`. Interrupts are masked in the kernel and
//! there is one CPU, so no wake-up can slip in between the check and the sleep.

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
    pub fn wait_until(&self, mut cond: impl FnMut() -> bool) -> bool {
        loop {
            if cond() {
                return true;
            }
            if super::signal::signal_pending_current() {
                return false;
            }
            let me = sched::current();
            self.sleepers.lock().push_back(me.pid());
            sched::sleep_current();
            self.sleepers.lock().retain(|&p| p != me.pid());
        }
    }

    /// Wake every sleeper (Linux `wake_up_all`); each rechecks its condition.
    pub fn wake_all(&self) {
        let woken: VecDeque<Pid> = core::mem::take(&mut *self.sleepers.lock());
        for pid in woken {
            sched::wake_up_pid(pid);
        }
    }

    /// Wake at most `n` sleepers (futex wake); returns how many were woken.
    pub fn wake_n(&self, n: usize) -> usize {
        let mut woken = 0;
        while woken < n {
            let Some(pid) = self.sleepers.lock().pop_front() else {
                break;
            };
            sched::wake_up_pid(pid);
            woken += 1;
        }
        woken
    }

    /// Is anybody waiting?
    pub fn is_empty(&self) -> bool {
        self.sleepers.lock().is_empty()
    }
}
