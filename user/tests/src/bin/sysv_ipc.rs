//! sysv_ipc: System V message queues, semaphores and shared memory.
//!
//! The kernel side is `kernel/src/ipc/` (Linux `ipc/msg.c`, `sem.c`, `shm.c`,
//! `util.c`) and `mm/shm.rs`. Under qemu-user these calls go to the host kernel, so
//! every check holds there too; keys are made from the pid so that objects on the host
//! do not collide, and everything is removed at the end. The free-frame check at the
//! end is Linnet's (the host's memory moves on its own).
//! Syscalls used: msgget, msgsnd, msgrcv, msgctl, semget, semctl, semop, semtimedop,
//! shmget, shmat, shmdt, shmctl, clone (fork), wait4, nanosleep, kill, openat, read.

#![no_std]
#![no_main]

use ulib::ipc::*;
use ulib::process::{reap, spawn};
use ulib::time::Timespec;
use ulib::{Errno, Tap};

fn sleep_ms(ms: u64) {
    let _ = ulib::nanosleep(&Timespec::from_ms(ms), None);
}

fn key(n: i32) -> i32 {
    0x4c6e_0000 | ((ulib::getpid() & 0xfff) << 4) | n
}

fn long_at(b: &[u8], off: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(w)
}

fn messages(tap: &mut Tap) {
    let id = msgget(IPC_PRIVATE, 0o600).unwrap_or(-1);
    tap.ok(id >= 0, "msgget(IPC_PRIVATE)");
    let sent = [
        msgsnd(id, 5, b"five", 0),
        msgsnd(id, 3, b"three", 0),
        msgsnd(id, 7, b"seven", 0),
    ];
    tap.ok(sent.iter().all(|r| *r == Ok(0)), "msgsnd of three messages");
    let mut ds = [0u8; 120];
    let _ = msgctl(id, IPC_STAT, ds.as_mut_ptr() as usize);
    tap.eq(
        (long_at(&ds, 72), long_at(&ds, 80), long_at(&ds, 88)),
        (14, 3, 16384),
        "IPC_STAT: 14 bytes in 3 messages, msg_qbytes 16384",
    );
    let mut t = [0u8; 32];
    let r = msgrcv(id, &mut t, 0, 0);
    tap.eq(r, Ok((5, 4)), "msgrcv type 0: the first message");
    let r = msgrcv(id, &mut t, 7, 0);
    tap.eq(
        (r, &t[..5]),
        (Ok((7, 5)), b"seven".as_slice()),
        "msgrcv type 7",
    );
    let r = msgrcv(id, &mut t, -10, 0);
    tap.eq(r, Ok((3, 5)), "msgrcv type -10: the lowest type");
    tap.eq(
        msgrcv(id, &mut t, 0, IPC_NOWAIT),
        Err(Errno::ENOMSG),
        "empty queue, IPC_NOWAIT: ENOMSG",
    );
    let _ = msgsnd(id, 2, b"0123456789", 0);
    tap.eq(
        msgrcv(id, &mut t[..4], 0, 0),
        Err(Errno::E2BIG),
        "a longer message: E2BIG",
    );
    let r = msgrcv(id, &mut t[..4], 0, MSG_NOERROR);
    tap.eq(
        (r, &t[..4]),
        (Ok((2, 4)), b"0123".as_slice()),
        "MSG_NOERROR cuts it",
    );
    tap.eq(
        msgrcv(id, &mut t, 9, MSG_EXCEPT | IPC_NOWAIT),
        Err(Errno::ENOMSG),
        "it was taken",
    );
    tap.eq(
        msgsnd(id, 0, b"x", 0),
        Err(Errno::EINVAL),
        "msgsnd of type 0: EINVAL",
    );
    let big = [1u64; 1100];
    tap.eq(
        msgsnd_raw(id, big.as_ptr() as usize, 8193, 0),
        Err(Errno::EINVAL),
        "msgsnd above MSGMAX: EINVAL",
    );
    tap.eq(
        msgsnd_raw(id, 16, 4, 0),
        Err(Errno::EFAULT),
        "msgsnd from a bad pointer: EFAULT",
    );

    // A receiver sleeps until a message comes.
    let pid = spawn(|| {
        sleep_ms(50);
        msgsnd(id, 9, b"late", 0).map_or(1, |_| 0)
    });
    let r = msgrcv(id, &mut t, 9, 0);
    tap.eq(
        (r, reap(pid)),
        (Ok((9, 4)), Some(0)),
        "msgrcv sleeps until msgsnd",
    );

    // A full queue: EAGAIN with IPC_NOWAIT, and a sender sleeps until there is room.
    ds[88..96].copy_from_slice(&16u64.to_le_bytes());
    tap.eq(
        msgctl(id, IPC_SET, ds.as_ptr() as usize),
        Ok(0),
        "IPC_SET msg_qbytes 16",
    );
    let _ = msgsnd(id, 1, b"0123456789", 0);
    tap.eq(
        msgsnd(id, 1, b"0123456789", IPC_NOWAIT),
        Err(Errno::EAGAIN),
        "full queue, IPC_NOWAIT: EAGAIN",
    );
    let pid = spawn(|| {
        sleep_ms(50);
        let mut t = [0u8; 16];
        msgrcv(id, &mut t, 0, 0).map_or(1, |_| 0)
    });
    tap.eq(
        (msgsnd(id, 1, b"abcdefghij", 0), reap(pid)),
        (Ok(0), Some(0)),
        "msgsnd sleeps until there is room",
    );

    // Keys.
    let k = key(1);
    let a = msgget(k, IPC_CREAT | IPC_EXCL | 0o600);
    tap.ok(a.is_ok(), "msgget(key, IPC_CREAT|IPC_EXCL)");
    tap.eq(
        msgget(k, IPC_CREAT | IPC_EXCL | 0o600),
        Err(Errno::EEXIST),
        "again: EEXIST",
    );
    tap.eq(msgget(k, 0), a, "msgget(key, 0) finds it");
    tap.eq(
        msgget(key(2), 0),
        Err(Errno::ENOENT),
        "an unknown key: ENOENT",
    );
    let _ = msgctl(a.unwrap_or(-1), IPC_RMID, 0);

    // A sleeping receiver learns of IPC_RMID.
    let pid = spawn(|| {
        let mut t = [0u8; 16];
        match msgrcv(id, &mut t, 99, 0) {
            Err(Errno::EIDRM) => 0,
            _ => 1,
        }
    });
    sleep_ms(50);
    tap.eq(msgctl(id, IPC_RMID, 0), Ok(0), "msgctl IPC_RMID");
    tap.eq(reap(pid), Some(0), "a sleeping msgrcv gets EIDRM");
    tap.eq(
        msgsnd(id, 1, b"x", 0),
        Err(Errno::EINVAL),
        "the removed id: EINVAL",
    );
    tap.eq(
        msgctl(0x07ff_ffff, 99, 0),
        Err(Errno::EINVAL),
        "msgctl of an unknown command: EINVAL",
    );
    // Linnet keeps messages in its small kernel heap: at 4 MiB in all, ENOMEM (Linux's
    // answer when it cannot allocate a message); a Linux host takes far more.
    if ulib::is_linnet() {
        let q = msgget(IPC_PRIVATE, 0o600).unwrap_or(-1);
        let mut ds = [0u8; 120];
        let _ = msgctl(q, IPC_STAT, ds.as_mut_ptr() as usize);
        ds[88..96].copy_from_slice(&(16u64 << 20).to_le_bytes());
        let _ = msgctl(q, IPC_SET, ds.as_ptr() as usize);
        let big = [7u64; 1025];
        let mut sent = 0;
        let last = loop {
            match msgsnd_raw(q, big.as_ptr() as usize, 8192, IPC_NOWAIT) {
                Ok(_) if sent < 1000 => sent += 1,
                r => break r,
            }
        };
        let _ = msgctl(q, IPC_RMID, 0);
        tap.eq(
            (sent, last),
            (512, Err(Errno::ENOMEM)),
            "Linnet: 4 MiB of messages, then ENOMEM",
        );
    } else {
        tap.skip(
            "Linnet: 4 MiB of messages, then ENOMEM",
            "the host's memory",
        );
    }
}

