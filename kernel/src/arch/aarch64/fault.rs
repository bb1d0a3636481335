//! A data or instruction abort: what the syndrome says was accessed, and the signal a
//! fault that cannot be resolved earns (Linux `arch/arm64/mm/fault.c`: `do_mem_abort`,
//! `do_page_fault`, `do_translation_fault`, `arm64_force_sig_fault`). Resolving the fault
//! is generic: `mm/fault.rs` `handle_mm_fault`.
//!
//! Simplified: one handler for translation, permission and access-flag faults (Linux
//! dispatches on the fault status code through `fault_info[]`); no kprobes, no
//! uaccess-from-kernel-address fixups beyond "return EFAULT".

use super::esr::{Esr, FaultKind};
use super::trap::TrapFrame;
use crate::mm::fault::{handle_mm_fault, Access, VmFault};
use crate::mm::{layout, oom_kill};

/// A data or instruction abort from EL0 (Linux `do_mem_abort` -> `do_page_fault`):
/// resolve it, or send the signal the fault deserves. Alignment and external aborts are
/// SIGBUS; a fault the VMAs do not allow is SIGSEGV; no memory is SIGKILL.
pub fn do_mem_abort(far: usize, esr: Esr, frame: &TrapFrame) {
    use crate::task::siginfo::{BUS_ADRALN, BUS_ADRERR, BUS_OBJERR, SEGV_ACCERR, SEGV_MAPERR};
    use crate::task::signal::{force_sig, force_sig_fault, SIGBUS, SIGKILL, SIGSEGV};
    let cur = crate::task::sched::current();
    let kind = esr.abort().map(|a| a.kind);
    let (sig, code) = match kind {
        Some(FaultKind::Translation | FaultKind::Permission | FaultKind::AccessFlag) => {
            let access = if esr.is_instruction_abort() {
                Access::Exec
            } else if esr.fault_is_write() {
                Access::Write
            } else {
                Access::Read
            };
            let Some(mm) = cur.inner.lock().mm.clone() else {
                return force_sig(SIGSEGV);
            };
            let r = handle_mm_fault(&mut mm.lock(), far, access);
            match r {
                Ok(()) => return,
                // Linux `pagefault_out_of_memory`: the OOM killer chooses the biggest
                // process (never init); unless that is this one, give the victim a
                // moment to exit (Linux: `schedule_timeout_killable(1)`, a jiffy) and
                // let the access fault again once its memory is back.
                Err(VmFault::Oom) => match oom_kill::out_of_memory() {
                    oom_kill::OomOutcome::Retry => {
                        let now = crate::drivers::timer::uptime_ns();
                        crate::task::sched::sleep_until(now + 1_000_000);
                        return;
                    }
                    oom_kill::OomOutcome::KillCurrent => (SIGKILL, 0),
                },
                Err(VmFault::SigBus) => (SIGBUS, BUS_ADRERR),
                Err(VmFault::MapErr) => (SIGSEGV, SEGV_MAPERR),
                Err(VmFault::AccErr) => (SIGSEGV, SEGV_ACCERR),
            }
        }
        Some(FaultKind::Alignment) => (SIGBUS, BUS_ADRALN),
        _ => (SIGBUS, BUS_OBJERR),
    };
    log::debug!(
        "pid {} ({}): {} at 0x{:x}, pc 0x{:x}, {}",
        cur.pid(),
        cur.comm(),
        crate::task::signal::signame(sig),
        far,
        frame.pc,
        esr
    );
    if sig == SIGKILL {
        return force_sig(SIGKILL); // out_of_memory has said so
    }
    force_sig_fault(sig, code, far as u64, esr.0);
}

/// A kernel access to user memory (inside `uaccess`) faulted: resolve it as the user's
/// own access would be (Linux `do_page_fault` for a kernel-mode fault on a user address
/// with an exception-table entry). Err means "return EFAULT".
pub fn do_user_fault_from_kernel(far: usize, esr: Esr) -> Result<(), VmFault> {
    if !layout::is_user_addr(far) {
        return Err(VmFault::MapErr);
    }
    match esr.abort().map(|a| a.kind) {
        Some(FaultKind::Translation | FaultKind::Permission | FaultKind::AccessFlag) => {}
        _ => return Err(VmFault::MapErr),
    }
    let access = if esr.fault_is_write() {
        Access::Write
    } else {
        Access::Read
    };
    let cur = crate::task::sched::current();
    let mm = cur.inner.lock().mm.clone().ok_or(VmFault::MapErr)?;
    let r = handle_mm_fault(&mut mm.lock(), far, access);
    r
}
