//! System V semaphores: semget (190), semctl (191), semtimedop (192), semop (193)
//! (Linux `ipc/sem.c`: `ksys_semget`, `newary`, `ksys_semctl`, `semctl_main`,
//! `semctl_setval`, `do_semtimedop`, `perform_atomic_semop_slow`, `find_alloc_undo`,
//! `exit_sem`, `count_semcnt`).
//!
//! A set holds `nsems` counters, each 0..=SEMVMX. semop applies a list of operations
//! all at once or not at all: `op > 0` adds, `op < 0` subtracts if the result stays
//! non-negative, `op == 0` waits for zero. If any would block, the caller sleeps (or
//! gets EAGAIN with IPC_NOWAIT on that operation) and tries the whole list again after
//! every change. With SEM_UNDO the process keeps an adjustment per semaphore that
//! cancels its operations; `exit_sem` applies it when the process exits.
//!
//! Simplified: every change wakes all sleepers of the set (Linux's `update_queue` wakes
//! just the ones that can now proceed); IPC_INFO/SEM_INFO/SEM_STAT are left out; an
//! undo list belongs to the process (its tgid), so CLONE_SYSVSEM between processes
//! does not share one.

use crate::errno::Errno;
use alloc::vec::Vec;

/// Largest semaphore value (Linux `SEMVMX`).
pub const SEMVMX: i32 = 32767;
/// Adjust-on-exit bound (Linux `SEMAEM`).
pub const SEMAEM: i32 = SEMVMX;
/// Most semaphores in a set (Linux `SEMMSL`).
pub const SEMMSL: usize = 32000;
/// Most operations in one semop (Linux `SEMOPM`).
pub const SEMOPM: usize = 500;
/// Most sets (Linux `SEMMNI`).
pub const SEMMNI: usize = 32000;
/// Most semaphores in all sets together (Linux `SEMMNS`, `sc_semmns`; Linux's default
/// is SEMMNI * SEMMSL, Linnet's the classic 32000, so sets fit in the kernel heap).
pub const SEMMNS: usize = 32000;
pub use uapi::ipc::{GETALL, GETNCNT, GETPID, GETVAL, GETZCNT, SEM_UNDO, SETALL, SETVAL};

/// One operation (Linux `struct sembuf`: u16 num, i16 op, i16 flg).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sembuf {
    /// Which semaphore.
    pub num: u16,
    /// What to do.
    pub op: i16,
    /// IPC_NOWAIT, SEM_UNDO.
    pub flg: i16,
}

impl Sembuf {
    /// From the 6 bytes user space passes.
    pub fn from_bytes(b: &[u8]) -> Sembuf {
        Sembuf {
            num: u16::from_le_bytes([b[0], b[1]]),
            op: i16::from_le_bytes([b[2], b[3]]),
            flg: i16::from_le_bytes([b[4], b[5]]),
        }
    }
}

/// What a try of a semop list came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemopOutcome {
    /// Applied.
    Done,
    /// Would block at operation `i` (Linux's `q->blocking`).
    Block(usize),
}

/// One set (Linux `struct sem_array`).
#[derive(Default)]
pub struct SemArray {
    /// The values.
    pub vals: Vec<i32>,
    /// Who last changed each (`sempid`).
    pub pids: Vec<i32>,
    /// Last semop, last change (seconds).
    pub otime: i64,
    /// Last change by semctl.
    pub ctime: i64,
    /// Tasks sleeping in semop, with the operations they wait to do.
    pub pending: Vec<(i32, Vec<Sembuf>)>,
}

impl SemArray {
    /// A set of `n` zeros (Linux `newary`).
    pub fn new(n: usize, now: i64) -> SemArray {
        SemArray {
            vals: alloc::vec![0; n],
            pids: alloc::vec![0; n],
            ctime: now,
            ..Default::default()
        }
    }

