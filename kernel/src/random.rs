//! Randomness for address-space layout and AT_RANDOM (Linux `drivers/char/random.c`,
//! `get_random_bytes` / `get_random_long`), much reduced: a SplitMix64 generator whose
//! state is stirred with the free-running counter every time it is used. Good enough to
//! make two execs differ; not cryptographic, and QEMU's counter is predictable.

use core::sync::atomic::{AtomicU64, Ordering};

static STATE: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);

/// Mix the current counter value into the state (Linux `add_device_randomness`). Host
/// unit tests have no counter: there the generator just steps.
pub fn stir(extra: u64) {
    #[cfg(target_os = "none")]
    let c = crate::drivers::timer::counter();
    #[cfg(not(target_os = "none"))]
    let c = 0u64;
    STATE.fetch_xor(c.rotate_left(17) ^ extra, Ordering::Relaxed);
}

/// 64 random bits (Linux `get_random_long`).
pub fn get_random_u64() -> u64 {
    stir(0);
    let mut z = STATE
        .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Fill `buf` with random bytes (Linux `get_random_bytes`).
pub fn get_random_bytes(buf: &mut [u8]) {
    for chunk in buf.chunks_mut(8) {
        let r = get_random_u64().to_le_bytes();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
}
