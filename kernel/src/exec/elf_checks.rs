//! The order of Linux's ELF checks (`load_elf_binary`, fs/binfmt_elf.c), where it differs
//! from "refuse everything up front".
//!
//! Linux checks the file header, reads the program headers and opens the interpreter,
//! and only then calls `begin_new_exec`, the point of no return: the old program is
//! gone. Everything about the PT_LOADs (filesz > memsz, addresses out of range, offsets
//! that cannot be mapped, bss that does not fit) is found after it, and the process dies
//! of SIGSEGV (`bprm_execve`: `force_fatal_sig(SIGSEGV)`) instead of getting an errno.
//! Linnet does all its checks on the new mm first, then commits; it reproduces the
//! outcome: a failure it finds where Linux would be past that point kills the caller.
//!
//! Where Linnet is stricter on purpose, it refuses before that point with ENOEXEC:
//! a PT_INTERP (no dynamic loader; after Linux's own interpreter checks, so a missing
//! interpreter is still ENOENT), and a writable and executable segment (W^X). As in
//! Linux, a segment reaching past the end of the file is mapped (its pages wholly past
//! the end are SIGBUS when touched; `padzero` failing on such a page is ignored),
//! and overlapping segments are mapped in header order, a later one replacing an
//! earlier one (`MAP_FIXED`).

use super::elf::PlanError;

/// Linux's PATH_MAX: the longest PT_INTERP string `load_elf_binary` reads.
pub const PATH_MAX: u64 = uapi::limits::PATH_MAX as u64;

/// What a PT_INTERP's bytes say (`load_elf_binary`'s first loop): `Err(errno)` where
/// Linux fails before it opens the file, else the path to open. `read` reads `len` bytes
/// at an offset and says how many it got.
pub fn interp_path(
    p_offset: u64,
    p_filesz: u64,
    read: impl FnOnce(u64, &mut [u8]) -> usize,
) -> Result<alloc::vec::Vec<u8>, crate::errno::Errno> {
    use crate::errno::Errno;
    if !(2..=PATH_MAX).contains(&p_filesz) {
        return Err(Errno::ENOEXEC);
    }
    let mut buf = alloc::vec![0u8; p_filesz as usize];
    if read(p_offset, &mut buf) != buf.len() {
        return Err(Errno::EIO); // elf_read: a short read is -EIO
    }
    if buf.last() != Some(&0) {
        return Err(Errno::ENOEXEC); // not NUL-terminated
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf.truncate(end);
    Ok(buf)
}

/// Is `e` one Linnet reports before the point of no return (its own stricter rules;
/// Linux's `load_elf_binary` would go on and map it)?
pub fn refused_up_front(e: PlanError) -> bool {
    matches!(e, PlanError::Interpreter | PlanError::WriteAndExec)
}

/// Linux's overcommit guess (`__vm_enough_memory`, OVERCOMMIT_GUESS): one request for
/// more pages than RAM and swap hold is ENOMEM. The bss of a segment with a huge
/// p_memsz is such a request (`vm_brk_flags` in `set_brk`), past the point of no return.
pub fn bss_fits(bss_pages: u64, total_pages: u64) -> bool {
    bss_pages <= total_pages
}

#[cfg(target_os = "none")]
mod kernel {
    use super::super::bprm::LinuxBinprm;
    use super::super::elf::{ProgramHeader, PT_INTERP};
    use crate::errno::{Errno, KResult};
    use crate::fs::vfs;

    /// The first PT_INTERP, checked as Linux does (size, read, NUL, open), then refused:
    /// Linnet runs static programs only.
    pub fn check_interp(bprm: &LinuxBinprm, phdrs: &[ProgramHeader]) -> KResult<()> {
        let Some(p) = phdrs.iter().find(|p| p.p_type == PT_INTERP) else {
            return Ok(());
        };
        let file = bprm.file;
        let path = super::interp_path(p.p_offset, p.p_filesz, |off, buf| {
            vfs::kernel_read(file, off, buf).unwrap_or(0)
        })?;
        vfs::open_exec(vfs::AT_FDCWD, &path, 0)?;
        log::info!(
            "exec {}: ENOEXEC: PT_INTERP {}: no dynamic loader",
            bprm.filename.escape_ascii(),
            path.escape_ascii()
        );
        Err(Errno::ENOEXEC)
    }

    /// The end of an exec that failed past the point of no return (Linux `bprm_execve`:
    /// `force_fatal_sig`): SIGSEGV with its default action, whatever the program had
    /// set, so it dies before it runs another instruction. Returns `e` for the syscall.
    pub fn exec_fatal(e: Errno) -> Errno {
        use crate::task::signal::{force_sig, SigDisposition, SIGSEGV};
        let cur = crate::task::sched::current();
        cur.signal.inner.lock().action[SIGSEGV as usize] = SigDisposition::Default;
        force_sig(SIGSEGV);
        e
    }
}

#[cfg(target_os = "none")]
pub use kernel::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::Errno;

    fn file(data: &'static [u8]) -> impl FnOnce(u64, &mut [u8]) -> usize {
        move |off, buf| {
            let from = (off as usize).min(data.len());
            let n = buf.len().min(data.len() - from);
            buf[..n].copy_from_slice(&data[from..from + n]);
            n
        }
    }

    #[test]
    fn interp_checks_in_linux_order() {
        let f = b"xx/lib/ld.so\0yy";
        assert_eq!(interp_path(2, 11, file(f)), Ok(b"/lib/ld.so".to_vec()));
        assert_eq!(interp_path(2, 1, file(f)), Err(Errno::ENOEXEC)); // too short
        assert_eq!(interp_path(2, 5000, file(f)), Err(Errno::ENOEXEC)); // > PATH_MAX
        assert_eq!(interp_path(10, 11, file(f)), Err(Errno::EIO)); // short read
        assert_eq!(interp_path(2, 10, file(f)), Err(Errno::ENOEXEC)); // no NUL at the end
    }

    #[test]
    fn which_failures_kill() {
        assert!(refused_up_front(PlanError::WriteAndExec));
        assert!(!refused_up_front(PlanError::FileszOverMemsz));
        assert!(!bss_fits(0x2a0000002a / 4096, 32768));
        assert!(bss_fits(16, 32768));
    }
}
