//! The lexer: one line of input becomes words and operators (POSIX "Token Recognition",
//! XCU 2.3; in bash, `parse.y`'s `read_token`). Quotes are removed here, but each piece of a
//! word remembers whether it was quoted: a quoted `*` is not a pattern and a quoted `$`
//! is not a parameter. `$NAME` stays unexpanded until the command runs, so
//! `false || echo $?` sees the status of `false`.
//!
//! What a POSIX shell has and this one refuses, with a message instead of a silent wrong
//! result: here-documents, `$(...)` and backquotes, subshells `( )`, `|&`, `>&`, `&>`,
//! `<>`, `>|`, `;;` and the positional parameters (`$1`, `$@`, ...).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// One piece of a word: literal text, or a parameter to expand (`$NAME`, `$?`, `$$`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text as typed, without its quotes; `true` if it was quoted.
    Text(Vec<u8>, bool),
    /// A parameter: a variable name, or "?" / "$"; `true` if inside double quotes.
    Param(Vec<u8>, bool),
}

/// A word: pieces that were written next to each other (`"a"'b'$C` is one word).
pub type Word = Vec<Piece>;

/// Where a redirection sends its descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`: read from the file.
    In,
    /// `>`: write, truncating.
    Out,
    /// `>>`: write at the end.
    Append,
}

/// A token of the shell grammar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A word (command name, argument, or a redirection's file).
    Word(Word),
    /// `|`
    Pipe,
    /// `&&`
    AndIf,
    /// `||`
    OrIf,
    /// `;`
    Semi,
    /// `&`
    Amp,
    /// `<`, `>`, `>>`, with the descriptor written before it (`2>`), if any.
    Redir(Option<i32>, RedirOp),
}

/// Bytes that end a word when unquoted.
fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b'|' | b'&' | b';' | b'<' | b'>' | b'(' | b')'
    )
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Add literal text to `word`, joining it to the previous piece when both are alike.
fn push_text(word: &mut Word, bytes: &[u8], quoted: bool) {
    if let Some(Piece::Text(t, q)) = word.last_mut() {
        if *q == quoted {
            t.extend_from_slice(bytes);
            return;
        }
    }
    word.push(Piece::Text(bytes.to_vec(), quoted));
}

/// `$...` at `line[i]` (just after the `$`): push the parameter (or a literal `$`) and
/// return the index after it.
fn dollar(line: &[u8], i: usize, quoted: bool, word: &mut Word) -> Result<usize, String> {
    match line.get(i) {
        Some(b'?') | Some(b'$') => {
            word.push(Piece::Param(line[i..i + 1].to_vec(), quoted));
            Ok(i + 1)
        }
        Some(b'{') => {
            let end = line[i..].iter().position(|&b| b == b'}').map(|p| i + p);
            let Some(end) = end else {
                return Err(String::from("unterminated ${"));
            };
            let name = &line[i + 1..end];
            let simple = matches!(name, [b'?'] | [b'$'])
                || (name.first().is_some_and(|&b| is_name_start(b))
                    && name.iter().all(|&b| is_name(b)));
            if !simple {
                return Err(format!(
                    "${{{}}}: only ${{NAME}} is supported",
                    String::from_utf8_lossy(name)
                ));
            }
            word.push(Piece::Param(name.to_vec(), quoted));
            Ok(end + 1)
        }
        Some(b'(') => Err(String::from("$(...) command substitution is not supported")),
        Some(&b) if b.is_ascii_digit() || matches!(b, b'@' | b'*' | b'#' | b'!' | b'-') => {
            Err(format!(
                "${}: positional and special parameters are not supported",
                b as char
            ))
        }
        Some(&b) if is_name_start(b) => {
            let mut end = i;
            while line.get(end).is_some_and(|&b| is_name(b)) {
                end += 1;
            }
            word.push(Piece::Param(line[i..end].to_vec(), quoted));
            Ok(end)
        }
        // A `$` before anything else is just a dollar sign.
        _ => {
            push_text(word, b"$", quoted);
            Ok(i)
        }
    }
}

