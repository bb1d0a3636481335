//! POSIX and open-file-description record locks (Linux `fs/locks.c`: `fcntl_getlk`,
//! `fcntl_setlk`, `flock_to_posix_lock`, `posix_lock_inode`, `posix_locks_conflict`,
//! `posix_locks_deadlock`, `locks_remove_posix`).
//!
//! A lock covers a byte range `start..=end` of an inode (`end == OFFSET_MAX`: to end of
//! file and beyond) and is shared (read) or exclusive (write). POSIX locks belong to a
//! process's descriptor table (`FilesStruct`, as Linux's `fl_owner` is
//! `current->files`): one owner's locks never conflict with each other; a new lock
//! replaces, splits or merges the owner's old ones over its range; closing *any*
//! descriptor of the file drops all the owner's locks on it, and so does exit. OFD locks
//! (`F_OFD_*`) belong to the open file and go when it closes.
//!
//! The range arithmetic is plain Rust, tested on the host; the table, sleeping and
//! wake-ups are kernel-only. Simplified: one global table (Linux hangs a list off each
//! inode), no mandatory locking, no leases, no flock(2).

use crate::errno::{Errno, KResult};
use alloc::vec::Vec;

/// The largest offset (Linux `OFFSET_MAX`): a lock ending here runs to infinity.
pub const OFFSET_MAX: u64 = i64::MAX as u64;

pub use uapi::fcntl::{F_RDLCK, F_UNLCK, F_WRLCK};

/// Who holds a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A process's descriptor table (its address).
    Posix(usize),
    /// An open file (its address).
    Ofd(usize),
}

/// One lock (Linux `struct file_lock`, the POSIX fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lock {
    /// Its holder.
    pub owner: Owner,
    /// The holder's process id, for F_GETLK (-1 for OFD locks, as Linux reports).
    pub pid: i32,
    /// First byte.
    pub start: u64,
    /// Last byte (inclusive); `OFFSET_MAX` for "to the end".
    pub end: u64,
    /// True for a write (exclusive) lock.
    pub write: bool,
}

impl Lock {
    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.start <= end && start <= self.end
    }
}

/// The byte range a `struct flock` names, from the file offset `pos` and size `size`
/// for SEEK_CUR and SEEK_END (Linux `flock_to_posix_lock`): `l_len` 0 means to the end
/// of file and beyond, a negative `l_len` the bytes before `l_start`. EINVAL for a range
/// that starts before 0 or a bad whence, EOVERFLOW when the end does not fit.
pub fn flock_range(
    whence: i16,
    l_start: i64,
    l_len: i64,
    pos: u64,
    size: u64,
) -> KResult<(u64, u64)> {
    let base: i64 = match whence {
        0 => 0,
        1 => pos as i64,
        2 => size as i64,
        _ => return Err(Errno::EINVAL),
    };
    let mut start = base.checked_add(l_start).ok_or(Errno::EOVERFLOW)?;
    if start < 0 {
        return Err(Errno::EINVAL);
    }
    let end = if l_len > 0 {
        start.checked_add(l_len - 1).ok_or(Errno::EOVERFLOW)?
    } else if l_len < 0 {
        let end = start - 1;
        start = start.checked_add(l_len).ok_or(Errno::EINVAL)?;
        if start < 0 {
            return Err(Errno::EINVAL);
        }
        end
    } else {
        OFFSET_MAX as i64
    };
    Ok((start as u64, end as u64))
}

/// The first lock in `locks` that stops `owner` taking `start..=end` (Linux
/// `posix_locks_conflict`): another owner's lock over the range where either is a
/// write lock.
pub fn find_conflict(
    locks: &[Lock],
    owner: Owner,
    start: u64,
    end: u64,
    write: bool,
) -> Option<Lock> {
    locks
        .iter()
        .find(|l| l.owner != owner && l.overlaps(start, end) && (write || l.write))
        .copied()
}

