#!/usr/bin/env python3
"""qemu/doccheck.py: checks that what the docs claim about the tree stays true.

Usage: doccheck.py CHECK...  (no CHECK: all of them), with CHECK one of
  help          every .PHONY target of the Makefile is listed by `make help`
  walkthrough   every kernel name docs/walkthrough.md cites in backticks exists in
                kernel/src or uapi/src (a function, assembly macro or label, field, type or constant)
  cited-docs    every NAME.md that a tracked file cites exists
  --self-test   the name rules on small examples
Prints what is wrong, one line each; exit status 1 if anything is. `make test` runs each
check (qemu/runtests.py, host group).
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KSRC = os.path.join(ROOT, "kernel", "src")
# The uapi crate: the ABI numbers the kernel shares with user space (SIGCHLD, O_CREAT ...).
USRC = os.path.join(ROOT, "uapi", "src")


def phony_targets(makefile):
    """The targets named on the Makefile's .PHONY lines."""
    targets = []
    for line in makefile.splitlines():
        if line.startswith(".PHONY:"):
            targets += line.split(":", 1)[1].split()
    return targets


def check_help():
    """Every .PHONY target appears as `make TARGET` in what `make help` prints."""
    with open(os.path.join(ROOT, "Makefile")) as f:
        targets = phony_targets(f.read())
    if not targets:
        return ["Makefile: no .PHONY line"]
    r = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        return ["make help failed: " + r.stderr.strip()]
    return [f"make help does not list `make {t}`" for t in targets
            if not re.search(r"\bmake " + re.escape(t) + r"(?![\w-])", r.stdout)]


# Names the walkthrough cites that are not kernel names, and why (a cited name that is
# Linux's own is written after "Linux", as in "Linux `exit_mmap`", and skipped too).
NOT_KERNEL = {
    "fork": "the C library's call (arm64 Linux has no fork syscall: it is clone)",
    "_start": "user space: ulib's entry point",
    "main": "user space: the program's",
    "eret": "an instruction",
}


class KernelSource:
    """The text of kernel/src (and of uapi/src, the kernel's ABI numbers), to look names
    up in."""

    def __init__(self, root=KSRC):
        self.files = {}
        for path in glob.glob(os.path.join(root, "**", "*.*"), recursive=True):
            if path.endswith((".rs", ".S")):
                with open(path, encoding="utf-8") as f:
                    self.files[os.path.relpath(path, root)] = f.read()
        if root == KSRC:
            for path in glob.glob(os.path.join(USRC, "*.rs")):
                with open(path, encoding="utf-8") as f:
                    self.files[os.path.relpath(path, ROOT)] = f.read()

    def grep(self, pattern, files=None):
        rx = re.compile(pattern, re.M)
        return any(rx.search(text) for name, text in self.files.items()
                   if files is None or name in files)

    def module_files(self, module):
        """The files of a Rust module named `module` (module.rs or module/mod.rs)."""
        return {n for n in self.files
                if os.path.basename(n) == module + ".rs" or n.endswith(os.sep + module + os.sep + "mod.rs")
                or n == module + os.sep + "mod.rs"}

    def has_fn(self, name, files=None):
        """A Rust fn (also in an extern block), or an assembly macro or label."""
        n = re.escape(name)
        return (self.grep(r"^\s*(pub(\([\w:]+\))?\s+)?(unsafe\s+)?(extern \"C\"\s+)?fn " + n + r"\b", files)
                or self.grep(r"^\s*\.macro " + n + r"\b|^" + n + r":", files))

    def has_field(self, name):
        return self.grep(r"^\s*(pub(\([\w:]+\))?\s+)?" + re.escape(name) + r"\s*:[^:]")

    def has_type(self, name):
        return self.grep(r"^\s*(pub(\([\w:]+\))?\s+)?(struct|enum|trait|type) " + re.escape(name) + r"\b")

    def has_const(self, name):
        return self.grep(r"^\s*(pub(\([\w:]+\))?\s+)?(const|static) " + re.escape(name) + r"\b")

    def has_variant(self, enum, variant):
        """`enum` is defined with a variant `variant` (a line `Variant,` or `Variant(`...)."""
        files = {n for n, t in self.files.items() if re.search(r"\benum " + re.escape(enum) + r"\b", t)}
        return self.grep(r"^\s*" + re.escape(variant) + r"\b\s*[,({=]", files)


