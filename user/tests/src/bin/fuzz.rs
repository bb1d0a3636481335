//! fuzz: a seeded syscall fuzzer. Many workers, each a process making random syscalls
//! with nasty arguments; a supervisor (init) that keeps a few running, kills each at its
//! deadline and reaps everyone with __WALL. The kernel must survive, init must reap every
//! process, and free memory and kernel heap must come back (issue 11).
//!
//!   fuzz [SECONDS [SEED]]        run for SECONDS (default 20) from SEED (default 1)
//!   fuzz replay SEED WORKER [N]  run worker WORKER of SEED alone, printing each call
//!                                before making it (the first N calls; default all)
//!   fuzz scan SEED FROM TO       run workers FROM..TO one at a time and name those
//!                                after which free memory or heap did not come back
//!   fuzz bisect SEED WORKER      the shortest prefix of WORKER's calls that leaves
//!                                memory or heap behind: its last call is the culprit
//!
//! Worker `w` of seed `s` draws everything from one PRNG seeded with (s, w), so the pair
//! reproduces its calls (addresses differ with ASLR: pointers are chosen as "the scratch
//! page + 3", not as numbers). The supervisor prints `# worker W pid P` as each starts,
//! so a panic's pid names the worker to replay.
//!
//! Arguments: small ints, 0, -1, all-ones, 2^31, random words, kernel addresses,
//! TASK_SIZE-8, unmapped and misaligned pointers, pointers into a scratch buffer
//! (at its end, a read-only page, then an unmapped one), valid path strings, the
//! worker's own descriptors (pipe, /tmp file, /proc file, directory, /dev/null), and
//! huge lengths.
//!
//! The denylist: calls that would end or blind the test itself, not the kernel. See
//! `denied` and `fixup` for each reason. Linnet only (`make test` marks it so): under
//! qemu-user the calls would run on the host.
//! Syscalls used: all of them.

#![no_std]
#![no_main]

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};
use ulib::memstat::{memstat, settle, MemStat, HEAP_SLACK};
use ulib::mm::*;
use ulib::println;
use ulib::process::WNOHANG;
use ulib::signal::SIGKILL;
use ulib::syscall::syscall6;
use ulib::{Errno, Tap};

const WALL: i32 = ulib::uapi::wait::WALL as i32;
/// Workers running at once.
const PARALLEL: usize = 6;
/// Calls a worker makes before it exits on its own.
const CALLS: u32 = 400;
/// A worker still running after this long is killed (ms).
const WORKER_MS: u64 = 1500;
/// Pages of scratch memory each worker has, then one read-only page, then a hole.
const SCRATCH_PAGES: usize = 4;
/// Syscall numbers drawn from (the asm-generic table ends below this).
const NR_MAX: u64 = ulib::uapi::unistd::NR_SYSCALLS as u64;
/// How far below its baseline free memory may end (kB); the heap has `HEAP_SLACK`.
const FREE_SLACK_KB: u64 = 64;
/// Where a worker's console output goes in replay mode (above any small fd it fuzzes).
const REPLAY_FD: i32 = 1000;

const SYS_EXIT: u64 = 93;
const SYS_EXIT_GROUP: u64 = 94;
const SYS_KILL: u64 = 129;
const SYS_TKILL: u64 = 130;
const SYS_TGKILL: u64 = 131;
const SYS_REBOOT: u64 = 142;
const SYS_PTRACE: u64 = 117;
const SYS_CLONE: u64 = 220;
const SYS_EXECVE: u64 = 221;
const SYS_PRLIMIT64: u64 = 261;
const SYS_PROCESS_VM_WRITEV: u64 = 271;
const SYS_EXECVEAT: u64 = 281;
const SYS_CLONE3: u64 = 435;
const SYS_IOCTL: u64 = 29;
const SYS_MSGGET: u64 = 186;
const SYS_MSGCTL: u64 = 187;
const SYS_SEMGET: u64 = 190;
const SYS_SEMCTL: u64 = 191;
const SYS_SHMGET: u64 = 194;
const SYS_SHMCTL: u64 = 195;
/// The only SysV IPC keys a worker may use (see `fixup`).
const IPC_KEYS: [u64; 4] = [0x465a_0001, 0x465a_0002, 0x465a_0003, 0x465a_0004];

