//! Decoding the Exception Syndrome Register (`crate::arch::aarch64::esr`).
//!
//! When an exception is taken to EL1 the CPU writes ESR_EL1 to say *why*: the Exception
//! Class (EC, bits 31:26) names the kind of exception, IL (bit 25) the length of the
//! trapped instruction, and the Instruction Specific Syndrome (ISS, bits 24:0) the
//! details, whose layout depends on the class. This file turns that number into words,
//! so an unexpected exception prints a report that explains itself, and gives the
//! page-fault path the few bits it needs (is it a translation fault? a write?).
//! Everything here is a pure function of the register value, so it is unit-tested on
//! the host with real ESR values.
//!
//! Reference: Arm Architecture Reference Manual for A-profile (DDI 0487), "ESR_EL1,
//! Exception Syndrome Register (EL1)" (D17.2.37 in issue F.c; the "ESR_ELx" field
//! descriptions in later issues), and its "ISS encoding for an exception from a Data
//! Abort / Instruction Abort" tables. The constant names mirror Linux
//! `arch/arm64/include/asm/esr.h` (`ESR_ELx_EC_*`, `ESR_ELx_WNR`, ...).
//!
//! Read next: `trap.rs`, which reads ESR_EL1 and FAR_EL1 and matches on [`Esr::ec`], and
//! `mm/fault.rs` (`do_page_fault`), which uses [`Esr::abort`] and [`Esr::fault_is_write`].

use core::fmt;

// ---- Field positions (Linux: ESR_ELx_EC_SHIFT, ESR_ELx_IL, ESR_ELx_ISS_MASK) ----

/// Bit position of the Exception Class field, bits 31:26.
pub const ESR_ELX_EC_SHIFT: u32 = 26;
/// Mask of the 6-bit Exception Class after shifting.
pub const ESR_ELX_EC_MASK: u64 = 0x3f;
/// IL, bit 25: the trapped instruction was 32 bits long (0: 16-bit, T32 only).
pub const ESR_ELX_IL: u64 = 1 << 25;
/// Mask of the Instruction Specific Syndrome, bits 24:0.
pub const ESR_ELX_ISS_MASK: u64 = (1 << 25) - 1;
/// Bit position of ISS2 (bits 36:32, FEAT_LS64 and later; zero on v8.0 CPUs).
pub const ESR_ELX_ISS2_SHIFT: u32 = 32;

// ---- Exception classes (Linux: ESR_ELx_EC_*) ----

