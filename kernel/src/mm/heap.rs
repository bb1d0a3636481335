//! The kernel heap behind `alloc` (`Box`, `Vec`, `String`): a linked-list allocator from
//! the `linked_list_allocator` crate over one contiguous run of frames (Linux's kmalloc
//! is a slab allocator over the page allocator; the heap is not this course's lesson).

use super::layout::{phys_to_virt, PAGE_SIZE};
use linked_list_allocator::LockedHeap;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Bytes of heap Linnet starts with: an eighth of RAM, at most 32 MiB.
pub fn heap_size(ram_bytes: usize) -> usize {
    (ram_bytes / 8).clamp(1 << 20, 32 << 20) & !(PAGE_SIZE - 1)
}

/// Take `bytes` of contiguous frames for the heap. Runs after `paging_init` (the heap is
/// reached through the linear map). Returns the heap's physical start.
pub fn init(bytes: usize) -> Option<usize> {
    let pa = super::page_alloc::alloc_contiguous(bytes / PAGE_SIZE, 1)?;
    // SAFETY: the frames were just allocated for the heap alone and are mapped RW in the
    // linear map for the kernel's lifetime.
    unsafe { HEAP.lock().init(phys_to_virt(pa) as *mut u8, bytes) };
    Some(pa)
}

/// Bytes of heap in use and free.
pub fn usage() -> (usize, usize) {
    let h = HEAP.lock();
    (h.used(), h.free())
}
