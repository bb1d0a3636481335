/* musl_vfork_rt: vfork semantics (the parent sleeps until the child execs or exits,
 * sharing its memory meanwhile) and real-time signals (queued: 100 sigqueue()s of a
 * blocked SIGRTMIN+1 run its handler 100 times, each with its value).
 * musl 1.2.3's vfork() on arm64 is a plain fork (clone(SIGCHLD, 0)); its posix_spawn
 * uses clone(CLONE_VM | CLONE_VFORK) on a stack of its own, and so does this test. */
#include "../tap.h"
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <sys/wait.h>

static volatile int shared_var;
static volatile int rt_runs, rt_sum, rt_code_ok = 1, rt_order_ok = 1, std_runs;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    if (si->si_code != SI_QUEUE || si->si_pid != getpid())
        rt_code_ok = 0;
    if (si->si_value.sival_int != rt_runs)
        rt_order_ok = 0;
    rt_sum += si->si_value.sival_int;
    rt_runs++;
}

static void on_usr1(int sig)
{
    (void)sig;
    std_runs++;
}

static int vfork_child(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL); /* the parent must still be asleep after this */
    shared_var = 2;
    return 9;
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));

int main(void)
{
    int status;

    /* vfork(): in musl a fork; the child's exit status. */
    pid_t pid = vfork();
    if (pid == 0)
        _exit(9);
    ok(pid > 0, "vfork");
    ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 9, "vfork: the child's exit status");

    /* clone(CLONE_VM | CLONE_VFORK): the child sleeps 100 ms, then writes our memory and
     * exits; we resume only after that. qemu-user 7.2 turns CLONE_VM | CLONE_VFORK into a
     * plain fork (separate memory, no waiting), so under it only Linnet (and Linux) can be
     * held to this check. */
    shared_var = 1;
    pid = clone(vfork_child, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    int seen = shared_var;
    ok(pid > 0, "clone(CLONE_VM | CLONE_VFORK)");
    ok(seen == 2 || !is_linnet(), "CLONE_VFORK: we resume after the child exits; CLONE_VM: we see its write");
    ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 9, "its exit status");

    /* vfork + exec. */
    int p[2];
    pipe(p);
    pid = vfork();
    if (pid == 0) {
        dup2(p[1], 1);
        execl("/bin/sh", "sh", "-c", "echo vforked", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char buf[64];
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    close(p[0]);
    waitpid(pid, &status, 0);
    ok(strcmp(buf, "vforked\n") == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "vfork + exec runs sh");

    /* Real-time signals queue. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    ok(sigaction(SIGRTMIN + 1, &sa, NULL) == 0, "sigaction(SIGRTMIN+1, SA_SIGINFO)");
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 1);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    int sent = 0;
    for (int i = 0; i < 100; i++) {
        union sigval v = {.sival_int = i};
        sent += sigqueue(getpid(), SIGRTMIN + 1, v) == 0;
    }
    ok(sent == 100, "100 sigqueue() of a blocked SIGRTMIN+1 succeed");
    ok(rt_runs == 0, "none delivered while blocked");
    sigprocmask(SIG_SETMASK, &old, NULL);
    ok(rt_runs == 100, "unblocked: the handler ran 100 times (%d)", rt_runs);
    ok(rt_sum == 4950, "each run got its own sival_int (sum 0..99)");
    ok(rt_order_ok, "in the order they were sent");
    ok(rt_code_ok, "si_code SI_QUEUE and si_pid = ours");

    /* Standard signals do not queue: 5 SIGUSR1 while blocked run the handler once. */
    signal(SIGUSR1, on_usr1);
    sigprocmask(SIG_BLOCK, &set, &old);
    for (int i = 0; i < 5; i++)
        kill(getpid(), SIGUSR1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    ok(std_runs == 1, "5 blocked SIGUSR1 are delivered once");

    /* sigtimedwait takes a queued real-time signal with its value. */
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &set, &old);
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGRTMIN + 2, v);
    siginfo_t si;
    struct timespec ts = {1, 0};
    int sig = sigtimedwait(&set, &si, &ts);
    ok(sig == SIGRTMIN + 2 && si.si_value.sival_int == 1234, "sigtimedwait takes it with its value");
    ts.tv_sec = 0;
    ts.tv_nsec = 50 * 1000000;
    ok(sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN, "sigtimedwait with nothing pending: EAGAIN after the timeout");
    return done();
}
