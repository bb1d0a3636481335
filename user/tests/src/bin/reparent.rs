//! reparent: orphans go to init, and init reaps them.
//!
//! On Linnet this program runs *as* init (pid 1), so it is the reaper. A child forks a
//! grandchild and exits; the grandchild sees its getppid() change from the dead parent
//! to 1, and init (we) collects its status with wait4(-1). A grandchild that is already
//! a zombie when its parent exits is handed to init too, and init reaps it. This is
//! `forget_original_parent` and `do_notify_parent` (kernel/src/task/exit.rs). On Linux
//! (qemu-user) the orphans go to the host's init or a subreaper, not to us: only the
//! portable checks run there. Syscalls used: clone (as fork), wait4, waitid, getppid,
//! getpid, pipe2, read, write, close, nanosleep, exit_group, uname.

#![no_std]
#![no_main]

use ulib::process::{reap, spawn};
use ulib::process::{waitid, StatusText, P_PID, WEXITED, WNOWAIT};
use ulib::{Errno, Tap};

fn read_i32(fd: i32) -> Option<i32> {
    let mut b = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match ulib::read(fd, &mut b[got..]) {
            Ok(n) if n > 0 => got += n,
            _ => return None,
        }
    }
    Some(i32::from_ne_bytes(b))
}

fn write_i32(fd: i32, v: i32) {
    let _ = ulib::write(fd, &v.to_ne_bytes());
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(8);
    let linnet = ulib::is_linnet();
    if linnet {
        tap.eq(ulib::getpid(), 1, "this test runs as init: getpid() == 1");
    } else {
        tap.skip("this test runs as init", "not Linnet: not pid 1");
    }

    // 2-5: a running orphan. The grandchild reports (old parent, new parent) through a
    // pipe, then exits 33.
    let Ok([rd, wr]) = ulib::fs::pipe2(0) else {
        tap.ok(false, "pipe2");
        return 1;
    };
    let child = spawn(|| {
        spawn(|| {
            let parent = ulib::getppid();
            write_i32(wr, parent);
            let mut now = parent;
            for _ in 0..500 {
                now = ulib::getppid();
                if now != parent {
                    break;
                }
                let _ = ulib::time::sleep_ms(5);
            }
            write_i32(wr, now);
            33
        });
        let _ = ulib::time::sleep_ms(20); // let the grandchild see us once
        0
    });
    let _ = ulib::close(wr);
    let before = read_i32(rd);
    let after = read_i32(rd);
    let _ = ulib::close(rd);
    tap.eq(
        reap(child),
        Some(0),
        "the middle child exits 0 and is reaped",
    );
    tap.ok(
        before == Some(child) && after.is_some() && after != before,
        "the orphan's getppid() changes when its parent exits",
    );
    if !linnet {
        tap.skip("the orphan's new parent is 1", "not Linnet");
        tap.skip("init reaps the adopted orphan", "not Linnet");
    } else {
        tap.eq(after, Some(1), "the orphan's new parent is 1 (init)");
        let mut status = 0;
        let r = ulib::wait4(-1, Some(&mut status), 0);
        if !tap.ok(
            r.is_ok_and(|p| p != child && p > 0) && status == 33 << 8,
            "init reaps the adopted orphan with wait4(-1): status 33",
        ) {
            tap.diag(format_args!("  wait4 {:?}, {}", r, StatusText(status)));
        }
    }

    // 6-7: a grandchild that is already a zombie when its parent exits.
    let Ok([rd, wr]) = ulib::fs::pipe2(0) else {
        tap.ok(false, "pipe2");
        return 1;
    };
    let child = spawn(|| {
        let g = spawn(|| 44);
        // Wait until it is a zombie, without reaping it.
        let zombie = waitid(P_PID, g, None, WEXITED | WNOWAIT).is_ok();
        write_i32(wr, if zombie { g } else { -1 });
        0
    });
    let _ = ulib::close(wr);
    let grandchild = read_i32(rd).unwrap_or(-1);
    let _ = ulib::close(rd);
    tap.ok(
        reap(child) == Some(0) && grandchild > 0,
        "a child leaves a zombie grandchild behind and exits",
    );
    if linnet {
        tap.eq(
            reap(grandchild),
            Some(44 << 8),
            "init reaps the zombie it inherited: status 44",
        );
    } else {
        tap.skip("init reaps the zombie it inherited", "not Linnet");
    }

    // 8: nothing is left for us.
    tap.eq(
        ulib::wait4(-1, None, 0),
        Err(Errno::ECHILD),
        "no children left: ECHILD",
    );
    tap.done()
}
