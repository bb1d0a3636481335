#!/usr/bin/env python3
"""qemu/runtests.py: everything `make test` runs, and its verdict.

Every check prints one TAP-style line as it goes, "ok N - name" or "not ok N - name" (with
"#   " lines saying why under a failure); the last line is "N passed, N failed", and the
exit status is 1 if anything failed, timed out or panicked unexpectedly. The tests come in
groups (GROUPS below says what each tests and how long it takes); `runtests.py GROUP...`
runs some of them, in the order of GROUPS whatever the order given:
  host     host unit tests (`cargo test -p linnet`), the shell's unit tests, doc checks
  build    `make build`, and a no-op `make build` that must change nothing
  qemu     one QEMU boot per row of BOOTS (bootargs, console lines, exit status)
  user     each test program of user/tests booted as init (a row of USER_TESTS), and the
           same binary under qemu-aarch64 (Linux) for the same verdicts
  session  a shell session typed at the console, busybox ash, the small tools vs coreutils
  gdb      batch gdb sessions against QEMU's gdb stub, one per row of GDB_SESSIONS
  labs     labs/lab.py check (handouts, make grade)
Adding a QEMU test is one row in BOOTS, a user test one row in USER_TESTS, a gdb test one
row in GDB_SESSIONS. Other entry points: --user NAME... (some rows of USER_TESTS, with
their qemu-user runs), --one-user NAME (one boot, for labs/lab.py), --fuzz SECONDS [SEED].
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from typing import Callable, NamedTuple, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "qemu", "run.sh")
TIMEOUT = 60  # seconds per QEMU boot; a boot normally takes well under one


class Boot(NamedTuple):
    """One row of BOOTS: a QEMU boot (qemu/run.sh) and what its console must show."""
    name: str    # printed as "qemu: NAME"
    env: dict    # environment for qemu/run.sh: APPEND (bootargs), MEM, GIC, EL2, INITRD, ...
    status: int  # the exit status QEMU must end with (semihosting: the kernel's verdict)
    want: list   # regular expressions (re.M) the console must match, or checkers:
                 # functions of the console output returning a list of problems
    forbid: list  # regular expressions the console must not match


BOOTS = [
    Boot("banner shows the memory layout", {"APPEND": "test=ticks"}, 0,
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
    Boot("timer ticks advance (GICv2, HZ=100)", {"APPEND": "test=ticks"}, 0,
         [r"^ok 1 - timer ticks advance", r"^ok 2 - tick rate matches HZ"], [r"not ok"]),
    Boot("timer ticks advance (GICv3, HZ=250)", {"GIC": "3", "APPEND": "test=ticks hz=250"}, 0,
         [r"^ok 1 - timer ticks advance: \d+ ticks in \d+ ms at HZ=250", r"^ok 2 -"], [r"not ok"]),
    Boot("boots from EL2 (virtualization=on, GICv3)", {"EL2": "1", "GIC": "3", "APPEND": "test=ticks"}, 0,
         [r"^ok 1 - timer ticks advance", r"^ok 2 -"], [r"not ok"]),
    Boot("MEM= knob: 1 GiB of RAM", {"MEM": "1G", "APPEND": "test=ticks"}, 0,
         [r"RAM\s+0x0000000040000000-0x0000000080000000 \(1024 MiB\)", r"of 262144"], [r"not ok"]),
    Boot("deliberate fault: report names the exception and FAR", {"APPEND": "test=fault"}, 1,
         [r"Internal error: Oops",
          r"ESR 0x96000004: EC 0x25 data abort \(same EL\); translation fault, level 0; read",
          r"FAR\s+0xffff7fffdead0000",
          r"page table walk of 0xffff7fffdead0000 \(TTBR1",
          r"pc : 0x[0-9a-f]+\s+linnet::selftest::fault",
          r"Call trace:",
          r"start_kernel\+0x",
          r"Kernel panic - not syncing: Oops"],
         [r"not ok 1"]),
    Boot("boot stack overflow caught by the guard page", {"APPEND": "test=stack_overflow"}, 1,
         [r"kernel stack overflow: sp 0x[0-9a-f]+ is in the guard page below the stack",
          r"translation fault, level 3; write",
          r"linnet::selftest::recurse\+0x",
          r"the line above repeats \d+ more times",
          r"Kernel panic - not syncing: kernel stack overflow"],
         [r"not ok 1"]),
    Boot("vmap kernel stack overflow caught by the guard page", {"APPEND": "test=vmap_stack_overflow"}, 1,
         [r"unbounded recursion on a kernel stack \[0xffff00004",
          r"kernel stack overflow: sp 0xffff00004[0-9a-f]+ is in the guard page",
          r"Kernel panic - not syncing: kernel stack overflow"],
         [r"not ok 1"]),
    Boot("kernel stacks are freed: free frames return", {"APPEND": "test=kstack"}, 0,
         [r"^ok 1 - 100 kernel stacks", r"^ok 2 - free frames before (\d+) == after \1"], [r"not ok"]),
    Boot("bad bootargs are reported, not fatal", {"APPEND": "loglevel=abc hz=0 test=ticks"}, 0,
         [r"bootargs: ignoring loglevel=abc", r"bootargs: ignoring hz=0", r"^ok 1 -"], [r"not ok", r"panic"]),
    Boot("CPU=max: PAN is turned on, and user programs still run (uaccess uses ldtr/sttr)",
         {"CPU": "max", "APPEND": "loglevel=8 init=/tests/basics"}, 0,
         [r"PAN \(privileged access never\): on", r"^ok 11 - write from a kernel address gives EFAULT",
          r"^ok 14 -", r"init \(pid 1\) exited with status 0"], [r"not ok", r"Kernel panic"]),
    Boot("loglevel=8 shows kernel info messages", {"APPEND": "loglevel=8 test=ticks"}, 0,
         [r"\] GICv2 ready; timer INTID 27, UART INTID 33", r"\] timer: 100 Hz tick"], [r"not ok"]),
    Boot("unknown self-test is reported", {"APPEND": "test=nosuch"}, 1,
         [r"selftest: unknown test 'nosuch'"], []),
    # Without a device tree there are no bootargs, so no semihosting: PSCI's plain off, 0.
    Boot("an ELF kernel gets no device tree from QEMU, and says so", {"KERNEL": "build/kernel.elf"}, 0,
         [r"no device tree in x0 \(0x0\)\. QEMU passes one only to a kernel in Linux Image format"], []),
    # /bin/init with a program after "--" runs it and exits with its status (128 + the
    # signal if it was killed), so QEMU's exit status is the program's verdict.
    Boot("init -- PROGRAM exits with the program's status", {"APPEND": "init=/bin/init -- /bin/false"}, 1,
         [r"init \(pid 1\) exited with status 1;"], [r"Kernel panic"]),
    Boot("init -- PROGRAM killed by SIGSEGV: status 128 + 11", {"APPEND": "init=/bin/init -- /bin/segfault"}, 139,
         [r"^segfault: loading", r"init \(pid 1\) exited with status 139;"], [r"Kernel panic"]),
    # trace=exec: the new mm's VMAs at the four stages of exec (kernel/src/exec/mod.rs);
    # check_exec_trace reads them and checks that the stack moves and grows as it should.
    Boot("trace=exec shows the stack VMA at each stage of exec", {"APPEND": "init=/tests/auxv trace=exec"}, 0,
         [r"^exec trace: /tests/auxv: after bprm_mm_init", lambda out: check_exec_trace(out, "/tests/auxv")],
         [r"not ok", r"Kernel panic"]),
    Boot("trace=exec with norandmaps: the stack stays at STACK_TOP and grows by 128 KiB",
         {"APPEND": "init=/tests/auxv trace=exec norandmaps"}, 0,
         [r"after setup_arg_pages .*\n  fffffffdf000-1000000000000 rw-p 00000000 00:00 0 +\[stack\]\n"
          r"  bprm->p = 0xffffffffff[0-9a-f]{2}, argc 1, envc 2$",
          lambda out: check_exec_trace(out, "/tests/auxv", randomized=False)],
         [r"not ok", r"Kernel panic"]),
    # -initrd: an archive built here with qemu/mkinitramfs.py (make_test_initrds), one of
    # the test programs as its /init, replaces the built-in initramfs.
    Boot("-initrd: an external cpio archive's /init runs", {"INITRD": "build/test-initrd.cpio", "APPEND": "loglevel=8"}, 0,
         [r"^  initrd +0x", r"\] initramfs \(-initrd\): 4 entries, 1 files, 2 directories",
          r"^ok 4 - AT_EXECFN is the path \(here argv\[0\]\)", r"^ok 15 - ",
          r"init \(pid 1\) exited with status 0;"], [r"not ok", r"Kernel panic"]),
    Boot("-initrd: a gzip-compressed cpio archive works too", {"INITRD": "build/test-initrd.cpio.gz", "APPEND": "loglevel=8"}, 0,
         [r"\] initramfs \(-initrd\): 6 entries, 1 files, 3 directories",
          r"^ok 1 - init starts with cwd /$", r"^ok 2 - init's fds 0, 1, 2 are /dev/console",
          r"^ok 60 - ", r"init \(pid 1\) exited with status 0;"], [r"not ok", r"Kernel panic"]),
    Boot("-initrd: the archive's frames are freed once it is unpacked (free_initrd_mem)",
         {"INITRD": "build/test-initrd.cpio", "APPEND": "loglevel=8"}, 0,
         [r"\] Freeing initrd memory: [1-9][0-9]*K$",
          r"init \(pid 1\) exited with status 0;"], [r"not ok", r"Kernel panic"]),
]

class UserTest(NamedTuple):
    """One row of USER_TESTS, written as a plain tuple (program, arguments[, settings])."""
    prog: str                        # the program: /tests/PROG, and the test names' prefix
    args: str = ""                   # its arguments (after "--" in the bootargs)
    settings: Optional[dict] = None  # the settings below


# User-space test programs (user/tests), each booted as init: (program, arguments) and,
# optionally, a dict of settings: UPPERCASE keys are for qemu/run.sh (e.g. {"MEM": "128M"}
# for a small machine); lowercase ones are for this runner:
#   "linnet_only": True   no differential run under qemu-user (the program execs /tests/...
#                         files of the initramfs, which do not exist on the host, and there
#                         is no binfmt_misc for aarch64 there)
#   "binary": PATH        the host ELF to run under qemu-user (default: the user build's;
#                         relative to the user target directory, or absolute)
#   "initrd": "userland"  boot with -initrd build/userland.cpio (qemu/userland.sh: real
#                         Linux programs, busybox; too big for the built-in initramfs)
#   "init": PATH          the program to boot as init (default /tests/NAME)
#   "init_dir", "binary_dir"   instead of "init" and "binary": the directory, NAME in it
#   "host_args": [...]    arguments for the qemu-user run (default: the row's arguments)
#   "host_env": callable  returns extra environment for the qemu-user run
# A row whose binary is missing (no C cross compiler, Debian's packages not fetched)
# prints one "ok ... # SKIP reason" line instead of running.
# Each prints TAP; every "ok"/"not ok" line counts as one test here, and the boot passes
# when init exits 0 after as many lines as its plan ("1..N") promised. Adding a test
# program is one line.
DEBIAN_CACHE = os.environ.get("DEBIAN_PKG_CACHE") or os.path.join(ROOT, "build", "debian")
BUSYBOX = os.path.join(DEBIAN_CACHE, "root", "busybox-static", "bin", "busybox")


def busybox_host_env():
    """For the qemu-user run of busybox's ash: PATH holds one wrapper per applet that runs
    `qemu-aarch64 busybox APPLET` (the host has no binfmt_misc entry for arm64, so an
    exec of the arm64 busybox itself would fail). BB_QEMU_USER=1 tells the script."""
    wrappers = os.path.join(ROOT, "build", "busybox-host-path")
    oracle = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    applets = os.path.join(DEBIAN_CACHE, "busybox-applets.txt")
    os.makedirs(wrappers, exist_ok=True)
    with open(applets) as f:
        for line in f:
            name = os.path.basename(line.strip())
            if name:
                path = os.path.join(wrappers, name)
                with open(path, "w") as w:
                    w.write(f'#!/bin/sh\nexec {oracle} {BUSYBOX} {name} "$@"\n')
                os.chmod(path, 0o755)
    return {"PATH": wrappers, "BB_QEMU_USER": "1"}


USERLAND_STD = {"initrd": "userland", "init_dir": "/tests/std",
                "binary_dir": os.path.join("std", "aarch64-unknown-linux-musl", "release")}
USERLAND_GLIBC = {"initrd": "userland", "init_dir": "/tests/c", "binary_dir": os.path.join("c", "glibc")}
USERLAND_MUSL = {"initrd": "userland", "init_dir": "/tests/musl", "binary_dir": os.path.join("c", "musl")}
# The script runs under Linnet's init (so its shell is not pid 1, as on the host):
# init=/sbin/init -- /bin/busybox sh /tests/busybox/test.sh.
USERLAND_BUSYBOX = {"initrd": "userland", "init": "/sbin/init", "binary": BUSYBOX,
                    "host_args": ["sh", os.path.join(ROOT, "user", "busybox", "test.sh")],
                    "host_env": busybox_host_env}
USER_TESTS = [
    ("basics", ""),
    ("files2", ""),
    ("locks", ""),
    ("tty", "", {"linnet_only": True}),
    ("ctty", "", {"linnet_only": True}),
    ("fork_cow", ""),
    ("segv", ""),
    ("threads", ""),
    ("frames", ""),
    ("preempt", ""),
    ("mmap", ""),
    ("pagecache", ""),
    ("mprotect", ""),
    ("brk", ""),
    ("stack", ""),
    ("procfs", ""),
    ("oom", "", {"MEM": "128M"}),
    ("wait4", ""),
    ("waitid", ""),
    ("killing", ""),
    ("sigmask", ""),
    ("sighandler", ""),
    ("faults", ""),
    ("thread_exit", ""),
    ("reparent", ""),
    ("reap_cycles", ""),
    ("pgrp", ""),
    ("auxv", ""),
    ("files", ""),
    ("exec", "", {"linnet_only": True}),
    ("pie", "", {"binary": os.path.join("pie", "aarch64-unknown-none", "release", "pie")}),
    ("heap", ""),
    ("fault_progress", ""),
    ("short_copy", ""),
    ("byte_paths", ""),
    ("vdso", ""),
    ("timers", ""),
    ("poll", ""),
    ("futex", ""),
    ("rtsig", ""),
    ("vfork", ""),
    ("procinfo", ""),
    ("sysv_ipc", ""),
    # Real Linux programs from the user-land initrd (qemu/userland.sh, user/README.md).
    ("std_threads", "", USERLAND_STD),
    ("std_fs", "", USERLAND_STD),
    ("std_process", "", USERLAND_STD),
    ("std_misc", "", USERLAND_STD),
    ("c_stdio", "", USERLAND_GLIBC),
    ("c_pthread", "", USERLAND_GLIBC),
    ("c_process", "", USERLAND_GLIBC),
    ("c_signals", "", USERLAND_GLIBC),
    ("musl_stdio", "", USERLAND_MUSL),
    ("musl_pthread", "", USERLAND_MUSL),
    ("musl_ipc", "", USERLAND_MUSL),
    ("musl_vfork_rt", "", USERLAND_MUSL),
    ("busybox", "/bin/busybox sh /tests/busybox/test.sh", USERLAND_BUSYBOX),
    ("procsys", ""),
    ("mremap", ""),
    ("init_signals", ""),
    ("forkbomb", "", {"MEM": "128M"}),
    ("hogs", "", {"MEM": "128M"}),
    # The syscall fuzzer for 20 s (seed 1); `make fuzz SECONDS=N [SEED=S]` runs it longer.
    ("fuzz", "20", {"linnet_only": True}),
    # Malformed ELF files; expected outcomes from Linux's load_elf_binary (see the program).
    ("elfmut", ""),
]

# The rows above, typed (they stay plain tuples there: the form the docs show for a new row).
USER_TESTS = [UserTest(*row) for row in USER_TESTS]

MAPS_LINE = re.compile(r"^[0-9a-f]{8,}-[0-9a-f]{8,} [-r][-w][-x][ps] .*$", re.M)


def vmas_equal_maps(gdb_out, console):
    """The maps lines gdb's `vmas` printed equal those the console shows (/proc/PID/maps
    as the program printed it); a list of problems."""
    ours = MAPS_LINE.findall(gdb_out.split("(maps):", 1)[-1])
    theirs = MAPS_LINE.findall(console.replace("\r", ""))
    if ours and ours == theirs:
        return []
    return ["vmas and /proc/PID/maps differ:", "--- /proc/PID/maps:"] + theirs + ["--- vmas:"] + ours


class GdbSession(NamedTuple):
    """One row of GDB_SESSIONS: QEMU started frozen (GDB=1), a batch gdb session against
    its stub, and what gdb's output must show."""
    name: str            # the test's name (starts with "gdb: ")
    commands: list       # gdb commands, run in order after the gdbinit (then `kill`)
    want: list           # regular expressions (re.M) the gdb output must match
    gdbinit: str = "gdbinit"  # qemu/gdbinit, or gdbinit-boot (symbols at the physical address)
    env: Optional[dict] = None  # environment for qemu/run.sh; default APPEND="test=ticks"
    typed: list = []     # (console regex, line): the line is typed at QEMU's console once
                         # the regex matches what came since the previous one (not mutated)
    compare: Optional[Callable] = None  # (gdb output, console) -> a list of problems
    elf: str = os.path.join("build", "kernel.elf")  # the kernel ELF gdb loads (gdbinit)
    timeout: int = TIMEOUT  # seconds for the gdb session (the debug kernel is slower)


