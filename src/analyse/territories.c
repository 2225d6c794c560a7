/* territories.c -- what does not depend on a coverage rule: who borders whom, and the shapes of
 * the departments, regions and CPTS. Made once per job and shared by all its scenarios.
 *
 * A coverage rule decides which communes are covered, not where the borders of a department
 * or a CPTS lie, so the dissolves that take most of a job's analysis are made here once and
 * the scenarios of a batch (signed only, signed and projects, each year end...) all read
 * them. The arcs of the communes (geom/arcs.c) are built first, and take the commune
 * polygons (the coverage is not held twice): the adjacency is read off them, every
 * territory is traced from them (shape_dissolve_arcs, several times faster than
 * GEOSCoverageUnion_r, which stays the fall-back where the traced shape fails its checks), the GeoJSON maps print their points
 * taken to WGS84 once here (during the build, on a second core), and the report's maps and
 * --simplify draw from them, simplified once per tolerance the scenarios ask for (the
 * report's two scales on a thread of their own, started as soon as the arcs are built: it is
 * the longest chain of the job, from there to report.html, while the proof that the exact
 * arcs do not cross, the dissolves and the maps take the other core). The departments, CPTS
 * and regions are tasks of pool batches (the largest first would not help: departments come
 * first and are the largest). Each task records its join issues apart, so the outputs do not
 * depend on the threads nor on what else a batch asked for. */
#include "analyse/territories.h"

#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/crs.h"
#include "util/pool.h"
#include "util/util.h"

/* Which territories to dissolve: one flag per CPTS (table order), department and region (the
 * order of territories.areas). */
typedef struct territory_needs {
    unsigned char *cpts, *departments, *regions;
} territory_needs;

typedef struct dissolve_batch {
    territories *tr;
    const territory_needs *need;
    int regions;               /* 0: departments then CPTS; 1: regions */
} dissolve_batch;

static int wanted(const unsigned char *flags, int i)
{
    return flags[i];
}

/* What the scopes show; a region shown shows its departments too. */
static void find_needs(const territories *tr, const coverage_scope *const *scopes, int nscopes,
                       territory_needs *need)
{
    const commune_table *t = tr->table;
    const coverage_report *a = &tr->areas;
    need->cpts = xcalloc((size_t)t->ncpts + 1, 1);
    need->departments = xcalloc((size_t)a->ndepartments + 1, 1);
    need->regions = xcalloc((size_t)a->nregions + 1, 1);
    const coverage_scope *whole = NULL; /* scope_has_* of NULL: everything */
    if (nscopes == 0) {
        scopes = &whole;
        nscopes = 1;
    }
    for (int s = 0; s < nscopes; s++) {
        for (int k = 0; k < t->ncpts; k++)
            need->cpts[k] |= (unsigned char)scope_has_cpts(scopes[s], k);
        for (int r = 0; r < a->nregions; r++)
            need->regions[r] |= (unsigned char)scope_has_region(scopes[s], a->regions[r].code);
    }
    for (int d = 0; d < a->ndepartments; d++) {
        const coverage_area *reg = cov_find_region(a, a->departments[d].reg);
        need->departments[d] = (unsigned char)(reg && need->regions[reg - a->regions]);
        for (int s = 0; s < nscopes && !need->departments[d]; s++)
            need->departments[d] = (unsigned char)scope_has_department(scopes[s],
                                                                     a->departments[d].code);
    }
}

static void dissolve_task(void *arg, int i, GEOSContextHandle_t h)
{
    dissolve_batch *b = arg;
    territories *tr = b->tr;
    const commune_table *t = tr->table;
    const coverage_report *a = &tr->areas;
    char what[128];
    if (b->regions) {
        if (!wanted(b->need->regions, i))
            return;
        const coverage_area *r = &a->regions[i];
        snprintf(what, sizeof what, "region %s", r->code);
        shape_dissolve_arcs(t, h, tr->exact, r->communes, r->ncommunes, what,
                            &tr->region_issues[i], &tr->region_shapes[i]);
    } else if (i < a->ndepartments) {
        if (!wanted(b->need->departments, i))
            return;
        const coverage_area *d = &a->departments[i];
        snprintf(what, sizeof what, "department %s", d->code);
        shape_dissolve_arcs(t, h, tr->exact, d->communes, d->ncommunes, what,
                            &tr->department_issues[i], &tr->department_shapes[i]);
    } else {
        i -= a->ndepartments;
        if (!wanted(b->need->cpts, i))
            return;
        const cpts *p = &t->cpts[i];
        snprintf(what, sizeof what, "CPTS %s", p->id);
        shape_dissolve_arcs(t, h, tr->exact, p->communes, p->ncommunes, what, &tr->cpts_issues[i],
                            &tr->cpts_shapes[i]);
    }
}

