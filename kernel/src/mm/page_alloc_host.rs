//! The page allocator of host unit tests: the same functions as `page_alloc.rs` (Linux
//! `alloc_page`, `get_page`, `put_page`, `page_count`, `page_address`), over a pool of
//! heap-allocated 4 KiB frames with reference counts, one pool per test thread.
//!
//! Why a module chosen by `cfg` and not a generic parameter: `MmStruct`, the fault path,
//! `dup_mmap` and `access_remote_vm` read as the kernel's code does (`page_alloc::put_page(pa)`,
//! `page_alloc::page_address(pa)`), with no `<P: PageAlloc>` threaded through every
//! function and type; `mm/mod.rs` picks this file instead of `page_alloc.rs` when the
//! crate is built for the host. The hardware half of the seam (TLB and icache
//! maintenance) is `arch/host/mmu.rs`, picked the same way by `arch/mod.rs`.
//!
//! Frames get fake physical addresses from `BASE` up; their contents are real memory,
//! reached with `page_address` as the kernel reaches frames through its linear map.
//! Misuse the kernel could get away with silently (freeing a free frame, a reference on
//! a frame nobody holds) panics here, so a test catches it. `set_frame_limit` makes
//! allocation fail, for the out-of-memory paths.

use super::layout::PAGE_SIZE;
use super::page_table::PhysMem;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::RefCell;

/// The fake physical address of frame 0 (where QEMU `virt` puts RAM).
pub const BASE: usize = 0x4000_0000;

/// One frame's contents, aligned as a page-table page must be.
#[repr(C, align(4096))]
struct Frame([u8; PAGE_SIZE]);

/// The pool: every frame ever handed out (boxes never move or go away, so a pointer
/// from `page_address` stays valid for the thread's life), which are free, and the
/// reference counts of user frames.
#[derive(Default)]
struct Pool {
    frames: Vec<Box<Frame>>,
    free: Vec<usize>,
    in_use: Vec<bool>,
    refs: Vec<u32>,
    limit: Option<usize>,
}

impl Pool {
    fn index(&self, pa: usize) -> usize {
        assert!(
            pa >= BASE && (pa - BASE).is_multiple_of(PAGE_SIZE),
            "{pa:#x} is not a frame address"
        );
        let i = (pa - BASE) / PAGE_SIZE;
        assert!(
            i < self.frames.len() && self.in_use[i],
            "frame {pa:#x} is not allocated"
        );
        i
    }

    fn used(&self) -> usize {
        self.frames.len() - self.free.len()
    }
}

std::thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

fn with<R>(f: impl FnOnce(&mut Pool) -> R) -> R {
    POOL.with(|p| f(&mut p.borrow_mut()))
}

/// From now on at most `frames` frames may be in use at once (None: no limit).
pub fn set_frame_limit(frames: Option<usize>) {
    with(|p| p.limit = frames);
}

/// Frames in use now (the host's stand-in for "free frames back to baseline" checks).
pub fn nr_used_pages() -> usize {
    with(|p| p.used())
}

/// One frame, contents undefined (here: zero or stale) (Linux `alloc_page`).
pub fn alloc_page() -> Option<usize> {
    with(|p| {
        if p.limit.is_some_and(|l| p.used() >= l) {
            return None;
        }
        let i = match p.free.pop() {
            Some(i) => i,
            None => {
                p.frames.push(Box::new(Frame([0; PAGE_SIZE])));
                p.in_use.push(false);
                p.refs.push(0);
                p.frames.len() - 1
            }
        };
        p.in_use[i] = true;
        p.refs[i] = 0;
        Some(BASE + i * PAGE_SIZE)
    })
}

/// One frame filled with zeros (Linux `get_zeroed_page`).
pub fn get_zeroed_page() -> Option<usize> {
    let pa = alloc_page()?;
    with(|p| {
        let i = p.index(pa);
        p.frames[i].0.fill(0);
    });
    Some(pa)
}

/// Give a frame back (Linux `__free_page`).
pub fn free_page(pa: usize) {
    with(|p| {
        let i = p.index(pa);
        p.in_use[i] = false;
        p.free.push(i);
    });
}

/// The address the kernel reaches frame `pa`'s contents at (Linux `page_address`): here
/// the frame's memory in the pool.
pub fn page_address(pa: usize) -> usize {
    with(|p| {
        let i = p.index(pa);
        p.frames[i].0.as_mut_ptr() as usize
    })
}

/// Frames this pool has made so far (Linux `totalram_pages`; the host has no fixed RAM).
pub fn nr_total_pages() -> usize {
    with(|p| p.frames.len())
}

/// A zeroed frame for user memory, with reference count 1 (Linux
/// `alloc_zeroed_user_highpage_movable`).
pub fn alloc_user_page() -> Option<usize> {
    let pa = get_zeroed_page()?;
    with(|p| {
        let i = p.index(pa);
        p.refs[i] = 1;
    });
    Some(pa)
}

/// Take another reference to a user frame (Linux `get_page`).
pub fn get_page(pa: usize) {
    with(|p| {
        let i = p.index(pa);
        assert!(p.refs[i] > 0, "get_page on {pa:#x}, which nobody holds");
        p.refs[i] += 1;
    });
}

/// Drop a reference; the last one frees the frame (Linux `put_page`).
pub fn put_page(pa: usize) {
    let last = with(|p| {
        let i = p.index(pa);
        assert!(p.refs[i] > 0, "put_page on {pa:#x}, which nobody holds");
        p.refs[i] -= 1;
        p.refs[i] == 0
    });
    if last {
        free_page(pa);
    }
}

/// How many page tables map this user frame (Linux `page_count`).
pub fn page_count(pa: usize) -> u32 {
    with(|p| {
        let i = p.index(pa);
        p.refs[i]
    })
}

/// Page-table memory from this pool, as `KernelPhysMem` is the kernel's.
pub struct KernelPhysMem;

impl PhysMem for KernelPhysMem {
    fn table(&mut self, pa: usize) -> *mut u64 {
        page_address(pa) as *mut u64
    }
    fn alloc_table(&mut self) -> Option<usize> {
        get_zeroed_page()
    }
    fn free_table(&mut self, pa: usize) {
        free_page(pa)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_count_references_and_come_back() {
        let before = nr_used_pages();
        let pa = alloc_user_page().unwrap();
        assert_eq!(page_count(pa), 1);
        // SAFETY: the frame is ours and page_address gives its 4 KiB.
        unsafe { (page_address(pa) as *mut u8).add(7).write(42) };
        get_page(pa);
        put_page(pa);
        assert_eq!(nr_used_pages(), before + 1);
        put_page(pa);
        assert_eq!(nr_used_pages(), before);
        // A reused frame comes back zeroed from alloc_user_page.
        let again = alloc_user_page().unwrap();
        // SAFETY: as above.
        assert_eq!(
            unsafe { (page_address(again) as *const u8).add(7).read() },
            0
        );
        put_page(again);
    }

    #[test]
    fn the_limit_makes_allocation_fail() {
        set_frame_limit(Some(nr_used_pages() + 1));
        let a = alloc_page().unwrap();
        assert_eq!(alloc_page(), None);
        free_page(a);
        set_frame_limit(None);
    }

    #[test]
    #[should_panic(expected = "which nobody holds")]
    fn a_put_too_many_panics() {
        let pa = alloc_user_page().unwrap();
        put_page(pa);
        // The frame is free again, so also "not allocated"; take it as a table page to
        // reach the reference-count check.
        let t = alloc_page().unwrap();
        assert_eq!(t, pa);
        put_page(pa);
    }
}
