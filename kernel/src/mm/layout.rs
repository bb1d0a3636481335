//! The address-space layout: every constant that says where something lives.
//!
//! `kernel/src/mm/layout.rs` is the one place these numbers are written (docs/layout.md
//! draws and explains them). They follow Linux arm64 with 48-bit virtual addresses and
//! 4 KiB pages (`arch/arm64/include/asm/memory.h`, `asm/processor.h`, `asm/elf.h`), in
//! the classic (pre-5.4) naming the study notes use: user space below `TASK_SIZE`
//! through TTBR0, the kernel from `VA_START` up through TTBR1.
//!
//! ```text
//! 0xffff_ffff_ffff_ffff +----------------------+
//!                       | linear map of RAM    |  PAGE_OFFSET + pa
//! PAGE_OFFSET           +----------------------+  0xffff_8000_0000_0000
//!                       | ioremap (devices)    |  IOREMAP_START
//!                       | kernel stacks (vmap) |  KSTACK_START, guard page under each
//! VMALLOC_START         +----------------------+  0xffff_0000_4000_0000
//!                       | kernel image         |  KIMAGE_VADDR (text, rodata, data, bss)
//! KIMAGE_VADDR          +----------------------+  0xffff_0000_0800_0000
//!                       | (modules: unused)    |
//! VA_START              +----------------------+  0xffff_0000_0000_0000
//!                       | not canonical        |  any access faults
//! TASK_SIZE             +----------------------+  0x0001_0000_0000_0000
//!                       | user space (TTBR0)   |
//! 0                     +----------------------+
//! ```
//!
//! Read next: `docs/layout.md` (the same picture with sizes), `mm/page_table.rs`.

/// Bits of a page offset: 4 KiB pages (Linux `PAGE_SHIFT` with `CONFIG_ARM64_4K_PAGES`).
pub const PAGE_SHIFT: usize = 12;
/// Bytes in a page.
pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;
/// Mask that keeps the page-aligned part of an address (Linux `PAGE_MASK`).
pub const PAGE_MASK: usize = !(PAGE_SIZE - 1);

/// Virtual address bits translated by each half (Linux `VA_BITS`, `CONFIG_ARM64_VA_BITS_48`).
pub const VA_BITS: usize = 48;
/// End of user space: TTBR0 translates `[0, TASK_SIZE)` (Linux `TASK_SIZE_64`).
pub const TASK_SIZE: usize = 1 << VA_BITS;
/// Start of the kernel half: TTBR1 translates `[VA_START, 2^64)` (Linux `VA_START`, 4.x).
pub const VA_START: usize = !0usize << VA_BITS;
/// Size of the module area Linux keeps below the image; Linnet leaves it empty
/// (Linux `MODULES_VSIZE`).
pub const MODULES_VSIZE: usize = 128 << 20;
/// Where the kernel image is linked (Linux `KIMAGE_VADDR` = `MODULES_END`; no KASAN, no
/// KASLR). `linker.ld` uses the same number; a build-time check compares them.
pub const KIMAGE_VADDR: usize = VA_START + MODULES_VSIZE;
/// Start of the area for virtually mapped kernel memory (Linux `VMALLOC_START`).
pub const VMALLOC_START: usize = VA_START + (1 << 30);
/// Kernel stacks are mapped here one slot each, with an unmapped guard below
/// (Linux `CONFIG_VMAP_STACK`).
pub const KSTACK_START: usize = VMALLOC_START;
/// Bytes of kernel stack per task (Linux arm64 `THREAD_SIZE`, 16 KiB). The unoptimized
/// kernel of `make debug` (feature `kdebug`) needs more: 64 KiB, as Linux grows
/// THREAD_SIZE for KASAN builds.
pub const THREAD_SIZE: usize = 1 << THREAD_SHIFT;
/// Alignment of a kernel stack slot (Linux `THREAD_ALIGN` = 2 * `THREAD_SIZE` with
/// VMAP_STACK). As in Linux, the stack is the lower half of its slot and the upper half
/// stays unmapped, so it is the guard of the stack in the next slot up. In a valid stack
/// pointer bit `THREAD_SHIFT` is clear; an overflow into the guard sets it, and the
/// exception entry code (`entry.S`) tests that one bit.
pub const THREAD_ALIGN: usize = 2 * THREAD_SIZE;
/// `log2(THREAD_SIZE)`: the bit the exception entry tests to detect overflow.
pub const THREAD_SHIFT: usize = if cfg!(feature = "kdebug") { 16 } else { 14 };
/// Number of kernel stack slots (1 GiB of address space).
pub const KSTACK_SLOTS: usize = (1 << 30) / THREAD_ALIGN;
/// Device registers are mapped here by `ioremap` (Linux keeps them in vmalloc space too).
pub const IOREMAP_START: usize = KSTACK_START + KSTACK_SLOTS * THREAD_ALIGN;
/// End of the ioremap area.
pub const IOREMAP_END: usize = IOREMAP_START + (1 << 30);
/// End of the vmalloc area.
pub const VMALLOC_END: usize = PAGE_OFFSET;
/// Start of the linear map of all RAM (Linux 4.x `PAGE_OFFSET`: the top half of the
/// kernel half). Linnet maps physical address `pa` at `PAGE_OFFSET + pa`; Linux subtracts
/// `PHYS_OFFSET` first, which only saves address space.
pub const PAGE_OFFSET: usize = !0usize << (VA_BITS - 1);

