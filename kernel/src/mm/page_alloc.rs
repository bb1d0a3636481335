//! The kernel's one physical frame allocator, and the calls the rest of the kernel uses
//! (Linux `alloc_page`, `get_zeroed_page`, `__free_page`, `nr_free_pages` in
//! `mm/page_alloc.c`). The allocator itself is `frame::FrameAllocator`; this file owns
//! the global instance, its bitmap, and zeroing through the linear map.
//!
//! Boot order matters: `init` runs before the linear map exists, while the early identity
//! map (head.S) still covers RAM, so until `linear_map_ready` a frame's contents are
//! reached at its physical address. `kmap::paging_init` flips that switch.

use super::frame::FrameAllocator;
use super::layout::{phys_to_virt, PAGE_SIZE};
use super::page_ref::PageRefs;
use super::page_table::PhysMem;
use crate::drivers::fdt::Region;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use spin::Mutex;

/// Largest RAM Linnet manages: 16 GiB (4 Mi frames, a 512 KiB bitmap in bss).
pub const MAX_FRAMES: usize = 4 << 20;

static mut BITMAP: [u64; MAX_FRAMES / 64] = [0; MAX_FRAMES / 64];
static FRAMES: Mutex<Option<FrameAllocator<'static>>> = Mutex::new(None);
static LINEAR_MAP: AtomicBool = AtomicBool::new(false);
/// One reference count per frame (Linux `mem_map`, the `_refcount` of `struct page`),
/// allocated from RAM by `init_mem_map` once the linear map exists.
static MEM_MAP: spin::Once<PageRefs<'static>> = spin::Once::new();

/// Hand RAM `[base, base + nframes pages)` to the allocator, except the `reserved`
/// ranges (Linux `memblock_add` + `memblock_reserve`, then `memblock_free_all`).
pub fn init(ram: &[Region], reserved: &[Region]) {
    let base = ram.iter().map(|r| r.start).min().unwrap_or(0);
    let end = ram.iter().map(|r| r.end()).max().unwrap_or(0);
    let nframes = ((end - base) / PAGE_SIZE).min(MAX_FRAMES);
    // SAFETY: called once at boot before any other use of BITMAP; from here on the
    // bitmap is only reached through the FRAMES lock.
    let bitmap = unsafe { &mut *core::ptr::addr_of_mut!(BITMAP) };
    let mut fa = FrameAllocator::new(base, nframes, bitmap);
    for r in ram {
        fa.add_free_range(r.start, r.end());
    }
    for r in reserved {
        fa.reserve_range(r.start, r.end());
    }
    *FRAMES.lock() = Some(fa);
}

/// From now on frame contents are reached through the linear map.
pub fn set_linear_map_ready() {
    LINEAR_MAP.store(true, Ordering::Release);
}

/// Is the linear map in use (after `paging_init`)?
pub fn linear_map_ready() -> bool {
    LINEAR_MAP.load(Ordering::Acquire)
}

/// Where the kernel reaches physical address `pa` right now.
pub fn frame_ptr(pa: usize) -> *mut u8 {
    if linear_map_ready() {
        phys_to_virt(pa) as *mut u8
    } else {
        pa as *mut u8
    }
}

/// One frame, contents undefined (Linux `alloc_page`).
pub fn alloc_page() -> Option<usize> {
    FRAMES.lock().as_mut()?.alloc()
}

/// One frame filled with zeros (Linux `get_zeroed_page`).
pub fn get_zeroed_page() -> Option<usize> {
    let pa = alloc_page()?;
    // SAFETY: the frame was just allocated, so nobody else uses it, and frame_ptr gives
    // a mapping of it (identity map before paging_init, linear map after).
    unsafe { core::ptr::write_bytes(frame_ptr(pa), 0, PAGE_SIZE) };
    Some(pa)
}

/// `count` physically contiguous frames aligned to `align` frames (Linux
/// `alloc_contig_pages`).
pub fn alloc_contiguous(count: usize, align: usize) -> Option<usize> {
    FRAMES.lock().as_mut()?.alloc_contiguous(count, align)
}

