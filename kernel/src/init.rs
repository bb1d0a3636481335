//! `start_kernel`: everything between `head.S` and the first task, in order (Linux
//! `init/main.c`). Each step needs the ones before it; the comments say why.
//!
//! Read next: `mm/kmap.rs` (paging_init), `drivers/` (console, GIC, timer).

use crate::arch::{cpu, trap};
use crate::cmdline::BootArgs;
use crate::drivers::fdt::{self, BootInfo, Region};
use crate::drivers::{gic::Gic, irq, psci, timer};
use crate::fs::file::{FilesStruct, FsStruct};
use crate::fs::vfs;
use crate::mm::{heap, kmap, layout, page_alloc};
use crate::{exec, print, printk, println, random, selftest, task};
use alloc::string::String;
use core::sync::atomic::Ordering;

/// QEMU virt's UART, used only to say that there is no device tree at all.
const QEMU_VIRT_UART: usize = 0x0900_0000;

/// Called by `head.S` with the MMU on, at the kernel's high address, on the boot stack.
/// `dtb_pa` is what QEMU put in x0; `image_pa` where the image was loaded.
#[no_mangle]
pub extern "C" fn start_kernel(dtb_pa: usize, image_pa: usize) -> ! {
    // 1. The device tree, read through the early identity map (TTBR0) at its physical
    //    address. Without it nothing is known, not even where the UART is.
    // SAFETY: the identity map covers the first 512 GiB, which holds RAM and the DTB.
    let Some(dtb_size) = (dtb_pa != 0)
        .then(|| unsafe { fdt::header_total_size(dtb_pa as *const u8) })
        .flatten()
    else {
        no_device_tree(dtb_pa);
    };
    // SAFETY: the header said the blob is dtb_size bytes; QEMU placed it in RAM.
    let dtb = unsafe { core::slice::from_raw_parts(dtb_pa as *const u8, dtb_size) };
    let info = match BootInfo::parse(dtb) {
        Ok(info) => info,
        Err(e) => early_fail(format_args!(
            "device tree at 0x{:x} unusable: {:?}",
            dtb_pa, e
        )),
    };
    // The power-off path first: a panic from here on (paging_init included) must end
    // QEMU with a non-zero status, which needs the conduit and the `semihosting` flag.
    psci::init(
        info.psci,
        crate::cmdline::early_flag(info.bootargs, "semihosting"),
    );

    // 2. The console at the UART's physical address (identity map), so later steps can
    //    report trouble.
    // SAFETY: the device tree names this PL011; the identity map covers it as device memory.
    unsafe { printk::init(info.uart.start) };
    printk::init_logger();

    // 3. Physical memory: all RAM except the image, the device tree and the initrd.
    let mut reserved = [Region::default(); fdt::MAX_RESERVED + 3];
    reserved[0] = Region {
        start: image_pa,
        size: kmap::image_size(),
    };
    reserved[1] = Region {
        start: dtb_pa,
        size: dtb_size,
    };
    reserved[2] = info.initrd.unwrap_or_default();
    let n = 3 + info.reserved().len();
    reserved[3..n].copy_from_slice(info.reserved());
    page_alloc::init(info.ram(), &reserved[..n]);

    // 4. The final kernel page tables (W^X image, linear map, guard page), then the
    //    identity map is gone: from here on physical addresses are reached at PAGE_OFFSET.
    if let Err(e) = kmap::paging_init(image_pa, info.ram(), info.uart) {
        early_fail(format_args!("paging_init failed: {:?}", e));
    }
    // SAFETY: the device tree's frames are reserved and in the linear map.
    let dtb =
        unsafe { core::slice::from_raw_parts(layout::phys_to_virt(dtb_pa) as *const u8, dtb_size) };
    let Ok(info) = BootInfo::parse(dtb) else {
        unreachable!("parsed once already")
    };

    let pan = cpu::enable_pan();

    // 5. The heap: bootargs parsing and everything after it may allocate.
    let ram_bytes: usize = info.ram().iter().map(|r| r.size).sum();
    let heap_bytes = heap::heap_size(ram_bytes);
    if heap::init(heap_bytes).is_none() {
        early_fail(format_args!(
            "no {} KiB for the kernel heap",
            heap_bytes >> 10
        ));
    }
    let args = BootArgs::parse(info.bootargs);
    printk::set_loglevel(args.loglevel);

    banner(&info, image_pa, heap_bytes);
    log::info!(
        "PAN (privileged access never): {}",
        if pan {
            "on"
        } else {
            "not supported by this CPU"
        }
    );
    for w in &args.warnings {
        println!("bootargs: {}", w);
    }

    // 6. Interrupts: the controller, the tick, console input. Only then unmask IRQs.
    let gic = match ioremap_gic(&info) {
        Ok(g) => g,
        Err(e) => early_fail(format_args!("GIC: {}", e)),
    };
    log::info!(
        "GICv{} ready; timer INTID {}, UART INTID {}",
        gic.version(),
        info.timer_irq,
        info.uart_irq
    );
    irq::init(gic, info.timer_irq, info.uart_irq);
    timer::init(args.hz);
    cpu::arch_counter_set_user_access();
    rtc_hctosys(&info);
    printk::enable_input();
    cpu::local_irq_enable();
    log::info!(
        "timer: {} Hz tick from a {} Hz counter",
        args.hz,
        timer::counter_frequency()
    );

    if let Some(test) = args.test.as_deref() {
        selftest::run(test);
    }

    // 7. Per-frame reference counts (copy-on-write needs them), then the root file system
    //    from the initramfs: QEMU's -initrd if given, else the one built into the image.
    if page_alloc::init_mem_map().is_none() {
        early_fail(format_args!("no memory for the page reference counts"));
    }
    if let Err(e) = crate::arch::vdso::vdso_init() {
        early_fail(format_args!("vdso: {}", e));
    }
    let (archive, source) = match info.initrd {
        // SAFETY: QEMU loaded the initrd there; its frames are reserved and linearly mapped.
        Some(r) => (
            unsafe {
                core::slice::from_raw_parts(layout::phys_to_virt(r.start) as *const u8, r.size)
            },
            "-initrd",
        ),
        None => (INITRAMFS, "built-in"),
    };
    if archive.is_empty() {
        println!("No initramfs (build one with 'make', or pass -initrd): nothing to run.");
        echo_forever();
    }
    match vfs::mount_root(archive) {
        Ok(st) => log::info!(
            "initramfs ({}): {} entries, {} files, {} directories",
            source,
            st.entries,
            st.files,
            st.dirs
        ),
        Err(e) => early_fail(format_args!("initramfs ({}) is malformed: {}", source, e)),
    }
    if let Some(r) = info.initrd {
        // Every file is in the page cache now; the archive's frames go back (Linux
        // `free_initrd_mem`). The built-in archive is part of the kernel image and stays.
        let freed = page_alloc::free_reserved_area(r.start, r.end());
        log::info!(
            "Freeing initrd memory: {}K",
            freed * layout::PAGE_SIZE / 1024
        );
    }
    exec::configure(args.tracing("exec"), !args.norandmaps);
    random::stir(dtb_pa as u64);

    // 8. The first tasks: this boot context becomes the idle task (pid 0) and init
    //    (pid 1) starts as a kernel thread that execs the init program (Linux rest_init).
    let root = vfs::root_ino();
    task::sched_init(FsStruct::new(root));
    INIT_ARGS.call_once(|| args);
    if task::spawn_init(kernel_init, 0, FsStruct::new(root), FilesStruct::empty()).is_none() {
        early_fail(format_args!("cannot create init"));
    }
    task::sched::cpu_idle();
}

