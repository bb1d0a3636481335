//! The file layer between the syscalls and the ramfs (Linux `fs/open.c` `do_sys_open`,
//! `fs/read_write.c` `vfs_read` / `vfs_write` / `vfs_llseek`, `fs/readdir.c`
//! `getdents64`, `fs/stat.c`, `fs/exec.c` `open_exec`), and the root file system itself.
//!
//! There is one file system, the ramfs the initramfs is unpacked into, behind one lock.
//! A path is resolved from the process's cwd (AT_FDCWD), from a directory descriptor, or
//! from the root when it starts with `/`: `namei.rs` does the walk.
//! Lock order: a task's `files` lock before `ROOTFS`; `ROOTFS` is never held while
//! sleeping.

use super::file::{oflags::*, File, FileKind};
use super::namei::{self, LookupFlags};
use super::ramfs::{FileType, Ino, RamFs, Stat, S_IFCHR, S_IFMT};
use super::tty;
use crate::errno::{Errno, KResult};
use crate::mm::vma::VmFile;
use crate::task::sched::current;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Mutex;

pub use uapi::fcntl::{AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW};

/// The root file system (Linux's rootfs, a ramfs).
pub static ROOTFS: Mutex<Option<RamFs>> = Mutex::new(None);

/// Run `f` with the root file system.
pub fn with_fs<T>(f: impl FnOnce(&mut RamFs) -> KResult<T>) -> KResult<T> {
    let mut guard = ROOTFS.lock();
    let fs = guard.as_mut().ok_or(Errno::ENOENT)?;
    f(fs)
}

/// Build the root file system from the initramfs (Linux `populate_rootfs`), and make
/// sure `/dev/console` exists (Linux `console_on_rootfs` needs it).
pub fn mount_root(archive: &[u8]) -> Result<super::initramfs::UnpackStats, super::cpio::CpioError> {
    let mut fs = RamFs::new();
    fs.set_clock(|| super::ramfs::Timespec::from_ns(crate::time::ktime_get_real_ns()));
    let stats = super::initramfs::unpack_to_rootfs(&mut fs, archive)?;
    let root = fs.root();
    let dev = match fs.lookup_child(root, b"dev") {
        Ok(d) => Some(d),
        Err(_) => fs.mkdir(root, b"dev", 0o755).ok(),
    };
    if let Some(dev) = dev {
        if fs.lookup_child(dev, b"console").is_err() {
            let _ = fs.mknod(dev, b"console", S_IFCHR | 0o600, 5, 1);
        }
    }
    *ROOTFS.lock() = Some(fs);
    Ok(stats)
}

/// The root inode.
pub fn root_ino() -> Ino {
    ROOTFS.lock().as_ref().map(|f| f.root()).unwrap_or(Ino(1))
}

/// Drop a file's hold on its inode (Linux `iput`).
pub fn iput(ino: Ino) {
    if let Some(fs) = ROOTFS.lock().as_mut() {
        fs.iput(ino);
    }
}

/// Where a lookup of `path` relative to `dirfd` starts, and the process root (Linux
/// `path_init`): AT_FDCWD means the cwd; another dirfd must be an open directory.
pub fn lookup_start(dirfd: i32, path: &[u8]) -> KResult<(Ino, Ino)> {
    let cur = current();
    let (fs, files) = {
        let inner = cur.inner.lock();
        let fs = *inner.fs.lock();
        (fs, inner.files.clone())
    };
    // LAB 7 BEGIN: AT_FDCWD or an absolute path use the cwd, else dirfd must be an open directory
    if path.starts_with(b"/") || dirfd == AT_FDCWD {
        return Ok((fs.cwd, fs.root));
    }
    let fd = usize::try_from(dirfd).map_err(|_| Errno::EBADF)?;
    let file = files.lock().get(fd).ok_or(Errno::EBADF)?;
    match file.kind {
        FileKind::Dir(ino) => Ok((ino, fs.root)),
        _ => Err(Errno::ENOTDIR),
    }
    // LAB 7 END
}

/// Resolve `path` relative to `dirfd` to an inode.
pub fn lookup_at(dirfd: i32, path: &[u8], follow: bool) -> KResult<Ino> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let (start, root) = lookup_start(dirfd, path)?;
    let flags = if follow {
        LookupFlags::FOLLOW
    } else {
        LookupFlags::NOFOLLOW
    };
    with_fs(|fs| namei::lookup(fs, start, root, path, flags))
}

