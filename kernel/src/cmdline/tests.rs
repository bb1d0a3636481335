//! Host tests of `cmdline.rs`.

use super::*;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn early_flag_finds_a_flag_before_the_dashes_only() {
    assert!(early_flag("semihosting test=ticks", "semihosting"));
    assert!(early_flag("  loglevel=7 semihosting=1", "semihosting"));
    assert!(!early_flag("", "semihosting"));
    assert!(!early_flag("semihostingx nosemihosting", "semihosting"));
    assert!(!early_flag("init=/x -- semihosting", "semihosting"));
    assert!(!early_flag("\0semihosting", "semihosting"));
    for line in [
        "semihosting",
        "a semihosting b",
        "-- x",
        "loglevel=abc semihosting",
    ] {
        assert_eq!(
            early_flag(line, "semihosting"),
            BootArgs::parse(line).semihosting,
            "{line:?}"
        );
    }
}

#[test]
fn empty_line_gives_defaults() {
    for line in ["", "   ", "\t\n ", "\0init=/x"] {
        let a = BootArgs::parse(line);
        assert_eq!(a, BootArgs::default(), "{line:?}");
    }
    let d = BootArgs::default();
    assert_eq!(d.init, "/init");
    assert_eq!(d.loglevel, 5);
    assert_eq!(d.hz, 100);
    assert!(!d.tracing("exec"));
}

#[test]
fn known_params() {
    let a = BootArgs::parse(
        "init=/bin/sh loglevel=7 hz=250 test=fault trace=exec,mmap trace=wait norandmaps",
    );
    assert_eq!(a.init, "/bin/sh");
    assert_eq!(a.loglevel, 7);
    assert_eq!(a.hz, 250);
    assert_eq!(a.test.as_deref(), Some("fault"));
    assert_eq!(a.trace, strings(&["exec", "mmap", "wait"]));
    assert!(a.tracing("exec") && a.tracing("wait") && !a.tracing("fork"));
    assert!(a.norandmaps);
    assert!(a.init_args.is_empty() && a.init_envs.is_empty() && a.warnings.is_empty());

    assert_eq!(BootArgs::parse("quiet").loglevel, 4);
    assert_eq!(BootArgs::parse("debug").loglevel, 10);
    // Later words win, as in Linux.
    assert_eq!(BootArgs::parse("debug quiet").loglevel, 4);
    assert_eq!(BootArgs::parse("quiet loglevel=0").loglevel, 0);
    assert_eq!(BootArgs::parse("loglevel=10 hz=10").hz, 10);
    assert_eq!(BootArgs::parse("hz=1000").hz, 1000);
    assert!(BootArgs::parse("trace=all").tracing("anything"));
}

#[test]
fn unknown_words_go_to_init() {
    let a = BootArgs::parse("single FOO=bar console=ttyAMA0 -v FOO=baz");
    assert_eq!(a.init_args, strings(&["single", "-v"]));
    // The second FOO= replaces the first, as Linux `unknown_bootoption` does.
    assert_eq!(a.init_envs, strings(&["FOO=baz", "console=ttyAMA0"]));
    assert!(a.warnings.is_empty());
    // `init=` forgets the arguments before it (Linux `init_setup`), not the ones after.
    let a = BootArgs::parse("auto init=/bin/sh -x");
    assert_eq!(a.init_args, strings(&["-x"]));
    // Module parameters are not init's business.
    let a = BootArgs::parse("virtio.debug=1 X=1");
    assert_eq!(a.init_envs, strings(&["X=1"]));
    assert_eq!(a.warnings.len(), 1);
}

#[test]
fn double_dash_ends_kernel_params() {
    let a = BootArgs::parse("hz=200 A=1 -- hz=300 B=2 -x \"two words\"");
    assert_eq!(a.hz, 200);
    assert_eq!(a.init_envs, strings(&["A=1"]));
    assert_eq!(a.init_args, strings(&["hz=300", "B=2", "-x", "two words"]));
    // A second `--` ends init's part too (it is a second Linux `parse_args`).
    let a = BootArgs::parse("-- a -- b");
    assert_eq!(a.init_args, strings(&["a"]));
    assert!(BootArgs::parse("--").init_args.is_empty());
    // `--x` and `--=1` are ordinary words.
    let a = BootArgs::parse("--x --=1");
    assert_eq!(a.init_args, strings(&["--x"]));
    assert_eq!(a.init_envs, strings(&["--=1"]));
}

