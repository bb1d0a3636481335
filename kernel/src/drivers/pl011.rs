//! The PL011 UART: the console (Linux `drivers/tty/serial/amba-pl011.c`).
//!
//! Output is polled (wait while the transmit FIFO is full); input arrives by interrupt
//! into a small ring buffer that a shell will read later. Registers are declared once with
//! tock-registers, named as in the PL011 Technical Reference Manual (ARM DDI 0183G,
//! section 3.2 "Summary of registers").

use tock_registers::interfaces::{Readable, Writeable};
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};
use tock_registers::{register_bitfields, register_structs};

register_bitfields! [u32,
    /// Data register: the byte in or out.
    DR [ DATA OFFSET(0) NUMBITS(8) [] ],
    /// Flag register (TRM 3.3.3).
    FR [
        /// Transmit FIFO full.
        TXFF OFFSET(5) NUMBITS(1) [],
        /// Receive FIFO empty.
        RXFE OFFSET(4) NUMBITS(1) [],
        /// UART busy transmitting.
        BUSY OFFSET(3) NUMBITS(1) []
    ],
    /// Line control (TRM 3.3.7).
    LCR_H [
        /// Word length.
        WLEN OFFSET(5) NUMBITS(2) [ EightBit = 0b11 ],
        /// FIFOs enabled.
        FEN OFFSET(4) NUMBITS(1) []
    ],
    /// Control register (TRM 3.3.8).
    CR [
        /// Receive enable.
        RXE OFFSET(9) NUMBITS(1) [],
        /// Transmit enable.
        TXE OFFSET(8) NUMBITS(1) [],
        /// UART enable.
        UARTEN OFFSET(0) NUMBITS(1) []
    ],
    /// Interrupt mask set/clear, raw/masked status, clear (TRM 3.3.10-3.3.13).
    INT [
        /// Receive timeout.
        RT OFFSET(6) NUMBITS(1) [],
        /// Receive.
        RX OFFSET(4) NUMBITS(1) []
    ]
];

register_structs! {
    #[allow(non_snake_case)]
    /// The PL011 register block.
    pub Pl011Regs {
        (0x00 => dr: ReadWrite<u32, DR::Register>),
        (0x04 => _reserved0),
        (0x18 => fr: ReadOnly<u32, FR::Register>),
        (0x1c => _reserved1),
        (0x2c => lcr_h: ReadWrite<u32, LCR_H::Register>),
        (0x30 => cr: ReadWrite<u32, CR::Register>),
        (0x34 => _reserved2),
        (0x38 => imsc: ReadWrite<u32, INT::Register>),
        (0x3c => _reserved3),
        (0x44 => icr: WriteOnly<u32, INT::Register>),
        (0x48 => @END),
    }
}

/// Bytes the input ring buffer holds before dropping input.
const RX_BUF: usize = 256;

/// A PL011 at a mapped address.
pub struct Pl011 {
    regs: *const Pl011Regs,
    rx: [u8; RX_BUF],
    rx_head: usize,
    rx_tail: usize,
}

// SAFETY: the UART is only reached through the console's spin lock.
unsafe impl Send for Pl011 {}

impl Pl011 {
    /// A driver for the registers at virtual address `base`.
    ///
    /// # Safety
    /// `base` must map the PL011's registers (device memory) for as long as this lives.
    pub const unsafe fn new(base: usize) -> Self {
        Pl011 {
            regs: base as *const Pl011Regs,
            rx: [0; RX_BUF],
            rx_head: 0,
            rx_tail: 0,
        }
    }

    fn regs(&self) -> &Pl011Regs {
        // SAFETY: `new`'s contract: base maps the registers.
        unsafe { &*self.regs }
    }

    /// Move to a new mapping of the same registers (after `paging_init`).
    ///
    /// # Safety
    /// As for `new`.
    pub unsafe fn rebase(&mut self, base: usize) {
        self.regs = base as *const Pl011Regs;
    }

    /// 8N1 with FIFOs, transmit and receive on. QEMU ignores the baud rate.
    pub fn init(&mut self) {
        let r = self.regs();
        r.cr.set(0);
        r.lcr_h.write(LCR_H::WLEN::EightBit + LCR_H::FEN::SET);
        r.cr.write(CR::UARTEN::SET + CR::TXE::SET + CR::RXE::SET);
    }

    /// Raise the interrupt when input arrives (or sits in the FIFO a while).
    pub fn enable_rx_interrupt(&mut self) {
        self.regs().imsc.write(INT::RX::SET + INT::RT::SET);
    }

    /// Send one byte, waiting for room in the FIFO.
    pub fn putc(&mut self, c: u8) {
        let r = self.regs();
        while r.fr.is_set(FR::TXFF) {
            core::hint::spin_loop();
        }
        r.dr.write(DR::DATA.val(c as u32));
    }

    /// The interrupt handler: move every received byte into the ring buffer.
    ///
    /// The interrupt is acknowledged first, then the FIFO drained, so a byte arriving
    /// after the drain raises it again. (Linux's `pl011_int` never acknowledges RX in
    /// ICR: emptying the FIFO clears it.) Acknowledged after the drain, a byte that came
    /// in between would sit in the FIFO with no interrupt pending, and QEMU raises RX
    /// only when the FIFO goes from empty to one byte: the console would never be read
    /// again (seen as a shell session that stops mid-line).
    pub fn handle_irq(&mut self) {
        self.regs().icr.write(INT::RX::SET + INT::RT::SET);
        while !self.regs().fr.is_set(FR::RXFE) {
            let c = self.regs().dr.read(DR::DATA) as u8;
            let next = (self.rx_head + 1) % RX_BUF;
            if next != self.rx_tail {
                self.rx[self.rx_head] = c;
                self.rx_head = next;
            }
        }
    }

    /// The next received byte, if any.
    pub fn getc(&mut self) -> Option<u8> {
        if self.rx_tail == self.rx_head {
            return None;
        }
        let c = self.rx[self.rx_tail];
        self.rx_tail = (self.rx_tail + 1) % RX_BUF;
        Some(c)
    }
}

impl core::fmt::Write for Pl011 {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            if b == b'\n' {
                self.putc(b'\r');
            }
            self.putc(b);
        }
        Ok(())
    }
}
