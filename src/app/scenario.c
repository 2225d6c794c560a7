/* scenario.c -- one scenario: a coverage rule and its options applied to inputs already read,
 * written into an output directory. `cptscov run` is one scenario; `cptscov batch` many.
 *
 * A scenario owns what depends on its rule: the coverage report, the uncovered zones and their
 * shapes, and the list of join issues it reports. It only reads the inputs and the
 * territories, which all the scenarios of a batch share, so that several scenarios may run at
 * once on several threads, each with its own GEOS context. Its join issues are those of the
 * reading, then those of the dissolves, in the order a single run writes them:
 * departments, CPTS, zones, regions. */
#include "app/scenario.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "util/numfmt.h"
#include "write/map_writer.h"
#include "util/pool.h"
#include "report/report_geometry.h"
#include "report/write_report.h"
#include "write/results.h"
#include "analyse/timeline.h"
#include "util/util.h"
#include "analyse/zones.h"

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

/* The report (its geometry, then report.html) is made on a thread of its own while the
 * tables and maps are written: its arcs were simplified beside the dissolves
 * (terr_report_arcs), and tracing and drawing its maps takes about as long as the maps, so
 * side by side they end together. Nothing else reads the report's geometry. */
typedef struct report_job {
    const commune_table *t;
    const coverage_report *cov;
    const zone_list *zones;
    const territories *tr;      /* its arcs at the report's scales */
    int threads;
    const char *dir;
    run_results *r;            /* what it reports; its maps are drawn from geometry */
    report_geometry geometry;
    diag_context *diag;        /* the scenario's: errors go where its errors go */
    int rc;
} report_job;

static void *report_thread(void *arg)
{
    report_job *j = arg;
    diag_use(j->diag);
    const topo_simplified *coarse, *fine;
    if (terr_report_arcs(j->tr, &coarse, &fine) < 0) {
        j->rc = -1;
        return NULL;
    }
    /* The report's geometry (report_geometry.c) and maps (report_maps.c) work with the
     * table's GEOS context: scenarios running at once take turns for it. */
    ctab_geos_lock(j->t);
    rgeo_build(&j->geometry, j->t, j->cov, j->zones, coarse, fine, j->threads);
    j->rc = write_report_html(j->dir, j->r, &j->geometry);
    ctab_geos_unlock(j->t);
    return NULL;
}

int scn_check(const run_options *o, scenario_settings *set)
{
    memset(set, 0, sizeof *set);
    coverage_rule *rule = &set->rule;
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
    set->lang = (report_lang)l;
    if (parse_formats(o, &set->formats) < 0)
        return -1;
    if (o->as_of && (fld_date(o->as_of, &rule->as_of) != FLD_OK || rule->as_of == 0))
        return diag_error(NULL, 0, "--as-of \"%s\" is not a date that exists; write it YYYY-MM-DD",
                          o->as_of);
    if (o->scope && scope_check(o->scope, o->free_codes ? FLD_FREE_CODES : FLD_INSEE_CODES) < 0)
        return -1;
    return 0;
}

int scn_strict_error(const join_issues *ji)
{
    char counts[512];
    jis_summary(ji, counts, sizeof counts);
    const join_issue *it = &ji->items[0];
    return diag_error(it->file[0] ? it->file : NULL, it->line, "%s (%s, and %s in all); --strict "
                      "makes join issues errors", it->message, it->kind, counts);
}

/* The zones' dissolves: one task per zone, each with its join issues apart. */
typedef struct zone_batch {
    const commune_table *t;
    const topo_simplified *arcs;  /* the exact arcs, to trace the zones */
    zone_list *zones;
    const coverage_scope *scope;
    join_issues *issues;
} zone_batch;

static void zone_task(void *arg, int i, GEOSContextHandle_t h)
{
    zone_batch *b = arg;
    if (scope_has_zone(b->scope, &b->zones->zones[i]))
        zone_dissolve_one(b->t, h, b->arcs, b->zones, i, &b->issues[i]);
}

