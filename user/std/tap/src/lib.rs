//! A tiny TAP (Test Anything Protocol) writer for the `std` test programs: one
//! `ok N - name` or `not ok N - name` line per check, the plan `1..N` at the end (TAP
//! allows it there, and then a crash before the end shows as a missing plan), and an
//! exit status of 0 only if every check passed. Output is flushed line by line, so a
//! test that dies still shows what it got through.

use std::fmt::Debug;
use std::io::Write;

/// The running tally of one test program.
#[derive(Default)]
pub struct Tap {
    n: u32,
    failed: u32,
}

impl Tap {
    pub fn new() -> Self {
        Self::default()
    }

    /// One check: `ok N - name` if `cond`, else `not ok N - name`.
    pub fn ok(&mut self, cond: bool, name: &str) -> bool {
        self.n += 1;
        if !cond {
            self.failed += 1;
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "{}ok {} - {}",
            if cond { "" } else { "not " },
            self.n,
            name
        );
        let _ = out.flush();
        cond
    }

    /// A check that two values are equal; on failure, a `#` line shows both.
    pub fn eq<T: PartialEq + Debug>(&mut self, got: T, want: T, name: &str) -> bool {
        let cond = got == want;
        self.ok(cond, name);
        if !cond {
            println!("#   got {got:?}, want {want:?}");
        }
        cond
    }

    /// A check on a `Result`: passes if it is `Ok`; on failure shows the error.
    pub fn ok_res<T, E: Debug>(&mut self, r: &Result<T, E>, name: &str) -> bool {
        self.ok(r.is_ok(), name);
        if let Err(e) = r {
            println!("#   error: {e:?}");
        }
        r.is_ok()
    }

    /// A diagnostic line (`# text`), ignored by TAP readers.
    pub fn note(&self, text: &str) {
        println!("# {text}");
    }

    /// Print the plan and give the exit status: 0 when every check passed.
    pub fn done(self) -> i32 {
        println!("1..{}", self.n);
        let _ = std::io::stdout().flush();
        i32::from(self.failed != 0)
    }
}

/// A scratch directory for one test program: under `$TMPDIR` (default /tmp), named
/// after the program and its pid, removed again when dropped.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(prog: &str) -> std::io::Result<Self> {
        let base = std::env::var_os("TMPDIR").unwrap_or_else(|| "/tmp".into());
        let dir = std::path::Path::new(&base).join(format!("{prog}.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
