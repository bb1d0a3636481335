//! Running a user signal handler and coming back from it (Linux
//! `arch/arm64/kernel/signal.c`: `do_signal`, `handle_signal`, `setup_rt_frame`,
//! `get_sigframe`, `setup_return`, `sys_rt_sigreturn`, `restore_sigframe`).
//!
//! On the way back to EL0 (`trap.rs`, `exit_to_user_mode`):
//!
//! ```text
//! do_signal
//!   a syscall was interrupted (x0 = -ERESTART*)? point pc back at the svc, x0 = orig_x0
//!   get_signal (task/signal.rs): default actions happen there; a handler comes back
//!   handler:  undo the restart into EINTR unless SA_RESTART allows it
//!             handle_signal -> setup_rt_frame: rt_sigframe on the user stack (or the
//!             alternate stack), then pc = handler, x0 = sig, x1 = &info, x2 = &uc,
//!             x30 = restorer (or the vDSO's), sp = the frame; block sa_mask (and sig itself)
//!   none:     the syscall restarts (pc was already moved back)
//! the handler returns to the restorer: mov x8, #139; svc #0
//! sys_rt_sigreturn: registers, FP/SIMD, blocked mask and alternate stack from the
//!                   frame; a frame that asks for privilege is a bad frame: SIGSEGV
//! ```
//!
//! A handler installed without SA_RESTORER (glibc does that on arm64) returns to the
//! vDSO's `__kernel_rt_sigreturn`, as in Linux's `setup_return` (`arch/aarch64/vdso`).
//! Simplified: no single-step or BTI handling.

use super::context::{fpsimd_load, fpsimd_save, FpsimdState};
use super::sigframe::{self, RtSigframe};
use super::trap::{TrapFrame, NO_SYSCALL};
use crate::errno::{Errno, KResult};
use crate::mm::uaccess;
use crate::task::sched::current;
use crate::task::sigaltstack::{do_sigaltstack, sas_ss_flags, MINSIGSTKSZ, SS_AUTODISARM};
use crate::task::signal::{
    force_sig, force_sigsegv, get_signal, KSignal, SigDisposition, SigSet, SA_NODEFER, SA_ONSTACK,
    SA_RESTART, SA_RESTORER, SA_SIGINFO, SIGSEGV,
};

/// Act on pending signals before returning to EL0 (Linux `do_signal`). Returns true
/// when a handler frame was set up (the caller looks again: another signal may be
/// due), false when there is nothing (more) to do.
pub fn do_signal(regs: &mut TrapFrame) -> bool {
    // A syscall that a signal interrupted asked to be restarted: prepare the restart
    // now (pc back at the svc, the first argument back in x0), undo it below if a
    // handler forbids it. Only once per syscall: forget_syscall.
    let mut restart = None;
    if regs.syscallno != NO_SYSCALL {
        // An error is -1..-4095 in x0 (Linux `IS_ERR_VALUE`); anything else is a result.
        let x0 = regs.regs[0] as i64;
        let err = (-4095..0).contains(&x0).then(|| Errno(-x0 as i32));
        regs.syscallno = NO_SYSCALL;
        if let Some(ret) = err.filter(|e| e.is_restart()) {
            restart = Some((ret, regs.pc));
            regs.regs[0] = regs.orig_x0;
            regs.pc = regs.pc.wrapping_sub(4);
        }
    }
    match get_signal() {
        Some(ksig) => {
            if let Some((ret, continue_addr)) = restart {
                let no_restart = ret == Errno::ERESTARTNOHAND
                    || (ret == Errno::ERESTARTSYS && ksig.ka.extra.flags & SA_RESTART == 0);
                if no_restart {
                    regs.regs[0] = Errno::EINTR.as_syscall_ret();
                    regs.pc = continue_addr;
                }
            }
            handle_signal(&ksig, regs);
            true
        }
        None => {
            // No handler ran: rt_sigsuspend's caller gets its mask back (Linux
            // `restore_saved_sigmask`); the syscall, if any, restarts.
            let cur = current();
            let mut inner = cur.inner.lock();
            if let Some(saved) = inner.saved_sigmask.take() {
                inner.blocked = saved;
            }
            false
        }
    }
}

