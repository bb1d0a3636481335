//! Build script: link the kernel with `linker.ld` (only for the bare-metal target) and
//! check that the link address there matches `KIMAGE_VADDR` in `src/mm/layout.rs`.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let script = manifest.join("../linker.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rerun-if-changed=src/arch/aarch64/head.S");
    println!("cargo:rerun-if-changed=src/arch/aarch64/entry.S");
    if target.starts_with("aarch64-unknown-none") {
        println!("cargo:rustc-link-arg-bins=-T{}", script.display());
        println!("cargo:rustc-link-arg-bins=--no-relax");
        let ld = std::fs::read_to_string(&script).expect("read linker.ld");
        let layout = std::fs::read_to_string(manifest.join("src/mm/layout.rs")).expect("layout.rs");
        assert!(
            ld.contains("KIMAGE_VADDR = 0xffff000008000000;")
                && layout.contains("assert!(KIMAGE_VADDR == 0xffff_0000_0800_0000);"),
            "linker.ld and mm/layout.rs disagree about KIMAGE_VADDR"
        );
    }
}
