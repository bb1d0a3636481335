# qemu/linnet_gdb.py: gdb helper commands for Linnet, sourced by qemu/gdbinit.
#
# What the kernel keeps in memory, shown from gdb without running a line of kernel code
# (Linux has the same idea in scripts/gdb: lx-ps, lx-mounts, ...):
#
#   tasks (lx-tasks)            the pid table TASKS: pid, tgid, parent, state, name, current
#   vmas [PID]                  a task's VMAs, in /proc/PID/maps format
#   ptwalk ADDR [PID]           the page-table walk of ADDR through TTBR0 or TTBR1
#   cmdline [PID]               a process's argv, as /proc/PID/cmdline
#   kbreak NAME                 break on the kernel function with Linux's name (do_wait)
#   esr [VALUE]                 ESR_EL1 decoded as kernel/src/arch/aarch64/esr.rs does
#   linnet-user-symbols on|off  load each exec'd program's symbols automatically
#   linnet-load-user PATH [BIAS]  load one program's symbols by hand
#
# Kernel data is read from gdb's view of memory through the debug info: TASKS is a
# BTreeMap inside a spin::Mutex, walked with the pretty-printer helpers rustc ships in its
# sysroot (lib/rustlib/etc/gdb_providers.py), so no B-tree node layout is copied here.
# Page tables are read through the kernel's linear map of RAM (PAGE_OFFSET + pa).
# The descriptor and ESR wording follows kernel/src/arch/aarch64/{pte,esr}.rs, so a line
# here reads the same as the kernel's own crash report. docs/gdb.md has examples.
import glob
import gzip
import os
import re
import struct
import subprocess
import sys
from contextlib import contextmanager

