//! Host tests of `mm/vma.rs`.

use super::*;

const P: usize = PAGE_SIZE;
const R: VmFlags = VmFlags::READ;
const RW: VmFlags = VmFlags::READ.union(VmFlags::WRITE);
const RX: VmFlags = VmFlags::READ.union(VmFlags::EXEC);
const STACK: VmFlags = RW.union(VmFlags::GROWSDOWN);

struct FakeFile {
    path: &'static str,
    ino: u64,
}

impl VmFile for FakeFile {
    fn path(&self) -> &str {
        self.path
    }
    fn read_at(&self, _offset: usize, _buf: &mut [u8]) -> usize {
        0
    }
    fn ino(&self) -> u64 {
        self.ino
    }
}

fn file(path: &'static str, ino: u64) -> Arc<dyn VmFile> {
    Arc::new(FakeFile { path, ino })
}

/// An anonymous VMA over pages [s, e).
fn anon(s: usize, e: usize, flags: VmFlags) -> VmArea {
    VmArea::new_anon(s * P, e * P, flags)
}

/// A file VMA over pages [s, e) from file page `pgoff`.
fn filed(s: usize, e: usize, flags: VmFlags, f: &Arc<dyn VmFile>, pgoff: usize) -> VmArea {
    VmArea::new_file(s * P, e * P, flags, f.clone(), pgoff)
}

/// The list as (start page, end page, flags, pgoff), checking invariants first.
fn shape(l: &VmaList) -> Vec<(usize, usize, VmFlags, usize)> {
    l.check_invariants();
    l.iter()
        .map(|v| (v.vm_start / P, v.vm_end / P, v.vm_flags, v.vm_pgoff))
        .collect()
}

fn list(vmas: Vec<VmArea>) -> VmaList {
    let mut l = VmaList::new();
    for v in vmas {
        assert!(l.insert(v).is_ok());
    }
    l.check_invariants();
    l
}

#[test]
fn overlap_refused_in_every_shape() {
    let mut l = list(vec![anon(10, 20, RW)]);
    let before = shape(&l);
    // Over the start, over the end, inside, around, equal, at each edge inside.
    for (s, e) in [
        (5, 15),
        (15, 25),
        (12, 18),
        (5, 25),
        (10, 20),
        (10, 11),
        (19, 20),
        (9, 11),
    ] {
        assert_eq!(
            l.insert(anon(s, e, R)),
            Err(VmaError::Overlap),
            "[{s}, {e})"
        );
        assert_eq!(shape(&l), before);
    }
    // Touching on either side is not an overlap.
    assert_eq!(l.insert(anon(5, 10, R)), Ok(5 * P));
    assert_eq!(l.insert(anon(20, 25, R)), Ok(20 * P));
    assert_eq!(
        shape(&l),
        vec![(5, 10, R, 0), (10, 20, RW, 0), (20, 25, R, 0)]
    );
    assert_eq!(Errno::from(VmaError::Overlap), Errno::EEXIST);
    assert_eq!(Errno::from(VmaError::BadRange), Errno::EINVAL);
    assert_eq!(Errno::from(VmaError::NotMapped), Errno::ENOMEM);
}

#[test]
fn insert_merges_adjacent_anonymous() {
    let mut l = list(vec![anon(10, 20, RW)]);
    assert_eq!(l.insert(anon(20, 30, RW)), Ok(10 * P)); // after
    assert_eq!(l.insert(anon(5, 10, RW)), Ok(5 * P)); // before
    assert_eq!(shape(&l), vec![(5, 30, RW, 0)]);
    l.insert(anon(40, 50, RW)).unwrap();
    l.insert(anon(60, 70, RW)).unwrap();
    assert_eq!(l.insert(anon(50, 60, RW)), Ok(40 * P)); // fills the hole
    assert_eq!(shape(&l), vec![(5, 30, RW, 0), (40, 70, RW, 0)]);
    assert_eq!(l.total_size(), 55 * P);
    assert_eq!(l.len(), 2);
}

