//! Reading and writing an address space that is not (necessarily) the running one (Linux
//! `mm/memory.c`: `__access_remote_vm`, `access_remote_vm`; `mm/gup.c`:
//! `get_user_pages_remote`, `check_vma_flags`, `faultin_page`; the `strnlen_user`
//! contract of `lib/strnlen_user.c`).
//!
//! `uaccess.rs` reaches the *current* address space through its user addresses. exec
//! builds a new one that is not running yet, and /proc reads other processes' memory:
//! both go page by page through that mm's page table, fault each page in as
//! `get_user_pages_remote` would, and copy through the kernel's linear map. This file is
//! the only place that does it, and its `unsafe` the only such copy.
//!
//! The page walk and the `strnlen` contract are plain functions, host-tested below; the
//! part that touches frames is `impl MmStruct` (target only).

use super::layout::PAGE_SIZE;

/// Walk `[addr, addr + len)` one page piece at a time (the loop of Linux
/// `__access_remote_vm`): `step(addr, range)` gets each piece's address and its range
/// within the caller's buffer and says whether it was done. Stops at the first piece not
/// done, or where the next address would wrap to 0; returns how many bytes were done.
pub fn for_each_page_piece(
    addr: usize,
    len: usize,
    mut step: impl FnMut(usize, core::ops::Range<usize>) -> bool,
) -> usize {
    let mut done = 0;
    while done < len {
        let Some(va) = addr.checked_add(done) else {
            break;
        };
        let n = (PAGE_SIZE - va % PAGE_SIZE).min(len - done);
        if !step(va, done..done + n) {
            break;
        }
        done += n;
    }
    done
}

/// Bytes `strnlen` reads at a time: large enough that a 2 MiB argument block costs a
/// few thousand page walks, small enough for the stack.
const STRNLEN_CHUNK: usize = 128;

/// The length of the string at `addr`, read with `read(addr, buf) -> bytes read`, under
/// Linux's `strnlen_user` contract: the size *including* the NUL if one is among the
/// first `count` bytes; a number larger than `count` if none is; 0 if a byte before the
/// NUL (or before `count`) cannot be read, or `count` is 0.
pub fn strnlen_with(
    addr: usize,
    count: usize,
    mut read: impl FnMut(usize, &mut [u8]) -> usize,
) -> usize {
    let mut chunk = [0u8; STRNLEN_CHUNK];
    let mut done = 0;
    while done < count {
        let Some(at) = addr.checked_add(done) else {
            return 0;
        };
        let want = (count - done).min(STRNLEN_CHUNK);
        let got = read(at, &mut chunk[..want]).min(want);
        if let Some(i) = chunk[..got].iter().position(|&b| b == 0) {
            return done + i + 1;
        }
        if got < want {
            return 0;
        }
        done += got;
    }
    if count == 0 {
        0
    } else {
        count + 1
    }
}

pub use remote::*;

mod remote {
    use super::{for_each_page_piece, strnlen_with};
    use crate::arch::mmu;
    use crate::mm::fault::{handle_mm_fault, prefault, wp_page_copy, Access};
    use crate::mm::layout::PAGE_SIZE;
    use crate::mm::mm_struct::MmStruct;
    use crate::mm::page_alloc;
    use crate::mm::page_table::Prot;
    use crate::mm::vma::VmFlags;

    /// The buffer of a remote access, and so its direction (Linux passes `void *buf` and
    /// says which way with `FOLL_WRITE`).
    pub enum RemoteBuf<'a> {
        /// Copy from the mm into this buffer.
        Read(&'a mut [u8]),
        /// Copy this buffer into the mm.
        Write(&'a [u8]),
    }

    impl RemoteBuf<'_> {
        fn len(&self) -> usize {
            match self {
                RemoteBuf::Read(b) => b.len(),
                RemoteBuf::Write(b) => b.len(),
            }
        }
    }

