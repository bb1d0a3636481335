//! The kernel command line: what `bootargs` asks of the kernel and what it passes to init.
//!
//! `kernel/src/cmdline.rs` (module `cmdline`) turns the `bootargs` string from the device
//! tree's `/chosen` node (QEMU's `-append`) into a [`BootArgs`]. The boot code reads the
//! string with `drivers/fdt`, calls [`BootArgs::parse`] once the heap is up, prints each
//! warning as `bootargs: <warning>`, and uses the result for the log level, the timer
//! frequency, the self tests and starting PID 1.
//!
//! It follows Linux: splitting into words is `next_arg` from `kernel/params.c` (words are
//! separated by white space; double quotes may surround a value or a whole word; `--` ends
//! the kernel's part), and deciding what a word means is `start_kernel` /
//! `unknown_bootoption` from `init/main.c`: a word the kernel does not know goes to init,
//! into its environment if it looks like `name=value`, into its arguments otherwise, and
//! everything after `--` goes to init's arguments. Unlike Linux, a bad value never
//! stops the boot and never panics: it is ignored with a warning.
//!
//! Read next: `init.rs` (`start_kernel`, where the result is used), `exec/` (how init's
//! argv and envp reach its stack).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The program started as PID 1 unless `init=` says otherwise (Linnet's initramfs has it;
/// Linux tries `rdinit=`'s default `/init` in the initramfs first too).
pub const DEFAULT_INIT: &str = "/init";
/// Console log level unless `loglevel=`, `quiet` or `debug` says otherwise: messages with
/// a level below it print, so 5 shows warnings (4) and worse. Linux's usual default is 7
/// (info and worse); Linnet keeps the console quiet so test output stays clean.
pub const DEFAULT_LOGLEVEL: u8 = 5; // warnings and worse
/// Timer interrupts per second unless `hz=` says otherwise (Linux `CONFIG_HZ_100`).
pub const DEFAULT_HZ: u32 = 100;

/// Longest command line looked at, in bytes including the terminating NUL of the C
/// string; the rest is ignored with a warning (Linux arm64 `COMMAND_LINE_SIZE`).
pub const COMMAND_LINE_SIZE: usize = 2048;
/// Most arguments passed to init, not counting `argv[0]` (Linux `MAX_INIT_ARGS`,
/// `CONFIG_INIT_ENV_ARG_LIMIT`). Linux panics later when there are more; Linnet drops the
/// extra ones with a warning.
pub const MAX_INIT_ARGS: usize = 32;
/// Most environment strings passed to init (Linux `MAX_INIT_ENVS`).
pub const MAX_INIT_ENVS: usize = 32;

/// `loglevel` that `quiet` sets (Linux `CONSOLE_LOGLEVEL_QUIET`).
const LOGLEVEL_QUIET: u8 = 4;
/// `loglevel` that `debug` sets (Linux `CONSOLE_LOGLEVEL_DEBUG`): everything prints.
const LOGLEVEL_DEBUG: u8 = 10;
/// Highest `loglevel=` accepted.
const LOGLEVEL_MAX: u8 = 10;
/// Range accepted by `hz=`.
const HZ_MIN: u32 = 10;
const HZ_MAX: u32 = 1000;
/// Warnings kept; a garbage command line could otherwise make thousands.
const MAX_WARNINGS: usize = 16;
/// Characters of a bad word quoted in a warning.
const MAX_QUOTED_CHARS: usize = 48;