/// The initramfs built from `user/` by the Makefile (empty in builds without one).
static INITRAMFS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/initramfs.cpio"));
/// Bootargs, for init's argv and envp.
static INIT_ARGS: spin::Once<BootArgs> = spin::Once::new();

/// Pid 1's first code, in the kernel (Linux `kernel_init`): open the console as fds 0, 1
/// and 2, then exec the init program. When this returns, the task leaves for user space
/// through the registers exec prepared.
extern "C" fn kernel_init(_: usize) {
    let Some(args) = INIT_ARGS.get() else { return };
    match vfs::open_console() {
        Ok(console) => {
            let files = task::sched::current().inner.lock().files.clone();
            let mut t = files.lock();
            for _ in 0..3 {
                let _ = t.install(0, console.clone(), false);
            }
        }
        Err(e) => println!("Warning: unable to open an initial console ({})", e),
    }
    let mut argv = alloc::vec![args.init.clone()];
    argv.extend(args.init_args.iter().cloned());
    let mut envp = alloc::vec![String::from("HOME=/"), String::from("TERM=linux")];
    envp.extend(args.init_envs.iter().cloned());
    if let Err(e) = exec::kernel_execve(&args.init, &argv, &envp) {
        // Linux panics here: "Requested init %s failed (error %d)".
        println!(
            "Kernel panic - not syncing: Requested init {} failed (error {})",
            args.init, e
        );
        psci::system_off(1);
    }
}

/// Without an initramfs there is nothing to run: echo console input until QEMU quits.
fn echo_forever() -> ! {
    println!("Type to see console input echoed; Ctrl-A X quits QEMU.");
    loop {
        while let Some(c) = printk::console_getc() {
            let c = if c == b'\r' { b'\n' } else { c };
            print!("{}", c as char);
        }
        cpu::wait_for_interrupt();
    }
}

/// Set the wall clock from the PL031 (Linux `rtc_hctosys`); without one it stays at 1970.
fn rtc_hctosys(info: &BootInfo) {
    let Some(r) = info.rtc else {
        log::warn!("no PL031 real-time clock: CLOCK_REALTIME starts at 1970");
        return;
    };
    match crate::mm::kmap::ioremap(r.start, r.size.max(layout::PAGE_SIZE)) {
        Ok(va) => {
            // SAFETY: `va` maps the PL031 the device tree names.
            let secs = unsafe { crate::drivers::rtc_pl031::read_seconds(va) };
            crate::time::timekeeping_init(secs);
            let tm = crate::time::time64_to_tm(secs);
            log::info!(
                "rtc: PL031 says {:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                tm.year,
                tm.month,
                tm.day,
                tm.hour,
                tm.min,
                tm.sec
            );
        }
        Err(e) => log::warn!("rtc: cannot map the PL031: {:?}", e),
    }
}