GDB_SESSIONS = [
    GdbSession("gdb: breakpoint in paging_init, backtrace reaches start_kernel",
               ["break linnet::mm::kmap::paging_init", "continue", "bt"],
               [r"Breakpoint 1, linnet::mm::kmap::paging_init", r"#1 .* linnet::init::start_kernel",
                r"__primary_switched"]),
    GdbSession("gdb: stop in head.S before the MMU is on (physical addresses)",
               ["continue", "info symbol $pc", "break __enable_mmu", "continue", "info registers x20"],
               [r"Breakpoint 1, 0x00000000402\w+ in primary_entry", r"__enable_mmu",
                r"x20\s+0x40200000"], gdbinit="gdbinit-boot"),
    # The helpers of qemu/linnet_gdb.py (docs/gdb.md), stopped in user mode: the exec hook
    # loads the program's symbols so `break main` resolves; tasks, vmas and ptwalk still
    # read kernel data at EL0, and PSTATE is back at EL0 afterwards.
    GdbSession("gdb: exec hook loads user symbols; break main; helpers work stopped in user mode",
               ["linnet-user-symbols on", "break main", "continue", "bt", "info symbol $pc", "tasks",
                "vmas", "ptwalk 0x400000", "p/x $cpsr & 0xc", "bt 1"],
               [r"^linnet: pid 1 exec /tests/fork_cow: symbols from \S*fork_cow, load bias 0x0\b",
                r"^Breakpoint 1, (fork_cow::)?main \(\) at tests/src/bin/fork_cow\.rs:\d+",
                r"^#0 +(fork_cow::)?main \(\) at tests/src/bin/fork_cow\.rs",
                r"^#1 .* in (ulib::start::)?ulib_start ", r"^main \+ \d+ in section \.text of /\S+/fork_cow$",
                r"^\* +1 +1 +0  R \(running\) +fork_cow +0xffff[0-9a-f]+$",
                r"^pid 1 \(fork_cow\):$",
                r"^00400000-[0-9a-f]{8} r-xp [0-9a-f]{8} 00:00 [1-9]\d* +/tests/fork_cow$",
                r"^[0-9a-f]+-[0-9a-f]+ rw-p 00000000 00:00 0 +\[stack\]$",
                r"^[0-9a-f]+-[0-9a-f]+ r-xp 00000000 00:00 0 +\[vdso\]$",
                r"^page table walk of 0x0000000000400000 \(TTBR0, user half, as loaded now, ASID [1-9]",
                r"^  pte\[  0\] at 0x[0-9a-f]+: 0x[0-9a-f]{16} L3 page pa=0x[0-9a-f]+ AF nG SH=inner "
                r"AP=EL1-RO/EL0-RO PXN attr=Normal$",
                r"^\$1 = 0x0$"], env={"APPEND": "init=/tests/fork_cow"}),
    # Stopped in the kernel (wait4 -> do_wait, parent and first child alive): every helper.
    GdbSession("gdb: helpers at a kernel breakpoint: tasks, vmas, ptwalk (TTBR0, TTBR1), esr, load-user",
               ["break linnet::task::wait::do_wait", "continue", "tasks", "vmas 1", "ptwalk 0x400000 1",
                "ptwalk 0xffff000008000000", "ptwalk 0x7000000000 1", "ptwalk 0x0001000000000000",
                "esr", "esr 0x96000045", "linnet-load-user /tests/fork_cow", "info line main",
                "help user-defined"],
               [r"^Breakpoint 1, linnet::task::wait::do_wait",
                r"^\* +1 +1 +0  R \(running\) +fork_cow +0xffff",
                r"^  +2 +2 +1  [RSZX] \(\w+\) +fork_cow +0xffff",
                r"^pid 1 \(fork_cow\):$",
                r"^00400000-[0-9a-f]{8} r-xp [0-9a-f]{8} 00:00 [1-9]\d* +/tests/fork_cow$",
                r"^[0-9a-f]+-[0-9a-f]+ rw-p 00000000 00:00 0 +\[stack\]$",
                r"^page table walk of 0x0000000000400000 \(TTBR0, user half, pid 1 \(fork_cow\), root 0x",
                r"^  pgd\[  0\] at 0x[0-9a-f]+: 0x[0-9a-f]{16} L0 table next=0x",
                r"^  pud\[  0\] at 0x[0-9a-f]+: 0x[0-9a-f]{16} L1 table next=0x",
                r"^  pmd\[  2\] at 0x[0-9a-f]+: 0x[0-9a-f]{16} L2 table next=0x",
                r"^  pte\[  0\] at 0x[0-9a-f]+: 0x[0-9a-f]{16} L3 page pa=0x[0-9a-f]+ AF nG SH=inner "
                r"AP=EL1-RO/EL0-RO PXN attr=Normal$",
                r"AP=0b11 \(EL1 and EL0 read-only\)", r"UXN=0 \(EL0 may execute\)",
                r"^  0x0000000000400000 -> phys 0x[0-9a-f]+: EL0 r-x, EL1 r--$",
                r"^page table walk of 0xffff000008000000 \(TTBR1, kernel half, root 0x",
                r"^  pmd\[ 64\] at 0x[0-9a-f]+: 0x[0-9a-f]{16} L2 ",
                r" pa=0x40200000 AF SH=inner AP=EL1-RO/EL0-none UXN attr=Normal$",
                r"^  0xffff000008000000 -> phys 0x40200000: EL0 ---, EL1 r-x$",
                r"^  pud\[448\] at 0x[0-9a-f]+: 0x0000000000000000 invalid$",
                r"^  not mapped: an access takes a translation fault, level 1$",
                r"^0x0001000000000000 is in the hole between TASK_SIZE and VA_START",
                r"^ESR 0x56000000: EC 0x15 SVC from AArch64, imm16 0x0$",
                r"^ESR 0x96000045: EC 0x25 data abort \(same EL\); translation fault, level 1; write$",
                r"FSC +bits 5:0 = 0x05 +translation fault, at level 1", r"WnR +bit 6 +=  ?1 +write",
                r"FnV +bit 10 += 0 +FAR_EL1 holds the faulting address",
                r"^linnet: /tests/fork_cow: symbols from \S*fork_cow, load bias 0x0\b",
                r"^Line \d+ of \"tests/src/bin/fork_cow\.rs\" starts at address 0x[0-9a-f]+ <(fork_cow::)?main>",
                r"^tasks, lx-tasks -- ", r"^vmas -- ", r"^ptwalk -- ", r"^esr -- ",
                r"^linnet-user-symbols -- ", r"^linnet-load-user -- "],
               env={"APPEND": "init=/tests/fork_cow"}),
    # Backtraces end at the exception entry or a task's first frame, with no "corrupt
    # stack" and no Python exception from the pretty-printers (CFI in entry.S, head.S,
    # context.rs; guarded printers in linnet_gdb/printers.py): a new task, a syscall from EL0, and
    # an interrupt taken in the kernel (idle), which unwinds into the interrupted code.
    GdbSession("gdb: backtraces end cleanly (new task, syscall from EL0, interrupt in the kernel)",
               ["kbreak schedule_tail", "continue", "bt", "delete", "kbreak do_wait", "continue", "bt",
                "delete", "kbreak el1h_irq_handler", "continue", "bt"],
               [r"^#1 +0x[0-9a-f]+ in ret_from_(fork|kernel_thread) \(\)\n(?!Backtrace)",
                r"^#\d+ +0x[0-9a-f]+ in el0_sync \(\)\n(?!Backtrace)",
                r"^#1 +0x[0-9a-f]+ in el1_irq \(\)\n#2 ",
                r"^#\d+ +0x[0-9a-f]+ in __primary_switched \(\)\n(?!Backtrace)",
                r"\A(?![\s\S]*(corrupt stack|Python Exception|was not saved))"],
               env={"APPEND": ""}, typed=[(r"# $", "true")]),
    # `vmas PID` prints what /proc/PID/maps does: `maps` (user/bin) prints its own
    # /proc/self/maps, then gdb stops it on its way out (do_group_exit, mm still whole)
    # and `vmas 3` must give the same lines (inode, [heap], [stack], [vdso] included).
    GdbSession("gdb: vmas PID prints the same lines as /proc/PID/maps of the same process",
               ["kbreak do_group_exit", "continue", "tasks", "vmas 3"],
               [r"^pid 3 \(maps\):$", r"\[heap\]$"],
               env={"APPEND": ""}, typed=[(r"# $", "maps")], compare=vmas_equal_maps),
    # Inside exec, `vmas` shows the mm being built (bprm->mm), not the task's old one:
    # after setup_arg_pages it holds the new stack only (init is still a kernel thread
    # with no mm of its own).
    GdbSession("gdb: vmas inside exec shows the new mm in bprm",
               ["kbreak setup_arg_pages", "continue", "finish", "vmas", "vmas 1"],
               [r"^pid 1 \(init\) exec /tests/fork_cow: the new mm, bprm->mm \(`vmas 1`: the old one\):\n"
                r"[0-9a-f]{12}-[0-9a-f]{12} rw-p 00000000 00:00 0 +\[stack\]\n",
                r"^pid 1 \(init\) has no mm"],
               env={"APPEND": "init=/tests/fork_cow"}),
    # The exec hook follows programs the shell starts: init execs /bin/sh, whose symbols
    # are loaded from the user build (not the host's /bin/sh), then `exec_stack a b`
    # typed at the shell replaces them; the pending breakpoint resolves and stops there.
    GdbSession("gdb: exec hook from the shell: pending break exec_stack::main stops, argv visible",
               ["break exec_stack::main", "continue", "bt 1", "cmdline", "p ulib::start::ARGC.v.value",
                "tasks", "linnet-user-symbols"],
               [r"^linnet: pid 1 exec /init: symbols from user/target/aarch64-unknown-none/release/init,",
                r"^linnet: pid \d+ exec /bin/sh: symbols from user/target/aarch64-unknown-none/release/sh, load bias 0x0$",
                r"^linnet: pid \d+ exec /bin/exec_stack: symbols from user/target/aarch64-unknown-none/release/exec_stack, load bias 0x0$",
                r"^Breakpoint 1, exec_stack::main \(\) at bin/src/bin/exec_stack\.rs:\d+",
                r"^#0 +exec_stack::main \(\) at bin/src/bin/exec_stack\.rs",
                r"^pid \d+ \(exec_stack\) argc 3: exec_stack a b$", r"^\$1 = 3$",
                r"^\* +\d+ +\d+ +\d+  R \(running\) +exec_stack ",
                r"^linnet-user-symbols: on; loaded: user/target/aarch64-unknown-none/release/exec_stack \(bias 0x0\)$"],
               env={"APPEND": ""}, typed=[(r"# $", "exec_stack a b")]),
]


