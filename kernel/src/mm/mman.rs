//! The rules of mmap, munmap, mprotect, brk and madvise that need no page table: the
//! flag and argument checks, in the order Linux makes them, and where a new mapping or
//! the heap may go. `mmap.rs` applies the answers to a real address space.
//!
//! `mm::mman` gathers what Linux spreads over `include/uapi/asm-generic/mman-common.h`
//! (the constants), `include/linux/mman.h` (`calc_vm_prot_bits`, `calc_vm_flag_bits`,
//! `LEGACY_MAP_MASK`), `mm/mmap.c` (the checks at the top of `do_mmap`,
//! `__get_unmapped_area`, `generic_get_unmapped_area_topdown`, `sys_brk`),
//! `mm/mprotect.c` (`do_mprotect_pkey`'s checks) and `mm/madvise.c`
//! (`madvise_behavior_valid`). It is plain Rust over a `VmaList`, so every rule is
//! unit-tested on the host.
//!
//! Where this file and the Linux man pages disagree, it follows Linux's code: an
//! anonymous `MAP_SHARED_VALIDATE` is EINVAL; unknown flags are ignored with plain
//! `MAP_SHARED`/`MAP_PRIVATE` and refused (EOPNOTSUPP) only with `MAP_SHARED_VALIDATE`
//! on a file; unknown `prot` bits are ignored by mmap but refused by mprotect.
//!
//! Read next: `mmap.rs` (`do_mmap`, `do_munmap`, `do_mprotect`, `do_brk`).

use super::layout::{page_align_up, MMAP_MIN_ADDR, PAGE_SIZE, STACK_GUARD_GAP, TASK_SIZE};
use super::vma::{VmFlags, VmaList};
use crate::errno::Errno;

pub use uapi::mman::{
    MAP_ANONYMOUS, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN,
    MAP_HUGETLB, MAP_HUGE_1GB, MAP_HUGE_2MB, MAP_LOCKED, MAP_NONBLOCK, MAP_NORESERVE, MAP_POPULATE,
    MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_STACK, MAP_SYNC, MAP_TYPE, MAP_UNINITIALIZED,
    MS_ASYNC, MS_INVALIDATE, MS_SYNC, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_NONE,
    PROT_READ, PROT_SEM, PROT_WRITE,
};

/// The flags every file supports with MAP_SHARED_VALIDATE (Linux `LEGACY_MAP_MASK`;
/// note that MAP_FIXED_NOREPLACE and MAP_SYNC are not among them, but the bits of the
/// huge page sizes are; MAP_32BIT and MAP_ABOVE4G are x86's and 0 on arm64).
pub const LEGACY_MAP_MASK: u32 = MAP_SHARED
    | MAP_PRIVATE
    | MAP_FIXED
    | MAP_ANONYMOUS
    | MAP_DENYWRITE
    | MAP_EXECUTABLE
    | MAP_UNINITIALIZED
    | MAP_GROWSDOWN
    | MAP_LOCKED
    | MAP_NORESERVE
    | MAP_POPULATE
    | MAP_NONBLOCK
    | MAP_STACK
    | MAP_HUGETLB
    | MAP_HUGE_2MB
    | MAP_HUGE_1GB;

/// Most VMAs one address space may have (Linux `sysctl_max_map_count`, 65530).
pub const MAX_MAP_COUNT: usize = 65530;
/// Where the bottom-up fallback search starts (Linux arm64 `TASK_UNMAPPED_BASE`).
pub const TASK_UNMAPPED_BASE: usize = (TASK_SIZE / 4) & !(PAGE_SIZE - 1);

/// EOPNOTSUPP (95), which `errno.rs` does not list.
pub const EOPNOTSUPP: Errno = Errno(95);

/// How the file behind a file mapping was opened (Linux `file->f_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileMode {
    /// FMODE_READ.
    pub readable: bool,
    /// FMODE_WRITE.
    pub writable: bool,
}

