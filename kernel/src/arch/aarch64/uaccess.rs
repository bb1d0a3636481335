//! The instructions that touch user memory from the kernel (Linux
//! `arch/arm64/lib/copy_from_user.S`, `copy_to_user.S`, `clear_user.S` and the exception
//! table in `asm/extable.h`).
//!
//! The loops use `ldtrb`/`sttrb`, the "unprivileged" loads and stores: executed at EL1 they
//! are checked with EL0's permissions, so a user pointer into the kernel or into a
//! read-only user page faults exactly as the user's own access would. A fault inside
//! `[__uaccess_start, __uaccess_end)` is not a kernel bug: `trap.rs` first tries to
//! resolve it as a user page fault (demand paging, copy-on-write) and otherwise resumes at
//! `__uaccess_fixup`, which returns the number of bytes not copied (x2). Linux keeps one
//! fixup entry per instruction in `__ex_table`; one range and one fixup suffice here
//! because every routine keeps its remaining count in x2.

core::arch::global_asm!(
    ".section .text",
    ".balign 16",
    ".global __uaccess_start",
    "__uaccess_start:",
    // __arch_copy_from_user(to: x0, from: x1 (user), n: x2) -> bytes not copied
    ".global __arch_copy_from_user",
    "__arch_copy_from_user:",
    "  cbz x2, 2f",
    "1: ldtrb w3, [x1]",
    "  strb w3, [x0], #1",
    "  add x1, x1, #1",
    "  subs x2, x2, #1",
    "  b.ne 1b",
    "2: mov x0, x2",
    "  ret",
    // __arch_copy_to_user(to: x0 (user), from: x1, n: x2) -> bytes not copied
    ".global __arch_copy_to_user",
    "__arch_copy_to_user:",
    "  cbz x2, 2f",
    "1: ldrb w3, [x1], #1",
    "  sttrb w3, [x0]",
    "  add x0, x0, #1",
    "  subs x2, x2, #1",
    "  b.ne 1b",
    "2: mov x0, x2",
    "  ret",
    // __arch_clear_user(to: x0 (user), n: x2) -> bytes not cleared
    ".global __arch_clear_user",
    "__arch_clear_user:",
    "  cbz x2, 2f",
    "1: sttrb wzr, [x0]",
    "  add x0, x0, #1",
    "  subs x2, x2, #1",
    "  b.ne 1b",
    "2: mov x0, x2",
    "  ret",
    ".global __uaccess_fixup",
    "__uaccess_fixup:",
    "  mov x0, x2",
    "  ret",
    ".global __uaccess_end",
    "__uaccess_end:",
);

extern "C" {
    fn __arch_copy_from_user(to: *mut u8, from: usize, n: usize) -> usize;
    fn __arch_copy_to_user(to: usize, from: *const u8, n: usize) -> usize;
    fn __arch_clear_user(to: usize, unused: usize, n: usize) -> usize;
    static __uaccess_start: u8;
    static __uaccess_end: u8;
    static __uaccess_fixup: u8;
}

/// Copy `n` bytes from user address `from`; returns how many could not be copied.
///
/// # Safety
/// `to` must be valid for `n` bytes of writes; `from..from+n` must lie below TASK_SIZE.
pub unsafe fn raw_copy_from_user(to: *mut u8, from: usize, n: usize) -> usize {
    // SAFETY: the caller's contract; faults on `from` are fixed up, not fatal.
    unsafe { __arch_copy_from_user(to, from, n) }
}

/// Copy `n` bytes to user address `to`; returns how many could not be copied.
///
/// # Safety
/// `from` must be valid for `n` bytes of reads; `to..to+n` must lie below TASK_SIZE.
pub unsafe fn raw_copy_to_user(to: usize, from: *const u8, n: usize) -> usize {
    // SAFETY: the caller's contract.
    unsafe { __arch_copy_to_user(to, from, n) }
}

/// Zero `n` bytes at user address `to`; returns how many could not be zeroed.
///
/// # Safety
/// `to..to+n` must lie below TASK_SIZE.
pub unsafe fn raw_clear_user(to: usize, n: usize) -> usize {
    // SAFETY: the caller's contract.
    unsafe { __arch_clear_user(to, 0, n) }
}

/// If `pc` is inside the user-access routines, where to resume after a failed access.
pub fn fixup_for(pc: u64) -> Option<u64> {
    use core::ptr::addr_of;
    let (start, end) = (
        addr_of!(__uaccess_start) as u64,
        addr_of!(__uaccess_end) as u64,
    );
    (start..end)
        .contains(&pc)
        .then_some(addr_of!(__uaccess_fixup) as u64)
}