def readme_gdb_lines():
    """The `(gdb) ` lines of the README's "Debug it" section, without their comments."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    section = text.split("## Debug it", 1)[-1].split("\n## ", 1)[0]
    return [line[6:].split("#", 1)[0].strip() for line in section.splitlines()
            if line.startswith("(gdb) ")]


# Every gdb line the README shows, in its order, against the kernel `make debug` boots
# (build/debug, built by `make build-debug` in gdb_tests) with the shell as init;
# `exec_stack a b` is typed at the prompt as the README says. Each line must work: no
# unknown command or symbol, no Python exception. The unoptimized kernel steps cleanly:
# `next` goes line by line through load_elf_binary, locals print with their values,
# nothing is <optimized out>.
GDB_SESSIONS.append(
    GdbSession("gdb: every gdb line of the README works as written (make debug kernel, shell)",
               readme_gdb_lines(),
               [r"^Breakpoint 1, linnet::task::wait::do_wait \(",
                r"^#\d+ +0x[0-9a-f]+ in el0_sync \(\)$", r"^\* +(\d+) +\1 +1  R \(running\) +sh ",
                r"^pid 1 \(init\):$", r"^page table walk of 0x0000000000400000 \(TTBR0",
                r"^ESR 0x96000045: EC 0x25 data abort",
                r"^Breakpoint 2, exec_stack::main \(\) at bin/src/bin/exec_stack\.rs",
                r"^pid \d+ \(exec_stack\) argc 3: exec_stack a b$",
                r"^Breakpoint 3, linnet::exec::kernel::do_execve \(filename=b\"/bin/exec_stack\"",
                r"^Breakpoint 4, linnet::exec::binfmt_elf::load_elf_binary \(bprm=0x",
                r"^(\d+)\t.*\n(?!\1\t)(\d+)\t.*\n(?!\1\t|\2\t)\d+\t.*\n",
                r"^h = linnet::exec::elf::ElfHeader \{\n  e_type: 2,\n  e_entry: \d+,",
                r"^pid \d+ \(sh\) exec /bin/exec_stack: the new mm, bprm->mm",
                r"\A(?![\s\S]*(No symbol|Undefined command|Python Exception|Traceback|corrupt stack"
                r"|optimized out|No breakpoint))"],
               env={"APPEND": "", "KERNEL": "build/debug/kernel.img"}, elf="build/debug/kernel.elf",
               timeout=120, typed=[(r"# $", "true"), (r"# $", "exec_stack a b"), (r"# $", "exec_stack a b")]))
if os.path.exists(os.path.join(ROOT, "user", "pie", "src", "main.rs")):
    # A static-PIE program runs at ELF_ET_DYN_BASE plus a random offset: the hook passes
    # that load bias, so the symbols land where the code is.
    GDB_SESSIONS.append(
        GdbSession("gdb: user symbols of a static-PIE program are loaded at its load bias",
                   ["break main", "continue", "bt 2", "vmas", "ptwalk $pc"],
                   [r"^linnet: pid 1 exec /tests/pie: symbols from \S*pie, load bias 0xaaaa[0-9a-f]{8}\b",
                    r"^Breakpoint 1, (pie::)?main \(\) at src/main\.rs:\d+",
                    r"^#1 +0x0000aaaa[0-9a-f]{8} in (ulib::start::)?ulib_start ",
                    r"^aaaa[0-9a-f]{8}-aaaa[0-9a-f]{8} r-xp [0-9a-f]{8} 00:00 [1-9]\d* +/tests/pie$",
                    r"^  0x0000aaaa[0-9a-f]{8} -> phys 0x[0-9a-f]+: EL0 r-x, EL1 r--$"],
                   env={"APPEND": "init=/tests/pie"}))


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
    """The build group: `make build` (kernel, user programs, initramfs); the qemu, user,
    session and gdb groups need it and run it first."""
    r = subprocess.run(["make", "-s", "build"], cwd=ROOT, capture_output=True, text=True)
    t.check(r.returncode == 0, "kernel builds (make build)", r.stdout + r.stderr)
    return r.returncode == 0


def doc_claims_tests(t):
    """What the docs say about the tree is true (qemu/doccheck.py): `make help` lists every
    target, the kernel names docs/walkthrough.md cites exist, every cited NAME.md exists;
    and qemu/mkinitramfs.py's self-test (reproducible archives, written only on change)."""
    checks = [("help", "make help lists every .PHONY target of the Makefile"),
              ("walkthrough", "every kernel name docs/walkthrough.md cites is in kernel/src"),
              ("cited-docs", "every NAME.md a file cites exists")]
    for check, name in checks:
        r = subprocess.run([sys.executable, "qemu/doccheck.py", check], cwd=ROOT,
                           capture_output=True, text=True)
        t.check(r.returncode == 0, name, r.stdout + r.stderr)
    r = subprocess.run([sys.executable, "qemu/mkinitramfs.py", "--self-test"], cwd=ROOT,
                       capture_output=True, text=True)
    t.check(r.returncode == 0, "qemu/mkinitramfs.py self-test", r.stdout + r.stderr)


