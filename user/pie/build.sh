#!/usr/bin/env bash
# user/pie/build.sh: build the static-PIE test program.
#   -C relocation-model=pie   every crate (ulib too) addresses data PC-relatively, and a
#                             stored address becomes an R_AARCH64_RELATIVE relocation
#   -pie                      the linker writes ET_DYN with .dynamic and .rela.dyn, linked
#                             at 0 and with no PT_INTERP (nothing asks for a dynamic linker)
#   -z notext                 the prebuilt `core` is not PIC: allow its few relocations in
#                             read-only data (DT_TEXTREL; ulib/src/reloc.rs copes)
# The rest as in user/.cargo/config.toml, whose flags (static, -Tuser.ld) RUSTFLAGS
# replaces for this build.
# Output: user/target/pie/aarch64-unknown-none/release/pie (or $CARGO_TARGET_DIR/pie/...)
set -euo pipefail
cd "$(dirname "$0")"
export RUSTFLAGS="-C force-frame-pointers=yes -C relocation-model=pie -C link-arg=-pie \
-C link-arg=-e_start -C link-arg=-zmax-page-size=4096 -C link-arg=-znotext"
cargo build --release --target aarch64-unknown-none --target-dir "${CARGO_TARGET_DIR:-../target}/pie" "$@"
