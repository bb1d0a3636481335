//! Open files, file descriptor tables and the working directory (Linux
//! `include/linux/fs.h` `struct file`, `fs/file.c` `files_struct` / `alloc_fd` / `dup_fd`
//! / `close_on_exec`, `fs/fs_struct.c` `fs_struct`).
//!
//! An open file (`File`) is shared: fork and dup give several descriptors the same one,
//! so they share its offset, as in Linux. A `FilesStruct` maps descriptor numbers to
//! files (shared by CLONE_FILES threads, copied by fork); a `FsStruct` holds cwd and root
//! (shared by CLONE_FS). What a file *is* — a ramfs inode, the console, a pipe end — is
//! `FileKind`; `vfs.rs` does the reading and writing.

use super::pipe::Pipe;
use super::ramfs::Ino;
use crate::task::rlimit::RLIMIT_NOFILE;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Mutex;

/// open(2) flags, Linux arm64 values (`include/uapi/asm-generic/fcntl.h`).
pub mod oflags {
    pub use uapi::fcntl::{
        O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOCTTY,
        O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY,
    };
}

/// What an open file refers to.
pub enum FileKind {
    /// A regular file in the ramfs.
    Regular(Ino),
    /// A directory in the ramfs (for getdents64 and as a dirfd).
    Dir(Ino),
    /// The console terminal (`/dev/console`, char 5:1).
    Console,
    /// `/dev/null` (char 1:3).
    Null,
    /// `/dev/zero` (char 1:5).
    Zero,
    /// The read end of a pipe.
    PipeRead(Arc<Pipe>),
    /// The write end of a pipe.
    PipeWrite(Arc<Pipe>),
    /// A /proc file: its text, generated when it was opened (Linux builds it in a
    /// `seq_file` at the first read); read from the file offset (`fs/proc.rs`).
    Generated(Vec<u8>),
    /// A /proc/PID directory, for getdents64 and as a dirfd (`fs/proc.rs`).
    ProcDir(crate::task::pid::Pid),
    /// The other memory devices of major 1: /dev/full, /dev/random, /dev/urandom
    /// (`fs/devices.rs`, Linux `drivers/char/mem.c`).
    Mem(super::devices::MemDev),
}

/// An open file description (Linux `struct file`).
pub struct File {
    /// What it refers to.
    pub kind: FileKind,
    /// Open flags that matter after open: access mode, O_APPEND, O_NONBLOCK.
    pub flags: Mutex<u32>,
    /// The file offset (Linux `f_pos`), shared by every descriptor of this file.
    pub pos: Mutex<u64>,
    /// The inode, for stat (devices have one too).
    pub ino: Option<Ino>,
    /// The path it was opened by (for /proc-style listings and messages).
    pub path: String,
}

impl File {
    /// A new open file.
    pub fn new(kind: FileKind, flags: u32, ino: Option<Ino>, path: String) -> Arc<File> {
        Arc::new(File {
            kind,
            flags: Mutex::new(flags),
            pos: Mutex::new(0),
            ino,
            path,
        })
    }

    /// Opened for reading?
    pub fn readable(&self) -> bool {
        let acc = *self.flags.lock() & oflags::O_ACCMODE;
        acc == oflags::O_RDONLY || acc == oflags::O_RDWR
    }

    /// Opened for writing?
    pub fn writable(&self) -> bool {
        let acc = *self.flags.lock() & oflags::O_ACCMODE;
        acc == oflags::O_WRONLY || acc == oflags::O_RDWR
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if let Some(ino) = self.ino {
            // OFD locks belong to the open file and go with it (Linux `locks_remove_file`).
            super::locks::remove_owner(ino, super::locks::Owner::Ofd(self as *const File as usize));
        }
        match &self.kind {
            FileKind::PipeRead(p) => p.close_reader(),
            FileKind::PipeWrite(p) => p.close_writer(),
            _ => {}
        }
        if let Some(ino) = self.ino {
            super::vfs::iput(ino);
        }
    }
}

/// One descriptor slot.
#[derive(Clone)]
pub struct FdEntry {
    /// The open file.
    pub file: Arc<File>,
    /// FD_CLOEXEC: closed by exec.
    pub cloexec: bool,
}

/// Most descriptors a table can ever hold (Linux `sysctl_nr_open`, the ceiling of the
/// RLIMIT_NOFILE hard limit); a process's soft limit (`nofile_limit`) stops it first.
pub const NR_OPEN: usize = 1024 * 1024;

/// The caller's RLIMIT_NOFILE soft limit: descriptors must stay below it (Linux
/// `rlimit(RLIMIT_NOFILE)`, checked in `alloc_fd`, `do_dup2`/`ksys_dup3` and
/// `f_dupfd`).
pub fn nofile_limit() -> usize {
    crate::task::rlimit::rlimit(RLIMIT_NOFILE).min(NR_OPEN)
}

/// A descriptor table (Linux `struct files_struct` / `fdtable`).
#[derive(Clone, Default)]
pub struct FilesStruct {
    fds: Vec<Option<FdEntry>>,
}

impl FilesStruct {
    /// No descriptors.
    pub fn empty() -> Self {
        FilesStruct { fds: Vec::new() }
    }

