//! /bin/rustdemo: an ordinary Rust program using `std`, nothing Linnet-specific. Built
//! for aarch64-unknown-linux-musl (user/std/.cargo/config.toml); it runs the same on
//! Linux, under qemu-aarch64 and on Linnet.
//!
//! Four worker threads sum slices of 1..=1000 and send their sums over a channel; the
//! total goes into a file, which is read back; then a child process (`Command`) runs.

use std::collections::HashMap;
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let start = Instant::now();
    let (tx, rx) = mpsc::channel();
    let workers: Vec<_> = (0..4u64)
        .map(|i| {
            let tx = tx.clone();
            thread::spawn(move || {
                let sum: u64 = (i * 250 + 1..=(i + 1) * 250).sum();
                tx.send((i, sum)).unwrap();
            })
        })
        .collect();
    drop(tx);
    let sums: HashMap<u64, u64> = rx.iter().collect();
    for w in workers {
        w.join().unwrap();
    }
    let total: u64 = sums.values().sum();
    for i in 0..4 {
        println!("thread {i}: sum of its 250 numbers = {}", sums[&i]);
    }

    let path = std::env::temp_dir().join("rustdemo.txt");
    std::fs::write(&path, format!("total = {total}\n"))?;
    print!(
        "{} says: {}",
        path.display(),
        std::fs::read_to_string(&path)?
    );
    std::fs::remove_file(&path)?;

    let out = std::process::Command::new("echo")
        .arg("hello from a child process")
        .output()?;
    print!(
        "child ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    println!("done in {} ms", start.elapsed().as_millis());
    Ok(())
}
