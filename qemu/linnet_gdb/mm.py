"""Address spaces: a task's VMAs as /proc/PID/maps shows them (`vmas`) and its argv
(`cmdline`); Linux scripts/gdb/linux/mm.py and proc.py."""
import gdb

from . import constants as C
from .pgtable import read_user
from .tasks import find_task
from .utils import arc_data, fields, kernel_view, mutex_data, option, parse_args, \
    providers, read_u64, rust_str, rust_string, scalar


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
                        ((C.VM_READ, "r"), (C.VM_WRITE, "w"), (C.VM_EXEC, "x")))
        perms += "s" if flags & C.VM_MAYSHARE else "p"
        special = option(vma["vm_special"]) if "vm_special" in fields(vma) else None
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
            names = fields(obj) if obj is not None else []
            pgoff = int(vma["vm_pgoff"]) << C.PAGE_SHIFT
            name = rust_string(obj["path"]) if "path" in names else "?"
            ino = scalar(obj["ino"]) if "ino" in names else 0
        line = "%08x-%08x %s %08x 00:00 %d " % (start, end, perms, pgoff, ino)
        yield line.ljust(C.MAPS_NAME_WIDTH) + " " + name if name else line


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
                if "mm" in fields(bprm):
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


Vmas()
Cmdline()