/// What the kernel command line asked for: the kernel's own settings, and what to pass to
/// init. Built by [`BootArgs::parse`]; [`BootArgs::default`] is an empty command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootArgs {
    /// Path of the program to run as PID 1 (`init=PATH`, default [`DEFAULT_INIT`]).
    pub init: String,
    /// Console log level (`loglevel=N`, `quiet`, `debug`): messages with a level below it
    /// are printed, as Linux's `console_loglevel` (0..=10, default [`DEFAULT_LOGLEVEL`]).
    pub loglevel: u8,
    /// Timer interrupts per second (`hz=N`, Linnet's own: 10..=1000, default
    /// [`DEFAULT_HZ`]); Linux fixes `HZ` when it is built.
    pub hz: u32,
    /// In-kernel self test to run instead of a normal boot (`test=NAME`, Linnet's own,
    /// e.g. `fault`, `stack_overflow`, `ticks`); which names exist is up to the caller.
    pub test: Option<String>,
    /// Subsystems whose tracing is on (`trace=a,b`, may be repeated), e.g. `exec`.
    pub trace: Vec<String>,
    /// Turn off address-space randomization (`norandmaps`, as in Linux).
    pub norandmaps: bool,
    /// QEMU runs with semihosting (Linnet's own `semihosting`, passed by `qemu/run.sh`):
    /// power-off may end QEMU with an exit status.
    pub semihosting: bool,
    /// Arguments for init, *without* `argv[0]` (the caller puts `init` there): unknown
    /// words without `=`, then everything after `--`.
    pub init_args: Vec<String>,
    /// Environment for init: unknown `name=value` words. A later one with the same name
    /// replaces an earlier one. Linux starts init with `HOME=/` and `TERM=linux` too;
    /// the caller adds those.
    pub init_envs: Vec<String>,
    /// What was ignored and why, one sentence each without the `bootargs: ` prefix, e.g.
    /// `ignoring loglevel=abc (expected 0..10)`.
    pub warnings: Vec<String>,
}

