//! Architecture code. Linnet has one architecture, AArch64; everything that touches its
//! system registers, exception vectors, descriptors or TLB lives under `arch/aarch64/`.
//! The data-only parts (descriptor formats, ESR decoding) also compile on the host so
//! they can be unit-tested.

pub mod aarch64;