/* The points of the exact arcs in WGS84: a part of them per task, each with a PROJ context
 * and copies of the layers' transformations of its own (a PJ serves one thread). */
typedef struct lonlat_part {
    PJ_CONTEXT *ctx;
    PJ **to_wgs84;
    PJ **inverse;
    const commune_table *t;
} lonlat_part;

typedef struct lonlat_batch {
    const territories *tr;
    double *out;
    int nparts;
} lonlat_batch;

static void lonlat_run(void *arg, int layer, double *xy, size_t n)
{
    lonlat_part *p = arg;
    const commune_layer *ly = &p->t->layers[layer];
    if (!p->to_wgs84[layer] && ly->to_wgs84) {
        p->to_wgs84[layer] = proj_clone(p->ctx, ly->to_wgs84);
        p->inverse[layer] = ly->inverse ? proj_clone(p->ctx, ly->inverse) : NULL;
    }
    if (!p->to_wgs84[layer]) { /* never happens: a layer without a way to WGS84 is refused */
        for (size_t i = 0; i < 2 * n; i++)
            xy[i] = HUGE_VAL;
        return;
    }
    crs_to_wgs84(p->to_wgs84[layer], p->inverse[layer], xy, n);
}

static void lonlat_part_init(lonlat_part *p, const commune_table *t)
{
    *p = (lonlat_part){proj_context_create(), xcalloc((size_t)t->nlayers + 1, sizeof(PJ *)),
                       xcalloc((size_t)t->nlayers + 1, sizeof(PJ *)), t};
}

static void lonlat_part_free(lonlat_part *p)
{
    for (int l = 0; l < p->t->nlayers; l++) {
        if (p->to_wgs84[l])
            proj_destroy(p->to_wgs84[l]);
        if (p->inverse[l])
            proj_destroy(p->inverse[l]);
    }
    free(p->to_wgs84);
    free(p->inverse);
    proj_context_destroy(p->ctx);
}

static void lonlat_task(void *arg, int part, GEOSContextHandle_t h)
{
    (void)h;
    lonlat_batch *b = arg;
    lonlat_part p;
    lonlat_part_init(&p, b->tr->table);
    topo_points_map(b->tr->exact, part, b->nparts, b->out, lonlat_run, &p);
    lonlat_part_free(&p);
}

/* The report's two scales, simplified one after the other on a thread of their own, with a
 * GEOS context of its own (the table's serves the caller meanwhile): beside the projection
 * of the arcs and the dissolves, which keep the other cores busy, and one at a time, since
 * each holds room for every point of the arcs while it simplifies. */
struct report_arcs {
    const topology *topology;
    int *classes;             /* of the communes, as the report's maps part them */
    double tolerance_m[2];    /* coarse, fine */
    topo_simplified *arcs[2];
    pthread_t thread;
    int started;
    char *error;              /* why a scale could not be made, for the scenarios to say */
    pthread_mutex_t lock;     /* scenarios may wait for them at once */
};

static void *report_arcs_thread(void *arg)
{
    struct report_arcs *ra = arg;
    diag_context dc;          /* its own: the error goes to each scenario that needs them */
    diag_context_init(&dc);
    diag_context *saved = diag_current();
    diag_use(&dc);
    GEOSContextHandle_t h = GEOS_init_r();
    for (int i = 0; i < 2 && !ra->error; i++)
        if (!(ra->arcs[i] = topo_simplify_classes(ra->topology, h, ra->tolerance_m[i],
                                                  ra->classes)))
            ra->error = xstrdup(diag_message() ? diag_message() : "the report's arcs failed");
    GEOS_finish_r(h);
    diag_use(saved);
    diag_context_free(&dc);
    return NULL;
}

