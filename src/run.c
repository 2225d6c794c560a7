/* run.c -- `cptscov run`: the whole pipeline, from the inputs to the output directory.
 * Readers fill the commune table, analyses read it, writers write it.
 *
 * The order matters: the passage table first (it carries every other code), then the
 * population table (it defines the current communes), the EPCI table, the memberships and
 * the polygons. Coverage is then computed once, the territories dissolved, the zones found,
 * and only when everything is known is anything written, into a temporary directory that
 * takes the place of --out at the very end. */
#include "run.h"

#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "adjacency.h"
#include "coverage.h"
#include "diag.h"
#include "fields.h"
#include "outdir.h"
#include "pool.h"
#include "readers.h"
#include "report_geometry.h"
#include "results.h"
#include "shape.h"
#include "timeline.h"
#include "topology.h"
#include "util.h"
#include "zones.h"

/* Stage timings for --timings. */
typedef struct stopwatch {
    int on;
    struct timespec start, last;       /* wall clock */
    struct timespec cpu_start, cpu_last; /* CPU time of the process, all threads */
} stopwatch;

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void watch_start(stopwatch *w, int on)
{
    w->on = on;
    clock_gettime(CLOCK_MONOTONIC, &w->start);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &w->cpu_start);
    w->last = w->start;
    w->cpu_last = w->cpu_start;
}

/* Prints the wall and CPU time since the last lap, and the peak memory so far:
 * "cptscov: timing: STAGE WALL s wall CPU s cpu PEAK MB peak". */
static void lap(stopwatch *w, const char *stage)
{
    if (!w->on)
        return;
    struct timespec now, cpu;
    clock_gettime(CLOCK_MONOTONIC, &now);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "cptscov: timing: %-28s %8.3f s wall %8.3f s cpu %6.1f MB peak\n", stage,
            since(&w->last, &now), since(&w->cpu_last, &cpu), (double)ru.ru_maxrss / 1024.0);
    w->last = now;
    w->cpu_last = cpu;
}

static void lap_total(stopwatch *w)
{
    w->last = w->start;
    w->cpu_last = w->cpu_start;
    lap(w, "total");
}

/* Everything the job builds, freed in one place. */
typedef struct job {
    commune_table table;
    passage passage;
    int has_passage;
    epci_table epci;
    int has_epci;
    join_issues issues;
    coverage_report coverage;
    shape *cpts_shapes, *department_shapes, *region_shapes;
    adjacency adjacency;
    zone_list zones;
    coverage_timeline timeline;
    topology *topology;              /* the arcs of the communes, for the report and --simplify */
    topo_simplified *simplified;     /* --simplify: their simplification for the GeoJSON maps */
    report_geometry geometry;        /* the simplified territories of the report's maps */
    input_file inputs[64];
    int ninputs;
} job;

static void add_input(job *j, const char *kind, const char *path, long rows)
{
    if (j->ninputs < (int)(sizeof j->inputs / sizeof j->inputs[0]))
        j->inputs[j->ninputs++] = (input_file){kind, path, rows};
}

/* The --format list as bits 1 << map_format; GeoJSON when none is given. */
static int parse_formats(const run_options *o, unsigned *formats)
{
    *formats = o->formats.n ? 0 : 1u << MAP_GEOJSON;
    for (int i = 0; i < o->formats.n; i++) {
        int f = mw_format_of(o->formats.items[i]);
        if (f < 0)
            return diag_error(NULL, 0, "--format \"%s\" is not a format; use geojson, gpkg, fgb "
                              "or shp", o->formats.items[i]);
        *formats |= 1u << f;
    }
    return 0;
}

/* The rule and the language of the report, from the options; -1 after diag_error. */
static int parse_rule(const run_options *o, coverage_rule *rule, report_lang *lang)
{
    memset(rule, 0, sizeof *rule);
    if (o->status.n == 0)
        rule->status[STATUS_SIGNED] = 1;
    for (int i = 0; i < o->status.n; i++) {
        int s = ctab_parse_status(o->status.items[i]);
        if (s < 0)
            return diag_error(NULL, 0, "--status \"%s\" is not a status; use signed, project or "
                                       "letter", o->status.items[i]);
        rule->status[s] = 1;
    }
    if (o->geojson_engine && strcmp(o->geojson_engine, "gdal") != 0 &&
        strcmp(o->geojson_engine, "stream") != 0)
        return diag_error(NULL, 0, "--geojson-engine \"%s\" is not an engine; use stream or gdal",
                          o->geojson_engine);
    int l = o->lang ? nfmt_parse_lang(o->lang) : LANG_FR;
    if (l < 0)
        return diag_error(NULL, 0, "--lang \"%s\" is not a language of the report; use fr or en",
                          o->lang);
    *lang = (report_lang)l;
    if (o->as_of && (fld_date(o->as_of, &rule->as_of) != FLD_OK || rule->as_of == 0))
        return diag_error(NULL, 0, "--as-of \"%s\" is not a date that exists; write it YYYY-MM-DD",
                          o->as_of);
    return 0;
}

