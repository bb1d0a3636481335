//! locks: fcntl record locks between processes, as Linux's `fs/locks.c` keeps them.
//!
//! Runs in a fresh directory under /tmp, the same on Linnet and under qemu-aarch64
//! (whose locks are the host kernel's). A forked child reports what it saw in its exit
//! status, one bit per check. Checked: F_SETLK conflicts (EAGAIN) and shared read locks,
//! F_GETLK reporting the holder (type, range, pid), a lock split by another type and
//! merged back, unlocking a range, locks dropped when the process closes *any*
//! descriptor of the file and when it exits, F_SETLKW sleeping until the holder
//! unlocks, F_SETLKW interrupted by a signal (EINTR), EDEADLK, OFD locks (per open
//! file, l_pid -1), and the argument errors (EINVAL, EBADF).
//! The kernel side: `kernel/src/fs/locks.rs`, `kernel/src/syscall/fs_lock.rs`.

#![no_std]
#![no_main]

use core::ffi::CStr;
use ulib::fileops::lock::*;
use ulib::fileops::{fcntl_lock, Flock};
use ulib::fs::{mkdirat, pipe2, unlinkat, AT_REMOVEDIR};
use ulib::io::{AT_FDCWD, O_CREAT, O_RDONLY, O_RDWR};
use ulib::signal::{kill, sigaction, SIGUSR1};
use ulib::time::sleep_ms;
use ulib::{
    close, exit_group, fork, getpid, openat, read, wait4, wexitstatus, write, Errno, SysResult, Tap,
};

fn open(flags: u32) -> i32 {
    openat(AT_FDCWD, c"f", flags, 0o644)
        .map(|fd| fd as i32)
        .unwrap_or(-1)
}

fn fl(t: i16, start: i64, len: i64) -> Flock {
    Flock {
        l_type: t,
        l_whence: 0,
        l_start: start,
        l_len: len,
        l_pid: 0,
    }
}

fn setlk(fd: i32, t: i16, start: i64, len: i64) -> SysResult {
    fcntl_lock(fd, F_SETLK, &mut fl(t, start, len))
}

fn setlkw(fd: i32, t: i16, start: i64, len: i64) -> SysResult {
    fcntl_lock(fd, F_SETLKW, &mut fl(t, start, len))
}

fn getlk(fd: i32, t: i16, start: i64, len: i64) -> Flock {
    let mut f = fl(t, start, len);
    let _ = fcntl_lock(fd, F_GETLK, &mut f);
    f
}

/// Run `child` in a forked process (with its own descriptor for the file) and return
/// its exit status.
fn in_child(child: impl FnOnce(i32) -> i32) -> i32 {
    match fork() {
        Ok(0) => {
            let fd = open(O_RDWR);
            exit_group(child(fd))
        }
        Ok(pid) => {
            let mut status = 0;
            let _ = wait4(pid, Some(&mut status), 0);
            wexitstatus(status)
        }
        Err(_) => -1,
    }
}

/// Bits from a list of conditions.
fn bits(c: &[bool]) -> i32 {
    c.iter().enumerate().map(|(i, &b)| (b as i32) << i).sum()
}

extern "C" fn on_usr1(_: i32) {}

