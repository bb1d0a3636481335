//! System limits user space may rely on (Linux `include/uapi/linux/limits.h`).

/// The longest path, with its NUL (Linux `PATH_MAX`): a path of this many bytes or more
/// is `ENAMETOOLONG`.
pub const PATH_MAX: usize = 4096;
/// Most supplementary groups (Linux `NGROUPS_MAX`).
pub const NGROUPS_MAX: usize = 65536;
