//! Host tests of the `newc` reader (`cpio.rs`): every kind of member, truncations and
//! corruptions at every byte, concatenated archives, images that mix plain archives,
//! padding and gzip, and agreement with `qemu/mkinitramfs.py`.

use super::test_archive::{gzip, sample, Builder, Meta};
use super::*;
use crate::fs::gzip::{is_gzip, FNAME};
use alloc::string::String;

#[test]
fn parses_every_kind() {
    let a = sample();
    let v = parse(&a).unwrap();
    let names: Vec<&str> = v
        .iter()
        .map(|e| core::str::from_utf8(e.name).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "",
            "bin",
            "bin/hello",
            "etc/motd",
            "init",
            "dev/console",
            "empty"
        ]
    );
    assert_eq!(v[0].mode, 0o040755);
    assert_eq!(v[2].mode, 0o100755);
    assert_eq!(v[2].data, b"hello, world\n");
    assert_eq!(v[3].data, b"abc");
    assert_eq!(v[4].mode, 0o120777);
    assert_eq!(v[4].data, b"/bin/hello");
    assert_eq!(
        (v[5].mode, v[5].rdev_major, v[5].rdev_minor),
        (0o020600, 5, 1)
    );
    assert_eq!(v[6].data, b"");
    assert_eq!(v[1].nlink, 2);
    assert_eq!(v[2].ino, 3);
}

#[test]
fn crc_variant_and_empty_streams() {
    let mut a = sample();
    a[5] = b'2'; // 070702: the checksum is ignored
    assert_eq!(parse(&a).unwrap().len(), 7);
    assert_eq!(parse(&[]).unwrap(), []);
    assert_eq!(parse(&[0; 1024]).unwrap(), []);
}

#[test]
fn every_truncation_fails_cleanly() {
    let a = sample();
    let full = parse(&a).unwrap().len();
    let trailer_at = a.len() - 124; // 110 + "TRAILER!!!\0" padded to 124
    for len in 0..a.len() {
        match parse(&a[..len]) {
            Ok(v) => assert!(
                len == 0 || len > trailer_at,
                "len {len} parsed {} entries",
                v.len()
            ),
            // The offset is where the missing piece should start (at most the padding
            // after the name past the cut).
            Err(e) => assert!(e.offset <= len + 3, "len {len}: {e}"),
        }
        let n = parse(&a[..len]).map(|v| v.len()).unwrap_or(0);
        assert!(n < full || len > trailer_at);
    }
}

#[test]
fn corrupted_headers_say_where() {
    let a = sample();
    let mut bad = a.clone();
    bad[6 + 8 + 3] = b'g'; // inside the first member's mode field
    let e = parse(&bad).unwrap_err();
    assert_eq!((e.offset, e.msg), (6 + 8, "non-hex digit in cpio header"));
    let mut bad = a.clone();
    bad[0] = b'1';
    assert_eq!(parse(&bad).unwrap_err().msg, "bad cpio magic (want 070701)");
    let mut bad = a.clone();
    bad[..6].copy_from_slice(b"070707");
    assert!(parse(&bad).unwrap_err().msg.contains("-H newc"));
    // The second member: corrupt its magic; the offset names it.
    let second = a.windows(6).skip(1).position(|w| w == b"070701").unwrap() + 1;
    let mut bad = a.clone();
    bad[second + 2] = b'X';
    assert_eq!(parse(&bad).unwrap_err().offset, second);
    // A format's own words in the printed form.
    let text = alloc::format!("{}", parse(&bad).unwrap_err());
    assert!(text.contains("bad cpio magic") && text.contains(&alloc::format!("byte {second}")));
}

/// Sets header field `i` (0 = ino ... 12 = check) of the member at `at`.
fn set_field(a: &mut [u8], at: usize, i: usize, v: u32) {
    a[at + 6 + 8 * i..at + 14 + 8 * i].copy_from_slice(alloc::format!("{v:08X}").as_bytes());
}

#[test]
fn absurd_sizes_and_bad_names() {
    let a = Builder::default().file("f", 0o644, b"data").finish();
    let cases: [(usize, u32, &str); 4] = [
        (6, 0xffff_ffff, "file data runs past the end of the archive"),
        (11, 0xffff_ffff, "name longer than PATH_MAX"),
        (11, 0, "empty name (namesize 0)"),
        (11, 1, "name not terminated by NUL"),
    ];
    for (field, v, msg) in cases {
        let mut bad = a.clone();
        set_field(&mut bad, 0, field, v);
        assert_eq!(parse(&bad).unwrap_err().msg, msg, "field {field} = {v:#x}");
    }
    let mut bad = a.clone();
    set_field(&mut bad, 0, 11, 4000); // fits PATH_MAX, but not the archive
    assert_eq!(parse(&bad).unwrap_err().msg, "truncated name");
    let mut bad = a.clone();
    bad[110] = 0xff; // the name "f" becomes a byte that is not UTF-8: still a name
    assert_eq!(parse(&bad).unwrap()[0].name, b"\xff");
    let no_trailer = &a[..a.len() - 124];
    assert_eq!(
        parse(no_trailer).unwrap_err().msg,
        "archive ends without TRAILER!!!"
    );
    let b = Builder::default()
        .raw(
            "a\0b",
            Meta {
                mode: 0o100644,
                ..Meta::default()
            },
            b"",
        )
        .finish();
    assert_eq!(parse(&b).unwrap_err().msg, "NUL inside name");
}