/// Top of the user stack before randomization (Linux arm64 `STACK_TOP_MAX` = `TASK_SIZE_64`).
pub const STACK_TOP: usize = TASK_SIZE;
/// Where a static-PIE (ET_DYN) program is placed, before the random bias: two thirds of
/// the user half, as Linux `ELF_ET_DYN_BASE` in `arch/arm64/include/asm/elf.h`.
pub const ELF_ET_DYN_BASE: usize = (2 * TASK_SIZE / 3) & PAGE_MASK;

/// Lowest address a user mapping may start at: page 0 is never mapped, so a NULL
/// pointer always faults (Linux `mmap_min_addr`, default 4096 in `mm/Kconfig`).
pub const MMAP_MIN_ADDR: usize = PAGE_SIZE;

/// Gap kept free below a stack that grows down (Linux `stack_guard_gap`, 256 pages).
pub const STACK_GUARD_GAP: usize = 256 * PAGE_SIZE;

/// Smallest gap between the top of the mmap area and STACK_TOP (Linux `MIN_GAP` in
/// `mm/util.c`, 128 MiB): the stack can grow into it.
pub const MMAP_MIN_GAP: usize = 128 << 20;
/// Where mmap's top-down search starts without randomization (`norandmaps`). exec
/// computes the real one per process (`exec::stack::mmap_base`, Linux `mmap_base`):
/// below the stack's room to grow and its random offset, randomized itself.
pub const MMAP_BASE: usize = STACK_TOP - MMAP_MIN_GAP;

/// Entries in one page-table page (512 eight-byte descriptors in 4 KiB).
pub const PTRS_PER_TABLE: usize = 512;
/// Bytes mapped by one level-2 block (Linux `PMD_SIZE`).
pub const PMD_SIZE: usize = 2 << 20;
/// Bytes mapped by one level-1 block (Linux `PUD_SIZE`).
pub const PUD_SIZE: usize = 1 << 30;

/// The kernel virtual address of physical address `pa` in the linear map (Linux `__va`).
pub const fn phys_to_virt(pa: usize) -> usize {
    pa + PAGE_OFFSET
}

/// The physical address behind a linear-map address (Linux `__pa` for linear addresses).
pub const fn virt_to_phys(va: usize) -> usize {
    va - PAGE_OFFSET
}

/// Round `x` down to a page boundary.
pub const fn page_align_down(x: usize) -> usize {
    x & PAGE_MASK
}

/// Round `x` up to a page boundary (Linux `PAGE_ALIGN`); `None` if it would wrap.
pub const fn page_align_up(x: usize) -> Option<usize> {
    match x.checked_add(PAGE_SIZE - 1) {
        Some(y) => Some(y & PAGE_MASK),
        None => None,
    }
}

/// Is `va` a user address (TTBR0 half)?
pub const fn is_user_addr(va: usize) -> bool {
    va < TASK_SIZE
}