/// Set up the handler's frame and registers, then block what the handler blocks
/// (Linux `handle_signal` + `signal_setup_done`). A frame that cannot be written (no
/// stack left, a bad sp) means SIGSEGV instead.
fn handle_signal(ksig: &KSignal, regs: &mut TrapFrame) {
    let cur = current();
    // The mask to restore at rt_sigreturn: rt_sigsuspend's saved one, if it is waiting
    // (Linux `sigmask_to_save`).
    let oldset = {
        let inner = cur.inner.lock();
        inner.saved_sigmask.unwrap_or(inner.blocked)
    };
    let sig = ksig.info.signo;
    if setup_rt_frame(ksig, oldset, regs).is_err() {
        log::debug!(
            "pid {} ({}): no room for the {} frame below sp 0x{:x}",
            cur.pid(),
            cur.comm(),
            crate::task::signal::signame(sig),
            regs.sp
        );
        return force_sigsegv(sig);
    }
    // signal_delivered: block what the handler blocks; SS_AUTODISARM forgets the
    // alternate stack while the handler runs (the frame keeps it for rt_sigreturn).
    let mut inner = cur.inner.lock();
    inner.saved_sigmask = None;
    let mut blocked = SigSet(inner.blocked.0 | ksig.ka.extra.mask.0);
    if ksig.ka.extra.flags & SA_NODEFER == 0 {
        blocked.add(sig);
    }
    inner.blocked = blocked.without_kernel_only();
    if inner.sas_ss_flags & SS_AUTODISARM != 0 {
        inner.sas_ss_sp = 0;
        inner.sas_ss_size = 0;
    }
}

/// Where the frame goes (Linux `sigsp`): the top of the alternate stack if the handler
/// wants it (SA_ONSTACK), one is set, and we are not already on it; else below sp.
fn sigsp(sp: u64, ksig: &KSignal) -> u64 {
    if ksig.ka.extra.flags & SA_ONSTACK != 0 && sas_ss_flags(sp) == 0 {
        let cur = current();
        let inner = cur.inner.lock();
        // A stack the user placed at the very top of the address space would wrap:
        // the frame then lands nowhere valid and the handler gets SIGSEGV instead.
        inner.sas_ss_sp.wrapping_add(inner.sas_ss_size)
    } else {
        sp
    }
}

