//! sh: a small Unix shell, enough to see how a shell runs programs.
//!
//! Each line is split into commands (`;` or `&` ends one), each command into words, with
//! `'...'`, `"..."`, `\x`, `$?`, `$$`, `$NAME`, `# comments` and the redirections `<`,
//! `>`, `>>`, `2>`. A command is a builtin (`cd`, `pwd`, `exit [n]`, `wait [pid|%N]`,
//! `jobs`, `NAME=value`, `help`) or a program, found by path or through `$PATH` (default
//! /bin:/tests); `kill %N` means job N's pid. Running a program is the classic sequence,
//! which `docs/walkthrough.md` follows into the kernel:
//!
//! ```text
//!   fork()                      the child is a copy of the shell (kernel_clone)
//!   child:  setpgid, tcsetpgrp  its own process group, made the terminal's foreground
//!           execve(path)        becomes the program (do_execve -> load_elf_binary)
//!   parent: wait4(pid)          sleeps until the child is a zombie, then reaps it
//! ```
//!
//! A command ending in `&` runs in the background: the shell does not wait, prints
//! `[job] pid`, and reports the job when it finds it finished (before the next prompt,
//! or in `wait`). What happened to a child is said in words when it is not a plain
//! success: "exited with 3", "killed by SIGSEGV"; `$?` holds the number (128 + signal).
//!
//! Job control, when the shell reads a terminal: the shell ignores SIGINT (and the other
//! terminal signals), and each foreground job gets its own process group which the
//! terminal signals on Ctrl-C (`kernel/src/fs/tty.rs`), so Ctrl-C ends the job and not the
//! shell. Line editing (Backspace, Ctrl-U) is the kernel terminal's canonical mode.
//!
//! Usage: `sh` (commands from stdin; a prompt if it is a terminal), `sh -c 'COMMANDS'`,
//! `sh FILE`. Left out, compared with a POSIX shell: pipes, control flow, globbing, field
//! splitting of expansions.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use alloc::{format, vec};
use binlib::{cstring, execvp, parse_int, read_file, text, Status, DEFAULT_PATH};
use ulib::fs::{chdir, dup3, getcwd};
use ulib::io::{self, AT_FDCWD, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY};
use ulib::process::{self, wait4, wifsignaled, WNOHANG};
use ulib::signal::{rt_sigaction, KSigaction, SIG_DFL, SIG_IGN};
use ulib::tty::{isatty, tcsetpgrp};
use ulib::{eprintln, print, println, Errno};

/// O_APPEND: writes go to the end of the file (for `>>`).
const O_APPEND: u32 = 0o2000;
/// Signals an interactive shell ignores: SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU.
const JOB_SIGNALS: [i32; 5] = [2, 3, 20, 21, 22];

/// A redirection: `fd` is opened on `path` with `flags` before the program runs.
struct Redirect {
    fd: i32,
    path: Vec<u8>,
    flags: u32,
}

/// One command: its words (already expanded), redirections, and whether it ends in `&`.
#[derive(Default)]
struct Command {
    words: Vec<Vec<u8>>,
    redirects: Vec<Redirect>,
    background: bool,
}

/// A background job the shell has not reported yet.
struct Job {
    id: usize,
    pid: i32,
    text: String,
}

struct Shell {
    /// Reading commands from a terminal: print prompts, do job control.
    interactive: bool,
    /// Jobs get their own process group and the terminal (needs setpgid and TIOCSPGRP).
    job_control: bool,
    /// The shell's own process group, given the terminal back after each job.
    pgrp: i32,
    /// `$?`: the last command's status.
    last: i32,
    /// Variables, "NAME=value"; all are passed to programs (all "exported").
    vars: Vec<Vec<u8>>,
    jobs: Vec<Job>,
    next_job: usize,
}

