//! poll: ppoll and pselect6 on pipes, files, /dev/null and the terminal, with timeouts
//! and temporary signal masks.
//!
//! A pipe's read end is readable when bytes wait and hung up (POLLHUP) when no writer is
//! left; its write end is writable while there is room and in error (POLLERR) when no
//! reader is left. Files and /dev/null are always ready. A closed descriptor is POLLNVAL
//! for poll and EBADF for select; a negative one is skipped. The timeout (none: forever,
//! zero: look once) is written back with the time left. The mask replaces the blocked
//! set for the wait; a signal it lets in ends the wait with EINTR after its handler,
//! which runs with the caller's own mask in its frame; afterwards the old mask is back.
//! `ppoll(NULL, 0, NULL, mask)` sleeps until a signal (musl's pause). Rust std's start-up
//! check (ppoll on fds 0-2 with no events) finds them open.
//! On Linnet: `fs/select.rs`, `fs/poll.rs`, `syscall/poll.rs`, the `poll` methods in
//! `fs/pipe.rs`, `fs/tty.rs`, `fs/vfs.rs`, and `task/wait_queue.rs`.
//! Syscalls used: ppoll, pselect6, pipe2, write, read, close, openat, clone (as fork),
//! wait4, kill, getppid, rt_sigaction, rt_sigprocmask, nanosleep, clock_gettime,
//! exit_group.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};
use ulib::fs::pipe2;
use ulib::process::{reap, spawn};
use ulib::resource::{getrlimit, setrlimit, Rlimit, RLIMIT_NOFILE};
use ulib::signal::{
    kill, rt_sigprocmask, sigaction_info, sigmask, SigInfo, UContext, SIGUSR1, SIGUSR2, SIG_SETMASK,
};
use ulib::time::{clock_gettime, sleep_ms, Timespec, CLOCK_MONOTONIC};
use ulib::wait::*;
use ulib::{close, write, Errno, Tap};

fn now_ms() -> i128 {
    clock_gettime(CLOCK_MONOTONIC).map_or(0, |t| t.as_ns()) / 1_000_000
}

fn poll1(fd: i32, events: i16, ms: Option<u64>) -> (Result<usize, Errno>, i16) {
    let mut fds = [PollFd::new(fd, events)];
    let mut t = ms.map(Timespec::from_ms);
    let r = ppoll(&mut fds, t.as_mut(), None);
    (r, fds[0].revents)
}

static HANDLED: AtomicU32 = AtomicU32::new(0);
static HANDLER_UC_MASK: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_usr1(_: i32, _: *mut SigInfo, uc: *mut UContext) {
    HANDLED.fetch_add(1, SeqCst);
    // SAFETY: the kernel passes a valid ucontext.
    HANDLER_UC_MASK.store(unsafe { (*uc).uc_sigmask }, SeqCst);
}

/// A child that sends SIGUSR1 to us after `ms`; returns its pid.
fn signal_me_later(ms: u64) -> i32 {
    let parent = ulib::getpid();
    spawn(move || {
        let _ = sleep_ms(ms);
        kill(parent, SIGUSR1).map_or(1, |_| 0)
    })
}

