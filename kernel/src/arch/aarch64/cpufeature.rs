//! EL0 reads of the CPU ID registers, emulated (Linux `arch/arm64/kernel/cpufeature.c`:
//! `emulate_mrs`, `do_emulate_mrs`, `emulate_sys_reg`, `emulate_id_reg`, and the
//! `ftr_id_*` tables; the ABI is Linux's `Documentation/arch/arm64/cpu-feature-registers.rst`).
//!
//! The auxv advertises HWCAP_CPUID, which promises user space that `mrs` of the ID
//! registers works; glibc reads MIDR_EL1 at start-up for it. EL0 may not read them, so
//! the `mrs` traps (as an undefined instruction, EC 0x00, or with FEAT_IDST as a trapped
//! system register access, EC 0x18) and the kernel gives the value Linux gives:
//!
//! - only the space op0=3, op1=0, CRn=0, CRm=0 or 2-7 is emulated; anything else (and
//!   any MSR) stays SIGILL;
//! - CRm=0: MIDR_EL1 reads the real value, MPIDR_EL1 reads `1 << 31` (no topology),
//!   REVIDR_EL1 reads 0; the other CRm=0 registers are SIGILL;
//! - CRm 2-7: the "sanitised" value: the fields Linux makes visible come from the CPU,
//!   the hidden ones read their safe value (`arm64_ftr_reg_user_value`: `(sys_val &
//!   user_mask) | user_val`); registers Linux does not track read 0.
//!
//! Then the pc moves past the `mrs`. Simplified: the AArch32 ID registers (CRm 2-3) read
//! 0, as on a CPU without AArch32 (Linux shows a few MVFR fields); features Linnet does
//! not support for user space (SVE, SME, pointer authentication, MTE, BTI) are hidden,
//! as in a Linux built without them.
//!
//! Also here, because it is pure arithmetic the host tests can check: `cntkctl_value`,
//! the CNTKCTL_EL1 setting that lets EL0 read the virtual counter
//! (`cpu::arch_counter_set_user_access`).

/// The HWCAP bits, from the ABI crate (Linux `arch/arm64/include/uapi/asm/hwcap.h`).
pub use uapi::hwcap;

/// The HWCAP bits Linux reports for a CPU with these ID registers
/// (`arch/arm64/kernel/cpufeature.c`, the `arm64_elf_hwcaps` table): FP, ASIMD, EVTSTRM
/// (the timer event stream Linux enables), AES, PMULL, SHA1, SHA2, CRC32, ATOMICS and
/// CPUID. Pure, so the host tests check it against a real Cortex-A72.
pub fn elf_hwcap_from(pfr0: u64, isar0: u64) -> u64 {
    use super::sysreg::id::{ID_AA64ISAR0_EL1 as ISAR0, ID_AA64PFR0_EL1 as PFR0};
    use hwcap::*;
    use tock_registers::LocalRegisterCopy;
    let pfr0: LocalRegisterCopy<u64, PFR0::Register> = LocalRegisterCopy::new(pfr0);
    let isar0: LocalRegisterCopy<u64, ISAR0::Register> = LocalRegisterCopy::new(isar0);
    let mut hw = HWCAP_EVTSTRM | HWCAP_CPUID;
    if pfr0.read(PFR0::FP) != 0xf {
        hw |= HWCAP_FP;
    }
    if pfr0.read(PFR0::AdvSIMD) != 0xf {
        hw |= HWCAP_ASIMD;
    }
    hw |= match isar0.read(ISAR0::AES) {
        0 => 0,
        1 => HWCAP_AES,
        _ => HWCAP_AES | HWCAP_PMULL,
    };
    for (field, bit) in [
        (ISAR0::SHA1, HWCAP_SHA1),
        (ISAR0::SHA2, HWCAP_SHA2),
        (ISAR0::CRC32, HWCAP_CRC32),
    ] {
        if isar0.read(field) >= 1 {
            hw |= bit;
        }
    }
    if isar0.read(ISAR0::ATOMIC) >= 2 {
        hw |= HWCAP_ATOMICS;
    }
    hw
}

