//! Build script: link the kernel with `linker.ld` (only for the bare-metal target), check
//! that the link address there matches `KIMAGE_VADDR` in `src/mm/layout.rs`, and provide
//! the built-in initramfs, and build the vDSO.

#[allow(dead_code)]
#[path = "src/arch/aarch64/vdso/image.rs"]
mod vdso_image;

use std::path::Path;
use std::process::Command;

/// Build the vDSO (Linux `arch/arm64/kernel/vdso/Makefile`): compile
/// `src/arch/aarch64/vdso/vgettimeofday.rs` on its own, position independent and without
/// FP/SIMD registers, and link it with rust-lld (part of every rustup toolchain) into a
/// shared object with the version script in `vdso.lds`. The result, `OUT_DIR/vdso.so`,
/// is checked (it must need no loader and export the four symbols) and embedded by
/// `src/arch/aarch64/vdso/mod.rs`. The same bytes for host tests and the kernel.
fn build_vdso(out_dir: &Path, manifest: &Path) {
    let src = manifest.join("src/arch/aarch64/vdso");
    for f in [
        "vgettimeofday.rs",
        "data.rs",
        "sigreturn.S",
        "vdso.lds",
        "image.rs",
    ] {
        println!("cargo:rerun-if-changed={}", src.join(f).display());
    }
    // vgettimeofday.rs includes these uapi files by path.
    for f in ["time.rs", "unistd.rs"] {
        let uapi = manifest.join("../uapi/src").join(f);
        println!("cargo:rerun-if-changed={}", uapi.display());
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let obj = out_dir.join("vdso.o");
    let so = out_dir.join("vdso.so");
    let status = Command::new(&rustc)
        .args([
            "--edition=2021",
            "--crate-type=lib",
            "--crate-name=linnet_vdso",
            "--target=aarch64-unknown-none-softfloat",
            "--emit=obj",
            "-Copt-level=2",
            "-Cpanic=abort",
            "-Crelocation-model=pic",
            "-Ccodegen-units=1",
            "-Cdebuginfo=0",
            "-Cforce-unwind-tables=no",
            "-o",
        ])
        .arg(&obj)
        .arg(src.join("vgettimeofday.rs"))
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .expect("run rustc for the vDSO");
    assert!(status.success(), "compiling the vDSO failed");
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc --print sysroot");
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    let host = std::env::var("HOST").unwrap_or_default();
    let lld = Path::new(&sysroot).join(format!("lib/rustlib/{host}/bin/rust-lld"));
    let status = Command::new(&lld)
        .args([
            "-flavor",
            "gnu",
            "-shared",
            "-nostdlib",
            "--hash-style=both",
        ])
        .args(["-soname=linux-vdso.so.1", "-Bsymbolic", "--eh-frame-hdr"])
        .args([
            "-z",
            "max-page-size=4096",
            "-z",
            "noexecstack",
            "-z",
            "defs",
        ])
        .args(["--build-id=none", "--strip-all", "-T"])
        .arg(src.join("vdso.lds"))
        .arg("-o")
        .arg(&so)
        .arg(&obj)
        .status()
        .unwrap_or_else(|e| panic!("run {}: {e}", lld.display()));
    assert!(status.success(), "linking the vDSO failed");
    let bytes = std::fs::read(&so).expect("read vdso.so");
    let image = vdso_image::VdsoImage::parse(&bytes)
        .unwrap_or_else(|e| panic!("the vDSO is not usable: {e:?}"));
    for sym in [
        "__kernel_rt_sigreturn",
        "__kernel_clock_gettime",
        "__kernel_gettimeofday",
        "__kernel_clock_getres",
    ] {
        assert!(
            image.lookup(sym, "LINUX_2.6.39").is_some(),
            "the vDSO does not export {sym}@LINUX_2.6.39"
        );
    }
}

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
    build_vdso(out.parent().expect("OUT_DIR"), &manifest);
    let script = manifest.join("../linker.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rerun-if-changed=src/arch/aarch64/head.S");
    println!("cargo:rerun-if-changed=src/arch/aarch64/entry.S");
    if target.starts_with("aarch64-unknown-none") {
        println!("cargo:rustc-link-arg-bins=-T{}", script.display());
        println!("cargo:rustc-link-arg-bins=--no-relax");
        if std::env::var_os("CARGO_FEATURE_KDEBUG").is_some() {
            // The 64 KiB kernel stacks of the unoptimized build (mm/layout.rs).
            println!("cargo:rustc-link-arg-bins=--defsym=KDEBUG_THREAD_SIZE=0x10000");
        }
        let ld = std::fs::read_to_string(&script).expect("read linker.ld");
        let layout = std::fs::read_to_string(manifest.join("src/mm/layout.rs")).expect("layout.rs");
        assert!(
            ld.contains("KIMAGE_VADDR = 0xffff000008000000;")
                && layout.contains("assert!(KIMAGE_VADDR == 0xffff_0000_0800_0000);"),
            "linker.ld and mm/layout.rs disagree about KIMAGE_VADDR"
        );
    }
}
