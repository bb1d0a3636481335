//! The AArch64 stage-1 translation table descriptor, declared once as data.
//!
//! `arch::aarch64::pte` is the hardware half of Linnet's page tables: the bit layout of
//! one 64-bit VMSAv8-64 descriptor with the 4 KiB granule (Arm ARM DDI 0487, section
//! D8.3 "VMSAv8-64 translation table format descriptors"; D5.3 in editions before J.a),
//! the memory attribute indices Linnet programs into `MAIR_EL1`, and `describe`, which
//! prints one descriptor for crash reports and the gdb `ptwalk` helper. It is data only
//! (no system registers), so it also compiles and is tested on the host.
//!
//! Linux keeps the same facts as `#define`s in `arch/arm64/include/asm/pgtable-hwdef.h`
//! (`PTE_VALID`, `PTE_AF`, `PTE_UXN`, ...) and `asm/memory.h` (`MT_NORMAL`, ...).
//!
//! Read next: `mm/page_table.rs`, which walks and edits tables of these descriptors.

use crate::mm::layout::PAGE_SHIFT;
use crate::mm::pgtable_types::{PageSize, PhysAddr, Prot};
use core::fmt;
use tock_registers::fields::FieldValue;
use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};
use tock_registers::register_bitfields;
use tock_registers::registers::InMemoryRegister;

register_bitfields! {u64,
    /// One stage-1 descriptor (Arm ARM D8.3: table, block and page descriptors and their
    /// attribute fields). Bits 0 and 1 say what it is: `VALID` clear is invalid (a fault)
    /// whatever the rest holds; with `VALID` set, `TYPE` is Table at levels 0-2, Page at
    /// level 3, and Block (levels 1 and 2) when clear. The lower and upper attributes
    /// apply to blocks and pages; the `*Table` fields apply to table descriptors only
    /// (hierarchical permission limits).
    #[allow(missing_docs)]
    pub STAGE1_DESCRIPTOR [
        /// Bit 0: the descriptor is valid.
        VALID OFFSET(0) NUMBITS(1) [],
        /// Bit 1: descriptor type. 1 = table (levels 0-2) or page (level 3, see
        /// `TYPE_PAGE`); 0 = block (levels 1-2), reserved at levels 0 and 3.
        TYPE OFFSET(1) NUMBITS(1) [
            Block = 0,
            Table = 1
        ],
        /// Bits 4:2: index of the memory attribute byte in `MAIR_EL1`; the
        /// values are the `MT_*` constants below (the macro nests two modules deep,
        /// hence the full paths).
        ATTRINDX OFFSET(2) NUMBITS(3) [
            Device_nGnRnE = crate::arch::aarch64::pte::MT_DEVICE_nGnRnE,
            Device_nGnRE = crate::arch::aarch64::pte::MT_DEVICE_nGnRE,
            Device_GRE = crate::arch::aarch64::pte::MT_DEVICE_GRE,
            Normal_NC = crate::arch::aarch64::pte::MT_NORMAL_NC,
            Normal = crate::arch::aarch64::pte::MT_NORMAL
        ],
        /// Bit 5: Non-secure output address (ignored in the Non-secure state Linnet runs in).
        NS OFFSET(5) NUMBITS(1) [],
        /// Bits 7:6: data access permissions AP[2:1]: AP[2] = read-only, AP[1] = accessible
        /// from EL0.
        AP OFFSET(6) NUMBITS(2) [
            RW_EL1 = 0b00,
            RW_EL1_EL0 = 0b01,
            RO_EL1 = 0b10,
            RO_EL1_EL0 = 0b11
        ],
        /// Bits 9:8: shareability of Normal memory; ignored for Device memory.
        SH OFFSET(8) NUMBITS(2) [
            NonShareable = 0b00,
            OuterShareable = 0b10,
            InnerShareable = 0b11
        ],
        /// Bit 10: Access Flag. Clear = the first access faults (Linnet always sets it).
        AF OFFSET(10) NUMBITS(1) [],
        /// Bit 11: not global. Set = the TLB entry belongs to the current ASID only.
        nG OFFSET(11) NUMBITS(1) [],
        /// Bits 47:12: the output address: the next table's physical address for a table
        /// descriptor, the frame for a page; for blocks the low bits (20:12 at level 2,
        /// 29:12 at level 1) are RES0.
        OUTPUT_ADDR OFFSET(12) NUMBITS(36) [],
        /// Bit 51: Dirty Bit Modifier (hardware dirty state, FEAT_HAFDBS); left clear.
        DBM OFFSET(51) NUMBITS(1) [],
        /// Bit 52: one of 16 adjacent entries mapping a contiguous range (a TLB hint).
        CONTIGUOUS OFFSET(52) NUMBITS(1) [],
        /// Bit 53: Privileged execute-never (EL1 may not execute).
        PXN OFFSET(53) NUMBITS(1) [],
        /// Bit 54: Unprivileged execute-never (EL0 may not execute); called XN in
        /// translation regimes with one privilege level.
        UXN OFFSET(54) NUMBITS(1) [],
        /// Bits 58:55: ignored by hardware, reserved for software. Linnet keeps them for
        /// its own use (Linux puts PTE_DIRTY, PTE_SPECIAL, PTE_PROT_NONE there).
        SW OFFSET(55) NUMBITS(4) [],
        /// Bit 59 (table descriptors): no EL1 execution anywhere below this table.
        PXNTable OFFSET(59) NUMBITS(1) [],
        /// Bit 60 (table descriptors): no EL0 execution anywhere below this table.
        UXNTable OFFSET(60) NUMBITS(1) [],
        /// Bits 62:61 (table descriptors): access limits for everything below.
        APTable OFFSET(61) NUMBITS(2) [],
        /// Bit 63 (table descriptors): the next-level table is in Non-secure memory.
        NSTable OFFSET(63) NUMBITS(1) []
    ]
}