/// The `vm_flags` of a new mapping, after the checks `do_mmap` makes on `prot` and
/// `flags` once the file (if any) is known (Linux `calc_vm_prot_bits` |
/// `calc_vm_flag_bits` | `VM_MAY*`, then the `MAP_TYPE` switch). `file` is None for an
/// anonymous mapping.
///
/// - anonymous: MAP_SHARED or MAP_PRIVATE, else EINVAL (MAP_SHARED_VALIDATE too);
///   MAP_SHARED with MAP_GROWSDOWN is EINVAL;
/// - file: MAP_SHARED drops unknown flags; MAP_SHARED_VALIDATE refuses them
///   (EOPNOTSUPP); a shared writable mapping needs a file opened for writing (EACCES),
///   and a file not opened for writing cannot become writable or shared later
///   (`VM_MAYWRITE`, `VM_SHARED` cleared); every file mapping needs a readable file
///   (EACCES); MAP_GROWSDOWN is EINVAL.
pub fn mmap_vm_flags(prot: u32, flags: u32, file: Option<FileMode>) -> Result<VmFlags, Errno> {
    let mut vm = VmFlags::from_prot_bits(prot) | VmFlags::MAYREAD | VmFlags::MAYWRITE;
    vm |= VmFlags::MAYEXEC;
    if flags & MAP_GROWSDOWN != 0 {
        vm |= VmFlags::GROWSDOWN;
    }
    let kind = flags & MAP_TYPE;
    match file {
        Some(f) => {
            let shared = match kind {
                MAP_SHARED => true,
                MAP_SHARED_VALIDATE if flags & !LEGACY_MAP_MASK != 0 => return Err(EOPNOTSUPP),
                MAP_SHARED_VALIDATE => true,
                MAP_PRIVATE => false,
                _ => return Err(Errno::EINVAL),
            };
            if shared {
                if prot & PROT_WRITE != 0 && !f.writable {
                    return Err(Errno::EACCES);
                }
                vm |= VmFlags::SHARED | VmFlags::MAYSHARE;
                if !f.writable {
                    vm -= VmFlags::MAYWRITE | VmFlags::SHARED;
                }
            }
            if !f.readable {
                return Err(Errno::EACCES);
            }
            if vm.contains(VmFlags::GROWSDOWN) {
                return Err(Errno::EINVAL);
            }
        }
        None => match kind {
            MAP_SHARED if vm.contains(VmFlags::GROWSDOWN) => return Err(Errno::EINVAL),
            MAP_SHARED => vm |= VmFlags::SHARED | VmFlags::MAYSHARE,
            MAP_PRIVATE => {}
            _ => return Err(Errno::EINVAL),
        },
    }
    Ok(vm)
}

/// The highest gap of `len` bytes in `[low, high)` that keeps the guard gap below a stack
/// (Linux `unmapped_area_topdown`).
fn topdown(vmas: &VmaList, len: usize, low: usize, high: usize) -> Option<usize> {
    vmas.find_gap_topdown(len, PAGE_SIZE, low, high, STACK_GUARD_GAP)
}

/// The lowest gap of `len` bytes in `[low, high)` that keeps the guard gap below a stack
/// (Linux `unmapped_area`, the bottom-up search).
fn bottomup(vmas: &VmaList, len: usize, low: usize, high: usize) -> Option<usize> {
    let mut gap_start = low.max(MMAP_MIN_ADDR);
    for v in vmas.iter() {
        if v.vm_end <= gap_start {
            continue;
        }
        let guard = match v.vm_flags.contains(VmFlags::GROWSDOWN) {
            true => STACK_GUARD_GAP,
            false => 0,
        };
        let gap_end = v.vm_start.saturating_sub(guard).min(high);
        if gap_end >= gap_start && gap_end - gap_start >= len {
            return Some(gap_start);
        }
        gap_start = gap_start.max(v.vm_end);
    }
    (high >= gap_start && high - gap_start >= len).then_some(gap_start)
}

/// May `[addr, addr + len)` be used as it stands: inside user space above
/// `mmap_min_addr`, free, and not within the guard gap below a stack (Linux's test of the
/// hint in `generic_get_unmapped_area_topdown`, with `vm_start_gap`)?
pub fn range_is_free(vmas: &VmaList, addr: usize, len: usize) -> bool {
    let Some(end) = addr.checked_add(len) else {
        return false;
    };
    if addr < MMAP_MIN_ADDR || end > TASK_SIZE || !addr.is_multiple_of(PAGE_SIZE) {
        return false;
    }
    match vmas.find_vma(addr) {
        None => true,
        Some(next) => {
            let guard = match next.vm_flags.contains(VmFlags::GROWSDOWN) {
                true => STACK_GUARD_GAP,
                false => 0,
            };
            end <= next.vm_start.saturating_sub(guard)
        }
    }
}