/// One trapped MRS: the register (op0, op1, CRn, CRm, op2) and the target Xt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mrs {
    /// op0, 2 bits (2 or 3 for MRS).
    pub op0: u8,
    /// op1, 3 bits.
    pub op1: u8,
    /// CRn, 4 bits.
    pub crn: u8,
    /// CRm, 4 bits.
    pub crm: u8,
    /// op2, 3 bits.
    pub op2: u8,
    /// Destination register (31 = xzr).
    pub rt: u8,
}

/// Decode an A64 instruction if it is an MRS (Linux `aarch64_insn_is_mrs` + the decoding
/// in `emulate_mrs`): `1101 0101 0011 op0[0] op1 CRn CRm op2 Rt`.
pub fn decode_mrs_insn(insn: u32) -> Option<Mrs> {
    if insn & 0xfff0_0000 != 0xd530_0000 {
        return None;
    }
    Some(Mrs {
        op0: 2 + ((insn >> 19) & 1) as u8,
        op1: ((insn >> 16) & 7) as u8,
        crn: ((insn >> 12) & 0xf) as u8,
        crm: ((insn >> 8) & 0xf) as u8,
        op2: ((insn >> 5) & 7) as u8,
        rt: (insn & 0x1f) as u8,
    })
}

/// Decode the ISS of an EC 0x18 syndrome if it is a read (MRS) (Linux
/// `esr_sys64_to_sysreg`, `ESR_ELx_SYS64_ISS_*`): Op0 [21:20], Op2 [19:17], Op1
/// [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1 = read).
pub fn decode_sys64_iss(iss: u32) -> Option<Mrs> {
    if iss & 1 == 0 {
        return None; // MSR: a write
    }
    Some(Mrs {
        op0: ((iss >> 20) & 3) as u8,
        op2: ((iss >> 17) & 7) as u8,
        op1: ((iss >> 14) & 7) as u8,
        crn: ((iss >> 10) & 0xf) as u8,
        rt: ((iss >> 5) & 0x1f) as u8,
        crm: ((iss >> 1) & 0xf) as u8,
    })
}

/// The bits of 4-bit fields starting at each of `shifts`.
const fn fields(shifts: &[u32]) -> u64 {
    let mut mask = 0;
    let mut i = 0;
    while i < shifts.len() {
        mask |= 0xf << shifts[i];
        i += 1;
    }
    mask
}

/// What user space sees of one tracked register: `(sys & mask) | val`.
struct UserView {
    /// CRm and op2 of the register (op0=3, op1=0, CRn=0).
    crm: u8,
    op2: u8,
    /// The visible fields (Linux `user_mask`, from the `FTR_VISIBLE` entries).
    mask: u64,
    /// The safe values of the hidden fields (Linux `user_val`).
    val: u64,
}

/// Linux's `ftr_id_aa64*` tables reduced to what user space sees.
const USER_VIEWS: [UserView; 11] = [
    // ID_AA64PFR0_EL1: DIT, AdvSIMD, FP; EL1 and EL0 read "AArch64 only" (1).
    UserView {
        crm: 4,
        op2: 0,
        mask: fields(&[48, 20, 16]),
        val: 0x11,
    },
    // ID_AA64PFR1_EL1: SSBS.
    UserView {
        crm: 4,
        op2: 1,
        mask: fields(&[4]),
        val: 0,
    },
    // ID_AA64ZFR0_EL1, ID_AA64SMFR0_EL1: SVE and SME are not offered.
    UserView {
        crm: 4,
        op2: 4,
        mask: 0,
        val: 0,
    },
    UserView {
        crm: 4,
        op2: 5,
        mask: 0,
        val: 0,
    },
    // ID_AA64DFR0_EL1: all hidden; DebugVer reads its safe value 6 (Armv8 debug).
    UserView {
        crm: 5,
        op2: 0,
        mask: 0,
        val: 0x6,
    },
    // ID_AA64ISAR0_EL1: RNDR, TS, FHM, DP, SM4, SM3, SHA3, RDM, ATOMIC, CRC32, SHA2,
    // SHA1, AES (TLB hidden).
    UserView {
        crm: 6,
        op2: 0,
        mask: fields(&[60, 52, 48, 44, 40, 36, 32, 28, 20, 16, 12, 8, 4]),
        val: 0,
    },
    // ID_AA64ISAR1_EL1: I8MM, DGH, BF16, SB, FRINTTS, LRCPC, FCMA, JSCVT, DPB (pointer
    // authentication hidden).
    UserView {
        crm: 6,
        op2: 1,
        mask: fields(&[52, 48, 44, 36, 32, 20, 16, 12, 0]),
        val: 0,
    },
    // ID_AA64ISAR2_EL1: CSSC, RPRFM, RPRES, WFxT.
    UserView {
        crm: 6,
        op2: 2,
        mask: fields(&[52, 48, 4, 0]),
        val: 0,
    },
    // ID_AA64MMFR0_EL1: ECV; the hidden granule fields read their safe values
    // (TGRAN4_2, TGRAN64_2, TGRAN16_2 = 1; TGRAN4, TGRAN64 = 0xf "not implemented").
    UserView {
        crm: 7,
        op2: 0,
        mask: fields(&[60]),
        val: (1 << 40) | (1 << 36) | (1 << 32) | (0xf << 28) | (0xf << 24),
    },
    // ID_AA64MMFR1_EL1: AFP.
    UserView {
        crm: 7,
        op2: 1,
        mask: fields(&[44]),
        val: 0,
    },
    // ID_AA64MMFR2_EL1: AT.
    UserView {
        crm: 7,
        op2: 2,
        mask: fields(&[32]),
        val: 0,
    },
];

