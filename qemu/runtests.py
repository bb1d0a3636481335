#!/usr/bin/env python3
"""qemu/runtests.py: everything `make test` runs, and its verdict.

Three kinds of test, each printed as TAP-style lines as it goes:
  1. host unit tests: `cargo test -p linnet` on the host (portable kernel modules);
  2. QEMU boots: one boot per row of BOOTS, each with its bootargs, the lines the console
     must show, and the exit status QEMU must end with (semihosting hands it the kernel's
     verdict: 0 after a passing self-test, 1 after a panic);
  3. gdb: a batch gdb session against QEMU's gdb stub, one per row of GDB_SESSIONS.
The last line is "N passed, N failed"; the exit status is 1 if anything failed, timed out
or panicked unexpectedly.

  4. user programs: each test program of user/tests booted as init, its TAP lines
     counted, and the same binary run under qemu-aarch64 (Linux) for the same verdicts.
Adding a QEMU test is one row in BOOTS, a user test one row in USER_TESTS. Run some
groups only with: runtests.py host|qemu|user|gdb ...
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "qemu", "run.sh")
TIMEOUT = 60  # seconds per QEMU boot; a boot normally takes well under one

# (name, environment for qemu/run.sh, expected exit status, lines that must appear
#  (regular expressions), lines that must not appear)
BOOTS = [
    ("banner shows the memory layout", {"APPEND": "test=ticks"}, 0,
     [r"Linnet .* booting",
      r"TASK_SIZE\s+0x0001000000000000",
      r"VA_START\s+0xffff000000000000",
      r"PAGE_OFFSET\s+0xffff800000000000",
      r"image\s+0xffff000008000000-0xffff00000[0-9a-f]{7} at phys 0x40200000",
      r"STACK_TOP\s+0x0001000000000000",
      r"ELF_ET_DYN_BASE\s+0x0000aaaaaaaaa000",
      r"mmap_base\s+0x0000fffff8000000",
      r"RAM\s+0x0000000040000000-0x0000000060000000 \(512 MiB\)",
      r"free frames\s+\d+ of 131072"],
     [r"Kernel panic", r"not ok"]),
    ("timer ticks advance (GICv2, HZ=100)", {"APPEND": "test=ticks"}, 0,
     [r"^ok 1 - timer ticks advance", r"^ok 2 - tick rate matches HZ"], [r"not ok"]),
    ("timer ticks advance (GICv3, HZ=250)", {"GIC": "3", "APPEND": "test=ticks hz=250"}, 0,
     [r"^ok 1 - timer ticks advance: \d+ ticks in \d+ ms at HZ=250", r"^ok 2 -"], [r"not ok"]),
    ("boots from EL2 (virtualization=on, GICv3)", {"EL2": "1", "GIC": "3", "APPEND": "test=ticks"}, 0,
     [r"^ok 1 - timer ticks advance", r"^ok 2 -"], [r"not ok"]),
    ("MEM= knob: 1 GiB of RAM", {"MEM": "1G", "APPEND": "test=ticks"}, 0,
     [r"RAM\s+0x0000000040000000-0x0000000080000000 \(1024 MiB\)", r"of 262144"], [r"not ok"]),
    ("deliberate fault: report names the exception and FAR", {"APPEND": "test=fault"}, 1,
     [r"Internal error: Oops",
      r"ESR 0x96000004: EC 0x25 data abort \(same EL\); translation fault, level 0; read",
      r"FAR\s+0xffff7fffdead0000",
      r"page table walk of 0xffff7fffdead0000 \(TTBR1",
      r"pc : 0x[0-9a-f]+\s+linnet::selftest::fault",
      r"Call trace:",
      r"start_kernel\+0x",
      r"Kernel panic - not syncing: Oops"],
     [r"not ok 1"]),
    ("boot stack overflow caught by the guard page", {"APPEND": "test=stack_overflow"}, 1,
     [r"kernel stack overflow: sp 0x[0-9a-f]+ is in the guard page below the stack",
      r"translation fault, level 3; write",
      r"linnet::selftest::recurse\+0x",
      r"the line above repeats \d+ more times",
      r"Kernel panic - not syncing: kernel stack overflow"],
     [r"not ok 1"]),
    ("vmap kernel stack overflow caught by the guard page", {"APPEND": "test=vmap_stack_overflow"}, 1,
     [r"unbounded recursion on a kernel stack \[0xffff00004",
      r"kernel stack overflow: sp 0xffff00004[0-9a-f]+ is in the guard page",
      r"Kernel panic - not syncing: kernel stack overflow"],
     [r"not ok 1"]),
    ("kernel stacks are freed: free frames return", {"APPEND": "test=kstack"}, 0,
     [r"^ok 1 - 100 kernel stacks", r"^ok 2 - free frames before (\d+) == after \1"], [r"not ok"]),
    ("bad bootargs are reported, not fatal", {"APPEND": "loglevel=abc hz=0 test=ticks"}, 0,
     [r"bootargs: ignoring loglevel=abc", r"bootargs: ignoring hz=0", r"^ok 1 -"], [r"not ok", r"panic"]),
    ("loglevel=8 shows kernel info messages", {"APPEND": "loglevel=8 test=ticks"}, 0,
     [r"\] GICv2 ready; timer INTID 27, UART INTID 33", r"\] timer: 100 Hz tick"], [r"not ok"]),
    ("unknown self-test is reported", {"APPEND": "test=nosuch"}, 1,
     [r"selftest: unknown test 'nosuch'"], []),
    # Without a device tree there are no bootargs, so no semihosting: PSCI's plain off, 0.
    ("an ELF kernel gets no device tree from QEMU, and says so", {"KERNEL": "build/kernel.elf"}, 0,
     [r"no device tree in x0 \(0x0\)\. QEMU passes one only to a kernel in Linux Image format"], []),
]

# User-space test programs (user/tests), each booted as init: (program, arguments).
# Each prints TAP; every "ok"/"not ok" line counts as one test here, and the boot passes
# when init exits 0 after as many lines as its plan ("1..N") promised. Adding a test
# program is one line.
USER_TESTS = [
    ("basics", ""),
    ("fork_cow", ""),
    ("segv", ""),
    ("threads", ""),
    ("frames", ""),
    ("preempt", ""),
]

# (name, extra gdb commands, patterns the gdb output must contain, gdbinit to use)
GDB_SESSIONS = [
    ("gdb: breakpoint in paging_init, backtrace reaches start_kernel",
     ["break linnet::mm::kmap::paging_init", "continue", "bt"],
     [r"Breakpoint 1, linnet::mm::kmap::paging_init", r"#1 .* linnet::init::start_kernel",
      r"__primary_switched"], "gdbinit"),
    ("gdb: stop in head.S before the MMU is on (physical addresses)",
     ["continue", "info symbol $pc", "break __enable_mmu", "continue", "info registers x20"],
     [r"Breakpoint 1, 0x00000000402\w+ in primary_entry", r"__enable_mmu",
      r"x20\s+0x40200000"], "gdbinit-boot"),
]


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, name, detail=""):
        n = self.passed + self.failed + 1
        print(f"{'ok' if ok else 'not ok'} {n} - {name}", flush=True)
        if not ok and detail:
            for line in detail.rstrip().splitlines()[-40:]:
                print(f"#   {line}")
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def build(t):
    r = subprocess.run(["make", "-s", "build"], cwd=ROOT, capture_output=True, text=True)
    t.check(r.returncode == 0, "kernel builds (make build)", r.stdout + r.stderr)
    return r.returncode == 0


def host_tests(t):
    print("# host unit tests (cargo test -p linnet)", flush=True)
    r = subprocess.run(["cargo", "test", "-p", "linnet", "--quiet"], cwd=ROOT,
                       capture_output=True, text=True)
    out = r.stdout + r.stderr
    m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed", out)
    if not m:
        t.check(False, "host unit tests ran", out)
        return
    passed, failed = int(m.group(1)), int(m.group(2))
    failures = re.findall(r"^test (\S+) \.\.\. FAILED", out, re.M)
    print(f"# {passed} host unit tests passed, {failed} failed", flush=True)
    t.passed += passed
    t.failed += failed
    for f in failures:
        print(f"not ok - host: {f}")
    if r.returncode != 0 and failed == 0:
        t.check(False, "host unit tests exit status", out)


def boot(env_extra, timeout=TIMEOUT):
    env = dict(os.environ)
    for k in ("MEM", "GIC", "EL2", "APPEND", "INITRD", "GDB", "KERNEL"):
        env.pop(k, None)
    env.update(env_extra)
    try:
        r = subprocess.run(["bash", RUN], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
        return r.returncode, r.stdout.decode(errors="replace").replace("\r", ""), False
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace").replace("\r", "")
        return None, out, True


def qemu_tests(t):
    print("# QEMU boots (qemu/run.sh)", flush=True)
    for name, env, status, want, forbid in BOOTS:
        code, out, timed_out = boot(env)
        problems = []
        if timed_out:
            problems.append(f"timed out after {TIMEOUT}s")
        elif code != status:
            problems.append(f"QEMU exit status {code}, expected {status}")
        for pat in want:
            if not re.search(pat, out, re.M):
                problems.append(f"missing: {pat}")
        for pat in forbid:
            if re.search(pat, out, re.M):
                problems.append(f"unexpected: {pat}")
        detail = "\n".join(problems) + ("\n--- console:\n" + out if problems else "")
        t.check(not problems, f"qemu: {name}", detail)


TAP_LINE = re.compile(r"^(not ok|ok) (\d+)( - (.*))?$", re.M)


def tap_results(out):
    """The TAP plan and the (ok, number, name) lines of a test program's output."""
    plan = re.search(r"^1\.\.(\d+)$", out, re.M)
    lines = [(m.group(1) == "ok", int(m.group(2)), m.group(4) or "") for m in TAP_LINE.finditer(out)]
    return (int(plan.group(1)) if plan else None), lines


