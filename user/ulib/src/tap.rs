//! TAP output (Test Anything Protocol), the format every Linnet test prints.
//!
//! ```text
//! 1..3
//! ok 1 - getpid is positive
//! not ok 2 - write(NULL) gives EFAULT
//! #   got Ok(8), expected Err(EFAULT (14))
//! ok 3 - freeram is unchanged # SKIP not Linnet
//! ```
//!
//! The runner (qemu/runtests.py) and a person both read these lines. `done` gives the exit
//! status: 0 only if every test passed and as many ran as the plan promised.

use crate::println;
use core::fmt::{Debug, Display};

/// A TAP test plan and its running tally.
pub struct Tap {
    plan: u32,
    ran: u32,
    failed: u32,
}

impl Tap {
    /// Start a run of `plan` tests: prints `1..plan`.
    pub fn new(plan: u32) -> Tap {
        println!("1..{}", plan);
        Tap {
            plan,
            ran: 0,
            failed: 0,
        }
    }

    /// Record one test: prints `ok K - name` or `not ok K - name`. Returns `cond`.
    pub fn ok(&mut self, cond: bool, name: impl Display) -> bool {
        self.ran += 1;
        if cond {
            println!("ok {} - {}", self.ran, name);
        } else {
            self.failed += 1;
            println!("not ok {} - {}", self.ran, name);
        }
        cond
    }

    /// Record `got == want`; on failure also prints both values as a diagnostic.
    pub fn eq<T: PartialEq + Debug>(&mut self, got: T, want: T, name: impl Display) -> bool {
        let cond = got == want;
        self.ok(cond, name);
        if !cond {
            self.diag(format_args!("  got {:?}, expected {:?}", got, want));
        }
        cond
    }

    /// Record a test that does not apply here: `ok K - name # SKIP reason`.
    pub fn skip(&mut self, name: impl Display, reason: impl Display) {
        self.ran += 1;
        println!("ok {} - {} # SKIP {}", self.ran, name, reason);
    }

    /// Print a diagnostic line, `# msg`.
    pub fn diag(&self, msg: impl Display) {
        println!("# {}", msg);
    }

    /// The exit status: 0 if all passed and the plan was kept, else 1.
    pub fn done(self) -> i32 {
        if self.ran != self.plan {
            self.diag(format_args!(
                "planned {} tests but ran {}",
                self.plan, self.ran
            ));
            return 1;
        }
        (self.failed != 0) as i32
    }
}