/* Starts the simplification at the report's two scales (here when no thread can be had);
 * takes report->classes. */
static void start_report_arcs(territories *tr, const terr_report_scales *report)
{
    struct report_arcs *ra = xcalloc(1, sizeof *ra);
    ra->topology = tr->topology;
    ra->tolerance_m[0] = report->coarse_m;
    ra->tolerance_m[1] = report->fine_m;
    ra->classes = report->classes;
    pthread_mutex_init(&ra->lock, NULL);
    tr->report_arcs = ra;
    ra->started = pthread_create(&ra->thread, NULL, report_arcs_thread, ra) == 0;
    if (!ra->started)
        report_arcs_thread(ra);
}

int terr_report_arcs(const territories *tr, const topo_simplified **coarse,
                     const topo_simplified **fine)
{
    struct report_arcs *ra = tr->report_arcs;
    if (!ra)
        return diag_error(NULL, 0, "internal error: the report's arcs were not asked for "
                          "(terr_begin without report scales); please report it");
    pthread_mutex_lock(&ra->lock);
    if (ra->started) {
        pthread_join(ra->thread, NULL);
        ra->started = 0;
    }
    pthread_mutex_unlock(&ra->lock);
    *coarse = ra->arcs[0];
    *fine = ra->arcs[1];
    return ra->error ? diag_error(NULL, 0, "%s", ra->error) : 0;
}

int terr_begin(territories *tr, commune_table *t, const terr_report_scales *report,
               int threads, stopwatch *w)
{
    memset(tr, 0, sizeof *tr);
    tr->table = t;
    coverage_rule nothing;
    memset(&nothing, 0, sizeof nothing);
    cov_compute(t, &nothing, &tr->areas);
    /* The arcs' points to WGS84 beside the build, on a second core (unless --threads 1). */
    lonlat_part parts[2];
    lonlat_part_init(&parts[0], t);
    lonlat_part_init(&parts[1], t);
    topo_points_change change = {lonlat_run, {&parts[0], &parts[1]}, NULL};
    tr->topology = topo_build_taking(t, t->geos, threads == 1 ? NULL : &change, threads);
    lonlat_part_free(&parts[0]);
    lonlat_part_free(&parts[1]);
    if (!tr->topology) {
        if (report)
            free(report->classes);
        return -1;
    }
    topo_set_threads(tr->topology, threads);
    mem_release(); /* the tables that built the arcs */
    if (report)
        start_report_arcs(tr, report); /* the longest chain of the job, from here to report.html */
    if (!(tr->exact = topo_simplify(tr->topology, t->geos, 0))) /* proved clash-free */
        return -1;
    sw_lap(w, "topology (arcs, their points to WGS84, checked)");
    adj_from_topology(t, tr->topology, &tr->adjacency); /* neighbours share an arc */
    sw_lap(w, "adjacency");
    tr->exact_lonlat = change.out;
    if (!tr->exact_lonlat) { /* one thread: the points after the build, on the pool */
        tr->exact_lonlat = xmalloc(2 * (topo_point_places(tr->exact) + 1) *
                                   sizeof *tr->exact_lonlat);
        lonlat_batch lb = {tr, tr->exact_lonlat, threads > 0 ? threads : pool_cores()};
        pool_run(threads, lb.nparts, lonlat_task, &lb);
        sw_lap(w, "arcs to WGS84");
    }
    return 0;
}

int terr_build(territories *tr, commune_table *t, const terr_report_scales *report,
               const coverage_scope *const *scopes, int nscopes, int threads, stopwatch *w)
{
    if (terr_begin(tr, t, report, threads, w) < 0)
        return -1;
    terr_dissolve(tr, scopes, nscopes, threads, w);
    return 0;
}

