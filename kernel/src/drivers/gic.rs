//! The Arm Generic Interrupt Controller, version 2 or 3 (Linux
//! `drivers/irqchip/irq-gic.c` and `irq-gic-v3.c`).
//!
//! Both versions have a distributor (GICD) that routes shared interrupts (SPIs, INTID
//! 32+); private ones (SGIs 0-15, PPIs 16-31: the timer) are per CPU. v2 talks to the CPU
//! through a memory-mapped CPU interface (GICC); v3 through system registers (ICC_*) and
//! a per-CPU redistributor (GICR). Linnet runs on one CPU, so everything targets CPU 0.
//! Register offsets: Arm IHI 0048B (GICv2) section 4.1, IHI 0069H (GICv3) 12.8 / 12.10.

use aarch64_cpu::asm::barrier;
use tock_registers::interfaces::{Readable, Writeable};
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    /// Distributor (both versions; v3-only fields are unused on v2).
    pub GicdRegs {
        (0x0000 => ctlr: ReadWrite<u32>),
        (0x0004 => typer: ReadOnly<u32>),
        (0x0008 => _r0),
        (0x0080 => igroupr: [ReadWrite<u32>; 32]),
        (0x0100 => isenabler: [ReadWrite<u32>; 32]),
        (0x0180 => icenabler: [ReadWrite<u32>; 32]),
        (0x0200 => _r1),
        (0x0400 => ipriorityr: [ReadWrite<u8>; 1024]),
        (0x0800 => itargetsr: [ReadWrite<u8>; 1024]),
        (0x0c00 => icfgr: [ReadWrite<u32>; 64]),
        (0x0d00 => _r2),
        (0x6100 => irouter: [ReadWrite<u64>; 988]),
        (0x7fe0 => _r3),
        (0x8000 => @END),
    }
}

register_structs! {
    /// GICv2 CPU interface.
    pub GiccRegs {
        (0x00 => ctlr: ReadWrite<u32>),
        (0x04 => pmr: ReadWrite<u32>),
        (0x08 => _r0),
        (0x0c => iar: ReadOnly<u32>),
        (0x10 => eoir: ReadWrite<u32>),
        (0x14 => @END),
    }
}

register_structs! {
    /// GICv3 redistributor: the RD_base frame, then the SGI_base frame 64 KiB above.
    pub GicrRegs {
        (0x00000 => ctlr: ReadWrite<u32>),
        (0x00004 => _r0),
        (0x00014 => waker: ReadWrite<u32>),
        (0x00018 => _r1),
        (0x10080 => igroupr0: ReadWrite<u32>),
        (0x10084 => _r2),
        (0x10100 => isenabler0: ReadWrite<u32>),
        (0x10104 => _r3),
        (0x10400 => ipriorityr: [ReadWrite<u8>; 32]),
        (0x10420 => @END),
    }
}

/// Priority given to every interrupt Linnet enables (lower is more urgent).
const DEFAULT_PRIORITY: u8 = 0xa0;
/// Priority mask: let everything more urgent than 0xf0 through.
const PRIORITY_MASK: u32 = 0xf0;
/// The INTID an acknowledge returns when nothing is pending.
pub const SPURIOUS: u32 = 1023;

/// An initialized GIC.
pub enum Gic {
    /// Version 2: distributor and CPU interface, both mapped.
    V2 {
        /// Distributor.
        d: &'static GicdRegs,
        /// CPU interface.
        c: &'static GiccRegs,
    },
    /// Version 3: distributor and this CPU's redistributor.
    V3 {
        /// Distributor.
        d: &'static GicdRegs,
        /// Redistributor of CPU 0.
        r: &'static GicrRegs,
    },
}

// SAFETY: the register blocks are MMIO reached only through `&self` methods that each do
// single register accesses; Linnet runs on one CPU with interrupts masked in handlers.
unsafe impl Sync for Gic {}
// SAFETY: as above.
unsafe impl Send for Gic {}

macro_rules! icc_write {
    ($reg:literal, $v:expr) => {
        // SAFETY: writes a GICv3 CPU-interface system register; no memory is touched.
        unsafe { core::arch::asm!(concat!("msr ", $reg, ", {}"), in(reg) $v as u64) }
    };
}
macro_rules! icc_read {
    ($reg:literal) => {{
        let v: u64;
        // SAFETY: reads a GICv3 CPU-interface system register.
        unsafe { core::arch::asm!(concat!("mrs {}, ", $reg), out(reg) v) };
        v
    }};
}

