//! Names of the Linux asm-generic system call numbers.
//!
//! Linnet follows the asm-generic syscall numbering, the table that arm64
//! (and riscv, loongarch, ...) use, so a number that user space puts in `x8`
//! means the same here as on Linux. This module maps such a number back to
//! its Linux name, so that a syscall Linnet does not implement can be logged
//! by name (97 is `unshare`) as well as by number, and so that the docs can
//! list syscalls by name.
//!
//! Source: `include/uapi/asm-generic/unistd.h` of Linux 6.x (the 6.1 header
//! for 0..=450, the 6.17 header for 451..=469). Names are the `__NR_xxx`
//! names without the `sys_` prefix. The `__NR3264_xxx` entries take their
//! 64-bit names (`fcntl`, `statfs`, `fstatfs`, `truncate`, `ftruncate`,
//! `lseek`, `sendfile`, `newfstatat`, `fstat`, `mmap`, `fadvise64`). The
//! table follows arm64's choices among the conditional entries: it has
//! `renameat` (38), `getrlimit`/`setrlimit` (163/164), `newfstatat`/`fstat`
//! (79/80), `sync_file_range` (84, not `sync_file_range2`), `clone3` (435) and
//! `memfd_secret` (447). It does not have the slots 244..=259 kept for
//! arch-specific calls (arm64 defines none), 295..=402 (never assigned), or
//! the 32-bit-only `*_time64` calls in 403..=423 (415 was never assigned).
//! Calls that are now `sys_ni_syscall` but keep their number and name
//! (`nfsservctl` 42, `lookup_dcookie` 18) are listed.

