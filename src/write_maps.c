/* write_maps.c -- the five GeoJSON maps: communes, CPTS, departments, regions, uncovered zones.
 * One feature per territory that has a polygon, with its figures as properties.
 *
 * GDAL's GeoJSON driver writes the files in RFC 7946 mode: longitude/latitude WGS84, exterior
 * rings counter-clockwise (the driver reverses rings wound the other way), no "crs" member,
 * 6 decimals for coordinates (about 0.1 m: plenty for a map, and files a third smaller than
 * the 7 decimals of the RFC 7946 default). Geometries go from GEOS to OGR as WKB, which
 * carries them exactly. Reals are rounded to the decimals of the CSV tables before they are
 * written, as the driver prints the shortest form of the double it is given. A territory
 * without a polygon (a commune the communes file lacks) has no feature: the CSV tables list
 * it. Figures come from the run results; nothing is computed here. */
#include "results.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct field_spec {
    const char *name;
    OGRFieldType type;
    OGRFieldSubType subtype;
} field_spec;

#define NFIELDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const field_spec commune_fields[] = {
    {"code", OFTString, OFSTNone},         {"name", OFTString, OFSTNone},
    {"dep", OFTString, OFSTNone},          {"reg", OFTString, OFSTNone},
    {"population", OFTInteger64, OFSTNone}, {"covered", OFTInteger, OFSTBoolean},
    {"cpts", OFTStringList, OFSTNone},     {"area_km2", OFTReal, OFSTNone},
};

static const field_spec cpts_fields[] = {
    {"cpts_id", OFTString, OFSTNone},      {"name", OFTString, OFSTNone},
    {"status", OFTString, OFSTNone},       {"signed_on", OFTString, OFSTNone},
    {"counts", OFTInteger, OFSTBoolean},   {"communes", OFTInteger, OFSTNone},
    {"population", OFTInteger64, OFSTNone}, {"covered_population", OFTInteger64, OFSTNone},
    {"area_km2", OFTReal, OFSTNone},
};

static const field_spec department_fields[] = {
    {"code", OFTString, OFSTNone},         {"name", OFTString, OFSTNone},
    {"reg", OFTString, OFSTNone},          {"population", OFTInteger64, OFSTNone},
    {"covered_population", OFTInteger64, OFSTNone}, {"covered_pct", OFTReal, OFSTNone},
    {"communes", OFTInteger, OFSTNone},    {"covered_communes", OFTInteger, OFSTNone},
};

static const field_spec region_fields[] = {
    {"code", OFTString, OFSTNone},         {"name", OFTString, OFSTNone},
    {"population", OFTInteger64, OFSTNone}, {"covered_population", OFTInteger64, OFSTNone},
    {"covered_pct", OFTReal, OFSTNone},    {"communes", OFTInteger, OFSTNone},
    {"covered_communes", OFTInteger, OFSTNone},
};

static const field_spec zone_fields[] = {
    {"rank", OFTInteger, OFSTNone},        {"population", OFTInteger64, OFSTNone},
    {"area_km2", OFTReal, OFSTNone},       {"communes", OFTInteger, OFSTNone},
    {"commune_codes", OFTStringList, OFSTNone}, {"departments", OFTStringList, OFSTNone},
    {"bordering_cpts", OFTStringList, OFSTNone}, {"pending_cpts", OFTStringList, OFSTNone},
};

/* A map file being written: one GeoJSON data source with one layer. */
typedef struct map {
    const commune_table *t;
    char *path;
    GDALDatasetH ds;
    OGRLayerH layer;
    GEOSWKBWriter *wkb;
} map;

/* The last GDAL error, or a stand-in when GDAL gave none. */
static const char *gdal_message(void)
{
    const char *msg = CPLGetLastErrorMsg();
    return msg && *msg ? msg : "GDAL reported no reason";
}

/* Creates dir/name.geojson with a layer of those fields; returns 0, or -1 after diag_error
 * (m is then closed). */
