//! System-wide CPU time and fork counts for /proc/stat and /proc/uptime (Linux
//! `kernel/sched/cputime.c`: `account_process_tick` into `kcpustat_cpu`, and
//! `total_forks` in `kernel/fork.c`). One CPU, so the sums are that CPU's.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

static USER: AtomicU64 = AtomicU64::new(0);
static SYSTEM: AtomicU64 = AtomicU64::new(0);
static IDLE: AtomicU64 = AtomicU64::new(0);
static FORKS: AtomicU64 = AtomicU64::new(0);

/// Charge one tick (Linux `account_process_tick`): to idle if the idle task had the
/// CPU, else to user or system time.
pub fn account_tick(idle: bool, from_user: bool) {
    let c = match (idle, from_user) {
        (true, _) => &IDLE,
        (false, true) => &USER,
        (false, false) => &SYSTEM,
    };
    c.fetch_add(1, Relaxed);
}

/// (user, system, idle) ticks since boot (Linux `kcpustat_cpu`, for /proc/stat).
pub fn cpu_ticks() -> (u64, u64, u64) {
    (USER.load(Relaxed), SYSTEM.load(Relaxed), IDLE.load(Relaxed))
}

/// One more task created (Linux `total_forks++` in `copy_process`).
pub fn count_fork() {
    FORKS.fetch_add(1, Relaxed);
}

/// Tasks created since boot (Linux `total_forks`, `kernel/fork.c`).
pub fn total_forks() -> u64 {
    FORKS.load(Relaxed)
}