NOOP_BUILD_LIMIT = 10  # seconds; before, a no-op make build relinked the kernel: 10-70 s


def noop_build_tests(t):
    """A `make build` right after one changes nothing: cargo compiles nothing, and
    build/initramfs.cpio, kernel.elf and kernel.img keep their mtimes (the initramfs is
    written only when its bytes change; kernel/build.rs watches it)."""
    outputs = [os.path.join(ROOT, "build", f) for f in ("initramfs.cpio", "kernel.elf", "kernel.img")]
    before = [os.stat(f).st_mtime_ns for f in outputs]
    start = time.monotonic()
    r = subprocess.run(["make", "-s", "build"], cwd=ROOT, capture_output=True, text=True)
    took = time.monotonic() - start
    print(f"# a no-op make build took {took:.1f} s", flush=True)
    out = r.stdout + r.stderr
    t.check(r.returncode == 0 and not re.search(r"^\s*Compiling ", out, re.M),
            "a make build that changed nothing compiles nothing", out)
    touched = [os.path.basename(f) for f, m in zip(outputs, before) if os.stat(f).st_mtime_ns != m]
    t.check(not touched, "a make build that changed nothing rewrites nothing in build/",
            "rewritten: " + ", ".join(touched))
    t.check(took < NOOP_BUILD_LIMIT, f"a no-op make build takes under {NOOP_BUILD_LIMIT} s",
            f"it took {took:.1f} s")


