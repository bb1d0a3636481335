//! exec: replacing a process's program (Linux `fs/exec.c`: `do_execve`,
//! `do_execveat_common`, `bprm_execve`, `exec_binprm`, `search_binary_handler`,
//! `begin_new_exec`, `setup_new_exec`; `kernel_execve` for init).
//!
//! The path, as in Linux and as the study notes draw it:
//!
//! ```text
//! do_execveat_common         open the file (open_exec), read argv/envp from the caller
//!   bprm_mm_init             a new mm whose stack VMA holds one page under STACK_TOP
//!   copy_strings             filename, envp, argv onto that page (bprm.p moves down)
//!   exec_binprm
//!     search_binary_handler  ELF (binfmt_elf.rs) or #! (binfmt_script.rs, then again)
//!       load_elf_binary      setup_arg_pages (shift + 128 KiB), elf_map each PT_LOAD,
//!                            set_brk, create_elf_tables (argc, argv, envp, auxv)
//!   begin_new_exec           the point of no return: the new mm replaces the old one
//!   start_thread             the saved user registers now start the new program
//! ```
//!
//! Until `begin_new_exec`, every failure returns an errno and the caller's program is
//! untouched: all the work so far was on the new mm, which is simply dropped. After it,
//! nothing can fail. With the bootarg `trace=exec`, the new mm's VMAs are printed in
//! /proc/PID/maps format after each stage.
//!
//! Modules: `bprm.rs` (LinuxBinprm, bprm_mm_init, copy_strings), `stack.rs`
//! (setup_arg_pages), `elf.rs` (ELF headers, placement checks), `binfmt_elf.rs`
//! (load_elf_binary), `elf_tables.rs` (create_elf_tables), `binfmt_script.rs` (#!).

pub mod binfmt_script;
pub mod bprm;
pub mod elf;
pub mod elf_checks;
pub mod elf_tables;
pub mod stack;

#[cfg(target_os = "none")]
pub mod binfmt_elf;

#[cfg(target_os = "none")]
pub use kernel::*;

#[cfg(target_os = "none")]
mod kernel {
    use super::binfmt_elf::{self, ElfLoaded};
    use super::binfmt_script::{self, parse_shebang};
    use super::bprm::{self, bprm_mm_init, copy_strings, push_string, ArgSource, LinuxBinprm};
    use crate::arch::context::{self, FpsimdState};
    use crate::arch::{TrapFrame, NO_SYSCALL};
    use crate::errno::{Errno, KResult};
    use crate::fs::vfs::{self, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW};
    use crate::mm::vma::{maps_line, VmFlags};
    use crate::task::sched::{self, current};
    use alloc::format;
    use alloc::string::String;
    use alloc::sync::Arc;
    use core::sync::atomic::{AtomicBool, Ordering};
    use spin::Mutex;

    /// Most `#!` rewrites before giving up (Linux: 5, then ELOOP).
    const MAX_INTERP_DEPTH: u32 = 5;

    static TRACE_EXEC: AtomicBool = AtomicBool::new(false);
    static RANDOMIZE: AtomicBool = AtomicBool::new(true);

    /// Set from bootargs: `trace=exec` and `norandmaps`.
    pub fn configure(trace: bool, randomize: bool) {
        TRACE_EXEC.store(trace, Ordering::Relaxed);
        RANDOMIZE.store(randomize, Ordering::Relaxed);
    }

    /// execve(2) (Linux `do_execve`). On success, returns the user registers that start
    /// the new program; the caller installs them as the task's saved registers.
    pub fn do_execve(filename: &[u8], argv: ArgSource, envp: ArgSource) -> KResult<TrapFrame> {
        do_execveat_common(AT_FDCWD, filename, argv, envp, 0)
    }

