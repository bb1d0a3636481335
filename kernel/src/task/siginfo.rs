//! What a signal carries besides its number: who sent it, why, and where a fault was
//! (Linux `struct kernel_siginfo` in `include/linux/signal_types.h`, the user layout
//! `siginfo_t` in `include/uapi/asm-generic/siginfo.h`, and `siginfo_layout` /
//! `copy_siginfo_to_user` in `kernel/signal.c`).
//!
//! A handler installed with SA_SIGINFO receives a pointer to a 128-byte `siginfo_t`:
//! `si_signo`, `si_errno`, `si_code`, then a union whose meaning `si_code` selects:
//!
//! ```text
//! offset 16       20       24         32        40
//! kill:  si_pid   si_uid                                 (SI_USER, SI_TKILL, SI_KERNEL)
//! fault: si_addr (8 bytes)                               (SEGV_*, BUS_*, ILL_*, TRAP_*, FPE_*)
//! chld:  si_pid   si_uid   si_status  si_utime  si_stime (CLD_EXITED, CLD_KILLED)
//! ```
//!
//! ```text
//! rt:    si_pid   si_uid   si_value (8 bytes)            (SI_QUEUE and other codes < 0)
//! ```
//!
//! A pending set holds one instance of each classic signal (1-31) but queues every
//! instance of a real-time signal (32-64), each with its own siginfo, up to
//! RLIMIT_SIGPENDING queued entries in all (Linux `__send_signal_locked`,
//! `__sigqueue_alloc`; Linux counts per user, and everyone is root in Linnet, so the
//! count is global).

use super::pid::Pid;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};

use uapi::signal::NSIG;

fn valid_signal(sig: i32) -> bool {
    (1..=NSIG).contains(&sig)
}

pub use uapi::siginfo::{
    BUS_ADRALN, BUS_ADRERR, BUS_OBJERR, CLD_DUMPED, CLD_EXITED, CLD_KILLED, FPE_FLTUNK, ILL_ILLOPC,
    SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, SI_QUEUE, SI_TIMER, SI_TKILL, SI_USER, TRAP_BRKPT,
};
pub use uapi::signal::SIGRTMIN;

/// One queued signal's information (Linux `kernel_siginfo`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KSigInfo {
    /// The signal number.
    pub signo: i32,
    /// Why it was sent (SI_USER, SEGV_MAPERR, CLD_EXITED, ...).
    pub code: i32,
    /// The sender (kill) or the child (SIGCHLD).
    pub pid: Pid,
    /// The sender's user id (always 0: everyone is root in Linnet).
    pub uid: u32,
    /// The faulting address (fault signals).
    pub addr: u64,
    /// The exception syndrome of a fault (goes into the frame's `esr_context`), or 0.
    pub esr: u64,
    /// SIGCHLD: the exit code or the signal that killed the child.
    pub status: i32,
    /// SIGCHLD: the child's user and system time, in clock ticks (USER_HZ).
    pub utime: u64,
    /// As `utime`, system time.
    pub stime: u64,
    /// SI_TIMER: the timer's id (Linux `si_tid`).
    pub tid: i32,
    /// SI_TIMER: expirations missed before delivery (Linux `si_overrun`).
    pub overrun: i32,
    /// SI_TIMER: the timer's `sigev_value` (Linux `si_value`).
    pub value: u64,
    /// SI_TIMER: the timer generation that queued it, never shown to the user (Linux
    /// `si_sys_private`).
    pub sys_private: u32,
}

impl KSigInfo {
    /// From kill or tkill by process `pid` (`code` SI_USER or SI_TKILL).
    pub fn user(signo: i32, code: i32, pid: Pid) -> KSigInfo {
        KSigInfo {
            signo,
            code,
            pid,
            ..Default::default()
        }
    }

    /// From the kernel itself (Linux `SEND_SIG_PRIV`).
    pub fn kernel(signo: i32) -> KSigInfo {
        KSigInfo {
            signo,
            code: SI_KERNEL,
            ..Default::default()
        }
    }

    /// A synchronous fault at `addr` (Linux `force_sig_fault`).
    pub fn fault(signo: i32, code: i32, addr: u64, esr: u64) -> KSigInfo {
        KSigInfo {
            signo,
            code,
            addr,
            esr,
            ..Default::default()
        }
    }

    /// A POSIX timer's signal (Linux `posix_timer_event`): `si_overrun` is filled in
    /// at delivery.
    pub fn timer(signo: i32, tid: i32, value: u64, sys_private: u32) -> KSigInfo {
        KSigInfo {
            signo,
            code: SI_TIMER,
            tid,
            value,
            sys_private,
            ..Default::default()
        }
    }

