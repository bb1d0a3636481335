//! The kernel half of /proc (Linux `fs/proc/base.c`, `root.c`, `self.c`): where `vfs`
//! hands over paths below /proc (`lookup`, `open`, `stat`, `fstat`) and directory
//! listings (`root_entries`, `pid_entries`), and the snapshot of a task that `stat` and
//! `status` print, taken from `TASKS`, the task and its `MmStruct`.
//!
//! Locks: `TASKS`, then a task's `inner`, its `files`, its `signal`, and last its `mm`,
//! each released before the next is taken; the ramfs lock (`vfs::with_fs`) only briefly,
//! with no other held.

use super::array::{stat_line, status_text, MmInfo, TaskInfo};
use super::meminfo::meminfo_text;
use super::sysfiles::{self, CpuStat, RootFile, ROOT_FILES};
use super::task_mmu::maps_text;
use super::{normalize, parse, proc_ino, PidFile, ProcPath, PID_FILES};
use crate::errno::{Errno, KResult};
use crate::fs::file::{oflags::*, File, FileKind};
use crate::fs::ramfs::{FileType, Ino, Stat, S_IFDIR, S_IFLNK, S_IFREG};
use crate::fs::vfs::{self, AT_FDCWD};
use crate::mm::access_remote::{FollFlags, RemoteBuf};
use crate::mm::layout::PAGE_SIZE;
use crate::mm::mm_struct::MmStruct;
use crate::mm::{page_alloc, vma::VmFlags};
use crate::task::pid::Pid;
use crate::task::rlimit::RLIMIT_RSS;
use crate::task::sched::{current, TASKS};
use crate::task::signal::SigDisposition;
use crate::task::task::{TaskState, TaskStruct};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// The /proc directory of the ramfs, if the initramfs has one.
fn proc_root() -> Option<Ino> {
    vfs::with_fs(|fs| fs.lookup_child(fs.root(), b"proc")).ok()
}

/// Is `ino` the /proc directory?
pub fn is_root(ino: Ino) -> bool {
    proc_root() == Some(ino)
}

/// Does `path` (relative to `dirfd`) lead into /proc? Then what it names, or ENOENT.
/// `Ok(None)`: not a /proc path (including /proc itself, a plain ramfs directory),
/// for the ramfs to handle. `follow`: whether a final `self` is followed.
pub fn lookup(dirfd: i32, path: &[u8], follow: bool) -> KResult<Option<ProcPath>> {
    // Every name /proc answers is ASCII: a path that is not UTF-8 names nothing here (the
    // ramfs walk then finds what it finds, or ENOENT below the empty /proc directory).
    let Ok(path) = core::str::from_utf8(path) else {
        return Ok(None);
    };
    let base = if path.starts_with('/') {
        String::new()
    } else {
        let dir = if dirfd == AT_FDCWD {
            current().inner.lock().fs.lock().cwd
        } else {
            let Ok(file) = vfs::fget(dirfd) else {
                return Ok(None); // the normal lookup reports EBADF
            };
            match file.kind {
                FileKind::Dir(ino) => ino,
                FileKind::ProcDir(pid) => return resolve(&format!("/proc/{pid}/{path}"), follow),
                _ => return Ok(None), // ENOTDIR, from the normal lookup
            }
        };
        if is_root(dir) {
            String::from("/proc")
        } else if path.contains("proc") {
            String::from_utf8(vfs::path_of(dir).unwrap_or_default()).unwrap_or_default()
        } else {
            return Ok(None);
        }
    };
    resolve(&format!("{base}/{path}"), follow)
}

/// `lookup` for an absolute path.
fn resolve(path: &str, follow: bool) -> KResult<Option<ProcPath>> {
    if !path.contains("/proc") {
        return Ok(None);
    }
    let Some(full) = normalize(path) else {
        return Ok(None);
    };
    match full.strip_prefix("/proc/") {
        Some(rest) if proc_root().is_some() => match lookup_rest(rest, follow) {
            Some(p) => Ok(Some(p)),
            None => Err(Errno::ENOENT),
        },
        _ => Ok(None),
    }
}

fn lookup_rest(rest: &str, follow: bool) -> Option<ProcPath> {
    let p = parse(rest, current().tgid(), follow)?;
    match p {
        ProcPath::PidDir(pid) | ProcPath::PidFile(pid, _) => task(pid).map(|_| p),
        _ => Some(p),
    }
}

/// The task /proc/PID shows: the leader of `pid`'s thread group.
fn task(pid: Pid) -> Option<Arc<TaskStruct>> {
    let tasks = TASKS.lock();
    let t = tasks.get(&pid)?;
    tasks.get(&t.tgid()).or(Some(t)).cloned()
}

