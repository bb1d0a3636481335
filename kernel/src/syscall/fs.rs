//! File syscalls (Linux `fs/open.c`, `fs/read_write.c`, `fs/stat.c`, `fs/readdir.c`,
//! `fs/fcntl.c`, `fs/file.c`, `fs/pipe.c`, `fs/d_path.c`, `fs/namei.c`, `fs/exec.c`).
//!
//! Each takes descriptors and user pointers, checks them (EBADF, EFAULT, ...), and calls
//! `fs::vfs`. Paths go through `strncpy_from_user` (at most PATH_MAX bytes) and are
//! resolved from `dirfd`, where `AT_FDCWD` means the current working directory.

use super::arg;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::exec::{self, bprm::ArgSource};
use crate::fs::file::{oflags::*, File, FileKind};
use crate::fs::namei::{self, LookupFlags, PATH_MAX};
use crate::fs::pipe::Pipe;
use crate::fs::vfs::{self, AT_FDCWD};
use crate::mm::uaccess;
use crate::task::sched::current;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

/// Largest single read or write (Linux `MAX_RW_COUNT`, about 2 GiB); Linnet also bounds
/// the kernel buffer it allocates to 1 MiB per call.
const RW_CHUNK: usize = 1 << 20;

/// A path argument, as bytes (Linux `getname`): at most `PATH_MAX - 1` bytes before the
/// NUL, else ENAMETOOLONG; EFAULT for a bad pointer.
pub(super) fn user_path(addr: u64) -> KResult<Vec<u8>> {
    uaccess::strncpy_from_user(addr as usize, PATH_MAX - 1)
}

fn fd_arg(f: &TrapFrame, i: usize) -> i32 {
    arg(f, i) as i32
}

/// read(fd, buf, count).
pub fn sys_read(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let (buf, count) = (arg(f, 1) as usize, (arg(f, 2) as usize).min(RW_CHUNK));
    if !uaccess::access_ok(buf, count) {
        return Err(Errno::EFAULT);
    }
    // A buffer that runs into a page it cannot store to gets what fits (Linux's short
    // count), so the file gives up only that much. When nothing fits, read as asked:
    // the copy says EFAULT, unless there was no data (Linux returns 0 at EOF).
    let fits = uaccess::user_prefix(buf, count, true);
    let mut kbuf = vec![0u8; if fits == 0 { count } else { fits }];
    let n = vfs::read(&file, &mut kbuf)?;
    uaccess::copy_to_user(buf, &kbuf[..n])?;
    Ok(n)
}

/// write(fd, buf, count).
pub fn sys_write(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let (buf, count) = (arg(f, 1) as usize, (arg(f, 2) as usize).min(RW_CHUNK));
    let mut kbuf = vec![0u8; count];
    let n = uaccess::copy_from_user_prefix(&mut kbuf, buf)?; // what fits: a short write
    vfs::write(&file, &kbuf[..n])
}

/// openat(dirfd, path, flags, mode).
pub fn sys_openat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    let flags = arg(f, 2) as u32;
    let file = vfs::do_open(fd_arg(f, 0), &path, flags, arg(f, 3) as u32)?;
    install(file, flags & O_CLOEXEC != 0, 0)
}

fn install(file: Arc<File>, cloexec: bool, min: usize) -> KResult<usize> {
    let files = current().inner.lock().files.clone();
    let fd = files
        .lock()
        .install(min, file, cloexec)
        .ok_or(Errno::EMFILE);
    fd
}

/// close(fd).
pub fn sys_close(f: &mut TrapFrame) -> KResult<usize> {
    let fd = usize::try_from(fd_arg(f, 0)).map_err(|_| Errno::EBADF)?;
    let files = current().inner.lock().files.clone();
    let (entry, owner) = {
        let mut t = files.lock();
        let owner = t.lock_owner();
        (t.remove(fd).ok_or(Errno::EBADF)?, owner)
    };
    // Closing any descriptor of a file drops the process's record locks on it (Linux
    // `filp_close` -> `locks_remove_posix`).
    if let Some(ino) = entry.file.ino {
        crate::fs::locks::remove_owner(ino, owner);
    }
    drop(entry); // the file closes here if this was its last descriptor
    Ok(0)
}

/// lseek(fd, offset, whence).
pub fn sys_lseek(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    vfs::lseek(&file, arg(f, 1) as i64, arg(f, 2) as u32).map(|p| p as usize)
}

/// fstat(fd, statbuf).
pub fn sys_fstat(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let st = vfs::fstat(&file)?;
    uaccess::copy_to_user(arg(f, 1) as usize, &st.to_bytes())?;
    Ok(0)
}

/// newfstatat(dirfd, path, statbuf, flags).
pub fn sys_newfstatat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    let st = vfs::stat_at(fd_arg(f, 0), &path, arg(f, 3) as u32)?;
    uaccess::copy_to_user(arg(f, 2) as usize, &st.to_bytes())?;
    Ok(0)
}

