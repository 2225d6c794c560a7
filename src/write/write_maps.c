/* write_maps.c -- the five maps (communes, CPTS, departments, regions, uncovered zones) in
 * every format asked for: GeoJSON, GeoPackage, FlatGeobuf, Shapefile.
 *
 * What each map holds is said here once, as a table of fields and a loop over territories
 * (a map_def); how a file is written (RFC 7946, GDAL's drivers, each format's types and
 * limits) is map_writer.c's business. Every (map, format) pair runs the same loop into its
 * own writer, so a format is a column of the task list, never a copy of the loops. The pairs
 * are tasks of the thread pool; the GeoPackage is one task, since one SQLite file takes one
 * writer at a time: its five maps, the coverage tables (write_tables.c) and the QGIS styles
 * (map_styles.c) are written in turn, and it goes first, being the longest.
 *
 * Coordinates of the GeoJSON have 6 decimals (about 0.1 m: plenty for a map, and files a
 * third smaller than the 7 decimals of the RFC 7946 default); the binary formats keep full
 * precision. Reals have the decimals of the CSV tables. A territory without a polygon (a
 * commune the communes file lacks) has no feature: the CSV tables list it. Figures come from
 * the run results; nothing is computed here. With --scope, a map holds the territories the
 * scope shows (scope.h), and zones are ranked among those shown. */
#include "write/results.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "model/fields.h"
#include "write/map_styles.h"
#include "write/map_writer.h"
#include "util/pool.h"
#include "util/util.h"

#define NFIELDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The fields of each map: name, type, decimals, and the Shapefile's name where the name is
 * longer than its 10 characters (docs/outputs.md, "Shapefile field names"). */
static const map_field commune_fields[] = {
    {"code", MF_STRING, 0, NULL},
    {"name", MF_STRING, 0, NULL},
    {"dep", MF_STRING, 0, NULL},
    {"reg", MF_STRING, 0, NULL},
    {"population", MF_INT64, 0, NULL},
    {"covered", MF_BOOL, 0, NULL},
    {"cpts", MF_STRING_LIST, 0, NULL},
    {"area_km2", MF_REAL, 3, NULL},
};

static const map_field cpts_fields[] = {
    {"cpts_id", MF_STRING, 0, NULL},
    {"name", MF_STRING, 0, NULL},
    {"status", MF_STRING, 0, NULL},
    {"signed_on", MF_DATE, 0, NULL},
    {"counts", MF_BOOL, 0, NULL},
    {"communes", MF_INT, 0, NULL},
    {"population", MF_INT64, 0, NULL},
    {"covered_population", MF_INT64, 0, "cov_pop"},
    {"area_km2", MF_REAL, 3, NULL},
};

static const map_field department_fields[] = {
    {"code", MF_STRING, 0, NULL},
    {"name", MF_STRING, 0, NULL},
    {"reg", MF_STRING, 0, NULL},
    {"population", MF_INT64, 0, NULL},
    {"covered_population", MF_INT64, 0, "cov_pop"},
    {"covered_pct", MF_REAL, 4, "cov_pct"},
    {"communes", MF_INT, 0, NULL},
    {"covered_communes", MF_INT, 0, "cov_comm"},
};

/* The same as departments, without "reg". */
static const map_field region_fields[] = {
    {"code", MF_STRING, 0, NULL},
    {"name", MF_STRING, 0, NULL},
    {"population", MF_INT64, 0, NULL},
    {"covered_population", MF_INT64, 0, "cov_pop"},
    {"covered_pct", MF_REAL, 4, "cov_pct"},
    {"communes", MF_INT, 0, NULL},
    {"covered_communes", MF_INT, 0, "cov_comm"},
};

static const map_field zone_fields[] = {
    {"rank", MF_INT, 0, NULL},
    {"population", MF_INT64, 0, NULL},
    {"area_km2", MF_REAL, 3, NULL},
    {"communes", MF_INT, 0, NULL},
    {"commune_codes", MF_STRING_LIST, 0, "com_codes"},
    {"departments", MF_STRING_LIST, 0, "depts"},
    {"bordering_cpts", MF_STRING_LIST, 0, "bord_cpts"},
    {"pending_cpts", MF_STRING_LIST, 0, "pend_cpts"},
};

/* Ends the feature with its territory's geometry: the exact shape (traced again from the
 * exact arcs by the GeoJSON writer when it was traced from them), or with --simplify the
 * communes idx[0..n-1] rebuilt from the simplified arcs (the figures stay the exact ones). */
static int end_feature(map_writer *w, const run_results *r, GEOSContextHandle_t h,
                       const shape *exact, const int *idx, int n)
{
    if (!r->simplified)
        return mw_end_traced(w, exact, r->arcs, r->arcs_lonlat, idx, n);
    shape s;
    topo_shape(r->simplified, h, idx, n, &s);
    int rc = mw_end(w, &s);
    shape_free_r(h, &s); /* with this thread's context: maps may be written on several */
    return rc;
}

