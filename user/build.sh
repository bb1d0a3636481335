#!/usr/bin/env bash
# user/build.sh: build every user program (release) and collect them in target/bin/.
#
#   ./build.sh            build, copy to user/target/bin/, print the paths
#   ./build.sh --check    also run each test under qemu-aarch64-static (real Linux
#                         syscall semantics: the oracle) and end with "N passed, N failed"
#   TARGET=aarch64-unknown-none-softfloat ./build.sh   programs without FP/SIMD
#
# The binaries themselves are target/$TARGET/release/NAME; the top-level Makefile may just
# run `cargo build --release` in this directory.
set -euo pipefail
cd "$(dirname "$0")"
TARGET=${TARGET:-aarch64-unknown-none}
QEMU=${QEMU:-qemu-aarch64-static}

cargo build --release --target "$TARGET" --quiet
mkdir -p target/bin
programs=()
for src in tests/src/bin/*.rs; do
    name=$(basename "$src" .rs)
    programs+=("$name")
    cp "target/$TARGET/release/$name" "target/bin/$name"
    echo "target/bin/$name"
done

[ "${1:-}" = "--check" ] || exit 0
passed=0 failed=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for name in "${programs[@]}"; do
    echo "# $name"
    # stderr goes to a file, not a pipe or >(...): a process substitution would become a
    # child of the test, and `wait4(-1)` in the test would wait for it forever.
    status=0
    "$QEMU" "target/bin/$name" 2>"$err" || status=$?
    # qemu-user reports each SIGSEGV it delivers ("uncaught target signal 11"): not ours.
    grep -v '^qemu: uncaught target signal' "$err" >&2 || true
    if [ "$status" = 0 ]; then
        passed=$((passed + 1))
    else
        echo "# $name exited with status $status"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