impl Default for BootArgs {
    /// The settings of an empty command line.
    fn default() -> Self {
        BootArgs {
            init: String::from(DEFAULT_INIT),
            loglevel: DEFAULT_LOGLEVEL,
            hz: DEFAULT_HZ,
            test: None,
            trace: Vec::new(),
            norandmaps: false,
            semihosting: false,
            init_args: Vec::new(),
            init_envs: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl BootArgs {
    /// Parse a kernel command line. Never fails and never panics: whatever it cannot use
    /// is ignored and explained in [`warnings`](Self::warnings).
    ///
    /// Mirrors Linux `start_kernel` (`init/main.c`): `parse_args` with
    /// `unknown_bootoption` for the kernel's part, then `parse_args` with `set_init_arg`
    /// for the part after `--`. Left out: module parameters (`name.param=...`, ignored
    /// with a warning) and early parameters (there is no separate early pass).
    pub fn parse(cmdline: &str) -> BootArgs {
        let mut args = BootArgs::default();
        let line = args.clip(cmdline);

        // The kernel's part: stop at the first `--` (Linux `parse_args` returns the rest).
        let mut rest = skip_spaces(line);
        let mut after_dashes = None;
        while !rest.is_empty() {
            let (param, val, next) = next_arg(rest);
            rest = next;
            if val.is_none() && param == "--" {
                after_dashes = Some(rest);
                break;
            }
            args.kernel_param(param, val);
        }

        // Init's part: every word is an argument, `name=value` included (Linux
        // `set_init_arg`). That is a second `parse_args`, so a second `--` ends it too.
        let mut rest = after_dashes.unwrap_or("");
        while !rest.is_empty() {
            let (param, val, next) = next_arg(rest);
            rest = next;
            if val.is_none() && param == "--" {
                break;
            }
            args.push_init_arg(param, val);
        }
        args
    }

    /// Is tracing of `what` (e.g. `"exec"`) on? `trace=all` turns on everything.
    pub fn tracing(&self, what: &str) -> bool {
        self.trace.iter().any(|t| t == what || t == "all")
    }

    /// What Linux would see of `cmdline`: up to the first NUL (it is a C string), and at
    /// most `COMMAND_LINE_SIZE - 1` bytes, cut at a character boundary.
    fn clip<'s>(&mut self, cmdline: &'s str) -> &'s str {
        let line = cmdline.split('\0').next().unwrap_or("");
        if line.len() < COMMAND_LINE_SIZE {
            return line;
        }
        let mut end = COMMAND_LINE_SIZE - 1;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        self.warn(format!(
            "ignoring everything after the first {end} bytes (the command line is {} bytes)",
            line.len()
        ));
        &line[..end]
    }

    /// One word of the kernel's part: a parameter Linnet knows, or something for init
    /// (Linux `obsolete_checksetup`, then `unknown_bootoption`).
    fn kernel_param(&mut self, param: &str, val: Option<&str>) {
        match param {
            "init" => match val {
                Some(path) if !path.is_empty() => {
                    self.init = path.to_string();
                    // Linux `init_setup` drops the arguments collected before `init=`
                    // (LILO used to prepend "auto", which init must not see).
                    self.init_args.clear();
                }
                _ => self.bad(param, val, "expected init=PATH"),
            },
            "loglevel" => match parse_in(val, 0, u32::from(LOGLEVEL_MAX)) {
                Some(n) => self.loglevel = n as u8, // fits: checked against LOGLEVEL_MAX
                None => self.bad(param, val, "expected 0..10"),
            },
            // Flags match by name, with or without a value, as Linux's `__setup` does.
            "quiet" => self.loglevel = LOGLEVEL_QUIET,
            "debug" => self.loglevel = LOGLEVEL_DEBUG,
            "norandmaps" => self.norandmaps = true,
            "semihosting" => self.semihosting = true,
            "hz" => match parse_in(val, HZ_MIN, HZ_MAX) {
                Some(n) => self.hz = n,
                None => self.bad(param, val, "expected 10..1000"),
            },
            "test" => match val {
                Some(name) if !name.is_empty() => self.test = Some(name.to_string()),
                _ => self.bad(param, val, "expected test=NAME"),
            },
            "trace" => {
                let names: Vec<&str> = val
                    .unwrap_or("")
                    .split(',')
                    .filter(|name| !name.is_empty())
                    .collect();
                if names.is_empty() {
                    self.bad(param, val, "expected trace=NAME[,NAME...]");
                }
                for name in names {
                    if !self.trace.iter().any(|t| t == name) {
                        self.trace.push(name.to_string());
                    }
                }
            }
            // Linux ignores `module.param=value` for modules that are not loaded; Linnet
            // has no modules at all.
            _ if param.contains('.') => {
                self.bad(param, val, "module parameter; Linnet has no modules")
            }
            _ => self.unknown_bootoption(param, val),
        }
    }

    /// A word the kernel does not know goes to init (Linux `unknown_bootoption`):
    /// `name=value` into its environment, replacing an earlier `name=`; anything else into
    /// its arguments. Empty words (from `""`) are dropped.
    fn unknown_bootoption(&mut self, param: &str, val: Option<&str>) {
        match val {
            Some(val) => {
                let name = format!("{param}=");
                let env = format!("{name}{val}");
                if let Some(old) = self.init_envs.iter_mut().find(|e| e.starts_with(&name)) {
                    *old = env;
                } else if self.init_envs.len() < MAX_INIT_ENVS {
                    self.init_envs.push(env);
                } else {
                    self.bad(param, Some(val), "init already has 32 environment strings");
                }
            }
            None if param.is_empty() => {}
            None => self.push_init_arg(param, None),
        }
    }

    /// Append one argument for init, re-joining `name=value` (Linux `repair_env_string`
    /// puts the `=` back), up to `MAX_INIT_ARGS`.
    fn push_init_arg(&mut self, param: &str, val: Option<&str>) {
        let arg = match val {
            Some(val) => format!("{param}={val}"),
            None => param.to_string(),
        };
        if self.init_args.len() < MAX_INIT_ARGS {
            self.init_args.push(arg);
        } else {
            self.bad(param, val, "init already has 32 arguments");
        }
    }

    /// Record "ignoring WORD (WHY)", quoting at most `MAX_QUOTED_CHARS` of the word.
    fn bad(&mut self, param: &str, val: Option<&str>, why: &str) {
        let word = match val {
            Some(val) => format!("{param}={val}"),
            None => param.to_string(),
        };
        let shown = match word.char_indices().nth(MAX_QUOTED_CHARS) {
            Some((cut, _)) => format!("{}...", &word[..cut]),
            None => word,
        };
        self.warn(format!("ignoring {shown} ({why})"));
    }

    /// Keep a warning, up to `MAX_WARNINGS`; the last slot says that more were dropped.
    fn warn(&mut self, warning: String) {
        match self.warnings.len() {
            n if n < MAX_WARNINGS - 1 => self.warnings.push(warning),
            n if n == MAX_WARNINGS - 1 => {
                self.warnings.push(String::from("more warnings not shown"))
            }
            _ => {}
        }
    }
}

/// `val` as a decimal number in `min..=max`, or `None`.
fn parse_in(val: Option<&str>, min: u32, max: u32) -> Option<u32> {
    let n: u32 = val?.parse().ok()?;
    (min..=max).contains(&n).then_some(n)
}

/// C's `isspace` in the "C" locale, which is what Linux's `next_arg` splits on.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `s` without leading white space (Linux `skip_spaces`).
fn skip_spaces(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8))
}

