//! The scheduler: a round-robin run queue, the context switch, sleeping and waking
//! (Linux `kernel/sched/core.c`: `schedule`, `context_switch`, `finish_task_switch`,
//! `try_to_wake_up`, `scheduler_tick`; `switch_mm` in `arch/arm64/include/asm/mmu_context.h`).
//!
//! Simplified: one CPU, one run queue, every task gets the next tick's worth of CPU in
//! turn (no priorities, no CFS). The kernel is not preemptible: a task switches only when
//! it sleeps, yields, exits, or is about to return to user space with `need_resched` set
//! by the timer tick. So interrupts stay masked in the kernel, except in the idle loop.
//!
//! `CURRENT` holds one counted reference to the running task. Across a switch that
//! reference moves to `PREV`, and the next task drops it in `finish_task_switch`, after
//! it is off the previous task's stack: that is when a dead task's kernel stack can go.

use super::pid::Pid;
use super::task::{TaskState, TaskStruct};
use crate::arch::asid::AsidAllocator;
use crate::arch::{context, cpu, mmu};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use spin::{Mutex, Once};

/// Every task by pid (Linux's pid hash and `tasklist`): the owner of each task until
/// `release_task`.
pub static TASKS: Mutex<BTreeMap<Pid, Arc<TaskStruct>>> = Mutex::new(BTreeMap::new());
static RUNQUEUE: Mutex<VecDeque<Arc<TaskStruct>>> = Mutex::new(VecDeque::new());
static CURRENT: AtomicPtr<TaskStruct> = AtomicPtr::new(ptr::null_mut());
static PREV: AtomicPtr<TaskStruct> = AtomicPtr::new(ptr::null_mut());
static IDLE: Once<Arc<TaskStruct>> = Once::new();
static NEED_RESCHED: AtomicBool = AtomicBool::new(false);
static ASIDS: Once<Mutex<AsidAllocator>> = Once::new();

/// Make the boot context the idle task, pid 0 (Linux `init_task` / swapper).
///
/// From here on the kernel runs with interrupts masked, except in the idle loop's wait
/// (the boot code unmasked them for the timer self-tests). Were they still unmasked, the
/// first `schedule` would start init with them on, and a tick arriving while init holds
/// a task lock (in exec, say) would spin forever in `scheduler_tick` on that lock.
pub fn init(idle: TaskStruct) {
    cpu::local_irq_disable();
    ASIDS.call_once(|| Mutex::new(AsidAllocator::new(mmu::asid_bits())));
    let idle = IDLE.call_once(|| Arc::new(idle));
    CURRENT.store(Arc::into_raw(idle.clone()) as *mut _, Ordering::Release);
}

/// The running task (Linux `current`).
pub fn current() -> Arc<TaskStruct> {
    let p = CURRENT.load(Ordering::Acquire);
    assert!(!p.is_null(), "current() before sched::init");
    // SAFETY: CURRENT always holds a reference produced by Arc::into_raw; we add one
    // for the returned Arc.
    unsafe {
        Arc::increment_strong_count(p);
        Arc::from_raw(p)
    }
}

/// Is the idle task running?
pub fn is_idle(t: &TaskStruct) -> bool {
    IDLE.get().is_some_and(|i| ptr::eq(Arc::as_ptr(i), t))
}

/// Put a runnable task on the run queue (Linux `wake_up_new_task` / `activate_task`).
pub fn enqueue(t: Arc<TaskStruct>) {
    let mut rq = RUNQUEUE.lock();
    if !rq.iter().any(|x| Arc::ptr_eq(x, &t)) {
        rq.push_back(t);
    }
}

/// Wake a sleeping task (Linux `try_to_wake_up`): nothing happens unless it sleeps.
pub fn wake_up(t: &Arc<TaskStruct>) {
    let mut inner = t.inner.lock();
    if inner.state == TaskState::Interruptible {
        inner.state = TaskState::Running;
        inner.wake_at = None;
        drop(inner);
        enqueue(t.clone());
    }
}

