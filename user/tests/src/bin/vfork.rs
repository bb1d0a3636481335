//! vfork: clone(CLONE_VM | CLONE_VFORK | SIGCHLD), and CLONE_VM without CLONE_THREAD.
//!
//! The parent of a CLONE_VFORK child sleeps until the child execs or exits (Linux
//! `kernel_clone` -> `wait_for_vfork_done`, released in `mm_release`); the child shares
//! its memory meanwhile. On Linnet: `task/fork.rs`, `task/exit.rs`, `exec/mod.rs`.
//! qemu-user emulates vfork as a plain fork and refuses CLONE_VM without CLONE_THREAD
//! (EINVAL), so the checks of sharing and of the parent's sleep are Linnet-only there
//! (`# SKIP`); exit statuses are checked on both.
//! Resource limits belong to the process (Linux `signal_struct`), not to the memory: a
//! vfork or CLONE_VM child has its own copy, and lowering it leaves the parent's alone.
//! Syscalls used: clone, execve, wait4, nanosleep, getrlimit, setrlimit, exit, exit_group.

#![no_std]
#![no_main]

use core::arch::asm;
use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
use ulib::procattr::clone_fn;
use ulib::process::{reap, WNOHANG};
use ulib::resource::{getrlimit, setrlimit, Rlimit, RLIMIT_NOFILE, RLIMIT_STACK};
use ulib::thread::CLONE_VM;
use ulib::time::Timespec;
use ulib::{Errno, Tap};

const CLONE_VFORK: usize = ulib::uapi::sched::CLONE_VFORK as usize;
const SIGCHLD: usize = ulib::uapi::signal::SIGCHLD as usize;
const VFORK: usize = CLONE_VM | CLONE_VFORK | SIGCHLD;
const QEMU: &str = "qemu-user emulates vfork/CLONE_VM as fork";

static SHARED: AtomicU32 = AtomicU32::new(0);

fn stack() -> &'static mut [u8] {
    ulib::map_anon(64 * 1024).expect("mmap a child stack")
}

fn sleep_ms(ms: u64) {
    let _ = ulib::nanosleep(&Timespec::from_ms(ms), None);
}

/// The vfork child: sleeps, then writes to the shared memory and exits with 7.
extern "C" fn slow_writer(v: usize) -> i32 {
    sleep_ms(50);
    SHARED.store(v as u32, SeqCst);
    7
}

/// The vfork child: execs this program with "sleeper" (it sleeps 200 ms, exits 5).
extern "C" fn execer(_: usize) -> i32 {
    let path = ulib::args()
        .next()
        .map_or(core::ptr::null(), |a| a.as_ptr());
    let argv = [path, c"sleeper".as_ptr(), core::ptr::null()];
    let envp = [core::ptr::null()];
    // SAFETY: NUL-terminated strings and NULL-terminated arrays.
    let _ = unsafe { ulib::process::execve(path, argv.as_ptr(), envp.as_ptr()) };
    99
}

/// A failed exec does not release the parent: only the exit after it does.
extern "C" fn bad_execer(_: usize) -> i32 {
    let argv = [c"/nonexistent".as_ptr(), core::ptr::null()];
    let envp = [core::ptr::null()];
    // SAFETY: as above.
    let r = unsafe { ulib::process::execve(argv[0], argv.as_ptr(), envp.as_ptr()) };
    sleep_ms(30);
    SHARED.store(3, SeqCst);
    if r == Err(Errno::ENOENT) {
        9
    } else {
        1
    }
}

/// The vfork or CLONE_VM child: halves its RLIMIT_NOFILE and RLIMIT_STACK soft limits;
/// exits 0 if it reads its own RLIMIT_NOFILE back (qemu-user ignores a setrlimit of
/// RLIMIT_STACK, so that one is not read back).
extern "C" fn limit_lowerer(_: usize) -> i32 {
    let lower = |resource| {
        let r = getrlimit(resource)?;
        let low = Rlimit {
            cur: r.cur / 2,
            max: r.max,
        };
        setrlimit(resource, &low).map(|_| low)
    };
    let _ = lower(RLIMIT_STACK);
    match (lower(RLIMIT_NOFILE), getrlimit(RLIMIT_NOFILE)) {
        (Ok(set), Ok(now)) if set == now => 0,
        _ => 1,
    }
}

/// The caller's soft RLIMIT_NOFILE and RLIMIT_STACK.
fn limits() -> (Option<u64>, Option<u64>) {
    (
        getrlimit(RLIMIT_NOFILE).ok().map(|r| r.cur),
        getrlimit(RLIMIT_STACK).ok().map(|r| r.cur),
    )
}