/// Unknown reason: usually an undefined or unallocated instruction.
pub const ESR_ELX_EC_UNKNOWN: u8 = 0x00;
/// Trapped WFI or WFE.
pub const ESR_ELX_EC_WFX: u8 = 0x01;
/// Trapped AArch32 MCR/MRC to CP15.
pub const ESR_ELX_EC_CP15_32: u8 = 0x03;
/// Trapped AArch32 MCRR/MRRC to CP15.
pub const ESR_ELX_EC_CP15_64: u8 = 0x04;
/// Trapped AArch32 MCR/MRC to CP14.
pub const ESR_ELX_EC_CP14_MR: u8 = 0x05;
/// Trapped AArch32 LDC/STC to CP14.
pub const ESR_ELX_EC_CP14_LS: u8 = 0x06;
/// Access to SIMD or floating point trapped by CPACR_EL1.FPEN (Linnet's kernel has none).
pub const ESR_ELX_EC_FP_ASIMD: u8 = 0x07;
/// Trapped VMRS access to CP10 (EL2 only).
pub const ESR_ELX_EC_CP10_ID: u8 = 0x08;
/// Trapped pointer authentication instruction (EL2 and above).
pub const ESR_ELX_EC_PAC: u8 = 0x09;
/// Trapped AArch32 MRRC to CP14.
pub const ESR_ELX_EC_CP14_64: u8 = 0x0c;
/// Branch Target Identification exception (FEAT_BTI).
pub const ESR_ELX_EC_BTI: u8 = 0x0d;
/// Illegal Execution state (PSTATE.IL was set, e.g. a bad ERET).
pub const ESR_ELX_EC_ILL: u8 = 0x0e;
/// SVC executed in AArch32 state.
pub const ESR_ELX_EC_SVC32: u8 = 0x11;
/// HVC executed in AArch32 state (EL2 only).
pub const ESR_ELX_EC_HVC32: u8 = 0x12;
/// SMC executed in AArch32 state (EL2 and above).
pub const ESR_ELX_EC_SMC32: u8 = 0x13;
/// SVC executed in AArch64 state: a system call.
pub const ESR_ELX_EC_SVC64: u8 = 0x15;
/// HVC executed in AArch64 state (EL2 and above).
pub const ESR_ELX_EC_HVC64: u8 = 0x16;
/// SMC executed in AArch64 state (EL2 and above).
pub const ESR_ELX_EC_SMC64: u8 = 0x17;
/// Trapped MSR, MRS or System instruction in AArch64 state.
pub const ESR_ELX_EC_SYS64: u8 = 0x18;
/// Access to SVE trapped (FEAT_SVE).
pub const ESR_ELX_EC_SVE: u8 = 0x19;
/// Trapped ERET/ERETAA/ERETAB (EL2 only).
pub const ESR_ELX_EC_ERET: u8 = 0x1a;
/// Pointer authentication failure (FEAT_FPAC).
pub const ESR_ELX_EC_FPAC: u8 = 0x1c;
/// Access to SME trapped (FEAT_SME).
pub const ESR_ELX_EC_SME: u8 = 0x1d;
/// IMPLEMENTATION DEFINED exception (EL3 only).
pub const ESR_ELX_EC_IMP_DEF: u8 = 0x1f;
/// Instruction Abort from a lower Exception level (user space).
pub const ESR_ELX_EC_IABT_LOW: u8 = 0x20;
/// Instruction Abort taken without a change in Exception level (the kernel).
pub const ESR_ELX_EC_IABT_CUR: u8 = 0x21;
/// PC alignment fault.
pub const ESR_ELX_EC_PC_ALIGN: u8 = 0x22;
/// Data Abort from a lower Exception level (user space).
pub const ESR_ELX_EC_DABT_LOW: u8 = 0x24;
/// Data Abort taken without a change in Exception level (the kernel).
pub const ESR_ELX_EC_DABT_CUR: u8 = 0x25;
/// SP alignment fault.
pub const ESR_ELX_EC_SP_ALIGN: u8 = 0x26;
/// Memory Operation (CPYx/SETx) exception (FEAT_MOPS).
pub const ESR_ELX_EC_MOPS: u8 = 0x27;
/// Trapped floating-point exception from AArch32.
pub const ESR_ELX_EC_FP_EXC32: u8 = 0x28;
/// Trapped floating-point exception from AArch64.
pub const ESR_ELX_EC_FP_EXC64: u8 = 0x2c;
/// SError interrupt (an asynchronous external abort).
pub const ESR_ELX_EC_SERROR: u8 = 0x2f;
/// Breakpoint from a lower Exception level.
pub const ESR_ELX_EC_BREAKPT_LOW: u8 = 0x30;
/// Breakpoint taken without a change in Exception level.
pub const ESR_ELX_EC_BREAKPT_CUR: u8 = 0x31;
/// Software Step from a lower Exception level.
pub const ESR_ELX_EC_SOFTSTP_LOW: u8 = 0x32;
/// Software Step taken without a change in Exception level.
pub const ESR_ELX_EC_SOFTSTP_CUR: u8 = 0x33;
/// Watchpoint from a lower Exception level.
pub const ESR_ELX_EC_WATCHPT_LOW: u8 = 0x34;
/// Watchpoint taken without a change in Exception level.
pub const ESR_ELX_EC_WATCHPT_CUR: u8 = 0x35;
/// BKPT instruction executed in AArch32 state.
pub const ESR_ELX_EC_BKPT32: u8 = 0x38;
/// Vector catch exception from AArch32 (EL2 only).
pub const ESR_ELX_EC_VECTOR32: u8 = 0x3a;
/// BRK instruction executed in AArch64 state.
pub const ESR_ELX_EC_BRK64: u8 = 0x3c;

// ---- ISS fields of Data and Instruction Aborts (Linux: ESR_ELx_ISV, ESR_ELx_WNR, ...) ----

