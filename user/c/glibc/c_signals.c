/* c_signals: signal handlers installed with sigaction (glibc and musl give no
 * SA_RESTORER on arm64: the kernel returns through the vDSO), raise, alarm, sigsuspend,
 * SA_SIGINFO, sigprocmask, nanosleep (and its EINTR with the time left). */
#include "../tap.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t got_usr1, got_alrm, got_chld, info_code, info_pid;

static void on_usr1(int sig)
{
    (void)sig;
    got_usr1++;
}

static void on_alrm(int sig)
{
    (void)sig;
    got_alrm++;
}

static void on_chld_info(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    got_chld++;
    info_code = si->si_code;
    info_pid = si->si_pid;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    ok(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction(SIGUSR1)");
    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    ok(old.sa_handler == on_usr1, "sigaction reads the handler back");
    ok(raise(SIGUSR1) == 0 && got_usr1 == 1, "raise: the handler ran once, and returned");
    kill(getpid(), SIGUSR1);
    ok(got_usr1 == 2, "kill(getpid()): the handler ran again");

    /* Blocked, then delivered on unblock; sigpending. */
    sigset_t set, oldset, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &oldset);
    raise(SIGUSR1);
    ok(got_usr1 == 2, "a blocked signal waits");
    sigpending(&pending);
    ok(sigismember(&pending, SIGUSR1), "sigpending shows it");
    sigprocmask(SIG_SETMASK, &oldset, NULL);
    ok(got_usr1 == 3, "unblocking delivers it");

    /* sigsuspend: block SIGUSR1, have a child send it, suspend with it unblocked. */
    sigprocmask(SIG_BLOCK, &set, &oldset);
    pid_t pid = fork();
    if (pid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigset_t wait_mask;
    sigprocmask(SIG_BLOCK, NULL, &wait_mask);
    sigdelset(&wait_mask, SIGUSR1);
    int r = sigsuspend(&wait_mask);
    ok(r == -1 && errno == EINTR && got_usr1 == 4, "sigsuspend returns EINTR after the handler");
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    ok(sigismember(&now, SIGUSR1), "sigsuspend restores the old mask");
    sigprocmask(SIG_SETMASK, &oldset, NULL);
    waitpid(pid, NULL, 0);

    /* SA_SIGINFO: SIGCHLD with si_code CLD_EXITED and the child's pid. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_BLOCK, NULL, &wait_mask);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &oldset);
    pid = fork();
    if (pid == 0)
        _exit(3);
    while (!got_chld)
        sigsuspend(&wait_mask);
    sigprocmask(SIG_SETMASK, &oldset, NULL);
    ok(got_chld == 1 && info_code == CLD_EXITED && info_pid == pid, "SA_SIGINFO: SIGCHLD with CLD_EXITED and the pid");
    waitpid(pid, NULL, 0);

    /* alarm: SIGALRM after 1 s interrupts pause(). */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ok(alarm(1) == 0, "alarm(1) returns 0 (no earlier alarm)");
    r = pause();
    long ms = ms_since(&t0);
    ok(r == -1 && errno == EINTR && got_alrm == 1, "pause returns EINTR after SIGALRM");
    ok(ms >= 900 && ms < 5000, "the alarm came after about 1 s");
    alarm(10);
    ok(alarm(0) >= 9, "alarm(0) cancels and returns the seconds left");

    /* setitimer (ITIMER_REAL) fires repeatedly. */
    struct itimerval it = {{0, 20000}, {0, 20000}};
    got_alrm = 0;
    ok(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer(ITIMER_REAL, 20 ms interval)");
    while (got_alrm < 3)
        pause();
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    ok(got_alrm >= 3, "the interval timer fired 3 times");

    /* nanosleep, plain and interrupted. */
    struct timespec req = {0, 100 * 1000000}, rem = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ok(nanosleep(&req, NULL) == 0, "nanosleep(100 ms)");
    ms = ms_since(&t0);
    ok(ms >= 100 && ms < 5000, "nanosleep slept at least 100 ms");
    got_alrm = 0;
    alarm(1);
    req.tv_sec = 5;
    req.tv_nsec = 0;
    r = nanosleep(&req, &rem);
    ok(r == -1 && errno == EINTR && got_alrm == 1, "nanosleep interrupted by SIGALRM: EINTR");
    ok(rem.tv_sec >= 3 && rem.tv_sec <= 4, "nanosleep reports the time left (~4 s)");

    /* SIG_IGN, SIG_DFL; a signal's default action kills a child. */
    signal(SIGUSR2, SIG_IGN);
    ok(raise(SIGUSR2) == 0, "raise of an ignored signal is harmless");
    pid = fork();
    if (pid == 0) {
        signal(SIGUSR2, SIG_DFL);
        raise(SIGUSR2);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR2, "SIG_DFL of SIGUSR2 kills the process");
    return done();
}