/// Calls no worker makes, and why: each would end or blind the test, not test the kernel.
fn denied(nr: u64) -> bool {
    matches!(
        nr,
        // reboot: powers the machine off (it is init's own job, and root may do it).
        SYS_REBOOT
        // exit, exit_group: end the worker at once; every worker ends so anyway.
        | SYS_EXIT | SYS_EXIT_GROUP
        // ptrace, process_vm_writev: could stop the supervisor or write into it.
        | SYS_PTRACE | SYS_PROCESS_VM_WRITEV
    )
}

/// Arguments that would hurt the test rather than the kernel, replaced (see each).
fn fixup(nr: u64, a: &mut [u64; 6], w: &Worker) {
    match nr {
        // kill(-1) signals every process but init: the other workers and the runner's
        // bookkeeping. (kill(1) stays: init is unkillable, and that is tested.)
        SYS_KILL if a[0] as i32 == -1 => a[0] = 0,
        // tkill/tgkill of -1 is ESRCH anyway; keep them aimed at small ids.
        SYS_TKILL | SYS_TGKILL if a[0] as i32 == -1 => a[0] = 0,
        // prlimit64 of another process could lower the supervisor's limits (no more
        // descriptors, no stack) and make it fail: only the worker's own (pid 0).
        SYS_PRLIMIT64 => a[0] = 0,
        // ioctl on the replay fd could reconfigure the console the runner reads.
        SYS_IOCTL if a[0] as i32 == REPLAY_FD => a[0] = w.fds[0] as u64,
        // SysV IPC objects outlive their creator (Linux keeps them until IPC_RMID): a
        // worker's would stay in the kernel heap after the run, by design, not as a
        // leak. So every key is one of the fuzzer's own, never IPC_PRIVATE, and `clean`
        // finds and removes what the workers made.
        SYS_MSGGET | SYS_SEMGET | SYS_SHMGET => a[0] = IPC_KEYS[(a[0] % 4) as usize],
        // A successful exec would replace the worker by another program (a shell would
        // take the console): the path is always a nasty pointer, never a real path.
        SYS_EXECVE | SYS_EXECVEAT => {
            let i = if nr == SYS_EXECVE { 0 } else { 1 };
            if (w.strings..w.strings + PAGE_SIZE as u64).contains(&a[i]) {
                a[i] = 0xffff_0000_0800_0000;
            }
        }
        _ => {}
    }
}

/// splitmix64: small, fast, and good enough to make varied arguments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A worker's world: its scratch memory, its strings and its descriptors.
struct Worker {
    rng: Rng,
    scratch: u64,
    strings: u64,
    fds: [i32; 6],
}

/// Paths the workers may name (the /tmp ones are removed by the supervisor at the end).
/// Not "/": a worker's cwd is /tmp/fzw, where the names it makes up (relative paths
/// from random bytes) create files; "/" would pile them up in the root directory, whose
/// entry table then keeps its grown capacity (not a leak, but not the baseline either).
const PATHS: [&[u8]; 6] = [
    b"/tmp/fzw\0",
    b"/proc/self/maps\0",
    b"/proc/meminfo\0",
    b"/tmp/fz\0",
    b"/tmp/fzd\0",
    b"\0",
];

impl Worker {
    /// One argument from the generators.
    fn arg(&mut self) -> u64 {
        let s = self.scratch;
        let end = s + (SCRATCH_PAGES * PAGE_SIZE) as u64;
        match self.rng.below(24) {
            0 => 0,
            1 => 1,
            2 => self.rng.below(64),
            3 => u64::MAX,              // -1, all-ones flags
            4 => 0xffff_ffff,           // all-ones 32-bit flags
            5 => 0x8000_0000,           // INT_MIN as unsigned
            6 => self.rng.next(),       // any word
            7 => 0xffff_0000_0800_0000, // the kernel image
            8 => 0xffff_8000_0000_0000 + self.rng.below(1 << 20) * 8, // linear map
            9 => 0x0000_ffff_ffff_fff8, // TASK_SIZE - 8
            10 => 0x0001_0000_0000_0000, // TASK_SIZE
            11 => 0x1000 + self.rng.below(16) * 0x1000, // unmapped low pages
            12 => s + 1 + self.rng.below(7), // misaligned into scratch
            13 => s + self.rng.below(SCRATCH_PAGES as u64) * PAGE_SIZE as u64, // scratch
            14 => end - 1 - self.rng.below(16), // runs into the read-only page
            15 => end + PAGE_SIZE as u64 - 4, // runs off into the hole
            16 => end + PAGE_SIZE as u64, // the hole
            17 => {
                let i = self.rng.below(PATHS.len() as u64) as usize;
                self.strings + 64 * i as u64 // a valid path string
            }
            18 | 19 => self.fds[self.rng.below(self.fds.len() as u64) as usize] as u64,
            20 => 1 << (20 + self.rng.below(40)), // huge length
            21 => 0x7fff_ffff,
            22 => PAGE_SIZE as u64 * (1 + self.rng.below(16)),
            _ => (-(self.rng.below(4096) as i64)) as u64, // -errno-like
        }
    }

