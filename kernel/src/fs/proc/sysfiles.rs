//! The system-wide files of /proc besides meminfo: `mounts` (Linux
//! `fs/proc_namespace.c`, `show_vfsmnt`), `stat` (`fs/proc/stat.c`, `show_stat`),
//! `uptime` (`fs/proc/uptime.c`), `version` (`fs/proc/version.c`) and `cpuinfo`
//! (`arch/arm64/kernel/cpuinfo.c`, `c_show`): plain formatting of figures `base.rs`
//! gathers, tested on the host against Linux's formats.

use alloc::string::String;
use core::fmt::Write;

/// A file directly in /proc (other than meminfo).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootFile {
    /// `cpuinfo`.
    Cpuinfo,
    /// `mounts`.
    Mounts,
    /// `stat`.
    Stat,
    /// `uptime`.
    Uptime,
    /// `version`.
    Version,
}

/// The names, in listing order.
pub const ROOT_FILES: [(&str, RootFile); 5] = [
    ("cpuinfo", RootFile::Cpuinfo),
    ("mounts", RootFile::Mounts),
    ("stat", RootFile::Stat),
    ("uptime", RootFile::Uptime),
    ("version", RootFile::Version),
];

/// /proc/mounts: the initramfs root (Linux calls it `rootfs`) and /proc, one line each
/// as `show_vfsmnt` writes them: device, mount point, type, options, "0 0".
pub fn mounts_text() -> String {
    String::from(
        "rootfs / rootfs rw 0 0\n\
         proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n",
    )
}

/// What /proc/stat reports, times in USER_HZ clock ticks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuStat {
    /// Ticks in user mode.
    pub user: u64,
    /// Ticks in the kernel.
    pub system: u64,
    /// Ticks idle.
    pub idle: u64,
    /// Timer interrupts taken (the only interrupt counted).
    pub intr: u64,
    /// Boot time, seconds since the epoch.
    pub btime: u64,
    /// Processes and threads created since boot (Linux `total_forks`).
    pub processes: u64,
    /// Tasks runnable now.
    pub running: u64,
}

/// /proc/stat (Linux `show_stat`): the `cpu` line sums the CPUs and `cpu0` is the one
/// CPU; nice, iowait, irq, softirq, steal, guest and guest_nice are 0 (not kept apart).
/// No task sleeps uninterruptibly in Linnet, so procs_blocked is 0.
pub fn stat_text(s: &CpuStat) -> String {
    let mut t = String::new();
    let cpu = |t: &mut String, name: &str| {
        let _ = writeln!(t, "{name} {} 0 {} {} 0 0 0 0 0 0", s.user, s.system, s.idle);
    };
    cpu(&mut t, "cpu ");
    cpu(&mut t, "cpu0");
    let _ = writeln!(t, "intr {}", s.intr);
    let _ = writeln!(t, "btime {}", s.btime);
    let _ = writeln!(t, "processes {}", s.processes);
    let _ = writeln!(t, "procs_running {}", s.running);
    let _ = writeln!(t, "procs_blocked 0");
    t
}

/// /proc/uptime (Linux `uptime_proc_show`): seconds up and seconds idle (summed over
/// CPUs), each with two decimals.
pub fn uptime_text(uptime_ns: u64, idle_ns: u64) -> String {
    let f = |ns: u64| {
        let cs = ns / 10_000_000;
        (cs / 100, cs % 100)
    };
    let ((us, uc), (is, ic)) = (f(uptime_ns), f(idle_ns));
    alloc::format!("{us}.{uc:02} {is}.{ic:02}\n")
}

/// /proc/version (Linux `version_proc_show`: `linux_proc_banner`): "Linux version
/// RELEASE (BUILDER) VERSION".
pub fn version_text(release: &str, version: &str) -> String {
    alloc::format!("Linux version {release} (linnet@linnet) (rustc) {version}\n")
}

/// The names of the AT_HWCAP bits, by bit (Linux `hwcap_str` in
/// `arch/arm64/kernel/cpuinfo.c`).
const HWCAP_STR: [&str; 32] = [
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp",
    "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
    "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb",
    "paca", "pacg",
];

/// /proc/cpuinfo for one CPU (Linux `c_show` on arm64): BogoMIPS from the timer
/// frequency (`loops_per_jiffy` is the timer rate over HZ, so BogoMIPS = 2 * rate / 1e6),
/// the HWCAP names, and the MIDR_EL1 fields.
pub fn cpuinfo_text(midr: u64, hwcap: u64, timer_hz: u64) -> String {
    let mut t = String::new();
    let centi = timer_hz / 5_000; // 2 * rate / 10^6, in hundredths
    let _ = writeln!(t, "processor\t: 0");
    let _ = writeln!(t, "BogoMIPS\t: {}.{:02}", centi / 100, centi % 100);
    let names: alloc::vec::Vec<&str> = (0..32)
        .filter(|b| hwcap & (1 << b) != 0)
        .map(|b| HWCAP_STR[b])
        .collect();
    let _ = writeln!(t, "Features\t: {}", names.join(" "));
    let _ = writeln!(t, "CPU implementer\t: 0x{:02x}", (midr >> 24) & 0xff);
    let _ = writeln!(t, "CPU architecture: 8");
    let _ = writeln!(t, "CPU variant\t: 0x{:x}", (midr >> 20) & 0xf);
    let _ = writeln!(t, "CPU part\t: 0x{:03x}", (midr >> 4) & 0xfff);
    let _ = writeln!(t, "CPU revision\t: {}", midr & 0xf);
    t.push('\n');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_linux() {
        // QEMU's cortex-a72: MIDR 0x410fd083, a 62.5 MHz timer.
        let c = cpuinfo_text(0x410f_d083, 0b1000_1000_0111, 62_500_000);
        assert_eq!(
            c,
            "processor\t: 0\nBogoMIPS\t: 125.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n\
             CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\n\
             CPU part\t: 0xd08\nCPU revision\t: 3\n\n"
        );
        assert_eq!(uptime_text(12_345_678_901, 5_000_000_000), "12.34 5.00\n");
        let s = stat_text(&CpuStat {
            user: 1,
            system: 2,
            idle: 3,
            intr: 9,
            btime: 1_700_000_000,
            processes: 5,
            running: 1,
        });
        assert!(s.starts_with("cpu  1 0 2 3 0 0 0 0 0 0\ncpu0 1 0 2 3 0 0 0 0 0 0\n"));
        assert!(s.contains("\nbtime 1700000000\nprocesses 5\nprocs_running 1\n"));
        assert!(version_text("6.1.0-linnet", "#1").starts_with("Linux version 6.1.0-linnet ("));
        assert!(mounts_text().starts_with("rootfs / rootfs rw 0 0\n"));
    }
}
