//! The task: one thread of execution and everything it owns or shares (Linux
//! `struct task_struct` in `include/linux/sched.h`, `struct signal_struct` in
//! `include/linux/sched/signal.h`).
//!
//! A process is a thread group: tasks sharing one `tgid` (the leader's pid), one
//! `SignalStruct` and usually one `MmStruct`. Fields that only the task itself changes
//! while running, and the scheduler while it is switched out, live outside the lock
//! (`context`, `fpsimd`); everything else is behind `inner`.
//!
//! Lock order: `TASKS` (the pid table) before any task's `inner`; a parent's `inner`
//! before a child's; `inner` before `mm`. Linnet runs on one CPU with interrupts masked
//! in the kernel, so these locks are never contended: they make the sharing explicit.

use super::pid::Pid;
use super::signal::{SigPending, SigSet, SignalStruct};
use crate::arch::context::{CpuContext, FpsimdState};
use crate::arch::TrapFrame;
use crate::mm::kmap::KernelStack;
use crate::mm::mm_struct::MmStruct;
use alloc::string::String;
use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicI32, Ordering};
use spin::Mutex;

pub use super::tree::TaskState;

/// One task.
pub struct TaskStruct {
    /// Thread id (Linux `pid`); the process id for the group leader. Changes only when a
    /// non-leader thread execs and takes over the leader's pid (`de_thread`).
    pid: AtomicI32,
    /// Thread-group id = the process id (Linux `tgid`).
    tgid: AtomicI32,
    /// The kernel stack, with its guard page; None for the idle task (it runs on the boot
    /// stack in the image).
    pub kstack: Option<KernelStack>,
    context: UnsafeCell<CpuContext>,
    fpsimd: UnsafeCell<FpsimdState>,
    /// Shared by the thread group: exit status, handlers, wait queue for children.
    pub signal: Arc<SignalStruct>,
    /// Everything else, behind a lock.
    pub inner: Mutex<TaskInner>,
}

impl Drop for TaskStruct {
    /// The last reference is gone (Linux `free_task`): give the kernel stack back. This
    /// runs only after the final switch away from the task (`finish_task_switch`).
    fn drop(&mut self) {
        if let Some(k) = self.kstack.take() {
            crate::mm::kmap::free_kernel_stack(k);
        }
    }
}

// SAFETY: `context` and `fpsimd` are only touched by the scheduler on the one CPU while
// the task is not running (or by the task itself); all other state is behind locks.
unsafe impl Sync for TaskStruct {}
// SAFETY: as above.
unsafe impl Send for TaskStruct {}

/// The locked part of a task.
pub struct TaskInner {
    /// Scheduling / exit state.
    pub state: TaskState,
    /// Program name, at most 15 bytes (Linux `comm`).
    pub comm: String,
    /// The parent process's tgid (Linux `real_parent`): who is told when this exits.
    pub parent: Pid,
    /// The address space (shared by CLONE_VM threads); None for the idle task and after
    /// exit.
    pub mm: Option<Arc<Mutex<MmStruct>>>,
    /// Signal sent to the parent at exit (Linux `exit_signal`): SIGCHLD for fork, none
    /// (-1) for threads.
    pub exit_signal: i32,
    /// The wait status this task ends with (Linux `exit_code`): `code << 8` or a signal.
    pub exit_code: i32,
    /// Where to write 0 and wake a futex at exit (CLONE_CHILD_CLEARTID, set_tid_address).
    pub clear_child_tid: usize,
    /// Signals sent to this thread and not yet handled (Linux `pending`).
    pub pending: SigPending,
    /// Signals blocked from delivery (Linux `blocked`).
    pub blocked: SigSet,
    /// The mask to put back once a signal frame is set up or the syscall ends, after
    /// rt_sigsuspend replaced `blocked` for its sleep (Linux `saved_sigmask` with
    /// TIF_RESTORE_SIGMASK).
    pub saved_sigmask: Option<SigSet>,
    /// The alternate signal stack: lowest address, size and flags (Linux `sas_ss_sp`,
    /// `sas_ss_size`, `sas_ss_flags`); size 0 means none.
    pub sas_ss_sp: u64,
    /// Size of the alternate stack.
    pub sas_ss_size: u64,
    /// The flags sigaltstack was given (SS_AUTODISARM is the one that matters).
    pub sas_ss_flags: i32,
    /// The saved TPIDR_EL0 (TLS pointer) while switched out.
    pub tls: u64,
    /// Ticks spent in user mode and in the kernel (Linux `utime`, `stime`).
    pub utime: u64,
    /// Kernel ticks.
    pub stime: u64,
    /// Working directory and root (Linux `fs_struct`), shared by CLONE_FS.
    pub fs: Arc<Mutex<crate::fs::file::FsStruct>>,
    /// Open files (Linux `files_struct`), shared by CLONE_FILES.
    pub files: Arc<Mutex<crate::fs::file::FilesStruct>>,
    /// When sleeping in nanosleep or a timed wait: the uptime (ns) to wake at.
    pub wake_at: Option<u64>,
    /// Where to write the new thread's tid when it first runs (CLONE_CHILD_SETTID).
    pub set_child_tid: usize,
    /// The user's robust futex list head (set_robust_list), walked at exit; 0: none.
    pub robust_list: usize,
    /// While in rt_sigtimedwait: the mask it replaced (Linux `real_blocked`). Signals
    /// in it are neither ignored nor fatal on arrival: the waiter takes them.
    pub real_blocked: SigSet,
    /// prctl, nice, groups and vfork state (`task/attrs.rs`).
    pub attrs: super::attrs::TaskAttrs,
}

