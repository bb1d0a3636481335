//! std_process: std::process::Command (fork or vfork/clone + exec, pipes, wait4): exit
//! status, captured output, a stdin pipe, the environment, the working directory, kill.
//! The children are `sh`, `echo`, `cat` and `sleep` from PATH: the host's under
//! qemu-aarch64 (it execs host programs), the initrd's /bin on Linnet.

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tap::{Scratch, Tap};

fn main() {
    let mut t = Tap::new();
    if std::env::var_os("PATH").is_none() {
        std::env::set_var("PATH", "/bin:/usr/bin");
    }

    let st = Command::new("sh").args(["-c", "exit 3"]).status();
    t.eq(
        st.as_ref().ok().and_then(|s| s.code()),
        Some(3),
        "status: sh -c 'exit 3' gives code 3",
    );
    t.ok(
        Command::new("true")
            .status()
            .map(|s| s.success())
            .unwrap_or(false),
        "status: true succeeds",
    );
    let e = Command::new("/no/such/program").status();
    t.eq(
        e.map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::NotFound),
        "spawning a missing program: NotFound",
    );

    let out = Command::new("echo").args(["hello", "world"]).output();
    t.eq(
        out.as_ref().ok().map(|o| o.stdout.clone()),
        Some(b"hello world\n".to_vec()),
        "output: echo's stdout captured",
    );
    let out = Command::new("sh")
        .args(["-c", "echo to-stderr >&2; exit 1"])
        .output();
    t.ok(
        out.as_ref()
            .map(|o| o.stderr == b"to-stderr\n" && o.status.code() == Some(1))
            .unwrap_or(false),
        "output: stderr captured, status 1",
    );

    // A stdin pipe: write to cat, read its stdout.
    let child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let got = child.and_then(|mut c| {
        let mut stdin = c.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            for i in 0..100 {
                writeln!(stdin, "line {i}").unwrap();
            }
        });
        let o = c.wait_with_output();
        writer.join().unwrap();
        o
    });
    let text = got
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    t.ok(
        text.lines().count() == 100 && text.ends_with("line 99\n"),
        "stdin pipe: cat echoes 100 lines back",
    );

    // The environment.
    let out = Command::new("sh")
        .args(["-c", "echo $LINNET_TEST_VAR"])
        .env("LINNET_TEST_VAR", "forty-two")
        .output();
    t.eq(
        out.ok().map(|o| o.stdout),
        Some(b"forty-two\n".to_vec()),
        "env: the child sees a variable we set",
    );
    std::env::set_var("LINNET_INHERITED", "yes");
    let out = Command::new("sh")
        .args(["-c", "echo $LINNET_INHERITED"])
        .output();
    t.eq(
        out.ok().map(|o| o.stdout),
        Some(b"yes\n".to_vec()),
        "env: the child inherits our environment",
    );
    let out = Command::new("sh")
        .args(["-c", "echo \"[$LINNET_INHERITED]\""])
        .env_remove("LINNET_INHERITED")
        .output();
    t.eq(
        out.ok().map(|o| o.stdout),
        Some(b"[]\n".to_vec()),
        "env_remove: the child does not see it",
    );

    // The working directory.
    let dir = Scratch::new("std_process").unwrap();
    let canon = std::fs::canonicalize(&dir.0).unwrap();
    let out = Command::new("sh")
        .args(["-c", "pwd"])
        .current_dir(&dir.0)
        .output();
    let want = format!("{}\n", canon.display());
    t.eq(
        out.ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned()),
        Some(want),
        "current_dir: the child's pwd",
    );
    let prev = std::env::current_dir().unwrap();
    t.ok_res(&std::env::set_current_dir(&dir.0), "set_current_dir");
    t.eq(
        std::env::current_dir().ok(),
        Some(canon.clone()),
        "current_dir reads it back",
    );
    std::env::set_current_dir(prev).unwrap();

    // Kill: a sleeping child killed with SIGKILL.
    let begin = Instant::now();
    let child = Command::new("sleep").arg("30").spawn();
    let st = child.and_then(|mut c| {
        std::thread::sleep(Duration::from_millis(50));
        t.ok(
            c.try_wait().map(|s| s.is_none()).unwrap_or(false),
            "try_wait: the child is still running",
        );
        c.kill()?;
        c.wait()
    });
    t.eq(
        st.ok().and_then(|s| s.signal()),
        Some(9),
        "kill: the child dies of SIGKILL",
    );
    t.ok(
        begin.elapsed() < Duration::from_secs(20),
        "kill: well before the sleep would end",
    );

    t.ok(std::process::id() > 0, "process::id is positive");
    drop(dir);
    std::process::exit(t.done());
}
