#!/usr/bin/env bash
# qemu/userland.sh OUT: the user-land initrd, an archive for QEMU's -initrd (which the
# kernel then unpacks INSTEAD of its built-in initramfs; kernel/src/init.rs). It holds
# real Linux programs, too big for the built-in one (that lives in the kernel heap):
#   /bin, /sbin, /usr/...  Debian's busybox-static (qemu/debian-pkg.sh) with a link per
#                          applet, over Linnet's own /bin programs (so without busybox,
#                          /bin/sh is Linnet's sh); /sbin/init and /init are Linnet's init,
#                          which starts /bin/sh (busybox's ash) on the console
#   /bin/rustdemo          the Rust std demo (user/std/demo), and your own std programs
#                          (user/std/demo/src/bin/NAME.rs -> /bin/NAME)
#   /tests/std/NAME        Rust std test programs (user/std/tests)
#   /tests/c/NAME          glibc static C tests;  /tests/musl/NAME  musl static C tests
#   /tests/busybox/test.sh the busybox script test (user/busybox)
#   /dev/console, null, zero, tty, random, urandom; /tmp, /proc, /root, /etc/passwd ...
# `make run USERLAND=busybox` boots it; qemu/runtests.py boots its test programs.
# A part that cannot be built (no C cross compiler, no network for Debian's packages)
# is left out with a note on stderr; the tests that need it say SKIP.
set -euo pipefail
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/user/target}
mkdir -p "$(dirname "$out")"

(cd "$root/user" && cargo build --release --quiet)
(cd "$root/user/std" && cargo build --release --quiet --target-dir "$target/std")
"$root/user/c/build.sh" "$target/c" || echo "userland: some C programs did not build" >&2

specs=(dir:/:0755 dir:/bin:0755 dir:/sbin:0755 dir:/usr:0755 dir:/usr/bin:0755
       dir:/usr/sbin:0755 dir:/tests:0755 dir:/tests/std:0755 dir:/tests/c:0755
       dir:/tests/musl:0755 dir:/tests/busybox:0755 dir:/dev:0755 dir:/tmp:01777
       dir:/etc:0755 dir:/proc:0555 dir:/root:0700 dir:/home:0755 dir:/var:0755
       chardev:/dev/console:0600:5:1 chardev:/dev/tty:0666:5:0 chardev:/dev/null:0666:1:3
       chardev:/dev/zero:0666:1:5 chardev:/dev/random:0666:1:8 chardev:/dev/urandom:0666:1:9)
etc=$(mktemp -d)
trap 'rm -rf "$etc"' EXIT
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$etc/group"
echo linnet >"$etc/hostname"
printf 'export PATH=/bin:/sbin:/usr/bin:/usr/sbin\nexport PS1='"'"'linnet:\\w\\$ '"'"'\n' >"$etc/profile"
for f in passwd group hostname profile; do specs+=("file:/etc/$f:0644:$etc/$f"); done

# Linnet's own programs (stripped, as qemu/initramfs.sh does), then busybox over them.
objcopy="$(cd "$root" && rustc --print sysroot)/lib/rustlib/$(cd "$root" && rustc -vV | sed -n 's/^host: //p')/bin/llvm-objcopy"
stripped=$(dirname "$out")/userland-stripped
mkdir -p "$stripped"
for src in "$root"/user/bin/src/bin/*.rs; do
    name=$(basename "$src" .rs)
    file=$target/aarch64-unknown-none/release/$name
    if [ -x "$objcopy" ] && "$objcopy" --strip-debug "$file" "$stripped/$name"; then
        file=$stripped/$name
    fi
    specs+=("file:/bin/$name:0755:$file")
done
specs+=("file:/sbin/init:0755:$stripped/init" symlink:/init:/sbin/init)

std=$target/std/aarch64-unknown-linux-musl/release
specs+=("file:/bin/rustdemo:0755:$std/rustdemo")
for src in "$root"/user/std/demo/src/bin/*.rs; do  # your own std programs, as in initramfs.sh
    if [ -e "$src" ]; then specs+=("file:/bin/$(basename "$src" .rs):0755:$std/$(basename "$src" .rs)"); fi
done
for src in "$root"/user/std/tests/src/bin/*.rs; do
    name=$(basename "$src" .rs)
    specs+=("file:/tests/std/$name:0755:$std/$name")
done
for f in "$target"/c/glibc/*; do
    [ -x "$f" ] && specs+=("file:/tests/c/$(basename "$f"):0755:$f")
done
for f in "$target"/c/musl/*; do
    [ -x "$f" ] && specs+=("file:/tests/musl/$(basename "$f"):0755:$f")
done
specs+=("file:/tests/busybox/test.sh:0644:$root/user/busybox/test.sh")

if "$root/qemu/debian-pkg.sh" busybox-static >"$etc/bb" 2>"$etc/bb.err"; then
    cache=${DEBIAN_PKG_CACHE:-$root/build/debian}
    bb=$cache/root/busybox-static/bin/busybox
    specs+=("file:/bin/busybox:0755:$bb")
    # The applet list with install paths ("usr/bin/awk"), from busybox itself; cached.
    list=$cache/busybox-applets.txt
    if [ ! -s "$list" ] || [ "$bb" -nt "$list" ]; then
        qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64)
        "$qemu" "$bb" --list-full >"$list.new" && mv "$list.new" "$list"
    fi
    while read -r applet; do
        [ "$applet" = bin/busybox ] || [ "$applet" = sbin/init ] || [ "$applet" = linuxrc ] && continue
        # Every applet in /bin (init's PATH is /bin:/tests), and where Debian installs
        # it (/usr/bin/awk ...), for scripts that name the full path.
        specs+=("symlink:/bin/${applet##*/}:/bin/busybox")
        [ "${applet%/*}" = bin ] || specs+=("symlink:/$applet:/bin/busybox")
    done <"$list"
    echo "userland: $(cat "$etc/bb") with $(wc -l <"$list") applets" >&2
else
    echo "userland: no busybox ($(tail -1 "$etc/bb.err")); /bin has Linnet's own programs" >&2
fi
python3 "$root/qemu/mkinitramfs.py" "$out" "${specs[@]}"
echo "userland: $out, $(($(stat -c %s "$out") / 1024)) KiB" >&2
