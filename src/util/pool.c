/* pool.c -- running independent tasks on the machine's cores.
 * Each worker has its own GEOS context, as GEOS's reentrant API asks.
 *
 * The batches of cptscov are small (a few hundred dissolves) and uneven (a region against a
 * village CPTS), so workers take the next task from a shared counter rather than a fixed
 * share. No queue, no condition variable: threads are started for a batch and joined at its
 * end, which costs microseconds against tasks of milliseconds. */
#include "util/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/util.h"

typedef struct batch {
    pool_task fn;
    void *arg;
    int ntasks;
    atomic_int next;
    diag_context *diag;  /* the caller's: errors of the tasks go where the caller's go */
} batch;

static void *worker(void *p)
{
    batch *b = p;
    diag_context *saved = diag_current();
    diag_use(b->diag);
    GEOSContextHandle_t h = GEOS_init_r();
    for (;;) {
        int i = atomic_fetch_add(&b->next, 1);
        if (i >= b->ntasks)
            break;
        b->fn(b->arg, i, h);
    }
    GEOS_finish_r(h);
    diag_use(saved);
    return NULL;
}

int pool_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void pool_run(int nthreads, int ntasks, pool_task fn, void *arg)
{
    if (nthreads <= 0)
        nthreads = pool_cores();
    if (nthreads > ntasks)
        nthreads = ntasks;
    batch b = {fn, arg, ntasks, 0, diag_current()};
    if (nthreads <= 1) {
        worker(&b);
        return;
    }
    pthread_t *threads = xmalloc((size_t)nthreads * sizeof *threads);
    int started = 0;
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&threads[started], NULL, worker, &b) == 0)
            started++;
    if (started == 0)
        worker(&b); /* no thread could be started: do the work here */
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
}
