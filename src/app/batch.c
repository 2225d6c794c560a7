/* batch.c -- `cptscov batch CONFIG --out OUT`: many scenarios on inputs read once.
 * Each scenario is written to OUT/NAME/ as `cptscov run` writes it; unchanged ones are skipped.
 *
 * The order of the work is that of the costs. Deciding that nothing changed must be nearly
 * free (a monthly batch is rerun often), so it needs no reading: the inputs' files are
 * stat()ed and compared with OUT/manifest.json by size and modification time, and hashed
 * (SHA-256) only when those differ; a file touched but unchanged is then recognised by its
 * hash. Only when a scenario is new, changed, or its inputs' content changed are the inputs
 * read and joined, once for all scenarios (inputs.c), with the adjacency graph. A scenario
 * whose inputs changed is then redone only when the digest of the data it shows changed
 * (digest.c): a membership row of Brittany does not redo the scenario of Occitanie. The
 * rule-independent dissolves are made once for what the scenarios to redo show
 * (territories.c), and the scenarios run on -j threads (pool.c), each with its GEOS context,
 * its error context (diag.c) and its temporary output directory (outdir.c), so that one
 * failing leaves the others and the previous OUT/NAME/ in place. The manifest is written
 * last, atomically, without the entries of failed scenarios, which are redone next time. */
#include "app/batch.h"

#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/batch_config.h"
#include "util/diag.h"
#include "app/digest.h"
#include "util/gdal_drivers.h"
#include "read/inputs.h"
#include "app/manifest.h"
#include "write/outdir.h"
#include "util/pool.h"
#include "app/scenario.h"
#include "analyse/scope.h"
#include "util/stopwatch.h"
#include "analyse/territories.h"
#include "util/util.h"
#include "util/version.h"

typedef enum job_state {
    JOB_SKIP,      /* inputs and options unchanged: nothing to do */
    JOB_DIGEST,    /* inputs changed: redo if the digest of its data changed */
    JOB_RUN,       /* to be computed */
    JOB_DONE,
    JOB_FAILED
} job_state;

typedef struct batch_job {
    const batch_scenario *sc;
    run_options opts;         /* inputs and scenario merged; borrows from the config */
    char *options_text;       /* normalised, for the manifest */
    char *out;                /* OUT/NAME */
    job_state state;
    const char *why;          /* why it is redone, for the lines */
    scenario_settings set;    /* its options checked (scn_check) */
    coverage_scope scope;
    int has_scope;
    char digest[65];          /* "" when not computed */
    char *error;              /* the message of a failure */
    double seconds;
    double covered_pct;       /* of the scope (the nation without one); < 0 unknown */
    json_t *entry;            /* the manifest's record, borrowed */
} batch_job;

typedef struct batch_run {
    const run_options *cli;
    batch_config cfg;
    batch_job *jobs;
    int n;
    mfst_file *files;         /* every file of the inputs, as many as they are made of */
    int nfiles, capfiles;
    inputs in;
    territories tr;
    int inner_threads;
    batch_job **torun;        /* the jobs of the pool, in config order */
    char *mpath;              /* OUT/manifest.json */
    json_t *manifest;         /* as the last batch left it */
    int broken;               /* it could not be read */
    char *program;            /* cptscov and its libraries, for the manifest */
    /* progress */
    pthread_mutex_t lock;
    int tty, finished, done, skipped, failed, total_runs, runs_finished;
    struct timespec start;
} batch_run;

static double now_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return sw_seconds(t0, &t);
}

/* ---- progress: a bar on a terminal, a line per scenario elsewhere ---- */

static void draw_bar(batch_run *b)
{
    if (!b->tty)
        return;
    int width = 30, filled = b->n ? width * b->finished / b->n : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    char eta[32] = "";
    int left = b->total_runs - b->runs_finished;
    if (left > 0 && b->runs_finished > 0)
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 now_since(&b->start) / b->runs_finished * left);
    fprintf(stderr, "\r\033[K[%s] %d/%d: %d done, %d skipped, %d failed%s", bar, b->finished,
            b->n, b->done, b->skipped, b->failed, eta);
    fflush(stderr);
}

