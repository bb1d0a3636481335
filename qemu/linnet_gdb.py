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
# This file only loads the package qemu/linnet_gdb/, one module per subsystem (its
# __init__.py lists them), as Linux's scripts/gdb/vmlinux-gdb.py loads scripts/gdb/linux/.
# The numbers the helpers need come from the kernel ELF (kernel/src/gdb_constants.rs).
# Sourced again (after editing a module), it reloads them. docs/gdb.md has examples.
import importlib
import os
import sys

_qemu = os.path.dirname(os.path.abspath(__file__))
if _qemu not in sys.path:
    sys.path.insert(0, _qemu)

import linnet_gdb  # noqa: E402 - the package, qemu/linnet_gdb/__init__.py

for _name in linnet_gdb.MODULES:
    _full = "linnet_gdb." + _name
    if _full in sys.modules:
        importlib.reload(sys.modules[_full])
    else:
        importlib.import_module(_full)
