/*
 * A small persistent thread pool and per-thread scratch buffers.
 *
 * Workers are started lazily on the first parallel job and live for the process. After a
 * job they spin briefly before sleeping, because training loops issue GEMMs back to back
 * and a futex wake-up costs tens of microseconds.
 */
#include "st_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#define ST_PAUSE() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define ST_PAUSE() __asm__ __volatile__("yield")
#else
#define ST_PAUSE() ((void)0)
#endif

#define ST_MAX_THREADS 256
/* Pause iterations a worker spins before sleeping (roughly 0.1-0.5 ms). */
#define ST_SPIN_ITERS 20000
/* The task counter's index half when a job is closed: larger than any task count. */
#define ST_CLOSED 0xFFFFFFFFul

/* ---- Thread count ------------------------------------------------------------------------ */

static int st_nthreads = 0; /* 0: not yet read from the system */

static int st_default_threads(void) {
    const char *env = getenv("SWIFTTORCH_NUM_THREADS");
    if (env && *env) {
        int n = atoi(env);
        if (n > 0) return n > ST_MAX_THREADS ? ST_MAX_THREADS : n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n > ST_MAX_THREADS ? ST_MAX_THREADS : (int)n;
}

void st_set_num_threads(int n) {
    if (n < 1) n = 1;
    if (n > ST_MAX_THREADS) n = ST_MAX_THREADS;
    __atomic_store_n(&st_nthreads, n, __ATOMIC_RELAXED);
}

int st_get_num_threads(void) {
    int n = __atomic_load_n(&st_nthreads, __ATOMIC_RELAXED);
    if (n == 0) {
        /* Racing first callers all compute the same value, so a plain store is enough. */
        n = st_default_threads();
        __atomic_store_n(&st_nthreads, n, __ATOMIC_RELAXED);
    }
    return n;
}

/* ---- Pool -------------------------------------------------------------------------------- */

/*
 * One job at a time. `claim` packs (generation << 32 | next task index) so a worker that
 * wakes late, holding an old generation, can never claim a task of a newer job: its
 * compare-and-swap fails on the generation half. Between jobs the index half is ST_CLOSED,
 * so fields being rewritten for the next job are never used under the old generation.
 */
static struct {
    pthread_mutex_t submit; /* held by the thread running a parallel job */
    pthread_mutex_t lock;   /* guards sleeping workers and the condition */
    pthread_cond_t wake;
    int nworkers;
    unsigned long generation;
    unsigned long claim;
    long done;
    int sleepers;
    st_task_fn fn;
    void *ctx;
    long ntasks;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          0, 0, ST_CLOSED, 0, 0, NULL, NULL, 0};

/* Claims and runs tasks of job `gen` until none are left. */
static void st_run_tasks(unsigned long gen) {
    for (;;) {
        unsigned long v = __atomic_load_n(&pool.claim, __ATOMIC_ACQUIRE);
        if ((v >> 32) != (gen & 0xFFFFFFFFul)) return;
        st_task_fn fn = __atomic_load_n(&pool.fn, __ATOMIC_RELAXED);
        void *ctx = __atomic_load_n(&pool.ctx, __ATOMIC_RELAXED);
        long ntasks = __atomic_load_n(&pool.ntasks, __ATOMIC_RELAXED);
        unsigned long idx = v & 0xFFFFFFFFul;
        if (idx >= (unsigned long)ntasks) return;
        if (!__atomic_compare_exchange_n(&pool.claim, &v, v + 1, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            continue;
        fn(ctx, (long)idx);
        __atomic_fetch_add(&pool.done, 1, __ATOMIC_RELEASE);
    }
}

static void *st_worker_main(void *arg) {
    (void)arg;
    unsigned long seen = __atomic_load_n(&pool.generation, __ATOMIC_ACQUIRE);
    for (;;) {
        unsigned long gen = seen;
        for (int i = 0; i < ST_SPIN_ITERS; i++) {
            gen = __atomic_load_n(&pool.generation, __ATOMIC_ACQUIRE);
            if (gen != seen) break;
            ST_PAUSE();
        }
        if (gen == seen) {
            pthread_mutex_lock(&pool.lock);
            __atomic_fetch_add(&pool.sleepers, 1, __ATOMIC_SEQ_CST);
            while ((gen = __atomic_load_n(&pool.generation, __ATOMIC_SEQ_CST)) == seen)
                pthread_cond_wait(&pool.wake, &pool.lock);
            __atomic_fetch_sub(&pool.sleepers, 1, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&pool.lock);
        }
        seen = gen;
        st_run_tasks(gen);
    }
    return NULL;
}

/* A forked child has none of the parent's workers: forget them, so the next parallel job
 * starts new ones instead of waiting forever. */
static void st_pool_after_fork(void) {
    pool.nworkers = 0;
    pool.sleepers = 0;
    pthread_mutex_init(&pool.submit, NULL);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
}

static pthread_once_t st_fork_once = PTHREAD_ONCE_INIT;
static void st_register_fork(void) { pthread_atfork(NULL, NULL, st_pool_after_fork); }

/* Starts workers until there are `want`; returns how many exist. Called with `submit` held. */
static int st_grow_pool(int want) {
    pthread_once(&st_fork_once, st_register_fork);
    while (pool.nworkers < want) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &attr, st_worker_main, NULL);
        pthread_attr_destroy(&attr);
        if (rc != 0) break;
        pool.nworkers++;
    }
    return pool.nworkers;
}

void st_parallel_run(long ntasks, st_task_fn fn, void *ctx) {
    if (ntasks <= 0) return;
    int threads = st_get_num_threads();
    if (ntasks == 1 || threads <= 1 || pthread_mutex_trylock(&pool.submit) != 0) {
        for (long t = 0; t < ntasks; t++) fn(ctx, t);
        return;
    }
    if (st_grow_pool(threads - 1) == 0 || ntasks > (long)ST_CLOSED - 1) {
        pthread_mutex_unlock(&pool.submit);
        for (long t = 0; t < ntasks; t++) fn(ctx, t);
        return;
    }
    unsigned long gen = (pool.generation + 1) & 0xFFFFFFFFul;
    __atomic_store_n(&pool.fn, fn, __ATOMIC_RELAXED);
    __atomic_store_n(&pool.ctx, ctx, __ATOMIC_RELAXED);
    __atomic_store_n(&pool.ntasks, ntasks, __ATOMIC_RELAXED);
    __atomic_store_n(&pool.done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pool.claim, gen << 32, __ATOMIC_RELEASE);
    __atomic_store_n(&pool.generation, gen, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&pool.sleepers, __ATOMIC_SEQ_CST) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }

    st_run_tasks(gen);
    for (unsigned spins = 0; __atomic_load_n(&pool.done, __ATOMIC_ACQUIRE) < ntasks; spins++) {
        if (spins < 4096) ST_PAUSE();
        else sched_yield(); /* a worker lost its core: let it run */
    }
    /* Close the job before the fields can be rewritten for the next one. */
    __atomic_store_n(&pool.claim, (gen << 32) | ST_CLOSED, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&pool.submit);
}

