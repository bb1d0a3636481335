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

Each lab's grading tests are listed in labs/labs.json: host unit tests (a `cargo test`
filter), QEMU user programs (booted as init, TAP counted) and kernel boots with expected
output. `grade` prints points per test and a total.

  lab.py handout N DEST     write the student tree for lab N to DEST
  lab.py grade N [--tree DIR]   grade the tree (default: this one)
  lab.py check [--results F]  for every lab: the handout builds, its grade fails, and
                            the full tree gets full marks (what CI runs); F holds
                            verdicts make test already has (qemu/runtests.py)
"""
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABS = json.load(open(os.path.join(ROOT, "labs", "labs.json")))
BEGIN = re.compile(r"^(\s*)// LAB (\d+) BEGIN: (.*)$")
END = re.compile(r"^\s*// LAB (\d+) END\s*$")


def lab(n):
    for l in LABS["labs"]:
        if l["number"] == n:
            return l
    sys.exit(f"no lab {n}; labs: {[l['number'] for l in LABS['labs']]}")


def tracked_files(root):
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if os.path.isfile(os.path.join(root, f))]


def strip_regions(text, n):
    """Replace lab n's regions by todo!(); keep every other lab's solution. Returns the
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


def handout(n, dest):
    lab(n)
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
    print(f"lab {n}: handout in {dest} ({total} region(s) to write)")


def run(cmd, tree, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    try:
        r = subprocess.run(cmd, cwd=tree, env=e, capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as ex:
        return 124, f"timed out\n{ex.stdout or ''}"


def grade(n, tree=ROOT, quiet=False, target_dir=None, initramfs=None, first_failure=False, build=True,
          results=None):
    """Score lab n on `tree`. `target_dir` and `initramfs` let `check` reuse this tree's
    build products; `first_failure` stops at the first lost point; `build=False` grades
    what is already built; `results` (from `qemu/runtests.py`) are verdicts of host tests
    and user programs already run on this tree, used instead of running them again."""
    l = lab(n)
    env = {"CARGO_TARGET_DIR": target_dir} if target_dir else {}
    if initramfs:
        env["INITRAMFS"] = initramfs
    say = (lambda *a: None) if quiet else print
    say(f"Grading lab {n}: {l['title']}")
    code, out = run(["make", "-s", "build"], tree, env) if build else (0, "")
    built = code == 0
    if not built:
        say("  the kernel does not build:\n" + out[-3000:])
    score, total = 0, 0
    for t in l["tests"]:
        pts = t["points"]
        total += pts
        ok, why = False, ""
        if not built:
            why = "no build"
        elif results and t["kind"] == "host":
            ok = results["host_ok"] and any(name.startswith(t["filter"]) for name in results["host_tests"])
            why = "" if ok else "host tests failed in this run, or none match the filter"
        elif results and t["kind"] == "user" and t["program"] in results["user"]:
            ok = results["user"][t["program"]]
            why = "" if ok else "this program failed in this run"
        elif t["kind"] == "host":
            code, out = run(["cargo", "test", "-p", "linnet", "--quiet", t["filter"]], tree, env)
            m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed", out)
            ok = code == 0 and m is not None and int(m.group(1)) > 0
            why = "" if ok else (out[-1500:] if m is None else f"{m.group(2)} failed")
        elif t["kind"] == "user":
            code, out = run(["python3", "qemu/runtests.py", "--one-user", t["program"]], tree, env)
            ok = code == 0
            why = "" if ok else out[-1500:]
        elif t["kind"] == "boot":
            code, out = run(["bash", "qemu/run.sh"], tree, dict(env, APPEND=t["append"]), timeout=60)
            missing = [p for p in t["expect"] if not re.search(p, out, re.M)]
            ok = code == t.get("status", 0) and not missing
            why = "" if ok else f"status {code}, missing {missing}\n" + out[-1500:]
        got = pts if ok else 0
        score += got
        say(f"  {got:>3}/{pts:<3} {t['name']}")
        if not ok and not quiet:
            for line in why.strip().splitlines()[-15:]:
                print(f"          {line}")
        if not ok and first_failure:
            return score, sum(t["points"] for t in l["tests"])
    say(f"  total: {score}/{total}")
    return score, total


def check(verdicts=None):
    """Every lab: the handout builds, its grade is not full marks, the full tree's is.
    `verdicts`: see `grade`'s `results`."""
    import tempfile
    passed = failed = 0
    shared_target = os.path.join(ROOT, "build", "lab-target")
    code, out = run(["make", "-s", "build"], ROOT)
    if code != 0:
        print("not ok - labs: this tree builds\n" + out[-2000:])
        print("0 passed, 1 failed")
        return False
    for l in LABS["labs"]:
        n = l["number"]
        with tempfile.TemporaryDirectory() as d:
            dest = os.path.join(d, "tree")
            with open(os.devnull, "w") as null:
                sys.stdout, saved = null, sys.stdout
                try:
                    handout(n, dest)
                finally:
                    sys.stdout = saved
            # Labs change only the kernel: the handout reuses this tree's user programs.
            initramfs = os.path.join(ROOT, "build", "initramfs.cpio")
            code, out = run(["make", "-s", "build"], dest, {"CARGO_TARGET_DIR": shared_target, "INITRAMFS": initramfs})
            results = [("the handout tree builds", code == 0, out[-2000:])]
            if code == 0:
                s, tot = grade(n, dest, quiet=True, target_dir=shared_target, initramfs=initramfs, first_failure=True, build=False)
                results.append((f"the handout scores below full marks ({s}/{tot})", s < tot, ""))
        s, tot = grade(n, ROOT, quiet=True, build=False, results=verdicts)
        results.append((f"the full tree gets full marks ({s}/{tot})", s == tot, ""))
        for name, ok, detail in results:
            print(f"{'ok' if ok else 'not ok'} - lab {n}: {name}", flush=True)
            if not ok and detail:
                print("\n".join("#   " + x for x in detail.splitlines()[-20:]))
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return failed == 0


def main():
    a = sys.argv[1:]
    if a[:1] == ["handout"] and len(a) == 3:
        handout(int(a[1]), a[2])
    elif a[:1] == ["grade"] and len(a) >= 2:
        tree = a[a.index("--tree") + 1] if "--tree" in a else ROOT
        s, tot = grade(int(a[1]), tree)
        sys.exit(0 if s == tot else 1)
    elif a[:1] == ["check"]:
        results = json.load(open(a[a.index("--results") + 1])) if "--results" in a else None
        sys.exit(0 if check(results) else 1)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