impl TaskStruct {
    /// A task with the given ids and parts; its context is set by the caller.
    pub fn new(
        pid: Pid,
        tgid: Pid,
        kstack: Option<KernelStack>,
        signal: Arc<SignalStruct>,
        inner: TaskInner,
    ) -> TaskStruct {
        TaskStruct {
            pid: AtomicI32::new(pid),
            tgid: AtomicI32::new(tgid),
            kstack,
            context: UnsafeCell::new(CpuContext::default()),
            fpsimd: UnsafeCell::new(FpsimdState::default()),
            signal,
            inner: Mutex::new(inner),
        }
    }

    /// Thread id.
    pub fn pid(&self) -> Pid {
        self.pid.load(Ordering::Relaxed)
    }

    /// Process id.
    pub fn tgid(&self) -> Pid {
        self.tgid.load(Ordering::Relaxed)
    }

    /// Take over another pid (only `de_thread`).
    pub fn set_pid(&self, pid: Pid) {
        self.pid.store(pid, Ordering::Relaxed);
    }

    /// Is this the thread-group leader?
    pub fn is_leader(&self) -> bool {
        self.pid() == self.tgid()
    }

    /// The saved kernel context (for the scheduler).
    pub fn context_ptr(&self) -> *mut CpuContext {
        self.context.get()
    }

    /// The saved FP/SIMD registers (for the scheduler).
    pub fn fpsimd_ptr(&self) -> *mut FpsimdState {
        self.fpsimd.get()
    }

    /// Set up the kernel context before the task first runs.
    ///
    /// # Safety
    /// The task must not be running or on a run queue yet.
    pub unsafe fn set_context(&self, ctx: CpuContext) {
        // SAFETY: the caller guarantees nobody else touches the context now.
        unsafe { *self.context.get() = ctx };
    }

    /// Copy FP/SIMD state into a task that has not run yet (fork).
    ///
    /// # Safety
    /// As for `set_context`.
    pub unsafe fn set_fpsimd(&self, st: &FpsimdState) {
        // SAFETY: as above.
        unsafe { *self.fpsimd.get() = *st };
    }

    /// The user registers saved at the top of the kernel stack (Linux `task_pt_regs`).
    pub fn pt_regs(&self) -> Option<*mut TrapFrame> {
        self.kstack
            .as_ref()
            .map(|k| (k.top() - core::mem::size_of::<TrapFrame>()) as *mut TrapFrame)
    }

    /// Current state.
    pub fn state(&self) -> TaskState {
        self.inner.lock().state
    }

    /// The name, for messages.
    pub fn comm(&self) -> String {
        self.inner.lock().comm.clone()
    }
}
