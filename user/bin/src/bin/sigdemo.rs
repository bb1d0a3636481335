//! sigdemo: catch a SIGSEGV on an alternate signal stack, repair the page, carry on.
//!
//! The store to a PROT_NONE page faults; the kernel (`do_page_fault` -> `force_sig_fault`)
//! queues SIGSEGV with si_code SEGV_ACCERR and si_addr = the address. This program has a
//! handler for it (SA_SIGINFO | SA_ONSTACK), so instead of dying the process gets a
//! signal frame (`struct rt_sigframe`: siginfo, then ucontext with the registers and the
//! FP/SIMD and ESR records) pushed on the alternate stack set up with sigaltstack, and the
//! handler runs there. It makes the page writable with mprotect and returns, to ulib's
//! restorer, which calls rt_sigreturn: the registers come back from the frame and the
//! store runs again, this time successfully. On Linnet: `get_signal`
//! (kernel/src/task/signal.rs), `setup_rt_frame` and `sys_rt_sigreturn`
//! (kernel/src/arch/aarch64/signal.rs).

#![no_std]
#![no_main]

extern crate binlib;

use binlib::proc::print_maps_self;
use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use ulib::mm::{mmap, mprotect, MAP_ANONYMOUS, MAP_PRIVATE, PAGE_SIZE, PROT_NONE};
use ulib::mm::{PROT_READ, PROT_WRITE};
use ulib::signal::{sigaction_info, sigaltstack, SigInfo, StackT, UContext, SA_ONSTACK};
use ulib::signal::{SigContextExt, SEGV_ACCERR, SIGSEGV, SIGSTKSZ};
use ulib::{eprintln, println};

/// The alternate stack: start and end.
static ALT: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// What the fault status code (ESR's DFSC, bits 5..0) of a data abort means.
fn dfsc_text(dfsc: u64) -> &'static str {
    match dfsc {
        0x04..=0x07 => "translation fault (no page table entry) at level",
        0x08..=0x0b => "access flag fault at level",
        0x0c..=0x0f => "permission fault at level",
        _ => "other fault, level",
    }
}

extern "C" fn on_segv(sig: i32, info: *mut SigInfo, uc: *mut UContext) {
    // SAFETY: the kernel passes pointers into the frame it built for this handler.
    let (info_addr, info, uc) = (info as usize, unsafe { &*info }, unsafe { &mut *uc });
    let code = if info.si_code == SEGV_ACCERR {
        "SEGV_ACCERR"
    } else {
        "SEGV_MAPERR?"
    };
    println!(
        "  handler: signal {sig}, si_code {} ({code}), si_addr {:#x}",
        info.si_code,
        info.addr()
    );
    let mc = &uc.uc_mcontext;
    println!(
        "  uc_mcontext: pc {:#x}, sp {:#x}, fault_address {:#x}",
        mc.pc, mc.sp, mc.fault_address
    );
    match mc.esr() {
        Some(esr) => println!(
            "  esr_context: ESR {esr:#x}: EC {:#x} ({}), WnR {} ({}), DFSC {:#x}: {} {}",
            esr >> 26,
            if esr >> 26 == 0x24 {
                "data abort from EL0"
            } else {
                "not a data abort from EL0?"
            },
            (esr >> 6) & 1,
            if (esr >> 6) & 1 == 1 {
                "a write"
            } else {
                "a read"
            },
            esr & 0x3f,
            dfsc_text(esr & 0x3f),
            esr & 3
        ),
        None => println!("  esr_context: none in this frame (qemu-user, for one, writes none)"),
    }
    let (lo, hi) = (ALT[0].load(SeqCst), ALT[1].load(SeqCst));
    let frame_end = info_addr + 4688; // sizeof(struct rt_sigframe) on arm64
    println!("  the frame: rt_sigframe at {info_addr:#x}..{frame_end:#x} (x1 = &info, x2 = &uc = x1 + 128)");
    let on = (lo..hi).contains(&info_addr);
    println!(
        "  {} the alternate stack [{lo:#x}, {hi:#x}): it starts {} bytes below the top",
        if on { "on" } else { "NOT on" },
        hi.wrapping_sub(info_addr)
    );
    println!("  (the frame, then a frame record {{fp, lr}} at x29 for backtraces, 16 bytes)");
    let page = info.addr() as usize & !(PAGE_SIZE - 1);
    // SAFETY: the page is this program's own, mapped PROT_NONE in main.
    match unsafe { mprotect(page, PAGE_SIZE, PROT_READ | PROT_WRITE) } {
        Ok(_) => {
            println!("  mprotect({page:#x}, 4096, PROT_READ|PROT_WRITE), then return: rt_sigreturn")
        }
        Err(e) => {
            eprintln!("sigdemo: mprotect: {}", e);
            ulib::exit_group(1);
        }
    }
}

#[no_mangle]
fn main() -> i32 {
    // SAFETY: no MAP_FIXED: a fresh page nobody else uses.
    let page = match unsafe { mmap(0, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) } {
        Ok(p) => p,
        Err(e) => {
            eprintln!("sigdemo: mmap: {}", e);
            return 1;
        }
    };
    let Ok(alt) = ulib::map_anon(SIGSTKSZ) else {
        eprintln!("sigdemo: no memory for the alternate stack");
        return 1;
    };
    let st = StackT {
        ss_sp: alt.as_ptr() as usize,
        ss_flags: 0,
        ss_size: alt.len(),
    };
    ALT[0].store(st.ss_sp, SeqCst);
    ALT[1].store(st.ss_sp + st.ss_size, SeqCst);
    if let Err(e) = sigaltstack(Some(&st), None) {
        eprintln!("sigdemo: sigaltstack: {}", e);
        return 1;
    }
    if let Err(e) = sigaction_info(SIGSEGV, on_segv, SA_ONSTACK, 0) {
        eprintln!("sigdemo: rt_sigaction: {}", e);
        return 1;
    }
    let marker = 0u8;
    println!(
        "sigdemo: SIGSEGV handler on an alternate stack at {:#x} ({} KiB); main's sp ~ {:#x}",
        st.ss_sp,
        st.ss_size / 1024,
        core::hint::black_box(&marker) as *const u8 as usize
    );
    print_maps_self(|s, e| s < page + PAGE_SIZE && page < e);
    println!("sigdemo: storing 42 to {page:#x} (PROT_NONE)...");
    // SAFETY: faults on purpose; the handler makes the page writable and the store is
    // retried. In assembly so that the compiler cannot reorder or drop it.
    unsafe { asm!("str {v}, [{a}]", a = in(reg) page, v = in(reg) 42u64, options(nostack)) };
    // SAFETY: the page is readable now (the store above went through).
    let back = unsafe { (page as *const u64).read_volatile() };
    println!("sigdemo: back in main: the store was retried and the page reads {back}; it is now:");
    print_maps_self(|s, e| s < page + PAGE_SIZE && page < e);
    0
}