    /// Try `sops` all at once (Linux `perform_atomic_semop_slow`): on success the
    /// values (and `adj`, the caller's undo adjustments, when an op has SEM_UNDO) are
    /// updated. ERANGE past SEMVMX or the undo range, EAGAIN where a blocking op has
    /// IPC_NOWAIT; nothing changes unless it is `Done`.
    pub fn try_semop(
        &mut self,
        sops: &[Sembuf],
        adj: Option<&mut Vec<i32>>,
        pid: i32,
    ) -> Result<SemopOutcome, Errno> {
        let mut vals = self.vals.clone();
        let mut new_adj = adj.as_ref().map(|a| (*a).clone());
        for (i, sop) in sops.iter().enumerate() {
            let n = sop.num as usize;
            let cur = *vals.get(n).ok_or(Errno::EFBIG)?;
            let op = sop.op as i32;
            let result = cur + op;
            if (op == 0 && cur != 0) || result < 0 {
                if sop.flg as u32 & super::util::IPC_NOWAIT != 0 {
                    return Err(Errno::EAGAIN);
                }
                return Ok(SemopOutcome::Block(i));
            }
            if result > SEMVMX {
                return Err(Errno::ERANGE);
            }
            if sop.flg & SEM_UNDO != 0 {
                if let Some(a) = new_adj.as_mut() {
                    let undo = a[n] - op;
                    if !(-SEMAEM - 1..=SEMAEM).contains(&undo) {
                        return Err(Errno::ERANGE);
                    }
                    a[n] = undo;
                }
            }
            vals[n] = result;
        }
        self.vals = vals;
        for sop in sops {
            self.pids[sop.num as usize] = pid;
        }
        if let (Some(a), Some(n)) = (adj, new_adj) {
            *a = n;
        }
        Ok(SemopOutcome::Done)
    }

    /// GETNCNT / GETZCNT (Linux `count_semcnt`): sleepers whose blocking operation is
    /// on `num` and waits for an increase (`zero` false) or for zero.
    pub fn count_waiting(&self, num: usize, zero: bool) -> usize {
        self.pending
            .iter()
            .filter(|(_, sops)| {
                let mut copy = SemArray {
                    vals: self.vals.clone(),
                    pids: self.pids.clone(),
                    ..Default::default()
                };
                match copy.try_semop(sops, None, 0) {
                    Ok(SemopOutcome::Block(i)) => {
                        sops[i].num as usize == num && (sops[i].op == 0) == zero
                    }
                    _ => false,
                }
            })
            .count()
    }

    /// `struct semid64_ds` (asm-generic `sembuf.h`, 88 bytes) after the perm.
    pub fn to_semid64(&self, perm: &[u8; 48]) -> [u8; 88] {
        let mut b = [0u8; 88];
        b[..48].copy_from_slice(perm);
        b[48..56].copy_from_slice(&self.otime.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctime.to_le_bytes());
        b[64..72].copy_from_slice(&(self.vals.len() as u64).to_le_bytes());
        b
    }
}

/// Apply an exiting process's undo adjustments (Linux `exit_sem`): each value moves by
/// its adjustment, clamped into 0..=SEMVMX.
pub fn apply_undo(vals: &mut [i32], adj: &[i32]) {
    for (v, a) in vals.iter_mut().zip(adj) {
        *v = (*v + *a).clamp(0, SEMVMX);
    }
}

#[cfg(target_os = "none")]
pub use syscalls::*;

#[cfg(target_os = "none")]
mod syscalls {
    use super::*;
    use crate::arch::TrapFrame;
    use crate::errno::KResult;
    use crate::ipc::util::*;
    use crate::ipc::{ipc_sleep, now, wake_all};
    use crate::mm::uaccess;
    use crate::syscall::arg;
    use crate::task::pid::Pid;
    use crate::task::sched::current;
    use crate::task::signal::signal_pending_current;
    use spin::Mutex;

    /// Every semaphore set (Linux `sem_ids(ns)`).
    static SEM_IDS: Mutex<IpcIds<SemArray>> = Mutex::new(IpcIds::new());

    /// One process's adjustments for one set (Linux `struct sem_undo`).
    struct SemUndo {
        tgid: Pid,
        semid: i32,
        adj: Vec<i32>,
    }

    /// Every undo record (Linux hangs them off each process's `sem_undo_list` and each
    /// set's `list_id`). Lock order: SEM_IDS before UNDO.
    static UNDO: Mutex<Vec<SemUndo>> = Mutex::new(Vec::new());

    /// Wake every sleeper of a set.
    fn wake(sma: &mut SemArray) {
        let mut pids: Vec<Pid> = sma.pending.iter().map(|(p, _)| *p).collect();
        wake_all(&mut pids);
    }

