//! The pure rules of the futex syscall, kept apart so the host tests can check them
//! (Linux `include/uapi/linux/futex.h`, `kernel/futex/syscalls.c` `do_futex`,
//! `kernel/futex/waitwake.c` `futex_atomic_op_inuser`).

use crate::errno::Errno;

pub use uapi::futex::{
    FUTEX_BITSET_MATCH_ANY, FUTEX_CLOCK_REALTIME, FUTEX_CMP_REQUEUE, FUTEX_LOCK_PI, FUTEX_LOCK_PI2,
    FUTEX_OWNER_DIED, FUTEX_PRIVATE_FLAG, FUTEX_REQUEUE, FUTEX_TID_MASK, FUTEX_TRYLOCK_PI,
    FUTEX_UNLOCK_PI, FUTEX_WAIT, FUTEX_WAITERS, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI,
    FUTEX_WAKE, FUTEX_WAKE_BITSET, FUTEX_WAKE_OP,
};

/// A futex op word taken apart (Linux `do_futex`'s `cmd` and `flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FutexOp {
    /// The command (FUTEX_WAIT, ...).
    pub cmd: u32,
    /// FUTEX_PRIVATE_FLAG was not given (Linux FLAGS_SHARED).
    pub shared: bool,
    /// FUTEX_CLOCK_REALTIME was given (Linux FLAGS_CLOCKRT).
    pub clock_realtime: bool,
}

impl FutexOp {
    /// Split `op`; ENOSYS for FUTEX_CLOCK_REALTIME on a command that takes no absolute
    /// timeout, as Linux's `do_futex` rules.
    pub fn decode(op: u32) -> Result<FutexOp, Errno> {
        let d = FutexOp {
            cmd: op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME),
            shared: op & FUTEX_PRIVATE_FLAG == 0,
            clock_realtime: op & FUTEX_CLOCK_REALTIME != 0,
        };
        let rt_ok = matches!(
            d.cmd,
            FUTEX_WAIT_BITSET | FUTEX_WAIT_REQUEUE_PI | FUTEX_LOCK_PI2
        );
        if d.clock_realtime && !rt_ok {
            return Err(Errno::ENOSYS);
        }
        Ok(d)
    }

    /// Is the fourth argument a timeout (else it is `val2`, a count)? (Linux
    /// `futex_cmd_has_timeout`.)
    pub fn has_timeout(&self) -> bool {
        matches!(
            self.cmd,
            FUTEX_WAIT | FUTEX_LOCK_PI | FUTEX_LOCK_PI2 | FUTEX_WAIT_BITSET | FUTEX_WAIT_REQUEUE_PI
        )
    }

    /// Which clock an absolute timeout is on, and is it relative (Linux
    /// `futex_init_timeout`): FUTEX_WAIT's is relative to now on CLOCK_MONOTONIC,
    /// FUTEX_LOCK_PI's absolute on CLOCK_REALTIME, the others absolute on the clock
    /// the flag chose.
    pub fn timeout_kind(&self) -> TimeoutKind {
        match self.cmd {
            FUTEX_WAIT => TimeoutKind::Relative,
            FUTEX_LOCK_PI => TimeoutKind::AbsRealtime,
            _ if self.clock_realtime => TimeoutKind::AbsRealtime,
            _ => TimeoutKind::AbsMonotonic,
        }
    }
}

/// How a futex timeout is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// That long from now.
    Relative,
    /// At that CLOCK_MONOTONIC time.
    AbsMonotonic,
    /// At that CLOCK_REALTIME time.
    AbsRealtime,
}

/// FUTEX_WAKE_OP's encoded operation (Linux `FUTEX_OP(op, oparg, cmp, cmparg)`):
/// `op` (4 bits, 8 = FUTEX_OP_OPARG_SHIFT) `cmp` (4) `oparg` (12, signed) `cmparg`
/// (12, signed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WakeOp {
    /// FUTEX_OP_SET 0, ADD 1, OR 2, ANDN 3, XOR 4.
    pub op: u32,
    /// FUTEX_OP_CMP_EQ 0, NE 1, LT 2, LE 3, GT 4, GE 5.
    pub cmp: u32,
    /// The operand (already `1 << oparg` with FUTEX_OP_OPARG_SHIFT).
    pub oparg: i32,
    /// What the old value is compared with.
    pub cmparg: i32,
}

/// Sign-extend the low 12 bits (Linux `sign_extend32(x, 11)`).
fn sign_extend12(x: u32) -> i32 {
    ((x << 20) as i32) >> 20
}

impl WakeOp {
    /// Take `encoded` apart (the first half of Linux `futex_atomic_op_inuser`). An
    /// OPARG_SHIFT operand outside 0..31 is masked to 5 bits, as Linux does (it warns).
    pub fn decode(encoded: u32) -> WakeOp {
        let mut oparg = sign_extend12((encoded >> 12) & 0xfff);
        if encoded & (8 << 28) != 0 {
            oparg = 1 << (oparg & 31);
        }
        WakeOp {
            op: (encoded >> 28) & 7,
            cmp: (encoded >> 24) & 15,
            oparg,
            cmparg: sign_extend12(encoded & 0xfff),
        }
    }

    /// The new value of the word (Linux `arch_futex_atomic_op_inuser`); ENOSYS for an
    /// unknown operation, before anything is written.
    pub fn apply(&self, old: u32) -> Result<u32, Errno> {
        let arg = self.oparg as u32;
        Ok(match self.op {
            0 => arg,
            1 => old.wrapping_add(arg),
            2 => old | arg,
            3 => old & !arg,
            4 => old ^ arg,
            _ => return Err(Errno::ENOSYS),
        })
    }

