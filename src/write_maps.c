/* write_maps.c -- the five GeoJSON maps: communes, CPTS, departments, regions, uncovered zones.
 * One feature per territory that has a polygon, with its figures as properties.
 *
 * What each map holds is said here once, as a table of fields and a loop over territories;
 * how a file is written (RFC 7946, the engine) is map_writer.c's business. Coordinates have
 * 6 decimals (about 0.1 m: plenty for a map, and files a third smaller than the 7 decimals
 * of the RFC 7946 default); reals the decimals of the CSV tables. A territory without a
 * polygon (a commune the communes file lacks) has no feature: the CSV tables list it.
 * Figures come from the run results; nothing is computed here. */
#include "results.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "fields.h"
#include "map_writer.h"
#include "pool.h"
#include "util.h"

#define NFIELDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const map_field commune_fields[] = {
    {"code", MF_STRING, 0},      {"name", MF_STRING, 0},     {"dep", MF_STRING, 0},
    {"reg", MF_STRING, 0},       {"population", MF_INT64, 0}, {"covered", MF_BOOL, 0},
    {"cpts", MF_STRING_LIST, 0}, {"area_km2", MF_REAL, 3},
};

static const map_field cpts_fields[] = {
    {"cpts_id", MF_STRING, 0},   {"name", MF_STRING, 0},       {"status", MF_STRING, 0},
    {"signed_on", MF_STRING, 0}, {"counts", MF_BOOL, 0},       {"communes", MF_INT64, 0},
    {"population", MF_INT64, 0}, {"covered_population", MF_INT64, 0},
    {"area_km2", MF_REAL, 3},
};

static const map_field department_fields[] = {
    {"code", MF_STRING, 0},      {"name", MF_STRING, 0},       {"reg", MF_STRING, 0},
    {"population", MF_INT64, 0}, {"covered_population", MF_INT64, 0},
    {"covered_pct", MF_REAL, 4}, {"communes", MF_INT64, 0},    {"covered_communes", MF_INT64, 0},
};

/* The same as departments, without "reg". */
static const map_field region_fields[] = {
    {"code", MF_STRING, 0},      {"name", MF_STRING, 0},       {"population", MF_INT64, 0},
    {"covered_population", MF_INT64, 0}, {"covered_pct", MF_REAL, 4},
    {"communes", MF_INT64, 0},   {"covered_communes", MF_INT64, 0},
};

static const map_field zone_fields[] = {
    {"rank", MF_INT64, 0},       {"population", MF_INT64, 0},  {"area_km2", MF_REAL, 3},
    {"communes", MF_INT64, 0},   {"commune_codes", MF_STRING_LIST, 0},
    {"departments", MF_STRING_LIST, 0}, {"bordering_cpts", MF_STRING_LIST, 0},
    {"pending_cpts", MF_STRING_LIST, 0},
};

/* 1 when the shape has at least one polygon. */
static int has_polygon(const shape *s)
{
    for (int l = 0; l < s->nlayers; l++)
        if (s->by_layer[l])
            return 1;
    return 0;
}

/* Ends the feature with its territory's geometry: the exact shape, or with --simplify the
 * communes idx[0..n-1] rebuilt from the simplified arcs (the figures stay the exact ones). */
static int end_feature(map_writer *w, const run_results *r, GEOSContextHandle_t h,
                       const shape *exact, const int *idx, int n)
{
    if (!r->simplified)
        return mw_end(w, exact);
    shape s;
    topo_shape(r->simplified, h, idx, n, &s);
    int rc = mw_end(w, &s);
    shape_free(r->table, &s);
    return rc;
}

static map_writer *open_map(const char *dir, const char *name, const map_field *fields, int n,
                            const run_results *r, GEOSContextHandle_t h)
{
    char *path = xasprintf("%s/%s.geojson", dir, name);
    map_writer *w = mw_open(path, name, fields, n, r->geojson_engine, r->table, h);
    free(path);
    return w;
}

/* The ids of CPTS idx[0..n-1], in a new array of borrowed strings. */
static const char **cpts_ids(const commune_table *t, const int *idx, int n)
{
    const char **ids = xmalloc((size_t)(n ? n : 1) * sizeof *ids);
    for (int i = 0; i < n; i++)
        ids[i] = t->cpts[idx[i]].id;
    return ids;
}

static int write_communes(const char *dir, const run_results *r, GEOSContextHandle_t h)
{
    const commune_table *t = r->table;
    map_writer *w = open_map(dir, "communes", commune_fields, NFIELDS(commune_fields), r, h);
    if (!w)
        return -1;
    /* A one-commune shape: the commune's geometry at its layer, NULL elsewhere. It borrows
     * the geometry, so it is never given to shape_free. */
    GEOSGeometry **by_layer = xcalloc((size_t)t->nlayers + 1, sizeof *by_layer);
    shape one = {by_layer, t->nlayers};
    int rc = 0;
    for (int i = 0; i < t->ncommunes && rc == 0; i++) {
        const commune *c = &t->communes[i];
        if (!c->geom)
            continue;
        const char **ids = cpts_ids(t, c->cpts, c->ncpts);
        mw_begin(w);
        mw_string(w, c->code);
        mw_string(w, c->name);
        mw_string(w, c->dep);
        mw_string(w, c->reg);
        mw_int64(w, c->population);
        mw_bool(w, r->coverage->covered[i]);
        mw_list(w, ids, c->ncpts);
        mw_real(w, c->area_km2);
        by_layer[c->layer] = c->geom;
        rc = end_feature(w, r, h, &one, &i, 1);
        by_layer[c->layer] = NULL;
        free(ids);
    }
    free(by_layer);
    return mw_close(w, rc);
}

