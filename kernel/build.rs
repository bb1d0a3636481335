//! Build script: link the kernel with `linker.ld` (only for the bare-metal target), check
//! that the link address there matches `KIMAGE_VADDR` in `src/mm/layout.rs`, and provide
//! the built-in initramfs.

fn main() {
    // The initramfs to build in: LINNET_INITRAMFS names a cpio archive (the Makefile makes
    // one from user/); without it the kernel gets an empty one and says so at boot.
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("initramfs.cpio");
    println!("cargo:rerun-if-env-changed=LINNET_INITRAMFS");
    match std::env::var("LINNET_INITRAMFS") {
        Ok(path) if !path.is_empty() => {
            println!("cargo:rerun-if-changed={}", path);
            std::fs::copy(&path, &out).expect("copy LINNET_INITRAMFS");
        }
        _ => std::fs::write(&out, b"").expect("write empty initramfs"),
    }

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