/// Where a mapping of `len` bytes (page aligned, non-zero) goes (Linux
/// `__get_unmapped_area` + `generic_get_unmapped_area_topdown`):
///
/// - `fixed` (MAP_FIXED or MAP_FIXED_NOREPLACE): exactly `addr`; ENOMEM if it runs past
///   `TASK_SIZE`, EINVAL if unaligned, EPERM below `mmap_min_addr` (Linnet never maps
///   page 0; Linux allows it to CAP_SYS_RAWIO only);
/// - otherwise `addr` is a hint, rounded down to a page (`round_hint_to_min`; a hint
///   below `mmap_min_addr` becomes `mmap_min_addr`): used exactly if the range is free,
///   else the highest gap below `mmap_base`, else (Linux's fallback) the lowest gap from
///   `TASK_UNMAPPED_BASE` up; ENOMEM when nothing fits.
pub fn get_unmapped_area(
    vmas: &VmaList,
    mmap_base: usize,
    addr: usize,
    len: usize,
    fixed: bool,
) -> Result<usize, Errno> {
    if len > TASK_SIZE {
        return Err(Errno::ENOMEM);
    }
    let addr = if fixed {
        addr
    } else {
        let mut hint = addr & !(PAGE_SIZE - 1);
        if hint != 0 && hint < MMAP_MIN_ADDR {
            hint = MMAP_MIN_ADDR;
        }
        if hint != 0 && range_is_free(vmas, hint, len) {
            hint
        } else {
            topdown(vmas, len, MMAP_MIN_ADDR, mmap_base)
                .or_else(|| bottomup(vmas, len, TASK_UNMAPPED_BASE, TASK_SIZE))
                .ok_or(Errno::ENOMEM)?
        }
    };
    if addr > TASK_SIZE - len {
        return Err(Errno::ENOMEM);
    }
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    if addr < MMAP_MIN_ADDR {
        return Err(Errno::EPERM);
    }
    Ok(addr)
}

/// The checks at the top of `do_mmap` (after `sys_mmap` refused an unaligned offset and
/// the fd was looked up): zero length EINVAL; a length that rounds past the address space
/// ENOMEM; `pgoff` running off the end of a file offset EOVERFLOW; too many VMAs ENOMEM.
/// Returns the page-aligned length.
pub fn mmap_len(len: usize, pgoff: usize, map_count: usize) -> Result<usize, Errno> {
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
    if pgoff.checked_add(len / PAGE_SIZE).is_none() {
        return Err(Errno::EOVERFLOW);
    }
    if map_count > MAX_MAP_COUNT {
        return Err(Errno::ENOMEM);
    }
    Ok(len)
}

/// munmap's argument checks (Linux `do_vmi_munmap`): `start` page aligned, `len`
/// non-zero, the range inside user space, else EINVAL. Returns the page-aligned end.
pub fn munmap_range(start: usize, len: usize) -> Result<usize, Errno> {
    if !start.is_multiple_of(PAGE_SIZE) || start > TASK_SIZE || len > TASK_SIZE - start {
        return Err(Errno::EINVAL);
    }
    let len = page_align_up(len).ok_or(Errno::EINVAL)?;
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(start + len)
}

/// `msync(start, len, flags)` (Linux `sys_msync`, `mm/msync.c`): EINVAL for unknown
/// flags, MS_ASYNC with MS_SYNC, or an unaligned start; ENOMEM for a range that wraps
/// or is not wholly mapped (Linux still walks the mapped parts first). Otherwise there
/// is nothing to do: the page cache is the file (ramfs has no backing store, as on
/// Linux, where `noop_fsync` is ramfs's `fsync`). Simplified: no VM_LOCKED, so no EBUSY.
pub fn msync_check(vmas: &VmaList, start: usize, len: usize, flags: u32) -> Result<(), Errno> {
    if flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || !start.is_multiple_of(PAGE_SIZE)
        || (flags & MS_ASYNC != 0 && flags & MS_SYNC != 0)
    {
        return Err(Errno::EINVAL);
    }
    let end = page_align_up(len)
        .and_then(|l| start.checked_add(l))
        .ok_or(Errno::ENOMEM)?;
    let mut addr = start;
    while addr < end {
        let v = vmas.vma_at(addr).ok_or(Errno::ENOMEM)?;
        addr = v.vm_end;
    }
    Ok(())
}