    /// A syscall number: mostly the table, sometimes past it or with high bits set.
    fn nr(&mut self) -> u64 {
        loop {
            let nr = match self.rng.below(64) {
                0 => 1000 + self.rng.below(1000),
                1 => 0x1_0000_0000 | self.rng.below(NR_MAX), // only the low 32 bits count
                2 => u64::MAX,
                _ => self.rng.below(NR_MAX),
            };
            if !denied(nr & 0xffff_ffff) {
                return nr;
            }
        }
    }
}

/// clone and clone3, whose child must not run Rust code on a stack it may share with
/// its parent (CLONE_VM and no new stack): the child calls exit(0) straight away.
///
/// # Safety
/// The caller's memory may be shared with a child that only runs the asm below.
unsafe fn clone_call(nr: u64, a: &[u64; 6]) -> isize {
    let ret: isize;
    // SAFETY: the child (x0 == 0) executes only `mov x8, #93; svc #0` (exit), touching
    // no memory; the parent continues as after any syscall.
    unsafe {
        asm!(
            "svc #0",
            "cbnz x0, 1f",
            "mov x8, #93",
            "mov x0, #0",
            "svc #0",
            "1:",
            inlateout("x8") nr => _,
            inlateout("x0") a[0] => ret,
            in("x1") a[1], in("x2") a[2], in("x3") a[3], in("x4") a[4], in("x5") a[5],
            options(nostack)
        )
    };
    ret
}

fn open(path: &core::ffi::CStr, flags: u32) -> i32 {
    ulib::openat(ulib::io::AT_FDCWD, path, flags, 0o600).map_or(-1, |f| f as i32)
}

/// The per-worker PRNG seed: (seed, worker) mixed so neighbours differ everywhere.
fn worker_seed(seed: u64, id: u64) -> u64 {
    Rng(seed ^ id.wrapping_mul(0xd6e8_feb8_6659_fd93)).next()
}

