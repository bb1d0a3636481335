//! Names and attributes: access checks, renaming, hard links, modes, owners, times,
//! the umask, file system statistics and getrandom (Linux `fs/open.c` `do_faccessat`,
//! `chmod_common`, `chown_common`; `fs/namei.c` `do_renameat2`, `do_linkat`;
//! `fs/utimes.c`; `fs/statfs.c`; `kernel/sys.c` `umask`; `drivers/char/random.c`
//! `getrandom`).
//!
//! Linnet runs everything as root, so access checks are root's (Linux
//! `generic_permission` with CAP_DAC_OVERRIDE): reading and writing are always allowed,
//! executing needs an x bit somewhere unless it is a directory.

use super::arg;
use super::fs::user_path;
use crate::arch::TrapFrame;
use crate::errno::{Errno, KResult};
use crate::fs::file::FileKind;
use crate::fs::namei;
use crate::fs::ramfs::{Ino, RenameEnd, Stat, S_IFDIR, S_IFMT, UTIME_NOW, UTIME_OMIT};
use crate::fs::vfs::{self, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW};
use crate::mm::uaccess;
use crate::task::sched::current;

use uapi::fcntl::{AT_EACCESS, AT_SYMLINK_FOLLOW};

fn fd_arg(f: &TrapFrame, i: usize) -> i32 {
    arg(f, i) as i32
}

/// What a path (or, with AT_EMPTY_PATH and "", the dirfd) names: a ramfs inode, or a
/// /proc entry (its stat).
enum Target {
    Ram(Ino),
    Proc(Stat),
}

fn resolve(dirfd: i32, path: &[u8], flags: u32) -> KResult<Target> {
    if path.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        if dirfd == AT_FDCWD {
            return Ok(Target::Ram(current().inner.lock().fs.lock().cwd));
        }
        let file = vfs::fget(dirfd)?;
        return match file.ino {
            Some(ino) => Ok(Target::Ram(ino)),
            None => Ok(Target::Proc(vfs::fstat(&file)?)),
        };
    }
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    if let Some(p) = crate::fs::proc::lookup(dirfd, path, follow)? {
        return Ok(Target::Proc(crate::fs::proc::stat(p)));
    }
    vfs::lookup_at(dirfd, path, follow).map(Target::Ram)
}

fn do_faccessat(dirfd: i32, path: &[u8], mode: u32, flags: u32) -> KResult<usize> {
    if mode & !7 != 0 || flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let st = match resolve(dirfd, path, flags)? {
        Target::Ram(ino) => vfs::with_fs(|fs| fs.stat(ino))?,
        Target::Proc(st) => st,
    };
    if crate::fs::mode::root_may_access(st.st_mode, mode) {
        Ok(0)
    } else {
        Err(Errno::EACCES)
    }
}

/// faccessat(dirfd, path, mode): no flags argument.
pub fn sys_faccessat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    do_faccessat(fd_arg(f, 0), &path, arg(f, 2) as u32, 0)
}

/// faccessat2(dirfd, path, mode, flags).
pub fn sys_faccessat2(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    do_faccessat(fd_arg(f, 0), &path, arg(f, 2) as u32, arg(f, 3) as u32)
}

fn ram(t: Target) -> KResult<Ino> {
    match t {
        Target::Ram(ino) => Ok(ino),
        Target::Proc(_) => Err(Errno::EPERM), // /proc entries keep their attributes here
    }
}

fn fd_target(fd: i32) -> KResult<Ino> {
    let file = vfs::fget(fd)?;
    file.ino.ok_or(Errno::EPERM)
}

/// fchmod(fd, mode).
pub fn sys_fchmod(f: &mut TrapFrame) -> KResult<usize> {
    let ino = fd_target(fd_arg(f, 0))?;
    vfs::with_fs(|fs| fs.chmod(ino, arg(f, 1) as u32)).map(|_| 0)
}

/// fchmodat(dirfd, path, mode): follows a final symlink (the syscall has no flags).
pub fn sys_fchmodat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    let ino = ram(resolve(fd_arg(f, 0), &path, 0)?)?;
    vfs::with_fs(|fs| fs.chmod(ino, arg(f, 2) as u32)).map(|_| 0)
}

