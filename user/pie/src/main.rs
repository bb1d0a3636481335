//! pie: a static-PIE program runs at a load bias, and its stored addresses are relocated.
//!
//! Built by `user/pie/build.sh` as ET_DYN linked at 0, with no PT_INTERP. The kernel
//! (`load_elf_binary`, `elf::plan_load`) places it at ELF_ET_DYN_BASE (0xaaaa_aaaa_a000 on
//! Linnet) plus a random page-aligned bias; ulib's `_start` applies the
//! `R_AARCH64_RELATIVE` relocations (`ulib/src/reloc.rs`) before `main`. Checked here: the
//! bias is non-zero (and on Linnet, the image sits at or above ELF_ET_DYN_BASE), the auxv
//! agrees with the program headers in memory and in the file, and every kind of stored
//! address works: a `&str` in a static, an array of references, a vtable, a table of
//! function pointers, plus `.data` and `.bss`.
//!
//! Only scalars go through `{:?}` here: the prebuilt `core` is not position independent,
//! and its Debug builders for tuples and arrays (`PadAdapter`'s vtable) would need a
//! relocation in read-only data, which the linker refuses for a PIE.
//! Syscalls used: openat, read, close, write, exit_group.

#![no_std]
#![no_main]

use core::ffi::{c_char, CStr};
use core::ptr::read_volatile;
use ulib::io::{AT_FDCWD, O_RDONLY};
use ulib::start::{AT_ENTRY, AT_EXECFN, AT_PHDR, AT_PHNUM};
use ulib::{auxv, is_linnet, Tap};

/// Where Linnet puts an ET_DYN program before the random bias (`mm/layout.rs`).
const ELF_ET_DYN_BASE: usize = 0xaaaa_aaaa_a000;
/// The random bias is below 2^18 pages (1 GiB), so the image starts below this.
const ELF_ET_DYN_END: usize = ELF_ET_DYN_BASE + (1 << 30);
const PT_PHDR: u32 = 6;
const ET_DYN: u16 = 3;
const PHDR_SIZE: usize = 56;

// Statics holding addresses: each needs an R_AARCH64_RELATIVE relocation.
static GREETING: &str = "hello from a static PIE";
static ONE: u32 = 1;
static TWO: u32 = 2;
static NUMBERS: [&u32; 2] = [&ONE, &TWO];
static FUNCTIONS: [fn() -> u32; 2] = [three, four];
static SHAPE: &(dyn Shape + Sync) = &Triangle;
// Plain data: .data (initialised) and .bss (zero).
static mut COUNTER: u32 = 41;
static mut ZEROED: [u64; 4] = [0; 4];

trait Shape {
    fn sides(&self) -> u32;
}

struct Triangle;

impl Shape for Triangle {
    fn sides(&self) -> u32 {
        3
    }
}

fn three() -> u32 {
    3
}

fn four() -> u32 {
    4
}

extern "C" {
    /// ulib's entry point (`start.rs`).
    fn _start();
}

/// The load bias, found the way a dynamic linker finds it: AT_PHDR is where the program
/// headers are, and the PT_PHDR entry among them says where the linker put them.
fn load_bias() -> Option<usize> {
    let phdr = auxv(AT_PHDR)? as usize;
    let phnum = auxv(AT_PHNUM)? as usize;
    (0..phnum).find_map(|i| {
        let ph = (phdr + i * PHDR_SIZE) as *const u8;
        // SAFETY: AT_PHDR points at AT_PHNUM program headers the kernel mapped.
        let (ty, vaddr) = unsafe { (*(ph as *const u32), *(ph.add(16) as *const u64)) };
        (ty == PT_PHDR).then(|| phdr - vaddr as usize)
    })
}