pub use STAGE1_DESCRIPTOR::{
    nG, APTable, NSTable, PXNTable, UXNTable, AF, AP, ATTRINDX, CONTIGUOUS, DBM, NS, OUTPUT_ADDR,
    PXN, SH, SW, TYPE, UXN, VALID,
};

/// The execute-never bit under the name used where there is only one privilege level.
pub const XN: tock_registers::fields::Field<u64, STAGE1_DESCRIPTOR::Register> = UXN;

/// At level 3, `TYPE` = 1 means "page" (the same bit value as "table" at levels 0-2).
pub const TYPE_PAGE: FieldValue<u64, STAGE1_DESCRIPTOR::Register> = TYPE::Table;

/// A descriptor held in a local variable, read and built with the named fields above:
/// `Descriptor::new(raw).read(AP)`, `d.write(VALID::SET + TYPE::Table + ...)`.
pub type Descriptor = InMemoryRegister<u64, STAGE1_DESCRIPTOR::Register>;

/// Bits of a physical address an output address can hold (OA bits 47:12).
pub const PA_BITS: usize = 48;

/// The output address field of `desc` as a physical address (bits 47:12, low bits zero).
pub fn output_address(desc: u64) -> usize {
    (Descriptor::new(desc).read(OUTPUT_ADDR) as usize) << PAGE_SHIFT
}

// MAIR_EL1 attribute indices, as Linux arm64 numbered them up to 5.x (arch/arm64/include/asm/memory.h),
// so a descriptor dumped here reads the same as one dumped on Linux.
/// Device, non-Gathering, non-Reordering, no Early write acknowledgement (strongest).
#[allow(non_upper_case_globals)]
pub const MT_DEVICE_nGnRnE: u64 = 0;
/// Device memory with early write acknowledgement: what Linux and Linnet use for MMIO.
#[allow(non_upper_case_globals)]
pub const MT_DEVICE_nGnRE: u64 = 1;
/// Device memory that may gather and reorder.
pub const MT_DEVICE_GRE: u64 = 2;
/// Normal memory, non-cacheable.
pub const MT_NORMAL_NC: u64 = 3;
/// Normal memory, write-back cacheable: RAM.
pub const MT_NORMAL: u64 = 4;

/// `MAIR_EL1`: one attribute byte per index above (Arm ARM register MAIR_EL1; Linux
/// `MAIR_EL1_SET` in `arch/arm64/mm/proc.S`): attr0 0x00 Device-nGnRnE, attr1 0x04
/// Device-nGnRE, attr2 0x0c Device-GRE, attr3 0x44 Normal non-cacheable, attr4 0xff
/// Normal write-back read/write-allocate, inner and outer.
pub const MAIR_EL1_VALUE: u64 = 0x0000_00ff_440c_0400;

