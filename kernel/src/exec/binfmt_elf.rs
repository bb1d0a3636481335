//! Loading an ELF executable (Linux `fs/binfmt_elf.c`: `load_elf_binary`, `elf_map`,
//! `make_prot`, `padzero`, `set_brk`, `create_elf_tables`; `start_thread` in
//! `arch/arm64/include/asm/processor.h`).
//!
//! In order: check the headers (`elf.rs`), place every PT_LOAD (`plan_load`), then map
//! each one into the new address space as a file-backed VMA with `make_prot`'s
//! permissions, zero the bss tail and add anonymous pages up to `p_memsz`, set the brk,
//! finish the stack (`setup_arg_pages`) and build the Linux initial stack
//! (`create_elf_tables`, `elf_tables.rs`). Nothing touches the running process: `exec/mod.rs` commits the
//! result at the point of no return. Simplified: no PT_INTERP (static programs only),
//! no executable stacks, no brk randomization.

use super::bprm::LinuxBinprm;
use super::elf::{self, LoadPlan, PF_R, PF_W, PF_X};
use super::elf_tables::create_elf_tables;
use super::stack::{arch_mmap_rnd, randomize_stack_top, setup_arg_pages};
use crate::errno::{Errno, KResult};
use crate::fs::vfs::{self, RamFile};
use crate::mm::access_remote::{FollFlags, RemoteBuf};
use crate::mm::fault::{handle_mm_fault, Access, VmFault};
use crate::mm::layout::{self, PAGE_SIZE};
use crate::mm::mmap::{PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::mm::vma::{VmArea, VmFlags};
use alloc::sync::Arc;
use alloc::vec;

/// PF_R/W/X to PROT_READ/WRITE/EXEC (Linux `make_prot`).
pub fn make_prot(p_flags: u32) -> u32 {
    // LAB 4 BEGIN: translate PF_R, PF_W, PF_X to PROT_READ, PROT_WRITE, PROT_EXEC
    let mut prot = 0;
    if p_flags & PF_R != 0 {
        prot |= PROT_READ;
    }
    if p_flags & PF_W != 0 {
        prot |= PROT_WRITE;
    }
    if p_flags & PF_X != 0 {
        prot |= PROT_EXEC;
    }
    prot
    // LAB 4 END
}

/// What `load_elf_binary` leaves for the commit: where to start and the stack pointer.
pub struct ElfLoaded {
    /// First instruction.
    pub entry: usize,
    /// Initial stack pointer (argc is at it).
    pub sp: usize,
    /// What was added to every p_vaddr (0 for ET_EXEC), for debuggers.
    pub load_bias: usize,
}

/// Is this an ELF file at all? (The first test of `load_elf_binary`, so that
/// `search_binary_handler` can try the next format.)
pub fn is_elf(buf: &[u8]) -> bool {
    buf.len() >= 4 && &buf[0..4] == b"\x7fELF"
}

/// Load the ELF file of `bprm` into `bprm.mm` (Linux `load_elf_binary`, up to but not
/// including the point of no return, which Linux calls in the middle and Linnet's caller
/// calls after: everything that can fail happens here, on the new mm only).
pub fn load_elf_binary(bprm: &mut LinuxBinprm, randomize: bool) -> KResult<ElfLoaded> {
    let h = elf::parse_header(&bprm.buf, bprm.file_size).map_err(|e| noexec(bprm, e.reason()))?;
    let mut table = vec![0u8; h.e_phnum as usize * elf::PHDR_SIZE];
    if vfs::kernel_read(bprm.file, h.e_phoff, &mut table)? != table.len() {
        return Err(noexec(bprm, "program headers outside the file"));
    }
    let phdrs = elf::parse_phdrs(&table);
    super::elf_checks::check_interp(bprm, &phdrs)?;
    let dyn_base = if randomize {
        // Linux arch_mmap_rnd: up to 2^18 pages above ELF_ET_DYN_BASE, aligned.
        layout::ELF_ET_DYN_BASE + arch_mmap_rnd()
    } else {
        layout::ELF_ET_DYN_BASE
    };
    let plan = elf::plan_load(
        &h,
        &phdrs,
        dyn_base as u64,
        PAGE_SIZE as u64,
        layout::MMAP_MIN_ADDR as u64,
        layout::TASK_SIZE as u64,
    )
    .map_err(|e| {
        // Linux's begin_new_exec comes here: later failures kill (elf_checks.rs).
        bprm.point_of_no_return = !super::elf_checks::refused_up_front(e);
        noexec(bprm, e.reason())
    })?;
    bprm.point_of_no_return = true;
    let total = crate::mm::page_alloc::nr_total_pages() as u64;
    for seg in &plan.segments {
        let bss_pages = (seg.mem_end - seg.file_end.max(seg.start)) / PAGE_SIZE as u64;
        if !super::elf_checks::bss_fits(bss_pages, total) {
            return Err(Errno::ENOMEM);
        }
    }

    // The stack first, as Linux does: its top is fixed before the segments are mapped.
    setup_arg_pages(
        bprm,
        randomize_stack_top(layout::STACK_TOP, randomize),
        randomize,
    )?;
    bprm.mm.mmap_base = super::stack::mmap_base(bprm.rlim_stack, randomize);
    super::trace_stage(
        bprm,
        "after setup_arg_pages (strings shifted to the stack top, VMA expanded by 128 KiB)",
    );

    let file = RamFile::new(bprm.file, &bprm.interp)?;
    for (seg, p) in plan
        .segments
        .iter()
        .zip(phdrs.iter().filter(|p| p.p_type == elf::PT_LOAD))
    {
        elf_map(bprm, &file, seg, make_prot(p.p_flags))?;
    }
    set_mm_bounds(bprm, &plan);
    super::trace_stage(bprm, "after the PT_LOAD mappings (elf_map) and set_brk");
    // ARCH_SETUP_ADDITIONAL_PAGES: [vvar] and [vdso].
    let vdso = crate::arch::vdso::arch_setup_additional_pages(&mut bprm.mm)?;

    let hwcap = crate::arch::cpu::elf_hwcap();
    let sp = create_elf_tables(bprm, &h, &plan, randomize, vdso, hwcap)?;
    Ok(ElfLoaded {
        entry: plan.entry as usize,
        sp,
        load_bias: plan.load_bias as usize,
    })
}

fn noexec(bprm: &LinuxBinprm, why: &str) -> Errno {
    log::info!("exec {}: ENOEXEC: {}", bprm.filename.escape_ascii(), why);
    Errno::ENOEXEC
}

/// Map one segment (Linux `elf_map` + the bss handling of `load_elf_binary`): the file
/// pages as a private file mapping, zeros from `p_filesz` to the end of its last page
/// (`padzero`), and anonymous zero pages from there to `p_memsz`. Like Linux's
/// `MAP_FIXED`, it replaces whatever an earlier segment mapped in its range.
fn elf_map(
    bprm: &mut LinuxBinprm,
    file: &Arc<RamFile>,
    seg: &elf::SegmentPlan,
    prot: u32,
) -> KResult<()> {
    // LAB 4 BEGIN: map the file pages, zero the bss tail of the last one, add anonymous bss pages
    let flags =
        VmFlags::from_prot_bits(prot) | VmFlags::MAYREAD | VmFlags::MAYWRITE | VmFlags::MAYEXEC;
    let (start, file_end, mem_end) = (
        seg.start as usize,
        seg.file_end as usize,
        seg.mem_end as usize,
    );
    crate::mm::mmap::do_munmap(&mut bprm.mm, start, mem_end - start)?;
    if file_end > start {
        let f: Arc<dyn crate::mm::vma::VmFile> = file.clone();
        bprm.mm
            .vmas
            .insert(VmArea::new_file(
                start,
                file_end,
                flags,
                f,
                seg.file_pgoff as usize,
            ))
            .map_err(Errno::from)?;
    }
    let zero_from = seg.zero_from as usize;
    if zero_from < file_end {
        // The last file page continues with whatever follows in the file: clear it. The
        // page is faulted in now, a private copy, and zeroed whatever the segment's
        // protection (FOLL_FORCE). A page wholly past the end of the file cannot be
        // (SIGBUS): Linux 6.1 ignores its `padzero` failing there, and the program dies
        // of SIGBUS if it touches the page.
        match handle_mm_fault(&mut bprm.mm, zero_from, Access::Read) {
            Ok(()) => {
                let zeros = vec![0u8; file_end - zero_from];
                let buf = RemoteBuf::Write(&zeros);
                if bprm.mm.access_remote_vm(zero_from, buf, FollFlags::FORCE) != zeros.len() {
                    return Err(Errno::EFAULT);
                }
            }
            Err(VmFault::SigBus) => {}
            Err(_) => return Err(Errno::ENOMEM),
        }
    }
    if mem_end > file_end {
        bprm.mm
            .vmas
            .insert(VmArea::new_anon(file_end, mem_end, flags))
            .map_err(Errno::from)?;
    }
    Ok(())
    // LAB 4 END
}

/// Record where code, data and the heap are (Linux sets `mm->start_code` ... and calls
/// `set_brk`): the heap starts at the first page after the highest segment.
fn set_mm_bounds(bprm: &mut LinuxBinprm, plan: &LoadPlan) {
    let mm = &mut bprm.mm;
    mm.start_code = plan.start_code as usize;
    mm.end_code = plan.end_code as usize;
    mm.start_data = plan.start_data as usize;
    mm.end_data = plan.end_data as usize;
    let brk = (plan.elf_brk as usize).next_multiple_of(PAGE_SIZE);
    mm.start_brk = brk;
    mm.brk = brk;
}
