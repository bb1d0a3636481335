//! The kernel half of the address space (TTBR1): the final page tables built at boot,
//! device mappings, and kernel stacks with guard pages.
//!
//! Mirrors Linux `arch/arm64/mm/mmu.c` (`paging_init`, `map_kernel`, `map_mem`,
//! `swapper_pg_dir`), `mm/ioremap.c` (`ioremap`) and `kernel/fork.c` with
//! CONFIG_VMAP_STACK (`alloc_thread_stack_node`). Simplified: ioremap never unmaps, and
//! the linear map is RW for all RAM (so the image's text has a second, non-executable
//! alias there, writable but never executable; Linux also makes that alias read-only).
//!
//! Read next: `page_table.rs` (the walker every function here calls).

use super::layout::{self, phys_to_virt, PAGE_SIZE, THREAD_SIZE};
use super::page_alloc::{self, KernelPhysMem};
use super::page_table::{MapError, PageSize, PageTable, Prot};
use crate::arch::mmu;
use crate::drivers::fdt::Region;
use core::fmt::{self, Write as _};
use spin::Mutex;

/// The kernel's page table (Linux `swapper_pg_dir`) and the next free ioremap address.
struct KernelSpace {
    pgd: PageTable,
    next_io: usize,
}

static KERNEL: Mutex<Option<KernelSpace>> = Mutex::new(None);
/// A page with no valid descriptors: TTBR0 when no user space is active (Linux
/// `reserved_pg_dir`).
static RESERVED_PG_DIR: spin::Once<usize> = spin::Once::new();

extern "C" {
    static _text: u8;
    static _etext: u8;
    static __start_rodata: u8;
    static __end_rodata: u8;
    static _sdata: u8;
    static __bss_start: u8;
    static init_stack_guard: u8;
    static init_stack: u8;
    static _end: u8;
}

fn sym(s: *const u8) -> usize {
    s as usize
}