/// ISV, bit 24 (data aborts): bits 23:14 hold a valid instruction syndrome.
pub const ESR_ELX_ISV: u64 = 1 << 24;
/// SAS, bits 23:22: log2 of the access size in bytes (valid when ISV).
pub const ESR_ELX_SAS_SHIFT: u32 = 22;
/// SRT, bits 20:16: the transfer register number (valid when ISV).
pub const ESR_ELX_SRT_SHIFT: u32 = 16;
/// FnV, bit 10: FAR is not valid (only set for some external aborts).
pub const ESR_ELX_FNV: u64 = 1 << 10;
/// CM, bit 8 (data aborts): the fault came from a cache maintenance instruction.
pub const ESR_ELX_CM: u64 = 1 << 8;
/// S1PTW, bit 7: stage-2 fault on a stage-1 translation table walk.
pub const ESR_ELX_S1PTW: u64 = 1 << 7;
/// WnR, bit 6 (data aborts): the access was a write (1) or a read (0).
pub const ESR_ELX_WNR: u64 = 1 << 6;
/// DFSC/IFSC, bits 5:0: the fault status code.
pub const ESR_ELX_FSC: u64 = 0x3f;
/// The level bits 1:0 of a fault status code (Linux: ESR_ELx_FSC_LEVEL).
pub const ESR_ELX_FSC_LEVEL: u8 = 0x03;

/// What kind of fault a Data or Instruction Abort reports: the decoded DFSC/IFSC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// 0b0000LL: an output address or table address is wider than the configured size.
    AddressSize,
    /// 0b0001LL: no valid descriptor at level LL (the page is not mapped).
    Translation,
    /// 0b0010LL: the descriptor's Access Flag is 0.
    AccessFlag,
    /// 0b0011LL: the descriptor forbids this access (AP, UXN/PXN, PAN).
    Permission,
    /// 0b010000: synchronous external abort, not on a translation table walk.
    SyncExternal,
    /// 0b010001: synchronous Tag Check Fault (FEAT_MTE2, data aborts only).
    TagCheck,
    /// 0b0101LL: synchronous external abort on a translation table walk at level LL.
    SyncExternalOnWalk,
    /// 0b011000: synchronous parity or ECC error, not on a translation table walk.
    SyncParity,
    /// 0b0111LL: synchronous parity or ECC error on a translation table walk at level LL.
    SyncParityOnWalk,
    /// 0b100001: alignment fault (data aborts only).
    Alignment,
    /// 0b110000: TLB conflict abort (two TLB entries match the address).
    TlbConflict,
    /// 0b110001: unsupported atomic hardware update of a descriptor (FEAT_HAFDBS).
    UnsupportedAtomicUpdate,
    /// 0b110100: IMPLEMENTATION DEFINED fault (Lockdown).
    ImpDefLockdown,
    /// 0b110101: IMPLEMENTATION DEFINED fault (Unsupported Exclusive or Atomic access).
    ImpDefAtomic,
    /// Any other code: reserved in Armv8.0, or from a later extension.
    Unknown,
}

impl FaultKind {
    /// A short lower-case description, as printed in fault reports.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::AddressSize => "address size fault",
            FaultKind::Translation => "translation fault",
            FaultKind::AccessFlag => "access flag fault",
            FaultKind::Permission => "permission fault",
            FaultKind::SyncExternal => "synchronous external abort",
            FaultKind::TagCheck => "synchronous tag check fault",
            FaultKind::SyncExternalOnWalk => "synchronous external abort on table walk",
            FaultKind::SyncParity => "synchronous parity/ECC error",
            FaultKind::SyncParityOnWalk => "synchronous parity/ECC error on table walk",
            FaultKind::Alignment => "alignment fault",
            FaultKind::TlbConflict => "TLB conflict abort",
            FaultKind::UnsupportedAtomicUpdate => "unsupported atomic hardware update fault",
            FaultKind::ImpDefLockdown => "IMPLEMENTATION DEFINED fault (lockdown)",
            FaultKind::ImpDefAtomic => "IMPLEMENTATION DEFINED fault (exclusive/atomic)",
            FaultKind::Unknown => "unknown fault status code",
        }
    }
}