/// Linux `chown_common` + `notify_change`: -1 keeps an id; any chown of a
/// non-directory (even with both ids -1) clears set-user-ID, and set-group-ID when
/// group-executable (ATTR_KILL_SUID / ATTR_KILL_SGID).
fn do_chown(ino: Ino, uid: u32, gid: u32) -> KResult<usize> {
    vfs::with_fs(|fs| {
        let st = fs.stat(ino)?;
        let new_uid = if uid == u32::MAX { st.st_uid } else { uid };
        let new_gid = if gid == u32::MAX { st.st_gid } else { gid };
        fs.chown(ino, new_uid, new_gid)?;
        if st.st_mode & S_IFMT != S_IFDIR {
            let mut mode = st.st_mode & !0o4000;
            if mode & 0o2010 == 0o2010 {
                mode &= !0o2000;
            }
            if mode != st.st_mode {
                fs.chmod(ino, mode)?;
            }
        }
        Ok(0)
    })
}

/// fchown(fd, uid, gid).
pub fn sys_fchown(f: &mut TrapFrame) -> KResult<usize> {
    let ino = fd_target(fd_arg(f, 0))?;
    do_chown(ino, arg(f, 1) as u32, arg(f, 2) as u32)
}

/// fchownat(dirfd, path, uid, gid, flags): AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH.
pub fn sys_fchownat(f: &mut TrapFrame) -> KResult<usize> {
    let flags = arg(f, 4) as u32;
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = user_path(arg(f, 1))?;
    let ino = ram(resolve(fd_arg(f, 0), &path, flags)?)?;
    do_chown(ino, arg(f, 2) as u32, arg(f, 3) as u32)
}

/// utimensat(dirfd, path, times, flags) (Linux `do_utimes`): a NULL path means the
/// dirfd itself (then AT_SYMLINK_NOFOLLOW is EINVAL); NULL times means now; each
/// timespec may be UTIME_NOW or UTIME_OMIT.
pub fn sys_utimensat(f: &mut TrapFrame) -> KResult<usize> {
    let (dirfd, pathp, timesp, flags) = (
        fd_arg(f, 0),
        arg(f, 1),
        arg(f, 2) as usize,
        arg(f, 3) as u32,
    );
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let times = if timesp == 0 {
        None
    } else {
        let t: [i64; 4] = uaccess::get_user(timesp)?;
        let ok = |ns: i64| (0..1_000_000_000).contains(&ns) || ns == UTIME_NOW || ns == UTIME_OMIT;
        if !ok(t[1]) || !ok(t[3]) {
            return Err(Errno::EINVAL);
        }
        Some([(t[0], t[1]), (t[2], t[3])])
    };
    let ino = if pathp == 0 {
        if flags & AT_SYMLINK_NOFOLLOW != 0 {
            return Err(Errno::EINVAL);
        }
        if dirfd == AT_FDCWD {
            return Err(Errno::EFAULT);
        }
        fd_target(dirfd)?
    } else {
        let path = user_path(pathp)?;
        ram(resolve(dirfd, &path, flags)?)?
    };
    vfs::with_fs(|fs| fs.utimes(ino, times)).map(|_| 0)
}

/// One side of a rename or link: start directory and root for the lookup.
fn parent_of(dirfd: i32, path: &[u8]) -> KResult<(Ino, Ino)> {
    vfs::lookup_start(dirfd, path)
}

fn do_renameat2(f: &TrapFrame, flags: u32) -> KResult<usize> {
    let old = user_path(arg(f, 1))?;
    let new = user_path(arg(f, 3))?;
    if old.is_empty() || new.is_empty() {
        return Err(Errno::ENOENT);
    }
    let (os, or) = parent_of(fd_arg(f, 0), &old)?;
    let (ns, nr) = parent_of(fd_arg(f, 2), &new)?;
    vfs::with_fs(|fs| {
        let (od, oname) = namei::lookup_parent(fs, os, or, &old)?;
        let (nd, nname) = namei::lookup_parent(fs, ns, nr, &new)?;
        let o = RenameEnd {
            dir: od,
            name: &oname,
            slash: old.ends_with(b"/"),
        };
        let n = RenameEnd {
            dir: nd,
            name: &nname,
            slash: new.ends_with(b"/"),
        };
        fs.rename(o, n, flags).map(|_| 0)
    })
}

/// renameat(olddirfd, oldpath, newdirfd, newpath).
pub fn sys_renameat(f: &mut TrapFrame) -> KResult<usize> {
    do_renameat2(f, 0)
}