/// Is `va` a kernel address (TTBR1 half)?
pub const fn is_kernel_addr(va: usize) -> bool {
    va >= VA_START
}

/// The lowest address of kernel stack slot `i`: its stack is `[base, base + THREAD_SIZE)`,
/// its initial stack pointer `base + THREAD_SIZE`.
pub const fn kstack_slot_base(i: usize) -> usize {
    KSTACK_START + i * THREAD_ALIGN
}

// The layout is checked when the kernel compiles, so a wrong edit cannot boot.
const _: () = {
    assert!(PAGE_SIZE == 4096);
    assert!(VA_START == 0xffff_0000_0000_0000);
    assert!(TASK_SIZE == 0x0001_0000_0000_0000);
    assert!(PAGE_OFFSET == 0xffff_8000_0000_0000);
    assert!(KIMAGE_VADDR == 0xffff_0000_0800_0000);
    // The hole between the halves is what makes a non-canonical pointer fault.
    assert!(TASK_SIZE <= VA_START);
    // Each kernel region sits inside the one below it and in order.
    assert!(VA_START < KIMAGE_VADDR && KIMAGE_VADDR < VMALLOC_START);
    assert!(KSTACK_START < IOREMAP_START && IOREMAP_END <= VMALLOC_END);
    assert!(VMALLOC_END <= PAGE_OFFSET);
    // Block mappings need 2 MiB alignment for the image; stack slots need THREAD_ALIGN.
    assert!(KIMAGE_VADDR.is_multiple_of(PMD_SIZE));
    assert!(KSTACK_START.is_multiple_of(THREAD_ALIGN));
    assert!(1 << THREAD_SHIFT == THREAD_SIZE);
    // ELF_ET_DYN_BASE leaves room above it for the mmap area and the stack.
    assert!(ELF_ET_DYN_BASE.is_multiple_of(PAGE_SIZE) && ELF_ET_DYN_BASE < STACK_TOP);
    // 48-bit VA with 4 KiB pages is exactly 4 levels of 9 bits plus the page offset.
    assert!(VA_BITS == PAGE_SHIFT + 4 * 9);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_do_not_overlap() {
        assert!(is_user_addr(TASK_SIZE - 1));
        assert!(!is_user_addr(TASK_SIZE));
        assert!(!is_kernel_addr(TASK_SIZE));
        assert!(!is_kernel_addr(VA_START - 1));
        assert!(is_kernel_addr(VA_START));
        assert!(is_kernel_addr(usize::MAX));
    }

    #[test]
    fn linear_map_round_trips() {
        for pa in [0usize, 0x4000_0000, 0x4020_1234, 0x7fff_ffff_f000] {
            assert_eq!(virt_to_phys(phys_to_virt(pa)), pa);
            assert!(phys_to_virt(pa) >= PAGE_OFFSET);
        }
    }

    #[test]
    fn page_alignment() {
        assert_eq!(page_align_down(0x1fff), 0x1000);
        assert_eq!(page_align_up(0x1001), Some(0x2000));
        assert_eq!(page_align_up(0x1000), Some(0x1000));
        assert_eq!(page_align_up(0), Some(0));
        assert_eq!(page_align_up(usize::MAX), None);
    }

    #[test]
    fn stack_slots_have_guard_below() {
        let base = kstack_slot_base(3);
        assert_eq!(base % THREAD_ALIGN, 0);
        // Every address of the stack has bit THREAD_SHIFT clear; the guard below it
        // (the upper half of the slot below) has it set.
        for sp in [base, base + THREAD_SIZE - 16] {
            assert_eq!(sp & THREAD_SIZE, 0);
        }
        for sp in [base - 16, base - THREAD_SIZE] {
            assert_ne!(sp & THREAD_SIZE, 0);
        }
        assert!(kstack_slot_base(KSTACK_SLOTS - 1) + THREAD_ALIGN <= IOREMAP_START);
    }

    #[test]
    fn elf_et_dyn_base_is_two_thirds() {
        assert_eq!(ELF_ET_DYN_BASE, 0xaaaa_aaaa_a000);
    }
}