/* What one scenario computes and owns, from its analyses to its outputs. */
typedef struct scenario_work {
    const inputs *in;
    const territories *tr;
    const run_options *o;
    const scenario_settings *set;
    const coverage_scope *scope;
    int threads;
    coverage_report cov;
    coverage_timeline timeline;
    zone_list zones;
    join_issues *zone_issues;      /* per zone, its dissolve's */
    join_issues issues;            /* what it reports, in the order they are written */
    int shown_zones;               /* zones in scope */
    const topo_simplified *simplified; /* --simplify's arcs, NULL without */
    run_results r;
    report_job rj;
    pthread_t report;
    int report_started;
} scenario_work;

/* The coverage under the rule, its timeline, the uncovered zones and their dissolves. */
static void analyse(scenario_work *s, stopwatch *w)
{
    const commune_table *t = &s->in->table;
    cov_compute(t, &s->set->rule, &s->cov);
    if (s->scope)
        cov_restrict(t, &s->cov, s->scope->communes, s->scope->cpts);
    sw_lap(w, "coverage");
    tl_compute(t, &s->cov, &s->timeline);
    sw_lap(w, "timeline");
    zone_find(t, &s->tr->adjacency, &s->cov, &s->zones);
    sw_lap(w, "uncovered zones");
    s->zone_issues = xcalloc((size_t)(s->zones.n ? s->zones.n : 1), sizeof(join_issues));
    zone_batch zb = {t, s->tr->exact, &s->zones, s->scope, s->zone_issues};
    pool_run(s->threads, s->zones.n, zone_task, &zb);
    sw_lap(w, "dissolve zones");
}

/* The join issues it reports: the reading's, then those of the dissolves of what it shows. */
static void gather_issues(scenario_work *s)
{
    const territories *tr = s->tr;
    const coverage_scope *scope = s->scope;
    join_issues *issues = &s->issues;
    jis_init(issues);
    jis_append(issues, &s->in->issues);
    for (int d = 0; d < tr->areas.ndepartments; d++)
        if (scope_has_department(scope, tr->areas.departments[d].code))
            jis_append(issues, &tr->department_issues[d]);
    for (int k = 0; k < s->in->table.ncpts; k++)
        if (scope_has_cpts(scope, k))
            jis_append(issues, &tr->cpts_issues[k]);
    for (int z = 0; z < s->zones.n; z++)
        if (scope_has_zone(scope, &s->zones.zones[z])) {
            jis_append(issues, &s->zone_issues[z]);
            s->shown_zones++;
        }
    for (int r = 0; r < tr->areas.nregions; r++)
        if (scope_has_region(scope, tr->areas.regions[r].code))
            jis_append(issues, &tr->region_issues[r]);
}

/* Whether the outputs may be written: --strict and its join issues, --simplify and its arcs.
 * Returns 0, or -1 after diag_error. */
static int check(scenario_work *s)
{
    const run_options *o = s->o;
    if (o->strict && s->issues.n > 0)
        return scn_strict_error(&s->issues);
    s->simplified = o->simplify_m > 0 ? terr_simplified(s->tr, o->simplify_m) : NULL;
    if (o->simplify_m > 0 && !s->simplified)
        return diag_error(NULL, 0, "--simplify %g: the simplified arcs were not made; this is a "
                                   "bug of cptscov, please report it", o->simplify_m);
    return 0;
}

/* What the writers are given. */
static void make_results(scenario_work *s)
{
    const run_options *o = s->o;
    const territories *tr = s->tr;
    s->r = (run_results){
        .table = &s->in->table,
        .coverage = &s->cov,
        .scope = s->scope,
        .cpts_shapes = tr->cpts_shapes,
        .department_shapes = tr->department_shapes,
        .region_shapes = tr->region_shapes,
        .zones = &s->zones,
        .issues = &s->issues,
        .inputs = s->in->files,
        .ninputs = s->in->nfiles,
        .geojson_engine = o->geojson_engine && strcmp(o->geojson_engine, "gdal") == 0
                              ? ENGINE_GDAL : ENGINE_STREAM,
        .formats = s->set->formats,
        .quiet = o->quiet,
        .out_dir = o->out,
        .threads = s->threads,
        .timeline = &s->timeline,
        .lang = s->set->lang,
        .simplified = s->simplified,
        .simplify_m = s->simplified ? o->simplify_m : 0,
        .arcs = tr->exact,
        .arcs_lonlat = tr->exact_lonlat,
    };
}