    /// semget(key, nsems, semflg) (Linux `ksys_semget`): EINVAL for nsems outside
    /// 0..=SEMMSL, or 0 when creating, or more than an existing set has.
    pub fn sys_semget(f: &mut TrapFrame) -> KResult<usize> {
        let (key, nsems, flg) = (arg(f, 0) as i32, arg(f, 1) as i32, arg(f, 2) as u32);
        if nsems < 0 || nsems as usize > SEMMSL {
            return Err(Errno::EINVAL);
        }
        let n = nsems as usize;
        let mut ids = SEM_IDS.lock();
        let used: usize = ids.iter_mut().map(|(_, s)| s.vals.len()).sum();
        let id = ids.ipcget(
            key,
            flg,
            SEMMNI,
            || {
                if n == 0 {
                    return Err(Errno::EINVAL);
                }
                if used + n > SEMMNS {
                    return Err(Errno::ENOSPC); // Linux `newary`
                }
                Ok(SemArray::new(n, now()))
            },
            |s| {
                if n > s.vals.len() {
                    Err(Errno::EINVAL)
                } else {
                    Ok(())
                }
            },
        )?;
        Ok(id as usize)
    }

    /// The undo adjustments all processes hold for `semid`, semaphore `num` (all if
    /// None), are reset (SETVAL and SETALL do this in Linux).
    fn clear_undo(semid: i32, num: Option<usize>) {
        for u in UNDO.lock().iter_mut().filter(|u| u.semid == semid) {
            match num {
                Some(n) => u.adj[n] = 0,
                None => u.adj.iter_mut().for_each(|a| *a = 0),
            }
        }
    }

    /// semctl(semid, semnum, cmd, arg) (Linux `ksys_semctl`): IPC_STAT, IPC_SET,
    /// IPC_RMID, GETVAL, SETVAL, GETALL, SETALL, GETPID, GETNCNT, GETZCNT.
    pub fn sys_semctl(f: &mut TrapFrame) -> KResult<usize> {
        let (id, num, cmd, a) = (
            arg(f, 0) as i32,
            arg(f, 1) as i32,
            arg(f, 2) as i32,
            arg(f, 3) as usize,
        );
        if id < 0 {
            return Err(Errno::EINVAL);
        }
        let check_num = |s: &SemArray| -> KResult<usize> {
            if num < 0 || num as usize >= s.vals.len() {
                Err(Errno::EINVAL)
            } else {
                Ok(num as usize)
            }
        };
        match cmd {
            IPC_STAT => {
                let b = {
                    let ids = SEM_IDS.lock();
                    let (perm, s) = ids.get(id)?;
                    s.to_semid64(&perm.to_ipc64())
                };
                uaccess::copy_to_user(a, &b)?;
                Ok(0)
            }
            IPC_SET => {
                let mut b = [0u8; 48];
                uaccess::copy_from_user(&mut b, a)?;
                let mut ids = SEM_IDS.lock();
                let (perm, s) = ids.get_mut(id)?;
                perm.set_from(&b);
                s.ctime = now();
                Ok(0)
            }
            IPC_RMID => {
                let mut s = SEM_IDS.lock().remove(id).ok_or(Errno::EINVAL)?;
                let mut undos = UNDO.lock();
                undos.retain(|u| u.semid != id);
                if let Some(c) = crate::mm::shrink::shrink_target(undos.len(), undos.capacity()) {
                    undos.shrink_to(c);
                }
                wake(&mut s); // they find the id gone: EIDRM
                Ok(0)
            }
            GETVAL | GETPID | GETNCNT | GETZCNT => {
                let ids = SEM_IDS.lock();
                let (_, s) = ids.get(id)?;
                let n = check_num(s)?;
                Ok(match cmd {
                    GETVAL => s.vals[n] as usize,
                    GETPID => s.pids[n] as usize,
                    GETNCNT => s.count_waiting(n, false),
                    _ => s.count_waiting(n, true),
                })
            }
            SETVAL => {
                let val = a as i32; // the union's int
                if !(0..=SEMVMX).contains(&val) {
                    return Err(Errno::ERANGE);
                }
                let mut ids = SEM_IDS.lock();
                let (_, s) = ids.get_mut(id)?;
                let n = check_num(s)?;
                s.vals[n] = val;
                s.pids[n] = current().tgid();
                s.ctime = now();
                clear_undo(id, Some(n));
                wake(s);
                Ok(0)
            }
            GETALL => {
                let vals: Vec<u8> = {
                    let ids = SEM_IDS.lock();
                    let (_, s) = ids.get(id)?;
                    s.vals
                        .iter()
                        .flat_map(|v| (*v as u16).to_le_bytes())
                        .collect()
                };
                uaccess::copy_to_user(a, &vals)?;
                Ok(0)
            }
            SETALL => {
                let n = SEM_IDS.lock().get(id)?.1.vals.len();
                let mut b = alloc::vec![0u8; 2 * n];
                uaccess::copy_from_user(&mut b, a)?;
                let vals: Vec<i32> = b
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]) as i32)
                    .collect();
                if vals.iter().any(|&v| v > SEMVMX) {
                    return Err(Errno::ERANGE);
                }
                let mut ids = SEM_IDS.lock();
                let (_, s) = ids.get_mut(id).map_err(|_| Errno::EIDRM)?;
                s.vals = vals;
                let me = current().tgid();
                s.pids.iter_mut().for_each(|p| *p = me);
                s.ctime = now();
                clear_undo(id, None);
                wake(s);
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// semop(semid, sops, nsops): semtimedop without a timeout (Linux `ksys_semtimedop`
    /// with a NULL timeout).
    pub fn sys_semop(f: &mut TrapFrame) -> KResult<usize> {
        do_semtimedop(arg(f, 0) as i32, arg(f, 1) as usize, arg(f, 2), 0)
    }