    /// The lowest free descriptor >= `min` (Linux `alloc_fd`), holding `file`.
    pub fn install(&mut self, min: usize, file: Arc<File>, cloexec: bool) -> Option<usize> {
        // RLIMIT_NOFILE: if the lowest free slot is at or past the soft limit, EMFILE.
        let lowest = (min..).find(|&i| self.fds.get(i).is_none_or(|e| e.is_none()))?;
        if lowest >= nofile_limit() {
            return None;
        }
        // LAB 7 BEGIN: put file in the lowest free slot at or above min, below NR_OPEN
        let fd = (min..NR_OPEN).find(|&i| self.fds.get(i).is_none_or(|e| e.is_none()))?;
        if self.fds.len() <= fd {
            self.fds.resize(fd + 1, None);
        }
        self.fds[fd] = Some(FdEntry { file, cloexec });
        Some(fd)
        // LAB 7 END
    }

    /// Put `file` at exactly `fd`, closing what was there (dup2/dup3); returns the old one
    /// so it is dropped outside the caller's locks.
    pub fn install_at(
        &mut self,
        fd: usize,
        file: Arc<File>,
        cloexec: bool,
    ) -> Option<Option<FdEntry>> {
        if fd >= nofile_limit() {
            return None; // EBADF, as Linux's dup3 says for a target past the limit
        }
        if self.fds.len() <= fd {
            self.fds.resize(fd + 1, None);
        }
        Some(self.fds[fd].replace(FdEntry { file, cloexec }))
    }

    /// The file at `fd` (Linux `fget`).
    pub fn get(&self, fd: usize) -> Option<Arc<File>> {
        self.fds.get(fd)?.as_ref().map(|e| e.file.clone())
    }

    /// The whole slot at `fd`.
    pub fn entry_mut(&mut self, fd: usize) -> Option<&mut FdEntry> {
        self.fds.get_mut(fd)?.as_mut()
    }

    /// Remove `fd` (Linux `close_fd`); the file closes when its last descriptor goes.
    pub fn remove(&mut self, fd: usize) -> Option<FdEntry> {
        self.fds.get_mut(fd)?.take()
    }

    /// Close every close-on-exec descriptor (Linux `do_close_on_exec`).
    pub fn close_on_exec(&mut self) -> Vec<FdEntry> {
        self.exec_keep_locks();
        // LAB 7 BEGIN: take every FD_CLOEXEC entry out of the table and return them
        let mut closed = Vec::new();
        for slot in self.fds.iter_mut() {
            if slot.as_ref().is_some_and(|e| e.cloexec) {
                if let Some(e) = slot.take() {
                    closed.push(e);
                }
            }
        }
        closed
        // LAB 7 END
    }

    /// Descriptors in use, with their files.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &FdEntry)> {
        self.fds
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i, e)))
    }
}

impl Drop for FilesStruct {
    /// A process's table is gone (exit, or exec unsharing it): its POSIX record locks
    /// go too (Linux `exit_files` -> `filp_close` -> `locks_remove_posix`).
    fn drop(&mut self) {
        super::locks::remove_posix_all(self.lock_owner());
    }
}

impl FilesStruct {
    /// Exec gives the process this private copy of its table (`unshare_files`); POSIX
    /// record locks survive exec, so the ones the old table owned move here, and those on
    /// the files about to be closed go (Linux `do_close_on_exec` -> `filp_close` ->
    /// `locks_remove_posix`). Called on the copy while the task still holds the old one.
    fn exec_keep_locks(&self) {
        let new = self.lock_owner();
        let old = crate::task::sched::current().inner.lock().files.clone();
        let Some(guard) = old.try_lock() else {
            return; // `self` is the task's own table: nothing moves
        };
        let old_owner = guard.lock_owner();
        drop(guard);
        if old_owner != new {
            super::locks::change_owner(old_owner, new);
        }
        for (_, e) in self.iter().filter(|(_, e)| e.cloexec) {
            if let Some(ino) = e.file.ino {
                super::locks::remove_owner(ino, new);
            }
        }
    }

    /// The owner of the POSIX record locks taken through this table (Linux `fl_owner`
    /// is `current->files`): its address, stable while it lives in its `Arc<Mutex<..>>`.
    pub fn lock_owner(&self) -> super::locks::Owner {
        super::locks::Owner::Posix(self as *const FilesStruct as usize)
    }
}

/// Working directory, root and umask of a process (Linux `struct fs_struct`).
#[derive(Clone, Copy, Debug)]
pub struct FsStruct {
    /// `/` for this process.
    pub root: Ino,
    /// Where relative paths start (what AT_FDCWD means).
    pub cwd: Ino,
    /// Permission bits removed from every file this process creates (Linux
    /// `fs->umask`; 022 for init, inherited by fork, shared by CLONE_FS).
    pub umask: u32,
}

impl FsStruct {
    /// A process rooted at `root` with its cwd there and the default umask 022 (Linux
    /// `init_fs`).
    pub fn new(root: Ino) -> FsStruct {
        FsStruct {
            root,
            cwd: root,
            umask: 0o022,
        }
    }
}
