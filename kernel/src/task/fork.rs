//! Creating tasks: fork and threads (Linux `kernel/fork.c`: `kernel_clone`,
//! `copy_process`, `copy_mm`, `copy_files`, `copy_fs`, `copy_signal`; and
//! `copy_thread` in `arch/arm64/kernel/process.c`).
//!
//! One function makes both a process and a thread; the clone flags choose, part by part,
//! whether the child shares the parent's (address space, files, cwd, signal state) or
//! gets a copy. fork is `clone(SIGCHLD)`: copy everything. A pthread is
//! `clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | ...)`:
//! share everything, new stack and TLS.

use super::attrs::VforkDone;
use super::pid::Pid;
use super::sched::{self, current, TASKS};
use super::signal::fatal_signal_pending;
use super::task::{TaskInner, TaskState, TaskStruct};
use crate::arch::context;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::mm::{kmap, uaccess};
use alloc::sync::Arc;
use bitflags::bitflags;
use spin::Mutex;

bitflags! {
    /// clone(2) flags, Linux values (`include/uapi/linux/sched.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct CloneFlags: u64 {
        /// Share the address space.
        const VM = uapi::sched::CLONE_VM;
        /// Share cwd and root.
        const FS = uapi::sched::CLONE_FS;
        /// Share the file descriptor table.
        const FILES = uapi::sched::CLONE_FILES;
        /// Share signal handlers.
        const SIGHAND = uapi::sched::CLONE_SIGHAND;
        /// Return a pidfd (not supported).
        const PIDFD = uapi::sched::CLONE_PIDFD;
        /// The parent sleeps until the child execs or exits (`wait_for_vfork_done`).
        const VFORK = uapi::sched::CLONE_VFORK;
        /// The child's parent is the caller's parent.
        const PARENT = uapi::sched::CLONE_PARENT;
        /// Same thread group: a thread, not a process.
        const THREAD = uapi::sched::CLONE_THREAD;
        /// Share System V semaphore undo lists (nothing to share in Linnet).
        const SYSVSEM = uapi::sched::CLONE_SYSVSEM;
        /// Set the child's TLS register (TPIDR_EL0) to `tls`.
        const SETTLS = uapi::sched::CLONE_SETTLS;
        /// Store the child's tid at `parent_tid` in the parent's memory.
        const PARENT_SETTID = uapi::sched::CLONE_PARENT_SETTID;
        /// Clear `child_tid` and wake a futex there when the child exits.
        const CHILD_CLEARTID = uapi::sched::CLONE_CHILD_CLEARTID;
        /// Ignored, as by Linux.
        const DETACHED = uapi::sched::CLONE_DETACHED;
        /// Store the child's tid at `child_tid` in the child's memory.
        const CHILD_SETTID = uapi::sched::CLONE_CHILD_SETTID;
    }
}

/// What clone asked for (Linux `struct kernel_clone_args`).
pub struct KernelCloneArgs {
    /// Sharing flags.
    pub flags: CloneFlags,
    /// Signal the parent gets at exit (the low byte of clone's flags; SIGCHLD for fork).
    pub exit_signal: i32,
    /// The child's user stack pointer; 0 = same as the parent's.
    pub stack: usize,
    /// TLS value for SETTLS.
    pub tls: u64,
    /// Parent's memory, for PARENT_SETTID.
    pub parent_tid: usize,
    /// Child's memory, for CHILD_SETTID / CHILD_CLEARTID.
    pub child_tid: usize,
}

/// Create a task and start it (Linux `kernel_clone`). Returns the child's tid.
///
/// With CLONE_VFORK the caller sleeps until the child has let go of the memory they
/// share, by exec or exit (`vfork_done`, completed in `mm_release`).
pub fn kernel_clone(args: &KernelCloneArgs, regs: &TrapFrame) -> KResult<Pid> {
    let child = copy_process(args, regs)?;
    let pid = child.pid();
    if args.flags.contains(CloneFlags::PARENT_SETTID) {
        let _ = uaccess::put_user(args.parent_tid, pid); // Linux ignores a failure here too
    }
    let vfork = args.flags.contains(CloneFlags::VFORK).then(|| {
        let done = Arc::new(VforkDone::new(current().pid()));
        child.inner.lock().attrs.vfork_done = Some(done.clone());
        done
    });
    sched::enqueue(child); // Linux wake_up_new_task
    if let Some(done) = vfork {
        wait_for_vfork_done(&done);
    }
    Ok(pid)
}

