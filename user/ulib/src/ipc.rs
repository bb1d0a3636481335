//! System V IPC: message queues, semaphores, shared memory (the kernel side is
//! `kernel/src/ipc/`). Values from Linux `include/uapi/linux/ipc.h`, `msg.h`, `sem.h`,
//! `shm.h`.

use crate::errno::{check, SysResult};
use crate::syscall::{syscall2, syscall3, syscall4, syscall5};

/// Syscall numbers (asm-generic `unistd.h`).
#[allow(missing_docs)]
pub mod nr {
    pub const MSGGET: usize = 186;
    pub const MSGCTL: usize = 187;
    pub const MSGRCV: usize = 188;
    pub const MSGSND: usize = 189;
    pub const SEMGET: usize = 190;
    pub const SEMCTL: usize = 191;
    pub const SEMTIMEDOP: usize = 192;
    pub const SEMOP: usize = 193;
    pub const SHMGET: usize = 194;
    pub const SHMCTL: usize = 195;
    pub const SHMAT: usize = 196;
    pub const SHMDT: usize = 197;
}

/// Always a new object.
pub const IPC_PRIVATE: i32 = 0;
/// Create if new.
pub const IPC_CREAT: u32 = 0o1000;
/// Fail if it exists.
pub const IPC_EXCL: u32 = 0o2000;
/// Do not sleep.
pub const IPC_NOWAIT: u32 = 0o4000;
/// Remove.
pub const IPC_RMID: i32 = 0;
/// Set ids, mode (and msg_qbytes).
pub const IPC_SET: i32 = 1;
/// Read the `*id64_ds`.
pub const IPC_STAT: i32 = 2;
/// msgrcv: cut a long message.
pub const MSG_NOERROR: u32 = 0o10000;
/// msgrcv: any type but this one.
pub const MSG_EXCEPT: u32 = 0o20000;
/// semop: undo at exit.
pub const SEM_UNDO: i16 = 0x1000;
/// semctl commands.
pub const GETPID: i32 = 11;
/// One value.
pub const GETVAL: i32 = 12;
/// All values.
pub const GETALL: i32 = 13;
/// Waiting for an increase.
pub const GETNCNT: i32 = 14;
/// Waiting for zero.
pub const GETZCNT: i32 = 15;
/// Set one value.
pub const SETVAL: i32 = 16;
/// Set all values.
pub const SETALL: i32 = 17;
/// shmat: read-only.
pub const SHM_RDONLY: u32 = 0o10000;
/// shmat: round the address down.
pub const SHM_RND: u32 = 0o20000;
/// Mode bit of a removed segment still attached.
pub const SHM_DEST: u32 = 0o1000;

/// msgget(key, flags).
pub fn msgget(key: i32, flg: u32) -> SysResult<i32> {
    // SAFETY: integers only.
    check(unsafe { syscall2(nr::MSGGET, key as usize, flg as usize) }).map(|v| v as i32)
}

/// msgsnd of `text` with type `mtype` (the buffer is built here: a long, then the text).
pub fn msgsnd(id: i32, mtype: i64, text: &[u8], flg: u32) -> SysResult {
    let mut buf = [0u8; 8 + 256];
    assert!(text.len() <= 256);
    buf[..8].copy_from_slice(&mtype.to_le_bytes());
    buf[8..8 + text.len()].copy_from_slice(text);
    // SAFETY: the kernel reads 8 + text.len() bytes of buf.
    check(unsafe {
        syscall4(
            nr::MSGSND,
            id as usize,
            buf.as_ptr() as usize,
            text.len(),
            flg as usize,
        )
    })
}

/// msgsnd with a raw buffer pointer and size.
pub fn msgsnd_raw(id: i32, msgp: usize, size: usize, flg: u32) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall4(nr::MSGSND, id as usize, msgp, size, flg as usize) })
}

/// msgrcv into `text` (at most its length): (type, bytes).
pub fn msgrcv(id: i32, text: &mut [u8], typ: i64, flg: u32) -> SysResult<(i64, usize)> {
    let mut buf = [0u8; 8 + 256];
    let n = text.len().min(256);
    // SAFETY: the kernel writes at most 8 + n bytes into buf.
    let got = check(unsafe {
        syscall5(
            nr::MSGRCV,
            id as usize,
            buf.as_mut_ptr() as usize,
            n,
            typ as usize,
            flg as usize,
        )
    })?;
    text[..got].copy_from_slice(&buf[8..8 + got]);
    let mut t = [0u8; 8];
    t.copy_from_slice(&buf[..8]);
    Ok((i64::from_le_bytes(t), got))
}

/// msgctl(id, cmd, buf) with a raw buffer.
pub fn msgctl(id: i32, cmd: i32, buf: usize) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall3(nr::MSGCTL, id as usize, cmd as usize, buf) })
}

/// semget(key, nsems, flags).
pub fn semget(key: i32, nsems: i32, flg: u32) -> SysResult<i32> {
    // SAFETY: integers only.
    check(unsafe { syscall3(nr::SEMGET, key as usize, nsems as usize, flg as usize) })
        .map(|v| v as i32)
}

/// semctl(id, num, cmd, arg): `arg` is the union's value (an int or a pointer).
pub fn semctl(id: i32, num: i32, cmd: i32, arg: usize) -> SysResult {
    // SAFETY: the kernel checks a pointer argument.
    check(unsafe { syscall4(nr::SEMCTL, id as usize, num as usize, cmd as usize, arg) })
}

/// One semop operation (`struct sembuf`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Sembuf {
    /// Semaphore index.
    pub num: u16,
    /// Amount.
    pub op: i16,
    /// IPC_NOWAIT, SEM_UNDO.
    pub flg: i16,
}

/// semop(id, sops).
pub fn semop(id: i32, sops: &[Sembuf]) -> SysResult {
    // SAFETY: the kernel reads sops.len() entries.
    check(unsafe { syscall3(nr::SEMOP, id as usize, sops.as_ptr() as usize, sops.len()) })
}

/// semtimedop(id, sops, timeout) with a relative timeout [sec, nsec].
pub fn semtimedop(id: i32, sops: &[Sembuf], timeout: &[i64; 2]) -> SysResult {
    // SAFETY: the kernel reads the entries and the timespec.
    check(unsafe {
        syscall4(
            nr::SEMTIMEDOP,
            id as usize,
            sops.as_ptr() as usize,
            sops.len(),
            timeout.as_ptr() as usize,
        )
    })
}

/// shmget(key, size, flags).
pub fn shmget(key: i32, size: usize, flg: u32) -> SysResult<i32> {
    // SAFETY: integers only.
    check(unsafe { syscall3(nr::SHMGET, key as usize, size, flg as usize) }).map(|v| v as i32)
}

/// shmat(id, addr, flags): the address.
pub fn shmat(id: i32, addr: usize, flg: u32) -> SysResult {
    // SAFETY: the kernel maps memory; the caller decides what to touch.
    check(unsafe { syscall3(nr::SHMAT, id as usize, addr, flg as usize) })
}

/// shmdt(addr).
pub fn shmdt(addr: usize) -> SysResult {
    // SAFETY: unmapping; the caller must not use the memory afterwards.
    check(unsafe { syscall2(nr::SHMDT, addr, 0) })
}

/// shmctl(id, cmd, buf) with a raw buffer.
pub fn shmctl(id: i32, cmd: i32, buf: usize) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall3(nr::SHMCTL, id as usize, cmd as usize, buf) })
}
