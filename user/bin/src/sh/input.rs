//! Reading a command line: with the line editor when stdin is a terminal, plain reads
//! up to a newline otherwise (a script piped in, or `make test`'s sessions with no
//! terminal).

use super::complete::{self, Completion};
use super::lineedit::Event;
use super::Shell;
use alloc::vec::Vec;
use binlib::{cstring, text};
use ulib::fileops::{ioctl_buf, ioctls::TIOCGWINSZ};
use ulib::fs::{dt, fstatat, getcwd, getdents64, Dirents};
use ulib::io::{self, write_all, AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_RDONLY};
use ulib::{eprintln, Errno};

impl Shell {
    /// The next line (without its newline), or None at end of input.
    pub(super) fn read_line(&mut self) -> Option<Vec<u8>> {
        if self.term.is_some() {
            return self.edit_line();
        }
        if self.interactive {
            self.prompt();
        }
        loop {
            if let Some(nl) = self.pending.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.pending.drain(..=nl).collect();
                line.pop();
                return Some(line);
            }
            match self.fill() {
                Some(true) => {}
                Some(false) if self.pending.is_empty() => return None,
                // The last line had no newline.
                Some(false) => return Some(core::mem::take(&mut self.pending)),
                None => return None,
            }
        }
    }

    /// Read more input into `pending`: Some(true) if some came, Some(false) at end of
    /// input, None on an error.
    fn fill(&mut self) -> Option<bool> {
        let mut buf = [0u8; 256];
        loop {
            match io::read(0, &mut buf) {
                Ok(0) => return Some(false),
                Ok(n) => {
                    self.pending.extend_from_slice(&buf[..n]);
                    return Some(true);
                }
                Err(Errno::EINTR) => {}
                Err(e) => {
                    eprintln!("sh: read: {}", e);
                    return None;
                }
            }
        }
    }

    /// "linnet:/tests# ".
    fn prompt(&self) {
        let mut cwd = [0u8; 256];
        let dir = getcwd(&mut cwd).map_or("?", |d| text(d));
        ulib::print!("linnet:{}# ", dir);
    }

    /// Write what the editor has for the terminal.
    fn flush_editor(&mut self) {
        let _ = write_all(1, &self.editor.out);
        self.editor.out.clear();
    }

    /// Read a line with the line editor, the terminal in raw mode meanwhile (readline's
    /// `readline`: prepare the terminal, read keys until Enter, restore it).
    fn edit_line(&mut self) -> Option<Vec<u8>> {
        if let Some(t) = self.term.as_mut() {
            t.raw();
        }
        self.editor.start();
        self.prompt();
        let line = loop {
            if self.pending.is_empty() {
                self.flush_editor();
                match self.fill() {
                    Some(true) => {}
                    _ => break None,
                }
            }
            let b = self.pending.remove(0);
            match self.editor.feed(b) {
                Event::None => {}
                Event::Line(l) => break Some(l),
                Event::Eof => break None,
                Event::Cancel => {
                    self.last = 130;
                    self.flush_editor();
                    self.prompt();
                    self.editor.start();
                }
                Event::Complete => self.complete(),
                Event::Clear => {
                    // ESC [ H: cursor home; ESC [ 2 J: erase the screen.
                    let _ = write_all(1, b"\x1b[H\x1b[2J");
                    self.prompt();
                    self.editor.redraw();
                }
            }
        };
        self.flush_editor();
        if let Some(t) = self.term.as_mut() {
            t.cooked();
        }
        if let Some(l) = &line {
            self.editor.add_history(l);
        }
        line
    }

    /// Tab: complete the word before the cursor (complete.rs), or list the candidates.
    fn complete(&mut self) {
        let before = &self.editor.line[..self.editor.cursor];
        let (word, command) = complete::current_word(before);
        let word = word.to_vec();
        let path = self.var(b"PATH").unwrap_or(b"").to_vec();
        let names = super::builtins::NAMES;
        match complete::complete(&word, command, &names, &path, &mut list_dir) {
            Completion::Insert(add) => self.editor.insert(&add),
            Completion::Nothing => self.editor.out.push(7), // BEL
            Completion::List(words) => {
                // Show the last path component of each, as bash does, then the line again.
                let shown: Vec<&[u8]> = words
                    .iter()
                    .map(|w| {
                        let cut = w[..w.len() - 1].iter().rposition(|&b| b == b'/');
                        &w[cut.map_or(0, |c| c + 1)..]
                    })
                    .collect();
                let mut out = Vec::from(&b"\n"[..]);
                out.extend_from_slice(&binlib::columns(&shown, columns()));
                self.editor.out.extend_from_slice(&out);
                self.flush_editor();
                self.prompt();
                self.editor.redraw();
            }
        }
    }
}

/// The terminal's width (TIOCGWINSZ: `struct winsize` is rows, columns, ...), or 80.
fn columns() -> usize {
    let mut ws = [0u8; 8];
    match ioctl_buf(1, TIOCGWINSZ, &mut ws) {
        Ok(_) if u16::from_le_bytes([ws[2], ws[3]]) > 0 => {
            u16::from_le_bytes([ws[2], ws[3]]) as usize
        }
        _ => 80,
    }
}

/// The names in directory `dir` ("" is the current one) and whether each is a
/// directory (from getdents64's d_type; a symlink or an unknown type is stat'ed).
fn list_dir(dir: &[u8]) -> Option<Vec<complete::Entry>> {
    let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
    let fd = io::openat(
        AT_FDCWD,
        &cstring(dir),
        O_RDONLY | O_DIRECTORY | O_CLOEXEC,
        0,
    )
    .ok()? as i32;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = getdents64(fd, &mut buf) {
        if n == 0 {
            break;
        }
        for d in Dirents::new(&buf, n) {
            let is_dir = match d.kind {
                dt::DIR => true,
                dt::LNK | dt::UNKNOWN => fstatat(fd, &cstring(d.name), 0).is_ok_and(|s| s.is_dir()),
                _ => false,
            };
            out.push((d.name.to_vec(), is_dir));
        }
    }
    let _ = io::close(fd);
    Some(out)
}

/// The names in `dir`, for pathname expansion.
pub(super) fn dir_names(dir: &[u8]) -> Option<Vec<Vec<u8>>> {
    list_dir(dir).map(|v| v.into_iter().map(|(n, _)| n).collect())
}
