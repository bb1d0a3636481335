//! `svc #0` from EL0: the arm64 syscall convention (Linux `arch/arm64/kernel/syscall.c`
//! `el0_svc_common`, `do_el0_svc`). The number is in x8, the arguments in x0-x5, the
//! result goes back in x0; which handler runs is the generic table's business
//! (`syscall/mod.rs` `invoke_syscall`). This is the one place arch code calls the
//! syscall layer, as Linux's arm64 code reaches `sys_call_table` only here.
//!
//! Simplified: no syscall tracing or seccomp, no `syscall_trace_enter`.

use super::trap::TrapFrame;

/// Handle `svc #0` from EL0 (Linux `do_el0_svc` -> `el0_svc_common`). Only the low 32
/// bits of x8 count: Linux passes the number on as an `unsigned int`. `orig_x0` keeps the
/// first argument for a restart, since the result overwrites x0.
pub fn do_el0_svc(frame: &mut TrapFrame) {
    let nr = frame.regs[8] as u32 as usize;
    frame.syscallno = nr as u64;
    frame.orig_x0 = frame.regs[0];
    frame.regs[0] = match crate::syscall::invoke_syscall(nr, frame) {
        Ok(v) => v as u64,
        Err(e) => e.as_syscall_ret(),
    };
}
