//! elfmut: malformed ELF files, each exec'd in a child; the outcome (execve's errno, or
//! the exit status or signal of the process) must be Linux's (issue 11).
//!
//! The mutants are made here from this program's own file (argv[0], cut to its loaded
//! part), written to /tmp/elfm, and exec'd with the argument "child", with which an
//! intact copy exits 42. Each expected outcome is what Linux 6.1's `load_elf_binary`
//! (fs/binfmt_elf.c) does, in its order: the magic, e_type, `elf_check_arch` (e_machine
//! only: not EI_CLASS, EI_DATA or the versions), `load_elf_phdrs` (e_phentsize 56, at
//! most a page of headers, read in full), the first PT_INTERP (2..=PATH_MAX bytes, read
//! in full (else EIO), NUL-terminated, then opened); then `begin_new_exec`, the point
//! of no return: a failure about the PT_LOADs after it kills the process with SIGSEGV
//! (`bprm_execve`), and pages past the end of the file are mapped, SIGBUS when touched
//! (a `padzero` that cannot clear one is ignored). Segments that overlap are
//! mapped in header order, a later one replacing an earlier one (`MAP_FIXED`). For
//! `#!` without a newline, `load_script` takes the whole buffer if the interpreter name
//! ends in it (an all-blank one is an empty name, which a kernel-side lookup takes for
//! the cwd: a directory, EACCES). Linnet's side: kernel/src/exec/elf_checks.rs.
//! The expected outcomes were checked against Debian's Linux 6.1.0-57 (6.1.192) booted
//! in the same QEMU with this program as /init (with the Linnet-only guard removed): the
//! same verdicts but for the W^X rule below.
//!
//! Not differential: under qemu-user the exec would be the host kernel's, which cannot
//! run an aarch64 file (no binfmt_misc), so the checks say `# SKIP` there. qemu-user's
//! own loader is no oracle either (it checks EI_CLASS and EI_DATA, which Linux does
//! not). One rule is Linnet's on purpose: a writable and executable PT_LOAD is ENOEXEC
//! (W^X); Linux runs it.
//! Syscalls used: openat, read, write, close, clone (as fork), execve, wait4.

#![no_std]
#![no_main]

use ulib::io::{AT_FDCWD, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY};
use ulib::process::execve;
use ulib::Tap;

const OUT: &core::ffi::CStr = c"/tmp/elfm";
const PT_NULL: u32 = 0;
const PT_LOAD: u32 = ulib::uapi::elf::PT_LOAD;
const PT_INTERP: u32 = ulib::uapi::elf::PT_INTERP;
const PF_W: u32 = ulib::uapi::elf::PF_W;
const PF_X: u32 = ulib::uapi::elf::PF_X;
const ENOENT: i32 = 2;
const EIO: i32 = 5;
const EACCES: i32 = 13;
const ENOEXEC: i32 = 8;
const SIGBUS: i32 = ulib::uapi::signal::SIGBUS;
const SIGSEGV: i32 = ulib::uapi::signal::SIGSEGV;

/// How an exec ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// execve failed with this errno.
    Errno(i32),
    /// The program ran and exited with this status.
    Exit(i32),
    /// The process was killed by this signal.
    Signal(i32),
}
use Verdict::*;

/// A copy of the file being mutated, with its header fields at hand.
struct Image {
    buf: &'static mut [u8],
    len: usize,
    phoff: usize,
    phnum: usize,
}

