//! rmdir DIR...: remove empty directories (unlinkat with AT_REMOVEDIR). Messages and the
//! exit status (1 if any failed) are coreutils'.

#![no_std]
#![no_main]

extern crate alloc;

use binlib::{cstring, missing_operand, options, text};
use ulib::eprintln;
use ulib::fs::{unlinkat, AT_REMOVEDIR};
use ulib::io::AT_FDCWD;

#[no_mangle]
fn main() -> i32 {
    let Some(o) = options("rmdir", b"", b"") else {
        return 1;
    };
    if o.operands.is_empty() {
        return missing_operand("rmdir", "operand");
    }
    let mut status = 0;
    for d in &o.operands {
        if let Err(e) = unlinkat(AT_FDCWD, &cstring(d), AT_REMOVEDIR) {
            eprintln!("rmdir: failed to remove '{}': {}", text(d), e.text());
            status = 1;
        }
    }
    status
}
