//! futex operations and the futex word's bits (Linux `include/uapi/linux/futex.h`).

/// Sleep while the word holds the expected value (relative timeout).
pub const FUTEX_WAIT: u32 = 0;
/// Wake waiters.
pub const FUTEX_WAKE: u32 = 1;
/// Wake some waiters, move the rest to another futex.
pub const FUTEX_REQUEUE: u32 = 3;
/// FUTEX_REQUEUE, only if the first word still holds the expected value.
pub const FUTEX_CMP_REQUEUE: u32 = 4;
/// Change a second word, wake on the first and, if a comparison holds, on the second.
pub const FUTEX_WAKE_OP: u32 = 5;
/// Take a priority-inheritance lock (owner TID in the word; absolute CLOCK_REALTIME timeout).
pub const FUTEX_LOCK_PI: u32 = 6;
/// Release a priority-inheritance lock, handing it to the first waiter.
pub const FUTEX_UNLOCK_PI: u32 = 7;
/// Take a PI lock only if that needs no sleep.
pub const FUTEX_TRYLOCK_PI: u32 = 8;
/// FUTEX_WAIT with a bitset and an absolute timeout.
pub const FUTEX_WAIT_BITSET: u32 = 9;
/// FUTEX_WAKE of the waiters whose bitset shares a bit with ours.
pub const FUTEX_WAKE_BITSET: u32 = 10;
/// Wait, to be requeued onto a PI futex (not in Linnet).
pub const FUTEX_WAIT_REQUEUE_PI: u32 = 11;
/// FUTEX_LOCK_PI with the clock chosen by FUTEX_CLOCK_REALTIME (monotonic otherwise).
pub const FUTEX_LOCK_PI2: u32 = 13;
/// Flag: the futex is private to the process (keyed by address alone).
pub const FUTEX_PRIVATE_FLAG: u32 = 128;
/// Flag: the timeout is on CLOCK_REALTIME.
pub const FUTEX_CLOCK_REALTIME: u32 = 256;
/// The bitset that matches every waiter (what FUTEX_WAIT and FUTEX_WAKE use).
pub const FUTEX_BITSET_MATCH_ANY: u32 = 0xffff_ffff;
/// PI and robust futex word: somebody sleeps in the kernel on it.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// PI and robust futex word: its owner died holding it.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// PI and robust futex word: the owner's thread id.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

/// The FUTEX_WAKE_OP operation word (Linux `FUTEX_OP(op, oparg, cmp, cmparg)`): op in
/// bits 28..31, cmp in 24..27, oparg in 12..23, cmparg in 0..11.
pub const fn futex_op(op: u32, oparg: u32, cmp: u32, cmparg: u32) -> u32 {
    ((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff)
}
