//! System V message queues: msgget (186), msgctl (187), msgrcv (188), msgsnd (189)
//! (Linux `ipc/msg.c`: `ksys_msgget`, `newque`, `ksys_msgctl`, `do_msgsnd`,
//! `do_msgrcv`, `find_msg`, `testmsg`).
//!
//! A queue holds messages, each a type (a positive long) and up to MSGMAX bytes, in the
//! order sent; `msg_qbytes` bounds the bytes queued. msgrcv picks by type: 0 the first
//! message, `t > 0` the first of type `t` (with MSG_EXCEPT the first not of type `t`),
//! `t < 0` the first of the lowest type not above `-t`. A sender sleeps while the queue
//! is full and a receiver while nothing matches, unless IPC_NOWAIT; removing the queue
//! wakes both with EIDRM.
//!
//! Simplified: no direct hand-over to a sleeping receiver (`pipelined_send`): every
//! change wakes all sleepers of the queue and each looks again; MSG_COPY is ENOSYS as
//! in a Linux without CONFIG_CHECKPOINT_RESTORE; IPC_INFO/MSG_INFO/MSG_STAT are left out.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Largest message (Linux `MSGMAX`).
pub const MSGMAX: usize = 8192;
/// Default bytes a queue may hold (Linux `MSGMNB`).
pub const MSGMNB: usize = 16384;
/// Most queues (Linux `MSGMNI`).
pub const MSGMNI: usize = 32000;
/// Bytes of message text all queues together may hold in Linnet: messages live in the
/// kernel heap, which is small; past this msgsnd fails with ENOMEM, as Linux's does
/// when it cannot allocate the message (`load_msg`).
pub const MSG_HEAP_BUDGET: usize = 4 << 20;
pub use uapi::ipc::{MSG_COPY, MSG_EXCEPT, MSG_NOERROR};

/// One queue (Linux `struct msg_queue`).
#[derive(Default)]
pub struct MsgQueue {
    /// (type, text), oldest first.
    pub messages: VecDeque<(i64, Vec<u8>)>,
    /// Bytes of text queued (`q_cbytes`).
    pub cbytes: usize,
    /// Bytes the queue may hold (`q_qbytes`).
    pub qbytes: usize,
    /// Times of the last msgsnd, msgrcv, change (`q_stime`, `q_rtime`, `q_ctime`).
    pub stime: i64,
    /// Last msgrcv.
    pub rtime: i64,
    /// Last change.
    pub ctime: i64,
    /// Pids of the last sender and receiver.
    pub lspid: i32,
    /// Last receiver.
    pub lrpid: i32,
    /// Tasks sleeping in msgsnd or msgrcv.
    pub waiters: Vec<i32>,
}

impl MsgQueue {
    /// A new queue (Linux `newque`).
    pub fn new(now: i64) -> MsgQueue {
        MsgQueue {
            qbytes: MSGMNB,
            ctime: now,
            ..Default::default()
        }
    }

    /// Is there room for `len` more bytes (Linux `msg_fits_inqueue`)?
    pub fn fits(&self, len: usize) -> bool {
        self.cbytes + len <= self.qbytes && self.messages.len() < self.qbytes
    }

    /// The index of the message msgrcv(`msgtyp`, `flg`) takes (Linux `find_msg` with
    /// `convert_mode` and `testmsg`).
    pub fn find(&self, msgtyp: i64, flg: u32) -> Option<usize> {
        if msgtyp == 0 {
            return (!self.messages.is_empty()).then_some(0);
        }
        if msgtyp > 0 {
            let except = flg & MSG_EXCEPT != 0;
            return self
                .messages
                .iter()
                .position(|(t, _)| (*t == msgtyp) != except);
        }
        let limit = msgtyp.checked_neg().unwrap_or(i64::MAX);
        let mut best: Option<usize> = None;
        for (i, (t, _)) in self.messages.iter().enumerate() {
            if *t <= limit && best.is_none_or(|b| *t < self.messages[b].0) {
                best = Some(i);
            }
        }
        best
    }

    /// Queue a message.
    pub fn push(&mut self, mtype: i64, text: Vec<u8>) {
        self.cbytes += text.len();
        self.messages.push_back((mtype, text));
    }

    /// Take message `i` out.
    pub fn take(&mut self, i: usize) -> Option<(i64, Vec<u8>)> {
        let m = self.messages.remove(i)?;
        self.cbytes -= m.1.len();
        Some(m)
    }

