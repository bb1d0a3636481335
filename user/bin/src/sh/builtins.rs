//! The builtins: commands the shell runs itself, because they change the shell (`cd`,
//! `exit`, variables) or read what only the shell knows (jobs, history). Everything else
//! is a program in /bin. In a pipeline a builtin runs in a forked child, as in bash, so
//! `cd /tmp | cat` leaves the shell where it was.

use super::Shell;
use alloc::vec::Vec;
use binlib::{cstring, parse_int, text};
use ulib::fs::{chdir, getcwd};
use ulib::{eprintln, println, process};

/// The builtins' names (also completed by Tab).
pub const NAMES: [&[u8]; 9] = [
    b"cd", b"exit", b"export", b"help", b"history", b"jobs", b"pwd", b"unset", b"wait",
];

/// Is `name` a builtin?
pub fn is_builtin(name: &[u8]) -> bool {
    NAMES.contains(&name)
}

fn valid_name(n: &[u8]) -> bool {
    !n.is_empty()
        && !n[0].is_ascii_digit()
        && n.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Shell {
    /// Run builtin `argv[0]`; its exit status.
    pub(super) fn run_builtin(&mut self, argv: &[Vec<u8>]) -> i32 {
        let arg = |i: usize| argv.get(i).map(|a| a.as_slice());
        match argv[0].as_slice() {
            b"cd" => {
                let home = self.var(b"HOME").unwrap_or(b"/").to_vec();
                let dir = arg(1).map_or(home, |d| d.to_vec());
                match chdir(&cstring(&dir)) {
                    Ok(_) => 0,
                    Err(e) => {
                        eprintln!("sh: cd: {}: {}", text(&dir), e.text());
                        1
                    }
                }
            }
            b"pwd" => {
                let mut buf = [0u8; 256];
                match getcwd(&mut buf) {
                    Ok(d) => {
                        println!("{}", text(d));
                        0
                    }
                    Err(e) => {
                        eprintln!("sh: pwd: {}", e.text());
                        1
                    }
                }
            }
            b"exit" => {
                let code = match arg(1) {
                    None => self.last,
                    Some(a) => match parse_int(a) {
                        Some(n) => n as i32,
                        None => {
                            eprintln!("sh: exit: {}: numeric argument required", text(a));
                            2
                        }
                    },
                };
                if self.interactive {
                    println!("exit");
                }
                process::exit_group(code & 0xff)
            }
            b"wait" => self.wait_jobs(arg(1)),
            b"jobs" => self.list_jobs(),
            b"history" => {
                for (i, l) in self.editor.history().iter().enumerate() {
                    println!("{:>5}  {}", i + 1, text(l));
                }
                0
            }
            b"export" | b"unset" => {
                let mut status = 0;
                for a in &argv[1..] {
                    let eq = a.iter().position(|&b| b == b'=');
                    let name = &a[..eq.unwrap_or(a.len())];
                    if !valid_name(name) || (argv[0] == b"unset" && eq.is_some()) {
                        eprintln!(
                            "sh: {}: `{}': not a valid identifier",
                            text(&argv[0]),
                            text(a)
                        );
                        status = 1;
                    } else if argv[0] == b"unset" {
                        self.unset_var(name);
                    } else if let Some(eq) = eq {
                        // Every variable is exported already; `export NAME` alone is a no-op.
                        self.set_var(name, &a[eq + 1..]);
                    }
                }
                status
            }
            b"help" => {
                help();
                0
            }
            _ => 127,
        }
    }
}

fn help() {
    let lines = [
        "builtins: cd [dir], pwd, exit [n], wait [pid|%job], jobs, history, export, unset, help",
        "programs: found by path or in $PATH (/bin, /tests); poweroff ends the machine",
        "syntax:   cmd | cmd   a && b   a || b   a ; b   cmd &   NAME=value",
        "          'quoted' \"quoted $VAR\" \\x  $? $$ $NAME  * ? [a-z]  < f  > f  >> f  2> f  # comment",
        "keys:     left/right, Backspace, Del, Home/End (Ctrl-A/E), up/down: history, Tab: complete",
        "          Ctrl-U/K/W: erase to start/end/word, Ctrl-C: drop the line, Ctrl-D: exit, Ctrl-L: clear",
        "try:      ls /bin | wc -l   ps   exec_stack a b   segfault   zombie   orphan   maps",
    ];
    for l in lines {
        println!("{}", l);
    }
}