static int map_open(map *m, const commune_table *t, const char *dir, const char *name,
                    const field_spec *fields, int nfields)
{
    memset(m, 0, sizeof *m);
    m->t = t;
    m->path = xasprintf("%s/%s.geojson", dir, name);
    /* The GeoJSON driver refuses to overwrite a file: remove the one of an earlier run. */
    if (remove(m->path) != 0 && errno != ENOENT) {
        int rc = diag_error(m->path, 0, "cannot replace: %s; check permissions",
                            strerror(errno));
        free(m->path);
        m->path = NULL;
        return rc;
    }
    GDALDriverH driver = GDALGetDriverByName("GeoJSON");
    if (!driver) {
        int rc = diag_error(m->path, 0, "GDAL has no GeoJSON driver; install a GDAL built "
                                        "with it (it is built in by default)");
        free(m->path);
        m->path = NULL;
        return rc;
    }
    CPLErrorReset();
    m->ds = GDALCreate(driver, m->path, 0, 0, 0, GDT_Unknown, NULL);
    if (!m->ds) {
        int rc = diag_error(m->path, 0, "cannot write: %s; check free space and permissions",
                            gdal_message());
        free(m->path);
        m->path = NULL;
        return rc;
    }

    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char **options = NULL;
    options = CSLSetNameValue(options, "RFC7946", "YES");
    options = CSLSetNameValue(options, "COORDINATE_PRECISION", "6");
    options = CSLSetNameValue(options, "WRITE_NAME", "YES"); /* "name": the layer name */
    m->layer = GDALDatasetCreateLayer(m->ds, name, srs, wkbUnknown, options);
    CSLDestroy(options);
    OSRRelease(srs);

    int ok = m->layer != NULL;
    for (int i = 0; ok && i < nfields; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        OGR_Fld_SetSubType(fd, fields[i].subtype);
        ok = OGR_L_CreateField(m->layer, fd, TRUE) == OGRERR_NONE;
        OGR_Fld_Destroy(fd);
    }
    if (!ok) {
        int rc = diag_error(m->path, 0, "cannot create the map layer: %s; check the GDAL "
                                        "installation", gdal_message());
        GDALClose(m->ds);
        free(m->path);
        m->path = NULL;
        return rc;
    }
    m->wkb = GEOSWKBWriter_create_r(t->geos);
    GEOSWKBWriter_setOutputDimension_r(t->geos, m->wkb, 2);
    return 0;
}

/* Closes the map; with rc 0, reports a failure GDAL met while finishing the file. */
static int map_close(map *m, int rc)
{
    if (!m->path)
        return rc;
    GEOSWKBWriter_destroy_r(m->t->geos, m->wkb);
    CPLErrorReset();
    GDALClose(m->ds);
    if (rc == 0 && CPLGetLastErrorType() >= CE_Failure)
        rc = diag_error(m->path, 0, "cannot write: %s; check free space and permissions",
                        gdal_message());
    free(m->path);
    memset(m, 0, sizeof *m);
    return rc;
}

static OGRFeatureH map_feature(map *m)
{
    return OGR_F_Create(OGR_L_GetLayerDefn(m->layer));
}

/* Writes feature f with geometry g (WGS84, from GEOS); takes both and frees them.
 * Returns 0, or -1 after diag_error. */
static int map_add(map *m, OGRFeatureH f, GEOSGeometry *g)
{
    GEOSContextHandle_t h = m->t->geos;
    size_t size = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(h, m->wkb, g, &size);
    GEOSGeom_destroy_r(h, g);
    OGRGeometryH og = NULL;
    OGRErr err = OGRERR_FAILURE;
    if (wkb) {
        err = OGR_G_CreateFromWkbEx(wkb, NULL, &og, size);
        GEOSFree_r(h, wkb);
    }
    if (err != OGRERR_NONE) {
        OGR_F_Destroy(f);
        return diag_error(m->path, 0, "cannot convert a geometry from GEOS to GDAL; check "
                                      "that GEOS and GDAL are installed consistently");
    }
    OGR_F_SetGeometryDirectly(f, og);
    CPLErrorReset();
    err = OGR_L_CreateFeature(m->layer, f);
    OGR_F_Destroy(f);
    if (err != OGRERR_NONE)
        return diag_error(m->path, 0, "cannot write: %s; check free space and permissions",
                          gdal_message());
    return 0;
}

