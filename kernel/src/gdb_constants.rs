//! The numbers the gdb helpers (`qemu/linnet_gdb/`) need, exported from their one
//! definition in the kernel, so the Python never copies them by hand.
//!
//! Linux generates `scripts/gdb/linux/constants.py` from `constants.py.in`, a C file of
//! `LX_VALUE(NAME)` lines run through the preprocessor. The Rust form is one static,
//! `LINNET_GDB_CONSTANTS`, a `#[repr(C)]` struct of `u64` fields named as the constants
//! they hold: it is kept in the ELF (`#[used]`, `#[no_mangle]`) with its debug info, and
//! `qemu/linnet_gdb/constants.py` reads it through gdb, field by field, by name. Adding a
//! constant is one line here; Python sees it as `constants.NAME`.
//!
//! A bit field is exported as its in-place mask (`mask << shift`); Python takes the shift
//! from the mask's lowest set bit. Numbers the helpers still write themselves say why in
//! their comments (no named constant in the kernel, or a file format, not the kernel's).

use crate::arch::esr;
use crate::arch::pte;
use crate::mm::layout;
use crate::mm::vma::VmFlags;
use aarch64_cpu::registers::{SPSR_EL1, TTBR1_EL1};

/// Declares `GdbConstants` with one documented `u64` field per line and the static that
/// holds their values.
macro_rules! gdb_constants {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        /// The constants the gdb helpers read: Linux's `scripts/gdb/linux/constants.py.in`
        /// as a struct, whose debug info carries the names (see the module documentation).
        #[repr(C)]
        #[allow(non_snake_case)]
        pub struct GdbConstants {
            $($(#[$doc])* pub $name: u64,)*
        }

        /// Read by gdb only: `#[used]` keeps it though no kernel code refers to it.
        #[used]
        #[no_mangle]
        pub static LINNET_GDB_CONSTANTS: GdbConstants = GdbConstants {
            $($name: $value as u64,)*
        };
    };
}

gdb_constants! {
    // The address-space layout: mm/layout.rs.
    /// Bits of a page offset.
    PAGE_SHIFT = layout::PAGE_SHIFT;
    /// Bytes in a page.
    PAGE_SIZE = layout::PAGE_SIZE;
    /// Descriptors in one table page (9 address bits per level).
    PTRS_PER_TABLE = layout::PTRS_PER_TABLE;
    /// The linear map: physical `pa` is at `PAGE_OFFSET + pa`.
    PAGE_OFFSET = layout::PAGE_OFFSET;
    /// End of the user half, `[0, TASK_SIZE)` through TTBR0.
    TASK_SIZE = layout::TASK_SIZE;
    /// Start of the kernel half, `[VA_START, 2^64)` through TTBR1.
    VA_START = layout::VA_START;
    /// Where /proc/PID/maps starts the name column (mm/vma.rs).
    MAPS_NAME_WIDTH = crate::mm::vma::MAPS_NAME_WIDTH;

    // Translation table descriptors: arch/aarch64/pte.rs (fields as in-place masks).
    /// Bit 0: valid.
    PTE_VALID = pte::VALID.mask << pte::VALID.shift;
    /// Bit 1: table (levels 0-2) or page (level 3); block when clear.
    PTE_TYPE = pte::TYPE.mask << pte::TYPE.shift;
    /// Bits 4:2: the MAIR_EL1 attribute index.
    PTE_ATTRINDX = pte::ATTRINDX.mask << pte::ATTRINDX.shift;
    /// Bit 5: non-secure.
    PTE_NS = pte::NS.mask << pte::NS.shift;
    /// Bits 7:6: access permissions AP[2:1].
    PTE_AP = pte::AP.mask << pte::AP.shift;
    /// Bits 9:8: shareability.
    PTE_SH = pte::SH.mask << pte::SH.shift;
    /// Bit 10: access flag.
    PTE_AF = pte::AF.mask << pte::AF.shift;
    /// Bit 11: not global.
    PTE_NG = pte::nG.mask << pte::nG.shift;
    /// Bits 47:12: the output address.
    PTE_OUTPUT_ADDR = pte::OUTPUT_ADDR.mask << pte::OUTPUT_ADDR.shift;
    /// Bit 51: dirty bit modifier.
    PTE_DBM = pte::DBM.mask << pte::DBM.shift;
    /// Bit 52: contiguous hint.
    PTE_CONT = pte::CONTIGUOUS.mask << pte::CONTIGUOUS.shift;
    /// Bit 53: privileged execute-never.
    PTE_PXN = pte::PXN.mask << pte::PXN.shift;
    /// Bit 54: unprivileged execute-never.
    PTE_UXN = pte::UXN.mask << pte::UXN.shift;
    /// Bits 58:55: for software.
    PTE_SW = pte::SW.mask << pte::SW.shift;
    /// Bit 59 (table descriptors): PXNTable.
    PTE_PXN_TABLE = pte::PXNTable.mask << pte::PXNTable.shift;
    /// Bit 60 (table descriptors): UXNTable.
    PTE_UXN_TABLE = pte::UXNTable.mask << pte::UXNTable.shift;
    /// Bits 62:61 (table descriptors): APTable.
    PTE_AP_TABLE = pte::APTable.mask << pte::APTable.shift;
    /// Bit 63 (table descriptors): NSTable.
    PTE_NS_TABLE = pte::NSTable.mask << pte::NSTable.shift;
    /// AP value: EL1 read/write, EL0 none.
    PTE_AP_RW_EL1 = pte::AP::Value::RW_EL1;
    /// AP value: EL1 and EL0 read/write.
    PTE_AP_RW_EL1_EL0 = pte::AP::Value::RW_EL1_EL0;
    /// AP value: EL1 read-only, EL0 none.
    PTE_AP_RO_EL1 = pte::AP::Value::RO_EL1;
    /// AP value: EL1 and EL0 read-only.
    PTE_AP_RO_EL1_EL0 = pte::AP::Value::RO_EL1_EL0;
    /// SH value: non-shareable.
    PTE_SH_NON = pte::SH::Value::NonShareable;
    /// SH value: outer shareable.
    PTE_SH_OUTER = pte::SH::Value::OuterShareable;
    /// SH value: inner shareable.
    PTE_SH_INNER = pte::SH::Value::InnerShareable;
    /// Memory type index: Device-nGnRnE.
    MT_DEVICE_nGnRnE = pte::MT_DEVICE_nGnRnE;
    /// Memory type index: Device-nGnRE.
    MT_DEVICE_nGnRE = pte::MT_DEVICE_nGnRE;
    /// Memory type index: Device-GRE.
    MT_DEVICE_GRE = pte::MT_DEVICE_GRE;
    /// Memory type index: Normal non-cacheable.
    MT_NORMAL_NC = pte::MT_NORMAL_NC;
    /// Memory type index: Normal write-back.
    MT_NORMAL = pte::MT_NORMAL;
    /// The MAIR_EL1 value head.S programs (used when gdb cannot read the register).
    MAIR_EL1_VALUE = pte::MAIR_EL1_VALUE;

    // System registers: aarch64-cpu's named fields, as arch/aarch64/mmu.rs reads them.
    /// TTBRn_EL1.BADDR, bits 47:1: the table's physical address.
    TTBR_BADDR = TTBR1_EL1::BADDR.mask << TTBR1_EL1::BADDR.shift;
    /// TTBRn_EL1.ASID, bits 63:48.
    TTBR_ASID = TTBR1_EL1::ASID.mask << TTBR1_EL1::ASID.shift;
    /// PSTATE.M (as SPSR_EL1 holds it), bits 3:0: exception level and stack pointer.
    PSTATE_M = SPSR_EL1::M.mask << SPSR_EL1::M.shift;
    /// PSTATE.M value: EL0.
    PSTATE_M_EL0T = SPSR_EL1::M::EL0t.value;
    /// PSTATE.M value: EL1 with SP_EL1.
    PSTATE_M_EL1H = SPSR_EL1::M::EL1h.value;

    // VMA flags: mm/vma.rs VmFlags.
    /// `VM_READ`.
    VM_READ = VmFlags::READ.bits();
    /// `VM_WRITE`.
    VM_WRITE = VmFlags::WRITE.bits();
    /// `VM_EXEC`.
    VM_EXEC = VmFlags::EXEC.bits();
    /// `VM_MAYSHARE`.
    VM_MAYSHARE = VmFlags::MAYSHARE.bits();

    // The exception syndrome: arch/aarch64/esr.rs.
    /// ESR.EC shift.
    ESR_ELX_EC_SHIFT = esr::ESR_ELX_EC_SHIFT;
    /// ESR.EC mask (after the shift).
    ESR_ELX_EC_MASK = esr::ESR_ELX_EC_MASK;
    /// ESR.IL.
    ESR_ELX_IL = esr::ESR_ELX_IL;
    /// ESR.ISS.
    ESR_ELX_ISS_MASK = esr::ESR_ELX_ISS_MASK;
    /// ESR.ISS2 shift.
    ESR_ELX_ISS2_SHIFT = esr::ESR_ELX_ISS2_SHIFT;
    /// ISS.ISV (data aborts).
    ESR_ELX_ISV = esr::ESR_ELX_ISV;
    /// ISS.SAS shift.
    ESR_ELX_SAS_SHIFT = esr::ESR_ELX_SAS_SHIFT;
    /// ISS.SRT shift.
    ESR_ELX_SRT_SHIFT = esr::ESR_ELX_SRT_SHIFT;
    /// ISS.FnV.
    ESR_ELX_FNV = esr::ESR_ELX_FNV;
    /// ISS.CM.
    ESR_ELX_CM = esr::ESR_ELX_CM;
    /// ISS.S1PTW.
    ESR_ELX_S1PTW = esr::ESR_ELX_S1PTW;
    /// ISS.WnR.
    ESR_ELX_WNR = esr::ESR_ELX_WNR;
    /// ISS.DFSC/IFSC.
    ESR_ELX_FSC = esr::ESR_ELX_FSC;
    /// EC: unknown reason.
    ESR_ELX_EC_UNKNOWN = esr::ESR_ELX_EC_UNKNOWN;
    /// EC: WFI/WFE.
    ESR_ELX_EC_WFX = esr::ESR_ELX_EC_WFX;
    /// EC: AArch32 MCR/MRC (CP15).
    ESR_ELX_EC_CP15_32 = esr::ESR_ELX_EC_CP15_32;
    /// EC: AArch32 MCRR/MRRC (CP15).
    ESR_ELX_EC_CP15_64 = esr::ESR_ELX_EC_CP15_64;
    /// EC: AArch32 MCR/MRC (CP14).
    ESR_ELX_EC_CP14_MR = esr::ESR_ELX_EC_CP14_MR;
    /// EC: AArch32 LDC/STC (CP14).
    ESR_ELX_EC_CP14_LS = esr::ESR_ELX_EC_CP14_LS;
    /// EC: SIMD/FP access.
    ESR_ELX_EC_FP_ASIMD = esr::ESR_ELX_EC_FP_ASIMD;
    /// EC: VMRS (CP10).
    ESR_ELX_EC_CP10_ID = esr::ESR_ELX_EC_CP10_ID;
    /// EC: pointer authentication instruction.
    ESR_ELX_EC_PAC = esr::ESR_ELX_EC_PAC;
    /// EC: AArch32 MRRC (CP14).
    ESR_ELX_EC_CP14_64 = esr::ESR_ELX_EC_CP14_64;
    /// EC: branch target identification.
    ESR_ELX_EC_BTI = esr::ESR_ELX_EC_BTI;
    /// EC: illegal execution state.
    ESR_ELX_EC_ILL = esr::ESR_ELX_EC_ILL;
    /// EC: SVC from AArch32.
    ESR_ELX_EC_SVC32 = esr::ESR_ELX_EC_SVC32;
    /// EC: HVC from AArch32.
    ESR_ELX_EC_HVC32 = esr::ESR_ELX_EC_HVC32;
    /// EC: SMC from AArch32.
    ESR_ELX_EC_SMC32 = esr::ESR_ELX_EC_SMC32;
    /// EC: SVC from AArch64.
    ESR_ELX_EC_SVC64 = esr::ESR_ELX_EC_SVC64;
    /// EC: HVC from AArch64.
    ESR_ELX_EC_HVC64 = esr::ESR_ELX_EC_HVC64;
    /// EC: SMC from AArch64.
    ESR_ELX_EC_SMC64 = esr::ESR_ELX_EC_SMC64;
    /// EC: MSR/MRS/system instruction.
    ESR_ELX_EC_SYS64 = esr::ESR_ELX_EC_SYS64;
    /// EC: SVE access.
    ESR_ELX_EC_SVE = esr::ESR_ELX_EC_SVE;
    /// EC: ERET.
    ESR_ELX_EC_ERET = esr::ESR_ELX_EC_ERET;
    /// EC: pointer authentication failure.
    ESR_ELX_EC_FPAC = esr::ESR_ELX_EC_FPAC;
    /// EC: SME access.
    ESR_ELX_EC_SME = esr::ESR_ELX_EC_SME;
    /// EC: IMPLEMENTATION DEFINED.
    ESR_ELX_EC_IMP_DEF = esr::ESR_ELX_EC_IMP_DEF;
    /// EC: instruction abort, lower EL.
    ESR_ELX_EC_IABT_LOW = esr::ESR_ELX_EC_IABT_LOW;
    /// EC: instruction abort, same EL.
    ESR_ELX_EC_IABT_CUR = esr::ESR_ELX_EC_IABT_CUR;
    /// EC: PC alignment.
    ESR_ELX_EC_PC_ALIGN = esr::ESR_ELX_EC_PC_ALIGN;
    /// EC: data abort, lower EL.
    ESR_ELX_EC_DABT_LOW = esr::ESR_ELX_EC_DABT_LOW;
    /// EC: data abort, same EL.
    ESR_ELX_EC_DABT_CUR = esr::ESR_ELX_EC_DABT_CUR;
    /// EC: SP alignment.
    ESR_ELX_EC_SP_ALIGN = esr::ESR_ELX_EC_SP_ALIGN;
    /// EC: memory operation.
    ESR_ELX_EC_MOPS = esr::ESR_ELX_EC_MOPS;
    /// EC: floating-point exception (AArch32).
    ESR_ELX_EC_FP_EXC32 = esr::ESR_ELX_EC_FP_EXC32;
    /// EC: floating-point exception (AArch64).
    ESR_ELX_EC_FP_EXC64 = esr::ESR_ELX_EC_FP_EXC64;
    /// EC: SError.
    ESR_ELX_EC_SERROR = esr::ESR_ELX_EC_SERROR;
    /// EC: breakpoint, lower EL.
    ESR_ELX_EC_BREAKPT_LOW = esr::ESR_ELX_EC_BREAKPT_LOW;
    /// EC: breakpoint, same EL.
    ESR_ELX_EC_BREAKPT_CUR = esr::ESR_ELX_EC_BREAKPT_CUR;
    /// EC: software step, lower EL.
    ESR_ELX_EC_SOFTSTP_LOW = esr::ESR_ELX_EC_SOFTSTP_LOW;
    /// EC: software step, same EL.
    ESR_ELX_EC_SOFTSTP_CUR = esr::ESR_ELX_EC_SOFTSTP_CUR;
    /// EC: watchpoint, lower EL.
    ESR_ELX_EC_WATCHPT_LOW = esr::ESR_ELX_EC_WATCHPT_LOW;
    /// EC: watchpoint, same EL.
    ESR_ELX_EC_WATCHPT_CUR = esr::ESR_ELX_EC_WATCHPT_CUR;
    /// EC: BKPT from AArch32.
    ESR_ELX_EC_BKPT32 = esr::ESR_ELX_EC_BKPT32;
    /// EC: vector catch (AArch32).
    ESR_ELX_EC_VECTOR32 = esr::ESR_ELX_EC_VECTOR32;
    /// EC: BRK.
    ESR_ELX_EC_BRK64 = esr::ESR_ELX_EC_BRK64;
}