/* Records that j ended (done, skipped or failed) and says so. */
static void report(batch_run *b, batch_job *j)
{
    pthread_mutex_lock(&b->lock);
    b->finished++;
    if (j->state == JOB_DONE || j->state == JOB_FAILED)
        b->runs_finished++;
    if (j->state == JOB_DONE)
        b->done++;
    else if (j->state == JOB_FAILED)
        b->failed++;
    else
        b->skipped++;
    if (b->tty)
        fprintf(stderr, "\r\033[K");
    if (j->state == JOB_FAILED)
        fprintf(stderr, "cptscov: %s:%ld: scenario %s failed: %s\n", b->cfg.path, j->sc->line,
                j->sc->name, j->error);
    else if (!b->tty && j->state == JOB_DONE)
        fprintf(stderr, "cptscov: [%d/%d] %s: done in %.2f s (%s), %.2f %% covered\n",
                b->finished, b->n, j->sc->name, j->seconds, j->why, j->covered_pct);
    else if (!b->tty)
        fprintf(stderr, "cptscov: [%d/%d] %s: skipped (unchanged)\n", b->finished, b->n,
                j->sc->name);
    draw_bar(b);
    pthread_mutex_unlock(&b->lock);
}

static void fail_job(batch_job *j, const char *message)
{
    j->state = JOB_FAILED;
    free(j->error);
    j->error = xstrdup(message && message[0] ? message : "failed");
}

/* ---- the inputs' files ---- */

