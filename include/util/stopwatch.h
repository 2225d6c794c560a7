/* stopwatch.h -- the time of each stage, for --timings.
 * Wall and CPU time since the last lap, and the peak memory so far, printed on stderr. */
#ifndef CPTSCOV_STOPWATCH_H
#define CPTSCOV_STOPWATCH_H

#include <time.h>

typedef struct stopwatch {
    int on;                              /* 0: every call does nothing */
    struct timespec start, last;         /* wall clock */
    struct timespec cpu_start, cpu_last; /* CPU time of the process, all threads */
} stopwatch;

void sw_start(stopwatch *w, int on);
/* Prints "cptscov: timing: STAGE WALL s wall CPU s cpu PEAK MB peak" for the time since the
 * last lap. w may be NULL. */
void sw_lap(stopwatch *w, const char *stage);
/* The same for the whole time since sw_start, as stage "total". */
void sw_total(stopwatch *w);
/* Seconds of wall clock between a and b. */
double sw_seconds(const struct timespec *a, const struct timespec *b);

#endif
