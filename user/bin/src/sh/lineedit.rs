//! The line editor: what the shell does with each key while the terminal is in raw mode
//! (GNU readline and busybox's `lineedit.c` do the same job, much bigger).
//!
//! The kernel's terminal normally edits the line itself (canonical mode, `n_tty`), but it
//! knows nothing of arrow keys or history. So while it waits for a command the shell
//! turns ICANON and ECHO off (`term.rs`): every key arrives as soon as it is typed, and
//! the shell echoes and redraws the line itself with ANSI escape sequences. An arrow
//! key arrives as three bytes, ESC [ A (up), B (down), C (right), D (left).
//!
//! [`Editor::feed`] takes one byte and says what happened; it appends what the terminal
//! must show to [`Editor::out`]. It knows nothing of files or the prompt, so it can be
//! tested on its own. Simplifications: one byte is one column (no UTF-8 widths), and
//! a line longer than the terminal is wide is not redrawn correctly when edited.

use alloc::format;
use alloc::vec::Vec;

/// What a byte did.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// Nothing the caller must act on (the line changed, or a partial escape sequence).
    None,
    /// Enter: the line is done (the newline is already echoed).
    Line(Vec<u8>),
    /// Ctrl-D on an empty line: end of input.
    Eof,
    /// Ctrl-C: the line was abandoned (`^C` echoed); prompt again.
    Cancel,
    /// Tab: the caller completes the word before the cursor ([`Editor::insert`] or a list).
    Complete,
    /// Ctrl-L: the caller clears the screen and redraws the prompt and line ([`Editor::redraw`]).
    Clear,
}

/// Where we are in an escape sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Esc {
    /// Not in one.
    Ground,
    /// After ESC.
    Escape,
    /// After ESC [ (a CSI), with the number read so far.
    Csi(u32),
    /// After ESC O (SS3: some terminals send arrows this way).
    Ss3,
}

/// The line being edited, the cursor, and the history.
pub struct Editor {
    /// The line.
    pub line: Vec<u8>,
    /// Cursor position, 0..=line.len().
    pub cursor: usize,
    /// What the terminal must show (the caller writes it out and clears it).
    pub out: Vec<u8>,
    /// Earlier lines, oldest first.
    history: Vec<Vec<u8>>,
    /// The history entry shown (history.len(): the line being typed).
    hist_pos: usize,
    /// The line being typed, kept while the user looks at the history.
    draft: Vec<u8>,
    esc: Esc,
}

/// Most lines the history keeps (bash's HISTSIZE default is 500).
pub const HISTORY_MAX: usize = 500;

const CTRL_A: u8 = 1;
const CTRL_B: u8 = 2;
const CTRL_C: u8 = 3;
const CTRL_D: u8 = 4;
const CTRL_E: u8 = 5;
const CTRL_F: u8 = 6;
const CTRL_K: u8 = 11;
const CTRL_L: u8 = 12;
const CTRL_N: u8 = 14;
const CTRL_P: u8 = 16;
const CTRL_U: u8 = 21;
const CTRL_W: u8 = 23;
const ESC: u8 = 0x1b;
const BACKSPACE: u8 = 8;
const DEL: u8 = 0x7f;

impl Default for Editor {
    fn default() -> Self {
        Self::new()
    }
}

impl Editor {
    /// An empty editor with no history.
    pub fn new() -> Editor {
        Editor {
            line: Vec::new(),
            cursor: 0,
            out: Vec::new(),
            history: Vec::new(),
            hist_pos: 0,
            draft: Vec::new(),
            esc: Esc::Ground,
        }
    }

    /// Start a new line (after the prompt is printed).
    pub fn start(&mut self) {
        self.line.clear();
        self.cursor = 0;
        self.hist_pos = self.history.len();
        self.draft.clear();
        self.esc = Esc::Ground;
    }

    /// Remember `line` (not empty lines, nor the same line twice in a row).
    pub fn add_history(&mut self, line: &[u8]) {
        if line.iter().all(|b| b.is_ascii_whitespace())
            || self.history.last().is_some_and(|l| l == line)
        {
            return;
        }
        if self.history.len() == HISTORY_MAX {
            self.history.remove(0);
        }
        self.history.push(line.to_vec());
    }

    /// The history, oldest first (the `history` builtin prints it).
    pub fn history(&self) -> &[Vec<u8>] {
        &self.history
    }

    /// Move the terminal's cursor `n` columns left or right.
    fn left(&mut self, n: usize) {
        if n > 0 {
            self.out
                .extend_from_slice(format!("\x1b[{}D", n).as_bytes());
        }
    }

    fn right(&mut self, n: usize) {
        if n > 0 {
            self.out
                .extend_from_slice(format!("\x1b[{}C", n).as_bytes());
        }
    }

    /// Redraw from the cursor to the end of the line, erase `extra` stale columns after
    /// it, and put the cursor back.
    fn redraw_tail(&mut self, extra: usize) {
        let tail = self.line[self.cursor..].to_vec();
        self.out.extend_from_slice(&tail);
        self.out.extend(core::iter::repeat_n(b' ', extra));
        self.left(tail.len() + extra);
    }

    /// Write the whole line (after the caller printed the prompt) and place the cursor.
    pub fn redraw(&mut self) {
        let line = self.line.clone();
        self.out.extend_from_slice(&line);
        self.left(line.len() - self.cursor);
    }

