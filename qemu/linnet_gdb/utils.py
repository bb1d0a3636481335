"""Reading Rust values and memory from gdb: the helpers every command uses (Linux
scripts/gdb/linux/utils.py). rustc's own gdb helpers (gdb_providers, gdb_lookup, from its
sysroot) are imported here; printers.py registers the printers."""
import glob
import os
import subprocess
import sys
from contextlib import contextmanager

import gdb

from . import ROOT
from . import constants as C


def _load_rust_helpers():
    """Import rustc's gdb helpers (gdb_providers, gdb_lookup) from the pinned toolchain:
    the two modules, or (None, None)."""
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], cwd=ROOT, text=True,
                                 capture_output=True, check=True).stdout.strip()
        dirs = [os.path.join(sysroot, "lib", "rustlib", "etc")]
    except (OSError, subprocess.CalledProcessError):
        dirs = glob.glob(os.path.expanduser("~/.rustup/toolchains/*/lib/rustlib/etc"))
    for d in dirs:
        if os.path.exists(os.path.join(d, "gdb_providers.py")):
            if d not in sys.path:
                sys.path.insert(0, d)
            import gdb_lookup
            import gdb_providers
            return gdb_lookup, gdb_providers
    print("linnet_gdb: rustc's gdb_providers.py not found; tasks and vmas will not work")
    return None, None


rust_lookup, providers = _load_rust_helpers()


# ---- Reading Rust values --------------------------------------------------------------

def fields(v):
    """The field names of a struct value."""
    return [f.name for f in v.type.strip_typedefs().fields()]


def atomic(v):
    """The plain value inside an AtomicI32 / AtomicBool / AtomicPtr."""
    inner = v["v"] if "v" in fields(v) else v["p"]
    return inner["value"]


def mutex_data(m):
    """The data inside a spin::Mutex, and whether it is locked right now.
    spin 0.10: Mutex { inner: SpinMutex { lock: AtomicBool, data: UnsafeCell { value } } }."""
    if "inner" in fields(m) and "data" not in fields(m):
        m = m["inner"]
    return m["data"]["value"], bool(int(atomic(m["lock"])))


def arc_data(a):
    """What an Arc<T> points to: Arc { ptr: NonNull<ArcInner { strong, weak, data }> }."""
    return providers.unwrap_unique_or_non_null(a["ptr"]).dereference()["data"]


def option(v):
    """The payload of Some(x), or None. gdb shows an enum's active variant as its field."""
    return v["Some"]["__0"] if "Some" in fields(v) else None


def scalar(v):
    """The number inside a newtype such as VmFlags(InternalBitFlags(u32))."""
    while v.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
        v = v[v.type.strip_typedefs().fields()[0]]
    return int(v)


def rust_string(s):
    """A Rust String, or a Vec<u8> of text (a path: bytes, as in Linux)."""
    vec = s["vec"] if "vec" in fields(s) else s
    ptr = providers.unwrap_unique_or_non_null(vec["buf"]["inner"]["ptr"])
    n = int(vec["len"])
    return read_bytes(int(ptr), n).decode(errors="replace") if n else ""


def rust_str(s):
    """A Rust &str (data_ptr, length)."""
    n = int(s["length"])
    return read_bytes(int(s["data_ptr"]), n).decode(errors="replace") if n else ""


# ---- Memory, statics, registers -------------------------------------------------------

def read_bytes(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def read_u64(addr):
    return int.from_bytes(read_bytes(addr, 8), "little")


def read_phys_u64(pa):
    """8 bytes of physical memory, read through the kernel's linear map (PAGE_OFFSET + pa).
    Before paging_init builds that map, QEMU's gdb stub is asked for physical access."""
    try:
        return read_u64(C.PAGE_OFFSET + pa)
    except gdb.MemoryError:
        pass
    gdb.execute("maintenance packet Qqemu.PhyMemMode:1", to_string=True)
    try:
        return read_u64(pa)
    finally:
        gdb.execute("maintenance packet Qqemu.PhyMemMode:0", to_string=True)


def kernel_static(name):
    """A kernel static by its full Rust path, whatever language the current frame is in."""
    sym = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError("no symbol %s: is build/kernel.elf loaded?" % name)
    return sym.value()


def register(name):
    """A system register's value, or None if this gdb/QEMU does not show it."""
    try:
        v = gdb.parse_and_eval("$" + name)
        return None if v.type.code == gdb.TYPE_CODE_VOID else int(v) & (2**64 - 1)
    except gdb.error:
        return None


@contextmanager
def kernel_view():
    """Make kernel memory readable while stopped in user space.

    QEMU's gdb stub reads memory with the rights of the CPU's current exception level, so
    stopped at EL0 every kernel page (AP = EL1 only) is unreadable. For the length of the
    helper's reads the CPU is shown to QEMU as being at EL1 (PSTATE.M = EL1h), then PSTATE
    is put back exactly; nothing executes in between."""
    try:
        level = gdb.selected_frame().level()
        cpsr = int(gdb.newest_frame().read_register("cpsr")) & 0xFFFF_FFFF  # 32 bits in gdb
    except (gdb.error, ValueError):
        level, cpsr = 0, None
    at_el0 = cpsr is not None and cpsr & C.PSTATE_M == C.PSTATE_M_EL0T
    if at_el0:
        gdb.newest_frame().select()  # the CPU's own PSTATE, not an unwound copy
        el1 = (cpsr & ~C.PSTATE_M & ~C.PSTATE_PAN) | C.PSTATE_M_EL1H
        gdb.execute("set $cpsr = %d" % el1, to_string=True)
    try:
        yield
    except gdb.MemoryError as e:
        raise gdb.GdbError("%s: is the MMU on yet? The helpers work once start_kernel runs "
                           "(e.g. after `break linnet::mm::kmap::paging_init`)" % e)
    finally:
        if at_el0:
            gdb.execute("set $cpsr = %d" % cpsr, to_string=True)
            frame = gdb.newest_frame()
            for _ in range(level):
                frame = frame.older() or frame
            frame.select()


def parse_args(arg, n):
    """Split a command's arguments and evaluate each as a gdb expression (0x400000, $x0)."""
    if gdb.selected_inferior().pid == 0:
        raise gdb.GdbError("the kernel is not running (connect with `make gdb`, or it has ended)")
    words = gdb.string_to_argv(arg)
    if len(words) > n:
        raise gdb.GdbError("too many arguments; see help")
    return [int(gdb.parse_and_eval(w)) & (2**64 - 1) for w in words] + [None] * (n - len(words))
