//! mmap_demo: anonymous and file mappings, each a VMA in /proc/self/maps.
//!
//! `mmap` (`do_mmap` -> `get_unmapped_area` -> `mmap_region`, `kernel/src/mm/mmap.rs`)
//! only creates a VMA; pages arrive when first touched (`handle_mm_fault`). `mprotect`
//! changing part of a VMA splits it; `munmap` of a middle page leaves two VMAs and a hole.
//! A file mapping (`vm_file`, `vm_pgoff`) shows the file's name in the maps line.

#![no_std]
#![no_main]

extern crate binlib;

use binlib::proc::print_maps_self;
use ulib::io::{close, openat, AT_FDCWD, O_RDONLY};
use ulib::mm::{
    mmap, mprotect, munmap, MAP_ANONYMOUS, MAP_PRIVATE, PAGE_SIZE, PROT_READ, PROT_WRITE,
};
use ulib::start::{auxv, AT_EXECFN};
use ulib::{eprintln, println};

const PAGES: usize = 4;

fn show(addr: usize, len: usize) {
    print_maps_self(|s, e| s < addr + len && addr < e);
}

#[no_mangle]
fn main() -> i32 {
    let len = PAGES * PAGE_SIZE;
    // SAFETY: no MAP_FIXED: the kernel picks a free range; only this code uses it.
    let addr = match unsafe {
        mmap(
            0,
            len,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            -1,
            0,
        )
    } {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mmap_demo: mmap: {}", e);
            return 1;
        }
    };
    println!(
        "mmap_demo: 1. mmap(NULL, {} KiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)",
        len / 1024
    );
    println!("   = {:#x}: one new VMA (no page is there yet):", addr);
    show(addr, len);

    let p = addr as *mut u8;
    for i in 0..PAGES {
        // SAFETY: inside the mapping just made, which is read-write.
        unsafe { p.add(i * PAGE_SIZE).write_volatile(b'a' + i as u8) };
    }
    // SAFETY: as above.
    let back = unsafe { p.add(2 * PAGE_SIZE).read_volatile() };
    println!("2. wrote one byte per page: each first touch faulted a zeroed page in");
    println!("   (page 2 reads back '{}')", back as char);

    // SAFETY: the page is ours; nothing writes it after this.
    if let Err(e) = unsafe { mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ) } {
        eprintln!("mmap_demo: mprotect: {}", e);
    }
    println!("3. mprotect(page 1, PROT_READ) splits the VMA in three:");
    show(addr, len);

    // SAFETY: nothing uses page 2 after this.
    if let Err(e) = unsafe { munmap(addr + 2 * PAGE_SIZE, PAGE_SIZE) } {
        eprintln!("mmap_demo: munmap: {}", e);
    }
    println!("4. munmap(page 2) leaves a hole (touching it now would be SIGSEGV):");
    show(addr, len);
    // SAFETY: the rest of the mapping is not used any more.
    let _ = unsafe { munmap(addr, len) };

    // A file mapping: the program's own file, read-only.
    let Some(name) = auxv(AT_EXECFN) else {
        return 0;
    };
    // SAFETY: AT_EXECFN points at the NUL-terminated file name on our stack.
    let path = unsafe { core::ffi::CStr::from_ptr(name as *const core::ffi::c_char) };
    let fd = match openat(AT_FDCWD, path, O_RDONLY, 0) {
        Ok(fd) => fd as i32,
        Err(e) => {
            eprintln!("mmap_demo: open {:?}: {}", path, e);
            return 1;
        }
    };
    // SAFETY: a new read-only private mapping, only read below.
    let r = unsafe { mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0) };
    let _ = close(fd);
    match r {
        Ok(f) => {
            // SAFETY: the first 4 bytes of the mapping just made.
            let magic = unsafe { core::slice::from_raw_parts(f as *const u8, 4) };
            println!(
                "5. mmap({:?}, PROT_READ, MAP_PRIVATE) = {:#x}; it starts {:x?}",
                path, f, magic
            );
            println!("   (the ELF magic; the fd is closed already, the VMA keeps the file):");
            show(f, PAGE_SIZE);
        }
        Err(e) => println!("5. mmap of {:?}: {}", path, e),
    }
    0
}