import gdb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Numbers from kernel/src/mm/layout.rs and arch/aarch64/pte.rs (the one place they are
# decided; these are copies for reading memory).
PAGE_OFFSET = 0xFFFF_8000_0000_0000  # linear map: physical pa is at PAGE_OFFSET + pa
TASK_SIZE = 1 << 48                  # user half: [0, TASK_SIZE), through TTBR0
VA_START = 0xFFFF_0000_0000_0000     # kernel half: [VA_START, 2^64), through TTBR1
MAIR_EL1_VALUE = 0x0000_00FF_440C_0400
TTBR_BADDR = 0x0000_FFFF_FFFF_FFFE   # TTBRn_EL1 bits 47:1: the table; 63:48: the ASID
LEVEL_NAMES = ["pgd", "pud", "pmd", "pte"]


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


def _load_rust_helpers():
    """Import rustc's gdb helpers (gdb_providers, gdb_lookup) from the pinned toolchain."""
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
            # Also makes `print` show Rust's String, Vec, Arc, BTreeMap readably, through
            # a guard: an argument of an optimized kernel is often garbage (a &str with a
            # length of 2^63), which would otherwise stop `bt` with a Python exception.
            gdb.current_progspace().pretty_printers.append(GuardedPrinters(ByteString.lookup))
            gdb.current_progspace().pretty_printers.append(GuardedPrinters(gdb_lookup.printer))
            return gdb_providers
    print("linnet_gdb: rustc's gdb_providers.py not found; tasks and vmas will not work")
    return None


providers = _load_rust_helpers()


# ---- Reading Rust values --------------------------------------------------------------

def _fields(v):
    return [f.name for f in v.type.strip_typedefs().fields()]


def atomic(v):
    """The plain value inside an AtomicI32 / AtomicBool / AtomicPtr."""
    inner = v["v"] if "v" in _fields(v) else v["p"]
    return inner["value"]


def mutex_data(m):
    """The data inside a spin::Mutex, and whether it is locked right now.
    spin 0.10: Mutex { inner: SpinMutex { lock: AtomicBool, data: UnsafeCell { value } } }."""
    if "inner" in _fields(m) and "data" not in _fields(m):
        m = m["inner"]
    return m["data"]["value"], bool(int(atomic(m["lock"])))


def arc_data(a):
    """What an Arc<T> points to: Arc { ptr: NonNull<ArcInner { strong, weak, data }> }."""
    return providers.unwrap_unique_or_non_null(a["ptr"]).dereference()["data"]


def option(v):
    """The payload of Some(x), or None. gdb shows an enum's active variant as its field."""
    return v["Some"]["__0"] if "Some" in _fields(v) else None


def scalar(v):
    """The number inside a newtype such as VmFlags(InternalBitFlags(u32))."""
    while v.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
        v = v[v.type.strip_typedefs().fields()[0]]
    return int(v)


def rust_string(s):
    """A Rust String, or a Vec<u8> of text (a path: bytes, as in Linux)."""
    vec = s["vec"] if "vec" in _fields(s) else s
    ptr = providers.unwrap_unique_or_non_null(vec["buf"]["inner"]["ptr"])
    n = int(vec["len"])
    return read_bytes(int(ptr), n).decode(errors="replace") if n else ""


def rust_str(s):
    """A Rust &str (data_ptr, length)."""
    n = int(s["length"])
    return read_bytes(int(s["data_ptr"]), n).decode(errors="replace") if n else ""


def read_bytes(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def read_u64(addr):
    return int.from_bytes(read_bytes(addr, 8), "little")


def read_phys_u64(pa):
    """8 bytes of physical memory, read through the kernel's linear map (PAGE_OFFSET + pa).
    Before paging_init builds that map, QEMU's gdb stub is asked for physical access."""
    try:
        return read_u64(PAGE_OFFSET + pa)
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
        cpsr = int(gdb.newest_frame().read_register("cpsr")) & 0xFFFF_FFFF
    except (gdb.error, ValueError):
        level, cpsr = 0, None
    at_el0 = cpsr is not None and (cpsr >> 2) & 3 == 0
    if at_el0:
        gdb.newest_frame().select()  # the CPU's own PSTATE, not an unwound copy
        gdb.execute("set $cpsr = %d" % ((cpsr & ~0xF & ~(1 << 22)) | 0b0101), to_string=True)
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


# ---- Tasks ----------------------------------------------------------------------------

STATE_NAMES = {"Running": "R (running)", "Interruptible": "S (sleeping)",
               "Zombie": "Z (zombie)", "Dead": "X (dead)"}


class Task:
    """The fields of one TaskStruct the helpers show."""

    def __init__(self, ts):
        self.addr = int(ts.address)
        self.pid = int(atomic(ts["pid"]))
        self.tgid = int(atomic(ts["tgid"]))
        inner, self.locked = mutex_data(ts["inner"])
        self.state = str(inner["state"]).split("::")[-1]
        self.comm = rust_string(inner["comm"])
        self.parent = int(inner["parent"])
        self.mm = option(inner["mm"])  # Arc<Mutex<MmStruct>>, or None


def current_task_addr():
    """Address of the running TaskStruct (sched::CURRENT holds Arc::into_raw's pointer)."""
    return int(atomic(kernel_static("linnet::task::sched::CURRENT")))


def all_tasks():
    """Every task in the pid table, in pid order, and whether TASKS is locked."""
    table, locked = mutex_data(kernel_static("linnet::task::sched::TASKS"))
    tasks = [Task(arc_data(t)) for _, t in providers.children_of_btree_map(table)]
    return tasks, locked


def find_task(pid):
    """The task with this pid (None = the current task)."""
    cur = current_task_addr()
    if cur == 0:
        raise gdb.GdbError("no current task yet (stopped before sched::init?)")
    if pid is None:
        ts = gdb.Value(cur).cast(gdb.lookup_type("linnet::task::task::TaskStruct").pointer())
        return Task(ts.dereference())
    for t in all_tasks()[0]:
        if t.pid == pid:
            return t
    raise gdb.GdbError("no task with pid %d" % pid)


def parse_args(arg, n):
    """Split a command's arguments and evaluate each as a gdb expression (0x400000, $x0)."""
    if gdb.selected_inferior().pid == 0:
        raise gdb.GdbError("the kernel is not running (connect with `make gdb`, or it has ended)")
    words = gdb.string_to_argv(arg)
    if len(words) > n:
        raise gdb.GdbError("too many arguments; see help")
    return [int(gdb.parse_and_eval(w)) & (2**64 - 1) for w in words] + [None] * (n - len(words))


class Tasks(gdb.Command):
    """List every task: pid, tgid, parent, state, name; * marks the current one.
Walks linnet::task::sched::TASKS, the pid table (Linux's pid hash and task list): a
BTreeMap<Pid, Arc<TaskStruct>> inside a spin::Mutex. TGID is the process (thread group):
threads of one process share it and their mm. STATE is the letter ps shows: R running or
runnable, S sleeping (in wait4, nanosleep, ...), Z zombie (exited, waiting for its parent
to reap it), X dead. TASK is the TaskStruct's address, for
`print *(ADDR as *const linnet::task::task::TaskStruct)`. The idle task (pid 0) is not in
the table; it is listed when it is the one running. Works stopped in kernel or user mode."""

    def __init__(self):
        super().__init__("tasks", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        parse_args(arg, 0)
        with kernel_view():
            cur = current_task_addr()
            tasks, locked = all_tasks()
            if cur and all(t.addr != cur for t in tasks):
                tasks.insert(0, find_task(None))  # the idle task
            header = ("PID", "TGID", "PPID", "STATE", "COMM", "TASK")
            print("  %5s %5s %5s  %-13s %-16s %s" % header)
            for t in tasks:
                mark = "*" if t.addr == cur else " "
                print("%s %5d %5d %5d  %-13s %-16s 0x%x" % (mark, t.pid, t.tgid, t.parent,
                      STATE_NAMES.get(t.state, t.state), t.comm, t.addr))
            if not tasks:
                print("(no tasks yet: stopped before the scheduler started?)")
            if locked:
                print("(TASKS is locked: stopped while the kernel was changing it)")


# ---- VMAs -----------------------------------------------------------------------------

VM_READ, VM_WRITE, VM_EXEC, VM_MAYSHARE = 0x1, 0x2, 0x4, 0x80
MAPS_NAME_WIDTH = 25 + 8 * 6 - 1  # where /proc/PID/maps starts the name column


def vm_file(f):
    """The object behind a VMA's file, an Arc<dyn VmFile>: a fat pointer (data, vtable).
    The vtable starts with drop_in_place::<T>, whose name tells the concrete type T; the
    data sits after ArcInner's two counters, aligned as T (the vtable's third word)."""
    fat = f["ptr"]["pointer"]
    data, vtable = int(fat["pointer"]), int(fat["vtable"])
    func = gdb.block_for_pc(read_u64(vtable))
    name = func.function.name if func is not None and func.function else ""
    if "drop_in_place<" not in name:
        return None
    concrete = gdb.lookup_type(name[name.index("drop_in_place<") + 14:-1])
    align = read_u64(vtable + 16)
    offset = (16 + align - 1) // align * align
    return gdb.Value(data + offset).cast(concrete.pointer()).dereference()


def vma_lines(mm):
    """/proc/PID/maps lines for an MmStruct, by the kernel's own rules: the name as
    fs/proc/task_mmu.rs `maps_text` picks it (a special mapping's name, else [heap] if the
    VMA overlaps [start_brk, brk], else [stack] if it holds start_stack), the line as
    mm/vma.rs `maps_line` writes it (a file VMA shows its path and inode instead)."""
    brk, start_brk = int(mm["brk"]), int(mm["start_brk"])
    start_stack = int(mm["start_stack"])
    for _, vma in providers.children_of_btree_map(mm["vmas"]["map"]):
        start, end = int(vma["vm_start"]), int(vma["vm_end"])
        flags = scalar(vma["vm_flags"])
        perms = "".join(c if flags & bit else "-" for bit, c in
                        ((VM_READ, "r"), (VM_WRITE, "w"), (VM_EXEC, "x")))
        perms += "s" if flags & VM_MAYSHARE else "p"
        special = option(vma["vm_special"]) if "vm_special" in _fields(vma) else None
        if special is not None:  # [vvar], [vdso]: mm/special_mapping.rs
            name = rust_str(special.dereference()["name"])
        elif start <= brk and end >= start_brk:
            name = "[heap]"
        elif start <= start_stack <= end:
            name = "[stack]"
        else:
            name = ""
        file = option(vma["vm_file"])
        pgoff, ino = 0, 0
        if file is not None:
            obj = vm_file(file)
            fields = _fields(obj) if obj is not None else []
            pgoff = int(vma["vm_pgoff"]) << 12
            name = rust_string(obj["path"]) if "path" in fields else "?"
            ino = scalar(obj["ino"]) if "ino" in fields else 0
        line = "%08x-%08x %s %08x 00:00 %d " % (start, end, perms, pgoff, ino)
        yield line.ljust(MAPS_NAME_WIDTH) + " " + name if name else line


def exec_bprm():
    """The LinuxBinprm of an exec in progress on the stack (a frame of linnet::exec with
    a `bprm` argument or local, from the selected frame outwards), or None."""
    frame = gdb.selected_frame()
    while frame is not None:
        func = frame.function()
        if func is not None and func.name.startswith("linnet::exec::"):
            try:
                bprm = frame.read_var("bprm")
                while bprm.type.strip_typedefs().code in (gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_REF):
                    bprm = bprm.dereference()
                if "mm" in _fields(bprm):
                    int(bprm["mm"]["brk"])  # readable, not <optimized out>
                    return bprm
            except (gdb.error, ValueError):
                pass
        frame = frame.older()
    return None


class Vmas(gdb.Command):
    """vmas [PID]: the VMAs of a task (default: the current one), as /proc/PID/maps shows them.
Each line is one VmArea of the task's MmStruct (Linux vm_area_struct), walked from its
VmaList (a BTreeMap keyed by vm_start): start-end, permissions (r/w/x, then p private or
s shared), file offset, device, inode, and name: the file it maps, [vvar]/[vdso] (special
mappings), [heap] (the brk area) or [stack]; the same rules and format as the kernel's
/proc/PID/maps (fs/proc/task_mmu.rs maps_text, mm/vma.rs maps_line). Stopped inside exec
(a frame with a `bprm`), `vmas` without PID shows the new mm being built, bprm->mm;
`vmas PID` still shows the task's current (old) one. A VMA says what may be mapped; pages
arrive on first touch, so compare with `ptwalk ADDR PID` to see what is mapped now."""

    def __init__(self):
        super().__init__("vmas", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        (pid,) = parse_args(arg, 1)
        with kernel_view():
            t = find_task(pid)
            bprm = exec_bprm() if pid is None else None
            if bprm is not None:
                print("pid %d (%s) exec %s: the new mm, bprm->mm (`vmas %d`: the old one):"
                      % (t.pid, t.comm, rust_string(bprm["filename"]), t.pid))
                for line in vma_lines(bprm["mm"]):
                    print(line)
                return
            if t.mm is None:
                print("pid %d (%s) has no mm: the idle task, or it has exited" % (t.pid, t.comm))
                return
            mm, locked = mutex_data(arc_data(t.mm))
            print("pid %d (%s)%s:" % (t.pid, t.comm, " [mm locked]" if locked else ""))
            for line in vma_lines(mm):
                print(line)


# ---- Page tables ----------------------------------------------------------------------

AP_TEXT = {0b00: ("EL1-RW/EL0-none", "EL1 read/write, EL0 no access"),
           0b01: ("EL1-RW/EL0-RW", "EL1 and EL0 read/write"),
           0b10: ("EL1-RO/EL0-none", "EL1 read-only, EL0 no access"),
           0b11: ("EL1-RO/EL0-RO", "EL1 and EL0 read-only")}
SH_TEXT = {0b00: "none", 0b01: "reserved", 0b10: "outer", 0b11: "inner"}
MT_NAMES = ["Device-nGnRnE", "Device-nGnRE", "Device-GRE", "Normal-NC", "Normal"]


def bit(desc, n):
    return (desc >> n) & 1


def mair_meaning(attr):
    """What one MAIR_EL1 attribute byte means (Arm ARM, register MAIR_EL1)."""
    if attr >> 4 == 0:
        return {0x0: "Device-nGnRnE", 0x4: "Device-nGnRE", 0x8: "Device-nGRE",
                0xC: "Device-GRE"}.get(attr, "Device (reserved encoding)")
    kinds = {0x4: "non-cacheable", 0xF: "write-back cacheable"}
    inner, outer = attr & 0xF, attr >> 4
    if inner == outer and inner in kinds:
        return "Normal, " + kinds[inner]
    return "Normal, inner 0x%x outer 0x%x" % (inner, outer)


def describe(desc, level):
    """One descriptor, worded as kernel/src/arch/aarch64/pte.rs `describe` writes it."""
    if not bit(desc, 0):
        return "invalid" if desc == 0 else "invalid raw=0x%x" % desc
    table = bit(desc, 1)
    if level > 3 or (level in (0, 3) and not table):
        return "L%d reserved raw=0x%x" % (level, desc)
    oa = desc & 0x0000_FFFF_FFFF_F000
    if level < 3 and table:
        s = "L%d table next=0x%x" % (level, oa)
        s += "".join(" " + n for b, n in ((59, "PXNTable"), (60, "UXNTable")) if bit(desc, b))
        if (desc >> 61) & 3:
            s += " APTable=%s" % bin((desc >> 61) & 3)
        return s + (" NSTable" if bit(desc, 63) else "")
    s = "L%d %s pa=0x%x" % (level, {1: "block 1G", 2: "block 2M"}.get(level, "page"), oa)
    s += " AF" if bit(desc, 10) else ""
    s += " nG" if bit(desc, 11) else ""
    s += " SH=%s AP=%s" % (SH_TEXT[(desc >> 8) & 3], AP_TEXT[(desc >> 6) & 3][0])
    s += "".join(" " + n for b, n in ((53, "PXN"), (54, "UXN")) if bit(desc, b))
    idx = (desc >> 2) & 7
    s += " attr=" + (MT_NAMES[idx] if idx < len(MT_NAMES) else "#%d" % idx)
    s += "".join(" " + n for b, n in ((52, "CONT"), (51, "DBM"), (5, "NS")) if bit(desc, b))
    return s + (" SW=0x%x" % ((desc >> 55) & 0xF) if (desc >> 55) & 0xF else "")


def explain_leaf(desc, level, mair):
    """The bits of a block or page descriptor, one field at a time, with their meaning."""
    ap, idx = (desc >> 6) & 3, (desc >> 2) & 7
    attr = (mair >> (8 * idx)) & 0xFF
    kind = "page" if level == 3 else "block"
    return [
        "valid=1 type=%d (%s)  AttrIndx=%d -> MAIR_EL1 attr%d 0x%02x: %s"
        % (bit(desc, 1), kind, idx, idx, attr, mair_meaning(attr)),
        "AP=0b%s (%s)  SH=0b%s (%s shareable)  AF=%d (%s)"
        % (format(ap, "02b"), AP_TEXT[ap][1], format((desc >> 8) & 3, "02b"),
           SH_TEXT[(desc >> 8) & 3], bit(desc, 10),
           "accessed" if bit(desc, 10) else "first access faults: access flag fault"),
        "nG=%d (%s)  PXN=%d (EL1 %s execute)  UXN=%d (EL0 %s execute)"
        % (bit(desc, 11), "not global: TLB entry tagged with the ASID" if bit(desc, 11)
           else "global: shared by every address space",
           bit(desc, 53), "may not" if bit(desc, 53) else "may",
           bit(desc, 54), "may not" if bit(desc, 54) else "may"),
    ]


def rights(desc):
    """The access rights a leaf gives, as rwx strings for EL0 and EL1."""
    ap = (desc >> 6) & 3
    el0 = ("r" if ap & 1 else "-") + ("w" if ap == 0b01 else "-") + ("-" if bit(desc, 54) else "x")
    el1 = "r" + ("-" if ap & 2 else "w") + ("-" if bit(desc, 53) else "x")
    return el0, el1


class Ptwalk(gdb.Command):
    """ptwalk ADDR [PID]: walk the page tables for ADDR, printing each level's descriptor.
A user address (below TASK_SIZE, 0x0001000000000000) is translated through TTBR0: the
tables of PID's mm, or of whatever TTBR0_EL1 holds now; a kernel address (from VA_START,
0xffff000000000000) through TTBR1, the kernel's tables. With 4 KiB pages and 48-bit
addresses there are four levels: bits 47:39 of ADDR index the pgd (level 0), 38:30 the pud,
29:21 the pmd, 20:12 the pte table; bits 11:0 are the offset in the page. Each line shows
the entry's index, the table's physical address, the raw descriptor and its meaning, in
the kernel's own words (arch/aarch64/pte.rs): table next=..., block, page pa=..., AF, nG,
SH, AP (who may read and write: EL1 = kernel, EL0 = user), PXN/UXN (who may not execute),
attr (the MAIR_EL1 memory type). The walk stops at the first invalid entry: an access there
takes a translation fault at that level, which is what ESR's DFSC reports."""

    def __init__(self):
        super().__init__("ptwalk", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        va, pid = parse_args(arg, 2)
        if va is None:
            raise gdb.GdbError("usage: ptwalk ADDR [PID]")
        with kernel_view():
            self.walk(va, pid)

    def walk(self, va, pid):
        if TASK_SIZE <= va < VA_START:
            print("0x%016x is in the hole between TASK_SIZE and VA_START: not canonical,"
                  " any access faults (translation fault, level 0)" % va)
            return
        if va >= VA_START:
            root, how = (register("TTBR1_EL1") or 0) & TTBR_BADDR, "TTBR1, kernel half"
        elif pid is not None:
            t = find_task(pid)
            if t.mm is None:
                raise gdb.GdbError("pid %d (%s) has no mm" % (t.pid, t.comm))
            mm, _ = mutex_data(arc_data(t.mm))
            root = int(mm["pgd"]["root"])
            how = "TTBR0, user half, pid %d (%s)" % (t.pid, t.comm)
        else:
            ttbr0 = register("TTBR0_EL1")
            if ttbr0 is None:
                raise gdb.GdbError("TTBR0_EL1 is not visible here; give a PID")
            root = ttbr0 & TTBR_BADDR
            how = "TTBR0, user half, as loaded now, ASID %d" % (ttbr0 >> 48)
        if root == 0:
            raise gdb.GdbError("no table root (MMU not set up yet?)")
        mair = register("MAIR_EL1") or MAIR_EL1_VALUE
        print("page table walk of 0x%016x (%s, root 0x%x):" % (va, how, root))
        table = root
        for level in range(4):
            index = (va >> (12 + 9 * (3 - level))) & 511
            desc = read_phys_u64(table + 8 * index)
            print("  %s[%3d] at 0x%x: 0x%016x %s"
                  % (LEVEL_NAMES[level], index, table, desc, describe(desc, level)))
            valid, is_table = bit(desc, 0), bit(desc, 1)
            if not valid or (level in (0, 3) and not is_table):  # invalid, or reserved
                print("  not mapped: an access takes a translation fault, level %d" % level)
                return
            if level < 3 and is_table:
                table = desc & 0x0000_FFFF_FFFF_F000
                continue
            for line in explain_leaf(desc, level, mair):
                print("      " + line)
            size = 1 << (12 + 9 * (3 - level))
            pa = (desc & 0x0000_FFFF_FFFF_F000 & ~(size - 1)) | (va & (size - 1))
            el0, el1 = rights(desc)
            print("  0x%016x -> phys 0x%x: EL0 %s, EL1 %s" % (va, pa, el0, el1))
            return


def user_va_to_pa(root, va):
    """The physical address a user address maps to in the tables at `root`, or None (the
    same walk as `ptwalk`, without the printing)."""
    table = root
    for level in range(4):
        desc = read_phys_u64(table + 8 * ((va >> (12 + 9 * (3 - level))) & 511))
        if not bit(desc, 0) or (level in (0, 3) and not bit(desc, 1)):
            return None
        if level < 3 and bit(desc, 1):
            table = desc & 0x0000_FFFF_FFFF_F000
            continue
        size = 1 << (12 + 9 * (3 - level))
        return (desc & 0x0000_FFFF_FFFF_F000 & ~(size - 1)) | (va & (size - 1))
    return None


def read_user(root, va, n):
    """n bytes of a process's memory, page by page through its tables and the kernel's
    linear map (so any process, not only the running one); a page not mapped reads as
    nothing more (the bytes so far)."""
    out = b""
    while len(out) < n:
        pa = user_va_to_pa(root, va + len(out))
        if pa is None:
            break
        chunk = min(n - len(out), 4096 - (pa & 4095))
        out += read_bytes(PAGE_OFFSET + pa, chunk)
    return out


class Cmdline(gdb.Command):
    """cmdline [PID]: a process's arguments, as /proc/PID/cmdline holds them (Linux
proc_pid_cmdline_read): the argv strings exec copied to the top of the new stack, between
the MmStruct's arg_start and arg_end, shown space-separated. Default: the current task."""

    def __init__(self):
        super().__init__("cmdline", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        (pid,) = parse_args(arg, 1)
        with kernel_view():
            t = find_task(pid)
            if t.mm is None:
                print("pid %d (%s) has no mm" % (t.pid, t.comm))
                return
            mm, _ = mutex_data(arc_data(t.mm))
            start, end = int(mm["arg_start"]), int(mm["arg_end"])
            raw = read_user(int(mm["pgd"]["root"]), start, end - start)
            args = [a.decode(errors="replace") for a in raw.rstrip(b"\0").split(b"\0")]
            print("pid %d (%s) argc %d: %s" % (t.pid, t.comm, len(args), " ".join(args)))


# ---- ESR_EL1 --------------------------------------------------------------------------

EC_NAMES = {
    0x00: "unknown reason (undefined instruction?)", 0x01: "trapped WFI/WFE",
    0x03: "trapped AArch32 MCR/MRC (CP15)", 0x04: "trapped AArch32 MCRR/MRRC (CP15)",
    0x05: "trapped AArch32 MCR/MRC (CP14)", 0x06: "trapped AArch32 LDC/STC (CP14)",
    0x07: "SIMD/FP access trapped", 0x08: "trapped VMRS (CP10)",
    0x09: "trapped pointer authentication instruction", 0x0C: "trapped AArch32 MRRC (CP14)",
    0x0D: "branch target identification exception", 0x0E: "illegal execution state",
    0x11: "SVC from AArch32", 0x12: "HVC from AArch32", 0x13: "SMC from AArch32",
    0x15: "SVC from AArch64", 0x16: "HVC from AArch64", 0x17: "SMC from AArch64",
    0x18: "trapped MSR/MRS/system instruction", 0x19: "SVE access trapped",
    0x1A: "trapped ERET", 0x1C: "pointer authentication failure", 0x1D: "SME access trapped",
    0x1F: "IMPLEMENTATION DEFINED exception", 0x20: "instruction abort (lower EL)",
    0x21: "instruction abort (same EL)", 0x22: "PC alignment fault",
    0x24: "data abort (lower EL)", 0x25: "data abort (same EL)", 0x26: "SP alignment fault",
    0x27: "memory operation exception", 0x28: "floating-point exception (AArch32)",
    0x2C: "floating-point exception (AArch64)", 0x2F: "SError interrupt",
    0x30: "breakpoint (lower EL)", 0x31: "breakpoint (same EL)",
    0x32: "software step (lower EL)", 0x33: "software step (same EL)",
    0x34: "watchpoint (lower EL)", 0x35: "watchpoint (same EL)", 0x38: "BKPT from AArch32",
    0x3A: "vector catch (AArch32)", 0x3C: "BRK",
}


def decode_fsc(fsc):
    """DFSC/IFSC -> (kind, level or None), as esr.rs `decode_fsc`."""
    ranged = {0x00: "address size fault", 0x04: "translation fault",
              0x08: "access flag fault", 0x0C: "permission fault",
              0x14: "synchronous external abort on table walk",
              0x1C: "synchronous parity/ECC error on table walk"}
    single = {0x10: "synchronous external abort", 0x11: "synchronous tag check fault",
              0x18: "synchronous parity/ECC error", 0x21: "alignment fault",
              0x30: "TLB conflict abort", 0x31: "unsupported atomic hardware update fault",
              0x34: "IMPLEMENTATION DEFINED fault (lockdown)",
              0x35: "IMPLEMENTATION DEFINED fault (exclusive/atomic)"}
    if fsc & 0x3C in ranged and fsc < 0x20:
        return ranged[fsc & 0x3C], fsc & 3
    return single.get(fsc, "unknown fault status code"), None


def esr_line(esr):
    """The one-line report, exactly as esr.rs `impl Display for Esr` writes it."""
    ec, iss = (esr >> 26) & 0x3F, esr & 0x1FF_FFFF
    s = "ESR 0x%08x: EC 0x%02x %s" % (esr, ec, EC_NAMES.get(ec, "reserved exception class"))
    data, inst = ec in (0x24, 0x25), ec in (0x20, 0x21)
    if data or inst:
        kind, level = decode_fsc(iss & 0x3F)
        s += "; " + kind + (" 0x%02x" % (iss & 0x3F) if kind.startswith("unknown") else "")
        s += ", level %d" % level if level is not None else ""
        if data:
            s += "; write" if iss & 0x40 else "; read"
            if iss & (1 << 24):
                s += " of %d bytes via x%d" % (1 << ((iss >> 22) & 3), (iss >> 16) & 0x1F)
            s += "; cache maintenance" if iss & 0x100 else ""
        s += "; on stage-1 table walk" if iss & 0x80 else ""
        s += "; FAR not valid" if iss & 0x400 else ""
    elif ec in (0x15, 0x16, 0x17):
        s += ", imm16 0x%x" % (iss & 0xFFFF)
    elif ec == 0x3C:
        s += ", comment 0x%x" % (iss & 0xFFFF)
    elif ec == 0x01:
        s += ", WFE" if iss & 1 else ", WFI"
    elif ec == 0x18:
        reg = "S%d_%d_C%d_C%d_%d" % ((iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 0xF,
                                     (iss >> 1) & 0xF, (iss >> 17) & 7)
        rt = (iss >> 5) & 0x1F
        s += ", mrs x%d, %s" % (rt, reg) if iss & 1 else ", msr %s, x%d" % (reg, rt)
    elif iss:
        s += ", ISS 0x%x" % iss
    iss2 = (esr >> 32) & 0x1F
    return s + ("; ISS2 0x%x" % iss2 if iss2 else "")


def esr_fields(esr):
    """The fields behind the one-line report, with their bit positions."""
    ec, iss = (esr >> 26) & 0x3F, esr & 0x1FF_FFFF
    il = (esr >> 25) & 1
    out = ["EC   bits 31:26 = 0x%02x  exception class: %s" % (ec, EC_NAMES.get(ec, "reserved")),
           "IL   bit  25    = %d     %s" % (il, "32-bit instruction" if il else "16-bit instruction"),
           "ISS  bits 24:0  = 0x%07x  syndrome; its layout depends on EC" % iss]
    if ec not in (0x20, 0x21, 0x24, 0x25):
        return out
    kind, level = decode_fsc(iss & 0x3F)
    where = ", at level %d of the walk" % level if level is not None else ""
    out.append("  FSC  bits 5:0 = 0x%02x  %s%s" % (iss & 0x3F, kind, where))
    flags = [("FnV  bit 10  ", 10, "FAR_EL1 is not valid", "FAR_EL1 holds the faulting address")]
    if ec in (0x24, 0x25):  # only data aborts have these
        flags = [("WnR  bit 6   ", 6, "write", "read"),
                 ("CM   bit 8   ", 8, "cache maintenance instruction", "not cache maintenance"),
                 ("ISV  bit 24  ", 24, "access size and register valid", "no instruction syndrome"),
                 ] + flags
    for name, n, set_text, clear_text in flags:
        value = (iss >> n) & 1
        out.append("  %s = %d     %s" % (name, value, set_text if value else clear_text))
    return out


class Esr(gdb.Command):
    """esr [VALUE]: decode an Exception Syndrome Register value (default: ESR_EL1 now).
When an exception is taken to EL1 the CPU writes ESR_EL1 to say why: EC (bits 31:26) is the
class (SVC = a system call, data/instruction abort = a fault on an address, BRK, ...), IL
(bit 25) the instruction length, ISS (24:0) the details. For an abort the ISS holds the
fault status code (translation fault = nothing mapped, permission fault = mapped but not
allowed, access flag fault; with the table level), WnR (write or read) and FnV (whether
FAR_EL1 holds the faulting address; it is printed too when the value comes from the CPU).
The first line is worded exactly as the kernel's crash report (arch/aarch64/esr.rs)."""

    def __init__(self):
        super().__init__("esr", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        (value,) = parse_args(arg, 1)
        live = value is None
        if live:
            value = register("ESR_EL1")
            if value is None:
                raise gdb.GdbError("ESR_EL1 is not visible in this gdb/QEMU: give a value")
        print(esr_line(value))
        if live and value == 0:
            print("  (ESR_EL1 is 0: no exception has been taken to EL1 yet)")
        for line in esr_fields(value):
            print("  " + line)
        ec = (value >> 26) & 0x3F
        if live and ec in (0x20, 0x21, 0x24, 0x25) and not value & 0x400:
            print("  FAR_EL1 = 0x%016x" % (register("FAR_EL1") or 0))


# ---- Breaking on a Linux name -----------------------------------------------------------

KERNEL_SRC = os.path.join(ROOT, "kernel", "src")


def rust_paths_of(name):
    """The full Rust paths of the kernel functions called `name`, read from kernel/src:
    the file gives the module (kernel/src/exec/stack.rs -> linnet::exec::stack, mod.rs
    -> its folder), an enclosing `mod m {` or `impl Type {` adds m or Type. Methods of
    trait impls are left out (their gdb names are <T as Trait>::f)."""
    found = []
    pattern = re.compile(r"^(\s*)(?:pub(?:\([\w:]+\))? )?(?:const |unsafe |extern \"C\" )*fn %s\b"
                         % re.escape(name))
    opener = re.compile(r"^(\s*)(?:pub(?:\([\w:]+\))? )?(mod (\w+)|impl(?:<[^>]*>)? (\w+)(?:<[^>]*>)?) *\{")
    for folder, _, files in os.walk(KERNEL_SRC):
        for f in sorted(files):
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(folder, f), KERNEL_SRC)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            with open(os.path.join(folder, f), errors="replace") as src:
                lines = src.read().splitlines()
            scopes = []  # (indent, name) of the open mod/impl blocks
            for line in lines:
                indent = len(line) - len(line.lstrip())
                if scopes and line.strip().startswith("}") and indent == scopes[-1][0]:
                    scopes.pop()  # rustfmt closes a block at its opening line's indent
                m = opener.match(line)
                if m and " for " not in line:
                    scopes.append((len(m.group(1)), m.group(3) or m.group(4)))
                    continue
                m = pattern.match(line)
                if m:
                    inner = [n for i, n in scopes if i < len(m.group(1))]
                    found.append("::".join(["linnet"] + rel + inner + [name]))
    return sorted(set(found))


class Kbreak(gdb.Command):
    """kbreak NAME [if COND]: break on the Linnet function with the Linux name NAME
(`kbreak do_wait`, `kbreak load_elf_binary`, `kbreak do_execve`). gdb wants a Rust
function's full path (linnet::task::wait::do_wait); this finds the kernel function called
NAME in kernel/src, keeps the ones gdb has code for (inlined copies count), and sets
`break FULL_PATH`. If several functions share the name, they are listed and none is set:
use `break` with the full path you want. A name with :: in it is passed on as it is."""

    def __init__(self):
        super().__init__("kbreak", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        name, _, rest = arg.strip().partition(" ")
        if not name:
            raise gdb.GdbError("usage: kbreak NAME [if COND]")
        if "::" in name:
            full = [name]
        else:
            full = []
            for path in rust_paths_of(name):
                try:
                    gdb.decode_line(path)
                    full.append(path)
                except gdb.error:
                    pass  # not compiled in (e.g. host-only code, or a cfg'd-out copy)
        if not full:
            raise gdb.GdbError("no kernel function %s in kernel/src (`info functions %s` "
                               "lists names that contain it)" % (name, name))
        if len(full) > 1:
            raise gdb.GdbError("%s is more than one function; break on one of:\n  %s"
                               % (name, "\n  ".join(full)))
        gdb.execute(("break %s %s" % (full[0], rest)).strip(), from_tty)


# ---- User-program symbols -------------------------------------------------------------

_loaded = None  # (file, bias) of the user program whose symbols are loaded


_cpio_cache = {}  # cpio path -> (mtime, members), read again when the archive changes


def cpio_members(data):
    """{path: (mode, bytes)} of a cpio "newc" archive, gzipped or not."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    files, off = {}, 0
    while data[off:off + 6] == b"070701":
        field = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = field[1], field[6], field[11]
        name = data[off + 110:off + 110 + namesize - 1].decode(errors="replace").strip("/")
        start = off + 110 + namesize
        start += -start % 4
        files[name] = (mode, data[start:start + size])
        off = start + size + (-size % 4)
    return files


def loaded_image(elf):
    """What exec maps from an ELF: its entry point and each PT_LOAD segment's address,
    size, flags and bytes. `strip --strip-debug` leaves this unchanged, except the ELF and
    program headers (section table offsets), which a segment may include: those read 0."""
    entry, phoff = struct.unpack_from("<QQ", elf, 0x18)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    headers_end = max(0x40, phoff + phentsize * phnum)
    body = bytes(headers_end) + elf[headers_end:]
    segments = []
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type == 1:  # PT_LOAD
            segments.append((p_vaddr, p_memsz, p_flags, body[p_offset:p_offset + p_filesz]))
    return entry, segments


def kernel_elf():
    """The kernel ELF gdb was started with (build/kernel.elf, or build/debug/kernel.elf
    through build/gdb.elf after `make debug`), symlinks resolved."""
    name = gdb.current_progspace().filename
    return os.path.realpath(name) if name else os.path.join(ROOT, "build", "kernel.elf")


def cpio_file(path, cpio):
    """The bytes of `path` in the cpio archive `cpio` (as qemu/mkinitramfs.py writes
    them), following symlinks such as /init -> /bin/init; with the path it ended at. An
    initramfs newer than the kernel ELF beside it is from a build that failed, not the
    one running (the Makefile writes the cpio, then links the kernel with it inside), so
    it is ignored. Returns (None, path) when the archive or the path is not there."""
    try:
        mtime = os.path.getmtime(cpio)
        elf = os.path.join(os.path.dirname(cpio), "kernel.elf")
        if cpio.endswith("initramfs.cpio") and mtime > os.path.getmtime(elf):
            return None, path
        if _cpio_cache.get(cpio, (None,))[0] != mtime:
            with open(cpio, "rb") as f:
                _cpio_cache[cpio] = (mtime, cpio_members(f.read()))
    except OSError:
        return None, path
    files = _cpio_cache[cpio][1]
    name = path.strip("/")
    for _ in range(8):  # a few symlinks at most
        mode, body = files.get(name, (0, None))
        if body is None or mode & 0o170000 != 0o120000:
            return body, "/" + name
        name = os.path.normpath(os.path.join(os.path.dirname(name), body.decode())).strip("/")
    return None, path


def booted_file(path):
    """(bytes, path after symlinks) of a Linnet path in the first archive that has it:
    the initramfs built into the kernel gdb debugs (beside its ELF: `make build`'s or
    `make debug`'s, made by qemu/initramfs.sh), then the user-land initrd (`make run
    USERLAND=busybox`, qemu/userland.sh), with the /tests/std, /tests/c, ... the first
    one does not have. An INITRD named in the environment comes first: it is the
    root file system the kernel booted with."""
    cpios = [os.path.join(os.path.dirname(kernel_elf()), "initramfs.cpio"),
             os.path.join(ROOT, "build", "userland.cpio")]
    if os.environ.get("INITRD"):  # `make debug INITRD=...` and `make gdb INITRD=...`
        cpios.insert(0, os.path.join(ROOT, os.environ["INITRD"]))
    for cpio in cpios:
        body, real = cpio_file(path, cpio)
        if body is not None:
            return body, real
    return None, path


def build_artefact(path):
    """The user build's file (with debug info) that qemu/initramfs.sh or qemu/userland.sh
    packs at Linnet path `path` (after symlinks), or None. The same rules as the packers:
      /bin/NAME, /sbin/init, /tests/NAME  user/target/aarch64-unknown-none/release/NAME
                                          (a program of user/bin or user/tests)
      /tests/pie                          user/target/pie/aarch64-unknown-none/release/pie
      /bin/rustdemo, /tests/std/NAME      user/target/std/aarch64-unknown-linux-musl/release/NAME
      /tests/c/NAME, /tests/musl/NAME     user/target/c/glibc/NAME, user/target/c/musl/NAME
      /bin/busybox                        Debian's busybox-static (build/debian/...)
    user/target is $CARGO_TARGET_DIR when that is set, as in the packers."""
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "user", "target")
    folder, name = os.path.split(path)
    nostd = os.path.join(target, "aarch64-unknown-none", "release", name)
    std = os.path.join(target, "std", "aarch64-unknown-linux-musl", "release", name)
    rules = {
        "/tests/pie": os.path.join(target, "pie", "aarch64-unknown-none", "release", "pie"),
        "/sbin/init": os.path.join(target, "aarch64-unknown-none", "release", "init"),
        "/bin/rustdemo": std,
        "/bin/busybox": os.path.join(os.environ.get("DEBIAN_PKG_CACHE") or
                                     os.path.join(ROOT, "build", "debian"),
                                     "root", "busybox-static", "bin", "busybox"),
    }
    if path in rules:
        found = rules[path]
    elif folder == "/bin" and os.path.exists(os.path.join(ROOT, "user", "bin", "src", "bin", name + ".rs")):
        found = nostd
    elif folder == "/tests" and os.path.exists(os.path.join(ROOT, "user", "tests", "src", "bin", name + ".rs")):
        found = nostd
    elif folder == "/tests/std":
        found = std
    elif folder in ("/tests/c", "/tests/musl"):
        found = os.path.join(target, "c", "glibc" if folder == "/tests/c" else "musl", name)
    else:
        return None
    return found if os.path.isfile(found) else None


def find_user_elf(name, host_file_ok=False):
    """The host ELF with the symbols of a Linnet program, with a note. `name` is the path
    the kernel exec'd (/bin/sh, /tests/fork_cow), or a bare name (tried as /bin/NAME,
    then /tests/NAME). It is looked up in the archive the kernel booted with, following
    symlinks (/init -> /bin/init), and mapped to the user build's file by the packers'
    rules (`build_artefact`): never to the host's own /bin/sh. The archive holds copies
    without debug info; if the build's file no longer has the same code as the archive's
    copy (rebuilt since `make build`), the copy is what runs: it is used, for its symbols.
    host_file_ok (linnet-load-user only): a relative path to a host ELF is taken as is."""
    if host_file_ok and not name.startswith("/") and "/" in name and os.path.isfile(name):
        return os.path.realpath(name), ""
    paths = [name] if name.startswith("/") else ["/bin/" + name, "/tests/" + name]
    for path in paths:
        booted, real = booted_file(path)
        if booted is not None:
            break
    else:
        booted, real = None, paths[0]
    built = build_artefact(real)
    if booted is None or booted[:4] != b"\x7fELF":
        kernel = kernel_elf()
        if built and os.path.exists(kernel) and os.path.getmtime(built) > os.path.getmtime(kernel):
            return built, " (newer than the kernel ELF: if rebuilt since, symbols may not match)"
        return built, ""
    if built is not None:
        with open(built, "rb") as f:
            if loaded_image(f.read()) == loaded_image(booted):
                return built, ""
    copy = os.path.join(ROOT, "build", "gdb-user", real.strip("/").replace("/", "-"))
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    with open(copy, "wb") as f:
        f.write(booted)
    if built:
        return copy, (" (%s has changed since `make build`; this is the copy in"
                      " the initramfs that runs: symbols, no debug info)"
                      % os.path.relpath(built, ROOT))
    return copy, " (not in the user build; taken from the initramfs: no debug info)"


def load_user_symbols(path, bias, pid=None, force=False, host_file_ok=False):
    """Replace the previous user program's symbols with this one's, shifted by `bias`.
    Files are named by their real path (symlinks resolved), which is the name gdb keeps
    for an objfile, so remove-symbol-file finds the previous one again."""
    global _loaded
    elf, note = find_user_elf(path, host_file_ok)
    who = "" if pid is None else "pid %d exec " % pid
    if elf is None:
        print("linnet: %s%s: not a program of the user build (user/target/...); "
              "its symbols are not loaded" % (who, path))
        return False
    elf = os.path.realpath(elf)
    if _loaded == (elf, bias) and not force:
        return True  # the same program again (each fork_cow child, each sh command)
    if _loaded is not None:
        gdb.execute("remove-symbol-file %s" % _loaded[0], to_string=True)
        _loaded = None
    gdb.execute("add-symbol-file %s -o 0x%x" % (elf, bias), to_string=True)
    _loaded = (elf, bias)
    print("linnet: %s%s: symbols from %s, load bias 0x%x%s"
          % (who, path, os.path.relpath(elf, ROOT), bias, note))
    return True


class ExecHook(gdb.Breakpoint):
    """An internal breakpoint on linnet_gdb_exec_hook(path, len, load_bias, pid), which
    do_execve calls at every successful exec. At the function's first instruction its
    arguments are still in x0..x3 (AAPCS64)."""

    def __init__(self):
        super().__init__("*linnet_gdb_exec_hook", internal=True)
        self.silent = True

    def stop(self):
        try:
            frame = gdb.selected_frame()
            x = [int(frame.read_register("x%d" % i)) & (2**64 - 1) for i in range(4)]
            path = read_bytes(x[0], x[1]).decode(errors="replace")
            load_user_symbols(path, x[2], x[3] & 0xFFFFFFFF)
        except (gdb.error, OSError) as e:
            print("linnet: exec hook: could not load the program's symbols: %s" % e)
        return False  # keep going: the point was only to load the symbols


_hook = None


class UserSymbols(gdb.Command):
    """linnet-user-symbols on|off: load the symbols of each program the kernel execs.
On: a breakpoint on linnet_gdb_exec_hook (called by do_execve at every successful exec
with the program's path and load bias) finds the program's ELF in the user build
(user/target/aarch64-unknown-none/release/NAME), replaces the previous program's symbols
with add-symbol-file -o BIAS, and continues by itself. Also turns on `set breakpoint
pending on`, so `break main` can be set before the program is loaded. All user programs
are linked at 0x400000, so only the last exec'd one has symbols at a time; a breakpoint at a
user address fires in whichever process runs that address. Without an argument: the state."""

    def __init__(self):
        super().__init__("linnet-user-symbols", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        global _hook
        arg = arg.strip()
        if arg == "on" and _hook is None:
            _hook = ExecHook()
            gdb.execute("set breakpoint pending on")
        elif arg == "off" and _hook is not None:
            _hook.delete()
            _hook = None
        elif arg not in ("", "on", "off"):
            raise gdb.GdbError("usage: linnet-user-symbols on|off")
        loaded = "none" if _loaded is None else "%s (bias 0x%x)" % (
            os.path.relpath(_loaded[0], ROOT), _loaded[1])
        print("linnet-user-symbols: %s; loaded: %s" % ("on" if _hook else "off", loaded))


class LoadUser(gdb.Command):
    """linnet-load-user PATH [BIAS]: load one user program's symbols by hand.
PATH is a program's path in Linnet (/tests/fork_cow, /bin/sh), its name (fork_cow), or a
relative path to a host ELF file (user/target/.../NAME); a Linnet path is mapped to the
user build's file the way the initramfs was packed, as the automatic hook does. BIAS is where the
program was placed relative to its link address: 0 for Linnet's static programs (linked
at 0x400000), ELF_ET_DYN_BASE plus the random offset for a static-PIE one (see `vmas`).
The previous user program's symbols are removed first."""

    def __init__(self):
        super().__init__("linnet-load-user", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if not 1 <= len(words) <= 2:
            raise gdb.GdbError("usage: linnet-load-user PATH [BIAS]")
        bias = int(gdb.parse_and_eval(words[1])) if len(words) == 2 else 0
        if not load_user_symbols(words[0], bias, force=True, host_file_ok=True):
            raise gdb.GdbError("no ELF found for %s" % words[0])


Tasks()
Vmas()
Ptwalk()
Cmdline()
Kbreak()
Esr()
UserSymbols()
LoadUser()
gdb.execute("alias lx-tasks = tasks")
