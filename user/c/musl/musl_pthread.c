/* musl_pthread: condition variables (musl requeues waiters with FUTEX_REQUEUE), robust
 * mutexes (set_robust_list; the owner dies, the next locker gets EOWNERDEAD) and
 * priority-inheritance mutexes (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI). */
#include "../tap.h"
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go, arrived, woken;
static pthread_mutex_t robust, pi;
static long pi_count;

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    arrived++;
    while (!go)
        pthread_cond_wait(&cv, &mu);
    woken++;
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *die_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* exits with the robust mutex held */
}

static void *pi_adder(void *arg)
{
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&pi);
        pi_count++;
        pthread_mutex_unlock(&pi);
    }
    return arg;
}

static void wait_arrived(int n)
{
    for (;;) {
        pthread_mutex_lock(&mu);
        int a = arrived;
        pthread_mutex_unlock(&mu);
        if (a >= n)
            return;
        usleep(1000);
    }
}

int main(void)
{
    pthread_t t[8];

    /* Condition variables: signal wakes one, broadcast the rest. */
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, waiter, NULL);
    wait_arrived(4);
    usleep(10000);
    pthread_mutex_lock(&mu);
    go = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_mutex_lock(&mu);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ok(woken == 4, "condvar: signal + broadcast wake all 4 waiters (%d)", woken);

    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 50 * 1000000;
    if (dl.tv_nsec >= 1000000000) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&mu);
    go = 0;
    int rc = pthread_cond_timedwait(&cv, &mu, &dl);
    pthread_mutex_unlock(&mu);
    ok(rc == ETIMEDOUT, "pthread_cond_timedwait: ETIMEDOUT");

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    ok(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0, "a CLOCK_MONOTONIC condvar");
    pthread_cond_t mcv;
    pthread_cond_init(&mcv, &ca);
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_nsec += 30 * 1000000;
    if (dl.tv_nsec >= 1000000000) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&mu);
    rc = pthread_cond_timedwait(&mcv, &mu, &dl);
    pthread_mutex_unlock(&mu);
    ok(rc == ETIMEDOUT, "its timedwait: ETIMEDOUT");

    /* Robust mutex: the owner thread exits holding it. musl's setrobust first asks the
     * kernel with get_robust_list; qemu-user 7.2 answers ENOSYS to it (and ignores
     * set_robust_list), so under qemu-user this part is skipped; Linnet must pass it. */
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    rc = pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    if (rc == ENOSYS && !is_linnet()) {
        for (int i = 0; i < 6; i++)
            ok(1, "robust mutex # SKIP qemu-user has no get_robust_list");
        goto pi_part;
    }
    ok(rc == 0, "pthread_mutexattr_setrobust");
    ok(pthread_mutex_init(&robust, &at) == 0, "a robust mutex");
    pthread_create(&t[0], NULL, die_holding, NULL);
    pthread_join(t[0], NULL);
    rc = pthread_mutex_lock(&robust);
    ok(rc == EOWNERDEAD, "locking after the owner died: EOWNERDEAD (%d)", rc);
    ok(pthread_mutex_consistent(&robust) == 0, "pthread_mutex_consistent");
    ok(pthread_mutex_unlock(&robust) == 0, "unlock");
    ok(pthread_mutex_lock(&robust) == 0, "lock again: 0");
    pthread_mutex_unlock(&robust);

pi_part:
    /* Priority-inheritance mutex. */
    pthread_mutexattr_init(&at);
    ok(pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT) == 0, "pthread_mutexattr_setprotocol(PRIO_INHERIT)");
    ok(pthread_mutex_init(&pi, &at) == 0, "a PI mutex");
    ok(pthread_mutex_lock(&pi) == 0, "lock the PI mutex");
    ok(pthread_mutex_trylock(&pi) == EBUSY || pthread_mutex_trylock(&pi) == EDEADLK, "trylock while held fails");
    ok(pthread_mutex_unlock(&pi) == 0, "unlock the PI mutex");
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, pi_adder, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ok(pi_count == 20000, "PI mutex: 4 threads x 5000 increments (%ld)", pi_count);
    return done();
}
