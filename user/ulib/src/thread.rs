//! Threads: clone onto a new stack, thread-local storage, and join through the futex the
//! kernel wakes when a thread exits.
//!
//! `spawn_thread` calls clone with the flags glibc's `pthread_create` uses (less
//! CLONE_CHILD_SETTID), in the arm64 argument order: flags, newsp, parent_tidptr, tls,
//! child_tidptr. The kernel (`copy_process` in `kernel/src/task/fork.rs`) then must:
//!   * start the child with a copy of the parent's registers, x0 = 0, sp = newsp,
//!     TPIDR_EL0 = tls (CLONE_SETTLS);
//!   * store the new tid at parent_tidptr before clone returns (CLONE_PARENT_SETTID);
//!   * when the thread exits, store 0 at child_tidptr and FUTEX_WAKE it
//!     (CLONE_CHILD_CLEARTID; Linux's `mm_release`) -- that is what `join` waits for.
//!
//! The top 32 bytes of the thread's stack hold a `Slot`: the two tid words, the function,
//! its argument and its return value. The child starts with sp at the slot, so the
//! assembly below finds its work there. The thread ends with `exit` (93), which ends only
//! this thread, never `exit_group`.

use crate::errno::{check, Errno, SysResult};
use crate::syscall::{nr, syscall6};
use core::arch::{asm, global_asm};
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering::Acquire, Ordering::Release};

/// CLONE_VM: share the address space.
pub const CLONE_VM: usize = uapi::sched::CLONE_VM as usize;
/// CLONE_FS: share cwd and umask.
pub const CLONE_FS: usize = uapi::sched::CLONE_FS as usize;
/// CLONE_FILES: share the file descriptor table.
pub const CLONE_FILES: usize = uapi::sched::CLONE_FILES as usize;
/// CLONE_SIGHAND: share signal handlers.
pub const CLONE_SIGHAND: usize = uapi::sched::CLONE_SIGHAND as usize;
/// CLONE_THREAD: same thread group (same pid), no SIGCHLD at exit.
pub const CLONE_THREAD: usize = uapi::sched::CLONE_THREAD as usize;
/// CLONE_SYSVSEM: share System V semaphore undo lists.
pub const CLONE_SYSVSEM: usize = uapi::sched::CLONE_SYSVSEM as usize;
/// CLONE_SETTLS: set the child's TPIDR_EL0 to the `tls` argument.
pub const CLONE_SETTLS: usize = uapi::sched::CLONE_SETTLS as usize;
/// CLONE_PARENT_SETTID: store the child's tid at `parent_tidptr`.
pub const CLONE_PARENT_SETTID: usize = uapi::sched::CLONE_PARENT_SETTID as usize;
/// CLONE_CHILD_CLEARTID: at exit, store 0 at `child_tidptr` and futex-wake it.
pub const CLONE_CHILD_CLEARTID: usize = uapi::sched::CLONE_CHILD_CLEARTID as usize;
/// CLONE_CHILD_SETTID: store the child's tid at `child_tidptr` in the child.
pub const CLONE_CHILD_SETTID: usize = uapi::sched::CLONE_CHILD_SETTID as usize;

/// The flags `spawn_thread` passes (0x3d0f00).
pub const THREAD_FLAGS: usize = CLONE_VM
    | CLONE_FS
    | CLONE_FILES
    | CLONE_SIGHAND
    | CLONE_THREAD
    | CLONE_SYSVSEM
    | CLONE_SETTLS
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_CLEARTID;

/// FUTEX_WAIT: sleep if the word still holds the expected value.
pub const FUTEX_WAIT: usize = uapi::futex::FUTEX_WAIT as usize;
/// FUTEX_WAKE: wake up to `val` sleepers on the word.
pub const FUTEX_WAKE: usize = uapi::futex::FUTEX_WAKE as usize;

/// What `*ctid` holds while the thread runs; the kernel replaces it with 0 at exit.
const CTID_RUNNING: u32 = u32::MAX;
/// Below this much stack, refuse (the thread has no guard page).
const MIN_STACK: usize = 4096;

/// The top of a thread's stack: what the child needs and what the parent reads back.
#[repr(C, align(16))]
struct Slot {
    ptid: AtomicU32,
    ctid: AtomicU32,
    ret: AtomicI32,
    f: fn(usize) -> i32,
    arg: usize,
}

// ulib_clone_thread(flags, newsp, ptid, tls, ctid): x0..x4 are already clone's arguments.
// The parent returns clone's result. The child (x0 == 0) runs on newsp, where the Slot is,
// and never returns: ulib_thread_start ends with exit.
global_asm!(
    ".section .text.ulib_clone_thread, \"ax\", %progbits",
    ".globl ulib_clone_thread",
    ".type ulib_clone_thread, %function",
    "ulib_clone_thread:",
    "    .cfi_startproc",
    "    mov x8, #220", // clone
    "    svc #0",
    "    cbz x0, 1f",
    "    ret",
    "1:  .cfi_undefined x30", // tells gdb the child's backtrace ends here
    "    mov x0, sp",         // the child: sp == newsp == &Slot
    "    mov x29, xzr",       // a new, empty frame chain
    "    mov x30, xzr",
    "    bl ulib_thread_start",
    "    brk #0x1",
    "    .cfi_endproc",
    ".size ulib_clone_thread, . - ulib_clone_thread",
);

