//! The controlling terminal and the job-control ioctls (Linux
//! `drivers/tty/tty_jobctrl.c`: `tiocsctty`, `tiocnotty`, `tiocgpgrp`, `tiocspgrp`,
//! `tiocgsid`, `disassociate_ctty`, `session_clear_tty`).
//!
//! A session may have one controlling terminal, and a terminal belongs to at most one
//! session (`tty->session`). Only then does the terminal have a foreground process group
//! for Ctrl-C and job control. A session leader takes the console with TIOCSCTTY, as
//! getty or busybox's `cttyhack` do; opening /dev/console never makes it a controlling
//! terminal (Linux's `tty_open` treats the console as O_NOCTTY). Without one,
//! TIOCGPGRP and TIOCSPGRP say ENOTTY, which is how a shell learns it has no job
//! control: busybox's ash prints "can't access tty; job control turned off".
//!
//! Linnet has one terminal, the console, so a process's controlling terminal is one
//! flag in its `SignalInner` (Linux `signal->tty`). Simplified: no SIGTTOU for a
//! background process that calls TIOCSPGRP (Linnet has no stopped state).

use super::tty;
use crate::errno::{Errno, KResult};
use crate::task::sched::current;
use crate::task::signal::{kill_pgrp, processes, SIGCONT, SIGHUP};

/// The caller's session, process group, whether it leads its session, and whether the
/// console is its controlling terminal.
fn me() -> (i32, i32, bool, bool) {
    let cur = current();
    let s = cur.signal.inner.lock();
    (s.sid, s.pgid, s.sid == cur.tgid(), s.tty)
}

/// No process of session `sid` has a controlling terminal any more (Linux
/// `session_clear_tty`).
fn session_clear_tty(sid: i32) {
    for p in processes(|t| t.signal.inner.lock().sid == sid) {
        p.signal.inner.lock().tty = false;
    }
}

/// TIOCSCTTY (Linux `tiocsctty`): the calling session leader makes the console its
/// controlling terminal, its own process group in the foreground. EPERM for a process
/// that does not lead its session or already has a terminal, or when the console is
/// another session's, unless `steal` (arg 1; Linux also wants CAP_SYS_ADMIN, which
/// every Linnet process has as root).
pub fn tiocsctty(steal: bool) -> KResult<()> {
    let (sid, pgid, leader, has) = me();
    let (tty_sid, _) = tty::ctty();
    if leader && tty_sid == sid {
        return Ok(()); // already ours
    }
    if !leader || has {
        return Err(Errno::EPERM);
    }
    if tty_sid != 0 {
        if !steal {
            return Err(Errno::EPERM);
        }
        session_clear_tty(tty_sid);
    }
    tty::set_ctty(sid, pgid);
    current().signal.inner.lock().tty = true;
    Ok(())
}

/// TIOCNOTTY (Linux `tiocnotty`): give up the controlling terminal; a session leader
/// takes it from its whole session (`disassociate_ctty`).
pub fn tiocnotty() -> KResult<()> {
    let (sid, _, leader, has) = me();
    if !has {
        return Err(Errno::ENOTTY);
    }
    if leader {
        disassociate_ctty(sid);
    } else {
        current().signal.inner.lock().tty = false;
    }
    Ok(())
}

/// Session `sid`'s leader leaves its terminal (TIOCNOTTY) or exits (Linux
/// `disassociate_ctty`): the foreground group gets SIGHUP and SIGCONT, the terminal
/// belongs to no session, and no process of the session keeps it.
pub fn disassociate_ctty(sid: i32) {
    let (tty_sid, fg) = tty::ctty();
    if tty_sid == sid {
        tty::set_ctty(0, 0);
        if fg > 0 {
            kill_pgrp(fg, SIGHUP);
            kill_pgrp(fg, SIGCONT);
        }
    }
    session_clear_tty(sid);
}

/// The console as the caller's controlling terminal: its session, or ENOTTY (Linux
/// `tty_check_change`'s and `tiocgpgrp`'s `current->signal->tty != real_tty`).
fn my_ctty_session() -> KResult<i32> {
    let (sid, _, _, has) = me();
    let (tty_sid, _) = tty::ctty();
    if has && tty_sid == sid && sid != 0 {
        Ok(sid)
    } else {
        Err(Errno::ENOTTY)
    }
}

/// TIOCGPGRP (Linux `tiocgpgrp`): the foreground process group of the caller's
/// controlling terminal.
pub fn tiocgpgrp() -> KResult<i32> {
    my_ctty_session()?;
    Ok(tty::ctty().1)
}

/// TIOCSPGRP (Linux `tiocspgrp`): put process group `pgrp` of the caller's session in
/// the foreground. EINVAL for a negative one, ESRCH for one that does not exist, EPERM
/// for one of another session.
pub fn tiocspgrp(pgrp: i32) -> KResult<()> {
    let sid = my_ctty_session()?;
    if pgrp < 0 {
        return Err(Errno::EINVAL);
    }
    let members = processes(|t| t.signal.inner.lock().pgid == pgrp);
    let Some(one) = members.first() else {
        return Err(Errno::ESRCH);
    };
    if one.signal.inner.lock().sid != sid {
        return Err(Errno::EPERM);
    }
    tty::set_foreground(pgrp);
    Ok(())
}

/// TIOCGSID (Linux `tiocgsid`): the session of the caller's controlling terminal.
pub fn tiocgsid() -> KResult<i32> {
    my_ctty_session()
}

/// A task of session `sid` exits: if it led the session and the whole process is gone,
/// the session loses its terminal (Linux `do_exit` -> `disassociate_ctty(1)`).
pub fn exit_ctty(tgid: i32, sid: i32, had_tty: bool) {
    if tgid == sid && had_tty {
        disassociate_ctty(sid);
    }
}
