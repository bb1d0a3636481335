//! What the three System V IPC kinds share (Linux `ipc/util.c`): a table of objects
//! found by id or key (`struct ipc_ids` with `ipcget`, `ipc_addid`, `ipc_rmid`,
//! `ipc_obtain_object_check`), the permission block every object carries
//! (`struct kern_ipc_perm`) and its user-space form (`struct ipc64_perm`).
//!
//! An id is `seq << 15 | index`: the index is a slot in the table, and `seq` counts
//! the objects created so far, so an id that named a removed object never names its
//! successor in the same slot (`ipc_buildid`, IPCMNI_SHIFT 15).

use crate::errno::Errno;
use alloc::vec::Vec;

pub use uapi::ipc::{IPC_CREAT, IPC_EXCL, IPC_NOWAIT, IPC_PRIVATE, IPC_RMID, IPC_SET, IPC_STAT};

/// Linux `IPCMNI_SHIFT`: the index part of an id.
const IPCMNI_SHIFT: u32 = 15;
/// Linux `IPCMNI`: most objects of one kind.
pub const IPCMNI: usize = 1 << IPCMNI_SHIFT;
/// Linux `IPCID_SEQ_MAX`.
const IPCID_SEQ_MAX: u32 = (i32::MAX >> IPCMNI_SHIFT) as u32;

/// The permission block (Linux `struct kern_ipc_perm`). Everyone is root, so the ids
/// are all 0 and only `mode` is kept; nothing is ever refused for permissions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernIpcPerm {
    /// The key it was created with.
    pub key: i32,
    /// The low nine bits of the creating flags, changed by IPC_SET.
    pub mode: u32,
    /// Owner and group (IPC_SET may change them).
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// The sequence number in the id.
    pub seq: u16,
}

impl KernIpcPerm {
    /// `struct ipc64_perm` (asm-generic `ipcbuf.h`, 48 bytes): key, uid, gid, cuid,
    /// cgid, mode, seq, two unused longs.
    pub fn to_ipc64(&self) -> [u8; 48] {
        let mut b = [0u8; 48];
        b[0..4].copy_from_slice(&self.key.to_le_bytes());
        b[4..8].copy_from_slice(&self.uid.to_le_bytes());
        b[8..12].copy_from_slice(&self.gid.to_le_bytes());
        b[20..24].copy_from_slice(&self.mode.to_le_bytes());
        b[24..26].copy_from_slice(&self.seq.to_le_bytes());
        b
    }

    /// IPC_SET's part (Linux `ipc_update_perm`): uid, gid and the low nine mode bits
    /// from a user `ipc64_perm`.
    pub fn set_from(&mut self, b: &[u8]) {
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        self.uid = u32_at(4);
        self.gid = u32_at(8);
        self.mode = (self.mode & !0o777) | (u32_at(20) & 0o777);
    }
}

struct Slot<T> {
    perm: KernIpcPerm,
    obj: T,
}

/// The objects of one kind (Linux `struct ipc_ids`).
pub struct IpcIds<T> {
    slots: Vec<Option<Slot<T>>>,
    seq: u32,
}

impl<T> Default for IpcIds<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> IpcIds<T> {
    /// An empty table.
    pub const fn new() -> Self {
        IpcIds {
            slots: Vec::new(),
            seq: 0,
        }
    }

    fn index(&self, id: i32) -> Result<usize, Errno> {
        if id < 0 {
            return Err(Errno::EINVAL);
        }
        let idx = (id as usize) & (IPCMNI - 1);
        match self.slots.get(idx) {
            Some(Some(s)) if s.perm.seq as i32 == id >> IPCMNI_SHIFT => Ok(idx),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The object with this id, or EINVAL (Linux `ipc_obtain_object_check`).
    pub fn get(&self, id: i32) -> Result<(&KernIpcPerm, &T), Errno> {
        let s = self.slots[self.index(id)?].as_ref().ok_or(Errno::EINVAL)?;
        Ok((&s.perm, &s.obj))
    }

    /// As `get`, to change it.
    pub fn get_mut(&mut self, id: i32) -> Result<(&mut KernIpcPerm, &mut T), Errno> {
        let i = self.index(id)?;
        let s = self.slots[i].as_mut().ok_or(Errno::EINVAL)?;
        Ok((&mut s.perm, &mut s.obj))
    }

    /// Does `id` name a live object?
    pub fn exists(&self, id: i32) -> bool {
        self.index(id).is_ok()
    }

    /// The id of the object created with `key` (Linux `ipc_findkey`).
    pub fn find_key(&self, key: i32) -> Option<i32> {
        self.slots.iter().enumerate().find_map(|(i, s)| {
            s.as_ref()
                .filter(|s| s.perm.key == key && key != IPC_PRIVATE)
                .map(|s| build_id(i, s.perm.seq))
        })
    }

    /// Add an object (Linux `ipc_addid`): the lowest free slot; ENOSPC when all
    /// `limit` are taken.
    pub fn add(&mut self, key: i32, mode: u32, obj: T, limit: usize) -> Result<i32, Errno> {
        let idx = match self.slots.iter().position(|s| s.is_none()) {
            Some(i) => i,
            None if self.slots.len() < limit.min(IPCMNI) => {
                self.slots.push(None);
                self.slots.len() - 1
            }
            None => return Err(Errno::ENOSPC),
        };
        let seq = self.seq as u16;
        self.seq = if self.seq >= IPCID_SEQ_MAX.min(u16::MAX as u32) {
            0
        } else {
            self.seq + 1
        };
        let perm = KernIpcPerm {
            key,
            mode: mode & 0o777,
            seq,
            ..Default::default()
        };
        self.slots[idx] = Some(Slot { perm, obj });
        Ok(build_id(idx, seq))
    }

    /// Take the object out (Linux `ipc_rmid`).
    pub fn remove(&mut self, id: i32) -> Option<T> {
        let i = self.index(id).ok()?;
        let s = self.slots[i].take()?;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        if let Some(c) = crate::mm::shrink::shrink_target(self.slots.len(), self.slots.capacity()) {
            self.slots.shrink_to(c);
        }
        Some(s.obj)
    }

    /// Every live object with its id.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (i32, &mut T)> {
        self.slots
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.as_mut().map(|s| (build_id(i, s.perm.seq), &mut s.obj)))
    }

