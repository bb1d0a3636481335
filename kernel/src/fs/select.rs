//! Waiting for any of several files (Linux `fs/select.c`: `poll_wait`,
//! `poll_schedule_timeout`, `do_poll`, `do_select`).
//!
//! Each open file answers "what could you do now?" with an event mask (`vfs::poll`,
//! Linux `vfs_poll` -> `file_operations.poll`). On the first pass the file also names
//! the wait queues its state changes are announced on (`PollTable::poll_wait`); if no
//! file is ready, the task sleeps on all of those queues at once, with the deadline
//! (`schedule_timeout_on`), and then asks every file again.
//!
//! Simplified: descriptors are looked up once, at the start (Linux looks them up on
//! every pass, so a descriptor closed meanwhile turns into POLLNVAL).

use super::file::File;
use super::poll::{pollfd_revents, select_bits};
use crate::errno::{Errno, KResult};
use crate::task::wait_queue::{schedule_timeout_on, WaitError, WaitQueue};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// The queues a poll will sleep on (Linux `poll_table` / `struct poll_wqueues`).
#[derive(Default)]
pub struct PollTable<'a> {
    queues: Vec<&'a WaitQueue>,
}

impl<'a> PollTable<'a> {
    /// A file's poll method names a queue it wakes on a change (Linux `poll_wait`).
    pub fn poll_wait(&mut self, q: &'a WaitQueue) {
        if !self.queues.iter().any(|x| core::ptr::eq(*x, q)) {
            self.queues.push(q);
        }
    }
}

/// Ask `file` for its mask, letting it register in `pt` when given (Linux `vfs_poll`).
fn file_poll<'a>(file: &'a File, pt: &mut Option<PollTable<'a>>) -> u32 {
    super::vfs::poll(file, pt.as_mut())
}

/// The open file of each descriptor (None: not open), for a poll or select; ENOMEM
/// if the kernel heap cannot hold the list.
fn lookup_fds(fds: impl ExactSizeIterator<Item = i32>) -> KResult<Vec<Option<Arc<File>>>> {
    let mut files = Vec::new();
    files
        .try_reserve_exact(fds.len())
        .map_err(|_| Errno::ENOMEM)?;
    files.extend(fds.map(|fd| {
        if fd < 0 {
            None
        } else {
            super::vfs::fget(fd).ok()
        }
    }));
    Ok(files)
}

/// The shared loop of poll and select (Linux `do_poll` / `do_select`): `scan` asks
/// every file and returns how many are ready; stop when some are, when the deadline has
/// passed (after one last scan), or with ERESTARTNOHAND when a signal is pending.
/// `deadline_ns` None: no timeout; Some(0)-like past deadlines poll once.
fn poll_loop<'a>(
    deadline_ns: Option<u64>,
    mut scan: impl FnMut(&mut Option<PollTable<'a>>) -> usize,
) -> KResult<usize> {
    let mut pt = Some(PollTable::default());
    let mut timed_out = deadline_ns.is_some_and(|d| crate::time::ktime_get_ns() >= d);
    if timed_out {
        pt = None; // nothing will sleep: no need to collect queues
    }
    let mut queues: Vec<&'a WaitQueue> = Vec::new();
    loop {
        let count = scan(&mut pt);
        if let Some(t) = pt.take() {
            queues = t.queues; // only the first pass registers (Linux clears _qproc)
        }
        if count > 0 {
            return Ok(count);
        }
        if crate::task::signal::signal_pending_current() {
            return Err(Errno::ERESTARTNOHAND);
        }
        if timed_out {
            return Ok(0);
        }
        match schedule_timeout_on(&queues, deadline_ns) {
            Ok(()) => {}
            Err(WaitError::TimedOut) => timed_out = true,
            Err(WaitError::Interrupted) => {} // the next pass returns ERESTARTNOHAND
        }
    }
}

/// poll's work on `fds` (fd, events), filling each `revents` (Linux `do_sys_poll`);
/// returns how many have a non-zero `revents`.
pub fn do_poll(fds: &mut [(i32, u16, u16)], deadline_ns: Option<u64>) -> KResult<usize> {
    let files = lookup_fds(fds.iter().map(|p| p.0))?;
    let mut revents: Vec<u16> = Vec::new();
    revents
        .try_reserve_exact(fds.len())
        .map_err(|_| Errno::ENOMEM)?;
    revents.resize(fds.len(), 0);
    let n = poll_loop(deadline_ns, |pt| {
        let mut count = 0;
        for (i, (fd, events, _)) in fds.iter().enumerate() {
            let mask = files[i].as_deref().map(|f| file_poll(f, pt));
            revents[i] = pollfd_revents(*fd, *events, mask);
            count += (revents[i] != 0) as usize;
        }
        count
    })?;
    for (p, r) in fds.iter_mut().zip(revents) {
        p.2 = r;
    }
    Ok(n)
}

/// select's work on `n` descriptors and three bitmaps (read, write, except: u64 words,
/// bit `fd % 64` of word `fd / 64`), replaced by the ready ones (Linux `do_select`).
/// EBADF if a bit names a descriptor that is not open (Linux `max_select_fd`).
pub fn do_select(n: usize, sets: &mut [Vec<u64>; 3], deadline_ns: Option<u64>) -> KResult<usize> {
    let want = |fd: usize| -> [bool; 3] {
        core::array::from_fn(|k| {
            sets[k]
                .get(fd / 64)
                .is_some_and(|w| w >> (fd % 64) & 1 != 0)
        })
    };
    let wanted: Vec<[bool; 3]> = (0..n).map(want).collect();
    let files = lookup_fds((0..n).map(|fd| {
        if wanted[fd] == [false; 3] {
            -1
        } else {
            fd as i32
        }
    }))?;
    if (0..n).any(|fd| wanted[fd] != [false; 3] && files[fd].is_none()) {
        return Err(Errno::EBADF);
    }
    let mut res: [Vec<u64>; 3] = core::array::from_fn(|k| alloc::vec![0u64; sets[k].len()]);
    let count = poll_loop(deadline_ns, |pt| {
        let mut count = 0;
        for r in res.iter_mut() {
            r.iter_mut().for_each(|w| *w = 0);
        }
        for fd in 0..n {
            let Some(f) = files[fd].as_deref() else {
                continue;
            };
            let bits = select_bits(file_poll(f, pt), wanted[fd]);
            for k in 0..3 {
                if bits[k] {
                    res[k][fd / 64] |= 1 << (fd % 64);
                    count += 1;
                }
            }
        }
        count
    })?;
    *sets = res;
    Ok(count)
}
