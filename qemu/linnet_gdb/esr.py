"""ESR_EL1 decoding and the `esr` command, worded as kernel/src/arch/aarch64/esr.rs
writes its crash reports. The field positions and class numbers are esr.rs's ESR_ELX_*
constants, read through constants.py. Written here as numbers, as esr.rs writes them
(literals, no named constant to export): the fault status codes of `decode_fsc`, the
widths of ISS2 (5 bits), SAS (2) and SRT (5), and the SVC/BRK, WFx and MSR/MRS fields of
`fmt_iss`."""
import gdb

from . import constants as C
from .utils import parse_args, register

# esr.rs `Esr::ec_name`, by constant name: the words of its match arms.
EC_TEXT = {
    "ESR_ELX_EC_UNKNOWN": "unknown reason (undefined instruction?)",
    "ESR_ELX_EC_WFX": "trapped WFI/WFE",
    "ESR_ELX_EC_CP15_32": "trapped AArch32 MCR/MRC (CP15)",
    "ESR_ELX_EC_CP15_64": "trapped AArch32 MCRR/MRRC (CP15)",
    "ESR_ELX_EC_CP14_MR": "trapped AArch32 MCR/MRC (CP14)",
    "ESR_ELX_EC_CP14_LS": "trapped AArch32 LDC/STC (CP14)",
    "ESR_ELX_EC_FP_ASIMD": "SIMD/FP access trapped",
    "ESR_ELX_EC_CP10_ID": "trapped VMRS (CP10)",
    "ESR_ELX_EC_PAC": "trapped pointer authentication instruction",
    "ESR_ELX_EC_CP14_64": "trapped AArch32 MRRC (CP14)",
    "ESR_ELX_EC_BTI": "branch target identification exception",
    "ESR_ELX_EC_ILL": "illegal execution state",
    "ESR_ELX_EC_SVC32": "SVC from AArch32",
    "ESR_ELX_EC_HVC32": "HVC from AArch32",
    "ESR_ELX_EC_SMC32": "SMC from AArch32",
    "ESR_ELX_EC_SVC64": "SVC from AArch64",
    "ESR_ELX_EC_HVC64": "HVC from AArch64",
    "ESR_ELX_EC_SMC64": "SMC from AArch64",
    "ESR_ELX_EC_SYS64": "trapped MSR/MRS/system instruction",
    "ESR_ELX_EC_SVE": "SVE access trapped",
    "ESR_ELX_EC_ERET": "trapped ERET",
    "ESR_ELX_EC_FPAC": "pointer authentication failure",
    "ESR_ELX_EC_SME": "SME access trapped",
    "ESR_ELX_EC_IMP_DEF": "IMPLEMENTATION DEFINED exception",
    "ESR_ELX_EC_IABT_LOW": "instruction abort (lower EL)",
    "ESR_ELX_EC_IABT_CUR": "instruction abort (same EL)",
    "ESR_ELX_EC_PC_ALIGN": "PC alignment fault",
    "ESR_ELX_EC_DABT_LOW": "data abort (lower EL)",
    "ESR_ELX_EC_DABT_CUR": "data abort (same EL)",
    "ESR_ELX_EC_SP_ALIGN": "SP alignment fault",
    "ESR_ELX_EC_MOPS": "memory operation exception",
    "ESR_ELX_EC_FP_EXC32": "floating-point exception (AArch32)",
    "ESR_ELX_EC_FP_EXC64": "floating-point exception (AArch64)",
    "ESR_ELX_EC_SERROR": "SError interrupt",
    "ESR_ELX_EC_BREAKPT_LOW": "breakpoint (lower EL)",
    "ESR_ELX_EC_BREAKPT_CUR": "breakpoint (same EL)",
    "ESR_ELX_EC_SOFTSTP_LOW": "software step (lower EL)",
    "ESR_ELX_EC_SOFTSTP_CUR": "software step (same EL)",
    "ESR_ELX_EC_WATCHPT_LOW": "watchpoint (lower EL)",
    "ESR_ELX_EC_WATCHPT_CUR": "watchpoint (same EL)",
    "ESR_ELX_EC_BKPT32": "BKPT from AArch32",
    "ESR_ELX_EC_VECTOR32": "vector catch (AArch32)",
    "ESR_ELX_EC_BRK64": "BRK",
}


def ec_name(ec, unknown="reserved exception class"):
    names = {getattr(C, k): v for k, v in EC_TEXT.items()}
    return names.get(ec, unknown)


def ec_of(esr):
    return (esr >> C.ESR_ELX_EC_SHIFT) & C.ESR_ELX_EC_MASK