    /// `struct msqid64_ds` (asm-generic `msgbuf.h`, 120 bytes) after the 48-byte perm.
    pub fn to_msqid64(&self, perm: &[u8; 48]) -> [u8; 120] {
        let mut b = [0u8; 120];
        b[..48].copy_from_slice(perm);
        let longs = [
            self.stime,
            self.rtime,
            self.ctime,
            self.cbytes as i64,
            self.messages.len() as i64,
            self.qbytes as i64,
        ];
        for (i, v) in longs.iter().enumerate() {
            b[48 + 8 * i..56 + 8 * i].copy_from_slice(&v.to_le_bytes());
        }
        b[96..100].copy_from_slice(&self.lspid.to_le_bytes());
        b[100..104].copy_from_slice(&self.lrpid.to_le_bytes());
        b
    }
}

#[cfg(target_os = "none")]
pub use syscalls::*;

#[cfg(target_os = "none")]
mod syscalls {
    use super::*;
    use crate::arch::TrapFrame;
    use crate::errno::{Errno, KResult};
    use crate::ipc::util::*;
    use crate::ipc::{ipc_sleep, now, wake_all};
    use crate::mm::uaccess;
    use crate::syscall::arg;
    use crate::task::sched::current;
    use crate::task::signal::signal_pending_current;
    use spin::Mutex;

    /// Every message queue (Linux `msg_ids(ns)`).
    static MSG_IDS: Mutex<IpcIds<MsgQueue>> = Mutex::new(IpcIds::new());

    /// msgget(key, msgflg) (Linux `ksys_msgget`).
    pub fn sys_msgget(f: &mut TrapFrame) -> KResult<usize> {
        let (key, flg) = (arg(f, 0) as i32, arg(f, 1) as u32);
        let id =
            MSG_IDS
                .lock()
                .ipcget(key, flg, MSGMNI, || Ok(MsgQueue::new(now())), |_| Ok(()))?;
        Ok(id as usize)
    }

