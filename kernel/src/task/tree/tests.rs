//! Host tests of the process tree rules over a table of plain records that logs the
//! effects (signals sent, parents notified, pids unhashed) in order.

use super::*;
use alloc::collections::BTreeMap;
use alloc::vec;

use uapi::signal::{SIGTERM, SIGUSR1};

/// One task's own fields.
struct Rec {
    tgid: Pid,
    state: TaskState,
    parent: Pid,
    exit_signal: i32,
    exit_code: i32,
    pdeath: i32,
    subreaper: bool,
    hashed: bool,
}

/// A process's shared fields (Linnet's `SignalStruct`).
#[derive(Default)]
struct Proc {
    live: usize,
    group_exit_code: Option<i32>,
    pgid: Pid,
    children: Vec<Pid>,
    action: ChldAction,
    times: (u64, u64),
    ctimes: (u64, u64),
}

/// What the rules did to the world, in order.
#[derive(Debug, PartialEq, Eq)]
enum Effect {
    Signal { to: Pid, sig: i32 },
    Notify { parent: Pid, child: Pid, sig: i32 },
    Unhash(Pid),
}

struct Fake {
    tasks: BTreeMap<Pid, Rec>,
    procs: BTreeMap<Pid, Proc>,
    next: Pid,
    log: Vec<Effect>,
}

impl TaskList for Fake {
    type Task = Pid;
    fn find_task(&self, pid: Pid) -> Option<Pid> {
        self.tasks.get(&pid).filter(|r| r.hashed).map(|_| pid)
    }
    fn thread_group(&self, tgid: Pid) -> Vec<Pid> {
        let hashed = |(_, r): &(&Pid, &Rec)| r.hashed && r.tgid == tgid;
        self.tasks.iter().filter(hashed).map(|(&p, _)| p).collect()
    }
    fn same_task(&self, a: &Pid, b: &Pid) -> bool {
        a == b
    }
    fn pid(&self, t: &Pid) -> Pid {
        *t
    }
    fn tgid(&self, t: &Pid) -> Pid {
        self.tasks[t].tgid
    }
    fn state(&self, t: &Pid) -> TaskState {
        self.tasks[t].state
    }
    fn set_state(&mut self, t: &Pid, s: TaskState) {
        self.rec(*t).state = s;
    }
    fn parent(&self, t: &Pid) -> Pid {
        self.tasks[t].parent
    }
    fn set_parent(&mut self, t: &Pid, parent: Pid) {
        self.rec(*t).parent = parent;
    }
    fn exit_signal(&self, t: &Pid) -> i32 {
        self.tasks[t].exit_signal
    }
    fn set_exit_signal(&mut self, t: &Pid, sig: i32) {
        self.rec(*t).exit_signal = sig;
    }
    fn exit_code(&self, t: &Pid) -> i32 {
        self.tasks[t].exit_code
    }
    fn pdeath_signal(&self, t: &Pid) -> i32 {
        self.tasks[t].pdeath
    }
    fn child_subreaper(&self, t: &Pid) -> bool {
        self.tasks[t].subreaper
    }
    fn live(&self, t: &Pid) -> usize {
        self.proc_of(*t).live
    }
    fn group_exit_code(&self, t: &Pid) -> Option<i32> {
        self.proc_of(*t).group_exit_code
    }
    fn pgid(&self, t: &Pid) -> Pid {
        self.proc_of(*t).pgid
    }
    fn children(&self, t: &Pid) -> Vec<Pid> {
        self.proc_of(*t).children.clone()
    }
    fn take_children(&mut self, t: &Pid) -> Vec<Pid> {
        core::mem::take(&mut self.proc_mut(*t).children)
    }
    fn add_child(&mut self, t: &Pid, child: Pid) {
        self.proc_mut(*t).children.push(child);
    }
    fn remove_child(&mut self, t: &Pid, child: Pid) {
        self.proc_mut(*t).children.retain(|&c| c != child);
    }
    fn sigchld_action(&self, t: &Pid) -> ChldAction {
        self.proc_of(*t).action
    }
    fn wait_times(&self, t: &Pid) -> (u64, u64) {
        let p = self.proc_of(*t);
        (p.times.0 + p.ctimes.0, p.times.1 + p.ctimes.1)
    }
    fn add_child_times(&mut self, t: &Pid, utime: u64, stime: u64) {
        let p = self.proc_mut(*t);
        p.ctimes.0 += utime;
        p.ctimes.1 += stime;
    }
    fn unhash_process(&mut self, t: &Pid) {
        let r = self.rec(*t);
        assert!(r.hashed, "pid {t} released twice");
        r.hashed = false;
        self.log.push(Effect::Unhash(*t));
    }
    fn send_signal(&mut self, t: &Pid, sig: i32) {
        self.log.push(Effect::Signal { to: *t, sig });
    }
    fn notify_parent(&mut self, parent: &Pid, child: &Pid, sig: i32) {
        let (parent, child) = (*parent, *child);
        self.log.push(Effect::Notify { parent, child, sig });
    }
}