static int read_inputs(job *j, const run_options *o, stopwatch *w)
{
    long n;
    if (o->passage) {
        if ((n = read_passage(&j->passage, o->passage, o->passage_from, o->passage_to,
                              &j->issues)) < 0)
            return -1;
        j->has_passage = 1;
        add_input(j, "passage", o->passage, n);
    }
    population_columns cols = {o->pop_code, o->pop_dep, o->pop_reg, o->pop_count};
    if ((n = read_population(&j->table, o->population, &cols, &j->issues)) < 0)
        return -1;
    add_input(j, "population", o->population, n);
    if (o->epci) {
        if ((n = read_epci(&j->epci, o->epci, &j->issues)) < 0)
            return -1;
        j->has_epci = 1;
        add_input(j, "epci", o->epci, n);
    }
    const passage *p = j->has_passage ? &j->passage : NULL;
    if ((n = read_members(&j->table, o->members, p, j->has_epci ? &j->epci : NULL,
                          &j->issues)) < 0)
        return -1;
    add_input(j, "members", o->members, n);
    lap(w, "read tables");
    communes_reader cr;
    crd_init(&cr, &j->table, p, o->code_field, &j->issues);
    cr.threads = o->threads;
    for (int i = 0; i < o->communes.n; i++) {
        if ((n = crd_read(&cr, o->communes.items[i])) < 0) {
            crd_free(&cr);
            return -1;
        }
        add_input(j, "communes", o->communes.items[i], n);
    }
    lap(w, "read polygons");
    crd_finish(&cr);
    crd_free(&cr);
    lap(w, "harmonise polygons");
    return 0;
}

/* The dissolves of one batch: task i is a department, a CPTS or an uncovered zone (the
 * largest first, for the load), or, in the second batch, a region. Each task records its join
 * issues apart; they are appended in task order, so the output does not depend on threads. */
typedef struct dissolve_batch {
    job *j;
    int regions;              /* 0: departments, CPTS, zones; 1: regions */
    join_issues *issues;      /* one list per task */
} dissolve_batch;

static void dissolve_task(void *arg, int i, GEOSContextHandle_t h)
{
    dissolve_batch *b = arg;
    job *j = b->j;
    commune_table *t = &j->table;
    coverage_report *c = &j->coverage;
    join_issues *ji = &b->issues[i];
    char what[128];
    if (b->regions) {
        shape *parts = xcalloc((size_t)(c->ndepartments ? c->ndepartments : 1), sizeof *parts);
        int n = 0;
        for (int d = 0; d < c->ndepartments; d++)
            if (strcmp(c->departments[d].reg, c->regions[i].code) == 0)
                parts[n++] = j->department_shapes[d];
        snprintf(what, sizeof what, "region %s", c->regions[i].code);
        shape_dissolve_shapes(t, h, parts, n, what, ji, &j->region_shapes[i]);
        free(parts);
    } else if (i < c->ndepartments) {
        const coverage_area *d = &c->departments[i];
        snprintf(what, sizeof what, "department %s", d->code);
        shape_dissolve_communes(t, h, d->communes, d->ncommunes, what, ji, &j->department_shapes[i]);
    } else if ((i -= c->ndepartments) < t->ncpts) {
        const cpts *p = &t->cpts[i];
        snprintf(what, sizeof what, "CPTS %s", p->id);
        shape_dissolve_communes(t, h, p->communes, p->ncommunes, what, ji, &j->cpts_shapes[i]);
    } else {
        zone_dissolve_one(t, h, &j->zones, i - t->ncpts, ji);
    }
}

