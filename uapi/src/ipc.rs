//! System V IPC: keys, flags and commands (Linux `include/uapi/linux/ipc.h`, `msg.h`,
//! `sem.h` and `shm.h`).

/// The key that always makes a new object (Linux `IPC_PRIVATE`).
pub const IPC_PRIVATE: i32 = 0;
/// get flag: create the object if the key has none.
pub const IPC_CREAT: u32 = 0o1000;
/// get flag: with IPC_CREAT, fail if it exists.
pub const IPC_EXCL: u32 = 0o2000;
/// op flag: fail with EAGAIN/ENOMSG instead of waiting.
pub const IPC_NOWAIT: u32 = 0o4000;
/// ctl command: remove the object.
pub const IPC_RMID: i32 = 0;
/// ctl command: set owner and mode.
pub const IPC_SET: i32 = 1;
/// ctl command: read the object's description.
pub const IPC_STAT: i32 = 2;

/// msgrcv: truncate a message longer than the buffer instead of failing with E2BIG.
pub const MSG_NOERROR: u32 = 0o10000;
/// msgrcv: take the first message whose type is not `msgtyp`.
pub const MSG_EXCEPT: u32 = 0o20000;
/// msgrcv: copy the message at index `msgtyp`, leaving it queued.
pub const MSG_COPY: u32 = 0o40000;

/// semop: undo the operation when the process exits.
pub const SEM_UNDO: i16 = 0x1000;
/// semctl: the pid of the last semop.
pub const GETPID: i32 = 11;
/// semctl: one semaphore's value.
pub const GETVAL: i32 = 12;
/// semctl: every value.
pub const GETALL: i32 = 13;
/// semctl: how many wait for the value to grow.
pub const GETNCNT: i32 = 14;
/// semctl: how many wait for zero.
pub const GETZCNT: i32 = 15;
/// semctl: set one value.
pub const SETVAL: i32 = 16;
/// semctl: set every value.
pub const SETALL: i32 = 17;

/// shmat: attach read-only.
pub const SHM_RDONLY: u32 = 0o10000;
/// shmat: round the address down to SHMLBA.
pub const SHM_RND: u32 = 0o20000;
/// shmat: replace a mapping already at the address.
pub const SHM_REMAP: u32 = 0o40000;
/// shmat: executable.
pub const SHM_EXEC: u32 = 0o100000;
/// shm_perm.mode: marked for removal at the last detach.
pub const SHM_DEST: u32 = 0o1000;
/// shm_perm.mode: locked in memory.
pub const SHM_LOCKED: u32 = 0o2000;
/// shmctl: lock the segment in memory.
pub const SHM_LOCK: i32 = 11;
/// shmctl: unlock it.
pub const SHM_UNLOCK: i32 = 12;
