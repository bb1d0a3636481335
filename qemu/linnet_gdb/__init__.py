"""qemu/linnet_gdb/: gdb helper commands for Linnet, one module per subsystem.

What the kernel keeps in memory, shown from gdb without running a line of kernel code.
Linux has the same idea in scripts/gdb/linux/ (lx-ps, lx-mounts, ...), split the same way;
qemu/linnet_gdb.py (sourced by qemu/gdbinit) loads these modules, as Linux's
scripts/gdb/vmlinux-gdb.py loads its package:

  constants.py  the kernel's numbers, read from LINNET_GDB_CONSTANTS in the kernel ELF
                (kernel/src/gdb_constants.rs; Linux constants.py.in)
  utils.py      reading Rust values and memory, kernel statics, registers, kernel_view
  printers.py   pretty printers: rustc's (guarded), ByteString for &[u8] text
  tasks.py      tasks (lx-tasks): the pid table TASKS
  mm.py         vmas [PID] (/proc/PID/maps format), cmdline [PID]
  pgtable.py    ptwalk ADDR [PID]: the page-table walk, descriptors decoded
  esr.py        esr [VALUE]: ESR_EL1 decoded as kernel/src/arch/aarch64/esr.rs does
  symbols.py    kbreak NAME; linnet-user-symbols on|off (the exec hook);
                linnet-load-user PATH [BIAS]

Kernel data is read from gdb's view of memory through the debug info: TASKS is a
BTreeMap inside a spin::Mutex, walked with the pretty-printer helpers rustc ships in its
sysroot (lib/rustlib/etc/gdb_providers.py), so no B-tree node layout is copied here.
Page tables are read through the kernel's linear map of RAM (PAGE_OFFSET + pa).
The descriptor and ESR wording follows kernel/src/arch/aarch64/{pte,esr}.rs, so a line
here reads the same as the kernel's own crash report. docs/gdb.md has examples.
"""
import os

# The repository's top directory (qemu/linnet_gdb/ is two levels down).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Every module, in load order (each registers its commands when imported).
MODULES = ["constants", "utils", "printers", "tasks", "pgtable", "mm", "esr", "symbols"]
