//! sighandler: user signal handlers, their frames, rt_sigreturn, and the calls around them.
//!
//! A handler runs before kill(self) returns, told what Linux tells it (si_signo, SI_USER
//! or SI_TKILL, the sender's pid and uid), on a frame the kernel pushed: x0 = signo,
//! x1 = sp = &siginfo, x2 = &ucontext = sp + 128, x30 = the SA_RESTORER code, x29 = a
//! frame record {fp, lr} right above the 4688-byte rt_sigframe. The frame holds what the
//! interrupted code had (uc_mcontext, the FPSIMD record), and rt_sigreturn puts back every
//! register (x0-x30, sp, NZCV, V0-V31, FPSR, FPCR) although the handler clobbered them
//! all. The signal is blocked in its handler (not with SA_NODEFER), so is sa_mask;
//! uc_sigmask is the mask from before and rt_sigreturn installs it, edits included. Also:
//! SA_RESETHAND; SA_RESTART (a pipe read goes on; without it, EINTR); rt_sigsuspend;
//! SIGCHLD's siginfo; SIGSEGV's si_code, si_addr, fault_address and esr_context, with a
//! handler that fixes the page or moves uc_mcontext.pc on; sigaltstack and SA_ONSTACK (a
//! stack overflow is caught; without it the frame has no room and SIGSEGV kills);
//! handlers kept across fork; rt_sigreturn refusing bad frames.
//! On Linnet: `get_signal` (kernel/src/task/signal.rs), `do_signal`, `setup_rt_frame`,
//! `sys_rt_sigreturn` (kernel/src/arch/aarch64/signal.rs, the layout in sigframe.rs) and
//! the syscalls in kernel/src/syscall/signal.rs.
//! Syscalls used: rt_sigaction, rt_sigprocmask, rt_sigreturn, rt_sigsuspend, sigaltstack,
//! kill, tgkill, getpid, gettid, getppid, getuid, clone (as fork), wait4, pipe2, read,
//! write, openat, close, mmap, munmap, mprotect, getrlimit, setrlimit, nanosleep,
//! clock_gettime, exit_group, uname.

#![no_std]
#![no_main]