static void add_file(batch_run *b, const char *path)
{
    struct stat dst;
    if (stat(path, &dst) == 0 && S_ISDIR(dst.st_mode))
        return; /* a dataset that is a directory: GDAL lists its files */
    for (int i = 0; i < b->nfiles; i++)
        if (strcmp(b->files[i].path, path) == 0)
            return;
    GROW(b->files, b->capfiles, b->nfiles + 1);
    mfst_file *f = &b->files[b->nfiles++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    struct stat st;
    if (stat(path, &st) == 0) {
        f->size = (long long)st.st_size;
        f->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    } else {
        f->size = -1;
    }
}

/* Every file the inputs are made of: each path, and the files GDAL says make each dataset
 * (a shapefile's .dbf, .shx, .prj, .cpg), so that a changed attribute table is seen. */
static void list_files(batch_run *b)
{
    int n;
    const char **paths = opt_paths(&b->cfg.inputs, OPT_INPUTS, &n);
    for (int i = 0; i < n; i++) {
        add_file(b, paths[i]);
        const char *ext = strrchr(paths[i], '.');
        if (ext && str_ieq(ext, ".csv"))
            continue; /* a table is its one file */
        GDALDatasetH ds = gdrv_open_vector(paths[i], NULL, NULL);
        if (!ds)
            continue;
        char **list = GDALGetFileList(ds);
        for (char **p = list; p && *p; p++)
            add_file(b, *p);
        CSLDestroy(list);
        GDALClose(ds);
    }
    free(paths);
}

/* The SHA-256 of each file: the manifest's when size and time match, else computed (a file
 * touched but unchanged is then found equal). Returns 0, or -1 after diag_error. */
static int hash_files(batch_run *b, json_t *manifest)
{
    for (int i = 0; i < b->nfiles; i++) {
        mfst_file *f = &b->files[i];
        if (f->size < 0)
            return diag_error(f->path, 0, "cannot read: %s; check [inputs] in %s",
                              strerror(ENOENT), b->cfg.path);
        const char *name;
        json_t *e;
        int known = 0;
        json_object_foreach(json_object_get(manifest, "scenarios"), name, e) {
            char sha[65];
            if (mfst_file_match(e, f, sha) == 1) {
                memcpy(f->sha256, sha, sizeof sha);
                known = 1;
                break;
            }
        }
        if (!known && dig_file(f->path, f->sha256) < 0)
            return -1;
    }
    return 0;
}

/* 1 when entry e records exactly these files with these contents. *touched set when a
 * time differs (the manifest is then updated). */
static int same_files(batch_run *b, json_t *e, int *touched)
{
    json_t *files = json_object_get(e, "files");
    if ((int)json_array_size(files) != b->nfiles)
        return 0;
    for (int i = 0; i < b->nfiles; i++) {
        char sha[65];
        int m = mfst_file_match(e, &b->files[i], sha);
        if (m == 0 || strcmp(sha, b->files[i].sha256) != 0)
            return 0;
        if (m == 2)
            *touched = 1;
    }
    return 1;
}

static char *program_text(void)
{
    return xasprintf("cptscov %s; GDAL %s; GEOS %s; PROJ %s", CPTSCOV_VERSION,
                     GDALVersionInfo("RELEASE_NAME"), GEOSversion(), proj_info().version);
}

/* ---- one scenario on a thread of the pool ---- */

static void run_task(void *arg, int i, GEOSContextHandle_t h)
{
    batch_run *b = arg;
    batch_job *j = b->torun[i];
    diag_context dc, *saved = diag_current();
    diag_context_init(&dc);
    diag_use(&dc);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    outdir od;
    int rc = odir_begin(&od, j->out);
    scenario_outcome res;
    memset(&res, 0, sizeof res);
    if (rc == 0) {
        rc = scn_run(&b->in, &b->tr, &j->opts, &j->set, j->has_scope ? &j->scope : NULL,
                     &od, b->inner_threads, h, &res, NULL);
        if (rc != 0)
            odir_abort(&od);
    }
    j->seconds = now_since(&t0);
    if (rc == 0) {
        j->state = JOB_DONE;
        j->covered_pct = cov_pct(&res.scope);
    } else {
        fail_job(j, diag_message());
    }
    diag_use(saved);
    diag_context_free(&dc);
    report(b, j);
}

/* ---- deciding, reading, running ---- */

/* Sets each job's state from the manifest alone. */
static void decide(batch_run *b, json_t *manifest, int broken, const char *program,
                   int *touched)
{
    for (int i = 0; i < b->n; i++) {
        batch_job *j = &b->jobs[i];
        json_t *e = mfst_scenario(manifest, j->sc->name);
        j->entry = e;
        char *summary = xasprintf("%s/summary.json", j->out);
        int present = access(summary, F_OK) == 0;
        free(summary);
        const char *opts = e ? json_string_value(json_object_get(e, "options")) : NULL;
        const char *prog = e ? json_string_value(json_object_get(e, "program")) : NULL;
        j->state = JOB_RUN;
        if (b->cli->force)
            j->why = "forced";
        else if (!e)
            j->why = broken ? "manifest unreadable" : "new";
        else if (!opts || strcmp(opts, j->options_text) != 0)
            j->why = "options changed";
        else if (!prog || strcmp(prog, program) != 0)
            j->why = "program changed";
        else if (!present)
            j->why = "output missing";
        else if (!same_files(b, e, touched)) {
            j->state = JOB_DIGEST;
            j->why = "data changed";
        } else {
            j->state = JOB_SKIP;
        }
    }
}

/* Every job still to decide or run fails with the message of the error just made. */
static void fail_pending(batch_run *b)
{
    for (int i = 0; i < b->n; i++)
        if (b->jobs[i].state == JOB_RUN || b->jobs[i].state == JOB_DIGEST)
            fail_job(&b->jobs[i], diag_message());
}

/* Resolves j's scope and takes its digest; a job decided by its digest is skipped when the
 * manifest's is the same (*touched then set: the manifest records the files anew). */
static void digest_job(batch_run *b, batch_job *j, const unsigned char (*hashes)[32],
                       int *touched)
{
    if (j->opts.scope) {
        diag_clear();
        if (scope_resolve(&j->scope, j->opts.scope, b->in.codes, &b->in.table) < 0) {
            fail_job(j, diag_message());
            diag_clear();
            return;
        }
        j->has_scope = 1;
    }
    dig_scenario(&b->in, &b->tr, hashes, &j->set.rule, j->has_scope ? &j->scope : NULL,
                 j->options_text, j->digest);
    if (j->state == JOB_DIGEST) {
        const char *old = json_string_value(json_object_get(j->entry, "digest"));
        if (old && strcmp(old, j->digest) == 0) {
            j->state = JOB_SKIP;
            *touched = 1;
        } else {
            j->state = JOB_RUN;
        }
    }
}

/* Reads the inputs, resolves the scopes and takes the digests; the jobs whose digest is the
 * manifest's are skipped. Returns 0, or -1 when the inputs cannot be read (every job still
 * to decide then fails with that message). */
static int prepare(batch_run *b, stopwatch *w, int *touched)
{
    run_options in_opts;
    memset(&in_opts, 0, sizeof in_opts);
    opt_merge(&in_opts, &b->cfg.inputs, OPT_INPUTS);
    input_spec spec;
    opt_input_spec(&in_opts, &spec);
    spec.threads = 0; /* the reading's checks on every core: -j is for scenarios */
    if (inp_read(&b->in, &spec, w) < 0) {
        fail_pending(b);
        return -1;
    }
    unsigned char(*hashes)[32] = dig_communes_before_arcs(&b->in.table, b->in.table.geos);
    terr_report_scales report;
    if (hashes)
        scn_report_scales(&b->in.table, &report);
    if (!hashes || terr_begin(&b->tr, &b->in.table, &report, 0, w) < 0) {
        fail_pending(b);
        free(hashes);
        return -1;
    }
    for (int i = 0; i < b->n; i++)
        if (b->jobs[i].state == JOB_RUN || b->jobs[i].state == JOB_DIGEST)
            digest_job(b, &b->jobs[i], (const unsigned char(*)[32])hashes, touched);
    free(hashes);
    sw_lap(w, "digests");
    return 0;
}

/* --simplify: the arcs once, simplified once per tolerance the nrun jobs to run ask for.
 * When that fails, the jobs that asked fail and the others run. Returns how many jobs stay
 * in b->torun. */
static int simplify_arcs(batch_run *b, int nrun, stopwatch *w)
{
    double *tolerances = xcalloc((size_t)nrun, sizeof *tolerances);
    int ntol = 0;
    for (int i = 0; i < nrun; i++)
        if (b->torun[i]->opts.simplify_m > 0)
            tolerances[ntol++] = b->torun[i]->opts.simplify_m;
    if (ntol > 0 && terr_simplify(&b->tr, tolerances, ntol, 0, w) < 0) {
        char *msg = xstrdup(diag_message());
        diag_clear();
        int kept = 0;
        for (int i = 0; i < nrun; i++) {
            batch_job *j = b->torun[i];
            if (j->opts.simplify_m > 0 && !terr_simplified(&b->tr, j->opts.simplify_m)) {
                fail_job(j, msg);
                report(b, j);
            } else {
                b->torun[kept++] = j;
            }
        }
        nrun = kept;
        free(msg);
    }
    free(tolerances);
    return nrun;
}

/* The jobs to run: the dissolves of what they show, their simplified arcs, then the jobs on
 * the pool, each with the cores left to it. */
static void run_jobs(batch_run *b, stopwatch *w)
{
    const coverage_scope **scopes = xcalloc((size_t)b->n + 1, sizeof *scopes);
    b->torun = xcalloc((size_t)b->n + 1, sizeof *b->torun);
    int nrun = 0;
    for (int i = 0; i < b->n; i++)
        if (b->jobs[i].state == JOB_RUN) {
            scopes[nrun] = b->jobs[i].has_scope ? &b->jobs[i].scope : NULL;
            b->torun[nrun++] = &b->jobs[i];
        }
    if (nrun > 0) {
        terr_dissolve(&b->tr, scopes, nrun, 0, w);
        nrun = simplify_arcs(b, nrun, w);
    }
    if (nrun > 0) { /* none left when every one failed its simplification */
        int jobs = b->cli->jobs > 0 ? b->cli->jobs : pool_cores();
        int at_once = jobs < nrun ? jobs : nrun;
        b->inner_threads = pool_cores() / at_once > 1 ? pool_cores() / at_once : 1;
        pool_run(jobs, nrun, run_task, b);
        sw_lap(w, "scenarios");
    }
    free(scopes);
}

/* The new manifest: an entry per scenario done or skipped, none for a failed one. */
static json_t *new_manifest(batch_run *b, const char *program)
{
    json_t *m = json_object();
    json_object_set_new(m, "generator", json_string("cptscov"));
    json_object_set_new(m, "version", json_string(CPTSCOV_VERSION));
    json_object_set_new(m, "config", json_string(b->cfg.path));
    json_t *all = json_object();
    for (int i = 0; i < b->n; i++) {
        batch_job *j = &b->jobs[i];
        if (j->state == JOB_FAILED)
            continue;
        const char *digest = j->digest[0] ? j->digest
                                          : json_string_value(json_object_get(j->entry, "digest"));
        json_t *e = json_object();
        json_object_set_new(e, "options", json_string(j->options_text));
        json_object_set_new(e, "program", json_string(program));
        json_object_set_new(e, "files", mfst_files_json(b->files, b->nfiles));
        json_object_set_new(e, "digest", json_string(digest ? digest : ""));
        double pct = j->state == JOB_DONE
                         ? j->covered_pct
                         : json_real_value(json_object_get(j->entry, "covered_pct"));
        json_object_set_new(e, "covered_pct", json_real(round(pct * 10000.0) / 10000.0));
        json_object_set(all, j->sc->name, e);
        json_decref(e);
    }
    json_object_set_new(m, "scenarios", all);
    return m;
}

static void print_table(batch_run *b)
{
    int w = 8;
    for (int i = 0; i < b->n; i++)
        if ((int)strlen(b->jobs[i].sc->name) > w)
            w = (int)strlen(b->jobs[i].sc->name);
    printf("%-*s  %-7s  %8s  %9s\n", w, "scenario", "status", "seconds", "covered");
    for (int i = 0; i < b->n; i++) {
        const batch_job *j = &b->jobs[i];
        const char *status = j->state == JOB_DONE ? "done" : j->state == JOB_FAILED ? "failed"
                                                                                     : "skipped";
        char secs[32] = "-", pct[32] = "-";
        if (j->state == JOB_DONE)
            snprintf(secs, sizeof secs, "%.2f", j->seconds);
        if (j->state == JOB_DONE)
            snprintf(pct, sizeof pct, "%.2f %%", j->covered_pct);
        else if (j->state != JOB_FAILED && j->entry)
            snprintf(pct, sizeof pct, "%.2f %%",
                     json_real_value(json_object_get(j->entry, "covered_pct")));
        printf("%-*s  %-7s  %8s  %9s\n", w, j->sc->name, status, secs, pct);
    }
    fflush(stdout);
}

/* Makes the jobs from the configuration; an option a scenario gives wrongly is said at its
 * section's line. Returns 0, or -1 after diag_error. */
static int make_jobs(batch_run *b, const char *out)
{
    b->jobs = xcalloc((size_t)b->cfg.n, sizeof *b->jobs);
    b->n = b->cfg.n;
    char *inputs_text = opt_normalise(&b->cfg.inputs, OPT_INPUTS);
    int rc = 0;
    for (int i = 0; i < b->n && rc == 0; i++) {
        batch_job *j = &b->jobs[i];
        j->sc = &b->cfg.scenarios[i];
        j->covered_pct = -1;
        opt_merge(&j->opts, &b->cfg.inputs, OPT_INPUTS);
        opt_merge(&j->opts, &j->sc->options, OPT_SCENARIO);
        j->out = xasprintf("%s/%s", out, j->sc->name);
        j->opts.out = j->out;
        j->opts.quiet = 1;
        char *scn = opt_normalise(&j->sc->options, OPT_SCENARIO);
        j->options_text = xasprintf("[inputs]\n%s[scenario]\n%s", inputs_text, scn);
        free(scn);
        if (scn_check(&j->opts, &j->set) < 0) {
            char *msg = xstrdup(diag_message());
            diag_clear();
            rc = diag_error(b->cfg.path, j->sc->line, "[scenario %s]: %s", j->sc->name, msg);
            free(msg);
        }
    }
    free(inputs_text);
    return rc;
}

static void free_run(batch_run *b)
{
    for (int i = 0; i < b->n; i++) {
        batch_job *j = &b->jobs[i];
        free(j->options_text);
        free(j->out);
        free(j->error);
        if (j->has_scope)
            scope_free(&j->scope);
    }
    free(b->jobs);
    free(b->torun);
    for (int i = 0; i < b->nfiles; i++)
        free(b->files[i].path);
    free(b->files);
    terr_free(&b->tr);
    if (b->in.table.geos)
        inp_free(&b->in);
    bcfg_free(&b->cfg);
    json_decref(b->manifest);
    free(b->program);
    free(b->mpath);
    pthread_mutex_destroy(&b->lock);
}

/* ---- the batch, phase by phase ---- */

/* The command's own arguments. Returns 0, or -1 after diag_error (a usage error). */
static int check_command(const run_options *o)
{
    if (!o->config)
        return diag_error(NULL, 0, "batch needs its INI file: cptscov batch CONFIG --out OUT");
    if (!o->out)
        return diag_error(NULL, 0, "--out is required; see cptscov --help");
    return 0;
}

static batch_run *new_run(const run_options *o)
{
    batch_run *b = xcalloc(1, sizeof *b);
    b->cli = o;
    pthread_mutex_init(&b->lock, NULL);
    b->tty = !o->quiet && isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &b->start);
    return b;
}

