#!/usr/bin/env python3
"""kallsyms.py: write the kernel's function names into its own image, for backtraces.

Linnet's counterpart of Linux scripts/kallsyms.c. After the kernel ELF is linked, this
script lists its function symbols with llvm-nm, and writes a compact table of
(address, name) into the ELF's `.kallsyms` section: a 256 KiB zero-filled PROGBITS hole
that linker.ld reserves between `__kallsyms_start` and `__kallsyms_end`. The section is
overwritten in place: no size, offset or address in the file changes, so the symbol
addresses stay true and there is no need to link again (Linux links three times because
its table is generated as an object file). Run it before `objcopy` makes the raw Image.
At run time kernel/src/kallsyms.rs (`lookup`) reads the table; read that file next.

Usage:
    kallsyms.py KERNEL_ELF         fill KERNEL_ELF's .kallsyms section
    kallsyms.py --self-test        check the blob layout, fitting and ELF patching
    kallsyms.py --dump-blob-for-test
                                   print (hex) the blob for a fixed symbol list; the
                                   Rust host test parses it with lookup_in

llvm-nm is found as: $LLVM_NM if set, else the rustup llvm-tools copy in
`$(rustc --print sysroot)/lib/rustlib/<host>/bin/llvm-nm`, else `llvm-nm` on PATH.

Blob format (kernel/src/kallsyms.rs describes the same; change both together). All
integers little endian; the 8-byte header keeps the addresses 8-byte aligned:

    offset        size       field
    0             4          magic b"KSYM"
    4             4          count: u32, number of symbols
    8             8*count    addresses: u64, sorted ascending
    8+8*count     4*count    name offsets: u32, relative to the string table
    8+12*count    ...        string table: NUL-terminated UTF-8 names

Only text symbols (nm types t, T, W) are kept, demangled, with Rust's `::h<16 hex>` hash
suffix removed, one name per address (global over weak over local, then the shortest).
If the table does not fit, names are shortened (keeping their end, which names the
function, behind ".."), and if that is not enough the longest names are dropped; either
way a warning is printed. A missing .kallsyms section is an error (exit status 1).
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

MAGIC = b"KSYM"
SECTION = ".kallsyms"
HEADER_LEN = 8
TEXT_TYPES = {"T": 0, "W": 1, "t": 2}  # kept nm types, by preference for aliases
RUST_HASH = re.compile(r"::h[0-9a-f]{16}$")
# LLVM's suffix on internalized symbols, e.g. "foo (.llvm.3087153913617468353)".
LLVM_SUFFIX = re.compile(r"\s*\(?\.llvm\.\d+\)?$")
MIN_NAME = 24  # names are not shortened below this many bytes; symbols are dropped instead
SHT_PROGBITS = 1
SHT_NOBITS = 8


class KallsymsError(Exception):
    """A problem that stops the script, with a message for the user."""


# ---------------------------------------------------------------- symbols from llvm-nm


def find_llvm_nm():
    """Returns the llvm-nm command to use, or raises KallsymsError."""
    env = os.environ.get("LLVM_NM")
    if env:
        return env
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True,
                                 text=True, check=True).stdout.strip()
        host = "x86_64-unknown-linux-gnu"
        info = subprocess.run(["rustc", "-vV"], capture_output=True, text=True,
                              check=True).stdout
        for line in info.splitlines():
            if line.startswith("host: "):
                host = line[len("host: "):].strip()
        candidate = os.path.join(sysroot, "lib", "rustlib", host, "bin", "llvm-nm")
        if os.access(candidate, os.X_OK):
            return candidate
    except (OSError, subprocess.CalledProcessError):
        pass
    on_path = shutil.which("llvm-nm")
    if on_path:
        return on_path
    raise KallsymsError("llvm-nm not found: set LLVM_NM, or `rustup component add "
                        "llvm-tools`, or install llvm")


def run_nm(elf):
    """Runs llvm-nm on `elf` and returns its output text."""
    nm = find_llvm_nm()
    try:
        out = subprocess.run([nm, "--demangle", "--defined-only", elf],
                             capture_output=True, text=True, check=True)
    except OSError as e:
        raise KallsymsError(f"cannot run {nm}: {e}") from e
    except subprocess.CalledProcessError as e:
        raise KallsymsError(f"{nm} failed on {elf}: {e.stderr.strip()}") from e
    return out.stdout


def parse_nm(text):
    """Turns llvm-nm output ("ADDR TYPE NAME" lines) into a sorted [(addr, name)] list:
    text symbols only, hash suffixes stripped, one name per address."""
    best = {}  # addr -> (preference, name)
    for line in text.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) != 3 or parts[1] not in TEXT_TYPES:
            continue
        addr_text, kind, name = parts
        try:
            addr = int(addr_text, 16)
        except ValueError:
            continue
        if name.startswith("$") or name.startswith(".L"):
            continue  # AArch64 mapping symbols ($x, $d) and assembler-local labels
        name = RUST_HASH.sub("", LLVM_SUFFIX.sub("", name))
        key = (TEXT_TYPES[kind], len(name), name)
        if addr not in best or key < best[addr]:
            best[addr] = key
    return [(addr, key[2]) for addr, key in sorted(best.items())]


# ---------------------------------------------------------------- the blob


def blob_size(syms):
    """Size in bytes of the blob build_blob(syms) would return."""
    return HEADER_LEN + 12 * len(syms) + sum(len(n.encode()) + 1 for _, n in syms)


def build_blob(syms):
    """Builds the blob (format in the module docstring) from a sorted [(addr, name)]."""
    addrs = b"".join(struct.pack("<Q", addr) for addr, _ in syms)
    offsets, strtab = [], bytearray()
    for _, name in syms:
        offsets.append(struct.pack("<I", len(strtab)))
        strtab += name.encode() + b"\0"
    return MAGIC + struct.pack("<I", len(syms)) + addrs + b"".join(offsets) + bytes(strtab)


def shorten(name, limit):
    """Shortens `name` to at most `limit` UTF-8 bytes, keeping its end behind ".."."""
    raw = name.encode()
    if len(raw) <= limit:
        return name
    return ".." + raw[len(raw) - (limit - 2):].decode(errors="ignore")


def fit(syms, capacity):
    """Makes the table fit in `capacity` bytes. Returns (syms, warning or None)."""
    if blob_size(syms) <= capacity:
        return syms, None

    def shortened(limit):
        return [(addr, shorten(name, limit)) for addr, name in syms]

    longest = max(len(n.encode()) for _, n in syms)
    if blob_size(shortened(MIN_NAME)) <= capacity:
        lo, hi = MIN_NAME, longest  # the largest limit that fits is in [lo, hi]
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if blob_size(shortened(mid)) <= capacity:
                lo = mid
            else:
                hi = mid - 1
        return shortened(lo), f"names shortened to {lo} bytes to fit {capacity} bytes"

    syms = shortened(MIN_NAME)
    size = blob_size(syms)
    dropped = set()
    for i in sorted(range(len(syms)), key=lambda i: -len(syms[i][1].encode())):
        if size <= capacity:
            break
        size -= 12 + len(syms[i][1].encode()) + 1
        dropped.add(i)
    kept = [s for i, s in enumerate(syms) if i not in dropped]
    return kept, (f"names shortened to {MIN_NAME} bytes and {len(dropped)} of "
                  f"{len(syms)} symbols dropped to fit {capacity} bytes")


def decode_blob(blob):
    """Parses a blob back into [(addr, name)] (for the self-test)."""
    assert blob[:4] == MAGIC, "bad magic"
    (count,) = struct.unpack_from("<I", blob, 4)
    offsets_at = HEADER_LEN + 8 * count
    strtab_at = offsets_at + 4 * count
    syms = []
    for i in range(count):
        (addr,) = struct.unpack_from("<Q", blob, HEADER_LEN + 8 * i)
        (off,) = struct.unpack_from("<I", blob, offsets_at + 4 * i)
        start = strtab_at + off
        syms.append((addr, blob[start:blob.index(b"\0", start)].decode()))
    return syms


# ---------------------------------------------------------------- the ELF file


def find_section(data, wanted):
    """Returns (file offset, size, type) of section `wanted` in ELF64 LE `data`."""
    if data[:4] != b"\x7fELF" or len(data) < 64:
        raise KallsymsError("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise KallsymsError("not a little-endian ELF64 file")
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def header(i):
        at = e_shoff + i * e_shentsize
        if e_shentsize < 64 or at + 64 > len(data):
            raise KallsymsError("section header table out of range")
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, ...
        return struct.unpack_from("<IIQQQQ", data, at)

    if e_shoff == 0:
        raise KallsymsError("ELF file has no section headers")
    if e_shnum == 0:  # more than 0xff00 sections: the real count is in section 0
        e_shnum = header(0)[5]
    if e_shstrndx == 0xffff:  # SHN_XINDEX: the real index is section 0's sh_link
        e_shstrndx, = struct.unpack_from("<I", data, e_shoff + 40)
    _, _, _, _, names_off, names_size = header(e_shstrndx)
    names = data[names_off:names_off + names_size]
    for i in range(e_shnum):
        sh_name, sh_type, _, _, sh_offset, sh_size = header(i)
        end = names.find(b"\0", sh_name)
        if end >= 0 and names[sh_name:end] == wanted.encode():
            return sh_offset, sh_size, sh_type
    raise KallsymsError(f"no {wanted} section (is linker.ld the one that reserves it?)")


def patch_elf(path, syms):
    """Writes the blob for `syms` into `path`'s .kallsyms section, in place.
    Returns (symbols written, blob bytes, section size, warning or None)."""
    with open(path, "rb") as f:
        data = f.read()
    offset, size, sh_type = find_section(data, SECTION)
    if sh_type != SHT_PROGBITS:
        kind = "NOBITS" if sh_type == SHT_NOBITS else f"type {sh_type}"
        raise KallsymsError(f"{SECTION} is {kind}, not PROGBITS: it has no bytes to fill")
    if offset + size > len(data):
        raise KallsymsError(f"{SECTION} lies outside the file")
    if size < HEADER_LEN:
        raise KallsymsError(f"{SECTION} is only {size} bytes: too small for the header")
    syms, warning = fit(syms, size)
    blob = build_blob(syms)
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(blob + bytes(size - len(blob)))  # zero the rest: re-running is harmless
    if os.path.getsize(path) != len(data):
        raise KallsymsError("internal error: the file size changed")
    return len(syms), len(blob), size, warning


# ---------------------------------------------------------------- tests

# A fixed llvm-nm listing used by --self-test and --dump-blob-for-test; the Rust test
# `kallsyms::tests::script_blob_parses` knows what it must turn into.
FIXED_NM_OUTPUT = """\
ffff000008002000 t <linnet::mm::vma::VmArea as core::fmt::Debug>::fmt::h0123456789abcdef
ffff000008000000 T _head
ffff000008001000 T linnet::kernel_main::hfedcba9876543210
ffff000008001000 t $x.1
ffff000008003000 t local_helper
ffff000008004000 W weak_fn
ffff000008005000 D SOME_DATA
ffff000008005100 R RODATA_THING
ffff000008000000 t $x
                 U undefined_sym
