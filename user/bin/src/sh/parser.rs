//! The parser: tokens become a list of and-or lists of pipelines (POSIX XCU 2.9.1-2.9.3,
//! the grammar's `list`, `and_or`, `pipeline` and `simple_command`).
//!
//! ```text
//!   ls /bin | wc -l && echo ok; sleep 5 &
//!   \_____________/    \_____/  \_______/
//!      pipeline        pipeline  pipeline
//!   \_________________________/ \_________/
//!     and-or list (then ';')      and-or list, in the background ('&')
//! ```
//!
//! Control flow (`if`, `while`, `for`, `case`, `{ }`, `!`) is not part of this shell: a
//! reserved word in command position is an error, not a program called "if".

use crate::sh::lexer::{plain, RedirOp, Token, Word};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A redirection: descriptor `fd` goes to (or comes from) the file named by `target`.
#[derive(Clone, Debug)]
pub struct Redirect {
    /// The descriptor: 0 for `<`, 1 for `>` unless written (`2>`).
    pub fd: i32,
    /// Read, write or append.
    pub op: RedirOp,
    /// The file name (expanded when the command runs).
    pub target: Word,
}

/// One command: `NAME=value` assignments, words and redirections.
#[derive(Clone, Debug, Default)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name: the command's own environment (or,
    /// with no command, the shell's variables).
    pub assigns: Vec<(Vec<u8>, Word)>,
    /// The command name and its arguments.
    pub words: Vec<Word>,
    /// Redirections, applied left to right.
    pub redirects: Vec<Redirect>,
}

/// Commands joined by `|`: each one's stdout is the next one's stdin.
pub type Pipeline = Vec<SimpleCommand>;

/// How a pipeline hangs on the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `&&`: run if the last status was 0.
    And,
    /// `||`: run if the last status was not 0.
    Or,
}

/// Pipelines joined by `&&` and `||`, ended by `;` (or the line's end) or by `&`.
#[derive(Clone, Debug)]
pub struct AndOr {
    /// The first pipeline.
    pub first: Pipeline,
    /// The others, each with the connector before it.
    pub rest: Vec<(Connector, Pipeline)>,
    /// Ended by `&`: run in the background.
    pub background: bool,
}

/// Words that start control flow in a POSIX shell; here they are errors.
const RESERVED: [&[u8]; 16] = [
    b"if",
    b"then",
    b"else",
    b"elif",
    b"fi",
    b"do",
    b"done",
    b"case",
    b"esac",
    b"while",
    b"until",
    b"for",
    b"function",
    b"{",
    b"}",
    b"!",
];

/// Is `w` a `NAME=value` word (an unquoted valid name before the `=`)?
fn assignment(w: &Word) -> Option<(Vec<u8>, Word)> {
    let crate::sh::lexer::Piece::Text(t, false) = w.first()? else {
        return None;
    };
    let eq = t.iter().position(|&b| b == b'=')?;
    let name = &t[..eq];
    let valid = !name.is_empty()
        && !name[0].is_ascii_digit()
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return None;
    }
    let mut value = w.clone();
    value[0] = crate::sh::lexer::Piece::Text(t[eq + 1..].to_vec(), false);
    Some((name.to_vec(), value))
}

fn token_text(t: &Token) -> &'static str {
    match t {
        Token::Pipe => "|",
        Token::AndIf => "&&",
        Token::OrIf => "||",
        Token::Semi => ";",
        Token::Amp => "&",
        Token::Redir(..) => "redirection",
        Token::Word(_) => "word",
    }
}

/// Parse a line's tokens into and-or lists. Errors read like bash's ("syntax error near
/// unexpected token `|'").
pub fn parse(tokens: Vec<Token>) -> Result<Vec<AndOr>, String> {
    let mut lists = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while tokens.peek().is_some() {
        let first = pipeline(&mut tokens)?;
        let mut list = AndOr {
            first,
            rest: Vec::new(),
            background: false,
        };
        loop {
            match tokens.next() {
                None | Some(Token::Semi) => break,
                Some(Token::Amp) => {
                    if !list.rest.is_empty() {
                        return Err(String::from("'&' after && or || is not supported"));
                    }
                    list.background = true;
                    break;
                }
                Some(Token::AndIf) => list.rest.push((Connector::And, pipeline(&mut tokens)?)),
                Some(Token::OrIf) => list.rest.push((Connector::Or, pipeline(&mut tokens)?)),
                Some(t) => {
                    return Err(format!(
                        "syntax error near unexpected token `{}'",
                        token_text(&t)
                    ))
                }
            }
        }
        lists.push(list);
    }
    Ok(lists)
}

/// `command ('|' command)*`.
fn pipeline(
    tokens: &mut core::iter::Peekable<impl Iterator<Item = Token>>,
) -> Result<Pipeline, String> {
    let mut cmds = alloc::vec![command(tokens)?];
    while tokens.peek() == Some(&Token::Pipe) {
        tokens.next();
        cmds.push(command(tokens)?);
    }
    Ok(cmds)
}

/// Words and redirections up to an operator; an empty command is a syntax error.
fn command(
    tokens: &mut core::iter::Peekable<impl Iterator<Item = Token>>,
) -> Result<SimpleCommand, String> {
    let mut cmd = SimpleCommand::default();
    loop {
        match tokens.peek() {
            Some(Token::Word(_)) => {
                let Some(Token::Word(w)) = tokens.next() else {
                    unreachable!()
                };
                if cmd.words.is_empty() {
                    if let Some(a) = assignment(&w) {
                        cmd.assigns.push(a);
                        continue;
                    }
                    if let Some(r) = plain(&w).filter(|t| RESERVED.contains(t)) {
                        return Err(format!(
                            "'{}': control flow (if, while, for, case, {{ }}, !) is not supported",
                            String::from_utf8_lossy(r)
                        ));
                    }
                }
                cmd.words.push(w);
            }
            Some(Token::Redir(..)) => {
                let Some(Token::Redir(fd, op)) = tokens.next() else {
                    unreachable!()
                };
                let Some(Token::Word(target)) = tokens.next() else {
                    return Err(String::from("a redirection needs a file name"));
                };
                let fd = fd.unwrap_or(if op == RedirOp::In { 0 } else { 1 });
                cmd.redirects.push(Redirect { fd, op, target });
            }
            Some(t) => {
                if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirects.is_empty() {
                    return Err(format!(
                        "syntax error near unexpected token `{}'",
                        token_text(t)
                    ));
                }
                return Ok(cmd);
            }
            None => {
                if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirects.is_empty() {
                    return Err(String::from("syntax error: unexpected end of line"));
                }
                return Ok(cmd);
            }
        }
    }
}