/// Sleep until the vfork child execs or exits (Linux `wait_for_vfork_done`, a killable
/// wait): only a fatal signal (SIGKILL, or the group exiting) ends it early; other
/// signals stay pending until the child is done and the parent returns to user space.
fn wait_for_vfork_done(done: &VforkDone) {
    let me = current();
    while !done.is_done() && !fatal_signal_pending(&me) {
        sched::sleep_current();
    }
}

/// The task lets go of its memory, by exec or exit (the vfork part of Linux
/// `mm_release`): a vfork parent waiting for it is woken.
pub fn mm_release(t: &TaskStruct) {
    let done = t.inner.lock().attrs.vfork_done.take();
    if let Some(done) = done {
        done.complete();
        sched::wake_up_pid(done.waiter);
    }
}

/// exec has replaced the task's memory (Linux `exec_mm_release`; and for what Linux
/// keeps in the new `mm_struct`: the dumpable flag, `setup_new_exec`, and the program
/// file, `set_mm_exe_file`). `path` names the program loaded, absolute or relative to
/// the cwd (Linux keeps the file itself; Linnet its path, without resolving symlinks).
pub fn exec_mm_release(t: &TaskStruct, path: &[u8]) {
    mm_release(t);
    // /proc/PID/exe is kept as text: a path that is not UTF-8 shows replacement characters.
    let path = alloc::string::String::from_utf8_lossy(path);
    let full = if path.starts_with('/') {
        path.into_owned()
    } else {
        let cwd = t.inner.lock().fs.lock().cwd;
        let dir = crate::fs::vfs::path_of(cwd).unwrap_or_default();
        let dir = alloc::string::String::from_utf8_lossy(&dir);
        alloc::format!("{dir}/{path}")
    };
    let exe = crate::fs::proc::normalize(&full).unwrap_or(full);
    let mut i = t.inner.lock();
    i.attrs.dumpable = super::attrs::SUID_DUMP_USER;
    i.attrs.exe = exe;
}

