/* scenario.c -- one scenario: a coverage rule and its options applied to inputs already read,
 * written into an output directory. `cptscov run` is one scenario; `cptscov batch` many.
 *
 * A scenario owns what depends on its rule: the coverage report, the uncovered zones and their
 * shapes, and the list of join issues it reports. It only reads the inputs and the
 * territories, which all the scenarios of a batch share, so that several scenarios may run at
 * once on several threads, each with its own GEOS context. Its join issues are those of the
 * reading, then those of the dissolves, in the order a single run has always written them:
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
    run_results *r;            /* its geometry field points at geometry */
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
    j->rc = write_report_html(j->dir, j->r);
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
    if (o->scope && scope_check(o->scope) < 0)
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

int scn_run(const inputs *in, const territories *tr, const run_options *o,
            const scenario_settings *set, const coverage_scope *scope, outdir *out, int threads,
            GEOSContextHandle_t h, scenario_outcome *res, stopwatch *w)
{
    const commune_table *t = &in->table;
    coverage_report cov;
    cov_compute(t, &set->rule, &cov);
    if (scope)
        cov_restrict(t, &cov, scope->communes, scope->cpts);
    sw_lap(w, "coverage");
    coverage_timeline timeline;
    tl_compute(t, &cov, &timeline);
    sw_lap(w, "timeline");
    zone_list zones;
    zone_find(t, &tr->adjacency, &cov, &zones);
    sw_lap(w, "uncovered zones");
    zone_batch zb = {t, tr->exact, &zones, scope,
                     xcalloc((size_t)(zones.n ? zones.n : 1), sizeof(join_issues))};
    pool_run(threads, zones.n, zone_task, &zb);
    sw_lap(w, "dissolve zones");

    report_job rj;
    memset(&rj, 0, sizeof rj);
    int rc = 0;

    join_issues issues;
    jis_init(&issues);
    jis_append(&issues, &in->issues);
    int shown_zones = 0;
    for (int d = 0; d < tr->areas.ndepartments; d++)
        if (scope_has_department(scope, tr->areas.departments[d].code))
            jis_append(&issues, &tr->department_issues[d]);
    for (int k = 0; k < t->ncpts; k++)
        if (scope_has_cpts(scope, k))
            jis_append(&issues, &tr->cpts_issues[k]);
    for (int z = 0; z < zones.n; z++)
        if (scope_has_zone(scope, &zones.zones[z])) {
            jis_append(&issues, &zb.issues[z]);
            shown_zones++;
        }
    for (int r = 0; r < tr->areas.nregions; r++)
        if (scope_has_region(scope, tr->areas.regions[r].code))
            jis_append(&issues, &tr->region_issues[r]);

    if (o->strict && issues.n > 0)
        rc = scn_strict_error(&issues);
    const topo_simplified *simplified = o->simplify_m > 0 ? terr_simplified(tr, o->simplify_m)
                                                          : NULL;
    if (rc == 0 && o->simplify_m > 0 && !simplified)
        rc = diag_error(NULL, 0, "--simplify %g: the simplified arcs were not made; this is a "
                                 "bug of cptscov, please report it", o->simplify_m);
    run_results r = {
        .table = t,
        .coverage = &cov,
        .scope = scope,
        .cpts_shapes = tr->cpts_shapes,
        .department_shapes = tr->department_shapes,
        .region_shapes = tr->region_shapes,
        .zones = &zones,
        .issues = &issues,
        .inputs = in->files,
        .ninputs = in->nfiles,
        .geojson_engine = o->geojson_engine && strcmp(o->geojson_engine, "gdal") == 0
                              ? ENGINE_GDAL : ENGINE_STREAM,
        .formats = set->formats,
        .quiet = o->quiet,
        .out_dir = o->out,
        .threads = threads,
        .timeline = &timeline,
        .lang = set->lang,
        .simplified = simplified,
        .simplify_m = simplified ? o->simplify_m : 0,
        .arcs = tr->exact,
        .arcs_lonlat = tr->exact_lonlat,
        .geometry = &rj.geometry,
    };
    pthread_t report;
    int report_started = 0;
    if (rc == 0) {
        rj.t = t;
        rj.cov = &cov;
        rj.zones = &zones;
        rj.tr = tr;
        rj.threads = threads;
        rj.dir = out->tmp;
        rj.r = &r;
        rj.diag = diag_current();
        report_started = pthread_create(&report, NULL, report_thread, &rj) == 0;
        if (!report_started)
            report_thread(&rj); /* no thread to be had: made here, before the rest */
    }
    if (rc == 0)
        rc = write_tables(out->tmp, &r) < 0 || write_summary(out->tmp, &r) < 0 ? -1 : 0;
    if (rc == 0)
        sw_lap(w, "write tables");
    if (rc == 0)
        rc = write_report_md(out->tmp, &r);
    if (rc == 0)
        sw_lap(w, "write report.md");
    if (rc == 0)
        rc = write_maps(out->tmp, &r);
    if (rc == 0)
        sw_lap(w, "write maps");
    if (report_started)
        pthread_join(report, NULL);
    if (rc == 0)
        rc = rj.rc;
    if (rc == 0)
        sw_lap(w, "report (beside the maps)");
    if (rc == 0)
        rc = odir_commit(out);
    if (res) {
        res->nation = cov.nation;
        res->cpts_counting = cov.cpts_counting;
        res->ncpts = t->ncpts;
        res->scope = cov.scope;
        res->scope_cpts = cov.scope_cpts;
        res->scope_cpts_counting = cov.scope_cpts_counting;
        res->zones = shown_zones;
        res->nissues = issues.n;
        jis_summary(&issues, res->issues_summary, sizeof res->issues_summary);
    }
    for (int z = 0; z < zones.n; z++)
        jis_free(&zb.issues[z]);
    free(zb.issues);
    jis_free(&issues);
    ctab_geos_lock(t);
    rgeo_free(t, &rj.geometry);
    ctab_geos_unlock(t);
    zone_free_r(h, &zones);
    tl_free(&timeline);
    cov_free(&cov);
    return rc;
}
