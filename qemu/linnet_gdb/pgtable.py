"""Page tables: descriptors decoded in the kernel's words, the walk, and `ptwalk`
(Linux scripts/gdb/linux/pgtable.py, lx-pfn_to_page and friends). Bit positions come from
arch/aarch64/pte.rs through constants.py; the wording is pte.rs `describe`'s."""
import gdb

from . import constants as C
from .constants import field
from .tasks import find_task
from .utils import arc_data, kernel_view, mutex_data, parse_args, read_bytes, \
    read_phys_u64, register

LEVEL_NAMES = ["pgd", "pud", "pmd", "pte"]  # Linux's names for levels 0 to 3


def level_shift(level):
    """The lowest address bit a level's index covers: 39, 30, 21, 12 (4 KiB pages, 512
    entries a table, 4 levels)."""
    return C.PAGE_SHIFT + (C.PTRS_PER_TABLE.bit_length() - 1) * (len(LEVEL_NAMES) - 1 - level)


def table_index(va, level):
    return (va >> level_shift(level)) & (C.PTRS_PER_TABLE - 1)


def is_table(desc, level):
    """A valid descriptor at levels 0-2 with TYPE set points to the next table."""
    return level < len(LEVEL_NAMES) - 1 and field(desc, C.PTE_TYPE)


def is_reserved(desc, level):
    """TYPE clear (a block) is reserved at level 0 and at the last level."""
    return level in (0, len(LEVEL_NAMES) - 1) and not field(desc, C.PTE_TYPE)


def ap_text():
    """AP[2:1] value -> (short, long) wording, as pte.rs `describe` and the Arm ARM say it."""
    return {C.PTE_AP_RW_EL1: ("EL1-RW/EL0-none", "EL1 read/write, EL0 no access"),
            C.PTE_AP_RW_EL1_EL0: ("EL1-RW/EL0-RW", "EL1 and EL0 read/write"),
            C.PTE_AP_RO_EL1: ("EL1-RO/EL0-none", "EL1 read-only, EL0 no access"),
            C.PTE_AP_RO_EL1_EL0: ("EL1-RO/EL0-RO", "EL1 and EL0 read-only")}


def sh_text(sh):
    """A shareability value in words (the fourth encoding is reserved: pte.rs names none)."""
    return {C.PTE_SH_NON: "none", C.PTE_SH_OUTER: "outer",
            C.PTE_SH_INNER: "inner"}.get(sh, "reserved")


def mt_name(idx):
    """The name of a MAIR_EL1 attribute index Linnet programs (pte.rs MT_*)."""
    return {C.MT_DEVICE_nGnRnE: "Device-nGnRnE", C.MT_DEVICE_nGnRE: "Device-nGnRE",
            C.MT_DEVICE_GRE: "Device-GRE", C.MT_NORMAL_NC: "Normal-NC",
            C.MT_NORMAL: "Normal"}.get(idx, "#%d" % idx)


def mair_meaning(attr):
    """What one MAIR_EL1 attribute byte means (Arm ARM, register MAIR_EL1). These are the
    architecture's encodings, which the kernel writes only as the number MAIR_EL1_VALUE."""
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
    if not field(desc, C.PTE_VALID):
        return "invalid" if desc == 0 else "invalid raw=0x%x" % desc
    if level > len(LEVEL_NAMES) - 1 or is_reserved(desc, level):
        return "L%d reserved raw=0x%x" % (level, desc)
    oa = desc & C.PTE_OUTPUT_ADDR
    if is_table(desc, level):
        s = "L%d table next=0x%x" % (level, oa)
        s += "".join(" " + n for m, n in ((C.PTE_PXN_TABLE, "PXNTable"),
                                          (C.PTE_UXN_TABLE, "UXNTable")) if desc & m)
        if field(desc, C.PTE_AP_TABLE):
            s += " APTable=%s" % bin(field(desc, C.PTE_AP_TABLE))
        return s + (" NSTable" if desc & C.PTE_NS_TABLE else "")
    s = "L%d %s pa=0x%x" % (level, {1: "block 1G", 2: "block 2M"}.get(level, "page"), oa)
    s += " AF" if desc & C.PTE_AF else ""
    s += " nG" if desc & C.PTE_NG else ""
    s += " SH=%s AP=%s" % (sh_text(field(desc, C.PTE_SH)), ap_text()[field(desc, C.PTE_AP)][0])
    s += "".join(" " + n for m, n in ((C.PTE_PXN, "PXN"), (C.PTE_UXN, "UXN")) if desc & m)
    s += " attr=" + mt_name(field(desc, C.PTE_ATTRINDX))
    s += "".join(" " + n for m, n in ((C.PTE_CONT, "CONT"), (C.PTE_DBM, "DBM"), (C.PTE_NS, "NS"))
                 if desc & m)
    return s + (" SW=0x%x" % field(desc, C.PTE_SW) if field(desc, C.PTE_SW) else "")