/// What `mprotect(start, len, prot)` will do, or why not (Linux `do_mprotect_pkey`):
/// `Ok(None)` for a zero length; else the range (extended down to the stack's start
/// with PROT_GROWSDOWN) and the new READ/WRITE/EXEC bits. EINVAL for an unaligned start,
/// unknown `prot` bits or both GROWS bits (or GROWSDOWN on a VMA that is not a stack);
/// ENOMEM for a range that wraps or has a hole; EACCES for a permission the VMA's
/// `VM_MAY*` bits do not allow (e.g. PROT_WRITE on a read-only file's shared mapping).
pub fn mprotect_check(
    vmas: &VmaList,
    start: usize,
    len: usize,
    prot: u32,
) -> Result<Option<(usize, usize, VmFlags)>, Errno> {
    let grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    if grows == PROT_GROWSDOWN | PROT_GROWSUP {
        return Err(Errno::EINVAL);
    }
    let prot = prot & !grows;
    if !start.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(None);
    }
    let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
    let end = start.checked_add(len).ok_or(Errno::ENOMEM)?;
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM) != 0 {
        return Err(Errno::EINVAL);
    }
    let first = vmas.find_vma(start).ok_or(Errno::ENOMEM)?;
    let start = match grows {
        PROT_GROWSDOWN if !first.vm_flags.contains(VmFlags::GROWSDOWN) => {
            return Err(Errno::EINVAL)
        }
        PROT_GROWSDOWN if first.vm_start >= end => return Err(Errno::ENOMEM),
        PROT_GROWSDOWN => first.vm_start,
        PROT_GROWSUP => return Err(Errno::EINVAL), // no VM_GROWSUP VMAs on arm64
        _ => start,
    };
    if end > TASK_SIZE {
        return Err(Errno::ENOMEM);
    }
    let new = VmFlags::from_prot_bits(prot);
    let mut addr = start;
    while addr < end {
        let v = vmas.vma_at(addr).ok_or(Errno::ENOMEM)?;
        // Linux: `newflags & ~(newflags >> 4)`, each VM_MAY* bit 4 above its VM_* bit.
        let may = VmFlags::from_bits_truncate(v.vm_flags.bits() >> 4);
        if !may.contains(new) {
            return Err(Errno::EACCES);
        }
        addr = v.vm_end;
    }
    Ok(Some((start, end, new)))
}

/// What brk should do (Linux `sys_brk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrkPlan {
    /// Refused: the break stays where it is.
    Refuse,
    /// Only the break moves (same page, or a move within the last page).
    Set,
    /// Unmap `[from, to)`, then set the break.
    Shrink(usize, usize),
    /// Map `[from, to)` as heap, then set the break.
    Grow(usize, usize),
}

/// The heap's bounds, as `MmStruct` keeps them.
#[derive(Clone, Copy, Debug)]
pub struct BrkBounds {
    /// Where the heap starts (page aligned, after bss).
    pub start_brk: usize,
    /// The current break.
    pub brk: usize,
    /// Initialized data, for RLIMIT_DATA.
    pub start_data: usize,
    /// End of initialized data.
    pub end_data: usize,
}

/// Decide `brk(request)` (Linux `sys_brk`): below `start_brk` is refused, as is a heap
/// plus data larger than RLIMIT_DATA (`check_data_rlimit`); within the same page only the
/// break moves; shrinking always works; growing must stay inside user space and end at
/// least a page (plus the stack guard gap below a stack) before the next VMA.
pub fn brk_plan(vmas: &VmaList, b: BrkBounds, request: usize, rlimit_data: usize) -> BrkPlan {
    if request < b.start_brk {
        return BrkPlan::Refuse;
    }
    let data = b.end_data.saturating_sub(b.start_data);
    if (request - b.start_brk).saturating_add(data) > rlimit_data {
        return BrkPlan::Refuse;
    }
    let (Some(newbrk), Some(oldbrk)) = (page_align_up(request), page_align_up(b.brk)) else {
        return BrkPlan::Refuse;
    };
    if newbrk == oldbrk {
        return BrkPlan::Set;
    }
    if request <= b.brk {
        return BrkPlan::Shrink(newbrk, oldbrk);
    }
    // check_brk_limits: the new pages must fit in user space.
    if newbrk > TASK_SIZE || oldbrk < MMAP_MIN_ADDR {
        return BrkPlan::Refuse;
    }
    // Linux: `next = vma_find(oldbrk, ...); if (next && newbrk + PAGE_SIZE >
    // vm_start_gap(next)) goto out;`
    if let Some(next) = vmas.find_vma(oldbrk) {
        let guard = match next.vm_flags.contains(VmFlags::GROWSDOWN) {
            true => STACK_GUARD_GAP,
            false => 0,
        };
        if newbrk + PAGE_SIZE > next.vm_start.saturating_sub(guard) {
            return BrkPlan::Refuse;
        }
    }
    BrkPlan::Grow(oldbrk, newbrk)
}

