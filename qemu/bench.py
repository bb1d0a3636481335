#!/usr/bin/env python3
"""qemu/bench.py: `make bench`, Linnet against Debian's Linux in the same QEMU.

One initramfs (build/bench/bench.cpio, packed with qemu/mkinitramfs.py) holds the
benchmark programs of user/bench: /init is `bench`, which runs every benchmark, prints
`RESULT name value unit` lines and powers off; /bench/tiny and /bench/big are what it
execs. Each round boots Linnet (build/kernel.img) and then Debian's arm64 Linux kernel
(the linux-image package, fetched and cached by qemu/debian-pkg.sh) with that same
initramfs, through the same qemu/run.sh (so the same QEMU, machine, CPU and 512 MiB). The
table shows, per metric, the median of each kernel over the rounds, the ratio
Linnet / Linux (below 1: Linnet is faster) and the min-max of each. Absolute times depend
on the host and its load; only the ratios are meant to be compared, and nothing is judged:
the exit status is 0 whenever both kernels ran every benchmark.

Usage: python3 qemu/bench.py [--rounds N]      (make bench [ROUNDS=N]; default 3)
  LINUX_PKG   the Debian package with the kernel (default: the one Debian's
              `linux-image-arm64` metapackage depends on, so a new Debian kernel
              release never leaves the bench without a package to fetch)
  DEBIAN_PKG_OFFLINE=1   use the cached package only (qemu/debian-pkg.sh)
The last line is `bench: worst ratio R (metric); boot ratio B`. The method and one run's
table: docs/performance.md.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench")
LINUX_PKG = os.environ.get("LINUX_PKG")  # None: ask the metapackage (linux_package)
LINUX_META = "linux-image-arm64"
# Linux's usual QEMU command line for an initramfs; Linnet ignores what it does not know
# (its unknown words go to init, as Linux's do) and runs the archive's /init too.
APPEND = "console=ttyAMA0 quiet nokaslr rdinit=/init panic=-1"
BOOT_TIMEOUT = 600  # seconds; a boot that takes longer is a failure
# Rows that are not a per-operation cost: shown, but not in "worst ratio".
BOOT_ROWS = ("boot_to_init", "boot_host_wall")


def run(cmd, **kw):
    """Run cmd in ROOT; exit with its output when it fails."""
    r = subprocess.run(cmd, cwd=kw.pop("cwd", ROOT), capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


def build():
    """The Linnet kernel, the bench programs and their initramfs; its path."""
    run(["make", "-s", "build"])
    user = os.path.join(ROOT, "user")
    run(["cargo", "build", "--release", "--quiet", "-p", "linnet-user-bench"], cwd=user)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(user, "target")
    release = os.path.join(target, "aarch64-unknown-none", "release")
    sysroot = run(["rustc", "--print", "sysroot"]).strip()
    host = [line.split()[1] for line in run(["rustc", "-vV"]).splitlines() if line.startswith("host:")][0]
    objcopy = os.path.join(sysroot, "lib", "rustlib", host, "bin", "llvm-objcopy")
    os.makedirs(OUT, exist_ok=True)
    stripped = {}
    for name in ("bench", "tiny", "big"):
        stripped[name] = os.path.join(OUT, name)
        run([objcopy, "--strip-debug", os.path.join(release, name), stripped[name]])
    cpio = os.path.join(OUT, "bench.cpio")
    run([sys.executable, os.path.join(ROOT, "qemu", "mkinitramfs.py"), cpio,
         "dir:/tmp:1777", "dir:/dev:755", "dir:/bench:755", "chardev:/dev/console:600:5:1",
         "file:/init:755:" + stripped["bench"], "file:/bench/tiny:755:" + stripped["tiny"],
         "file:/bench/big:755:" + stripped["big"]])
    return cpio


def linux_package():
    """The versioned kernel package: LINUX_PKG, or what Debian's metapackage depends on
    today (its Depends field names e.g. linux-image-6.1.0-57-arm64)."""
    if LINUX_PKG:
        return LINUX_PKG
    run(["bash", os.path.join(ROOT, "qemu", "debian-pkg.sh"), LINUX_META])
    debs = sorted(glob.glob(os.path.join(ROOT, "build", "debian", "debs", LINUX_META + "_*_arm64.deb")),
                  key=os.path.getmtime)
    if not debs:
        sys.exit(f"bench: {LINUX_META} was not downloaded (qemu/debian-pkg.sh)")
    depends = run(["dpkg-deb", "-f", debs[-1], "Depends"])
    names = [d.split()[0] for d in depends.split(",") if d.strip().startswith("linux-image-")]
    if not names:
        sys.exit(f"bench: {LINUX_META} depends on no linux-image package: {depends.strip()}")
    return names[0]


def linux_kernel():
    """Debian's kernel image (fetched once, then cached), its package and version."""
    pkg = linux_package()
    out = run(["bash", os.path.join(ROOT, "qemu", "debian-pkg.sh"), pkg]).split()
    version = out[1] if len(out) > 1 else "?"
    images = glob.glob(os.path.join(ROOT, "build", "debian", "root", pkg, "boot", "vmlinuz-*"))
    if not images:
        sys.exit(f"bench: no boot/vmlinuz-* in {pkg}")
    return images[0], pkg, version