/// Set (`kind` Some(write)) or clear (`None`) `owner`'s lock over `start..=end` (Linux
/// `posix_lock_inode`, after the conflict check): the owner's locks of the same type
/// that overlap or touch the range merge into the new one; those of the other type are
/// cut back, split in two when the new range is inside them.
pub fn apply(
    locks: &mut Vec<Lock>,
    owner: Owner,
    pid: i32,
    start: u64,
    end: u64,
    kind: Option<bool>,
) {
    let (mut start, mut end) = (start, end);
    let mut keep = Vec::with_capacity(locks.len() + 1);
    for l in locks.drain(..) {
        if l.owner != owner {
            keep.push(l);
            continue;
        }
        let touches = l.start <= end.saturating_add(1) && start <= l.end.saturating_add(1);
        if Some(l.write) == kind && touches {
            // Same type, overlapping or adjacent: absorb it.
            start = start.min(l.start);
            end = end.max(l.end);
            continue;
        }
        if !l.overlaps(start, end) {
            keep.push(l);
            continue;
        }
        // Another type (or an unlock) over part of it: keep the parts outside.
        if l.start < start {
            keep.push(Lock {
                end: start - 1,
                ..l
            });
        }
        if l.end > end {
            keep.push(Lock {
                start: end + 1,
                ..l
            });
        }
    }
    if let Some(write) = kind {
        keep.push(Lock {
            owner,
            pid,
            start,
            end,
            write,
        });
    }
    keep.sort_by_key(|l| l.start);
    *locks = keep;
}

/// Would `waiter` waiting for `holder` close a cycle of owners waiting on each other
/// (Linux `posix_locks_deadlock`, which follows at most `MAX_DEADLK_ITERATIONS` = 10
/// links)? `blocked` lists (waiting owner, owner it waits for).
pub fn would_deadlock(blocked: &[(Owner, Owner)], waiter: Owner, holder: Owner) -> bool {
    let mut cur = holder;
    for _ in 0..10 {
        if cur == waiter {
            return true;
        }
        match blocked.iter().find(|(w, _)| *w == cur) {
            Some(&(_, next)) => cur = next,
            None => return false,
        }
    }
    false
}

#[cfg(target_os = "none")]
pub use kernel_side::*;

#[cfg(target_os = "none")]
mod kernel_side {
    use super::*;
    use crate::fs::ramfs::Ino;
    use crate::task::wait_queue::WaitQueue;
    use alloc::collections::BTreeMap;
    use spin::Mutex;

    struct Table {
        /// Inode -> its locks, sorted by start.
        by_ino: BTreeMap<Ino, Vec<Lock>>,
        /// Owners sleeping in F_SETLKW, and the owner each waits for.
        blocked: Vec<(Owner, Owner)>,
    }

    static LOCKS: Mutex<Table> = Mutex::new(Table {
        by_ino: BTreeMap::new(),
        blocked: Vec::new(),
    });
    /// F_SETLKW sleepers; woken whenever locks are released.
    static WAITERS: WaitQueue = WaitQueue::new();

    /// F_GETLK: the first lock that would stop this one, if any.
    pub fn getlk(ino: Ino, owner: Owner, start: u64, end: u64, write: bool) -> Option<Lock> {
        let t = LOCKS.lock();
        find_conflict(t.by_ino.get(&ino)?, owner, start, end, write)
    }

    /// F_SETLK / F_SETLKW (Linux `posix_lock_file` + `locks_lock_inode_wait`): `kind`
    /// None unlocks. Without `wait` a conflict is EAGAIN; with it the caller sleeps
    /// (interruptibly: ERESTARTSYS) until the conflict is gone, or gets EDEADLK if
    /// sleeping would deadlock two POSIX owners.
    pub fn setlk(
        ino: Ino,
        owner: Owner,
        pid: i32,
        start: u64,
        end: u64,
        kind: Option<bool>,
        wait: bool,
    ) -> KResult<()> {
        let mut result = Ok(());
        let ok = WAITERS.wait_until(|| {
            let mut t = LOCKS.lock();
            t.blocked.retain(|(w, _)| *w != owner);
            let list = t.by_ino.entry(ino).or_default();
            if let Some(write) = kind {
                if let Some(c) = find_conflict(list, owner, start, end, write) {
                    if !wait {
                        result = Err(Errno::EAGAIN);
                        return true;
                    }
                    if matches!(owner, Owner::Posix(_))
                        && matches!(c.owner, Owner::Posix(_))
                        && would_deadlock(&t.blocked, owner, c.owner)
                    {
                        result = Err(Errno::EDEADLK);
                        return true;
                    }
                    t.blocked.push((owner, c.owner));
                    return false;
                }
            }
            apply(list, owner, pid, start, end, kind);
            if list.is_empty() {
                t.by_ino.remove(&ino);
            }
            true
        });
        LOCKS.lock().blocked.retain(|(w, _)| *w != owner);
        if !ok {
            return Err(Errno::ERESTARTSYS);
        }
        if result.is_ok() {
            WAITERS.wake_all(); // an unlock, a split or a downgrade may free someone
        }
        result
    }

