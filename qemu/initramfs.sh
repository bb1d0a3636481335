#!/usr/bin/env bash
# qemu/initramfs.sh OUT: build the user programs and pack them into the initramfs the
# kernel boots with (a cpio "newc" archive, made by qemu/mkinitramfs.py):
#   /bin/NAME     the programs of user/bin (init, sh, ...)
#   /bin/rustdemo an ordinary Rust std program (user/std/demo; ~0.5 MiB, stripped), and
#                 one /bin/NAME for each user/std/demo/src/bin/NAME.rs (your own ones)
#   /tests/NAME   the test programs of user/tests (run by make test, one boot each)
#   /tests/pie    the static-PIE test program (user/pie, its own build)
#   /tests/data/  files the tests need, with the modes they test (user/tests/data/README.md)
#   /init         -> /bin/init when there is one
#   /dev/console  char 5:1, /dev/null 1:3, /dev/zero 1:5, /dev/full 1:7, /dev/random 1:8,
#                 /dev/urandom 1:9, /dev/tty 5:0 (kernel/src/fs/devices.rs, tty.rs)
#   /proc         empty: the kernel generates what is below it (kernel/src/fs/proc.rs)
set -euo pipefail
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
target=aarch64-unknown-none
(cd "$root/user" && cargo build --release --quiet)
bin="${CARGO_TARGET_DIR:-$root/user/target}/$target/release"
specs=(dir:/bin:0755 dir:/tests:0755 dir:/dev:0755 dir:/tmp:01777 dir:/etc:0755
       dir:/proc:0555
       chardev:/dev/console:0600:5:1 chardev:/dev/null:0666:1:3 chardev:/dev/zero:0666:1:5
       chardev:/dev/full:0666:1:7 chardev:/dev/random:0666:1:8 chardev:/dev/urandom:0666:1:9
       chardev:/dev/tty:0666:5:0)
# The initramfs gets copies without debug info (a program is ~1.4 MiB with it, ~50 KiB
# without, and the ramfs lives in the kernel heap); gdb reads the full ELFs under target/.
objcopy="$(cd "$root" && rustc --print sysroot)/lib/rustlib/$(cd "$root" && rustc -vV | sed -n 's/^host: //p')/bin/llvm-objcopy"
stripped="$(dirname "$out")/initramfs-stripped"
# strip_copy ELF COPY: COPY is ELF without debug info; redone only when ELF is newer, so
# a build that changed nothing rewrites nothing (the archive itself is replaced only when
# its bytes change: qemu/mkinitramfs.py).
strip_copy() {
    [ -x "$objcopy" ] && [ -e "$1" ] || return 1
    [ "$2" -nt "$1" ] && return 0
    "$objcopy" --strip-debug "$1" "$2.tmp" && mv "$2.tmp" "$2"
}
for dir in bin tests; do
    [ -d "$root/user/$dir/src/bin" ] || continue
    mkdir -p "$stripped/$dir"
    for src in "$root/user/$dir/src/bin/"*.rs; do
        name=$(basename "$src" .rs)
        file="$bin/$name"
        if strip_copy "$file" "$stripped/$dir/$name"; then
            file="$stripped/$dir/$name"
        fi
        specs+=("file:/$dir/$name:0755:$file")
    done
done
[ -f "$bin/init" ] && [ -d "$root/user/bin" ] && specs+=(symlink:/init:/bin/init)
data="$root/user/tests/data"
specs+=(dir:/tests/data:0755
        "file:/tests/data/plain.txt:0644:$data/plain.txt"
        "file:/tests/data/noexec:0755:$data/noexec.txt"
        "file:/tests/data/script-arg:0755:$data/script-arg"
        "file:/tests/data/script-noarg:0755:$data/script-noarg"
        "file:/tests/data/script-badinterp:0755:$data/script-badinterp"
        symlink:/tests/data/exec-link:../exec)
"$root/user/pie/build.sh" --quiet
pie="${CARGO_TARGET_DIR:-$root/user/target}/pie/aarch64-unknown-none/release/pie"
if strip_copy "$pie" "$stripped/tests/pie"; then
    pie="$stripped/tests/pie"
fi
specs+=("file:/tests/pie:0755:$pie")
# The Rust std demo (its own workspace, target aarch64-unknown-linux-musl). The tests'
# std programs are bigger and go into the user-land initrd instead (qemu/userland.sh).
if [ -f "$root/user/std/Cargo.toml" ]; then
    stdbin="${CARGO_TARGET_DIR:-$root/user/target}/std/aarch64-unknown-linux-musl/release"
    if (cd "$root/user/std" && cargo build --release --quiet -p rustdemo --target-dir "${CARGO_TARGET_DIR:-$root/user/target}/std"); then
        specs+=("file:/bin/rustdemo:0755:$stdbin/rustdemo")
        # Your own std programs (docs/your-program.md): user/std/demo/src/bin/NAME.rs
        # is /bin/NAME.
        for src in "$root"/user/std/demo/src/bin/*.rs; do
            [ -e "$src" ] || continue
            specs+=("file:/bin/$(basename "$src" .rs):0755:$stdbin/$(basename "$src" .rs)")
        done
    else
        echo "initramfs: user/std did not build: no /bin/rustdemo" >&2
    fi
fi
for extra in "$root"/user/rootfs/*; do
    [ -e "$extra" ] || continue
    specs+=("file:/etc/$(basename "$extra"):0644:$extra")
done
python3 "$root/qemu/mkinitramfs.py" "$out" "${specs[@]}"