def boot(kernel, cpio):
    """Boot `kernel` with the bench initramfs; {metric: (value, unit)}, uname line, log."""
    env = dict(os.environ, KERNEL=kernel, INITRD=cpio, APPEND=APPEND, MEM="512M", GIC="2",
               CPU="cortex-a72", EL2="0", GDB="0")
    start = time.monotonic()
    proc = subprocess.Popen(["bash", os.path.join(ROOT, "qemu", "run.sh")], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    timer = threading.Timer(BOOT_TIMEOUT, proc.kill)
    timer.start()
    results, uname, log = {}, "?", []
    for raw in proc.stdout:
        line = raw.decode(errors="replace").rstrip("\r\n")
        log.append(line)
        # Host wall time from QEMU's start to /init's first line (includes QEMU's own
        # start-up, e.g. unpacking a gzip-compressed kernel image).
        if "boot_host_wall" not in results and line.startswith("RESULT "):
            results["boot_host_wall"] = ((time.monotonic() - start) * 1000, "ms")
        if line.startswith("RESULT "):
            parts = line.split()
            if len(parts) == 4:
                results[parts[1]] = (float(parts[2]), parts[3])
        elif line.startswith("KERNEL "):
            uname = line[len("KERNEL "):]
    proc.wait()
    timer.cancel()
    if not any(line.startswith("BENCH done") for line in log):
        tail = "\n".join(log[-30:])
        sys.exit(f"bench: {kernel} did not finish the benchmarks (status {proc.returncode}):\n{tail}")
    return results, uname


def fmt(v):
    return f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def table(linnet, linux):
    """The table's lines and (worst ratio, its metric, boot ratio)."""
    names = [n for n in linnet[0] if all(n in r for r in linnet + linux)]
    rows = [("metric", "unit", "Linnet", "Linux", "ratio", "Linnet min-max", "Linux min-max")]
    worst, worst_name, boot_ratio = 0.0, "-", float("nan")
    for n in names:
        a = [r[n][0] for r in linnet]
        b = [r[n][0] for r in linux]
        ma, mb = statistics.median(a), statistics.median(b)
        ratio = ma / mb if mb > 0 else float("inf")
        rows.append((n, linnet[0][n][1], fmt(ma), fmt(mb), f"{ratio:.2f}",
                     f"{fmt(min(a))}-{fmt(max(a))}", f"{fmt(min(b))}-{fmt(max(b))}"))
        if n == "boot_to_init":
            boot_ratio = ratio
        elif n not in BOOT_ROWS and ratio > worst:
            worst, worst_name = ratio, n
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in rows]
    return lines, (worst, worst_name, boot_ratio)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS") or 3))
    rounds = max(1, ap.parse_args().rounds)
    t0 = time.monotonic()
    cpio = build()
    vmlinuz, pkg, version = linux_kernel()
    linnet_img = os.path.join(ROOT, "build", "kernel.img")
    print(f"bench: Linux is Debian's {pkg} {version} ({os.path.relpath(vmlinuz, ROOT)})")
    print(f"bench: {rounds} round(s), each boots Linnet then Linux with {os.path.relpath(cpio, ROOT)}",
          flush=True)
    linnet, linux = [], []
    for i in range(rounds):
        for name, kernel, acc in (("Linnet", linnet_img, linnet), ("Linux", vmlinuz, linux)):
            t = time.monotonic()
            results, uname = boot(kernel, cpio)
            acc.append(results)
            print(f"bench: round {i + 1}: {name} ({uname}) {time.monotonic() - t:.1f} s", flush=True)
    lines, (worst, worst_name, boot_ratio) = table(linnet, linux)
    print("\n".join(lines))
    print("(ratio = Linnet median / Linux median; below 1 Linnet is faster. boot_to_init: the "
          "counter at /init's first line; boot_host_wall: host time from QEMU's start to it)")
    with open(os.path.join(OUT, "last.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"bench: took {time.monotonic() - t0:.0f} s")
    print(f"bench: worst ratio {worst:.2f} ({worst_name}); boot ratio {boot_ratio:.2f}")


if __name__ == "__main__":
    main()