static double round_to(double v, int decimals)
{
    double scale = pow(10.0, decimals);
    return round(v * scale) / scale;
}

static void set_string(OGRFeatureH f, const char *field, const char *v)
{
    int i = OGR_F_GetFieldIndex(f, field);
    if (v)
        OGR_F_SetFieldString(f, i, v);
    else
        OGR_F_SetFieldNull(f, i);
}

static void set_int(OGRFeatureH f, const char *field, int v)
{
    OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, field), v);
}

static void set_int64(OGRFeatureH f, const char *field, int64_t v)
{
    OGR_F_SetFieldInteger64(f, OGR_F_GetFieldIndex(f, field), (GIntBig)v);
}

static void set_real(OGRFeatureH f, const char *field, double v, int decimals)
{
    OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, field), round_to(v, decimals));
}

/* Sets a string list field and frees the list (a CSL, NULL when empty: written as []). */
static void set_list(OGRFeatureH f, const char *field, char **list)
{
    static const char *const empty[] = {NULL};
    OGR_F_SetFieldStringList(f, OGR_F_GetFieldIndex(f, field), list ? list : (char **)empty);
    CSLDestroy(list);
}

/* The ids of CPTS idx[0..n-1], as a CSL. */
static char **cpts_ids(const commune_table *t, const int *idx, int n)
{
    char **list = NULL;
    for (int i = 0; i < n; i++)
        list = CSLAddString(list, t->cpts[idx[i]].id);
    return list;
}

static int write_communes(const char *dir, const commune_table *t)
{
    map m;
    if (map_open(&m, t, dir, "communes", commune_fields, NFIELDS(commune_fields)) < 0)
        return -1;
    /* A one-commune shape: the commune's geometry at its layer, NULL elsewhere. It borrows
     * the geometry, so it is never given to shape_free. */
    GEOSGeometry **by_layer = xcalloc((size_t)t->nlayers + 1, sizeof *by_layer);
    shape one = {by_layer, t->nlayers};
    int rc = 0;
    for (int i = 0; i < t->ncommunes && rc == 0; i++) {
        const commune *c = &t->communes[i];
        if (!c->geom || c->layer < 0 || c->layer >= t->nlayers)
            continue;
        by_layer[c->layer] = c->geom;
        GEOSGeometry *g = shape_to_wgs84(t, &one);
        by_layer[c->layer] = NULL;
        if (!g)
            continue;
        OGRFeatureH f = map_feature(&m);
        set_string(f, "code", c->code);
        set_string(f, "name", c->name);
        set_string(f, "dep", c->dep);
        set_string(f, "reg", c->reg);
        set_int64(f, "population", c->population);
        set_int(f, "covered", c->covered ? 1 : 0);
        set_list(f, "cpts", cpts_ids(t, c->cpts, c->ncpts));
        set_real(f, "area_km2", c->area_km2, 3);
        rc = map_add(&m, f, g);
    }
    free(by_layer);
    return map_close(&m, rc);
}