    /// The siginfo a user passed to rt_sigqueueinfo (the first 48 bytes, Linux
    /// `struct kernel_siginfo`, as `copy_siginfo_from_user` takes them); `si_signo`
    /// becomes `sig`. Every layout's fields are read, so what `to_user` gives back for
    /// the signal's layout is what the sender wrote.
    pub fn from_user(sig: i32, b: &[u8; 128]) -> KSigInfo {
        let w32 = |o: usize| i32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let w64 = |o: usize| u64::from_le_bytes(core::array::from_fn(|i| b[o + i]));
        KSigInfo {
            signo: sig,
            code: w32(8),
            pid: w32(16),
            uid: w32(20) as u32,
            addr: w64(16),
            esr: 0,
            status: w32(24),
            utime: w64(32),
            stime: w64(40),
            value: w64(24),
            tid: w32(16),
            overrun: w32(20),
            sys_private: 0,
        }
    }

    /// Is this a fault (the `si_addr` layout)? (Linux `siginfo_layout`: a positive
    /// code below SI_KERNEL means the signal's own codes.)
    pub fn is_fault(&self) -> bool {
        const FAULTS: [i32; 5] = [4, 5, 7, 8, 11]; // SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV
        self.code > SI_USER && self.code < SI_KERNEL && FAULTS.contains(&self.signo)
    }

    /// Is this a child's report (the SIGCHLD layout)?
    pub fn is_chld(&self) -> bool {
        self.signo == 17 && self.code > SI_USER && self.code < SI_KERNEL
    }

    /// The 128-byte user `siginfo_t` (Linux `copy_siginfo_to_user`): fields the layout
    /// does not use are zero.
    pub fn to_user(&self) -> [u8; 128] {
        let mut b = [0u8; 128];
        let mut put = |off: usize, bytes: &[u8]| b[off..off + bytes.len()].copy_from_slice(bytes);
        put(0, &self.signo.to_le_bytes());
        put(8, &self.code.to_le_bytes());
        if self.is_fault() {
            put(16, &self.addr.to_le_bytes());
        } else if self.code == SI_TIMER {
            put(16, &self.tid.to_le_bytes());
            put(20, &self.overrun.to_le_bytes());
            put(24, &self.value.to_le_bytes());
        } else {
            put(16, &self.pid.to_le_bytes());
            put(20, &self.uid.to_le_bytes());
            if self.is_chld() {
                put(24, &self.status.to_le_bytes());
                put(32, &self.utime.to_le_bytes());
                put(40, &self.stime.to_le_bytes());
            } else {
                put(24, &self.value.to_le_bytes());
            }
        }
        b
    }
}

/// A set of signals, bit `n - 1` for signal `n` (Linux `sigset_t` on 64-bit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigSet(pub u64);

impl SigSet {
    /// Is `sig` in the set?
    pub fn contains(self, sig: i32) -> bool {
        valid_signal(sig) && self.0 & (1 << (sig - 1)) != 0
    }
    /// Add `sig`.
    pub fn add(&mut self, sig: i32) {
        if valid_signal(sig) {
            self.0 |= 1 << (sig - 1);
        }
    }
    /// Remove `sig`.
    pub fn remove(&mut self, sig: i32) {
        if valid_signal(sig) {
            self.0 &= !(1 << (sig - 1));
        }
    }
    /// The lowest signal in the set.
    pub fn first(self) -> Option<i32> {
        (self.0 != 0).then(|| self.0.trailing_zeros() as i32 + 1)
    }
    /// The set without SIGKILL and SIGSTOP, which can be neither blocked nor masked
    /// (Linux `sigdelsetmask(set, sigmask(SIGKILL) | sigmask(SIGSTOP))`).
    pub fn without_kernel_only(mut self) -> SigSet {
        self.remove(9); // SIGKILL
        self.remove(19); // SIGSTOP
        self
    }
}

/// Queued siginfo entries in every pending set (Linux's per-user
/// UCOUNT_RLIMIT_SIGPENDING count), checked against RLIMIT_SIGPENDING.
static QUEUED_SIGINFO: AtomicUsize = AtomicUsize::new(0);

/// Signals waiting to be taken, with what each carries (Linux `struct sigpending`: a
/// set and a list of `sigqueue` entries): one entry per classic signal, one per send of
/// a real-time signal, oldest first.
#[derive(Debug, Default)]
pub struct SigPending {
    /// Which signals are pending.
    pub signal: SigSet,
    /// Their information, oldest first. A signal can be pending without an entry when
    /// the queue limit was reached (Linux "lose info").
    list: Vec<KSigInfo>,
}

