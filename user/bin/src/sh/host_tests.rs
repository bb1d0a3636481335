//! Host unit tests of the shell's pure parts: the lexer, parser, pattern matching, line
//! editor and completion rules. They use nothing of ulib, so they build for the host
//! with plain rustc (`qemu/runtests.py host` runs them):
//!
//! ```text
//!   rustc --edition 2021 --test user/bin/src/sh/host_tests.rs -o build/sh_host_tests
//!   build/sh_host_tests
//! ```

#![allow(dead_code)]
extern crate alloc;

// The modules under test, next to this file; `sh` gives them the paths they have in
// `sh.rs` (`crate::sh::lexer`, ...).
pub mod complete;
pub mod glob;
pub mod lexer;
pub mod lineedit;
pub mod parser;
mod sh {
    pub use super::{complete, lexer, lineedit, parser};
}

use sh::complete::{common_prefix, complete, current_word, Completion};

use sh::lexer::{tokenize, Piece, RedirOp, Token};
use sh::lineedit::{Editor, Event};
use sh::parser::{parse, Connector};

fn text(t: &[u8], q: bool) -> Piece {
    Piece::Text(t.to_vec(), q)
}

#[test]
fn lexer_quotes_and_operators() {
    let t = tokenize(br#"echo 'a $b' "c $D" e\ f|cat&&x||y;z&"#).unwrap();
    assert_eq!(t[0], Token::Word(vec![text(b"echo", false)]));
    assert_eq!(t[1], Token::Word(vec![text(b"a $b", true)]));
    assert_eq!(t[2], Token::Word(vec![text(b"c ", true), Piece::Param(b"D".to_vec(), true)]));
    assert_eq!(t[3], Token::Word(vec![text(b"e", false), text(b" ", true), text(b"f", false)]));
    assert_eq!(&t[4..], &[
        Token::Pipe,
        Token::Word(vec![text(b"cat", false)]),
        Token::AndIf,
        Token::Word(vec![text(b"x", false)]),
        Token::OrIf,
        Token::Word(vec![text(b"y", false)]),
        Token::Semi,
        Token::Word(vec![text(b"z", false)]),
        Token::Amp,
    ]);
}

#[test]
fn lexer_redirections_and_comments() {
    let t = tokenize(b"cat <in >>out 2>err # the rest").unwrap();
    assert_eq!(t[1], Token::Redir(None, RedirOp::In));
    assert_eq!(t[3], Token::Redir(None, RedirOp::Append));
    assert_eq!(t[5], Token::Redir(Some(2), RedirOp::Out));
    assert_eq!(t.len(), 7);
    // An empty quoted word is still a word.
    assert_eq!(tokenize(b"echo ''").unwrap().len(), 2);
}

#[test]
fn lexer_refuses_what_it_does_not_do() {
    for bad in [&b"echo $(ls)"[..], b"echo `ls`", b"cat <<EOF", b"ls 2>&1", b"(ls)", b"ls |& cat",
                b"echo $1", b"echo 'open", b"echo \"open", b"ls &> f"] {
        assert!(tokenize(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    // A lone $ is a dollar sign.
    assert_eq!(tokenize(b"echo $").unwrap()[1], Token::Word(vec![text(b"$", false)]));
}

#[test]
fn parser_lists_and_pipelines() {
    let l = parse(tokenize(b"a | b | c && d || e; f &").unwrap()).unwrap();
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].first.len(), 3);
    assert_eq!(l[0].rest.iter().map(|r| r.0).collect::<Vec<_>>(), [Connector::And, Connector::Or]);
    assert!(!l[0].background && l[1].background);
    let a = parse(tokenize(b"X=1 Y=2 env > out").unwrap()).unwrap();
    let c = &a[0].first[0];
    assert_eq!(c.assigns.len(), 2);
    assert_eq!(c.words.len(), 1);
    assert_eq!(c.redirects[0].fd, 1);
}

#[test]
fn parser_errors() {
    for bad in [&b"| a"[..], b"a | | b", b"a &&", b"a ; ; b", b"if true; then x; fi", b"a && b &", b"cat >"] {
        assert!(parse(tokenize(bad).unwrap()).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    let e = parse(tokenize(b"a | | b").unwrap()).unwrap_err();
    assert_eq!(e, "syntax error near unexpected token `|'");
    // Quoted, "if" is an ordinary word.
    assert!(parse(tokenize(b"'if' x").unwrap()).is_ok());
}

fn unquoted(p: &[u8]) -> Vec<bool> {
    vec![false; p.len()]
}

#[test]
fn glob_matching() {
    let m = |p: &[u8], n: &[u8]| glob::matches(p, &unquoted(p), n);
    assert!(m(b"*", b"abc") && m(b"a*c", b"abbbc") && m(b"a?c", b"abc") && !m(b"a?c", b"ac"));
    assert!(m(b"[ab]x", b"bx") && !m(b"[!ab]x", b"bx") && m(b"[a-c]", b"b") && !m(b"[a-c]", b"d"));
    assert!(m(b"[x", b"[x")); // unclosed: a plain '['
    // A quoted * matches only itself.
    assert!(glob::matches(b"a*", &[false, true], b"a*") && !glob::matches(b"a*", &[false, true], b"ab"));
    assert!(!glob::has_pattern(b"a*", &[false, true]));
}

#[test]
fn glob_expansion_over_a_tree() {
    let tree = |d: &[u8]| -> Option<Vec<Vec<u8>>> {
        let names: &[&[u8]] = match d {
            b"" => &[b"b.txt", b"a.txt", b".hidden", b"dir"],
            b"dir/" => &[b"x", b"y"],
            b"/" => &[b"bin", b"tmp"],
            _ => return None,
        };
        Some(names.iter().map(|n| n.to_vec()).collect())
    };
    let mut read = tree;
    let mut exists = |p: &[u8]| p == b"dir/x" || p == b"/bin/sh";
    let e = |w: &[u8], read: &mut dyn FnMut(&[u8]) -> Option<Vec<Vec<u8>>>, ex: &mut dyn FnMut(&[u8]) -> bool| {
        glob::expand(w, &unquoted(w), read, ex)
    };
    assert_eq!(e(b"*.txt", &mut read, &mut exists), [b"a.txt".to_vec(), b"b.txt".to_vec()]);
    assert_eq!(e(b"*", &mut read, &mut exists).len(), 3); // no .hidden
    assert_eq!(e(b".h*", &mut read, &mut exists), [b".hidden".to_vec()]);
    assert_eq!(e(b"d*/?", &mut read, &mut exists), [b"dir/x".to_vec(), b"dir/y".to_vec()]);
    assert_eq!(e(b"/b*/sh", &mut read, &mut exists), [b"/bin/sh".to_vec()]);
    assert!(e(b"/t*/sh", &mut read, &mut exists).is_empty()); // /tmp/sh does not exist
    assert!(e(b"*.rs", &mut read, &mut exists).is_empty());
}

/// Feed `keys` to `ed`; the events that were not None.
fn feed(ed: &mut Editor, keys: &[u8]) -> Vec<Event> {
    keys.iter().map(|&b| ed.feed(b)).filter(|e| *e != Event::None).collect()
}

#[test]
fn line_editor_edits_mid_line() {
    let mut ed = Editor::new();
    ed.start();
    // "echo wrld", three lefts, 'o', End, backspace, 'd', Enter.
    let ev = feed(&mut ed, b"echo wrld\x1b[D\x1b[D\x1b[Do\x1b[F\x7fd\r");
    assert_eq!(ev, [Event::Line(b"echo world".to_vec())]);
    // What the terminal was told while inserting 'o': the tail again, then back 3.
    let out = String::from_utf8(ed.out.clone()).unwrap();
    assert!(out.contains("orld\x1b[3D"), "{:?}", out);
}

#[test]
fn line_editor_history_up_down() {
    let mut ed = Editor::new();
    for l in [&b"one"[..], b"two", b"two", b""] {
        ed.add_history(l);
    }
    assert_eq!(ed.history().len(), 2); // no repeats, no empty lines
    ed.start();
    // A split escape sequence works: ESC, then [A later.
    assert_eq!(feed(&mut ed, b"dr\x1b"), []);
    assert_eq!(feed(&mut ed, b"[A"), []);
    assert_eq!(ed.line, b"two");
    feed(&mut ed, b"\x1b[A\x1b[A");
    assert_eq!(ed.line, b"one"); // stops at the oldest
    feed(&mut ed, b"\x1b[B\x1b[B");
    assert_eq!(ed.line, b"dr"); // back to the draft
    assert_eq!(feed(&mut ed, b"\x03"), [Event::Cancel]);
    assert!(ed.line.is_empty());
    assert_eq!(feed(&mut ed, b"\x04"), [Event::Eof]);
    assert_eq!(feed(&mut ed, b"x\t"), [Event::Complete]);
}

#[test]
fn completion_rules() {
    assert_eq!(current_word(b"ls /te"), (&b"/te"[..], false));
    assert_eq!(current_word(b"ec"), (&b"ec"[..], true));
    assert_eq!(current_word(b"ls | gr"), (&b"gr"[..], true));
    assert_eq!(common_prefix(&[b"forkbomb".to_vec(), b"fork_cow".to_vec()]), b"fork");
    let mut fs = |d: &[u8]| -> Option<Vec<(Vec<u8>, bool)>> {
        let names: &[(&[u8], bool)] = match d {
            b"/bin" => &[(b"echo", false), (b"exec_stack", false), (b"cat", false)],
            b"/" | b"" => &[(b"tests", true), (b"tmp", true), (b"bin", true)],
            b"/tests/" => &[(b"fork_cow", false), (b"forkbomb", false)],
            _ => return None,
        };
        Some(names.iter().map(|(n, d)| (n.to_vec(), *d)).collect())
    };
    let b: [&[u8]; 2] = [b"cd", b"exit"];
    assert_eq!(complete(b"ech", true, &b, b"/bin", &mut fs), Completion::Insert(b"o ".to_vec()));
    assert_eq!(
        complete(b"e", true, &b, b"/bin", &mut fs),
        Completion::List(vec![b"echo".to_vec(), b"exec_stack".to_vec(), b"exit".to_vec()])
    );
    assert_eq!(complete(b"/te", false, &b, b"", &mut fs), Completion::Insert(b"sts/".to_vec()));
    assert_eq!(complete(b"/tests/f", false, &b, b"", &mut fs), Completion::Insert(b"ork".to_vec()));
    assert_eq!(complete(b"/nope/", false, &b, b"", &mut fs), Completion::Nothing);
}