    /// semtimedop(semid, sops, nsops, timeout) (Linux `ksys_semtimedop`).
    pub fn sys_semtimedop(f: &mut TrapFrame) -> KResult<usize> {
        do_semtimedop(
            arg(f, 0) as i32,
            arg(f, 1) as usize,
            arg(f, 2),
            arg(f, 3) as usize,
        )
    }

    /// Linux `do_semtimedop`: EINVAL for no operations or a bad id, E2BIG above
    /// SEMOPM, EFAULT for the list, EINVAL for a bad timeout, EFBIG for a semaphore
    /// number past the set. Sleeps until the whole list can be done: EAGAIN when the
    /// timeout passes, EINTR on a signal, EIDRM if the set is removed.
    fn do_semtimedop(id: i32, sops_addr: usize, nsops: u64, timeout: usize) -> KResult<usize> {
        let deadline = if timeout != 0 {
            let ts: [i64; 2] = uaccess::get_user(timeout)?;
            Some(ts)
        } else {
            None
        };
        if nsops < 1 || id < 0 {
            return Err(Errno::EINVAL);
        }
        if nsops as usize > SEMOPM {
            return Err(Errno::E2BIG);
        }
        let mut raw = alloc::vec![0u8; 6 * nsops as usize];
        uaccess::copy_from_user(&mut raw, sops_addr)?;
        let sops: Vec<Sembuf> = raw.chunks(6).map(Sembuf::from_bytes).collect();
        let deadline = match deadline {
            Some([s, ns]) if s < 0 || !(0..1_000_000_000).contains(&ns) => {
                return Err(Errno::EINVAL)
            }
            Some([s, ns]) => Some(
                crate::drivers::timer::uptime_ns()
                    .saturating_add((s as u64).saturating_mul(1_000_000_000))
                    .saturating_add(ns as u64),
            ),
            None => None,
        };
        let undo = sops.iter().any(|s| s.flg & SEM_UNDO != 0);
        let max = sops.iter().map(|s| s.num as usize).max().unwrap_or(0);
        let me = current();
        let (pid, tgid) = (me.pid(), me.tgid());
        drop(me);
        let mut slept = false;
        loop {
            {
                let mut ids = SEM_IDS.lock();
                let (_, s) = match ids.get_mut(id) {
                    Ok(x) => x,
                    Err(_) if slept => return Err(Errno::EIDRM),
                    Err(e) => return Err(e),
                };
                s.pending.retain(|(p, _)| *p != pid);
                if max >= s.vals.len() {
                    return Err(Errno::EFBIG);
                }
                let nsems = s.vals.len();
                let mut undos = UNDO.lock();
                let adj = if undo {
                    let i = match undos.iter().position(|u| u.tgid == tgid && u.semid == id) {
                        Some(i) => i,
                        None => {
                            undos.push(SemUndo {
                                tgid,
                                semid: id,
                                adj: alloc::vec![0; nsems],
                            });
                            undos.len() - 1
                        }
                    };
                    Some(&mut undos[i].adj)
                } else {
                    None
                };
                match s.try_semop(&sops, adj, tgid)? {
                    SemopOutcome::Done => {
                        s.otime = now();
                        wake(s);
                        return Ok(0);
                    }
                    SemopOutcome::Block(_) => {}
                }
                if deadline.is_some_and(|d| crate::drivers::timer::uptime_ns() >= d) {
                    return Err(Errno::EAGAIN);
                }
                if signal_pending_current() {
                    return Err(Errno::EINTR);
                }
                s.pending.push((pid, sops.clone()));
            }
            ipc_sleep(deadline);
            slept = true;
        }
    }