/// Split `line` into tokens. A `#` at the start of a word comments out the rest.
pub fn tokenize(line: &[u8]) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut word: Word = Vec::new();
    let mut in_word = false; // a word has started (even an empty "" one)
    let mut i = 0;
    let end_word = |tokens: &mut Vec<Token>, word: &mut Word, in_word: &mut bool| {
        if *in_word {
            tokens.push(Token::Word(core::mem::take(word)));
            *in_word = false;
        }
    };
    while i < line.len() {
        let c = line[i];
        let next = line.get(i + 1).copied();
        i += 1;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => end_word(&mut tokens, &mut word, &mut in_word),
            b'#' if !in_word => break,
            b'|' | b'&' | b';' => {
                end_word(&mut tokens, &mut word, &mut in_word);
                let tok = match (c, next) {
                    (b'|', Some(b'|')) => Token::OrIf,
                    (b'&', Some(b'&')) => Token::AndIf,
                    (b'|', Some(b'&')) => return Err(String::from("'|&' is not supported")),
                    (b'&', Some(b'>')) => return Err(String::from("'&>' is not supported")),
                    (b';', Some(b';')) => return Err(String::from("';;' is not supported")),
                    (b'|', _) => Token::Pipe,
                    (b'&', _) => Token::Amp,
                    _ => Token::Semi,
                };
                if matches!(tok, Token::OrIf | Token::AndIf) {
                    i += 1;
                }
                tokens.push(tok);
            }
            b'<' | b'>' => {
                // A word of digits right before it names the descriptor ("2>").
                let fd = match word.as_slice() {
                    [Piece::Text(d, false)] if in_word && d.iter().all(u8::is_ascii_digit) => {
                        let fd = d
                            .iter()
                            .fold(0i32, |n, &b| n.saturating_mul(10) + (b - b'0') as i32);
                        word.clear();
                        in_word = false;
                        Some(fd)
                    }
                    _ => {
                        end_word(&mut tokens, &mut word, &mut in_word);
                        None
                    }
                };
                let op = match (c, next) {
                    (b'>', Some(b'>')) => {
                        i += 1;
                        RedirOp::Append
                    }
                    (b'<', Some(b'<')) => {
                        return Err(String::from("here-documents (<<) are not supported"))
                    }
                    (_, Some(b'&')) => return Err(format!("'{}&' is not supported", c as char)),
                    (b'<', Some(b'>')) => return Err(String::from("'<>' is not supported")),
                    (b'>', Some(b'|')) => return Err(String::from("'>|' is not supported")),
                    (b'<', _) => RedirOp::In,
                    _ => RedirOp::Out,
                };
                tokens.push(Token::Redir(fd, op));
            }
            b'(' | b')' => {
                return Err(format!(
                    "'{}': subshells and functions are not supported",
                    c as char
                ))
            }
            b'`' => return Err(String::from("`...` command substitution is not supported")),
            b'\\' => {
                in_word = true;
                match line.get(i) {
                    Some(b'\n') => i += 1, // a line continuation inside a script
                    Some(&n) => {
                        push_text(&mut word, &[n], true);
                        i += 1;
                    }
                    None => return Err(String::from("a '\\' at the end of the line")),
                }
            }
            b'\'' => {
                in_word = true;
                let Some(len) = line[i..].iter().position(|&b| b == b'\'') else {
                    return Err(String::from("unterminated '"));
                };
                push_text(&mut word, &line[i..i + len], true);
                i += len + 1;
            }
            b'"' => {
                in_word = true;
                // Inside "...": $ expands, \ quotes only $ ` " \ and a newline.
                push_text(&mut word, b"", true);
                loop {
                    match line.get(i) {
                        None => return Err(String::from("unterminated \"")),
                        Some(b'"') => break i += 1,
                        Some(b'$') => i = dollar(line, i + 1, true, &mut word)?,
                        Some(b'`') => {
                            return Err(String::from("`...` command substitution is not supported"))
                        }
                        Some(b'\\')
                            if matches!(line.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) =>
                        {
                            push_text(&mut word, &line[i + 1..i + 2], true);
                            i += 2;
                        }
                        Some(_) => {
                            push_text(&mut word, &line[i..i + 1], true);
                            i += 1;
                        }
                    }
                }
            }
            b'$' => {
                in_word = true;
                i = dollar(line, i, false, &mut word)?;
            }
            _ => {
                in_word = true;
                let start = i - 1;
                while line
                    .get(i)
                    .is_some_and(|&b| !is_meta(b) && !b"\\'\"$`#".contains(&b))
                {
                    i += 1;
                }
                push_text(&mut word, &line[start..i], false);
            }
        }
    }
    end_word(&mut tokens, &mut word, &mut in_word);
    Ok(tokens)
}

/// The word's text if it is one plain unquoted piece (for reserved words like `if`).
pub fn plain(word: &Word) -> Option<&[u8]> {
    match word.as_slice() {
        [Piece::Text(t, false)] => Some(t),
        _ => None,
    }
}
