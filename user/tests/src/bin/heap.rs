//! heap: ulib's malloc (`ulib/src/heap.rs`) on brk and mmap, the allocator of /bin's
//! programs. Small blocks must come from the brk heap, big ones from their own mapping
//! that free unmaps; freed blocks are reused; alignment holds; threads may share it.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use ulib::mm::{brk, mprotect, PROT_READ};
use ulib::{spawn_thread, Errno, Tap};

#[global_allocator]
static HEAP: ulib::heap::Heap = ulib::heap::Heap::new();

/// Allocate and free many blocks of assorted sizes, checking their contents survive.
fn churn(seed: usize) -> i32 {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for i in 0..400 {
        let len = (i * 37 + seed * 11) % 700 + 1;
        blocks.push(alloc::vec![(i + seed) as u8; len]);
        if i % 3 == 0 {
            let v = blocks.swap_remove(i % blocks.len());
            if v.iter().any(|&b| b != v[0]) {
                return 1;
            }
        }
    }
    let bad = blocks.iter().any(|v| v.iter().any(|&b| b != v[0]));
    bad as i32
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(7);
    // SAFETY: brk(0) only reports the break.
    let start = unsafe { brk(0) };
    let small = Box::new([7u8; 100]);
    // SAFETY: as above.
    let now = unsafe { brk(0) };
    let p = small.as_ptr() as usize;
    tap.ok(
        (start..now).contains(&p) && small.iter().all(|&b| b == 7),
        format_args!(
            "100 bytes come from the brk heap ({:#x} in {:#x}..{:#x})",
            p, start, now
        ),
    );

    let big: Vec<u8> = alloc::vec![1u8; 1 << 20];
    let b = big.as_ptr() as usize;
    tap.ok(
        !(start..now + (1 << 20)).contains(&b) && big.iter().all(|&x| x == 1),
        format_args!("1 MiB comes from its own mmap ({:#x}, outside the heap)", b),
    );
    drop(big);
    // SAFETY: mprotect of a range that is no longer mapped changes nothing; ENOMEM says so.
    let gone = unsafe { mprotect(b, 4096, PROT_READ) };
    tap.eq(
        gone,
        Err(Errno::ENOMEM),
        "freeing it unmaps it (mprotect gives ENOMEM)",
    );

    drop(small);
    let again = Box::new([8u8; 100]);
    tap.eq(
        again.as_ptr() as usize,
        p,
        "a freed block is reused by the next of its size",
    );

    let ok = [8usize, 64, 512, 4096].iter().all(|&align| {
        let layout = Layout::from_size_align(24, align).unwrap();
        // SAFETY: a valid, non-zero-size layout; freed right away with the same layout.
        unsafe {
            let q = HEAP.alloc(layout);
            let fine = !q.is_null() && (q as usize).is_multiple_of(align);
            HEAP.dealloc(q, layout);
            fine
        }
    });
    tap.ok(ok, "alignments 8, 64, 512 and 4096 are honoured");

    let mut s = String::new();
    for i in 0..2000 {
        s.push(char::from(b'a' + (i % 26) as u8));
    }
    let v: Vec<u32> = (0..10_000).collect();
    tap.ok(
        s.len() == 2000
            && s.as_bytes()[27] == b'b'
            && v.iter().enumerate().all(|(i, &x)| x == i as u32),
        "a growing String and Vec keep their contents (realloc)",
    );

    let threads: Vec<_> = (1..=2)
        .filter_map(|seed| {
            ulib::map_anon(64 * 1024)
                .and_then(|st| spawn_thread(st, 0, churn, seed))
                .ok()
        })
        .collect();
    let main_bad = churn(0);
    let bad: i32 = threads.iter().map(|t| t.join()).sum::<i32>() + main_bad;
    tap.ok(
        threads.len() == 2 && bad == 0,
        "three threads allocating and freeing at once",
    );
    tap.done()
}