#[test]
fn insert_does_not_merge_incompatible() {
    let (a, b) = (file("/a", 1), file("/b", 2));
    let mut l = list(vec![anon(10, 20, RW)]);
    l.insert(anon(20, 30, R)).unwrap(); // other flags
    l.insert(filed(30, 40, R, &a, 0)).unwrap(); // file next to anonymous
    l.insert(filed(40, 50, R, &b, 10)).unwrap(); // another file
    l.insert(filed(50, 60, R, &b, 99)).unwrap(); // same file, pgoff not contiguous
    assert_eq!(l.len(), 5);
    // Same file, contiguous pgoff: merges, keeping the lower pgoff.
    assert_eq!(l.insert(filed(60, 62, R, &b, 109)), Ok(50 * P));
    assert_eq!(l.insert(filed(62, 64, RX, &b, 111)), Ok(62 * P)); // flags differ
    assert_eq!(shape(&l)[4], (50, 62, R, 99));
    assert!(!l.vma_at(35 * P).unwrap().is_anonymous());
    assert_eq!(
        l.vma_at(55 * P).unwrap().file_offset(55 * P + 12),
        (104 * P) + 12
    );
}

#[test]
fn special_mappings_never_merge_and_split_keeps_their_page_index() {
    static SM: SpecialMapping = SpecialMapping::new("[vdso]");
    let special = |s: usize, e: usize| VmArea::new_special(s * P, e * P, R, &SM);
    let mut l = list(vec![special(10, 14)]);
    // Neighbours with the same flags, anonymous or special, stay separate VMAs.
    l.insert(anon(14, 16, R)).unwrap();
    l.insert(anon(8, 10, R)).unwrap();
    l.insert(special(16, 18)).unwrap();
    assert_eq!(l.len(), 4);
    assert!(!l.vma_at(10 * P).unwrap().is_anonymous());
    // mprotect of the middle of the special VMA splits it; each piece still knows
    // which frame its first page shows, and the pieces do not merge back.
    l.change_flags(11 * P, 12 * P, |f| f | VmFlags::EXEC)
        .unwrap();
    let pieces: Vec<(usize, usize)> = l
        .iter()
        .filter(|v| v.vm_special.is_some() && v.vm_start < 14 * P)
        .map(|v| (v.vm_start / P, v.vm_pgoff))
        .collect();
    assert_eq!(pieces, vec![(10, 0), (11, 1), (12, 2)]);
    l.change_flags(11 * P, 12 * P, |f| f - VmFlags::EXEC)
        .unwrap();
    assert_eq!(l.len(), 6);
    l.check_invariants();
}

#[test]
fn split_at_boundaries() {
    let f = file("/f", 3);
    let mut l = list(vec![anon(10, 20, RW), filed(30, 40, R, &f, 5)]);
    assert_eq!(l.split(10 * P), Err(VmaError::BadRange)); // at vm_start
    assert_eq!(l.split(20 * P), Err(VmaError::NotMapped)); // at vm_end
    assert_eq!(l.split(25 * P), Err(VmaError::NotMapped)); // outside
    assert_eq!(l.split(15 * P + 8), Err(VmaError::BadRange)); // unaligned
    assert_eq!(l.split(usize::MAX & !(P - 1)), Err(VmaError::NotMapped));
    assert_eq!(shape(&l).len(), 2);
    l.split(15 * P).unwrap();
    l.split(33 * P).unwrap();
    let want = vec![
        (10, 15, RW, 0),
        (15, 20, RW, 0),
        (30, 33, R, 5),
        (33, 40, R, 8),
    ];
    assert_eq!(shape(&l), want);
    assert_eq!(l.vma_at(33 * P).unwrap().file_offset(34 * P), 9 * P);
}

