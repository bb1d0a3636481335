//! Pathname expansion: `*`, `?` and `[...]` in a word match file names (POSIX XCU 2.13;
//! glibc's `glob` and `fnmatch`, which bash uses through its own copy).
//!
//! The pattern is split at `/`; a component without pattern characters is taken as it
//! is, one with them is matched against the names in the directory reached so far. A
//! name starting with `.` only matches a pattern that starts with `.`. The matches come
//! out sorted; a pattern that matches nothing stays as it was (POSIX, and bash without
//! `nullglob`). Quoted pattern characters (`'*'`, `\?`) are plain characters: the
//! expanded word carries a `quoted` flag per byte.

use alloc::vec::Vec;

/// Lists the names in a directory ("" is the current one); None if it cannot be read.
pub type ReadDir<'a> = &'a mut dyn FnMut(&[u8]) -> Option<Vec<Vec<u8>>>;

/// Does the word (bytes and their quoted flags) contain an unquoted `*`, `?` or `[`?
pub fn has_pattern(word: &[u8], quoted: &[bool]) -> bool {
    word.iter()
        .zip(quoted)
        .any(|(&b, &q)| !q && matches!(b, b'*' | b'?' | b'['))
}

/// fnmatch(3) for one name: does `name` match `pat` (with per-byte quoted flags)?
pub fn matches(pat: &[u8], quoted: &[bool], name: &[u8]) -> bool {
    if pat.is_empty() {
        return name.is_empty();
    }
    match (pat[0], quoted[0]) {
        (b'*', false) => (0..=name.len()).any(|k| matches(&pat[1..], &quoted[1..], &name[k..])),
        (b'?', false) => !name.is_empty() && matches(&pat[1..], &quoted[1..], &name[1..]),
        (b'[', false) => match bracket(pat, quoted, name.first().copied()) {
            Some((hit, len)) => hit && matches(&pat[len..], &quoted[len..], &name[1..]),
            // No closing ']': the '[' is an ordinary character.
            None => name.first() == Some(&b'[') && matches(&pat[1..], &quoted[1..], &name[1..]),
        },
        (c, _) => name.first() == Some(&c) && matches(&pat[1..], &quoted[1..], &name[1..]),
    }
}

/// A bracket expression `[abc]`, `[a-z]`, `[!x]` at the start of `pat`: whether `c`
/// matches it and how long it is; None if it is not closed.
fn bracket(pat: &[u8], quoted: &[bool], c: Option<u8>) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pat.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let &b = pat.get(i)?;
        if b == b']' && !quoted[i] && !first {
            break;
        }
        first = false;
        if pat.get(i + 1) == Some(&b'-') && pat.get(i + 2).is_some_and(|&e| e != b']') {
            let e = pat[i + 2];
            hit |= c.is_some_and(|c| b <= c && c <= e);
            i += 3;
        } else {
            hit |= c == Some(b);
            i += 1;
        }
    }
    Some((c.is_some() && hit != negate, i + 1))
}

/// Expand the pattern `word` into the sorted paths that match. `read_dir(dir)` lists the
/// names in a directory (an empty `dir` means the current one), or None if it cannot.
/// `exists(path)` checks a result whose later components had no pattern (`/*/bin`).
/// An empty result means "no match": the caller keeps the word.
pub fn expand(
    word: &[u8],
    quoted: &[bool],
    read_dir: ReadDir,
    exists: &mut dyn FnMut(&[u8]) -> bool,
) -> Vec<Vec<u8>> {
    // (path so far, is it known to exist): starts at "/" or at the current directory.
    let absolute = word.first() == Some(&b'/');
    let mut found: Vec<Vec<u8>> = Vec::new();
    found.push(if absolute { b"/".to_vec() } else { Vec::new() });
    let mut start = absolute as usize;
    let mut unchecked = false; // a literal component was added after a pattern
    while start <= word.len() {
        let end = word[start..]
            .iter()
            .position(|&b| b == b'/')
            .map_or(word.len(), |p| start + p);
        let (comp, q) = (&word[start..end], &quoted[start..end]);
        let last = end == word.len();
        let mut next = Vec::new();
        for dir in &found {
            if comp.is_empty() {
                // "a//b" or a trailing "/": keep it.
                if !last || !dir.is_empty() {
                    next.push(dir.clone());
                }
                continue;
            }
            if !has_pattern(comp, q) {
                unchecked = true;
                let mut p = dir.clone();
                p.extend_from_slice(comp);
                next.push(p);
                continue;
            }
            let Some(mut names) = read_dir(dir) else {
                continue;
            };
            names.sort();
            for n in names {
                let hidden = n.first() == Some(&b'.');
                if hidden && comp[0] != b'.' || n == b"." || n == b".." {
                    continue;
                }
                if matches(comp, q, &n) {
                    let mut p = dir.clone();
                    p.extend_from_slice(&n);
                    next.push(p);
                }
            }
        }
        if !last {
            for p in next.iter_mut() {
                p.push(b'/');
            }
        }
        if has_pattern(comp, q) {
            unchecked = false;
        }
        found = next;
        start = end + 1;
        if found.is_empty() {
            break;
        }
    }
    if unchecked {
        found.retain(|p| exists(p));
    }
    found
}