/* ---- Scratch buffers --------------------------------------------------------------------- */

#define ST_SCRATCH_SLOTS 4

typedef struct {
    void *ptr[ST_SCRATCH_SLOTS];
    size_t size[ST_SCRATCH_SLOTS];
} st_scratch_set;

static pthread_key_t st_scratch_key;
static pthread_once_t st_scratch_once = PTHREAD_ONCE_INIT;

static void st_scratch_free(void *p) {
    st_scratch_set *s = p;
    for (int i = 0; i < ST_SCRATCH_SLOTS; i++) free(s->ptr[i]);
    free(s);
}

static void st_scratch_init(void) { pthread_key_create(&st_scratch_key, st_scratch_free); }

void *st_scratch(int slot, size_t bytes) {
    pthread_once(&st_scratch_once, st_scratch_init);
    st_scratch_set *s = pthread_getspecific(st_scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) return NULL;
        pthread_setspecific(st_scratch_key, s);
    }
    if (s->size[slot] < bytes) {
        free(s->ptr[slot]);
        s->ptr[slot] = NULL;
        s->size[slot] = 0;
        void *p = NULL;
        if (posix_memalign(&p, 64, bytes) != 0) return NULL;
        s->ptr[slot] = p;
        s->size[slot] = bytes;
    }
    return s->ptr[slot];
}
