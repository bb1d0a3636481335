//! ls [-l] [-a] [PATH...]: list directories (getdents64) and describe files (newfstatat).
//!
//! A directory is read with getdents64(2), which fills a buffer with `linux_dirent64`
//! records (inode, type, name); -l then stats each name relative to the directory's fd
//! (`fstatat(dirfd, name)`, the `*at` idea: no path string is rebuilt). Names are sorted;
//! dot files show only with -a.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use binlib::{cstring, text};
use ulib::fs::{
    fstatat, getdents64, readlinkat, Dirents, Stat, AT_SYMLINK_NOFOLLOW, S_IFBLK, S_IFCHR, S_IFDIR,
    S_IFIFO, S_IFLNK, S_IFSOCK,
};
use ulib::io::{self, AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_RDONLY};
use ulib::{eprintln, println, Errno};

struct Options {
    long: bool,
    all: bool,
}

/// "drwxr-xr-x" ("drwxrwxrwt" for /tmp) from st_mode.
fn mode_string(mode: u32) -> String {
    let kind = match mode & 0o170000 {
        S_IFDIR => 'd',
        S_IFLNK => 'l',
        S_IFCHR => 'c',
        S_IFBLK => 'b',
        S_IFIFO => 'p',
        S_IFSOCK => 's',
        _ => '-',
    };
    let mut s = String::from(kind);
    // The execute column also shows set-user-ID, set-group-ID and the sticky bit, as
    // coreutils' `filemodestring` does: s/t with x, S/T without it.
    for (shift, special, letter) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(match (mode & special != 0, bits & 1 != 0) {
            (true, true) => letter,
            (true, false) => letter.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// One -l line for `name` (stat'ed relative to `dirfd`).
fn long_line(dirfd: i32, name: &[u8], st: &Stat) {
    let size = match st.mode & 0o170000 {
        S_IFCHR | S_IFBLK => {
            let (major, minor) = ((st.rdev >> 8) & 0xfff, st.rdev & 0xff);
            alloc::format!("{:>3}, {:>3}", major, minor)
        }
        _ => alloc::format!("{:>8}", st.size),
    };
    let mut target = String::new();
    if st.mode & 0o170000 == S_IFLNK {
        let mut buf = [0u8; 256];
        if let Ok(t) = readlinkat(dirfd, &cstring(name), &mut buf) {
            target = alloc::format!(" -> {}", text(t));
        }
    }
    println!(
        "{} {:>2} {:>4} {:>4} {} {}{}",
        mode_string(st.mode),
        st.nlink,
        st.uid,
        st.gid,
        size,
        text(name),
        target
    );
}

/// The names in the directory open as `fd`.
fn read_dir(fd: i32, all: bool) -> Result<Vec<Vec<u8>>, Errno> {
    let mut names = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = getdents64(fd, &mut buf)?;
        if n == 0 {
            break;
        }
        for d in Dirents::new(&buf, n) {
            if all || !d.name.starts_with(b".") {
                names.push(d.name.to_vec());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Print `names` in columns across an 80-column terminal (one per line when piped).
fn columns(names: &[Vec<u8>]) {
    if !ulib::tty::isatty(1) {
        for n in names {
            println!("{}", text(n));
        }
        return;
    }
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0) + 2;
    let per_line = (80 / width).max(1);
    for row in names.chunks(per_line) {
        let mut line = String::new();
        for n in row {
            line.push_str(text(n));
            for _ in n.len()..width {
                line.push(' ');
            }
        }
        println!("{}", line.trim_end());
    }
}

fn list(path: &[u8], opts: &Options) -> Result<(), Errno> {
    let st = fstatat(AT_FDCWD, &cstring(path), AT_SYMLINK_NOFOLLOW)?;
    if !st.is_dir() {
        if opts.long {
            long_line(AT_FDCWD, path, &st);
        } else {
            println!("{}", text(path));
        }
        return Ok(());
    }
    let fd = io::openat(
        AT_FDCWD,
        &cstring(path),
        O_RDONLY | O_DIRECTORY | O_CLOEXEC,
        0,
    )? as i32;
    let names = read_dir(fd, opts.all);
    if let Ok(names) = &names {
        if opts.long {
            for name in names {
                match fstatat(fd, &cstring(name), AT_SYMLINK_NOFOLLOW) {
                    Ok(st) => long_line(fd, name, &st),
                    Err(e) => eprintln!("ls: {}: {}", text(name), e.text()),
                }
            }
        } else {
            columns(names);
        }
    }
    let _ = io::close(fd);
    names.map(|_| ())
}

#[no_mangle]
fn main() -> i32 {
    let mut opts = Options {
        long: false,
        all: false,
    };
    let mut paths: Vec<&[u8]> = Vec::new();
    for a in ulib::args().skip(1) {
        match a {
            [b'-', flags @ ..] if !flags.is_empty() => {
                for f in flags {
                    match f {
                        b'l' => opts.long = true,
                        b'a' => opts.all = true,
                        _ => {
                            eprintln!("ls: invalid option -- '{}'", *f as char);
                            eprintln!("Try 'ls --help' for more information.");
                            return 2;
                        }
                    }
                }
            }
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        paths.push(b".");
    }
    let mut status = 0;
    for (i, p) in paths.iter().enumerate() {
        if paths.len() > 1 {
            println!("{}{}:", if i > 0 { "\n" } else { "" }, text(p));
        }
        // coreutils: a name that cannot be found is "serious trouble", status 2.
        if let Err(e) = list(p, &opts) {
            eprintln!("ls: cannot access '{}': {}", text(p), e.text());
            status = 2;
        }
    }
    status
}