static void run_batch(job *j, int regions, int ntasks, int threads)
{
    dissolve_batch b = {j, regions, xcalloc((size_t)(ntasks ? ntasks : 1), sizeof(join_issues))};
    pool_run(threads, ntasks, dissolve_task, &b);
    for (int i = 0; i < ntasks; i++) {
        for (int k = 0; k < b.issues[i].n; k++) {
            join_issue *it = &b.issues[i].items[k];
            jis_add(&j->issues, it->file, it->line, it->code, it->kind, "%s", it->message);
        }
        jis_free(&b.issues[i]);
    }
    free(b.issues);
}

static void dissolve_all(job *j, int threads, stopwatch *w)
{
    commune_table *t = &j->table;
    coverage_report *c = &j->coverage;
    adj_from_topology(t, j->topology, &j->adjacency);   /* neighbours share an arc */
    zone_find(t, &j->adjacency, &j->coverage, &j->zones);
    lap(w, "uncovered zones");
    j->cpts_shapes = xcalloc((size_t)(t->ncpts ? t->ncpts : 1), sizeof *j->cpts_shapes);
    j->department_shapes = xcalloc((size_t)(c->ndepartments ? c->ndepartments : 1),
                                   sizeof *j->department_shapes);
    j->region_shapes = xcalloc((size_t)(c->nregions ? c->nregions : 1), sizeof *j->region_shapes);
    run_batch(j, 0, c->ndepartments + t->ncpts + j->zones.n, threads);
    lap(w, "dissolve CPTS, deps, zones");
    /* Regions from their departments: far fewer edges than from the communes. */
    run_batch(j, 1, c->nregions, threads);
    lap(w, "dissolve regions");
}

/* The arcs of the communes, built once: the adjacency of the zones, the report's maps and
 * --simplify all read them. */
static int build_topology(job *j, const run_options *o, stopwatch *w)
{
    if (!(j->topology = topo_build(&j->table, j->table.geos)))
        return -1;
    topo_set_threads(j->topology, o->threads);
    lap(w, "topology (arcs)");
    return 0;
}

/* --simplify: the arcs simplified once more, with its tolerance, for the GeoJSON maps. */
static int simplify_maps(job *j, const run_options *o, stopwatch *w)
{
    if (!(j->simplified = topo_simplify(j->topology, j->table.geos, o->simplify_m)))
        return -1;
    lap(w, "simplify arcs");
    return 0;
}

/* The territories of the report's maps, from the arcs simplified once per scale. */
static int simplify_for_report(job *j, int threads, stopwatch *w)
{
    int rc = rgeo_build(&j->geometry, &j->table, &j->coverage, &j->zones, j->topology, threads);
    lap(w, "simplify for the report");
    return rc;
}

/* Writes every output into out's temporary directory and moves it into place. */
static int write_all(job *j, const run_options *o, report_lang lang, unsigned formats,
                     outdir *out, stopwatch *w)
{
    run_results r = {
        .table = &j->table,
        .coverage = &j->coverage,
        .cpts_shapes = j->cpts_shapes,
        .department_shapes = j->department_shapes,
        .region_shapes = j->region_shapes,
        .zones = &j->zones,
        .issues = &j->issues,
        .inputs = j->inputs,
        .ninputs = j->ninputs,
        .geojson_engine = o->geojson_engine && strcmp(o->geojson_engine, "gdal") == 0
                              ? ENGINE_GDAL : ENGINE_STREAM,
        .formats = formats,
        .quiet = o->quiet,
        .out_dir = o->out,
        .threads = o->threads,
        .timeline = &j->timeline,
        .lang = lang,
        .simplified = j->simplified,
        .simplify_m = j->simplified ? o->simplify_m : 0,
        .geometry = &j->geometry,
    };
    if (write_tables(out->tmp, &r) < 0 || write_summary(out->tmp, &r) < 0)
        return -1;
    lap(w, "write tables");
    if (write_report_md(out->tmp, &r) < 0)
        return -1;
    lap(w, "write report.md");
    if (write_maps(out->tmp, &r) < 0)
        return -1;
    lap(w, "write maps");
    if (write_report_html(out->tmp, &r) < 0)
        return -1;
    lap(w, "write report");
    return odir_commit(out);
}

static void free_shapes(const commune_table *t, shape *s, int n)
{
    if (!s)
        return;
    for (int i = 0; i < n; i++)
        shape_free(t, &s[i]);
    free(s);
}

