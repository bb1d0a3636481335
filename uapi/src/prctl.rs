//! prctl(2) options (Linux `include/uapi/linux/prctl.h`).

/// Set the parent-death signal.
pub const PR_SET_PDEATHSIG: u64 = 1;
/// Read the parent-death signal into an int.
pub const PR_GET_PDEATHSIG: u64 = 2;
/// Return the dumpable flag.
pub const PR_GET_DUMPABLE: u64 = 3;
/// Set the dumpable flag (0 or 1).
pub const PR_SET_DUMPABLE: u64 = 4;
/// Set the name (comm) from a string.
pub const PR_SET_NAME: u64 = 15;
/// Copy the name out, 16 bytes with NUL.
pub const PR_GET_NAME: u64 = 16;
/// Adopt orphaned descendants.
pub const PR_SET_CHILD_SUBREAPER: u64 = 36;
/// Read the subreaper flag into an int.
pub const PR_GET_CHILD_SUBREAPER: u64 = 37;