#[test]
fn remove_range_shapes() {
    let mut l = list(vec![anon(10, 20, RW)]);
    let gone = l.remove_range(13 * P, 15 * P).unwrap(); // the middle
    assert_eq!(
        gone.iter()
            .map(|v| (v.vm_start / P, v.vm_end / P))
            .collect::<Vec<_>>(),
        [(13, 15)]
    );
    assert_eq!(shape(&l), vec![(10, 13, RW, 0), (15, 20, RW, 0)]);
    assert!(l.remove_range(30 * P, 40 * P).unwrap().is_empty()); // a hole
    assert!(l.remove_range(0, P).unwrap().is_empty()); // page 0 may be named
    l.insert(anon(20, 25, R)).unwrap();
    l.insert(anon(30, 35, RX)).unwrap();
    // Partial at both edges, spanning several VMAs and holes.
    let gone = l.remove_range(12 * P, 32 * P).unwrap();
    let pieces: Vec<_> = gone
        .iter()
        .map(|v| (v.vm_start / P, v.vm_end / P))
        .collect();
    assert_eq!(pieces, [(12, 13), (15, 20), (20, 25), (30, 32)]);
    assert_eq!(shape(&l), vec![(10, 12, RW, 0), (32, 35, RX, 0)]);
    assert_eq!(l.remove_range(P, TASK_SIZE).unwrap().len(), 2);
    assert!(l.is_empty());
    for (s, e) in [(P, P), (2 * P, P), (P + 1, 2 * P), (P, TASK_SIZE + P)] {
        assert_eq!(l.remove_range(s, e).err(), Some(VmaError::BadRange));
    }
}

#[test]
fn change_flags_splits_and_remerges() {
    let f = file("/f", 3);
    let mut l = list(vec![anon(10, 20, RW), filed(30, 40, R, &f, 0)]);
    l.change_flags(13 * P, 15 * P, |fl| fl - VmFlags::WRITE)
        .unwrap();
    assert_eq!(
        shape(&l)[..3],
        [(10, 13, RW, 0), (13, 15, R, 0), (15, 20, RW, 0)]
    );
    l.change_flags(13 * P, 15 * P, |fl| fl | VmFlags::WRITE)
        .unwrap();
    assert_eq!(shape(&l)[0], (10, 20, RW, 0));
    // The same on a file VMA: pgoff follows the split, and it merges back.
    l.change_flags(32 * P, 34 * P, |_| RX).unwrap();
    assert_eq!(
        shape(&l)[1..],
        [(30, 32, R, 0), (32, 34, RX, 2), (34, 40, R, 4)]
    );
    l.change_flags(32 * P, 34 * P, |_| R).unwrap();
    assert_eq!(shape(&l)[1], (30, 40, R, 0));
    // Over several touching VMAs: all become one.
    l.insert(anon(20, 25, R)).unwrap();
    l.change_flags(15 * P, 25 * P, |_| RX).unwrap();
    assert_eq!(shape(&l)[..2], [(10, 15, RW, 0), (15, 25, RX, 0)]);
}

#[test]
fn change_flags_over_a_hole_changes_nothing() {
    let mut l = list(vec![anon(10, 20, RW), anon(21, 30, RW)]);
    let before = shape(&l);
    for (s, e) in [(12, 25), (5, 15), (25, 31), (20, 21), (0, 12)] {
        assert_eq!(
            l.change_flags(s * P, e * P, |_| R),
            Err(VmaError::NotMapped)
        );
        assert_eq!(shape(&l), before);
    }
    assert_eq!(
        l.change_flags(12 * P, 12 * P, |_| R),
        Err(VmaError::BadRange)
    );
}

#[test]
fn find_vma_semantics() {
    let l = list(vec![anon(10, 20, RW), anon(30, 40, R)]);
    let start = |v: Option<&VmArea>| v.map(|v| v.vm_start / P);
    assert_eq!(start(l.find_vma(0)), Some(10)); // below: the VMA above, not mapped!
    assert_eq!(start(l.vma_at(0)), None);
    assert_eq!(start(l.find_vma(10 * P)), Some(10));
    assert_eq!(start(l.find_vma(20 * P - 1)), Some(10));
    assert_eq!(start(l.find_vma(20 * P)), Some(30)); // vm_end is outside
    assert_eq!(start(l.vma_at(20 * P)), None);
    assert_eq!(start(l.find_vma(40 * P)), None);
    assert_eq!(start(l.find_vma(usize::MAX)), None);
    assert_eq!(start(l.find_vma_intersection(20 * P, 30 * P)), None);
    assert_eq!(start(l.find_vma_intersection(20 * P, 30 * P + 1)), Some(30));
    assert_eq!(start(l.find_vma_intersection(15 * P, 35 * P)), Some(10));
    assert_eq!(start(l.find_vma_intersection(35 * P, 15 * P)), None);
    let mut l = l;
    l.find_vma_mut(35 * P).unwrap().vm_flags = RW;
    assert!(l.find_vma_mut(25 * P).is_none());
    assert_eq!(l.vma_at(39 * P).unwrap().vm_flags, RW);
}