/// Decodes a DFSC/IFSC (ISS bits 5:0) into its kind and, for the kinds that have one, the
/// translation table level (0..=3) at which the fault happened.
///
/// Arm ARM, "ISS encoding for an exception from a Data Abort", field DFSC (Armv8.0
/// encodings; Linux mirrors these as `ESR_ELx_FSC_*`).
pub fn decode_fsc(fsc: u8) -> (FaultKind, Option<u8>) {
    let level = Some(fsc & ESR_ELX_FSC_LEVEL);
    match fsc & 0x3f {
        0x00..=0x03 => (FaultKind::AddressSize, level),
        0x04..=0x07 => (FaultKind::Translation, level),
        0x08..=0x0b => (FaultKind::AccessFlag, level),
        0x0c..=0x0f => (FaultKind::Permission, level),
        0x10 => (FaultKind::SyncExternal, None),
        0x11 => (FaultKind::TagCheck, None),
        0x14..=0x17 => (FaultKind::SyncExternalOnWalk, level),
        0x18 => (FaultKind::SyncParity, None),
        0x1c..=0x1f => (FaultKind::SyncParityOnWalk, level),
        0x21 => (FaultKind::Alignment, None),
        0x30 => (FaultKind::TlbConflict, None),
        0x31 => (FaultKind::UnsupportedAtomicUpdate, None),
        0x34 => (FaultKind::ImpDefLockdown, None),
        0x35 => (FaultKind::ImpDefAtomic, None),
        _ => (FaultKind::Unknown, None),
    }
}

/// The decoded syndrome of a Data or Instruction Abort (see [`Esr::abort`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbortInfo {
    /// The raw fault status code, ISS bits 5:0 (DFSC or IFSC).
    pub fsc: u8,
    /// What the fault status code means.
    pub kind: FaultKind,
    /// The translation table level of the fault, for the kinds that report one.
    pub level: Option<u8>,
    /// WnR: the access was a write. Always false for instruction aborts. A cache
    /// maintenance instruction also sets it (see [`Esr::fault_is_write`]).
    pub write: bool,
    /// CM: the fault came from a cache maintenance or address translation instruction.
    pub cm: bool,
    /// S1PTW: a stage-2 fault during a stage-1 table walk (never at EL1 without a hypervisor).
    pub s1ptw: bool,
    /// !FnV: FAR_EL1 holds the faulting virtual address.
    pub far_valid: bool,
}

/// An ESR_EL1 value, as read in the exception handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Esr(pub u64);

impl Esr {
    /// The Exception Class, bits 31:26 (compare with the `ESR_ELX_EC_*` constants).
    pub fn ec(self) -> u8 {
        ((self.0 >> ESR_ELX_EC_SHIFT) & ESR_ELX_EC_MASK) as u8
    }

    /// IL, bit 25: the trapped instruction was 32 bits long. Always true for exceptions
    /// from AArch64 (and RES1 for classes that have no instruction, such as SError).
    pub fn il(self) -> bool {
        self.0 & ESR_ELX_IL != 0
    }

    /// The Instruction Specific Syndrome, bits 24:0; its layout depends on [`Esr::ec`].
    pub fn iss(self) -> u32 {
        (self.0 & ESR_ELX_ISS_MASK) as u32
    }

    /// ISS2, bits 36:32 (zero unless the CPU has FEAT_LS64 or later extensions).
    pub fn iss2(self) -> u32 {
        ((self.0 >> ESR_ELX_ISS2_SHIFT) & 0x1f) as u32
    }

