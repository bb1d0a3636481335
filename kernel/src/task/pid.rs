//! Process IDs (Linux `kernel/pid.c`, `alloc_pid` with `pid_max`): the next free number
//! after the last one handed out, wrapping at `PID_MAX` back to `RESERVED_PIDS`, so a
//! freshly freed pid is not reused at once (a parent's `kill(pid)` should not hit a
//! stranger). Portable and host-tested.

use alloc::collections::BTreeSet;

/// A process or thread ID, as Linux `pid_t`.
pub type Pid = i32;

/// Pids are below this (Linux `PID_MAX_DEFAULT`, 32768).
pub const PID_MAX: Pid = 32768;
/// After wrapping, allocation restarts here (Linux `RESERVED_PIDS`): low pids belong to
/// early daemons.
pub const RESERVED_PIDS: Pid = 300;

/// The set of pids in use and the last one handed out.
pub struct PidAllocator {
    used: BTreeSet<Pid>,
    last: Pid,
}

impl Default for PidAllocator {
    fn default() -> Self {
        Self::new()
    }
}

impl PidAllocator {
    /// Nothing allocated; the first pid handed out is 1 (init).
    pub fn new() -> Self {
        PidAllocator {
            used: BTreeSet::new(),
            last: 0,
        }
    }

    /// The next free pid (Linux `alloc_pid` / `idr_alloc_cyclic`), or None when all
    /// `PID_MAX - 1` are in use.
    pub fn alloc(&mut self) -> Option<Pid> {
        let mut candidate = self.last + 1;
        for _ in 0..PID_MAX {
            if candidate >= PID_MAX {
                candidate = RESERVED_PIDS;
            }
            if !self.used.contains(&candidate) {
                self.used.insert(candidate);
                self.last = candidate;
                return Some(candidate);
            }
            candidate += 1;
        }
        None
    }

    /// Give `pid` back (Linux `free_pid`).
    pub fn free(&mut self, pid: Pid) {
        self.used.remove(&pid);
    }

    /// Pids in use.
    pub fn in_use(&self) -> usize {
        self.used.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_from_one() {
        let mut a = PidAllocator::new();
        assert_eq!(a.alloc(), Some(1));
        assert_eq!(a.alloc(), Some(2));
        a.free(1);
        assert_eq!(a.alloc(), Some(3), "a freed pid is not reused at once");
    }

    #[test]
    fn wraps_to_reserved_and_skips_used() {
        let mut a = PidAllocator::new();
        for _ in 1..PID_MAX {
            assert!(a.alloc().is_some());
        }
        assert_eq!(a.alloc(), None, "all pids in use");
        a.free(5);
        a.free(400);
        assert_eq!(a.alloc(), Some(400), "wrap restarts at RESERVED_PIDS");
        assert_eq!(a.alloc(), None);
        assert_eq!(a.in_use(), (PID_MAX - 2) as usize);
    }
}