#[test]
fn find_gap_topdown_cases() {
    // In pages: (len, align, low, high, guard) -> the start page found.
    let gap = |l: &VmaList, len: usize, align: usize, low: usize, high: usize, guard: usize| {
        l.find_gap_topdown(len * P, align * P, low * P, high * P, guard * P)
            .map(|a| a / P)
    };
    let empty = VmaList::new();
    assert_eq!(gap(&empty, 4, 1, 0, 100, 0), Some(96));
    assert_eq!(gap(&empty, 4, 16, 0, 90, 0), Some(80)); // aligned down
    assert_eq!(gap(&empty, 3, 1, 0, 3, 0), None); // page 0 is never handed out
    assert_eq!(gap(&empty, 2, 1, 0, 3, 0), Some(1));
    assert_eq!(gap(&empty, 0, 1, 0, 100, 0), None);
    assert_eq!(gap(&empty, 1, 3, 0, 100, 0), None); // align not a power of two
    assert_eq!(empty.find_gap_topdown(P + 1, P, 0, 100 * P, 0), None);
    let top = empty.find_gap_topdown(P, P, 0, usize::MAX, 0);
    assert_eq!(top, Some(TASK_SIZE - P)); // high is capped at TASK_SIZE
    let huge = usize::MAX & !(P - 1);
    assert_eq!(empty.find_gap_topdown(huge, P, 0, usize::MAX, 0), None);

    let mut l = list(vec![anon(10, 20, RW), anon(50, 60, R), anon(80, 100, RX)]);
    assert_eq!(gap(&l, 10, 1, 0, 100, 0), Some(70)); // highest gap first
    assert_eq!(gap(&l, 20, 1, 0, 100, 0), Some(60)); // exact fit
    assert_eq!(gap(&l, 25, 1, 0, 100, 0), Some(25)); // only the lower gap is wide enough
    assert_eq!(gap(&l, 16, 16, 0, 100, 0), Some(64));
    assert_eq!(gap(&l, 18, 8, 0, 100, 0), Some(32)); // alignment pushes it down a gap
    assert_eq!(gap(&l, 25, 1, 30, 100, 0), None); // above low only [30, 50) is free
    assert_eq!(gap(&l, 31, 1, 0, 100, 0), None);
    assert_eq!(gap(&l, 10, 1, 0, 200, 0), Some(190));
    // The guard applies only below a GROWSDOWN VMA ...
    assert_eq!(gap(&l, 10, 1, 0, 100, 4), Some(70));
    l.change_flags(80 * P, 100 * P, |_| STACK).unwrap();
    assert_eq!(gap(&l, 10, 1, 0, 100, 4), Some(66));
    assert_eq!(gap(&l, 10, 1, 0, 100, 15), Some(40));
    // ... also when the stack starts at or above `high`.
    assert_eq!(gap(&l, 5, 1, 0, 80, 2), Some(73));
    assert_eq!(gap(&l, 5, 1, 0, 75, 2), Some(70));
    let a = l.find_gap_topdown(10 * P, P, 0, 100 * P, 0).unwrap();
    assert!(l.insert(VmArea::new_anon(a, a + 10 * P, RX)).is_ok());
}

