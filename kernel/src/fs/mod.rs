//! File systems: the initramfs archive (`cpio`, with `gzip`), the in-memory tree it is
//! unpacked into (`ramfs`), the unpacking (`initramfs`), path lookup on that tree
//! (`namei`), and, in the kernel build, open files and descriptor tables (`file`), the
//! file operations the syscalls call (`vfs`), pipes (`pipe`), the console terminal
//! (`tty`) and the generated files of /proc (`proc`).
//!
//! `kernel/src/fs/` (module `fs`). How the pieces call each other: at boot,
//! `vfs::mount_root` has `initramfs::unpack_to_rootfs` (initramfs.rs) ask `cpio` for the
//! members of the initramfs image, gunzipping on the way, and make each file, directory,
//! symlink and device node in a `RamFs`, as Linux `init/initramfs.c` does. The layers
//! point one way: `initramfs` uses `cpio` and `ramfs`; `cpio` knows no files, `ramfs`
//! no archives. Afterwards the syscalls find files with `namei::lookup` /
//! `namei::lookup_parent` (namei.rs, Linux `fs/namei.c`), which step through the tree
//! one name at a time with `RamFs::lookup_child`, and `vfs` reads, writes, lists or
//! `stat`s what they found.
//!
//! `cpio`, `gzip`, `ramfs`, `initramfs` and `namei` are plain Rust with no hardware in
//! them, so they are tested on the host (`cargo test -p linnet`). Read first: `cpio.rs`,
//! then `ramfs.rs`, then `namei.rs`, then `initramfs.rs`, then `vfs.rs`.

pub mod cpio;
pub mod gzip;
pub mod initramfs;
pub mod iov;
pub mod locks;
pub mod mode;
pub mod n_tty;
pub mod namei;
pub mod poll;
pub mod proc;
pub mod ramfs;

#[cfg(target_os = "none")]
pub mod devices;
#[cfg(target_os = "none")]
pub mod file;
#[cfg(target_os = "none")]
pub mod pipe;
#[cfg(target_os = "none")]
pub mod select;
#[cfg(target_os = "none")]
pub mod tty;
#[cfg(target_os = "none")]
pub mod tty_jobctrl;
#[cfg(target_os = "none")]
pub mod vfs;
