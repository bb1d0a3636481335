//! System V IPC: message queues (`msg.rs`), semaphore sets (`sem.rs`) and shared
//! memory segments (`shm.rs`), each a table of objects named by id or key
//! (`util.rs`) (Linux `ipc/`: `msg.c`, `sem.c`, `shm.c`, `util.c`).
//!
//! ```text
//! msgget/semget/shmget(key, ...)  ipcget: IPC_PRIVATE or a key -> id (util.rs)
//! msgsnd / msgrcv                 typed messages; sleep while full / while none match
//! semop / semtimedop              all operations at once or sleep; SEM_UNDO undone at exit
//! shmat / shmdt                   the segment's frames mapped shared into the caller
//! *ctl(id, IPC_STAT/IPC_SET/IPC_RMID, ...)
//! ```
//!
//! Everyone is root in Linnet, so the permission checks of `ipcperms` always pass and
//! the ids in the permission block are 0. There are no IPC namespaces: one table per
//! kind for the whole system. A sleeper in msgsnd, msgrcv or semop puts its pid on the
//! object's `waiters` and sleeps; any change to the object wakes them all, and each
//! looks again (Linux wakes exactly the ones whose condition now holds).

pub mod msg;
pub mod sem;
pub mod shm;
pub mod util;

#[cfg(target_os = "none")]
pub use kernel::*;

#[cfg(target_os = "none")]
mod kernel {
    use crate::task::pid::Pid;
    use crate::task::sched;
    use alloc::vec::Vec;

    /// Wall-clock seconds, for the `*_time` fields.
    pub fn now() -> i64 {
        crate::time::ktime_get_real_seconds() as i64
    }

    /// Wake every task on `waiters` and empty it; each rechecks its condition.
    pub fn wake_all(waiters: &mut Vec<Pid>) {
        for pid in core::mem::take(waiters) {
            sched::wake_up_pid(pid);
        }
    }

    /// Sleep until woken (the caller put its pid on an object's `waiters`), a signal
    /// arrives, or uptime `deadline` (ns) passes (the sleep of Linux's `do_msgrcv`,
    /// `do_semtimedop`: `schedule_hrtimeout_range`). No locks may be held.
    pub fn ipc_sleep(deadline: Option<u64>) {
        // On no wait queue: the object's `waiters` list is how a waker finds us. A
        // timeout or signal just returns; the caller rechecks both.
        let _ = crate::task::wait_queue::schedule_timeout_on(&[], deadline);
    }
}
