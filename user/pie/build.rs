//! Refuse to build without the static-PIE flags: a plain `cargo build` here would pick up
//! user/.cargo/config.toml's static flags and make an ordinary (non-PIE) program that
//! tests nothing. Use ./build.sh.

fn main() {
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if !flags.split('\x1f').any(|f| f == "relocation-model=pie") {
        panic!("user/pie must be built as a static PIE: run user/pie/build.sh");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