/// Wake the task with this pid, if it still exists.
pub fn wake_up_pid(pid: Pid) {
    let t = TASKS.lock().get(&pid).cloned();
    if let Some(t) = t {
        wake_up(&t);
    }
}

/// The task with thread id `pid`, zombies included until reaped (Linux
/// `find_task_by_vpid`).
pub fn find_task_by_vpid(pid: Pid) -> Option<Arc<TaskStruct>> {
    TASKS.lock().get(&pid).cloned()
}

/// Sleep until someone wakes us (the caller queued itself somewhere first).
pub fn sleep_current() {
    current().inner.lock().state = TaskState::Interruptible;
    schedule();
}

/// Sleep until uptime `deadline_ns` or an earlier wake-up (nanosleep's core). Returns
/// true if the deadline passed.
pub fn sleep_until(deadline_ns: u64) -> bool {
    let me = current();
    loop {
        if crate::drivers::timer::uptime_ns() >= deadline_ns {
            return true;
        }
        if super::signal::signal_pending_current() {
            return false;
        }
        {
            let mut inner = me.inner.lock();
            inner.wake_at = Some(deadline_ns);
            inner.state = TaskState::Interruptible;
        }
        schedule();
    }
}

/// The timer tick (Linux `scheduler_tick`): charge the tick, wake timed sleepers, ask
/// for a switch at the next return to user space.
pub fn scheduler_tick(from_user: bool) {
    if CURRENT.load(Ordering::Acquire).is_null() {
        return; // before the first task exists
    }
    let now = crate::drivers::timer::uptime_ns();
    let cur = current();
    super::cputime::account_tick(is_idle(&cur), from_user);
    if !is_idle(&cur) {
        let mut inner = cur.inner.lock();
        if from_user {
            inner.utime += 1;
        } else {
            inner.stime += 1;
        }
    }
    let due: alloc::vec::Vec<Arc<TaskStruct>> = TASKS
        .lock()
        .values()
        .filter(|t| t.inner.lock().wake_at.is_some_and(|w| w <= now))
        .cloned()
        .collect();
    for t in due {
        wake_up(&t);
    }
    NEED_RESCHED.store(true, Ordering::Relaxed);
}

/// Should the current task give up the CPU before returning to user space?
pub fn need_resched() -> bool {
    NEED_RESCHED.load(Ordering::Relaxed)
}

/// Pick the next task and switch to it (Linux `schedule` -> `__schedule`). The current
/// task goes back on the run queue if it is still runnable.
pub fn schedule() {
    // The switch and every lock below assume interrupts are masked: an interrupt between
    // `msr elr_el1` and `eret` in kernel_exit, or while a lock is held, would be fatal.
    assert!(
        cpu::irqs_disabled(),
        "schedule() with interrupts unmasked (kernel bug)"
    );
    NEED_RESCHED.store(false, Ordering::Relaxed);
    let prev = current();
    let next = {
        let mut rq = RUNQUEUE.lock();
        if !is_idle(&prev) && prev.inner.lock().state == TaskState::Running {
            rq.push_back(prev.clone());
        }
        let next = match rq.pop_front() {
            Some(t) => t,
            None => IDLE.get().expect("idle task").clone(),
        };
        // A burst of runnable tasks keeps no heap once it is over.
        if let Some(c) = crate::mm::shrink::shrink_target(rq.len(), rq.capacity()) {
            rq.shrink_to(c);
        }
        next
    };
    if Arc::ptr_eq(&prev, &next) {
        return;
    }
    context_switch(prev, next);
}