/// renameat2(olddirfd, oldpath, newdirfd, newpath, flags): RENAME_NOREPLACE,
/// RENAME_EXCHANGE.
pub fn sys_renameat2(f: &mut TrapFrame) -> KResult<usize> {
    do_renameat2(f, arg(f, 4) as u32)
}

/// linkat(olddirfd, oldpath, newdirfd, newpath, flags) (Linux `do_linkat`): a final
/// symlink is linked itself unless AT_SYMLINK_FOLLOW; AT_EMPTY_PATH links the dirfd's
/// file; a directory is EPERM.
pub fn sys_linkat(f: &mut TrapFrame) -> KResult<usize> {
    let flags = arg(f, 4) as u32;
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let old = user_path(arg(f, 1))?;
    let new = user_path(arg(f, 3))?;
    let target = if old.is_empty() && flags & AT_EMPTY_PATH != 0 {
        fd_target(fd_arg(f, 0))?
    } else {
        vfs::lookup_at(fd_arg(f, 0), &old, flags & AT_SYMLINK_FOLLOW != 0)?
    };
    if new.is_empty() {
        return Err(Errno::ENOENT);
    }
    let (ns, nr) = parent_of(fd_arg(f, 2), &new)?;
    vfs::with_fs(|fs| {
        let (nd, name) = namei::lookup_parent(fs, ns, nr, &new)?;
        if fs.lookup_child(nd, &name).is_ok() {
            return Err(Errno::EEXIST);
        }
        if fs.is_dir(target) {
            return Err(Errno::EPERM);
        }
        if new.ends_with(b"/") {
            return Err(Errno::ENOENT); // a trailing slash wants a directory, which links are not
        }
        if fs.stat(target)?.st_nlink == 0 {
            return Err(Errno::ENOENT); // linking an unlinked open file (Linux, without O_TMPFILE)
        }
        fs.link(nd, &name, target).map(|_| 0)
    })
}

