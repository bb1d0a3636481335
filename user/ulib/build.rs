//! Build script: copy `user/user.ld` into OUT_DIR and put OUT_DIR on the linker's search
//! path. A search path from a dependency's build script reaches every program that links
//! ulib, so `-Tuser.ld` in `.cargo/config.toml` finds the script without absolute paths.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let script = manifest.join("../user.ld");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::copy(&script, out.join("user.ld")).expect("copy user.ld");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rerun-if-changed=build.rs");
}
