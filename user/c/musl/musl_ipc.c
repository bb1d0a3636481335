/* musl_ipc: System V IPC: message queues (msgget/msgsnd/msgrcv/msgctl), semaphores
 * (semget/semop/semctl) and shared memory (shmget/shmat/shmdt/shmctl), across a fork. */
#include "../tap.h"
#include <errno.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

struct msg {
    long mtype;
    char mtext[32];
};

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

int main(void)
{
    int status;

    /* Message queues. */
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    ok(q >= 0, "msgget(IPC_PRIVATE)");
    struct msg m = {2, "second type"};
    ok(msgsnd(q, &m, sizeof m.mtext, 0) == 0, "msgsnd type 2");
    m.mtype = 1;
    strcpy(m.mtext, "first type");
    ok(msgsnd(q, &m, sizeof m.mtext, 0) == 0, "msgsnd type 1");
    struct msqid_ds ds;
    ok(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 2, "msgctl IPC_STAT: 2 messages queued");
    struct msg r;
    ok(msgrcv(q, &r, sizeof r.mtext, 1, 0) == (ssize_t)sizeof r.mtext && strcmp(r.mtext, "first type") == 0,
       "msgrcv of type 1 skips the type-2 message");
    ok(msgrcv(q, &r, sizeof r.mtext, 0, 0) > 0 && r.mtype == 2, "msgrcv of any type gets type 2");
    ok(msgrcv(q, &r, sizeof r.mtext, 0, IPC_NOWAIT) == -1 && errno == ENOMSG, "an empty queue with IPC_NOWAIT: ENOMSG");
    pid_t pid = fork();
    if (pid == 0) {
        struct msg c = {7, "from child"};
        usleep(20000);
        _exit(msgsnd(q, &c, sizeof c.mtext, 0) == 0 ? 0 : 1);
    }
    ok(msgrcv(q, &r, sizeof r.mtext, 7, 0) > 0 && strcmp(r.mtext, "from child") == 0, "a blocking msgrcv gets the child's message");
    waitpid(pid, &status, 0);
    ok(msgctl(q, IPC_RMID, NULL) == 0, "msgctl IPC_RMID");
    ok(msgsnd(q, &m, sizeof m.mtext, 0) == -1 && (errno == EINVAL || errno == EIDRM), "the removed queue: EINVAL");

    /* Semaphores. */
    int s = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    ok(s >= 0, "semget(IPC_PRIVATE, 2)");
    union semun arg = {.val = 1};
    ok(semctl(s, 0, SETVAL, arg) == 0 && semctl(s, 0, GETVAL) == 1, "semctl SETVAL/GETVAL");
    struct sembuf down = {0, -1, 0}, up = {0, 1, 0};
    ok(semop(s, &down, 1) == 0 && semctl(s, 0, GETVAL) == 0, "semop -1");
    struct sembuf trydown = {0, -1, IPC_NOWAIT};
    ok(semop(s, &trydown, 1) == -1 && errno == EAGAIN, "semop -1 on 0 with IPC_NOWAIT: EAGAIN");
    pid = fork();
    if (pid == 0) {
        usleep(20000);
        _exit(semop(s, &up, 1) == 0 ? 0 : 1);
    }
    ok(semop(s, &down, 1) == 0, "a blocking semop is woken by the child's +1");
    waitpid(pid, &status, 0);
    unsigned short vals[2] = {3, 4};
    arg.array = vals;
    ok(semctl(s, 0, SETALL, arg) == 0, "semctl SETALL");
    unsigned short got[2] = {0, 0};
    arg.array = got;
    ok(semctl(s, 0, GETALL, arg) == 0 && got[0] == 3 && got[1] == 4, "semctl GETALL");
    struct sembuf two[2] = {{0, -3, 0}, {1, -4, 0}};
    ok(semop(s, two, 2) == 0 && semctl(s, 1, GETVAL) == 0, "semop on two semaphores at once");
    ok(semctl(s, 0, IPC_RMID) == 0, "semctl IPC_RMID");

    /* Shared memory, shared across fork. */
    int id = shmget(IPC_PRIVATE, 65536, IPC_CREAT | 0600);
    ok(id >= 0, "shmget(IPC_PRIVATE, 64 KiB)");
    char *p = shmat(id, NULL, 0);
    if (!ok(p != (void *)-1, "shmat")) {
        static char dummy[65536]; /* so the checks below fail instead of crashing */
        p = dummy;
        p[0] = 1;
    }
    ok(p[0] == 0 && p[65535] == 0, "new shared memory is zeroed");
    pid = fork();
    if (pid == 0) {
        strcpy(p, "written by the child");
        p[65535] = 'z';
        _exit(shmdt(p) == 0 ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    ok(strcmp(p, "written by the child") == 0 && p[65535] == 'z', "the parent sees the child's writes");
    struct shmid_ds sds;
    ok(shmctl(id, IPC_STAT, &sds) == 0 && sds.shm_segsz == 65536 && sds.shm_nattch == 1, "shmctl IPC_STAT: size, 1 attach");
    char *p2 = shmat(id, NULL, SHM_RDONLY);
    ok(p2 != (void *)-1 && p2 != p && strcmp(p2, "written by the child") == 0,
       "a second, read-only attach sees the same");
    ok(shmdt(p2) == 0 && shmdt(p) == 0, "shmdt both");
    ok(shmctl(id, IPC_RMID, NULL) == 0, "shmctl IPC_RMID");
    ok(shmat(id, NULL, 0) == (void *)-1, "shmat of the removed segment fails");
    return done();
}