impl Fake {
    /// A table with init (pid 1) alone.
    fn new() -> Fake {
        let mut f = Fake {
            tasks: BTreeMap::new(),
            procs: BTreeMap::new(),
            next: 1,
            log: Vec::new(),
        };
        f.spawn(0, 0, SIGCHLD);
        f
    }

    fn rec(&mut self, pid: Pid) -> &mut Rec {
        self.tasks.get_mut(&pid).expect("no such task")
    }

    fn proc_of(&self, pid: Pid) -> &Proc {
        &self.procs[&self.tasks[&pid].tgid]
    }

    fn proc_mut(&mut self, pid: Pid) -> &mut Proc {
        let tgid = self.tasks[&pid].tgid;
        self.procs.get_mut(&tgid).unwrap()
    }

    /// A new process, child of `parent` (not in the table: none), in `pgid` (0: its
    /// parent's group).
    fn spawn(&mut self, parent: Pid, pgid: Pid, exit_signal: i32) -> Pid {
        let pid = self.next;
        self.next += 1;
        self.tasks.insert(
            pid,
            Rec {
                tgid: pid,
                state: TaskState::Running,
                parent,
                exit_signal,
                exit_code: 0,
                pdeath: 0,
                subreaper: false,
                hashed: true,
            },
        );
        let known = self.tasks.contains_key(&parent);
        let pgid = match pgid {
            0 if known => self.proc_of(parent).pgid,
            0 => pid,
            g => g,
        };
        self.procs.insert(
            pid,
            Proc {
                live: 1,
                pgid,
                ..Default::default()
            },
        );
        if known {
            self.proc_mut(parent).children.push(pid);
        }
        pid
    }

    /// fork(): a child that sends SIGCHLD at exit.
    fn fork(&mut self, parent: Pid) -> Pid {
        self.spawn(parent, 0, SIGCHLD)
    }

    /// A new thread of process `tgid` (CLONE_THREAD: no exit signal).
    fn thread(&mut self, tgid: Pid) -> Pid {
        let pid = self.next;
        self.next += 1;
        let parent = self.tasks[&tgid].parent;
        self.tasks.insert(
            pid,
            Rec {
                tgid,
                state: TaskState::Running,
                parent,
                exit_signal: -1,
                exit_code: 0,
                pdeath: 0,
                subreaper: false,
                hashed: true,
            },
        );
        self.procs.get_mut(&tgid).unwrap().live += 1;
        pid
    }

    /// What `do_exit` does to the tree: one live thread fewer, then `exit_notify`.
    fn exit(&mut self, pid: Pid, status: i32) {
        self.rec(pid).exit_code = status;
        let p = self.proc_mut(pid);
        p.live -= 1;
        let group_dead = p.live == 0;
        exit_notify(self, &pid, group_dead);
    }

    /// wait4 / waitid's scan by process `me`.
    fn wait(&mut self, me: Pid, which: WaitFor, options: u32) -> KResult<Option<WaitResult>> {
        do_wait_thread(self, &me, which, options)
    }

    fn take_log(&mut self) -> Vec<Effect> {
        core::mem::take(&mut self.log)
    }
}

fn exited(code: i32) -> i32 {
    (code & 0xff) << 8
}

fn reaped(pid: Pid, status: i32) -> KResult<Option<WaitResult>> {
    Ok(Some(WaitResult {
        pid,
        status,
        utime: 0,
        stime: 0,
    }))
}

const WAIT4: u32 = WEXITED; // what sys_wait4 adds to every wait4