/// mknodat(dirfd, path, mode, dev) (Linux `do_mknodat` / `may_mknod`): a regular
/// file, device node, FIFO or socket, less the umask; a directory type is EPERM, an
/// unknown type EINVAL. `dev` is decoded as Linux's `new_decode_dev`.
pub fn sys_mknodat(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 1))?;
    let mode = arg(f, 2) as u32;
    let dev = arg(f, 3) as u32;
    match mode & S_IFMT {
        0 | 0o100000 | 0o020000 | 0o060000 | 0o010000 | 0o140000 => {}
        S_IFDIR => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    }
    let (major, minor) = ((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
    let perm = crate::fs::mode::create_mode(mode, crate::fs::mode::S_IALLUGO, vfs::current_umask());
    let mode = (mode & S_IFMT) | perm;
    let (start, root) = vfs::lookup_start(fd_arg(f, 0), &path)?;
    vfs::with_fs(|fs| {
        let (dir, name) = namei::lookup_parent(fs, start, root, &path)?;
        fs.mknod(dir, &name, mode, major, minor).map(|_| 0)
    })
}

/// umask(mask): sets the process's umask, returns the old one.
pub fn sys_umask(f: &mut TrapFrame) -> KResult<usize> {
    let fs = current().inner.lock().fs.clone();
    let mut fs = fs.lock();
    let old = fs.umask;
    fs.umask = arg(f, 0) as u32 & 0o777;
    Ok(old as usize)
}

/// Magic numbers (Linux `include/uapi/linux/magic.h`).
const RAMFS_MAGIC: u64 = 0x8584_58f6;
const PROC_SUPER_MAGIC: u64 = 0x9fa0;
/// statfs f_flags: ST_VALID (the flags are meaningful), ST_RELATIME; /proc adds
/// ST_NOSUID, ST_NODEV, ST_NOEXEC as Linux mounts it.
const ST_VALID: u64 = 0x20;
const ST_RELATIME: u64 = 0x1000;
const ST_PROC: u64 = 0x2 | 0x4 | 0x8;

/// `struct statfs` (asm-generic, 64-bit: 120 bytes) for the ramfs or /proc. Linux's
/// ramfs reports zero blocks (`simple_statfs`); Linnet reports its RAM, as tmpfs does
/// with its size limit, so `df` shows something plausible: blocks = RAM pages, free =
/// free pages; files = inodes in use plus free pages.
fn statfs_bytes(proc: bool) -> KResult<[u8; 120]> {
    let mut w = [0u64; 15];
    if proc {
        w[0] = PROC_SUPER_MAGIC;
        w[1] = 4096;
        w[8] = 255;
        w[9] = 4096;
        w[10] = ST_VALID | ST_RELATIME | ST_PROC;
    } else {
        let (inodes, _) = vfs::with_fs(|fs| Ok(fs.usage()))?;
        let total = crate::mm::page_alloc::nr_total_pages() as u64;
        let free = crate::mm::page_alloc::nr_free_pages() as u64;
        w[0] = RAMFS_MAGIC;
        w[1] = 4096; // f_bsize
        w[2] = total; // f_blocks
        w[3] = free; // f_bfree
        w[4] = free; // f_bavail
        w[5] = inodes + free; // f_files
        w[6] = free; // f_ffree
        w[8] = 255; // f_namelen
        w[9] = 4096; // f_frsize
        w[10] = ST_VALID | ST_RELATIME;
    }
    let mut out = [0u8; 120];
    for (i, v) in w.iter().enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// statfs(path, buf).
pub fn sys_statfs(f: &mut TrapFrame) -> KResult<usize> {
    let path = user_path(arg(f, 0))?;
    let proc = match resolve(AT_FDCWD, &path, 0)? {
        Target::Proc(_) => true,
        Target::Ram(ino) => crate::fs::proc::is_root(ino),
    };
    uaccess::copy_to_user(arg(f, 1) as usize, &statfs_bytes(proc)?)?;
    Ok(0)
}

/// fstatfs(fd, buf): pipes report the pipefs magic.
pub fn sys_fstatfs(f: &mut TrapFrame) -> KResult<usize> {
    let file = vfs::fget(fd_arg(f, 0))?;
    let proc = match file.kind {
        FileKind::Generated(_) | FileKind::ProcDir(_) => true,
        FileKind::Dir(ino) => crate::fs::proc::is_root(ino),
        _ => false,
    };
    let mut b = statfs_bytes(proc)?;
    if matches!(file.kind, FileKind::PipeRead(_) | FileKind::PipeWrite(_)) {
        const PIPEFS_MAGIC: u64 = 0x5049_5045;
        b = [0; 120];
        b[0..8].copy_from_slice(&PIPEFS_MAGIC.to_le_bytes());
        b[8..16].copy_from_slice(&4096u64.to_le_bytes());
        b[64..72].copy_from_slice(&255u64.to_le_bytes());
        b[72..80].copy_from_slice(&4096u64.to_le_bytes());
        b[80..88].copy_from_slice(&ST_VALID.to_le_bytes());
    }
    uaccess::copy_to_user(arg(f, 1) as usize, &b)?;
    Ok(0)
}

/// getrandom flags (Linux `include/uapi/linux/random.h`).
const GRND_NONBLOCK: u32 = 1;
const GRND_RANDOM: u32 = 2;
const GRND_INSECURE: u32 = 4;

/// getrandom(buf, count, flags) (Linux `SYSCALL_DEFINE3(getrandom)`): EINVAL for
/// unknown flags or INSECURE with RANDOM; never blocks (the pool is always ready here);
/// up to MAX_RW_COUNT bytes, fewer if a signal arrives or the buffer faults part-way.
pub fn sys_getrandom(f: &mut TrapFrame) -> KResult<usize> {
    let (buf, count, flags) = (arg(f, 0) as usize, arg(f, 1) as usize, arg(f, 2) as u32);
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_INSECURE | GRND_RANDOM) == GRND_INSECURE | GRND_RANDOM
    {
        return Err(Errno::EINVAL);
    }
    let count = count.min(crate::fs::iov::MAX_RW_COUNT);
    let mut done = 0;
    let mut block = [0u8; 256];
    while done < count {
        let n = block.len().min(count - done);
        crate::random::get_random_bytes(&mut block[..n]);
        if uaccess::copy_to_user(buf + done, &block[..n]).is_err() {
            return if done > 0 {
                Ok(done)
            } else {
                Err(Errno::EFAULT)
            };
        }
        done += n;
        if done < count && done % (64 << 10) == 0 && crate::task::signal::signal_pending_current() {
            break;
        }
    }
    Ok(done)
}
