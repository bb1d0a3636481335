//! Moving the argument pages to their final place and giving the stack room to grow
//! (Linux `fs/exec.c`: `setup_arg_pages`, `shift_arg_pages`; `randomize_stack_top` in
//! `mm/util.c`; `arch_align_stack` in `arch/arm64/kernel/process.c`).
//!
//! `bprm_mm_init` put the stack VMA right under STACK_TOP, before anyone knew where the
//! stack should end up. Now that the binary is accepted, the top is chosen (randomized
//! unless `norandmaps`), the pages holding the strings are moved down to it (the page
//! table entries move; the frames stay), and the VMA is extended 128 KiB downwards.

use super::bprm::LinuxBinprm;
use crate::errno::{Errno, KResult};
use crate::mm::layout::{self, PAGE_SIZE};
use crate::mm::page_table::Prot;

/// Bits of page-granular stack randomization (Linux arm64 `STACK_RND_MASK` for 48-bit
/// VA: 0x3ffff pages, up to 1 GiB).
pub const STACK_RND_MASK: usize = 0x3ffff;
/// Bits of mmap and PIE-base randomization in pages (Linux `mmap_rnd_bits`: arm64's
/// `CONFIG_ARCH_MMAP_RND_BITS` default of 18 for 48-bit VA and 4 KiB pages).
pub const MMAP_RND_BITS: u32 = 18;

/// A random page-aligned offset below 2^MMAP_RND_BITS pages (Linux arm64 `arch_mmap_rnd`),
/// for mmap_base and a static-PIE program's load base.
pub fn arch_mmap_rnd() -> usize {
    (crate::random::get_random_u64() as usize & ((1 << MMAP_RND_BITS) - 1)) << layout::PAGE_SHIFT
}

/// How far the stack VMA is extended below the strings (Linux's fixed 128 KiB in
/// `setup_arg_pages`: "randomly 32*4k (or 2*64k) pages").
pub const STACK_EXPAND: usize = 128 << 10;

/// The top of the new stack (Linux `randomize_stack_top(STACK_TOP)`).
pub fn randomize_stack_top(stack_top: usize, randomize: bool) -> usize {
    if !randomize {
        return stack_top;
    }
    let rnd = (crate::random::get_random_u64() as usize & STACK_RND_MASK) << layout::PAGE_SHIFT;
    (stack_top & !(PAGE_SIZE - 1)) - rnd
}

/// Move the stack pages and the VMA down by `shift` bytes (Linux `shift_arg_pages`,
/// which uses `move_page_tables`): each present page's entry is re-made `shift` lower.
fn shift_arg_pages(bprm: &mut LinuxBinprm, shift: usize) -> KResult<()> {
    let mm = &mut bprm.mm;
    let vma = mm
        .vmas
        .find_vma(layout::STACK_TOP - 1)
        .cloned()
        .ok_or(Errno::EFAULT)?;
    let (old_start, old_end) = (vma.vm_start, vma.vm_end);
    mm.vmas
        .remove_range(old_start, old_end)
        .map_err(Errno::from)?;
    let mut moved = vma.clone();
    moved.vm_start -= shift;
    moved.vm_end -= shift;
    mm.vmas.insert(moved).map_err(Errno::from)?;
    let mut va = old_start;
    while va < old_end {
        if let Some((pa, _)) = mm.lookup(va) {
            crate::mm::page_alloc::get_page(pa); // keep the frame across the unmap
            mm.zap_range(va, va + PAGE_SIZE);
            mm.map_page(va - shift, pa, Prot::READ | Prot::WRITE)?;
        }
        va += PAGE_SIZE;
    }
    Ok(())
}

/// Lower `sp` by a random amount below one page and align it to 16 bytes (Linux
/// `arch_align_stack`, `arch/arm64/kernel/process.c`); just the alignment with
/// `norandmaps`.
pub fn arch_align_stack(sp: usize, randomize: bool) -> usize {
    let sp = if randomize {
        sp - (crate::random::get_random_u64() as usize % PAGE_SIZE)
    } else {
        sp
    };
    sp & !0xf
}

/// Finish the new stack (Linux `setup_arg_pages`): align the chosen top, shift the
/// strings there, then extend the VMA by STACK_EXPAND (bounded by RLIMIT_STACK).
pub fn setup_arg_pages(bprm: &mut LinuxBinprm, stack_top: usize, randomize: bool) -> KResult<()> {
    // Linux: `stack_top = arch_align_stack(stack_top); stack_top = PAGE_ALIGN(stack_top);`.
    // The top from `randomize_stack_top` is already page aligned, so the sub-page offset
    // arch_align_stack takes off is put back by rounding *up* to the page: the top stays
    // where it was. (The sub-page randomness that does reach the stack pointer comes from
    // the second arch_align_stack, in `create_elf_tables`.)
    let stack_top =
        layout::page_align_up(arch_align_stack(stack_top, randomize)).ok_or(Errno::ENOMEM)?;
    let vm_end = layout::STACK_TOP;
    let stack_shift = vm_end - stack_top;
    let rlim = bprm.rlim_stack;
    if stack_top < layout::MMAP_MIN_ADDR + rlim.min(crate::task::rlimit::STK_LIM as usize) {
        return Err(Errno::ENOMEM);
    }
    bprm.p -= stack_shift;
    bprm.exec -= stack_shift;
    bprm.mm.arg_start = bprm.p;
    if stack_shift != 0 {
        shift_arg_pages(bprm, stack_shift)?;
    }
    let mm = &mut bprm.mm;
    let vma = mm
        .vmas
        .find_vma(stack_top - 1)
        .cloned()
        .ok_or(Errno::EFAULT)?;
    let stack_size = vma.vm_end - vma.vm_start;
    let stack_base = if stack_size + STACK_EXPAND > rlim {
        vma.vm_end - rlim
    } else {
        vma.vm_start - STACK_EXPAND
    };
    mm.start_stack = bprm.p;
    mm.vmas
        .expand_down(vma.vm_start, stack_base & !(PAGE_SIZE - 1))
        .map_err(|_| Errno::EFAULT)?;
    Ok(())
}

/// Where mmap's top-down search starts, below the stack and its room to grow (Linux
/// `mmap_base` in `mm/util.c`, called through `arch_pick_mmap_layout` by
/// `setup_new_exec`): the gap is RLIMIT_STACK plus the guard gap plus the most the stack
/// top may have been randomized, clamped to [128 MiB, 5/6 of TASK_SIZE], and the base
/// itself is randomized by up to 2^18 pages (arm64 `arch_mmap_rnd`).
pub fn mmap_base(stack_rlimit: usize, randomize: bool) -> usize {
    let stack_rnd = if randomize {
        STACK_RND_MASK << layout::PAGE_SHIFT
    } else {
        0
    };
    let gap = stack_rlimit
        .saturating_add(layout::STACK_GUARD_GAP)
        .saturating_add(stack_rnd)
        .clamp(layout::MMAP_MIN_GAP, layout::TASK_SIZE / 6 * 5);
    let rnd = if randomize { arch_mmap_rnd() } else { 0 };
    (layout::STACK_TOP - gap - rnd) & !(PAGE_SIZE - 1)
}

#[cfg(test)]
pub(crate) mod tests;