#[test]
fn exit_notify_makes_a_zombie_and_tells_the_parent() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    f.exit(c, exited(3));
    assert_eq!(f.state(&c), TaskState::Zombie);
    assert_eq!(f.find_task(c), Some(c), "a zombie keeps its pid");
    assert_eq!(
        f.take_log(),
        vec![Effect::Notify {
            parent: p,
            child: c,
            sig: SIGCHLD
        }]
    );
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), reaped(c, exited(3)));
    assert_eq!(f.state(&c), TaskState::Dead);
    assert_eq!(f.find_task(c), None);
    assert!(f.children(&p).is_empty());
    assert_eq!(f.take_log(), vec![Effect::Unhash(c)]);
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Err(Errno::ECHILD));
}

#[test]
fn wait4_without_children_is_echild() {
    let mut f = Fake::new();
    let p = f.fork(1);
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Err(Errno::ECHILD));
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4 | WNOHANG), Err(Errno::ECHILD));
    assert!(wait_done(&Err(Errno::ECHILD), 0));
}

#[test]
fn wait4_wnohang_with_a_running_child_returns_none_at_once() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    let r = f.wait(p, WaitFor::Any, WAIT4 | WNOHANG);
    assert_eq!(r, Ok(None));
    assert!(wait_done(&r, WAIT4 | WNOHANG), "WNOHANG: return 0 now");
    assert!(
        !wait_done(&r, WAIT4),
        "without WNOHANG: sleep and scan again"
    );
    assert_eq!(f.state(&c), TaskState::Running);
    f.exit(c, exited(0));
    let r = f.wait(p, WaitFor::Any, WAIT4);
    assert!(wait_done(&r, WAIT4));
    assert_eq!(r, reaped(c, 0));
}

#[test]
fn wait4_pid_selectors() {
    assert_eq!(wait_for_pid(-1, 9), Ok(WaitFor::Any));
    assert_eq!(wait_for_pid(0, 9), Ok(WaitFor::Pgid(9)));
    assert_eq!(wait_for_pid(-7, 9), Ok(WaitFor::Pgid(7)));
    assert_eq!(wait_for_pid(12, 9), Ok(WaitFor::Pid(12)));
    assert_eq!(wait_for_pid(i32::MIN, 9), Err(Errno::ESRCH));
}

#[test]
fn wait4_one_pid_among_many() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let a = f.fork(p);
    let b = f.fork(p);
    f.exit(a, exited(1));
    f.exit(b, exited(2));
    assert_eq!(f.wait(p, WaitFor::Pid(b), WAIT4), reaped(b, exited(2)));
    assert_eq!(f.state(&a), TaskState::Zombie, "a is left alone");
    assert_eq!(f.wait(p, WaitFor::Pid(b), WAIT4), Err(Errno::ECHILD));
    assert_eq!(f.wait(p, WaitFor::Pid(999), WAIT4), Err(Errno::ECHILD));
    let other = f.fork(1);
    let not_mine = f.fork(other);
    f.exit(not_mine, exited(0));
    assert_eq!(f.wait(p, WaitFor::Pid(not_mine), WAIT4), Err(Errno::ECHILD));
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), reaped(a, exited(1)));
}

#[test]
fn wait4_process_group_selectors() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let same = f.fork(p); // in p's group
    let other = f.spawn(p, 50, SIGCHLD);
    f.exit(same, exited(4));
    f.exit(other, exited(5));
    // pid 0: the caller's own group; pid < -1: group -pid.
    let mine = wait_for_pid(0, f.pgid(&p)).unwrap();
    assert_eq!(f.wait(p, mine, WAIT4), reaped(same, exited(4)));
    assert_eq!(f.wait(p, mine, WAIT4), Err(Errno::ECHILD));
    assert_eq!(f.wait(p, WaitFor::Pgid(51), WAIT4), Err(Errno::ECHILD));
    let g = wait_for_pid(-50, f.pgid(&p)).unwrap();
    assert_eq!(f.wait(p, g, WAIT4), reaped(other, exited(5)));
}