    /// How many objects there are.
    pub fn count(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// The get call (Linux `ipcget`: `ipcget_new` for IPC_PRIVATE, else
    /// `ipcget_public`): a new object for IPC_PRIVATE or a new key with IPC_CREAT
    /// (ENOENT without it); an existing key's id unless IPC_CREAT|IPC_EXCL (EEXIST) or
    /// `more_checks` refuses it (Linux `.more_checks`, e.g. a larger size). `create`
    /// makes the object.
    pub fn ipcget(
        &mut self,
        key: i32,
        flg: u32,
        limit: usize,
        create: impl FnOnce() -> Result<T, Errno>,
        more_checks: impl FnOnce(&T) -> Result<(), Errno>,
    ) -> Result<i32, Errno> {
        if key != IPC_PRIVATE {
            if let Some(id) = self.find_key(key) {
                if flg & IPC_CREAT != 0 && flg & IPC_EXCL != 0 {
                    return Err(Errno::EEXIST);
                }
                more_checks(self.get(id)?.1)?;
                return Ok(id);
            }
            if flg & IPC_CREAT == 0 {
                return Err(Errno::ENOENT);
            }
        }
        let obj = create()?;
        self.add(key, flg, obj, limit)
    }
}

/// Linux `ipc_buildid`.
fn build_id(idx: usize, seq: u16) -> i32 {
    ((seq as i32) << IPCMNI_SHIFT) | idx as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keys_and_flags_as_ipcget() {
        let mut ids: IpcIds<u32> = IpcIds::new();
        let ok = |_: &u32| Ok(());
        assert_eq!(ids.ipcget(42, 0, 8, || Ok(1), ok), Err(Errno::ENOENT));
        let a = ids.ipcget(42, IPC_CREAT | 0o600, 8, || Ok(1), ok).unwrap();
        assert_eq!(a, 0);
        assert_eq!(ids.ipcget(42, 0, 8, || Ok(2), ok), Ok(a));
        assert_eq!(ids.ipcget(42, IPC_CREAT, 8, || Ok(2), ok), Ok(a));
        assert_eq!(
            ids.ipcget(42, IPC_CREAT | IPC_EXCL, 8, || Ok(2), ok),
            Err(Errno::EEXIST)
        );
        assert_eq!(
            ids.ipcget(42, 0, 8, || Ok(2), |_| Err(Errno::EINVAL)),
            Err(Errno::EINVAL)
        );
        // IPC_PRIVATE always makes a new one, never found by key.
        let p1 = ids.ipcget(IPC_PRIVATE, 0, 8, || Ok(3), ok).unwrap();
        let p2 = ids.ipcget(IPC_PRIVATE, 0, 8, || Ok(4), ok).unwrap();
        assert_ne!(p1, p2);
        assert_eq!(ids.get(p1).unwrap().1, &3);
        assert_eq!(ids.get(a).unwrap().0.mode, 0o600);
        // A removed id stays invalid even when its slot is reused.
        assert_eq!(ids.remove(a), Some(1));
        assert_eq!(ids.get(a).err(), Some(Errno::EINVAL));
        let b = ids.ipcget(42, IPC_CREAT, 8, || Ok(5), ok).unwrap();
        assert_ne!(a, b);
        assert_eq!(b & 0x7fff, a & 0x7fff);
        assert_eq!(ids.get(a).err(), Some(Errno::EINVAL));
        assert_eq!(ids.get(-1).err(), Some(Errno::EINVAL));
        assert_eq!(ids.count(), 3);
        // The table is full at its limit.
        let mut small: IpcIds<u32> = IpcIds::new();
        assert!(small.add(0, 0, 1, 1).is_ok());
        assert_eq!(small.add(0, 0, 1, 1), Err(Errno::ENOSPC));
    }

    #[test]
    fn perm_layout() {
        let mut p = KernIpcPerm {
            key: 0x1234,
            mode: 0o1640,
            seq: 3,
            ..Default::default()
        };
        let b = p.to_ipc64();
        assert_eq!(&b[0..4], &0x1234i32.to_le_bytes());
        assert_eq!(&b[20..24], &0o1640u32.to_le_bytes());
        assert_eq!(&b[24..26], &3u16.to_le_bytes());
        let mut set = [0u8; 48];
        set[4..8].copy_from_slice(&7u32.to_le_bytes());
        set[20..24].copy_from_slice(&0o7777u32.to_le_bytes());
        p.set_from(&set);
        assert_eq!((p.uid, p.mode), (7, 0o1777));
    }
}
