//! Running what the parser built (POSIX XCU 2.9): and-or lists, pipelines, commands.
//!
//! A pipeline `a | b | c` is one fork per command, and between neighbours a pipe
//! (`pipe2`, `kernel/src/fs/pipe.rs`): the child dup3s the read end onto its stdin and the
//! write end onto its stdout. The shell closes its copies at once: a reader sees end of
//! file only when every write end is closed. All the commands share one process group
//! (the first one's pid), which gets the terminal; the shell waits for each, and the
//! pipeline's status is the last command's.

use super::builtins::is_builtin;
use super::lexer::RedirOp;
use super::parser::{self, AndOr, Connector, Pipeline};
use super::{lexer, set_signal, Shell, JOB_SIGNALS};
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use binlib::{cstring, execvp, text, Status, DEFAULT_PATH};
use ulib::fs::{dup3, pipe2};
use ulib::io::{self, fcntl, AT_FDCWD, O_APPEND, O_CLOEXEC, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY};
use ulib::process::{self, wifsignaled, wtermsig};
use ulib::signal::{SIGPIPE, SIG_DFL};
use ulib::tty::tcsetpgrp;
use ulib::{eprintln, Errno};

/// A command with its words expanded: what runs.
struct Expanded {
    /// `NAME=value` for this command only (or for the shell, with no command).
    assigns: Vec<(Vec<u8>, Vec<u8>)>,
    argv: Vec<Vec<u8>>,
    redirects: Vec<(i32, RedirOp, Vec<u8>)>,
}

/// Open the file of a redirection (`<`: read; `>`: create or empty; `>>`: append),
/// close-on-exec; its descriptor.
fn open_target(op: RedirOp, path: &[u8]) -> Result<i32, Errno> {
    let flags = match op {
        RedirOp::In => O_RDONLY,
        RedirOp::Out => O_WRONLY | O_CREAT | O_TRUNC,
        RedirOp::Append => O_WRONLY | O_CREAT | O_APPEND,
    };
    io::openat(AT_FDCWD, &cstring(path), flags | O_CLOEXEC, 0o666).map(|f| f as i32)
}

/// Open `path` as descriptor `fd` (for `<`, `>`, `>>`).
fn redirect(fd: i32, op: RedirOp, path: &[u8]) -> Result<(), Errno> {
    let f = open_target(op, path)?;
    if f != fd {
        dup3(f, fd, 0)?;
        let _ = io::close(f);
    } else {
        fcntl(fd, fcntl::F_SETFD, 0)?; // it is the descriptor itself: keep it across exec
    }
    Ok(())
}

impl Shell {
    /// Parse and run one line; a syntax error runs nothing of it ($? = 2, as in bash).
    pub(super) fn run_line(&mut self, line: &[u8]) {
        let lists = lexer::tokenize(line).and_then(parser::parse);
        match lists {
            Ok(lists) => {
                for l in lists {
                    self.run_and_or(&l);
                }
            }
            Err(why) => {
                eprintln!("sh: {}", why);
                self.last = 2;
            }
        }
    }

    /// `a && b || c`: each pipeline runs or not depending on the status so far (bash's
    /// `execute_connection` in `execute_cmd.c`).
    fn run_and_or(&mut self, l: &AndOr) {
        if l.background {
            return self.run_pipeline(&l.first, true, false);
        }
        // A status a later && or || looks at is not reported as a failure.
        self.run_pipeline(&l.first, false, !l.rest.is_empty());
        for (i, (conn, p)) in l.rest.iter().enumerate() {
            let run = match conn {
                Connector::And => self.last == 0,
                Connector::Or => self.last != 0,
            };
            if run {
                self.run_pipeline(p, false, i + 1 < l.rest.len());
            }
        }
    }