    /// A process is gone: apply and drop its undo records (Linux `exit_sem`), waking
    /// the sleepers of each set it changed.
    pub fn exit_sem(tgid: Pid) {
        let mine: Vec<SemUndo> = {
            let mut undos = UNDO.lock();
            let (mine, rest) = core::mem::take(&mut *undos)
                .into_iter()
                .partition(|u| u.tgid == tgid);
            *undos = rest;
            mine
        };
        let mut ids = SEM_IDS.lock();
        for u in mine {
            if let Ok((_, s)) = ids.get_mut(u.semid) {
                apply_undo(&mut s.vals, &u.adj);
                for (p, a) in s.pids.iter_mut().zip(&u.adj) {
                    if *a != 0 {
                        *p = tgid;
                    }
                }
                s.otime = now();
                wake(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(num: u16, op: i16, flg: i16) -> Sembuf {
        Sembuf { num, op, flg }
    }

    #[test]
    fn all_or_nothing() {
        let mut s = SemArray::new(2, 0);
        assert_eq!(s.try_semop(&[op(0, 2, 0)], None, 7), Ok(SemopOutcome::Done));
        assert_eq!(s.vals, [2, 0]);
        assert_eq!(s.pids, [7, 0]);
        // The second op blocks: the first is not applied either.
        assert_eq!(
            s.try_semop(&[op(0, -1, 0), op(1, -1, 0)], None, 8),
            Ok(SemopOutcome::Block(1))
        );
        assert_eq!(s.vals, [2, 0]);
        assert_eq!(
            s.try_semop(&[op(1, -1, 0o4000)], None, 8),
            Err(Errno::EAGAIN)
        );
        // Wait-for-zero.
        assert_eq!(
            s.try_semop(&[op(0, 0, 0)], None, 8),
            Ok(SemopOutcome::Block(0))
        );
        assert_eq!(s.try_semop(&[op(1, 0, 0)], None, 8), Ok(SemopOutcome::Done));
        // Several ops on one semaphore accumulate, in order.
        assert_eq!(
            s.try_semop(&[op(0, -2, 0), op(0, 1, 0)], None, 9),
            Ok(SemopOutcome::Done)
        );
        assert_eq!(s.vals[0], 1);
        assert_eq!(
            s.try_semop(&[op(0, -2, 0), op(0, 5, 0)], None, 9),
            Ok(SemopOutcome::Block(0))
        );
        assert_eq!(
            s.try_semop(&[op(0, i16::MAX, 0)], None, 9),
            Err(Errno::ERANGE)
        );
        assert_eq!(s.try_semop(&[op(5, 1, 0)], None, 9), Err(Errno::EFBIG));
    }

    #[test]
    fn undo_adjustments() {
        let mut s = SemArray::new(1, 0);
        let mut adj = alloc::vec![0];
        assert_eq!(
            s.try_semop(&[op(0, 3, SEM_UNDO)], Some(&mut adj), 1),
            Ok(SemopOutcome::Done)
        );
        assert_eq!(adj, [-3]);
        assert_eq!(
            s.try_semop(&[op(0, -1, SEM_UNDO)], Some(&mut adj), 1),
            Ok(SemopOutcome::Done)
        );
        assert_eq!(adj, [-2]);
        // A blocked try leaves the adjustments alone.
        assert_eq!(
            s.try_semop(&[op(0, -5, SEM_UNDO)], Some(&mut adj), 1),
            Ok(SemopOutcome::Block(0))
        );
        assert_eq!(adj, [-2]);
        apply_undo(&mut s.vals, &adj);
        assert_eq!(s.vals, [0]);
        let mut v = [1];
        apply_undo(&mut v, &[-5]);
        assert_eq!(v, [0]); // clamped at 0, as Linux does
        let mut v = [SEMVMX];
        apply_undo(&mut v, &[5]);
        assert_eq!(v, [SEMVMX]);
    }

    #[test]
    fn counting_sleepers() {
        let mut s = SemArray::new(2, 0);
        s.pending.push((1, alloc::vec![op(0, -1, 0)]));
        s.pending.push((2, alloc::vec![op(1, 0, 0)]));
        s.vals[1] = 1;
        s.pending.push((3, alloc::vec![op(1, 1, 0), op(0, -1, 0)]));
        assert_eq!(s.count_waiting(0, false), 2);
        assert_eq!(s.count_waiting(1, true), 1);
        assert_eq!(s.count_waiting(1, false), 0);
        let b = s.to_semid64(&[0; 48]);
        assert_eq!(&b[64..72], &2u64.to_le_bytes());
        let sb = Sembuf::from_bytes(&[1, 0, 0xff, 0xff, 0x00, 0x10]);
        assert_eq!(sb, op(1, -1, SEM_UNDO));
    }
}