fn op(num: u16, op: i16, flg: i16) -> Sembuf {
    Sembuf { num, op, flg }
}

fn semaphores(tap: &mut Tap) {
    tap.eq(
        semget(IPC_PRIVATE, 0, 0o600),
        Err(Errno::EINVAL),
        "semget of 0 semaphores: EINVAL",
    );
    let id = semget(IPC_PRIVATE, 2, 0o600).unwrap_or(-1);
    tap.ok(id >= 0, "semget(IPC_PRIVATE, 2)");
    let _ = semctl(id, 0, SETVAL, 3);
    tap.eq(semctl(id, 0, GETVAL, 0), Ok(3), "SETVAL 3, GETVAL");
    let vals = [1u16, 2];
    let _ = semctl(id, 0, SETALL, vals.as_ptr() as usize);
    let mut got = [0u16; 2];
    let _ = semctl(id, 0, GETALL, got.as_mut_ptr() as usize);
    tap.eq(got, [1, 2], "SETALL, GETALL");
    tap.eq(semop(id, &[op(0, -1, 0)]), Ok(0), "semop -1");
    tap.eq(
        semop(id, &[op(0, -1, IPC_NOWAIT as i16)]),
        Err(Errno::EAGAIN),
        "semop below 0, IPC_NOWAIT: EAGAIN",
    );
    let r = semop(id, &[op(1, -1, 0), op(0, -1, IPC_NOWAIT as i16)]);
    tap.eq(
        (r, semctl(id, 1, GETVAL, 0)),
        (Err(Errno::EAGAIN), Ok(2)),
        "all or nothing",
    );
    tap.eq(
        semop(id, &[op(1, 0, IPC_NOWAIT as i16)]),
        Err(Errno::EAGAIN),
        "wait-for-zero on 2: EAGAIN",
    );
    tap.eq(
        semtimedop(id, &[op(0, -1, 0)], &[0, 50_000_000]),
        Err(Errno::EAGAIN),
        "semtimedop times out: EAGAIN",
    );
    tap.eq(
        semtimedop(id, &[op(0, -1, 0)], &[0, 2_000_000_000]),
        Err(Errno::EINVAL),
        "a bad timeout: EINVAL",
    );
    let pid = spawn(|| {
        sleep_ms(50);
        semop(id, &[op(0, 1, 0)]).map_or(1, |_| 0)
    });
    tap.eq(
        (semop(id, &[op(0, -1, 0)]), reap(pid)),
        (Ok(0), Some(0)),
        "semop sleeps until a +1",
    );
    let pid = spawn(|| semop(id, &[op(0, -1, 0)]).map_or(1, |_| 0));
    sleep_ms(50);
    tap.eq(
        semctl(id, 0, GETNCNT, 0),
        Ok(1),
        "GETNCNT counts the sleeper",
    );
    tap.eq(semctl(id, 1, GETZCNT, 0), Ok(0), "GETZCNT");
    let _ = semop(id, &[op(0, 1, 0)]);
    tap.eq(reap(pid), Some(0), "the sleeper got its -1");
    tap.eq(
        semctl(id, 0, GETPID, 0),
        Ok(pid as usize),
        "GETPID: the last to change it",
    );
    // SEM_UNDO: a child's +5 is taken back when it exits.
    let pid = spawn(|| semop(id, &[op(1, 5, SEM_UNDO)]).map_or(1, |_| 0));
    let _ = reap(pid);
    tap.eq(
        semctl(id, 1, GETVAL, 0),
        Ok(2),
        "SEM_UNDO is undone at exit",
    );
    // ... and SETVAL clears the adjustment.
    let pid = spawn(|| {
        let _ = semop(id, &[op(1, 5, SEM_UNDO)]);
        let _ = semctl(id, 1, SETVAL, 4);
        0
    });
    let _ = reap(pid);
    tap.eq(semctl(id, 1, GETVAL, 0), Ok(4), "SETVAL forgets the undo");
    tap.eq(
        semctl(id, 0, SETVAL, 40000),
        Err(Errno::ERANGE),
        "SETVAL 40000: ERANGE",
    );
    tap.eq(
        semctl(id, 2, GETVAL, 0),
        Err(Errno::EINVAL),
        "GETVAL past the set: EINVAL",
    );
    tap.eq(
        semop(id, &[op(5, 1, 0)]),
        Err(Errno::EFBIG),
        "semop of semaphore 5: EFBIG",
    );
    tap.eq(
        semop(id, &[]),
        Err(Errno::EINVAL),
        "semop of nothing: EINVAL",
    );
    let mut ds = [0u8; 88];
    let _ = semctl(id, 0, IPC_STAT, ds.as_mut_ptr() as usize);
    tap.eq(long_at(&ds, 64), 2, "IPC_STAT: sem_nsems 2");
    tap.eq(
        semget(IPC_PRIVATE, 40000, 0o600),
        Err(Errno::EINVAL),
        "semget above SEMMSL: EINVAL",
    );
    let pid = spawn(|| match semop(id, &[op(0, -100, 0)]) {
        Err(Errno::EIDRM) => 0,
        _ => 1,
    });
    sleep_ms(50);
    tap.eq(semctl(id, 0, IPC_RMID, 0), Ok(0), "semctl IPC_RMID");
    tap.eq(reap(pid), Some(0), "a sleeping semop gets EIDRM");
    tap.eq(
        semctl(id, 0, GETVAL, 0),
        Err(Errno::EINVAL),
        "the removed set: EINVAL",
    );
    if ulib::is_linnet() {
        // Linnet's SEMMNS is 32000 semaphores in all (Linux's default is far larger).
        let big = semget(IPC_PRIVATE, 32000, 0o600).unwrap_or(-1);
        let more = semget(IPC_PRIVATE, 1, 0o600);
        let _ = semctl(big, 0, IPC_RMID, 0);
        tap.eq(
            more,
            Err(Errno::ENOSPC),
            "Linnet: past SEMMNS semaphores, ENOSPC",
        );
    } else {
        tap.skip(
            "Linnet: past SEMMNS semaphores, ENOSPC",
            "the host's limits",
        );
    }
}