#[no_mangle]
fn main() -> i32 {
    let args: Vec<&[u8]> = ulib::args().collect();
    let mut sh = Shell {
        interactive: false,
        job_control: false,
        pgrp: 0,
        last: 0,
        vars: ulib::env().map(|e| e.to_vec()).collect(),
        jobs: Vec::new(),
        next_job: 1,
    };
    if sh.var(b"PATH").is_none() {
        sh.set_var(b"PATH", DEFAULT_PATH.as_bytes());
    }
    match args.get(1).copied() {
        Some(b"-c") => {
            let Some(script) = args.get(2) else {
                eprintln!("sh: -c needs an argument");
                return 2;
            };
            sh.run_text(script);
            sh.last
        }
        Some(file) => match read_file(file) {
            Ok(script) => {
                sh.run_text(&script);
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

    /// Read and run commands from stdin until end of file or `exit`.
    fn read_loop(&mut self) -> i32 {
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            if let Some(nl) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=nl).collect();
                self.run_text(&line);
                continue;
            }
            self.reap_jobs();
            if self.interactive {
                self.prompt();
            }
            match io::read(0, &mut buf) {
                Ok(0) => break,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
                Err(Errno::EINTR) => {}
                Err(e) => {
                    eprintln!("sh: read: {}", e);
                    break;
                }
            }
        }
        if !pending.is_empty() {
            self.run_text(&core::mem::take(&mut pending));
        }
        if self.interactive {
            println!("exit");
        }
        self.last
    }

    fn prompt(&self) {
        let mut cwd = [0u8; 256];
        let dir = getcwd(&mut cwd).map_or("?", |d| text(d));
        print!("linnet:{}# ", dir);
    }

    /// Run every line of `script`. Each command is parsed (and its `$?` expanded) just
    /// before it runs, so `false; echo $?` prints 1.
    fn run_text(&mut self, script: &[u8]) {
        for line in script.split(|&b| b == b'\n') {
            let mut at = 0;
            while at < line.len() {
                match self.parse(line, at) {
                    Ok((cmd, next)) => {
                        at = next;
                        if let Some(cmd) = cmd {
                            self.run(cmd);
                        }
                    }
                    Err(why) => {
                        eprintln!("sh: syntax error: {}", why);
                        self.last = 2;
                        break;
                    }
                }
            }
        }
    }

    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        self.vars.iter().find_map(|v| {
            (v.len() > name.len() && v.starts_with(name) && v[name.len()] == b'=')
                .then(|| &v[name.len() + 1..])
        })
    }

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

    /// `$...` at `line[i]` (just after the '$'): append the value to `word`, return the
    /// index after the name.
    fn expand(&self, line: &[u8], mut i: usize, word: &mut Vec<u8>) -> usize {
        let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        match line.get(i) {
            Some(b'?') => word.extend_from_slice(format!("{}", self.last).as_bytes()),
            Some(b'$') => word.extend_from_slice(format!("{}", process::getpid()).as_bytes()),
            Some(b'{') => {
                let end = line[i..].iter().position(|&b| b == b'}').map(|p| i + p);
                let Some(end) = end else {
                    word.push(b'$');
                    return i;
                };
                word.extend_from_slice(self.var(&line[i + 1..end]).unwrap_or(b""));
                return end + 1;
            }
            Some(&b) if is_name(b) && !b.is_ascii_digit() => {
                let start = i;
                while line.get(i).is_some_and(|&b| is_name(b)) {
                    i += 1;
                }
                word.extend_from_slice(self.var(&line[start..i]).unwrap_or(b""));
                return i;
            }
            _ => {
                word.push(b'$');
                return i;
            }
        }
        i + 1
    }

    /// Parse the command that starts at `line[start]`, up to `;`, `&`, a comment or the
    /// end of the line. Returns it (None if empty) and where the next one starts.
    fn parse(&self, line: &[u8], start: usize) -> Result<(Option<Command>, usize), &'static str> {
        let mut cmd = Command::default();
        let mut word = Vec::new();
        let mut in_word = false; // a word has started (even an empty "" one)
        let mut redirect: Option<(i32, u32)> = None; // the next word is a file name
        let mut i = start;
        while i < line.len() {
            let c = line[i];
            i += 1;
            match c {
                b' ' | b'\t' | b'\r' => finish(&mut cmd, &mut word, &mut in_word, &mut redirect),
                b'#' if !in_word => {
                    i = line.len();
                    break;
                }
                b';' | b'&' => {
                    cmd.background = c == b'&';
                    break;
                }
                b'<' | b'>' => {
                    // "2>" names the fd; otherwise < is stdin and > stdout.
                    let fd = match (in_word, word.as_slice()) {
                        (true, [d @ b'0'..=b'9']) => {
                            let fd = (d - b'0') as i32;
                            word.clear();
                            in_word = false;
                            fd
                        }
                        _ => {
                            finish(&mut cmd, &mut word, &mut in_word, &mut redirect);
                            (c == b'>') as i32
                        }
                    };
                    let flags = if c == b'<' {
                        O_RDONLY
                    } else if line.get(i) == Some(&b'>') {
                        i += 1;
                        O_WRONLY | O_CREAT | O_APPEND
                    } else {
                        O_WRONLY | O_CREAT | O_TRUNC
                    };
                    redirect = Some((fd, flags));
                }
                b'\\' => {
                    in_word = true;
                    if let Some(&n) = line.get(i) {
                        word.push(n);
                        i += 1;
                    }
                }
                b'\'' => {
                    in_word = true;
                    let end = line[i..].iter().position(|&b| b == b'\'');
                    let end = i + end.ok_or("unterminated '")?;
                    word.extend_from_slice(&line[i..end]);
                    i = end + 1;
                }
                b'"' => {
                    in_word = true;
                    loop {
                        match line.get(i) {
                            None => return Err("unterminated \""),
                            Some(b'"') => break i += 1,
                            Some(b'$') => i = self.expand(line, i + 1, &mut word),
                            Some(b'\\') if matches!(line.get(i + 1), Some(b'"' | b'\\' | b'$')) => {
                                word.push(line[i + 1]);
                                i += 2;
                            }
                            Some(&b) => {
                                word.push(b);
                                i += 1;
                            }
                        }
                    }
                }
                b'$' => {
                    in_word = true;
                    i = self.expand(line, i, &mut word);
                }
                _ => {
                    in_word = true;
                    word.push(c);
                }
            }
        }
        finish(&mut cmd, &mut word, &mut in_word, &mut redirect);
        if redirect.is_some() {
            return Err("a redirection needs a file name");
        }
        Ok(((!cmd.words.is_empty()).then_some(cmd), i))
    }

    /// Run one command: a builtin, a variable assignment or a program.
    fn run(&mut self, cmd: Command) {
        let w = &cmd.words;
        let arg = |i: usize| w.get(i).map(|a| a.as_slice());
        match w[0].as_slice() {
            b"cd" => {
                let home = self.var(b"HOME").unwrap_or(b"/").to_vec();
                let dir = arg(1).map_or(home, |d| d.to_vec());
                self.last = match chdir(&cstring(&dir)) {
                    Ok(_) => 0,
                    Err(e) => {
                        eprintln!("cd: {}: {}", text(&dir), e.text());
                        1
                    }
                };
            }
            b"pwd" => {
                let mut buf = [0u8; 256];
                match getcwd(&mut buf) {
                    Ok(d) => println!("{}", text(d)),
                    Err(e) => eprintln!("pwd: {}", e),
                }
            }
            b"exit" => {
                let code = arg(1).and_then(parse_int).map_or(self.last, |n| n as i32);
                process::exit_group(code & 0xff);
            }
            b"wait" => self.wait(arg(1)),
            b"jobs" => {
                for j in &self.jobs {
                    println!("[{}] {} running  {}", j.id, j.pid, j.text);
                }
            }
            b"help" => help(),
            first if w.len() == 1 && is_assignment(first) => {
                let eq = first.iter().position(|&b| b == b'=').unwrap_or(0);
                let (name, value) = (&first[..eq], &first[eq + 1..]);
                self.set_var(name, value);
                self.last = 0;
            }
            b"kill" => {
                // As in bash (where kill is a builtin), %N names background job N.
                let mut cmd = cmd;
                for w in cmd.words.iter_mut().skip(1) {
                    let id = w.strip_prefix(b"%").and_then(parse_int);
                    if let Some(j) = id.and_then(|id| self.jobs.iter().find(|j| j.id as i64 == id))
                    {
                        *w = format!("{}", j.pid).into_bytes();
                    }
                }
                self.run_program(cmd);
            }
            _ => self.run_program(cmd),
        }
    }

    /// fork, exec in the child, and wait for it (or not, with `&`).
    fn run_program(&mut self, cmd: Command) {
        let argv: Vec<CString> = cmd.words.iter().map(|w| cstring(w)).collect();
        let envp: Vec<CString> = self.vars.iter().map(|v| cstring(v)).collect();
        let path = self
            .var(b"PATH")
            .unwrap_or(DEFAULT_PATH.as_bytes())
            .to_vec();
        let name = String::from(text(&cmd.words[0]));
        let pid = match process::fork() {
            Ok(0) => self.child(&cmd, &argv, &envp, &path),
            Ok(pid) => pid,
            Err(e) => {
                eprintln!("sh: fork: {}", e);
                self.last = 1;
                return;
            }
        };
        if self.job_control {
            // Both sides set the group, so it exists whichever runs first (as bash does).
            let _ = process::setpgid(pid, pid);
        }
        if cmd.background {
            let words: Vec<&str> = cmd.words.iter().map(|w| text(w)).collect();
            let job = Job {
                id: self.next_job,
                pid,
                text: words.join(" "),
            };
            println!("[{}] {}", job.id, pid);
            self.next_job += 1;
            self.jobs.push(job);
            self.last = 0;
            return;
        }
        if self.job_control {
            let _ = tcsetpgrp(0, pid);
        }
        let status = binlib::wait_for(pid);
        if self.job_control {
            let _ = tcsetpgrp(0, self.pgrp);
        }
        match status {
            Ok(s) => {
                let s = Status(s);
                // 126 and 127: the child already said why it could not run the program.
                if s.0 != 0 && !matches!(s.code(), 126 | 127) || wifsignaled(s.0) {
                    eprintln!("{}: pid {} {}", name, pid, s);
                }
                self.last = s.code();
            }
            Err(e) => {
                eprintln!("sh: wait4({}): {}", pid, e);
                self.last = 1;
            }
        }
    }

    /// In the forked child: join the job's process group, take back the default signal
    /// actions, redirect, and exec. Never returns.
    fn child(&self, cmd: &Command, argv: &[CString], envp: &[CString], path: &[u8]) -> ! {
        if self.job_control {
            let _ = process::setpgid(0, 0);
            if !cmd.background {
                let _ = tcsetpgrp(0, process::getpid());
            }
            for &s in &JOB_SIGNALS {
                set_signal(s, SIG_DFL);
            }
        }
        if cmd.background {
            // A background job must not compete with the shell for the terminal's input.
            let _ = redirect(0, b"/dev/null", O_RDONLY);
        }
        for r in &cmd.redirects {
            if let Err(e) = redirect(r.fd, &r.path, r.flags) {
                eprintln!("sh: {}: {}", text(&r.path), e.text());
                process::exit_group(1);
            }
        }
        let e = execvp(argv, envp, path);
        let name = text(argv[0].as_bytes());
        if e == Errno::ENOENT {
            eprintln!("sh: {}: command not found", name);
            process::exit_group(127);
        }
        eprintln!("sh: {}: {}", name, e.text());
        process::exit_group(126)
    }

    /// Report background jobs that have finished, without waiting.
    fn reap_jobs(&mut self) {
        let mut i = 0;
        while i < self.jobs.len() {
            let mut status = 0;
            match wait4(self.jobs[i].pid, Some(&mut status), WNOHANG) {
                Ok(0) => i += 1,
                Ok(_) => {
                    let j = self.jobs.remove(i);
                    report(&j, Status(status));
                }
                Err(_) => {
                    self.jobs.remove(i);
                }
            }
        }
    }

    /// `wait`: wait for every background job; `wait PID` or `wait %N` for one.
    fn wait(&mut self, which: Option<&[u8]>) {
        let pick: Option<i32> = match which {
            None => None,
            Some(w) => {
                let id = w.strip_prefix(b"%").and_then(parse_int);
                let found = match id {
                    Some(id) => self.jobs.iter().find(|j| j.id as i64 == id),
                    None => parse_int(w).and_then(|p| self.jobs.iter().find(|j| j.pid as i64 == p)),
                };
                match found {
                    Some(j) => Some(j.pid),
                    None => {
                        eprintln!("wait: {}: no such job", text(w));
                        self.last = 127;
                        return;
                    }
                }
            }
        };
        self.last = 0;
        let jobs = core::mem::take(&mut self.jobs);
        for j in jobs {
            if pick.is_some_and(|p| p != j.pid) {
                self.jobs.push(j);
                continue;
            }
            match binlib::wait_for(j.pid) {
                Ok(s) => {
                    report(&j, Status(s));
                    self.last = Status(s).code();
                }
                Err(e) => eprintln!("wait: {}: {}", j.pid, e),
            }
        }
    }
}

