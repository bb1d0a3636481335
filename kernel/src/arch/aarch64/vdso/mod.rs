//! The vDSO: a small ELF shared object the kernel maps into every process, so that
//! `clock_gettime`, `gettimeofday` and `clock_getres` run without entering the kernel,
//! and signal handlers installed without SA_RESTORER have somewhere to return to
//! (Linux `arch/arm64/kernel/vdso.c`: `vdso_init`, `__setup_additional_pages`,
//! `arch_setup_additional_pages`; `kernel/time/vsyscall.c`: `update_vsyscall`).
//!
//! - `vgettimeofday.rs`, `sigreturn.S`, `vdso.lds`: the vDSO itself, built by
//!   `kernel/build.rs` and embedded here (`VDSO_SO`).
//! - `data.rs`: the layout of `[vvar]`, the data page it reads.
//! - `image.rs`: the symbol lookup (the kernel finds `__kernel_rt_sigreturn` with it).
//!
//! At boot `vdso_init` copies the image into frames and fills a zeroed data page;
//! each exec maps `[vvar]` (read-only) and right above it `[vdso]` (read + exec), the
//! same frames in every process (`mm/special_mapping.rs`), and passes the vDSO's
//! address as AT_SYSINFO_EHDR. `update_vsyscall` refreshes the data page when the wall
//! clock is set.

pub mod data;
pub mod image;

#[cfg(target_os = "none")]
pub use imp::*;

/// The version every vDSO symbol carries (Linux's `LINUX_2.6.39`, what glibc and musl
/// ask for on arm64).
pub const VDSO_VERSION: &str = "LINUX_2.6.39";

/// The symbols the vDSO exports.
pub const VDSO_SYMBOLS: [&str; 4] = [
    "__kernel_rt_sigreturn",
    "__kernel_clock_gettime",
    "__kernel_gettimeofday",
    "__kernel_clock_getres",
];

/// The built vDSO (`build.rs` links it into OUT_DIR; it checked it with `image.rs`).
pub static VDSO_SO: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/vdso.so"));

#[cfg(target_os = "none")]
mod imp {
    use super::data::{VdsoData, VDSO_CLOCKMODE_ARCHTIMER};
    use super::image::VdsoImage;
    use super::{VDSO_SO, VDSO_VERSION};
    use crate::arch::aarch64::mmu;
    use crate::errno::KResult;
    use crate::mm::layout::{self, PAGE_SIZE};
    use crate::mm::mm_struct::MmStruct;
    use crate::mm::page_alloc;
    use crate::mm::special_mapping::{install_special_mapping, SpecialMapping};
    use crate::mm::vma::VmFlags;
    use alloc::vec::Vec;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// The `[vvar]` page (Linux `vvar_map` in `vdso_info[VDSO_ABI_AA64]`).
    pub static VVAR_MAPPING: SpecialMapping = SpecialMapping::new("[vvar]");
    /// The `[vdso]` code pages (Linux `vdso_map`).
    pub static VDSO_MAPPING: SpecialMapping = SpecialMapping::new("[vdso]");

    /// Kernel address of the data page (0 before `vdso_init`).
    static VDSO_DATA: AtomicUsize = AtomicUsize::new(0);
    /// Offset of `__kernel_rt_sigreturn` in the vDSO (Linux `vdso_offset_sigtramp`).
    static SIGTRAMP: AtomicUsize = AtomicUsize::new(0);

