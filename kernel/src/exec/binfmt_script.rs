//! `#!` scripts (Linux `fs/binfmt_script.c`, `load_script`): the first line names an
//! interpreter and at most one argument; the script's own path is put in front of the
//! original arguments (replacing argv[0]), then exec starts over with the interpreter.
//!
//! For `/bin/script a b` whose first line is `#!/bin/sh -x`, the interpreter runs with
//! argv `["/bin/sh", "-x", "/bin/script", "a", "b"]`.
//!
//! `parse_shebang` reads the line (host-tested below); `load_script` rewrites the
//! arguments on the new stack and opens the interpreter. `exec_binprm` (`exec/mod.rs`)
//! then starts over with it, at most 5 levels deep.

/// What the `#!` line says.
#[derive(Debug, PartialEq, Eq)]
pub struct ScriptLine<'a> {
    /// Interpreter path.
    pub interp: &'a [u8],
    /// The single optional argument (everything after the first blank, trimmed).
    pub arg: Option<&'a [u8]>,
}

/// Parse the start of a file (Linux reads `BINPRM_BUF_SIZE` bytes): `None` if it does not
/// start with `#!`, `Some(Err(()))` if it does but names no interpreter or the line is
/// longer than the buffer (Linux: ENOEXEC), else the parsed line.
pub fn parse_shebang(buf: &[u8]) -> Option<Result<ScriptLine<'_>, ()>> {
    if !buf.starts_with(b"#!") {
        return None;
    }
    let rest = &buf[2..];
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let end = match rest.iter().position(|&b| b == b'\n') {
        Some(end) => end,
        // No newline within the buffer (a short file without one reads as NULs after
        // its end): Linux takes the whole buffer as the line if the interpreter name
        // ends (blank or NUL) before the buffer does; else it may be cut: ENOEXEC.
        None => {
            let Some(name) = rest.iter().position(|b| !blank(b)) else {
                return Some(Err(())); // only blanks
            };
            let stop = rest[name..].iter().position(|b| blank(b) || *b == 0);
            if stop.is_none() {
                return Some(Err(()));
            }
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            if rest[..end].iter().all(blank) {
                // Linux takes the NUL after the blanks as an empty interpreter name,
                // which names the cwd for open_exec: EACCES.
                return Some(Ok(ScriptLine {
                    interp: b"",
                    arg: None,
                }));
            }
            end
        }
    };
    // Linux trims blanks (spaces and tabs, not `\r`: a DOS line ending stays part of
    // the name or argument) at both ends of the line.
    let mut line = &rest[..end];
    while let [first, tail @ ..] = line {
        if !blank(first) {
            break;
        }
        line = tail;
    }
    while let [head @ .., last] = line {
        if !blank(last) {
            break;
        }
        line = head;
    }
    if line.is_empty() {
        return Some(Err(()));
    }
    // The name ends at a blank or NUL (`next_terminator`); after a blank comes the
    // argument, read as a C string (up to a NUL).
    let name_end = line
        .iter()
        .position(|b| blank(b) || *b == 0)
        .unwrap_or(line.len());
    let (interp, sep) = line.split_at(name_end);
    let arg = match sep.first() {
        Some(&b) if b != 0 => {
            let a = &sep[sep.iter().position(|b| !blank(b)).unwrap_or(sep.len())..];
            Some(&a[..a.iter().position(|&b| b == 0).unwrap_or(a.len())])
        }
        _ => None,
    };
    Some(Ok(ScriptLine { interp, arg }))
}

/// Rewrite the arguments for a `#!` script and switch to its interpreter (Linux
/// `load_script`: `remove_arg_zero`, then push the script path, the optional
/// argument and the interpreter name).
#[cfg(target_os = "none")]
pub fn load_script(
    bprm: &mut super::bprm::LinuxBinprm,
    interp: &[u8],
    arg: Option<&[u8]>,
) -> crate::errno::KResult<()> {
    use super::bprm::{push_string, remove_arg_zero};
    use crate::fs::vfs::{self, AT_FDCWD};
    remove_arg_zero(bprm)?;
    let script = bprm.interp.clone();
    push_string(bprm, &script)?;
    bprm.argc += 1;
    if let Some(a) = arg {
        push_string(bprm, a)?;
        bprm.argc += 1;
    }
    push_string(bprm, interp)?;
    bprm.argc += 1;
    // The kernel opens the interpreter by a name of its own (Linux `open_exec` ->
    // `getname_kernel`, which, unlike a user path, may be empty): "" is the cwd, a
    // directory, so EACCES.
    let name: &[u8] = if interp.is_empty() { b"." } else { interp };
    let (ino, size) = vfs::open_exec(AT_FDCWD, name, 0)?;
    bprm.file = ino;
    bprm.file_size = size;
    bprm.interp = interp.to_vec();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_lines() {
        assert_eq!(parse_shebang(b"\x7fELF"), None);
        assert_eq!(
            parse_shebang(b"#!/bin/sh\necho"),
            Some(Ok(ScriptLine {
                interp: b"/bin/sh",
                arg: None
            }))
        );
        assert_eq!(
            parse_shebang(b"#! /bin/sh  -x -y \n"),
            Some(Ok(ScriptLine {
                interp: b"/bin/sh",
                arg: Some(b"-x -y")
            }))
        );
        assert_eq!(
            parse_shebang(b"#!/bin/echo\thello\r\n"),
            Some(Ok(ScriptLine {
                interp: b"/bin/echo",
                arg: Some(b"hello\r") // Linux keeps the \r of a DOS line ending
            }))
        );
        // Any bytes but NUL: a name that is not UTF-8 is still a name.
        assert_eq!(
            parse_shebang(b"#!/bin/\xff\xfe x\n"),
            Some(Ok(ScriptLine {
                interp: b"/bin/\xff\xfe",
                arg: Some(b"x")
            }))
        );
        assert_eq!(parse_shebang(b"#!\n"), Some(Err(())));
        assert_eq!(parse_shebang(b"#!   \n"), Some(Err(())));
        // No newline: the whole (NUL-padded) buffer is the line, as in Linux.
        assert_eq!(
            parse_shebang(b"#!/bin/sh\0\0\0"),
            Some(Ok(ScriptLine {
                interp: b"/bin/sh",
                arg: None
            }))
        );
        assert_eq!(
            parse_shebang(b"#!/bin/sh -x\0"),
            Some(Ok(ScriptLine {
                interp: b"/bin/sh",
                arg: Some(b"-x")
            }))
        );
        // Only blanks, no newline: an empty name (open_exec finds the cwd: EACCES).
        assert_eq!(
            parse_shebang(b"#!   \0\0"),
            Some(Ok(ScriptLine {
                interp: b"",
                arg: None
            }))
        );
        // A name that runs to the end of the buffer may be cut: ENOEXEC.
        assert_eq!(parse_shebang(b"#!/bin/sh"), Some(Err(())));
    }
}
