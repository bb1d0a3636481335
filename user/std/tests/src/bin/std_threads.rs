//! std_threads: threads, the std::sync types and channels (Rust std on musl: clone,
//! futex WAIT/WAKE with timeouts, private futexes, FUTEX_REQUEUE via Condvar).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};
use tap::Tap;

fn main() {
    let mut t = Tap::new();

    // Threads: spawn, join with a result, names, a panicking thread's join error.
    let h = thread::Builder::new().name("worker".into()).spawn(|| {
        (
            thread::current().name().map(String::from),
            (1..=100u32).sum::<u32>(),
        )
    });
    let r = h.map(|h| h.join().unwrap());
    t.eq(
        r.ok(),
        Some((Some("worker".to_string()), 5050)),
        "a thread runs and join returns its value",
    );
    let handles: Vec<_> = (0..8).map(|i| thread::spawn(move || i * 2)).collect();
    let sum: i32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    t.eq(sum, 56, "8 threads joined");
    t.ok(
        thread::available_parallelism()
            .map(|n| n.get() >= 1)
            .unwrap_or(false),
        "available_parallelism >= 1",
    );
    let tid_main = thread::current().id();
    let other = thread::spawn(move || thread::current().id() != tid_main)
        .join()
        .unwrap();
    t.ok(other, "each thread has its own ThreadId");
    let v = vec![1, 2, 3];
    let sc = thread::scope(|s| {
        let v = &v;
        let a = s.spawn(move || v.iter().sum::<i32>());
        let b = s.spawn(move || v.len());
        (a.join().unwrap(), b.join().unwrap())
    });
    t.eq(sc, (6, 3), "scoped threads borrow the caller's data");

    // Mutex: 4 threads x 10000 increments.
    let m = Arc::new(Mutex::new(0u64));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            thread::spawn(move || {
                for _ in 0..10000 {
                    *m.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    t.eq(
        *m.lock().unwrap(),
        40000,
        "Mutex: 4 threads x 10000 increments",
    );
    t.ok(m.try_lock().is_ok(), "Mutex::try_lock on a free mutex");

    // Condvar: a notified waiter, and wait_timeout that times out.
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p2 = pair.clone();
    let waker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        *p2.0.lock().unwrap() = true;
        p2.1.notify_one();
    });
    let (lock, cv) = &*pair;
    let mut ready = lock.lock().unwrap();
    while !*ready {
        ready = cv.wait(ready).unwrap();
    }
    t.ok(*ready, "Condvar: wait returns after notify_one");
    drop(ready);
    waker.join().unwrap();
    let begin = Instant::now();
    let guard = lock.lock().unwrap();
    let (_g, res) = cv.wait_timeout(guard, Duration::from_millis(100)).unwrap();
    let waited = begin.elapsed();
    t.ok(
        res.timed_out(),
        "Condvar::wait_timeout times out without a notify",
    );
    t.ok(
        waited >= Duration::from_millis(100) && waited < Duration::from_secs(5),
        "wait_timeout waits about 100 ms",
    );
    drop(_g);
    let pair = Arc::new((Mutex::new(0u32), Condvar::new()));
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let p = pair.clone();
            thread::spawn(move || {
                let mut g = p.0.lock().unwrap();
                while *g == 0 {
                    g = p.1.wait(g).unwrap();
                }
                *g += 1;
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(20));
    *pair.0.lock().unwrap() = 1;
    pair.1.notify_all();
    hs.into_iter().for_each(|h| h.join().unwrap());
    t.eq(
        *pair.0.lock().unwrap(),
        4,
        "Condvar::notify_all wakes 3 waiters",
    );

    // Barrier: 5 threads, exactly one leader per generation, twice.
    let barrier = Arc::new(Barrier::new(5));
    let leaders = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..5)
        .map(|_| {
            let (b, l) = (barrier.clone(), leaders.clone());
            thread::spawn(move || {
                for _ in 0..2 {
                    if b.wait().is_leader() {
                        l.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    t.eq(
        leaders.load(Ordering::SeqCst),
        2,
        "Barrier: 5 threads pass twice, one leader each time",
    );

    // RwLock: many readers at once, a writer alone.
    let rw = Arc::new(RwLock::new(vec![1, 2, 3]));
    {
        let r1 = rw.read().unwrap();
        let r2 = rw.read().unwrap();
        t.eq(r1.len() + r2.len(), 6, "RwLock: two read guards at once");
        t.ok(
            rw.try_write().is_err(),
            "RwLock: try_write fails while read-locked",
        );
    }
    let hs: Vec<_> = (0..4)
        .map(|i| {
            let rw = rw.clone();
            thread::spawn(move || rw.write().unwrap().push(i))
        })
        .collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    t.eq(
        rw.read().unwrap().len(),
        7,
        "RwLock: 4 writers each pushed once",
    );

    // Channels: mpsc with several producers, sync_channel rendezvous, recv_timeout.
    let (tx, rx) = mpsc::channel();
    for i in 0..4 {
        let tx = tx.clone();
        thread::spawn(move || {
            for j in 0..100 {
                tx.send(i * 1000 + j).unwrap();
            }
        });
    }
    drop(tx);
    let got: Vec<i32> = rx.iter().collect();
    t.eq(
        got.len(),
        400,
        "mpsc::channel: 4 producers x 100 messages all arrive",
    );
    let (stx, srx) = mpsc::sync_channel::<String>(0);
    let h = thread::spawn(move || stx.send("rendezvous".into()).is_ok());
    t.eq(
        srx.recv().ok(),
        Some("rendezvous".to_string()),
        "sync_channel(0): a rendezvous",
    );
    t.ok(h.join().unwrap(), "the sender returns after the rendezvous");
    let (_tx, rx) = mpsc::channel::<u8>();
    let begin = Instant::now();
    let r = rx.recv_timeout(Duration::from_millis(50));
    t.ok(
        r == Err(mpsc::RecvTimeoutError::Timeout) && begin.elapsed() >= Duration::from_millis(50),
        "recv_timeout on an empty channel times out after 50 ms",
    );
    let (tx, rx) = mpsc::channel::<u8>();
    drop(tx);
    t.ok(
        rx.recv().is_err(),
        "recv on a channel with no senders fails",
    );

    std::process::exit(t.done());
}