/// A worker: its own process group, console replaced by /dev/null, a few descriptors
/// and scratch pages, then `calls` random syscalls. `replay`: print each first.
fn worker(seed: u64, id: u64, calls: u32, replay: bool, counter: &AtomicU64) -> i32 {
    let _ = ulib::process::setpgid(0, 0);
    if replay {
        let _ = ulib::fs::dup3(1, REPLAY_FD, 0);
    }
    let null = open(c"/dev/null", ulib::io::O_RDWR);
    for fd in 0..3 {
        let _ = ulib::fs::dup3(null, fd, 0);
    }
    let [rd, wr] = ulib::fs::pipe2(ulib::io::O_NONBLOCK).unwrap_or([-1, -1]);
    let file = open(c"/tmp/fz", ulib::io::O_RDWR | ulib::io::O_CREAT);
    let proc = open(c"/proc/meminfo", ulib::io::O_RDONLY);
    let _ = ulib::fs::mkdirat(ulib::io::AT_FDCWD, c"/tmp/fzw", 0o755);
    let _ = ulib::fs::chdir(c"/tmp/fzw");
    let dir = open(c"/tmp/fzw", ulib::io::O_RDONLY | ulib::io::O_DIRECTORY);
    // Scratch pages, a read-only page after them, then a hole (unmapped).
    let total = (SCRATCH_PAGES + 2) * PAGE_SIZE;
    let Ok(m) = ulib::map_anon(total) else {
        return 2;
    };
    let base = m.as_mut_ptr() as usize;
    let mut rng = Rng(worker_seed(seed, id));
    for b in m[..SCRATCH_PAGES * PAGE_SIZE].iter_mut() {
        *b = rng.next() as u8;
    }
    // Strings live in the last scratch page, 64 bytes apart.
    let strings = base + (SCRATCH_PAGES - 1) * PAGE_SIZE;
    for (i, p) in PATHS.iter().enumerate() {
        m[(SCRATCH_PAGES - 1) * PAGE_SIZE + 64 * i..][..p.len()].copy_from_slice(p);
    }
    // SAFETY: our own fresh mapping: one page made read-only, the last one unmapped.
    unsafe {
        let _ = mprotect(base + SCRATCH_PAGES * PAGE_SIZE, PAGE_SIZE, PROT_READ);
        let _ = munmap(base + (SCRATCH_PAGES + 1) * PAGE_SIZE, PAGE_SIZE);
    }
    let mut w = Worker {
        rng,
        scratch: base as u64,
        strings: strings as u64,
        fds: [rd, wr, file, proc, dir, null],
    };
    for n in 0..calls {
        let nr = w.nr();
        let mut a = [0u64; 6];
        for x in a.iter_mut() {
            *x = w.arg();
        }
        fixup(nr & 0xffff_ffff, &mut a, &w);
        if replay {
            ulib::print::_print(
                REPLAY_FD,
                format_args!(
                    "worker {} call {}: nr {:#x} ({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x})",
                    id, n, nr, a[0], a[1], a[2], a[3], a[4], a[5]
                ),
                true,
            );
        }
        counter.fetch_add(1, Ordering::Relaxed);
        let nr32 = nr & 0xffff_ffff;
        // SAFETY: this is the point: any call, any arguments. The worker's memory may be
        // wrecked by it (the worker then dies, which the supervisor expects); the clone
        // family's children leave at once (clone_call).
        let _ret = unsafe {
            if nr32 == SYS_CLONE || nr32 == SYS_CLONE3 {
                clone_call(nr, &a)
            } else {
                syscall6(
                    nr as usize,
                    a[0] as usize,
                    a[1] as usize,
                    a[2] as usize,
                    a[3] as usize,
                    a[4] as usize,
                    a[5] as usize,
                )
            }
        };
    }
    0
}

fn now_ms() -> u64 {
    ulib::clock_gettime(1).map_or(0, |t| t.tv_sec as u64 * 1000 + t.tv_nsec as u64 / 1_000_000)
}

fn nap(ms: u64) {
    let _ = ulib::nanosleep(&ulib::Timespec::from_ms(ms), None);
}

fn parse(s: Option<&[u8]>) -> Option<u64> {
    core::str::from_utf8(s?).ok()?.parse().ok()
}

/// Reap whatever has ended (WNOHANG); returns the pids, one at a time, through `f`.
fn reap_ready(mut f: impl FnMut(i32, i32)) {
    loop {
        let mut st = 0;
        match ulib::wait4(-1, Some(&mut st), WNOHANG | WALL) {
            Ok(p) if p > 0 => f(p, st),
            _ => return,
        }
    }
}

/// The names a directory held before the run (at most 64 of at most 63 bytes).
struct Snapshot {
    names: [[u8; 64]; 64],
    n: usize,
}

impl Snapshot {
    fn has(&self, name: &[u8]) -> bool {
        self.names[..self.n].iter().any(|k| {
            k.iter()
                .position(|&b| b == 0)
                .is_some_and(|l| &k[..l] == name)
        })
    }
}

fn snapshot(dir: &core::ffi::CStr) -> Snapshot {
    let mut s = Snapshot {
        names: [[0; 64]; 64],
        n: 0,
    };
    let fd = open(dir, ulib::io::O_RDONLY | ulib::io::O_DIRECTORY);
    let mut buf = [0u8; 2048];
    while let Ok(len @ 1..) = ulib::fs::getdents64(fd, &mut buf) {
        for e in ulib::fs::Dirents::new(&buf, len) {
            if s.n < 64 && e.name.len() < 64 {
                s.names[s.n][..e.name.len()].copy_from_slice(e.name);
                s.n += 1;
            }
        }
    }
    let _ = ulib::close(fd);
    s
}

