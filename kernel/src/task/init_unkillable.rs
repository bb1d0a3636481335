//! init is unkillable (Linux `SIGNAL_UNKILLABLE`, set for the global init in
//! `kernel/fork.c` and tested in `sig_task_ignored` and `get_signal`,
//! `kernel/signal.c`).
//!
//! Killing pid 1 would take the machine down, so Linux drops every signal to init whose
//! action is the default (terminate or ignore alike), unless init installed a handler,
//! and SIGKILL and SIGSTOP from anyone. A signal init blocks is queued as usual
//! (the action may change before it is unblocked); if its action is still the default
//! when init dequeues it, `get_signal` drops it then. A fault in init is different:
//! `force_sig_info_to_task` clears SIGNAL_UNKILLABLE, so a faulting init dies. Linnet's
//! forced signals skip the send path, so only the dequeue check must spare them:
//! simplified, it drops only signals sent from user space (`SI_FROMUSER`, si_code <= 0).

/// The global init's thread-group id (Linux `is_global_init`: `tgid == 1`).
const INIT_TGID: i32 = 1;
// SIGKILL and SIGSTOP, the kernel-only signals (Linux `sig_kernel_only`).
use uapi::signal::{SIGKILL, SIGSTOP};

/// The pure rule of `sig_task_ignored` for init: is `sig`, sent to process `tgid`
/// whose action for it is the default (`is_default`), dropped at once?
pub fn init_ignores(tgid: i32, sig: i32, is_default: bool) -> bool {
    tgid == INIT_TGID && (sig == SIGKILL || sig == SIGSTOP || is_default)
}

/// The rule of `get_signal` for init: a dequeued signal with the default action, sent
/// from user space (si_code <= 0), is dropped. Not SIGKILL (never queued for init from
/// user space; a kernel SIGKILL, e.g. out of memory, still kills).
pub fn init_ignores_dequeued(tgid: i32, sig: i32, code: i32, is_default: bool) -> bool {
    tgid == INIT_TGID && sig != SIGKILL && code <= 0 && is_default
}

/// `init_ignores` for a disposition of the kernel (send path, `send_signal_locked`).
#[cfg(target_os = "none")]
pub fn init_drops(tgid: i32, sig: i32, action: super::signal::SigDisposition) -> bool {
    init_ignores(tgid, sig, action == super::signal::SigDisposition::Default)
}

/// `init_ignores_dequeued` for the current task (`get_signal`).
#[cfg(target_os = "none")]
pub fn init_drops_dequeued(
    info: &super::siginfo::KSigInfo,
    handler: super::signal::SigDisposition,
) -> bool {
    init_ignores_dequeued(
        super::sched::current().tgid(),
        info.signo,
        info.code,
        handler == super::signal::SigDisposition::Default,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_drops_default_and_kernel_only_signals() {
        assert!(init_ignores(1, 15, true)); // SIGTERM, default: dropped
        assert!(!init_ignores(1, 15, false)); // init has a handler: delivered
        assert!(init_ignores(1, SIGKILL, false));
        assert!(init_ignores(1, SIGSTOP, false));
        assert!(!init_ignores(2, 15, true)); // any other process: as usual
        assert!(!init_ignores(2, SIGKILL, true));
    }

    #[test]
    fn init_dequeue_spares_forced_signals() {
        assert!(init_ignores_dequeued(1, 15, 0, true)); // kill(2), default
        assert!(init_ignores_dequeued(1, 10, -6, true)); // tkill
        assert!(!init_ignores_dequeued(1, 11, 1, true)); // SEGV_MAPERR fault: kills
        assert!(!init_ignores_dequeued(1, SIGKILL, 0x80, true)); // out of memory
        assert!(!init_ignores_dequeued(1, 15, 0, false)); // handler runs
        assert!(!init_ignores_dequeued(3, 15, 0, true));
    }
}
