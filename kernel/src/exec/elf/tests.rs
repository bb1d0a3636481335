//! Host tests of `exec/elf.rs`.

use super::*;

fn header(e_type: u16, machine: u16, phnum: u16) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[0..4].copy_from_slice(b"\x7fELF");
    h[4] = 2;
    h[5] = 1;
    h[6] = 1;
    h[16..18].copy_from_slice(&e_type.to_le_bytes());
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h[24..32].copy_from_slice(&0x400000u64.to_le_bytes());
    h[32..40].copy_from_slice(&64u64.to_le_bytes());
    h[54..56].copy_from_slice(&56u16.to_le_bytes());
    h[56..58].copy_from_slice(&phnum.to_le_bytes());
    h
}

#[test]
fn accepts_a_good_header() {
    let h = parse_header(&header(ET_EXEC, EM_AARCH64, 2), 4096).unwrap();
    assert_eq!(h.e_entry, 0x400000);
    assert_eq!(h.e_phnum, 2);
    assert!(parse_header(&header(ET_DYN, EM_AARCH64, 1), 4096).is_ok());
}

#[test]
fn refuses_bad_headers_with_reasons() {
    assert_eq!(parse_header(b"#!/bin/sh\n", 10), Err(ElfError::NotElf));
    assert_eq!(
        parse_header(&header(ET_EXEC, EM_AARCH64, 1)[..63], 63),
        Err(ElfError::NotElf)
    );
    let mut h = header(ET_EXEC, EM_AARCH64, 1);
    h[4] = 1; // 32-bit class, big-endian, version 0: Linux does not look
    h[5] = 2;
    h[6] = 0;
    assert!(parse_header(&h, 4096).is_ok());
    // 74 headers are 4144 bytes, more than a page: Linux refuses them.
    assert_eq!(
        parse_header(&header(ET_EXEC, EM_AARCH64, 74), 1 << 20),
        Err(ElfError::BadPhdrTable)
    );
    assert!(parse_header(&header(ET_EXEC, EM_AARCH64, 73), 1 << 20).is_ok());
    assert_eq!(
        parse_header(&header(1, EM_AARCH64, 1), 4096),
        Err(ElfError::BadType)
    );
    assert_eq!(
        parse_header(&header(ET_EXEC, 62, 1), 4096),
        Err(ElfError::BadMachine)
    );
    assert_eq!(
        parse_header(&header(ET_EXEC, EM_AARCH64, 0), 4096),
        Err(ElfError::BadPhdrTable)
    );
    assert_eq!(
        parse_header(&header(ET_EXEC, EM_AARCH64, 2000), 1 << 20),
        Err(ElfError::BadPhdrTable)
    );
    // 2 headers need 64 + 112 bytes of file.
    assert_eq!(
        parse_header(&header(ET_EXEC, EM_AARCH64, 2), 100),
        Err(ElfError::PhdrOutsideFile)
    );
    let mut h = header(ET_EXEC, EM_AARCH64, 1);
    h[32..40].copy_from_slice(&u64::MAX.to_le_bytes()); // e_phoff wraps
    assert_eq!(parse_header(&h, 4096), Err(ElfError::PhdrOutsideFile));
}

fn load(vaddr: u64, off: u64, filesz: u64, memsz: u64, flags: u32) -> ProgramHeader {
    ProgramHeader {
        p_type: PT_LOAD,
        p_flags: flags,
        p_offset: off,
        p_vaddr: vaddr,
        p_filesz: filesz,
        p_memsz: memsz,
        p_align: 0x1000,
        p_paddr: 0,
    }
}

const T: u64 = 1 << 48;

fn plan(e_type: u16, phdrs: &[ProgramHeader]) -> Result<LoadPlan, PlanError> {
    let h = ElfHeader {
        e_type,
        e_entry: 0x400100,
        e_phoff: 64,
        e_phentsize: 56,
        e_phnum: phdrs.len() as u16,
    };
    plan_load(&h, phdrs, 0xaaaa_aaaa_a000, 0x1000, 0x1000, T)
}

