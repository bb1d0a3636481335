//! The system register values `head.S` writes, built from aarch64-cpu's named fields
//! (Linux `arch/arm64/include/asm/sysreg.h`: `INIT_SCTLR_EL1_MMU_OFF`,
//! `INIT_SCTLR_EL1_MMU_ON`, `INIT_PSTATE_EL1`; `asm/el2_setup.h`; the TCR flags of
//! `__cpu_setup` in `arch/arm64/mm/proc.S`). Still numbers in `head.S`, because
//! aarch64-cpu 11 has no fields for them: CPTR_EL2's RES1 bits and ID_AA64PFR0_EL1.GIC.
//! The assembly gets them as `const` operands of its `global_asm!` (`mod.rs`). Pure
//! data, so the host tests check them too.

use aarch64_cpu::registers::{
    CNTHCTL_EL2, CPACR_EL1, HCR_EL2, ICC_SRE_EL2, SCTLR_EL1, SPSR_EL2, TCR_EL1,
};

/// The RES1 bits of SCTLR_EL1 in Armv8.0: 11, 20, 22, 23, 28, 29. aarch64-cpu 11 names
/// none of them (later architecture versions gave them meanings: EOS, TSCXT, EIS, SPAN,
/// nTLSMD, LSMAOE), so they stay a number, as in Linux's `SCTLR_EL1_RES1`.
pub const SCTLR_EL1_RES1: u64 = 0x30d0_0800;

/// SCTLR_EL1 before the MMU is on: MMU and caches off, little endian (Linux
/// `INIT_SCTLR_EL1_MMU_OFF`).
pub const INIT_SCTLR_EL1_MMU_OFF: u64 = SCTLR_EL1_RES1;

/// SCTLR_EL1 with the MMU on (Linux `INIT_SCTLR_EL1_MMU_ON`): M (MMU), C and I (caches),
/// SA and SA0 (stack alignment checks at EL1 and EL0), and, as Linux does for user space:
/// DZE (EL0 may use DC ZVA), UCT (EL0 may read CTR_EL0), nTWI/nTWE (EL0's WFI/WFE do not
/// trap), UCI (EL0 may clean and invalidate caches by address, as JITs must).
pub const INIT_SCTLR_EL1_MMU_ON: u64 = SCTLR_EL1_RES1
    | SCTLR_EL1::M::Enable.value
    | SCTLR_EL1::C::Cacheable.value
    | SCTLR_EL1::SA::Enable.value
    | SCTLR_EL1::SA0::Enable.value
    | SCTLR_EL1::I::Cacheable.value
    | SCTLR_EL1::DZE::DontTrap.value
    | SCTLR_EL1::UCT::DontTrap.value
    | SCTLR_EL1::NTWI::DontTrap.value
    | SCTLR_EL1::NTWE::DontTrap.value
    | SCTLR_EL1::UCI::DontTrap.value;

/// TCR_EL1 (Linux `__cpu_setup`): T0SZ = T1SZ = 16 (48-bit VA in both halves), 4 KiB
/// granules, table walks inner/outer write-back cacheable and inner shareable, 16-bit
/// ASIDs. IPS (the physical address size) is left 0: `head.S` fills it in from
/// ID_AA64MMFR0_EL1.PARange, as Linux does there.
pub const TCR_EL1_VALUE: u64 = TCR_EL1::T0SZ.val(16).value
    | TCR_EL1::IRGN0::WriteBack_ReadAlloc_WriteAlloc_Cacheable.value
    | TCR_EL1::ORGN0::WriteBack_ReadAlloc_WriteAlloc_Cacheable.value
    | TCR_EL1::SH0::Inner.value
    | TCR_EL1::TG0::KiB_4.value
    | TCR_EL1::T1SZ.val(16).value
    | TCR_EL1::IRGN1::WriteBack_ReadAlloc_WriteAlloc_Cacheable.value
    | TCR_EL1::ORGN1::WriteBack_ReadAlloc_WriteAlloc_Cacheable.value
    | TCR_EL1::SH1::Inner.value
    | TCR_EL1::TG1::KiB_4.value
    | TCR_EL1::AS::ASID16Bits.value;