/// Name of each asm-generic syscall, indexed by number; `None` where arm64
/// assigns nothing. Kept one named entry a line so that the number in each
/// comment can be checked against the header at a glance.
#[rustfmt::skip]
static NAMES: [Option<&str>; 470] = [
    Some("io_setup"), // 0
    Some("io_destroy"), // 1
    Some("io_submit"), // 2
    Some("io_cancel"), // 3
    Some("io_getevents"), // 4
    Some("setxattr"), // 5
    Some("lsetxattr"), // 6
    Some("fsetxattr"), // 7
    Some("getxattr"), // 8
    Some("lgetxattr"), // 9
    Some("fgetxattr"), // 10
    Some("listxattr"), // 11
    Some("llistxattr"), // 12
    Some("flistxattr"), // 13
    Some("removexattr"), // 14
    Some("lremovexattr"), // 15
    Some("fremovexattr"), // 16
    Some("getcwd"), // 17
    Some("lookup_dcookie"), // 18
    Some("eventfd2"), // 19
    Some("epoll_create1"), // 20
    Some("epoll_ctl"), // 21
    Some("epoll_pwait"), // 22
    Some("dup"), // 23
    Some("dup3"), // 24
    Some("fcntl"), // 25
    Some("inotify_init1"), // 26
    Some("inotify_add_watch"), // 27
    Some("inotify_rm_watch"), // 28
    Some("ioctl"), // 29
    Some("ioprio_set"), // 30
    Some("ioprio_get"), // 31
    Some("flock"), // 32
    Some("mknodat"), // 33
    Some("mkdirat"), // 34
    Some("unlinkat"), // 35
    Some("symlinkat"), // 36
    Some("linkat"), // 37
    Some("renameat"), // 38
    Some("umount2"), // 39
    Some("mount"), // 40
    Some("pivot_root"), // 41
    Some("nfsservctl"), // 42
    Some("statfs"), // 43
    Some("fstatfs"), // 44
    Some("truncate"), // 45
    Some("ftruncate"), // 46
    Some("fallocate"), // 47
    Some("faccessat"), // 48
    Some("chdir"), // 49
    Some("fchdir"), // 50
    Some("chroot"), // 51
    Some("fchmod"), // 52
    Some("fchmodat"), // 53
    Some("fchownat"), // 54
    Some("fchown"), // 55
    Some("openat"), // 56
    Some("close"), // 57
    Some("vhangup"), // 58
    Some("pipe2"), // 59
    Some("quotactl"), // 60
    Some("getdents64"), // 61
    Some("lseek"), // 62
    Some("read"), // 63
    Some("write"), // 64
    Some("readv"), // 65
    Some("writev"), // 66
    Some("pread64"), // 67
    Some("pwrite64"), // 68
    Some("preadv"), // 69
    Some("pwritev"), // 70
    Some("sendfile"), // 71
    Some("pselect6"), // 72
    Some("ppoll"), // 73
    Some("signalfd4"), // 74
    Some("vmsplice"), // 75
    Some("splice"), // 76
    Some("tee"), // 77
    Some("readlinkat"), // 78
    Some("newfstatat"), // 79
    Some("fstat"), // 80
    Some("sync"), // 81
    Some("fsync"), // 82
    Some("fdatasync"), // 83
    Some("sync_file_range"), // 84
    Some("timerfd_create"), // 85
    Some("timerfd_settime"), // 86
    Some("timerfd_gettime"), // 87
    Some("utimensat"), // 88
    Some("acct"), // 89
    Some("capget"), // 90
    Some("capset"), // 91
    Some("personality"), // 92
    Some("exit"), // 93
    Some("exit_group"), // 94
    Some("waitid"), // 95
    Some("set_tid_address"), // 96
    Some("unshare"), // 97
    Some("futex"), // 98
    Some("set_robust_list"), // 99
    Some("get_robust_list"), // 100
    Some("nanosleep"), // 101
    Some("getitimer"), // 102
    Some("setitimer"), // 103
    Some("kexec_load"), // 104
    Some("init_module"), // 105
    Some("delete_module"), // 106
    Some("timer_create"), // 107
    Some("timer_gettime"), // 108
    Some("timer_getoverrun"), // 109
    Some("timer_settime"), // 110
    Some("timer_delete"), // 111
    Some("clock_settime"), // 112
    Some("clock_gettime"), // 113
    Some("clock_getres"), // 114
    Some("clock_nanosleep"), // 115
    Some("syslog"), // 116
    Some("ptrace"), // 117
    Some("sched_setparam"), // 118
    Some("sched_setscheduler"), // 119
    Some("sched_getscheduler"), // 120
    Some("sched_getparam"), // 121
    Some("sched_setaffinity"), // 122
    Some("sched_getaffinity"), // 123
    Some("sched_yield"), // 124
    Some("sched_get_priority_max"), // 125
    Some("sched_get_priority_min"), // 126
    Some("sched_rr_get_interval"), // 127
    Some("restart_syscall"), // 128
    Some("kill"), // 129
    Some("tkill"), // 130
    Some("tgkill"), // 131
    Some("sigaltstack"), // 132
    Some("rt_sigsuspend"), // 133
    Some("rt_sigaction"), // 134
    Some("rt_sigprocmask"), // 135
    Some("rt_sigpending"), // 136
    Some("rt_sigtimedwait"), // 137
    Some("rt_sigqueueinfo"), // 138
    Some("rt_sigreturn"), // 139
    Some("setpriority"), // 140
    Some("getpriority"), // 141
    Some("reboot"), // 142
    Some("setregid"), // 143
    Some("setgid"), // 144
    Some("setreuid"), // 145
    Some("setuid"), // 146
    Some("setresuid"), // 147
    Some("getresuid"), // 148
    Some("setresgid"), // 149
    Some("getresgid"), // 150
    Some("setfsuid"), // 151
    Some("setfsgid"), // 152
    Some("times"), // 153
    Some("setpgid"), // 154
    Some("getpgid"), // 155
    Some("getsid"), // 156
    Some("setsid"), // 157
    Some("getgroups"), // 158
    Some("setgroups"), // 159
    Some("uname"), // 160
    Some("sethostname"), // 161
    Some("setdomainname"), // 162
    Some("getrlimit"), // 163
    Some("setrlimit"), // 164
    Some("getrusage"), // 165
    Some("umask"), // 166
    Some("prctl"), // 167
    Some("getcpu"), // 168
    Some("gettimeofday"), // 169
    Some("settimeofday"), // 170
    Some("adjtimex"), // 171
    Some("getpid"), // 172
    Some("getppid"), // 173
    Some("getuid"), // 174
    Some("geteuid"), // 175
    Some("getgid"), // 176
    Some("getegid"), // 177
    Some("gettid"), // 178
    Some("sysinfo"), // 179
    Some("mq_open"), // 180
    Some("mq_unlink"), // 181
    Some("mq_timedsend"), // 182
    Some("mq_timedreceive"), // 183
    Some("mq_notify"), // 184
    Some("mq_getsetattr"), // 185
    Some("msgget"), // 186
    Some("msgctl"), // 187
    Some("msgrcv"), // 188
    Some("msgsnd"), // 189
    Some("semget"), // 190
    Some("semctl"), // 191
    Some("semtimedop"), // 192
    Some("semop"), // 193
    Some("shmget"), // 194
    Some("shmctl"), // 195
    Some("shmat"), // 196
    Some("shmdt"), // 197
    Some("socket"), // 198
    Some("socketpair"), // 199
    Some("bind"), // 200
    Some("listen"), // 201
    Some("accept"), // 202
    Some("connect"), // 203
    Some("getsockname"), // 204
    Some("getpeername"), // 205
    Some("sendto"), // 206
    Some("recvfrom"), // 207
    Some("setsockopt"), // 208
    Some("getsockopt"), // 209
    Some("shutdown"), // 210
    Some("sendmsg"), // 211
    Some("recvmsg"), // 212
    Some("readahead"), // 213
    Some("brk"), // 214
    Some("munmap"), // 215
    Some("mremap"), // 216
    Some("add_key"), // 217
    Some("request_key"), // 218
    Some("keyctl"), // 219
    Some("clone"), // 220
    Some("execve"), // 221
    Some("mmap"), // 222
    Some("fadvise64"), // 223
    Some("swapon"), // 224
    Some("swapoff"), // 225
    Some("mprotect"), // 226
    Some("msync"), // 227
    Some("mlock"), // 228
    Some("munlock"), // 229
    Some("mlockall"), // 230
    Some("munlockall"), // 231
    Some("mincore"), // 232
    Some("madvise"), // 233
    Some("remap_file_pages"), // 234
    Some("mbind"), // 235
    Some("get_mempolicy"), // 236
    Some("set_mempolicy"), // 237
    Some("migrate_pages"), // 238
    Some("move_pages"), // 239
    Some("rt_tgsigqueueinfo"), // 240
    Some("perf_event_open"), // 241
    Some("accept4"), // 242
    Some("recvmmsg"), // 243
    None, None, None, None, None, None, None, None, // 244..=251
    None, None, None, None, None, None, None, None, // 252..=259
    Some("wait4"), // 260
    Some("prlimit64"), // 261
    Some("fanotify_init"), // 262
    Some("fanotify_mark"), // 263
    Some("name_to_handle_at"), // 264
    Some("open_by_handle_at"), // 265
    Some("clock_adjtime"), // 266
    Some("syncfs"), // 267
    Some("setns"), // 268
    Some("sendmmsg"), // 269
    Some("process_vm_readv"), // 270
    Some("process_vm_writev"), // 271
    Some("kcmp"), // 272
    Some("finit_module"), // 273
    Some("sched_setattr"), // 274
    Some("sched_getattr"), // 275
    Some("renameat2"), // 276
    Some("seccomp"), // 277
    Some("getrandom"), // 278
    Some("memfd_create"), // 279
    Some("bpf"), // 280
    Some("execveat"), // 281
    Some("userfaultfd"), // 282
    Some("membarrier"), // 283
    Some("mlock2"), // 284
    Some("copy_file_range"), // 285
    Some("preadv2"), // 286
    Some("pwritev2"), // 287
    Some("pkey_mprotect"), // 288
    Some("pkey_alloc"), // 289
    Some("pkey_free"), // 290
    Some("statx"), // 291
    Some("io_pgetevents"), // 292
    Some("rseq"), // 293
    Some("kexec_file_load"), // 294
    None, None, None, None, None, None, None, None, // 295..=302
    None, None, None, None, None, None, None, None, // 303..=310
    None, None, None, None, None, None, None, None, // 311..=318
    None, None, None, None, None, None, None, None, // 319..=326
    None, None, None, None, None, None, None, None, // 327..=334
    None, None, None, None, None, None, None, None, // 335..=342
    None, None, None, None, None, None, None, None, // 343..=350
    None, None, None, None, None, None, None, None, // 351..=358
    None, None, None, None, None, None, None, None, // 359..=366
    None, None, None, None, None, None, None, None, // 367..=374
    None, None, None, None, None, None, None, None, // 375..=382
    None, None, None, None, None, None, None, None, // 383..=390
    None, None, None, None, None, None, None, None, // 391..=398
    None, None, None, None, None, None, None, None, // 399..=406
    None, None, None, None, None, None, None, None, // 407..=414
    None, None, None, None, None, None, None, None, // 415..=422
    None, // 423
    Some("pidfd_send_signal"), // 424
    Some("io_uring_setup"), // 425
    Some("io_uring_enter"), // 426
    Some("io_uring_register"), // 427
    Some("open_tree"), // 428
    Some("move_mount"), // 429
    Some("fsopen"), // 430
    Some("fsconfig"), // 431
    Some("fsmount"), // 432
    Some("fspick"), // 433
    Some("pidfd_open"), // 434
    Some("clone3"), // 435
    Some("close_range"), // 436
    Some("openat2"), // 437
    Some("pidfd_getfd"), // 438
    Some("faccessat2"), // 439
    Some("process_madvise"), // 440
    Some("epoll_pwait2"), // 441
    Some("mount_setattr"), // 442
    Some("quotactl_fd"), // 443
    Some("landlock_create_ruleset"), // 444
    Some("landlock_add_rule"), // 445
    Some("landlock_restrict_self"), // 446
    Some("memfd_secret"), // 447
    Some("process_mrelease"), // 448
    Some("futex_waitv"), // 449
    Some("set_mempolicy_home_node"), // 450
    Some("cachestat"), // 451
    Some("fchmodat2"), // 452
    Some("map_shadow_stack"), // 453
    Some("futex_wake"), // 454
    Some("futex_wait"), // 455
    Some("futex_requeue"), // 456
    Some("statmount"), // 457
    Some("listmount"), // 458
    Some("lsm_get_self_attr"), // 459
    Some("lsm_set_self_attr"), // 460
    Some("lsm_list_modules"), // 461
    Some("mseal"), // 462
    Some("setxattrat"), // 463
    Some("getxattrat"), // 464
    Some("listxattrat"), // 465
    Some("removexattrat"), // 466
    Some("open_tree_attr"), // 467
    Some("file_getattr"), // 468
    Some("file_setattr"), // 469
];