def user_tests(t):
    print("# user programs (init=/tests/NAME; TAP)", flush=True)
    oracle = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    for prog, args in USER_TESTS:
        append = f"init=/tests/{prog}" + (f" -- {args}" if args else "")
        code, out, timed_out = boot({"APPEND": append})
        plan, lines = tap_results(out)
        for ok, n, name in lines:
            t.check(ok, f"{prog}: {name}", "" if ok else out)
        problems = []
        if timed_out:
            problems.append(f"timed out after {TIMEOUT}s")
        elif code != 0:
            problems.append(f"init exited with QEMU status {code}")
        if plan is None or plan != len(lines):
            problems.append(f"plan {plan} but {len(lines)} results")
        if "Kernel panic" in out:
            problems.append("kernel panic")
        t.check(not problems, f"{prog}: ran to completion on Linnet ({len(lines)} results)",
                "\n".join(problems) + "\n--- console:\n" + out)
        if oracle:
            # Differential test: the same binary under qemu-user (real Linux semantics)
            # must reach the same verdicts, line for line.
            binary = os.path.join(ROOT, "user", "target", "aarch64-unknown-none", "release", prog)
            try:
                r = subprocess.run([oracle, binary] + args.split(), capture_output=True, text=True, timeout=TIMEOUT)
                _, ref = tap_results(r.stdout)
                same = [(ok, n) for ok, n, _ in ref] == [(ok, n) for ok, n, _ in lines]
                t.check(same and r.returncode == 0, f"{prog}: same TAP verdicts under {os.path.basename(oracle)} (Linux semantics)",
                        r.stdout + r.stderr)
            except subprocess.TimeoutExpired:
                t.check(False, f"{prog}: under {os.path.basename(oracle)}", "timed out")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_tests(t):
    print("# gdb (gdb-multiarch against QEMU's gdb stub)", flush=True)
    for name, cmds, want, gdbinit in GDB_SESSIONS:
        port = free_port()
        env = dict(os.environ, GDB="1", GDB_PORT=str(port), APPEND="test=ticks")
        for k in ("MEM", "GIC", "EL2", "INITRD"):
            env.pop(k, None)
        q = subprocess.Popen(["bash", RUN], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            args = ["gdb-multiarch", "-q", "-batch", "-nx", "-x", os.path.join("qemu", gdbinit)]
            for c in cmds + ["kill"]:
                args += ["-ex", c]
            if gdbinit == "gdbinit":
                args.append(os.path.join("build", "kernel.elf"))
            try:
                r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                                   timeout=TIMEOUT)
                out = r.stdout + r.stderr
            except subprocess.TimeoutExpired as e:
                out = f"gdb timed out\n{e.stdout or ''}"
            missing = [p for p in want if not re.search(p, out, re.M)]
            t.check(not missing, name, "missing: " + ", ".join(missing) + "\n--- gdb:\n" + out)
        finally:
            q.kill()
            q.wait()


def main():
    groups = sys.argv[1:] or ["host", "qemu", "user", "gdb"]
    t = Tally()
    if "host" in groups:
        host_tests(t)
    if any(g in groups for g in ("qemu", "user", "gdb")) and build(t):
        if "qemu" in groups:
            qemu_tests(t)
        if "user" in groups:
            user_tests(t)
        if "gdb" in groups:
            gdb_tests(t)
    print(f"{t.passed} passed, {t.failed} failed")
    sys.exit(1 if t.failed else 0)


if __name__ == "__main__":
    main()