#[test]
fn static_executable_layout() {
    let text = load(0x400000, 0, 0x1234, 0x1234, PF_R | PF_X);
    let data = load(0x411234, 0x1234, 0x100, 0x3000, PF_R | PF_W);
    let p = plan(ET_EXEC, &[text, data]).unwrap();
    assert_eq!(p.load_bias, 0);
    assert_eq!(p.segments[0].start, 0x400000);
    assert_eq!(p.segments[0].file_end, 0x402000);
    assert_eq!(p.segments[1].start, 0x411000);
    assert_eq!(p.segments[1].file_pgoff, 1);
    assert_eq!(p.segments[1].zero_from, 0x411334);
    assert_eq!(p.segments[1].mem_end, 0x415000);
    assert_eq!(p.elf_brk, 0x414234);
    assert_eq!(p.phdr_addr, 0x400040);
    assert_eq!((p.start_code, p.end_code), (0x400000, 0x401234));
    assert_eq!(p.entry, 0x400100);
}

#[test]
fn segments_may_point_past_the_file() {
    // A static program whose only writable segment is all .bss, with p_offset past
    // the end of the file (as some linkers write it): Linux loads it.
    let text = load(0x400000, 0, 0x1234, 0x1234, PF_R | PF_X);
    let bss = load(0x412000, 0x2000, 0, 0x3000, PF_R | PF_W);
    let p = plan(ET_EXEC, &[text, bss]).unwrap();
    assert_eq!(p.segments[1].start, 0x412000);
    assert_eq!(p.segments[1].file_end, 0x412000); // nothing from the file
    assert_eq!(p.segments[1].mem_end, 0x415000);
    assert_eq!(p.elf_brk, 0x415000);
    // File bytes past the end are mapped too (Linux does; touching them is SIGBUS),
    // but an offset that wraps around cannot be.
    let data = load(0x412000, 0x2000, 0x10, 0x3000, PF_R | PF_W);
    let p = plan(ET_EXEC, &[text, data]).unwrap();
    assert_eq!(p.segments[1].file_pgoff, 2);
    let wraps = load(0x412000, u64::MAX - 4, 0, 0x1000, PF_R | PF_W);
    assert!(plan(ET_EXEC, &[text, wraps]).is_ok()); // maps no file page
    let unaligned = load(0x412010, u64::MAX - 4, 0, 0x1000, PF_R | PF_W);
    assert_eq!(
        plan(ET_EXEC, &[text, unaligned]),
        Err(PlanError::OffsetOverflow)
    );
}

#[test]
fn overlapping_segments_are_placed_in_header_order() {
    // Linux maps each PT_LOAD with MAP_FIXED in turn: a later one replaces what an
    // earlier one mapped where they overlap, and out-of-order headers are taken as
    // they come. `elf_map` unmaps before it maps.
    let text = load(0x400000, 0, 0x1800, 0x1800, PF_R | PF_X);
    let ro = load(0x401000, 0x1000, 0x100, 0x100, PF_R);
    let p = plan(ET_EXEC, &[text, ro]).unwrap();
    assert_eq!(p.segments[1].start, 0x401000);
    let high = load(0x500000, 0, 0x10, 0x10, PF_R);
    let p = plan(ET_EXEC, &[high, text]).unwrap();
    assert_eq!(
        (p.segments[0].start, p.segments[1].start),
        (0x500000, 0x400000)
    );
}

#[test]
fn pie_gets_a_bias() {
    let text = load(0, 0, 0x800, 0x800, PF_R | PF_X);
    let p = plan(ET_DYN, &[text]).unwrap();
    assert_eq!(p.load_bias, 0xaaaa_aaaa_a000);
    assert_eq!(p.segments[0].start, 0xaaaa_aaaa_a000);
    assert_eq!(p.entry, 0xaaaa_aaaa_a000 + 0x400100);
}

