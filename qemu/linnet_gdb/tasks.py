"""Tasks: the pid table and the `tasks` command (Linux scripts/gdb/linux/tasks.py, lx-ps)."""
import gdb

from .utils import arc_data, atomic, kernel_static, kernel_view, mutex_data, option, \
    parse_args, providers, rust_string

# The letter and word ps shows for each TaskState variant (its name comes from the
# debug info: task/task.rs).
STATE_NAMES = {"Running": "R (running)", "Interruptible": "S (sleeping)",
               "Zombie": "Z (zombie)", "Dead": "X (dead)"}


class Task:
    """The fields of one TaskStruct the helpers show."""

    def __init__(self, ts):
        self.addr = int(ts.address)
        self.pid = int(atomic(ts["pid"]))
        self.tgid = int(atomic(ts["tgid"]))
        inner, self.locked = mutex_data(ts["inner"])
        self.state = str(inner["state"]).split("::")[-1]
        self.comm = rust_string(inner["comm"])
        self.parent = int(inner["parent"])
        self.mm = option(inner["mm"])  # Arc<Mutex<MmStruct>>, or None


def current_task_addr():
    """Address of the running TaskStruct (sched::CURRENT holds Arc::into_raw's pointer)."""
    return int(atomic(kernel_static("linnet::task::sched::CURRENT")))


def all_tasks():
    """Every task in the pid table, in pid order, and whether TASKS is locked."""
    table, locked = mutex_data(kernel_static("linnet::task::sched::TASKS"))
    tasks = [Task(arc_data(t)) for _, t in providers.children_of_btree_map(table)]
    return tasks, locked


def find_task(pid):
    """The task with this pid (None = the current task)."""
    cur = current_task_addr()
    if cur == 0:
        raise gdb.GdbError("no current task yet (stopped before sched::init?)")
    if pid is None:
        ts = gdb.Value(cur).cast(gdb.lookup_type("linnet::task::task::TaskStruct").pointer())
        return Task(ts.dereference())
    for t in all_tasks()[0]:
        if t.pid == pid:
            return t
    raise gdb.GdbError("no task with pid %d" % pid)


class Tasks(gdb.Command):
    """List every task: pid, tgid, parent, state, name; * marks the current one.
Walks linnet::task::sched::TASKS, the pid table (Linux's pid hash and task list): a
BTreeMap<Pid, Arc<TaskStruct>> inside a spin::Mutex. TGID is the process (thread group):
threads of one process share it and their mm. STATE is the letter ps shows: R running or
runnable, S sleeping (in wait4, nanosleep, ...), Z zombie (exited, waiting for its parent
to reap it), X dead. TASK is the TaskStruct's address, for
`print *(ADDR as *const linnet::task::task::TaskStruct)`. The idle task (pid 0) is not in
the table; it is listed when it is the one running. Works stopped in kernel or user mode."""

    def __init__(self):
        super().__init__("tasks", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        parse_args(arg, 0)
        with kernel_view():
            cur = current_task_addr()
            tasks, locked = all_tasks()
            if cur and all(t.addr != cur for t in tasks):
                tasks.insert(0, find_task(None))  # the idle task
            header = ("PID", "TGID", "PPID", "STATE", "COMM", "TASK")
            print("  %5s %5s %5s  %-13s %-16s %s" % header)
            for t in tasks:
                mark = "*" if t.addr == cur else " "
                print("%s %5d %5d %5d  %-13s %-16s 0x%x" % (mark, t.pid, t.tgid, t.parent,
                      STATE_NAMES.get(t.state, t.state), t.comm, t.addr))
            if not tasks:
                print("(no tasks yet: stopped before the scheduler started?)")
            if locked:
                print("(TASKS is locked: stopped while the kernel was changing it)")


Tasks()
try:
    gdb.execute("alias lx-tasks = tasks")
except gdb.error:
    pass  # there already: this module was loaded again (qemu/linnet_gdb.py sourced again)
