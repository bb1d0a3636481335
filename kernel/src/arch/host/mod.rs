//! The "architecture" of host unit tests (the build `cargo test -p linnet` makes): what
//! the generic mm code asks of the MMU, for a machine that has none. It lets
//! `mm/mm_struct.rs`, `mm/fault.rs` and `mm/access_remote.rs` run on the host over the
//! fake frames of `mm/page_alloc_host.rs` (see that file for why the seam is chosen by
//! `cfg`).

pub mod mmu;