#[test]
fn every_bad_segment_is_refused() {
    let ok = load(0x400000, 0, 0x100, 0x100, PF_R | PF_X);
    assert_eq!(plan(ET_EXEC, &[]), Err(PlanError::NoLoadSegments));
    assert_eq!(
        plan(ET_EXEC, &[load(0x400000, 0, 0x200, 0x100, PF_R)]),
        Err(PlanError::FileszOverMemsz)
    );
    assert_eq!(
        plan(ET_EXEC, &[load(0x400000, u64::MAX, 2, 2, PF_R)]),
        Err(PlanError::OffsetOverflow)
    );
    assert_eq!(
        plan(ET_EXEC, &[load(0x400010, 0x20, 0x10, 0x10, PF_R)]),
        Err(PlanError::Misaligned)
    );
    assert_eq!(
        plan(ET_EXEC, &[load(0, 0, 0x10, 0x10, PF_R)]),
        Err(PlanError::OutOfRange)
    );
    assert_eq!(
        plan(ET_EXEC, &[load(T - 0x1000, 0, 0x10, 0x2000, PF_R)]),
        Err(PlanError::OutOfRange)
    );
    assert_eq!(
        plan(ET_EXEC, &[load(u64::MAX - 0xfff, 0, 0x10, 0x2000, PF_R)]),
        Err(PlanError::OutOfRange)
    );
    assert_eq!(
        plan(
            ET_EXEC,
            &[load(0x400000, 0, 0x10, 0x10, PF_R | PF_W | PF_X)]
        ),
        Err(PlanError::WriteAndExec)
    );
    let mut interp = ok;
    interp.p_type = PT_INTERP;
    assert_eq!(plan(ET_EXEC, &[interp, ok]), Err(PlanError::Interpreter));
}

fn le(b: &[u8], off: usize, n: usize) -> u64 {
    (0..n).fold(0, |v, i| v | (b[off + i] as u64) << (8 * i))
}

/// The decoder Linnet had before xmas-elf, byte by byte, as the reference the crate's
/// decoding must match: `parse_header` before the crate, then the same checks.
fn reference_header(buf: &[u8], file_size: u64) -> Result<ElfHeader, ElfError> {
    if buf.len() < EHDR_SIZE || &buf[0..4] != b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    let h = ElfHeader {
        e_type: le(buf, 16, 2) as u16,
        e_entry: le(buf, 24, 8),
        e_phoff: le(buf, 32, 8),
        e_phentsize: le(buf, 54, 2) as u16,
        e_phnum: le(buf, 56, 2) as u16,
    };
    if h.e_type != ET_EXEC && h.e_type != ET_DYN {
        return Err(ElfError::BadType);
    }
    if le(buf, 18, 2) as u16 != EM_AARCH64 {
        return Err(ElfError::BadMachine);
    }
    let table = h.e_phnum as usize * PHDR_SIZE;
    if h.e_phentsize as usize != PHDR_SIZE || h.e_phnum == 0 || table > MAX_PHDR_BYTES {
        return Err(ElfError::BadPhdrTable);
    }
    if h.e_phoff
        .checked_add(table as u64)
        .is_none_or(|end| end > file_size)
    {
        return Err(ElfError::PhdrOutsideFile);
    }
    Ok(h)
}

fn reference_phdrs(bytes: &[u8]) -> Vec<ProgramHeader> {
    bytes
        .chunks_exact(PHDR_SIZE)
        .map(|b| ProgramHeader {
            p_type: le(b, 0, 4) as u32,
            p_flags: le(b, 4, 4) as u32,
            p_offset: le(b, 8, 8),
            p_vaddr: le(b, 16, 8),
            p_paddr: le(b, 24, 8),
            p_filesz: le(b, 32, 8),
            p_memsz: le(b, 40, 8),
            p_align: le(b, 48, 8),
        })
        .collect()
}

#[test]
fn e_ident_past_the_magic_is_not_looked_at() {
    // Every class, data and version byte, as Linux: the crate must not decide.
    for class in [0u8, 1, 2, 3, 0xff] {
        for data in [0u8, 1, 2, 0xff] {
            let mut h = header(ET_DYN, EM_AARCH64, 1);
            h[4] = class;
            h[5] = data;
            h[6] = class ^ data;
            h[7..16].fill(class);
            let p = parse_header(&h, 4096).unwrap();
            assert_eq!((p.e_type, p.e_entry, p.e_phnum), (ET_DYN, 0x400000, 1));
        }
    }
}

#[test]
fn unknown_segment_types_decode_as_they_are() {
    // xmas-elf has no name for these (its get_type says "Invalid type"); Linux
    // skips them, and the loader must see their numbers unchanged.
    for t in [8u32, 0x5fff_ffff, 0x8000_0000, u32::MAX, PT_GNU_STACK] {
        let mut b = vec![0u8; 56];
        b[0..4].copy_from_slice(&t.to_le_bytes());
        b[8..16].copy_from_slice(&0x1234u64.to_le_bytes());
        let p = parse_phdrs(&b);
        assert_eq!((p[0].p_type, p[0].p_offset), (t, 0x1234));
    }
}

