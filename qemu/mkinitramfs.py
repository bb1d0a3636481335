#!/usr/bin/env python3
"""qemu/mkinitramfs.py: write an initramfs image (cpio "newc", optionally gzipped).

The kernel unpacks it with kernel/src/fs/initramfs.rs over cpio.rs (Linux: init/initramfs.c);
the format is the one Linux's usr/gen_init_cpio.c writes. Python 3 standard library only.

Usage:
  mkinitramfs.py [--gzip] OUT.cpio SPEC...
  mkinitramfs.py --self-test

Each SPEC is one of
  dir:/path:MODE                     a directory, MODE in octal (e.g. 755)
  file:/path:MODE:HOSTFILE           a regular file with HOSTFILE's contents
  symlink:/path:TARGET               a symbolic link (mode 0777)
  chardev:/path:MODE:MAJOR:MINOR     a character device node

HOSTFILE and TARGET may contain ':' (everything after the fixed fields is taken whole).
Output is reproducible: entries sorted so that parents come first (byte order of the
path, which puts "a" before "a/b"), mtime 0, uid and gid 0, inode numbers 1, 2, ... in
that order, and gzip with mtime 0 and no file name.

OUT is replaced only when its bytes change (written to a temporary file beside it, then
renamed over it): an unchanged archive keeps its mtime, so the kernel's build script,
which watches the built-in initramfs (kernel/build.rs), does not make cargo relink the
kernel on a `make build` that changed nothing.
"""
import gzip
import io
import os
import stat
import sys
import tempfile

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


def pad4(n):
    """Zero bytes that bring a length of n up to a multiple of 4."""
    return b"\0" * (-n % 4)


def member(ino, name, mode, data=b"", nlink=1, rmajor=0, rminor=0):
    """One newc member: 110-byte header, name + NUL, padding, data, padding."""
    name_b = name.encode("utf-8") + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rmajor, rminor, len(name_b), 0]
    header = MAGIC + b"".join(b"%08X" % f for f in fields)
    out = header + name_b
    out += pad4(len(out))
    out += data + pad4(len(data))
    return out


def perm(text):
    """An octal permission string (e.g. "755") to its bits; raises ValueError."""
    bits = int(text, 8)
    if not 0 <= bits <= 0o7777:
        raise ValueError("mode %r is not 0..7777 (octal)" % text)
    return bits


def parse_spec(spec):
    """A SPEC string to (path, mode, data, rmajor, rminor); raises ValueError."""
    kind, _, rest = spec.partition(":")
    if kind == "dir":
        path, mode = rest.split(":", 1)
        return path, stat.S_IFDIR | perm(mode), b"", 0, 0
    if kind == "file":
        path, mode, host = rest.split(":", 2)
        with open(host, "rb") as f:
            return path, stat.S_IFREG | perm(mode), f.read(), 0, 0
    if kind == "symlink":
        path, target = rest.split(":", 1)
        if not target:
            raise ValueError("empty symlink target")
        return path, stat.S_IFLNK | 0o777, target.encode("utf-8"), 0, 0
    if kind == "chardev":
        path, mode, major, minor = rest.split(":", 3)
        return path, stat.S_IFCHR | perm(mode), b"", int(major), int(minor)
    raise ValueError("unknown kind %r (want dir, file, symlink or chardev)" % kind)


def clean(path):
    """Archive names are relative: strip leading '/' and './'; '/' itself is '.'."""
    while path.startswith("./") or path.startswith("/"):
        path = path[2:] if path.startswith("./") else path[1:]
    return path.rstrip("/") or "."


def build(specs):
    """The archive bytes for a list of SPEC strings."""
    entries = {}
    for spec in specs:
        try:
            path, mode, data, rmaj, rmin = parse_spec(spec)
        except (ValueError, OSError) as e:
            raise SystemExit("mkinitramfs: bad spec %r: %s" % (spec, e))
        entries[clean(path)] = (mode, data, rmaj, rmin)  # a later spec for a path wins
    # Sorting by the path's components puts every parent before its children; the root
    # (".") goes first whatever its neighbours' first characters.
    names = sorted(entries, key=lambda n: (n != ".", n.split("/")))
    out = bytearray()
    for ino, name in enumerate(names, start=1):
        mode, data, rmaj, rmin = entries[name]
        nlink = 2 if stat.S_ISDIR(mode) else 1
        out += member(ino, name, mode, data, nlink, rmaj, rmin)
    out += member(0, TRAILER, 0, nlink=1)
    out += b"\0" * (-len(out) % 512)  # like cpio, a multiple of 512 bytes
    return bytes(out)


def compress(data):
    """gzip with a fixed header (mtime 0, no name) so the output is reproducible."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def write_if_changed(path, data):
    """Write data to path unless path already holds exactly those bytes (then its mtime
    stays); the new file appears whole, by rename, never half written. True if written.
    Linux's own build does the same for generated headers (scripts/Kbuild.include's
    filechk: compare, and move the new file in only if it differs)."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


def parse(data):
    """A small newc reader, for the self-test: [(name, mode, data, rmajor, rminor)]."""
    out, pos = [], 0
    while True:
        h = data[pos:pos + 110]
        assert h[:6] == MAGIC, "bad magic at %d" % pos
        f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = f[11], f[6]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos += 110 + namesize
        pos += -pos % 4
        body = data[pos:pos + filesize]
        pos += filesize
        pos += -pos % 4
        if name == TRAILER:
            return out
        out.append((name, f[1], body, f[9], f[10]))


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        host = os.path.join(tmp, "hello")
        with open(host, "wb") as f:
            f.write(b"hello\n")
        specs = ["file:/bin/hello:755:" + host, "dir:/bin:755", "dir:/:755",
                 "symlink:/init:/bin/hello", "chardev:/dev/console:600:5:1", "dir:/dev:755"]
        a = build(specs)
        assert len(a) % 512 == 0
        got = parse(a)
        assert [e[0] for e in got] == [".", "bin", "bin/hello", "dev", "dev/console", "init"], got
        assert got[2][1] == stat.S_IFREG | 0o755 and got[2][2] == b"hello\n"
        assert got[4][1] == stat.S_IFCHR | 0o600 and got[4][3:] == (5, 1)
        assert got[5][2] == b"/bin/hello"
        assert build(specs) == a, "output is not reproducible"
        assert gzip.decompress(compress(a)) == a
        assert compress(a) == compress(a)
        out = os.path.join(tmp, "out.cpio")
        assert write_if_changed(out, a), "a new file is written"
        os.utime(out, (1, 1))
        assert not write_if_changed(out, a), "the same bytes are written again"
        assert os.stat(out).st_mtime == 1, "an unchanged archive's mtime moved"
        assert write_if_changed(out, a + b"\0" * 512)
        assert os.stat(out).st_mtime != 1 and open(out, "rb").read() == a + b"\0" * 512
        assert [n for n in os.listdir(tmp) if n.startswith("out.cpio.")] == [], "temporary left"
    print("mkinitramfs: self-test passed")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return 0
    args = argv[1:]
    use_gzip = "--gzip" in args
    args = [a for a in args if a != "--gzip"]
    if len(args) < 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out_path, specs = args[0], args[1:]
    data = build(specs)
    if use_gzip:
        data = compress(data)
    write_if_changed(out_path, data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