/// Remove `name` in directory `dirfd`, a directory with all it holds (depth-bounded).
fn remove_tree(dirfd: i32, name: &[u8], depth: u32) {
    let mut c = [0u8; 256];
    if name.len() >= c.len() {
        return;
    }
    c[..name.len()].copy_from_slice(name);
    let Ok(path) = core::ffi::CStr::from_bytes_until_nul(&c) else {
        return;
    };
    if ulib::fs::unlinkat(dirfd, path, 0).is_ok() || depth == 0 {
        return;
    }
    sweep(dirfd, path, None, depth - 1);
    let _ = ulib::fs::unlinkat(dirfd, path, 0x200); // AT_REMOVEDIR
}

/// Remove every entry of directory `path` (in `dirfd`) that `keep` does not list (all
/// of them without one): up to `BATCH` names a pass, reopening the directory after each
/// pass, until a pass finds nothing (a long run leaves thousands of names behind) or
/// 4096 passes (an entry that cannot be removed must not loop for ever).
fn sweep(dirfd: i32, path: &core::ffi::CStr, keep: Option<&Snapshot>, depth: u32) {
    const BATCH: usize = 16;
    let flags = ulib::io::O_RDONLY | ulib::io::O_DIRECTORY | ulib::io::O_NOFOLLOW;
    for _ in 0..4096 {
        let Ok(fd) = ulib::openat(dirfd, path, flags, 0) else {
            return;
        };
        let fd = fd as i32;
        let mut buf = [0u8; 2048];
        let mut victims = [[0u8; 256]; BATCH];
        let mut lens = [0usize; BATCH];
        let mut n = 0;
        while n < BATCH {
            let Ok(len @ 1..) = ulib::fs::getdents64(fd, &mut buf) else {
                break;
            };
            for e in ulib::fs::Dirents::new(&buf, len) {
                let wanted =
                    e.name != b"." && e.name != b".." && !keep.is_some_and(|k| k.has(e.name));
                if wanted && e.name.len() < 256 && n < BATCH {
                    victims[n][..e.name.len()].copy_from_slice(e.name);
                    lens[n] = e.name.len();
                    n += 1;
                }
            }
        }
        for (v, &l) in victims.iter().zip(&lens).take(n) {
            remove_tree(fd, &v[..l], depth);
        }
        let _ = ulib::close(fd);
        if n == 0 {
            return;
        }
    }
}

/// Remove what the workers left in / and /tmp (their files, directories, symlinks:
/// workers create files under random names too): what is there is not a leak.
fn clean(root: &Snapshot, tmp: &Snapshot) {
    for (dir, keep) in [(c"/", root), (c"/tmp", tmp)] {
        sweep(ulib::io::AT_FDCWD, dir, Some(keep), 8);
    }
    // The workers' SysV IPC objects, by key (what `ipcrm -Q/-S/-M KEY` does). IPC_RMID
    // is 0, so msgctl(id, IPC_RMID, 0), semctl(id, 0, IPC_RMID) and shmctl(id, IPC_RMID,
    // 0) are all (id, 0, 0).
    for key in IPC_KEYS {
        for (get, ctl) in [
            (SYS_MSGGET, SYS_MSGCTL),
            (SYS_SEMGET, SYS_SEMCTL),
            (SYS_SHMGET, SYS_SHMCTL),
        ] {
            // SAFETY: *get with flags 0 only looks the key up; *ctl(id, IPC_RMID) removes
            // that object and touches no memory of ours.
            let id = unsafe { syscall6(get as usize, key as usize, 0, 0, 0, 0, 0) };
            if id >= 0 {
                // SAFETY: as above.
                unsafe { syscall6(ctl as usize, id as usize, 0, 0, 0, 0, 0) };
            }
        }
    }
}

/// Run one worker alone to its end (killed, with its group, after 10 * WORKER_MS);
/// then kill and reap whatever it left behind.
fn solo(seed: u64, id: u64, calls: u32, replay: bool) -> Option<i32> {
    let counter = AtomicU64::new(0);
    let pid = ulib::process::spawn(|| worker(seed, id, calls, replay, &counter));
    let deadline = now_ms() + 10 * WORKER_MS;
    let mut status = None;
    while status.is_none() && now_ms() < deadline {
        reap_ready(|p, st| {
            if p == pid {
                status = Some(st);
            }
        });
        nap(10);
    }
    let _ = ulib::signal::kill(-1, SIGKILL);
    while ulib::wait4(-1, None, WALL).is_ok() {}
    status
}