ffff000008001000 t alias_of_kernel_main
"""

FIXED_SYMS = [
    (0xffff000008000000, "_head"),
    (0xffff000008001000, "linnet::kernel_main"),
    (0xffff000008002000, "<linnet::mm::vma::VmArea as core::fmt::Debug>::fmt"),
    (0xffff000008003000, "local_helper"),
    (0xffff000008004000, "weak_fn"),
]


def make_test_elf(path, sections):
    """Writes a minimal ELF64 LE file with the given [(name, type, size)] sections."""
    names = b"\0.shstrtab\0" + b"".join(n.encode() + b"\0" for n, _, _ in sections)
    body = bytearray(64)  # ELF header, filled below
    headers = [struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    name_at = len(b"\0.shstrtab\0")
    for name, sh_type, size in sections:
        headers.append(struct.pack("<IIQQQQIIQQ", name_at, sh_type, 2, 0, len(body), size,
                                   0, 0, 8, 0))
        name_at += len(name) + 1
        body += bytes(size if sh_type != SHT_NOBITS else 0)
    headers.append(struct.pack("<IIQQQQIIQQ", 1, 3, 0, 0, len(body), len(names), 0, 0, 1, 0))
    body += names
    shoff = len(body)
    body += b"".join(headers)
    body[0:16] = b"\x7fELF\x02\x01\x01" + bytes(9)
    struct.pack_into("<HHIQQQIHHHHHH", body, 16, 2, 183, 1, 0, 0, shoff, 0, 64, 0, 0,
                     64, len(headers), len(headers) - 1)
    with open(path, "wb") as f:
        f.write(body)


def self_test():
    """Checks parsing, the blob layout, fitting and in-place patching. Raises on failure."""
    syms = parse_nm(FIXED_NM_OUTPUT)
    assert syms == FIXED_SYMS, syms

    blob = build_blob(syms)
    assert blob[:4] == MAGIC and struct.unpack_from("<I", blob, 4)[0] == len(syms)
    assert len(blob) == blob_size(syms)
    addrs = [struct.unpack_from("<Q", blob, HEADER_LEN + 8 * i)[0] for i in range(len(syms))]
    assert addrs == sorted(addrs) and HEADER_LEN % 8 == 0
    assert struct.unpack_from("<I", blob, HEADER_LEN + 8 * len(syms))[0] == 0
    assert decode_blob(blob) == syms

    assert shorten("abcdefghij", 6) == "..ghij"
    assert shorten("short", 6) == "short"
    assert len(shorten("xx\u00e9\u00e9\u00e9", 6).encode()) <= 6  # UTF-8 safe

    many = [(0x1000 * i, f"crate::module::function_number_{i}_" + "x" * (i % 50))
            for i in range(200)]
    for capacity in (1 << 20, blob_size(many) - 100, 200 * 12 + 200 * 10, 1000, 8):
        kept, warning = fit(many, capacity)
        assert blob_size(kept) <= capacity, capacity
        assert (warning is None) == (capacity >= blob_size(many)), capacity
        assert [a for a, _ in kept] == sorted(a for a, _ in kept)
        decode_blob(build_blob(kept))

    with tempfile.TemporaryDirectory() as tmp:
        elf = os.path.join(tmp, "kernel.elf")
        make_test_elf(elf, [(".text", SHT_PROGBITS, 64), (SECTION, SHT_PROGBITS, 4096),
                            (".bss", SHT_NOBITS, 4096)])
        before = open(elf, "rb").read()
        offset, size, _ = find_section(before, SECTION)
        count, used, total, warning = patch_elf(elf, syms)
        after = open(elf, "rb").read()
        assert (count, total, warning) == (len(syms), 4096, None)
        assert len(after) == len(before)
        assert after[:offset] == before[:offset] and after[offset + size:] == before[offset + size:]
        assert after[offset:offset + used] == blob and after[offset + used:offset + size] == bytes(size - used)

        make_test_elf(elf, [(".text", SHT_PROGBITS, 64)])
        try:
            patch_elf(elf, syms)
            raise AssertionError("a missing section must be an error")
        except KallsymsError as e:
            assert SECTION in str(e)
        make_test_elf(elf, [(SECTION, SHT_NOBITS, 4096)])
        try:
            patch_elf(elf, syms)
            raise AssertionError("a NOBITS section must be an error")
        except KallsymsError as e:
            assert "NOBITS" in str(e)


# ---------------------------------------------------------------- main


def main(argv):
    """Command-line entry point; returns the exit status."""
    prog = os.path.basename(argv[0]) if argv else "kallsyms.py"
    args = argv[1:]
    try:
        if args == ["--self-test"]:
            self_test()
            print(f"{prog}: self-test passed")
            return 0
        if args == ["--dump-blob-for-test"]:
            print(build_blob(parse_nm(FIXED_NM_OUTPUT)).hex())
            return 0
        if len(args) != 1 or args[0].startswith("-"):
            print(f"usage: {prog} KERNEL_ELF | --self-test | --dump-blob-for-test",
                  file=sys.stderr)
            return 2
        elf = args[0]
        syms = parse_nm(run_nm(elf))
        count, used, total, warning = patch_elf(elf, syms)
        if warning:
            print(f"{prog}: warning: {warning}", file=sys.stderr)
        print(f"{prog}: {count} symbols, {used} of {total} bytes of {SECTION} in {elf}")
        return 0
    except KallsymsError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