/// madvise advice values (Linux `include/uapi/asm-generic/mman-common.h`).
pub mod madv {
    pub use uapi::mman::{
        MADV_COLD as COLD, MADV_DODUMP as DODUMP, MADV_DOFORK as DOFORK, MADV_DONTDUMP as DONTDUMP,
        MADV_DONTFORK as DONTFORK, MADV_DONTNEED as DONTNEED,
        MADV_DONTNEED_LOCKED as DONTNEED_LOCKED, MADV_FREE as FREE, MADV_NORMAL as NORMAL,
        MADV_PAGEOUT as PAGEOUT, MADV_POPULATE_READ as POPULATE_READ,
        MADV_POPULATE_WRITE as POPULATE_WRITE, MADV_RANDOM as RANDOM, MADV_REMOVE as REMOVE,
        MADV_SEQUENTIAL as SEQUENTIAL, MADV_WILLNEED as WILLNEED,
    };
}

/// Does a Linux built without KSM, THP, hugetlbfs and memory-failure handling accept
/// this advice (`madvise_behavior_valid`)? Unknown advice is EINVAL.
pub fn madvise_behavior_valid(advice: u32) -> bool {
    use madv::*;
    matches!(
        advice,
        NORMAL
            | RANDOM
            | SEQUENTIAL
            | WILLNEED
            | DONTNEED
            | FREE
            | REMOVE
            | DONTFORK
            | DOFORK
            | DONTDUMP
            | DODUMP
            | COLD
            | PAGEOUT
            | POPULATE_READ
            | POPULATE_WRITE
            | DONTNEED_LOCKED
    )
}

