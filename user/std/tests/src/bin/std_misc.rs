//! std_misc: time (sleep, Instant, SystemTime), HashMap (its random keys come from
//! getrandom), catch_unwind, args, and a large allocation.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tap::Tap;

fn main() {
    let mut t = Tap::new();

    // Time.
    let begin = Instant::now();
    thread::sleep(Duration::from_millis(100));
    let slept = begin.elapsed();
    t.ok(
        slept >= Duration::from_millis(100),
        "sleep(100 ms) sleeps at least 100 ms",
    );
    t.ok(
        slept < Duration::from_secs(5),
        "sleep(100 ms) returns in under 5 s",
    );
    let a = Instant::now();
    let b = Instant::now();
    t.ok(b >= a, "Instant is monotonic");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    t.ok(now > 1_577_836_800, "SystemTime::now is after 2020-01-01");
    t.ok(now < 4_102_444_800, "SystemTime::now is before 2100-01-01");
    let s1 = SystemTime::now();
    thread::sleep(Duration::from_millis(20));
    t.ok(
        s1.elapsed()
            .map(|d| d >= Duration::from_millis(20))
            .unwrap_or(false),
        "SystemTime advances across a sleep",
    );

    // HashMap and friends.
    let mut m = HashMap::new();
    for i in 0..10000u32 {
        m.insert(format!("key{i}"), i * 2);
    }
    t.eq(m.len(), 10000, "HashMap: 10000 inserts");
    t.eq(m.get("key1234").copied(), Some(2468), "HashMap: lookup");
    m.retain(|_, v| *v % 4 == 0);
    t.eq(m.len(), 5000, "HashMap: retain keeps half");
    let set: HashSet<u8> = b"hello world".iter().copied().collect();
    t.eq(set.len(), 8, "HashSet of the letters of 'hello world'");
    let words = "the quick brown fox jumps over the lazy dog the end";
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for w in words.split(' ') {
        *counts.entry(w).or_default() += 1;
    }
    t.eq(counts.get("the").copied(), Some(3), "BTreeMap word count");

    // catch_unwind: a panic is caught, the program goes on; a panicking thread's join.
    panic::set_hook(Box::new(|_| {}));
    let r = panic::catch_unwind(|| {
        let v: Vec<i32> = Vec::new();
        v[3]
    });
    t.ok(
        r.is_err(),
        "catch_unwind catches an index-out-of-bounds panic",
    );
    let n = std::hint::black_box(7);
    let r = panic::catch_unwind(|| panic!("with a message {n}"));
    let msg = r.err().and_then(|e| e.downcast_ref::<String>().cloned());
    t.eq(
        msg.as_deref(),
        Some("with a message 7"),
        "the panic payload carries the message",
    );
    t.eq(
        panic::catch_unwind(|| 5).ok(),
        Some(5),
        "catch_unwind of a closure that returns",
    );
    let j = thread::spawn(|| panic!("in a thread")).join();
    t.ok(j.is_err(), "a panicking thread: join gives Err");
    let _ = panic::take_hook();

    // Memory: a 64 MiB vector, touched.
    let mut big = vec![0u8; 64 << 20];
    for i in (0..big.len()).step_by(4096) {
        big[i] = (i >> 12) as u8;
    }
    t.eq(
        big[4096 * 300],
        300u32 as u8,
        "a 64 MiB Vec, every page touched",
    );
    drop(big);

    let args: Vec<String> = std::env::args().collect();
    t.ok(!args.is_empty(), "env::args has argv[0]");
    t.ok(
        std::env::var("PATH").is_ok() || std::env::vars().count() < 1000,
        "env::vars is readable",
    );

    std::process::exit(t.done());
}