    /// A short description of the Exception Class, e.g. "data abort (same EL)".
    pub fn ec_name(self) -> &'static str {
        match self.ec() {
            ESR_ELX_EC_UNKNOWN => "unknown reason (undefined instruction?)",
            ESR_ELX_EC_WFX => "trapped WFI/WFE",
            ESR_ELX_EC_CP15_32 => "trapped AArch32 MCR/MRC (CP15)",
            ESR_ELX_EC_CP15_64 => "trapped AArch32 MCRR/MRRC (CP15)",
            ESR_ELX_EC_CP14_MR => "trapped AArch32 MCR/MRC (CP14)",
            ESR_ELX_EC_CP14_LS => "trapped AArch32 LDC/STC (CP14)",
            ESR_ELX_EC_FP_ASIMD => "SIMD/FP access trapped",
            ESR_ELX_EC_CP10_ID => "trapped VMRS (CP10)",
            ESR_ELX_EC_PAC => "trapped pointer authentication instruction",
            ESR_ELX_EC_CP14_64 => "trapped AArch32 MRRC (CP14)",
            ESR_ELX_EC_BTI => "branch target identification exception",
            ESR_ELX_EC_ILL => "illegal execution state",
            ESR_ELX_EC_SVC32 => "SVC from AArch32",
            ESR_ELX_EC_HVC32 => "HVC from AArch32",
            ESR_ELX_EC_SMC32 => "SMC from AArch32",
            ESR_ELX_EC_SVC64 => "SVC from AArch64",
            ESR_ELX_EC_HVC64 => "HVC from AArch64",
            ESR_ELX_EC_SMC64 => "SMC from AArch64",
            ESR_ELX_EC_SYS64 => "trapped MSR/MRS/system instruction",
            ESR_ELX_EC_SVE => "SVE access trapped",
            ESR_ELX_EC_ERET => "trapped ERET",
            ESR_ELX_EC_FPAC => "pointer authentication failure",
            ESR_ELX_EC_SME => "SME access trapped",
            ESR_ELX_EC_IMP_DEF => "IMPLEMENTATION DEFINED exception",
            ESR_ELX_EC_IABT_LOW => "instruction abort (lower EL)",
            ESR_ELX_EC_IABT_CUR => "instruction abort (same EL)",
            ESR_ELX_EC_PC_ALIGN => "PC alignment fault",
            ESR_ELX_EC_DABT_LOW => "data abort (lower EL)",
            ESR_ELX_EC_DABT_CUR => "data abort (same EL)",
            ESR_ELX_EC_SP_ALIGN => "SP alignment fault",
            ESR_ELX_EC_MOPS => "memory operation exception",
            ESR_ELX_EC_FP_EXC32 => "floating-point exception (AArch32)",
            ESR_ELX_EC_FP_EXC64 => "floating-point exception (AArch64)",
            ESR_ELX_EC_SERROR => "SError interrupt",
            ESR_ELX_EC_BREAKPT_LOW => "breakpoint (lower EL)",
            ESR_ELX_EC_BREAKPT_CUR => "breakpoint (same EL)",
            ESR_ELX_EC_SOFTSTP_LOW => "software step (lower EL)",
            ESR_ELX_EC_SOFTSTP_CUR => "software step (same EL)",
            ESR_ELX_EC_WATCHPT_LOW => "watchpoint (lower EL)",
            ESR_ELX_EC_WATCHPT_CUR => "watchpoint (same EL)",
            ESR_ELX_EC_BKPT32 => "BKPT from AArch32",
            ESR_ELX_EC_VECTOR32 => "vector catch (AArch32)",
            ESR_ELX_EC_BRK64 => "BRK",
            _ => "reserved exception class",
        }
    }

    /// A Data Abort, from user space or from the kernel.
    pub fn is_data_abort(self) -> bool {
        matches!(self.ec(), ESR_ELX_EC_DABT_LOW | ESR_ELX_EC_DABT_CUR)
    }

    /// An Instruction Abort, from user space or from the kernel.
    pub fn is_instruction_abort(self) -> bool {
        matches!(self.ec(), ESR_ELX_EC_IABT_LOW | ESR_ELX_EC_IABT_CUR)
    }

    /// The exception came from a lower Exception level (for EL1: from user space).
    ///
    /// Only the classes that come in a LOW/CUR pair say this in the EC; for the others
    /// (SVC, SYS64, ...) look at SPSR_EL1.M instead. SVC64 is always from EL0 in Linnet.
    pub fn is_from_lower_el(self) -> bool {
        matches!(
            self.ec(),
            ESR_ELX_EC_IABT_LOW
                | ESR_ELX_EC_DABT_LOW
                | ESR_ELX_EC_BREAKPT_LOW
                | ESR_ELX_EC_SOFTSTP_LOW
                | ESR_ELX_EC_WATCHPT_LOW
        )
    }

    /// The raw fault status code (ISS bits 5:0) of an abort, or None for other classes.
    pub fn fsc(self) -> Option<u8> {
        if self.is_data_abort() || self.is_instruction_abort() {
            Some((self.0 & ESR_ELX_FSC) as u8)
        } else {
            None
        }
    }

    /// Decodes the syndrome of a Data or Instruction Abort; None for other classes.
    pub fn abort(self) -> Option<AbortInfo> {
        let fsc = self.fsc()?;
        let (kind, level) = decode_fsc(fsc);
        // WnR and CM are RES0 in an instruction abort's ISS; mask them anyway.
        let data = self.is_data_abort();
        Some(AbortInfo {
            fsc,
            kind,
            level,
            write: data && self.0 & ESR_ELX_WNR != 0,
            cm: data && self.0 & ESR_ELX_CM != 0,
            s1ptw: self.0 & ESR_ELX_S1PTW != 0,
            far_valid: self.0 & ESR_ELX_FNV == 0,
        })
    }

    /// The fault was a write to memory: a data abort with WnR set that did not come from
    /// a cache maintenance instruction (those report WnR = 1 but write nothing).
    ///
    /// Mirrors Linux `is_write_abort()` in `arch/arm64/mm/fault.c`.
    pub fn fault_is_write(self) -> bool {
        self.is_data_abort() && self.0 & ESR_ELX_WNR != 0 && self.0 & ESR_ELX_CM == 0
    }

    /// The fault was an instruction fetch from user space: the VMA must allow exec.
    ///
    /// Mirrors Linux `is_el0_instruction_abort()` in `arch/arm64/mm/fault.c`.
    pub fn is_el0_instruction_abort(self) -> bool {
        self.ec() == ESR_ELX_EC_IABT_LOW
    }

    /// A translation fault: nothing is mapped there yet, so the page-fault path may
    /// demand-page it (Linux: `esr_fsc_is_translation_fault`).
    pub fn is_translation_fault(self) -> bool {
        self.abort()
            .is_some_and(|a| a.kind == FaultKind::Translation)
    }

    /// A permission fault: mapped, but the access is not allowed
    /// (Linux: `esr_fsc_is_permission_fault`).
    pub fn is_permission_fault(self) -> bool {
        self.abort()
            .is_some_and(|a| a.kind == FaultKind::Permission)
    }
}