fn conflicts(tap: &mut Tap) {
    let fd = open(O_RDWR);
    let me = getpid();
    tap.eq(
        setlk(fd, F_WRLCK, 0, 10),
        Ok(0),
        "F_SETLK takes a write lock",
    );
    tap.eq(
        getlk(fd, F_WRLCK, 0, 10).l_type,
        F_UNLCK,
        "F_GETLK: a process never conflicts with itself",
    );
    let r = in_child(|fd| {
        let g = getlk(fd, F_WRLCK, 5, 1);
        bits(&[
            setlk(fd, F_WRLCK, 5, 1) == Err(Errno::EAGAIN),
            setlk(fd, F_RDLCK, 0, 1) == Err(Errno::EAGAIN),
            g.l_type == F_WRLCK && g.l_start == 0 && g.l_len == 10,
            g.l_pid == me,
            setlk(fd, F_WRLCK, 10, 10) == Ok(0),
        ])
    });
    tap.ok(
        r & 1 != 0,
        "another process's overlapping write lock is EAGAIN",
    );
    tap.ok(r & 2 != 0, "... and so is a read lock over a write lock");
    tap.ok(r & 4 != 0, "F_GETLK reports the holder's type and range");
    tap.ok(r & 8 != 0, "F_GETLK reports the holder's pid");
    tap.ok(r & 16 != 0, "a range next to it locks fine");
    // Read locks share; splitting and merging.
    let _ = setlk(fd, F_RDLCK, 0, 100);
    let r = in_child(|fd| {
        bits(&[
            setlk(fd, F_RDLCK, 0, 10) == Ok(0),
            setlk(fd, F_WRLCK, 50, 1) == Err(Errno::EAGAIN),
        ])
    });
    tap.eq(r, 3, "read locks are shared, a write lock is not");
    let _ = setlk(fd, F_WRLCK, 40, 20);
    let r = in_child(|fd| {
        let a = getlk(fd, F_WRLCK, 50, 1);
        let b = getlk(fd, F_WRLCK, 10, 1);
        let c = getlk(fd, F_RDLCK, 70, 1);
        let d = getlk(fd, F_RDLCK, 100, 0);
        bits(&[
            a.l_type == F_WRLCK && (a.l_start, a.l_len) == (40, 20),
            b.l_type == F_RDLCK && (b.l_start, b.l_len) == (0, 40),
            c.l_type == F_UNLCK,
            d.l_type == F_UNLCK,
        ])
    });
    tap.ok(r & 1 != 0, "a write lock inside a read lock splits it");
    tap.ok(r & 2 != 0, "... leaving the read lock before it");
    tap.ok(
        r & 4 != 0,
        "... and readers may share the read lock after it",
    );
    tap.ok(r & 8 != 0, "nothing is locked past the range");
    let _ = setlk(fd, F_RDLCK, 40, 20);
    let r = in_child(|fd| {
        let g = getlk(fd, F_WRLCK, 0, 0);
        bits(&[g.l_type == F_RDLCK && (g.l_start, g.l_len) == (0, 100)])
    });
    tap.eq(r, 1, "the same type again merges the pieces");
    let _ = setlk(fd, F_UNLCK, 20, 10);
    let r = in_child(|fd| {
        bits(&[
            setlk(fd, F_WRLCK, 20, 10) == Ok(0),
            setlk(fd, F_WRLCK, 19, 1) == Err(Errno::EAGAIN),
        ])
    });
    tap.eq(r, 3, "F_UNLCK frees exactly its range");
    // To the end of file: l_len 0.
    let _ = setlk(fd, F_UNLCK, 0, 0);
    let _ = setlk(fd, F_WRLCK, 200, 0);
    let r = in_child(|fd| {
        bits(&[
            setlk(fd, F_WRLCK, 1 << 40, 1) == Err(Errno::EAGAIN),
            setlk(fd, F_WRLCK, 199, 1) == Ok(0),
        ])
    });
    tap.eq(r, 3, "l_len 0 locks to the end of the file and beyond");
    // Closing any descriptor of the file drops the process's locks on it.
    let fd2 = open(O_RDONLY);
    let _ = close(fd2);
    let r = in_child(|fd| bits(&[setlk(fd, F_WRLCK, 200, 1) == Ok(0)]));
    tap.eq(
        r,
        1,
        "closing another descriptor of the file drops the process's locks",
    );
    let _ = close(fd);
    // Exit drops locks.
    let r = in_child(|fd| bits(&[setlk(fd, F_WRLCK, 0, 0) == Ok(0)]));
    let fd = open(O_RDWR);
    tap.ok(
        r == 1 && setlk(fd, F_WRLCK, 0, 0) == Ok(0),
        "a process's locks go when it exits",
    );
    let _ = close(fd);
}

