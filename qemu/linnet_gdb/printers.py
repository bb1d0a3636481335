"""Pretty printers: rustc's (Rust's String, Vec, Arc, BTreeMap shown readably), each
wrapped in a guard, and ByteString for a `&[u8]` that holds text. Registered for the
current program space when this module is loaded."""
import gdb

from .utils import read_bytes, rust_lookup


class GuardedPrinters:
    """rustc's pretty-printer lookup (gdb_lookup.printer), with every printer it returns
    wrapped so that an exception while reading a value prints as <unreadable ...> instead
    of interrupting the command (a backtrace through frames with garbage arguments)."""

    def __init__(self, lookup):
        self.lookup = lookup
        self.name = "rust (guarded)"
        self.enabled = True
        self.subprinters = getattr(lookup, "subprinters", None)

    def __call__(self, valobj):
        try:
            printer = self.lookup(valobj)
        except Exception:  # noqa: BLE001 - any failure means: print it plainly
            return None
        if printer is None:
            return None
        return (GuardedChildren if hasattr(printer, "children") else Guarded)(printer)


class Guarded:
    """One printer, its failures turned into text."""

    def __init__(self, printer):
        self.printer = printer
        if hasattr(printer, "display_hint"):
            self.display_hint = printer.display_hint

    def to_string(self):
        try:
            return self.printer.to_string()
        except Exception as e:  # noqa: BLE001
            return "<unreadable: %s>" % e


class GuardedChildren(Guarded):
    def children(self):
        try:
            for child in self.printer.children():
                yield child
        except Exception as e:  # noqa: BLE001
            yield "<unreadable>", str(e)


class ByteString:
    """A `&[u8]` that holds text -- a path or a name, which Linnet keeps as bytes as
    Linux does -- printed as b"/bin/sh". Other byte slices (data) are left to rustc's
    printer: the lookup returns None unless every byte is printable ASCII."""

    MAX = 256

    def __init__(self, text):
        self.text = text

    def to_string(self):
        return 'b"%s"' % self.text.replace("\\", "\\\\").replace('"', '\\"')

    @staticmethod
    def lookup(v):
        if str(v.type.strip_typedefs()) != "&[u8]":
            return None
        n = int(v["length"])
        if n > ByteString.MAX:
            return None
        data = read_bytes(int(v["data_ptr"]), n) if n else b""
        if not all(32 <= c < 127 for c in data):
            return None
        return ByteString(data.decode())


def register():
    """Make `print` show Rust's values readably, through a guard: an argument of an
    optimized kernel is often garbage (a &str with a length of 2^63), which would
    otherwise stop `bt` with a Python exception."""
    if rust_lookup is None:
        return  # utils said so already
    gdb.current_progspace().pretty_printers.append(GuardedPrinters(ByteString.lookup))
    gdb.current_progspace().pretty_printers.append(GuardedPrinters(rust_lookup.printer))


register()