/// The value an EL0 read of `r` gets, or `None` for SIGILL (Linux `emulate_sys_reg`).
/// `hw(crm, op2)` reads the real register of the ID space.
pub fn emulate_sys_reg(r: &Mrs, hw: impl Fn(u8, u8) -> u64) -> Option<u64> {
    // is_emulated: op0=3, op1=0, CRn=0, CRm 0 or 2-7.
    if r.op0 != 3 || r.op1 != 0 || r.crn != 0 || r.crm == 1 || r.crm > 7 {
        return None;
    }
    if r.crm == 0 {
        // emulate_id_reg
        return match r.op2 {
            0 => Some(hw(0, 0)), // MIDR_EL1
            5 => Some(1 << 31),  // MPIDR_EL1: SYS_MPIDR_SAFE_VAL
            6 => Some(0),        // REVIDR_EL1: IMPLEMENTATION DEFINED, reads 0
            _ => None,
        };
    }
    Some(
        USER_VIEWS
            .iter()
            .find(|v| v.crm == r.crm && v.op2 == r.op2)
            .map(|v| (hw(r.crm, r.op2) & v.mask) | v.val)
            .unwrap_or(0),
    )
}

/// The CNTKCTL_EL1 value for a counter of `freq` Hz (see `cpu::arch_counter_set_user_access`).
/// The event stream divider is Linux's: the highest set bit of `freq / 10000`, one lower
/// when the bit below it is clear (rounding to the nearest power of two).
pub fn cntkctl_value(freq: u64) -> u64 {
    use aarch64_cpu::registers::CNTKCTL_EL1;
    let div = freq / 10_000;
    let mut pos = 64 - div.leading_zeros() as u64; // fls
    if pos > 1 && div & (1 << (pos - 2)) == 0 {
        pos -= 1;
    }
    (CNTKCTL_EL1::EL0VCTEN::SET + CNTKCTL_EL1::EVNTEN::SET + CNTKCTL_EL1::EVNTI.val(pos.min(15)))
        .value
}

#[cfg(target_os = "none")]
pub use imp::*;

#[cfg(target_os = "none")]
mod imp {
    use super::{decode_mrs_insn, decode_sys64_iss, emulate_sys_reg};
    use crate::arch::aarch64::esr::{self, Esr};
    use crate::arch::aarch64::trap::TrapFrame;

    /// Read the ID register (3, 0, 0, crm, op2) at EL1; registers this function does not
    /// name read 0 (only the tracked ones reach it).
    fn read_id_reg(crm: u8, op2: u8) -> u64 {
        macro_rules! mrs {
            ($reg:literal) => {{
                let v: u64;
                // SAFETY: reads an ID register; EL1 may, and it has no side effects.
                unsafe { core::arch::asm!(concat!("mrs {}, ", $reg), out(reg) v, options(nomem, nostack)) };
                v
            }};
        }
        match (crm, op2) {
            (0, 0) => mrs!("midr_el1"),
            (4, 0) => mrs!("s3_0_c0_c4_0"),
            (4, 1) => mrs!("s3_0_c0_c4_1"),
            (6, 0) => mrs!("s3_0_c0_c6_0"),
            (6, 1) => mrs!("s3_0_c0_c6_1"),
            (6, 2) => mrs!("s3_0_c0_c6_2"),
            (7, 0) => mrs!("s3_0_c0_c7_0"),
            (7, 1) => mrs!("s3_0_c0_c7_1"),
            (7, 2) => mrs!("s3_0_c0_c7_2"),
            _ => 0,
        }
    }