/// Workers `from..to` of `seed`, one at a time: which leave memory or heap behind.
fn scan(seed: u64, from: u64, to: u64) -> i32 {
    let (root, tmp) = (snapshot(c"/"), snapshot(c"/tmp"));
    let _ = solo(seed, from, CALLS, false);
    clean(&root, &tmp);
    let mut base = settle(memstat().unwrap_or_default());
    for id in from..to {
        let _ = solo(seed, id, CALLS, false);
        clean(&root, &tmp);
        let now = settle(base);
        if now != base {
            println!(
                "# worker {}: free {} kB -> {} kB, heap {} -> {} bytes",
                id, base.free_kb, now.free_kb, base.heap_bytes, now.heap_bytes
            );
        }
        base = now;
    }
    println!("# scan of workers {}..{} of seed {} done", from, to, seed);
    0
}

/// Does running the first `calls` calls of worker `id` leave memory or heap behind?
fn leaks(seed: u64, id: u64, calls: u32, root: &Snapshot, tmp: &Snapshot) -> bool {
    let base = settle(memstat().unwrap_or_default());
    let _ = solo(seed, id, calls, false);
    clean(root, tmp);
    settle(base) != base
}

/// Binary search for the shortest leaking prefix of worker `id`'s calls.
fn bisect(seed: u64, id: u64) -> i32 {
    let (root, tmp) = (snapshot(c"/"), snapshot(c"/tmp"));
    let _ = leaks(seed, id, CALLS, &root, &tmp); // warm-up
    if !leaks(seed, id, CALLS, &root, &tmp) {
        println!(
            "# worker {} of seed {}: no leak in {} calls",
            id, seed, CALLS
        );
        return 0;
    }
    let (mut lo, mut hi) = (0, CALLS); // prefix lo does not leak, hi does
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if leaks(seed, id, mid, &root, &tmp) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    println!(
        "# worker {} of seed {}: call {} leaks; its calls:",
        id,
        seed,
        hi - 1
    );
    let _ = solo(seed, id, hi, true);
    clean(&root, &tmp);
    0
}

fn replay(seed: u64, id: u64, calls: u32) -> i32 {
    println!(
        "# fuzz replay: seed {} worker {}, {} calls",
        seed, id, calls
    );
    match solo(seed, id, calls, true) {
        Some(st) => println!("# worker {} ended: {}", id, ulib::process::StatusText(st)),
        None => println!("# worker {} killed after {} ms", id, 10 * WORKER_MS),
    }
    0
}

