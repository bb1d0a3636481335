#!/usr/bin/env bash
# qemu/run.sh: the one way Linnet's QEMU is started (make run, debug, test all use it).
#
# Settings come from the environment (the Makefile passes its variables through):
#   KERNEL   kernel image (default build/kernel.img: Linux arm64 Image format, so QEMU
#            passes the device tree in x0 and loads -initrd)
#   MEM      RAM size (default 512M)          GIC   2 or 3 (default 2)
#   EL2      1: start at EL2 (virtualization=on), as on real boards
#   CPU      the CPU model (default cortex-a72; "max" has newer features such as PAN)
#   APPEND   extra bootargs                   INITRD  an initramfs to load with -initrd
#   GDB      1: freeze at the first instruction and wait for gdb on GDB_PORT (1234)
# Semihosting is always on, so a power-off can hand QEMU an exit status (the kernel's
# verdict in tests). Quit an interactive QEMU with Ctrl-A X.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=${KERNEL:-$here/build/kernel.img}
MEM=${MEM:-512M}
GIC=${GIC:-2}
CPU=${CPU:-cortex-a72}
EL2=${EL2:-0}
APPEND=${APPEND:-}
INITRD=${INITRD:-}
GDB=${GDB:-0}
GDB_PORT=${GDB_PORT:-1234}

machine="virt,gic-version=$GIC"
[ "$EL2" = 1 ] && machine="$machine,virtualization=on"
args=(-M "$machine" -cpu "$CPU" -smp 1 -m "$MEM" -nographic -no-reboot
      -kernel "$KERNEL" -append "semihosting $APPEND"
      -semihosting-config enable=on,target=native)
[ -n "$INITRD" ] && args+=(-initrd "$INITRD")
if [ "$GDB" = 1 ]; then
    args+=(-S -gdb "tcp::$GDB_PORT")
    echo "qemu: frozen at the first instruction; connect with 'make gdb' (port $GDB_PORT)" >&2
fi
exec qemu-system-aarch64 "${args[@]}"