    /// Expand each command's words (now, so `$?` is the status of what just ran).
    fn expand(&self, p: &Pipeline) -> Vec<Expanded> {
        p.iter()
            .map(|c| {
                let mut argv: Vec<Vec<u8>> =
                    c.words.iter().flat_map(|w| self.expand_fields(w)).collect();
                if argv.first().is_some_and(|a| a == b"kill") {
                    // As in bash (where kill is a builtin), %N names job N.
                    for a in argv.iter_mut().skip(1) {
                        if let Some(t) = self.job_target(a) {
                            *a = t;
                        }
                    }
                }
                Expanded {
                    assigns: c
                        .assigns
                        .iter()
                        .map(|(n, v)| (n.clone(), self.expand_text(v)))
                        .collect(),
                    argv,
                    redirects: c
                        .redirects
                        .iter()
                        .map(|r| (r.fd, r.op, self.expand_text(&r.target)))
                        .collect(),
                }
            })
            .collect()
    }

    /// Run a pipeline (bash's `execute_pipeline`, `execute_cmd.c`); `quiet`: do not
    /// report a failing exit status (&& and || will look at it).
    fn run_pipeline(&mut self, p: &Pipeline, background: bool, quiet: bool) {
        let cmds = self.expand(p);
        if cmds.len() == 1 && !background {
            let c = &cmds[0];
            if c.argv.is_empty() {
                self.last = self.assign_only(c);
                return;
            }
            if is_builtin(&c.argv[0]) {
                self.last = self.builtin_here(c);
                return;
            }
        }
        let line = cmds
            .iter()
            .map(|c| c.argv.iter().map(|a| text(a)).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" | ");
        let mut pids = Vec::new();
        let mut pgid = 0;
        let mut stdin: Option<i32> = None; // the read end of the previous pipe
        for (i, c) in cmds.iter().enumerate() {
            let pipe = if i + 1 < cmds.len() {
                match pipe2(O_CLOEXEC) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        eprintln!("sh: pipe: {}", e.text());
                        break;
                    }
                }
            } else {
                None
            };
            match process::fork() {
                Ok(0) => self.child(c, stdin, pipe.map(|p| p[1]), pgid, background),
                Ok(pid) => {
                    if pgid == 0 {
                        pgid = pid;
                    }
                    if self.job_control {
                        // Both sides set the group, so it exists whichever runs first.
                        let _ = process::setpgid(pid, pgid);
                    }
                    pids.push(pid);
                }
                Err(e) => eprintln!("sh: fork: {}", e.text()),
            }
            if let Some(r) = stdin.take() {
                let _ = io::close(r);
            }
            if let Some([r, w]) = pipe {
                let _ = io::close(w);
                stdin = Some(r);
            }
        }
        if let Some(r) = stdin {
            let _ = io::close(r);
        }
        if pids.is_empty() {
            self.last = 1;
            return;
        }
        if background {
            self.add_job(pgid, &pids, line);
            self.last = 0;
            return;
        }
        if self.job_control {
            let _ = tcsetpgrp(0, pgid);
        }
        let statuses: Vec<Result<i32, Errno>> = pids.iter().map(|&p| binlib::wait_for(p)).collect();
        if self.job_control {
            let _ = tcsetpgrp(0, self.pgrp);
        }
        for (i, (pid, s)) in pids.iter().zip(&statuses).enumerate() {
            let name = String::from(cmds[i].argv.first().map_or("", |a| text(a)));
            let last = i + 1 == pids.len();
            match *s {
                Ok(s) => report(name, *pid, Status(s), last && !quiet),
                Err(e) => eprintln!("sh: wait4({}): {}", pid, e),
            }
        }
        self.last = match statuses.last() {
            Some(Ok(s)) => Status(*s).code(),
            _ => 1,
        };
    }

    /// `NAME=value` with no command sets shell variables; redirections alone create or
    /// check their files (as in bash: `> file` empties it).
    fn assign_only(&mut self, c: &Expanded) -> i32 {
        for (n, v) in &c.assigns {
            self.set_var(n, v);
        }
        for (_, op, path) in &c.redirects {
            match open_target(*op, path) {
                Ok(f) => {
                    let _ = io::close(f);
                }
                Err(e) => {
                    eprintln!("sh: {}: {}", text(path), e.text());
                    return 1;
                }
            }
        }
        0
    }

    /// A builtin in the shell itself, its redirections applied around it: each
    /// redirected descriptor is saved (F_DUPFD_CLOEXEC above 9) and put back after, as
    /// bash's `redirection_undo_list` does.
    fn builtin_here(&mut self, c: &Expanded) -> i32 {
        let mut saved: Vec<(i32, Option<i32>)> = Vec::new();
        let mut status = None;
        for (fd, op, path) in &c.redirects {
            let copy = fcntl(*fd, fcntl::F_DUPFD_CLOEXEC, 10)
                .ok()
                .map(|f| f as i32);
            saved.push((*fd, copy));
            if let Err(e) = redirect(*fd, *op, path) {
                eprintln!("sh: {}: {}", text(path), e.text());
                status = Some(1);
                break;
            }
        }
        let status = status.unwrap_or_else(|| self.run_builtin(&c.argv));
        for (fd, copy) in saved.into_iter().rev() {
            match copy {
                Some(c) => {
                    let _ = dup3(c, fd, 0);
                    let _ = io::close(c);
                }
                None => {
                    let _ = io::close(fd);
                }
            }
        }
        status
    }

    /// In the forked child: join the job's process group (`pgid` 0: start it), take back
    /// the default signal actions, connect the pipes, redirect, and exec (bash's
    /// `make_child` then `execute_disk_command`). Never returns.
    fn child(
        &mut self,
        c: &Expanded,
        stdin: Option<i32>,
        stdout: Option<i32>,
        pgid: i32,
        background: bool,
    ) -> ! {
        if self.job_control {
            let _ = process::setpgid(0, pgid);
            if !background {
                let _ = tcsetpgrp(0, if pgid == 0 { process::getpid() } else { pgid });
            }
            for &s in &JOB_SIGNALS {
                set_signal(s, SIG_DFL);
            }
        }
        if background && stdin.is_none() {
            // A background job must not compete with the shell for the terminal's input.
            let _ = redirect(0, RedirOp::In, b"/dev/null");
        }
        if let Some(r) = stdin {
            let _ = dup3(r, 0, 0);
        }
        if let Some(w) = stdout {
            let _ = dup3(w, 1, 0);
        }
        for (fd, op, path) in &c.redirects {
            if let Err(e) = redirect(*fd, *op, path) {
                eprintln!("sh: {}: {}", text(path), e.text());
                process::exit_group(1);
            }
        }
        if c.argv.is_empty() {
            process::exit_group(0);
        }
        if is_builtin(&c.argv[0]) {
            self.interactive = false;
            let status = self.run_builtin(&c.argv);
            process::exit_group(status);
        }
        let argv: Vec<CString> = c.argv.iter().map(|w| cstring(w)).collect();
        for (n, v) in &c.assigns {
            self.set_var(n, v);
        }
        let envp: Vec<CString> = self.vars.iter().map(|v| cstring(v)).collect();
        let path = self
            .var(b"PATH")
            .unwrap_or(DEFAULT_PATH.as_bytes())
            .to_vec();
        let e = execvp(&argv, &envp, &path);
        let name = text(&c.argv[0]);
        if e == Errno::ENOENT {
            eprintln!("sh: {}: command not found", name);
            process::exit_group(127);
        }
        eprintln!("sh: {}: {}", name, e.text());
        process::exit_group(126)
    }
}

/// Say what happened to a child when it is not a plain success: "segfault: pid 9 killed
/// by SIGSEGV", "false: pid 8 exited with 1" (only if `exits`; and not 126 or 127: the
/// child already said why it could not run the program).
fn report(name: String, pid: i32, s: Status, exits: bool) {
    // SIGPIPE: a command whose reader went away; not worth a report (bash is quiet too).
    let signaled = wifsignaled(s.0) && wtermsig(s.0) != SIGPIPE;
    let failed = exits && s.0 != 0 && !wifsignaled(s.0) && !matches!(s.code(), 126 | 127);
    if signaled || failed {
        eprintln!("{}: pid {} {}", name, pid, s);
    }
}