#[no_mangle]
fn main() -> i32 {
    let mut args = ulib::args().skip(1);
    let first = args.next();
    if first == Some(b"scan".as_slice()) {
        let seed = parse(args.next()).unwrap_or(1);
        let from = parse(args.next()).unwrap_or(0);
        let to = parse(args.next()).unwrap_or(from + 100);
        return scan(seed, from, to);
    }
    if first == Some(b"bisect".as_slice()) {
        let seed = parse(args.next()).unwrap_or(1);
        let id = parse(args.next()).unwrap_or(0);
        return bisect(seed, id);
    }
    if first == Some(b"replay".as_slice()) {
        let seed = parse(args.next()).unwrap_or(1);
        let id = parse(args.next()).unwrap_or(0);
        let calls = parse(args.next()).map_or(CALLS, |n| n as u32);
        return replay(seed, id, calls);
    }
    let seconds = parse(first).unwrap_or(20);
    let seed = parse(args.next()).unwrap_or(1);
    let mut tap = Tap::new(4);
    if !ulib::is_linnet() || ulib::getpid() != 1 {
        // The calls would run on the host (qemu-user), and only init reaps orphans.
        for n in [
            "kernel survived",
            "init reaped every process",
            "free memory back",
            "heap back",
        ] {
            tap.skip(n, "Linnet as init only");
        }
        return tap.done();
    }
    // The call counter, shared with every worker.
    // SAFETY: a fresh shared anonymous page.
    let shared = unsafe {
        mmap(
            0,
            PAGE_SIZE,
            PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    let Ok(shared) = shared else {
        tap.diag("no shared page");
        return 1;
    };
    // SAFETY: the page is mapped, aligned, and outlives every use.
    let counter = unsafe { &*(shared as *const AtomicU64) };

    // Warm-up: a short run with another seed, so what the kernel allocates once and keeps
    // (kernel page tables for the kernel stacks' vmap area, capacities of run queues) is
    // in the baseline; then the baseline.
    let (root, tmp) = (snapshot(c"/"), snapshot(c"/tmp"));
    let mut next_id = 0u64;
    let _ = run(seed ^ 0x5eed, 2000, counter, &mut next_id, false);
    clean(&root, &tmp);
    let base = settle(memstat().unwrap_or_default());
    println!(
        "# fuzz: seed {}, {} s, {} workers at a time",
        seed, seconds, PARALLEL
    );
    counter.store(0, Ordering::Relaxed);
    next_id = 0;
    let (killed, left) = run(seed, seconds * 1000, counter, &mut next_id, true);
    clean(&root, &tmp);
    println!(
        "# fuzz: {} workers, {} calls, {} killed at their deadline",
        next_id,
        counter.load(Ordering::Relaxed),
        killed
    );
    tap.ok(true, format_args!("kernel survived {} workers", next_id));
    tap.ok(
        left == 0,
        "init reaped every process (wait4 __WALL: ECHILD)",
    );
    // A little slack: a kernel table that reached a new maximum (a page-table page of the
    // kernel-stack area, the capacity of a list) keeps it, once. The leaks this fuzzer
    // found grew with every call (a futex queue per address, a ramfs inode slot per file
    // ever created) and blow far past these bounds in seconds.
    let now = settle(base);
    let free_ok = now.free_kb + FREE_SLACK_KB >= base.free_kb;
    let heap_ok = now.heap_bytes <= base.heap_bytes + HEAP_SLACK;
    report(
        &mut tap,
        "free memory back to the baseline (64 KiB slack)",
        free_ok,
        base,
        now,
    );
    report(
        &mut tap,
        "kernel heap back to the baseline (4 KiB slack)",
        heap_ok,
        base,
        now,
    );
    tap.done()
}

fn report(tap: &mut Tap, name: &str, good: bool, base: MemStat, now: MemStat) {
    if !tap.ok(good, name) {
        tap.diag(format_args!(
            "  free {} kB -> {} kB, heap {} -> {} bytes",
            base.free_kb, now.free_kb, base.heap_bytes, now.heap_bytes
        ));
    }
}

/// Run workers for `ms` milliseconds, PARALLEL at a time, each killed (with its process
/// group) at its deadline; then kill everything left (kill(-1): all but init) and reap.
/// Returns (workers killed at their deadline, processes not reaped in the end).
fn run(seed: u64, ms: u64, counter: &AtomicU64, next_id: &mut u64, log: bool) -> (u32, u32) {
    let end = now_ms() + ms;
    let mut slots: [(i32, u64); PARALLEL] = [(0, 0); PARALLEL];
    let mut killed = 0;
    while now_ms() < end {
        for slot in slots.iter_mut().filter(|s| s.0 == 0) {
            let id = *next_id;
            *next_id += 1;
            let pid = ulib::process::spawn(|| worker(seed, id, CALLS, false, counter));
            if log {
                println!("# worker {} pid {}", id, pid);
            }
            if pid > 0 {
                *slot = (pid, now_ms() + WORKER_MS);
            }
        }
        reap_ready(|p, _| {
            for s in slots.iter_mut().filter(|s| s.0 == p) {
                s.0 = 0;
            }
        });
        let t = now_ms();
        for s in slots.iter_mut().filter(|s| s.0 != 0 && s.1 < t) {
            let _ = ulib::signal::kill(-s.0, SIGKILL);
            let _ = ulib::signal::kill(s.0, SIGKILL);
            s.1 = u64::MAX; // killed once; reaped when it is gone
            killed += 1;
        }
        nap(5);
    }
    // Everything left, workers and whatever they started: SIGKILL (kill(-1) from init
    // takes every process but init), then reap until init has no child at all.
    let deadline = now_ms() + 5000;
    while now_ms() < deadline {
        let _ = ulib::signal::kill(-1, SIGKILL);
        reap_ready(|_, _| {});
        if let Err(Errno::ECHILD) = ulib::wait4(-1, None, WNOHANG | WALL) {
            return (killed, 0);
        }
        nap(10);
    }
    (killed, 1)
}
