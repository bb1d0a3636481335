#!/usr/bin/env python3
"""qemu/faultprof.py: where an anonymous page fault's time goes, Linnet against Linux.

Boots user/bench's `faultprobe` as /init on Linnet and on Debian's Linux (the kernel
`make bench` uses) in the same QEMU as qemu/run.sh, with the TCG plugin
qemu/plugin/tbcount.c (built here with the host's cc), which counts every guest
instruction executed between the probe's two marker functions. For each window of work
(fault: 4096 first touches; munmap of 16 MiB; getpid x 4096; brk + touch x 1024) it
prints the instructions per operation, user and kernel, the counts of the instruction
classes that are expensive under TCG (TLBI, DSB, ISB, ERET, MSR, DC ZVA), the guest time
per operation, and the kernel functions that executed the most instructions (Linnet's
names from build/kernel.elf, Linux's from its /proc/kallsyms, printed by the probe).

With --time the plugin also charges host time (TSC) to each block, up to the start of
the next one: the third column, which includes what instruction counts miss (QEMU's
softmmu TLB refills, exception entry, helpers) plus the plugin's own per-block cost.
With --plain there is no plugin: only the guest times, from --boots boots of each.
With --perf there is no plugin either: `perf record` samples the QEMU process (host
code: TCG's generated code, which perf cannot name, and QEMU's helpers, which it can:
softmmu TLB refills, exception entry, ...) from the line "PROBE pages" to the end of
the fault window, and `perf report` shows where QEMU spent that time, per kernel.
--prealloc adds QEMU's -mem-prealloc (all guest RAM backed by host memory before boot).

Usage: python3 qemu/faultprof.py [--top N] [--mib M] [--passes N] [--prealloc] [--time | --plain [--boots N] | --perf]
(docs/performance.md shows a run and what it found)
"""
import argparse
import bisect
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the build and the Linux kernel, shared with make bench)

ROOT = bench.ROOT
OUT = bench.OUT
OPS = {"fault": 4096, "munmap": 1, "getpid": 4096, "brk_touch": 1024}  # fault: --mib * 256
WINDOWS = ["fault", "munmap", "getpid", "brk_touch"]
MIB = 16
PASSES = 0  # --passes: timed passes of map, touch, unmap after the windows (with --plain)
SORT = "dso,sym"
EXTRA = []  # more QEMU options (--prealloc: -mem-prealloc)


def tool(name):
    sysroot = bench.run(["rustc", "--print", "sysroot"]).strip()
    host = [x.split()[1] for x in bench.run(["rustc", "-vV"]).splitlines() if x.startswith("host:")][0]
    return os.path.join(sysroot, "lib", "rustlib", host, "bin", name)


def symbols_nm(elf):
    """Sorted [(addr, name)] of the text symbols of an ELF."""
    out = bench.run([tool("llvm-nm"), "--defined-only", elf])
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) >= 3 and p[1] in "tTW":
            syms.append((int(p[0], 16), p[2]))
    return sorted(syms)


def demangle(names):
    r = subprocess.run([tool("rustfilt")] if os.path.exists(tool("rustfilt")) else ["c++filt"],
                       input="\n".join(names), capture_output=True, text=True)
    return r.stdout.splitlines() if r.returncode == 0 else names


def short(name):
    """A demangled Rust symbol without its hash and the crate name."""
    return re.sub(r"::h[0-9a-f]{16}$", "", name).replace("linnet::", "")


def prepare():
    bench.build()
    user = os.path.join(ROOT, "user")
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(user, "target")
    probe = os.path.join(target, "aarch64-unknown-none", "release", "faultprobe")
    plugin = os.path.join(OUT, "tbcount.so")
    bench.run(["cc", "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-o", plugin,
               os.path.join(ROOT, "qemu", "plugin", "tbcount.c")])
    cpio = os.path.join(OUT, "faultprobe.cpio")
    bench.run([sys.executable, os.path.join(ROOT, "qemu", "mkinitramfs.py"), cpio,
               "dir:/tmp:1777", "dir:/dev:755", "dir:/proc:555", "chardev:/dev/console:600:5:1",
               "file:/init:755:" + probe])
    return probe, plugin, cpio