/// Random and mutated headers: parsing and planning return errors, never panic, and
/// an accepted plan always lies inside the user range. The crate's decoding (from
/// any alignment, any e_ident) equals the byte-by-byte reference's.
#[test]
fn fuzz_headers_and_plans() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let good = {
        let mut f = header(ET_EXEC, EM_AARCH64, 2);
        let mut ph = vec![0u8; 112];
        for (i, p) in [
            load(0x400000, 0, 0x200, 0x200, PF_R | PF_X),
            load(0x401200, 0x200, 0x10, 0x800, PF_R | PF_W),
        ]
        .iter()
        .enumerate()
        {
            let b = &mut ph[i * 56..];
            b[0..4].copy_from_slice(&p.p_type.to_le_bytes());
            b[4..8].copy_from_slice(&p.p_flags.to_le_bytes());
            b[8..16].copy_from_slice(&p.p_offset.to_le_bytes());
            b[16..24].copy_from_slice(&p.p_vaddr.to_le_bytes());
            b[32..40].copy_from_slice(&p.p_filesz.to_le_bytes());
            b[40..48].copy_from_slice(&p.p_memsz.to_le_bytes());
        }
        f.extend(ph);
        f.resize(0x300, 0);
        f
    };
    let mut accepted = 0;
    for round in 0..20000 {
        let mut f = if round % 4 == 0 {
            (0..(rnd() % 400) as usize).map(|_| rnd() as u8).collect()
        } else {
            good.clone()
        };
        if !f.is_empty() {
            for _ in 0..(rnd() % 6) {
                let i = (rnd() as usize) % f.len();
                f[i] = rnd() as u8;
            }
        }
        if round % 3 == 1 && f.len() > 16 {
            // e_ident past the magic, which Linux ignores and the crate would not.
            for b in &mut f[4..16] {
                *b = rnd() as u8;
            }
        }
        // A buffer at an odd address too: the crate must not be handed it as is.
        let shifted: Vec<u8> = core::iter::once(0).chain(f.iter().copied()).collect();
        let f = if round % 2 == 0 {
            &f[..]
        } else {
            &shifted[1..]
        };
        let size = f.len() as u64;
        let (lo, hi) = (
            (rnd() as usize) % (f.len() + 1),
            (rnd() as usize) % (f.len() + 1),
        );
        let any = &f[lo.min(hi)..lo.max(hi)];
        assert_eq!(parse_phdrs(any), reference_phdrs(any));
        let parsed = parse_header(f, size);
        assert_eq!(parsed, reference_header(f, size));
        let Ok(h) = parsed else {
            continue;
        };
        let off = h.e_phoff as usize;
        let n = h.e_phnum as usize * PHDR_SIZE;
        let phdrs = parse_phdrs(&f[off..off + n]);
        assert_eq!(phdrs, reference_phdrs(&f[off..off + n]));
        if let Ok(p) = plan_load(&h, &phdrs, 0xaaaa_aaaa_a000, 0x1000, 0x1000, T) {
            accepted += 1;
            for s in &p.segments {
                assert!(
                    s.start >= 0x1000
                        && s.mem_end <= T
                        && s.start <= s.file_end
                        && s.file_end <= s.mem_end.max(s.file_end)
                );
            }
        }
    }
    assert!(
        accepted > 100,
        "the fuzzer should also produce loadable files ({accepted})"
    );
}

#[test]
fn phdrs_decode_field_by_field() {
    let mut b = vec![0u8; 56];
    b[0..4].copy_from_slice(&PT_LOAD.to_le_bytes());
    b[4..8].copy_from_slice(&(PF_R | PF_X).to_le_bytes());
    b[16..24].copy_from_slice(&0x400000u64.to_le_bytes());
    b[32..40].copy_from_slice(&0x1234u64.to_le_bytes());
    b[40..48].copy_from_slice(&0x2000u64.to_le_bytes());
    let p = parse_phdrs(&b);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].p_type, PT_LOAD);
    assert_eq!(p[0].p_flags, PF_R | PF_X);
    assert_eq!(p[0].p_vaddr, 0x400000);
    assert_eq!(p[0].p_filesz, 0x1234);
    assert_eq!(p[0].p_memsz, 0x2000);
}