// How Linnet's `Prot` becomes descriptor bits, and back: the counterpart of Linux
// `arch/arm64/include/asm/pgtable-prot.h` (`PAGE_KERNEL*`, `protection_map[]`) and
// `pgtable.h` (`pfn_pte`, `pte_modify`). The walker in `mm/page_table.rs` calls these,
// so it never needs to know a bit position.

/// A table descriptor pointing to `next` (Linux `__pmd_populate` and friends).
pub fn table_desc(next: PhysAddr) -> u64 {
    let d = Descriptor::new(0);
    d.write(VALID::SET + TYPE::Table + OUTPUT_ADDR.val((next >> PAGE_SHIFT) as u64));
    d.get()
}

/// The leaf descriptor mapping `pa` with `prot`: Linux `pfn_pte(pfn, prot)` with the
/// bits of `protection_map[]` (user) or `PAGE_KERNEL*` (kernel), pgtable-prot.h.
pub fn leaf_desc(pa: PhysAddr, size: PageSize, prot: Prot) -> u64 {
    let user = prot.contains(Prot::USER);
    let device = prot.contains(Prot::DEVICE);
    let exec = prot.contains(Prot::EXEC) && !device;
    let write = prot.contains(Prot::WRITE);
    let read = prot.contains(Prot::READ) || write;
    let ap = match (user, write, read) {
        (true, true, _) => AP::RW_EL1_EL0,
        (true, false, true) => AP::RO_EL1_EL0,
        // PROT_NONE, or execute-only: EL0 may not load or store (Linux PAGE_EXECONLY).
        // EL1 still could, but uaccess uses LDTR/STTR, which are checked as EL0.
        (true, false, false) => AP::RW_EL1,
        (false, true, _) => AP::RW_EL1,
        (false, false, _) => AP::RO_EL1,
    };
    // The other privilege level never executes: user pages PXN, kernel pages UXN.
    let (global, pxn, uxn) = match (user, exec) {
        (true, true) => (nG::SET, PXN::SET, UXN::CLEAR),
        (true, false) => (nG::SET, PXN::SET, UXN::SET),
        (false, true) => (nG::CLEAR, PXN::CLEAR, UXN::SET),
        (false, false) => (nG::CLEAR, PXN::SET, UXN::SET),
    };
    let (attr, sh) = match device {
        true => (ATTRINDX::Device_nGnRE, SH::NonShareable),
        false => (ATTRINDX::Normal, SH::InnerShareable),
    };
    let kind = match size {
        PageSize::Size4K => TYPE_PAGE,
        PageSize::Size2M | PageSize::Size1G => TYPE::Block,
    };
    let d = Descriptor::new(0);
    d.write(
        VALID::SET
            + kind
            + OUTPUT_ADDR.val((pa >> PAGE_SHIFT) as u64)
            + AF::SET // no access-flag faults: Linnet does not age pages
            + ap
            + sh
            + attr
            + global
            + pxn
            + uxn,
    );
    d.get()
}

/// The `Prot` a leaf descriptor enforces (the inverse of `leaf_desc`). USER is
/// read from nG, because a user PROT_NONE page has the same AP as kernel data.
pub fn prot_of(desc: u64) -> Prot {
    let d = Descriptor::new(desc);
    let user = d.is_set(nG);
    let mut prot = if user { Prot::USER } else { Prot::empty() };
    prot |= match (user, d.read_as_enum(AP)) {
        (true, Some(AP::Value::RW_EL1_EL0)) => Prot::READ | Prot::WRITE,
        (true, Some(AP::Value::RO_EL1_EL0)) => Prot::READ,
        (true, _) => Prot::empty(),
        (false, Some(AP::Value::RW_EL1 | AP::Value::RW_EL1_EL0)) => Prot::READ | Prot::WRITE,
        (false, _) => Prot::READ,
    };
    let no_exec = if user { UXN } else { PXN };
    if !d.is_set(no_exec) {
        prot |= Prot::EXEC;
    }
    use ATTRINDX::Value::{Device_GRE, Device_nGnRE, Device_nGnRnE};
    if let Some(Device_nGnRnE | Device_nGnRE | Device_GRE) = d.read_as_enum(ATTRINDX) {
        prot |= Prot::DEVICE;
    }
    prot
}

