//! Exception handling in Rust: the `TrapFrame` that `entry.S` saves, the handlers it
//! calls, and the report printed when the kernel meets an exception it did not expect.
//!
//! Mirrors Linux `arch/arm64/kernel/entry-common.c` (`el1h_64_sync_handler`,
//! `el0t_64_sync_handler`, ...), `traps.c` (`die`, `bad_mode`) and `process.c`
//! (`__show_regs`). Simplified: one CPU, no nested-exception bookkeeping; everything the
//! kernel does not handle yet ends in a report and a panic.
//!
//! Read next: `esr.rs` (what the syndrome means), `drivers/irq.rs` (interrupts).

use super::esr::{self, Esr};
use super::{backtrace, cpu};
use crate::mm::layout;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};

/// Registers of the interrupted context, saved by `kernel_entry` in `entry.S`
/// (Linux `struct pt_regs`). The assembly reads its layout from `asm_offsets.rs`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct TrapFrame {
    /// x0 to x30 (x29 is the frame pointer, x30 the link register).
    pub regs: [u64; 31],
    /// The interrupted stack pointer (SP_EL0 for user, the kernel's sp for EL1).
    pub sp: u64,
    /// Where to return: ELR_EL1.
    pub pc: u64,
    /// The saved PSTATE: SPSR_EL1.
    pub pstate: u64,
    /// x0 at entry: a syscall's first argument survives the return value overwriting x0.
    pub orig_x0: u64,
    /// The syscall number of this entry, if it was one.
    pub syscallno: u64,
}

/// `TrapFrame::syscallno` when the entry was not a syscall, or the syscall is forgotten
/// so it will not be restarted (Linux `NO_SYSCALL`, -1).
pub const NO_SYSCALL: u64 = u64::MAX;

/// EL1 synchronous exception. A fault inside the user-access routines is the user's
/// bad pointer (or a page not there yet): resolve it as a user page fault or return
/// EFAULT through the fixup. Anything else is a kernel bug: report and stop.
#[no_mangle]
extern "C" fn el1h_sync_handler(frame: &mut TrapFrame) {
    let esr = Esr(cpu::read_esr());
    let far = cpu::read_far();
    if esr.is_data_abort() {
        if let Some(fixup) = super::uaccess::fixup_for(frame.pc) {
            if super::fault::do_user_fault_from_kernel(far as usize, esr).is_ok() {
                return; // the page is there now: retry the access
            }
            frame.pc = fixup;
            return;
        }
    }
    die("Oops", frame, Some((esr, far)));
}

/// EL1 interrupt: only the idle loop runs with interrupts unmasked in the kernel.
#[no_mangle]
extern "C" fn el1h_irq_handler(_frame: &mut TrapFrame) {
    crate::drivers::irq::handle_irq(false);
}

/// EL0 synchronous exception (Linux `el0t_64_sync_handler`): a syscall, a page fault,
/// or an instruction the program may not run. Afterwards, pending work before
/// returning: a reschedule, a fatal signal.
#[no_mangle]
extern "C" fn el0_sync_handler(frame: &mut TrapFrame) {
    let esr = Esr(cpu::read_esr());
    let far = cpu::read_far();
    frame.syscallno = NO_SYSCALL; // do_el0_svc sets it for a syscall
    match esr.ec() {
        esr::ESR_ELX_EC_SVC64 => super::syscall::do_el0_svc(frame),
        esr::ESR_ELX_EC_DABT_LOW | esr::ESR_ELX_EC_IABT_LOW => {
            super::fault::do_mem_abort(far as usize, esr, frame)
        }
        esr::ESR_ELX_EC_PC_ALIGN | esr::ESR_ELX_EC_SP_ALIGN => {
            user_fault(frame, esr, far, crate::task::signal::SIGBUS)
        }
        esr::ESR_ELX_EC_BRK64 => user_fault(frame, esr, far, crate::task::signal::SIGTRAP),
        esr::ESR_ELX_EC_FP_EXC64 => user_fault(frame, esr, far, crate::task::signal::SIGFPE),
        // An `mrs` of an ID register (HWCAP_CPUID): emulated as Linux does.
        esr::ESR_ELX_EC_UNKNOWN | esr::ESR_ELX_EC_SYS64
            if super::cpufeature::do_emulate_mrs(frame, esr) => {}
        _ => user_fault(frame, esr, far, crate::task::signal::SIGILL),
    }
    exit_to_user_mode(frame);
}