use core::arch::{asm, global_asm};
use core::hint::black_box;
use core::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use ulib::mm::{MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::process::{reap, spawn, StatusText};
use ulib::resource::{getrlimit, setrlimit, Rlimit, RLIMIT_STACK};
use ulib::signal::*;
use ulib::syscall::{nr, syscall0};
use ulib::{Errno, Tap};

const GETUID: usize = nr::__NR_getuid;
/// Words of a register dump: x0-x30, sp, NZCV, FPSR, FPCR, sp before the svc, V0-V31.
const DUMP: usize = 100;
/// The values regs_probe loads (the same layout).
static PAT: [u64; DUMP] = patterns();

const fn patterns() -> [u64; DUMP] {
    let (mut p, mut i) = ([0u64; DUMP], 0);
    while i < DUMP {
        p[i] = 0x5157_0000_0000_0000 ^ ((i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16);
        i += 1;
    }
    p[32] = 0xa000_0000; // NZCV: N and C
    p[33] = 0x0800_0013; // FPSR: QC, IXC, DZC, IOC
    p[34] = 0x03c0_0000; // FPCR: DN, FZ, RMode = toward zero
    p
}

/// regs_h's registers at entry: x0, x1, x2, x29, x30, sp, then the frame record at x29.
static mut ENTRY: [u64; 8] = [0; 8];

// regs_probe(pid, sig, out): loads every register from PAT, makes the kill syscall itself
// and dumps every register to out. regs_h: an SA_SIGINFO handler that notes its entry
// registers, calls info_h, then clobbers every register but sp and x30.
global_asm!(
    ".globl regs_probe",
    "regs_probe: sub sp, sp, #1008; add x9, sp, #800",
    "stp x19, x20, [x9]; stp x21, x22, [x9, #16]; stp x23, x24, [x9, #32]",
    "stp x25, x26, [x9, #48]; stp x27, x28, [x9, #64]; stp x29, x30, [x9, #80]",
    "stp d8, d9, [x9, #96]; stp d10, d11, [x9, #112]; stp d12, d13, [x9, #128]",
    "stp d14, d15, [x9, #144]; mrs x10, fpcr; stp x2, x10, [x9, #160]; str x18, [x9, #176]",
    "mov x10, sp; str x10, [sp, #280]; adrp x9, {pat}; add x9, x9, :lo12:{pat}",
    "ldr x10, [x9, #256]; msr nzcv, x10; ldr x10, [x9, #264]; msr fpsr, x10",
    "ldr x10, [x9, #272]; msr fpcr, x10",
    ".irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    "ldr q\\r, [x9, #(288 + \\r * 16)]",
    ".endr",
    ".irp r, 2,3,4,5,6,7,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
    "ldr x\\r, [x9, #(\\r * 8)]",
    ".endr",
    "ldr x9, [x9, #72]; mov x8, #{kill}; svc #0",
    ".globl regs_probe_ret",
    "regs_probe_ret:",
    ".irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
    "str x\\r, [sp, #(\\r * 8)]",
    ".endr",
    ".irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    "str q\\r, [sp, #(288 + \\r * 16)]",
    ".endr",
    "mov x9, sp; str x9, [sp, #248]; mrs x9, nzcv; str x9, [sp, #256]",
    "mrs x9, fpsr; str x9, [sp, #264]; mrs x9, fpcr; str x9, [sp, #272]",
    "add x9, sp, #800; ldp x0, x10, [x9, #160]; msr fpcr, x10; mov x1, #0",
    "1: ldr x2, [sp, x1]; str x2, [x0, x1]; add x1, x1, #8; cmp x1, #{bytes}; b.lo 1b",
    "ldr x18, [x9, #176]; ldp d8, d9, [x9, #96]; ldp d10, d11, [x9, #112]",
    "ldp d12, d13, [x9, #128]; ldp d14, d15, [x9, #144]",
    "ldp x19, x20, [x9]; ldp x21, x22, [x9, #16]; ldp x23, x24, [x9, #32]",
    "ldp x25, x26, [x9, #48]; ldp x27, x28, [x9, #64]; ldp x29, x30, [x9, #80]",
    "add sp, sp, #1008; ret",
    "",
    ".globl regs_h",
    "regs_h: adrp x9, {entry}; add x9, x9, :lo12:{entry}",
    "stp x0, x1, [x9]; stp x2, x29, [x9, #16]; mov x10, sp; stp x30, x10, [x9, #32]",
    "sub x11, x29, x10; cmp x11, #0x10000; b.hs 2f", // x29 not just above sp: do not follow it
    "ldp x10, x11, [x29]; stp x10, x11, [x9, #48]",
    "2: stp x29, x30, [sp, #-16]!; mov x29, sp; bl {info}; ldp x29, x30, [sp], #16",
    ".irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29",
    "mov x\\r, #0xbad",
    ".endr",
    ".irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    "movi v\\r\\().16b, #0xee",
    ".endr",
    "msr nzcv, xzr; msr fpsr, xzr; msr fpcr, xzr; ret",
    pat = sym PAT,
    entry = sym ENTRY,
    info = sym info_h,
    kill = const nr::__NR_kill,
    bytes = const DUMP * 8,
);

extern "C" {
    fn regs_probe(pid: i32, sig: i32, out: *mut [u64; DUMP]);
    fn regs_probe_ret();
}

// SAFETY: regs_h (above) has the C ABI of an SA_SIGINFO handler; the registers it
// clobbers are the interrupted code's, which rt_sigreturn restores.
unsafe extern "C" {
    safe fn regs_h(sig: i32, info: *mut SigInfo, uc: *mut UContext);
}

static HITS: [AtomicU32; 32] = [const { AtomicU32::new(0) }; 32];
/// SA_SIGINFO frames seen, and how many of them had a 528-byte FPSIMD record.
static FRAMES: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2];
/// What handlers leave for the test to look at (see each handler).
static NOTE: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];
static EDIT_MASK: AtomicU32 = AtomicU32::new(0);
static mut LAST_INFO: SigInfo = SigInfo::zeroed();
static mut LAST_UC: UContext = UContext::zeroed();

fn hits(sig: i32) -> u32 {
    HITS[sig as usize].load(SeqCst)
}

/// The last SA_SIGINFO handler's siginfo and ucontext.
fn last() -> (SigInfo, UContext) {
    // SAFETY: only handlers write LAST_*, and none runs while we copy them.
    unsafe { (LAST_INFO, LAST_UC) }
}

extern "C" fn count(sig: i32) {
    HITS[sig as usize].fetch_add(1, SeqCst);
}

/// Counts, copies its frame, and adds SIGUSR2 to uc_sigmask if EDIT_MASK says so.
extern "C" fn info_h(sig: i32, info: *mut SigInfo, uc: *mut UContext) {
    // SAFETY: the kernel passes pointers into the frame it built for this handler; the
    // test reads LAST_* only when no handler runs.
    unsafe {
        (LAST_INFO, LAST_UC) = (*info, *uc);
        if (*uc).uc_mcontext.fpsimd().is_some_and(|f| f.size == 528) {
            FRAMES[1].fetch_add(1, SeqCst);
        }
        if EDIT_MASK.load(SeqCst) != 0 {
            (*uc).uc_sigmask |= sigmask(SIGUSR2);
        }
    }
    FRAMES[0].fetch_add(1, SeqCst);
    count(sig);
}

fn mask() -> u64 {
    let mut m = 0;
    let _ = rt_sigprocmask(SIG_BLOCK, None, Some(&mut m));
    m
}

fn set_mask(m: u64) {
    let _ = rt_sigprocmask(SIG_SETMASK, Some(&m), None);
}

fn action(sig: i32, new: Option<&KSigaction>) -> KSigaction {
    let mut a = KSigaction::default();
    // SAFETY: reads the action, or sets SIG_DFL.
    let _ = unsafe { rt_sigaction(sig, new, Some(&mut a)) };
    a
}

fn report(tap: &mut Tap, got: Option<i32>, want: i32, what: &str) {
    if !tap.ok(got == Some(want), what) {
        tap.diag(format_args!("  child {}", StatusText(got.unwrap_or(-1))));
    }
}

/// Whether `got` equals `want`; the first registers that differ go out as diagnostics.
fn same(tap: &Tap, what: &str, got: &[u128], want: &[u128]) -> bool {
    let bad = (0..got.len()).filter(|&i| got[i] != want[i]);
    for i in bad.clone().take(3) {
        tap.diag(format_args!(
            "  {what}{i}: {:#x}, expected {:#x}",
            got[i], want[i]
        ));
    }
    bad.count() == 0
}

/// x0-x30 after regs_probe's kill(pid, SIGUSR2): x0 = 0, x1 = the signal, x8 = KILL.
fn want_x() -> [u128; 31] {
    let mut x: [u128; 31] = core::array::from_fn(|i| PAT[i] as u128);
    (x[0], x[1], x[8]) = (0, SIGUSR2 as u128, nr::__NR_kill as u128);
    x
}

fn vregs(w: &[u64]) -> [u128; 32] {
    core::array::from_fn(|i| w[2 * i] as u128 | (w[2 * i + 1] as u128) << 64)
}

fn registers(tap: &mut Tap) {
    let _ = sigaction_info(SIGUSR2, regs_h, 0, 0);
    let mut d = [0u64; DUMP];
    // SAFETY: regs_probe keeps the callee-saved registers and writes DUMP words to d.
    unsafe { regs_probe(ulib::getpid(), SIGUSR2, &mut d) };
    // SAFETY: the handler has returned; nothing writes ENTRY now.
    let e = unsafe { ENTRY };
    let (sp, uc) = (d[35], last().1);
    let entry_ok =
        (e[0], e[2], e[3], e[4], e[5]) == (12, e[1] + 128, sp - 16, restorer() as u64, e[1]);
    tap.ok(
        entry_ok && e[3] == e[1] + 4688 && e[6..8] == PAT[29..31],
        "handler entry: x0, x1 = sp = &info, x2 = &uc, x30 restorer, x29 frame record",
    );
    if !entry_ok || e[3] != e[1] + 4688 || e[6..8] != PAT[29..31] {
        tap.diag(format_args!("  entry {e:x?}, sp before the svc {sp:#x}"));
    }
    let x: [u128; 31] = core::array::from_fn(|i| d[i] as u128);
    let ok = same(tap, "x", &x, &want_x()) && d[31] == sp && d[32] == PAT[32];
    tap.ok(
        ok,
        "x0-x30, sp, NZCV are restored after the handler clobbered them",
    );
    let ok = same(tap, "v", &vregs(&d[36..]), &vregs(&PAT[36..])) && d[33..35] == PAT[33..35];
    tap.ok(
        ok,
        "V0-V31, FPSR, FPCR are restored after the handler clobbered them",
    );
    let mc = &uc.uc_mcontext;
    let x: [u128; 31] = core::array::from_fn(|i| mc.regs[i] as u128);
    let ok = same(tap, "frame x", &x, &want_x()) && mc.sp == sp;
    tap.ok(
        ok && mc.pc == regs_probe_ret as *const () as u64 && mc.pstate & 0xf000_000f == PAT[32],
        "uc_mcontext: x0-x30, sp, pc after the svc, pstate (NZCV, EL0t)",
    );
    let fp = mc.fpsimd();
    let ok = fp.is_some_and(|f| same(tap, "frame v", &f.vregs, &vregs(&PAT[36..])));
    let ok = ok && fp.is_some_and(|f| [f.fpsr as u64, f.fpcr as u64] == PAT[33..35]);
    tap.ok(
        ok,
        "the FPSIMD record holds the interrupted V0-V31, FPSR, FPCR",
    );
}

static RAISE_INSIDE: AtomicI32 = AtomicI32::new(0);
static DEPTH: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2]; // now, deepest
static MASK_INSIDE: AtomicU64 = AtomicU64::new(0);

/// Counts; the first time, raises RAISE_INSIDE and notes (NOTE[0]) its count after that.
extern "C" fn nest(sig: i32) {
    count(sig);
    DEPTH[1].fetch_max(DEPTH[0].fetch_add(1, SeqCst) + 1, SeqCst);
    let inner = RAISE_INSIDE.swap(0, SeqCst);
    if inner != 0 {
        let _ = raise(inner);
        NOTE[0].store(hits(inner) as usize, SeqCst);
        MASK_INSIDE.store(mask(), SeqCst);
    }
    DEPTH[0].fetch_sub(1, SeqCst);
}

/// SIGUSR1's handler raises `inner`. Its count in there and after, depth, mask in there.
fn nest_case(flags: u64, sa_mask: u64, inner: i32) -> (usize, u32, u32, u64) {
    HITS[SIGUSR1 as usize].store(0, SeqCst);
    HITS[SIGUSR2 as usize].store(0, SeqCst);
    DEPTH[1].store(0, SeqCst);
    RAISE_INSIDE.store(inner, SeqCst);
    let _ = sigaction(SIGUSR1, nest, flags, sa_mask);
    let _ = sigaction(SIGUSR2, nest, 0, 0);
    let _ = raise(SIGUSR1);
    let depth = DEPTH[1].load(SeqCst);
    (
        NOTE[0].load(SeqCst),
        hits(inner),
        depth,
        MASK_INSIDE.load(SeqCst),
    )
}

/// SIGSEGV in NOTE[0]'s page. SEGV_ACCERR: make the page writable, the store is retried.
/// Otherwise: skip the load (pc + 4) and put 0xfeed in x9, the register it loads.
extern "C" fn segv_h(sig: i32, info: *mut SigInfo, uc: *mut UContext) {
    info_h(sig, info, uc);
    // SAFETY: the kernel's pointers into this frame; the page is the test's own.
    unsafe {
        let page = (*info).addr() as usize & !4095;
        if page != NOTE[0].load(SeqCst) || hits(SIGSEGV) > 4 {
            ulib::exit_group(100);
        }
        if (*info).si_code == SEGV_ACCERR {
            let _ = ulib::mprotect(page, 4096, PROT_READ | PROT_WRITE);
        } else {
            (*uc).uc_mcontext.regs[9] = 0xfeed;
            (*uc).uc_mcontext.pc += 4;
        }
    }
}

/// In a child: a store to a read-only page, a load from an unmapped one. Exit status
/// bits: 1 the store's case failed, 2 the load's, 4 an ESR was wrong, 8 no ESR record.
fn segv_child() -> i32 {
    let _ = sigaction_info(SIGSEGV, segv_h, 0, 0);
    let (mut bad, flags) = (0, MAP_PRIVATE | MAP_ANONYMOUS);
    // SAFETY: fresh pages only this test uses; the second is unmapped again.
    let pages = unsafe {
        let ro = ulib::mmap(0, 4096, PROT_READ, flags, -1, 0).unwrap_or(0);
        let gone = ulib::mmap(0, 4096, PROT_READ, flags, -1, 0).unwrap_or(0);
        let _ = ulib::munmap(gone, 4096);
        [(ro, true), (gone, false)]
    };
    for (page, write) in pages {
        NOTE[0].store(page, SeqCst);
        let (addr, got): (usize, u64) = (page + 8 + 8 * write as usize, 0x77);
        // SAFETY: faults on purpose; segv_h makes the store succeed or skips the load.
        let got = unsafe {
            if write {
                asm!("str {v}, [{a}]", a = in(reg) addr, v = in(reg) got, options(nostack));
                (addr as *const u64).read_volatile()
            } else {
                let got: u64;
                asm!("ldr x9, [x10]", in("x10") addr, out("x9") got, options(nostack));
                got
            }
        };
        let (i, uc) = last();
        let (code, value) = if write {
            (SEGV_ACCERR, 0x77)
        } else {
            (SEGV_MAPERR, 0xfeed)
        };
        let far = uc.uc_mcontext.fault_address;
        if (i.si_signo, i.si_code, i.addr(), far, got)
            != (SIGSEGV, code, addr as u64, addr as u64, value)
        {
            let code = i.si_code;
            ulib::println!("# at {addr:#x}: si_code {code}, si_addr {:#x}, fault_address {far:#x}, got {got:#x}", i.addr());
            bad |= 1 << (!write as i32);
        }
        match uc.uc_mcontext.esr() {
            None => bad |= 8,
            Some(esr) if esr >> 26 != 0x24 || ((esr >> 6) & 1 == 1) != write => {
                ulib::println!("# esr {esr:#x} for the fault at {addr:#x}");
                bad |= 4
            }
            Some(_) => {}
        }
    }
    bad
}

/// Counts and writes a byte to the fd in NOTE[1].
extern "C" fn notify(sig: i32) {
    count(sig);
    let _ = ulib::write(NOTE[1].load(SeqCst) as i32, b"h");
}

/// The state letter in /proc/PID/stat ("pid (comm) S ...").
fn proc_state(pid: i32) -> u8 {
    let mut path = *b"/proc/\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    let (mut at, mut div) = (6, 1_000_000_000);
    while div > 0 {
        if pid >= div || div == 1 || at > 6 {
            (path[at], at) = (b'0' + (pid / div % 10) as u8, at + 1);
        }
        div /= 10;
    }
    path[at..at + 5].copy_from_slice(b"/stat");
    let (mut buf, mut n) = ([0u8; 256], 0);
    let path = core::ffi::CStr::from_bytes_until_nul(&path).unwrap_or(c"/");
    if let Ok(fd) = ulib::openat(ulib::io::AT_FDCWD, path, 0, 0) {
        n = ulib::read(fd as i32, &mut buf).unwrap_or(0);
        let _ = ulib::close(fd as i32);
    }
    let close = buf[..n].iter().rposition(|&b| b == b')').unwrap_or(n);
    buf.get(close + 2).copied().unwrap_or(0)
}

/// A child blocks in read() on an empty pipe; SIGUSR1 comes, then a byte. The child
/// exits 0 if read() returned the byte (SA_RESTART) or EINTR, after the handler ran.
fn restart_case(restart: bool) -> Option<i32> {
    let (Ok([rd, wr]), Ok([nrd, nwr])) = (ulib::fs::pipe2(0), ulib::fs::pipe2(0)) else {
        return None;
    };
    let pid = spawn(move || {
        NOTE[1].store(nwr as usize, SeqCst);
        HITS[SIGUSR1 as usize].store(0, SeqCst);
        let _ = sigaction(SIGUSR1, notify, if restart { SA_RESTART } else { 0 }, 0);
        let mut b = [0u8];
        let r = ulib::read(rd, &mut b);
        let want = if restart { Ok(1) } else { Err(Errno::EINTR) };
        let ok = r == want && (!restart || b[0] == b'x') && hits(SIGUSR1) == 1;
        if !ok {
            ulib::println!(
                "# read: {r:?} {b:?}; the handler ran {} times",
                hits(SIGUSR1)
            );
        }
        !ok as i32
    });
    let _ = ulib::close(nwr); // so that the read below ends if the child dies
    for _ in 0..1000 {
        if proc_state(pid) == b'S' {
            break; // blocked in read()
        }
        let _ = ulib::time::sleep_ms(2);
    }
    let _ = kill(pid, SIGUSR1);
    let _ = ulib::read(nrd, &mut [0u8]); // the handler ran
    let _ = ulib::write(wr, b"x");
    for fd in [rd, wr, nrd] {
        let _ = ulib::close(fd);
    }
    reap(pid)
}

/// Is `at` in the stack `st`?
fn within(st: &StackT, at: usize) -> bool {
    (st.ss_sp..st.ss_sp + st.ss_size).contains(&at)
}

fn stack(ss_sp: usize, ss_flags: i32, ss_size: usize) -> StackT {
    StackT {
        ss_sp,
        ss_flags,
        ss_size,
    }
}

/// Notes where its stack is (NOTE[0]), what sigaltstack says there (NOTE[1]), and if
/// changing the alternate stack there fails with EPERM (NOTE[2]).
extern "C" fn alt_h(_: i32) {
    let local = black_box(0u8);
    let mut old = StackT::default();
    let _ = sigaltstack(None, Some(&mut old));
    let eperm = sigaltstack(Some(&stack(0, SS_DISABLE, 0)), None) == Err(Errno::EPERM);
    NOTE[0].store(&local as *const u8 as usize, SeqCst);
    NOTE[1].store(old.ss_flags as usize, SeqCst);
    NOTE[2].store(eperm as usize, SeqCst);
}

/// alt_h, with `flags`: on the alternate stack `st`? what sigaltstack said; EPERM?
fn alt_case(flags: u64, st: &StackT) -> (bool, usize, usize) {
    let _ = sigaction(SIGUSR1, alt_h, flags, 0);
    let _ = raise(SIGUSR1);
    let n = |i: usize| NOTE[i].load(SeqCst);
    (within(st, n(0)), n(1), n(2))
}

static ALT: [AtomicUsize; 2] = [const { AtomicUsize::new(0) }; 2];

extern "C" fn overflow_h(_: i32) {
    let local = black_box(0u8);
    let st = stack(ALT[0].load(SeqCst), 0, ALT[1].load(SeqCst));
    ulib::exit_group(if within(&st, &local as *const u8 as usize) {
        42
    } else {
        41
    });
}

#[inline(never)]
fn recurse(depth: usize) -> usize {
    let mut frame = [0u8; 4096];
    black_box(&mut frame)[0] = depth as u8;
    if depth == usize::MAX {
        return 0;
    }
    recurse(depth + 1) + black_box(&frame)[1] as usize
}

/// A child with an alternate stack and an SA_ONSTACK SIGSEGV handler overflows its
/// stack (RLIMIT_STACK at most 8 MiB).
/// Recurse past RLIMIT_STACK with a SIGSEGV handler: on an alternate stack (`alt`) the
/// handler runs and exits 42; without one there is no room for its frame, so the
/// kernel gives up on the handler and SIGSEGV kills (Linux `force_sigsegv`).
fn overflow_child(alt: bool) -> i32 {
    let lim = getrlimit(RLIMIT_STACK).unwrap_or(Rlimit {
        cur: 8 << 20,
        max: u64::MAX,
    });
    let _ = setrlimit(
        RLIMIT_STACK,
        &Rlimit {
            cur: lim.cur.min(8 << 20),
            ..lim
        },
    );
    let Ok(mem) = ulib::map_anon(4 * SIGSTKSZ) else {
        return 1;
    };
    ALT[0].store(mem.as_ptr() as usize, SeqCst);
    ALT[1].store(mem.len(), SeqCst);
    let st = stack(mem.as_ptr() as usize, 0, mem.len());
    let flags = if alt { SA_ONSTACK } else { 0 };
    if (alt && sigaltstack(Some(&st), None).is_err())
        || sigaction(SIGSEGV, overflow_h, flags, 0).is_err()
    {
        return 2;
    }
    recurse(0) as i32
}

extern "C" fn landing(code: i32) -> ! {
    ulib::exit_group(code)
}

/// rt_sigreturn with sp = `frame`, in a child; its wait status.
fn sigreturn_at(frame: usize) -> Option<i32> {
    reap(spawn(move || {
        // SAFETY: on purpose: the child goes wherever the frame says, or dies.
        unsafe {
            asm!("mov sp, {f}", "mov x8, #{n}", "svc #0", "udf #0", f = in(reg) frame,
                 n = const nr::__NR_rt_sigreturn, options(noreturn))
        }
    }))
}

/// A frame made by hand: resume at landing(7) on a fresh stack; with or without the
/// FPSIMD record.
fn handmade_frame(fpsimd: bool) -> usize {
    let (Ok(mem), Ok(stack)) = (ulib::map_anon(8192), ulib::map_anon(8192)) else {
        return 0;
    };
    // SAFETY: 8 KiB of fresh zeroed memory; the ucontext is at offset 128 (after the
    // siginfo), 16-aligned, as in struct rt_sigframe.
    let uc = unsafe { &mut *(mem.as_mut_ptr().add(128) as *mut UContext) };
    let mc = &mut uc.uc_mcontext;
    (uc.uc_stack.ss_flags, mc.regs[0]) = (SS_DISABLE, 7);
    mc.sp = (stack.as_ptr() as usize + stack.len()) as u64;
    mc.pc = landing as *const () as u64;
    if fpsimd {
        mc.__reserved[..4].copy_from_slice(&FPSIMD_MAGIC.to_le_bytes());
        mc.__reserved[4..8].copy_from_slice(&528u32.to_le_bytes());
    }
    mem.as_ptr() as usize
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(31);
    let (me, linnet) = (ulib::getpid(), ulib::is_linnet());
    // SAFETY: getuid touches no memory. (On Linnet everyone is root: uid 0.)
    let uid = ulib::errno::check(unsafe { syscall0(GETUID) }).map_or(u32::MAX, |u| u as u32);

    // 1-4: a handler runs, and what it is told.
    let _ = sigaction(SIGUSR1, count, 0, 0);
    let r = kill(me, SIGUSR1);
    tap.ok(
        r == Ok(0) && hits(SIGUSR1) == 1,
        "a SIGUSR1 handler runs once, before kill returns",
    );
    let old = sigaction_info(SIGUSR1, info_h, 0, 0).unwrap_or_default();
    let now = action(SIGUSR1, None);
    tap.ok(
        (old.handler, old.flags) == (count as *const () as usize, SA_RESTORER)
            && (now.handler, now.restorer) == (info_h as *const () as usize, restorer())
            && now.flags == SA_SIGINFO | SA_RESTORER,
        "sigaction_info: the old action back; handler, SA_SIGINFO|SA_RESTORER, restorer",
    );
    for (how, code) in [("kill", SI_USER), ("tgkill", SI_TKILL)] {
        let _ = if code == SI_USER {
            kill(me, SIGUSR1)
        } else {
            raise(SIGUSR1)
        };
        let i = last().0;
        let got = (i.si_signo, i.si_code, i.pid(), i.uid());
        tap.eq(
            got,
            (SIGUSR1, code, me, uid),
            format_args!("siginfo from {how}: signo, code, pid, uid"),
        );
    }

    // 5-9: the frame and rt_sigreturn.
    registers(&mut tap);

    // 10-12: what is blocked while a handler runs.
    let (m, m2) = (sigmask(SIGUSR1), sigmask(SIGUSR2));
    let (seen, after, depth, inside) = nest_case(0, 0, SIGUSR1);
    tap.ok(
        (seen, after, depth, inside, mask()) == (1, 2, 1, m, 0),
        "SIGUSR1 raised in its own handler waits until the handler returns",
    );
    let (seen, after, _, inside) = nest_case(0, m2, SIGUSR2);
    tap.ok(
        (seen, after, inside, mask()) == (0, 1, m | m2, 0),
        "sa_mask: SIGUSR2 waits too; the mask is back after the handler",
    );
    let (seen, after, depth, inside) = nest_case(SA_NODEFER, 0, SIGUSR1);
    tap.ok(
        (seen, after, depth, inside) == (2, 2, 2, 0),
        "SA_NODEFER: SIGUSR1 nests",
    );

    // 13-15: uc_sigmask; SA_RESETHAND.
    let _ = sigaction_info(SIGUSR1, info_h, 0, 0);
    set_mask(sigmask(SIGALRM));
    EDIT_MASK.store(1, SeqCst);
    let _ = raise(SIGUSR1);
    let after = mask();
    set_mask(0);
    EDIT_MASK.store(0, SeqCst);
    tap.eq(
        last().1.uc_sigmask,
        sigmask(SIGALRM),
        "uc_sigmask is the mask from before delivery",
    );
    tap.eq(
        after,
        sigmask(SIGALRM) | m2,
        "SIGUSR2 added to uc_sigmask is blocked after sigreturn",
    );
    let h = hits(SIGUSR1);
    let _ = sigaction(SIGUSR1, count, SA_RESETHAND, 0);
    let _ = raise(SIGUSR1);
    let dfl = action(SIGUSR1, None).handler == SIG_DFL;
    tap.ok(
        hits(SIGUSR1) == h + 1 && dfl,
        "SA_RESETHAND: one delivery, then SIG_DFL",
    );

    // 16-18: SIGSEGV handled, in a child.
    let s = reap(spawn(segv_child));
    let passed = |bit| s.is_some_and(|s| ulib::wifexited(s) && ulib::wexitstatus(s) & bit == 0);
    if !passed(0) {
        tap.diag(format_args!("  child {}", StatusText(s.unwrap_or(-1))));
    }
    tap.ok(
        passed(1),
        "store to PROT_READ: SEGV_ACCERR, si_addr, fault_address; fixed, retried",
    );
    tap.ok(
        passed(2),
        "load from unmapped: SEGV_MAPERR; the handler's pc and x9 take effect",
    );
    if passed(8) || linnet {
        tap.ok(
            passed(12),
            "esr_context: EC 0x24 (data abort from EL0), WnR for the store",
        );
    } else {
        tap.skip(
            "esr_context: EC 0x24, WnR",
            "qemu-user writes no esr_context",
        );
    }

    // 19-20: SA_RESTART.
    report(
        &mut tap,
        restart_case(true),
        0,
        "SA_RESTART: read() goes on after the handler",
    );
    report(
        &mut tap,
        restart_case(false),
        0,
        "without SA_RESTART: read() fails with EINTR",
    );

    // 21: rt_sigsuspend.
    let _ = sigaction_info(SIGUSR1, info_h, 0, 0);
    set_mask(m);
    let (h, t0) = (
        hits(SIGUSR1),
        ulib::clock_gettime(1).map_or(0, |t| t.as_ns()),
    );
    let pid = spawn(|| {
        let _ = ulib::time::sleep_ms(30);
        kill(ulib::getppid(), SIGUSR1).map_or(1, |_| 0)
    });
    let r = rt_sigsuspend(0);
    let ms = (ulib::clock_gettime(1).map_or(0, |t| t.as_ns()) - t0) / 1_000_000;
    let after = mask();
    set_mask(0);
    tap.ok(
        (r, hits(SIGUSR1), last().1.uc_sigmask, after) == (Err(Errno::EINTR), h + 1, m, m)
            && ms >= 20
            && reap(pid) == Some(0),
        "rt_sigsuspend(empty): sleeps, the handler runs, EINTR; the old mask is back",
    );

    // 22: SIGCHLD's siginfo.
    let _ = sigaction_info(SIGCHLD, info_h, 0, 0);
    set_mask(sigmask(SIGCHLD));
    let mut ok = true;
    for (code, status) in [(CLD_EXITED, 7), (CLD_KILLED, SIGTERM)] {
        let pid = spawn(move || match status {
            7 => 7,
            _ => kill(ulib::getpid(), SIGTERM).map_or(1, |_| 0),
        });
        let (r, i) = (rt_sigsuspend(0), last().0);
        ok &= (r, i.si_signo, i.si_code) == (Err(Errno::EINTR), SIGCHLD, code);
        ok &= (i.pid(), i.status()) == (pid, status) && reap(pid).is_some();
    }
    action(SIGCHLD, Some(&KSigaction::default()));
    set_mask(0);
    tap.ok(
        ok,
        "SIGCHLD: CLD_EXITED with the exit code, CLD_KILLED with the signal, si_pid",
    );

    // 23: fork keeps handlers.
    let _ = sigaction(SIGUSR1, count, 0, 0);
    let h = hits(SIGUSR1);
    let pid = spawn(move || raise(SIGUSR1).map_or(0, |_| (hits(SIGUSR1) - h) as i32));
    report(
        &mut tap,
        reap(pid),
        1 << 8,
        "a handler installed before fork runs in the child",
    );

    // 24-27: sigaltstack and SA_ONSTACK.
    let mut old = StackT::default();
    let first = sigaltstack(None, Some(&mut old)).map(|_| old.ss_flags);
    let Ok(mem) = ulib::map_anon(4 * SIGSTKSZ) else {
        return 1;
    };
    let st = stack(mem.as_ptr() as usize, 0, mem.len());
    let try_set = |flags, size| sigaltstack(Some(&stack(st.ss_sp, flags, size)), None);
    // qemu-user's MINSIGSTKSZ for aarch64 is 2048; Linux's (and Linnet's) is 5120.
    let small = try_set(0, 2047) == Err(Errno::ENOMEM)
        && (!linnet || try_set(0, MINSIGSTKSZ - 1) == Err(Errno::ENOMEM));
    tap.ok(
        first == Ok(SS_DISABLE) && small && try_set(0x10, st.ss_size) == Err(Errno::EINVAL),
        "sigaltstack: none at first; too small: ENOMEM; unknown flags: EINVAL",
    );
    let set = sigaltstack(Some(&st), None);
    let (on, off) = (alt_case(SA_ONSTACK, &st), alt_case(0, &st));
    let mut now = StackT::default();
    let _ = sigaltstack(None, Some(&mut now));
    let _ = try_set(SS_DISABLE, 0);
    tap.ok(
        set == Ok(0) && on == (true, SS_ONSTACK as usize, 1) && off == (false, 0, 0) && now == st,
        "SA_ONSTACK: the handler runs on the alternate stack; SS_ONSTACK; EPERM there",
    );
    let s = reap(spawn(|| overflow_child(true)));
    report(
        &mut tap,
        s,
        42 << 8,
        "a stack overflow is caught by an SA_ONSTACK SIGSEGV handler",
    );
    let s = reap(spawn(|| overflow_child(false)));
    report(
        &mut tap,
        s,
        SIGSEGV,
        "without an alternate stack there is no room for the frame: killed by SIGSEGV",
    );

    // 28-29: rt_sigreturn on frames made by hand.
    let s = sigreturn_at(handmade_frame(true));
    report(
        &mut tap,
        s,
        7 << 8,
        "rt_sigreturn on a hand-made frame: its pc, sp and x0",
    );
    let s = [handmade_frame(false), 0x1000, handmade_frame(true) + 8].map(sigreturn_at);
    if !tap.ok(
        s == [Some(SIGSEGV); 3],
        "rt_sigreturn: no FPSIMD record, bad sp: SIGSEGV",
    ) {
        tap.diag(format_args!("  wait statuses {s:x?}"));
    }

    // 30-31: every frame had its FPSIMD record; no child left.
    let frames = [FRAMES[0].load(SeqCst), FRAMES[1].load(SeqCst)];
    tap.eq(
        frames[1],
        frames[0],
        "every SA_SIGINFO frame had a 528-byte FPSIMD record",
    );
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "every child was reaped",
    );
    tap.done()
}
