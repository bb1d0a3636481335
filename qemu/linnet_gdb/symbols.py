"""Kernel and user symbols: `kbreak NAME` (a kernel function by its Linux name), and the
user program's symbols, loaded at each exec by a breakpoint on the kernel's exec hook
(`linnet-user-symbols`) or by hand (`linnet-load-user`); Linux scripts/gdb/linux/symbols.py
(lx-symbols) does the same for modules. A program's ELF is found the way the initramfs
was packed: read from the booted cpio archive, mapped to the user build's file."""
import gzip
import os
import re
import struct

import gdb

from . import ROOT
from .utils import read_bytes

# ---- Breaking on a Linux name -----------------------------------------------------------

KERNEL_SRC = os.path.join(ROOT, "kernel", "src")


def rust_paths_of(name):
    """The full Rust paths of the kernel functions called `name`, read from kernel/src:
    the file gives the module (kernel/src/exec/stack.rs -> linnet::exec::stack, mod.rs
    -> its folder), an enclosing `mod m {` or `impl Type {` adds m or Type. Methods of
    trait impls are left out (their gdb names are <T as Trait>::f)."""
    found = []
    pattern = re.compile(r"^(\s*)(?:pub(?:\([\w:]+\))? )?(?:const |unsafe |extern \"C\" )*fn %s\b"
                         % re.escape(name))
    opener = re.compile(r"^(\s*)(?:pub(?:\([\w:]+\))? )?(mod (\w+)|impl(?:<[^>]*>)? (\w+)(?:<[^>]*>)?) *\{")
    for folder, _, files in os.walk(KERNEL_SRC):
        for f in sorted(files):
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(folder, f), KERNEL_SRC)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            with open(os.path.join(folder, f), errors="replace") as src:
                lines = src.read().splitlines()
            scopes = []  # (indent, name) of the open mod/impl blocks
            for line in lines:
                indent = len(line) - len(line.lstrip())
                if scopes and line.strip().startswith("}") and indent == scopes[-1][0]:
                    scopes.pop()  # rustfmt closes a block at its opening line's indent
                m = opener.match(line)
                if m and " for " not in line:
                    scopes.append((len(m.group(1)), m.group(3) or m.group(4)))
                    continue
                m = pattern.match(line)
                if m:
                    inner = [n for i, n in scopes if i < len(m.group(1))]
                    found.append("::".join(["linnet"] + rel + inner + [name]))
    return sorted(set(found))