static int write_cpts(const char *dir, const run_results *r, GEOSContextHandle_t h)
{
    const commune_table *t = r->table;
    map_writer *w = open_map(dir, "cpts", cpts_fields, NFIELDS(cpts_fields), r, h);
    if (!w)
        return -1;
    int rc = 0;
    for (int k = 0; k < t->ncpts && rc == 0; k++) {
        if (!has_polygon(&r->cpts_shapes[k]))
            continue;
        const cpts *p = &t->cpts[k];
        const coverage_figures *fig = &r->coverage->by_cpts[k];
        char date[11];
        fld_format_date(p->signed_on, date);
        mw_begin(w);
        mw_string(w, p->id);
        mw_string(w, p->name);
        mw_string(w, ctab_status_name(p->status));
        mw_string(w, date[0] ? date : NULL);
        mw_bool(w, r->coverage->counts[k]);
        mw_int64(w, fig->communes);
        mw_int64(w, fig->population);
        mw_int64(w, fig->covered_population);
        mw_real(w, fig->area_km2);
        rc = end_feature(w, r, h, &r->cpts_shapes[k], p->communes, p->ncommunes);
    }
    return mw_close(w, rc);
}

/* departments.geojson (is_region 0) or regions.geojson. */
static int write_areas(const char *dir, const run_results *r, int is_region,
                       GEOSContextHandle_t h)
{
    const coverage_report *cov = r->coverage;
    map_writer *w = is_region
        ? open_map(dir, "regions", region_fields, NFIELDS(region_fields), r, h)
        : open_map(dir, "departments", department_fields, NFIELDS(department_fields), r, h);
    if (!w)
        return -1;
    const coverage_area *areas = is_region ? cov->regions : cov->departments;
    const shape *shapes = is_region ? r->region_shapes : r->department_shapes;
    int n = is_region ? cov->nregions : cov->ndepartments;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (!has_polygon(&shapes[i]))
            continue;
        const coverage_area *a = &areas[i];
        mw_begin(w);
        mw_string(w, a->code);
        mw_string(w, a->name);
        if (!is_region)
            mw_string(w, a->reg);
        mw_int64(w, a->fig.population);
        mw_int64(w, a->fig.covered_population);
        mw_real(w, cov_pct(&a->fig));
        mw_int64(w, a->fig.communes);
        mw_int64(w, a->fig.covered_communes);
        rc = end_feature(w, r, h, &shapes[i], a->communes, a->ncommunes);
    }
    return mw_close(w, rc);
}

static int write_zones(const char *dir, const run_results *r, GEOSContextHandle_t h)
{
    const commune_table *t = r->table;
    map_writer *w = open_map(dir, "uncovered", zone_fields, NFIELDS(zone_fields), r, h);
    if (!w)
        return -1;
    int rc = 0;
    for (int z = 0; z < r->zones->n && rc == 0; z++) {
        const uncovered_zone *zn = &r->zones->zones[z];
        if (!has_polygon(&zn->shape))
            continue;
        const char **codes = xmalloc((size_t)(zn->ncommunes ? zn->ncommunes : 1) * sizeof *codes);
        for (int i = 0; i < zn->ncommunes; i++)
            codes[i] = t->communes[zn->communes[i]].code;
        const char **deps = xmalloc((size_t)(zn->ndepartments ? zn->ndepartments : 1) * sizeof *deps);
        for (int d = 0; d < zn->ndepartments; d++)
            deps[d] = zn->departments[d];
        const char **bordering = cpts_ids(t, zn->bordering_cpts, zn->nbordering);
        const char **pending = cpts_ids(t, zn->pending_cpts, zn->npending);
        mw_begin(w);
        mw_int64(w, z + 1);
        mw_int64(w, zn->population);
        mw_real(w, zn->area_km2);
        mw_int64(w, zn->ncommunes);
        mw_list(w, codes, zn->ncommunes);
        mw_list(w, deps, zn->ndepartments);
        mw_list(w, bordering, zn->nbordering);
        mw_list(w, pending, zn->npending);
        rc = end_feature(w, r, h, &zn->shape, zn->communes, zn->ncommunes);
        free(codes);
        free(deps);
        free(bordering);
        free(pending);
    }
    return mw_close(w, rc);
}

/* The five maps are independent: each is a task of its own, on its own thread. */
typedef struct map_batch {
    const char *dir;
    const run_results *r;
    int rc[5];
} map_batch;

static void map_task(void *arg, int i, GEOSContextHandle_t h)
{
    map_batch *b = arg;
    switch (i) {
    case 0: b->rc[i] = write_communes(b->dir, b->r, h); break;
    case 1: b->rc[i] = write_cpts(b->dir, b->r, h); break;
    case 2: b->rc[i] = write_areas(b->dir, b->r, 0, h); break;
    case 3: b->rc[i] = write_areas(b->dir, b->r, 1, h); break;
    default: b->rc[i] = write_zones(b->dir, b->r, h); break;
    }
}

static const char *const map_names[5] = {"communes", "cpts", "departments", "regions",
                                         "uncovered"};

int write_maps(const char *dir, const run_results *r)
{
    /* The files are created here first, in order, so that a directory that cannot take them
     * is reported on the first map whatever the threads do. */
    for (int i = 0; i < 5; i++) {
        char *path = xasprintf("%s/%s.geojson", dir, map_names[i]);
        FILE *f = fopen(path, "wb");
        int rc = f ? 0 : diag_error(path, 0, "cannot write: %s; check free space and permissions",
                                    strerror(errno));
        if (f)
            fclose(f);
        free(path);
        if (rc < 0)
            return -1;
    }
    map_batch b = {dir, r, {0}};
    pool_run(r->threads, 5, map_task, &b);
    for (int i = 0; i < 5; i++)
        if (b.rc[i] < 0)
            return -1;
    return 0;
}