static void job_free(job *j)
{
    topo_simplified_free(j->simplified);
    topo_free(j->topology);
    rgeo_free(&j->table, &j->geometry);
    free_shapes(&j->table, j->cpts_shapes, j->table.ncpts);
    free_shapes(&j->table, j->department_shapes, j->coverage.ndepartments);
    free_shapes(&j->table, j->region_shapes, j->coverage.nregions);
    if (j->zones.zones)
        zone_free(&j->table, &j->zones);
    adj_free(&j->adjacency);
    tl_free(&j->timeline);
    cov_free(&j->coverage);
    if (j->has_passage)
        pass_free(&j->passage);
    if (j->has_epci)
        epci_free(&j->epci);
    jis_free(&j->issues);
    GEOSContextHandle_t h = j->table.geos;
    ctab_free(&j->table);
    GEOS_finish_r(h);
}

/* The first join issue as the one error line of --strict. */
static int strict_error(const join_issues *ji)
{
    char counts[512];
    jis_summary(ji, counts, sizeof counts);
    const join_issue *it = &ji->items[0];
    return diag_error(it->file[0] ? it->file : NULL, it->line, "%s (%s, and %s in all); --strict "
                      "makes join issues errors", it->message, it->kind, counts);
}

static int check_required(const run_options *o)
{
    if (o->communes.n == 0)
        return diag_error(NULL, 0, "--communes is required; see cptscov --help");
    if (!o->population)
        return diag_error(NULL, 0, "--population is required; see cptscov --help");
    if (!o->members)
        return diag_error(NULL, 0, "--members is required; see cptscov --help");
    if (!o->out)
        return diag_error(NULL, 0, "--out is required; see cptscov --help");
    return 0;
}

int run_job(const run_options *o)
{
    coverage_rule rule;
    report_lang lang = LANG_FR;
    unsigned formats;
    if (check_required(o) < 0 || parse_rule(o, &rule, &lang) < 0 ||
        parse_formats(o, &formats) < 0)
        return EXIT_USAGE;
    stopwatch w;
    watch_start(&w, o->timings);
    fld_set_free_codes(o->free_codes);
    /* An --out that cannot be written is said at once, not after the whole job. */
    outdir out;
    if (odir_begin(&out, o->out) < 0)
        return EXIT_ERROR;
    GDALAllRegister();
    job *j = xcalloc(1, sizeof *j);
    ctab_init(&j->table, GEOS_init_r());
    jis_init(&j->issues);
    int rc = read_inputs(j, o, &w);
    if (rc == 0 && o->strict && j->issues.n > 0)
        rc = strict_error(&j->issues);
    if (rc == 0) {
        cov_compute(&j->table, &rule, &j->coverage);
        lap(&w, "coverage");
        tl_compute(&j->table, &j->coverage, &j->timeline);
        lap(&w, "timeline");
        rc = build_topology(j, o, &w);
        if (rc == 0) {
            dissolve_all(j, o->threads, &w);
            rc = simplify_for_report(j, o->threads, &w);
        }
        if (rc == 0 && o->strict && j->issues.n > 0)
            rc = strict_error(&j->issues);
    }
    if (rc == 0 && o->simplify_m > 0)
        rc = simplify_maps(j, o, &w);
    if (rc == 0)
        rc = write_all(j, o, lang, formats, &out, &w);
    if (rc != 0)
        odir_abort(&out);
    if (rc == 0 && !o->quiet) {
        const coverage_figures *n = &j->coverage.nation;
        if (j->issues.n > 0) {
            char counts[512];
            jis_summary(&j->issues, counts, sizeof counts);
            fprintf(stderr, "cptscov: warning: %s; see %s/join_issues.csv\n", counts, o->out);
        }
        printf("covered: %lld of %lld inhabitants (%.2f %%), %d of %d communes, %d CPTS counting "
               "of %d; %d uncovered zone%s\n",
               (long long)n->covered_population, (long long)n->population, cov_pct(n),
               n->covered_communes, n->communes, j->coverage.cpts_counting, j->table.ncpts,
               j->zones.n, j->zones.n == 1 ? "" : "s");
        printf("outputs: %s/\n", o->out);
    }
    lap_total(&w);
    job_free(j);
    free(j);
    return rc == 0 ? EXIT_OK : EXIT_ERROR;
}
