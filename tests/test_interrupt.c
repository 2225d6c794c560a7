/* test_interrupt.c -- runs killed with SIGKILL at random moments: --out holds the previous
 * complete output or the new complete one, never a mixture, never nothing; re-runs are
 * byte-identical.
 *
 * Two jobs on the sample whose outputs differ in every table and map: the default one, and
 * --as-of 2022-01-01 (only cpts-nord counts). Each is first run to completion into a directory
 * of its own, the references. --out starts as the default job's output; then each round starts
 * the job whose output --out does not hold (so that old and new always differ and a mixture
 * would show), kills it with SIGKILL after a random delay, and compares --out, file by file
 * and byte by byte, with both references. The seed is printed; CPTSCOV_SEED replays it.
 * Temporary directories left beside --out by killed runs are reported; the next complete run
 * must remove them, and must leave alone what is not one of them (a directory still locked by
 * a live run, names that only look alike). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"

#define ROUNDS 20
#define NOUTPUTS 14  /* the files of --out, maps/ counted as one */

enum { JOB_SIGNED = 0, JOB_AS_OF = 1 };
static const char *const job_names[] = {"the default job", "the --as-of 2022-01-01 job"};

static char root[256];          /* the temporary directory of this program */
static uint64_t rng;            /* xorshift64* state */

/* Names beside --out that are not temporary directories of dead runs and must survive. */
static const char *const keep_names[] = {".out.tmp-Live01", ".out.tmp-keep", ".out.tmp-File01"};
#define NKEEP 3

static uint64_t next_random(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- snapshots of a directory: its files' names and bytes ---- */

typedef struct snapshot {
    int present;        /* 1 when the path is a directory */
    int n;
    char **names;       /* sorted */
    char **data;
    size_t *len;
} snapshot;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void snap(const char *dir, snapshot *s)
{
    memset(s, 0, sizeof *s);
    DIR *d = opendir(dir);
    if (!d)
        return;
    s->present = 1;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (s->n == cap) {
            cap = cap ? cap * 2 : 16;
            s->names = realloc(s->names, (size_t)cap * sizeof *s->names);
            assert_non_null(s->names);
        }
        s->names[s->n++] = strdup(e->d_name);
    }
    closedir(d);
    if (s->n > 1)
        qsort(s->names, (size_t)s->n, sizeof *s->names, cmp_str);
    s->data = calloc((size_t)s->n + 1, sizeof *s->data);
    s->len = calloc((size_t)s->n + 1, sizeof *s->len);
    assert_true(s->data && s->len);
    for (int i = 0; i < s->n; i++) {
        char *p = cli_fmt("%s/%s", dir, s->names[i]);
        s->data[i] = cli_slurp(p, &s->len[i]);
        free(p);
    }
}

static void snap_free(snapshot *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->names[i]);
        free(s->data[i]);
    }
    free(s->names);
    free(s->data);
    free(s->len);
    memset(s, 0, sizeof *s);
}

/* NULL when a and b hold the same files with the same bytes, else what differs. */
static char *snap_diff(const snapshot *a, const snapshot *b)
{
    if (!a->present || !b->present)
        return cli_fmt("%s", !b->present ? "it is missing" : "the reference is missing");
    int same = 0;
    char *first = NULL;
    for (int i = 0, j = 0; i < a->n || j < b->n;) {
        int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->names[i], b->names[j]);
        if (c != 0) {
            if (!first)
                first = cli_fmt("%s %s", c < 0 ? a->names[i] : b->names[j],
                                c < 0 ? "is missing" : "is extra");
            if (c < 0)
                i++;
            else
                j++;
            continue;
        }
        if (a->len[i] == b->len[j] && a->data[i] && b->data[j] &&
            memcmp(a->data[i], b->data[j], a->len[i]) == 0)
            same++;
        else if (!first)
            first = cli_fmt("%s differs", a->names[i]);
        i++;
        j++;
    }
    if (!first)
        return NULL;
    char *r = cli_fmt("%s (%d files the same)", first, same);
    free(first);
    return r;
}

/* ---- running the program ---- */

static pid_t start_job(int job, const char *out)
{
    char *argv[] = {(char *)cli_program(), "run", CLI_SAMPLE_ARGS("geodata"), "--out", (char *)out,
                    "--quiet", "--as-of", "2022-01-01", NULL};
    if (job != JOB_AS_OF)
        argv[15] = NULL;
    return cli_start(argv, NULL, NULL, (cli_limits){.alarm_s = 60}); /* a run that hangs dies */
}

