//! maps [PID]: print a process's memory map, /proc/PID/maps (default: maps itself).
//!
//! One line per VMA (Linux `struct vm_area_struct`; Linnet `VmArea` in
//! `kernel/src/mm/vma.rs`): start-end, permissions (r/w/x and p private / s shared),
//! file offset, device, inode, and the file or a name such as [heap] or [stack].

#![no_std]
#![no_main]

extern crate alloc;

use binlib::{parse_int, read_file, text};
use ulib::eprintln;
use ulib::io::write_all;

#[no_mangle]
fn main() -> i32 {
    let pid = ulib::args().nth(1).unwrap_or(b"self");
    if pid != b"self" && parse_int(pid).is_none() {
        eprintln!("usage: maps [PID]");
        return 2;
    }
    let path = alloc::format!("/proc/{}/maps", text(pid));
    match read_file(path.as_bytes()) {
        Ok(data) => write_all(1, &data).map_or(1, |_| 0),
        Err(e) => {
            eprintln!("maps: {}: {}", path, e.text());
            1
        }
    }
}