def boot(name, kernel, cpio, plugin, start, stop, timing):
    """Run the probe under the plugin (none if `plugin` is None); the console lines and
    the plugin's output file."""
    out = os.path.join(OUT, f"tbcount-{name}.txt")
    opts = f"{plugin},start={start:#x},stop={stop:#x},out={out},time={int(timing)}"
    # qemu/run.sh's command line, plus the plugin.
    cmd = ["qemu-system-aarch64", "-M", "virt,gic-version=2", "-cpu", "cortex-a72", "-smp", "1",
           "-m", "512M", "-nographic", "-no-reboot", "-kernel", kernel,
           "-append", f"semihosting {bench.APPEND} FAULT_MIB={MIB} FAULT_PASSES={PASSES}", "-semihosting-config", "enable=on,target=native",
           "-initrd", cpio] + (["-plugin", opts] if plugin else []) + EXTRA
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=1200)
    console = r.stdout.decode(errors="replace").splitlines()
    with open(os.path.join(OUT, f"faultprof-{name}.log"), "w") as f:
        f.write("\n".join(line for line in console if not line.startswith("KSYM ")) + "\n")
    if not any(line.startswith("PROBE done") for line in console):
        sys.exit(f"faultprof: {name} did not finish:\n" + "\n".join(console[-20:]))
    return console, out


def perf_boot(name, kernel, cpio):
    """Boot with the probe, no plugin; perf samples QEMU during the fault window; the
    top of `perf report`, by host symbol."""
    data = os.path.join(OUT, f"perf-{name}.data")
    cmd = ["qemu-system-aarch64", "-M", "virt,gic-version=2", "-cpu", "cortex-a72", "-smp", "1",
           "-m", "512M", "-nographic", "-no-reboot", "-kernel", kernel,
           "-append", f"semihosting {bench.APPEND} FAULT_MIB={MIB} FAULT_PERF=1", "-semihosting-config",
           "enable=on,target=native", "-initrd", cpio] + EXTRA
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    perf, probe = None, ""
    for raw in q.stdout:
        line = raw.decode(errors="replace")
        if line.startswith("PROBE pages"):
            perf = subprocess.Popen(["perf", "record", "-q", "-F", "2000", "-p", str(q.pid), "-o", data],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elif line.startswith("PROBE fault") and perf:
            perf.send_signal(2)
            perf.wait()
            probe = line.strip()
    q.wait()
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", SORT,
                          "--percent-limit", "1"], capture_output=True, text=True).stdout
    rows = [x for x in rep.splitlines() if x.strip() and not x.startswith("#")]
    return [f"{name}: {probe}"] + rows


# System registers by their MSR encoding (Arm ARM D17), the ones kernels write.
SYSREGS = {
    "S3_0_C4_C0_0": "SPSR_EL1", "S3_0_C4_C0_1": "ELR_EL1", "S3_0_C4_C1_0": "SP_EL0",
    "S3_3_C13_C0_2": "TPIDR_EL0", "S3_3_C13_C0_3": "TPIDRRO_EL0", "S3_0_C13_C0_4": "TPIDR_EL1",
    "S3_0_C2_C0_0": "TTBR0_EL1", "S3_0_C2_C0_1": "TTBR1_EL1", "S3_0_C2_C0_2": "TCR_EL1",
    "S3_0_C1_C0_0": "SCTLR_EL1", "S3_0_C1_C0_2": "CPACR_EL1", "S3_0_C13_C0_1": "CONTEXTIDR_EL1",
    "S3_0_C12_C0_0": "VBAR_EL1", "S3_3_C4_C2_1": "DAIF", "S3_3_C4_C2_0": "NZCV",
    "S3_3_C14_C2_1": "CNTP_CTL_EL0", "S3_3_C14_C2_2": "CNTP_CVAL_EL0",
    "S3_3_C14_C3_1": "CNTV_CTL_EL0", "S3_3_C14_C3_2": "CNTV_CVAL_EL0",
    "S3_3_C14_C2_0": "CNTP_TVAL_EL0", "S3_3_C14_C3_0": "CNTV_TVAL_EL0", "S3_0_C4_C2_3": "PAN",
    "S3_3_C4_C4_0": "FPCR", "S3_3_C4_C4_1": "FPSR", "S3_0_C4_C1_0_": "SP_EL0",
    "S3_0_C12_C12_1": "ICC_EOIR1_EL1", "S3_0_C4_C6_0": "ICC_PMR_EL1", "S3_4_C4_C1_0": "SP_EL1",
}


def windows(path):
    """[(classes {name: n}, [(vaddr, insns)])] per window of the plugin's file."""
    res, cur = [], None
    for line in open(path):
        p = line.split()
        if p[0] == "window":
            cur = ({}, [])
        elif p[0] == "class":
            cur[0][p[1]] = int(p[2])
        elif p[0] == "msr":
            cur[0]["msr " + SYSREGS.get(p[1], p[1])] = int(p[2])
        elif p[0] == "end":
            res.append(cur)
        else:
            cur[1].append((int(p[0], 16), int(p[1]) * int(p[2]), float(p[3])))
    return res