/* OUT/manifest.json as the last batch left it: empty when missing, and when it cannot be
 * read (then said: every scenario is redone). */
static void load_manifest(batch_run *b, const char *out)
{
    b->mpath = xasprintf("%s/manifest.json", out);
    b->manifest = mfst_load(b->mpath, &b->broken);
    if (b->broken)
        fprintf(stderr, "cptscov: warning: %s cannot be read; every scenario is redone\n",
                b->mpath);
    b->program = program_text();
}

/* 1 when a job is to run or to be decided by its digest: the inputs must then be read. */
static int needs_inputs(const batch_run *b)
{
    int work = 0;
    for (int i = 0; i < b->n; i++)
        work |= b->jobs[i].state == JOB_RUN || b->jobs[i].state == JOB_DIGEST;
    return work;
}

/* Says the jobs that end without running (skipped, or failed while the inputs were read),
 * and counts those to run, for the bar. */
static void report_settled(batch_run *b)
{
    b->total_runs = 0;
    for (int i = 0; i < b->n; i++) {
        batch_job *j = &b->jobs[i];
        if (j->state == JOB_RUN)
            b->total_runs++;
        else if (j->state == JOB_SKIP || j->state == JOB_FAILED)
            report(b, j);
    }
}

/* The new manifest, written when a job did something or a file was only touched (and when it
 * differs from the old one). Returns 0, or -1 once the error is printed. */
