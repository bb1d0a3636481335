//! File systems: the initramfs (`cpio`), the in-memory tree it unpacks into (`ramfs`),
//! and path lookup (`namei`).

pub mod cpio;
pub mod namei;
pub mod ramfs;