/// Writes the class-specific part of the report, after "EC 0xNN name".
fn fmt_iss(esr: Esr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let iss = esr.iss();
    if let Some(a) = esr.abort() {
        write!(f, "; {}", a.kind.name())?;
        if a.kind == FaultKind::Unknown {
            write!(f, " 0x{:02x}", a.fsc)?;
        }
        if let Some(level) = a.level {
            write!(f, ", level {}", level)?;
        }
        if esr.is_data_abort() {
            f.write_str(if a.write { "; write" } else { "; read" })?;
            if esr.0 & ESR_ELX_ISV != 0 {
                let size = 1u32 << ((iss >> ESR_ELX_SAS_SHIFT) & 3);
                let reg = (iss >> ESR_ELX_SRT_SHIFT) & 0x1f;
                write!(f, " of {} bytes via x{}", size, reg)?;
            }
        }
        if a.cm {
            f.write_str("; cache maintenance")?;
        }
        if a.s1ptw {
            f.write_str("; on stage-1 table walk")?;
        }
        if !a.far_valid {
            f.write_str("; FAR not valid")?;
        }
        return Ok(());
    }
    match esr.ec() {
        ESR_ELX_EC_SVC64 | ESR_ELX_EC_HVC64 | ESR_ELX_EC_SMC64 => {
            write!(f, ", imm16 0x{:x}", iss & 0xffff)
        }
        ESR_ELX_EC_BRK64 => write!(f, ", comment 0x{:x}", iss & 0xffff),
        ESR_ELX_EC_WFX => f.write_str(if iss & 1 == 0 { ", WFI" } else { ", WFE" }),
        ESR_ELX_EC_SYS64 => {
            // Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, Direction 0.
            let (op0, op2, op1) = ((iss >> 20) & 3, (iss >> 17) & 7, (iss >> 14) & 7);
            let (crn, rt, crm) = ((iss >> 10) & 0xf, (iss >> 5) & 0x1f, (iss >> 1) & 0xf);
            let reg = SysReg {
                op0,
                op1,
                crn,
                crm,
                op2,
            };
            if iss & 1 == 1 {
                write!(f, ", mrs x{}, {}", rt, reg)
            } else {
                write!(f, ", msr {}, x{}", reg, rt)
            }
        }
        _ if iss != 0 => write!(f, ", ISS 0x{:x}", iss),
        _ => Ok(()),
    }
}

/// A system register in the generic `S<op0>_<op1>_C<n>_C<m>_<op2>` spelling.
struct SysReg {
    op0: u32,
    op1: u32,
    crn: u32,
    crm: u32,
    op2: u32,
}

impl fmt::Display for SysReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "S{}_{}_C{}_C{}_{}",
            self.op0, self.op1, self.crn, self.crm, self.op2
        )
    }
}

/// One line, e.g. `ESR 0x96000045: EC 0x25 data abort (same EL); translation fault,
/// level 1; write`.
impl fmt::Display for Esr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ESR 0x{:08x}: EC 0x{:02x} {}",
            self.0,
            self.ec(),
            self.ec_name()
        )?;
        fmt_iss(*self, f)?;
        match self.iss2() {
            0 => Ok(()),
            iss2 => write!(f, "; ISS2 0x{:x}", iss2),
        }
    }
}

#[cfg(test)]
mod tests;