/// Build the `rt_sigframe` on the user stack and point the registers at the handler
/// (Linux `setup_rt_frame` + `setup_sigframe` + `setup_return`).
fn setup_rt_frame(ksig: &KSignal, oldset: SigSet, regs: &mut TrapFrame) -> KResult<()> {
    let (frame_addr, record_addr) =
        sigframe::sigframe_addrs(sigsp(regs.sp, ksig)).ok_or(Errno::EFAULT)?;
    let mut frame = RtSigframe::new_boxed();
    let info = &ksig.info;
    if ksig.ka.extra.flags & SA_SIGINFO != 0 {
        frame.info = info.to_user();
    }
    // __save_altstack: the alternate stack as it is now (rt_sigreturn restores it).
    {
        let cur = current();
        let inner = cur.inner.lock();
        frame.uc.uc_stack.ss_sp = inner.sas_ss_sp;
        frame.uc.uc_stack.ss_size = inner.sas_ss_size;
        frame.uc.uc_stack.ss_flags = inner.sas_ss_flags;
    }
    frame.uc.uc_sigmask = oldset.0;
    let mc = &mut frame.uc.uc_mcontext;
    mc.regs = regs.regs;
    mc.sp = regs.sp;
    mc.pc = regs.pc;
    mc.pstate = regs.pstate;
    let fault = info.is_fault();
    mc.fault_address = if fault { info.addr } else { 0 };
    let mut fp = FpsimdState::default();
    fpsimd_save(&mut fp);
    sigframe::write_records(&mut mc.__reserved, &fp, fault.then_some(info.esr));
    uaccess::copy_to_user(frame_addr as usize, frame.as_bytes())?;
    // The frame record lets a debugger or unwinder walk from the handler back into the
    // interrupted code.
    uaccess::put_user(record_addr as usize, [regs.regs[29], regs.regs[30]])?;

    let SigDisposition::Handler(handler) = ksig.ka.handler else {
        return Err(Errno::EINVAL);
    };
    regs.regs[0] = info.signo as u64;
    if ksig.ka.extra.flags & SA_SIGINFO != 0 {
        regs.regs[1] = frame_addr + core::mem::offset_of!(RtSigframe, info) as u64;
        regs.regs[2] = frame_addr + core::mem::offset_of!(RtSigframe, uc) as u64;
    }
    regs.sp = frame_addr;
    regs.regs[29] = record_addr;
    // setup_return: the handler returns to sa_restorer, or without SA_RESTORER to the
    // vDSO's __kernel_rt_sigreturn (0 if the program unmapped the vDSO: SIGSEGV).
    regs.regs[30] = if ksig.ka.extra.flags & SA_RESTORER != 0 {
        ksig.ka.extra.restorer
    } else {
        let mm = current().inner.lock().mm.clone();
        mm.and_then(|mm| super::vdso::vdso_sigtramp(&mm.lock()))
            .unwrap_or(0)
    };
    regs.pc = handler;
    Ok(())
}

/// rt_sigreturn() (Linux arm64 `sys_rt_sigreturn`): the handler has returned through
/// its restorer with sp at the frame. Restore everything from the frame (which the
/// handler may have edited) and return x0 as it was, so the interrupted code sees no
/// syscall at all. A misaligned sp or a frame that does not parse: SIGSEGV.
pub fn sys_rt_sigreturn(regs: &mut TrapFrame) -> KResult<usize> {
    regs.syscallno = NO_SYSCALL; // forget_syscall: never restart rt_sigreturn itself
    match restore_sigframe(regs) {
        Ok(()) => Ok(regs.regs[0] as usize),
        Err(()) => {
            let cur = current();
            log::debug!(
                "pid {} ({}): bad signal frame at sp 0x{:x}",
                cur.pid(),
                cur.comm(),
                regs.sp
            );
            force_sig(SIGSEGV);
            Ok(regs.regs[0] as usize)
        }
    }
}

/// Read the frame at sp back into the registers (Linux `restore_sigframe`). Nothing
/// changes unless the whole frame is valid.
fn restore_sigframe(regs: &mut TrapFrame) -> Result<(), ()> {
    let addr = regs.sp;
    if !addr.is_multiple_of(16) {
        return Err(());
    }
    let mut frame = RtSigframe::new_boxed();
    uaccess::copy_from_user(frame.as_bytes_mut(), addr as usize).map_err(|_| ())?;
    let mc = &frame.uc.uc_mcontext;
    let pstate = sigframe::valid_user_pstate(mc.pstate).ok_or(())?;
    let fp = sigframe::parse_records(&mc.__reserved).ok_or(())?;
    regs.regs = mc.regs;
    regs.sp = mc.sp;
    regs.pc = mc.pc;
    regs.pstate = pstate;
    fpsimd_load(&fp);
    current().inner.lock().blocked = SigSet(frame.uc.uc_sigmask).without_kernel_only();
    // restore_altstack: errors other than a fault are ignored, as in Linux.
    let _ = do_sigaltstack(Some(frame.uc.uc_stack), regs.sp, MINSIGSTKSZ);
    Ok(())
}