/// The inode behind an open descriptor (for AT_EMPTY_PATH and fstat).
pub fn fd_ino(fd: i32) -> KResult<Ino> {
    let file = fget(fd)?;
    file.ino.ok_or(Errno::EBADF)
}

/// The open file at descriptor `fd` of the current process (Linux `fget`).
pub fn fget(fd: i32) -> KResult<Arc<File>> {
    let fd = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
    let files = current().inner.lock().files.clone();
    let f = files.lock().get(fd).ok_or(Errno::EBADF);
    f
}

/// Open `path` (Linux `do_sys_openat2` -> `path_openat`): lookup or create, the checks
/// open makes, and a new `File`.
pub fn do_open(dirfd: i32, path: &[u8], flags: u32, mode: u32) -> KResult<Arc<File>> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    // Below /proc the files are generated, not looked up (`fs/proc.rs`).
    if let Some(p) = super::proc::lookup(dirfd, path, flags & O_NOFOLLOW == 0)? {
        return super::proc::open(p, flags, path);
    }
    let (start, root) = lookup_start(dirfd, path)?;
    let acc = flags & O_ACCMODE;
    let want_write = acc == O_WRONLY || acc == O_RDWR;
    let umask = current_umask();
    let mut truncated = None;
    let ino = with_fs(|fs| {
        let follow = flags & O_NOFOLLOW == 0;
        let lf = LookupFlags {
            follow_last_symlink: follow,
            want_dir: flags & O_DIRECTORY != 0,
        };
        let found = namei::lookup(fs, start, root, path, lf);
        let ino = match found {
            Ok(ino) => {
                if flags & O_CREAT != 0 && flags & O_EXCL != 0 {
                    return Err(Errno::EEXIST);
                }
                ino
            }
            Err(Errno::ENOENT) if flags & O_CREAT != 0 => {
                let (dir, name) = namei::lookup_parent(fs, start, root, path)?;
                if name.is_empty() || path.ends_with(b"/") {
                    return Err(Errno::EISDIR);
                }
                fs.create(
                    dir,
                    &name,
                    super::mode::create_mode(mode, super::mode::S_IALLUGO, umask),
                )?
            }
            Err(e) => return Err(e),
        };
        let ft = fs.file_type(ino)?;
        if ft == FileType::Symlink {
            return Err(Errno::ELOOP); // O_NOFOLLOW on a symlink
        }
        if ft == FileType::Dir && (want_write || flags & O_CREAT != 0) {
            return Err(Errno::EISDIR);
        }
        if ft == FileType::Regular && flags & O_TRUNC != 0 && want_write {
            fs.truncate(ino, 0)?;
            truncated = fs.mapping(ino).ok().cloned();
        }
        fs.iget(ino)?;
        Ok(ino)
    })?;
    if let Some(m) = truncated {
        crate::mm::filemap::unmap_mapping_range(&m, 0); // as `truncate` below
    }
    match file_for_ino(ino, flags, path) {
        Ok(f) => Ok(f),
        Err(e) => {
            iput(ino);
            Err(e)
        }
    }
}

/// The `File` for an inode already held with `iget`.
fn file_for_ino(ino: Ino, flags: u32, path: &[u8]) -> KResult<Arc<File>> {
    let (ft, st) = with_fs(|fs| Ok((fs.file_type(ino)?, fs.stat(ino)?)))?;
    let kind = match ft {
        FileType::Regular => FileKind::Regular(ino),
        FileType::Dir => FileKind::Dir(ino),
        FileType::CharDev => {
            let (major, minor) = ((st.st_rdev >> 8) & 0xfff, st.st_rdev & 0xff);
            match (major, minor) {
                (5, 1) | (5, 0) | (4, _) => FileKind::Console,
                (1, 3) => FileKind::Null,
                (1, 5) => FileKind::Zero,
                (1, m) => FileKind::Mem(super::devices::MemDev::from_minor(m).ok_or(Errno::ENXIO)?),
                _ => return Err(Errno::ENXIO),
            }
        }
        _ => return Err(Errno::ENXIO),
    };
    // What F_GETFL reports later (Linux `f_flags`: the open flags without O_CREAT,
    // O_EXCL, O_NOCTTY, O_TRUNC and O_CLOEXEC, plus O_LARGEFILE, which a 64-bit kernel
    // forces on: `force_o_largefile` in `build_open_flags`).
    let keep = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_PATH);
    Ok(File::new(
        kind,
        keep | O_LARGEFILE,
        Some(ino),
        String::from_utf8_lossy(path).into_owned(),
    ))
}