/// The kernel image's sections: (name, start, end, permissions). The boot stack's guard
/// `[init_stack_guard, init_stack)` is deliberately absent: left unmapped, it faults.
pub fn image_sections() -> [(&'static str, usize, usize, Prot); 4] {
    use core::ptr::addr_of;
    // Only the addresses of the linker symbols are taken, never their contents.
    {
        [
            (
                "text",
                sym(addr_of!(_text)),
                sym(addr_of!(_etext)),
                Prot::READ | Prot::EXEC,
            ),
            (
                "rodata",
                sym(addr_of!(__start_rodata)),
                sym(addr_of!(__end_rodata)),
                Prot::READ,
            ),
            (
                "data+bss",
                sym(addr_of!(_sdata)),
                sym(addr_of!(init_stack_guard)),
                Prot::READ | Prot::WRITE,
            ),
            (
                "stack",
                sym(addr_of!(init_stack)),
                sym(addr_of!(_end)),
                Prot::READ | Prot::WRITE,
            ),
        ]
    }
}

/// Bytes of the kernel image, bss included.
pub fn image_size() -> usize {
    sym(core::ptr::addr_of!(_end)) - sym(core::ptr::addr_of!(_text))
}

/// Build the final kernel page table and switch to it (Linux `paging_init`): the image
/// section by section with 4 KiB pages and W^X, the boot stack's guard left out, all
/// RAM in the linear map, and the console's UART. Then TTBR0 gets the empty table: from
/// here on a low address (NULL) faults in the kernel too.
///
/// Returns the UART's new virtual address.
pub fn paging_init(image_pa: usize, ram: &[Region], uart: Region) -> Result<usize, MapError> {
    let mut mem = KernelPhysMem;
    let mut pgd = PageTable::new(&mut mem)?;
    for (_, start, end, prot) in image_sections() {
        let pa = start - layout::KIMAGE_VADDR + image_pa;
        for off in (0..end - start).step_by(PAGE_SIZE) {
            pgd.map(&mut mem, start + off, pa + off, PageSize::Size4K, prot)?;
        }
    }
    for r in ram {
        pgd.map_range(
            &mut mem,
            phys_to_virt(r.start),
            r.start,
            r.size,
            Prot::READ | Prot::WRITE,
        )?;
    }
    let mut ks = KernelSpace {
        pgd,
        next_io: layout::IOREMAP_START,
    };
    let uart_va = ks.ioremap(&mut mem, uart.start, uart.size.max(PAGE_SIZE))?;
    let empty = page_alloc::get_zeroed_page().ok_or(MapError::NoMemory)?;
    // SAFETY: the new table maps text, data, bss and the boot stack at the addresses they
    // run at now, and the UART is re-based right after, before any print.
    unsafe { mmu::cpu_replace_ttbr1(ks.pgd.root(), empty, image_pa) };
    page_alloc::set_linear_map_ready();
    // SAFETY: uart_va maps the console's UART in the table just installed.
    unsafe { crate::printk::rebase(uart_va) };
    mmu::cpu_set_reserved_ttbr0(empty);
    RESERVED_PG_DIR.call_once(|| empty);
    *KERNEL.lock() = Some(ks);
    Ok(uart_va)
}

impl KernelSpace {
    fn ioremap(
        &mut self,
        mem: &mut KernelPhysMem,
        pa: usize,
        size: usize,
    ) -> Result<usize, MapError> {
        let first = pa & !(PAGE_SIZE - 1);
        let len = (pa + size - first).div_ceil(PAGE_SIZE) * PAGE_SIZE;
        let va = self.next_io;
        if va + len > layout::IOREMAP_END {
            return Err(MapError::NoMemory);
        }
        let prot = Prot::READ | Prot::WRITE | Prot::DEVICE;
        for off in (0..len).step_by(PAGE_SIZE) {
            self.pgd
                .map(mem, va + off, first + off, PageSize::Size4K, prot)?;
        }
        self.next_io = va + len + PAGE_SIZE; // an unmapped page between devices
        Ok(va + (pa - first))
    }
}

/// Map device registers at `pa` (Linux `ioremap`): returns their kernel address.
pub fn ioremap(pa: usize, size: usize) -> Result<usize, MapError> {
    let mut guard = KERNEL.lock();
    let ks = guard.as_mut().ok_or(MapError::NotMapped)?;
    let va = ks.ioremap(&mut KernelPhysMem, pa, size)?;
    mmu::flush_tlb_all();
    Ok(va)
}

/// The empty table TTBR0 holds while no user address space is active.
pub fn reserved_pg_dir() -> usize {
    RESERVED_PG_DIR.get().copied().unwrap_or(0)
}

/// A kernel stack: THREAD_SIZE of mapped pages in a slot of the vmap area, with the
/// slot's unmapped upper half as the guard of the stack above it (see `layout.rs`).
pub struct KernelStack {
    slot: usize,
}

impl KernelStack {
    /// Lowest address of the stack.
    pub fn base(&self) -> usize {
        layout::kstack_slot_base(self.slot)
    }
    /// The initial stack pointer (one past the highest byte).
    pub fn top(&self) -> usize {
        self.base() + THREAD_SIZE
    }
}

static KSTACK_SLOTS: Mutex<[u64; layout::KSTACK_SLOTS / 64]> =
    Mutex::new([0; layout::KSTACK_SLOTS / 64]);

/// Allocate and map a kernel stack (Linux `alloc_thread_stack_node` with VMAP_STACK).
pub fn alloc_kernel_stack() -> Option<KernelStack> {
    let slot = {
        let mut slots = KSTACK_SLOTS.lock();
        // Slot 0 is never used, so that every stack has an unmapped half below it.
        let slot = (1..layout::KSTACK_SLOTS).find(|&i| slots[i / 64] & (1 << (i % 64)) == 0)?;
        slots[slot / 64] |= 1 << (slot % 64);
        slot
    };
    let stack = KernelStack { slot };
    let mut guard = KERNEL.lock();
    let ks = guard.as_mut()?;
    for off in (0..THREAD_SIZE).step_by(PAGE_SIZE) {
        let Some(pa) = page_alloc::alloc_page() else {
            drop(guard);
            free_kernel_stack(stack);
            return None;
        };
        if ks
            .pgd
            .map(
                &mut KernelPhysMem,
                stack.base() + off,
                pa,
                PageSize::Size4K,
                Prot::READ | Prot::WRITE,
            )
            .is_err()
        {
            page_alloc::free_page(pa);
            drop(guard);
            free_kernel_stack(stack);
            return None;
        }
    }
    Some(stack)
}

/// Unmap a kernel stack and free its frames (Linux `free_thread_stack`).
pub fn free_kernel_stack(stack: KernelStack) {
    drop(stack);
}

impl Drop for KernelStack {
    /// A stack dropped anywhere is freed: `copy_process` allocates it before steps that
    /// can fail (out of memory in `dup_mmap`, no pid left), and every early return
    /// used to leak its frames and slot.
    fn drop(&mut self) {
        if let Some(ks) = KERNEL.lock().as_mut() {
            for off in (0..THREAD_SIZE).step_by(PAGE_SIZE) {
                if let Ok((pa, _)) = ks.pgd.unmap(&mut KernelPhysMem, self.base() + off) {
                    mmu::flush_tlb_kernel_page(self.base() + off);
                    page_alloc::free_page(pa);
                }
            }
        }
        KSTACK_SLOTS.lock()[self.slot / 64] &= !(1 << (self.slot % 64));
    }
}

/// A page-table walk of `va` in whichever half it belongs to, for crash reports.
pub fn describe_walk(va: usize) -> WalkReport {
    WalkReport(va)
}

/// See `describe_walk`.
pub struct WalkReport(usize);

impl fmt::Display for WalkReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let va = self.0;
        let (root, half) = if layout::is_user_addr(va) {
            (mmu::ttbr0_root(), "TTBR0, user half")
        } else if layout::is_kernel_addr(va) {
            (mmu::ttbr1_root(), "TTBR1, kernel half")
        } else {
            return writeln!(
                f,
                "  0x{:016x} is in the hole between TASK_SIZE and VA_START: not canonical",
                va
            );
        };
        if !page_alloc::linear_map_ready() {
            return Ok(());
        }
        writeln!(
            f,
            "  page table walk of 0x{:016x} ({}, root 0x{:x}):",
            va, half, root
        )?;
        // No heap here: a crash report must work even if the heap is what broke.
        let walk = PageTable::from_root(root).walk(&mut KernelPhysMem, va);
        let mut out = Indent {
            f,
            at_line_start: true,
        };
        write!(out, "{}", walk)?;
        if !out.at_line_start {
            writeln!(out.f)?;
        }
        Ok(())
    }
}

/// Indents every line written through it by four spaces.
struct Indent<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    at_line_start: bool,
}

impl fmt::Write for Indent<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for piece in s.split_inclusive('\n') {
            if self.at_line_start {
                self.f.write_str("    ")?;
            }
            self.f.write_str(piece)?;
            self.at_line_start = piece.ends_with('\n');
        }
        Ok(())
    }
}