    /// Drop every lock `owner` holds on `ino` (close of a descriptor: Linux
    /// `locks_remove_posix`; the last close of an open file: `locks_remove_file`).
    pub fn remove_owner(ino: Ino, owner: Owner) {
        let mut t = LOCKS.lock();
        let Some(list) = t.by_ino.get_mut(&ino) else {
            return;
        };
        let before = list.len();
        list.retain(|l| l.owner != owner);
        let changed = list.len() != before;
        if list.is_empty() {
            t.by_ino.remove(&ino);
        }
        drop(t);
        if changed {
            WAITERS.wake_all();
        }
    }

    /// Give `from`'s locks to `to` (exec's private copy of the descriptor table).
    pub fn change_owner(from: Owner, to: Owner) {
        for list in LOCKS.lock().by_ino.values_mut() {
            for l in list.iter_mut().filter(|l| l.owner == from) {
                l.owner = to;
            }
        }
    }

    /// Drop every lock of a descriptor table that is going away (exit).
    pub fn remove_posix_all(owner: Owner) {
        let mut t = LOCKS.lock();
        let mut changed = false;
        t.by_ino.retain(|_, list| {
            let before = list.len();
            list.retain(|l| l.owner != owner);
            changed |= list.len() != before;
            !list.is_empty()
        });
        drop(t);
        if changed {
            WAITERS.wake_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Owner = Owner::Posix(1);
    const B: Owner = Owner::Posix(2);

    fn ranges(locks: &[Lock]) -> Vec<(u64, u64, bool)> {
        locks.iter().map(|l| (l.start, l.end, l.write)).collect()
    }

    #[test]
    fn flock_ranges() {
        assert_eq!(flock_range(0, 10, 5, 0, 0), Ok((10, 14)));
        assert_eq!(flock_range(0, 10, 0, 0, 0), Ok((10, OFFSET_MAX)));
        assert_eq!(flock_range(0, 10, -5, 0, 0), Ok((5, 9)));
        assert_eq!(flock_range(0, 3, -5, 0, 0), Err(Errno::EINVAL));
        assert_eq!(flock_range(1, 2, 1, 100, 0), Ok((102, 102)));
        assert_eq!(flock_range(2, -1, 1, 0, 50), Ok((49, 49)));
        assert_eq!(flock_range(2, -51, 1, 0, 50), Err(Errno::EINVAL));
        assert_eq!(flock_range(3, 0, 1, 0, 0), Err(Errno::EINVAL));
        assert_eq!(flock_range(0, i64::MAX, 2, 0, 0), Err(Errno::EOVERFLOW));
    }

    #[test]
    fn split_merge_unlock() {
        let mut l = Vec::new();
        apply(&mut l, A, 1, 0, 99, Some(false));
        apply(&mut l, A, 1, 40, 59, Some(true)); // a write lock in the middle splits it
        assert_eq!(
            ranges(&l),
            [(0, 39, false), (40, 59, true), (60, 99, false)]
        );
        apply(&mut l, A, 1, 40, 59, Some(false)); // back to read: all merge again
        assert_eq!(ranges(&l), [(0, 99, false)]);
        apply(&mut l, A, 1, 100, 109, Some(false)); // adjacent: merges
        assert_eq!(ranges(&l), [(0, 109, false)]);
        apply(&mut l, A, 1, 10, 19, None); // unlock a hole
        assert_eq!(ranges(&l), [(0, 9, false), (20, 109, false)]);
        apply(&mut l, B, 2, 200, OFFSET_MAX, Some(true)); // another owner: separate
        apply(&mut l, A, 1, 0, OFFSET_MAX, None);
        assert_eq!(ranges(&l), [(200, OFFSET_MAX, true)]);
    }

    #[test]
    fn conflicts_and_deadlock() {
        let mut l = Vec::new();
        apply(&mut l, A, 1, 0, 9, Some(false));
        assert_eq!(find_conflict(&l, B, 5, 5, false), None); // readers share
        assert_eq!(find_conflict(&l, B, 5, 5, true).map(|c| c.pid), Some(1));
        assert_eq!(find_conflict(&l, B, 10, 20, true), None);
        assert_eq!(find_conflict(&l, A, 0, 9, true), None); // never with yourself
        assert!(would_deadlock(&[(B, A)], A, B));
        assert!(!would_deadlock(&[(B, Owner::Posix(3))], A, B));
        assert!(would_deadlock(
            &[(B, Owner::Posix(3)), (Owner::Posix(3), A)],
            A,
            B
        ));
    }
}