/// Name of asm-generic syscall `nr` (as used by arm64), or None if unassigned.
///
/// The name is Linux's, without the `sys_` prefix: `syscall_name(63)` is
/// `Some("read")`, and `syscall_name(79)` is `Some("newfstatat")`.
pub fn syscall_name(nr: usize) -> Option<&'static str> {
    NAMES.get(nr).copied().flatten()
}

#[cfg(test)]
mod tests {
    use super::{syscall_name, NAMES};

    #[test]
    fn well_known_numbers() {
        let known: &[(usize, &str)] = &[
            (0, "io_setup"),
            (1, "io_destroy"),
            (17, "getcwd"),
            (25, "fcntl"),
            (29, "ioctl"),
            (39, "umount2"),
            (43, "statfs"),
            (44, "fstatfs"),
            (45, "truncate"),
            (46, "ftruncate"),
            (56, "openat"),
            (57, "close"),
            (61, "getdents64"),
            (62, "lseek"),
            (63, "read"),
            (64, "write"),
            (71, "sendfile"),
            (79, "newfstatat"),
            (80, "fstat"),
            (84, "sync_file_range"),
            (93, "exit"),
            (94, "exit_group"),
            (96, "set_tid_address"),
            (98, "futex"),
            (101, "nanosleep"),
            (113, "clock_gettime"),
            (124, "sched_yield"),
            (129, "kill"),
            (134, "rt_sigaction"),
            (139, "rt_sigreturn"),
            (160, "uname"),
            (172, "getpid"),
            (178, "gettid"),
            (179, "sysinfo"),
            (214, "brk"),
            (215, "munmap"),
            (220, "clone"),
            (221, "execve"),
            (222, "mmap"),
            (223, "fadvise64"),
            (226, "mprotect"),
            (243, "recvmmsg"),
            (260, "wait4"),
            (261, "prlimit64"),
            (278, "getrandom"),
            (281, "execveat"),
            (294, "kexec_file_load"),
            (424, "pidfd_send_signal"),
            (435, "clone3"),
            (448, "process_mrelease"),
            (462, "mseal"),
            (469, "file_setattr"),
        ];
        for &(nr, name) in known {
            assert_eq!(syscall_name(nr), Some(name), "syscall {}", nr);
        }
    }