/// Build the child task (Linux `copy_process`): the sanity rules on flags, then each
/// shared-or-copied part, then the registers it starts with.
pub fn copy_process(args: &KernelCloneArgs, regs: &TrapFrame) -> KResult<Arc<TaskStruct>> {
    let f = args.flags;
    // The same rules as Linux: a thread must share handlers, shared handlers need a
    // shared address space.
    if f.contains(CloneFlags::THREAD) && !f.contains(CloneFlags::SIGHAND) {
        return Err(Errno::EINVAL);
    }
    if f.contains(CloneFlags::SIGHAND) && !f.contains(CloneFlags::VM) {
        return Err(Errno::EINVAL);
    }
    if f.contains(CloneFlags::PIDFD) {
        return Err(Errno::EINVAL);
    }
    let cur = current();
    // init (SIGNAL_UNKILLABLE) has no parent to share (Linux `copy_process`).
    if f.contains(CloneFlags::PARENT) && cur.tgid() == 1 {
        return Err(Errno::EINVAL);
    }
    let kstack = kmap::alloc_kernel_stack().ok_or(Errno::ENOMEM)?;
    let (mm, files, fs, parent, comm, blocked, sas, attrs) = {
        let inner = cur.inner.lock();
        let mm = match &inner.mm {
            Some(mm) if f.contains(CloneFlags::VM) => Some(mm.clone()), // threads share
            Some(mm) => Some(Arc::new(Mutex::new(mm.lock().dup_mmap()?))), // copy_mm
            None => None,
        };
        let files = if f.contains(CloneFlags::FILES) {
            inner.files.clone()
        } else {
            Arc::new(Mutex::new(inner.files.lock().clone())) // dup_fd
        };
        let fs = if f.contains(CloneFlags::FS) {
            inner.fs.clone()
        } else {
            Arc::new(Mutex::new(*inner.fs.lock())) // copy_fs
        };
        let parent = if f.intersects(CloneFlags::THREAD | CloneFlags::PARENT) {
            inner.parent
        } else {
            cur.tgid()
        };
        // The alternate signal stack is inherited, except by a thread that shares the
        // address space: two threads on one stack would trample each other (Linux
        // `copy_process`: sas_ss_reset for CLONE_VM without CLONE_VFORK).
        let sas = if f.contains(CloneFlags::VM) && !f.contains(CloneFlags::VFORK) {
            (0, 0, 0)
        } else {
            (inner.sas_ss_sp, inner.sas_ss_size, inner.sas_ss_flags)
        };
        (
            mm,
            files,
            fs,
            parent,
            inner.comm.clone(),
            inner.blocked,
            sas,
            inner.attrs.fork_copy(),
        )
    };
    let pid = super::alloc_pid().ok_or(Errno::EAGAIN)?;
    super::cputime::count_fork();
    let (tgid, signal, exit_signal) = if f.contains(CloneFlags::THREAD) {
        cur.signal.inner.lock().live += 1;
        (cur.tgid(), cur.signal.clone(), -1)
    } else {
        // A CLONE_PARENT child is a sibling of the caller: its parent gets the caller's
        // own exit signal, not whatever clone asked for (Linux `copy_process`).
        let exit_signal = match TASKS.lock().get(&cur.tgid()) {
            Some(leader) if f.contains(CloneFlags::PARENT) => leader.inner.lock().exit_signal,
            _ => args.exit_signal,
        };
        (pid, Arc::new(cur.signal.fork_copy()), exit_signal)
    };
    let tls = if f.contains(CloneFlags::SETTLS) {
        args.tls
    } else {
        context::read_tpidr_el0()
    };
    let inner = TaskInner {
        state: TaskState::Running,
        comm,
        parent,
        mm,
        exit_signal,
        exit_code: 0,
        clear_child_tid: if f.contains(CloneFlags::CHILD_CLEARTID) {
            args.child_tid
        } else {
            0
        },
        set_child_tid: if f.contains(CloneFlags::CHILD_SETTID) {
            args.child_tid
        } else {
            0
        },
        pending: Default::default(),
        blocked,
        saved_sigmask: None,
        // Linux copy_process: a new task starts without a robust list.
        robust_list: 0,
        real_blocked: Default::default(),
        sas_ss_sp: sas.0,
        sas_ss_size: sas.1,
        sas_ss_flags: sas.2,
        tls,
        utime: 0,
        stime: 0,
        fs,
        files,
        wake_at: None,
        attrs,
    };
    let child = Arc::new(TaskStruct::new(pid, tgid, Some(kstack), signal, inner));
    copy_thread(&child, regs, args.stack);
    TASKS.lock().insert(pid, child.clone());
    if !f.contains(CloneFlags::THREAD) {
        // A new process: its parent's child list gets it.
        if let Some(p) = TASKS.lock().get(&parent).cloned() {
            p.signal.inner.lock().children.push(pid);
        }
    }
    Ok(child)
}

/// The child's first registers (Linux `copy_thread`): the parent's user registers with
/// x0 = 0 (fork returns 0 in the child), its own stack if given, and a kernel context
/// that starts in `ret_from_fork`.
fn copy_thread(child: &TaskStruct, regs: &TrapFrame, stack: usize) {
    let frame = child.pt_regs().expect("a forked task has a kernel stack");
    let mut r = *regs;
    r.regs[0] = 0;
    if stack != 0 {
        r.sp = stack as u64;
    }
    // SAFETY: `frame` is the top of the child's new kernel stack, which nothing else
    // uses until the child runs; the child is not on any run queue yet.
    unsafe {
        frame.write(r);
        child.set_context(context::new_task_context(frame as usize));
        // The parent's FP/SIMD registers are live in the CPU: the child starts with them.
        context::fpsimd_save(&mut *child.fpsimd_ptr());
    }
}
