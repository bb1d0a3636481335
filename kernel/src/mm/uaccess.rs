//! Reading and writing user memory from the kernel (Linux `copy_from_user`,
//! `copy_to_user`, `strncpy_from_user`, `clear_user` in `include/linux/uaccess.h` and
//! `lib/strncpy_from_user.c`).
//!
//! Every user pointer a syscall receives goes through here.
//! `access_ok` rejects ranges that leave the user half; the copy itself runs with EL0's
//! permissions and turns any fault it cannot resolve into `EFAULT` (see
//! `arch/aarch64/uaccess.rs`). A bad pointer is the user's mistake, never a kernel crash.

use crate::arch::uaccess as arch;
use crate::errno::{Errno, KResult};
use crate::mm::layout::TASK_SIZE;
use alloc::vec::Vec;

/// Does `[addr, addr + len)` lie in the user half (Linux `access_ok`)?
pub fn access_ok(addr: usize, len: usize) -> bool {
    addr.checked_add(len).is_some_and(|end| end <= TASK_SIZE)
}

/// Fill `dst` from user address `src` (Linux `copy_from_user`).
pub fn copy_from_user(dst: &mut [u8], src: usize) -> KResult<()> {
    if !access_ok(src, dst.len()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: dst is a valid buffer of dst.len() bytes; the source range was checked.
    match unsafe { arch::raw_copy_from_user(dst.as_mut_ptr(), src, dst.len()) } {
        0 => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// Write `src` to user address `dst` (Linux `copy_to_user`).
pub fn copy_to_user(dst: usize, src: &[u8]) -> KResult<()> {
    if !access_ok(dst, src.len()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: src is a valid buffer; the destination range was checked.
    match unsafe { arch::raw_copy_to_user(dst, src.as_ptr(), src.len()) } {
        0 => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// How many bytes from `addr` (at most `len`) a copy reaches before the first page it
/// cannot load from (or, with `write`, store to). Linux's copy loops stop at that fault
/// and `read`/`write` return the short count, EFAULT only when nothing was copied
/// (`copy_page_to_iter` and friends); Linnet asks first, because a read consumes its
/// data before copying it out. `addr` and each later page start are probed (a store
/// probe writes back the byte it read, which nothing else can change in between: one
/// CPU, a kernel not preempted).
pub fn user_prefix(addr: usize, len: usize, write: bool) -> usize {
    use crate::mm::layout::PAGE_SIZE;
    let end = addr.saturating_add(len).min(TASK_SIZE);
    let mut page = addr;
    while page < end {
        let ok = match get_user::<u8>(page) {
            Ok(v) => !write || put_user(page, v).is_ok(),
            Err(_) => false,
        };
        if !ok {
            return page - addr;
        }
        page = (page & !(PAGE_SIZE - 1)) + PAGE_SIZE;
    }
    end.saturating_sub(addr)
}

/// Fill as much of `dst` as the user memory at `src` allows (see `user_prefix`): the
/// bytes copied, or EFAULT if not even the first could be (Linux `copy_from_user`'s
/// "bytes not copied" result, as `write` uses it).
pub fn copy_from_user_prefix(dst: &mut [u8], src: usize) -> KResult<usize> {
    if copy_from_user(dst, src).is_ok() {
        return Ok(dst.len());
    }
    let n = user_prefix(src, dst.len(), false);
    if n == 0 {
        return Err(Errno::EFAULT);
    }
    copy_from_user(&mut dst[..n], src)?;
    Ok(n)
}

/// Zero `len` bytes at user address `dst` (Linux `clear_user`).
pub fn clear_user(dst: usize, len: usize) -> KResult<()> {
    if !access_ok(dst, len) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: the destination range was checked.
    match unsafe { arch::raw_clear_user(dst, len) } {
        0 => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// Types that may be copied to and from user memory as raw bytes: plain data with no
/// padding-dependent invariants and no pointers the kernel would trust.
///
/// # Safety
/// Every bit pattern must be a valid value of the type.
pub unsafe trait UserPod: Copy {}
// SAFETY: integers accept every bit pattern.
unsafe impl UserPod for u8 {}
// SAFETY: as above.
unsafe impl UserPod for u16 {}
// SAFETY: as above.
unsafe impl UserPod for u32 {}
// SAFETY: as above.
unsafe impl UserPod for u64 {}
// SAFETY: as above.
unsafe impl UserPod for i32 {}
// SAFETY: as above.
unsafe impl UserPod for i64 {}
// SAFETY: as above.
unsafe impl UserPod for usize {}
// SAFETY: arrays of plain data are plain data.
unsafe impl<T: UserPod, const N: usize> UserPod for [T; N] {}

/// Read one value from user memory (Linux `get_user`).
pub fn get_user<T: UserPod>(src: usize) -> KResult<T> {
    let mut v = core::mem::MaybeUninit::<T>::uninit();
    // SAFETY: the slice covers exactly the bytes of `v`.
    let bytes = unsafe {
        core::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut u8, core::mem::size_of::<T>())
    };
    copy_from_user(bytes, src)?;
    // SAFETY: all bytes were written, and T accepts any bit pattern (UserPod).
    Ok(unsafe { v.assume_init() })
}

/// Write one value to user memory (Linux `put_user`).
pub fn put_user<T: UserPod>(dst: usize, v: T) -> KResult<()> {
    // SAFETY: reads exactly the bytes of `v`, which is plain data.
    let bytes = unsafe {
        core::slice::from_raw_parts(&v as *const T as *const u8, core::mem::size_of::<T>())
    };
    copy_to_user(dst, bytes)
}

/// Copy a NUL-terminated string of at most `max` bytes (NUL excluded) from user memory
/// (Linux `strncpy_from_user` + `getname`): EFAULT for a bad pointer, ENAMETOOLONG when
/// no NUL comes within `max` bytes. The result is bytes, not a Rust `String`: to Linux a
/// path or an argument is any bytes but NUL, UTF-8 or not.
pub fn strncpy_from_user(src: usize, max: usize) -> KResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 64];
    let mut addr = src;
    loop {
        // Read up to the end of the page, so a string ending just before an unmapped page
        // does not fault.
        let page_left = crate::mm::layout::PAGE_SIZE - (addr % crate::mm::layout::PAGE_SIZE);
        let n = chunk.len().min(page_left);
        copy_from_user(&mut chunk[..n], addr)?;
        if let Some(i) = chunk[..n].iter().position(|&b| b == 0) {
            if out.len() + i > max {
                return Err(Errno::ENAMETOOLONG);
            }
            out.extend_from_slice(&chunk[..i]);
            return Ok(out);
        }
        out.extend_from_slice(&chunk[..n]);
        if out.len() > max {
            return Err(Errno::ENAMETOOLONG);
        }
        addr += n;
    }
}