def explain_leaf(desc, level, mair):
    """The bits of a block or page descriptor, one field at a time, with their meaning."""
    ap, idx = field(desc, C.PTE_AP), field(desc, C.PTE_ATTRINDX)
    attr = (mair >> (8 * idx)) & 0xFF  # MAIR_EL1: one byte per index (Arm ARM)
    kind = "page" if level == len(LEVEL_NAMES) - 1 else "block"
    sh = field(desc, C.PTE_SH)
    af, ng = field(desc, C.PTE_AF), field(desc, C.PTE_NG)
    pxn, uxn = field(desc, C.PTE_PXN), field(desc, C.PTE_UXN)
    return [
        "valid=1 type=%d (%s)  AttrIndx=%d -> MAIR_EL1 attr%d 0x%02x: %s"
        % (field(desc, C.PTE_TYPE), kind, idx, idx, attr, mair_meaning(attr)),
        "AP=0b%s (%s)  SH=0b%s (%s shareable)  AF=%d (%s)"
        % (format(ap, "02b"), ap_text()[ap][1], format(sh, "02b"), sh_text(sh), af,
           "accessed" if af else "first access faults: access flag fault"),
        "nG=%d (%s)  PXN=%d (EL1 %s execute)  UXN=%d (EL0 %s execute)"
        % (ng, "not global: TLB entry tagged with the ASID" if ng
           else "global: shared by every address space",
           pxn, "may not" if pxn else "may", uxn, "may not" if uxn else "may"),
    ]


def rights(desc):
    """The access rights a leaf gives, as rwx strings for EL0 and EL1."""
    ap = field(desc, C.PTE_AP)
    el0_reads = ap in (C.PTE_AP_RW_EL1_EL0, C.PTE_AP_RO_EL1_EL0)
    el1_writes = ap in (C.PTE_AP_RW_EL1, C.PTE_AP_RW_EL1_EL0)
    el0 = (("r" if el0_reads else "-") + ("w" if ap == C.PTE_AP_RW_EL1_EL0 else "-")
           + ("-" if desc & C.PTE_UXN else "x"))
    el1 = "r" + ("w" if el1_writes else "-") + ("-" if desc & C.PTE_PXN else "x")
    return el0, el1


def leaf_pa(desc, level, va):
    """The physical address `va` reaches through the leaf `desc` at `level`."""
    size = 1 << level_shift(level)
    return (desc & C.PTE_OUTPUT_ADDR & ~(size - 1)) | (va & (size - 1))


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
        if C.TASK_SIZE <= va < C.VA_START:
            print("0x%016x is in the hole between TASK_SIZE and VA_START: not canonical,"
                  " any access faults (translation fault, level 0)" % va)
            return
        if va >= C.VA_START:
            root, how = (register("TTBR1_EL1") or 0) & C.TTBR_BADDR, "TTBR1, kernel half"
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
            root = ttbr0 & C.TTBR_BADDR
            how = "TTBR0, user half, as loaded now, ASID %d" % field(ttbr0, C.TTBR_ASID)
        if root == 0:
            raise gdb.GdbError("no table root (MMU not set up yet?)")
        mair = register("MAIR_EL1") or C.MAIR_EL1_VALUE
        print("page table walk of 0x%016x (%s, root 0x%x):" % (va, how, root))
        table = root
        for level in range(len(LEVEL_NAMES)):
            index = table_index(va, level)
            desc = read_phys_u64(table + 8 * index)
            print("  %s[%3d] at 0x%x: 0x%016x %s"
                  % (LEVEL_NAMES[level], index, table, desc, describe(desc, level)))
            if not field(desc, C.PTE_VALID) or is_reserved(desc, level):
                print("  not mapped: an access takes a translation fault, level %d" % level)
                return
            if is_table(desc, level):
                table = desc & C.PTE_OUTPUT_ADDR
                continue
            for line in explain_leaf(desc, level, mair):
                print("      " + line)
            el0, el1 = rights(desc)
            print("  0x%016x -> phys 0x%x: EL0 %s, EL1 %s" % (va, leaf_pa(desc, level, va), el0, el1))
            return


def user_va_to_pa(root, va):
    """The physical address a user address maps to in the tables at `root`, or None (the
    same walk as `ptwalk`, without the printing)."""
    table = root
    for level in range(len(LEVEL_NAMES)):
        desc = read_phys_u64(table + 8 * table_index(va, level))
        if not field(desc, C.PTE_VALID) or is_reserved(desc, level):
            return None
        if is_table(desc, level):
            table = desc & C.PTE_OUTPUT_ADDR
            continue
        return leaf_pa(desc, level, va)
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
        chunk = min(n - len(out), C.PAGE_SIZE - (pa & (C.PAGE_SIZE - 1)))
        out += read_bytes(C.PAGE_OFFSET + pa, chunk)
    return out


Ptwalk()