/// Open a /proc entry (Linux `proc_reg_open` + `single_open`): files are read-only
/// (EACCES for write access); O_DIRECTORY on a file is ENOTDIR; `self` with
/// O_NOFOLLOW is ELOOP (it is a symlink).
pub fn open(p: ProcPath, flags: u32, path: &[u8]) -> KResult<Arc<File>> {
    if let ProcPath::SelfLink(_) = p {
        return Err(Errno::ELOOP);
    }
    let dir = matches!(p, ProcPath::PidDir(_));
    if flags & O_ACCMODE != O_RDONLY || flags & O_CREAT != 0 {
        return Err(if dir { Errno::EISDIR } else { Errno::EACCES });
    }
    if let ProcPath::PidFile(pid, PidFile::Exe) = p {
        // A symlink: open what it points to.
        let target = exe(pid)?;
        return vfs::do_open(AT_FDCWD, target.as_bytes(), flags, 0);
    }
    let kind = match p {
        ProcPath::PidDir(pid) | ProcPath::SelfLink(pid) => FileKind::ProcDir(pid),
        _ if flags & O_DIRECTORY != 0 => return Err(Errno::ENOTDIR),
        ProcPath::Meminfo => FileKind::Generated(
            meminfo_text(
                page_alloc::nr_total_pages(),
                page_alloc::nr_free_pages(),
                crate::mm::filemap::nr_file_pages(),
                crate::mm::heap::usage().0,
            )
            .into_bytes(),
        ),
        ProcPath::Root(f) => FileKind::Generated(root_text(f).into_bytes()),
        ProcPath::PidFile(pid, f) => FileKind::Generated(generate(pid, f)?),
    };
    let keep = flags & (O_ACCMODE | O_NONBLOCK | O_DIRECTORY);
    Ok(File::new(
        kind,
        keep | O_LARGEFILE,
        None,
        String::from_utf8_lossy(path).into_owned(),
    ))
}

/// The text of /proc/`f` (see `sysfiles.rs`).
fn root_text(f: RootFile) -> String {
    use crate::drivers::timer;
    let hz = timer::hz().max(1) as u64;
    match f {
        RootFile::Mounts => sysfiles::mounts_text(),
        RootFile::Version => sysfiles::version_text(
            crate::syscall::info::UTS_RELEASE,
            crate::syscall::info::UTS_VERSION,
        ),
        RootFile::Cpuinfo => {
            use aarch64_cpu::registers::{Readable, MIDR_EL1};
            sysfiles::cpuinfo_text(
                MIDR_EL1.get(),
                crate::arch::cpu::elf_hwcap(),
                timer::counter_frequency(),
            )
        }
        RootFile::Uptime => {
            let (_, _, idle) = crate::task::cputime::cpu_ticks();
            sysfiles::uptime_text(timer::uptime_ns(), idle * 1_000_000_000 / hz)
        }
        RootFile::Stat => {
            let (user, system, idle) = crate::task::cputime::cpu_ticks();
            let up = timer::uptime_ns() / 1_000_000_000;
            sysfiles::stat_text(&CpuStat {
                user: clock_t(user),
                system: clock_t(system),
                idle: clock_t(idle),
                intr: user + system + idle,
                btime: crate::time::ktime_get_real_seconds().saturating_sub(up),
                processes: crate::task::cputime::total_forks(),
                // The run queue, and the caller, which is running.
                running: crate::task::sched::nr_running() as u64 + 1,
            })
        }
    }
}

/// The program process `pid` runs, as exec resolved it (Linux `mm->exe_file`).
fn exe(pid: Pid) -> KResult<String> {
    let t = task(pid).ok_or(Errno::ENOENT)?;
    let exe = t.inner.lock().attrs.exe.clone();
    if exe.is_empty() {
        return Err(Errno::ENOENT); // a kernel thread
    }
    Ok(exe)
}

/// readlink of a /proc entry (Linux `proc_self_get_link`, `proc_exe_link`): `self`
/// names the pid, `PID/exe` the program; anything else is not a link (EINVAL).
pub fn readlink(p: ProcPath) -> KResult<String> {
    match p {
        ProcPath::SelfLink(pid) => Ok(pid.to_string()),
        ProcPath::PidFile(pid, PidFile::Exe) => exe(pid),
        _ => Err(Errno::EINVAL),
    }
}

