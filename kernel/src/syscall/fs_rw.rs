//! Positional, vectored and in-kernel-copy I/O, truncation and syncing (Linux
//! `fs/read_write.c`: `ksys_pread64`, `do_readv`, `do_preadv`, `do_sendfile`;
//! `fs/open.c`: `do_sys_truncate`, `do_sys_ftruncate`; `fs/sync.c`).
//!
//! Vectored calls gather the user segments into one kernel buffer and make one
//! `vfs` call (a pipe or the tty sees one read or write, as Linux's iov_iter gives
//! it), then scatter the result. As for `read` and `write`, a segment that runs into a
//! page the copy cannot reach ends the transfer there: the short count (EFAULT only if
//! nothing moved), and a read takes from the file or pipe only what the segments can
//! hold up to that page (`writable_prefix`), so no data is lost. Linnet bounds each call at 1 MiB of kernel buffer (a
//! short transfer, which callers must handle anyway).

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::fs::file::{oflags::*, File, FileKind};
use crate::fs::iov::{self, IoVec};
use crate::fs::vfs;
use crate::mm::uaccess;
use alloc::vec;
use alloc::vec::Vec;

/// Kernel buffer bound per call.
const RW_CHUNK: usize = 1 << 20;

fn fd_arg(f: &TrapFrame, i: usize) -> i32 {
    arg(f, i) as i32
}

/// Reads and checks the iovec array (Linux `import_iovec`).
fn import_iovec(addr: usize, cnt: usize) -> KResult<Vec<IoVec>> {
    iov::check_count(cnt)?;
    let mut raw = vec![0u8; cnt * 16];
    uaccess::copy_from_user(&mut raw, addr)?;
    let v = iov::parse(&raw, RW_CHUNK)?;
    if v.iter().any(|s| !uaccess::access_ok(s.base, s.len)) {
        return Err(Errno::EFAULT);
    }
    Ok(v)
}

/// How many bytes the segments can take, in order, before the first page a copy out
/// would fault on (`uaccess::user_prefix` over each): what a vectored read may consume.
fn writable_prefix(v: &[IoVec]) -> usize {
    let mut n = 0;
    for s in v {
        let fits = uaccess::user_prefix(s.base, s.len, true);
        n += fits;
        if fits < s.len {
            break;
        }
    }
    n
}

/// The kernel buffer for a vectored read: what fits (`writable_prefix`), or, when
/// nothing does, the whole request, so the copy out says EFAULT (or 0 at EOF), as
/// `read` does.
fn read_buffer(v: &[IoVec]) -> Vec<u8> {
    let fits = writable_prefix(v);
    vec![0u8; if fits == 0 { iov::total(v) } else { fits }]
}

/// Copy `data` out over the segments; the count copied, or EFAULT if none.
fn scatter(v: &[IoVec], data: &[u8]) -> KResult<usize> {
    let mut done = 0;
    for s in v {
        if done == data.len() {
            break;
        }
        let n = s.len.min(data.len() - done);
        if uaccess::copy_to_user(s.base, &data[done..done + n]).is_err() {
            return if done > 0 {
                Ok(done)
            } else {
                Err(Errno::EFAULT)
            };
        }
        done += n;
    }
    Ok(done)
}

/// Gather the segments into one buffer, up to the first byte a copy cannot load (part
/// of a segment counts); EFAULT if not even the first byte could be.
fn gather(v: &[IoVec]) -> KResult<Vec<u8>> {
    let mut buf = vec![0u8; iov::total(v)];
    let mut done = 0;
    for s in v.iter().filter(|s| s.len > 0) {
        let n = match uaccess::copy_from_user_prefix(&mut buf[done..done + s.len], s.base) {
            Ok(n) => n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => 0,
        };
        done += n;
        if n < s.len {
            break;
        }
    }
    buf.truncate(done);
    Ok(buf)
}

/// A positional offset argument: negative is EINVAL (Linux `ksys_pread64`).
fn pos_arg(v: u64) -> KResult<u64> {
    if (v as i64) < 0 {
        Err(Errno::EINVAL)
    } else {
        Ok(v)
    }
}

/// readv(fd, iov, iovcnt).
pub fn sys_readv(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let v = import_iovec(arg(f, 1) as usize, arg(f, 2) as usize)?;
    let mut buf = read_buffer(&v);
    let n = vfs::read(&file, &mut buf)?;
    scatter(&v, &buf[..n])
}

/// writev(fd, iov, iovcnt).
pub fn sys_writev(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let v = import_iovec(arg(f, 1) as usize, arg(f, 2) as usize)?;
    let buf = gather(&v)?;
    vfs::write(&file, &buf)
}

/// pread64(fd, buf, count, offset).
pub fn sys_pread64(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let off = pos_arg(arg(f, 3))?;
    let (buf, count) = (arg(f, 1) as usize, (arg(f, 2) as usize).min(RW_CHUNK));
    if !uaccess::access_ok(buf, count) {
        return Err(Errno::EFAULT);
    }
    let fits = uaccess::user_prefix(buf, count, true); // what fits, as read does
    let mut kbuf = vec![0u8; if fits == 0 { count } else { fits }];
    let n = vfs::pread(&file, &mut kbuf, off)?;
    uaccess::copy_to_user(buf, &kbuf[..n])?;
    Ok(n)
}

