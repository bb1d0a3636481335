//! Memory management: where things are (`layout`), physical frames (`frame`), the kernel
//! heap (`heap`) and the 4-level page tables (`page_table`).
//!
//! Boot order: `page_alloc::init` gives the frame allocator all RAM the device tree
//! reports minus the kernel image, the device tree and the initrd; `kmap::paging_init`
//! builds the final kernel tables (W^X image, linear map, guard pages); `heap::init` then
//! takes a run of frames for `alloc`.

pub mod access_remote;
pub mod fault;
pub mod filemap;
pub mod frame;
pub mod layout;
pub mod mm_struct;
pub mod mman;
pub mod mremap;
pub mod oom_kill;
/// The frame allocator: the kernel's (`page_alloc.rs`), or in host unit tests a pool of
/// heap frames with the same functions (`page_alloc_host.rs`, which explains the seam).
#[cfg_attr(not(target_os = "none"), path = "page_alloc_host.rs")]
pub mod page_alloc;
pub mod page_ref;
pub mod page_table;
pub mod pgtable_types;
pub mod shrink;
pub mod special_mapping;
pub mod vma;

#[cfg(target_os = "none")]
pub mod heap;
#[cfg(target_os = "none")]
pub mod kmap;
#[cfg(target_os = "none")]
pub mod mmap;
#[cfg(target_os = "none")]
pub mod shm;
#[cfg(target_os = "none")]
pub mod uaccess;
