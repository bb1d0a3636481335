#!/usr/bin/env python3
"""labs/lab.py: the coursework tooling behind `make lab-handout`, `make grade` and the
lab checks in `make test`.

A lab is a set of *solution regions* in the kernel: lines between

    // LAB N BEGIN: what the student writes here
    ...the solution...
    // LAB N END

inside a function body. The handout replaces each region of lab N with
`panic!("not yet implemented: Lab N: what the student writes here");`, which compiles
whatever the function returns (and, unlike `todo!()`, inside a `const fn` too), so the
handout tree builds and boots until the student's code is needed.

Each lab's graded tests are listed in labs/labs.json: host unit tests (a `cargo test`
filter), QEMU user programs (booted as init, one point share per TAP line) and kernel
boots with expected output. Every single test earns its share of its row's points.
`grade` names each failing test with its message and the one command that reproduces
it, and checks that labs/answers/labN.md answers the lab's questions.

  lab.py handout N DEST            write the student tree for lab N to DEST (a git repo)
  lab.py grade [N] [--tree DIR] [--test NAME]
                                   grade the tree (default: this one; N defaults to the
                                   handout's lab); --test: one row, one host test, one
                                   user program, or `answers`
  lab.py answers                   rewrite labs/answers/lab*.md from the labs' questions
  lab.py check [--results F] [--labs N,M]
                                   what `make test` runs (see check()); F holds verdicts
                                   make test already has (qemu/runtests.py); --labs:
                                   only these labs
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABS = json.load(open(os.path.join(ROOT, "labs", "labs.json")))
BEGIN = re.compile(r"^(\s*)// LAB (\d+) BEGIN: (.*)$")
END = re.compile(r"^\s*// LAB (\d+) END\s*$")
# Written into a handout: which lab it is, so `make grade` there needs no LAB=.
HANDOUT_FILE = os.path.join("labs", "handout.json")
# Seconds: building (kernel, user programs, host tests) and each kind of test; a row of
# labs.json may set its own "timeout".
BUILD_TIMEOUT = 1800
TIMEOUT = {"host": 300, "user": 120, "boot": 60}
PLACEHOLDER = "(your answer)"


def lab(n):
    for l in LABS["labs"]:
        if l["number"] == n:
            return l
    sys.exit(f"no lab {n}; labs: {[l['number'] for l in LABS['labs']]}")


def row_id(t):
    """The short name `make grade TEST=` takes for a row of labs.json."""
    return t.get("id") or t.get("filter") or t.get("program") or t["name"]


def tracked_files(root):
    """The files of the source tree that git tracks (never build products or a
    teacher's untracked notes)."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    return [f for f in out.split("\0") if f and os.path.isfile(os.path.join(root, f))]


def strip_regions(text, n):
    """Replace lab n's regions by a panic; keep every other lab's solution. Returns the
    new text and the number of regions replaced."""
    out, inside, count = [], None, 0
    for line in text.splitlines(keepends=True):
        if inside is None:
            m = BEGIN.match(line)
            if m and int(m.group(2)) == n:
                indent, what = m.group(1), m.group(3).strip()
                out.append(f"{indent}// LAB {n}: {what}\n")
                # panic! with a plain literal also works in a `const fn`, unlike todo!().
                msg = what.replace("\\", "\\\\").replace('"', '\\"').replace("{", "{{").replace("}", "}}")
                out.append(f'{indent}panic!("not yet implemented: Lab {n}: {msg}");\n')
                inside, count = n, count + 1
                continue
            out.append(line)
        else:
            m = END.match(line)
            if m and int(m.group(1)) == n:
                inside = None
    if inside is not None:
        raise SystemExit(f"lab {n}: a BEGIN without END")
    return "".join(out), count


def git(args, cwd):
    return subprocess.run(["git", "-c", "user.name=Linnet labs", "-c", "user.email=labs@linnet.invalid",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"] + args,
                          cwd=cwd, capture_output=True, text=True, check=True).stdout


def handout(n, dest):
    """The student tree: the tracked files with lab n's regions stubbed, the lab's number
    in labs/handout.json, as a git repository with one commit so `git diff` shows the
    student's work."""
    l = lab(n)
    if os.path.exists(dest) and os.listdir(dest):
        sys.exit(f"{dest} exists and is not empty")
    total = 0
    for f in tracked_files(ROOT):
        src = os.path.join(ROOT, f)
        dst = os.path.join(dest, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if f.endswith(".rs"):
            text, k = strip_regions(open(src).read(), n)
            total += k
            open(dst, "w").write(text)
            shutil.copymode(src, dst)
        else:
            shutil.copy2(src, dst)
    if total == 0:
        sys.exit(f"lab {n} has no solution regions")
    with open(os.path.join(dest, HANDOUT_FILE), "w") as f:
        json.dump({"lab": n}, f)
        f.write("\n")
    git(["init", "-q"], dest)
    git(["add", "-A"], dest)
    git(["commit", "-q", "-m", f"Lab {n} handout: {l['title']}"], dest)
    print(f"lab {n}: handout in {dest} ({total} region(s) to write; "
          f"answers go in {answers_path(n)}; `git diff` shows your work)")


def run(cmd, tree, env=None, timeout=600):
    """(exit status or None if it timed out, output). A command that outlives `timeout`
    is killed with everything it started (its own process group)."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(cmd, cwd=tree, env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out.decode(errors="replace").replace("\r", "")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return None, out.decode(errors="replace").replace("\r", "")


# --- answers ---------------------------------------------------------------------------

def answers_path(n):
    return os.path.join("labs", "answers", f"lab{n}.md")


def questions(n, root=ROOT):
    """The numbered questions of lab n's handout text (its `## Questions` section), each
    as one string with its lines joined."""
    text = open(os.path.join(root, lab(n)["handout"])).read()
    m = re.search(r"^## Questions\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return []
    qs = []
    for line in m.group(1).splitlines():
        q = re.match(r"^(\d+)\. (.*)$", line)
        if q:
            qs.append(q.group(2).strip())
        elif line.strip() and qs:
            qs[-1] += " " + line.strip()
    return qs


def answers_template(n):
    out = [f"# Lab {n} answers\n",
           f"Write each answer below its question, in place of `{PLACEHOLDER}`. `make grade`",
           "lists the questions that are still unanswered.\n"]
    for i, q in enumerate(questions(n), 1):
        quoted = textwrap.fill(q, 88, initial_indent="> ", subsequent_indent="> ",
                               break_on_hyphens=False, break_long_words=False)
        out += [f"## Question {i}", quoted + "\n", PLACEHOLDER, ""]
    return "\n".join(out)


def unanswered(n, tree):
    """Numbers of lab n's questions with no answer in the tree's answers file (None if
    there is no such file)."""
    path = os.path.join(tree, answers_path(n))
    if not os.path.exists(path):
        return None
    text = open(path).read()
    missing = []
    for i in range(1, len(questions(n, tree)) + 1):
        m = re.search(rf"^## Question {i}\s*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        body = [l for l in (m.group(1).splitlines() if m else [])
                if l.strip() and not l.startswith(">") and l.strip() != PLACEHOLDER]
        if not body:
            missing.append(i)
    return missing


def answers_report(n, tree):
    """(all answered, the line to print)."""
    missing = unanswered(n, tree)
    if missing is None:
        return False, f"answers: {answers_path(n)} is missing"
    if missing:
        return False, (f"answers: question(s) {', '.join(map(str, missing))} of "
                       f"{len(questions(n, tree))} unanswered in {answers_path(n)}")
    return True, f"answers: all {len(questions(n, tree))} questions answered in {answers_path(n)}"


# --- running the tests -------------------------------------------------------------------

class Item:
    """One graded test: a host unit test, a TAP line of a user program, or a boot."""

    def __init__(self, name, ok, reproduce, why="", panic=None, where=None):
        self.name, self.ok, self.reproduce, self.why, self.panic = name, ok, reproduce, why, panic
        # What a repeated panic refers back to ("as in fork_cow").
        self.where = where or name


def kernel_panic(out):
    """(message, details) of the first kernel panic in a console log, or None."""
    m = re.search(r"Kernel panic - not syncing: (.*?)\n(.*?)(?:---\[ end Kernel panic \]---|\Z)",
                  out, re.S)
    if not m:
        return None
    msg, rest = m.group(1).strip(), m.group(2)
    # A multi-line message (assert_eq!) runs until the location line.
    loc = re.search(r"^  at (\S+)$", rest, re.M)
    if loc:
        msg = (msg + "\n" + rest[:loc.start()]).strip()
        rest = rest[loc.start():]
    return msg, rest.strip()


def host_items(t, tree, env, only=None):
    """Run a host row's tests (or the one test `only`); one Item per test."""
    filt = only or t["filter"]
    exact = ["--exact"] if only else []
    timeout = t.get("timeout", TIMEOUT["host"])
    code, listing = run(["cargo", "test", "-p", "linnet", "--quiet", filt, "--", "--list"] + exact,
                        tree, env, BUILD_TIMEOUT)
    names = re.findall(r"^(\S+): test$", listing, re.M)
    if code != 0:
        return [Item(f"host tests matching {filt}", False, f"cargo test -p linnet {filt}",
                     "the host tests do not build:\n" + "\n".join(listing.splitlines()[-30:]))]
    if not names:
        return [Item(f"host tests matching {filt}", False, f"cargo test -p linnet {filt}",
                     "no host test matches this filter")]
    # No backtraces: the message and the location say it; the reproduce command shows more.
    code, out = run(["cargo", "test", "-p", "linnet", filt, "--"] + exact, tree, dict(env, RUST_BACKTRACE="0"),
                    timeout)
    verdicts = dict(re.findall(r"^test (\S+)(?: - should panic)? \.\.\. (ok|FAILED|ignored)", out, re.M))
    sections = dict(re.findall(r"^---- (\S+) stdout ----\n(.*?)(?=^---- \S+ stdout ----|^failures:|\Z)",
                               out, re.M | re.S))
    items = []
    for name in names:
        v = verdicts.get(name)
        repro = f"cargo test -p linnet {name} -- --exact"
        if v == "ok" or v == "ignored":
            items.append(Item(name, True, repro))
            continue
        why, panic = "", None
        if v is None:
            why = (f"timed out: no result within {timeout} s" if code is None
                   else "no result (the test binary stopped: see the reproduce command)")
        else:
            sec = sections.get(name, "")
            p = re.search(r"panicked at (\S+?):\n(.*?)(?=^note: |^stack backtrace:|\Z)", sec, re.M | re.S)
            if p:
                panic = (p.group(2).strip(), "at " + p.group(1))
            else:
                why = sec.strip() or "failed"
        items.append(Item(name, False, repro, why, panic))
    return items


def tap(out):
    """The plan, and per test number (ok, name, diagnostic lines)."""
    plan = re.search(r"^1\.\.(\d+)$", out, re.M)
    results, last = {}, None
    for line in out.splitlines():
        m = re.match(r"^(not ok|ok) (\d+)(?: - (.*))?$", line)
        if m:
            last = int(m.group(2))
            results[last] = (m.group(1) == "ok", m.group(3) or "", [])
        elif line.startswith("#") and last is not None and not results[last][0]:
            results[last][2].append(line[1:].strip())
        elif not line.startswith("#"):
            last = None
    return (int(plan.group(1)) if plan else None), results


def ended(code, out, timeout):
    """Why a boot ended badly, or "" if it ended with status 0 and no panic; and the panic."""
    p = kernel_panic(out)
    if p:
        return "kernel panicked: " + p[0].splitlines()[0], p
    if code is None:
        return f"timed out after {timeout} s", None
    m = re.search(r"^Linnet: (init \(pid 1\) .*?); powering off", out, re.M)
    if code != 0:
        return (m.group(1) if m else f"QEMU exit status {code}"), None
    return "", None


def boot(tree, env, append, timeout):
    return run(["bash", "qemu/run.sh"], tree, dict(env, APPEND=append), timeout)


def user_items(t, tree, env):
    prog, timeout = t["program"], t.get("timeout", TIMEOUT["user"])
    repro = f"make run APPEND=init=/tests/{prog}"
    code, out = boot(tree, env, f"init=/tests/{prog}", timeout)
    plan, results = tap(out)
    bad_end, panic = ended(code, out, timeout)
    if plan is None:
        why = bad_end or "printed no TAP plan"
        return [Item(f"{prog}", False, repro, "" if panic else why, panic)]
    not_run = "did not run" + (" (the kernel panicked)" if panic else f": {bad_end or 'the program stopped'}")
    items = []
    for k in range(1, plan + 1):
        if k in results:
            ok, name, diag = results[k]
            items.append(Item(f"{prog} {k} - {name}", ok, repro, "\n".join(diag) or ("" if ok else "not ok")))
        else:
            items.append(Item(f"{prog} {k}", False, repro, not_run, panic, where=prog))
    extra = [k for k in results if k > plan]
    done = not bad_end and not extra
    items.append(Item(f"{prog}: ran to completion", done, repro,
                      "" if done or panic else (bad_end or f"ran {max(extra)} tests, planned {plan}"),
                      panic, where=prog))
    return items


def boot_items(t, tree, env):
    timeout = t.get("timeout", TIMEOUT["boot"])
    repro = f'make run APPEND="{t["append"]}"'
    code, out = boot(tree, env, t["append"], timeout)
    want = t.get("status", 0)
    bad_end, panic = ended(code, out, timeout)
    missing = [p for p in t["expect"] if not re.search(p, out, re.M)]
    if panic:
        status = "" if code else "(yet QEMU's exit status was 0: the panic path did not report it)"
        return [Item(t["name"], False, repro, status, panic)]
    ok = code == want and not missing
    why = ""
    if not ok:
        why = bad_end or f"QEMU exit status {code} (expected {want})"
        if missing:
            why += "; no line matches " + ", ".join(missing)
        why += "\nlast lines of the console:\n" + "\n".join(out.strip().splitlines()[-8:])
    return [Item(t["name"], ok, repro, why)]


# --- grading ------------------------------------------------------------------------------

def fmt(x):
    return f"{x:.1f}".rstrip("0").rstrip(".")


class Report:
    """Prints rows and their failing tests; a panic seen before is named, not repeated."""

    def __init__(self, quiet):
        self.quiet, self.seen = quiet, {}

    def say(self, *a):
        if not self.quiet:
            print(*a, flush=True)

    def failure(self, item, header=True):
        if header:
            self.say(f"      FAILED {item.name}")
        lines = []
        if item.panic:
            msg, detail = item.panic
            # One panic is its message and its place (file:line, without the column a
            # host test adds), whether a host test or a booted kernel met it.
            place = re.sub(r"^at (\S+?:\d+)(:\d+)?$", r"\1", detail.splitlines()[0]) if detail else ""
            key = (msg, place)
            kind = "panicked" if item.reproduce.startswith("cargo") else "kernel panicked"
            if key in self.seen:
                lines.append(f"{kind}: {msg.splitlines()[0]}")
                lines.append(f"  (the same panic as in {self.seen[key]}, shown above)")
            else:
                self.seen[key] = item.where
                first, *more = msg.splitlines()
                lines.append(f"{kind}: {first}")
                lines += ["  " + m for m in more]
                lines += ["  " + d for d in detail.splitlines()[:12]]
        if item.why:
            lines += item.why.splitlines()[-30:]
        lines.append(f"reproduce: {item.reproduce}")
        for line in lines:
            self.say(f"             {line}")

    def row(self, t, items, got):
        passed = sum(i.ok for i in items)
        self.say(f"  {fmt(got):>5}/{t['points']:<3} {t['name']}  ({passed} of {len(items)} tests pass)")
        failing = [i for i in items if not i.ok]
        k = 0
        while k < len(failing):
            i = failing[k]
            # Consecutive tests of a program that never ran, for one reason: one entry.
            n = 1
            while (i.why.startswith("did not run") and k + n < len(failing)
                   and failing[k + n].why == i.why):
                n += 1
            if n > 2:
                self.say(f"      FAILED {i.name} ... {failing[k + n - 1].name} ({n} tests)")
                self.failure(i, header=False)
            else:
                n = 1
                self.failure(i)
            k += n


def grade(n, tree=ROOT, quiet=False, target_dir=None, initramfs=None, first_failure=False, build=True,
          results=None, only=None):
    """Score lab n on `tree`: (score, total, all questions answered). `target_dir` and
    `initramfs` let `check` reuse this tree's build products; `first_failure` stops at
    the first lost point; `build=False` grades what is already built; `results` (from
    `qemu/runtests.py`) are verdicts of host tests and user programs already run on this
    tree, used instead of running them again when they passed; `only` is a TEST= name."""
    l = lab(n)
    env = {"CARGO_TARGET_DIR": target_dir} if target_dir else {}
    if initramfs:
        env["INITRAMFS"] = initramfs
    r = Report(quiet)
    rows, single = select(l, only, tree)
    if only:
        r.say(f"Lab {n}: {l['title']}: TEST={only}")
    else:
        r.say(f"Grading lab {n}: {l['title']}")
    built = None
    score = total = 0.0
    for t in rows:
        total += t["points"]
        if t["kind"] != "host" and built is None:
            code, out = run(["make", "-s", "build"], tree, env, BUILD_TIMEOUT) if build else (0, "")
            built = code == 0
            if not built:
                r.say("  the kernel does not build (make build):\n" +
                      "\n".join("    " + x for x in out.strip().splitlines()[-40:]))
        if t["kind"] == "host" and results and results.get("host_ok") and not single:
            names = [x for x in results["host_tests"] if t["filter"] in x]
            items = [Item(x, True, "") for x in names] or host_items(t, tree, env)
        elif t["kind"] == "user" and results and results["user"].get(t["program"]):
            items = [Item(t["program"], True, "")]
        elif t["kind"] != "host" and not built:
            items = [Item(t["name"], False, "make build", "no kernel: make build failed (above)")]
        elif t["kind"] == "host":
            items = host_items(t, tree, env, single)
        elif t["kind"] == "user":
            items = user_items(t, tree, env)
        else:
            items = boot_items(t, tree, env)
        got = t["points"] * sum(i.ok for i in items) / len(items)
        score += got
        r.row(t, items, got)
        if first_failure and got < t["points"]:
            return score, sum(x["points"] for x in l["tests"]), False
    answered, line = answers_report(n, tree)
    if only in (None, "answers"):
        r.say(f"  {line}")
    if only is None:
        r.say(f"  total: {fmt(score)}/{fmt(total)}")
        if score < total:
            r.say("  run one test alone: make grade TEST=NAME (NAME: " +
                  ", ".join(row_id(t) for t in l["tests"]) + ", a host test's full name, or answers)")
    return score, total, answered


def select(l, only, tree):
    """The rows TEST=`only` runs, and the single host test it names (or None)."""
    if only is None:
        return l["tests"], None
    if only == "answers":
        return [], None
    rows = [t for t in l["tests"] if row_id(t) == only]
    if rows:
        return rows, None
    hosts = [t for t in l["tests"] if t["kind"] == "host" and t["filter"] in only]
    if hosts:
        return hosts[:1], only
    sys.exit(f"lab {l['number']} has no test {only!r}; tests: " +
             ", ".join(row_id(t) for t in l["tests"]) + ", a host test's full name, or answers")


# --- make test ----------------------------------------------------------------------------

# The lab whose handout `check` breaks on purpose: a wrong body instead of the stub, so a
# host test fails with an assertion message (the others still stub and panic).
BREAK = {"lab": 3, "file": "kernel/src/mm/page_ref.rs", "body": "count == 1",
         "test": "mm::page_ref::tests::shared_mappings_never_copy",
         "message": "assertion failed: wp_can_reuse(5, true)"}
# A file the source tree does not track: no handout may contain it.
PROBE = os.path.join("labs", "untracked-probe.txt")


def lint_docs(n):
    """Problems with lab n's text and answers template (empty list: none)."""
    l = lab(n)
    text = open(os.path.join(ROOT, l["handout"])).read()
    problems = []
    for what, pat in [("a difficulty", r"^\*\*Difficulty:\*\* \S"), ("a time estimate", r"^\*\*Time:\*\* \S"),
                      ("a Hints section", r"^## Hints\n"), ("questions", r"^## Questions\n1\. ")]:
        if not re.search(pat, text, re.M):
            problems.append(f"{l['handout']} has no {what}")
    if n >= 3 and not re.search(r"^\d+\. \*\*Your design:\*\*", text, re.M):
        problems.append(f"{l['handout']} has no part that states only the goal and the tests (**Your design:**)")
    path = os.path.join(ROOT, answers_path(n))
    if not os.path.exists(path) or open(path).read() != answers_template(n):
        problems.append(f"{answers_path(n)} does not match the lab's questions: run python3 labs/lab.py answers")
    return problems


def check(verdicts=None, only=None):
    """What `make test` runs, as TAP-like lines. Every lab: its text has a difficulty, a
    time, hints and an answers template; its handout is a git repository of one commit
    without the source tree's untracked files, builds, and scores below full marks; the
    full tree gets full marks. Lab 1's handout: `make grade TEST=<boot>` there (no LAB=)
    runs that one test and says "kernel panicked: <message>", and the panic ends QEMU
    with a non-zero status. Lab 3's handout, one function broken (BREAK): `make grade`
    names the failing host test with its assertion message and reproduce command, gives
    the passing tests of that row their points, prints a kernel panic met by several
    tests once, and lists the unanswered questions; one answer filled in, `make grade
    TEST=answers` stops listing it. `verdicts`: see `grade`'s `results`."""
    import tempfile
    passed = failed = 0

    def say(ok, name, detail=""):
        nonlocal passed, failed
        print(f"{'ok' if ok else 'not ok'} - {name}", flush=True)
        if not ok and detail:
            print("\n".join("#   " + x for x in detail.strip().splitlines()[-30:]), flush=True)
        passed, failed = passed + bool(ok), failed + (not ok)

    shared_target = os.path.join(ROOT, "build", "lab-target")
    initramfs = os.path.join(ROOT, "build", "initramfs.cpio")
    code, out = run(["make", "-s", "build"], ROOT, timeout=BUILD_TIMEOUT)
    if code != 0:
        say(False, "labs: this tree builds", out)
        print(f"{passed} passed, {failed} failed")
        return False
    # Labs change only the kernel: a handout reuses this tree's user programs.
    env = {"CARGO_TARGET_DIR": shared_target, "INITRAMFS": initramfs}
    probe = os.path.join(ROOT, PROBE)
    with open(probe, "w") as f:
        f.write("an untracked file: handouts must not contain it\n")
    try:
        for l in LABS["labs"]:
            n = l["number"]
            if only and n not in only:
                continue
            problems = lint_docs(n)
            say(not problems, f"lab {n}: the text has a difficulty, a time, hints and an answers template",
                "\n".join(problems))
            with tempfile.TemporaryDirectory() as d:
                dest = os.path.join(d, "tree")
                hcode, hout = run([sys.executable, os.path.join(ROOT, "labs", "lab.py"), "handout", str(n), dest], ROOT)
                if hcode != 0:
                    say(False, f"lab {n}: the handout is written", hout)
                    continue
                commits = git(["rev-list", "--count", "HEAD"], dest).strip()
                status = git(["status", "--porcelain"], dest)
                leaked = os.path.exists(os.path.join(dest, PROBE))
                say(commits == "1" and not status and not leaked,
                    f"lab {n}: the handout is a git repository of one commit, clean, without untracked files",
                    f"commits {commits}, status {status!r}, untracked file copied: {leaked}")
                if n == BREAK["lab"]:
                    f = os.path.join(dest, BREAK["file"])
                    text = open(f).read()
                    stub = re.search(rf"^([ \t]*)panic!\(\"not yet implemented: Lab {n}: .*\"\);$", text, re.M)
                    open(f, "w").write(text[:stub.start()] + stub.group(1) + BREAK["body"] + text[stub.end():])
                # Labs 1 and 3: `make grade` in the handout builds it, as a student's would.
                if n == 1:
                    check_boot_panic(l, dest, env, say)
                elif n == BREAK["lab"]:
                    check_explains(l, dest, env, say)
                else:
                    code, out = run(["make", "-s", "build"], dest, env, BUILD_TIMEOUT)
                    say(code == 0, f"lab {n}: the handout builds", out)
                    if code == 0:
                        s, tot, _ = grade(n, dest, quiet=True, target_dir=shared_target, initramfs=initramfs,
                                          first_failure=True, build=False)
                        say(s < tot, f"lab {n}: the handout scores below full marks ({fmt(s)}/{fmt(tot)})")
            s, tot, _ = grade(n, ROOT, quiet=True, build=False, results=verdicts)
            say(s == tot, f"lab {n}: the full tree gets full marks ({fmt(s)}/{fmt(tot)})")
    finally:
        os.remove(probe)
    print(f"{passed} passed, {failed} failed")
    return failed == 0


def check_boot_panic(l, dest, env, say):
    """Lab 1's handout panics in paging_init, before the console is even set up fully."""
    t = next(t for t in l["tests"] if t["kind"] == "boot")
    code, out = run(["make", "-s", "grade", f"TEST={row_id(t)}"], dest, env, BUILD_TIMEOUT)
    say("does not build" not in out and f"{t['name']}" in out, "lab 1: the handout builds (make grade)", out)
    want = [f"Lab 1: {l['title']}: TEST={row_id(t)}",
            f"      0/{t['points']:<3} {t['name']}", f"FAILED {t['name']}",
            "kernel panicked: not yet implemented: Lab 1: ", f'reproduce: make run APPEND="{t["append"]}"']
    missing = [w for w in want if w not in out]
    others = [x["name"] for x in l["tests"] if x is not t and x["name"] in out]
    say(code != 0 and not missing and not others,
        f"lab 1: make grade TEST={row_id(t)} in the handout runs that test alone and says the kernel panicked",
        f"status {code}; missing {missing}; other tests ran: {others}\n{out}")
    code, out = boot(dest, env, t["append"], TIMEOUT["boot"])
    say(code not in (0, None) and "Kernel panic - not syncing: not yet implemented: Lab 1:" in out,
        f"lab 1: a kernel panic in paging_init ends QEMU with a non-zero status (got {code})", out[-2000:])


def check_explains(l, dest, env, say):
    n = l["number"]
    code, out = run(["make", "-s", "grade"], dest, env, BUILD_TIMEOUT)
    say("does not build" not in out and "  total: " in out, f"lab {n}: the handout builds (make grade)", out)
    name, msg = BREAK["test"], BREAK["message"]
    host = next(t for t in l["tests"] if t["kind"] == "host")
    row = re.search(rf"^\s+(\S+)/{host['points']}\s+{re.escape(host['name'])}\s+\((\d+) of (\d+) tests pass\)$", out, re.M)
    say(code != 0 and f"FAILED {name}\n" in out and f"reproduce: cargo test -p linnet {name} -- --exact" in out
        and msg in out,
        f"lab {n}: make grade names the failing host test, its assertion message and the command that reproduces it", out)
    say(row is not None and 0 < float(row.group(1)) < host["points"] and 0 < int(row.group(2)) < int(row.group(3)),
        f"lab {n}: each host test earns its own points (a row with one failure is not all or nothing)",
        row.group(0) if row else out)
    panics = re.findall(r"^\s+kernel panicked: not yet implemented: Lab \d+: .*$", out, re.M)
    locations = re.findall(r"^\s+at kernel/src/\S+:\d+$", out, re.M)
    say(len(panics) >= 2 and len(set(locations)) == len(locations) and "(the same panic as" in out,
        f"lab {n}: a kernel panic met by several tests is shown once ({len(panics)} tests, {len(locations)} shown)", out)
    qs = len(questions(n))
    say(f"answers: question(s) {', '.join(map(str, range(1, qs + 1)))} of {qs} unanswered in {answers_path(n)}" in out,
        f"lab {n}: make grade lists the unanswered questions", out)
    s = re.search(r"^  total: (\S+)/(\S+)$", out, re.M)
    say(s is not None and float(s.group(1)) < float(s.group(2)),
        f"lab {n}: the handout scores below full marks ({s.group(0).strip() if s else 'no total'})", out)
    path = os.path.join(dest, answers_path(n))
    text = re.sub(rf"^{re.escape(PLACEHOLDER)}$", "The child's write copies; the parent's reuses.",
                  open(path).read(), count=1, flags=re.M)
    open(path, "w").write(text)
    code, out = run(["make", "-s", "grade", "TEST=answers"], dest, env, 60)
    rest = ", ".join(map(str, range(2, qs + 1)))
    say(code != 0 and f"answers: question(s) {rest} of {qs} unanswered" in out,
        f"lab {n}: an answered question is no longer listed (make grade TEST=answers)", out)


def main():
    a = sys.argv[1:]
    opt = lambda flag: a[a.index(flag) + 1] if flag in a else None
    if a[:1] == ["handout"] and len(a) == 3:
        handout(int(a[1]), a[2])
    elif a[:1] == ["grade"]:
        tree = opt("--tree") or ROOT
        only = opt("--test")
        number = a[1] if len(a) > 1 and a[1].isdigit() else None
        if number is None:
            marker = os.path.join(tree, HANDOUT_FILE)
            if not os.path.exists(marker):
                sys.exit("usage: make grade LAB=N [TEST=NAME] (in a lab handout, LAB= is not needed)")
            number = json.load(open(marker))["lab"]
        s, tot, answered = grade(int(number), tree, only=only)
        sys.exit(0 if s == tot and (answered or only not in (None, "answers")) else 1)
    elif a[:1] == ["answers"]:
        for l in LABS["labs"]:
            path = os.path.join(ROOT, answers_path(l["number"]))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").write(answers_template(l["number"]))
            print(f"wrote {answers_path(l['number'])}")
    elif a[:1] == ["check"]:
        results = json.load(open(opt("--results"))) if "--results" in a else None
        labs = [int(x) for x in opt("--labs").split(",")] if "--labs" in a else None
        sys.exit(0 if check(results, labs) else 1)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