    /// An EL0 undefined instruction or trapped system register access: if it is an MRS
    /// of the emulated ID space, write the value to Xt and step over it (Linux
    /// `do_el0_undef` -> `try_emulate_mrs`, and `do_el0_sys` -> `mrs_handler`).
    /// Returns false when it is not ours: the caller sends SIGILL.
    pub fn do_emulate_mrs(frame: &mut TrapFrame, esr: Esr) -> bool {
        let mrs = match esr.ec() {
            esr::ESR_ELX_EC_SYS64 => decode_sys64_iss((esr.0 & 0x1ff_ffff) as u32),
            _ => crate::mm::uaccess::get_user::<u32>(frame.pc as usize)
                .ok()
                .and_then(decode_mrs_insn),
        };
        let Some(mrs) = mrs else { return false };
        let Some(val) = emulate_sys_reg(&mrs, read_id_reg) else {
            return false;
        };
        if mrs.rt != 31 {
            frame.regs[mrs.rt as usize] = val;
        }
        frame.pc = frame.pc.wrapping_add(4); // arm64_skip_faulting_instruction
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding of `mrs x<rt>, S<op0>_<op1>_C<crn>_C<crm>_<op2>`.
    fn mrs(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32, rt: u32) -> u32 {
        0xd530_0000 | ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt
    }

    #[test]
    fn decodes_mrs_instructions_and_iss() {
        // mrs x0, midr_el1 = 0xd5380000; mrs x3, id_aa64isar0_el1 = 0xd5380603
        let m = decode_mrs_insn(0xd538_0000).unwrap();
        assert_eq!(
            (m.op0, m.op1, m.crn, m.crm, m.op2, m.rt),
            (3, 0, 0, 0, 0, 0)
        );
        let m = decode_mrs_insn(0xd538_0603).unwrap();
        assert_eq!((m.crm, m.op2, m.rt), (6, 0, 3));
        assert_eq!(decode_mrs_insn(mrs(3, 3, 14, 0, 2, 1)).unwrap().op1, 3); // cntvct_el0
        assert_eq!(decode_mrs_insn(0xd518_0000), None); // msr midr_el1, x0
        assert_eq!(decode_mrs_insn(0xd503_201f), None); // nop
                                                        // ESR 0x62300001 (from esr.rs): mrs x0, S3_0_C0_C0_0.
        let m = decode_sys64_iss(0x0230_0001).unwrap();
        assert_eq!(
            (m.op0, m.op1, m.crn, m.crm, m.op2, m.rt),
            (3, 0, 0, 0, 0, 0)
        );
        // The same with Rt=5, CRm=6, op2=1 (ID_AA64ISAR1_EL1).
        let iss = (3 << 20) | (1 << 17) | (5 << 5) | (6 << 1) | 1;
        let m = decode_sys64_iss(iss).unwrap();
        assert_eq!((m.crm, m.op2, m.rt), (6, 1, 5));
        assert_eq!(decode_sys64_iss(iss & !1), None); // a write is never emulated
    }

    #[test]
    fn emulates_linux_user_values() {
        let hw = |_crm: u8, _op2: u8| u64::MAX; // every field of the CPU "all ones"
        let read =
            |crm, op2| emulate_sys_reg(&decode_mrs_insn(mrs(3, 0, 0, crm, op2, 0)).unwrap(), hw);
        assert_eq!(read(0, 0), Some(u64::MAX)); // MIDR: the real value
        assert_eq!(read(0, 5), Some(1 << 31)); // MPIDR
        assert_eq!(read(0, 6), Some(0)); // REVIDR
        assert_eq!(read(0, 1), None); // other CRm=0 registers: SIGILL, as in Linux
        assert_eq!(read(1, 0), None); // CRm=1 is not emulated
        assert_eq!(read(2, 0), Some(0)); // untracked: RAZ
                                         // ID_AA64PFR0: only DIT, AdvSIMD, FP visible, EL0/EL1 = 1.
        assert_eq!(read(4, 0), Some(0x000f_0000_00ff_0011));
        assert_eq!(read(6, 0), Some(0xf0ff_ffff_f0ff_fff0)); // ISAR0: TLB, [27:24], [3:0] hidden
        assert_eq!(read(5, 0), Some(6)); // DFR0
        assert_eq!(read(7, 0), Some(0xf000_0111_ff00_0000)); // MMFR0
        assert_eq!(read(4, 4), Some(0)); // ZFR0: no SVE
                                         // Outside the ID space: not emulated.
        let other = |op0, op1, crn, crm, op2| {
            emulate_sys_reg(
                &decode_mrs_insn(mrs(op0, op1, crn, crm, op2, 0)).unwrap(),
                hw,
            )
        };
        assert_eq!(other(3, 3, 14, 0, 2), None); // cntvct_el0 (not trapped when allowed)
        assert_eq!(other(3, 0, 1, 0, 0), None); // sctlr_el1
        assert_eq!(other(2, 0, 0, 0, 0), None); // debug space
    }

    #[test]
    fn cntkctl_lets_el0_read_the_virtual_counter_and_starts_a_10khz_event_stream() {
        // 62.5 MHz (QEMU virt): 6250 = 0b1_1000_0110_1010, fls 13, bit 11 set: EVNTI 13.
        assert_eq!(cntkctl_value(62_500_000), (13 << 4) | 0b110);
        // 24 MHz: 2400 = 0b1001_0110_0000, fls 12, bit 10 clear: rounded down to 11.
        assert_eq!(cntkctl_value(24_000_000), (11 << 4) | 0b110);
        // EL0PCTEN (bit 0) and the EL0 timer-register bits (8, 9) stay clear.
        for f in [1, 10_000, 19_200_000, 1_000_000_000, u64::MAX] {
            let v = cntkctl_value(f);
            assert_eq!(v & 0b11_0000_0001, 0);
            assert_eq!(v & 0b110, 0b110);
            assert!(v < 0x100, "nothing above EVNTI (bits 7:4)");
        }
    }

    #[test]
    fn real_cortex_a72_values() {
        // QEMU's cortex-a72: MIDR 0x410fd083, PFR0 0x2222 (every EL AArch64 and AArch32,
        // FP and AdvSIMD 0 = implemented), ISAR0 0x11120 (AES+PMULL, SHA1, SHA2, CRC32).
        let hw = |crm: u8, op2: u8| match (crm, op2) {
            (0, 0) => 0x410f_d083,
            (4, 0) => 0x0000_0000_0000_2222,
            (6, 0) => 0x0000_0000_0001_1120,
            _ => 0,
        };
        let read =
            |crm, op2| emulate_sys_reg(&decode_mrs_insn(mrs(3, 0, 0, crm, op2, 7)).unwrap(), hw);
        assert_eq!(read(0, 0), Some(0x410f_d083));
        assert_eq!(read(4, 0), Some(0x11)); // FP and AdvSIMD implemented (0), AArch64 only
        assert_eq!(read(6, 0), Some(0x11120));
    }

    #[test]
    fn hwcaps_of_a_cortex_a72_and_of_a_cpu_without_fp() {
        use hwcap::*;
        // PFR0 0x2222, ISAR0 0x11120: AES+PMULL, SHA1, SHA2, CRC32, no LSE atomics.
        let a72 = HWCAP_FP
            | HWCAP_ASIMD
            | HWCAP_EVTSTRM
            | HWCAP_AES
            | HWCAP_PMULL
            | HWCAP_SHA1
            | HWCAP_SHA2
            | HWCAP_CRC32
            | HWCAP_CPUID;
        assert_eq!(elf_hwcap_from(0x2222, 0x11120), a72);
        assert_eq!(a72, 0x8ff); // what Linux 6.1 puts in AT_HWCAP on this CPU
                                // FP and AdvSIMD 0xf (not implemented), LSE atomics (2), AES without PMULL.
        assert_eq!(
            elf_hwcap_from(0xff_0000, 0x20_0010),
            HWCAP_EVTSTRM | HWCAP_CPUID | HWCAP_AES | HWCAP_ATOMICS
        );
    }
}
