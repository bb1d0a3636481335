//! System V IPC: message queues, semaphores, shared memory (the kernel side is
//! `kernel/src/ipc/`). Values from Linux `include/uapi/linux/ipc.h`, `msg.h`, `sem.h`,
//! `shm.h`.

use crate::errno::{check, SysResult};
use crate::syscall::{syscall2, syscall3, syscall4, syscall5};

/// Syscall numbers (uapi's `__NR_*`, Linux `include/uapi/asm-generic/unistd.h`).
pub use crate::syscall::nr;

pub use uapi::ipc::{
    GETALL, GETNCNT, GETPID, GETVAL, GETZCNT, IPC_CREAT, IPC_EXCL, IPC_NOWAIT, IPC_PRIVATE,
    IPC_RMID, IPC_SET, IPC_STAT, MSG_EXCEPT, MSG_NOERROR, SEM_UNDO, SETALL, SETVAL, SHM_DEST,
    SHM_RDONLY, SHM_RND,
};

/// msgget(key, flags).
pub fn msgget(key: i32, flg: u32) -> SysResult<i32> {
    // SAFETY: integers only.
    check(unsafe { syscall2(nr::__NR_msgget, key as usize, flg as usize) }).map(|v| v as i32)
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
            nr::__NR_msgsnd,
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
    check(unsafe { syscall4(nr::__NR_msgsnd, id as usize, msgp, size, flg as usize) })
}

/// msgrcv into `text` (at most its length): (type, bytes).
pub fn msgrcv(id: i32, text: &mut [u8], typ: i64, flg: u32) -> SysResult<(i64, usize)> {
    let mut buf = [0u8; 8 + 256];
    let n = text.len().min(256);
    // SAFETY: the kernel writes at most 8 + n bytes into buf.
    let got = check(unsafe {
        syscall5(
            nr::__NR_msgrcv,
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
    check(unsafe { syscall3(nr::__NR_msgctl, id as usize, cmd as usize, buf) })
}

/// semget(key, nsems, flags).
pub fn semget(key: i32, nsems: i32, flg: u32) -> SysResult<i32> {
    // SAFETY: integers only.
    check(unsafe { syscall3(nr::__NR_semget, key as usize, nsems as usize, flg as usize) })
        .map(|v| v as i32)
}

/// semctl(id, num, cmd, arg): `arg` is the union's value (an int or a pointer).
pub fn semctl(id: i32, num: i32, cmd: i32, arg: usize) -> SysResult {
    // SAFETY: the kernel checks a pointer argument.
    check(unsafe {
        syscall4(
            nr::__NR_semctl,
            id as usize,
            num as usize,
            cmd as usize,
            arg,
        )
    })
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
    check(unsafe {
        syscall3(
            nr::__NR_semop,
            id as usize,
            sops.as_ptr() as usize,
            sops.len(),
        )
    })
}

/// semtimedop(id, sops, timeout) with a relative timeout [sec, nsec].
pub fn semtimedop(id: i32, sops: &[Sembuf], timeout: &[i64; 2]) -> SysResult {
    // SAFETY: the kernel reads the entries and the timespec.
    check(unsafe {
        syscall4(
            nr::__NR_semtimedop,
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
    check(unsafe { syscall3(nr::__NR_shmget, key as usize, size, flg as usize) }).map(|v| v as i32)
}

/// shmat(id, addr, flags): the address.
pub fn shmat(id: i32, addr: usize, flg: u32) -> SysResult {
    // SAFETY: the kernel maps memory; the caller decides what to touch.
    check(unsafe { syscall3(nr::__NR_shmat, id as usize, addr, flg as usize) })
}

/// shmdt(addr).
pub fn shmdt(addr: usize) -> SysResult {
    // SAFETY: unmapping; the caller must not use the memory afterwards.
    check(unsafe { syscall2(nr::__NR_shmdt, addr, 0) })
}

/// shmctl(id, cmd, buf) with a raw buffer.
pub fn shmctl(id: i32, cmd: i32, buf: usize) -> SysResult {
    // SAFETY: the kernel checks the pointer.
    check(unsafe { syscall3(nr::__NR_shmctl, id as usize, cmd as usize, buf) })
}