class Symbols:
    def __init__(self, syms):
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else f"{addr:#x}"


def report(name, console, path, ksyms, top):
    times = {p[1]: p[2] for p in (line.split() for line in console) if len(p) >= 3 and p[0] == "PROBE"}
    lines = []
    for w, (classes, blocks) in zip(WINDOWS, windows(path)):
        ops = OPS[w]
        user = sum(n for a, n, _ in blocks if a < 1 << 48)
        kern = sum(n for a, n, _ in blocks if a >= 1 << 48)
        ns_user = sum(t for a, _, t in blocks if a < 1 << 48)
        ns_kern = sum(t for a, _, t in blocks if a >= 1 << 48)
        per = {}
        for a, n, t in blocks:
            s = ksyms.name(a) if a >= 1 << 48 else "(user)"
            old = per.get(s, (0, 0.0))
            per[s] = (old[0] + n, old[1] + t)
        cls = " ".join(f"{c} {v / ops:.2f}" for c, v in classes.items() if v)
        lines.append(f"{name} {w}: {times.get(w, '?')} ns/op guest time; per op: {kern / ops:.0f} "
                     f"kernel + {user / ops:.0f} user instructions; {cls}")
        if ns_kern:
            lines.append(f"  host ns per op (plugin-inflated): kernel {ns_kern / ops:.0f}, user {ns_user / ops:.0f}")
        key = (lambda kv: -kv[1][1]) if ns_kern else (lambda kv: -kv[1][0])
        ranked = sorted(per.items(), key=key)[:top]
        lines.append("    insns/op   host-ns/op  function" if ns_kern else "    insns/op  function")
        for s, (n, t) in zip(demangle([s for s, _ in ranked]), [v for _, v in ranked]):
            host = f"  {t / ops:11.0f}" if ns_kern else ""
            lines.append(f"    {n / ops:8.1f}{host}  {short(s)}")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--time", action="store_true", help="also host time per block")
    ap.add_argument("--plain", action="store_true", help="no plugin: guest times only")
    ap.add_argument("--perf", action="store_true", help="perf record of QEMU in the fault window")
    ap.add_argument("--passes", type=int, default=0, help="timed passes of map/touch/unmap")
    ap.add_argument("--prealloc", action="store_true",
                    help="QEMU -mem-prealloc: guest RAM backed by the host before boot")
    ap.add_argument("--boots", type=int, default=2, help="with --plain: boots of each kernel")
    ap.add_argument("--mib", type=int, default=16, help="size of the fault window's mapping")
    args = ap.parse_args()
    top = args.top
    global MIB, PASSES
    MIB = args.mib
    PASSES = args.passes
    if args.prealloc:
        EXTRA.append("-mem-prealloc")
    OPS["fault"] = MIB * 256
    probe, plugin, cpio = prepare()
    usyms = dict((n, a) for a, n in symbols_nm(probe))
    start, stop = usyms["probe_mark_start"], usyms["probe_mark_stop"]
    vmlinuz, version = bench.linux_kernel()
    linnet_img = os.path.join(ROOT, "build", "kernel.img")
    if args.perf:
        out = perf_boot("Linnet", linnet_img, cpio) + perf_boot("Linux", vmlinuz, cpio)
        print("\n".join(out))
        return
    if args.plain:
        for i in range(args.boots):
            for name, kernel in (("Linnet", linnet_img), ("Linux", vmlinuz)):
                console, _ = boot(name.lower(), kernel, cpio, None, start, stop, False)
                probes = [line for line in console if line.startswith("PROBE") and "done" not in line]
                print(f"{name} boot {i + 1}: " + "; ".join(p[len("PROBE "):] for p in probes), flush=True)
        return
    out = []
    console, path = boot("linnet", linnet_img, cpio, plugin, start, stop, args.time)
    linnet_syms = Symbols(symbols_nm(os.path.join(ROOT, "build", "kernel.elf")))
    out += report("Linnet", console, path, linnet_syms, top)
    console, path = boot("linux", vmlinuz, cpio, plugin, start, stop, args.time)
    ksyms = sorted((int(p[1], 16), p[3]) for p in (line.split() for line in console)
                   if len(p) >= 4 and p[0] == "KSYM")
    out += report(f"Linux {version}", console, path, Symbols(ksyms), top)
    print("\n".join(out))


if __name__ == "__main__":
    main()
