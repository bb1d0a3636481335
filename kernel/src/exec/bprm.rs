//! The exec work area: `LinuxBinprm`, the new address space and its first stack page,
//! and copying the argument and environment strings onto it (Linux `fs/exec.c`:
//! `struct linux_binprm`, `bprm_mm_init`, `__bprm_mm_init`, `copy_strings`,
//! `copy_string_kernel`, `get_arg_page`, `remove_arg_zero`).
//!
//! Until the point of no return, everything exec builds lives in `bprm.mm`, a fresh
//! address space that is not running yet: its pages are written with
//! `MmStruct::access_remote_vm` (`mm_write`), while the strings come from the *old*
//! address space, which is still the current one (`strncpy_from_user`).

use crate::errno::{Errno, KResult};
use crate::fs::ramfs::Ino;
use crate::mm::access_remote::{FollFlags, RemoteBuf};
use crate::mm::layout::{self, PAGE_SIZE};
use crate::mm::mm_struct::MmStruct;
#[cfg(target_os = "none")]
use crate::mm::uaccess;
use crate::mm::vma::{VmArea, VmFlags};
use crate::task::rlimit::{rlimit, RLIMIT_STACK};
use alloc::string::String;
use alloc::vec::Vec;

/// Longest single argument or environment string (Linux `MAX_ARG_STRLEN`, 32 pages).
pub const MAX_ARG_STRLEN: usize = 32 * PAGE_SIZE;
/// Most argument plus environment strings (Linux `MAX_ARG_STRINGS`).
pub const MAX_ARG_STRINGS: usize = 0x7fff_ffff;
/// Bytes of the file exec reads first to recognise its format (Linux `BINPRM_BUF_SIZE`).
pub const BINPRM_BUF_SIZE: usize = 256;

/// Where the strings come from: the caller's memory (execve) or the kernel (init).
pub enum ArgSource<'a> {
    /// A user array of pointers (argv or envp of execve); 0 = an empty list. (Reading
    /// the caller's memory is kernel-only: host tests give strings as `Kernel`.)
    #[cfg(target_os = "none")]
    User(usize),
    /// Strings the kernel provides (init's argv and envp from bootargs).
    Kernel(&'a [String]),
}

/// Everything exec knows about the program it is starting (Linux `struct linux_binprm`).
pub struct LinuxBinprm {
    /// The new address space (becomes the task's at the point of no return).
    pub mm: MmStruct,
    /// The lowest byte used on the new stack so far (Linux `p`): strings go below it.
    pub p: usize,
    /// The file being executed.
    pub file: Ino,
    /// Its size in bytes.
    pub file_size: u64,
    /// The first bytes of the file (Linux `buf`).
    pub buf: [u8; BINPRM_BUF_SIZE],
    /// The name used to exec it (Linux `filename`), e.g. "/bin/sh" or "prog".
    pub filename: Vec<u8>,
    /// The interpreter actually run, after `#!` rewrites (Linux `interp`).
    pub interp: Vec<u8>,
    /// Number of argument strings (Linux `argc`).
    pub argc: usize,
    /// Number of environment strings (Linux `envc`).
    pub envc: usize,
    /// Stack address of the filename string, for AT_EXECFN (Linux `exec`).
    pub exec: usize,
    /// How many `#!` interpreters deep we are (Linux limits it to 5 levels... via
    /// `bprm->interp` recursion; Linnet counts).
    pub depth: u32,
    /// Print the new address space at each stage (bootarg `trace=exec`).
    pub trace: bool,
    /// Past Linux's point of no return (`begin_new_exec`): a failure from here on
    /// cannot be returned to the old program, which dies of SIGSEGV instead (Linux
    /// `bprm_execve`: `force_fatal_sig(SIGSEGV)`).
    pub point_of_no_return: bool,
    /// The caller's soft RLIMIT_STACK, read once for all of exec's stack decisions
    /// (Linux `bprm->rlim_stack`, saved in `bprm_mm_init`; the limits themselves live in
    /// the task's `SignalStruct` and survive exec).
    pub rlim_stack: usize,
}

impl LinuxBinprm {
    /// Bytes of strings copied so far.
    pub fn strings_size(&self) -> usize {
        layout::STACK_TOP - self.p
    }
}

/// Make the new address space with one stack VMA holding its first page, just below
/// STACK_TOP (Linux `bprm_mm_init` -> `mm_alloc` + `__bprm_mm_init`). `p` starts one word
/// below the top, as in Linux.
pub fn bprm_mm_init(
    file: Ino,
    file_size: u64,
    filename: &[u8],
    trace: bool,
) -> KResult<LinuxBinprm> {
    let mut mm = MmStruct::new()?;
    let top = layout::STACK_TOP;
    let flags = VmFlags::READ
        | VmFlags::WRITE
        | VmFlags::GROWSDOWN
        | VmFlags::MAYREAD
        | VmFlags::MAYWRITE
        | VmFlags::ACCOUNT;
    mm.vmas
        .insert(VmArea::new_anon(top - PAGE_SIZE, top, flags))
        .map_err(Errno::from)?;
    mm.start_stack = top - 8;
    Ok(LinuxBinprm {
        mm,
        p: top - 8,
        file,
        file_size,
        buf: [0; BINPRM_BUF_SIZE],
        filename: filename.to_vec(),
        interp: filename.to_vec(),
        argc: 0,
        envc: 0,
        exec: 0,
        depth: 0,
        trace,
        point_of_no_return: false,
        rlim_stack: rlimit(RLIMIT_STACK),
    })
}

