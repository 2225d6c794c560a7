/* pool.h -- running independent tasks on the machine's cores.
 * Each worker has its own GEOS context, as GEOS's reentrant API asks. */
#ifndef CPTSCOV_POOL_H
#define CPTSCOV_POOL_H

#include <geos_c.h>

/* One task: number `task` of the batch, run with the worker's GEOS context. */
typedef void (*pool_task)(void *arg, int task, GEOSContextHandle_t geos);

/* Runs fn(arg, i, ctx) for i in 0..ntasks-1 on up to nthreads threads (0: as many as the
 * machine has cores); returns when all are done. Tasks are handed out in order, so giving
 * the largest first balances the load. Tasks must not share mutable state. */
void pool_run(int nthreads, int ntasks, pool_task fn, void *arg);
/* The number of cores (at least 1). */
int pool_cores(void);

#endif
