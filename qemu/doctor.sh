#!/usr/bin/env bash
# qemu/doctor.sh: check (and only check) what Linnet needs; say how to fix what is missing.
cd "$(dirname "$0")/.."
bad=0
ok()   { printf '  ok       %s\n' "$*"; }
miss() { printf '  MISSING  %s\n           fix: %s\n' "$1" "$2"; bad=1; }

echo "Linnet doctor:"
if command -v rustup >/dev/null 2>&1; then ok "rustup ($(rustup --version 2>/dev/null | head -1))"
else miss "rustup" "install rustup from the Rust website"; fi
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if rustup toolchain list 2>/dev/null | grep -q "^$toolchain"; then ok "Rust toolchain $toolchain"
else miss "Rust toolchain $toolchain (rust-toolchain.toml)" "make setup   (or: rustup toolchain install)"; fi
targets=$(rustup target list --installed --toolchain "$toolchain" 2>/dev/null)
for t in aarch64-unknown-none-softfloat aarch64-unknown-linux-musl; do
    if grep -qx "$t" <<<"$targets"; then ok "target $t"
    else miss "target $t" "rustup target add --toolchain $toolchain $t"; fi
done
comps=$(rustup component list --installed --toolchain "$toolchain" 2>/dev/null)
for c in llvm-tools rust-src; do
    if grep -q "^$c" <<<"$comps"; then ok "component $c"
    else miss "component $c" "rustup component add --toolchain $toolchain $c"; fi
done
if command -v qemu-system-aarch64 >/dev/null 2>&1; then
    ok "$(qemu-system-aarch64 --version | head -1)"
else miss "qemu-system-aarch64" "sudo apt-get install qemu-system-arm"; fi
if command -v gdb-multiarch >/dev/null 2>&1; then ok "$(gdb-multiarch --version | head -1)"
else miss "gdb-multiarch" "sudo apt-get install gdb-multiarch"; fi
if command -v python3 >/dev/null 2>&1; then ok "$(python3 --version)"
else miss "python3" "sudo apt-get install python3"; fi
if command -v qemu-aarch64-static >/dev/null 2>&1; then ok "$(qemu-aarch64-static --version | head -1) (the tests' Linux oracle)"
else miss "qemu-aarch64-static" "sudo apt-get install qemu-user-static"; fi
if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then ok "$(aarch64-linux-gnu-gcc --version | head -1) (glibc and musl C tests)"
else miss "aarch64-linux-gnu-gcc" "sudo apt-get install gcc-aarch64-linux-gnu"; fi
# Debian's arm64 busybox-static and musl-dev come through apt on a private state
# (qemu/debian-pkg.sh), as does the Linux kernel `make bench` compares with (linux-image);
# without apt the busybox tests say SKIP.
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    if [ -f build/debian/versions.txt ]; then ok "Debian arm64 packages cached: $(tr '\n' ' ' <build/debian/versions.txt)"
    else ok "apt-get and dpkg-deb (Debian arm64 packages are fetched on first use)"; fi
else
    printf '  note     no apt-get/dpkg-deb: the busybox and musl tests will say SKIP, make bench cannot fetch Linux\n'
fi
if [ $bad = 0 ]; then echo "All set: 'make run' boots Linnet, 'make test' tests it."
else echo "Fix the lines marked MISSING ('make setup' installs them on Debian/Ubuntu)."; fi
exit $bad
