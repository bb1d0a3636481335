//! A small malloc: small blocks from the brk heap, big ones straight from mmap.
//!
//! This is the split the Linux notes describe (and glibc's malloc makes): a small request
//! is carved out of the heap, which grows with `brk` (kernel: `do_brk` in
//! `kernel/src/mm/mmap.rs`); a request above [`MMAP_THRESHOLD`] (glibc's default
//! `M_MMAP_THRESHOLD`, 128 KiB) gets its own anonymous mapping (`do_mmap`) and is
//! `munmap`ped when freed. Watch both happen with the `brk_demo` program.
//!
//! Small blocks come in power-of-two size classes (16 bytes .. 128 KiB). A freed block
//! goes on its class's free list and is reused by the next request of that class; the heap
//! itself never shrinks. Simple, and plenty for a shell and its tools.
//!
//! ulib does not install it: a program (or a library it links) opts in with
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: ulib::heap::Heap = ulib::heap::Heap::new();
//! ```

use crate::mm::{self, PAGE_SIZE};
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr;
use core::sync::atomic::{AtomicBool, Ordering};

/// Requests larger than this get their own mmap (glibc's default `M_MMAP_THRESHOLD`).
pub const MMAP_THRESHOLD: usize = 128 * 1024;
/// The smallest block: room for the free-list link, and 16-byte aligned like malloc's.
const MIN_SHIFT: u32 = 4;
/// Number of size classes: 16 B (2^4) .. 128 KiB (2^17).
const CLASSES: usize = 14;
/// The heap grows by at least this much per brk call.
const GROW: usize = 64 * 1024;

/// The allocator: one lock, the free lists and the unused end of the brk heap.
pub struct Heap {
    locked: AtomicBool,
    state: UnsafeCell<State>,
}

struct State {
    /// Head of each size class's free list (0: empty); a free block holds the next link.
    free: [usize; CLASSES],
    /// The heap's unused part: [top, end). Both 0 until the first brk.
    top: usize,
    end: usize,
}

// SAFETY: `state` is only touched with `locked` held (see `with`).
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap; the first allocation asks the kernel where the break is.
    pub const fn new() -> Heap {
        Heap {
            locked: AtomicBool::new(false),
            state: UnsafeCell::new(State {
                free: [0; CLASSES],
                top: 0,
                end: 0,
            }),
        }
    }

    /// Run `f` with the state locked (a spin lock: threads of one process share the heap).
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held, so no other reference to the state exists.
        let r = f(unsafe { &mut *self.state.get() });
        self.locked.store(false, Ordering::Release);
        r
    }
}

impl Default for Heap {
    fn default() -> Heap {
        Heap::new()
    }
}

/// The size class of a layout, or None if it goes to mmap.
fn class_of(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
    if size > MMAP_THRESHOLD || layout.align() > PAGE_SIZE {
        return None;
    }
    Some((size.next_power_of_two().trailing_zeros() - MIN_SHIFT) as usize)
}

fn class_size(class: usize) -> usize {
    1 << (class as u32 + MIN_SHIFT)
}

impl State {
    /// A block of `class` from its free list or from the top of the heap, growing the heap
    /// with brk when it runs out. 0 if the kernel refuses.
    fn alloc(&mut self, class: usize) -> usize {
        let head = self.free[class];
        if head != 0 {
            // SAFETY: a free block's first word is its free-list link (written by `free`).
            self.free[class] = unsafe { *(head as *const usize) };
            return head;
        }
        let size = class_size(class);
        if self.end == 0 {
            // SAFETY: brk(0) only reports the break.
            let start = unsafe { mm::brk(0) };
            self.top = start.next_multiple_of(16);
            self.end = start;
        }
        // Blocks are aligned to their size (up to a page), which satisfies any alignment
        // the class was chosen for.
        let addr = self.top.next_multiple_of(size.min(PAGE_SIZE));
        if addr + size > self.end {
            let want = (addr + size - self.end)
                .max(GROW)
                .next_multiple_of(PAGE_SIZE);
            // SAFETY: the new range lies above everything handed out so far.
            let got = unsafe { mm::brk(self.end + want) };
            if got < self.end + want {
                return 0; // Linux's brk returns the old break when it cannot grow
            }
            self.end = got;
        }
        self.top = addr + size;
        addr
    }

    fn free(&mut self, addr: usize, class: usize) {
        // SAFETY: the block is ours again and at least 16 bytes: its first word becomes
        // the link.
        unsafe { *(addr as *mut usize) = self.free[class] };
        self.free[class] = addr;
    }
}

// SAFETY: every block handed out is `class_size` bytes (>= the layout's size), aligned to
// at least the layout's alignment, and belongs to one caller until dealloc.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => self.with(|s| s.alloc(class)) as *mut u8,
            None if layout.align() <= PAGE_SIZE => {
                mm::map_anon(layout.size()).map_or(ptr::null_mut(), |m| m.as_mut_ptr())
            }
            None => ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        match class_of(layout) {
            Some(class) => self.with(|s| s.free(p as usize, class)),
            None => {
                // SAFETY: the block was this mapping, and the caller is done with it.
                let _ =
                    unsafe { mm::munmap(p as usize, layout.size().next_multiple_of(PAGE_SIZE)) };
            }
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees a valid layout for new_size (GlobalAlloc's contract).
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if let (Some(a), Some(b)) = (class_of(layout), class_of(new)) {
            if a == b {
                return p; // still fits its block
            }
        }
        // SAFETY: as GlobalAlloc::realloc's default: allocate, copy, free.
        unsafe {
            let q = self.alloc(new);
            if !q.is_null() {
                ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
            q
        }
    }
}