/// Where `head.S` puts the physical address size: TCR_EL1.IPS, 3 bits.
pub const TCR_EL1_IPS_SHIFT: usize = TCR_EL1::IPS.shift;

/// Where `head.S` reads it from: ID_AA64MMFR0_EL1.PARange (the encodings 0-6 are those
/// of IPS; `head.S` copies the low 3 bits).
pub const ID_AA64MMFR0_EL1_PARANGE_SHIFT: usize =
    aarch64_cpu::registers::ID_AA64MMFR0_EL1::PARange.shift;

/// HCR_EL2 when dropping from EL2 to EL1 (Linux `HCR_HOST_NVHE_FLAGS`, reduced to the
/// one bit Linnet needs): RW, EL1 runs AArch64; nothing is trapped to EL2.
pub const INIT_HCR_EL2: u64 = HCR_EL2::RW::EL1IsAarch64.value;

/// CNTHCTL_EL2 bits that let EL1 use the physical counter and timer (Linux
/// `CNTHCTL_EL1PCEN` and `CNTHCTL_EL1PCTEN`, set by `__init_el2_timers`).
pub const CNTHCTL_EL2_EL1PC: u64 =
    CNTHCTL_EL2::EL1PCEN::SET.value | CNTHCTL_EL2::EL1PCTEN::SET.value;

/// ICC_SRE_EL2 for a GICv3: system registers on for EL2 (SRE) and EL1 (Enable), FIQ
/// and IRQ bypass disabled (DFB, DIB); Linux `__init_el2_gicv3` sets SRE and Enable.
pub const ICC_SRE_EL2_INIT: u64 = ICC_SRE_EL2::SRE::SET.value
    | ICC_SRE_EL2::DFB::SET.value
    | ICC_SRE_EL2::DIB::SET.value
    | ICC_SRE_EL2::ENABLE::SET.value;

/// The PSTATE `eret` from EL2 gives EL1 (Linux `INIT_PSTATE_EL1`): EL1h, with D, A, I
/// and F masked.
pub const INIT_PSTATE_EL1: u64 = SPSR_EL2::D::Masked.value
    | SPSR_EL2::A::Masked.value
    | SPSR_EL2::I::Masked.value
    | SPSR_EL2::F::Masked.value
    | SPSR_EL2::M::EL1h.value;

/// CPACR_EL1.FPEN = 0b11: FP/SIMD instructions do not trap at EL0 or EL1 (Linux
/// `CPACR_EL1_FPEN`); the kernel itself uses none.
pub const CPACR_EL1_FPEN: u64 = CPACR_EL1::FPEN::TrapNothing.value;

/// Fields of the ID and cache-type registers Linnet reads, named as in the Arm ARM
/// (Linux `arch/arm64/tools/sysreg`, which generates `ID_AA64PFR0_EL1_FP_SHIFT` and
/// friends). aarch64-cpu 11 names none of these fields (its ID_AA64PFR0_EL1 knows only
/// AMU and SVE, its ID_AA64ISAR0_EL1 only RNDR, and it has no CTR_EL0), so they are
/// declared here, the way `pte.rs` declares the descriptor.
pub mod id {
    tock_registers::register_bitfields! {u64,
        /// AArch64 Processor Feature Register 0.
        #[allow(missing_docs)]
        pub ID_AA64PFR0_EL1 [
            /// Data Independent Timing.
            DIT OFFSET(48) NUMBITS(4) [],
            /// Advanced SIMD: 0 implemented, 1 with half precision, 0xf not implemented.
            AdvSIMD OFFSET(20) NUMBITS(4) [],
            /// Floating point, encoded as AdvSIMD.
            FP OFFSET(16) NUMBITS(4) [],
            /// EL1 and EL0: 1 AArch64 only, 2 AArch64 and AArch32.
            EL1 OFFSET(4) NUMBITS(4) [],
            /// EL0 as EL1.
            EL0 OFFSET(0) NUMBITS(4) []
        ],
        /// AArch64 Instruction Set Attribute Register 0.
        #[allow(missing_docs)]
        pub ID_AA64ISAR0_EL1 [
            /// LSE atomics: 2 implemented.
            ATOMIC OFFSET(20) NUMBITS(4) [],
            /// CRC32 instructions: 1 implemented.
            CRC32 OFFSET(16) NUMBITS(4) [],
            /// SHA-256 (1) and SHA-512 (2).
            SHA2 OFFSET(12) NUMBITS(4) [],
            /// SHA-1: 1 implemented.
            SHA1 OFFSET(8) NUMBITS(4) [],
            /// AES: 1 implemented, 2 AES and PMULL.
            AES OFFSET(4) NUMBITS(4) []
        ],
        /// Cache Type Register.
        #[allow(missing_docs)]
        pub CTR_EL0 [
            /// log2 of the smallest data cache line, in 4-byte words.
            DminLine OFFSET(16) NUMBITS(4) [],
            /// log2 of the smallest instruction cache line, in 4-byte words.
            IminLine OFFSET(0) NUMBITS(4) []
        ]
    }

