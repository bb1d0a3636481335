//! Resource limits: getrlimit, setrlimit, prlimit64.
//!
//! The kernel side is `kernel/src/syscall/resource.rs`. A limit is a pair: the soft limit
//! (`cur`), which the kernel enforces, and the hard limit (`max`), the ceiling for it.
//! The numbers are Linux's (`include/uapi/asm-generic/resource.h`).

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall2, syscall4};

/// "No limit" (RLIM_INFINITY).
pub use uapi::resource::RLIM_INFINITY;
/// RLIMIT_DATA: the heap and other private writable memory, in bytes.
pub const RLIMIT_DATA: u32 = uapi::resource::RLIMIT_DATA as u32;
/// RLIMIT_STACK: the main thread's stack, in bytes.
pub const RLIMIT_STACK: u32 = uapi::resource::RLIMIT_STACK as u32;
/// RLIMIT_CORE: core dump size, in bytes.
pub const RLIMIT_CORE: u32 = uapi::resource::RLIMIT_CORE as u32;
/// RLIMIT_NOFILE: open file descriptors.
pub const RLIMIT_NOFILE: u32 = uapi::resource::RLIMIT_NOFILE as u32;
/// RLIMIT_AS: address space, in bytes.
pub const RLIMIT_AS: u32 = uapi::resource::RLIMIT_AS as u32;
/// Number of limits (RLIM_NLIMITS); higher resource numbers are EINVAL.
pub const RLIM_NLIMITS: u32 = uapi::resource::RLIM_NLIMITS as u32;

/// One limit (`struct rlimit` on 64-bit).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rlimit {
    /// The soft limit.
    pub cur: u64,
    /// The hard limit.
    pub max: u64,
}

/// getrlimit(2).
pub fn getrlimit(resource: u32) -> SysResult<Rlimit> {
    let mut r = Rlimit::default();
    // SAFETY: the kernel writes one struct rlimit into r, which we own.
    check(unsafe {
        syscall2(
            nr::__NR_getrlimit,
            resource as usize,
            &mut r as *mut Rlimit as usize,
        )
    })?;
    Ok(r)
}

/// setrlimit(2).
pub fn setrlimit(resource: u32, r: &Rlimit) -> SysResult {
    // SAFETY: the kernel only reads *r.
    check(unsafe {
        syscall2(
            nr::__NR_setrlimit,
            resource as usize,
            r as *const Rlimit as usize,
        )
    })
}

/// prlimit64(2): process `pid`'s (0: ours) limit `resource`; sets `new` if given and
/// returns the limit from before.
pub fn prlimit64(pid: i32, resource: u32, new: Option<&Rlimit>) -> SysResult<Rlimit> {
    let mut old = Rlimit::default();
    let new = new.map_or(0, |r| r as *const Rlimit as usize);
    // SAFETY: the kernel reads *new (if not null) and writes one struct into old.
    check(unsafe {
        syscall4(
            nr::__NR_prlimit64,
            pid as usize,
            resource as usize,
            new,
            &mut old as *mut Rlimit as usize,
        )
    })?;
    Ok(old)
}