/// End the word being read: it is an argument, or the file of a pending redirection.
fn finish(
    cmd: &mut Command,
    word: &mut Vec<u8>,
    in_word: &mut bool,
    redirect: &mut Option<(i32, u32)>,
) {
    if !*in_word {
        return;
    }
    let w = core::mem::take(word);
    match redirect.take() {
        Some((fd, flags)) => cmd.redirects.push(Redirect { fd, path: w, flags }),
        None => cmd.words.push(w),
    }
    *in_word = false;
}

/// "[1]+ exited with 0  sleep 1 (pid 7)".
fn report(j: &Job, s: Status) {
    println!("[{}]+ {}  {} (pid {})", j.id, s, j.text, j.pid);
}

/// Open `path` as descriptor `fd` (for `<`, `>`, `>>`).
fn redirect(fd: i32, path: &[u8], flags: u32) -> Result<(), Errno> {
    let f = io::openat(AT_FDCWD, &cstring(path), flags, 0o644)? as i32;
    if f != fd {
        dup3(f, fd, 0)?;
        let _ = io::close(f);
    }
    Ok(())
}

/// "NAME=value" with a valid shell name.
fn is_assignment(w: &[u8]) -> bool {
    match w.iter().position(|&b| b == b'=') {
        Some(eq) if eq > 0 => {
            !w[0].is_ascii_digit()
                && w[..eq]
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        }
        _ => false,
    }
}

fn help() {
    let lines = vec![
        "builtins: cd [dir], pwd, exit [n], wait [pid|%job], jobs, NAME=value, help",
        "programs: found by path or in $PATH; 'cmd &' runs in the background",
        "syntax:   'quoted' \"quoted $VAR\" \\x  $? $$ $NAME  < file  > file  >> file  ; & #",
        "try:      ls -l /bin   ps   exec_stack a b   segfault   zombie   orphan   maps",
    ];
    for l in lines {
        println!("{}", l);
    }
}