/// pwrite64(fd, buf, count, offset).
pub fn sys_pwrite64(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let off = pos_arg(arg(f, 3))?;
    let (buf, count) = (arg(f, 1) as usize, (arg(f, 2) as usize).min(RW_CHUNK));
    let mut kbuf = vec![0u8; count];
    let n = uaccess::copy_from_user_prefix(&mut kbuf, buf)?; // what fits, as write does
    vfs::pwrite(&file, &kbuf[..n], off)
}

/// preadv(fd, iov, iovcnt, pos_l, pos_h): on 64-bit the offset is `pos_l`.
pub fn sys_preadv(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let off = pos_arg(arg(f, 3))?;
    let v = import_iovec(arg(f, 1) as usize, arg(f, 2) as usize)?;
    let mut buf = read_buffer(&v);
    let n = vfs::pread(&file, &mut buf, off)?;
    scatter(&v, &buf[..n])
}

/// pwritev(fd, iov, iovcnt, pos_l, pos_h).
pub fn sys_pwritev(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let off = pos_arg(arg(f, 3))?;
    let v = import_iovec(arg(f, 1) as usize, arg(f, 2) as usize)?;
    let buf = gather(&v)?;
    vfs::pwrite(&file, &buf, off)
}

/// sendfile(out_fd, in_fd, offset, count) (Linux `do_sendfile`): copies in the kernel
/// from `in_fd` (at `*offset`, which is updated, or at and advancing its file offset)
/// to `out_fd`. EINVAL if `out_fd` has O_APPEND; EBADF for the wrong access modes.
pub fn sys_sendfile(f: &mut TrapFrame) -> KResult<usize> {
    let out = vfs::fget(fd_arg(f, 0))?;
    let inp = vfs::fget(fd_arg(f, 1))?;
    if !inp.readable() || !out.writable() {
        return Err(Errno::EBADF);
    }
    if *out.flags.lock() & O_APPEND != 0 {
        return Err(Errno::EINVAL);
    }
    let offp = arg(f, 2) as usize;
    let mut off = if offp != 0 {
        Some(pos_arg(uaccess::get_user::<u64>(offp)?)?)
    } else {
        None
    };
    let count = (arg(f, 3) as usize).min(iov::MAX_RW_COUNT);
    let mut buf = vec![0u8; count.min(64 << 10)];
    let mut done = 0;
    while done < count {
        let want = buf.len().min(count - done);
        let r = match off {
            Some(o) => vfs::pread(&inp, &mut buf[..want], o),
            None => vfs::read(&inp, &mut buf[..want]),
        };
        let n = match r {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        let w = match vfs::write(&out, &buf[..n]) {
            Ok(w) => w,
            Err(e) if done == 0 => return Err(e),
            Err(_) => 0,
        };
        done += w;
        if let Some(o) = off.as_mut() {
            *o += w as u64;
        } else if w < n {
            // Give back what was read but not written (Linux never reads ahead of the
            // write side; this keeps the file offset where the copy stopped).
            let _ = vfs::lseek(&inp, -((n - w) as i64), vfs::SEEK_CUR);
        }
        if w < n || n < want {
            break;
        }
    }
    if let Some(o) = off {
        uaccess::put_user(offp, o)?;
    }
    Ok(done)
}

fn do_truncate(ino: crate::fs::ramfs::Ino, len: u64) -> KResult<usize> {
    if (len as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    vfs::truncate(ino, len).map(|_| 0)
}

/// truncate(path, length): EISDIR for a directory, EINVAL for other non-files.
pub fn sys_truncate(f: &mut TrapFrame) -> KResult<usize> {
    let path = super::fs::user_path(arg(f, 0))?;
    let ino = vfs::lookup_at(vfs::AT_FDCWD, &path, true)?;
    do_truncate(ino, arg(f, 1))
}

/// ftruncate(fd, length): the file must be open for writing and regular (EINVAL).
pub fn sys_ftruncate(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    match file.kind {
        FileKind::Regular(ino) if file.writable() => do_truncate(ino, arg(f, 1)),
        _ => Err(Errno::EINVAL),
    }
}

/// Can this file be synced? Linux: files whose `f_op` has `fsync` (ramfs files and
/// directories: `noop_fsync`); pipes, the tty and the memory devices have none (EINVAL).
fn has_fsync(file: &File) -> bool {
    matches!(file.kind, FileKind::Regular(_) | FileKind::Dir(_))
}

/// fsync(fd): ramfs has no backing store, so a syncable file is always in sync.
pub fn sys_fsync(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    if has_fsync(&file) {
        Ok(0)
    } else {
        Err(Errno::EINVAL)
    }
}

/// fdatasync(fd): as fsync.
pub fn sys_fdatasync(f: &mut TrapFrame) -> KResult<usize> {
    sys_fsync(f)
}

/// sync(): nothing is dirty in a ramfs; always succeeds, as on Linux.
pub fn sys_sync(_f: &mut TrapFrame) -> KResult<usize> {
    Ok(0)
}