#[test]
fn expand_refuses_neighbours() {
    let mut l = list(vec![anon(10, 20, RW), anon(30, 40, STACK), anon(50, 60, R)]);
    assert_eq!(l.expand_down(30 * P, 19 * P), Err(VmaError::Overlap));
    assert_eq!(l.expand_down(30 * P, 25 * P + 1), Err(VmaError::BadRange));
    assert_eq!(l.expand_down(30 * P, 31 * P), Err(VmaError::BadRange));
    assert_eq!(l.expand_down(50 * P, 45 * P), Err(VmaError::BadRange)); // no GROWSDOWN
    assert_eq!(l.expand_down(31 * P, 25 * P), Err(VmaError::NotMapped));
    l.expand_down(30 * P, 20 * P).unwrap(); // up to the neighbour, not into it
    assert_eq!(shape(&l)[1], (20, 40, STACK, 0));
    assert_eq!(l.expand_up(20 * P, 51 * P), Err(VmaError::Overlap));
    assert_eq!(l.expand_up(20 * P, 39 * P), Err(VmaError::BadRange));
    assert_eq!(l.expand_up(20 * P, TASK_SIZE + P), Err(VmaError::BadRange));
    assert_eq!(l.expand_up(21 * P, 45 * P), Err(VmaError::NotMapped));
    l.expand_up(20 * P, 50 * P).unwrap();
    assert_eq!(shape(&l)[1], (20, 50, STACK, 0));
    l.expand_up(50 * P, TASK_SIZE).unwrap();
    // A stack alone cannot grow into page 0.
    let mut s = list(vec![anon(4, 8, STACK)]);
    assert_eq!(s.expand_down(4 * P, 0), Err(VmaError::BadRange));
    s.expand_down(4 * P, P).unwrap();
    assert_eq!(shape(&s), vec![(1, 8, STACK, 0)]);
    // A file-backed one moves its pgoff down, and cannot go below file page 0.
    let f = file("/f", 1);
    let mut fl = list(vec![filed(10, 12, STACK, &f, 2)]);
    assert_eq!(fl.expand_down(10 * P, 7 * P), Err(VmaError::BadRange));
    fl.expand_down(10 * P, 8 * P).unwrap();
    assert_eq!(shape(&fl), vec![(8, 12, STACK, 0)]);
}

#[test]
fn bad_ranges_refused() {
    let mut l = VmaList::new();
    let bad = [
        (0, P),                         // page 0
        (0, 3 * P),                     // starts in page 0
        (P, P),                         // empty
        (3 * P, 2 * P),                 // inverted
        (P + 1, 2 * P),                 // unaligned
        (P, 2 * P - 1),                 // unaligned end
        (TASK_SIZE - P, TASK_SIZE + P), // past TASK_SIZE
        (TASK_SIZE, TASK_SIZE + P),
        (usize::MAX & !(P - 1), 0), // wraps
        (usize::MAX - P + 1, usize::MAX),
    ];
    for (s, e) in bad {
        assert_eq!(
            l.insert(VmArea::new_anon(s, e, RW)),
            Err(VmaError::BadRange),
            "{s:#x}"
        );
    }
    assert!(l.is_empty());
    assert_eq!(
        l.insert(VmArea::new_anon(TASK_SIZE - P, TASK_SIZE, RW)),
        Ok(TASK_SIZE - P)
    );
    assert_eq!(l.insert(VmArea::new_anon(MMAP_MIN_ADDR, 2 * P, RW)), Ok(P));
    assert_eq!(
        l.change_flags(TASK_SIZE, usize::MAX & !(P - 1), |f| f),
        Err(VmaError::BadRange)
    );
    l.check_invariants();
}

#[test]
fn flag_conversions() {
    assert_eq!(VmFlags::from_prot_bits(0), VmFlags::empty());
    assert_eq!(VmFlags::from_prot_bits(1 | 4 | 0x10), RX);
    assert_eq!(RW.to_prot(), Prot::USER | Prot::READ | Prot::WRITE);
    assert_eq!(VmFlags::empty().to_prot(), Prot::USER);
    // arm64 has no write-only pages, and exec-only is readable without FEAT_EPAN.
    assert_eq!(
        VmFlags::WRITE.to_prot(),
        Prot::USER | Prot::READ | Prot::WRITE
    );
    assert_eq!(
        VmFlags::EXEC.to_prot(),
        Prot::USER | Prot::READ | Prot::EXEC
    );
    assert_eq!(VmFlags::GROWSDOWN.bits(), 0x100);
    assert_eq!(VmFlags::ACCOUNT.bits(), 0x100000);
}