/// getdents64(fd, dirp, count).
pub fn sys_getdents64(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let count = (arg(f, 2) as usize).min(RW_CHUNK);
    let mut kbuf = vec![0u8; count];
    let n = vfs::getdents64(&file, &mut kbuf)?;
    uaccess::copy_to_user(arg(f, 1) as usize, &kbuf[..n])?;
    Ok(n)
}

/// dup(fd): the lowest free descriptor, same open file.
pub fn sys_dup(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    install(file, false, 0)
}

/// dup3(old, new, flags): EINVAL if old == new (dup2's special case is libc's).
pub fn sys_dup3(f: &mut TrapFrame) -> KResult<usize> {
    let (old, new, flags) = (fd_arg(f, 0), fd_arg(f, 1), arg(f, 2) as u32);
    if flags & !O_CLOEXEC != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    let file = vfs::fget(old)?;
    let new = usize::try_from(new).map_err(|_| Errno::EBADF)?;
    let files = current().inner.lock().files.clone();
    let (replaced, owner) = {
        let mut t = files.lock();
        let owner = t.lock_owner();
        let r = t
            .install_at(new, file, flags & O_CLOEXEC != 0)
            .ok_or(Errno::EBADF)?;
        (r, owner)
    };
    if let Some(ino) = replaced.as_ref().and_then(|e| e.file.ino) {
        crate::fs::locks::remove_owner(ino, owner);
    }
    drop(replaced);
    Ok(new)
}

use uapi::fcntl::{
    AT_REMOVEDIR, FD_CLOEXEC, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_GETLK, F_OFD_GETLK,
    F_OFD_SETLK, F_OFD_SETLKW, F_SETFD, F_SETFL, F_SETLK, F_SETLKW,
};

/// fcntl(fd, cmd, arg).
pub fn sys_fcntl(f: &mut TrapFrame) -> KResult<usize> {
    let fd = fd_arg(f, 0);
    let (cmd, a) = (arg(f, 1) as u32, arg(f, 2) as usize);
    let file = vfs::fget(fd)?;
    let files = current().inner.lock().files.clone();
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            if a >= crate::fs::file::nofile_limit() {
                return Err(Errno::EINVAL);
            }
            install(file, cmd == F_DUPFD_CLOEXEC, a)
        }
        F_GETFD => Ok(files
            .lock()
            .entry_mut(fd as usize)
            .map(|e| e.cloexec as usize)
            .unwrap_or(0)),
        F_SETFD => {
            if let Some(e) = files.lock().entry_mut(fd as usize) {
                e.cloexec = a & FD_CLOEXEC != 0;
            }
            Ok(0)
        }
        F_GETFL => Ok(*file.flags.lock() as usize),
        F_SETFL => {
            let mut fl = file.flags.lock();
            *fl = (*fl & !(O_APPEND | O_NONBLOCK)) | (a as u32 & (O_APPEND | O_NONBLOCK));
            Ok(0)
        }
        F_GETLK | F_SETLK | F_SETLKW | F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW => {
            let owner = files.lock().lock_owner();
            super::fs_lock::fcntl_lock(&file, cmd, a, owner)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// ioctl(fd, request, arg): the generic file requests (FIONBIO, FIONREAD, FIOCLEX,
/// FIONCLEX) and the terminal's (`fs_ioctl.rs`); ENOTTY for the rest.
pub fn sys_ioctl(f: &mut TrapFrame) -> KResult<usize> {
    let fd = fd_arg(f, 0);
    let file = vfs::fget(fd)?;
    super::fs_ioctl::do_ioctl(fd, &file, arg(f, 1) as u32, arg(f, 2) as usize)
}

/// chdir(path).
pub fn sys_chdir(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 0))?;
    let (start, root) = vfs::lookup_start(AT_FDCWD, &path)?;
    let ino = vfs::with_fs(|fs| {
        namei::lookup(
            fs,
            start,
            root,
            &path,
            LookupFlags {
                follow_last_symlink: true,
                want_dir: true,
            },
        )
    })?;
    current().inner.lock().fs.lock().cwd = ino;
    Ok(0)
}

/// fchdir(fd).
pub fn sys_fchdir(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let FileKind::Dir(ino) = file.kind else {
        return Err(Errno::ENOTDIR);
    };
    current().inner.lock().fs.lock().cwd = ino;
    Ok(0)
}

/// getcwd(buf, size): ERANGE if it does not fit; returns the length with the NUL.
pub fn sys_getcwd(f: &mut TrapFrame) -> KResult<usize> {
    let cwd = current().inner.lock().fs.lock().cwd;
    let mut path = vfs::path_of(cwd)?;
    path.push(0);
    if path.len() > arg(f, 1) as usize {
        return Err(Errno::ERANGE);
    }
    uaccess::copy_to_user(arg(f, 0) as usize, &path)?;
    Ok(path.len())
}

