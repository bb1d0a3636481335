//! fcntl record locks: F_GETLK, F_SETLK, F_SETLKW and their open-file-description
//! forms F_OFD_* (Linux `fs/locks.c` `fcntl_getlk` / `fcntl_setlk`). The rules and the
//! lock table are in `fs/locks.rs`; this decodes `struct flock` and checks the file.

use crate::errno::{Errno, KResult};
use crate::fs::file::File;
use crate::fs::locks::{self, Owner, F_RDLCK, F_UNLCK, F_WRLCK, OFFSET_MAX};
use crate::fs::vfs;
use crate::mm::uaccess;

/// `struct flock` on arm64: l_type, l_whence (i16), l_start, l_len (i64), l_pid (i32),
/// 32 bytes with padding.
struct Flock {
    l_type: i16,
    l_whence: i16,
    l_start: i64,
    l_len: i64,
    l_pid: i32,
}

fn read_flock(a: usize) -> KResult<Flock> {
    let b: [u8; 32] = uaccess::get_user(a)?;
    let i16_at = |o: usize| i16::from_le_bytes([b[o], b[o + 1]]);
    let i64_at = |o: usize| i64::from_le_bytes(b[o..o + 8].try_into().unwrap_or([0; 8]));
    Ok(Flock {
        l_type: i16_at(0),
        l_whence: i16_at(2),
        l_start: i64_at(8),
        l_len: i64_at(16),
        l_pid: i32::from_le_bytes([b[24], b[25], b[26], b[27]]),
    })
}

fn write_flock(a: usize, fl: &Flock) -> KResult<()> {
    let mut b = [0u8; 32];
    b[0..2].copy_from_slice(&fl.l_type.to_le_bytes());
    b[2..4].copy_from_slice(&fl.l_whence.to_le_bytes());
    b[8..16].copy_from_slice(&fl.l_start.to_le_bytes());
    b[16..24].copy_from_slice(&fl.l_len.to_le_bytes());
    b[24..28].copy_from_slice(&fl.l_pid.to_le_bytes());
    uaccess::copy_to_user(a, &b)
}

/// One locking fcntl. `posix_owner` is the caller's descriptor table.
pub fn fcntl_lock(
    file: &alloc::sync::Arc<File>,
    cmd: u32,
    a: usize,
    posix_owner: Owner,
) -> KResult<usize> {
    let ofd = cmd >= 36;
    let mut fl = read_flock(a)?;
    if ofd && fl.l_pid != 0 {
        return Err(Errno::EINVAL); // Linux: OFD requests must pass l_pid 0
    }
    let Some(ino) = file.ino else {
        return Err(Errno::EINVAL); // pipes have no inode in Linnet's ramfs
    };
    let size = vfs::with_fs(|fs| Ok(fs.stat(ino)?.st_size as u64))?;
    let pos = *file.pos.lock();
    let (start, end) = locks::flock_range(fl.l_whence, fl.l_start, fl.l_len, pos, size)?;
    let owner = if ofd {
        Owner::Ofd(alloc::sync::Arc::as_ptr(file) as usize)
    } else {
        posix_owner
    };
    let write = match fl.l_type {
        F_RDLCK => false,
        F_WRLCK => true,
        F_UNLCK if cmd != 5 && cmd != 36 => false,
        _ => return Err(Errno::EINVAL),
    };
    match cmd {
        5 | 36 => {
            // F_GETLK / F_OFD_GETLK
            match locks::getlk(ino, owner, start, end, write) {
                None => fl.l_type = F_UNLCK,
                Some(c) => {
                    fl.l_type = if c.write { F_WRLCK } else { F_RDLCK };
                    fl.l_whence = 0;
                    fl.l_start = c.start as i64;
                    fl.l_len = if c.end == OFFSET_MAX {
                        0
                    } else {
                        (c.end - c.start + 1) as i64
                    };
                    fl.l_pid = c.pid;
                }
            }
            write_flock(a, &fl)?;
            Ok(0)
        }
        _ => {
            let kind = match fl.l_type {
                F_UNLCK => None,
                _ => {
                    // A lock needs the matching access mode (Linux `check_fmode_for_setlk`).
                    if (write && !file.writable()) || (!write && !file.readable()) {
                        return Err(Errno::EBADF);
                    }
                    Some(write)
                }
            };
            let pid = if ofd {
                -1
            } else {
                crate::task::sched::current().tgid()
            };
            let wait = cmd == 7 || cmd == 38;
            locks::setlk(ino, owner, pid, start, end, kind, wait).map(|_| 0)
        }
    }
}