/* Waits for pid; its exit status, or -signal. */
static int wait_job(pid_t pid)
{
    int sig;
    int st = cli_wait(pid, &sig);
    return sig ? -sig : st;
}

static void run_job_to_end(int job, const char *out)
{
    int st = wait_job(start_job(job, out));
    if (st != 0)
        fail_msg("%s into %s ended with %d (negative: a signal)", job_names[job], out, st);
}

static int is_kept(const char *name)
{
    for (int i = 0; i < NKEEP; i++)
        if (strcmp(name, keep_names[i]) == 0)
            return 1;
    return 0;
}

/* The temporary directories of --out (root/out) left in root, as " name name..." (NULL when
 * none); *n their count. */
static char *leftovers(int *n)
{
    DIR *d = opendir(root);
    assert_non_null(d);
    char *list = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, ".out.tmp-", 9) != 0 || is_kept(e->d_name))
            continue;
        char *l = cli_fmt("%s %s", list ? list : "", e->d_name);
        free(list);
        list = l;
        (*n)++;
    }
    closedir(d);
    return list;
}

/* ---- the test ---- */

typedef struct fixture {
    snapshot ref[2];      /* complete outputs of the two jobs */
    double duration;      /* seconds a whole run takes, from fork to exit */
    char *out;
    int live_lock;        /* fd of keep_names[0], locked as a live run holds its own */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    for (int job = 0; job < 2; job++) {
        char *dir = cli_fmt("%s/reference-%d", root, job);
        run_job_to_end(job, dir);
        snap(dir, &f->ref[job]);
        assert_int_equal(f->ref[job].n, NOUTPUTS);
        free(dir);
    }
    char *d = snap_diff(&f->ref[0], &f->ref[1]);
    assert_non_null(d); /* the two jobs must give different outputs, or a mixture would not show */
    free(d);
    /* The duration: the longest of three complete runs. */
    char *dir = cli_fmt("%s/timing", root);
    for (int i = 0; i < 3; i++) {
        double t0 = now_s();
        run_job_to_end(JOB_AS_OF, dir);
        double t = now_s() - t0;
        if (t > f->duration)
            f->duration = t;
    }
    cli_rm_tree(dir);
    free(dir);
    f->out = cli_fmt("%s/out", root);
    /* Beside --out, what must survive every run: a temporary directory whose run is alive
     * (this process holds its lock), one whose name only looks like one, and a file. */
    char *live = cli_fmt("%s/%s", root, keep_names[0]),
         *other = cli_fmt("%s/%s", root, keep_names[1]),
         *file = cli_fmt("%s/%s", root, keep_names[2]);
    assert_int_equal(mkdir(live, 0755), 0);
    assert_int_equal(mkdir(other, 0755), 0);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    f->live_lock = open(live, O_RDONLY | O_DIRECTORY);
    assert_true(f->live_lock >= 0);
    assert_int_equal(flock(f->live_lock, LOCK_EX | LOCK_NB), 0);
    free(live);
    free(other);
    free(file);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 2; i++)
        snap_free(&f->ref[i]);
    close(f->live_lock);
    free(f->out);
    free(f);
    return 0;
}

/* Which reference --out equals (0 or 1); fails, saying how, when neither. */
static int which_output(const fixture *f, const char *when)
{
    snapshot s;
    snap(f->out, &s);
    char *d0 = snap_diff(&f->ref[0], &s), *d1 = snap_diff(&f->ref[1], &s);
    int r = !d0 ? 0 : !d1 ? 1 : -1;
    if (r < 0)
        fail_msg("%s: --out is neither complete output: against %s's, %s; against %s's, %s", when,
                 job_names[0], d0, job_names[1], d1);
    free(d0);
    free(d1);
    snap_free(&s);
    return r;
}

/* Under AddressSanitizer (make check-asan sets ASAN_OPTIONS), the runs about to be killed
 * skip the leak check at exit: a kill landing in it leaves the checker's "Unable to get
 * registers from thread" in the sanitizer logs, a report of the kill, not of the program.
 * The runs to the end keep it. Returns the options to restore (NULL: none were set). */
static char *no_leak_check_for_killed_runs(void)
{
    const char *asan = getenv("ASAN_OPTIONS");
    if (!asan)
        return NULL;
    char *saved = cli_fmt("%s", asan);
    char *quiet = cli_fmt("%s:detect_leaks=0", asan);
    setenv("ASAN_OPTIONS", quiet, 1);
    free(quiet);
    return saved;
}

