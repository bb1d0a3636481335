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
//! Simplified: Linnet queues at most one instance of each signal (Linux does so for the
//! classic signals 1-31; real-time signals 32-64 queue every instance there), and
//! `sigval` (sigqueue) is not supported.

use super::pid::Pid;
use alloc::vec::Vec;

/// Highest signal number (Linux `_NSIG`).
const NSIG: i32 = 64;

fn valid_signal(sig: i32) -> bool {
    (1..=NSIG).contains(&sig)
}

/// Sent by kill(2) (Linux `SI_USER`).
pub const SI_USER: i32 = 0;
/// Sent by the kernel itself, e.g. Ctrl-C on the console (Linux `SI_KERNEL`).
pub const SI_KERNEL: i32 = 0x80;
/// Sent by a POSIX timer's expiry (Linux `SI_TIMER`).
pub const SI_TIMER: i32 = -2;
/// Sent by tkill or tgkill (Linux `SI_TKILL`).
pub const SI_TKILL: i32 = -6;
/// SIGSEGV: no mapping at the address.
pub const SEGV_MAPERR: i32 = 1;
/// SIGSEGV: a mapping, but the access is not allowed.
pub const SEGV_ACCERR: i32 = 2;
/// SIGBUS: misaligned address.
pub const BUS_ADRALN: i32 = 1;
/// SIGBUS: no such physical address (e.g. past the end of a mapped file).
pub const BUS_ADRERR: i32 = 2;
/// SIGBUS: a hardware error at the address (an external abort).
pub const BUS_OBJERR: i32 = 3;
/// SIGILL: illegal opcode.
pub const ILL_ILLOPC: i32 = 1;
/// SIGTRAP: a breakpoint instruction (brk).
pub const TRAP_BRKPT: i32 = 1;
/// SIGFPE: an unknown floating-point exception.
pub const FPE_FLTUNK: i32 = 14;
/// SIGCHLD: the child called exit.
pub const CLD_EXITED: i32 = 1;
/// SIGCHLD: the child was killed by a signal.
pub const CLD_KILLED: i32 = 2;

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

/// Signals waiting to be taken, with what each carries (Linux `struct sigpending`: a
/// set and a list of `sigqueue` entries; here at most one entry per signal).
#[derive(Clone, Debug, Default)]
pub struct SigPending {
    /// Which signals are pending.
    pub signal: SigSet,
    /// Their information, one entry per signal in `signal`, oldest first.
    list: Vec<KSigInfo>,
}

impl SigPending {
    /// Queue `info` (Linux `__send_signal_locked`): a signal already pending is not
    /// queued twice, and keeps its first information (Linux `legacy_queue`).
    pub fn add(&mut self, info: KSigInfo) {
        if valid_signal(info.signo) && !self.signal.contains(info.signo) {
            self.signal.add(info.signo);
            self.list.push(info);
        }
    }

    /// Is `sig` pending?
    pub fn contains(&self, sig: i32) -> bool {
        self.signal.contains(sig)
    }

    /// Take `sig` off the queue and return what it carried (Linux `collect_signal`).
    pub fn take(&mut self, sig: i32) -> Option<KSigInfo> {
        if !self.signal.contains(sig) {
            return None;
        }
        self.signal.remove(sig);
        let i = self.list.iter().position(|i| i.signo == sig)?;
        Some(self.list.remove(i))
    }

    /// Discard `sig` (made ignored, or flushed).
    pub fn remove(&mut self, sig: i32) {
        self.signal.remove(sig);
        self.list.retain(|i| i.signo != sig);
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