    /// Insert `text` at the cursor (typing, or a completion).
    pub fn insert(&mut self, text: &[u8]) {
        let at = self.cursor;
        self.line.splice(at..at, text.iter().copied());
        self.out.extend_from_slice(text);
        self.cursor += text.len();
        self.redraw_tail(0);
    }

    /// Delete `n` bytes before the cursor.
    fn erase_back(&mut self, n: usize) {
        let n = n.min(self.cursor);
        if n == 0 {
            return;
        }
        self.left(n);
        self.cursor -= n;
        self.line.drain(self.cursor..self.cursor + n);
        self.redraw_tail(n);
    }

    /// Delete `n` bytes at the cursor.
    fn erase_forward(&mut self, n: usize) {
        let n = n.min(self.line.len() - self.cursor);
        if n > 0 {
            self.line.drain(self.cursor..self.cursor + n);
            self.redraw_tail(n);
        }
    }

    /// Show `new` instead of the current line (history), cursor at its end.
    fn replace(&mut self, new: Vec<u8>) {
        let old_len = self.line.len();
        self.left(self.cursor);
        self.out.extend_from_slice(&new);
        // Erase what is left of a longer old line (ESC [ K: erase to the end of the line).
        if old_len > new.len() {
            self.out.extend_from_slice(b"\x1b[K");
        }
        self.cursor = new.len();
        self.line = new;
    }

    /// Up (`older` true) or down in the history.
    fn history_step(&mut self, older: bool) {
        let pos = if older {
            match self.hist_pos.checked_sub(1) {
                Some(p) => p,
                None => return,
            }
        } else if self.hist_pos < self.history.len() {
            self.hist_pos + 1
        } else {
            return;
        };
        if self.hist_pos == self.history.len() {
            self.draft = self.line.clone();
        }
        self.hist_pos = pos;
        let new = match self.history.get(pos) {
            Some(l) => l.clone(),
            None => self.draft.clone(),
        };
        self.replace(new);
    }

    /// Act on the final byte of an escape sequence (with its number, e.g. 3 in ESC [ 3 ~).
    fn escape(&mut self, fin: u8, n: u32) {
        match (fin, n) {
            (b'A', _) => self.history_step(true),
            (b'B', _) => self.history_step(false),
            (b'C', _) if self.cursor < self.line.len() => {
                self.cursor += 1;
                self.right(1);
            }
            (b'D', _) if self.cursor > 0 => {
                self.cursor -= 1;
                self.left(1);
            }
            (b'H', _) | (b'~', 1) | (b'~', 7) => {
                self.left(self.cursor);
                self.cursor = 0;
            }
            (b'F', _) | (b'~', 4) | (b'~', 8) => {
                self.right(self.line.len() - self.cursor);
                self.cursor = self.line.len();
            }
            (b'~', 3) => self.erase_forward(1),
            _ => {} // an unknown key: ignored
        }
    }

    /// Take one byte typed at the terminal (readline's `rl_getc` and key dispatch).
    pub fn feed(&mut self, b: u8) -> Event {
        match self.esc {
            Esc::Escape => {
                self.esc = match b {
                    b'[' => Esc::Csi(0),
                    b'O' => Esc::Ss3,
                    _ => Esc::Ground,
                };
                return Event::None;
            }
            Esc::Csi(n) => {
                if b.is_ascii_digit() {
                    self.esc = Esc::Csi(n.saturating_mul(10).saturating_add((b - b'0') as u32));
                } else if (0x40..=0x7e).contains(&b) {
                    self.esc = Esc::Ground;
                    self.escape(b, n);
                }
                return Event::None; // ';' and other parameter bytes: skipped
            }
            Esc::Ss3 => {
                self.esc = Esc::Ground;
                self.escape(b, 0);
                return Event::None;
            }
            Esc::Ground => {}
        }
        match b {
            ESC => self.esc = Esc::Escape,
            b'\r' | b'\n' => {
                self.right(self.line.len() - self.cursor);
                self.out.push(b'\n');
                let line = core::mem::take(&mut self.line);
                self.cursor = 0;
                return Event::Line(line);
            }
            BACKSPACE | DEL => self.erase_back(1),
            CTRL_D if self.line.is_empty() => return Event::Eof,
            CTRL_D => self.erase_forward(1),
            CTRL_C => {
                self.right(self.line.len() - self.cursor);
                self.out.extend_from_slice(b"^C\n");
                self.line.clear();
                self.cursor = 0;
                return Event::Cancel;
            }
            CTRL_A => self.escape(b'H', 0),
            CTRL_E => self.escape(b'F', 0),
            CTRL_B => self.escape(b'D', 0),
            CTRL_F => self.escape(b'C', 0),
            CTRL_P => self.escape(b'A', 0),
            CTRL_N => self.escape(b'B', 0),
            CTRL_U => self.erase_back(self.cursor),
            CTRL_K => self.erase_forward(self.line.len() - self.cursor),
            CTRL_W => {
                // The word before the cursor, and the spaces after it.
                let l = &self.line[..self.cursor];
                let spaces = l.iter().rev().take_while(|&&c| c == b' ').count();
                let word = l[..l.len() - spaces]
                    .iter()
                    .rev()
                    .take_while(|&&c| c != b' ')
                    .count();
                self.erase_back(spaces + word);
            }
            CTRL_L => return Event::Clear,
            b'\t' => return Event::Complete,
            0x20..=0x7e | 0x80..=0xff => self.insert(&[b]),
            _ => {} // other control characters: ignored
        }
        Event::None
    }
}
