//! Starting the first tasks: the idle task (pid 0) and init (pid 1), which begins as a
//! kernel thread and becomes a user process by exec (Linux `init/main.c`: `rest_init`,
//! `kernel_init`, `run_init_process`; `kernel/kthread.c`), plus the global pid allocator
//! and what happens when init exits.

use super::pid::{Pid, PidAllocator};
use super::sched::{self, TASKS};
use super::signal::{signame, SignalStruct};
use super::task::{TaskInner, TaskState, TaskStruct};
use crate::arch::context;
use crate::fs::file::{FilesStruct, FsStruct};
use crate::mm::kmap;
use alloc::string::String;
use alloc::sync::Arc;
use spin::Mutex;

static PIDS: Mutex<Option<PidAllocator>> = Mutex::new(None);

/// A new pid (Linux `alloc_pid`).
pub fn alloc_pid() -> Option<Pid> {
    PIDS.lock().get_or_insert_with(PidAllocator::new).alloc()
}

/// Give a pid back (Linux `free_pid`).
pub fn free_pid(pid: Pid) {
    if let Some(p) = PIDS.lock().as_mut() {
        p.free(pid);
    }
}

/// Number of tasks that exist (any state).
pub fn nr_tasks() -> usize {
    TASKS.lock().len()
}

fn bare_inner(comm: &str, fs: FsStruct, files: FilesStruct) -> TaskInner {
    TaskInner {
        state: TaskState::Running,
        comm: String::from(comm),
        parent: 0,
        mm: None,
        exit_signal: super::signal::SIGCHLD,
        exit_code: 0,
        clear_child_tid: 0,
        set_child_tid: 0,
        robust_list: 0,
        real_blocked: Default::default(),
        pending: Default::default(),
        blocked: Default::default(),
        saved_sigmask: None,
        sas_ss_sp: 0,
        sas_ss_size: 0,
        sas_ss_flags: 0,
        tls: 0,
        utime: 0,
        stime: 0,
        fs: Arc::new(Mutex::new(fs)),
        files: Arc::new(Mutex::new(files)),
        wake_at: None,
        attrs: Default::default(),
    }
}

/// Turn the boot context into the idle task, pid 0 (Linux `init_task`, "swapper").
pub fn sched_init(fs: FsStruct) {
    let idle = TaskStruct::new(
        0,
        0,
        None,
        Arc::new(SignalStruct::new(0, 0)),
        bare_inner("swapper", fs, FilesStruct::empty()),
    );
    sched::init(idle);
}

/// Create pid 1 as a kernel thread that will run `f(arg)` (Linux `rest_init` ->
/// `kernel_thread(kernel_init)`); `f` execs the init program so that, when it returns,
/// the thread leaves to user space as a process.
pub fn spawn_init(
    f: extern "C" fn(usize),
    arg: usize,
    fs: FsStruct,
    files: FilesStruct,
) -> Option<Pid> {
    let pid = alloc_pid()?;
    super::cputime::count_fork(); // Linux creates kernel threads through copy_process too
    let kstack = kmap::alloc_kernel_stack()?;
    let t = Arc::new(TaskStruct::new(
        pid,
        pid,
        Some(kstack),
        Arc::new(SignalStruct::new(pid, pid)),
        bare_inner("init", fs, files),
    ));
    let frame = t.pt_regs()?;
    // SAFETY: the task is new and not on any queue; its frame is its own stack's top.
    unsafe {
        frame.write(Default::default());
        t.set_context(context::new_kthread_context(frame as usize, f, arg));
    }
    TASKS.lock().insert(pid, t.clone());
    sched::enqueue(t);
    Some(pid)
}

/// PID 1 is exiting (Linux would panic "Attempted to kill init!"): print how, and power
/// off with its status, so a test run's init decides QEMU's exit code.
pub fn init_exited(status: i32) -> ! {
    let code = if uapi::wait::wifexited(status) {
        let code = uapi::wait::wexitstatus(status);
        crate::println!(
            "Linnet: init (pid 1) exited with status {}; powering off",
            code
        );
        code
    } else {
        let sig = uapi::wait::wtermsig(status);
        crate::println!(
            "Linnet: init (pid 1) was killed by {} ({}); powering off",
            signame(sig),
            sig
        );
        128 + sig
    };
    crate::drivers::psci::system_off(code as u8)
}