fn get_mask() -> u64 {
    let mut m = 0;
    let _ = rt_sigprocmask(0, None, Some(&mut m));
    m
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(31);
    let [r, w] = pipe2(0).unwrap_or([-1, -1]);

    // 1-4: a pipe's two ends, empty and with data.
    tap.eq(
        poll1(r, POLLIN, Some(0)),
        (Ok(0), 0),
        "empty pipe: read end not ready, zero timeout returns 0",
    );
    tap.eq(
        poll1(w, POLLIN | POLLOUT, Some(0)),
        (Ok(1), POLLOUT),
        "empty pipe: write end is POLLOUT (POLLIN not reported)",
    );
    let _ = write(w, b"x");
    tap.eq(
        poll1(r, POLLIN | POLLOUT, Some(0)),
        (Ok(1), POLLIN),
        "pipe with a byte: read end POLLIN",
    );
    tap.eq(
        poll1(r, POLLIN | POLLRDNORM, Some(0)),
        (Ok(1), POLLIN | POLLRDNORM),
        "read end reports POLLRDNORM when asked",
    );

    // 5-6: several descriptors at once; negative ones skipped, closed ones POLLNVAL.
    let mut fds = [
        PollFd::new(r, POLLIN),
        PollFd::new(-1, POLLIN),
        PollFd::new(w, POLLOUT),
        PollFd::new(900, POLLIN),
    ];
    let n = ppoll(&mut fds, Some(&mut Timespec::default()), None);
    tap.eq(
        n,
        Ok(3),
        "ppoll counts the descriptors with events (3 of 4)",
    );
    tap.eq(
        [
            fds[0].revents,
            fds[1].revents,
            fds[2].revents,
            fds[3].revents,
        ],
        [POLLIN, 0, POLLOUT, POLLNVAL],
        "revents: POLLIN, 0 for fd -1, POLLOUT, POLLNVAL for a closed fd",
    );

    // 7-8: ends whose other side is gone.
    let _ = close(w);
    tap.eq(
        poll1(r, POLLIN, Some(0)),
        (Ok(1), POLLIN | POLLHUP),
        "writer closed, byte left: POLLIN|POLLHUP",
    );
    let mut b = [0u8; 4];
    let _ = ulib::read(r, &mut b);
    tap.eq(
        poll1(r, POLLIN, Some(0)),
        (Ok(1), POLLHUP),
        "writer closed, empty: POLLHUP only",
    );
    let _ = close(r);
    let [r2, w2] = pipe2(0).unwrap_or([-1, -1]);
    let _ = close(r2);
    tap.eq(
        poll1(w2, POLLOUT, Some(0)),
        (Ok(1), POLLOUT | POLLERR),
        "reader closed: write end POLLOUT|POLLERR",
    );
    let _ = close(w2);

    // 10-12: files and devices are always ready; the terminal (or stdout) is writable.
    let exe = ulib::args().next().unwrap_or(b"");
    let mut path = [0u8; 256];
    let len = exe.len().min(255);
    path[..len].copy_from_slice(&exe[..len]);
    let path = core::ffi::CStr::from_bytes_until_nul(&path).unwrap_or(c"");
    let f = ulib::openat(-100, path, 0, 0).map_or(-1, |f| f as i32);
    tap.eq(
        poll1(f, POLLIN | POLLOUT, None),
        (Ok(1), POLLIN | POLLOUT),
        "a regular file is always ready",
    );
    let _ = close(f);
    let null = ulib::openat(-100, c"/dev/null", 2, 0).map_or(-1, |f| f as i32);
    tap.eq(
        poll1(null, POLLIN | POLLOUT, None),
        (Ok(1), POLLIN | POLLOUT),
        "/dev/null is always ready",
    );
    let _ = close(null);
    tap.eq(
        poll1(1, POLLOUT, Some(0)),
        (Ok(1), POLLOUT),
        "stdout is writable",
    );

    // 13: Rust std's start-up: fds 0-2 with no events, zero timeout: none is POLLNVAL.
    let mut std_fds = [PollFd::new(0, 0), PollFd::new(1, 0), PollFd::new(2, 0)];
    tap.eq(
        ppoll(&mut std_fds, Some(&mut Timespec::default()), None),
        Ok(0),
        "Rust std's start-up ppoll on fds 0-2 finds them open",
    );

    // 14-16: timeouts, and the time left written back.
    let [r, w] = pipe2(0).unwrap_or([-1, -1]);
    let mut t = Timespec::from_ms(50);
    let start = now_ms();
    let n = ppoll(&mut [PollFd::new(r, POLLIN)], Some(&mut t), None);
    let took = now_ms() - start;
    tap.ok(
        n == Ok(0) && took >= 45,
        "ppoll times out after its timeout (50 ms)",
    );
    tap.eq(
        t,
        Timespec::default(),
        "the time left after a timeout is written back as 0",
    );
    let _ = write(w, b"y");
    let mut t = Timespec::from_ms(5000);
    let n = ppoll(&mut [PollFd::new(r, POLLIN)], Some(&mut t), None);
    tap.ok(
        n == Ok(1) && t.tv_sec == 4 && t.tv_nsec > 0,
        "a ready ppoll writes back the time left (between 4 and 5 s)",
    );
    let _ = ulib::read(r, &mut b);

    // 17-20: bad arguments.
    let mut bad = Timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000_000,
    };
    tap.eq(
        ppoll(&mut [PollFd::new(r, POLLIN)], Some(&mut bad), None),
        Err(Errno::EINVAL),
        "tv_nsec of 1e9: EINVAL",
    );
    // SAFETY: a deliberately bad pollfd pointer; the kernel must not write there.
    let e = unsafe {
        ppoll_raw(
            8 as *mut PollFd,
            1,
            &mut Timespec::default(),
            core::ptr::null(),
            8,
        )
    };
    tap.eq(e, Err(Errno::EFAULT), "a bad pollfd pointer: EFAULT");
    let m = 0u64;
    // SAFETY: valid pointers; only the mask size is wrong.
    let e = unsafe { ppoll_raw(core::ptr::null_mut(), 0, &mut Timespec::default(), &m, 4) };
    tap.eq(e, Err(Errno::EINVAL), "a sigset size of 4: EINVAL");
    let old = getrlimit(RLIMIT_NOFILE).unwrap_or_default();
    let _ = setrlimit(
        RLIMIT_NOFILE,
        &Rlimit {
            cur: 64,
            max: old.max,
        },
    );
    let mut many = [PollFd::new(-1, 0); 65];
    let e = ppoll(&mut many, Some(&mut Timespec::default()), None);
    let _ = setrlimit(RLIMIT_NOFILE, &old);
    tap.eq(
        e,
        Err(Errno::EINVAL),
        "more descriptors than RLIMIT_NOFILE: EINVAL",
    );

    // 21: a child's write wakes a ppoll with no timeout.
    let child = spawn(move || {
        let _ = sleep_ms(30);
        write(w, b"z").map_or(1, |_| 0)
    });
    let mut fds = [PollFd::new(r, POLLIN)];
    let n = ppoll(&mut fds, None, None);
    tap.ok(
        n == Ok(1) && fds[0].revents == POLLIN,
        "a write from another process wakes ppoll",
    );
    let _ = reap(child);
    let _ = ulib::read(r, &mut b);

    // 22-25: the temporary mask. SIGUSR1 is blocked; ppoll lets it in.
    let _ = sigaction_info(SIGUSR1, on_usr1, 0, 0);
    let blocked = sigmask(SIGUSR1) | sigmask(SIGUSR2);
    let _ = rt_sigprocmask(SIG_SETMASK, Some(&blocked), None);
    let child = signal_me_later(30);
    let open = 0u64;
    let n = ppoll(&mut [PollFd::new(r, POLLIN)], None, Some(&open));
    tap.eq(
        n,
        Err(Errno::EINTR),
        "a signal the ppoll mask unblocks: EINTR",
    );
    tap.eq(HANDLED.load(SeqCst), 1, "its handler ran once");
    tap.eq(
        HANDLER_UC_MASK.load(SeqCst),
        blocked,
        "the handler's frame holds the caller's mask",
    );
    tap.eq(get_mask(), blocked, "after ppoll the caller's mask is back");
    let _ = reap(child);

    // 26: a mask that keeps the signal blocked: ppoll times out, the signal stays pending.
    let _ = kill(ulib::getpid(), SIGUSR1);
    let n = ppoll(
        &mut [PollFd::new(r, POLLIN)],
        Some(&mut Timespec::from_ms(20)),
        Some(&blocked),
    );
    tap.ok(
        n == Ok(0) && HANDLED.load(SeqCst) == 1,
        "a signal the mask keeps blocked does not end ppoll",
    );
    let _ = rt_sigprocmask(SIG_SETMASK, Some(&0), None); // the pending SIGUSR1 runs now
    let _ = rt_sigprocmask(SIG_SETMASK, Some(&blocked), None);

    // 27: pause(): ppoll(NULL, 0, NULL, mask) sleeps until a signal.
    let child = signal_me_later(30);
    // SAFETY: no descriptors, no timeout, a valid mask.
    let n = unsafe { ppoll_raw(core::ptr::null_mut(), 0, core::ptr::null_mut(), &open, 8) };
    tap.ok(
        n == Err(Errno::EINTR) && HANDLED.load(SeqCst) == 3,
        "ppoll(NULL, 0, NULL, mask) is pause(): EINTR after the handler",
    );
    let _ = reap(child);
    let _ = rt_sigprocmask(SIG_SETMASK, Some(&0), None);

    // 28-31: pselect6.
    let _ = write(w, b"q");
    let (mut rd, mut wr) = (FdSet::default(), FdSet::default());
    rd.set(r);
    rd.set(w);
    wr.set(w);
    let n = pselect6(
        w.max(r) + 1,
        Some(&mut rd),
        Some(&mut wr),
        None,
        Some(&mut Timespec::default()),
        None,
    );
    tap.ok(
        n == Ok(2) && rd.is_set(r) && !rd.is_set(w) && wr.is_set(w),
        "pselect6: read end readable, write end writable (2 bits)",
    );
    let _ = ulib::read(r, &mut b);
    let mut rd = FdSet::default();
    rd.set(r);
    let mut t = Timespec::from_ms(20);
    let n = pselect6(r + 1, Some(&mut rd), None, None, Some(&mut t), None);
    tap.ok(
        n == Ok(0) && rd == FdSet::default() && t == Timespec::default(),
        "pselect6 timeout: 0, set cleared, time left 0",
    );
    let mut rd = FdSet::default();
    rd.set(60);
    tap.eq(
        pselect6(
            61,
            Some(&mut rd),
            None,
            None,
            Some(&mut Timespec::default()),
            None,
        ),
        Err(Errno::EBADF),
        "pselect6 on a closed descriptor: EBADF",
    );
    tap.eq(
        pselect6(-1, None, None, None, Some(&mut Timespec::default()), None),
        Err(Errno::EINVAL),
        "pselect6 with n < 0: EINVAL",
    );
    tap.done()
}
