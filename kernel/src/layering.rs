//! The import rules between subsystems, checked on the host by reading the sources: the
//! layers point one way, as in Linux, where `mm/` never calls into `kernel/sys.c` and
//! `arch/` reaches the syscall table only from its syscall entry.
//!
//! - Code outside `arch/` names the architecture only through `crate::arch` (the
//!   compiler also enforces it: `arch/aarch64` is private).
//! - `mm/` calls no syscall, exec, file-system or IPC code: those sit above it.
//! - `arch/` calls no exec, file-system or IPC code, and the syscall layer only from
//!   `arch/aarch64/syscall.rs` (Linux `arch/arm64/kernel/syscall.c`, `invoke_syscall`).

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Every `.rs` file under `kernel/src/<dir>`, with its text.
    fn sources(dir: &str) -> Vec<(PathBuf, String)> {
        fn walk(p: &Path, out: &mut Vec<(PathBuf, String)>) {
            for e in std::fs::read_dir(p).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path, text));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir),
            &mut out,
        );
        assert!(!out.is_empty(), "no sources under {dir}");
        out
    }

    /// The lines of `dir` (outside comments) naming any of `forbidden`, except in
    /// files whose path ends with one of `allowed_in`.
    fn violations(dir: &str, forbidden: &[&str], allowed_in: &[&str]) -> Vec<String> {
        let mut found = Vec::new();
        for (path, text) in sources(dir) {
            let rel = path.to_string_lossy().replace('\\', "/");
            if allowed_in.iter().any(|a| rel.ends_with(a)) {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if forbidden.iter().any(|f| code.contains(f)) {
                    found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        found
    }

    #[test]
    fn only_arch_names_the_architecture() {
        for dir in [
            "mm", "task", "exec", "fs", "syscall", "ipc", "time", "drivers",
        ] {
            let v = violations(dir, &["arch::aarch64"], &[]);
            assert!(
                v.is_empty(),
                "use crate::arch::..., not the architecture:\n{}",
                v.join("\n")
            );
        }
    }

    #[test]
    fn mm_calls_nothing_above_it() {
        let above = ["crate::syscall", "crate::exec", "crate::fs", "crate::ipc"];
        let v = violations("mm", &above, &[]);
        assert!(
            v.is_empty(),
            "mm reaches a layer above it:\n{}",
            v.join("\n")
        );
    }

    #[test]
    fn arch_reaches_syscalls_only_from_its_entry() {
        let v = violations("arch", &["crate::syscall"], &["arch/aarch64/syscall.rs"]);
        assert!(
            v.is_empty(),
            "arch calls the syscall layer:\n{}",
            v.join("\n")
        );
        let above = ["crate::exec", "crate::fs", "crate::ipc"];
        let v = violations("arch", &above, &[]);
        assert!(
            v.is_empty(),
            "arch reaches a layer above it:\n{}",
            v.join("\n")
        );
    }

    /// The checker itself: it finds an import, and skips comments.
    #[test]
    fn the_check_sees_imports_and_not_comments() {
        let v = violations("syscall", &["crate::arch::TrapFrame"], &[]);
        assert!(!v.is_empty());
        let v = violations("arch", &["Linux `arch/arm64/kernel/syscall.c`"], &[]);
        assert!(v.is_empty());
    }
}
