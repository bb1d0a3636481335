#!/usr/bin/env bash
# qemu/initramfs.sh OUT: build the user programs and pack them into the initramfs the
# kernel boots with (a cpio "newc" archive, made by qemu/mkinitramfs.py):
#   /bin/NAME     the programs of user/bin (init, sh, ...)
#   /tests/NAME   the test programs of user/tests (run by make test, one boot each)
#   /init         -> /bin/init when there is one
#   /dev/console  char 5:1, /dev/null 1:3, /dev/zero 1:5
set -euo pipefail
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
target=aarch64-unknown-none
(cd "$root/user" && cargo build --release --quiet)
bin="${CARGO_TARGET_DIR:-$root/user/target}/$target/release"
specs=(dir:/bin:0755 dir:/tests:0755 dir:/dev:0755 dir:/tmp:01777 dir:/etc:0755
       chardev:/dev/console:0600:5:1 chardev:/dev/null:0666:1:3 chardev:/dev/zero:0666:1:5)
for dir in bin tests; do
    [ -d "$root/user/$dir/src/bin" ] || continue
    for src in "$root/user/$dir/src/bin/"*.rs; do
        name=$(basename "$src" .rs)
        specs+=("file:/$dir/$name:0755:$bin/$name")
    done
done
[ -f "$bin/init" ] && [ -d "$root/user/bin" ] && specs+=(symlink:/init:/bin/init)
for extra in "$root"/user/rootfs/*; do
    [ -e "$extra" ] || continue
    specs+=("file:/etc/$(basename "$extra"):0644:$extra")
done
python3 "$root/qemu/mkinitramfs.py" "$out" "${specs[@]}"