fn ioremap_gic(info: &BootInfo) -> Result<Gic, &'static str> {
    let g = info.gic;
    let dist = kmap::ioremap(g.dist.start, 0x10000).map_err(|_| "cannot map the distributor")?;
    match g.version {
        // SAFETY: both frames were just mapped as device memory at these addresses.
        2 => {
            let cpu =
                kmap::ioremap(g.cpu_or_redist.start, 0x10000).map_err(|_| "cannot map GICC")?;
            Ok(unsafe { Gic::new_v2(dist, cpu) })
        }
        3 => {
            let r = kmap::ioremap(g.cpu_or_redist.start, 0x20000).map_err(|_| "cannot map GICR")?;
            // SAFETY: as above (RD_base and SGI_base frames of CPU 0).
            Ok(unsafe { Gic::new_v3(dist, r) })
        }
        _ => Err("unknown GIC version"),
    }
}

/// The boot banner: what Linnet is and where everything sits (docs/layout.md explains each line).
fn banner(info: &BootInfo, image_pa: usize, heap_bytes: usize) {
    println!(
        "Linnet {} (arm64, QEMU virt) booting",
        env!("CARGO_PKG_VERSION")
    );
    println!("Memory layout (48-bit VA, 4 KiB pages, 4 levels):");
    let rows: [(&str, usize, &str); 8] = [
        (
            "TASK_SIZE",
            layout::TASK_SIZE,
            "user space is [0, TASK_SIZE), via TTBR0",
        ),
        (
            "STACK_TOP",
            layout::STACK_TOP,
            "user stack top, before randomization",
        ),
        (
            "mmap_base",
            layout::MMAP_BASE,
            "mmap searches down from here (with norandmaps)",
        ),
        (
            "ELF_ET_DYN_BASE",
            layout::ELF_ET_DYN_BASE,
            "a static-PIE program goes here",
        ),
        (
            "VA_START",
            layout::VA_START,
            "kernel space starts, via TTBR1",
        ),
        ("KIMAGE_VADDR", layout::KIMAGE_VADDR, "the kernel image"),
        (
            "VMALLOC_START",
            layout::VMALLOC_START,
            "kernel stacks and devices",
        ),
        ("PAGE_OFFSET", layout::PAGE_OFFSET, "linear map of all RAM"),
    ];
    for (name, value, what) in rows {
        println!("  {:<16} 0x{:016x}  {}", name, value, what);
    }
    for (name, start, end, _) in kmap::image_sections() {
        println!("  .{:<9}   0x{:016x}-0x{:016x}", name, start, end);
    }
    println!(
        "  image        0x{:016x}-0x{:016x} at phys 0x{:x} ({} KiB)",
        layout::KIMAGE_VADDR,
        layout::KIMAGE_VADDR + kmap::image_size(),
        image_pa,
        kmap::image_size() >> 10
    );
    for r in info.ram() {
        println!(
            "  RAM          0x{:016x}-0x{:016x} ({} MiB)",
            r.start,
            r.end(),
            r.size >> 20
        );
    }
    if let Some(r) = info.initrd {
        println!(
            "  initrd       0x{:016x}-0x{:016x} ({} KiB)",
            r.start,
            r.end(),
            r.size >> 10
        );
    }
    println!(
        "  free frames  {} of {} ({} MiB free), heap {} KiB",
        page_alloc::nr_free_pages(),
        page_alloc::nr_total_pages(),
        (page_alloc::nr_free_pages() * layout::PAGE_SIZE) >> 20,
        heap_bytes >> 10
    );
}

/// x0 was 0 or not a device tree: say what is wrong on QEMU virt's usual UART (through
/// the identity map) and stop.
fn no_device_tree(dtb_pa: usize) -> ! {
    // SAFETY: on QEMU virt a PL011 sits here and the early identity map covers it.
    unsafe { printk::init(QEMU_VIRT_UART) };
    early_fail(format_args!(
        "no device tree in x0 (0x{:x}). QEMU passes one only to a kernel in Linux Image \
         format: boot build/kernel.img, not the ELF.",
        dtb_pa
    ));
}

fn early_fail(why: core::fmt::Arguments) -> ! {
    println!("Linnet: cannot boot: {}", why);
    psci::system_off(1);
}

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    use core::fmt::Write;
    cpu::local_irq_disable();
    let mut w = printk::emergency_writer();
    let _ = writeln!(w, "Kernel panic - not syncing: {}", info.message());
    if let Some(loc) = info.location() {
        let _ = writeln!(w, "  at {}:{}", loc.file(), loc.line());
    }
    if !trap::REPORTED.load(Ordering::Relaxed) {
        let _ = writeln!(w, "Call trace:");
        crate::arch::backtrace::dump_from_here(&mut w);
    }
    let _ = writeln!(w, "---[ end Kernel panic ]---");
    psci::system_off(1);
}
