//! oom: a process that touches more memory than the machine has is killed with SIGKILL;
//! the kernel survives and gets every frame back.
//!
//! The kernel side is `do_mem_abort` in `kernel/src/mm/fault.rs`: when `handle_mm_fault`
//! finds no free frame (Linux VM_FAULT_OOM) the faulting task gets SIGKILL, where Linux
//! would run the OOM killer (`out_of_memory`), which usually picks the biggest process:
//! the same one here. `make test` boots this program with MEM=128M, so it runs out
//! quickly. Linnet only: on Linux the child would eat the host's memory (`# SKIP`).
//! Syscalls used: sysinfo, mmap, munmap, clone (as fork), wait4.

#![no_std]
#![no_main]

use ulib::mm::*;
use ulib::signal::SIGKILL;
use ulib::Tap;

const P: usize = PAGE_SIZE;

fn free_pages() -> u64 {
    ulib::sysinfo().map_or(0, |s| s.freeram * s.mem_unit.max(1) as u64 / P as u64)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(3);
    let names = [
        "a child touching more than all RAM is killed with SIGKILL",
        "every frame it had comes back",
        "the parent still maps and uses memory afterwards",
    ];
    if !ulib::is_linnet() {
        for name in names {
            tap.skip(name, "not Linnet (it would eat the host's memory)");
        }
        return tap.done();
    }
    let total = ulib::sysinfo().map_or(0, |s| s.totalram * s.mem_unit.max(1) as u64) as usize;
    let len = total + (64 << 20);
    let before = free_pages();
    let status = match ulib::fork() {
        Ok(0) => {
            // SAFETY: a fresh private mapping, this child's alone.
            let m = unsafe {
                mmap(
                    0,
                    len,
                    PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            let Ok(m) = m else { ulib::exit_group(2) };
            let mut va = m;
            while va < m + len {
                // SAFETY: inside the mapping just made.
                unsafe { core::ptr::write_volatile(va as *mut u8, 1) };
                va += P;
            }
            ulib::exit_group(0) // more memory than RAM, and no SIGKILL?
        }
        Ok(pid) => {
            let mut st = 0;
            ulib::wait4(pid, Some(&mut st), 0).map_or(-1, |_| st)
        }
        Err(_) => -1,
    };
    let killed = ulib::wifsignaled(status) && ulib::wtermsig(status) == SIGKILL;
    if !tap.ok(killed, names[0]) {
        tap.diag(format_args!("  wait status {:#x}", status));
    }
    let after = free_pages();
    if !tap.ok(after == before, names[1]) {
        tap.diag(format_args!(
            "  free pages before {}, after {}",
            before, after
        ));
    }
    let m = ulib::map_anon(64 * P).ok();
    let fine = m.is_some_and(|m| {
        m.iter_mut().step_by(P).for_each(|b| *b = 9);
        m.iter().step_by(P).all(|&b| b == 9)
    });
    tap.ok(fine, names[2]);
    tap.done()
}