/* The report into dir, on a thread of its own (report_job). */
static void start_report(scenario_work *s, const char *dir)
{
    report_job *rj = &s->rj;
    rj->t = &s->in->table;
    rj->cov = &s->cov;
    rj->zones = &s->zones;
    rj->tr = s->tr;
    rj->threads = s->threads;
    rj->dir = dir;
    rj->r = &s->r;
    rj->diag = diag_current();
    s->report_started = pthread_create(&s->report, NULL, report_thread, rj) == 0;
    if (!s->report_started)
        report_thread(rj); /* no thread to be had: made here, before the rest */
}

/* The tables, summary.json, report.md and the maps into dir, beside the report. Returns 0,
 * or non-zero after diag_error. */
static int write_outputs(scenario_work *s, const char *dir, stopwatch *w)
{
    const run_results *r = &s->r;
    if (write_tables(dir, r) < 0 || write_summary(dir, r) < 0)
        return -1;
    sw_lap(w, "write tables");
    int rc = write_report_md(dir, r);
    if (rc != 0)
        return rc;
    sw_lap(w, "write report.md");
    rc = write_maps(dir, r);
    if (rc != 0)
        return rc;
    sw_lap(w, "write maps");
    return 0;
}

/* Waits for the report; rc: the outputs' so far. Returns the scenario's. */
static int end_report(scenario_work *s, int rc, stopwatch *w)
{
    if (s->report_started)
        pthread_join(s->report, NULL);
    if (rc == 0)
        rc = s->rj.rc;
    if (rc == 0)
        sw_lap(w, "report (beside the maps)");
    return rc;
}

static void tell_outcome(const scenario_work *s, scenario_outcome *res)
{
    const coverage_report *cov = &s->cov;
    res->nation = cov->nation;
    res->cpts_counting = cov->cpts_counting;
    res->ncpts = s->in->table.ncpts;
    res->scope = cov->scope;
    res->scope_cpts = cov->scope_cpts;
    res->scope_cpts_counting = cov->scope_cpts_counting;
    res->zones = s->shown_zones;
    res->nissues = s->issues.n;
    jis_summary(&s->issues, res->issues_summary, sizeof res->issues_summary);
}

static void free_work(scenario_work *s, GEOSContextHandle_t h)
{
    const commune_table *t = &s->in->table;
    for (int z = 0; z < s->zones.n; z++)
        jis_free(&s->zone_issues[z]);
    free(s->zone_issues);
    jis_free(&s->issues);
    ctab_geos_lock(t);
    rgeo_free(t, &s->rj.geometry);
    ctab_geos_unlock(t);
    zone_free_r(h, &s->zones);
    tl_free(&s->timeline);
    cov_free(&s->cov);
}

int scn_run(const inputs *in, const territories *tr, const run_options *o,
            const scenario_settings *set, const coverage_scope *scope, outdir *out, int threads,
            GEOSContextHandle_t h, scenario_outcome *res, stopwatch *w)
{
    scenario_work s = {.in = in, .tr = tr, .o = o, .set = set, .scope = scope,
                       .threads = threads};
    analyse(&s, w);
    gather_issues(&s);
    int rc = check(&s);
    if (rc == 0) {
        make_results(&s);
        start_report(&s, out->tmp);
        rc = write_outputs(&s, out->tmp, w);
    }
    rc = end_report(&s, rc, w);
    if (rc == 0)
        rc = odir_commit(out);
    if (res)
        tell_outcome(&s, res);
    free_work(&s, h);
    return rc;
}

void scn_report_scales(const commune_table *t, terr_report_scales *out)
{
    rgeo_scales(t, &out->coarse_m, &out->fine_m);
    out->classes = rgeo_classes(t);
}