/// Switch address space, user-visible registers, and finally kernel stacks (Linux
/// `context_switch` + `__switch_to`).
fn context_switch(prev: Arc<TaskStruct>, next: Arc<TaskStruct>) {
    switch_mm(&prev, &next);
    // TLS and FP/SIMD belong to user space; the kernel never uses them itself.
    prev.inner.lock().tls = context::read_tpidr_el0();
    context::write_tpidr_el0(next.inner.lock().tls);
    // SAFETY: prev is the running task, so its fpsimd block is ours to write; next is
    // switched out, so nobody writes its block now.
    unsafe {
        context::fpsimd_save(&mut *prev.fpsimd_ptr());
        context::fpsimd_load(&*next.fpsimd_ptr());
    }
    let (prev_ctx, next_ctx) = (prev.context_ptr(), next.context_ptr() as *const _);
    // CURRENT's reference to prev moves to PREV; next's Arc becomes CURRENT's reference.
    let old = CURRENT.swap(Arc::into_raw(next) as *mut _, Ordering::AcqRel);
    PREV.store(old, Ordering::Release);
    drop(prev); // our local reference; PREV still keeps the task alive
                // SAFETY: both contexts belong to live tasks (PREV and CURRENT hold references), and
                // next's context was saved by cpu_switch_to or made by new_task_context.
    unsafe { context::switch_to(prev_ctx, next_ctx) };
    finish_task_switch();
}

/// Runs first in the task switched to (Linux `finish_task_switch`): drop the reference
/// to the task we came from; if it was dead, this frees it, kernel stack and all.
fn finish_task_switch() {
    let p = PREV.swap(ptr::null_mut(), Ordering::AcqRel);
    if !p.is_null() {
        // SAFETY: PREV held a reference made by Arc::into_raw in context_switch.
        drop(unsafe { Arc::from_raw(p) });
    }
}

/// The first thing a new task runs, from `ret_from_fork` (Linux `schedule_tail`).
#[no_mangle]
extern "C" fn schedule_tail() {
    finish_task_switch();
}

/// Give TTBR0 the next task's table and ASID (Linux `switch_mm` /
/// `check_and_switch_context`). Threads of one process share the mm: nothing to do.
fn switch_mm(prev: &TaskStruct, next: &TaskStruct) {
    let prev_mm = prev.inner.lock().mm.clone();
    let next_mm = next.inner.lock().mm.clone();
    match (prev_mm, next_mm) {
        (Some(a), Some(b)) if Arc::ptr_eq(&a, &b) => {}
        (prev_mm, Some(b)) => {
            let active = prev_mm.map(|a| a.lock().context_id).unwrap_or(0);
            let mut mm = b.lock();
            let mut asids = ASIDS.get().expect("sched::init").lock();
            let s = asids.check_and_switch(&mut mm.context_id, active);
            if s.flush_all {
                mmu::flush_tlb_all();
            }
            mmu::cpu_switch_mm(mm.pgd_pa(), s.asid);
        }
        (_, None) => mmu::cpu_set_reserved_ttbr0(crate::mm::kmap::reserved_pg_dir()),
    }
}

/// Make the running task's address space current again after exec replaced it.
pub fn activate_mm() {
    let cur = current();
    let Some(mm) = cur.inner.lock().mm.clone() else {
        return;
    };
    let mut mm = mm.lock();
    let mut asids = ASIDS.get().expect("sched::init").lock();
    let s = asids.check_and_switch(&mut mm.context_id, 0);
    if s.flush_all {
        mmu::flush_tlb_all();
    }
    mmu::cpu_switch_mm(mm.pgd_pa(), s.asid);
}

/// The idle loop (Linux `do_idle`): run whatever is runnable; otherwise wait for an
/// interrupt with interrupts unmasked, the only place the kernel takes them.
pub fn cpu_idle() -> ! {
    // start_kernel ran with interrupts on (for the timer self-test); from here on the
    // kernel keeps them masked everywhere but in the wfi below.
    cpu::local_irq_disable();
    loop {
        if !RUNQUEUE.lock().is_empty() {
            schedule();
            continue;
        }
        cpu::local_irq_enable();
        cpu::wait_for_interrupt();
        cpu::local_irq_disable();
    }
}

/// Tasks that are runnable now (for `ps` and tests).
pub fn nr_running() -> usize {
    RUNQUEUE.lock().len()
}
