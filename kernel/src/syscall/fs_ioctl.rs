//! ioctl (Linux `fs/ioctl.c` `do_vfs_ioctl` / `file_ioctl`, `fs/pipe.c` `pipe_ioctl`,
//! `drivers/tty/tty_io.c` `tty_ioctl`, `drivers/tty/tty_ioctl.c`, `n_tty_ioctl`).
//!
//! Every file takes FIOCLEX/FIONCLEX (the descriptor's close-on-exec flag) and FIONBIO
//! (O_NONBLOCK). FIONREAD says how many bytes a read would get now: what a pipe or the
//! terminal holds, or the bytes between a regular file's offset and its end. The
//! terminal requests work on the console only; anything else is ENOTTY, which is how
//! `isatty()` tells a terminal from the rest.

use crate::errno::{Errno, KResult};
use crate::fs::file::{oflags::O_NONBLOCK, File, FileKind};
use crate::fs::tty::{self, Termios};
use crate::fs::tty_jobctrl;
use crate::fs::vfs;
use crate::mm::uaccess;
use crate::task::sched::current;

use uapi::ioctls::{
    FIOCLEX, FIONBIO, FIONCLEX, FIONREAD, TCFLSH, TCGETS, TCIFLUSH, TCIOFLUSH, TCOFLUSH, TCSBRK,
    TCSETS, TCSETSF, TCSETSW, TIOCGPGRP, TIOCGSID, TIOCGWINSZ, TIOCNOTTY, TIOCOUTQ, TIOCSCTTY,
    TIOCSPGRP, TIOCSWINSZ,
};

/// One ioctl on `file` (open at `fd`).
pub fn do_ioctl(fd: i32, file: &File, cmd: u32, a: usize) -> KResult<usize> {
    match cmd {
        FIOCLEX | FIONCLEX => {
            let files = current().inner.lock().files.clone();
            if let Some(e) = files.lock().entry_mut(fd as usize) {
                e.cloexec = cmd == FIOCLEX;
            }
            return Ok(0);
        }
        FIONBIO => {
            let on: i32 = uaccess::get_user(a)?;
            let mut fl = file.flags.lock();
            *fl = if on != 0 {
                *fl | O_NONBLOCK
            } else {
                *fl & !O_NONBLOCK
            };
            return Ok(0);
        }
        _ => {}
    }
    match &file.kind {
        FileKind::Regular(ino) if cmd == FIONREAD => {
            let size = vfs::with_fs(|fs| Ok(fs.stat(*ino)?.st_size))?;
            let avail = size - *file.pos.lock() as i64;
            uaccess::put_user(a, avail as i32)?;
            Ok(0)
        }
        FileKind::PipeRead(p) | FileKind::PipeWrite(p) if cmd == FIONREAD => {
            uaccess::put_user(a, p.available() as i32)?;
            Ok(0)
        }
        FileKind::Console => tty_ioctl(cmd, a),
        _ => Err(Errno::ENOTTY),
    }
}

/// The terminal requests (Linux `tty_ioctl` -> `tty_mode_ioctl` / `n_tty_ioctl`).
fn tty_ioctl(cmd: u32, a: usize) -> KResult<usize> {
    match cmd {
        TCGETS => {
            uaccess::copy_to_user(a, &tty::get_termios().to_bytes())?;
            Ok(0)
        }
        TCSETS | TCSETSW | TCSETSF => {
            let raw: [u8; 36] = uaccess::get_user(a)?;
            // Output is written synchronously, so TCSETSW has nothing to drain.
            tty::set_termios(Termios::from_bytes(&raw), cmd == TCSETSF);
            Ok(0)
        }
        // tcdrain / tcsendbreak: output is already on the wire.
        TCSBRK => Ok(0),
        TCFLSH => match a {
            TCIFLUSH | TCIOFLUSH => {
                tty::flush_input();
                Ok(0)
            }
            TCOFLUSH => Ok(0), // nothing is queued for output
            _ => Err(Errno::EINVAL),
        },
        FIONREAD => {
            uaccess::put_user(a, tty::input_available() as i32)?;
            Ok(0)
        }
        TIOCOUTQ => {
            uaccess::put_user(a, 0i32)?;
            Ok(0)
        }
        TIOCGWINSZ => {
            uaccess::put_user(a, tty::winsize())?;
            Ok(0)
        }
        TIOCSWINSZ => {
            let ws: [u16; 4] = uaccess::get_user(a)?;
            tty::set_winsize(ws);
            Ok(0)
        }
        TIOCGPGRP => {
            uaccess::put_user(a, tty_jobctrl::tiocgpgrp()?)?;
            Ok(0)
        }
        TIOCSPGRP => {
            let pg: i32 = uaccess::get_user(a)?;
            tty_jobctrl::tiocspgrp(pg)?;
            Ok(0)
        }
        TIOCGSID => {
            uaccess::put_user(a, tty_jobctrl::tiocgsid()?)?;
            Ok(0)
        }
        TIOCSCTTY => tty_jobctrl::tiocsctty(a == 1).map(|_| 0),
        TIOCNOTTY => tty_jobctrl::tiocnotty().map(|_| 0),
        _ => Err(Errno::ENOTTY),
    }
}
