//! Permission-bit rules that several calls share (Linux `fs/namei.c`
//! `vfs_prepare_mode` / `mode_strip_umask`, `generic_permission`).
//!
//! Linnet runs every process as root, so the access rule is root's: with
//! CAP_DAC_OVERRIDE reading and writing are always allowed, and executing needs an x bit
//! somewhere unless the file is a directory (Linux `generic_permission` then
//! `capable_wrt_inode_uidgid`).

/// The permission bits a new file gets: what the caller asked for, within `allowed`
/// (S_IALLUGO for open and mknod, 0o1777 for mkdir), less the umask.
pub fn create_mode(requested: u32, allowed: u32, umask: u32) -> u32 {
    requested & allowed & !umask
}

/// The bits of a new regular file or node (`open(O_CREAT)`, `mknodat`).
pub const S_IALLUGO: u32 = 0o7777;
/// The bits `mkdir` keeps: permissions and the sticky bit (Linux `S_IRWXUGO|S_ISVTX`).
pub const MKDIR_BITS: u32 = 0o1777;

/// access(2)'s X_OK.
pub const MAY_EXEC: u32 = 1;

/// May root access a file of mode `st_mode` for `mask` (R_OK 4, W_OK 2, X_OK 1)?
pub fn root_may_access(st_mode: u32, mask: u32) -> bool {
    let is_dir = st_mode & 0o170000 == 0o040000;
    mask & MAY_EXEC == 0 || is_dir || st_mode & 0o111 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umask_and_root_access() {
        assert_eq!(create_mode(0o666, S_IALLUGO, 0o022), 0o644);
        assert_eq!(create_mode(0o4777, S_IALLUGO, 0o027), 0o4750);
        assert_eq!(create_mode(0o7777, MKDIR_BITS, 0o022), 0o1755); // setgid/setuid dropped
        assert_eq!(create_mode(0o777, MKDIR_BITS, 0), 0o777);
        assert!(root_may_access(0o100000, 4 | 2)); // even mode 0 may be read and written
        assert!(!root_may_access(0o100644, 1));
        assert!(root_may_access(0o100001, 1)); // any x bit will do
        assert!(root_may_access(0o040000, 1)); // directories can always be searched
    }
}