/// The console as an open file (for init's fds 0, 1 and 2).
pub fn open_console() -> KResult<Arc<File>> {
    do_open(AT_FDCWD, b"/dev/console", O_RDWR, 0)
}

/// Read from an open file at its offset (Linux `vfs_read`).
pub fn read(file: &File, buf: &mut [u8]) -> KResult<usize> {
    if !file.readable() {
        return Err(Errno::EBADF);
    }
    let nonblock = *file.flags.lock() & O_NONBLOCK != 0;
    match &file.kind {
        FileKind::Regular(ino) => {
            let mut pos = file.pos.lock();
            let n = with_fs(|fs| {
                let n = fs.read_at(*ino, *pos, buf)?;
                fs.touch_atime(*ino);
                Ok(n)
            })?;
            *pos += n as u64;
            Ok(n)
        }
        FileKind::Dir(_) => Err(Errno::EISDIR),
        FileKind::Mem(d) => d.read(buf),
        FileKind::Console => tty::read(buf, nonblock),
        FileKind::Null => Ok(0),
        FileKind::Zero => {
            buf.fill(0);
            Ok(buf.len())
        }
        FileKind::PipeRead(p) => p.read(buf, nonblock),
        FileKind::PipeWrite(_) => Err(Errno::EBADF),
        FileKind::Generated(text) => {
            let mut pos = file.pos.lock();
            let from = (*pos as usize).min(text.len());
            let n = buf.len().min(text.len() - from);
            buf[..n].copy_from_slice(&text[from..from + n]);
            *pos += n as u64;
            Ok(n)
        }
        FileKind::ProcDir(_) => Err(Errno::EISDIR),
    }
}

/// What `file` could do now, as POLL* bits (Linux `vfs_poll` -> `file_operations.poll`),
/// naming in `pt` the wait queues it announces changes on. Files without a poll
/// method of their own are always ready (`DEFAULT_POLLMASK`), as in Linux.
pub fn poll<'a>(file: &'a File, pt: Option<&mut super::select::PollTable<'a>>) -> u32 {
    match &file.kind {
        FileKind::PipeRead(p) => p.poll(true, pt),
        FileKind::PipeWrite(p) => p.poll(false, pt),
        FileKind::Console => tty::poll(pt),
        _ => super::poll::DEFAULT_POLLMASK,
    }
}

/// Write to an open file at its offset, or its end with O_APPEND (Linux `vfs_write`).
pub fn write(file: &File, buf: &[u8]) -> KResult<usize> {
    if !file.writable() {
        return Err(Errno::EBADF);
    }
    let flags = *file.flags.lock();
    match &file.kind {
        FileKind::Regular(ino) => {
            let mut pos = file.pos.lock();
            if flags & O_APPEND != 0 {
                *pos = with_fs(|fs| Ok(fs.stat(*ino)?.st_size as u64))?;
            }
            let n = with_fs(|fs| fs.write_at(*ino, *pos, buf))?;
            *pos += n as u64;
            Ok(n)
        }
        FileKind::Dir(_) => Err(Errno::EISDIR),
        FileKind::Mem(d) => d.write(buf),
        FileKind::Console => Ok(tty::write(buf)),
        FileKind::Null | FileKind::Zero => Ok(buf.len()),
        FileKind::PipeWrite(p) => {
            let r = p.write(buf, flags & O_NONBLOCK != 0);
            if r == Err(Errno::EPIPE) {
                crate::task::signal::send_signal_to_current(crate::task::signal::SIGPIPE);
            }
            r
        }
        FileKind::PipeRead(_) | FileKind::Generated(_) => Err(Errno::EBADF),
        FileKind::ProcDir(_) => Err(Errno::EISDIR),
    }
}

/// The umask of the current process (Linux `current_umask`).
pub fn current_umask() -> u32 {
    current().inner.lock().fs.lock().umask
}

/// Read at `off` without moving the file offset (Linux `vfs_read` with a `pos` of its
/// own, for pread64/preadv/sendfile): ESPIPE for what cannot seek.
pub fn pread(file: &File, buf: &mut [u8], off: u64) -> KResult<usize> {
    if !file.readable() {
        return Err(Errno::EBADF);
    }
    match &file.kind {
        FileKind::Regular(ino) => with_fs(|fs| {
            let n = fs.read_at(*ino, off, buf)?;
            fs.touch_atime(*ino);
            Ok(n)
        }),
        FileKind::Dir(_) | FileKind::ProcDir(_) => Err(Errno::EISDIR),
        FileKind::Generated(text) => {
            let from = usize::try_from(off).unwrap_or(usize::MAX).min(text.len());
            let n = buf.len().min(text.len() - from);
            buf[..n].copy_from_slice(&text[from..from + n]);
            Ok(n)
        }
        FileKind::Null | FileKind::Zero | FileKind::Mem(_) => read(file, buf),
        _ => Err(Errno::ESPIPE),
    }
}