def docs_tests(t):
    r = subprocess.run(["python3", "qemu/syscalls-doc.py", "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    t.check(r.returncode == 0, "docs/syscalls.md matches the syscall table", r.stdout + r.stderr)
    r = subprocess.run(["python3", "qemu/linux-map.py", "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    t.check(r.returncode == 0, "docs/linux-map.md matches the code's doc comments", r.stdout + r.stderr)


# What this run learned, for labs/lab.py check (it grades the full tree from these
# instead of running the same tests again): host tests' verdict and names, and each user
# program's verdict.
RESULTS = {"host_ok": None, "host_tests": [], "user": {}}
RESULTS_FILE = os.path.join(ROOT, "build", "test-results.json")


def save_results():
    os.makedirs(os.path.dirname(RESULTS_FILE), exist_ok=True)
    with open(RESULTS_FILE, "w") as f:
        json.dump(RESULTS, f)


def cargo_test_failures(out):
    """[(name, what it printed)] of the tests cargo test reports failed. The names come
    from the list of names under a "failures:" heading (printed with --quiet too), the
    text from each test's "---- NAME stdout ----" section."""
    names = []
    for block in re.findall(r"^failures:\n((?:    \S+\n)+)", out, re.M):
        names += block.split()
    printed = {m.group(1): m.group(2) for m in re.finditer(
        r"^---- (\S+) stdout ----\n(.*?)(?=^---- \S+ stdout ----$|^failures:$|\Z)", out, re.M | re.S)}
    return [(name, printed.get(name, "")) for name in dict.fromkeys(names)]


def host_tests(t):
    """The host group: docs match the code, the docs' claims hold, and the kernel's
    portable modules pass their unit tests (`cargo test -p linnet` on the host)."""
    docs_tests(t)
    doc_claims_tests(t)
    print("# host unit tests (cargo test -p linnet)", flush=True)
    r = subprocess.run(["cargo", "test", "-p", "linnet", "--quiet"], cwd=ROOT,
                       capture_output=True, text=True)
    out = r.stdout + r.stderr
    m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed", out)
    if not m:
        t.check(False, "host unit tests ran", out)
        return
    passed, failed = int(m.group(1)), int(m.group(2))
    failures = cargo_test_failures(out)
    print(f"# {passed} host unit tests passed, {failed} failed", flush=True)
    # Passing tests are counted, not listed (over a thousand); each failure is a numbered
    # TAP line with the test's name and what it printed.
    t.passed += passed
    for name, printed in failures:
        t.check(False, f"host: {name}", printed)
    if failed > len(failures):
        t.failed += failed - len(failures) - 1
        t.check(False, f"host: {failed - len(failures)} more failed tests (names not found in "
                       "cargo's output)", out)
    if r.returncode != 0 and failed == 0:
        t.check(False, "host unit tests exit status", out)
    listing = subprocess.run(["cargo", "test", "-p", "linnet", "--quiet", "--", "--list"], cwd=ROOT,
                             capture_output=True, text=True).stdout
    RESULTS["host_ok"] = r.returncode == 0 and failed == 0
    RESULTS["host_tests"] = re.findall(r"^(\S+): test$", listing, re.M)


def boot(env_extra, timeout=TIMEOUT):
    env = dict(os.environ)
    for k in ("MEM", "GIC", "EL2", "APPEND", "INITRD", "GDB", "KERNEL", "CPU"):
        env.pop(k, None)
    env.update(env_extra)
    try:
        r = subprocess.run(["bash", RUN], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
        return r.returncode, r.stdout.decode(errors="replace").replace("\r", ""), False
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace").replace("\r", "")
        return None, out, True


def user_target():
    """Where the user programs are built (qemu/initramfs.sh honours CARGO_TARGET_DIR too)."""
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "user", "target")


def make_test_initrds():
    """The archives the -initrd rows of BOOTS boot: built here with qemu/mkinitramfs.py
    from programs of the user build, so they are not the built-in initramfs. Plain cpio:
    /init is the auxv test; gzip: /init is the files test (which wants /tmp and a console)."""
    release = os.path.join(user_target(), "aarch64-unknown-none", "release")
    mk = [sys.executable, os.path.join(ROOT, "qemu", "mkinitramfs.py")]
    build = os.path.join(ROOT, "build")
    subprocess.run(mk + [os.path.join(build, "test-initrd.cpio"), "dir:/:0755", "dir:/dev:0755",
                         "chardev:/dev/console:0600:5:1",
                         "file:/init:0755:" + os.path.join(release, "auxv")], check=True)
    subprocess.run(mk + ["--gzip", os.path.join(build, "test-initrd.cpio.gz"), "dir:/:0755",
                         "dir:/dev:0755", "chardev:/dev/console:0600:5:1", "dir:/tmp:01777",
                         "chardev:/dev/null:0666:1:3",
                         "file:/init:0755:" + os.path.join(release, "files")], check=True)


def check_exec_trace(out, path, randomized=True):
    """The trace=exec blocks for `path`, stage by stage (exec/mod.rs `trace_stage`): after
    bprm_mm_init one [stack] page under STACK_TOP; after copy_strings the same VMA and
    bprm->p lower; after setup_arg_pages the VMA moved (unless norandmaps) as far as
    bprm->p, and 128 KiB bigger; after the PT_LOADs the program's r-xp, r--p and rw-p
    segments at 0x400000 and up, and the stack unchanged. Returns what is wrong."""
    top = 0x1000000000000
    vma = re.compile(r"^  ([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]{8}) \S+ \d+ ?(.*)$")
    stages = {}
    stage = r"(bprm_mm_init|copy_strings|setup_arg_pages|the PT_LOAD mappings)"
    for m in re.finditer(r"^exec trace: (\S+): after " + stage + r"[^\n]*\n((?:  [^\n]*\n)*)",
                         out, re.M):
        if m.group(1) != path or m.group(2) in stages:
            continue
        lines = m.group(3).splitlines()
        vmas = [(int(v.group(1), 16), int(v.group(2), 16), v.group(3), int(v.group(4), 16),
                 v.group(5).strip()) for v in map(vma.match, lines) if v]
        p = re.search(r"bprm->p = 0x([0-9a-f]+), argc (\d+), envc (\d+)", m.group(3))
        stages[m.group(2)] = (vmas, int(p.group(1), 16) if p else None)
    want = ["bprm_mm_init", "copy_strings", "setup_arg_pages", "the PT_LOAD mappings"]
    if list(stages) != want:
        return [f"trace stages for {path}: {list(stages)}, expected {want}"]
    problems = []
    (v1, p1), (v2, p2), (v3, p3), (v4, p4) = (stages[s] for s in want)
    stack = (top - 0x1000, top, "rw-p", 0, "[stack]")
    if v1 != [stack] or p1 != top - 8:
        problems.append(f"after bprm_mm_init: {v1}, p {p1}: expected one stack page, p = top - 8")
    if v2 != [stack] or not (p2 and top - 0x1000 <= p2 < p1):
        problems.append(f"after copy_strings: {v2}, p {p2}: expected the same page, p lower")
    stacks = [v for v in v3 if v[4] == "[stack]"]
    if len(v3) != 1 or len(stacks) != 1:
        problems.append(f"after setup_arg_pages: {v3}: expected the stack VMA alone")
    else:
        start, end = stacks[0][:2]
        shift = top - end
        if (shift != 0) != randomized or end % 0x1000:
            problems.append(f"after setup_arg_pages: stack ends at {end:#x} (randomized: {randomized})")
        if end - start != 0x1000 + 0x20000:
            problems.append(f"after setup_arg_pages: stack is {end - start:#x} bytes, expected 0x21000")
        if p3 != p2 - shift:
            problems.append(f"after setup_arg_pages: p {p3:#x}, expected {p2 - shift:#x}")
    segs = [v for v in v4 if v[4] != "[stack]"]
    kinds = [(v[2], v[4]) for v in segs]
    if kinds[:2] != [("r-xp", path), ("r--p", path)] or "rw-p" not in [k for k, _ in kinds]:
        problems.append(f"after the PT_LOADs: {kinds}: expected r-xp and r--p of {path}, and rw-p")
    elif segs[0][0] != 0x400000 or segs[0][3] != 0:
        problems.append(f"after the PT_LOADs: text at {segs[0][0]:#x} offset {segs[0][3]:#x}")
    if [v for v in v4 if v[4] == "[stack]"] != stacks or p4 != p3:
        problems.append("after the PT_LOADs: the stack changed")
    return problems


def qemu_tests(t):
    """The qemu group: one boot per row of BOOTS (bootargs, console lines, exit status),
    plus the two -initrd archives it builds first."""
    print("# QEMU boots (qemu/run.sh)", flush=True)
    make_test_initrds()
    for row in BOOTS:
        code, out, timed_out = boot(row.env)
        problems = []
        if timed_out:
            problems.append(f"timed out after {TIMEOUT}s")
        elif code != row.status:
            problems.append(f"QEMU exit status {code}, expected {row.status}")
        for pat in row.want:
            if callable(pat):
                problems += pat(out)  # a checker: returns what is wrong
            elif not re.search(pat, out, re.M):
                problems.append(f"missing: {pat}")
        for pat in row.forbid:
            if re.search(pat, out, re.M):
                problems.append(f"unexpected: {pat}")
        detail = "\n".join(problems) + ("\n--- console:\n" + out if problems else "")
        t.check(not problems, f"qemu: {row.name}", detail)


TAP_LINE = re.compile(r"^(not ok|ok) (\d+)( - (.*))?$", re.M)


def tap_results(out):
    """The TAP plan and the (ok, number, name) lines of a test program's output."""
    plan = re.search(r"^1\.\.(\d+)$", out, re.M)
    lines = [(m.group(1) == "ok", int(m.group(2)), m.group(4) or "") for m in TAP_LINE.finditer(out)]
    return (int(plan.group(1)) if plan else None), lines


# Runs a command with Linux's default limits for init (8 MiB soft stack, 1024 soft
# open files), the values Linnet's init starts with, whatever the caller's shell set.
LINUX_DEFAULT_LIMITS = ["sh", "-c", 'ulimit -S -s 8192 2>/dev/null; ulimit -S -n 1024 2>/dev/null; exec "$@"', "sh"]


USERLAND = os.path.join(ROOT, "build", "userland.cpio")


def make_userland(t):
    """Build the user-land initrd (qemu/userland.sh): the Rust std, C and busybox programs."""
    r = subprocess.run(["bash", os.path.join(ROOT, "qemu", "userland.sh"), USERLAND], cwd=ROOT,
                       capture_output=True, text=True)
    for line in r.stderr.splitlines():
        if line.startswith("userland:") or line.startswith("user/c:"):
            print(f"# {line}", flush=True)
    t.check(r.returncode == 0, "the user-land initrd builds (qemu/userland.sh)", r.stdout + r.stderr)
    if r.returncode == 0:
        # Built again with nothing changed, the archive keeps its mtime (qemu/mkinitramfs.py
        # writes only changed bytes): `make run USERLAND=busybox` rewrites nothing.
        before = os.stat(USERLAND).st_mtime_ns
        again = subprocess.run(["bash", os.path.join(ROOT, "qemu", "userland.sh"), USERLAND],
                               cwd=ROOT, capture_output=True, text=True)
        t.check(again.returncode == 0 and os.stat(USERLAND).st_mtime_ns == before,
                "the user-land initrd is not rewritten when nothing changed",
                again.stdout + again.stderr)
    return r.returncode == 0


def user_tests(t):
    """The user group: each row of USER_TESTS booted as init, every TAP line of it one
    test here, then (unless Linnet-only) the same binary under qemu-aarch64, whose
    verdicts must be the same, line for line. Builds the user-land initrd when a row
    needs it."""
    print("# user programs (init=/tests/NAME; TAP)", flush=True)
    oracle = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    userland = None
    for row in USER_TESTS:
        prog, args, settings = row.prog, row.args, row.settings or {}
        env = {k: v for k, v in settings.items() if k.isupper()}
        if settings.get("binary_dir"):
            settings = dict(settings, binary=os.path.join(settings["binary_dir"], prog))
        binary = os.path.join(user_target(), settings.get("binary") or
                              os.path.join("aarch64-unknown-none", "release", prog))
        if settings.get("initrd") == "userland":
            if userland is None:
                userland = make_userland(t)
            if not userland:
                t.check(True, f"{prog}: # SKIP the user-land initrd did not build")
                continue
            env["INITRD"] = USERLAND
            if not os.path.exists(binary):
                why = ("Debian's busybox-static was not fetched (qemu/debian-pkg.sh)" if binary == BUSYBOX
                       else "not built (see the user/c: lines above)")
                t.check(True, f"{prog}: # SKIP {why}")
                continue
        init = settings.get("init") or os.path.join(settings.get("init_dir", "/tests"), prog)
        append = f"init={init}" + (f" -- {args}" if args else "")
        code, out, timed_out = boot({"APPEND": append, **env})
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
        # An unknown syscall is logged once per number, and once for all numbers past
        # the table (kernel/src/syscall/mod.rs report_unknown): no console flood.
        unknown = [int(n) for n in re.findall(r"syscall (\d+) \(\S+\) is not implemented", out)]
        if len(unknown) != len(set(unknown)) or len([n for n in unknown if n >= 511]) > 1:
            problems.append(f"unknown syscalls logged more than once: {unknown}")
        t.check(not problems, f"{prog}: ran to completion on Linnet ({len(lines)} results)",
                "\n".join(problems) + "\n--- console:\n" + out)
        RESULTS["user"][prog] = not problems and all(ok for ok, _, _ in lines)
        if oracle and settings.get("linnet_only"):
            print(f"# {prog}: Linnet only, no differential run under qemu-user", flush=True)
        elif oracle:
            # Differential test: the same binary under qemu-user (real Linux semantics)
            # must reach the same verdicts, line for line. It starts as init does on
            # Linnet, whatever the shell that ran `make test` set up: in a session and
            # process group of its own (a CI container's session may lie outside its
            # pid namespace, so getsid() says 0; and kill(0, sig) stays inside the
            # test), with Linux's default stack and open-file limits.
            host_args = settings.get("host_args", args.split())
            host_env = dict(os.environ, **(settings["host_env"]() if "host_env" in settings else {}))
            try:
                r = subprocess.run(LINUX_DEFAULT_LIMITS + [oracle, binary] + host_args, capture_output=True,
                                   text=True, timeout=TIMEOUT, start_new_session=True, env=host_env)
                _, ref = tap_results(r.stdout)
                same = [(ok, n) for ok, n, _ in ref] == [(ok, n) for ok, n, _ in lines]
                t.check(same and r.returncode == 0, f"{prog}: same TAP verdicts under {os.path.basename(oracle)} (Linux semantics)",
                        r.stdout + r.stderr)
            except subprocess.TimeoutExpired:
                t.check(False, f"{prog}: under {os.path.basename(oracle)}", "timed out")


def labs_tests(t):
    """labs/lab.py check: per lab, its text and answers template, the handout (a git
    repository of one commit) builds and fails its grade, the full tree passes; and what
    `make grade` prints in a handout (named failures, kernel panics, TEST=, answers)."""
    print("# labs (handouts, make grade's report, the full tree gets full marks)", flush=True)
    cmd = ["python3", "labs/lab.py", "check"]
    if RESULTS["host_ok"] is not None and RESULTS["user"]:
        save_results()
        cmd += ["--results", RESULTS_FILE]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    # Each verdict line with the "#   " lines lab.py printed under it.
    for m in re.finditer(r"^(not ok|ok) - (.*)\n((?:#   .*\n)*)", r.stdout, re.M):
        t.check(m.group(1) == "ok", m.group(2), re.sub(r"^#   ", "", m.group(3), flags=re.M))
    if r.returncode != 0 and "not ok" not in r.stdout:
        t.check(False, "labs/lab.py check ran", r.stdout + r.stderr)


# A scripted shell session: boot the normal way (/init -> /bin/init -> /bin/sh), type
# each line at the console once the shell's prompt is back, and check what the console
# shows between that line and the next prompt. The shell's line editor echoes what is
# typed, so the transcript reads like a person's session. One row per check:
#   (line typed, or None for "just boot"; checks; name)
# A check is a pattern the output must contain (re.M), ("not", pattern) for one it must
# not contain, or a function (output, outputs of the earlier rows by name) -> a problem
# or None. A line ending in " ^C" is typed, and a second later Ctrl-C (0x03) follows.
# Keys are typed as the terminal sends them: "\t" (Tab), "\x1b[A" (up), "\x1b[D" (left).


def same_count_as(row, name_of_count):
    """A check: the number this row prints equals the number of lines `row` printed."""
    def check(out, outs):
        m = re.search(r"^(\d+)$", out, re.M)
        listed = [l for l in outs.get(row, "").split("\n")[1:] if l and not SESSION_PROMPT.match(l)]
        if not m or int(m.group(1)) != len(listed) or not listed:
            return f"{name_of_count}: printed {m and m.group(1)}, but `{row}` listed {len(listed)} lines"
        return None
    return check


SESSION = [
    (None, [r"^linnet:/# $"], "the shell prints its prompt"),
    ("echo hello", [r"^linnet:/# echo hello\n+hello$"], "a program runs: echo hello"),
    ("sleep 2 &", [r"^\[1\] \d+$"], "a background job starts: [1] PID"),
    ("ps", [r"^ +1 +0 +1 S init$", r"^ +\d+ +1 +\d+ [RS] sh$", r"^ +\d+ +\d+ +\d+ [RS] sleep$"],
     "ps (from /proc) shows init, the shell and the sleeping job"),
    ("wait", [r"^\[1\]\+ exited with 0  sleep 2 \(pid \d+\)$"], "wait waits for the job and reports it"),
    ('/bin/sh -c "exit 3"', [r"^/bin/sh: pid \d+ exited with 3$"], "a failing child: 'exited with 3'"),
    ("echo $?", [r"^3$"], "$? is the failed command's status"),
    ("segfault", [r"^segfault: pid \d+ killed by SIGSEGV$"], "a segfaulting child: 'killed by SIGSEGV'"),
    ("echo $?", [r"^139$"], "$? after SIGSEGV is 128 + 11"),
    ("sigdemo", [r"handler: signal 11, si_code 2 \(SEGV_ACCERR\)", r"the store was retried and the page reads 42"],
     "sigdemo: a SIGSEGV handler on an alternate stack repairs the page and the store is retried"),
    ("sleep 30 ^C", [r"^\^C$", r"^sleep: pid \d+ killed by SIGINT$"],
     "Ctrl-C kills the foreground job (its own process group), not the shell"),
    ("/tests/ttyraw ^C", [r"^ttyraw: read 0x03 \(1 bytes\) in raw mode$"],
     "raw mode (ISIG, ICANON, ECHO off; VMIN 0, VTIME 50): Ctrl-C arrives as the byte 0x03"),
    ("zombie", [r"^ +(\d+) +\d+ +\d+ S zombie\n +\d+ +\1 +\d+ Z zombie <defunct>$",
                r"wait4\(\d+\) collected its status: exited with 7"],
     "zombie: the exited child is Z in ps until its parent waits"),
    ("cd /tests", [r"^linnet:/tests# $"], "cd /tests changes the prompt's directory"),
    ("ls", [r"\bbasics\b", r"\bfork_cow\b"], "ls lists /tests"),
    # Pipelines, lists, quoting, globbing.
    ("echo abc | cat", [r"^abc$", ("not", r"^abc \| cat$")], "a pipe: echo abc | cat prints abc"),
    ("ls /bin | cat", [r"^sh$", r"^wc$"], "ls /bin | cat: one name a line"),
    ("ls /bin | cat | wc -l", [same_count_as("ls /bin | cat", "wc -l")],
     "ls /bin | cat | wc -l counts the programs in /bin"),
    ("echo one two three | cat | cat | cat | wc", [r"^      1       3      14$"],
     "a five-command pipeline; wc counts lines, words, bytes"),
    ("false && echo no || echo yes; true && echo and-ok", [r"^yes$", r"^and-ok$", ("not", r"^no$")],
     "&&, || and ; run each part as the statuses say"),
    ("echo 'single  $HOME' \"double  $?\" back\\ slash\\$", [r"^single  \$HOME double  0 back slash\$$"],
     "quoting: '...' keeps everything, \"...\" expands $, \\ escapes one character"),
    ("echo /tests/fork* /bin/?s /bin/[ck]at '/bin/*'", [r"^/tests/fork_cow /tests/forkbomb /bin/ls /bin/ps /bin/cat /bin/\*$"],
     "globbing: * ? [..] match sorted file names; a quoted * is a plain *"),
    ("echo /nothing/here*", [r"^/nothing/here\*$"], "a pattern that matches nothing stays as it is"),
    ('echo $NOPE "($NOPE)" x', [r"^\(\) x$"], "an unset $NAME unquoted is no argument; quoted, an empty one"),
    ("echo $(ls)", [r"^sh: \$\(\.\.\.\) command substitution is not supported$", ("not", r"basics")],
     "an unsupported construct ($(...)) is an error, not wrong output"),
    ("if true; then echo yes; fi", [r"^sh: 'if': control flow .* is not supported$", ("not", r"^yes$")],
     "control flow (if) is an error"),
    ("echo a | | cat", [r"^sh: syntax error near unexpected token `\|'$"], "a syntax error names the token"),
    # The line editor: history, cursor keys, Tab.
    ("echo history-one", [r"^history-one$"], "a line for the history"),
    ("\x1b[A", [r"^history-one$"], "up arrow (ESC [ A) recalls the last line; Enter runs it again"),
    ("echo wrld\x1b[D\x1b[D\x1b[Do", [r"^world$"], "left arrow (ESC [ D) moves the cursor; typing inserts mid-line"),
    ("echo abcx\x7f", [r"^abc$"], "Backspace erases the character before the cursor"),
    ("ech\tcompleted", [r"^completed$"], "Tab completes a command from /bin (ech -> echo)"),
    ("ls /tests/fork_\t", [r"^/tests/fork_cow$"], "Tab completes a path (/tests/fork_ -> /tests/fork_cow)"),
    ("ls /tests/fork\t\x15echo listed", [r"^fork_cow +forkbomb$", r"^listed$"],
     "Tab with several candidates lists them; Ctrl-U erases the line"),
    # Job numbers: the lowest free one, as dash and busybox ash give them.
    ("sleep 1 &", [r"^\[1\] \d+$"], "job 1"),
    ("sleep 8 &", [r"^\[2\] \d+$"], "job 2"),
    ("wait %1", [r"^\[1\]\+ exited with 0  sleep 1 \(pid \d+\)$"], "wait %1 waits for job 1"),
    ("sleep 3 &", [r"^\[1\] \d+$"], "a new job takes number 1 again while job 2 runs"),
    ("jobs", [r"^\[1\] \d+ running  sleep 3$", r"^\[2\] \d+ running  sleep 8$"], "jobs lists both"),
    ("wait", [r"^\[1\]\+ exited with 0", r"^\[2\]\+ exited with 0"], "wait waits for both"),
    # The small tools.
    ("mkdir /tmp/d && cd /tmp/d && touch a b && ls", [r"^linnet:/tmp/d# $", r"^a +b$"], "mkdir, touch, ls"),
    ("echo -n to-; echo gether", [r"^to-gether$"], "echo -n prints no newline"),
    ("echo hello > f && cp f g && mv g h && ls && cat h", [r"^a +b +f +h$", r"^hello$"], "cp and mv"),
    ("rm a b f; rm a; echo $?", [r"^rm: cannot remove 'a': No such file or directory$", r"^1$"],
     "rm; a missing file: coreutils' message and status 1"),
    ("mkdir e; mkdir e; rmdir /tmp/d", [r"^mkdir: cannot create directory 'e': File exists$",
                                        r"^rmdir: failed to remove '/tmp/d': Directory not empty$"],
     "mkdir and rmdir errors as coreutils says them"),
    ("rmdir e && ls /bin | head -n 3 | wc -l", [r"^3$"], "rmdir; head -n 3"),
    ("cat h h h | grep -c hell; grep -n ell h; grep nothing h; echo $?", [r"^3$", r"^1:hello$", r"^1$"],
     "grep: -c counts, -n numbers, no match is status 1"),
    ("ls -l /", [r"^drwxrwxrwt .* tmp$"], "ls -l shows the sticky bit of /tmp (t)"),
    ("clear", [r"\x1b\[H\x1b\[2J"], "clear sends ESC [ H ESC [ 2 J"),
    ("cd /; rm -r /tmp/d && echo removed; ls /tmp", [r"^removed$", ("not", r"^(.*\s)?d(\s.*)?$")],
     "rm -r removes a directory tree"),
    ("sleep 30 &", [r"^\[1\] \d+$"], "a job to kill"),
    ("kill %1; wait", [r"^\[1\]\+ killed by SIGTERM  sleep 30 \(pid \d+\)$"], "kill %1 signals job 1"),
    # init: the shell is respawned, poweroff ends the machine.
    ("kill -9 $$", [r"^init: /bin/sh \(pid \d+\) killed by SIGKILL$", r"^linnet:/# $"],
     "kill -9 of the shell: init starts a new one (a new prompt)"),
    ("echo $?", [r"^0$"], "the new shell works"),
    ("exit", [r"^exit$", r"^linnet:/# $"], "exit: init starts a new shell, as after a logout"),
    ("poweroff", [r"reboot: Power down"], "poweroff: init powers the machine off (QEMU exits 0)"),
]
# (A prompt may follow escape sequences on its line: `clear` leaves the cursor there.)
SESSION_PROMPT = re.compile(r"^(?:\x1b\[[0-9;]*[A-Za-z])*linnet:[^\n#]*# ", re.M)
SESSION_STEP_TIMEOUT = 20  # seconds for one command to give the prompt back
SESSION_END = ("poweroff",)  # lines after which QEMU must exit


def session_problems(want, out, outs):
    """What `want` (the checks of a SESSION row) finds wrong with `out`."""
    problems = []
    for w in want:
        if callable(w):
            p = w(out, outs)
            if p:
                problems.append(p)
        elif isinstance(w, tuple):
            if re.search(w[1], out, re.M):
                problems.append(f"present but must not be: {w[1]}")
        elif not re.search(w, out, re.M):
            problems.append(f"missing: {w}")
    return problems


def session_tests(t):
    """The session group's shell session: the rows of SESSION typed at the console of one
    boot, each checked against what the console shows until the next prompt."""
    print("# shell session (console input typed line by line after each prompt)", flush=True)
    env = dict(os.environ)
    for k in ("MEM", "GIC", "EL2", "APPEND", "INITRD", "GDB", "KERNEL", "CPU"):
        env.pop(k, None)
    q = subprocess.Popen(["bash", RUN], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks = []
    lock = threading.Lock()

    def reader():
        for data in iter(lambda: q.stdout.read1(4096), b""):
            with lock:
                chunks.append(data)

    threading.Thread(target=reader, daemon=True).start()

    def console():
        with lock:
            return b"".join(chunks).decode(errors="replace").replace("\r", "")

    def wait_until(cond, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return True
            time.sleep(0.05)
        return cond()

    alive = True
    outs = {}
    try:
        for line, want, name in SESSION:
            now = console()
            prompts = list(SESSION_PROMPT.finditer(now))
            start = prompts[-1].start() if prompts else len(now)  # the transcript shows the prompt
            prompts = len(prompts)
            if line is not None and alive:
                ctrl_c = line.endswith(" ^C")
                try:
                    q.stdin.write(line.removesuffix(" ^C").encode() + b"\n")
                    q.stdin.flush()
                    if ctrl_c:
                        time.sleep(1)  # the job is running in the foreground by then
                        q.stdin.write(b"\x03")
                        q.stdin.flush()
                except BrokenPipeError:
                    alive = False
            if line in SESSION_END:
                done = wait_until(lambda: q.poll() is not None, SESSION_STEP_TIMEOUT)
            else:
                done = alive and wait_until(
                    lambda: len(SESSION_PROMPT.findall(console())) > prompts
                    and console().endswith("# "), SESSION_STEP_TIMEOUT)
            out = console()[start:]
            outs[line] = out
            problems = ([] if done else ["no prompt came back" if line not in SESSION_END else "QEMU did not exit"])
            problems += session_problems(want, out, outs)
            alive = alive and done
            t.check(not problems, f"session: {name}",
                    "\n".join(problems) + "\n--- console since the line was typed:\n" + out)
    finally:
        if q.poll() is None:
            q.kill()
        q.wait()
    out = console()
    problems = []
    if q.returncode != 0:
        problems.append(f"QEMU exit status {q.returncode}, expected 0")
    if "Kernel panic" in out:
        problems.append("kernel panic")
    t.check(not problems, "session: ended cleanly (QEMU exit status 0, no panic)",
            "\n".join(problems) + "\n--- console:\n" + out)


# init's guard against a shell that keeps dying (sysvinit's "respawning too fast"): the
# shell ended 11 times within a minute (Ctrl-D at each prompt), init powers off.
def respawn_limit_test(t):
    env = dict(os.environ)
    for k in ("MEM", "GIC", "EL2", "APPEND", "INITRD", "GDB", "KERNEL", "CPU"):
        env.pop(k, None)
    q = subprocess.Popen(["bash", RUN], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks = []
    threading.Thread(target=lambda: [chunks.append(d) for d in iter(lambda: q.stdout.read1(4096), b"")],
                     daemon=True).start()

    def console():
        return b"".join(chunks).decode(errors="replace").replace("\r", "")

    problems = []
    try:
        for n in range(1, 12):
            deadline = time.monotonic() + (TIMEOUT if n == 1 else SESSION_STEP_TIMEOUT)
            while time.monotonic() < deadline and len(SESSION_PROMPT.findall(console())) < n:
                time.sleep(0.05)
            if len(SESSION_PROMPT.findall(console())) < n:
                problems.append(f"prompt {n} did not come")
                break
            q.stdin.write(b"\x04")  # Ctrl-D: end of input, the shell exits
            q.stdin.flush()
        q.wait(timeout=SESSION_STEP_TIMEOUT)
    except (BrokenPipeError, subprocess.TimeoutExpired) as e:
        problems.append(f"QEMU: {e}")
    finally:
        if q.poll() is None:
            q.kill()
        q.wait()
    if "init: /bin/sh respawning too fast; powering off" not in console():
        problems.append("missing: init: /bin/sh respawning too fast; powering off")
    if q.returncode != 0:
        problems.append(f"QEMU exit status {q.returncode}, expected 0")
    t.check(not problems, "session: a shell that ends 11 times in a minute is not restarted (init powers off)",
            "\n".join(problems) + "\n--- console:\n" + console())


# The shell's pure parts (lexer, parser, globbing, line editor, completion) have host
# unit tests in user/bin/src/sh/host_tests.rs, built with plain rustc (they use no ulib).
def shell_host_tests(t):
    print("# shell unit tests (user/bin/src/sh/host_tests.rs, on the host)", flush=True)
    exe = os.path.join(ROOT, "build", "sh_host_tests")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    src = os.path.join(ROOT, "user", "bin", "src", "sh", "host_tests.rs")
    r = subprocess.run(["rustc", "--edition", "2021", "--test", src, "-o", exe], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode != 0:
        t.check(False, "shell unit tests build", r.stderr)
        return
    r = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    for name, verdict in re.findall(r"^test (\S+) \.\.\. (\w+)$", r.stdout, re.M):
        t.check(verdict == "ok", f"sh: {name}", r.stdout)
    if r.returncode != 0 and " ... FAILED" not in r.stdout:
        t.check(False, "shell unit tests ran", r.stdout + r.stderr)


# The small tools of /bin against GNU coreutils and grep on the host: the same command in
# two fresh copies of one directory, one run with our aarch64 binary under
# qemu-aarch64-static, one with the host's; stdout, stderr, exit status and what the
# directory holds afterwards must be the same. LC_ALL=C: coreutils' plain ASCII quotes.
TOOL_CASES = [
    "wc f1", "wc -l f1", "wc -c f2", "wc f1 f2", "wc -w f2 nofile", "wc < f1", "cat f1 | wc", "cat f1 | wc -l",
    "head -n 2 f1", "head -1 f1 f2", "head nofile", "head -n x f1", "cat f1 | head -n 1",
    "grep o f1", "grep -i HELLO f1", "grep -c o f1 f2", "grep -n o f1", "grep -v o f1", "grep zzz f1",
    "grep x nofile", "grep", "cat f1 | grep bar",
    "mkdir d", "mkdir f1", "mkdir -p d/e/f", "mkdir -p sub", "mkdir", "mkdir -z d",
    "rmdir sub", "rmdir f1", "rmdir nodir", "rmdir full",
    "rm f1", "rm nofile", "rm -f nofile", "rm sub", "rm -r full", "rm",
    "mv f1 f3", "mv f1 sub", "mv nofile x", "mv f1", "mv f1 f2 f3",
    "cp f1 f3", "cp f1 sub", "cp nofile x", "cp sub x", "cp f1",
    "touch f1", "touch new", "touch nodir/x", "touch",
    "echo -n abc", "echo -n", "echo a -n b", "cp f1 f2 nod", "wc -c nofile f2 f1",
    "ls", "ls full", "ls nofile", "ls -z",
]


def tools_differential(t):
    print("# the small tools against coreutils (qemu-aarch64-static vs the host)", flush=True)
    qemu = shutil.which("qemu-aarch64-static")
    if not qemu:
        print("ok - tools vs coreutils # SKIP no qemu-aarch64-static", flush=True)
        return
    import tempfile
    release = os.path.join(user_target(), "aarch64-unknown-none", "release")

    def fixture(d):
        with open(os.path.join(d, "f1"), "w") as f:
            f.write("hello world\nfoo  bar baz\n\nHello again\n")
        with open(os.path.join(d, "f2"), "w") as f:
            f.write("x\ny")
        os.mkdir(os.path.join(d, "sub"))
        os.makedirs(os.path.join(d, "full", "inner"))
        with open(os.path.join(d, "full", "inner", "z"), "w") as f:
            f.write("z\n")

    def state(d):
        out = []
        for top, dirs, files in sorted(os.walk(d)):
            rel = os.path.relpath(top, d)
            out += [f"{rel}/{n}/" for n in sorted(dirs)]
            out += [f"{rel}/{n} {os.path.getsize(os.path.join(top, n))}" for n in sorted(files)]
        return out

    env = dict(os.environ, LC_ALL="C")
    for case in TOOL_CASES:
        results = []
        for ours in (True, False):
            with tempfile.TemporaryDirectory() as d:
                fixture(d)
                cmd = case
                if ours:
                    # Each tool named in the case runs as our binary.
                    cmd = re.sub(r"(^|\| )(\w+)", lambda m: f"{m.group(1)}{qemu} {release}/{m.group(2)}", case)
                r = subprocess.run(["bash", "-c", cmd], cwd=d, env=env, capture_output=True, text=True,
                                   timeout=30)
                err = r.stderr.replace(f"{release}/", "")
                results.append((r.stdout, err, r.returncode, state(d)))
        t.check(results[0] == results[1], f"tools: `{case}` as coreutils",
                f"ours:      {results[0]!r}\ncoreutils: {results[1]!r}")


# Debian's busybox ash as `make run USERLAND=busybox` starts it (init gives the shell a
# session and the console as its controlling terminal): job control must work.
BUSYBOX_SESSION = [
    ("sleep 30 ^C", None),
    ("echo status $?", r"^status 130$"),
    ("sleep 20 &", None),
    ("jobs", r"^\[1\]\+ +Running +sleep 20$"),
]


def busybox_session_tests(t):
    print("# busybox ash session (make run USERLAND=busybox)", flush=True)
    if not os.path.exists(BUSYBOX):
        print("ok - busybox ash session # SKIP busybox-static not fetched", flush=True)
        return
    if not os.path.exists(USERLAND) and not make_userland(t):
        return
    env = dict(os.environ)
    for k in ("MEM", "GIC", "EL2", "APPEND", "INITRD", "GDB", "KERNEL", "CPU"):
        env.pop(k, None)
    env.update({"INITRD": USERLAND, "APPEND": "init=/sbin/init"})
    q = subprocess.Popen(["bash", RUN], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks = []
    threading.Thread(target=lambda: [chunks.append(d) for d in iter(lambda: q.stdout.read1(4096), b"")],
                     daemon=True).start()

    def console():
        return b"".join(chunks).decode(errors="replace").replace("\r", "")

    def prompts_reach(n, timeout=SESSION_STEP_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and console().count("/ # ") < n:
            time.sleep(0.05)
        return console().count("/ # ") >= n

    problems = []
    try:
        if not prompts_reach(1, TIMEOUT):
            problems.append("no ash prompt")
        for n, (line, want) in enumerate(BUSYBOX_SESSION, start=2):
            if problems:
                break
            start = len(console())
            q.stdin.write(line.removesuffix(" ^C").encode() + b"\n")
            q.stdin.flush()
            if line.endswith(" ^C"):
                time.sleep(1)  # the job is in the foreground by then
                q.stdin.write(b"\x03")
                q.stdin.flush()
            if not prompts_reach(n):
                problems.append(f"{line}: no prompt came back")
            elif want and not re.search(want, console()[start:], re.M):
                problems.append(f"{line}: missing {want}")
        # busybox's poweroff sends SIGUSR2 to init (pid 1), Linnet's init, which powers
        # off; `exit` would only end the shell, and init would start a new one.
        q.stdin.write(b"poweroff\n")
        q.stdin.flush()
        q.wait(timeout=SESSION_STEP_TIMEOUT)
    except (BrokenPipeError, subprocess.TimeoutExpired) as e:
        problems.append(f"QEMU: {e}")
    finally:
        if q.poll() is None:
            q.kill()
        q.wait()
    if q.returncode != 0:
        problems.append(f"QEMU exit status {q.returncode}, expected 0")
    t.check(not problems, "busybox ash: Ctrl-C stops the foreground job (status 130), & and jobs work",
            "\n".join(problems) + "\n--- console:\n" + console())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_tests(t):
    """The gdb group: `make gdb` with nothing listening, `make build-debug`, and one batch
    gdb session per row of GDB_SESSIONS, each against a QEMU of its own."""
    print("# gdb (gdb-multiarch against QEMU's gdb stub)", flush=True)
    gdb_without_qemu(t)
    gdb_constants_from_elf(t)
    r = subprocess.run(["make", "-s", "build-debug"], cwd=ROOT, capture_output=True, text=True)
    t.check(r.returncode == 0, "gdb: make build-debug builds the unoptimized kernel (build/debug)",
            r.stdout + r.stderr)
    for row in GDB_SESSIONS:
        port = free_port()
        env = dict(os.environ, GDB="1", GDB_PORT=str(port), APPEND="test=ticks")
        for k in ("MEM", "GIC", "EL2", "INITRD", "CPU", "KERNEL"):
            env.pop(k, None)
        env.update(row.env or {})
        typed = list(row.typed)  # type_into_console takes them off as it types them
        q = subprocess.Popen(["bash", RUN], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        console = []
        threading.Thread(target=type_into_console, args=(q, typed, console), daemon=True).start()
        try:
            time.sleep(0.5)
            args = ["gdb-multiarch", "-q", "-batch", "-nx", "-x", os.path.join("qemu", row.gdbinit)]
            for c in row.commands + ["kill"]:
                args += ["-ex", c]
            if row.gdbinit == "gdbinit":
                args.append(row.elf)
            try:
                r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                                   timeout=row.timeout)
                out = r.stdout + r.stderr
            except subprocess.TimeoutExpired as e:
                out = f"gdb timed out\n{e.stdout or ''}"
            missing = [p for p in row.want if not re.search(p, out, re.M)]
            if row.compare:
                missing += row.compare(out, b"".join(console).decode(errors="replace"))
            # The output first, so the last lines shown on failure say what is missing.
            detail = "--- gdb:\n" + out + "\nmissing: " + "\n  ".join(missing)
            if row.typed or row.compare:
                detail = "--- console:\n" + b"".join(console).decode(errors="replace")[-1500:] + detail
            t.check(not missing, row.name, detail)
        finally:
            q.kill()
            q.wait()


def gdb_without_qemu(t):
    """`make gdb` and `gdb -x qemu/gdbinit` with nothing listening say at once (< 2 s)
    to run `make debug` first, with no Python traceback."""
    port = free_port()
    env = dict(os.environ, GDB_PORT=str(port))
    for what, cmd in (("make gdb", ["make", "-s", "gdb"]),
                      ("gdb -x qemu/gdbinit", ["gdb-multiarch", "-q", "-batch", "-nx", "-x",
                                               "qemu/gdbinit", "build/kernel.elf"])):
        start = time.monotonic()
        try:
            r = subprocess.run(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=20)
            out, code = r.stdout + r.stderr, r.returncode
        except subprocess.TimeoutExpired as e:
            out, code = f"timed out\n{e.stdout or ''}", None
        took = time.monotonic() - start
        ok = (code not in (0, None) and took < 2 and "Traceback" not in out
              and f"no QEMU gdb stub on port {port}: run `make debug` first" in out)
        t.check(ok, f"gdb: {what} with no QEMU listening says to run make debug, within 2 s",
                f"took {took:.1f} s, exit status {code}\n{out}")


def gdb_constants_from_elf(t):
    """The helpers' numbers come from the kernel ELF alone (kernel/src/gdb_constants.rs,
    read by qemu/linnet_gdb/constants.py): with no QEMU, gdb reads them and decodes an ESR
    value and a descriptor in the kernel's words (the fault row of BOOTS, pte.rs)."""
    script = ("import linnet_gdb.constants as C, linnet_gdb.esr as E, linnet_gdb.pgtable as P; "
              "print('layout', hex(C.PAGE_OFFSET), hex(C.TASK_SIZE), hex(C.VA_START)); "
              "print(E.esr_line(0x96000004)); "
              "print(P.describe(0x0040000040200791, 2))")
    r = subprocess.run(["gdb-multiarch", "-q", "-batch", "-nx", "build/kernel.elf",
                        "-ex", "source qemu/linnet_gdb.py", "-ex", "python " + script],
                       cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60)
    out = r.stdout + r.stderr
    want = ["layout 0xffff800000000000 0x1000000000000 0xffff000000000000",
            "ESR 0x96000004: EC 0x25 data abort (same EL); translation fault, level 0; read",
            "L2 block 2M pa=0x40200000 AF SH=inner AP=EL1-RO/EL0-none UXN attr=Normal"]
    missing = [w for w in want if w not in out.splitlines()]
    t.check(r.returncode == 0 and not missing,
            "gdb: the helpers read their constants from the kernel ELF (no QEMU needed)",
            out + "\nmissing: " + "\n  ".join(missing))


def type_into_console(q, typed, console):
    """Read QEMU's console into `console` (a list of byte chunks); each time the next
    (regex, line) of `typed` matches the console since the previous line was typed, type
    that line (a scripted user at the serial console, while gdb drives the CPU)."""
    seen = 0
    for data in iter(lambda: q.stdout.read1(4096), b""):
        console.append(data)
        if typed and re.search(typed[0][0], b"".join(console)[seen:].decode(errors="replace"), re.M):
            seen = len(b"".join(console))
            try:
                q.stdin.write(typed.pop(0)[1].encode() + b"\n")
                q.stdin.flush()
            except BrokenPipeError:
                return


def one_user(prog):
    """Boot one user test program as init (for labs/lab.py): exit 0 if it passes."""
    t = Tally()
    code, out, timed_out = boot({"APPEND": f"init=/tests/{prog}"})
    plan, lines = tap_results(out)
    for ok, n, name in lines:
        t.check(ok, f"{prog}: {name}")
    t.check(not timed_out and code == 0 and plan == len(lines) and "Kernel panic" not in out,
            f"{prog}: ran to completion", out[-3000:])
    print(f"{t.passed} passed, {t.failed} failed")
    sys.exit(1 if t.failed else 0)


def fuzz(seconds, seed):
    """`make fuzz SECONDS=N SEED=S`: one long run of the syscall fuzzer (user/tests fuzz.rs)
    as init. Passes when every TAP line is ok, init exits 0, and nothing panicked or hung.
    The console goes to build/fuzz.log; its last lines are printed."""
    t = Tally()
    code, out, timed_out = boot({"APPEND": f"init=/tests/fuzz -- {seconds} {seed}"},
                                timeout=seconds + 120)
    with open(os.path.join(ROOT, "build", "fuzz.log"), "w") as f:
        f.write(out)
    print("\n".join(l for l in out.splitlines() if not l.startswith("# worker"))[-3000:])
    plan, lines = tap_results(out)
    for ok, n, name in lines:
        t.check(ok, f"fuzz: {name}")
    t.check(not timed_out and code == 0 and plan == len(lines) and "Kernel panic" not in out,
            f"fuzz: {seconds} s, seed {seed}: ran to completion (console in build/fuzz.log)")
    print(f"{t.passed} passed, {t.failed} failed")
    sys.exit(1 if t.failed else 0)


# The groups `runtests.py GROUP...` knows, in the order they run: what each tests, and
# about how long it takes on the 2-core development machine (once `make build` is done).
GROUPS = {
    "host": "docs match the code (syscalls.md, linux-map.md, doccheck.py), mkinitramfs.py's "
            "self-test, the kernel's host unit tests (cargo test -p linnet) and the shell's; "
            "about 1.5 minutes, most of it compiling the tests",
    "build": "make build, then a no-op make build must compile and rewrite nothing; seconds",
    "qemu": "one QEMU boot per row of BOOTS: the banner, ticks, GICv3, EL2, faults, stack "
            "guards, bootargs, -initrd; about 15 seconds",
    "user": "every user test program booted as init (USER_TESTS, about 60 boots) and run "
            "under qemu-aarch64 for the same verdicts; the longest group, several minutes",
    "session": "a shell session typed at the console, init's respawn limit, busybox ash's "
               "job control, the small tools against coreutils; a few minutes",
    "gdb": "make build-debug, the helpers' constants read from the kernel ELF, and batch gdb "
           "sessions against QEMU's gdb stub (GDB_SESSIONS); about 3 minutes",
    "labs": "labs/lab.py check: each lab's handout builds and fails its grade, the full tree "
            "passes it; reuses the host and user verdicts of this run when it has them",
}


def main():
    if sys.argv[1:2] == ["--fuzz"]:
        fuzz(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    if sys.argv[1:2] == ["--one-user"]:
        one_user(sys.argv[2])
    if sys.argv[1:2] == ["--user"]:
        # Some rows of USER_TESTS only, with their differential runs: --user NAME...
        global USER_TESTS
        USER_TESTS = [row for row in USER_TESTS if row.prog in sys.argv[2:]]
        t = Tally()
        if build(t):
            user_tests(t)
        print(f"{t.passed} passed, {t.failed} failed")
        sys.exit(1 if t.failed else 0)
    groups = sys.argv[1:] or [g for g in GROUPS if g != "build"]  # the others build
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        print(f"runtests.py: unknown group {', '.join(unknown)}; the groups are:", file=sys.stderr)
        for name, what in GROUPS.items():
            print(f"  {name:8} {what}", file=sys.stderr)
        sys.exit(2)
    t = Tally()
    if "host" in groups:
        host_tests(t)
        shell_host_tests(t)
    if any(g in groups for g in ("build", "qemu", "user", "session", "gdb")) and build(t):
        noop_build_tests(t)
        if "qemu" in groups:
            qemu_tests(t)
        if "user" in groups:
            user_tests(t)
        if "session" in groups:
            session_tests(t)
            respawn_limit_test(t)
            busybox_session_tests(t)
            tools_differential(t)
        if "gdb" in groups:
            gdb_tests(t)
    if "labs" in groups:
        labs_tests(t)
    print(f"{t.passed} passed, {t.failed} failed")
    sys.exit(1 if t.failed else 0)


if __name__ == "__main__":
    main()