class Kbreak(gdb.Command):
    """kbreak NAME [if COND]: break on the Linnet function with the Linux name NAME
(`kbreak do_wait`, `kbreak load_elf_binary`, `kbreak do_execve`). gdb wants a Rust
function's full path (linnet::task::wait::do_wait); this finds the kernel function called
NAME in kernel/src, keeps the ones gdb has code for (inlined copies count), and sets
`break FULL_PATH`. If several functions share the name, they are listed and none is set:
use `break` with the full path you want. A name with :: in it is passed on as it is."""

    def __init__(self):
        super().__init__("kbreak", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        name, _, rest = arg.strip().partition(" ")
        if not name:
            raise gdb.GdbError("usage: kbreak NAME [if COND]")
        if "::" in name:
            full = [name]
        else:
            full = []
            for path in rust_paths_of(name):
                try:
                    gdb.decode_line(path)
                    full.append(path)
                except gdb.error:
                    pass  # not compiled in (e.g. host-only code, or a cfg'd-out copy)
        if not full:
            raise gdb.GdbError("no kernel function %s in kernel/src (`info functions %s` "
                               "lists names that contain it)" % (name, name))
        if len(full) > 1:
            raise gdb.GdbError("%s is more than one function; break on one of:\n  %s"
                               % (name, "\n  ".join(full)))
        gdb.execute(("break %s %s" % (full[0], rest)).strip(), from_tty)


# ---- User-program symbols -------------------------------------------------------------

_loaded = None  # (file, bias) of the user program whose symbols are loaded


_cpio_cache = {}  # cpio path -> (mtime, members), read again when the archive changes


def cpio_members(data):
    """{path: (mode, bytes)} of a cpio "newc" archive, gzipped or not. The offsets are
    the newc format's (a 110-byte header of 8-digit hex fields, 4-byte alignment), as
    qemu/mkinitramfs.py writes it: a file format, not kernel constants."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    files, off = {}, 0
    while data[off:off + 6] == b"070701":
        field = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = field[1], field[6], field[11]
        name = data[off + 110:off + 110 + namesize - 1].decode(errors="replace").strip("/")
        start = off + 110 + namesize
        start += -start % 4
        files[name] = (mode, data[start:start + size])
        off = start + size + (-size % 4)
    return files


def loaded_image(elf):
    """What exec maps from an ELF: its entry point and each PT_LOAD segment's address,
    size, flags and bytes. `strip --strip-debug` leaves this unchanged, except the ELF and
    program headers (section table offsets), which a segment may include: those read 0.
    The offsets are the ELF64 format's (e_entry at 0x18, e_phnum at 0x36, PT_LOAD = 1):
    this reads host files, not kernel memory."""
    entry, phoff = struct.unpack_from("<QQ", elf, 0x18)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    headers_end = max(0x40, phoff + phentsize * phnum)
    body = bytes(headers_end) + elf[headers_end:]
    segments = []
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type == 1:  # PT_LOAD
            segments.append((p_vaddr, p_memsz, p_flags, body[p_offset:p_offset + p_filesz]))
    return entry, segments


def kernel_elf():
    """The kernel ELF gdb was started with (build/kernel.elf, or build/debug/kernel.elf
    through build/gdb.elf after `make debug`), symlinks resolved."""
    name = gdb.current_progspace().filename
    return os.path.realpath(name) if name else os.path.join(ROOT, "build", "kernel.elf")


def cpio_file(path, cpio):
    """The bytes of `path` in the cpio archive `cpio` (as qemu/mkinitramfs.py writes
    them), following symlinks such as /init -> /bin/init; with the path it ended at. An
    initramfs newer than the kernel ELF beside it is from a build that failed, not the
    one running (the Makefile writes the cpio, then links the kernel with it inside), so
    it is ignored. Returns (None, path) when the archive or the path is not there."""
    try:
        mtime = os.path.getmtime(cpio)
        elf = os.path.join(os.path.dirname(cpio), "kernel.elf")
        if cpio.endswith("initramfs.cpio") and mtime > os.path.getmtime(elf):
            return None, path
        if _cpio_cache.get(cpio, (None,))[0] != mtime:
            with open(cpio, "rb") as f:
                _cpio_cache[cpio] = (mtime, cpio_members(f.read()))
    except OSError:
        return None, path
    files = _cpio_cache[cpio][1]
    name = path.strip("/")
    for _ in range(8):  # a few symlinks at most
        mode, body = files.get(name, (0, None))
        if body is None or mode & 0o170000 != 0o120000:
            return body, "/" + name
        name = os.path.normpath(os.path.join(os.path.dirname(name), body.decode())).strip("/")
    return None, path


def booted_file(path):
    """(bytes, path after symlinks) of a Linnet path in the first archive that has it:
    the initramfs built into the kernel gdb debugs (beside its ELF: `make build`'s or
    `make debug`'s, made by qemu/initramfs.sh), then the user-land initrd (`make run
    USERLAND=busybox`, qemu/userland.sh), with the /tests/std, /tests/c, ... the first
    one does not have. An INITRD named in the environment comes first: it is the
    root file system the kernel booted with."""
    cpios = [os.path.join(os.path.dirname(kernel_elf()), "initramfs.cpio"),
             os.path.join(ROOT, "build", "userland.cpio")]
    if os.environ.get("INITRD"):  # `make debug INITRD=...` and `make gdb INITRD=...`
        cpios.insert(0, os.path.join(ROOT, os.environ["INITRD"]))
    for cpio in cpios:
        body, real = cpio_file(path, cpio)
        if body is not None:
            return body, real
    return None, path


def build_artefact(path):
    """The user build's file (with debug info) that qemu/initramfs.sh or qemu/userland.sh
    packs at Linnet path `path` (after symlinks), or None. The same rules as the packers:
      /bin/NAME, /sbin/init, /tests/NAME  user/target/aarch64-unknown-none/release/NAME
                                          (a program of user/bin or user/tests)
      /tests/pie                          user/target/pie/aarch64-unknown-none/release/pie
      /bin/rustdemo, /tests/std/NAME      user/target/std/aarch64-unknown-linux-musl/release/NAME
      /tests/c/NAME, /tests/musl/NAME     user/target/c/glibc/NAME, user/target/c/musl/NAME
      /bin/busybox                        Debian's busybox-static (build/debian/...)
    user/target is $CARGO_TARGET_DIR when that is set, as in the packers."""
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "user", "target")
    folder, name = os.path.split(path)
    nostd = os.path.join(target, "aarch64-unknown-none", "release", name)
    std = os.path.join(target, "std", "aarch64-unknown-linux-musl", "release", name)
    rules = {
        "/tests/pie": os.path.join(target, "pie", "aarch64-unknown-none", "release", "pie"),
        "/sbin/init": os.path.join(target, "aarch64-unknown-none", "release", "init"),
        "/bin/rustdemo": std,
        "/bin/busybox": os.path.join(os.environ.get("DEBIAN_PKG_CACHE") or
                                     os.path.join(ROOT, "build", "debian"),
                                     "root", "busybox-static", "bin", "busybox"),
    }
    if path in rules:
        found = rules[path]
    elif folder == "/bin" and os.path.exists(os.path.join(ROOT, "user", "bin", "src", "bin", name + ".rs")):
        found = nostd
    elif folder == "/tests" and os.path.exists(os.path.join(ROOT, "user", "tests", "src", "bin", name + ".rs")):
        found = nostd
    elif folder == "/tests/std":
        found = std
    elif folder in ("/tests/c", "/tests/musl"):
        found = os.path.join(target, "c", "glibc" if folder == "/tests/c" else "musl", name)
    else:
        return None
    return found if os.path.isfile(found) else None


def find_user_elf(name, host_file_ok=False):
    """The host ELF with the symbols of a Linnet program, with a note. `name` is the path
    the kernel exec'd (/bin/sh, /tests/fork_cow), or a bare name (tried as /bin/NAME,
    then /tests/NAME). It is looked up in the archive the kernel booted with, following
    symlinks (/init -> /bin/init), and mapped to the user build's file by the packers'
    rules (`build_artefact`): never to the host's own /bin/sh. The archive holds copies
    without debug info; if the build's file no longer has the same code as the archive's
    copy (rebuilt since `make build`), the copy is what runs: it is used, for its symbols.
    host_file_ok (linnet-load-user only): a relative path to a host ELF is taken as is."""
    if host_file_ok and not name.startswith("/") and "/" in name and os.path.isfile(name):
        return os.path.realpath(name), ""
    paths = [name] if name.startswith("/") else ["/bin/" + name, "/tests/" + name]
    for path in paths:
        booted, real = booted_file(path)
        if booted is not None:
            break
    else:
        booted, real = None, paths[0]
    built = build_artefact(real)
    if booted is None or booted[:4] != b"\x7fELF":
        kernel = kernel_elf()
        if built and os.path.exists(kernel) and os.path.getmtime(built) > os.path.getmtime(kernel):
            return built, " (newer than the kernel ELF: if rebuilt since, symbols may not match)"
        return built, ""
    if built is not None:
        with open(built, "rb") as f:
            if loaded_image(f.read()) == loaded_image(booted):
                return built, ""
    copy = os.path.join(ROOT, "build", "gdb-user", real.strip("/").replace("/", "-"))
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    with open(copy, "wb") as f:
        f.write(booted)
    if built:
        return copy, (" (%s has changed since `make build`; this is the copy in"
                      " the initramfs that runs: symbols, no debug info)"
                      % os.path.relpath(built, ROOT))
    return copy, " (not in the user build; taken from the initramfs: no debug info)"


def load_user_symbols(path, bias, pid=None, force=False, host_file_ok=False):
    """Replace the previous user program's symbols with this one's, shifted by `bias`.
    Files are named by their real path (symlinks resolved), which is the name gdb keeps
    for an objfile, so remove-symbol-file finds the previous one again."""
    global _loaded
    elf, note = find_user_elf(path, host_file_ok)
    who = "" if pid is None else "pid %d exec " % pid
    if elf is None:
        print("linnet: %s%s: not a program of the user build (user/target/...); "
              "its symbols are not loaded" % (who, path))
        return False
    elf = os.path.realpath(elf)
    if _loaded == (elf, bias) and not force:
        return True  # the same program again (each fork_cow child, each sh command)
    if _loaded is not None:
        gdb.execute("remove-symbol-file %s" % _loaded[0], to_string=True)
        _loaded = None
    gdb.execute("add-symbol-file %s -o 0x%x" % (elf, bias), to_string=True)
    _loaded = (elf, bias)
    print("linnet: %s%s: symbols from %s, load bias 0x%x%s"
          % (who, path, os.path.relpath(elf, ROOT), bias, note))
    return True


class ExecHook(gdb.Breakpoint):
    """An internal breakpoint on linnet_gdb_exec_hook(path, len, load_bias, pid), which
    do_execve calls at every successful exec. At the function's first instruction its
    arguments are still in x0..x3 (AAPCS64)."""

    def __init__(self):
        super().__init__("*linnet_gdb_exec_hook", internal=True)
        self.silent = True

    def stop(self):
        try:
            frame = gdb.selected_frame()
            x = [int(frame.read_register("x%d" % i)) & (2**64 - 1) for i in range(4)]
            path = read_bytes(x[0], x[1]).decode(errors="replace")
            # pid is an i32: AAPCS64 leaves the upper half of its register unspecified.
            load_user_symbols(path, x[2], x[3] & 0xFFFFFFFF)
        except (gdb.error, OSError) as e:
            print("linnet: exec hook: could not load the program's symbols: %s" % e)
        return False  # keep going: the point was only to load the symbols


_hook = None


class UserSymbols(gdb.Command):
    """linnet-user-symbols on|off: load the symbols of each program the kernel execs.
On: a breakpoint on linnet_gdb_exec_hook (called by do_execve at every successful exec
with the program's path and load bias) finds the program's ELF in the user build
(user/target/aarch64-unknown-none/release/NAME), replaces the previous program's symbols
with add-symbol-file -o BIAS, and continues by itself. Also turns on `set breakpoint
pending on`, so `break main` can be set before the program is loaded. All user programs
are linked at 0x400000, so only the last exec'd one has symbols at a time; a breakpoint at a
user address fires in whichever process runs that address. Without an argument: the state."""

    def __init__(self):
        super().__init__("linnet-user-symbols", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        global _hook
        arg = arg.strip()
        if arg == "on" and _hook is None:
            _hook = ExecHook()
            gdb.execute("set breakpoint pending on")
        elif arg == "off" and _hook is not None:
            _hook.delete()
            _hook = None
        elif arg not in ("", "on", "off"):
            raise gdb.GdbError("usage: linnet-user-symbols on|off")
        loaded = "none" if _loaded is None else "%s (bias 0x%x)" % (
            os.path.relpath(_loaded[0], ROOT), _loaded[1])
        print("linnet-user-symbols: %s; loaded: %s" % ("on" if _hook else "off", loaded))


class LoadUser(gdb.Command):
    """linnet-load-user PATH [BIAS]: load one user program's symbols by hand.
PATH is a program's path in Linnet (/tests/fork_cow, /bin/sh), its name (fork_cow), or a
relative path to a host ELF file (user/target/.../NAME); a Linnet path is mapped to the
user build's file the way the initramfs was packed, as the automatic hook does. BIAS is where the
program was placed relative to its link address: 0 for Linnet's static programs (linked
at 0x400000), ELF_ET_DYN_BASE plus the random offset for a static-PIE one (see `vmas`).
The previous user program's symbols are removed first."""

    def __init__(self):
        super().__init__("linnet-load-user", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if not 1 <= len(words) <= 2:
            raise gdb.GdbError("usage: linnet-load-user PATH [BIAS]")
        bias = int(gdb.parse_and_eval(words[1])) if len(words) == 2 else 0
        if not load_user_symbols(words[0], bias, force=True, host_file_ok=True):
            raise gdb.GdbError("no ELF found for %s" % words[0])


Kbreak()
UserSymbols()
LoadUser()