impl Image {
    fn u16_at(&self, off: usize) -> u16 {
        u16::from_le_bytes([self.buf[off], self.buf[off + 1]])
    }
    fn put_u16(&mut self, off: usize, v: u16) {
        self.buf[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn u32_at(&self, off: usize) -> u32 {
        u32::from_le_bytes(self.buf[off..off + 4].try_into().unwrap_or([0; 4]))
    }
    fn put_u32(&mut self, off: usize, v: u32) {
        self.buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn u64_at(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.buf[off..off + 8].try_into().unwrap_or([0; 8]))
    }
    fn put_u64(&mut self, off: usize, v: u64) {
        self.buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }
    /// File offset of program header `i`.
    fn ph(&self, i: usize) -> usize {
        self.phoff + 56 * i
    }
    /// The index of the first program header of `ty` with flags containing `flags`.
    fn find(&self, ty: u32, flags: u32) -> Option<usize> {
        (0..self.phnum).find(|&i| {
            let p = self.ph(i);
            self.u32_at(p) == ty && self.u32_at(p + 4) & flags == flags
        })
    }
    /// A program header that is not PT_LOAD (to turn into something else).
    fn spare(&self, skip: usize) -> Option<usize> {
        (0..self.phnum)
            .filter(|&i| self.u32_at(self.ph(i)) != PT_LOAD)
            .nth(skip)
    }
    /// Copy program header `from` over the last spare header (PT_GNU_STACK, after every
    /// PT_LOAD); returns the copy's file offset.
    fn copy_to_spare(&mut self, from: usize) -> usize {
        let (to, from) = (self.ph(self.spare(1).unwrap_or(0)), self.ph(from));
        self.buf.copy_within(from..from + 56, to);
        to
    }
    /// Append `bytes` at the end; returns their offset.
    fn append(&mut self, bytes: &[u8]) -> usize {
        let at = self.len;
        self.buf[at..at + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
        at
    }
    /// Make program header `i` a PT_INTERP of `len` bytes at `off`.
    fn interp(&mut self, i: usize, off: usize, len: usize) {
        let p = self.ph(i);
        self.put_u32(p, PT_INTERP);
        self.put_u64(p + 8, off as u64);
        self.put_u64(p + 32, len as u64);
        self.put_u64(p + 40, len as u64);
    }
}

/// Write `bytes` to /tmp/elfm (mode 0755), exec it in a child with argument "child".
fn run(bytes: &[u8]) -> Option<Verdict> {
    let fd = ulib::openat(AT_FDCWD, OUT, O_WRONLY | O_CREAT | O_TRUNC, 0o755).ok()? as i32;
    let ok = ulib::io::write_all(fd, bytes).is_ok();
    let _ = ulib::close(fd);
    if !ok {
        return None;
    }
    let status = ulib::process::reap(ulib::process::spawn(|| {
        let argv = [c"elfm".as_ptr(), c"child".as_ptr(), core::ptr::null()];
        let envp = [core::ptr::null()];
        // SAFETY: NUL-terminated strings and NULL-terminated arrays that outlive the call.
        let e = unsafe { execve(OUT.as_ptr().cast(), argv.as_ptr().cast(), envp.as_ptr()) };
        100 + e.err().map_or(0, |e| e.0)
    }))?;
    Some(if ulib::wifsignaled(status) {
        Signal(ulib::wtermsig(status))
    } else if ulib::wexitstatus(status) >= 100 {
        Errno(ulib::wexitstatus(status) - 100)
    } else {
        Exit(ulib::wexitstatus(status))
    })
}

/// Read our own file, cut after its last PT_LOAD's file bytes (the rest is symbols).
fn load_self(path: &[u8]) -> Option<Image> {
    let mut p = [0u8; 256];
    p.get_mut(..path.len())?.copy_from_slice(path);
    let path = core::ffi::CStr::from_bytes_until_nul(&p).ok()?;
    let fd = ulib::openat(AT_FDCWD, path, O_RDONLY, 0).ok()? as i32;
    let buf = ulib::map_anon(4 << 20).ok()?;
    let mut len = 0;
    while let Ok(n @ 1..) = ulib::read(fd, &mut buf[len..(4 << 20) - 8192]) {
        len += n;
    }
    let _ = ulib::close(fd);
    let mut img = Image {
        buf,
        len,
        phoff: 0,
        phnum: 0,
    };
    img.phoff = img.u64_at(32) as usize;
    img.phnum = img.u16_at(56) as usize;
    let end = (0..img.phnum)
        .filter(|&i| img.u32_at(img.ph(i)) == PT_LOAD)
        .map(|i| (img.u64_at(img.ph(i) + 8) + img.u64_at(img.ph(i) + 32)) as usize)
        .max()?;
    img.len = end.min(len);
    Some(img)
}

#[no_mangle]
fn main() -> i32 {
    if ulib::args().any(|a| a == b"child") {
        return 42;
    }
    let tests: &[(&str, Verdict)] = &[
        ("an intact copy runs and exits 42", Exit(42)),
        ("an empty file: ENOEXEC", Errno(ENOEXEC)),
        ("only the 4 magic bytes: ENOEXEC", Errno(ENOEXEC)),
        (
            "only the 64-byte header (program headers missing): ENOEXEC",
            Errno(ENOEXEC),
        ),
        (
            "EI_CLASS 32-bit with a 64-bit body: runs (not checked)",
            Exit(42),
        ),
        ("EI_DATA big-endian: runs (not checked)", Exit(42)),
        ("EI_VERSION 0 and e_version 0: run (not checked)", Exit(42)),
        ("e_type ET_REL: ENOEXEC", Errno(ENOEXEC)),
        ("e_machine x86-64: ENOEXEC", Errno(ENOEXEC)),
        ("e_phentsize 32: ENOEXEC", Errno(ENOEXEC)),
        ("e_phnum 0: ENOEXEC", Errno(ENOEXEC)),
        (
            "e_phnum 74 (more than a page of headers): ENOEXEC",
            Errno(ENOEXEC),
        ),
        ("e_phoff past the end of the file: ENOEXEC", Errno(ENOEXEC)),
        ("PT_INTERP naming a missing file: ENOENT", Errno(ENOENT)),
        (
            "two PT_INTERPs, the first missing: ENOENT (the first decides)",
            Errno(ENOENT),
        ),
        ("PT_INTERP of 1 byte: ENOEXEC", Errno(ENOEXEC)),
        ("PT_INTERP without its NUL: ENOEXEC", Errno(ENOEXEC)),
        ("PT_INTERP past the end of the file: EIO", Errno(EIO)),
        ("PT_LOAD with p_filesz > p_memsz: SIGSEGV", Signal(SIGSEGV)),
        (
            "PT_LOAD with p_memsz 0x2a0000002a: SIGSEGV",
            Signal(SIGSEGV),
        ),
        ("PT_LOAD at a kernel address: SIGSEGV", Signal(SIGSEGV)),
        (
            "PT_LOAD with p_offset and p_vaddr apart mod 4096: SIGSEGV",
            Signal(SIGSEGV),
        ),
        (
            "text PT_LOAD's p_offset past the end of the file: SIGBUS",
            Signal(SIGBUS),
        ),
        ("file cut inside the text segment: SIGBUS", Signal(SIGBUS)),
        ("no PT_LOAD at all: SIGSEGV", Signal(SIGSEGV)),
        ("e_entry at a kernel address: SIGSEGV", Signal(SIGSEGV)),
        (
            "writable and executable text: ENOEXEC (Linnet's W^X; Linux runs it)",
            Errno(ENOEXEC),
        ),
        ("#! naming this program, no newline: runs", Exit(42)),
        (
            "#! and blanks only, no newline: EACCES (an empty name is the cwd)",
            Errno(EACCES),
        ),
        (
            "a PT_LOAD wholly past the end of the file, never touched: runs",
            Exit(42),
        ),
        (
            "the read-only PT_LOAD twice (overlapping segments): runs",
            Exit(42),
        ),
        (
            "a read-only copy of the text PT_LOAD after it: SIGSEGV (the later one wins)",
            Signal(SIGSEGV),
        ),
        (
            "bss after file bytes past the end of the file: SIGBUS when touched",
            Signal(SIGBUS),
        ),
        (
            "an untouched bss segment whose file page is past the end: runs",
            Exit(42),
        ),
        (
            "program headers at an odd offset, after the segments: runs",
            Exit(42),
        ),
    ];
    let mut tap = Tap::new(tests.len() as u32);
    let self_path = ulib::args().next().unwrap_or(b"/tests/elfmut");
    let base = if ulib::is_linnet() {
        load_self(self_path)
    } else {
        None
    };
    let Some(mut img) = base else {
        for (name, _) in tests {
            tap.skip(name, "not Linnet: the host cannot exec an aarch64 file");
        }
        return tap.done();
    };
    let (len, phoff, phnum) = (img.len, img.phoff, img.phnum);
    let text = img.find(PT_LOAD, PF_X).unwrap_or(0);
    let ro = (0..phnum)
        .find(|&i| {
            i != text && img.u32_at(img.ph(i)) == PT_LOAD && img.u64_at(img.ph(i) + 32) > 0x200
        })
        .unwrap_or(text);
    let last = (0..phnum)
        .rev()
        .find(|&i| img.u32_at(img.ph(i)) == PT_LOAD)
        .unwrap_or(text);
    let pristine: &'static mut [u8] = ulib::map_anon(len + 4096).unwrap_or(&mut []);
    pristine[..len].copy_from_slice(&img.buf[..len]);
    for (n, (name, want)) in tests.iter().enumerate() {
        // Start each mutant from the intact copy.
        img.buf[..len].copy_from_slice(&pristine[..len]);
        img.len = len;
        let bytes_len: usize = match n {
            0 => len,
            1 => 0,
            2 => 4,
            3 => 64,
            4 => {
                img.buf[4] = 1;
                len
            }
            5 => {
                img.buf[5] = 2;
                len
            }
            6 => {
                img.buf[6] = 0;
                img.put_u32(20, 0);
                len
            }
            7 => {
                img.put_u16(16, 1);
                len
            }
            8 => {
                img.put_u16(18, 62);
                len
            }
            9 => {
                img.put_u16(54, 32);
                len
            }
            10 => {
                img.put_u16(56, 0);
                len
            }
            11 => {
                img.put_u16(56, 74);
                len
            }
            12 => {
                img.put_u64(32, (len + 4096) as u64);
                len
            }
            13..=17 => {
                let s = img.append(b"/nonexistent/ld.so\0");
                let i = img.spare(0).unwrap_or(0);
                match n {
                    13 => img.interp(i, s, 19),
                    14 => {
                        let t = img.append(b"/tests/elfmut\0");
                        img.interp(i, s, 19);
                        if let Some(j) = img.spare(1) {
                            img.interp(j, t, 14);
                        }
                    }
                    15 => img.interp(i, s, 1),
                    16 => img.interp(i, s, 18),
                    _ => img.interp(i, len + 8192, 19),
                }
                img.len
            }
            18 => {
                let p = img.ph(ro);
                let filesz = img.u64_at(p + 32);
                img.put_u64(p + 40, filesz - 0x100);
                len
            }
            19 => {
                img.put_u64(img.ph(last) + 40, 0x2a_0000_002a);
                len
            }
            20 => {
                let p = img.ph(last);
                let v = img.u64_at(p + 16);
                img.put_u64(p + 16, 0xffff_0000_0000_0000 | v);
                len
            }
            21 => {
                let p = img.ph(ro);
                let off = img.u64_at(p + 8);
                img.put_u64(p + 8, off - 1);
                len
            }
            22 => {
                let p = img.ph(text);
                let v = img.u64_at(p + 16) & 0xfff;
                img.put_u64(p + 8, ((len as u64 + 0xffff) & !0xfff) | v);
                len
            }
            23 => 4096.min(len),
            24 => {
                for i in 0..phnum {
                    if img.u32_at(img.ph(i)) == PT_LOAD {
                        let p = img.ph(i);
                        img.put_u32(p, PT_NULL);
                    }
                }
                len
            }
            25 => {
                img.put_u64(24, 0xffff_0000_0800_0000);
                len
            }
            26 => {
                let p = img.ph(text) + 4;
                let f = img.u32_at(p);
                img.put_u32(p, f | PF_W);
                len
            }
            27 => {
                let mut s = [0u8; 260];
                s[..2].copy_from_slice(b"#!");
                let l = self_path.len().min(250);
                s[2..2 + l].copy_from_slice(&self_path[..l]);
                img.buf[..2 + l].copy_from_slice(&s[..2 + l]);
                2 + l
            }
            28 => {
                img.buf[..5].copy_from_slice(b"#!   ");
                5
            }
            29..=31 => {
                let to = img.copy_to_spare(if n == 30 { ro } else { text });
                match n {
                    29 => {
                        img.put_u64(to + 8, (len as u64 + 0x10_0000) & !0xfff); // p_offset
                        img.put_u64(to + 16, 0x1000_0000); // p_vaddr
                        img.put_u64(to + 32, 0x1000); // p_filesz
                        img.put_u64(to + 40, 0x1000); // p_memsz
                        img.put_u32(to + 4, 4); // PF_R
                    }
                    31 => img.put_u32(to + 4, 4), // PF_R: not executable
                    _ => {}
                }
                len
            }
            34 => {
                // e_phoff need not be aligned (Linux reads the table with kernel_read).
                let table = 56 * phnum;
                img.append(&[0]);
                if img.len % 2 == 0 {
                    img.append(&[0]);
                }
                let at = img.len;
                img.buf.copy_within(phoff..phoff + table, at);
                img.len += table;
                img.put_u64(32, at as u64);
                img.len
            }
            _ => {
                // The bss segment (or, next, a copy of it far from anything the program
                // touches) gets 16 file bytes, from a page past the end of the file.
                let p = if n == 32 {
                    img.ph(last)
                } else {
                    let to = img.copy_to_spare(last);
                    img.put_u64(to + 16, 0x1000_0000); // p_vaddr
                    to
                };
                let v = img.u64_at(p + 16) & 0xfff;
                img.put_u64(p + 8, ((len as u64 + 0x10_0000) & !0xfff) | v);
                img.put_u64(p + 32, 0x10);
                let memsz = img.u64_at(p + 40);
                img.put_u64(p + 40, memsz.max(0x20));
                len
            }
        };
        let got = run(&img.buf[..bytes_len]);
        if !tap.ok(got == Some(*want), name) {
            tap.diag(format_args!("  got {:?}, want {:?}", got, want));
        }
    }
    let _ = ulib::fs::unlinkat(AT_FDCWD, OUT, 0);
    tap.done()
}