static int write_cpts(const char *dir, const run_results *r)
{
    const commune_table *t = r->table;
    map m;
    if (map_open(&m, t, dir, "cpts", cpts_fields, NFIELDS(cpts_fields)) < 0)
        return -1;
    int rc = 0;
    for (int k = 0; k < t->ncpts && rc == 0; k++) {
        GEOSGeometry *g = shape_to_wgs84(t, &r->cpts_shapes[k]);
        if (!g)
            continue;
        const cpts *p = &t->cpts[k];
        const coverage_figures *fig = &r->coverage->by_cpts[k];
        OGRFeatureH f = map_feature(&m);
        set_string(f, "cpts_id", p->id);
        set_string(f, "name", p->name);
        set_string(f, "status", ctab_status_name(p->status));
        if (p->signed_on > 0) {
            char date[16];
            snprintf(date, sizeof date, "%04d-%02d-%02d", p->signed_on / 10000,
                     p->signed_on / 100 % 100, p->signed_on % 100);
            set_string(f, "signed_on", date);
        } else {
            set_string(f, "signed_on", NULL);
        }
        set_int(f, "counts", p->counts ? 1 : 0);
        set_int(f, "communes", fig->communes);
        set_int64(f, "population", fig->population);
        set_int64(f, "covered_population", fig->covered_population);
        set_real(f, "area_km2", fig->area_km2, 3);
        rc = map_add(&m, f, g);
    }
    return map_close(&m, rc);
}

/* departments.geojson (is_region 0) or regions.geojson. */
static int write_areas(const char *dir, const run_results *r, int is_region)
{
    const commune_table *t = r->table;
    const coverage_report *cov = r->coverage;
    map m;
    int opened = is_region
        ? map_open(&m, t, dir, "regions", region_fields, NFIELDS(region_fields))
        : map_open(&m, t, dir, "departments", department_fields, NFIELDS(department_fields));
    if (opened < 0)
        return -1;
    const coverage_area *areas = is_region ? cov->regions : cov->departments;
    const shape *shapes = is_region ? r->region_shapes : r->department_shapes;
    int n = is_region ? cov->nregions : cov->ndepartments;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        GEOSGeometry *g = shape_to_wgs84(t, &shapes[i]);
        if (!g)
            continue;
        const coverage_area *a = &areas[i];
        OGRFeatureH f = map_feature(&m);
        set_string(f, "code", a->code);
        set_string(f, "name", a->name);
        if (!is_region)
            set_string(f, "reg", a->reg);
        set_int64(f, "population", a->fig.population);
        set_int64(f, "covered_population", a->fig.covered_population);
        set_real(f, "covered_pct", cov_pct(&a->fig), 4);
        set_int(f, "communes", a->fig.communes);
        set_int(f, "covered_communes", a->fig.covered_communes);
        rc = map_add(&m, f, g);
    }
    return map_close(&m, rc);
}

static int write_zones(const char *dir, const run_results *r)
{
    const commune_table *t = r->table;
    map m;
    if (map_open(&m, t, dir, "uncovered", zone_fields, NFIELDS(zone_fields)) < 0)
        return -1;
    int rc = 0;
    for (int z = 0; z < r->zones->n && rc == 0; z++) {
        const uncovered_zone *zn = &r->zones->zones[z];
        GEOSGeometry *g = shape_to_wgs84(t, &zn->shape);
        if (!g)
            continue;
        OGRFeatureH f = map_feature(&m);
        set_int(f, "rank", z + 1);
        set_int64(f, "population", zn->population);
        set_real(f, "area_km2", zn->area_km2, 3);
        set_int(f, "communes", zn->ncommunes);
        char **codes = NULL;
        for (int i = 0; i < zn->ncommunes; i++)
            codes = CSLAddString(codes, t->communes[zn->communes[i]].code);
        set_list(f, "commune_codes", codes);
        char **deps = NULL;
        for (int d = 0; d < zn->ndepartments; d++)
            deps = CSLAddString(deps, zn->departments[d]);
        set_list(f, "departments", deps);
        set_list(f, "bordering_cpts", cpts_ids(t, zn->bordering_cpts, zn->nbordering));
        set_list(f, "pending_cpts", cpts_ids(t, zn->pending_cpts, zn->npending));
        rc = map_add(&m, f, g);
    }
    return map_close(&m, rc);
}

int write_maps(const char *dir, const run_results *r)
{
    int rc = write_communes(dir, r->table);
    if (rc == 0)
        rc = write_cpts(dir, r);
    if (rc == 0)
        rc = write_areas(dir, r, 0);
    if (rc == 0)
        rc = write_areas(dir, r, 1);
    if (rc == 0)
        rc = write_zones(dir, r);
    return rc;
}