/// The same leaf with new permissions: frame and software bits kept (Linux `pte_modify`).
pub fn modify_prot(desc: u64, size: PageSize, prot: Prot) -> u64 {
    let pa = output_address(desc) & !(size.bytes() - 1);
    let d = Descriptor::new(leaf_desc(pa, size, prot));
    d.modify(SW.val(Descriptor::new(desc).read(SW)));
    d.get()
}

/// Human-readable form of one descriptor, returned by `describe`.
pub struct Describe {
    desc: u64,
    level: usize,
}

/// Describes the descriptor `desc` found at translation `level` (0-3), e.g.
/// `L3 page pa=0x40201000 AF SH=inner AP=EL1-RO/EL0-none UXN attr=Normal`,
/// `L1 table next=0x4008f000` or `invalid`. Used by crash reports and `ptwalk`.
pub fn describe(desc: u64, level: usize) -> impl fmt::Display {
    Describe { desc, level }
}

impl fmt::Display for Describe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = Descriptor::new(self.desc);
        let level = self.level;
        if !d.is_set(VALID) {
            // An invalid entry may still carry software bits; show them rather than hide them.
            return match self.desc {
                0 => write!(f, "invalid"),
                raw => write!(f, "invalid raw={raw:#x}"),
            };
        }
        let is_table_bit = d.matches_all(TYPE::Table);
        if level > 3 || (level == 0 && !is_table_bit) || (level == 3 && !is_table_bit) {
            // Block at level 0 and type 0 at level 3 are reserved with a 4 KiB granule.
            return write!(f, "L{level} reserved raw={:#x}", self.desc);
        }
        let oa = output_address(self.desc);
        if level < 3 && is_table_bit {
            write!(f, "L{level} table next={oa:#x}")?;
            for (field, name) in [(PXNTable, "PXNTable"), (UXNTable, "UXNTable")] {
                if d.is_set(field) {
                    write!(f, " {name}")?;
                }
            }
            if d.read(APTable) != 0 {
                write!(f, " APTable={:#b}", d.read(APTable))?;
            }
            if d.is_set(NSTable) {
                write!(f, " NSTable")?;
            }
            return Ok(());
        }
        let kind = match level {
            1 => "block 1G",
            2 => "block 2M",
            _ => "page",
        };
        write!(f, "L{level} {kind} pa={oa:#x}")?;
        if d.is_set(AF) {
            write!(f, " AF")?;
        }
        if d.is_set(nG) {
            write!(f, " nG")?;
        }
        let sh = match d.read_as_enum(SH) {
            Some(SH::Value::NonShareable) => "none",
            Some(SH::Value::OuterShareable) => "outer",
            Some(SH::Value::InnerShareable) => "inner",
            None => "reserved",
        };
        write!(f, " SH={sh}")?;
        let ap = match d.read_as_enum(AP) {
            Some(AP::Value::RW_EL1) => "EL1-RW/EL0-none",
            Some(AP::Value::RW_EL1_EL0) => "EL1-RW/EL0-RW",
            Some(AP::Value::RO_EL1) => "EL1-RO/EL0-none",
            Some(AP::Value::RO_EL1_EL0) | None => "EL1-RO/EL0-RO",
        };
        write!(f, " AP={ap}")?;
        for (field, name) in [(PXN, "PXN"), (UXN, "UXN")] {
            if d.is_set(field) {
                write!(f, " {name}")?;
            }
        }
        match d.read_as_enum(ATTRINDX) {
            Some(ATTRINDX::Value::Device_nGnRnE) => write!(f, " attr=Device-nGnRnE")?,
            Some(ATTRINDX::Value::Device_nGnRE) => write!(f, " attr=Device-nGnRE")?,
            Some(ATTRINDX::Value::Device_GRE) => write!(f, " attr=Device-GRE")?,
            Some(ATTRINDX::Value::Normal_NC) => write!(f, " attr=Normal-NC")?,
            Some(ATTRINDX::Value::Normal) => write!(f, " attr=Normal")?,
            None => write!(f, " attr=#{}", d.read(ATTRINDX))?,
        }
        for (field, name) in [(CONTIGUOUS, "CONT"), (DBM, "DBM"), (NS, "NS")] {
            if d.is_set(field) {
                write!(f, " {name}")?;
            }
        }
        if d.read(SW) != 0 {
            write!(f, " SW={:#x}", d.read(SW))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(fields: FieldValue<u64, STAGE1_DESCRIPTOR::Register>) -> u64 {
        let d = Descriptor::new(0);
        d.write(fields);
        d.get()
    }

    #[test]
    fn mair_agrees_with_indices() {
        let attr = |index: u64| (MAIR_EL1_VALUE >> (8 * index)) & 0xff;
        assert_eq!(attr(MT_DEVICE_nGnRnE), 0x00);
        assert_eq!(attr(MT_DEVICE_nGnRE), 0x04);
        assert_eq!(attr(MT_DEVICE_GRE), 0x0c);
        assert_eq!(attr(MT_NORMAL_NC), 0x44);
        assert_eq!(attr(MT_NORMAL), 0xff);
        // Unused indices 5-7 stay 0 (Device-nGnRnE, the safe default).
        assert_eq!(MAIR_EL1_VALUE >> 40, 0);
        assert_eq!(ATTRINDX::Value::Normal as u64, MT_NORMAL);
        assert_eq!(ATTRINDX::Value::Device_nGnRE as u64, MT_DEVICE_nGnRE);
    }

    #[test]
    fn fields_sit_where_the_arm_arm_says() {
        assert_eq!(build(VALID::SET), 1);
        assert_eq!(build(TYPE::Table), 1 << 1);
        assert_eq!(build(ATTRINDX::Normal), 4 << 2);
        assert_eq!(build(AP::RO_EL1_EL0), 0b11 << 6);
        assert_eq!(build(SH::InnerShareable), 0b11 << 8);
        assert_eq!(build(AF::SET), 1 << 10);
        assert_eq!(build(nG::SET), 1 << 11);
        assert_eq!(build(OUTPUT_ADDR.val(0xf_ffff_ffff)), 0x0000_ffff_ffff_f000);
        assert_eq!(build(PXN::SET), 1 << 53);
        assert_eq!(build(XN.val(1)), 1 << 54);
        assert_eq!(build(SW.val(0xf)), 0xf << 55);
        assert_eq!(output_address(0xffff_0000_4020_1fff), 0x4020_1000);
    }

    fn text(desc: u64, level: usize) -> String {
        describe(desc, level).to_string()
    }

    #[test]
    fn describes_a_kernel_rodata_page() {
        let d = build(
            VALID::SET
                + TYPE_PAGE
                + OUTPUT_ADDR.val(0x40201)
                + AF::SET
                + SH::InnerShareable
                + AP::RO_EL1
                + UXN::SET
                + ATTRINDX::Normal,
        );
        assert_eq!(
            text(d, 3),
            "L3 page pa=0x40201000 AF SH=inner AP=EL1-RO/EL0-none UXN attr=Normal"
        );
    }

    #[test]
    fn describes_tables_blocks_and_invalid() {
        let table = build(VALID::SET + TYPE::Table + OUTPUT_ADDR.val(0x4008f));
        assert_eq!(text(table, 1), "L1 table next=0x4008f000");
        assert_eq!(text(0, 2), "invalid");
        assert_eq!(text(1 << 58, 2), "invalid raw=0x400000000000000");
        let dev = build(
            VALID::SET
                + TYPE::Block
                + OUTPUT_ADDR.val(0x09000)
                + AF::SET
                + AP::RW_EL1_EL0
                + nG::SET
                + PXN::SET
                + UXN::SET
                + ATTRINDX::Device_nGnRE,
        );
        assert_eq!(
            text(dev, 2),
            "L2 block 2M pa=0x9000000 AF nG SH=none AP=EL1-RW/EL0-RW PXN UXN attr=Device-nGnRE"
        );
        // Type 0 at level 3 and a block at level 0 are reserved encodings.
        assert!(text(1, 3).starts_with("L3 reserved"));
        assert!(text(1, 0).starts_with("L0 reserved"));
    }
}