/// pipe2(fds, flags).
pub fn sys_pipe2(f: &mut TrapFrame) -> KResult<usize> {
    let flags = arg(f, 1) as u32;
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let pipe = Arc::new(Pipe::new());
    let nb = flags & O_NONBLOCK;
    let r = File::new(
        FileKind::PipeRead(pipe.clone()),
        O_RDONLY | nb,
        None,
        alloc::string::String::from("pipe:[r]"),
    );
    let w = File::new(
        FileKind::PipeWrite(pipe),
        O_WRONLY | nb,
        None,
        alloc::string::String::from("pipe:[w]"),
    );
    let cloexec = flags & O_CLOEXEC != 0;
    let files = current().inner.lock().files.clone();
    let (rfd, wfd) = {
        let mut t = files.lock();
        let rfd = t.install(0, r, cloexec).ok_or(Errno::EMFILE)?;
        match t.install(0, w, cloexec) {
            Some(wfd) => (rfd, wfd),
            None => {
                let _ = t.remove(rfd);
                return Err(Errno::EMFILE);
            }
        }
    };
    if let Err(e) = uaccess::put_user(arg(f, 0) as usize, [rfd as i32, wfd as i32]) {
        let mut t = files.lock();
        let _ = (t.remove(rfd), t.remove(wfd));
        return Err(e);
    }
    Ok(0)
}

/// mkdirat(dirfd, path, mode).
pub fn sys_mkdirat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    let (start, root) = vfs::lookup_start(fd_arg(f, 0), &path)?;
    // Linux `vfs_mkdir`: permission bits and the sticky bit, less the umask.
    let mode = crate::fs::mode::create_mode(
        arg(f, 2) as u32,
        crate::fs::mode::MKDIR_BITS,
        vfs::current_umask(),
    );
    vfs::with_fs(|fs| {
        let (dir, name) = namei::lookup_parent(fs, start, root, &path)?;
        fs.mkdir(dir, &name, mode).map(|_| 0)
    })
}

/// symlinkat(target, newdirfd, linkpath): a symlink whose body is `target`, taken as
/// written (Linux `do_symlinkat`; the target need not exist).
pub fn sys_symlinkat(f: &mut TrapFrame) -> KResult<usize> {
    let target = user_path(arg(f, 0))?;
    let path = user_path(arg(f, 2))?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let (start, root) = vfs::lookup_start(fd_arg(f, 1), &path)?;
    vfs::with_fs(|fs| {
        let (dir, name) = namei::lookup_parent(fs, start, root, &path)?;
        fs.symlink(dir, &name, &target).map(|_| 0)
    })
}

/// unlinkat(dirfd, path, flags): AT_REMOVEDIR (0x200) removes a directory.
pub fn sys_unlinkat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    let (start, root) = vfs::lookup_start(fd_arg(f, 0), &path)?;
    let rmdir = arg(f, 2) & AT_REMOVEDIR as u64 != 0;
    vfs::with_fs(|fs| {
        let (dir, name) = namei::lookup_parent(fs, start, root, &path)?;
        if rmdir {
            fs.rmdir(dir, &name)
        } else {
            fs.unlink(dir, &name)
        }
        .map(|_| 0)
    })
}

/// readlinkat(dirfd, path, buf, size): the link text, not NUL-terminated, truncated.
pub fn sys_readlinkat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    let text = match crate::fs::proc::lookup(fd_arg(f, 0), &path, false)? {
        Some(p) => crate::fs::proc::readlink(p)?.into_bytes(), // /proc/self, /proc/PID/exe
        None => {
            let ino = vfs::lookup_at(fd_arg(f, 0), &path, false)?;
            vfs::with_fs(|fs| fs.readlink(ino).map(<[u8]>::to_vec))?
        }
    };
    let n = text.len().min(arg(f, 3) as usize);
    uaccess::copy_to_user(arg(f, 2) as usize, &text[..n])?;
    Ok(n)
}

/// execve(path, argv, envp): on success it does not return to the old program; the
/// saved registers start the new one (x0 = 0).
pub fn sys_execve(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 0))?;
    *f = exec::do_execve(
        &path,
        ArgSource::User(arg(f, 1) as usize),
        ArgSource::User(arg(f, 2) as usize),
    )?;
    Ok(0)
}

/// execveat(dirfd, path, argv, envp, flags): AT_FDCWD, a dirfd, AT_EMPTY_PATH.
pub fn sys_execveat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    *f = exec::do_execveat_common(
        fd_arg(f, 0),
        &path,
        ArgSource::User(arg(f, 2) as usize),
        ArgSource::User(arg(f, 3) as usize),
        arg(f, 4) as u32,
    )?;
    Ok(0)
}