/// Write at `off` without moving the file offset (pwrite64/pwritev). As on Linux, a
/// file opened with O_APPEND still appends.
pub fn pwrite(file: &File, buf: &[u8], off: u64) -> KResult<usize> {
    if !file.writable() {
        return Err(Errno::EBADF);
    }
    let append = *file.flags.lock() & O_APPEND != 0;
    match &file.kind {
        FileKind::Regular(ino) => with_fs(|fs| {
            let at = if append {
                fs.stat(*ino)?.st_size as u64
            } else {
                off
            };
            fs.write_at(*ino, at, buf)
        }),
        FileKind::Dir(_) | FileKind::ProcDir(_) => Err(Errno::EISDIR),
        FileKind::Null | FileKind::Zero | FileKind::Mem(_) => write(file, buf),
        _ => Err(Errno::ESPIPE),
    }
}

pub use uapi::fcntl::{SEEK_CUR, SEEK_END, SEEK_SET};

/// Move the offset (Linux `vfs_llseek` / `generic_file_llseek`).
pub fn lseek(file: &File, off: i64, whence: u32) -> KResult<u64> {
    let size = match &file.kind {
        FileKind::Regular(ino) => with_fs(|fs| Ok(fs.stat(*ino)?.st_size))?,
        FileKind::Dir(_) | FileKind::ProcDir(_) => 0,
        FileKind::Generated(text) => text.len() as i64,
        FileKind::Null | FileKind::Zero | FileKind::Mem(_) => return Ok(0),
        _ => return Err(Errno::ESPIPE),
    };
    let mut pos = file.pos.lock();
    let base = match whence {
        SEEK_SET => 0,
        SEEK_CUR => *pos as i64,
        SEEK_END => size,
        _ => return Err(Errno::EINVAL),
    };
    let new = base.checked_add(off).ok_or(Errno::EOVERFLOW)?;
    if new < 0 {
        return Err(Errno::EINVAL);
    }
    *pos = new as u64;
    Ok(new as u64)
}

/// stat of an open file (Linux `vfs_fstat`); pipes get a synthetic FIFO inode.
pub fn fstat(file: &File) -> KResult<Stat> {
    if let Some(st) = super::proc::fstat(&file.kind, &file.path) {
        return Ok(st);
    }
    match file.ino {
        Some(ino) => with_fs(|fs| fs.stat(ino)),
        None => Ok(Stat {
            st_mode: 0o010600,
            st_nlink: 1,
            st_blksize: 4096,
            ..Default::default()
        }),
    }
}

/// stat by path (Linux `vfs_fstatat`).
pub fn stat_at(dirfd: i32, path: &[u8], flags: u32) -> KResult<Stat> {
    let ino = if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        if dirfd == AT_FDCWD {
            current().inner.lock().fs.lock().cwd
        } else {
            fd_ino(dirfd)?
        }
    } else {
        let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
        if let Some(p) = super::proc::lookup(dirfd, path, follow)? {
            return Ok(super::proc::stat(p));
        }
        lookup_at(dirfd, path, follow)?
    };
    with_fs(|fs| fs.stat(ino))
}

/// Fill `out` with `struct linux_dirent64` records from a directory at its offset (an
/// index into the listing), as many as fit (Linux `iterate_dir` + `filldir64`). EINVAL
/// if not even one fits.
pub fn getdents64(file: &File, out: &mut [u8]) -> KResult<usize> {
    let entries = match file.kind {
        FileKind::Dir(ino) => {
            let mut entries = with_fs(|fs| {
                fs.touch_atime(ino); // listing a directory reads it (Linux `iterate_dir`)
                fs.readdir(ino)
            })?;
            if super::proc::is_root(ino) {
                entries.extend(super::proc::root_entries()); // the processes
            }
            entries
        }
        FileKind::ProcDir(pid) => super::proc::pid_entries(pid),
        _ => return Err(Errno::ENOTDIR),
    };
    let mut pos = file.pos.lock();
    let mut used = 0;
    for (i, (name, child, ft)) in entries.iter().enumerate().skip(*pos as usize) {
        let reclen = (19 + name.len() + 1).next_multiple_of(8);
        if used + reclen > out.len() {
            if used == 0 {
                return Err(Errno::EINVAL);
            }
            break;
        }
        let rec = &mut out[used..used + reclen];
        rec.fill(0);
        rec[0..8].copy_from_slice(&(child.0 as u64).to_le_bytes());
        rec[8..16].copy_from_slice(&((i + 1) as i64).to_le_bytes());
        rec[16..18].copy_from_slice(&(reclen as u16).to_le_bytes());
        rec[18] = ft.d_type();
        rec[19..19 + name.len()].copy_from_slice(name);
        used += reclen;
        *pos = (i + 1) as u64;
    }
    Ok(used)
}