    bitflags::bitflags! {
        /// How to reach the pages (Linux `FOLL_*` gup flags; the direction is in
        /// `RemoteBuf`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct FollFlags: u32 {
            /// Access the page whatever the VMA's protection, if the VMA may ever allow
            /// it (Linux `FOLL_FORCE`): exec's `padzero` on a read-only segment.
            const FORCE = 1 << 4;
        }
    }

    /// May `gup_flags` reach a page of a VMA with `flags` this way (Linux
    /// `check_vma_flags`)? A forced write needs a private mapping that may become
    /// writable (`is_cow_mapping`); a forced read, one that may become readable. Unforced,
    /// the rule is the fault path's: a write needs `WRITE`, a read any access at all.
    fn check_vma_flags(flags: VmFlags, write: bool, gup_flags: FollFlags) -> bool {
        let force = gup_flags.contains(FollFlags::FORCE);
        if write {
            flags.contains(VmFlags::WRITE)
                || (force && flags.contains(VmFlags::MAYWRITE) && !flags.contains(VmFlags::SHARED))
        } else {
            flags.intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC)
                || (force && flags.contains(VmFlags::MAYREAD))
        }
    }

    impl MmStruct {
        /// The frame holding `addr`, made present and, for a write, writable by us
        /// (Linux `get_user_pages_remote` for one page: `check_vma_flags`, then
        /// `follow_page_mask`, and `faultin_page` -> `handle_mm_fault` when it is not
        /// there yet). Also returns whether the VMA is executable, for the icache.
        ///
        /// A write the VMA allows faults as a write (copy-on-write done, stack grown). A
        /// forced write to a read-only private VMA faults the page in as a read and
        /// writes the frame, as Linux's `FOLL_FORCE` does after breaking COW: a frame
        /// another page table or the page cache also holds is first copied
        /// (`wp_page_copy`), so a debugger's breakpoint never reaches the file.
        fn get_user_page_remote(
            &mut self,
            addr: usize,
            write: bool,
            gup_flags: FollFlags,
        ) -> Option<(usize, bool)> {
            let vma = self.vmas.find_vma(addr)?;
            let (below, flags) = (vma.vm_start > addr, vma.vm_flags);
            if !check_vma_flags(flags, write, gup_flags) {
                return None;
            }
            let exec = flags.contains(VmFlags::EXEC);
            let page = addr & !(PAGE_SIZE - 1);
            // Would the VMA itself allow the access (not just FOLL_FORCE)?
            let allowed = check_vma_flags(flags, write, FollFlags::empty());
            for _ in 0..2 {
                if let Some((pa, prot)) = self.lookup(page) {
                    if !write || prot.contains(Prot::WRITE) {
                        return Some((pa, exec));
                    }
                    if !allowed && page_alloc::page_count(pa) == 1 {
                        return Some((pa, exec)); // forced, and the frame is ours alone
                    }
                    if !allowed && !flags.contains(VmFlags::SHARED) {
                        // Forced, and shared (a page-cache frame, or after fork): break
                        // the sharing with a private copy, as FOLL_FORCE's COW does.
                        wp_page_copy(self, page, pa, prot).ok()?;
                        continue;
                    }
                }
                // faultin_page. Below a stack VMA only an access the VMA allows gets
                // there (handle_mm_fault grows the stack first).
                let faulted = if allowed {
                    let access = if write { Access::Write } else { Access::Read };
                    handle_mm_fault(self, addr, access)
                } else if below {
                    return None;
                } else {
                    prefault(self, page)
                };
                faulted.ok()?;
            }
            None // still not reachable after the fault: a forced write to a shared frame
        }

        /// Copy between `buf` and the bytes at `addr` of this address space, page by
        /// page, faulting pages in as needed (Linux `access_remote_vm` ->
        /// `__access_remote_vm`). Returns how many bytes were done: fewer than asked if
        /// a page cannot be reached (no VMA, a protection the flags do not override, no
        /// memory), and the caller decides what that means.
        pub fn access_remote_vm(
            &mut self,
            addr: usize,
            mut buf: RemoteBuf<'_>,
            gup_flags: FollFlags,
        ) -> usize {
            let write = matches!(buf, RemoteBuf::Write(_));
            for_each_page_piece(addr, buf.len(), |va, range| {
                let Some((pa, exec)) = self.get_user_page_remote(va, write, gup_flags) else {
                    return false;
                };
                let kva = page_alloc::page_address(pa) + va % PAGE_SIZE;
                let n = range.len();
                // SAFETY: `pa` is a frame of this mm, present now (we hold the mm
                // exclusively, so it stays so); the linear map covers every frame, and
                // `[va % PAGE_SIZE, + n)` stays inside it (for_each_page_piece cuts at
                // page ends). A write goes only to a frame the page table maps writable
                // or, forced, to one no other page table maps.
                unsafe {
                    match &mut buf {
                        RemoteBuf::Read(b) => core::ptr::copy_nonoverlapping(
                            kva as *const u8,
                            b[range].as_mut_ptr(),
                            n,
                        ),
                        RemoteBuf::Write(b) => {
                            core::ptr::copy_nonoverlapping(b[range].as_ptr(), kva as *mut u8, n)
                        }
                    }
                }
                if write && exec {
                    // Linux `copy_to_user_page` -> `flush_ptrace_access`.
                    mmu::sync_icache(kva, n);
                }
                true
            })
        }

        /// The length of the string at `addr` of this address space, with its NUL, if
        /// it has one within `count` bytes; more than `count` if not; 0 if it cannot be
        /// read (Linux's `strnlen_user` contract, over `access_remote_vm`).
        pub fn strnlen_remote_vm(&mut self, addr: usize, count: usize) -> usize {
            strnlen_with(addr, count, |at, chunk| {
                self.access_remote_vm(at, RemoteBuf::Read(chunk), FollFlags::empty())
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn pieces_stop_at_page_ends() {
        let mut seen = Vec::new();
        let done = for_each_page_piece(PAGE_SIZE - 10, 2 * PAGE_SIZE + 20, |va, r| {
            seen.push((va, r));
            true
        });
        assert_eq!(done, 2 * PAGE_SIZE + 20);
        assert_eq!(
            seen,
            [
                (PAGE_SIZE - 10, 0..10),
                (PAGE_SIZE, 10..10 + PAGE_SIZE),
                (2 * PAGE_SIZE, 10 + PAGE_SIZE..10 + 2 * PAGE_SIZE),
                (3 * PAGE_SIZE, 10 + 2 * PAGE_SIZE..20 + 2 * PAGE_SIZE),
            ]
        );
        assert_eq!(for_each_page_piece(123, 0, |_, _| panic!("no piece")), 0);
    }

    #[test]
    fn pieces_report_what_was_done() {
        // The second page cannot be reached: only the first piece counts.
        let done = for_each_page_piece(PAGE_SIZE - 4, 100, |va, _| va < PAGE_SIZE);
        assert_eq!(done, 4);
        // The end of the address space: no wrap-around to address 0.
        let done = for_each_page_piece(usize::MAX - 9, 100, |_, _| true);
        assert_eq!(done, 10);
    }

    /// A reader over `mem` placed at `base`, failing outside it.
    fn reader(base: usize, mem: &[u8]) -> impl FnMut(usize, &mut [u8]) -> usize + '_ {
        move |at, buf| {
            let Some(off) = at.checked_sub(base).filter(|&o| o <= mem.len()) else {
                return 0;
            };
            let n = buf.len().min(mem.len() - off);
            buf[..n].copy_from_slice(&mem[off..off + n]);
            n
        }
    }

    #[test]
    fn strnlen_contract() {
        let mem = b"hello\0world";
        assert_eq!(strnlen_with(1000, 100, reader(1000, mem)), 6);
        assert_eq!(strnlen_with(1000, 6, reader(1000, mem)), 6);
        // No NUL within count: more than count.
        assert_eq!(strnlen_with(1000, 5, reader(1000, mem)), 6);
        assert_eq!(strnlen_with(1000, 3, reader(1000, mem)), 4);
        // The memory ends before a NUL: 0.
        assert_eq!(strnlen_with(1006, 100, reader(1000, mem)), 0);
        // ... unless count ran out first.
        assert_eq!(strnlen_with(1006, 5, reader(1000, mem)), 6);
        assert_eq!(strnlen_with(999, 100, reader(1000, mem)), 0);
        assert_eq!(strnlen_with(1000, 0, reader(1000, mem)), 0);
        assert_eq!(strnlen_with(1005, 1, reader(1000, mem)), 1); // ""
    }

    #[test]
    fn strnlen_across_chunks() {
        let mut mem = alloc::vec![b'x'; 3 * STRNLEN_CHUNK + 7];
        mem.push(0);
        let len = mem.len();
        assert_eq!(strnlen_with(64, 1 << 20, reader(64, &mem)), len);
        assert_eq!(strnlen_with(64, len - 1, reader(64, &mem)), len);
        mem.pop();
        assert_eq!(strnlen_with(64, 1 << 20, reader(64, &mem)), 0);
        // Running off the end of the address space is a fault, not a wrap.
        let endless = |_: usize, b: &mut [u8]| {
            b.fill(b'x');
            b.len()
        };
        assert_eq!(strnlen_with(usize::MAX - 3, 1000, endless), 0);
    }

    // access_remote_vm itself, over an MmStruct with the host's fake frames.
    use crate::mm::mm_struct::MmStruct;
    use crate::mm::page_alloc::{nr_used_pages, page_count};
    use crate::mm::page_table::Prot;
    use crate::mm::vma::{VmArea, VmFlags};

    const A: usize = 0x10_0000;
    const RW: VmFlags = VmFlags::READ
        .union(VmFlags::WRITE)
        .union(VmFlags::MAYREAD)
        .union(VmFlags::MAYWRITE);

    fn mm_with(vmas: &[(usize, usize, VmFlags)]) -> MmStruct {
        let mut mm = MmStruct::new().unwrap();
        for &(start, end, flags) in vmas {
            mm.vmas.insert(VmArea::new_anon(start, end, flags)).unwrap();
        }
        mm
    }

    fn read(mm: &mut MmStruct, addr: usize, len: usize) -> (usize, Vec<u8>) {
        let mut buf = alloc::vec![0u8; len];
        let n = mm.access_remote_vm(addr, RemoteBuf::Read(&mut buf), FollFlags::empty());
        (n, buf)
    }

    #[test]
    fn remote_access_crosses_pages_and_stops_at_a_hole() {
        let before = nr_used_pages();
        // Two pages, a one-page hole, one more page.
        let mut mm = mm_with(&[
            (A, A + 2 * PAGE_SIZE, RW),
            (A + 3 * PAGE_SIZE, A + 4 * PAGE_SIZE, RW),
        ]);
        let data: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let at = A + PAGE_SIZE - 100;
        let n = mm.access_remote_vm(at, RemoteBuf::Write(&data), FollFlags::empty());
        assert_eq!(n, data.len(), "a write across the page boundary");
        assert!(mm.lookup(A).is_some() && mm.lookup(A + PAGE_SIZE).is_some());
        assert_eq!(read(&mut mm, at, 300), (300, data.clone()));
        // Reading past the second page stops at the hole, with what was read.
        let (n, buf) = read(&mut mm, A + 2 * PAGE_SIZE - 10, 100);
        assert_eq!(n, 10);
        assert_eq!(&buf[..10], &[0; 10]);
        let n = mm.access_remote_vm(
            A + 2 * PAGE_SIZE - 4,
            RemoteBuf::Write(&[1; 8]),
            FollFlags::empty(),
        );
        assert_eq!(n, 4, "a write stops at the hole too");
        assert_eq!(read(&mut mm, A + 2 * PAGE_SIZE, 1).0, 0);
        assert_eq!(read(&mut mm, A + 3 * PAGE_SIZE, 1), (1, alloc::vec![0]));
        assert_eq!(
            mm.strnlen_remote_vm(at + 1, 1000),
            256,
            "data[256] is the NUL, across the page boundary"
        );
        assert_eq!(
            mm.strnlen_remote_vm(at + 1, 100),
            101,
            "no NUL in 100 bytes"
        );
        assert_eq!(
            mm.strnlen_remote_vm(A + 2 * PAGE_SIZE - 4, 100),
            0,
            "no NUL before the hole"
        );
        drop(mm);
        assert_eq!(nr_used_pages(), before);
    }

    #[test]
    fn only_a_forced_access_overrides_the_vmas_protection() {
        let ro = VmFlags::READ | VmFlags::MAYREAD | VmFlags::MAYWRITE;
        let mut mm = mm_with(&[(A, A + PAGE_SIZE, ro)]);
        let w = |mm: &mut MmStruct, f| mm.access_remote_vm(A, RemoteBuf::Write(b"hi"), f);
        assert_eq!(w(&mut mm, FollFlags::empty()), 0, "read-only: no write");
        assert_eq!(
            w(&mut mm, FollFlags::FORCE),
            2,
            "FOLL_FORCE writes (exec's padzero)"
        );
        let (pa, prot) = mm.lookup(A).unwrap();
        assert!(!prot.contains(Prot::WRITE), "the page stays read-only");
        assert_eq!(read(&mut mm, A, 2), (2, b"hi".to_vec()));
        // A frame another mm maps too is copied first (FOLL_FORCE's COW break): the
        // other mm keeps the old bytes.
        let mut child = mm.dup_mmap().unwrap();
        assert_eq!(page_count(pa), 2);
        let yo = |mm: &mut MmStruct, f| mm.access_remote_vm(A, RemoteBuf::Write(b"yo"), f);
        assert_eq!(yo(&mut mm, FollFlags::FORCE), 2);
        let (copy, prot) = mm.lookup(A).unwrap();
        assert!(copy != pa && !prot.contains(Prot::WRITE));
        assert_eq!((page_count(pa), page_count(copy)), (1, 1));
        assert_eq!(read(&mut mm, A, 2), (2, b"yo".to_vec()));
        assert_eq!(read(&mut child, A, 2), (2, b"hi".to_vec()));
        drop(child);
        // Forced or not, nothing is written where no VMA is.
        let n = mm.access_remote_vm(A + PAGE_SIZE, RemoteBuf::Write(b"x"), FollFlags::FORCE);
        assert_eq!(n, 0);
    }
}
