/* c_pthread: POSIX threads: create/join with a result, a mutex under contention, a
 * condition variable (signal, broadcast, timed wait), semaphores (sem_wait, sem_post,
 * sem_trywait, sem_timedwait), thread-local storage, pthread_once. */
#include "../tap.h"
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter;
static int go, arrived;
static sem_t sem;
static __thread int tls_value = 5;
static int once_runs;

static void *adder(void *arg)
{
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return arg;
}

static void *square(void *arg)
{
    return (void *)((intptr_t)arg * (intptr_t)arg);
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    arrived++;
    while (!go)
        pthread_cond_wait(&cv, &mu);
    counter++;
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *sem_poster(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        sem_post(&sem);
    return NULL;
}

static void *tls_thread(void *arg)
{
    (void)arg;
    tls_value += 100;
    return (void *)(intptr_t)tls_value;
}

static void once_fn(void)
{
    once_runs++;
}

static void *once_thread(void *arg)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, once_fn);
    return arg;
}

static struct timespec in_ms(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
    pthread_t t[8];
    void *ret;

    ok(pthread_create(&t[0], NULL, square, (void *)12) == 0, "pthread_create");
    ok(pthread_join(t[0], &ret) == 0 && (intptr_t)ret == 144, "pthread_join returns the thread's result");
    ok(pthread_self() != t[0], "pthread_self differs from the joined thread");

    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ok(counter == 40000, "mutex: 4 threads x 10000 increments (%ld)", counter);
    ok(pthread_mutex_trylock(&mu) == 0, "pthread_mutex_trylock of a free mutex");
    ok(pthread_mutex_trylock(&mu) == EBUSY, "pthread_mutex_trylock of a held mutex: EBUSY");
    pthread_mutex_unlock(&mu);

    pthread_mutex_t ec;
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_settype(&at, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&ec, &at);
    pthread_mutex_lock(&ec);
    ok(pthread_mutex_lock(&ec) == EDEADLK, "an error-checking mutex locked twice: EDEADLK");
    pthread_mutex_unlock(&ec);

    counter = 0;
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, waiter, NULL);
    for (;;) {
        pthread_mutex_lock(&mu);
        int n = arrived;
        pthread_mutex_unlock(&mu);
        if (n == 3)
            break;
        usleep(1000);
    }
    usleep(10000);
    pthread_mutex_lock(&mu);
    go = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    ok(counter == 3, "pthread_cond_broadcast wakes 3 waiters");

    struct timespec t0, dl = in_ms(100);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_lock(&mu);
    int rc = pthread_cond_timedwait(&cv, &mu, &dl);
    pthread_mutex_unlock(&mu);
    long waited = ms_since(&t0);
    ok(rc == ETIMEDOUT, "pthread_cond_timedwait without a signal: ETIMEDOUT");
    ok(waited >= 90 && waited < 5000, "pthread_cond_timedwait waits about 100 ms");

    ok(sem_init(&sem, 0, 0) == 0, "sem_init");
    ok(sem_trywait(&sem) == -1 && errno == EAGAIN, "sem_trywait on 0: EAGAIN");
    pthread_create(&t[0], NULL, sem_poster, NULL);
    int got = 0;
    for (int i = 0; i < 5; i++)
        got += sem_wait(&sem) == 0;
    pthread_join(t[0], NULL);
    ok(got == 5, "sem_wait x5 after another thread's 5 sem_post");
    int val = -1;
    ok(sem_getvalue(&sem, &val) == 0 && val == 0, "sem_getvalue is 0");
    dl = in_ms(50);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ok(sem_timedwait(&sem, &dl) == -1 && errno == ETIMEDOUT, "sem_timedwait: ETIMEDOUT");
    ok(ms_since(&t0) >= 40, "sem_timedwait waited about 50 ms");
    sem_destroy(&sem);

    pthread_create(&t[0], NULL, tls_thread, NULL);
    pthread_join(t[0], &ret);
    ok((intptr_t)ret == 105 && tls_value == 5, "__thread variables are per thread");

    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, once_thread, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ok(once_runs == 1, "pthread_once runs its function once");

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    ok(pthread_create(&t[0], &attr, square, (void *)2) == 0, "a detached thread starts");
    usleep(20000);
    return done();
}
