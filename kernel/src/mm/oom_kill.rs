//! The out-of-memory killer (Linux `mm/oom_kill.c`, much simplified): when a user page
//! fault finds no free frame, the process using the most memory is killed -- never init,
//! never a kernel thread -- and the faulting task tries again once that memory is back.
//!
//! Linux's `out_of_memory` scores every process with `oom_badness` (RSS plus page
//! tables and swap, adjusted by `oom_score_adj`) and `select_bad_process` picks the
//! highest; `oom_evaluate_task` skips init (`oom_unkillable_task`) and aborts the scan
//! while an earlier victim is still on its way out, so one shortage kills one process.
//! Linnet scores by RSS alone (no swap, no `oom_score_adj`). Before this, the faulting
//! task itself was killed: a hog could make init fault and die, and the machine with it.

use crate::task::pid::Pid;

/// One process the killer may choose (what `oom_evaluate_task` looks at).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Its thread-group id.
    pub tgid: Pid,
    /// Pages it has mapped (Linux `get_mm_rss`), the whole score here.
    pub rss_pages: usize,
    /// Init (Linux `is_global_init`): never chosen.
    pub unkillable: bool,
    /// Already being killed or exiting: its memory is coming back.
    pub dying: bool,
}

/// What `select_bad_process` decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Kill this process.
    Kill(Pid),
    /// A process is already on its way out: wait for its memory instead of killing
    /// another (`oom_evaluate_task`'s abort).
    Wait,
    /// Nothing may be killed (Linux panics: "Out of memory and no killable processes").
    Nothing,
}

/// Linux `select_bad_process` with `oom_badness` reduced to RSS: the killable process
/// with the most pages (the lowest tgid on a tie, so the choice is the same every time).
pub fn select_bad_process(candidates: &[Candidate]) -> Choice {
    if candidates.iter().any(|c| c.dying && !c.unkillable) {
        return Choice::Wait;
    }
    candidates
        .iter()
        .filter(|c| !c.unkillable && c.rss_pages > 0)
        .max_by(|a, b| a.rss_pages.cmp(&b.rss_pages).then(b.tgid.cmp(&a.tgid)))
        .map_or(Choice::Nothing, |c| Choice::Kill(c.tgid))
}

#[cfg(target_os = "none")]
mod kernel {
    use super::*;
    use crate::task::siginfo::KSigInfo;
    use crate::task::signal::{self, SIGKILL};

    /// What the faulting task does next.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum OomOutcome {
        /// Another process was killed, or is dying: give it a moment, then retry the
        /// fault.
        Retry,
        /// The faulting task is the one to die (it is the biggest, or nothing else can).
        KillCurrent,
    }

    /// A user fault found no frame (Linux `pagefault_out_of_memory` -> `out_of_memory`):
    /// choose a victim among the processes with an address space and kill it. While a
    /// process is already dying, nobody is scored (a page-table walk of every process):
    /// the faulting task just waits a moment for that memory.
    pub fn out_of_memory() -> OomOutcome {
        let cur = crate::task::sched::current();
        let procs = signal::processes(|t| t.inner.lock().mm.is_some());
        if procs
            .iter()
            .any(|t| t.tgid() != 1 && signal::fatal_signal_pending(t))
        {
            return OomOutcome::Retry;
        }
        let candidates: alloc::vec::Vec<Candidate> = procs
            .iter()
            .map(|t| {
                let mm = t.inner.lock().mm.clone();
                Candidate {
                    tgid: t.tgid(),
                    rss_pages: mm.map_or(0, |m| m.lock().rss_pages()),
                    unkillable: t.tgid() == 1,
                    dying: signal::fatal_signal_pending(t),
                }
            })
            .collect();
        match select_bad_process(&candidates) {
            Choice::Wait => OomOutcome::Retry,
            Choice::Nothing => {
                log::error!(
                    "out of memory and no process to kill but pid {}",
                    cur.tgid()
                );
                OomOutcome::KillCurrent
            }
            Choice::Kill(tgid) if tgid == cur.tgid() => {
                log::error!("out of memory: killing pid {} ({})", cur.pid(), cur.comm());
                OomOutcome::KillCurrent
            }
            Choice::Kill(tgid) => {
                if let Some(t) = procs.iter().find(|t| t.tgid() == tgid) {
                    let rss = candidates
                        .iter()
                        .find(|c| c.tgid == tgid)
                        .map_or(0, |c| c.rss_pages);
                    log::error!(
                        "out of memory: killed process {} ({}), rss {} kB",
                        tgid,
                        t.comm(),
                        rss * 4
                    );
                    signal::group_send_sig_info(t, KSigInfo::kernel(SIGKILL));
                }
                OomOutcome::Retry
            }
        }
    }
}

#[cfg(target_os = "none")]
pub use kernel::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn c(tgid: Pid, rss_pages: usize) -> Candidate {
        Candidate {
            tgid,
            rss_pages,
            unkillable: tgid == 1,
            dying: false,
        }
    }

    #[test]
    fn the_biggest_killable_process_is_chosen() {
        assert_eq!(
            select_bad_process(&[c(1, 900), c(5, 10), c(7, 300)]),
            Choice::Kill(7)
        );
        assert_eq!(select_bad_process(&[c(1, 900)]), Choice::Nothing); // never init
        assert_eq!(select_bad_process(&[c(4, 50), c(3, 50)]), Choice::Kill(3)); // ties: lowest
        assert_eq!(select_bad_process(&[c(1, 9), c(2, 0)]), Choice::Nothing);
    }

    #[test]
    fn a_victim_on_its_way_out_is_waited_for() {
        let mut dying = c(7, 300);
        dying.dying = true;
        assert_eq!(
            select_bad_process(&[c(1, 900), c(5, 10), dying]),
            Choice::Wait
        );
        let mut init_dying = c(1, 900);
        init_dying.dying = true;
        assert_eq!(select_bad_process(&[init_dying, c(5, 10)]), Choice::Kill(5));
    }
}