/// EL0 interrupt (Linux `el0t_64_irq_handler`).
#[no_mangle]
extern "C" fn el0_irq_handler(frame: &mut TrapFrame) {
    frame.syscallno = NO_SYSCALL;
    crate::drivers::irq::handle_irq(true);
    exit_to_user_mode(frame);
}

/// A user program did something only a signal can answer (Linux `arm64_force_sig_fault`
/// via `do_el0_undef` and friends). `si_addr` is the faulting address for a misaligned
/// pc or sp, the instruction's address otherwise; the codes are Linux's.
fn user_fault(frame: &TrapFrame, esr: Esr, far: u64, sig: i32) {
    use crate::task::siginfo::{BUS_ADRALN, FPE_FLTUNK, ILL_ILLOPC, TRAP_BRKPT};
    use crate::task::signal::{SIGBUS, SIGFPE, SIGTRAP};
    let (code, addr) = match sig {
        SIGBUS => (BUS_ADRALN, far),
        SIGTRAP => (TRAP_BRKPT, frame.pc),
        SIGFPE => (FPE_FLTUNK, frame.pc),
        _ => (ILL_ILLOPC, frame.pc),
    };
    let cur = crate::task::sched::current();
    log::debug!(
        "pid {} ({}): {} at pc 0x{:x}, {} (FAR 0x{:x})",
        cur.pid(),
        cur.comm(),
        crate::task::signal::signame(sig),
        frame.pc,
        esr,
        far
    );
    crate::task::signal::force_sig_fault(sig, code, addr, esr.0);
}

/// Work before returning to EL0 (Linux `exit_to_user_mode_loop`): switch if the tick
/// asked for it, then act on pending signals (`do_signal`: a default action, or a
/// handler frame), until neither is left. A task never returns to user space with
/// SIGKILL pending.
pub fn exit_to_user_mode(frame: &mut TrapFrame) {
    loop {
        if crate::task::sched::need_resched() {
            crate::task::sched::schedule();
        }
        if !super::signal::do_signal(frame) {
            break;
        }
    }
}

/// The vector kinds Linnet never expects (Linux `bad_mode`): `reason` numbers the vector.
#[no_mangle]
extern "C" fn bad_mode_handler(frame: &mut TrapFrame, reason: u64) {
    const NAMES: [&str; 16] = [
        "Synchronous, EL1t",
        "IRQ, EL1t",
        "FIQ, EL1t",
        "SError, EL1t",
        "Synchronous, EL1h",
        "IRQ, EL1h",
        "FIQ, EL1h",
        "SError, EL1h",
        "Synchronous, EL0 64-bit",
        "IRQ, EL0 64-bit",
        "FIQ, EL0 64-bit",
        "SError, EL0 64-bit",
        "Synchronous, EL0 32-bit",
        "IRQ, EL0 32-bit",
        "FIQ, EL0 32-bit",
        "SError, EL0 32-bit",
    ];
    let name = NAMES.get(reason as usize).copied().unwrap_or("?");
    let esr = Esr(cpu::read_esr());
    let far = cpu::read_far();
    let mut w = crate::printk::emergency_writer();
    let _ = writeln!(w, "\nBad mode in {} handler detected", name);
    die("Bad mode", frame, Some((esr, far)));
}