    #[test]
    fn unassigned_numbers_are_none() {
        // Slots kept for arch-specific calls; arm64 defines none.
        for nr in 244..=259 {
            assert_eq!(syscall_name(nr), None, "syscall {}", nr);
        }
        // Never assigned, then the 32-bit-only time64 calls (and 415).
        for nr in 295..=423 {
            assert_eq!(syscall_name(nr), None, "syscall {}", nr);
        }
        // Past the end of the table.
        assert_eq!(syscall_name(NAMES.len()), None);
        assert_eq!(syscall_name(1024), None);
        assert_eq!(syscall_name(usize::MAX), None);
    }

    #[test]
    fn assigned_ranges_have_no_holes() {
        for nr in (0..=243).chain(260..=294).chain(424..NAMES.len()) {
            assert!(syscall_name(nr).is_some(), "syscall {} has no name", nr);
        }
        assert_eq!(NAMES.len(), 470);
    }

    #[test]
    fn names_are_unique_and_plain() {
        for (i, a) in NAMES.iter().enumerate() {
            let Some(a) = a else { continue };
            assert!(
                !a.is_empty() && !a.starts_with("sys_"),
                "syscall {}: {:?}",
                i,
                a
            );
            assert!(
                a.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "syscall {}: {:?}",
                i,
                a
            );
            for (j, b) in NAMES.iter().enumerate().skip(i + 1) {
                assert_ne!(Some(*a), *b, "syscalls {} and {} share a name", i, j);
            }
        }
    }
}