static int save_manifest(batch_run *b, int touched)
{
    int changed = touched;
    for (int i = 0; i < b->n; i++)
        changed |= b->jobs[i].state != JOB_SKIP;
    if (!changed)
        return 0;
    int rc = 0;
    json_t *m = new_manifest(b, b->program);
    if (!json_equal(m, b->manifest) && mfst_save(m, b->mpath) < 0) {
        fprintf(stderr, "cptscov: %s\n", diag_message());
        rc = -1;
    }
    json_decref(m);
    return rc;
}

/* From the manifest to the table: decide, read and digest when needed, run, record. Returns
 * the exit status. */
static int run_scenarios(batch_run *b, stopwatch *w)
{
    int touched = 0;
    decide(b, b->manifest, b->broken, b->program, &touched);
    for (int i = 0; i < b->n; i++)
        if (b->jobs[i].state == JOB_RUN)
            b->total_runs++;
    int work = needs_inputs(b);
    if (work) {
        draw_bar(b); /* while the inputs are read */
        prepare(b, w, &touched);
    }
    report_settled(b);
    if (work)
        run_jobs(b, w);
    if (b->tty)
        fprintf(stderr, "\n");
    int rc = save_manifest(b, touched) < 0 ? EXIT_ERROR : EXIT_OK;
    print_table(b);
    if (b->failed > 0)
        rc = EXIT_ERROR;
    diag_clear();
    return rc;
}

/* With OUT held (so that no other batch writes it): the manifest, the inputs' files and
 * their hashes, then the scenarios. Returns the exit status. */
static int run_held(batch_run *b, const char *out, stopwatch *w)
{
    int lock = odir_hold(out, "manifest.json");
    if (lock < 0)
        return EXIT_ERROR;
    gdrv_init();
    load_manifest(b, out);
    list_files(b);
    int rc = EXIT_ERROR;
    if (hash_files(b, b->manifest) == 0) {
        sw_lap(w, "inputs checked");
        rc = run_scenarios(b, w);
    }
    sw_total(w);
    odir_release(lock);
    return rc;
}

int batch_main(const run_options *o)
{
    if (check_command(o) < 0)
        return EXIT_USAGE;
    batch_run *b = new_run(o);
    stopwatch w;
    sw_start(&w, o->timings);
    if (bcfg_read(&b->cfg, o->config) < 0) {
        free_run(b);
        free(b);
        return EXIT_USAGE;
    }
    if (make_jobs(b, o->out) < 0) {
        free_run(b);
        free(b);
        return EXIT_USAGE;
    }
    int rc = run_held(b, o->out, &w);
    free_run(b);
    free(b);
    return rc;
}