/// A regular file as the backing of a file mapping (Linux `vm_file`).
pub struct RamFile {
    ino: Ino,
    path: String,
    /// The inode's page cache (Linux `file->f_mapping`), held so faults reach it without
    /// the file system's lock.
    mapping: Option<crate::mm::filemap::Mapping>,
}

impl RamFile {
    /// A mapping handle for `ino`, holding a reference to it.
    pub fn new(ino: Ino, path: &[u8]) -> KResult<Arc<RamFile>> {
        let mapping = with_fs(|fs| {
            fs.iget(ino)?;
            Ok(fs.mapping(ino).ok().cloned())
        })?;
        Ok(Arc::new(RamFile {
            ino,
            path: String::from_utf8_lossy(path).into_owned(),
            mapping,
        }))
    }
}

impl Drop for RamFile {
    fn drop(&mut self) {
        iput(self.ino);
    }
}

impl VmFile for RamFile {
    fn path(&self) -> &str {
        &self.path
    }
    fn read_at(&self, offset: usize, buf: &mut [u8]) -> usize {
        with_fs(|fs| fs.read_at(self.ino, offset as u64, buf)).unwrap_or(0)
    }
    fn ino(&self) -> u64 {
        self.ino.0 as u64
    }
    fn mapping(&self) -> Option<crate::mm::filemap::Mapping> {
        self.mapping.clone()
    }
}

/// Set a regular file's size (Linux `do_truncate` -> `notify_change` -> `simple_setattr`
/// -> `truncate_setsize`): the file system cuts its page cache, then the pages wholly
/// past the new end leave every process mapping them (`truncate_pagecache`'s
/// `unmap_mapping_range`), so touching them is SIGBUS. Errors as `RamFs::truncate`.
pub fn truncate(ino: Ino, len: u64) -> KResult<()> {
    let mapping = with_fs(|fs| {
        fs.truncate(ino, len)?;
        Ok(fs.mapping(ino).ok().cloned())
    })?;
    if let Some(m) = mapping {
        crate::mm::filemap::unmap_mapping_range(&m, len);
    }
    Ok(())
}

/// Read `buf.len()` bytes of inode `ino` at `off` (Linux `kernel_read`), short at EOF.
pub fn kernel_read(ino: Ino, off: u64, buf: &mut [u8]) -> KResult<usize> {
    with_fs(|fs| fs.read_at(ino, off, buf))
}

/// What exec needs to know about a file (Linux `do_open_execat` + `may_open`): it must
/// be a regular file with an execute bit (EACCES otherwise; Linnet runs everything as
/// root, which may execute a file if any x bit is set). A final symlink not followed
/// (execveat's AT_SYMLINK_NOFOLLOW) is ELOOP, as Linux's `O_NOFOLLOW` open gives.
pub fn open_exec(dirfd: i32, path: &[u8], flags: u32) -> KResult<(Ino, u64)> {
    let ino = if path.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        fd_ino(dirfd)?
    } else {
        lookup_at(dirfd, path, flags & AT_SYMLINK_NOFOLLOW == 0)?
    };
    let st = with_fs(|fs| fs.stat(ino))?;
    if st.st_mode & S_IFMT == super::ramfs::S_IFLNK {
        return Err(Errno::ELOOP); // AT_SYMLINK_NOFOLLOW and the last component is a link
    }
    if st.st_mode & S_IFMT != super::ramfs::S_IFREG || st.st_mode & 0o111 == 0 {
        return Err(Errno::EACCES);
    }
    Ok((ino, st.st_size as u64))
}

/// The path of a directory inode (for getcwd).
pub fn path_of(ino: Ino) -> KResult<Vec<u8>> {
    with_fs(|fs| namei::path_of(fs, ino))
}

/// Names in a directory (for the kernel's own listings).
pub fn list_dir(ino: Ino) -> KResult<Vec<Vec<u8>>> {
    with_fs(|fs| Ok(fs.readdir(ino)?.into_iter().map(|(n, _, _)| n).collect()))
}