fn waiting(tap: &mut Tap) {
    let fd = open(O_RDWR);
    let [r, w] = pipe2(0).unwrap_or([-1, -1]);
    let mut b = [0u8; 1];
    // F_SETLKW sleeps until the holder unlocks.
    let _ = setlk(fd, F_WRLCK, 0, 1);
    let pid = fork().unwrap_or(-1);
    if pid == 0 {
        let fd = open(O_RDWR);
        let t0 = ulib::clock_gettime(1).map(|t| t.as_ns()).unwrap_or(0);
        let _ = write(w, b"x");
        let ok = setlkw(fd, F_WRLCK, 0, 1) == Ok(0);
        let t1 = ulib::clock_gettime(1).map(|t| t.as_ns()).unwrap_or(0);
        exit_group(bits(&[ok, t1 - t0 >= 50_000_000]));
    }
    let _ = read(r, &mut b);
    let _ = sleep_ms(150);
    let _ = setlk(fd, F_UNLCK, 0, 1);
    let mut status = 0;
    let _ = wait4(pid, Some(&mut status), 0);
    tap.eq(
        wexitstatus(status),
        3,
        "F_SETLKW sleeps until the holder unlocks, then locks",
    );
    // A signal interrupts F_SETLKW: EINTR (no SA_RESTART).
    let _ = setlk(fd, F_WRLCK, 0, 1);
    let pid = fork().unwrap_or(-1);
    if pid == 0 {
        let _ = sigaction(SIGUSR1, on_usr1, 0, 0);
        let fd = open(O_RDWR);
        let _ = write(w, b"x");
        exit_group(bits(&[setlkw(fd, F_WRLCK, 0, 1) == Err(Errno::EINTR)]));
    }
    let _ = read(r, &mut b);
    let _ = sleep_ms(150);
    let _ = kill(pid, SIGUSR1);
    let _ = wait4(pid, Some(&mut status), 0);
    tap.eq(
        wexitstatus(status),
        1,
        "a signal interrupts F_SETLKW with EINTR",
    );
    // Deadlock: the child holds byte 1 and waits for byte 0, which we hold.
    let pid = fork().unwrap_or(-1);
    if pid == 0 {
        let fd = open(O_RDWR);
        let _ = setlk(fd, F_WRLCK, 1, 1);
        let _ = write(w, b"x");
        exit_group(bits(&[setlkw(fd, F_WRLCK, 0, 1) == Ok(0)]));
    }
    let _ = read(r, &mut b);
    let _ = sleep_ms(150);
    tap.eq(
        setlkw(fd, F_WRLCK, 1, 1),
        Err(Errno::EDEADLK),
        "waiting for a lock held by a process waiting for us is EDEADLK",
    );
    let _ = setlk(fd, F_UNLCK, 0, 1);
    let _ = wait4(pid, Some(&mut status), 0);
    tap.eq(
        wexitstatus(status),
        1,
        "the other process gets its lock once we let go",
    );
    let _ = (close(r), close(w), close(fd));
}

fn ofd_and_errors(tap: &mut Tap) {
    let (a, b) = (open(O_RDWR), open(O_RDWR));
    tap.eq(
        fcntl_lock(a, F_OFD_SETLK, &mut fl(F_WRLCK, 0, 10)),
        Ok(0),
        "F_OFD_SETLK takes a lock for one open file",
    );
    tap.eq(
        fcntl_lock(b, F_OFD_SETLK, &mut fl(F_WRLCK, 5, 1)),
        Err(Errno::EAGAIN),
        "another open file of the same process conflicts",
    );
    let mut g = fl(F_WRLCK, 5, 1);
    let _ = fcntl_lock(b, F_OFD_GETLK, &mut g);
    tap.eq(
        (g.l_type, g.l_start, g.l_len, g.l_pid),
        (F_WRLCK, 0, 10, -1),
        "F_OFD_GETLK reports l_pid -1",
    );
    let mut p = fl(F_WRLCK, 0, 1);
    p.l_pid = 1;
    tap.eq(
        fcntl_lock(b, F_OFD_SETLK, &mut p),
        Err(Errno::EINVAL),
        "OFD requests need l_pid 0",
    );
    let _ = close(a);
    tap.eq(
        fcntl_lock(b, F_OFD_SETLK, &mut fl(F_WRLCK, 5, 1)),
        Ok(0),
        "closing the open file drops its OFD locks",
    );
    let _ = close(b);
    let fd = open(O_RDONLY);
    tap.eq(
        setlk(fd, F_WRLCK, 0, 1),
        Err(Errno::EBADF),
        "a write lock needs a descriptor open for writing",
    );
    tap.eq(
        setlk(fd, 7, 0, 1),
        Err(Errno::EINVAL),
        "a bad l_type is EINVAL",
    );
    let mut bad = fl(F_RDLCK, 0, 1);
    bad.l_whence = 5;
    tap.eq(
        fcntl_lock(fd, F_SETLK, &mut bad),
        Err(Errno::EINVAL),
        "a bad l_whence is EINVAL",
    );
    tap.eq(
        setlk(fd, F_RDLCK, -1, 1),
        Err(Errno::EINVAL),
        "a range before offset 0 is EINVAL",
    );
    tap.eq(
        setlk(fd, F_RDLCK, 10, -5),
        Ok(0),
        "a negative l_len locks the bytes before l_start",
    );
    let r = in_child(|fd| {
        let g = getlk(fd, F_WRLCK, 0, 0);
        bits(&[(g.l_start, g.l_len) == (5, 5)])
    });
    tap.eq(r, 1, "... which F_GETLK reports as start 5, length 5");
    let _ = close(fd);
}

