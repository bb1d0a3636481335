//! A task's user and group ids (Linux `struct cred` in `include/linux/cred.h`) and the
//! rules the set*id calls follow (`kernel/sys.c`: `__sys_setuid`, `__sys_setreuid`,
//! `__sys_setresuid`, `__sys_setfsuid` and their gid twins).
//!
//! Every task starts as root. Linnet has no capability sets: CAP_SETUID and CAP_SETGID
//! are held exactly while the effective uid is 0, which is what Linux's uid-based
//! emulation (`cap_emulate_setxuid`) gives a process that started as root. The ids are
//! stored and reported; no other permission check in Linnet looks at them yet (kill,
//! files and IPC still treat everyone as root).

use crate::errno::Errno;

/// "Leave this id alone" in setreuid/setresuid (`(uid_t)-1`), also the one invalid id.
pub const NO_ID: u32 = u32::MAX;

/// One set of ids: real, effective, saved, filesystem.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ids {
    /// Real.
    pub r: u32,
    /// Effective.
    pub e: u32,
    /// Saved.
    pub s: u32,
    /// Filesystem.
    pub fs: u32,
}

impl Ids {
    /// setuid(id) / setgid(id) (Linux `__sys_setuid`): with the capability all of real,
    /// effective, saved; without, only the effective (and fs) id, to the real or saved.
    pub fn set(&mut self, id: u32, capable: bool) -> Result<(), Errno> {
        if id == NO_ID {
            return Err(Errno::EINVAL);
        }
        if capable {
            self.r = id;
            self.s = id;
        } else if id != self.r && id != self.s {
            return Err(Errno::EPERM);
        }
        self.e = id;
        self.fs = id;
        Ok(())
    }

    /// setreuid(r, e) / setregid (Linux `__sys_setreuid`).
    pub fn set_re(&mut self, r: u32, e: u32, capable: bool) -> Result<(), Errno> {
        let old = *self;
        let mut new = old;
        if r != NO_ID {
            if r != old.r && r != old.e && !capable {
                return Err(Errno::EPERM);
            }
            new.r = r;
        }
        if e != NO_ID {
            if e != old.r && e != old.e && e != old.s && !capable {
                return Err(Errno::EPERM);
            }
            new.e = e;
        }
        if r != NO_ID || (e != NO_ID && e != old.r) {
            new.s = new.e;
        }
        new.fs = new.e;
        *self = new;
        Ok(())
    }

    /// setresuid(r, e, s) / setresgid (Linux `__sys_setresuid`): without the capability
    /// each new id must be one of the old three.
    pub fn set_res(&mut self, r: u32, e: u32, s: u32, capable: bool) -> Result<(), Errno> {
        let old = *self;
        let allowed = |id: u32| id == NO_ID || capable || id == old.r || id == old.e || id == old.s;
        if !(allowed(r) && allowed(e) && allowed(s)) {
            return Err(Errno::EPERM);
        }
        if r != NO_ID {
            self.r = r;
        }
        if e != NO_ID {
            self.e = e;
        }
        if s != NO_ID {
            self.s = s;
        }
        self.fs = self.e;
        Ok(())
    }

    /// setfsuid(id) / setfsgid (Linux `__sys_setfsuid`): returns the old fs id; the new
    /// one is taken if it is one of the four ids or the capability is held.
    pub fn set_fs(&mut self, id: u32, capable: bool) -> u32 {
        let old = self.fs;
        if id != NO_ID && (capable || [self.r, self.e, self.s, self.fs].contains(&id)) {
            self.fs = id;
        }
        old
    }
}

/// A task's credentials (Linux `struct cred`, the id part).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cred {
    /// User ids.
    pub uid: Ids,
    /// Group ids.
    pub gid: Ids,
}

impl Cred {
    /// CAP_SETUID / CAP_SETGID / CAP_SYS_ADMIN ...: held while the effective uid is 0
    /// (Linux `capable`, simplified: no capability sets, root has them all).
    pub fn capable(&self) -> bool {
        self.uid.e == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setuid_as_root_then_not() {
        let mut c = Cred::default();
        assert_eq!(c.uid.set(NO_ID, c.capable()), Err(Errno::EINVAL));
        // Root: all ids change, and root is gone for good.
        assert_eq!(c.uid.set(1000, c.capable()), Ok(()));
        assert_eq!(
            c.uid,
            Ids {
                r: 1000,
                e: 1000,
                s: 1000,
                fs: 1000
            }
        );
        assert!(!c.capable());
        assert_eq!(c.uid.set(0, c.capable()), Err(Errno::EPERM));
    }

    #[test]
    fn effective_only_and_back() {
        let mut c = Cred::default();
        // seteuid(1000) = setresuid(-1, 1000, -1): the saved uid stays 0.
        assert_eq!(c.uid.set_res(NO_ID, 1000, NO_ID, c.capable()), Ok(()));
        assert_eq!(
            c.uid,
            Ids {
                r: 0,
                e: 1000,
                s: 0,
                fs: 1000
            }
        );
        assert!(!c.capable());
        assert_eq!(
            c.uid.set_res(NO_ID, 5, NO_ID, c.capable()),
            Err(Errno::EPERM)
        );
        assert_eq!(c.uid.set_res(NO_ID, 0, NO_ID, c.capable()), Ok(()));
        assert!(c.capable());
        // setreuid(-1, 7) from root with real 0: e != r, so saved follows.
        assert_eq!(c.uid.set_re(NO_ID, 7, c.capable()), Ok(()));
        assert_eq!(
            c.uid,
            Ids {
                r: 0,
                e: 7,
                s: 7,
                fs: 7
            }
        );
        // Unprivileged setuid to the real id is allowed.
        assert_eq!(c.uid.set(0, c.capable()), Ok(()));
        assert_eq!(c.uid.e, 0);
    }

    #[test]
    fn fsuid() {
        let mut ids = Ids {
            r: 1,
            e: 2,
            s: 3,
            fs: 2,
        };
        assert_eq!(ids.set_fs(3, false), 2);
        assert_eq!(ids.fs, 3);
        assert_eq!(ids.set_fs(9, false), 3);
        assert_eq!(ids.fs, 3); // refused, the old value returned either way
        assert_eq!(ids.set_fs(9, true), 3);
        assert_eq!(ids.fs, 9);
    }
}