impl Gic {
    /// Bring up a GICv2 whose frames are mapped at `dist` and `cpu` (Linux `gic_dist_init`,
    /// `gic_cpu_init`).
    ///
    /// # Safety
    /// Both addresses must map the GIC's register frames.
    pub unsafe fn new_v2(dist: usize, cpu: usize) -> Gic {
        // SAFETY: the caller's contract.
        let (d, c) = unsafe { (&*(dist as *const GicdRegs), &*(cpu as *const GiccRegs)) };
        d.ctlr.set(1); // forward interrupts
        c.pmr.set(PRIORITY_MASK);
        c.ctlr.set(1);
        Gic::V2 { d, c }
    }

    /// Bring up a GICv3 at `dist` with CPU 0's redistributor at `redist` (Linux
    /// `gic_dist_init`, `gic_enable_redist`, `gic_cpu_sys_reg_init`).
    ///
    /// # Safety
    /// Both addresses must map the GIC's register frames.
    pub unsafe fn new_v3(dist: usize, redist: usize) -> Gic {
        // SAFETY: the caller's contract.
        let (d, r) = unsafe { (&*(dist as *const GicdRegs), &*(redist as *const GicrRegs)) };
        // Affinity routing on, non-secure group 1 enabled (GICD_CTLR.ARE_NS | EnableGrp1NS).
        d.ctlr.set((1 << 4) | (1 << 1));
        while d.ctlr.get() & (1 << 31) != 0 {
            core::hint::spin_loop(); // RWP: wait for the write to take effect
        }
        // Wake the redistributor: clear ProcessorSleep, wait for ChildrenAsleep to clear.
        r.waker.set(r.waker.get() & !(1 << 1));
        while r.waker.get() & (1 << 2) != 0 {
            core::hint::spin_loop();
        }
        r.igroupr0.set(!0); // SGIs and PPIs are group 1 (non-secure)
        let sre = icc_read!("S3_0_C12_C12_5");
        icc_write!("S3_0_C12_C12_5", sre | 1); // ICC_SRE_EL1.SRE
        barrier::isb(barrier::SY);
        icc_write!("S3_0_C4_C6_0", PRIORITY_MASK); // ICC_PMR_EL1
        icc_write!("S3_0_C12_C12_7", 1u64); // ICC_IGRPEN1_EL1
        barrier::isb(barrier::SY);
        Gic::V3 { d, r }
    }

    /// Let interrupt `intid` through to CPU 0 (Linux `gic_unmask_irq`).
    pub fn enable(&self, intid: u32) {
        let (n, bit) = ((intid / 32) as usize, 1u32 << (intid % 32));
        match self {
            Gic::V2 { d, .. } => {
                d.ipriorityr[intid as usize].set(DEFAULT_PRIORITY);
                if intid >= 32 {
                    d.itargetsr[intid as usize].set(1);
                }
                d.isenabler[n].set(bit);
            }
            Gic::V3 { d, r } => {
                if intid < 32 {
                    r.ipriorityr[intid as usize].set(DEFAULT_PRIORITY);
                    r.isenabler0.set(bit);
                } else {
                    d.ipriorityr[intid as usize].set(DEFAULT_PRIORITY);
                    d.igroupr[n].set(d.igroupr[n].get() | bit);
                    d.irouter[intid as usize - 32].set(0); // affinity 0.0.0.0: CPU 0
                    d.isenabler[n].set(bit);
                }
            }
        }
    }

    /// Take the highest-priority pending interrupt (Linux `gic_read_iar`).
    pub fn acknowledge(&self) -> u32 {
        match self {
            Gic::V2 { c, .. } => c.iar.get() & 0x3ff,
            Gic::V3 { .. } => (icc_read!("S3_0_C12_C12_0") & 0xff_ffff) as u32, // ICC_IAR1_EL1
        }
    }

    /// Signal the end of handling `intid` (Linux `gic_eoi_irq`).
    pub fn end_of_interrupt(&self, intid: u32) {
        match self {
            Gic::V2 { c, .. } => c.eoir.set(intid),
            Gic::V3 { .. } => icc_write!("S3_0_C12_C12_1", intid), // ICC_EOIR1_EL1
        }
    }

    /// 2 or 3.
    pub fn version(&self) -> u8 {
        match self {
            Gic::V2 { .. } => 2,
            Gic::V3 { .. } => 3,
        }
    }
}