/// The text of /proc/PID/`f`.
fn generate(pid: Pid, f: PidFile) -> KResult<Vec<u8>> {
    let t = task(pid).ok_or(Errno::ESRCH)?;
    let mm = t.inner.lock().mm.clone();
    Ok(match f {
        PidFile::Exe => return Err(Errno::EINVAL), // a link, opened through its target
        PidFile::Stat => stat_line(&snapshot(&t)).into_bytes(),
        PidFile::Status => status_text(&snapshot(&t)).into_bytes(),
        PidFile::Comm => format!("{}\n", t.comm()).into_bytes(),
        PidFile::Maps => match mm {
            Some(mm) => {
                let mm = mm.lock();
                maps_text(mm.vmas.iter(), mm.start_brk, mm.brk, mm.start_stack).into_bytes()
            }
            None => Vec::new(),
        },
        PidFile::Cmdline => match mm {
            Some(mm) => {
                let mut mm = mm.lock();
                let (start, end) = (mm.arg_start, mm.arg_end);
                read_mm(&mut mm, start, end)?
            }
            None => Vec::new(),
        },
    })
}

/// Bytes `[start, end)` of another address space, at most 1 MiB, up to the first page
/// that cannot be read (Linux `access_remote_vm`, as `get_mm_cmdline` uses it).
fn read_mm(mm: &mut MmStruct, start: usize, end: usize) -> KResult<Vec<u8>> {
    let len = end.saturating_sub(start).min(1 << 20);
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| Errno::ENOMEM)?;
    out.resize(len, 0);
    let done = mm.access_remote_vm(start, RemoteBuf::Read(&mut out), FollFlags::empty());
    out.truncate(done);
    Ok(out)
}

use crate::drivers::timer::jiffies_to_clock_t as clock_t;

/// Gather what `stat` and `status` print about leader `t`'s process (Linux takes the
/// same figures under `lock_task_sighand` in `do_task_stat`).
fn snapshot(t: &Arc<TaskStruct>) -> TaskInfo {
    let tgid = t.tgid();
    let threads: Vec<Arc<TaskStruct>> = TASKS
        .lock()
        .values()
        .filter(|x| x.tgid() == tgid)
        .cloned()
        .collect();
    let (mut utime, mut stime) = (0, 0);
    for th in &threads {
        let i = th.inner.lock();
        utime += i.utime;
        stime += i.stime;
    }
    let mut info = TaskInfo {
        pid: tgid,
        threads: threads.len(),
        ..TaskInfo::default()
    };
    let (mm, files) = {
        let i = t.inner.lock();
        info.comm = i.comm.clone();
        info.state = match i.state {
            TaskState::Running if Arc::ptr_eq(t, &current()) => 'R',
            s => s.letter(),
        };
        info.ppid = i.parent;
        info.sig_pending = i.pending.signal.0;
        info.sig_blocked = i.blocked.0;
        info.exit_signal = i.exit_signal;
        let c = i.attrs.cred;
        info.nice = i.attrs.nice;
        info.uid = [c.uid.r, c.uid.e, c.uid.s, c.uid.fs];
        info.gid = [c.gid.r, c.gid.e, c.gid.s, c.gid.fs];
        info.groups = i.attrs.groups.clone();
        info.exit_code = if i.state == TaskState::Zombie {
            i.exit_code
        } else {
            0
        };
        (i.mm.clone(), i.files.clone())
    };
    // Linux's FDSize is the table's capacity: 64 slots, doubled as needed.
    let used = files.lock().iter().map(|(fd, _)| fd + 1).max().unwrap_or(0);
    info.fd_size = used.max(64).next_power_of_two();
    {
        let s = t.signal.inner.lock();
        info.pgrp = s.pgid;
        info.session = s.sid;
        info.utime = clock_t(utime + s.utime);
        info.stime = clock_t(stime + s.stime);
        info.cutime = clock_t(s.cutime);
        info.cstime = clock_t(s.cstime);
        info.sig_shared = s.shared_pending.signal.0;
        for sig in 1..s.action.len() {
            match s.action[sig] {
                SigDisposition::Ignore => info.sig_ignored |= 1 << (sig - 1),
                SigDisposition::Handler(_) => info.sig_caught |= 1 << (sig - 1),
                SigDisposition::Default => {}
            }
        }
    }
    info.mm = mm.map(|mm| {
        let mm = mm.lock();
        let pages = |f: &dyn Fn(VmFlags) -> bool| -> usize {
            mm.vmas
                .iter()
                .filter(|v| f(v.vm_flags))
                .map(|v| v.len() / PAGE_SIZE)
                .sum()
        };
        MmInfo {
            total_vm: mm.vmas.total_size() / PAGE_SIZE,
            rss: mm.rss_pages(),
            data_vm: pages(&|f| {
                f.contains(VmFlags::WRITE) && !f.intersects(VmFlags::SHARED | VmFlags::GROWSDOWN)
            }),
            stack_vm: pages(&|f| f.contains(VmFlags::GROWSDOWN)),
            rsslim: t
                .signal
                .rlim
                .lock()
                .get(RLIMIT_RSS)
                .map_or(u64::MAX, |r| r.cur),
            start_code: mm.start_code,
            end_code: mm.end_code,
            start_stack: mm.start_stack,
            start_data: mm.start_data,
            end_data: mm.end_data,
            start_brk: mm.start_brk,
            arg_start: mm.arg_start,
            arg_end: mm.arg_end,
            env_start: mm.env_start,
            env_end: mm.env_end,
        }
    });
    info
}