def is_abort(ec):
    """A data or instruction abort, from either EL: the classes with a fault status code."""
    return ec in (C.ESR_ELX_EC_IABT_LOW, C.ESR_ELX_EC_IABT_CUR,
                  C.ESR_ELX_EC_DABT_LOW, C.ESR_ELX_EC_DABT_CUR)


def is_data_abort(ec):
    return ec in (C.ESR_ELX_EC_DABT_LOW, C.ESR_ELX_EC_DABT_CUR)


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
    ec, iss = ec_of(esr), esr & C.ESR_ELX_ISS_MASK
    s = "ESR 0x%08x: EC 0x%02x %s" % (esr, ec, ec_name(ec))
    if is_abort(ec):
        fsc = iss & C.ESR_ELX_FSC
        kind, level = decode_fsc(fsc)
        s += "; " + kind + (" 0x%02x" % fsc if kind.startswith("unknown") else "")
        s += ", level %d" % level if level is not None else ""
        if is_data_abort(ec):
            s += "; write" if iss & C.ESR_ELX_WNR else "; read"
            if iss & C.ESR_ELX_ISV:
                s += " of %d bytes via x%d" % (1 << ((iss >> C.ESR_ELX_SAS_SHIFT) & 3),
                                               (iss >> C.ESR_ELX_SRT_SHIFT) & 0x1F)
            s += "; cache maintenance" if iss & C.ESR_ELX_CM else ""
        s += "; on stage-1 table walk" if iss & C.ESR_ELX_S1PTW else ""
        s += "; FAR not valid" if iss & C.ESR_ELX_FNV else ""
    elif ec in (C.ESR_ELX_EC_SVC64, C.ESR_ELX_EC_HVC64, C.ESR_ELX_EC_SMC64):
        s += ", imm16 0x%x" % (iss & 0xFFFF)
    elif ec == C.ESR_ELX_EC_BRK64:
        s += ", comment 0x%x" % (iss & 0xFFFF)
    elif ec == C.ESR_ELX_EC_WFX:
        s += ", WFE" if iss & 1 else ", WFI"
    elif ec == C.ESR_ELX_EC_SYS64:
        # Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, Direction 0.
        reg = "S%d_%d_C%d_C%d_%d" % ((iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 0xF,
                                     (iss >> 1) & 0xF, (iss >> 17) & 7)
        rt = (iss >> 5) & 0x1F
        s += ", mrs x%d, %s" % (rt, reg) if iss & 1 else ", msr %s, x%d" % (reg, rt)
    elif iss:
        s += ", ISS 0x%x" % iss
    iss2 = (esr >> C.ESR_ELX_ISS2_SHIFT) & 0x1F
    return s + ("; ISS2 0x%x" % iss2 if iss2 else "")


def esr_fields(esr):
    """The fields behind the one-line report, with their bit positions."""
    ec, iss = ec_of(esr), esr & C.ESR_ELX_ISS_MASK
    il = 1 if esr & C.ESR_ELX_IL else 0
    out = ["EC   bits 31:26 = 0x%02x  exception class: %s" % (ec, ec_name(ec, "reserved")),
           "IL   bit  25    = %d     %s" % (il, "32-bit instruction" if il else "16-bit instruction"),
           "ISS  bits 24:0  = 0x%07x  syndrome; its layout depends on EC" % iss]
    if not is_abort(ec):
        return out
    kind, level = decode_fsc(iss & C.ESR_ELX_FSC)
    where = ", at level %d of the walk" % level if level is not None else ""
    out.append("  FSC  bits 5:0 = 0x%02x  %s%s" % (iss & C.ESR_ELX_FSC, kind, where))
    flags = [("FnV  bit 10  ", C.ESR_ELX_FNV, "FAR_EL1 is not valid",
              "FAR_EL1 holds the faulting address")]
    if is_data_abort(ec):  # only data aborts have these
        flags = [("WnR  bit 6   ", C.ESR_ELX_WNR, "write", "read"),
                 ("CM   bit 8   ", C.ESR_ELX_CM, "cache maintenance instruction",
                  "not cache maintenance"),
                 ("ISV  bit 24  ", C.ESR_ELX_ISV, "access size and register valid",
                  "no instruction syndrome"),
                 ] + flags
    for name, mask, set_text, clear_text in flags:
        value = 1 if iss & mask else 0
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
        if live and is_abort(ec_of(value)) and not value & C.ESR_ELX_FNV:
            print("  FAR_EL1 = 0x%016x" % (register("FAR_EL1") or 0))


Esr()
