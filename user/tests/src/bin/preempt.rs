//! preempt: the timer takes the CPU away from a program that never gives it up.
//!
//! The parent forks a child, then spins on a word of MAP_SHARED memory without making a
//! single syscall. Only the child writes that word. If the parent ever sees it change,
//! the timer interrupt must have stopped the parent and the scheduler must have run the
//! child (Linux `scheduler_tick` -> `need_resched` -> `schedule` on the way back to user
//! space). A kernel without preemption would spin here forever; the bound on the loop
//! turns that into a failed test instead.
//! Syscalls used: mmap, clone (as fork), wait4, exit_group, write.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU64, Ordering};
use ulib::mm::{mmap, MAP_ANONYMOUS, MAP_SHARED, PROT_READ, PROT_WRITE};
use ulib::{exit_group, fork, wait4, wexitstatus, wifexited, Tap};

/// Spins the parent allows itself: far more than a few timer ticks take, far less than
/// forever.
const MAX_SPINS: u64 = 4_000_000_000;

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(3);
    // SAFETY: no MAP_FIXED: the kernel picks a free range, nothing else refers to it.
    let Ok(p) = (unsafe {
        mmap(
            0,
            4096,
            PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS,
            -1,
            0,
        )
    }) else {
        tap.ok(false, "mmap a shared page");
        return tap.done();
    };
    // SAFETY: a fresh, page-aligned, writable shared mapping of 4096 bytes.
    let words = unsafe { &*(p as *const [AtomicU64; 2]) };
    let (counter, stop) = (&words[0], &words[1]);
    let child = match fork() {
        Ok(0) => {
            // The child counts until the parent says stop.
            while stop.load(Ordering::Relaxed) == 0 {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            exit_group(0);
        }
        Ok(pid) => pid,
        Err(e) => {
            tap.ok(false, format_args!("fork: {}", e));
            return tap.done();
        }
    };
    let mut spins = 0u64;
    while counter.load(Ordering::Relaxed) == 0 && spins < MAX_SPINS {
        spins += 1;
        core::hint::spin_loop();
    }
    tap.ok(
        counter.load(Ordering::Relaxed) > 0,
        "a child ran while the parent spun without a syscall",
    );
    stop.store(1, Ordering::Relaxed);
    let mut status = 0;
    let reaped = wait4(child, Some(&mut status), 0);
    tap.eq(
        reaped,
        Ok(child),
        "the child stopped when told and was reaped",
    );
    tap.ok(wifexited(status) && wexitstatus(status) == 0, "it exited 0");
    tap.done()
}