impl Drop for SigPending {
    fn drop(&mut self) {
        QUEUED_SIGINFO.fetch_sub(self.list.len(), Ordering::Relaxed);
    }
}

/// Why a signal could not be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull;

impl SigPending {
    /// Queue `info` whatever the limit (the kernel's own signals, Linux
    /// `override_rlimit`); a classic signal already pending is not queued twice.
    pub fn add(&mut self, info: KSigInfo) {
        let _ = self.queue(info, None);
    }

    /// Queue `info` (Linux `__send_signal_locked`): a classic signal already pending
    /// keeps its first information (Linux `legacy_queue`); a real-time one queues again.
    /// Beyond `limit` queued entries (or without memory for one more), a real-time
    /// signal sent with a code other than SI_USER fails (EAGAIN for the sender); any
    /// other is marked pending without its information, as Linux does.
    pub fn queue(&mut self, info: KSigInfo, limit: Option<usize>) -> Result<(), QueueFull> {
        let sig = info.signo;
        if !valid_signal(sig) || (sig < SIGRTMIN && self.signal.contains(sig)) {
            return Ok(());
        }
        let queued = QUEUED_SIGINFO.load(Ordering::Relaxed);
        // Out of kernel memory counts as over the limit (Linux: `__sigqueue_alloc` fails).
        if limit.is_none_or(|l| queued < l) && self.list.try_reserve(1).is_ok() {
            QUEUED_SIGINFO.fetch_add(1, Ordering::Relaxed);
            self.list.push(info);
        } else if sig >= SIGRTMIN && info.code != SI_USER {
            return Err(QueueFull);
        }
        self.signal.add(sig);
        Ok(())
    }

    /// Is `sig` pending?
    pub fn contains(&self, sig: i32) -> bool {
        self.signal.contains(sig)
    }

    /// Take the oldest instance of `sig` and return what it carried (Linux
    /// `collect_signal`); the signal stays pending while more instances are queued.
    /// One pending without an entry comes out as a bare SI_USER.
    pub fn take(&mut self, sig: i32) -> Option<KSigInfo> {
        if !self.signal.contains(sig) {
            return None;
        }
        let info = match self.list.iter().position(|i| i.signo == sig) {
            Some(i) => {
                QUEUED_SIGINFO.fetch_sub(1, Ordering::Relaxed);
                self.list.remove(i)
            }
            None => KSigInfo::user(sig, SI_USER, 0),
        };
        if !self.list.iter().any(|i| i.signo == sig) {
            self.signal.remove(sig);
        }
        Some(info)
    }

