#!/usr/bin/env bash
# qemu/setup.sh: install what Linnet needs and is missing (used by make run/test and CI).
#   - the Rust toolchain, targets and components pinned in rust-toolchain.toml (rustup)
#   - qemu-system-aarch64, gdb-multiarch, qemu-user-static (the tests' Linux oracle) and
#     gcc-aarch64-linux-gnu (the glibc and musl C test programs) (apt-get as root, sudo
#     otherwise). Debian's arm64 busybox and musl come later, on first use, through
#     qemu/debian-pkg.sh (a private apt state; the host's dpkg is not touched).
# On a system without apt-get it prints the command to run instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rustup >/dev/null 2>&1; then
    echo "setup: rustup is missing. Install it from the Rust website, then re-run." >&2
    exit 1
fi
# Installs the pinned toolchain with its targets and components if it is not there yet.
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
have_targets=$(rustup target list --installed --toolchain "$toolchain" 2>/dev/null || true)
for t in aarch64-unknown-none-softfloat aarch64-unknown-none aarch64-unknown-linux-musl; do
    grep -qx "$t" <<<"$have_targets" || rustup target add --toolchain "$toolchain" "$t"
done
have_comps=$(rustup component list --installed --toolchain "$toolchain" 2>/dev/null || true)
for c in llvm-tools rust-src rustfmt clippy; do
    grep -q "^$c" <<<"$have_comps" || rustup component add --toolchain "$toolchain" "$c"
done

missing=()
command -v qemu-system-aarch64 >/dev/null 2>&1 || missing+=(qemu-system-arm)
command -v gdb-multiarch >/dev/null 2>&1 || missing+=(gdb-multiarch)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v qemu-aarch64-static >/dev/null 2>&1 || missing+=(qemu-user-static)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
# Its C library (a Recommends of the cross gcc, which an apt set to skip those leaves out).
[ -f /usr/aarch64-linux-gnu/lib/libc.a ] || missing+=(libc6-dev-arm64-cross)
if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        echo "setup: installing ${missing[*]}" >&2
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup: please install QEMU (qemu-system-aarch64, qemu-aarch64), gdb-multiarch, python3" >&2
        echo "       and an aarch64-linux-gnu gcc (for the C tests)," >&2
        echo "       e.g. 'brew install qemu aarch64-elf-gdb' or 'dnf install qemu-system-aarch64 gdb'" >&2
        exit 1
    fi
fi