#[test]
fn maps_line_matches_linux() {
    // Lines as Linux prints them (from a real /proc/self/maps; device set to 00:00).
    let f = file("/usr/bin/head", 247282);
    let text = VmArea::new_file(0x55572f91e000, 0x55572f924000, RX, f, 2);
    assert_eq!(
        maps_line(&text, "ignored"),
        "55572f91e000-55572f924000 r-xp 00002000 00:00 247282                     /usr/bin/head"
    );
    let heap = VmArea::new_anon(0x5557539f3000, 0x555753a14000, RW);
    assert_eq!(
        maps_line(&heap, "[heap]"),
        "5557539f3000-555753a14000 rw-p 00000000 00:00 0                          [heap]"
    );
    let plain = VmArea::new_anon(0x55fe9d3a4000, 0x55fe9d3b7000, RW);
    assert_eq!(
        maps_line(&plain, ""),
        "55fe9d3a4000-55fe9d3b7000 rw-p 00000000 00:00 0 "
    );
    // Short addresses keep 8 digits; the name still starts at column 73.
    let init = VmArea::new_file(0x400000, 0x452000, RX, file("/bin/init", 1234), 0);
    let line = maps_line(&init, "");
    assert_eq!(
        line,
        "00400000-00452000 r-xp 00000000 00:00 1234                               /bin/init"
    );
    assert_eq!(line.find('/'), Some(73));
    let shared = VmArea::new_anon(0x1000, 0x2000, R | VmFlags::MAYSHARE);
    assert_eq!(
        maps_line(&shared, ""),
        "00001000-00002000 r--s 00000000 00:00 0 "
    );
}

// ---- Randomized test against a page-by-page model ----

struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n as u64) as usize
    }
}

/// What the model knows of a page: its flags and (file number, file page).
type Page = (VmFlags, Option<(usize, usize)>);

fn file_index(files: &[Arc<dyn VmFile>], v: &VmArea) -> Option<usize> {
    let f = v.vm_file.as_ref()?;
    files.iter().position(|g| Arc::ptr_eq(f, g))
}

/// The list, page by page, in the model's terms.
fn pages(l: &VmaList, files: &[Arc<dyn VmFile>]) -> BTreeMap<usize, Page> {
    let mut m = BTreeMap::new();
    for v in l.iter() {
        for (i, page) in (v.vm_start / P..v.vm_end / P).enumerate() {
            let backing = file_index(files, v).map(|f| (f, v.vm_pgoff + i));
            m.insert(page, (v.vm_flags, backing));
        }
    }
    m
}

/// How many VMAs a fully merged list has for this model: one per run of pages that
/// continue each other.
fn runs(model: &BTreeMap<usize, Page>) -> usize {
    let continues = |p: usize, cur: &Page| match model.get(&p.wrapping_sub(1)) {
        Some((fl, b)) => {
            *fl == cur.0
                && match (b, cur.1) {
                    (None, None) => true,
                    (Some((f, q)), Some((g, r))) => *f == g && q + 1 == r,
                    _ => false,
                }
        }
        None => false,
    };
    model.iter().filter(|(&p, cur)| !continues(p, cur)).count()
}

/// The highest page `a` (aligned, at least 1) with `[a, a + len)` free and below
/// `high`, and `guard` free pages below a GROWSDOWN VMA right above it.
fn brute_gap(
    model: &BTreeMap<usize, Page>,
    len: usize,
    align: usize,
    high: usize,
    guard: usize,
) -> Option<usize> {
    let fits = |a: usize| {
        let free = (a..a + len).all(|p| !model.contains_key(&p));
        let above = model.range(a + len..).next();
        let guarded = match above {
            Some((&p, (fl, _))) if fl.contains(VmFlags::GROWSDOWN) => p >= a + len + guard,
            _ => true,
        };
        free && guarded
    };
    (1..=high.checked_sub(len)?)
        .rev()
        .find(|&a| a % align == 0 && fits(a))
}