#[test]
fn quotes() {
    let a = BootArgs::parse("init=\"/my init\" foo=\"a b\" \"bar baz\"");
    assert_eq!(a.init_envs, strings(&["foo=a b"]));
    assert_eq!(a.init_args, strings(&["bar baz"]));
    assert_eq!(a.init, "/my init");
    // A whole quoted `name=value`, quotes inside a word kept, unterminated quotes.
    assert_eq!(next_arg("\"x=1 2\" y"), ("x", Some("1 2"), "y"));
    assert_eq!(next_arg("a\"b c\"d e"), ("a\"b c\"d", None, "e"));
    assert_eq!(next_arg("foo=\"a b"), ("foo", Some("a b"), ""));
    assert_eq!(next_arg("foo=\""), ("foo", Some(""), ""));
    assert_eq!(next_arg("\""), ("", None, ""));
    assert_eq!(next_arg("\"\""), ("", None, ""));
    assert_eq!(next_arg("=a=b"), ("=a", Some("b"), ""));
    assert_eq!(next_arg("x= y"), ("x", Some(""), "y"));
    assert_eq!(
        BootArgs::parse("\"\" '' x").init_args,
        strings(&["''", "x"])
    );
}

#[test]
fn any_white_space_separates() {
    let a = BootArgs::parse("  \t hz=50\n\n  one\r\ttwo \x0b three\x0c  ");
    assert_eq!(a.hz, 50);
    assert_eq!(a.init_args, strings(&["one", "two", "three"]));
    assert!(a.warnings.is_empty());
}

#[test]
fn bad_values_warn_and_keep_defaults() {
    let a = BootArgs::parse(
        "loglevel=abc hz=0 hz=1001 hz=-5 loglevel=11 init= init test trace trace=, hz",
    );
    assert_eq!(a.loglevel, DEFAULT_LOGLEVEL);
    assert_eq!(a.hz, DEFAULT_HZ);
    assert_eq!(a.init, DEFAULT_INIT);
    assert_eq!(a.test, None);
    assert!(a.trace.is_empty());
    assert_eq!(a.warnings.len(), 11, "{:#?}", a.warnings);
    assert_eq!(a.warnings[0], "ignoring loglevel=abc (expected 0..10)");
    assert_eq!(a.warnings[1], "ignoring hz=0 (expected 10..1000)");
    assert!(a.init_args.is_empty() && a.init_envs.is_empty());
    // A long bad value is quoted shortened.
    let long = format!("hz={}", "9".repeat(500));
    let a = BootArgs::parse(&long);
    assert!(a.warnings[0].len() < 100, "{}", a.warnings[0]);
    assert!(a.warnings[0].contains("..."));
}

#[test]
fn limits() {
    let many: Vec<String> = (0..100).map(|i| format!("a{i} E{i}=x")).collect();
    let a = BootArgs::parse(&many.join(" "));
    assert_eq!(a.init_args.len(), MAX_INIT_ARGS);
    assert_eq!(a.init_envs.len(), MAX_INIT_ENVS);
    assert_eq!(a.warnings.len(), MAX_WARNINGS);
    assert_eq!(a.warnings[MAX_WARNINGS - 1], "more warnings not shown");
    // Past COMMAND_LINE_SIZE nothing is looked at.
    let line = format!("{} hz=500", "x".repeat(COMMAND_LINE_SIZE));
    let a = BootArgs::parse(&line);
    assert_eq!(a.hz, DEFAULT_HZ);
    assert_eq!(a.init_args[0].len(), COMMAND_LINE_SIZE - 1);
    // The cut never splits a character.
    let line = "é".repeat(COMMAND_LINE_SIZE);
    let a = BootArgs::parse(&line);
    assert!(a.init_args[0].len() < COMMAND_LINE_SIZE);
}

#[test]
fn garbage_does_not_panic() {
    // A tiny deterministic xorshift, so tests need no crates.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // Bytes biased towards the characters the parser cares about.
    let special = b" \t\n\"=-,.\0\xff\xc3";
    for round in 0..200 {
        let len = if round == 0 {
            10_000
        } else {
            (next() % 300) as usize
        };
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 3 == 0 {
                    special[(r >> 8) as usize % special.len()]
                } else {
                    (r >> 16) as u8
                }
            })
            .collect();
        let line = String::from_utf8_lossy(&bytes);
        let a = BootArgs::parse(&line);
        assert!(a.init_args.len() <= MAX_INIT_ARGS);
        assert!(a.init_envs.len() <= MAX_INIT_ENVS);
        assert!(a.warnings.len() <= MAX_WARNINGS);
        assert!(a.loglevel <= 10 && (10..=1000).contains(&a.hz));
    }
}