/// madvise's range checks (Linux `do_madvise`): unknown advice or an unaligned start is
/// EINVAL, as is a range that wraps; `Ok(None)` for an empty range. Returns the
/// page-aligned end.
pub fn madvise_range(start: usize, len: usize, advice: u32) -> Result<Option<usize>, Errno> {
    if !madvise_behavior_valid(advice) || !start.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let end = page_align_up(len)
        .and_then(|l| start.checked_add(l))
        .ok_or(Errno::EINVAL)?;
    Ok((end > start).then_some(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::vma::VmArea;

    const P: usize = PAGE_SIZE;
    const RW: VmFlags = VmFlags::READ
        .union(VmFlags::WRITE)
        .union(VmFlags::MAYREAD)
        .union(VmFlags::MAYWRITE)
        .union(VmFlags::MAYEXEC);
    const STACK: VmFlags = RW.union(VmFlags::GROWSDOWN);
    const RO_FILE: FileMode = FileMode {
        readable: true,
        writable: false,
    };

    fn list(v: &[(usize, usize, VmFlags)]) -> VmaList {
        let mut l = VmaList::new();
        for &(s, e, f) in v {
            l.insert(VmArea::new_anon(s * P, e * P, f)).unwrap();
        }
        l
    }

    #[test]
    fn map_type_and_flag_checks_follow_linux() {
        let anon = |flags| mmap_vm_flags(PROT_READ | PROT_WRITE, flags, None);
        assert_eq!(anon(MAP_PRIVATE), Ok(RW));
        let shared = RW | VmFlags::SHARED | VmFlags::MAYSHARE;
        assert_eq!(anon(MAP_SHARED), Ok(shared));
        // Neither, or MAP_SHARED_VALIDATE on anonymous memory: EINVAL.
        assert_eq!(anon(0), Err(Errno::EINVAL));
        assert_eq!(anon(MAP_SHARED_VALIDATE), Err(Errno::EINVAL));
        assert_eq!(anon(0x0c | MAP_PRIVATE), Err(Errno::EINVAL));
        // Unknown flags are ignored with MAP_PRIVATE / MAP_SHARED.
        assert_eq!(anon(MAP_PRIVATE | 0x8000_0000), Ok(RW));
        assert_eq!(anon(MAP_SHARED | MAP_GROWSDOWN), Err(Errno::EINVAL));
        assert_eq!(anon(MAP_PRIVATE | MAP_GROWSDOWN), Ok(STACK));
        // Unknown prot bits are ignored by mmap.
        assert_eq!(
            mmap_vm_flags(0x1 | 0x40, MAP_PRIVATE, None),
            Ok(RW - VmFlags::WRITE)
        );

        let rw = FileMode {
            readable: true,
            writable: true,
        };
        let file = |prot, flags, f| mmap_vm_flags(prot, flags, Some(f));
        assert_eq!(
            file(PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rw),
            Err(EOPNOTSUPP)
        );
        let noreplace = MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE;
        assert_eq!(file(PROT_READ, noreplace, rw), Err(EOPNOTSUPP));
        assert_eq!(
            file(PROT_READ, MAP_SHARED_VALIDATE | 0x20_0000, rw),
            Err(EOPNOTSUPP)
        );
        assert!(file(PROT_READ, MAP_SHARED_VALIDATE | 0x0800_0000, rw).is_ok()); // a MAP_HUGE bit
        assert!(file(PROT_READ, MAP_SHARED | MAP_SYNC, rw).is_ok());
        assert_eq!(file(PROT_WRITE, MAP_SHARED, RO_FILE), Err(Errno::EACCES));
        // A read-only file's shared mapping may never become writable or shared.
        let ro = file(PROT_READ, MAP_SHARED, RO_FILE).unwrap();
        assert!(ro.contains(VmFlags::MAYSHARE));
        assert!(!ro.intersects(VmFlags::MAYWRITE | VmFlags::SHARED));
        assert!(file(PROT_WRITE, MAP_PRIVATE, RO_FILE).is_ok()); // copy-on-write
        let wronly = FileMode {
            readable: false,
            writable: true,
        };
        assert_eq!(file(PROT_READ, MAP_PRIVATE, wronly), Err(Errno::EACCES));
        assert_eq!(file(PROT_READ, 0, RO_FILE), Err(Errno::EINVAL));
        let grows = MAP_PRIVATE | MAP_GROWSDOWN;
        assert_eq!(file(PROT_READ, grows, RO_FILE), Err(Errno::EINVAL));
    }

    #[test]
    fn placement_hint_fixed_and_search() {
        let base = 1000 * P;
        let l = list(&[(600, 700, RW), (1100, 1200, STACK)]);
        // A free hint is used exactly (rounded down to its page).
        assert_eq!(
            get_unmapped_area(&l, base, 500 * P + 123, 4 * P, false),
            Ok(500 * P)
        );
        // An occupied hint moves to the highest gap below mmap_base, which keeps the
        // guard gap below the stack: [700, 844).
        let near_stack = 1100 * P - STACK_GUARD_GAP;
        assert_eq!(near_stack, 844 * P);
        assert_eq!(
            get_unmapped_area(&l, base, 650 * P, 4 * P, false),
            Ok(840 * P)
        );
        // A hint whose end would fall into the guard gap moves too.
        assert_eq!(
            get_unmapped_area(&l, base, 842 * P, 2 * P, false),
            Ok(842 * P)
        );
        assert_eq!(
            get_unmapped_area(&l, base, 843 * P, 2 * P, false),
            Ok(842 * P)
        );
        assert_eq!(
            get_unmapped_area(&l, base, 843 * P, 4 * P, false),
            Ok(840 * P)
        );
        // A hint in page 0 rounds down to NULL: no hint at all.
        assert_eq!(get_unmapped_area(&l, base, 5, P, false), Ok(843 * P));
        // MAP_FIXED takes the address as is, but checks it.
        assert_eq!(
            get_unmapped_area(&l, base, 950 * P, 4 * P, true),
            Ok(950 * P)
        );
        assert_eq!(
            get_unmapped_area(&l, base, 950 * P + 1, P, true),
            Err(Errno::EINVAL)
        );
        assert_eq!(get_unmapped_area(&l, base, 0, P, true), Err(Errno::EPERM));
        assert_eq!(
            get_unmapped_area(&l, base, TASK_SIZE - P, 2 * P, true),
            Err(Errno::ENOMEM)
        );
        assert_eq!(
            get_unmapped_area(&l, base, 0, TASK_SIZE + P, false),
            Err(Errno::ENOMEM)
        );
        // Nothing below mmap_base fits: Linux's bottom-up fallback from TASK_UNMAPPED_BASE.
        let full = list(&[(1, 1000, RW)]);
        assert_eq!(
            get_unmapped_area(&full, base, 0, P, false),
            Ok(TASK_UNMAPPED_BASE)
        );
        let too_big = TASK_SIZE - TASK_UNMAPPED_BASE + P;
        assert_eq!(
            get_unmapped_area(&full, base, 0, too_big, false),
            Err(Errno::ENOMEM)
        );
    }

    #[test]
    fn bottomup_skips_vmas_and_guards() {
        let l = list(&[(10, 20, RW), (30, 40, STACK)]);
        assert_eq!(bottomup(&l, 5 * P, P, 100 * P), Some(P));
        assert_eq!(bottomup(&l, 10 * P, P, 100 * P), Some(40 * P)); // [20, 30) is too close to the stack
        assert_eq!(bottomup(&l, 5 * P, 15 * P, 100 * P), Some(40 * P));
        assert_eq!(bottomup(&l, 70 * P, P, 100 * P), None);
        assert_eq!(bottomup(&l, 60 * P, P, 100 * P), Some(40 * P));
    }

    #[test]
    fn length_and_munmap_checks() {
        assert_eq!(mmap_len(0, 0, 0), Err(Errno::EINVAL));
        assert_eq!(mmap_len(1, 0, 0), Ok(P));
        assert_eq!(mmap_len(usize::MAX, 0, 0), Err(Errno::ENOMEM));
        assert_eq!(mmap_len(P, usize::MAX, 0), Err(Errno::EOVERFLOW));
        assert_eq!(mmap_len(P, 0, MAX_MAP_COUNT + 1), Err(Errno::ENOMEM));
        assert_eq!(munmap_range(P, 1), Ok(2 * P));
        assert_eq!(munmap_range(P, 0), Err(Errno::EINVAL));
        assert_eq!(munmap_range(P + 1, P), Err(Errno::EINVAL));
        assert_eq!(munmap_range(TASK_SIZE - P, 2 * P), Err(Errno::EINVAL));
        assert_eq!(munmap_range(TASK_SIZE - P, P), Ok(TASK_SIZE));
        assert_eq!(munmap_range(0, P), Ok(P)); // page 0 holds nothing, but is no error
    }

    #[test]
    fn msync_checks() {
        let l = list(&[(10, 20, RW), (20, 30, RW), (40, 50, RW)]);
        assert_eq!(msync_check(&l, 10 * P, 20 * P, MS_SYNC), Ok(()));
        assert_eq!(msync_check(&l, 10 * P, 5, MS_ASYNC | MS_INVALIDATE), Ok(()));
        assert_eq!(msync_check(&l, 10 * P, 0, 0), Ok(()));
        assert_eq!(
            msync_check(&l, 0, 0, 0),
            Ok(()),
            "an empty range needs no VMA"
        );
        assert_eq!(msync_check(&l, 10 * P, P, 8), Err(Errno::EINVAL));
        assert_eq!(
            msync_check(&l, 10 * P, P, MS_ASYNC | MS_SYNC),
            Err(Errno::EINVAL)
        );
        assert_eq!(msync_check(&l, 10 * P + 1, P, 0), Err(Errno::EINVAL));
        assert_eq!(
            msync_check(&l, 25 * P, 20 * P, 0),
            Err(Errno::ENOMEM),
            "a hole"
        );
        assert_eq!(msync_check(&l, 60 * P, P, 0), Err(Errno::ENOMEM));
        assert_eq!(msync_check(&l, 10 * P, usize::MAX, 0), Err(Errno::ENOMEM));
    }

    #[test]
    fn mprotect_checks() {
        let ro_shared = (RW - VmFlags::WRITE - VmFlags::MAYWRITE) | VmFlags::MAYSHARE;
        let l = list(&[(10, 20, RW), (20, 30, ro_shared), (40, 50, STACK)]);
        let rw = PROT_READ | PROT_WRITE;
        let rwf = VmFlags::READ | VmFlags::WRITE;
        assert_eq!(
            mprotect_check(&l, 10 * P, 5, rw),
            Ok(Some((10 * P, 11 * P, rwf)))
        );
        assert_eq!(mprotect_check(&l, 10 * P, 0, rw), Ok(None));
        assert_eq!(mprotect_check(&l, 10 * P + 1, P, rw), Err(Errno::EINVAL));
        assert_eq!(mprotect_check(&l, 10 * P, P, 0x10), Err(Errno::EINVAL));
        assert!(mprotect_check(&l, 10 * P, P, PROT_READ | PROT_SEM).is_ok());
        // A hole, or nothing at all: ENOMEM.
        assert_eq!(
            mprotect_check(&l, 25 * P, 10 * P, PROT_READ),
            Err(Errno::ENOMEM)
        );
        assert_eq!(mprotect_check(&l, 60 * P, P, PROT_READ), Err(Errno::ENOMEM));
        assert_eq!(
            mprotect_check(&l, usize::MAX & !(P - 1), 2 * P, 0),
            Err(Errno::ENOMEM)
        );
        // VM_MAYWRITE missing: EACCES, even though the range starts in a writable VMA.
        assert_eq!(mprotect_check(&l, 15 * P, 10 * P, rw), Err(Errno::EACCES));
        assert!(mprotect_check(&l, 15 * P, 10 * P, PROT_READ).is_ok());
        // PROT_GROWSDOWN extends the range to the stack's start.
        let gd = PROT_READ | PROT_GROWSDOWN;
        assert_eq!(
            mprotect_check(&l, 45 * P, P, gd),
            Ok(Some((40 * P, 46 * P, VmFlags::READ)))
        );
        assert_eq!(mprotect_check(&l, 15 * P, P, gd), Err(Errno::EINVAL));
        let both = PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP;
        assert_eq!(mprotect_check(&l, 45 * P, P, both), Err(Errno::EINVAL));
    }

    #[test]
    fn brk_follows_sys_brk() {
        let b = BrkBounds {
            start_brk: 100 * P,
            brk: 100 * P,
            start_data: 90 * P,
            end_data: 95 * P,
        };
        let l = list(&[(90, 100, RW), (120, 130, RW), (400, 500, STACK)]);
        let inf = usize::MAX;
        assert_eq!(brk_plan(&l, b, 0, inf), BrkPlan::Refuse); // brk(0) just reports
        assert_eq!(brk_plan(&l, b, 99 * P, inf), BrkPlan::Refuse);
        assert_eq!(brk_plan(&l, b, 100 * P, inf), BrkPlan::Set);
        assert_eq!(
            brk_plan(&l, b, 100 * P + 10, inf),
            BrkPlan::Grow(100 * P, 101 * P)
        );
        assert_eq!(
            brk_plan(&l, b, 119 * P, inf),
            BrkPlan::Grow(100 * P, 119 * P)
        );
        // Growing must leave a page free below the next VMA.
        assert_eq!(brk_plan(&l, b, 119 * P + 1, inf), BrkPlan::Refuse);
        assert_eq!(brk_plan(&l, b, 125 * P, inf), BrkPlan::Refuse);
        // RLIMIT_DATA counts the heap plus the data segment.
        assert_eq!(
            brk_plan(&l, b, 103 * P, 8 * P),
            BrkPlan::Grow(100 * P, 103 * P)
        );
        assert_eq!(brk_plan(&l, b, 104 * P, 8 * P), BrkPlan::Refuse);
        let grown = BrkBounds {
            brk: 110 * P + 5,
            ..b
        };
        assert_eq!(brk_plan(&l, grown, 110 * P + 99, inf), BrkPlan::Set); // same page
        assert_eq!(
            brk_plan(&l, grown, 110 * P, inf),
            BrkPlan::Shrink(110 * P, 111 * P)
        );
        assert_eq!(
            brk_plan(&l, grown, 105 * P, inf),
            BrkPlan::Shrink(105 * P, 111 * P)
        );
        assert_eq!(
            brk_plan(&l, grown, 100 * P, inf),
            BrkPlan::Shrink(100 * P, 111 * P)
        );
        // Below a stack, the guard gap counts too: the heap must end a page before it.
        let l = list(&[(1000, 1100, STACK)]);
        let high = BrkBounds {
            start_brk: 300 * P,
            brk: 300 * P,
            ..b
        };
        let last = 1000 - STACK_GUARD_GAP / P - 1;
        assert_eq!(
            brk_plan(&l, high, last * P, inf),
            BrkPlan::Grow(300 * P, last * P)
        );
        assert_eq!(brk_plan(&l, high, last * P + 1, inf), BrkPlan::Refuse);
        assert_eq!(brk_plan(&l, high, usize::MAX - 5, inf), BrkPlan::Refuse);
        assert_eq!(brk_plan(&l, high, TASK_SIZE + P, inf), BrkPlan::Refuse);
    }

    #[test]
    fn madvise_checks() {
        assert_eq!(madvise_range(P, P, madv::DONTNEED), Ok(Some(2 * P)));
        assert_eq!(madvise_range(P, 0, madv::DONTNEED), Ok(None));
        assert_eq!(madvise_range(P + 1, P, madv::DONTNEED), Err(Errno::EINVAL));
        assert_eq!(madvise_range(P, P, 999), Err(Errno::EINVAL));
        assert_eq!(madvise_range(P, P, 14), Err(Errno::EINVAL)); // MADV_HUGEPAGE: no THP
        assert_eq!(
            madvise_range(usize::MAX & !(P - 1), 2 * P, 0),
            Err(Errno::EINVAL)
        );
        assert!(madvise_behavior_valid(madv::POPULATE_WRITE));
    }
}
