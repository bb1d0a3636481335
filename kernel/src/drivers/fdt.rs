//! Reading the flattened device tree QEMU passes in `x0` (Linux `drivers/of/fdt.c`,
//! `early_init_dt_scan_memory`, `early_init_dt_scan_chosen`), with the `fdt` crate.
//!
//! `BootInfo::parse` pulls out what Linnet needs and nothing else: RAM banks, reserved
//! ranges, the PL011 UART, the GIC (v2 or v3), the timer's virtual interrupt, PSCI's
//! calling method, `bootargs` and the initrd range. A tree with a bad header, or without
//! memory, UART or GIC, gives an error value that `start_kernel` explains. The tree comes
//! from the firmware (QEMU), not from a user: like Linux, Linnet trusts its inner
//! structure, and the `fdt` crate asserts on a corrupt structure block, which would end
//! the boot with a panic report. Read next: `init.rs`, which calls this first.

/// Most RAM banks Linnet records.
pub const MAX_RAM_BANKS: usize = 8;
/// Most reserved ranges Linnet records.
pub const MAX_RESERVED: usize = 8;

/// A physical address range `[start, start + size)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub start: usize,
    /// Length in bytes.
    pub size: usize,
}

impl Region {
    /// One past the last byte.
    pub fn end(&self) -> usize {
        self.start.saturating_add(self.size)
    }
}

/// Which GIC the machine has and where its register frames are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GicInfo {
    /// 2 or 3.
    pub version: u8,
    /// Distributor (GICD).
    pub dist: Region,
    /// v2: CPU interface (GICC); v3: redistributors (GICR).
    pub cpu_or_redist: Region,
}

/// How PSCI calls are made: `hvc` or `smc` (the `method` property of `/psci`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PsciMethod {
    /// Hypervisor call (QEMU virt without EL2).
    #[default]
    Hvc,
    /// Secure monitor call (QEMU virt with `virtualization=on`).
    Smc,
}

/// What the kernel learns from the device tree.
#[derive(Clone, Copy, Debug, Default)]
pub struct BootInfo<'a> {
    /// RAM banks (`/memory` `reg`).
    pub ram: [Region; MAX_RAM_BANKS],
    /// Number of valid entries in `ram`.
    pub nr_ram: usize,
    /// The memory reservation block plus `/reserved-memory`.
    pub reserved: [Region; MAX_RESERVED],
    /// Number of valid entries in `reserved`.
    pub nr_reserved: usize,
    /// The PL011's registers.
    pub uart: Region,
    /// The PL011's interrupt number (GIC INTID).
    pub uart_irq: u32,
    /// The PL031 real-time clock, when the machine has one.
    pub rtc: Option<Region>,
    /// The interrupt controller.
    pub gic: GicInfo,
    /// The virtual timer's interrupt (GIC INTID of the third `interrupts` entry).
    pub timer_irq: u32,
    /// PSCI conduit.
    pub psci: PsciMethod,
    /// `/chosen/bootargs` (empty when absent).
    pub bootargs: &'a str,
    /// `/chosen/linux,initrd-start` .. `linux,initrd-end`, when QEMU loaded an initrd.
    pub initrd: Option<Region>,
    /// The device tree blob itself (its `totalsize`).
    pub dtb_size: usize,
}

/// Why a device tree could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdtError {
    /// Not a device tree (bad magic) or structurally broken.
    Malformed,
    /// No `/memory` node with a usable `reg`.
    NoMemory,
    /// No PL011 UART.
    NoUart,
    /// No GIC v2 or v3.
    NoGic,
}

/// Decode one `interrupts` specifier of a GIC (`<type number flags>`) into an INTID:
/// SPIs start at 32, PPIs at 16 (Linux `gic_irq_domain_translate`).
fn gic_intid(spec: &[u8]) -> Option<u32> {
    let kind = u32::from_be_bytes(spec.get(0..4)?.try_into().ok()?);
    let num = u32::from_be_bytes(spec.get(4..8)?.try_into().ok()?);
    match kind {
        0 => num.checked_add(32),
        1 => num.checked_add(16),
        _ => None,
    }
}

