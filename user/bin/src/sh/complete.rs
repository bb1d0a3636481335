//! Tab completion (bash: readline's `rl_complete` with the shell's command and file name
//! generators). The word before the cursor is completed as a command when it is in
//! command position (first on the line, or after `|`, `;`, `&`, `&&`, `||`) and has no
//! `/`: from the builtins and the programs in `$PATH`. Otherwise it is completed as a
//! path, from the directory it names. One candidate: it is inserted, with a space after a
//! file or a `/` after a directory. Several: their common prefix is inserted; if that adds
//! nothing, the caller lists them (as bash does on the second Tab).
//!
//! The directory reads come in as a function, so the rules are tested on their own.

use alloc::vec::Vec;

/// A name a directory holds, and whether it is a directory.
pub type Entry = (Vec<u8>, bool);

/// What Tab should do.
#[derive(Debug, PartialEq, Eq)]
pub enum Completion {
    /// Insert these bytes at the cursor.
    Insert(Vec<u8>),
    /// Nothing to add: show these candidates (full words, sorted).
    List(Vec<Vec<u8>>),
    /// No candidate at all.
    Nothing,
}

/// Bytes that separate words for completion purposes.
fn separates(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'|' | b';' | b'&' | b'<' | b'>')
}

/// The word before the cursor (`line[..cursor]`), and whether it is in command position.
pub fn current_word(before: &[u8]) -> (&[u8], bool) {
    let start = before
        .iter()
        .rposition(|&b| separates(b))
        .map_or(0, |p| p + 1);
    let prev = before[..start]
        .iter()
        .rev()
        .find(|&&b| b != b' ' && b != b'\t');
    let command = matches!(prev, None | Some(b'|' | b';' | b'&'));
    (&before[start..], command)
}

/// The longest prefix all of `words` share.
pub fn common_prefix(words: &[Vec<u8>]) -> Vec<u8> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let mut len = first.len();
    for w in &words[1..] {
        len = len.min(first.iter().zip(w).take_while(|(a, b)| a == b).count());
    }
    first[..len].to_vec()
}

/// Complete `word`. `builtins` and `path` (the `$PATH` directories) serve commands;
/// `list_dir(dir)` reads a directory ("" is the current one).
pub fn complete(
    word: &[u8],
    command: bool,
    builtins: &[&[u8]],
    path: &[u8],
    list_dir: &mut dyn FnMut(&[u8]) -> Option<Vec<Entry>>,
) -> Completion {
    // Each candidate as the full word it would make, and the text to add after it.
    let mut cands: Vec<(Vec<u8>, &[u8])> = Vec::new();
    if command && !word.contains(&b'/') {
        for b in builtins {
            if b.starts_with(word) {
                cands.push((b.to_vec(), b" "));
            }
        }
        for dir in path.split(|&b| b == b':').filter(|d| !d.is_empty()) {
            for (name, is_dir) in list_dir(dir).unwrap_or_default() {
                if name.starts_with(word) && !is_dir {
                    cands.push((name, b" "));
                }
            }
        }
    } else {
        let split = word.iter().rposition(|&b| b == b'/').map_or(0, |p| p + 1);
        let (dir, prefix) = word.split_at(split);
        for (name, is_dir) in list_dir(dir).unwrap_or_default() {
            let hidden = name.first() == Some(&b'.') && prefix.first() != Some(&b'.');
            if hidden || name == b"." || name == b".." || !name.starts_with(prefix) {
                continue;
            }
            let mut full = dir.to_vec();
            full.extend_from_slice(&name);
            cands.push((full, if is_dir { b"/" } else { b" " }));
        }
    }
    cands.sort();
    cands.dedup_by(|a, b| a.0 == b.0);
    match cands.len() {
        0 => Completion::Nothing,
        1 => {
            let (full, after) = &cands[0];
            let mut add = full[word.len()..].to_vec();
            add.extend_from_slice(after);
            Completion::Insert(add)
        }
        _ => {
            let words: Vec<Vec<u8>> = cands.into_iter().map(|c| c.0).collect();
            let common = common_prefix(&words);
            if common.len() > word.len() {
                Completion::Insert(common[word.len()..].to_vec())
            } else {
                Completion::List(words)
            }
        }
    }
}