    /// msgctl(msqid, cmd, buf) (Linux `ksys_msgctl`): IPC_STAT, IPC_SET (mode, ids,
    /// msg_qbytes up to MSGMNB for Linnet's root) and IPC_RMID; EINVAL otherwise.
    pub fn sys_msgctl(f: &mut TrapFrame) -> KResult<usize> {
        let (id, cmd, buf) = (arg(f, 0) as i32, arg(f, 1) as i32, arg(f, 2) as usize);
        if id < 0 || cmd < 0 {
            return Err(Errno::EINVAL);
        }
        match cmd {
            IPC_STAT => {
                let b = {
                    let ids = MSG_IDS.lock();
                    let (perm, q) = ids.get(id)?;
                    q.to_msqid64(&perm.to_ipc64())
                };
                uaccess::copy_to_user(buf, &b)?;
                Ok(0)
            }
            IPC_SET => {
                let mut b = [0u8; 120];
                uaccess::copy_from_user(&mut b, buf)?;
                let qbytes = u64::from_le_bytes(b[88..96].try_into().unwrap_or([0; 8]));
                let mut ids = MSG_IDS.lock();
                let (perm, q) = ids.get_mut(id)?;
                // Raising beyond MSGMNB needs CAP_SYS_RESOURCE, which root has; Linux
                // still refuses more than INT_MAX.
                if qbytes > i32::MAX as u64 {
                    return Err(Errno::EINVAL);
                }
                perm.set_from(&b[..48]);
                q.qbytes = qbytes as usize;
                q.ctime = now();
                wake_all(&mut q.waiters); // a sender may fit now
                Ok(0)
            }
            IPC_RMID => {
                let mut q = MSG_IDS.lock().remove(id).ok_or(Errno::EINVAL)?;
                wake_all(&mut q.waiters); // they find the id gone: EIDRM
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// msgsnd(msqid, msgp, msgsz, msgflg) (Linux `do_msgsnd`): EINVAL for a size above
    /// MSGMAX or a type below 1; sleeps while the queue is full (EAGAIN with
    /// IPC_NOWAIT, EINTR-or-restart on a signal, EIDRM if the queue goes).
    pub fn sys_msgsnd(f: &mut TrapFrame) -> KResult<usize> {
        let (id, msgp, sz, flg) = (
            arg(f, 0) as i32,
            arg(f, 1) as usize,
            arg(f, 2) as usize,
            arg(f, 3) as u32,
        );
        let mtype: i64 = uaccess::get_user(msgp)?; // Linux `ksys_msgsnd` reads it first
        if sz > MSGMAX || id < 0 || mtype < 1 {
            return Err(Errno::EINVAL);
        }
        let mut text = alloc::vec![0u8; sz];
        uaccess::copy_from_user(&mut text, msgp + 8)?;
        let me = current().pid();
        let mut slept = false;
        loop {
            {
                let mut ids = MSG_IDS.lock();
                let total: usize = ids.iter_mut().map(|(_, q)| q.cbytes).sum();
                let (_, q) = match ids.get_mut(id) {
                    Ok(x) => x,
                    Err(_) if slept => return Err(Errno::EIDRM),
                    Err(e) => return Err(e),
                };
                if q.fits(sz) {
                    if total + sz > MSG_HEAP_BUDGET {
                        return Err(Errno::ENOMEM);
                    }
                    q.push(mtype, text);
                    q.lspid = current().tgid();
                    q.stime = now();
                    wake_all(&mut q.waiters);
                    return Ok(0);
                }
                if flg & IPC_NOWAIT != 0 {
                    return Err(Errno::EAGAIN);
                }
                if signal_pending_current() {
                    q.waiters.retain(|&p| p != me);
                    return Err(Errno::ERESTARTNOHAND);
                }
                q.waiters.push(me);
            }
            ipc_sleep(None);
            slept = true;
        }
    }

    /// msgrcv(msqid, msgp, msgsz, msgtyp, msgflg) (Linux `do_msgrcv`): takes the
    /// message `find` picks; a longer one than `msgsz` is E2BIG (and stays queued)
    /// unless MSG_NOERROR cuts it. Returns the bytes of text copied.
    pub fn sys_msgrcv(f: &mut TrapFrame) -> KResult<usize> {
        let (id, msgp, sz, typ, flg) = (
            arg(f, 0) as i32,
            arg(f, 1) as usize,
            arg(f, 2) as i64,
            arg(f, 3) as i64,
            arg(f, 4) as u32,
        );
        if id < 0 || sz < 0 {
            return Err(Errno::EINVAL);
        }
        if flg & MSG_COPY != 0 {
            if flg & MSG_EXCEPT != 0 || flg & IPC_NOWAIT == 0 {
                return Err(Errno::EINVAL);
            }
            return Err(Errno::ENOSYS);
        }
        let sz = sz as usize;
        let me = current().pid();
        let mut slept = false;
        let (mtype, text) = loop {
            {
                let mut ids = MSG_IDS.lock();
                let (_, q) = match ids.get_mut(id) {
                    Ok(x) => x,
                    Err(_) if slept => return Err(Errno::EIDRM),
                    Err(e) => return Err(e),
                };
                if let Some(i) = q.find(typ, flg) {
                    if q.messages[i].1.len() > sz && flg & MSG_NOERROR == 0 {
                        return Err(Errno::E2BIG);
                    }
                    let m = q.take(i).ok_or(Errno::EINVAL)?;
                    q.lrpid = current().tgid();
                    q.rtime = now();
                    q.waiters.retain(|&p| p != me);
                    wake_all(&mut q.waiters); // room for senders
                    break m;
                }
                if flg & IPC_NOWAIT != 0 {
                    return Err(Errno::ENOMSG);
                }
                if signal_pending_current() {
                    q.waiters.retain(|&p| p != me);
                    return Err(Errno::ERESTARTNOHAND);
                }
                q.waiters.push(me);
            }
            ipc_sleep(None);
            slept = true;
        };
        // As Linux: the message is gone from the queue even if the copy-out fails.
        let n = text.len().min(sz);
        uaccess::put_user(msgp, mtype)?;
        uaccess::copy_to_user(msgp + 8, &text[..n])?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(types: &[i64]) -> MsgQueue {
        let mut q = MsgQueue::new(0);
        for &t in types {
            q.push(t, alloc::vec![t as u8; 3]);
        }
        q
    }

    #[test]
    fn find_by_type_as_linux() {
        let q = queue(&[5, 3, 7, 3, 1]);
        assert_eq!(q.find(0, 0), Some(0));
        assert_eq!(q.find(3, 0), Some(1));
        assert_eq!(q.find(4, 0), None);
        assert_eq!(q.find(5, MSG_EXCEPT), Some(1));
        assert_eq!(q.find(-4, 0), Some(4)); // lowest type <= 4 is 1
        assert_eq!(q.find(-3, 0), Some(4));
        assert_eq!(q.find(-2, 0), Some(4));
        let q = queue(&[5, 3, 7, 3]);
        assert_eq!(q.find(-4, 0), Some(1)); // the first of the lowest
        assert_eq!(q.find(-2, 0), None);
        assert_eq!(q.find(i64::MIN, 0), Some(1));
        assert_eq!(MsgQueue::new(0).find(0, 0), None);
    }

    #[test]
    fn bytes_accounting_and_fit() {
        let mut q = MsgQueue::new(0);
        q.qbytes = 10;
        assert!(q.fits(10));
        q.push(1, alloc::vec![0; 6]);
        assert!(q.fits(4));
        assert!(!q.fits(5));
        assert_eq!(q.take(0).map(|m| m.1.len()), Some(6));
        assert_eq!(q.cbytes, 0);
        let b = q.to_msqid64(&[0; 48]);
        assert_eq!(&b[88..96], &10i64.to_le_bytes()); // msg_qbytes
    }
}