#[test]
fn concatenated_archives_with_padding() {
    let mut a = Builder::default().dir("a", 0o755).finish();
    a.extend_from_slice(&[0; 512]);
    a.extend_from_slice(&Builder::default().file("a/b", 0o644, b"x").finish());
    a.extend_from_slice(&Builder::default().file("c", 0o644, b"y").finish());
    let names: Vec<&[u8]> = parse(&a).unwrap().iter().map(|e| e.name).collect();
    assert_eq!(names, [&b"a"[..], b"a/b", b"c"]);
    // Padding that leaves the next header off a 4-byte boundary is refused.
    let mut b = Builder::default().dir("a", 0o755).finish();
    b.push(0);
    b.extend_from_slice(&Builder::default().dir("b", 0o755).finish());
    assert_eq!(parse(&b).unwrap_err().msg, "broken padding");
    // Junk after a trailer is a bad magic.
    let mut c = Builder::default().dir("a", 0o755).finish();
    c.extend_from_slice(&[b'j'; 200]);
    assert_eq!(parse(&c).unwrap_err().msg, "bad cpio magic (want 070701)");
}

fn names_in(image: &[u8]) -> Result<Vec<String>, CpioError> {
    let mut names = Vec::new();
    for_each_entry(image, |e| {
        names.push(String::from_utf8(e.name.to_vec()).unwrap())
    })?;
    Ok(names)
}

#[test]
fn images_mix_plain_archives_padding_and_gzip() {
    let mut image = Builder::default().dir("a", 0o755).finish();
    image.extend_from_slice(&[0; 8]);
    let inner = [
        Builder::default().file("b", 0o644, b"1").finish(),
        Builder::default().file("c", 0o644, b"2").finish(),
    ]
    .concat();
    image.extend_from_slice(&gzip(&inner, 0));
    image.extend_from_slice(&[0; 3]);
    image.extend_from_slice(&gzip(&Builder::default().dir("d", 0o700).finish(), FNAME));
    // An uncompressed archive must start at a 4-byte boundary of the image.
    image.resize(image.len() + 5 + (4 - (image.len() + 5) % 4) % 4, 0);
    image.extend_from_slice(&Builder::default().dir("e", 0o700).finish());
    assert_eq!(names_in(&image).unwrap(), ["a", "b", "c", "d", "e"]);
    // A bad archive inside a gzip member names the member.
    let bad_inner = &inner[..inner.len() - 4];
    let mut bad = Builder::default().dir("a", 0o755).finish();
    let member_at = bad.len();
    bad.extend_from_slice(&gzip(bad_inner, 0));
    let e = names_in(&bad).unwrap_err();
    assert_eq!(e.gzip_member, Some(member_at));
    assert_eq!(
        names_in(b"\0\0\0\0xyz").unwrap_err().msg,
        "invalid magic at start of compressed archive"
    );
    for len in 0..image.len() {
        let _ = names_in(&image[..len]); // never panics
    }
}

/// The archive qemu/mkinitramfs.py writes is the one this module reads.
#[test]
fn agrees_with_mkinitramfs_py() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(alloc::format!("linnet-cpio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let host = dir.join("hello");
    std::fs::write(&host, b"hello from the host\n").unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../qemu/mkinitramfs.py");
    for gz in [false, true] {
        let out = dir.join(if gz { "i.cpio.gz" } else { "i.cpio" });
        let mut cmd = Command::new("python3");
        cmd.arg(script);
        if gz {
            cmd.arg("--gzip");
        }
        cmd.arg(&out).args([
            "dir:/bin:755",
            &alloc::format!("file:/bin/hello:755:{}", host.display()),
            "symlink:/init:/bin/hello",
            "chardev:/dev/console:600:5:1",
            "dir:/dev:755",
        ]);
        let status = match cmd.status() {
            Ok(s) => s,
            Err(_) => {
                std::eprintln!("python3 not found: skipping agrees_with_mkinitramfs_py");
                return;
            }
        };
        assert!(status.success());
        let image = std::fs::read(&out).unwrap();
        assert_eq!(is_gzip(&image), gz);
        let mut got = Vec::new();
        for_each_entry(&image, |e| {
            got.push((
                String::from_utf8(e.name.to_vec()).unwrap(),
                e.mode,
                e.data.to_vec(),
                e.rdev_major,
                e.rdev_minor,
            ))
        })
        .unwrap();
        let want = [
            ("bin", 0o040755, &b""[..], 0, 0),
            ("bin/hello", 0o100755, b"hello from the host\n", 0, 0),
            ("dev", 0o040755, b"", 0, 0),
            ("dev/console", 0o020600, b"", 5, 1),
            ("init", 0o120777, b"/bin/hello", 0, 0),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|&(n, m, d, a, b)| (String::from(n), m, d.to_vec(), a, b))
            .collect();
        assert_eq!(got, want);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