#[test]
fn wait4_wclone_and_wall_pick_by_exit_signal() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let clone_child = f.spawn(p, 0, SIGUSR1);
    f.exit(clone_child, exited(6));
    assert_eq!(
        f.take_log(),
        vec![Effect::Notify {
            parent: p,
            child: clone_child,
            sig: SIGUSR1
        }],
        "the parent gets the child's own exit signal"
    );
    // By default only SIGCHLD children count: a clone child alone is ECHILD.
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Err(Errno::ECHILD));
    let fork_child = f.fork(p);
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Ok(None));
    // __WCLONE: only the clone child.
    let r = f.wait(p, WaitFor::Any, WAIT4 | WCLONE | WNOWAIT);
    assert_eq!(r, reaped(clone_child, exited(6)));
    f.exit(fork_child, exited(7));
    assert_eq!(
        f.wait(p, WaitFor::Pid(fork_child), WAIT4 | WCLONE),
        Err(Errno::ECHILD)
    );
    // __WALL: both, in the order of the children list.
    assert_eq!(
        f.wait(p, WaitFor::Any, WAIT4 | WALL),
        reaped(clone_child, exited(6))
    );
    assert_eq!(
        f.wait(p, WaitFor::Any, WAIT4 | WALL | WCLONE),
        reaped(fork_child, exited(7))
    );
    // An exit signal of 0 (no signal) is a clone child too.
    let quiet = f.spawn(p, 0, 0);
    f.exit(quiet, exited(8));
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Err(Errno::ECHILD));
    assert_eq!(
        f.wait(p, WaitFor::Any, WAIT4 | WCLONE),
        reaped(quiet, exited(8))
    );
}

#[test]
fn waitid_wnowait_leaves_the_zombie() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    f.exit(c, 9); // killed by SIGKILL
    f.take_log();
    let r = f.wait(p, WaitFor::Any, WEXITED | WNOWAIT);
    assert_eq!(r, reaped(c, 9));
    assert_eq!(r.unwrap().unwrap().cld_code(), (CLD_KILLED, 9));
    assert_eq!(f.state(&c), TaskState::Zombie);
    assert_eq!(f.children(&p), vec![c]);
    assert!(f.take_log().is_empty(), "nothing released");
    assert_eq!(f.wait(p, WaitFor::Pid(c), WEXITED), reaped(c, 9));
    assert_eq!(f.find_task(c), None);
}

#[test]
fn waitid_without_wexited_reports_no_exit() {
    // WSTOPPED / WCONTINUED alone: Linnet has no stopped or continued children, and a
    // zombie is not reported without WEXITED.
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    f.exit(c, exited(1));
    for opts in [WSTOPPED, WCONTINUED, WSTOPPED | WCONTINUED | WNOHANG] {
        assert_eq!(f.wait(p, WaitFor::Any, opts), Ok(None), "options {opts:#x}");
        assert_eq!(f.state(&c), TaskState::Zombie);
    }
    assert!(!wait_done(&Ok(None), WSTOPPED), "sleeps for a change");
}

#[test]
fn wait4_accepts_wuntraced_wcontinued_wnothread() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    let opts = WAIT4 | WUNTRACED | WCONTINUED | WNOTHREAD;
    assert_eq!(f.wait(p, WaitFor::Any, opts), Ok(None));
    f.exit(c, exited(2));
    assert_eq!(f.wait(p, WaitFor::Any, opts), reaped(c, exited(2)));
    for o in [WNOHANG, WUNTRACED, WCONTINUED, WNOTHREAD, WALL, WCLONE] {
        assert_eq!(WAIT4_OPTIONS & o, o);
    }
    assert_eq!(WAIT4_OPTIONS & WNOWAIT, 0, "wait4 has no WNOWAIT");
    assert_eq!(WAITID_OPTIONS & WEXITED, WEXITED);
}

#[test]
fn wait_collects_times_into_the_parents_children_totals() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    f.procs.get_mut(&c).unwrap().times = (5, 2);
    f.procs.get_mut(&c).unwrap().ctimes = (10, 1); // its own reaped children
    f.exit(c, exited(0));
    let r = f.wait(p, WaitFor::Any, WAIT4).unwrap().unwrap();
    assert_eq!((r.utime, r.stime), (15, 3));
    assert_eq!(f.procs[&p].ctimes, (15, 3));
}

#[test]
fn cld_codes() {
    let r = |status| WaitResult {
        status,
        ..Default::default()
    };
    assert_eq!(r(exited(42)).cld_code(), (CLD_EXITED, 42));
    assert_eq!(r(15).cld_code(), (CLD_KILLED, 15));
    assert_eq!(r(0x80 | 11).cld_code(), (CLD_DUMPED, 11));
}