/// The first `buf.len()` bytes of this program's file (AT_EXECFN names it).
fn read_own_file(buf: &mut [u8]) -> Option<usize> {
    let name = auxv(AT_EXECFN)?;
    // SAFETY: AT_EXECFN points at the NUL-terminated path on the initial stack.
    let path = unsafe { CStr::from_ptr(name as *const c_char) };
    let fd = ulib::openat(AT_FDCWD, path, O_RDONLY, 0).ok()? as i32;
    let mut got = 0;
    while got < buf.len() {
        match ulib::read(fd, &mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = ulib::close(fd);
    Some(got)
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(12);
    let bias = load_bias().unwrap_or(0);
    let main_addr = main as *const () as usize;
    tap.ok(bias != 0, "the load bias is not zero (PT_PHDR vs AT_PHDR)");
    tap.eq(bias % 4096, 0, "the load bias is page aligned");
    if is_linnet() {
        let placed = (ELF_ET_DYN_BASE..ELF_ET_DYN_END).contains(&bias);
        if !tap.ok(placed, "the image starts in [ELF_ET_DYN_BASE, +1 GiB)") {
            tap.diag(format_args!("  bias {:#x}, main at {:#x}", bias, main_addr));
        }
    } else {
        tap.skip(
            "the image starts in [ELF_ET_DYN_BASE, +1 GiB)",
            "not Linnet",
        );
    }
    tap.ok(main_addr > bias, "main runs inside the biased image");

    // SAFETY: the ELF header is at the start of the first PT_LOAD, i.e. at the bias.
    let e_type = unsafe { read_volatile((bias + 16) as *const u16) };
    tap.eq(e_type, ET_DYN, "the ELF header in memory says ET_DYN");
    let entry = auxv(AT_ENTRY).unwrap_or(0) as usize;
    tap.eq(
        entry,
        _start as *const () as usize,
        "AT_ENTRY is the run-time address of _start",
    );

    // The program headers in memory are the file's, byte for byte.
    let phnum = auxv(AT_PHNUM).unwrap_or(0) as usize;
    let mut file = [0u8; 64 + 16 * PHDR_SIZE];
    let got = read_own_file(&mut file).unwrap_or(0);
    let phoff = u64::from_le_bytes(file[32..40].try_into().unwrap_or([0; 8])) as usize;
    let table = phoff + phnum * PHDR_SIZE;
    let same = got >= table && phnum > 0 && {
        let phdr = auxv(AT_PHDR).unwrap_or(0) as *const u8;
        // SAFETY: AT_PHDR points at AT_PHNUM program headers.
        let mem = unsafe { core::slice::from_raw_parts(phdr, phnum * PHDR_SIZE) };
        mem == &file[phoff..table]
    };
    tap.ok(
        same,
        "AT_PHDR holds the file's program headers (AT_PHNUM of them)",
    );

    // Stored addresses: read through volatile loads, so the compiler cannot fold them.
    // SAFETY: reading initialised statics.
    let greeting: &str = unsafe { read_volatile(&GREETING) };
    tap.eq(
        greeting,
        "hello from a static PIE",
        "a &str stored in a static (relocated)",
    );
    // SAFETY: as above.
    let numbers = unsafe { read_volatile(&NUMBERS) };
    tap.ok(
        *numbers[0] == 1 && *numbers[1] == 2,
        "an array of references (relocated)",
    );
    // SAFETY: as above.
    let (functions, shape) = unsafe { (read_volatile(&FUNCTIONS), read_volatile(&SHAPE)) };
    tap.ok(
        functions[0]() == 3 && functions[1]() == 4 && shape.sides() == 3,
        "function pointers and a vtable (relocated)",
    );
    // SAFETY: single-threaded; nothing else touches these statics.
    let (counter, zeroed) = unsafe {
        let c = &raw mut COUNTER;
        *c += 1;
        let z = &raw mut ZEROED;
        let was_zero = (*z).iter().all(|&w| w == 0);
        (*z)[3] = 7;
        (
            read_volatile(c),
            was_zero && read_volatile(&raw const ZEROED)[3] == 7,
        )
    };
    tap.eq(counter, 42, ".data: a static counter increments");
    tap.ok(zeroed, ".bss: zero at start, and writable");
    tap.done()
}