/// Write `data` at `addr` in `mm`, which need not be the running address space: each
/// page is faulted in (growing a stack VMA if needed) and written, by
/// `MmStruct::access_remote_vm` (Linux `get_arg_page` + `copy_to_page`). A page that
/// cannot be had (the stack would pass its limit) is E2BIG.
pub fn mm_write(mm: &mut MmStruct, addr: usize, data: &[u8]) -> KResult<()> {
    if mm.access_remote_vm(addr, RemoteBuf::Write(data), FollFlags::empty()) != data.len() {
        return Err(Errno::E2BIG);
    }
    Ok(())
}

/// Drop argv[0], the lowest string, at `p` (Linux `remove_arg_zero`, for `#!` scripts,
/// which put the script's path in its place).
pub fn remove_arg_zero(bprm: &mut LinuxBinprm) -> KResult<()> {
    if bprm.argc == 0 {
        return Ok(());
    }
    let len = bprm.mm.strnlen_remote_vm(bprm.p, MAX_ARG_STRLEN);
    if len == 0 || len > MAX_ARG_STRLEN {
        return Err(Errno::EFAULT);
    }
    bprm.p += len;
    bprm.argc -= 1;
    Ok(())
}

/// The stack limit on strings: a quarter of the soft RLIMIT_STACK `rlim_stack` (Linux
/// `bprm_stack_limits`).
fn arg_limit(rlim_stack: usize) -> usize {
    rlim_stack / 4
}

/// Push one string (with its NUL) below `p` (Linux `copy_string_kernel` for one string).
pub fn push_string(bprm: &mut LinuxBinprm, s: &[u8]) -> KResult<usize> {
    // LAB 5 BEGIN: check the limits, write s and its NUL just below p, move p down
    let len = s.len() + 1;
    if len > MAX_ARG_STRLEN {
        return Err(Errno::E2BIG);
    }
    if bprm.strings_size() + len > arg_limit(bprm.rlim_stack) {
        return Err(Errno::E2BIG);
    }
    let at = bprm.p - len;
    mm_write(&mut bprm.mm, at, s)?;
    mm_write(&mut bprm.mm, at + s.len(), &[0])?;
    bprm.p = at;
    Ok(at)
    // LAB 5 END
}

/// Argument or environment strings taken from the caller before the old image goes:
/// packed one after the other, each with its NUL, as they will lie on the new stack (one
/// buffer of at most `arg_limit` bytes, however many strings there are).
#[derive(Default)]
pub struct ArgStrings {
    bytes: Vec<u8>,
    count: usize,
}

impl ArgStrings {
    /// Add one string (without NUL).
    fn push(&mut self, s: &[u8]) -> KResult<()> {
        self.bytes
            .try_reserve(s.len() + 1)
            .map_err(|_| Errno::ENOMEM)?;
        self.bytes.extend_from_slice(s);
        self.bytes.push(0);
        self.count += 1;
        Ok(())
    }

    /// How many strings (argc or envc).
    pub fn len(&self) -> usize {
        self.count
    }

    /// No strings at all?
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The strings, last first, without their NULs.
    fn iter_rev(&self) -> impl Iterator<Item = &[u8]> {
        let body = self.bytes.strip_suffix(&[0]).unwrap_or(&[]);
        body.rsplit(|&b| b == 0).take(self.count)
    }
}

/// Read a NULL-terminated array of string pointers from user memory (Linux
/// `count` + `get_user_arg_ptr` + the reading half of `copy_strings`). A NULL array is
/// empty, as Linux allows.
#[cfg(target_os = "none")]
pub fn read_user_strings(list: usize) -> KResult<ArgStrings> {
    let mut out = ArgStrings::default();
    if list == 0 {
        return Ok(out);
    }
    // Bytes the strings and their pointers will take on the new stack, counted as we go.
    let mut total = 0usize;
    for i in 0.. {
        if i >= MAX_ARG_STRINGS {
            return Err(Errno::E2BIG);
        }
        let slot = list.checked_add(i * 8).ok_or(Errno::EFAULT)?;
        let ptr: usize = uaccess::get_user(slot)?;
        if ptr == 0 {
            break;
        }
        let s = uaccess::strncpy_from_user(ptr, MAX_ARG_STRLEN).map_err(|e| {
            if e == Errno::ENAMETOOLONG {
                Errno::E2BIG
            } else {
                e
            }
        })?;
        // Checked as we go, with a running total, so a huge array (a million empty
        // strings) fails early and fast, as Linux's `bprm_stack_limits` +
        // `copy_strings` would.
        total += s.len() + 1 + 8;
        if total > arg_limit(rlimit(RLIMIT_STACK)) {
            return Err(Errno::E2BIG);
        }
        out.push(&s)?;
    }
    Ok(out)
}

/// The strings of an `ArgSource`.
pub fn collect_strings(src: &ArgSource) -> KResult<ArgStrings> {
    match src {
        #[cfg(target_os = "none")]
        ArgSource::User(p) => read_user_strings(*p),
        ArgSource::Kernel(v) => {
            let mut out = ArgStrings::default();
            for s in v.iter() {
                out.push(s.as_bytes())?;
            }
            Ok(out)
        }
    }
}

/// Copy strings onto the new stack, last one first, so they end up in order (Linux
/// `copy_strings`).
pub fn copy_strings(bprm: &mut LinuxBinprm, strings: &ArgStrings) -> KResult<()> {
    // LAB 5 BEGIN: push every string so that they end up in order on the stack
    for s in strings.iter_rev() {
        push_string(bprm, s)?;
    }
    Ok(())
    // LAB 5 END
}