def cited_names(text):
    """The (name, context) of each backticked identifier or path: `do_wait`, `schedule()`,
    `exit_group(0)`, `vfs::read`, `MmStruct::dup_mmap`, `EXIT_ZOMBIE`. A name written
    after "Linux" or "Linux's" is Linux's own and is left out, as are file names,
    bootargs and other code."""
    out = []
    for m in re.finditer(r"`([^`\n]+)`", text):
        span = m.group(1)
        ident = re.match(r"([A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*)(\(.*\))?$", span)
        if not ident:
            continue
        before = text[max(0, m.start() - 8):m.start()]
        if re.search(r"Linux('s)?\s+$", before):
            continue
        out.append(ident.group(1))
    return out


def missing_name(src, name):
    """Why `name` is not found in the kernel source, or None if it is."""
    if name in NOT_KERNEL:
        return None
    parts = name.split("::")
    last = parts[-1]
    if len(parts) > 1:
        owner = parts[-2]
        if owner[0].isupper():
            if not src.has_type(owner):
                return f"no type {owner}"
            if last[0].isupper():
                return None if src.has_variant(owner, last) else f"no variant {owner}::{last}"
            if last == "drop":
                return None if src.grep(r"impl Drop for " + re.escape(owner) + r"\b") else f"no Drop for {owner}"
            return None if src.has_fn(last) else f"no fn {last}"
        files = src.module_files(owner)
        if not files:
            return f"no module {owner}"
        return None if src.has_fn(last, files) else f"no fn {last} in module {owner}"
    if name.isupper() or (name[0].isupper() and "_" in name):
        return None if src.has_const(name) else f"no const or static {name}"
    if name[0].isupper():
        return None if src.has_type(name) else f"no type {name}"
    if src.has_fn(name) or src.has_field(name) or src.has_fn("sys_" + name):
        return None
    return f"no fn, field or syscall {name}"


def check_walkthrough():
    with open(os.path.join(ROOT, "docs", "walkthrough.md")) as f:
        text = f.read()
    src = KernelSource()
    problems = []
    for name in dict.fromkeys(cited_names(text)):
        why = missing_name(src, name)
        if why:
            problems.append(f"docs/walkthrough.md cites `{name}`: {why} in kernel/src")
    return problems


def check_cited_docs():
    """Every NAME.md a tracked file cites exists: beside the file, at the top, or in docs/
    ("NAME.md", "labN.md": a name ending in NAME or a capital N is a placeholder)."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    problems = []
    for rel in files:
        if not rel.endswith((".md", ".rs", ".py", ".sh", ".toml", ".S", "Makefile")):
            continue
        try:
            with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError):
            continue
        for m in sorted(set(re.findall(r"(?<![\w./-])([\w./-]*\w\.md)\b", text))):
            if re.search(r"(NAME|(?<=[a-z])N)\.md$", m):
                continue  # a placeholder
            here = os.path.dirname(rel)
            if not any(os.path.exists(os.path.join(ROOT, base, m)) for base in (here, "", "docs")):
                problems.append(f"{rel} cites {m}, which does not exist")
    return problems


def self_test():
    names = cited_names("`do_wait` and `schedule()` then `exit_group(0)`, `vfs::read`; "
                        "Linux `exit_mmap`, Linux's `copy_mm`; `task/fork.rs`, `trace=exec`")
    assert names == ["do_wait", "schedule", "exit_group", "vfs::read"], names
    src = KernelSource()
    assert missing_name(src, "do_wait") is None
    assert missing_name(src, "vfs::read") is None
    assert missing_name(src, "copy_mm") is not None
    assert missing_name(src, "search_binary_handler") is not None
    assert missing_name(src, "namei::do_wait") is not None  # in the kernel, but not there
    assert missing_name(src, "MmStruct::dup_mmap") is None
    assert missing_name(src, "TaskState::Zombie") is None
    assert missing_name(src, "TaskState::Undead") is not None
    assert missing_name(src, "EXIT_ZOMBIE") is not None
    assert missing_name(src, "kernel_entry") is None  # an assembly macro
    assert missing_name(src, "wait4") is None  # sys_wait4
    assert phony_targets(".PHONY: a b\nx:\n.PHONY: c\n") == ["a", "b", "c"]
    print("doccheck: self-test passed")


CHECKS = {"help": check_help, "walkthrough": check_walkthrough, "cited-docs": check_cited_docs}


def main(argv):
    if argv == ["--self-test"]:
        self_test()
        return 0
    unknown = [a for a in argv if a not in CHECKS]
    if unknown:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    problems = [p for name in (argv or CHECKS) for p in CHECKS[name]()]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