/* rounds runs killed after a delay drawn in [lo, hi] times the duration. */
static void kill_rounds(fixture *f, int rounds, double lo, double hi)
{
    char *saved_asan = no_leak_check_for_killed_runs();
    int cur = which_output(f, "before the first kill");
    int killed = 0, finished = 0, replaced = 0;
    for (int round = 1; round <= rounds; round++) {
        int job = !cur;
        double frac = lo + (hi - lo) * (double)(next_random() >> 11) / 9007199254740992.0;
        double delay = frac * f->duration;
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        pid_t pid = start_job(job, f->out);
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        kill(pid, SIGKILL);
        int st = wait_job(pid);
        char *when =
            cli_fmt("round %d (%s killed after %.1f ms)", round, job_names[job], delay * 1e3);
        if (st != -SIGKILL && st != 0)
            fail_msg("%s: the run ended with %d, neither killed nor done", when, st);
        int now = which_output(f, when);
        if (st == 0 && now != job)
            fail_msg("%s: the run finished but --out holds the previous output", when);
        int nleft;
        char *left = leftovers(&nleft);
        print_message("%s: %s; --out holds the %s output%s%s\n", when,
                      st == 0 ? "it had finished" : "killed", now == job ? "new" : "previous",
                      nleft ? "; temporary directories left:" : "", nleft ? left : "");
        free(left);
        free(when);
        killed += st != 0;
        finished += st == 0;
        replaced += now == job;
        cur = now;
    }
    print_message("%d runs killed, %d had finished; --out replaced %d times, kept %d times, "
                  "never a mixture\n", killed, finished, replaced, rounds - replaced);
    if (saved_asan) {
        setenv("ASAN_OPTIONS", saved_asan, 1);
        free(saved_asan);
    }
}

static void check_clean_rerun(fixture *f)
{
    /* A run that is not killed: the new output, byte-identical to its reference, and every
     * temporary directory of a dead run gone, nothing else touched. */
    run_job_to_end(JOB_AS_OF, f->out);
    assert_int_equal(which_output(f, "after a complete run"), JOB_AS_OF);
    run_job_to_end(JOB_AS_OF, f->out);
    assert_int_equal(which_output(f, "after a second complete run"), JOB_AS_OF);
    int nleft;
    char *left = leftovers(&nleft);
    if (nleft)
        fail_msg("after complete runs, temporary directories of killed runs are still there:%s",
                 left);
    for (int i = 0; i < NKEEP; i++) {
        char *p = cli_fmt("%s/%s", root, keep_names[i]);
        struct stat st;
        if (lstat(p, &st) != 0)
            fail_msg("%s was removed: it is not the temporary directory of a dead run", p);
        free(p);
    }
}

static void test_killed_anytime(void **state)
{
    fixture *f = *state;
    run_job_to_end(JOB_SIGNED, f->out);
    print_message("a whole run takes %.1f ms; %d kills after 0 to %.1f ms\n", f->duration * 1e3,
                  ROUNDS, f->duration * 1e3);
    kill_rounds(f, ROUNDS, 0.0, 1.0);
    check_clean_rerun(f);
}

/* The moment that matters most is the end (the exchange of the directories, the removal of
 * the previous output): more kills there. */
static void test_killed_near_the_end(void **state)
{
    fixture *f = *state;
    print_message("%d kills after %.1f to %.1f ms\n", ROUNDS, 0.8 * f->duration * 1e3,
                  1.1 * f->duration * 1e3);
    kill_rounds(f, ROUNDS, 0.8, 1.1);
    check_clean_rerun(f);
}

int main(void)
{
    if (cli_make_root(root, sizeof root, "test-interrupt") < 0) {
        perror("mkdtemp");
        return 1;
    }
    const char *seed = getenv("CPTSCOV_SEED");
    rng = seed && seed[0] ? strtoull(seed, NULL, 10)
                          : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ULL;
    if (rng == 0)
        rng = 1;
    printf("seed %llu (CPTSCOV_SEED=%llu replays it)\n", (unsigned long long)rng,
           (unsigned long long)rng);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_anytime),
        cmocka_unit_test(test_killed_near_the_end),
    };
    int failed = cmocka_run_group_tests_name("interrupted runs", tests, setup, teardown);
    if (failed == 0)
        cli_rm_tree(root);
    else
        fprintf(stderr, "test_interrupt: its directories are in %s\n", root);
    return failed ? 1 : 0;
}
