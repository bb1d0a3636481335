#!/usr/bin/env bash
# user/c/build.sh: build the C test programs, static, for arm64 Linux.
#   glibc/*.c  -> OUT/glibc/NAME   aarch64-linux-gnu-gcc -static (Debian's cross glibc)
#   musl/*.c and glibc/c_stdio.c -> OUT/musl/NAME (c_stdio as musl_stdio): the same gcc
#              against Debian's arm64 musl (musl-dev, fetched by qemu/debian-pkg.sh):
#              -nostdinc -nostdlib, musl's headers, crt1.o crti.o ... libc.a crtn.o, and
#              libgcc from the cross gcc.
# OUT is $1 (default user/target/c). A toolchain or package that is missing is reported
# on stderr and that half is skipped (exit status 0); the runner then SKIPs those rows.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/user/target/c}
CC=${CC:-aarch64-linux-gnu-gcc}
CFLAGS=(-O2 -Wall -Wno-unused-result -D_GNU_SOURCE)
mkdir -p "$out/glibc" "$out/musl"

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "user/c: $CC is missing (make setup installs gcc-aarch64-linux-gnu): no C tests" >&2
    exit 0
fi
build() { # OUT SRC ARGS...: rebuild when the source or tap.h is newer
    local dst=$1 src=$2
    shift 2
    if [ ! -x "$dst" ] || [ "$src" -nt "$dst" ] || [ "$here/tap.h" -nt "$dst" ]; then
        "$@" -o "$dst" || { echo "user/c: building $dst failed" >&2; return 1; }
    fi
}
status=0
for src in "$here"/glibc/*.c; do
    build "$out/glibc/$(basename "$src" .c)" "$src" "$CC" -static "${CFLAGS[@]}" -s -pthread "$src" || status=1
done

musl=$("$root/qemu/debian-pkg.sh" musl-dev 2>"$out/musl/fetch.log" >/dev/null && echo ok)
if [ "$musl" != ok ]; then
    echo "user/c: no musl ($(tail -1 "$out/musl/fetch.log")): musl tests skipped" >&2
    exit $status
fi
m="${DEBIAN_PKG_CACHE:-$root/build/debian}/root/musl-dev/usr"
lib=$m/lib/aarch64-linux-musl
libgcc=$("$CC" -print-libgcc-file-name)
MUSL=(-nostdinc -nostdlib -static -isystem "$m/include/aarch64-linux-musl"
      -isystem "$(dirname "$libgcc")/include" "$lib/crt1.o" "$lib/crti.o")
MUSL_END=("$lib/libc.a" "$libgcc" "$lib/crtn.o")
for src in "$here"/musl/*.c "$here/glibc/c_stdio.c"; do
    name=$(basename "$src" .c)
    name=${name/c_stdio/musl_stdio}
    build "$out/musl/$name" "$src" "$CC" "${CFLAGS[@]}" -s "${MUSL[@]}" "$src" "${MUSL_END[@]}" || status=1
done
exit $status