void terr_dissolve(territories *tr, const coverage_scope *const *scopes, int nscopes,
                   int threads, stopwatch *w)
{
    const commune_table *t = tr->table;
    int nc = t->ncpts ? t->ncpts : 1;
    int nd = tr->areas.ndepartments ? tr->areas.ndepartments : 1;
    int nr = tr->areas.nregions ? tr->areas.nregions : 1;
    tr->cpts_shapes = xcalloc((size_t)nc, sizeof *tr->cpts_shapes);
    tr->department_shapes = xcalloc((size_t)nd, sizeof *tr->department_shapes);
    tr->region_shapes = xcalloc((size_t)nr, sizeof *tr->region_shapes);
    tr->cpts_issues = xcalloc((size_t)nc, sizeof *tr->cpts_issues);
    tr->department_issues = xcalloc((size_t)nd, sizeof *tr->department_issues);
    tr->region_issues = xcalloc((size_t)nr, sizeof *tr->region_issues);
    territory_needs need;
    find_needs(tr, scopes, nscopes, &need);
    dissolve_batch b = {tr, &need, 0};
    pool_run(threads, tr->areas.ndepartments + t->ncpts, dissolve_task, &b);
    sw_lap(w, "dissolve CPTS, departments");
    b.regions = 1;
    pool_run(threads, tr->areas.nregions, dissolve_task, &b);
    sw_lap(w, "dissolve regions");
    free(need.cpts);
    free(need.departments);
    free(need.regions);
}

static void free_shapes(const commune_table *t, shape *s, join_issues *ji, int n)
{
    for (int i = 0; s && i < n; i++)
        shape_free(t, &s[i]);
    for (int i = 0; ji && i < n; i++)
        jis_free(&ji[i]);
    free(s);
    free(ji);
}

int terr_simplify(territories *tr, const double *tolerances, int n, int threads, stopwatch *w)
{
    const commune_table *t = tr->table;
    for (int i = 0; i < n; i++) {
        if (terr_simplified(tr, tolerances[i]))
            continue;
        (void)threads; /* the arcs' threads were set when they were built */
        topo_simplified *ts = topo_simplify(tr->topology, t->geos, tolerances[i]);
        if (!ts)
            return -1;
        tr->simplified = xrealloc(tr->simplified, (size_t)(tr->nsimplified + 1) *
                                                      sizeof *tr->simplified);
        tr->tolerances = xrealloc(tr->tolerances, (size_t)(tr->nsimplified + 1) *
                                                      sizeof *tr->tolerances);
        tr->simplified[tr->nsimplified] = ts;
        tr->tolerances[tr->nsimplified++] = tolerances[i];
        sw_lap(w, "simplify arcs");
    }
    return 0;
}

const topo_simplified *terr_simplified(const territories *tr, double tolerance)
{
    for (int i = 0; i < tr->nsimplified; i++)
        if (tr->tolerances[i] == tolerance)
            return tr->simplified[i];
    return NULL;
}

void terr_free(territories *tr)
{
    if (!tr->table)
        return;
    if (tr->report_arcs) {
        const topo_simplified *coarse, *fine;
        diag_context quiet; /* the error, if any, was said by the scenarios that needed them */
        diag_context_init(&quiet);
        diag_context *saved = diag_current();
        diag_use(&quiet);
        terr_report_arcs(tr, &coarse, &fine); /* the thread ends before what it reads goes */
        diag_use(saved);
        diag_context_free(&quiet);
        free(tr->report_arcs->error);
        free(tr->report_arcs->classes);
        topo_simplified_free(tr->report_arcs->arcs[0]);
        topo_simplified_free(tr->report_arcs->arcs[1]);
        pthread_mutex_destroy(&tr->report_arcs->lock);
        free(tr->report_arcs);
    }
    for (int i = 0; i < tr->nsimplified; i++)
        topo_simplified_free(tr->simplified[i]);
    free(tr->simplified);
    free(tr->tolerances);
    topo_simplified_free(tr->exact);
    free(tr->exact_lonlat);
    topo_free(tr->topology);
    free_shapes(tr->table, tr->cpts_shapes, tr->cpts_issues, tr->table->ncpts);
    free_shapes(tr->table, tr->department_shapes, tr->department_issues, tr->areas.ndepartments);
    free_shapes(tr->table, tr->region_shapes, tr->region_issues, tr->areas.nregions);
    adj_free(&tr->adjacency);
    cov_free(&tr->areas);
    memset(tr, 0, sizeof *tr);
}