/* The ids of CPTS idx[0..n-1], in a new array of borrowed strings. */
static const char **cpts_ids(const commune_table *t, const int *idx, int n)
{
    const char **ids = xmalloc((size_t)(n ? n : 1) * sizeof *ids);
    for (int i = 0; i < n; i++)
        ids[i] = t->cpts[idx[i]].id;
    return ids;
}

static int fill_communes(map_writer *w, const run_results *r, GEOSContextHandle_t h)
{
    const commune_table *t = r->table;
    /* A one-commune shape: the commune's geometry at its layer, NULL elsewhere: borrowed
     * while the table has it; once the arcs have it, rebuilt from them for the writers that
     * need a geometry (the GeoJSON stream traces the arcs itself). The arcs were cut from the
     * commune polygons: each commune traced from them is its polygon. */
    GEOSGeometry **by_layer = xcalloc((size_t)t->nlayers + 1, sizeof *by_layer);
    shape one = {by_layer, t->nlayers, r->arcs != NULL, 0};
    int rc = 0;
    for (int i = 0; i < t->ncommunes && rc == 0; i++) {
        const commune *c = &t->communes[i];
        if (c->layer < 0 || !scope_has_commune(r->scope, i))
            continue;
        shape rebuilt = {NULL, 0, 0, 0};
        GEOSGeometry *made = NULL; /* the polygon of a ring the table holds */
        const GEOSGeometry *g = ctab_polygon(c, h, &made);
        if (!g && !r->simplified && !mw_traces(w, &one, r->arcs, r->arcs_lonlat)) {
            if (!r->arcs)
                continue; /* cannot happen: without arcs, the table keeps its polygons */
            topo_shape(r->arcs, h, &i, 1, &rebuilt);
        }
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
        by_layer[c->layer] = g ? (GEOSGeometry *)g
                               : rebuilt.nlayers ? rebuilt.by_layer[c->layer] : NULL;
        rc = end_feature(w, r, h, &one, &i, 1);
        by_layer[c->layer] = NULL;
        if (made)
            GEOSGeom_destroy_r(h, made);
        if (rebuilt.nlayers)
            shape_free_r(h, &rebuilt);
        free(ids);
    }
    free(by_layer);
    return rc;
}

