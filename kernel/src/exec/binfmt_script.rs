//! `#!` scripts (Linux `fs/binfmt_script.c`, `load_script`): the first line names an
//! interpreter and at most one argument; the script's own path is put in front of the
//! original arguments (replacing argv[0]), then exec starts over with the interpreter.
//!
//! For `/bin/script a b` whose first line is `#!/bin/sh -x`, the interpreter runs with
//! argv `["/bin/sh", "-x", "/bin/script", "a", "b"]`.

/// What the `#!` line says.
#[derive(Debug, PartialEq, Eq)]
pub struct ScriptLine<'a> {
    /// Interpreter path.
    pub interp: &'a str,
    /// The single optional argument (everything after the first blank, trimmed).
    pub arg: Option<&'a str>,
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
                // which open_exec then refuses: ENOENT.
                return Some(Ok(ScriptLine {
                    interp: "",
                    arg: None,
                }));
            }
            end
        }
    };
    let line = match core::str::from_utf8(&rest[..end]) {
        Ok(l) => l.trim_matches(|c| c == ' ' || c == '\t' || c == '\r'),
        Err(_) => return Some(Err(())),
    };
    if line.is_empty() {
        return Some(Err(()));
    }
    let (interp, arg) = match line.find([' ', '\t']) {
        Some(i) => {
            let a = line[i..].trim_matches(|c| c == ' ' || c == '\t');
            (&line[..i], (!a.is_empty()).then_some(a))
        }
        None => (line, None),
    };
    Some(Ok(ScriptLine { interp, arg }))
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
                interp: "/bin/sh",
                arg: None
            }))
        );
        assert_eq!(
            parse_shebang(b"#! /bin/sh  -x -y \n"),
            Some(Ok(ScriptLine {
                interp: "/bin/sh",
                arg: Some("-x -y")
            }))
        );
        assert_eq!(
            parse_shebang(b"#!/bin/echo\thello\r\n"),
            Some(Ok(ScriptLine {
                interp: "/bin/echo",
                arg: Some("hello")
            }))
        );
        assert_eq!(parse_shebang(b"#!\n"), Some(Err(())));
        assert_eq!(parse_shebang(b"#!   \n"), Some(Err(())));
        // No newline: the whole (NUL-padded) buffer is the line, as in Linux.
        assert_eq!(
            parse_shebang(b"#!/bin/sh\0\0\0"),
            Some(Ok(ScriptLine {
                interp: "/bin/sh",
                arg: None
            }))
        );
        assert_eq!(
            parse_shebang(b"#!/bin/sh -x\0"),
            Some(Ok(ScriptLine {
                interp: "/bin/sh",
                arg: Some("-x")
            }))
        );
        // Only blanks, no newline: an empty name (open_exec says ENOENT).
        assert_eq!(
            parse_shebang(b"#!   \0\0"),
            Some(Ok(ScriptLine {
                interp: "",
                arg: None
            }))
        );
        // A name that runs to the end of the buffer may be cut: ENOEXEC.
        assert_eq!(parse_shebang(b"#!/bin/sh"), Some(Err(())));
    }
}