    /// The smallest cache line in bytes from a CTR_EL0 line-size field (Linux
    /// `cache_line_size` / the `dcache_line_size` macro: `4 << field`).
    pub const fn line_bytes(log2_words: u64) -> usize {
        4 << log2_words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sctlr_values_are_the_arm_arm_encodings() {
        // Bits 0 (M), 2 (C), 3 (SA), 4 (SA0), 12 (I), 14 (DZE), 15 (UCT), 16 (nTWI),
        // 18 (nTWE), 26 (UCI) over the v8.0 RES1 bits.
        let ours = (1 << 0)
            | (1 << 2)
            | (1 << 3)
            | (1 << 4)
            | (1 << 12)
            | (1 << 14)
            | (1 << 15)
            | (1 << 16)
            | (1 << 18)
            | (1 << 26);
        assert_eq!(INIT_SCTLR_EL1_MMU_ON, SCTLR_EL1_RES1 | ours);
        assert_eq!(INIT_SCTLR_EL1_MMU_OFF & ours, 0);
    }

    #[test]
    fn tcr_value_is_the_arm_arm_encoding() {
        // T0SZ [5:0], IRGN0 [9:8], ORGN0 [11:10], SH0 [13:12], TG0 [15:14] = 0 (4 KiB),
        // T1SZ [21:16], IRGN1 [25:24], ORGN1 [27:26], SH1 [29:28], TG1 [31:30] = 0b10
        // (4 KiB), IPS [34:32] = 0, AS [36].
        let expect = 16
            | (1 << 8)
            | (1 << 10)
            | (3 << 12)
            | (16 << 16)
            | (1 << 24)
            | (1 << 26)
            | (3 << 28)
            | (2 << 30)
            | (1 << 36);
        assert_eq!(TCR_EL1_VALUE, expect);
        assert_eq!(TCR_EL1_IPS_SHIFT, 32);
        assert_eq!(TCR_EL1_VALUE & (7 << TCR_EL1_IPS_SHIFT), 0);
        assert_eq!(ID_AA64MMFR0_EL1_PARANGE_SHIFT, 0);
    }

    #[test]
    fn el2_drop_values_are_the_arm_arm_encodings() {
        assert_eq!(INIT_HCR_EL2, 1 << 31);
        assert_eq!(CNTHCTL_EL2_EL1PC, 0b11);
        assert_eq!(ICC_SRE_EL2_INIT, 0xf);
        assert_eq!(INIT_PSTATE_EL1, 0x3c5);
        assert_eq!(CPACR_EL1_FPEN, 3 << 20);
    }

    #[test]
    fn cache_line_from_ctr_el0() {
        use tock_registers::LocalRegisterCopy;
        // QEMU's cortex-a72: CTR_EL0 0x8444c004, 64-byte lines for both caches.
        let ctr: LocalRegisterCopy<u64, id::CTR_EL0::Register> =
            LocalRegisterCopy::new(0x8444_c004);
        assert_eq!(id::line_bytes(ctr.read(id::CTR_EL0::DminLine)), 64);
        assert_eq!(id::line_bytes(ctr.read(id::CTR_EL0::IminLine)), 64);
    }
}