fn shared_memory(tap: &mut Tap) {
    let linnet = ulib::is_linnet();
    let before = ulib::memstat::baseline();
    let id = shmget(IPC_PRIVATE, 10000, 0o600).unwrap_or(-1);
    tap.ok(id >= 0, "shmget(IPC_PRIVATE, 10000)");
    let a = shmat(id, 0, 0).unwrap_or(0);
    tap.ok(a != 0, "shmat");
    // SAFETY: a maps 10000 bytes of the segment, read-write.
    let mem = unsafe { core::slice::from_raw_parts_mut(a as *mut u8, 10000) };
    tap.ok(mem.iter().all(|&b| b == 0), "a new segment reads as zeros");
    mem[0] = 1;
    mem[9999] = 2;
    let mut ds = [0u8; 112];
    let _ = shmctl(id, IPC_STAT, ds.as_mut_ptr() as usize);
    tap.eq(
        (long_at(&ds, 48), long_at(&ds, 88)),
        (10000, 1),
        "IPC_STAT: shm_segsz 10000, shm_nattch 1",
    );
    let pid = spawn(|| {
        mem[0] = 0x55; // a fork child shares the segment, not a copy
        0
    });
    let _ = reap(pid);
    tap.eq(mem[0], 0x55, "a fork child's write is seen by the parent");
    let b = shmat(id, 0, 0).unwrap_or(0);
    // SAFETY: b maps the same segment.
    let again = unsafe { core::slice::from_raw_parts(b as *const u8, 10000) };
    tap.eq(
        (b != a, again[9999]),
        (true, 2),
        "a second attach sees the same bytes",
    );
    let _ = shmctl(id, IPC_STAT, ds.as_mut_ptr() as usize);
    tap.eq(long_at(&ds, 88), 2, "shm_nattch 2");
    tap.eq(shmdt(b), Ok(0), "shmdt");
    tap.eq(shmdt(b), Err(Errno::EINVAL), "shmdt again: EINVAL");
    tap.eq(
        shmdt(a + 4096),
        Err(Errno::EINVAL),
        "shmdt inside the segment: EINVAL",
    );
    let ro = shmat(id, 0, SHM_RDONLY).unwrap_or(0);
    // SAFETY: ro maps the segment read-only; reading is fine.
    let r0 = unsafe { *(ro as *const u8) };
    tap.eq(r0, 0x55, "SHM_RDONLY attach reads");
    let pid = spawn(|| {
        // SAFETY: a deliberate write to a read-only mapping: SIGSEGV.
        unsafe { core::ptr::write_volatile(ro as *mut u8, 1) };
        0
    });
    let st = reap(pid).unwrap_or(0);
    tap.ok(
        ulib::wifsignaled(st) && ulib::wtermsig(st) == 11,
        "writing to it: SIGSEGV",
    );
    let _ = shmdt(ro);
    // IPC_RMID while attached: marked, still usable, destroyed at the last detach.
    tap.eq(
        shmctl(id, IPC_RMID, 0),
        Ok(0),
        "shmctl IPC_RMID while attached",
    );
    let _ = shmctl(id, IPC_STAT, ds.as_mut_ptr() as usize);
    let mode = u32::from_le_bytes([ds[20], ds[21], ds[22], ds[23]]);
    tap.ok(mode & SHM_DEST != 0, "IPC_STAT: SHM_DEST");
    mem[1] = 3;
    tap.eq(mem[1], 3, "the memory is still there");
    tap.eq(shmdt(a), Ok(0), "the last shmdt");
    tap.eq(
        shmctl(id, IPC_STAT, ds.as_mut_ptr() as usize),
        Err(Errno::EINVAL),
        "then the id is gone",
    );
    // Keys and sizes.
    let k = key(3);
    let s = shmget(k, 8192, IPC_CREAT | IPC_EXCL | 0o600);
    tap.ok(s.is_ok(), "shmget(key, IPC_CREAT|IPC_EXCL)");
    tap.eq(
        shmget(k, 8192, IPC_CREAT | IPC_EXCL),
        Err(Errno::EEXIST),
        "again: EEXIST",
    );
    tap.eq(shmget(k, 4096, 0), s, "a smaller size finds it");
    tap.eq(
        shmget(k, 16384, 0),
        Err(Errno::EINVAL),
        "a larger size: EINVAL",
    );
    tap.eq(
        shmget(key(4), 4096, 0),
        Err(Errno::ENOENT),
        "an unknown key: ENOENT",
    );
    tap.eq(
        shmget(IPC_PRIVATE, 0, 0),
        Err(Errno::EINVAL),
        "size 0: EINVAL",
    );
    tap.eq(
        shmat(s.unwrap_or(-1), 0x1234, 0),
        Err(Errno::EINVAL),
        "shmat at an unaligned address: EINVAL",
    );
    if linnet {
        // More than the machine has: ENOMEM at shmat, and nothing is kept.
        let huge = shmget(IPC_PRIVATE, 1 << 40, 0o600).unwrap_or(-1);
        tap.eq(
            shmat(huge, 0, 0),
            Err(Errno::ENOMEM),
            "Linnet: shmat of 1 TiB: ENOMEM",
        );
        let _ = shmctl(huge, IPC_RMID, 0);
    } else {
        tap.skip("Linnet: shmat of 1 TiB: ENOMEM", "the host's memory");
    }
    let _ = shmctl(s.unwrap_or(-1), IPC_RMID, 0);
    if linnet {
        // A reaped child's kernel stack is freed just after wait4 returns: `settle`.
        let after = ulib::memstat::settle(before);
        tap.eq(
            after.free_kb,
            before.free_kb,
            "free frames back to where they were",
        );
    } else {
        tap.skip(
            "free frames back to where they were",
            "the host's memory moves",
        );
    }
}

#[no_mangle]
fn main() -> i32 {
    let mut tap = Tap::new(79);
    messages(&mut tap);
    semaphores(&mut tap);
    shared_memory(&mut tap);
    tap.done()
}