/// After exec (argv[1] "exec-holder"): a grandchild checks that the lock on `f`
/// (taken through a descriptor kept across exec) is still ours, and the one on `g`
/// (through an O_CLOEXEC descriptor) is gone. Exits with the two bits.
fn exec_holder() -> i32 {
    let me = getpid();
    in_child(|fd| {
        let g = openat(AT_FDCWD, c"g", O_RDWR, 0)
            .map(|fd| fd as i32)
            .unwrap_or(-1);
        let a = getlk(fd, F_WRLCK, 0, 1);
        let b = getlk(g, F_WRLCK, 0, 1);
        bits(&[a.l_type == F_WRLCK && a.l_pid == me, b.l_type == F_UNLCK])
    })
}

/// Locks survive exec, except those of close-on-exec descriptors (Linux: the table
/// is the same `files_struct`; `do_close_on_exec` closes the others).
fn across_exec(tap: &mut Tap) {
    const NAME: &str = "record locks survive exec; a close-on-exec descriptor's go";
    if !ulib::is_linnet() {
        // qemu-user would need binfmt_misc to exec an arm64 program on the host.
        tap.skip(NAME, "Linnet only");
        return;
    }
    let status = match fork() {
        Ok(0) => {
            let f = open(O_RDWR);
            let g = openat(
                AT_FDCWD,
                c"g",
                O_RDWR | O_CREAT | ulib::io::O_CLOEXEC,
                0o644,
            )
            .map(|fd| fd as i32)
            .unwrap_or(-1);
            let _ = setlk(f, F_WRLCK, 0, 1);
            let _ = setlk(g, F_WRLCK, 0, 1);
            let argv0 = ulib::args()
                .next()
                .map(|a| a.as_ptr())
                .unwrap_or(core::ptr::null());
            let argv = [
                argv0,
                c"exec-holder".as_ptr() as *const u8,
                core::ptr::null(),
            ];
            let envp = [core::ptr::null::<u8>()];
            // SAFETY: argv0 is our own NUL-terminated argv[0]; the arrays end in NULL.
            let _ = unsafe { ulib::process::execve(argv0, argv.as_ptr(), envp.as_ptr()) };
            exit_group(100)
        }
        Ok(pid) => {
            let mut status = 0;
            let _ = wait4(pid, Some(&mut status), 0);
            wexitstatus(status)
        }
        Err(_) => -1,
    };
    tap.eq(status, 3, NAME);
    let _ = unlinkat(AT_FDCWD, c"g", 0);
}

#[no_mangle]
fn main() -> i32 {
    if ulib::args().nth(1) == Some(b"exec-holder".as_slice()) {
        return exec_holder();
    }
    let mut tap = Tap::new(35);
    let mut name = [0u8; 48];
    let prefix = b"/tmp/linnet-locks-";
    name[..prefix.len()].copy_from_slice(prefix);
    let mut n = prefix.len();
    let mut pid = getpid() as u32;
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (pid % 10) as u8;
        pid /= 10;
        if pid == 0 {
            break;
        }
    }
    name[n..n + digits.len() - i].copy_from_slice(&digits[i..]);
    n += digits.len() - i;
    let dir: &CStr = CStr::from_bytes_until_nul(&name[..=n]).unwrap_or(c"/tmp/linnet-locks");
    let made = mkdirat(AT_FDCWD, dir, 0o755).and_then(|_| ulib::fs::chdir(dir));
    let fd = openat(AT_FDCWD, c"f", O_RDWR | O_CREAT, 0o644);
    if !tap.ok(
        made.is_ok() && fd.is_ok(),
        "a fresh directory in /tmp with a file to lock",
    ) {
        return 1;
    }
    let _ = close(fd.unwrap_or(0) as i32);
    conflicts(&mut tap);
    waiting(&mut tap);
    ofd_and_errors(&mut tap);
    across_exec(&mut tap);
    let _ = unlinkat(AT_FDCWD, c"f", 0);
    let _ = ulib::fs::chdir(c"/tmp");
    tap.eq(unlinkat(AT_FDCWD, dir, AT_REMOVEDIR), Ok(0), "cleaned up");
    tap.done()
}
