//! The alternate signal stack (`sigaltstack`): where a handler runs when the thread
//! asked for its own stack, and what `sigaltstack` and the frame's `uc_stack` report
//! (Linux `kernel/signal.c` `do_sigaltstack`, `include/linux/sched/signal.h`
//! `on_sig_stack` and `sas_ss_flags`). The syscall is `syscall/signal.rs`; the arm64
//! frame that uses it is `arch/aarch64/signal.rs`.

use crate::arch::sigframe::StackT;
use crate::errno::{Errno, KResult};
use crate::task::sched::current;

pub use uapi::signal::{MINSIGSTKSZ, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK};

/// Is `sp` on the current thread's alternate stack (Linux `on_sig_stack`)? The stack
/// grows down, so its top address counts and its bottom does not. With SS_AUTODISARM
/// the answer is no: the stack was forgotten when the handler started on it.
pub fn on_sig_stack(sp: u64) -> bool {
    let cur = current();
    let inner = cur.inner.lock();
    inner.sas_ss_flags & SS_AUTODISARM == 0
        && sp > inner.sas_ss_sp
        && sp - inner.sas_ss_sp <= inner.sas_ss_size
}

/// The flags sigaltstack and `uc_stack` report for stack pointer `sp` (Linux
/// `sas_ss_flags`): SS_DISABLE without a stack, SS_ONSTACK while on it, else 0.
pub fn sas_ss_flags(sp: u64) -> i32 {
    if current().inner.lock().sas_ss_size == 0 {
        SS_DISABLE
    } else if on_sig_stack(sp) {
        SS_ONSTACK
    } else {
        0
    }
}

/// Set and/or report the alternate signal stack (Linux `do_sigaltstack`): EPERM while
/// running on it, EINVAL for unknown flags, ENOMEM for a stack smaller than `min_size`.
/// `sp` is the caller's user stack pointer.
pub fn do_sigaltstack(new: Option<StackT>, sp: u64, min_size: u64) -> KResult<StackT> {
    let cur = current();
    let old = {
        let inner = cur.inner.lock();
        StackT {
            ss_sp: inner.sas_ss_sp,
            ss_flags: inner.sas_ss_flags,
            _pad: 0,
            ss_size: inner.sas_ss_size,
        }
    };
    let reported = StackT {
        ss_flags: sas_ss_flags(sp) | (old.ss_flags & SS_AUTODISARM),
        ..old
    };
    if let Some(ss) = new {
        if on_sig_stack(sp) {
            return Err(Errno::EPERM);
        }
        let mode = ss.ss_flags & !SS_AUTODISARM;
        if mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0 {
            return Err(Errno::EINVAL);
        }
        if ss.ss_sp == old.ss_sp && ss.ss_size == old.ss_size && ss.ss_flags == old.ss_flags {
            return Ok(reported);
        }
        let (sp, size) = if mode == SS_DISABLE {
            (0, 0)
        } else if ss.ss_size < min_size {
            return Err(Errno::ENOMEM);
        } else {
            (ss.ss_sp, ss.ss_size)
        };
        let mut inner = cur.inner.lock();
        inner.sas_ss_sp = sp;
        inner.sas_ss_size = size;
        inner.sas_ss_flags = ss.ss_flags;
    }
    Ok(reported)
}
