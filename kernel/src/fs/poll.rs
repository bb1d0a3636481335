//! Poll event bits and the pure rules of poll and select (Linux
//! `include/uapi/asm-generic/poll.h`, `fs/select.c` `do_pollfd` and the `POLL*_SET`
//! masks, `fs/pipe.c` `pipe_poll`), kept apart so the host tests can check them. The
//! waiting itself is `select.rs`.

pub use uapi::poll::{
    POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND,
    POLLWRNORM,
};

/// What a file without a `poll` method reports: always ready both ways (Linux
/// `DEFAULT_POLLMASK`): regular files, directories, /dev/null, /dev/zero, /proc files.
pub const DEFAULT_POLLMASK: u32 = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/// The events that make select report a descriptor readable (Linux `POLLIN_SET`).
pub const POLLIN_SET: u32 = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
/// ... writable (Linux `POLLOUT_SET`).
pub const POLLOUT_SET: u32 = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
/// ... exceptional (Linux `POLLEX_SET`).
pub const POLLEX_SET: u32 = POLLPRI;

/// A pipe end's ready mask (Linux `pipe_poll`): the read end is readable when bytes are
/// buffered and hung up when no writer is left; the write end is writable when a page
/// of room is free (Linux: a free buffer slot) and in error when no reader is left.
pub fn pipe_poll_mask(
    read_end: bool,
    buffered: usize,
    capacity: usize,
    readers: usize,
    writers: usize,
) -> u32 {
    const PAGE: usize = 4096;
    let mut mask = 0;
    if read_end {
        if buffered > 0 {
            mask |= POLLIN | POLLRDNORM;
        }
        if writers == 0 {
            mask |= POLLHUP;
        }
    } else {
        if capacity - buffered >= PAGE {
            mask |= POLLOUT | POLLWRNORM;
        }
        if readers == 0 {
            mask |= POLLERR;
        }
    }
    mask
}

/// One `struct pollfd`'s `revents` (Linux `do_pollfd`): 0 for a negative fd, POLLNVAL
/// for one not open (`mask` None), else the file's mask filtered by the requested
/// events, POLLERR and POLLHUP being always reported.
pub fn pollfd_revents(fd: i32, events: u16, mask: Option<u32>) -> u16 {
    if fd < 0 {
        return 0;
    }
    match mask {
        None => POLLNVAL as u16,
        Some(m) => (m & (events as u32 | POLLERR | POLLHUP)) as u16,
    }
}

/// select's three answers for a file with ready mask `mask` that the caller asked
/// about in (`want`: read, write, except), as Linux `do_select` sets `res_in`,
/// `res_out`, `res_ex`.
pub fn select_bits(mask: u32, want: [bool; 3]) -> [bool; 3] {
    [
        want[0] && mask & POLLIN_SET != 0,
        want[1] && mask & POLLOUT_SET != 0,
        want[2] && mask & POLLEX_SET != 0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_ends() {
        let cap = 65536;
        assert_eq!(pipe_poll_mask(true, 0, cap, 1, 1), 0);
        assert_eq!(pipe_poll_mask(true, 3, cap, 1, 1), POLLIN | POLLRDNORM);
        assert_eq!(pipe_poll_mask(true, 0, cap, 1, 0), POLLHUP);
        assert_eq!(
            pipe_poll_mask(true, 3, cap, 1, 0),
            POLLIN | POLLRDNORM | POLLHUP
        );
        assert_eq!(pipe_poll_mask(false, 0, cap, 1, 1), POLLOUT | POLLWRNORM);
        assert_eq!(pipe_poll_mask(false, cap, cap, 1, 1), 0);
        assert_eq!(pipe_poll_mask(false, cap - 4095, cap, 1, 1), 0);
        assert_eq!(
            pipe_poll_mask(false, cap - 4096, cap, 1, 1),
            POLLOUT | POLLWRNORM
        );
        assert_eq!(pipe_poll_mask(false, cap, cap, 0, 1), POLLERR);
    }

    #[test]
    fn revents_filter_and_nval() {
        assert_eq!(pollfd_revents(-1, POLLIN as u16, None), 0);
        assert_eq!(pollfd_revents(5, POLLIN as u16, None), POLLNVAL as u16);
        // Asked for POLLOUT only: POLLIN is filtered out, POLLHUP always passes.
        assert_eq!(
            pollfd_revents(3, POLLOUT as u16, Some(POLLIN | POLLHUP)),
            POLLHUP as u16
        );
        assert_eq!(pollfd_revents(3, 0, Some(DEFAULT_POLLMASK)), 0);
        assert_eq!(
            pollfd_revents(3, (POLLIN | POLLOUT) as u16, Some(DEFAULT_POLLMASK)),
            (POLLIN | POLLOUT) as u16
        );
    }

    #[test]
    fn select_sets() {
        // A hung-up pipe reads as readable (EOF); an error end is readable and writable.
        assert_eq!(
            select_bits(POLLHUP, [true, true, true]),
            [true, false, false]
        );
        assert_eq!(
            select_bits(POLLERR, [true, true, false]),
            [true, true, false]
        );
        assert_eq!(
            select_bits(DEFAULT_POLLMASK, [false, true, true]),
            [false, true, false]
        );
        assert_eq!(
            select_bits(POLLPRI, [false, false, true]),
            [false, false, true]
        );
    }
}
