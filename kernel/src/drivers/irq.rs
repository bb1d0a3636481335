//! Interrupt dispatch (Linux `kernel/irq/`, reduced to a match): acknowledge at the GIC,
//! call the one handler for that INTID, signal end of interrupt.

use crate::drivers::gic::{Gic, SPURIOUS};
use spin::Once;

/// The interrupt controller, set once at boot.
pub static GIC: Once<Gic> = Once::new();
/// INTIDs of the devices Linnet handles.
static IRQS: Once<Irqs> = Once::new();

struct Irqs {
    timer: u32,
    uart: u32,
}

/// Record the controller and the interrupt numbers, and enable them.
pub fn init(gic: Gic, timer: u32, uart: u32) {
    let gic = GIC.call_once(|| gic);
    IRQS.call_once(|| Irqs { timer, uart });
    gic.enable(timer);
    gic.enable(uart);
}

/// Handle every pending interrupt (Linux `gic_handle_irq`); `from_user` says whether
/// user code was interrupted (for CPU time accounting).
pub fn handle_irq(from_user: bool) {
    let (Some(gic), Some(irqs)) = (GIC.get(), IRQS.get()) else {
        return;
    };
    loop {
        let intid = gic.acknowledge();
        if intid >= SPURIOUS {
            return;
        }
        if intid == irqs.timer {
            crate::drivers::timer::timer_interrupt();
            crate::task::sched::scheduler_tick(from_user);
            crate::time::timer_list::run_timers();
        } else if intid == irqs.uart {
            crate::printk::console_irq();
            crate::fs::tty::receive();
        } else {
            log::warn!("irq: unexpected interrupt {}", intid);
        }
        gic.end_of_interrupt(intid);
    }
}
