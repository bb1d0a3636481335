//! sh: a small Unix shell, enough to see how a shell runs programs.
//!
//! Reading order, one file per step a command takes:
//!
//! ```text
//!   input.rs     read a line: the line editor on a terminal (lineedit.rs, term.rs,
//!                complete.rs: arrow keys, history, Tab), plain reads otherwise
//!   lexer.rs     the line -> words and operators (quotes, \, $NAME, # comments)
//!   parser.rs    tokens -> and-or lists (&&, ||, ; and &) of pipelines (|) of commands
//!   expand.rs    each word -> its text: $NAME, $?, $$, then *, ? and [..] (glob.rs)
//!   exec.rs      builtins in the shell; programs with fork + pipes + execve + wait4
//!   jobs.rs      background jobs (&), `jobs`, `wait`, job numbers
//!   builtins.rs  cd, pwd, exit, wait, jobs, history, export, unset, help
//! ```
//!
//! Running a program is the classic sequence, which `docs/walkthrough.md` follows into
//! the kernel:
//!
//! ```text
//!   fork()                      the child is a copy of the shell (kernel_clone)
//!   child:  setpgid, tcsetpgrp  its own process group, made the terminal's foreground
//!           dup3(pipe, 0 or 1)  stdin/stdout from/to the neighbours in a pipeline
//!           execve(path)        becomes the program (do_execve -> load_elf_binary)
//!   parent: wait4(pid)          sleeps until the child is a zombie, then reaps it
//! ```
//!
//! Job control, when the shell reads a terminal: the shell ignores SIGINT (and the other
//! terminal signals), and each foreground job (all the commands of a pipeline) gets its
//! own process group which the terminal signals on Ctrl-C (`kernel/src/fs/tty.rs`), so
//! Ctrl-C ends the job and not the shell.
//!
//! Left out, compared with a POSIX shell, each refused with a message: control flow
//! (`if`, `while`, `for`, `case`), functions and subshells, `$(...)`, here-documents,
//! `>&` and the positional parameters. Also left out, silently: field splitting of `$NAME`
//! (a value with spaces stays one word), `~`, and stopping jobs with Ctrl-Z.

pub mod complete;
pub mod glob;
pub mod lexer;
pub mod lineedit;
pub mod parser;

mod builtins;
mod exec;
mod expand;
mod input;
mod jobs;
mod term;

use alloc::vec::Vec;
use binlib::{read_file, text, DEFAULT_PATH};
use jobs::Job;
use lineedit::Editor;
use ulib::signal::{rt_sigaction, KSigaction, SIG_IGN};
use ulib::tty::{isatty, tcsetpgrp};
use ulib::{eprintln, process};

/// Signals an interactive shell ignores: SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU.
const JOB_SIGNALS: [i32; 5] = [2, 3, 20, 21, 22];

/// The shell's state.
pub struct Shell {
    /// Reading commands from a terminal: prompts, the line editor, job control.
    interactive: bool,
    /// Jobs get their own process group and the terminal (needs setpgid and TIOCSPGRP).
    job_control: bool,
    /// The shell's own process group, given the terminal back after each job.
    pgrp: i32,
    /// `$?`: the last command's status.
    last: i32,
    /// Variables, "NAME=value"; all are passed to programs (all "exported").
    vars: Vec<Vec<u8>>,
    /// Background jobs not yet reported.
    jobs: Vec<Job>,
    /// The line editor, with the history.
    editor: Editor,
    /// The terminal's modes, when stdin is one.
    term: Option<term::Term>,
    /// Input read but not used yet.
    pending: Vec<u8>,
}

/// `sh` (commands from stdin; a prompt and the line editor if it is a terminal),
/// `sh -c 'COMMANDS'`, `sh FILE`. The exit status is the last command's.
pub fn main() -> i32 {
    let args: Vec<&[u8]> = ulib::args().collect();
    let mut sh = Shell {
        interactive: false,
        job_control: false,
        pgrp: 0,
        last: 0,
        vars: ulib::env().map(|e| e.to_vec()).collect(),
        jobs: Vec::new(),
        editor: Editor::new(),
        term: None,
        pending: Vec::new(),
    };
    if sh.var(b"PATH").is_none() {
        sh.set_var(b"PATH", DEFAULT_PATH.as_bytes());
    }
    match args.get(1).copied() {
        Some(b"-c") => {
            let Some(script) = args.get(2) else {
                eprintln!("sh: -c: option requires an argument");
                return 2;
            };
            sh.run_script(script);
            sh.last
        }
        Some(file) => match read_file(file) {
            Ok(script) => {
                sh.run_script(&script);
                sh.last
            }
            Err(e) => {
                eprintln!("sh: {}: {}", text(file), e.text());
                127
            }
        },
        None => {
            sh.interactive = isatty(0);
            if sh.interactive {
                sh.start_job_control();
                sh.term = term::Term::new();
            }
            sh.read_loop()
        }
    }
}

/// Set the disposition of `sig` to `handler` (SIG_IGN or SIG_DFL); false if refused.
fn set_signal(sig: i32, handler: usize) -> bool {
    let act = KSigaction {
        handler,
        ..KSigaction::default()
    };
    // SAFETY: SIG_IGN and SIG_DFL are not functions; no restorer is needed.
    unsafe { rt_sigaction(sig, Some(&act), None) }.is_ok()
}

impl Shell {
    /// Become a process group leader and ignore the terminal's signals. Job control is
    /// on only if both work: otherwise Ctrl-C would reach the shell itself (or init).
    fn start_job_control(&mut self) {
        let ignored = JOB_SIGNALS.iter().all(|&s| set_signal(s, SIG_IGN));
        let pid = process::getpid();
        // Already a group leader (started by another shell's job control), or become one.
        let leader = process::getpgid(0) == Ok(pid) || process::setpgid(0, 0).is_ok();
        if ignored && leader && tcsetpgrp(0, pid).is_ok() {
            self.pgrp = pid;
            self.job_control = true;
        }
    }

    /// Read and run commands until end of input or `exit`.
    fn read_loop(&mut self) -> i32 {
        loop {
            self.reap_jobs();
            let Some(line) = self.read_line() else { break };
            self.run_line(&line);
        }
        if self.interactive {
            ulib::println!("exit");
        }
        self.last
    }

    /// Run every line of a script (`sh -c`, `sh FILE`).
    fn run_script(&mut self, script: &[u8]) {
        for line in script.split(|&b| b == b'\n') {
            self.run_line(line);
            self.reap_jobs();
        }
    }

    /// The value of variable `name`.
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        self.vars.iter().find_map(|v| {
            (v.len() > name.len() && v.starts_with(name) && v[name.len()] == b'=')
                .then(|| &v[name.len() + 1..])
        })
    }

    /// Set variable `name` (every variable is exported to programs).
    fn set_var(&mut self, name: &[u8], value: &[u8]) {
        let mut entry = name.to_vec();
        entry.push(b'=');
        entry.extend_from_slice(value);
        match self
            .vars
            .iter_mut()
            .find(|v| v.starts_with(&entry[..=name.len()]))
        {
            Some(v) => *v = entry,
            None => self.vars.push(entry),
        }
    }

    /// Remove variable `name`.
    fn unset_var(&mut self, name: &[u8]) {
        self.vars
            .retain(|v| !(v.len() > name.len() && v.starts_with(name) && v[name.len()] == b'='));
    }
}