/// Give a frame back (Linux `__free_page`).
pub fn free_page(pa: usize) {
    if let Some(fa) = FRAMES.lock().as_mut() {
        fa.free(pa);
    }
}

/// Give back the whole frames of `[start, end)`, a boot-time reservation no longer
/// needed, and say how many (Linux `free_reserved_area`, which `free_initrd_mem` calls
/// once the initramfs is unpacked). A partial frame at either end stays reserved.
pub fn free_reserved_area(start: usize, end: usize) -> usize {
    let mut frames = FRAMES.lock();
    let Some(fa) = frames.as_mut() else {
        return 0;
    };
    let before = fa.free_count();
    fa.add_free_range(start, end);
    fa.free_count() - before
}

/// Free frames now (Linux `nr_free_pages`): the number later tests compare before and
/// after, to prove nothing leaked.
pub fn nr_free_pages() -> usize {
    FRAMES.lock().as_ref().map(|f| f.free_count()).unwrap_or(0)
}

/// Frames the allocator covers (RAM, holes between banks included).
pub fn nr_total_pages() -> usize {
    FRAMES.lock().as_ref().map(|f| f.total_count()).unwrap_or(0)
}

/// Allocate the per-frame reference counts (Linux `alloc_node_mem_map`). Runs after
/// `paging_init`, so the array is reached through the linear map.
pub fn init_mem_map() -> Option<()> {
    let (base, nframes) = {
        let guard = FRAMES.lock();
        let fa = guard.as_ref()?;
        (fa.base(), fa.total_count())
    };
    let bytes = nframes * core::mem::size_of::<AtomicU32>();
    let pages = bytes.div_ceil(PAGE_SIZE);
    let pa = alloc_contiguous(pages, 1)?;
    let ptr = phys_to_virt(pa) as *mut AtomicU32;
    // SAFETY: the frames were just allocated for this array alone and stay allocated for
    // the kernel's lifetime; zeroed memory is a valid AtomicU32 of value 0.
    let counts = unsafe {
        core::ptr::write_bytes(ptr as *mut u8, 0, pages * PAGE_SIZE);
        core::slice::from_raw_parts(ptr, nframes)
    };
    MEM_MAP.call_once(|| PageRefs::new(base, PAGE_SIZE, counts));
    Some(())
}

fn refs() -> &'static PageRefs<'static> {
    MEM_MAP
        .get()
        .expect("mem_map used before init_mem_map (kernel bug)")
}

/// A zeroed frame for user memory, with reference count 1 (Linux
/// `alloc_zeroed_user_highpage_movable` for anonymous faults).
pub fn alloc_user_page() -> Option<usize> {
    let pa = get_zeroed_page()?;
    refs().set_one(pa);
    Some(pa)
}

/// Take another reference to a user frame: one more page table maps it (Linux `get_page`).
pub fn get_page(pa: usize) {
    refs().get(pa);
}

/// Drop a reference; the last one frees the frame (Linux `put_page`).
pub fn put_page(pa: usize) {
    if refs().put(pa) {
        free_page(pa);
    }
}

/// How many page tables map this user frame (Linux `page_count`).
pub fn page_count(pa: usize) -> u32 {
    refs().count(pa)
}

/// The kernel virtual address of user frame `pa`'s contents (Linux `page_address`): its
/// place in the linear map. (Host unit tests get theirs from `page_alloc_host.rs`.)
pub fn page_address(pa: usize) -> usize {
    phys_to_virt(pa)
}

/// Page-table memory for the kernel: frames from the page allocator, reached through
/// `frame_ptr` (the identity map during `paging_init`, the linear map after).
pub struct KernelPhysMem;

impl PhysMem for KernelPhysMem {
    fn table(&mut self, pa: usize) -> *mut u64 {
        frame_ptr(pa) as *mut u64
    }
    fn alloc_table(&mut self) -> Option<usize> {
        get_zeroed_page()
    }
    fn free_table(&mut self, pa: usize) {
        free_page(pa)
    }
}