extern "C" {
    fn ulib_clone_thread(
        flags: usize,
        newsp: usize,
        ptid: *mut u32,
        tls: usize,
        ctid: *mut u32,
    ) -> isize;
}

/// The new thread's first Rust code: run `f(arg)`, publish the result, end the thread.
#[no_mangle]
unsafe extern "C" fn ulib_thread_start(slot: *const Slot) -> ! {
    // SAFETY: slot is the Slot spawn_thread wrote at the top of this stack; it lives as
    // long as the stack, which spawn_thread took for 'static.
    let slot = unsafe { &*slot };
    let ret = (slot.f)(slot.arg);
    slot.ret.store(ret, Release);
    crate::exit(ret)
}

/// A running (or finished) thread started by [`spawn_thread`].
pub struct Thread {
    slot: &'static Slot,
    tid: i32,
}

/// Start a thread running `f(arg)` on `stack` with TPIDR_EL0 = `tls`.
///
/// The stack is taken for `'static` (e.g. from [`crate::map_anon`]): the thread may
/// outlive its `Thread` handle, and the kernel writes `*ctid` in it when the thread exits.
pub fn spawn_thread(
    stack: &'static mut [u8],
    tls: usize,
    f: fn(usize) -> i32,
    arg: usize,
) -> SysResult<Thread> {
    let base = stack.as_mut_ptr() as usize;
    let slot_addr = ((base + stack.len()) & !15) - core::mem::size_of::<Slot>();
    if slot_addr < base + MIN_STACK {
        return Err(Errno::EINVAL);
    }
    let slot = slot_addr as *mut Slot;
    // SAFETY: slot_addr is 16-aligned and inside `stack`, which we own for 'static.
    let slot = unsafe {
        slot.write(Slot {
            ptid: AtomicU32::new(0),
            ctid: AtomicU32::new(CTID_RUNNING),
            ret: AtomicI32::new(0),
            f,
            arg,
        });
        &*slot
    };
    let ptid = slot.ptid.as_ptr();
    let ctid = slot.ctid.as_ptr();
    // SAFETY: the child gets its own stack below the slot and shares our memory
    // (CLONE_VM); the tid words live in that 'static stack, as the kernel requires.
    let tid = check(unsafe { ulib_clone_thread(THREAD_FLAGS, slot_addr, ptid, tls, ctid) })?;
    Ok(Thread {
        slot,
        tid: tid as i32,
    })
}

impl Thread {
    /// The thread's id, as clone returned it.
    pub fn tid(&self) -> i32 {
        self.tid
    }

    /// `*parent_tidptr`: the tid, stored by the kernel (CLONE_PARENT_SETTID).
    pub fn ptid(&self) -> u32 {
        self.slot.ptid.load(Acquire)
    }

    /// `*child_tidptr`: nonzero while the thread runs, 0 once the kernel has cleared it.
    pub fn ctid(&self) -> u32 {
        self.slot.ctid.load(Acquire)
    }

    /// Wait until the thread has exited and return what its function returned.
    /// Like glibc's pthread_join: sleep on the futex the kernel wakes at exit.
    pub fn join(&self) -> i32 {
        loop {
            let v = self.slot.ctid.load(Acquire);
            if v == 0 {
                return self.slot.ret.load(Acquire);
            }
            // EAGAIN (the word changed) and EINTR just mean "look again".
            let _ = futex_wait(&self.slot.ctid, v);
        }
    }
}

/// futex(FUTEX_WAIT): sleep while `*word == expected` (until a FUTEX_WAKE on it).
pub fn futex_wait(word: &AtomicU32, expected: u32) -> SysResult {
    // SAFETY: the kernel only reads *word; no timeout, no second word.
    check(unsafe {
        syscall6(
            nr::__NR_futex,
            word.as_ptr() as usize,
            FUTEX_WAIT,
            expected as usize,
            0,
            0,
            0,
        )
    })
}

/// futex(FUTEX_WAKE): wake up to `n` threads sleeping on `word`; returns how many woke.
pub fn futex_wake(word: &AtomicU32, n: u32) -> SysResult {
    // SAFETY: the kernel does not touch *word for a wake.
    check(unsafe {
        syscall6(
            nr::__NR_futex,
            word.as_ptr() as usize,
            FUTEX_WAKE,
            n as usize,
            0,
            0,
            0,
        )
    })
}

/// This thread's TPIDR_EL0 (its thread pointer).
pub fn get_tls() -> usize {
    let v: usize;
    // SAFETY: reading TPIDR_EL0 is allowed at EL0 and has no side effects.
    unsafe { asm!("mrs {}, tpidr_el0", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// Set this thread's TPIDR_EL0.
///
/// # Safety
/// Code that keeps thread-locals behind TPIDR_EL0 would lose them; ulib has none.
pub unsafe fn set_tls(v: usize) {
    // SAFETY: writing TPIDR_EL0 is allowed at EL0; the caller owns its meaning.
    unsafe { asm!("msr tpidr_el0, {}", in(reg) v, options(nomem, nostack, preserves_flags)) };
}