/// stat of a /proc entry (Linux `proc_getattr` / `pid_getattr`): directories
/// dr-xr-xr-x, files -r--r--r-- of size 0, `self` a symlink to the pid.
pub fn stat(p: ProcPath) -> Stat {
    let (mode, nlink, size) = match p {
        ProcPath::PidDir(_) => (S_IFDIR | 0o555, 2, 0),
        ProcPath::SelfLink(pid) => (S_IFLNK | 0o777, 1, pid.to_string().len() as i64),
        ProcPath::PidFile(pid, PidFile::Exe) => {
            (S_IFLNK | 0o777, 1, exe(pid).map_or(0, |e| e.len() as i64))
        }
        _ => (S_IFREG | 0o444, 1, 0),
    };
    Stat {
        st_ino: proc_ino(p) as u64,
        st_mode: mode,
        st_nlink: nlink,
        st_size: size,
        st_blksize: 1024,
        ..Default::default()
    }
}

/// fstat of an open /proc file, or None if `kind` is not one.
pub fn fstat(kind: &FileKind, path: &str) -> Option<Stat> {
    match kind {
        FileKind::ProcDir(pid) => Some(stat(ProcPath::PidDir(*pid))),
        FileKind::Generated(_) => {
            let p = path.rsplit('/').next().and_then(|name| {
                PID_FILES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|&(_, f)| ProcPath::PidFile(0, f))
            });
            Some(stat(p.unwrap_or(ProcPath::Meminfo)))
        }
        _ => None,
    }
}

/// What getdents64 lists in /proc besides what the ramfs holds there (Linux
/// `proc_root_readdir` + `proc_pid_readdir`): `self`, `meminfo`, and one directory per
/// process (thread-group leaders only, as Linux lists them).
pub fn root_entries() -> Vec<(Vec<u8>, Ino, FileType)> {
    let me = current().tgid();
    let mut out = Vec::from([
        (
            b"self".to_vec(),
            Ino(proc_ino(ProcPath::SelfLink(me))),
            FileType::Symlink,
        ),
        (
            b"meminfo".to_vec(),
            Ino(proc_ino(ProcPath::Meminfo)),
            FileType::Regular,
        ),
    ]);
    let pids: Vec<Pid> = TASKS
        .lock()
        .values()
        .filter(|t| t.is_leader() && t.state() != TaskState::Dead)
        .map(|t| t.pid())
        .collect();
    for (name, f) in ROOT_FILES {
        let ino = Ino(proc_ino(ProcPath::Root(f)));
        out.push((name.as_bytes().to_vec(), ino, FileType::Regular));
    }
    for pid in pids.into_iter().filter(|&p| p > 0) {
        out.push((
            pid.to_string().into_bytes(),
            Ino(proc_ino(ProcPath::PidDir(pid))),
            FileType::Dir,
        ));
    }
    out
}

/// The listing of /proc/PID (Linux `proc_pident_readdir`).
pub fn pid_entries(pid: Pid) -> Vec<(Vec<u8>, Ino, FileType)> {
    let root = proc_root().unwrap_or(Ino(1));
    let mut out = Vec::from([
        (
            b".".to_vec(),
            Ino(proc_ino(ProcPath::PidDir(pid))),
            FileType::Dir,
        ),
        (b"..".to_vec(), root, FileType::Dir),
    ]);
    for (name, f) in PID_FILES {
        let ino = Ino(proc_ino(ProcPath::PidFile(pid, f)));
        let ty = if f == PidFile::Exe {
            FileType::Symlink
        } else {
            FileType::Regular
        };
        out.push((name.as_bytes().to_vec(), ino, ty));
    }
    out
}