    /// Does the old value pass the comparison (signed, as Linux compares)? ENOSYS for
    /// an unknown comparison, which Linux reports after the word was changed.
    pub fn compare(&self, old: u32) -> Result<bool, Errno> {
        let (a, b) = (old as i32, self.cmparg);
        Ok(match self.cmp {
            0 => a == b,
            1 => a != b,
            2 => a < b,
            3 => a <= b,
            4 => a > b,
            5 => a >= b,
            _ => return Err(Errno::ENOSYS),
        })
    }
}

/// What a PI lock attempt found in the word (Linux `futex_lock_pi_atomic`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockPiAttempt {
    /// The caller owns it already.
    Deadlock,
    /// Nobody owns it: write this value (our TID, OWNER_DIED kept, WAITERS if others wait).
    Acquire(u32),
    /// Owned by this TID: set FUTEX_WAITERS (this value) and sleep.
    Owned {
        /// The owner's TID.
        owner: u32,
        /// The word with FUTEX_WAITERS set.
        with_waiters: u32,
    },
}

/// Decide a PI lock attempt by `tid` on a word holding `uval`; `others_wait` says
/// whether other PI waiters sleep on it.
pub fn lock_pi_attempt(uval: u32, tid: u32, others_wait: bool) -> LockPiAttempt {
    let owner = uval & FUTEX_TID_MASK;
    if owner == tid {
        LockPiAttempt::Deadlock
    } else if owner == 0 {
        let waiters = if others_wait { FUTEX_WAITERS } else { 0 };
        LockPiAttempt::Acquire((uval & FUTEX_OWNER_DIED) | tid | waiters)
    } else {
        LockPiAttempt::Owned {
            owner,
            with_waiters: uval | FUTEX_WAITERS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Linux `FUTEX_OP(op, oparg, cmp, cmparg)`.
    fn futex_op(op: u32, oparg: u32, cmp: u32, cmparg: u32) -> u32 {
        ((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff)
    }

    #[test]
    fn op_word_splits_into_command_and_flags() {
        let d = FutexOp::decode(FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
        assert_eq!(
            d,
            Ok(FutexOp {
                cmd: FUTEX_WAIT_BITSET,
                shared: false,
                clock_realtime: true
            })
        );
        assert_eq!(d.unwrap().timeout_kind(), TimeoutKind::AbsRealtime);
        assert_eq!(
            FutexOp::decode(FUTEX_WAIT | FUTEX_CLOCK_REALTIME),
            Err(Errno::ENOSYS)
        );
        let w = FutexOp::decode(FUTEX_WAIT).unwrap();
        assert!(w.shared && w.has_timeout());
        assert_eq!(w.timeout_kind(), TimeoutKind::Relative);
        let b = FutexOp::decode(FUTEX_WAIT_BITSET).unwrap();
        assert_eq!(b.timeout_kind(), TimeoutKind::AbsMonotonic);
        assert_eq!(
            FutexOp::decode(FUTEX_LOCK_PI).unwrap().timeout_kind(),
            TimeoutKind::AbsRealtime
        );
        assert!(!FutexOp::decode(FUTEX_CMP_REQUEUE).unwrap().has_timeout());
    }

    #[test]
    fn wake_op_arithmetic() {
        // glibc's FUTEX_OP_CLEAR_WAKE_IF_GT_ONE: set 0, wake the second if old > 1.
        let w = WakeOp::decode(futex_op(0, 0, 4, 1));
        assert_eq!(w.apply(2), Ok(0));
        assert_eq!(w.compare(2), Ok(true));
        assert_eq!(w.compare(1), Ok(false));
        let add = WakeOp::decode(futex_op(1, 0xfff, 0, 5)); // add -1
        assert_eq!(add.apply(5), Ok(4));
        assert_eq!(add.compare(5), Ok(true));
        assert_eq!(WakeOp::decode(futex_op(2, 6, 1, 0)).apply(1), Ok(7));
        assert_eq!(WakeOp::decode(futex_op(3, 6, 1, 0)).apply(7), Ok(1));
        assert_eq!(WakeOp::decode(futex_op(4, 6, 1, 0)).apply(5), Ok(3));
        // OPARG_SHIFT: the operand is 1 << oparg.
        let sh = WakeOp::decode(futex_op(8 | 2, 4, 0, 0));
        assert_eq!(sh.apply(1), Ok(17));
        // Comparisons are signed; cmparg is sign-extended.
        let lt = WakeOp::decode(futex_op(0, 0, 2, 0xfff)); // old < -1
        assert_eq!(lt.compare(-2i32 as u32), Ok(true));
        assert_eq!(lt.compare(0), Ok(false));
        assert_eq!(
            WakeOp::decode(futex_op(5, 0, 0, 0)).apply(0),
            Err(Errno::ENOSYS)
        );
        assert_eq!(
            WakeOp::decode(futex_op(0, 0, 6, 0)).compare(0),
            Err(Errno::ENOSYS)
        );
    }

    #[test]
    fn pi_lock_word_rules() {
        assert_eq!(lock_pi_attempt(42, 42, false), LockPiAttempt::Deadlock);
        assert_eq!(lock_pi_attempt(0, 42, false), LockPiAttempt::Acquire(42));
        assert_eq!(
            lock_pi_attempt(FUTEX_OWNER_DIED | FUTEX_WAITERS, 42, true),
            LockPiAttempt::Acquire(FUTEX_OWNER_DIED | FUTEX_WAITERS | 42)
        );
        assert_eq!(
            lock_pi_attempt(7, 42, false),
            LockPiAttempt::Owned {
                owner: 7,
                with_waiters: 7 | FUTEX_WAITERS
            }
        );
        assert_eq!(
            lock_pi_attempt(42 | FUTEX_WAITERS, 42, true),
            LockPiAttempt::Deadlock
        );
    }
}