    /// Discard every instance of `sig` (made ignored, or flushed).
    pub fn remove(&mut self, sig: i32) {
        self.signal.remove(sig);
        let before = self.list.len();
        self.list.retain(|i| i.signo != sig);
        QUEUED_SIGINFO.fetch_sub(before - self.list.len(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word32(b: &[u8], off: usize) -> i32 {
        i32::from_le_bytes(b[off..off + 4].try_into().unwrap())
    }

    #[test]
    fn a_pending_signal_keeps_its_first_info() {
        let mut p = SigPending::default();
        p.add(KSigInfo::user(10, SI_USER, 5));
        p.add(KSigInfo::user(10, SI_TKILL, 6));
        p.add(KSigInfo::kernel(2));
        assert_eq!(p.signal, SigSet(1 << 9 | 1 << 1));
        assert_eq!(p.take(10).map(|i| (i.code, i.pid)), Some((SI_USER, 5)));
        assert_eq!(p.take(10), None);
        p.remove(2);
        assert_eq!(p.signal, SigSet(0));
        p.add(KSigInfo::kernel(65)); // not a signal: ignored
        assert_eq!(p.signal, SigSet(0));
    }

    #[test]
    fn realtime_signals_queue_every_send_in_order() {
        let mut p = SigPending::default();
        for v in 0..3 {
            let mut i = KSigInfo::user(SIGRTMIN + 1, SI_QUEUE, 5);
            i.value = v;
            p.queue(i, None).unwrap();
        }
        p.add(KSigInfo::user(SIGRTMIN, SI_USER, 5));
        assert_eq!(p.signal, SigSet(3 << 31));
        // Oldest first; the signal stays pending until its last instance is taken.
        assert_eq!(p.take(SIGRTMIN + 1).map(|i| i.value), Some(0));
        assert_eq!(p.take(SIGRTMIN + 1).map(|i| i.value), Some(1));
        assert!(p.contains(SIGRTMIN + 1));
        assert_eq!(p.take(SIGRTMIN + 1).map(|i| i.value), Some(2));
        assert!(!p.contains(SIGRTMIN + 1));
        assert_eq!(p.signal.first(), Some(SIGRTMIN));
        p.add(KSigInfo::user(SIGRTMIN, SI_USER, 6));
        p.remove(SIGRTMIN);
        assert_eq!(p.signal, SigSet(0));
    }

    #[test]
    fn queue_limit_fails_sigqueue_and_loses_kills_info() {
        let mut p = SigPending::default();
        // A limit of 0 entries: nothing can be queued with its information.
        assert_eq!(
            p.queue(KSigInfo::user(SIGRTMIN, SI_QUEUE, 5), Some(0)),
            Err(QueueFull)
        );
        assert!(!p.contains(SIGRTMIN));
        assert_eq!(
            p.queue(KSigInfo::user(SIGRTMIN, SI_USER, 5), Some(0)),
            Ok(())
        );
        assert_eq!(p.queue(KSigInfo::user(10, SI_QUEUE, 5), Some(0)), Ok(()));
        // Pending without information: a bare SI_USER comes out.
        assert_eq!(p.take(SIGRTMIN), Some(KSigInfo::user(SIGRTMIN, SI_USER, 0)));
        assert!(p.take(10).is_some());
    }

    #[test]
    fn rt_layout_round_trips_sigqueue_info() {
        let mut b = [0u8; 128];
        b[8..12].copy_from_slice(&SI_QUEUE.to_le_bytes());
        b[16..20].copy_from_slice(&77i32.to_le_bytes());
        b[24..32].copy_from_slice(&0x1234_5678_9abcu64.to_le_bytes());
        let i = KSigInfo::from_user(SIGRTMIN + 2, &b);
        assert_eq!(
            (i.signo, i.code, i.pid, i.value),
            (34, SI_QUEUE, 77, 0x1234_5678_9abc)
        );
        let out = i.to_user();
        assert_eq!(word32(&out, 0), 34);
        assert_eq!(&out[8..48], &b[8..48]);
    }

    #[test]
    fn kill_layout_has_pid_and_uid() {
        let b = KSigInfo::user(10, SI_USER, 42).to_user();
        assert_eq!((word32(&b, 0), word32(&b, 4), word32(&b, 8)), (10, 0, 0));
        assert_eq!((word32(&b, 16), word32(&b, 20)), (42, 0));
        assert!(b[24..].iter().all(|&x| x == 0));
        let t = KSigInfo::user(10, SI_TKILL, 7).to_user();
        assert_eq!((word32(&t, 8), word32(&t, 16)), (-6, 7));
    }

    #[test]
    fn fault_layout_has_the_address() {
        let i = KSigInfo::fault(11, SEGV_ACCERR, 0x1234_5678_9000, 0x9200_004f);
        assert!(i.is_fault());
        let b = i.to_user();
        assert_eq!(word32(&b, 8), SEGV_ACCERR);
        assert_eq!(
            u64::from_le_bytes(b[16..24].try_into().unwrap()),
            0x1234_5678_9000
        );
        // A SIGSEGV sent by kill is not a fault: it carries the sender.
        assert!(!KSigInfo::user(11, SI_USER, 3).is_fault());
        assert!(!KSigInfo::kernel(11).is_fault());
    }

    #[test]
    fn timer_layout_has_id_overrun_and_value() {
        let mut i = KSigInfo::timer(14, 3, 0xfeed_beef_1234, 7);
        i.overrun = 5;
        let b = i.to_user();
        assert_eq!((word32(&b, 8), word32(&b, 16), word32(&b, 20)), (-2, 3, 5));
        assert_eq!(
            u64::from_le_bytes(b[24..32].try_into().unwrap()),
            0xfeed_beef_1234
        );
        assert!(b[32..].iter().all(|&x| x == 0)); // si_sys_private stays inside
    }

    #[test]
    fn chld_layout_has_status_and_times() {
        let i = KSigInfo {
            signo: 17,
            code: CLD_EXITED,
            pid: 9,
            status: 3,
            utime: 5,
            stime: 6,
            ..Default::default()
        };
        let b = i.to_user();
        assert_eq!((word32(&b, 16), word32(&b, 24)), (9, 3));
        assert_eq!(u64::from_le_bytes(b[32..40].try_into().unwrap()), 5);
        assert_eq!(u64::from_le_bytes(b[40..48].try_into().unwrap()), 6);
    }
}