fn first_reg(node: fdt::node::FdtNode) -> Option<Region> {
    let r = node.reg()?.next()?;
    Some(Region {
        start: r.starting_address as usize,
        size: r.size.unwrap_or(0),
    })
}

impl<'a> BootInfo<'a> {
    /// Parse the blob in `dtb`.
    pub fn parse(dtb: &'a [u8]) -> Result<BootInfo<'a>, FdtError> {
        let fdt = fdt::Fdt::new(dtb).map_err(|_| FdtError::Malformed)?;
        let mut info = BootInfo {
            dtb_size: fdt.total_size(),
            ..Default::default()
        };

        for r in fdt.memory().regions() {
            let size = r.size.unwrap_or(0);
            if size > 0 && info.nr_ram < MAX_RAM_BANKS {
                info.ram[info.nr_ram] = Region {
                    start: r.starting_address as usize,
                    size,
                };
                info.nr_ram += 1;
            }
        }
        if info.nr_ram == 0 {
            return Err(FdtError::NoMemory);
        }
        for r in fdt.memory_reservations() {
            info.add_reserved(Region {
                start: r.address() as usize,
                size: r.size(),
            });
        }
        if let Some(rm) = fdt.find_node("/reserved-memory") {
            for child in rm.children() {
                if let Some(r) = first_reg(child) {
                    info.add_reserved(r);
                }
            }
        }

        let uart = fdt
            .find_compatible(&["arm,pl011"])
            .ok_or(FdtError::NoUart)?;
        info.uart = first_reg(uart).ok_or(FdtError::NoUart)?;
        info.uart_irq = uart
            .property("interrupts")
            .and_then(|p| gic_intid(p.value))
            .ok_or(FdtError::NoUart)?;

        info.rtc = fdt.find_compatible(&["arm,pl031"]).and_then(first_reg);

        if let Some(g) = fdt.find_compatible(&["arm,gic-v3"]) {
            let mut regs = g.reg().ok_or(FdtError::NoGic)?;
            let dist = regs.next().ok_or(FdtError::NoGic)?;
            let redist = regs.next().ok_or(FdtError::NoGic)?;
            info.gic = GicInfo {
                version: 3,
                dist: Region {
                    start: dist.starting_address as usize,
                    size: dist.size.unwrap_or(0),
                },
                cpu_or_redist: Region {
                    start: redist.starting_address as usize,
                    size: redist.size.unwrap_or(0),
                },
            };
        } else if let Some(g) =
            fdt.find_compatible(&["arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic"])
        {
            let mut regs = g.reg().ok_or(FdtError::NoGic)?;
            let dist = regs.next().ok_or(FdtError::NoGic)?;
            let cpu = regs.next().ok_or(FdtError::NoGic)?;
            info.gic = GicInfo {
                version: 2,
                dist: Region {
                    start: dist.starting_address as usize,
                    size: dist.size.unwrap_or(0),
                },
                cpu_or_redist: Region {
                    start: cpu.starting_address as usize,
                    size: cpu.size.unwrap_or(0),
                },
            };
        } else {
            return Err(FdtError::NoGic);
        }

        // The generic timer lists four interrupts: secure phys, non-secure phys, virtual,
        // hypervisor. Linnet uses the virtual timer; QEMU virt gives it PPI 11 (INTID 27).
        info.timer_irq = fdt
            .find_compatible(&["arm,armv8-timer", "arm,armv7-timer"])
            .and_then(|t| t.property("interrupts"))
            .and_then(|p| gic_intid(p.value.get(24..36)?))
            .unwrap_or(27);

        info.psci = match fdt
            .find_compatible(&["arm,psci-1.0", "arm,psci-0.2", "arm,psci"])
            .and_then(|p| p.property("method"))
            .and_then(|m| m.as_str())
        {
            Some("smc") => PsciMethod::Smc,
            _ => PsciMethod::Hvc,
        };

        if let Some(chosen) = fdt.find_node("/chosen") {
            info.bootargs = chosen
                .property("bootargs")
                .and_then(|p| core::str::from_utf8(p.value).ok())
                .map(|s| s.trim_end_matches('\0'))
                .unwrap_or("");
            let start = chosen
                .property("linux,initrd-start")
                .and_then(|p| p.as_usize());
            let end = chosen
                .property("linux,initrd-end")
                .and_then(|p| p.as_usize());
            if let (Some(s), Some(e)) = (start, end) {
                if e > s {
                    info.initrd = Some(Region {
                        start: s,
                        size: e - s,
                    });
                }
            }
        }
        Ok(info)
    }

    fn add_reserved(&mut self, r: Region) {
        if r.size > 0 && self.nr_reserved < MAX_RESERVED {
            self.reserved[self.nr_reserved] = r;
            self.nr_reserved += 1;
        }
    }

    /// The RAM banks.
    pub fn ram(&self) -> &[Region] {
        &self.ram[..self.nr_ram]
    }

    /// The reserved ranges.
    pub fn reserved(&self) -> &[Region] {
        &self.reserved[..self.nr_reserved]
    }
}

/// Read the `totalsize` field of a device tree header at `ptr` without trusting more
/// than the 40-byte header (so the caller can build a slice of the right length).
///
/// # Safety
/// `ptr` must be readable for 40 bytes.
pub unsafe fn header_total_size(ptr: *const u8) -> Option<usize> {
    // SAFETY: the caller guarantees the header is readable.
    let hdr = unsafe { core::slice::from_raw_parts(ptr, 8) };
    let magic = u32::from_be_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
    let size = u32::from_be_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]) as usize;
    (magic == 0xd00d_feed && (40..(64 << 20)).contains(&size)).then_some(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device tree dumped from QEMU 7.2 (`-M virt,dumpdtb=...`, 256 MiB, one
    /// cortex-a72, `-append "init=/bin/sh loglevel=7"`).
    const QEMU_VIRT_DTB: &[u8] = include_bytes!("testdata/qemu-virt.dtb");
    const QEMU_VIRT_GICV3_DTB: &[u8] = include_bytes!("testdata/qemu-virt-gicv3.dtb");

    #[test]
    fn qemu_virt_gicv2() {
        let info = BootInfo::parse(QEMU_VIRT_DTB).expect("parses");
        assert_eq!(
            info.ram(),
            &[Region {
                start: 0x4000_0000,
                size: 256 << 20
            }]
        );
        assert_eq!(
            info.uart,
            Region {
                start: 0x0900_0000,
                size: 0x1000
            }
        );
        assert_eq!(info.uart_irq, 33);
        assert_eq!(
            info.rtc,
            Some(Region {
                start: 0x0901_0000,
                size: 0x1000
            })
        );
        assert_eq!(info.gic.version, 2);
        assert_eq!(info.gic.dist.start, 0x0800_0000);
        assert_eq!(info.gic.cpu_or_redist.start, 0x0801_0000);
        assert_eq!(info.timer_irq, 27);
        assert_eq!(info.psci, PsciMethod::Hvc);
        assert_eq!(info.bootargs, "init=/bin/sh loglevel=7");
        assert_eq!(info.initrd, None);
        assert_eq!(info.dtb_size, QEMU_VIRT_DTB.len());
    }

    #[test]
    fn qemu_virt_gicv3() {
        let info = BootInfo::parse(QEMU_VIRT_GICV3_DTB).expect("parses");
        assert_eq!(info.gic.version, 3);
        assert_eq!(info.gic.dist.start, 0x0800_0000);
        assert_eq!(info.gic.cpu_or_redist.start, 0x080a_0000);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(BootInfo::parse(&[0u8; 64]).err(), Some(FdtError::Malformed));
        let mut truncated = QEMU_VIRT_DTB.to_vec();
        truncated.truncate(100);
        assert!(BootInfo::parse(&truncated).is_err());
    }

    #[test]
    fn header_size() {
        // SAFETY: the test blob is longer than 40 bytes.
        let n = unsafe { header_total_size(QEMU_VIRT_DTB.as_ptr()) };
        assert_eq!(n, Some(QEMU_VIRT_DTB.len()));
        // SAFETY: as above.
        assert_eq!(unsafe { header_total_size([0u8; 40].as_ptr()) }, None);
    }
}