    /// execve and execveat (Linux `do_execveat_common` + `bprm_execve`).
    pub fn do_execveat_common(
        dirfd: i32,
        filename: &[u8],
        argv: ArgSource,
        envp: ArgSource,
        flags: u32,
    ) -> KResult<TrapFrame> {
        if flags & !(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 {
            return Err(Errno::EINVAL);
        }
        let (ino, size) = vfs::open_exec(dirfd, filename, flags)?;
        // Linux names a file reached through a dirfd "/dev/fd/N/name" (AT_EXECFN shows it).
        let name = if filename.starts_with(b"/") || dirfd == AT_FDCWD {
            filename.to_vec()
        } else if filename.is_empty() {
            format!("/dev/fd/{}", dirfd).into_bytes()
        } else {
            [format!("/dev/fd/{}/", dirfd).as_bytes(), filename].concat()
        };
        // The strings are read from the caller now, before the old image can change.
        let args = bprm::collect_strings(&argv)?;
        let envs = bprm::collect_strings(&envp)?;
        let mut bprm = bprm_mm_init(ino, size, &name, TRACE_EXEC.load(Ordering::Relaxed))?;
        trace_stage(&bprm, "after bprm_mm_init (one stack page under STACK_TOP)");
        bprm.exec = push_string(&mut bprm, &name)?;
        copy_strings(&mut bprm, &envs)?;
        copy_strings(&mut bprm, &args)?;
        bprm.argc = args.len();
        bprm.envc = envs.len();
        trace_stage(&bprm, "after copy_strings (filename, envp, argv)");
        let loaded = match exec_binprm(&mut bprm) {
            // Linux would have replaced the old program by now: it dies instead.
            Err(e) if bprm.point_of_no_return => return Err(super::elf_checks::exec_fatal(e)),
            r => r?,
        };
        Ok(begin_new_exec(bprm, loaded))
    }

    /// Find the format and load it, following `#!` lines to their interpreter (Linux
    /// `exec_binprm` + `search_binary_handler`).
    fn exec_binprm(bprm: &mut LinuxBinprm) -> KResult<ElfLoaded> {
        loop {
            bprm.buf = [0; bprm::BINPRM_BUF_SIZE];
            let file = bprm.file;
            vfs::kernel_read(file, 0, &mut bprm.buf)?;
            if binfmt_elf::is_elf(&bprm.buf) {
                return binfmt_elf::load_elf_binary(bprm, RANDOMIZE.load(Ordering::Relaxed));
            }
            let buf = bprm.buf;
            match parse_shebang(&buf) {
                Some(Ok(line)) => {
                    bprm.depth += 1;
                    if bprm.depth > MAX_INTERP_DEPTH {
                        return Err(Errno::ELOOP);
                    }
                    binfmt_script::load_script(bprm, line.interp, line.arg)?;
                }
                Some(Err(())) => return Err(Errno::ENOEXEC),
                None => {
                    log::info!(
                        "exec {}: ENOEXEC: neither ELF nor #!",
                        bprm.filename.escape_ascii()
                    );
                    return Err(Errno::ENOEXEC);
                }
            }
        }
    }

    /// The point of no return (Linux `begin_new_exec` + `setup_new_exec` +
    /// `start_thread`): other threads end, the new mm replaces the old one, close-on-exec
    /// files close, caught signals reset to default, and the saved user registers are set
    /// to start the new program (returned, for the caller to install). pid, parent and
    /// cwd stay.
    fn begin_new_exec(bprm: LinuxBinprm, loaded: ElfLoaded) -> TrapFrame {
        let cur = current();
        de_thread(&cur);
        linnet_gdb_exec_hook(
            bprm.interp.as_ptr(),
            bprm.interp.len(),
            loaded.load_bias,
            cur.pid(),
        );
        // Linux `__set_task_comm`: the last component, at most 15 bytes (here shown as
        // text; a name that is not UTF-8 keeps its bytes as replacement characters).
        let base = bprm.filename.rsplit(|&b| b == b'/').next().unwrap_or(b"");
        let name = String::from_utf8_lossy(&base[..base.len().min(15)]).into_owned();
        let exe = bprm.interp.clone();
        let new_mm = Arc::new(Mutex::new(bprm.mm));
        // exec_mm_release: robust futexes of the old image are released (and forgotten).
        crate::task::futex::futex_exit_release(&cur);
        let old_mm = {
            let mut inner = cur.inner.lock();
            inner.comm = name;
            inner.clear_child_tid = 0;
            inner.tls = 0;
            // setup_new_exec: the alternate signal stack was in the old address space.
            inner.sas_ss_sp = 0;
            inner.sas_ss_size = 0;
            inner.mm.replace(new_mm)
        };
        sched::activate_mm(); // TTBR0 leaves the old tables before they are freed
        drop(old_mm);
        crate::task::fork::exec_mm_release(&cur, &exe); // a vfork parent may run again
                                                        // unshare_files + do_close_on_exec
        let files = cur.inner.lock().files.clone();
        let private = Arc::new(Mutex::new(files.lock().clone()));
        let closed = private.lock().close_on_exec();
        cur.inner.lock().files = private;
        drop(files);
        drop(closed);
        // Handlers back to SIG_DFL (SIG_IGN stays), flags and masks cleared.
        crate::task::signal::flush_signal_handlers(&mut cur.signal.inner.lock());
        crate::time::timer_list::exec_itimers(cur.tgid()); // POSIX timers go; itimers stay
        context::write_tpidr_el0(0);
        context::fpsimd_load(&FpsimdState::default());
        // start_thread: a clean register set at EL0 (PSTATE 0: EL0t, interrupts on).
        TrapFrame {
            pc: loaded.entry as u64,
            sp: loaded.sp as u64,
            pstate: 0,
            syscallno: NO_SYSCALL, // forget_syscall: nothing to restart in the new program
            ..Default::default()
        }
    }

    /// Called at every successful exec with the program's path and load bias, so that the
    /// gdb helpers (`qemu/linnet_gdb.py`) can break here and load the program's symbols at
    /// the right addresses. It does nothing itself; `inline(never)` keeps it breakable.
    #[no_mangle]
    #[inline(never)]
    pub extern "C" fn linnet_gdb_exec_hook(
        path: *const u8,
        len: usize,
        load_bias: usize,
        pid: i32,
    ) {
        core::hint::black_box((path, len, load_bias, pid));
    }

    /// Make the caller the only thread of its process (Linux `de_thread`): the others
    /// get SIGKILL and are waited for; a non-leader caller takes over the leader's pid.
    fn de_thread(cur: &Arc<crate::task::task::TaskStruct>) {
        if cur.signal.inner.lock().live == 1 {
            return;
        }
        crate::task::exit::zap_other_threads(cur);
        while cur.signal.inner.lock().live > 1 {
            sched::schedule(); // the killed threads run to their exit
        }
        crate::task::exit::take_over_leader(cur);
    }

    /// Start init (Linux `kernel_execve` from `run_init_process`): exec from a kernel
    /// thread with kernel-supplied argv and envp.
    pub fn kernel_execve(path: &str, argv: &[String], envp: &[String]) -> KResult<()> {
        let regs = do_execve(
            path.as_bytes(),
            ArgSource::Kernel(argv),
            ArgSource::Kernel(envp),
        )?;
        let frame = current().pt_regs().ok_or(Errno::EINVAL)?;
        // SAFETY: a kernel thread's saved user registers, at the top of its own stack; no
        // reference to them exists while it runs kernel code.
        unsafe { frame.write(regs) };
        Ok(())
    }

    /// Print the new address space in /proc/PID/maps format (bootarg `trace=exec`).
    pub fn trace_stage(bprm: &LinuxBinprm, stage: &str) {
        if !bprm.trace {
            return;
        }
        crate::println!("exec trace: {}: {}", bprm.filename.escape_ascii(), stage);
        let mm = &bprm.mm;
        for v in mm.vmas.iter() {
            let name = if v.vm_flags.contains(VmFlags::GROWSDOWN) {
                "[stack]"
            } else if v.vm_file.is_none()
                && v.vm_start >= mm.start_brk
                && v.vm_end <= crate::mm::layout::page_align_up(mm.brk).unwrap_or(0)
                && mm.brk > mm.start_brk
            {
                "[heap]"
            } else {
                ""
            };
            crate::println!("  {}", maps_line(v, name));
        }
        crate::println!(
            "  bprm->p = 0x{:x}, argc {}, envc {}",
            bprm.p,
            bprm.argc,
            bprm.envc
        );
    }
}
