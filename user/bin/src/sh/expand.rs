//! Word expansion (POSIX XCU 2.6), in the order a POSIX shell does it, minus what this
//! shell leaves out (tilde, command substitution, arithmetic, field splitting):
//!
//! 1. parameters: `$NAME` / `${NAME}` (unset: empty), `$?` (the last status), `$$` (the
//!    shell's pid);
//! 2. pathnames: a word with an unquoted `*`, `?` or `[` becomes the sorted file names it
//!    matches (glob.rs), or stays as it is if none does;
//! 3. quote removal happened in the lexer: each byte remembers whether it was quoted.

use super::glob;
use super::lexer::{Piece, Word};
use super::Shell;
use alloc::format;
use alloc::vec::Vec;
use binlib::cstring;
use ulib::fs::fstatat;
use ulib::io::AT_FDCWD;

impl Shell {
    /// The word's bytes after parameter expansion, and for each byte whether it was quoted.
    fn expand_params(&self, word: &Word) -> (Vec<u8>, Vec<bool>) {
        let mut text = Vec::new();
        let mut quoted = Vec::new();
        for piece in word {
            let (bytes, q): (Vec<u8>, bool) = match piece {
                Piece::Text(t, q) => (t.clone(), *q),
                Piece::Param(name, q) => (self.param(name), *q),
            };
            quoted.extend(core::iter::repeat_n(q, bytes.len()));
            text.extend_from_slice(&bytes);
        }
        (text, quoted)
    }

    /// The value of `$name`.
    fn param(&self, name: &[u8]) -> Vec<u8> {
        match name {
            b"?" => format!("{}", self.last).into_bytes(),
            b"$" => format!("{}", ulib::getpid()).into_bytes(),
            _ => self.var(name).unwrap_or(b"").to_vec(),
        }
    }

    /// A word as one string, without pathname expansion (redirection targets and
    /// assignments, as in POSIX).
    pub(super) fn expand_text(&self, word: &Word) -> Vec<u8> {
        self.expand_params(word).0
    }

    /// A word as the arguments it becomes: itself, the files its pattern matches, or
    /// nothing at all if it was only unquoted parameters that are empty (`$UNSET`, as
    /// field splitting leaves no field; `""` stays an empty argument).
    pub(super) fn expand_fields(&self, word: &Word) -> Vec<Vec<u8>> {
        let (text, quoted) = self.expand_params(word);
        let any_quoted = word
            .iter()
            .any(|p| matches!(p, Piece::Text(_, true) | Piece::Param(_, true)));
        if text.is_empty() && !any_quoted {
            return Vec::new();
        }
        if glob::has_pattern(&text, &quoted) {
            let mut exists = |p: &[u8]| fstatat(AT_FDCWD, &cstring(p), 0).is_ok();
            let found = glob::expand(&text, &quoted, &mut super::input::dir_names, &mut exists);
            if !found.is_empty() {
                return found;
            }
        }
        alloc::vec![text]
    }
}