/// The classic vfork: the child runs on the parent's own stack and exits at once
/// without returning into the parent's frames (busybox's and glibc's vfork).
fn vfork_exit_on_parent_stack(code: usize) -> i32 {
    let ret: isize;
    // SAFETY: the child executes only the two instructions after `svc` up to its own
    // exit syscall; it touches no memory, so sharing the parent's stack is harmless.
    unsafe {
        asm!(
            "svc #0",
            "cbnz x0, 1f",
            "mov x0, {code}",
            "mov x8, #93",
            "svc #0",
            "1:",
            code = in(reg) code,
            inout("x0") VFORK => ret,
            in("x1") 0usize,
            in("x2") 0usize,
            in("x3") 0usize,
            in("x4") 0usize,
            in("x8") 220usize,
        );
    }
    ret as i32
}

#[no_mangle]
fn main() -> i32 {
    if ulib::args().nth(1).is_some_and(|a| a == b"sleeper") {
        sleep_ms(200);
        return 5;
    }
    let linnet = ulib::is_linnet();
    let mut tap = Tap::new(12);

    // 1-2: the parent sleeps until the child exits, and sees what it wrote.
    let pid = clone_fn(VFORK, stack(), slow_writer, 42).unwrap_or(-1);
    let seen = SHARED.load(SeqCst);
    if linnet {
        tap.eq(
            seen,
            42,
            "vfork parent resumes after the child exits, sees its writes",
        );
    } else {
        tap.skip(
            "vfork parent resumes after the child exits, sees its writes",
            QEMU,
        );
    }
    tap.eq(
        reap(pid),
        Some(7 << 8),
        "vfork child's exit status reaches wait4",
    );

    // 3-4: the parent resumes at the child's exec, while the new program still runs.
    let pid = clone_fn(VFORK, stack(), execer, 0).unwrap_or(-1);
    let mut st = 0;
    let running = ulib::wait4(pid, Some(&mut st), WNOHANG);
    if linnet {
        tap.eq(
            running,
            Ok(0),
            "vfork parent resumes at exec, the child still running",
        );
    } else {
        tap.skip(
            "vfork parent resumes at exec, the child still running",
            QEMU,
        );
    }
    let status = reap(pid);
    if linnet {
        tap.eq(
            status,
            Some(5 << 8),
            "the exec'd vfork child exits with its own status",
        );
    } else {
        tap.skip(
            "the exec'd vfork child exits with its own status",
            "no binfmt for exec",
        );
    }

    // 5-6: a failed exec keeps the parent asleep until the exit.
    SHARED.store(0, SeqCst);
    let pid = clone_fn(VFORK, stack(), bad_execer, 0).unwrap_or(-1);
    let seen = SHARED.load(SeqCst);
    if linnet {
        tap.eq(seen, 3, "a failed exec does not wake the vfork parent");
    } else {
        tap.skip("a failed exec does not wake the vfork parent", QEMU);
    }
    tap.eq(reap(pid), Some(9 << 8), "the child saw ENOENT and exited 9");

    // 7: the child on the parent's stack.
    let pid = vfork_exit_on_parent_stack(33);
    tap.eq(
        reap(pid),
        Some(33 << 8),
        "vfork child on the parent's stack exits 33",
    );

    // 8-9: CLONE_VM without CLONE_THREAD or CLONE_VFORK: a process sharing our memory.
    SHARED.store(0, SeqCst);
    let r = clone_fn(CLONE_VM | SIGCHLD, stack(), slow_writer, 77);
    if linnet {
        let st = r.ok().and_then(reap);
        tap.eq(st, Some(7 << 8), "CLONE_VM child is a process wait4 reaps");
        tap.eq(
            SHARED.load(SeqCst),
            77,
            "CLONE_VM child's writes are seen by the parent",
        );
    } else {
        let ok = match r {
            Err(Errno::EINVAL) => true,
            Ok(pid) => reap(pid) == Some(7 << 8),
            Err(_) => false,
        };
        tap.ok(ok, "CLONE_VM child is a process wait4 reaps");
        tap.skip("CLONE_VM child's writes are seen by the parent", QEMU);
    }

    // 10-12: limits are the process's (Linux `copy_signal`), not the memory's: a child
    // that shares our memory but is not a thread lowers only its own copy.
    let before = limits();
    let pid = clone_fn(VFORK, stack(), limit_lowerer, 0).unwrap_or(-1);
    tap.eq(
        reap(pid),
        Some(0),
        "vfork child's setrlimit(RLIMIT_NOFILE) takes effect in the child",
    );
    tap.eq(
        limits(),
        before,
        "vfork child lowering its limits leaves the parent's alone",
    );
    // qemu-user refuses CLONE_VM without CLONE_THREAD (EINVAL): the parent's limits
    // are then unchanged too, which is what Linux gives after the child ran.
    let r = clone_fn(CLONE_VM | SIGCHLD, stack(), limit_lowerer, 0);
    let child_ok = match r {
        Ok(pid) => reap(pid) == Some(0),
        Err(e) => !linnet && e == Errno::EINVAL,
    };
    tap.ok(
        child_ok && limits() == before,
        "CLONE_VM child lowering its limits leaves the parent's alone",
    );
    tap.done()
}
