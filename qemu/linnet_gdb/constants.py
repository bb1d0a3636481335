"""The kernel's numbers, read from the kernel ELF: `constants.PAGE_OFFSET`, ...

kernel/src/gdb_constants.rs exports them as one static, LINNET_GDB_CONSTANTS, a struct
of u64 fields named as the constants (Linux generates scripts/gdb/linux/constants.py from
constants.py.in the same way, so the helpers never copy a number by hand). Each field is
read by name through the debug info: a module attribute here is a field there. Bit fields
come as in-place masks (`field` and `shift` below take them apart).

They are read from the ELF file, not from the target (`trust-readonly-sections` for the
read: the static is in .rodata), so they work before the MMU is on and while the CPU is
at EL0, where QEMU's gdb stub cannot read kernel memory. Read once, kept until gdb loads
or drops an object file.
"""
import gdb

SYMBOL = "linnet::gdb_constants::LINNET_GDB_CONSTANTS"

# Numbers the helpers need that the kernel does not name, so they cannot come from it:
# PSTATE.PAN (bit 22) is set by the CPU only; the kernel never names it (aarch64-cpu's
# SPSR_EL1 has no PAN field).
PSTATE_PAN = 1 << 22

_values = None


def _read():
    sym = gdb.lookup_global_symbol(SYMBOL) or gdb.lookup_static_symbol(SYMBOL)
    if sym is None:
        raise gdb.GdbError("no symbol %s: is build/kernel.elf (with kernel/src/gdb_constants.rs) "
                           "loaded?" % SYMBOL)
    trusted = gdb.parameter("trust-readonly-sections")
    gdb.execute("set trust-readonly-sections on", to_string=True)
    try:
        v = sym.value()
        return {f.name: int(v[f.name]) & (2**64 - 1) for f in v.type.strip_typedefs().fields()}
    finally:
        gdb.execute("set trust-readonly-sections %s" % ("on" if trusted else "off"), to_string=True)


def values():
    """{NAME: value} of every exported constant."""
    global _values
    if _values is None:
        _values = _read()
    return _values


def _forget(_event=None):
    global _values
    _values = None


gdb.events.new_objfile.connect(_forget)
gdb.events.clear_objfiles.connect(_forget)


def __getattr__(name):
    """`constants.NAME` for a field of LINNET_GDB_CONSTANTS (PEP 562)."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return values()[name]
    except KeyError:
        raise AttributeError("LINNET_GDB_CONSTANTS has no %s (kernel/src/gdb_constants.rs)"
                             % name) from None


def shift(mask):
    """The position of a field's lowest bit, from its in-place mask."""
    return (mask & -mask).bit_length() - 1


def field(value, mask):
    """The field `mask` (in place) of `value`, shifted down."""
    return (value & mask) >> shift(mask)
