//! The system: uname, sysinfo, reboot, and "are we on Linnet?".
//!
//! Linnet reports itself as Linux (sysname "Linux", machine "aarch64") with a release like
//! "6.1.0-linnet", so programs that check for Linux keep working; `is_linnet` looks for
//! that suffix for the few tests that only make sense on Linnet (e.g. exact free-frame
//! accounting, which Linux's page cache makes meaningless).

use crate::errno::{check, SysResult};
use crate::syscall::{nr, syscall1, syscall4};

/// struct utsname: six NUL-terminated fields of 65 bytes each.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Utsname {
    sysname: [u8; 65],
    nodename: [u8; 65],
    release: [u8; 65],
    version: [u8; 65],
    machine: [u8; 65],
    domainname: [u8; 65],
}

// The kernel writes exactly this many bytes (Linux include/uapi/linux/utsname.h).
const _: () = assert!(core::mem::size_of::<Utsname>() == 6 * 65);

/// One field up to its NUL, as text ("?" if it is not UTF-8).
fn field(f: &[u8; 65]) -> &str {
    let len = f.iter().position(|&b| b == 0).unwrap_or(f.len());
    core::str::from_utf8(&f[..len]).unwrap_or("?")
}

impl Utsname {
    /// The kernel's name: "Linux".
    pub fn sysname(&self) -> &str {
        field(&self.sysname)
    }
    /// The host name.
    pub fn nodename(&self) -> &str {
        field(&self.nodename)
    }
    /// The kernel release, e.g. "6.1.0-linnet".
    pub fn release(&self) -> &str {
        field(&self.release)
    }
    /// The kernel version string, e.g. "#1 SMP ...".
    pub fn version(&self) -> &str {
        field(&self.version)
    }
    /// The machine: "aarch64".
    pub fn machine(&self) -> &str {
        field(&self.machine)
    }
    /// The NIS domain name.
    pub fn domainname(&self) -> &str {
        field(&self.domainname)
    }
}

/// uname(2).
pub fn uname() -> SysResult<Utsname> {
    let mut u = Utsname {
        sysname: [0; 65],
        nodename: [0; 65],
        release: [0; 65],
        version: [0; 65],
        machine: [0; 65],
        domainname: [0; 65],
    };
    // SAFETY: the kernel writes one struct utsname into u, which we own.
    check(unsafe { syscall1(nr::__NR_uname, &mut u as *mut Utsname as usize) })?;
    Ok(u)
}

/// struct sysinfo (64-bit layout; memory sizes are in units of `mem_unit` bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Sysinfo {
    /// Seconds since boot.
    pub uptime: i64,
    /// 1, 5 and 15 minute load averages, scaled by 65536.
    pub loads: [u64; 3],
    /// Usable main memory.
    pub totalram: u64,
    /// Free main memory.
    pub freeram: u64,
    /// Shared memory.
    pub sharedram: u64,
    /// Memory used by buffers.
    pub bufferram: u64,
    /// Total swap.
    pub totalswap: u64,
    /// Free swap.
    pub freeswap: u64,
    /// Number of tasks.
    pub procs: u16,
    pad: u16,
    /// High memory (0 on 64-bit).
    pub totalhigh: u64,
    /// Free high memory.
    pub freehigh: u64,
    /// Size of the memory unit in bytes.
    pub mem_unit: u32,
}

// Linux include/uapi/linux/sysinfo.h on a 64-bit kernel: 112 bytes.
const _: () = assert!(core::mem::size_of::<Sysinfo>() == 112);

impl Sysinfo {
    /// Free RAM in bytes.
    pub fn free_bytes(&self) -> u64 {
        self.freeram * self.mem_unit.max(1) as u64
    }
    /// Total RAM in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.totalram * self.mem_unit.max(1) as u64
    }
}

/// sysinfo(2).
pub fn sysinfo() -> SysResult<Sysinfo> {
    let mut s = Sysinfo::default();
    // SAFETY: the kernel writes one struct sysinfo (112 bytes) into s, which we own.
    check(unsafe { syscall1(nr::__NR_sysinfo, &mut s as *mut Sysinfo as usize) })?;
    Ok(s)
}

/// LINUX_REBOOT_CMD_POWER_OFF.
pub const REBOOT_POWER_OFF: u32 = uapi::reboot::LINUX_REBOOT_CMD_POWER_OFF;
/// LINUX_REBOOT_CMD_RESTART.
pub const REBOOT_RESTART: u32 = uapi::reboot::LINUX_REBOOT_CMD_RESTART;

/// reboot(2) with Linux's two magic numbers; `cmd` is e.g. [`REBOOT_POWER_OFF`].
pub fn reboot(cmd: u32) -> SysResult {
    const MAGIC1: usize = uapi::reboot::LINUX_REBOOT_MAGIC1 as usize;
    const MAGIC2: usize = uapi::reboot::LINUX_REBOOT_MAGIC2 as usize;
    // SAFETY: touches no memory of ours (on success nothing runs afterwards).
    check(unsafe { syscall4(nr::__NR_reboot, MAGIC1, MAGIC2, cmd as usize, 0) })
}

/// True when the kernel is Linnet: its uname release or version mentions "linnet".
pub fn is_linnet() -> bool {
    let has = |s: &str| {
        s.as_bytes()
            .windows(6)
            .any(|w| w.eq_ignore_ascii_case(b"linnet"))
    };
    uname().is_ok_and(|u| has(u.release()) || has(u.version()))
}
