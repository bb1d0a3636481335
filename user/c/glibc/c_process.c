/* c_process: fork, exec, waitpid, system(), posix_spawn, pipes and dup2. The programs
 * run are /bin/sh (the host's under qemu-aarch64, the initrd's on Linnet). */
#include "../tap.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

static int read_all(int fd, char *buf, int cap)
{
    int len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, (size_t)(cap - 1 - len));
        if (r <= 0)
            break;
        len += (int)r;
    }
    buf[len] = 0;
    return len;
}

int main(void)
{
    int status;
    char buf[256];

    pid_t pid = fork();
    if (pid == 0)
        _exit(42);
    ok(pid > 0, "fork");
    ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 42,
       "waitpid: the child exited with 42");
    ok(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD, "waitpid with no children: ECHILD");

    /* fork + exec with the output through a pipe on the child's stdout (dup2). */
    int p[2];
    ok(pipe(p) == 0, "pipe");
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl("/bin/sh", "sh", "-c", "echo exec-ok; exit 7", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    read_all(p[0], buf, sizeof buf);
    close(p[0]);
    waitpid(pid, &status, 0);
    ok(strcmp(buf, "exec-ok\n") == 0, "fork+exec: the child's stdout arrives through the pipe");
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 7, "exec'd sh exited with 7");

    pid = fork();
    if (pid == 0) {
        execl("/no/such/program", "x", (char *)NULL);
        _exit(errno == ENOENT ? 3 : 4);
    }
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 3, "exec of a missing file: ENOENT");

    pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "a child killed by SIGTERM");

    /* system(). */
    status = system("exit 5");
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 5, "system(\"exit 5\") gives 5");
    ok(system(NULL) != 0, "system(NULL): a shell is available");
    fflush(stdout);

    /* posix_spawn with a file action that redirects stdout into a pipe. */
    ok(pipe(p) == 0, "pipe for posix_spawn");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    char *argv[] = {"sh", "-c", "echo spawned $0", "arg0", NULL};
    int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    ok(rc == 0, "posix_spawn returns 0");
    read_all(p[0], buf, sizeof buf);
    close(p[0]);
    ok(strcmp(buf, "spawned arg0\n") == 0, "posix_spawn: the child's output");
    ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "posix_spawn: waitpid");
    char *bad[] = {"x", NULL};
    rc = posix_spawn(&pid, "/no/such/program", NULL, NULL, bad, environ);
    if (rc == 0) { /* some implementations report the exec failure as exit status 127 */
        waitpid(pid, &status, 0);
        rc = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ENOENT : -1;
    }
    ok(rc == ENOENT, "posix_spawn of a missing file: ENOENT");

    /* Pipes and dup2 within the process. */
    ok(pipe(p) == 0, "pipe");
    int saved = dup(1);
    int d = dup2(p[1], 1); /* checked after fd 1 is back: a TAP line now would go into the pipe */
    write(1, "via-fd1", 7);
    dup2(saved, 1);
    ok(d == 1, "dup2 onto fd 1");
    close(saved);
    close(p[1]);
    ok(read_all(p[0], buf, sizeof buf) == 7 && strcmp(buf, "via-fd1") == 0, "what fd 1 wrote comes out of the pipe");
    close(p[0]);
    ok(dup2(1, 1) == 1, "dup2(1, 1) is a no-op returning 1");
    ok(dup2(1, -1) == -1 && errno == EBADF, "dup2 to -1: EBADF");
    int fd = fcntl(1, F_DUPFD_CLOEXEC, 10);
    ok(fd >= 10 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "F_DUPFD_CLOEXEC gives fd >= 10 with FD_CLOEXEC");
    close(fd);
    ok(pipe(p) == 0 && close(p[0]) == 0, "a pipe with its read end closed");
    signal(SIGPIPE, SIG_IGN);
    ok(write(p[1], "x", 1) == -1 && errno == EPIPE, "write to it: EPIPE (SIGPIPE ignored)");
    close(p[1]);
    return done();
}