#[test]
fn randomized_against_page_model() {
    let files = [file("/a", 1), file("/b", 2)];
    let flag_set = [R, RW, RX, R | VmFlags::MAYSHARE, STACK];
    for seed in [1u64, 0x9e37_79b9_7f4a_7c15, 12345] {
        let mut rng = XorShift(seed);
        let mut l = VmaList::new();
        let mut model: BTreeMap<usize, Page> = BTreeMap::new();
        for _ in 0..4000 {
            let s = rng.below(64);
            let e = s + 1 + rng.below(10);
            let covered = (s..e).filter(|p| model.contains_key(p)).count();
            match rng.below(10) {
                0..=3 => {
                    let flags = flag_set[rng.below(flag_set.len())];
                    let vma = match rng.below(3) {
                        0 => anon(s, e, flags),
                        k => {
                            let pgoff = if rng.below(2) == 0 { s } else { rng.below(16) };
                            filed(s, e, flags, &files[k - 1], pgoff)
                        }
                    };
                    let backing = file_index(&files, &vma).map(|f| (f, vma.vm_pgoff));
                    let got = l.insert(vma);
                    if s == 0 {
                        assert_eq!(got, Err(VmaError::BadRange));
                    } else if covered > 0 {
                        assert_eq!(got, Err(VmaError::Overlap));
                    } else {
                        let start = got.unwrap();
                        assert_eq!(l.vma_at(s * P).map(|v| v.vm_start), Some(start));
                        for (i, p) in (s..e).enumerate() {
                            model.insert(p, (flags, backing.map(|(f, q)| (f, q + i))));
                        }
                    }
                }
                4..=5 => {
                    let gone = l.remove_range(s * P, e * P).unwrap();
                    let gone_pages: usize = gone.iter().map(|v| v.len() / P).sum();
                    assert_eq!(gone_pages, covered);
                    for v in &gone {
                        let first = (v.vm_flags, file_index(&files, v).map(|f| (f, v.vm_pgoff)));
                        assert_eq!(model.get(&(v.vm_start / P)), Some(&first));
                    }
                    model.retain(|p, _| !(s..e).contains(p));
                }
                6..=8 => {
                    let new = flag_set[rng.below(flag_set.len())];
                    let toggle = rng.below(2) == 0;
                    let f = |fl: VmFlags| if toggle { fl ^ VmFlags::WRITE } else { new };
                    let got = l.change_flags(s * P, e * P, f);
                    if covered < e - s {
                        assert_eq!(got, Err(VmaError::NotMapped));
                    } else {
                        assert_eq!(got, Ok(()));
                        for p in s..e {
                            if let Some(page) = model.get_mut(&p) {
                                page.0 = f(page.0);
                            }
                        }
                    }
                }
                _ => {
                    let (a, b) = (s * P + 8, e * P);
                    assert_eq!(l.insert(VmArea::new_anon(a, b, R)), Err(VmaError::BadRange));
                    assert_eq!(l.remove_range(a, b).err(), Some(VmaError::BadRange));
                    assert_eq!(l.change_flags(b, a, |f| f), Err(VmaError::BadRange));
                }
            }
            l.check_invariants();
            assert_eq!(pages(&l, &files), model);
            assert_eq!(l.len(), runs(&model), "not fully merged: {l:?}");
            assert_eq!(l.total_size(), model.len() * P);
            // The gap search against a brute-force scan, in pages.
            let (len, align) = (1 + rng.below(8), 1 << rng.below(3));
            let (high, guard) = (rng.below(80), rng.below(3));
            let got = l.find_gap_topdown(len * P, align * P, 0, high * P, guard * P);
            assert_eq!(
                got.map(|a| a / P),
                brute_gap(&model, len, align, high, guard)
            );
        }
    }
}