#[test]
fn a_delayed_group_leader_is_reported_by_the_last_thread() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    let t = f.thread(c);
    f.exit(c, exited(5)); // the leader's pthread_exit
    assert_eq!(f.state(&c), TaskState::Zombie);
    assert!(f.take_log().is_empty(), "the process has not ended");
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Ok(None));
    f.exit(t, exited(0));
    assert_eq!(
        f.take_log(),
        vec![
            Effect::Unhash(t),
            Effect::Notify {
                parent: p,
                child: c,
                sig: SIGCHLD
            }
        ]
    );
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), reaped(c, exited(5)));
}

#[test]
fn a_group_exit_reports_the_group_code() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let c = f.fork(p);
    let t = f.thread(c);
    f.procs.get_mut(&c).unwrap().group_exit_code = Some(exited(9));
    f.exit(t, exited(9)); // the caller of exit_group
    assert_eq!(f.find_task(t), None, "a thread is released at once");
    assert!(f.children(&p).contains(&c), "a thread is no child");
    f.exit(c, 9); // killed by the group's SIGKILL
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), reaped(c, exited(9)));
    assert_eq!(zombie_status(&f, &t, 1), exited(9));
}

#[test]
fn zombie_status_of_a_thread_is_its_leaders() {
    let mut f = Fake::new();
    let c = f.fork(1);
    let t = f.thread(c);
    f.rec(c).exit_code = exited(3);
    assert_eq!(zombie_status(&f, &t, exited(1)), exited(3));
    assert_eq!(zombie_status(&f, &c, exited(1)), exited(1));
}

#[test]
fn a_parent_ignoring_sigchld_gets_no_zombie() {
    let mut f = Fake::new();
    let p = f.fork(1);
    f.procs.get_mut(&p).unwrap().action.sig_ign = true;
    let c = f.fork(p);
    f.exit(c, exited(1));
    assert_eq!(f.state(&c), TaskState::Dead);
    assert_eq!(
        f.take_log(),
        vec![
            Effect::Notify {
                parent: p,
                child: c,
                sig: 0
            },
            Effect::Unhash(c)
        ],
        "waiters are woken, no signal is sent, the child reaps itself"
    );
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Err(Errno::ECHILD));
}

#[test]
fn sa_nocldwait_autoreaps_but_still_signals() {
    let mut f = Fake::new();
    let p = f.fork(1);
    f.procs.get_mut(&p).unwrap().action.nocldwait = true;
    let c = f.fork(p);
    f.exit(c, exited(1));
    assert_eq!(
        f.take_log(),
        vec![
            Effect::Notify {
                parent: p,
                child: c,
                sig: SIGCHLD
            },
            Effect::Unhash(c)
        ]
    );
    // A clone child is never autoreaped: it sends its own signal and waits as a zombie.
    let cc = f.spawn(p, 0, SIGUSR1);
    f.exit(cc, exited(2));
    assert_eq!(f.state(&cc), TaskState::Zombie);
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4 | WALL), reaped(cc, exited(2)));
}

#[test]
fn notify_decisions() {
    let dfl = ChldAction::default();
    let ign = ChldAction {
        sig_ign: true,
        nocldwait: false,
    };
    let nocldwait = ChldAction {
        sig_ign: false,
        nocldwait: true,
    };
    assert_eq!(notify_decision(SIGCHLD, dfl), (SIGCHLD, false));
    assert_eq!(notify_decision(SIGCHLD, ign), (0, true));
    assert_eq!(notify_decision(SIGCHLD, nocldwait), (SIGCHLD, true));
    assert_eq!(notify_decision(SIGUSR1, ign), (SIGUSR1, false));
    assert_eq!(notify_decision(-1, nocldwait), (-1, false));
}

#[test]
fn an_orphan_without_a_parent_reaps_itself() {
    let mut f = Fake::new();
    let c = f.spawn(77, 0, SIGCHLD); // its parent is not in the table
    f.exit(c, exited(0));
    assert_eq!(f.state(&c), TaskState::Dead);
    assert_eq!(f.take_log(), vec![Effect::Unhash(c)]);
}

