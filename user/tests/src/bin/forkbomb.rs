//! forkbomb: bounded tree- and chain-shaped fork bombs at 128 MiB of RAM; the kernel
//! survives, init reaps everyone, and free memory and kernel heap come back (issue 11,
//! bug 5).
//!
//! Each process of the bomb maps and touches `TOUCH` bytes, so together they want far
//! more than the machine has: forks fail with ENOMEM/EAGAIN half way (`copy_process`,
//! `dup_mmap`) and page faults find no frame and kill their task with SIGKILL
//! (`do_mem_abort`). Whatever a failed or killed fork had allocated must be freed: the
//! leak this catches was the kernel stack `copy_process` takes before the steps that can
//! fail (10-16 MiB lost per run). Free memory and heap come from /proc/meminfo
//! (`MemFree:`, Linnet's `HeapBytes:`). `make test` boots this with MEM=128M.
//! Linnet only: on Linux (qemu-user) the bomb would hit the host (`# SKIP`).
//! Syscalls used: clone (as fork), wait4, mmap, openat, read, close, nanosleep.

#![no_std]
#![no_main]

use ulib::memstat::{memstat, settle, MemStat, HEAP_SLACK};
use ulib::mm::PAGE_SIZE;
use ulib::{Errno, Tap};

const WALL: i32 = ulib::uapi::wait::WALL as i32;
const TOUCH: usize = 512 << 10;
const TREE_DEPTH: u32 = 9;
const CHAIN_MAX: u32 = 1500;

/// Map and touch TOUCH bytes (a fault may kill us here: out of memory).
fn hog() {
    if let Ok(m) = ulib::map_anon(TOUCH) {
        for p in m.chunks_mut(PAGE_SIZE) {
            // SAFETY: a live &mut [u8] of PAGE_SIZE bytes.
            unsafe { core::ptr::write_volatile(&mut p[0], 1) };
        }
    }
}

/// Reap every child (and, for init, every orphan) until none is left.
fn reap_all() -> u32 {
    let mut n = 0;
    loop {
        match ulib::wait4(-1, None, WALL) {
            Ok(_) => n += 1,
            Err(Errno::EINTR) => {}
            Err(_) => return n,
        }
    }
}

/// One node of the tree: two children a level down, then its own memory.
fn tree(depth: u32) -> i32 {
    if depth > 0 {
        for _ in 0..2 {
            if let Ok(0) = ulib::fork() {
                ulib::exit_group(tree(depth - 1));
            }
        }
    }
    hog();
    reap_all();
    0
}

/// A chain: each process forks the next, touches its memory, and waits for its child.
fn chain(left: u32) -> i32 {
    if left > 0 {
        if let Ok(0) = ulib::fork() {
            ulib::exit_group(chain(left - 1));
        }
    }
    hog();
    reap_all();
    0
}

/// Run one bomb from a child of ours; reap everything; the reading once settled.
fn run(bomb: fn() -> i32, base: MemStat) -> (u32, MemStat) {
    if let Ok(0) = ulib::fork() {
        ulib::exit_group(bomb());
    }
    let n = reap_all();
    (n, settle(base))
}

fn check(tap: &mut Tap, name: &str, base: MemStat, now: MemStat) {
    let back = now.free_kb >= base.free_kb && now.heap_bytes <= base.heap_bytes + HEAP_SLACK;
    if !tap.ok(back, name) {
        tap.diag(format_args!(
            "  free {} kB -> {} kB, heap {} -> {} bytes",
            base.free_kb, now.free_kb, base.heap_bytes, now.heap_bytes
        ));
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(5);
    let names = [
        "/proc/meminfo shows free memory and the kernel heap",
        "tree fork bomb, run 1: init reaps all, free memory and heap back",
        "tree fork bomb, run 2 and 3: free memory and heap back",
        "chain fork bomb: free memory and heap back",
        "init still forks and maps memory afterwards",
    ];
    if !ulib::is_linnet() {
        for n in names {
            tap.skip(n, "not Linnet (the bomb would hit the host)");
        }
        return tap.done();
    }
    tap.ok(
        memstat().is_some_and(|m| m.free_kb > 0 && m.heap_bytes > 0),
        names[0],
    );
    // A warm-up run first: what the kernel allocates once and keeps (the pid table's
    // growth, say) is not a leak.
    let tree_bomb: fn() -> i32 = || tree(TREE_DEPTH);
    let chain_bomb: fn() -> i32 = || chain(CHAIN_MAX);
    let _ = run(tree_bomb, memstat().unwrap_or_default());
    let _ = run(chain_bomb, memstat().unwrap_or_default());
    let base = settle(memstat().unwrap_or_default());
    let (n, now) = run(tree_bomb, base);
    tap.diag(format_args!("  tree bomb: reaped {} from init", n));
    check(&mut tap, names[1], base, now);
    let _ = run(tree_bomb, base);
    let (_, now) = run(tree_bomb, base);
    check(&mut tap, names[2], base, now);
    let (_, now) = run(chain_bomb, base);
    check(&mut tap, names[3], base, now);
    let fine = ulib::process::reap(ulib::process::spawn(|| 0)).is_some_and(|s| s == 0)
        && ulib::map_anon(16 * PAGE_SIZE).is_ok_and(|m| {
            m.fill(7);
            m.iter().all(|&b| b == 7)
        });
    tap.ok(fine, names[4]);
    tap.done()
}
