//! /proc/PID/maps (Linux `fs/proc/task_mmu.c`: `show_map`, `show_map_vma`); each line
//! is `vma::maps_line`.

use crate::mm::vma::{maps_line, VmArea};
use alloc::string::String;

/// /proc/PID/maps: one `maps_line` per VMA. Linux `show_map_vma` names a special
/// mapping by its `vm_special_mapping` name (`[vvar]`, `[vdso]`; `arch_vma_name` /
/// `special_mapping_name`), an anonymous VMA `[heap]` if it overlaps `[start_brk, brk]`
/// and `[stack]` if it holds `start_stack` (`vma_is_initial_stack`).
pub fn maps_text<'a>(
    vmas: impl Iterator<Item = &'a VmArea>,
    start_brk: usize,
    brk: usize,
    start_stack: usize,
) -> String {
    let mut s = String::new();
    for v in vmas {
        let name = if let Some(sm) = v.vm_special {
            sm.name
        } else if v.vm_start <= brk && v.vm_end >= start_brk {
            "[heap]"
        } else if v.vm_start <= start_stack && v.vm_end >= start_stack {
            "[stack]"
        } else {
            ""
        };
        s.push_str(&maps_line(v, name));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::vma::VmFlags;
    use alloc::vec::Vec;

    #[test]
    fn maps_names_heap_and_stack() {
        let rw = VmFlags::READ | VmFlags::WRITE;
        let vmas = [
            VmArea::new_anon(0x420000, 0x424000, rw), // bss, ends where the heap starts
            VmArea::new_anon(0x500000, 0x521000, rw), // the heap
            VmArea::new_anon(0x7000_0000, 0x7000_1000, rw),
            VmArea::new_anon(0xfffffffde000, 0x1000000000000, rw | VmFlags::GROWSDOWN),
        ];
        let text = maps_text(vmas.iter(), 0x500000, 0x520800, 0xffffffffe6f0);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(!lines[0].ends_with("[heap]"));
        assert!(lines[1].starts_with("00500000-00521000 rw-p 00000000 00:00 0 "));
        assert!(lines[1].ends_with(" [heap]"));
        assert_eq!(lines[2], "70000000-70001000 rw-p 00000000 00:00 0 ");
        assert!(lines[3].ends_with(" [stack]"));
        // Linux's rule also calls a VMA ending right at start_brk [heap] while brk ==
        // start_brk (an empty heap): the bss of a static binary, for instance.
        let empty_heap = maps_text(vmas[..1].iter(), 0x424000, 0x424000, 0);
        assert!(empty_heap.trim_end().ends_with("[heap]"));
    }

    #[test]
    fn maps_names_special_mappings() {
        use crate::mm::special_mapping::SpecialMapping;
        static VVAR: SpecialMapping = SpecialMapping::new("[vvar]");
        static VDSO: SpecialMapping = SpecialMapping::new("[vdso]");
        let r = VmFlags::READ | VmFlags::MAYREAD;
        let rx = r | VmFlags::EXEC | VmFlags::MAYEXEC | VmFlags::MAYWRITE;
        let vmas = [
            VmArea::new_special(0xfffff7ffd000, 0xfffff7ffe000, r, &VVAR),
            VmArea::new_special(0xfffff7ffe000, 0xfffff8000000, rx, &VDSO),
        ];
        // Even where the heap/stack rules would match, the special name wins.
        let text = maps_text(vmas.iter(), 0xfffff7ffd000, 0xfffff7ffd000, 0xfffff7fff000);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("fffff7ffd000-fffff7ffe000 r--p 00000000 00:00 0 "));
        assert!(lines[0].ends_with(" [vvar]"));
        assert!(lines[1].starts_with("fffff7ffe000-fffff8000000 r-xp 00000000 00:00 0 "));
        assert!(lines[1].ends_with(" [vdso]"));
    }
}