#[test]
fn orphans_are_reparented_to_init_before_the_parent_is_reported() {
    let mut f = Fake::new();
    let g = f.fork(1);
    let p = f.fork(g);
    let running = f.fork(p);
    let t = f.thread(running);
    let zombie = f.spawn(p, 0, SIGUSR1);
    f.exit(zombie, exited(4));
    f.take_log();
    f.exit(p, exited(0));
    assert_eq!(
        f.take_log(),
        vec![
            Effect::Notify {
                parent: INIT_PID,
                child: zombie,
                sig: SIGCHLD
            },
            Effect::Notify {
                parent: g,
                child: p,
                sig: SIGCHLD
            },
        ],
        "the zombie is reported to init, with SIGCHLD, before p to its parent"
    );
    assert_eq!(f.parent(&running), INIT_PID);
    assert_eq!(f.parent(&t), INIT_PID, "every thread gets the new parent");
    assert_eq!(f.parent(&zombie), INIT_PID);
    assert_eq!(f.exit_signal(&zombie), SIGCHLD);
    assert!(f.children(&p).is_empty());
    assert_eq!(f.children(&INIT_PID), vec![g, running, zombie]);
    // init reaps what it adopted, by default wait (they all send SIGCHLD now).
    assert_eq!(
        f.wait(INIT_PID, WaitFor::Pid(zombie), WAIT4),
        reaped(zombie, exited(4))
    );
    assert_eq!(f.wait(p, WaitFor::Any, WAIT4), Err(Errno::ECHILD));
    assert_eq!(f.wait(g, WaitFor::Any, WAIT4), reaped(p, 0));
}

#[test]
fn an_init_ignoring_sigchld_reaps_adopted_zombies_at_once() {
    let mut f = Fake::new();
    f.procs.get_mut(&INIT_PID).unwrap().action.sig_ign = true;
    let p = f.fork(INIT_PID);
    let z = f.fork(p);
    f.exit(z, exited(1));
    f.exit(p, exited(0));
    assert_eq!(f.state(&z), TaskState::Dead);
    assert_eq!(f.state(&p), TaskState::Dead);
    assert!(f.children(&INIT_PID).is_empty());
}

#[test]
fn a_subreaper_adopts_before_init() {
    let mut f = Fake::new();
    let s = f.fork(1);
    f.rec(s).subreaper = true;
    let x = f.fork(s);
    let p = f.fork(x);
    let c = f.fork(p);
    assert_eq!(find_new_reaper(&f, &p), s, "the nearest subreaper ancestor");
    f.exit(p, exited(0));
    assert_eq!(f.parent(&c), s);
    assert_eq!(f.children(&s), vec![x, c]);
    // A subreaper that is exiting itself (no live thread) is passed over.
    f.procs.get_mut(&s).unwrap().live = 0;
    assert_eq!(find_new_reaper(&f, &c), INIT_PID);
    f.procs.get_mut(&s).unwrap().live = 1;
    // The subreaper's own children go to init when it exits.
    f.exit(s, exited(0));
    assert_eq!(f.parent(&c), INIT_PID);
    assert_eq!(f.parent(&x), INIT_PID);
}

#[test]
fn pdeath_signals_go_to_live_children_only() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let a = f.fork(p);
    f.rec(a).pdeath = SIGTERM;
    let b = f.fork(p); // no pdeath signal
    let z = f.fork(p);
    f.rec(z).pdeath = SIGTERM;
    f.exit(z, exited(0));
    f.take_log();
    f.exit(p, exited(0));
    let log = f.take_log();
    assert_eq!(
        log[0],
        Effect::Signal {
            to: a,
            sig: SIGTERM
        }
    );
    assert!(!log.contains(&Effect::Signal {
        to: z,
        sig: SIGTERM
    }));
    assert!(!log
        .iter()
        .any(|e| matches!(e, Effect::Signal { to, .. } if *to == b)));
}

#[test]
fn release_task_of_a_thread_leaves_the_children_list_alone() {
    let mut f = Fake::new();
    let p = f.fork(1);
    let t = f.thread(p);
    let c = f.fork(p);
    release_task(&mut f, &t);
    assert_eq!(f.children(&f.parent(&p)), vec![p]);
    assert_eq!(f.children(&p), vec![c]);
    release_task(&mut f, &p);
    assert!(f.children(&INIT_PID).is_empty());
}
