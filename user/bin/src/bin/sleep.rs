//! sleep SECONDS: do nothing for that long (a fraction like 0.5 works), with nanosleep(2).
//! Handy as a background job: `sleep 2 &`, then `ps` shows it sleeping (S).

#![no_std]
#![no_main]

use binlib::parse_int;
use ulib::{eprintln, nanosleep, Timespec};

#[no_mangle]
fn main() -> i32 {
    let Some(arg) = ulib::args().nth(1) else {
        eprintln!("usage: sleep SECONDS");
        return 1;
    };
    // "1.25" -> 1 s and 250 ms.
    let mut parts = arg.splitn(2, |&b| b == b'.');
    let secs = parts
        .next()
        .and_then(|s| if s.is_empty() { Some(0) } else { parse_int(s) });
    let frac = parts.next().filter(|f| !f.is_empty()).map_or(Some(0), |f| {
        let digits = &f[..f.len().min(9)];
        parse_int(digits).map(|n| n * 10i64.pow(9 - digits.len() as u32))
    });
    let (Some(secs), Some(nsec)) = (secs, frac) else {
        eprintln!("sleep: invalid time '{}'", binlib::text(arg));
        return 1;
    };
    let req = Timespec {
        tv_sec: secs,
        tv_nsec: nsec,
    };
    match nanosleep(&req, None) {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("sleep: {}", e);
            1
        }
    }
}