static int fill_cpts(map_writer *w, const run_results *r, GEOSContextHandle_t h)
{
    const commune_table *t = r->table;
    int rc = 0;
    for (int k = 0; k < t->ncpts && rc == 0; k++) {
        if (!shape_has_polygon(&r->cpts_shapes[k]) || !scope_has_cpts(r->scope, k))
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
    return rc;
}

/* The departments (is_region 0) or the regions. */
static int fill_areas(map_writer *w, const run_results *r, int is_region,
                      GEOSContextHandle_t h)
{
    const coverage_report *cov = r->coverage;
    const coverage_area *areas = is_region ? cov->regions : cov->departments;
    const shape *shapes = is_region ? r->region_shapes : r->department_shapes;
    int n = is_region ? cov->nregions : cov->ndepartments;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const coverage_area *a = &areas[i];
        if (!shape_has_polygon(&shapes[i]) ||
            !(is_region ? scope_has_region(r->scope, a->code)
                        : scope_has_department(r->scope, a->code)))
            continue;
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
    return rc;
}

static int fill_zones(map_writer *w, const run_results *r, GEOSContextHandle_t h)
{
    const commune_table *t = r->table;
    int rc = 0, rank = 0; /* the rank among the zones shown, largest first */
    for (int z = 0; z < r->zones->n && rc == 0; z++) {
        const uncovered_zone *zn = &r->zones->zones[z];
        if (!scope_has_zone(r->scope, zn))
            continue;
        rank++;
        if (!shape_has_polygon(&zn->shape))
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
        mw_int64(w, rank);
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
    return rc;
}

static int fill_departments(map_writer *w, const run_results *r, GEOSContextHandle_t h)
{
    return fill_areas(w, r, 0, h);
}

static int fill_regions(map_writer *w, const run_results *r, GEOSContextHandle_t h)
{
    return fill_areas(w, r, 1, h);
}

/* A map: its layout and the loop that gives its features to a writer of any format. */
typedef struct map_def {
    map_layout layout;
    int (*fill)(map_writer *w, const run_results *r, GEOSContextHandle_t h);
} map_def;

#define LAYOUT(name, fields) {name, fields, NFIELDS(fields), 0}

static const map_def maps[] = {
    {LAYOUT("communes", commune_fields), fill_communes},
    {LAYOUT("cpts", cpts_fields), fill_cpts},
    {LAYOUT("departments", department_fields), fill_departments},
    {LAYOUT("regions", region_fields), fill_regions},
    {LAYOUT("uncovered", zone_fields), fill_zones},
};
#define NMAPS NFIELDS(maps)

const map_layout *write_maps_layout(int i)
{
    return i >= 0 && i < NMAPS ? &maps[i].layout : NULL;
}

/* Writes map m into a new file path, or into the GeoPackage gpkg; adds the Shapefile values
 * shortened to *shortened. */
static int write_map(const map_def *m, const char *path, map_file *gpkg, map_format f,
                     const run_results *r, GEOSContextHandle_t h, long *shortened)
{
    map_writer *w = mw_open(path, gpkg, &m->layout, f, r->geojson_engine, r->table, h);
    if (!w)
        return -1;
    int rc = m->fill(w, r, h);
    *shortened += mw_shortened(w);
    return mw_close(w, rc);
}

/* The GeoPackage: every map, every coverage table, and the styles QGIS opens them with. */
static int write_gpkg(const char *path, const run_results *r, GEOSContextHandle_t h)
{
    map_file *f = mw_file_open(path, MAP_GPKG);
    if (!f)
        return -1;
    long shortened = 0;
    int rc = 0;
    const map_layout *layouts[NMAPS];
    for (int i = 0; i < NMAPS && rc == 0; i++) {
        layouts[i] = &maps[i].layout;
        rc = write_map(&maps[i], NULL, f, MAP_GPKG, r, h, &shortened);
    }
    if (rc == 0)
        rc = write_tables_into(f, r, h);
    if (rc == 0)
        rc = mst_write(f, layouts, NMAPS, h);
    return mw_file_close(f, rc);
}

/* One task: map `map` in format `format`, or the whole GeoPackage (map -1). */
typedef struct map_task {
    map_format format;
    int map;
    char *path;
    long shortened;
    int rc;
} map_task;

typedef struct map_batch {
    const run_results *r;
    map_task *tasks;
} map_batch;

static void run_task(void *arg, int i, GEOSContextHandle_t h)
{
    map_batch *b = arg;
    map_task *t = &b->tasks[i];
    if (t->map < 0)
        t->rc = write_gpkg(t->path, b->r, h);
    else
        t->rc = write_map(&maps[t->map], t->path, NULL, t->format, b->r, h, &t->shortened);
}

static const char *const extensions[MAP_NFORMATS] = {
    [MAP_GEOJSON] = "geojson", [MAP_GPKG] = "gpkg", [MAP_FGB] = "fgb", [MAP_SHP] = "shp",
};

char *write_maps_path(const char *dir, const char *map, map_format f)
{
    const char *sep = dir ? "/" : "";
    if (f == MAP_GPKG)
        return xasprintf("%s%scptscov.gpkg", dir ? dir : "", sep);
    return xasprintf("%s%s%s%s.%s", dir ? dir : "", sep, f == MAP_SHP ? "shp/" : "", map,
                     extensions[f]);
}

int write_maps(const char *dir, const run_results *r)
{
    unsigned formats = r->formats ? r->formats : 1u << MAP_GEOJSON;
    map_task tasks[1 + NMAPS * MAP_NFORMATS];
    int n = 0;
    if (formats & (1u << MAP_GPKG))
        tasks[n++] = (map_task){MAP_GPKG, -1, write_maps_path(dir, NULL, MAP_GPKG), 0, 0};
    /* Map by map rather than format by format: the communes, the largest, first. */
    for (int m = 0; m < NMAPS; m++)
        for (int f = 0; f < MAP_NFORMATS; f++)
            if (f != MAP_GPKG && (formats & (1u << f)))
                tasks[n++] = (map_task){(map_format)f, m,
                                        write_maps_path(dir, maps[m].layout.name, (map_format)f),
                                        0, 0};
    int rc = 0;
    if ((formats & (1u << MAP_SHP))) {
        char *shp = xasprintf("%s/shp", dir);
        if (mkdir(shp, 0777) != 0 && errno != EEXIST)
            rc = diag_error(shp, 0, "cannot create: %s; check free space and permissions",
                            strerror(errno));
        free(shp);
    }
    /* The files are created here first, in order, so that a directory that cannot take them
     * is reported on the first one whatever the threads do. */
    for (int i = 0; i < n && rc == 0; i++) {
        FILE *f = fopen(tasks[i].path, "wb");
        if (!f)
            rc = diag_error(tasks[i].path, 0, "cannot write: %s; check free space and permissions",
                            strerror(errno));
        else
            fclose(f);
    }
    if (rc == 0) {
        map_batch b = {r, tasks};
        pool_run(r->threads, n, run_task, &b);
    }
    for (int i = 0; i < n; i++) {
        if (rc == 0 && tasks[i].rc < 0)
            rc = -1;
        if (rc == 0 && tasks[i].shortened > 0 && !r->quiet)
            fprintf(stderr, "cptscov: warning: %s/shp/%s.shp: %ld value%s longer than the 254 "
                    "bytes of a Shapefile field shortened (lists to the items that fit), ending "
                    "with \"\xe2\x80\xa6\"; the full values are in the other formats\n",
                    r->out_dir ? r->out_dir : dir, maps[tasks[i].map].layout.name,
                    tasks[i].shortened, tasks[i].shortened == 1 ? "" : "s");
        free(tasks[i].path);
    }
    return rc;
}