    fn vdso_data() -> Option<&'static VdsoData> {
        let va = VDSO_DATA.load(Ordering::Acquire);
        // SAFETY: set once to the linear-map address of a frame the kernel keeps for ever;
        // every field is atomic, so shared references are fine.
        (va != 0).then(|| unsafe { &*(va as *const VdsoData) })
    }

    /// Copy the vDSO into frames and prepare the data page (Linux `vdso_init` /
    /// `__vdso_init`). Needs the frame reference counts (`init_mem_map`).
    pub fn vdso_init() -> Result<(), &'static str> {
        let image = VdsoImage::parse(VDSO_SO).map_err(|_| "the vDSO image is malformed")?;
        let sigtramp = image
            .lookup("__kernel_rt_sigreturn", VDSO_VERSION)
            .ok_or("the vDSO lacks __kernel_rt_sigreturn")?;
        let mut pages = Vec::new();
        for chunk in VDSO_SO.chunks(PAGE_SIZE) {
            let pa = page_alloc::alloc_user_page().ok_or("no memory for the vDSO")?;
            let kva = layout::phys_to_virt(pa);
            // SAFETY: a fresh frame, reached through the linear map; chunk <= a page.
            unsafe { core::ptr::copy_nonoverlapping(chunk.as_ptr(), kva as *mut u8, chunk.len()) };
            mmu::sync_icache(kva, PAGE_SIZE);
            pages.push(pa);
        }
        let vvar = page_alloc::alloc_user_page().ok_or("no memory for the vDSO data")?;
        VDSO_MAPPING.pages.call_once(|| pages);
        VVAR_MAPPING.pages.call_once(|| alloc::vec![vvar]);
        SIGTRAMP.store(sigtramp, Ordering::Relaxed);
        let vd_va = layout::phys_to_virt(vvar);
        // SAFETY: the zeroed frame is big enough for VdsoData and all zeros is a valid
        // VdsoData (atomics); it lives for ever.
        let vd = unsafe { &*(vd_va as *const VdsoData) };
        vd.cntfrq.store(
            crate::drivers::timer::counter_frequency(),
            Ordering::Relaxed,
        );
        vd.hrtimer_res.store(1, Ordering::Relaxed);
        let tick = crate::time::clocks::tick_nsec(crate::drivers::timer::hz());
        vd.coarse_res.store(tick as u32, Ordering::Relaxed);
        vd.clock_mode
            .store(VDSO_CLOCKMODE_ARCHTIMER, Ordering::Relaxed);
        VDSO_DATA.store(vd_va, Ordering::Release);
        update_vsyscall();
        update_vsyscall_tz();
        Ok(())
    }

    /// Copy the time zone settimeofday stored (`crate::time::sys_tz`) into the data page
    /// (Linux `update_vsyscall_tz`). Not under the sequence count, as in Linux: the two
    /// fields are read and written one by one.
    pub fn update_vsyscall_tz() {
        let Some(vd) = vdso_data() else { return };
        let [minuteswest, dsttime] = crate::time::sys_tz();
        vd.tz_minuteswest
            .store(minuteswest as u32, Ordering::Relaxed);
        vd.tz_dsttime.store(dsttime as u32, Ordering::Relaxed);
    }

    /// Bring the data page up to date with the timekeeping (Linux `update_vsyscall`):
    /// the sequence count is odd while the values change, so a vDSO reader in the middle
    /// of it tries again (Linux `vdso_write_begin` / `vdso_write_end`).
    pub fn update_vsyscall() {
        let Some(vd) = vdso_data() else { return };
        let flags = crate::arch::aarch64::cpu::local_irq_save();
        vd.seq.fetch_add(1, Ordering::Relaxed);
        core::sync::atomic::fence(Ordering::Release); // smp_wmb
        vd.offs_real
            .store(crate::time::offs_real(), Ordering::Relaxed);
        core::sync::atomic::fence(Ordering::Release); // smp_wmb
        vd.seq.fetch_add(1, Ordering::Relaxed);
        crate::arch::aarch64::cpu::local_irq_restore(flags);
    }

    /// Map `[vvar]` and `[vdso]` into a new address space, at the highest free place
    /// below `mmap_base` (Linux `arch_setup_additional_pages` ->
    /// `__setup_additional_pages`: one `get_unmapped_area` for both, the data page first).
    /// Returns the vDSO's address for AT_SYSINFO_EHDR, or `None` if there is no vDSO.
    pub fn arch_setup_additional_pages(mm: &mut MmStruct) -> KResult<Option<usize>> {
        let Some(vdso_pages) = VDSO_MAPPING.pages.get().map(|p| p.len()) else {
            return Ok(None);
        };
        let vdso_len = vdso_pages * PAGE_SIZE;
        let base = crate::mm::mman::get_unmapped_area(
            &mm.vmas,
            mm.mmap_base,
            0,
            PAGE_SIZE + vdso_len,
            false,
        )?;
        install_special_mapping(
            mm,
            base,
            PAGE_SIZE,
            VmFlags::READ | VmFlags::MAYREAD,
            &VVAR_MAPPING,
        )?;
        let vdso = base + PAGE_SIZE;
        install_special_mapping(
            mm,
            vdso,
            vdso_len,
            VmFlags::READ | VmFlags::EXEC | VmFlags::MAYREAD | VmFlags::MAYWRITE | VmFlags::MAYEXEC,
            &VDSO_MAPPING,
        )?;
        Ok(Some(vdso))
    }

    /// Where `__kernel_rt_sigreturn` is in `mm` (Linux `VDSO_SYMBOL(mm->context.vdso,
    /// sigtramp)`), found from the `[vdso]` VMA, or `None` if the program unmapped it.
    pub fn vdso_sigtramp(mm: &MmStruct) -> Option<u64> {
        let vma = mm.vmas.iter().find(|v| {
            v.vm_special
                .is_some_and(|sm| core::ptr::eq(sm, &VDSO_MAPPING))
        })?;
        let base = vma.vm_start.checked_sub(vma.vm_pgoff * PAGE_SIZE)?;
        Some((base + SIGTRAMP.load(Ordering::Relaxed)) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::image::{ImageError, VdsoImage};
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn built_vdso_exports_the_four_symbols_with_linux_version() {
        let img = VdsoImage::parse(VDSO_SO).expect("the built vDSO parses");
        assert!(img.gnu_hash, "glibc prefers DT_GNU_HASH");
        let mut offsets: Vec<usize> = VDSO_SYMBOLS
            .iter()
            .map(|s| {
                img.lookup(s, VDSO_VERSION)
                    .unwrap_or_else(|| panic!("{s} missing"))
            })
            .collect();
        // Distinct, inside the image, 4-byte aligned code.
        offsets.sort();
        offsets.dedup();
        assert_eq!(offsets.len(), 4);
        assert!(offsets.iter().all(|&o| o % 4 == 0 && o < VDSO_SO.len()));
        // The wrong version, or a name that is not there, is not found.
        assert_eq!(img.lookup("__kernel_clock_gettime", "LINUX_2.6"), None);
        assert_eq!(img.lookup("__kernel_time", VDSO_VERSION), None);
        assert_eq!(img.lookup("_vdso_data", VDSO_VERSION), None);
    }

    #[test]
    fn sigreturn_trampoline_is_mov_x8_139_svc() {
        let img = VdsoImage::parse(VDSO_SO).unwrap();
        let o = img.lookup("__kernel_rt_sigreturn", VDSO_VERSION).unwrap();
        let word = |at: usize| u32::from_le_bytes(VDSO_SO[at..at + 4].try_into().unwrap());
        assert_eq!(word(o), 0xd280_1168); // mov x8, #139
        assert_eq!(word(o + 4), 0xd400_0001); // svc #0
        assert_eq!(word(o - 4), 0xd503_201f); // nop, for unwinders (Linux's sigreturn.S)
    }

    #[test]
    fn image_needs_no_loader_and_fits_few_pages() {
        // parse() refuses DT_RELA/DT_REL/DT_JMPREL/DT_RELR; the build checked it too.
        assert!(VdsoImage::parse(VDSO_SO).is_ok());
        assert!(VDSO_SO.len() <= 2 * 4096);
    }

    #[test]
    fn broken_images_are_refused_without_panic() {
        assert_eq!(VdsoImage::parse(b"").unwrap_err(), ImageError::NotElfDyn);
        assert_eq!(
            VdsoImage::parse(&VDSO_SO[..64]).unwrap_err(),
            ImageError::Truncated
        );
        let mut bad = VDSO_SO.to_vec();
        bad[16] = 2; // ET_EXEC
        assert_eq!(VdsoImage::parse(&bad).unwrap_err(), ImageError::NotElfDyn);
        // Every truncation is refused or parses; none panics.
        for len in 0..VDSO_SO.len() {
            if let Ok(img) = VdsoImage::parse(&VDSO_SO[..len]) {
                let _ = img.lookup("__kernel_clock_gettime", VDSO_VERSION);
            }
        }
        // A dynamic relocation makes it unusable without a loader: turn DT_SONAME into
        // DT_RELA and see it refused.
        let mut rel = VDSO_SO.to_vec();
        let soname = (0..rel.len() - 8)
            .step_by(8)
            .find(|&o| rel[o..o + 8] == 14u64.to_le_bytes())
            .unwrap();
        rel[soname..soname + 8].copy_from_slice(&7u64.to_le_bytes());
        assert_eq!(
            VdsoImage::parse(&rel).unwrap_err(),
            ImageError::HasRelocations
        );
    }

    #[test]
    fn counter_to_ns_matches_the_128_bit_rule() {
        use super::data::{cycles_to_ns, mono_to_real};
        for &f in &[62_500_000u64, 1_000_000_000, 24_000_000, 19_200_000, 1, 3] {
            for &c in &[
                0u64,
                1,
                62_499_999,
                62_500_000,
                1 << 40,
                u64::MAX / 2,
                u64::MAX,
            ] {
                let want = (c as u128 * 1_000_000_000 / f as u128) as u64;
                assert_eq!(cycles_to_ns(c, f), want, "cnt {c} freq {f}");
            }
        }
        assert_eq!(mono_to_real(5, -10), 0);
        assert_eq!(mono_to_real(u64::MAX - 1, 5), u64::MAX);
        assert_eq!(mono_to_real(100, 23), 123);
        assert_eq!(mono_to_real(100, -23), 77);
    }
}
