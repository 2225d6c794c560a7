/* stopwatch.c -- the time of each stage, for --timings.
 * Wall and CPU time since the last lap, and the peak memory so far, printed on stderr. */
#include "util/stopwatch.h"

#include <stdio.h>
#include <sys/resource.h>

double sw_seconds(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void sw_start(stopwatch *w, int on)
{
    w->on = on;
    clock_gettime(CLOCK_MONOTONIC, &w->start);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &w->cpu_start);
    w->last = w->start;
    w->cpu_last = w->cpu_start;
}

void sw_lap(stopwatch *w, const char *stage)
{
    if (!w || !w->on)
        return;
    struct timespec now, cpu;
    clock_gettime(CLOCK_MONOTONIC, &now);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "cptscov: timing: %-28s %8.3f s wall %8.3f s cpu %6.1f MB peak\n", stage,
            sw_seconds(&w->last, &now), sw_seconds(&w->cpu_last, &cpu),
            (double)ru.ru_maxrss / 1024.0);
    w->last = now;
    w->cpu_last = cpu;
}

void sw_total(stopwatch *w)
{
    if (!w)
        return;
    w->last = w->start;
    w->cpu_last = w->cpu_start;
    sw_lap(w, "total");
}