/// The kernel stack ran into its guard page (Linux `handle_bad_stack`); `entry.S` has
/// switched to the overflow stack and rebuilt the frame with the real sp and x0.
#[no_mangle]
extern "C" fn handle_bad_stack(frame: &mut TrapFrame) {
    let esr = Esr(cpu::read_esr());
    let far = cpu::read_far();
    let sp = frame.sp as usize;
    let mut w = crate::printk::emergency_writer();
    let _ = writeln!(w, "\nInsufficient stack space to handle exception!");
    let _ = writeln!(
        w,
        "kernel stack overflow: sp 0x{:016x} is in the guard page below the stack \
         [0x{:016x}..0x{:016x})",
        sp,
        (sp + layout::THREAD_SIZE) & !(layout::THREAD_SIZE - 1),
        ((sp + layout::THREAD_SIZE) & !(layout::THREAD_SIZE - 1)) + layout::THREAD_SIZE,
    );
    die("kernel stack overflow", frame, Some((esr, far)));
}

/// Set once an exception report has printed the call trace, so the panic that follows
/// does not print a second one.
pub static REPORTED: AtomicBool = AtomicBool::new(false);

/// Print everything a reader needs to understand an exception, then panic (Linux `die`).
pub fn die(why: &str, frame: &TrapFrame, syndrome: Option<(Esr, u64)>) -> ! {
    let mut w = crate::printk::emergency_writer();
    let _ = writeln!(w, "\nInternal error: {}", why);
    if let Some((esr, far)) = syndrome {
        let _ = writeln!(w, "  {}", esr);
        let far_valid = esr.abort().map(|a| a.far_valid).unwrap_or(false);
        if esr.is_data_abort() || esr.is_instruction_abort() || esr.ec() == 0x22 {
            let _ = writeln!(
                w,
                "  FAR  0x{:016x}  (the faulting address{})",
                far,
                if far_valid {
                    ""
                } else {
                    "; not valid for this fault"
                }
            );
            if far_valid && esr.abort().is_some() {
                let _ = write!(w, "{}", crate::mm::kmap::describe_walk(far as usize));
            }
        }
    }
    show_regs(&mut w, frame);
    let _ = writeln!(w, "Call trace:");
    backtrace::dump(&mut w, frame.pc, frame.regs[30], frame.regs[29]);
    REPORTED.store(true, Ordering::Relaxed);
    panic!("{}", why);
}

/// The registers, Linux `__show_regs` style: pc and lr with symbols, then x29..x0.
pub fn show_regs(w: &mut impl Write, f: &TrapFrame) {
    let _ = writeln!(w, "  pc : {}", backtrace::Sym(f.pc));
    let _ = writeln!(w, "  lr : {}", backtrace::Sym(f.regs[30]));
    let _ = writeln!(w, "  sp : 0x{:016x}", f.sp);
    let _ = writeln!(w, "  pstate: 0x{:08x} ({})", f.pstate, Spsr(f.pstate));
    for i in (0..30).rev().step_by(2) {
        let _ = writeln!(
            w,
            "  x{:<2}: 0x{:016x}  x{:<2}: 0x{:016x}",
            i,
            f.regs[i],
            i - 1,
            f.regs[i - 1]
        );
    }
}

/// SPSR decoded: the mode that was interrupted, the masked exceptions and the flags.
pub struct Spsr(pub u64);

impl core::fmt::Display for Spsr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mode = match self.0 & 0xf {
            0b0000 => "EL0t",
            0b0100 => "EL1t",
            0b0101 => "EL1h",
            0b1000 => "EL2t",
            0b1001 => "EL2h",
            _ => "?",
        };
        write!(f, "{}", mode)?;
        let masked: [&str; 4] = [(9, "D"), (8, "A"), (7, "I"), (6, "F")].map(|(bit, name)| {
            if self.0 & (1 << bit) != 0 {
                name
            } else {
                ""
            }
        });
        if masked.iter().all(|m| m.is_empty()) {
            write!(f, ", nothing masked")?;
        } else {
            write!(f, ", masked:")?;
            for m in masked.iter().filter(|m| !m.is_empty()) {
                write!(f, " {}", m)?;
            }
        }
        write!(f, "; flags ")?;
        for (bit, name) in [(31, 'N'), (30, 'Z'), (29, 'C'), (28, 'V')] {
            let c = if self.0 & (1 << bit) != 0 { name } else { '-' };
            write!(f, "{}", c)?;
        }
        Ok(())
    }
}