/// Split the first word off `args` (which is not empty and does not start with white
/// space): returns `(param, value, rest)`, as Linux `next_arg` in `kernel/params.c`.
///
/// A word ends at white space outside double quotes. Its first `=` (not at its very
/// start) separates the name from the value. Quotes are removed only around a whole
/// word (`"a b"`) or around a value (`foo="a b"`); quotes elsewhere are kept, as in Linux.
fn next_arg(args: &str) -> (&str, Option<&str>, &str) {
    // Every index below is of an ASCII byte (a quote, `=`, white space) or an end of the
    // string, so every slice falls on a character boundary.
    let quoted = args.starts_with('"');
    let s = if quoted { &args[1..] } else { args };
    let b = s.as_bytes();

    let mut in_quote = quoted;
    let mut equals = None;
    let mut i = 0;
    while i < b.len() {
        if is_space(b[i]) && !in_quote {
            break;
        }
        // Linux keeps `equals == 0` to mean "none yet", so a leading `=` is not one.
        if equals.is_none() && i > 0 && b[i] == b'=' {
            equals = Some(i);
        }
        if b[i] == b'"' {
            in_quote = !in_quote;
        }
        i += 1;
    }
    let ends_with_quote = i > 0 && b[i - 1] == b'"';

    let (param, val) = match equals {
        None => {
            let end = if quoted && ends_with_quote { i - 1 } else { i };
            (&s[..end], None)
        }
        Some(eq) => {
            let mut start = eq + 1;
            let mut end = i;
            let value_quoted = start < i && b[start] == b'"';
            if value_quoted {
                start += 1;
            }
            if (value_quoted || quoted) && ends_with_quote {
                end = i - 1;
            }
            // `foo="` : the opening quote is also the last character.
            let end = end.max(start);
            (&s[..eq], Some(&s[start..end]))
        }
    };

    // Step over the one white-space character that ended the word, then any more.
    let rest = if i < s.len() { &s[i + 1..] } else { "" };
    (param, val, skip_spaces(rest))
}

/// Whether the kernel's part of `cmdline` (before `--`) has the flag `name`, with or
/// without a value. Mirrors Linux `parse_early_param` / `do_early_param`
/// (`init/main.c`): a pass over the command line before the heap exists, for settings
/// that an early failure needs (here `semihosting`, so that a panic in `paging_init`
/// still ends QEMU with a non-zero status). Allocates nothing; Linux's `early_param`
/// table is reduced to this one lookup.
pub fn early_flag(cmdline: &str, name: &str) -> bool {
    let line = cmdline.split('\0').next().unwrap_or("");
    let mut end = line.len().min(COMMAND_LINE_SIZE - 1);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    let mut rest = skip_spaces(&line[..end]);
    while !rest.is_empty() {
        let (param, val, next) = next_arg(rest);
        if val.is_none() && param == "--" {
            return false;
        }
        if param == name {
            return true;
        }
        rest = next;
    }
    false
}

#[cfg(test)]
mod tests;
