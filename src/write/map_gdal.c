/* map_gdal.c -- the GDAL engine: every format through GDAL's drivers, GeoJSON included.
 * A feature is an OGR feature, its territory a GEOS geometry in WGS84 handed over as WKB.
 *
 * GeoJSON through GDAL's driver is the reference the stream engine is tested against; every
 * other format is GDAL's: the GeoPackage, FlatGeobuf and Shapefile drivers. What differs
 * between them is said in one place, ogr_field_type() and the creation options:
 * the types each format has (a boolean and a date but no list in a GeoPackage, a boolean
 * and a date-time but no date in FlatGeobuf, neither a boolean nor a list in a Shapefile),
 * what stands in for a missing one (lists as JSON text in GeoPackage and FlatGeobuf, as
 * comma-joined text in a Shapefile, 0/1 for its booleans), and the Shapefile's limits
 * (10-character names, 254-byte text: a longer list is shortened at an item, a longer text
 * at a character, and ends with "…", counted for a warning: never cut silently).
 * Coordinates are WGS84 longitude/latitude in every format, at full precision where the
 * format is binary. The dates a format records of its own (a GeoPackage's last_change, a
 * dBase header) are fixed (FIXED_DATE), so that re-runs give byte-identical files. */
#include "map_engine.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/gdal_drivers.h"
#include "geom/outline.h"
#include "util/util.h"

/* The date the formats that record one (a GeoPackage's last_change, a dBase header) are
 * given instead of today, so that re-runs give the same files, as for every output. */
#define FIXED_DATE "2000-01-01"

/* The longest text a Shapefile field holds, in bytes. */
#define SHP_TEXT_MAX 254

/* GDAL's driver of each format. */
static const char *const drivers[MAP_NFORMATS] = {
    [MAP_GEOJSON] = "GeoJSON",
    [MAP_GPKG] = "GPKG",
    [MAP_FGB] = "FlatGeobuf",
    [MAP_SHP] = "ESRI Shapefile",
};

/* The OGR type (and subtype) a field has in format f. */
static OGRFieldType ogr_field_type(map_format f, map_field_type type, OGRFieldSubType *sub)
{
    *sub = OFSTNone;
    switch (type) {
    case MF_STRING: return OFTString;
    case MF_INT: return OFTInteger;
    case MF_INT64: return OFTInteger64;
    case MF_REAL: return OFTReal;
    case MF_BOOL:
        if (f != MAP_SHP)
            *sub = OFSTBoolean;
        return OFTInteger;
    case MF_DATE: return f == MAP_GEOJSON ? OFTString : OFTDate;
    case MF_DATETIME: return f == MAP_GEOJSON ? OFTString : OFTDateTime;
    case MF_STRING_LIST:
        if (f == MAP_GEOJSON)
            return OFTStringList;
        if (f != MAP_SHP)
            *sub = OFSTJSON;
        return OFTString;
    }
    return OFTString;
}

/* The layer creation options of format f. */
static char **layer_options(map_format f, int table)
{
    char **o = NULL;
    switch (f) {
    case MAP_GEOJSON:
        o = CSLSetNameValue(o, "RFC7946", "YES");
        o = CSLSetNameValue(o, "COORDINATE_PRECISION", "6");
        o = CSLSetNameValue(o, "WRITE_NAME", "YES");
        break;
    case MAP_GPKG:
        if (!table)
            o = CSLSetNameValue(o, "SPATIAL_INDEX", "YES");
        break;
    case MAP_FGB:
        o = CSLSetNameValue(o, "SPATIAL_INDEX", "YES");
        break;
    case MAP_SHP:
        o = CSLSetNameValue(o, "ENCODING", "UTF-8");   /* and a .cpg saying so */
        o = CSLSetNameValue(o, "RESIZE", "YES");       /* text fields as wide as their values */
        o = CSLSetNameValue(o, "DBF_DATE_LAST_UPDATE", FIXED_DATE);
        break;
    default:
        break;
    }
    return o;
}

/* ---- the GDAL engine ---- */

static const char *gdal_message(void)
{
    const char *msg = CPLGetLastErrorMsg();
    return msg && *msg ? msg : "GDAL reported no reason";
}

static GDALDatasetH gdal_create(const char *path, map_format f)
{
    GDALDriverH driver = gdrv_by_name(drivers[f]);
    if (!driver) {
        diag_error(path, 0, "GDAL has no %s driver; install a GDAL built with it",
                   drivers[f]);
        return NULL;
    }
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        diag_error(path, 0, "cannot write: %s; check free space and permissions", gdal_message());
    return ds;
}

static int gdal_open(map_writer *w, const map_layout *m)
{
    if (w->in) {
        w->ds = w->in->ds;
    } else if (!(w->ds = gdal_create(w->path, w->format))) {
        return -1;
    }
    OGRSpatialReferenceH srs = NULL;
    OGRwkbGeometryType gtype = wkbNone;
    if (!m->table) {
        srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, 4326);
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        /* GeoJSON says Polygon or MultiPolygon per feature; a GeoPackage and FlatGeobuf want
         * one type per layer; a Shapefile's polygons may have several parts. */
        gtype = w->format == MAP_GEOJSON ? wkbUnknown
              : w->format == MAP_SHP ? wkbPolygon : wkbMultiPolygon;
    }
    char **options = layer_options(w->format, m->table);
    CPLErrorReset();
    w->layer = GDALDatasetCreateLayer(w->ds, m->name, srs, gtype, options);
    CSLDestroy(options);
    if (srs)
        OSRRelease(srs);
    int ok = w->layer != NULL;
    for (int i = 0; ok && i < w->nfields; i++) {
        const map_field *f = &w->fields[i];
        OGRFieldSubType sub;
        OGRFieldType type = ogr_field_type(w->format, f->type, &sub);
        OGRFieldDefnH fd = OGR_Fld_Create(w->format == MAP_SHP ? mw_shp_name(f) : f->name, type);
        OGR_Fld_SetSubType(fd, sub);
        if (w->format == MAP_SHP) {
            /* Text as wide as a dBase field can be (RESIZE narrows it at the end), reals
             * with their decimals, booleans one digit. */
            if (type == OFTString)
                OGR_Fld_SetWidth(fd, SHP_TEXT_MAX);
            else if (type == OFTReal) {
                OGR_Fld_SetWidth(fd, 20);
                OGR_Fld_SetPrecision(fd, f->decimals);
            } else if (f->type == MF_BOOL)
                OGR_Fld_SetWidth(fd, 1);
        }
        ok = OGR_L_CreateField(w->layer, fd, FALSE) == OGRERR_NONE;
        OGR_Fld_Destroy(fd);
    }
    if (!ok)
        return diag_error(w->path, 0, "cannot create the layer %s: %s", m->name, gdal_message());
    /* One transaction per layer: a GeoPackage otherwise commits every feature. */
    if (w->format == MAP_GPKG && GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE)
        return diag_error(w->path, 0, "cannot write the layer %s: %s", m->name, gdal_message());
    if (!m->table) {
        w->wkb = GEOSWKBWriter_create_r(w->h);
        GEOSWKBWriter_setOutputDimension_r(w->h, w->wkb, 2);
    }
    return 0;
}

/* Ends the feature with g (in WGS84, consumed; NULL: no geometry); fails, writing nothing,
 * when a point of it is not finite (PROJ could not take it). */
static int gdal_write(map_writer *w, GEOSGeometry *g)
{
    GEOSContextHandle_t h = w->h;
    double e[4];
    if (g && !GEOSisEmpty_r(h, g) &&
        (!GEOSGeom_getXMin_r(h, g, &e[0]) || !GEOSGeom_getYMin_r(h, g, &e[1]) ||
         !GEOSGeom_getXMax_r(h, g, &e[2]) || !GEOSGeom_getYMax_r(h, g, &e[3]) ||
         !isfinite(e[0]) || !isfinite(e[1]) || !isfinite(e[2]) || !isfinite(e[3]))) {
        GEOSGeom_destroy_r(h, g);
        OGR_F_Destroy(w->feature);
        w->feature = NULL;
        return diag_error(w->path, 0, "PROJ could not take a polygon to WGS84 longitude/latitude; "
                                      "check the CRS of the commune layers");
    }
    if (g) {
        size_t size = 0;
        unsigned char *wkb = GEOSWKBWriter_write_r(h, w->wkb, g, &size);
        GEOSGeom_destroy_r(h, g);
        OGRGeometryH og = NULL;
        if (!wkb || OGR_G_CreateFromWkbEx(wkb, NULL, &og, size) != OGRERR_NONE) {
            GEOSFree_r(h, wkb);
            return diag_error(w->path, 0, "cannot convert a geometry from GEOS to GDAL");
        }
        GEOSFree_r(h, wkb);
        if (w->format == MAP_GPKG || w->format == MAP_FGB)
            og = OGR_G_ForceToMultiPolygon(og);
        OGR_F_SetGeometryDirectly(w->feature, og);
    }
    CPLErrorReset();
    OGRErr err = OGR_L_CreateFeature(w->layer, w->feature);
    OGR_F_Destroy(w->feature);
    w->feature = NULL;
    if (err != OGRERR_NONE)
        return diag_error(w->path, 0, "cannot write: %s; check free space and permissions",
                          gdal_message());
    return 0;
}

static int gdal_end(map_writer *w, const shape *s)
{
    GEOSGeometry *g = s && w->wkb ? shape_to_wgs84(w->t, w->h,
                                                   (void *const *)mw_transformations(w), s)
                                  : NULL;
    return gdal_write(w, g);
}

/* The polygons traced by mw_trace_layers as one GEOS geometry in WGS84, their points taken
 * from lonlat; NULL when empty. */
static GEOSGeometry *traced_wgs84(map_writer *w, const topo_simplified *arcs,
                                  const double *lonlat)
{
    GEOSGeometry **polys = NULL;
    int np = 0, cap = 0;
    for (int l = 0; l < w->t->nlayers; l++)
        topo_outline_geos(w->outlines[l], arcs, lonlat, w->h, &polys, &np, &cap);
    GEOSGeometry *g = np == 0   ? NULL
                      : np == 1 ? polys[0]
                                : GEOSGeom_createCollection_r(w->h, GEOS_MULTIPOLYGON, polys,
                                                              (unsigned)np);
    free(polys);
    return g;
}

/* ---- a file of several layers ---- */

map_file *mw_file_open(const char *path, map_format f)
{
    if (remove(path) != 0 && errno != ENOENT) {
        diag_error(path, 0, "cannot replace: %s; check permissions", strerror(errno));
        return NULL;
    }
    /* This thread's GeoPackage records FIXED_DATE as its tables' last_change. */
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", FIXED_DATE "T00:00:00.000Z");
    GDALDatasetH ds = gdal_create(path, f);
    if (!ds)
        return NULL;
    map_file *mf = xcalloc(1, sizeof *mf);
    mf->format = f;
    mf->path = xstrdup(path);
    mf->ds = ds;
    return mf;
}

int mw_file_close(map_file *mf, int rc)
{
    CPLErrorReset();
    GDALClose(mf->ds);
    if (rc == 0 && CPLGetLastErrorType() >= CE_Failure)
        rc = diag_error(mf->path, 0, "cannot write: %s; check free space and permissions",
                        gdal_message());
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    free(mf->path);
    free(mf);
    return rc;
}

/* ---- the values ---- */

/* The ellipsis that ends a Shapefile text shortened to SHP_TEXT_MAX bytes. */
static const char shp_more[] = "\xe2\x80\xa6"; /* … */

/* v (longer than SHP_TEXT_MAX bytes) cut at a character, "…" after it, counted. */
static char *shp_text(map_writer *w, const char *v)
{
    size_t n = SHP_TEXT_MAX - (sizeof shp_more - 1);
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80) /* not inside a UTF-8 character */
        n--;
    char *s = xmalloc(n + sizeof shp_more);
    memcpy(s, v, n);
    memcpy(s + n, shp_more, sizeof shp_more);
    w->shortened++;
    return s;
}

/* items joined by commas, within SHP_TEXT_MAX bytes: when they do not fit, as many as fit
 * followed by ",…" (counted in w->shortened: never cut silently, nor inside an item). */
static char *shp_list(map_writer *w, const char *const *items, int n)
{
    static const char more[] = ",\xe2\x80\xa6"; /* "," shp_more */
    const size_t nmore = sizeof more - 1;
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = xmalloc(len + sizeof more);
    int fits = len <= SHP_TEXT_MAX + 1; /* len counts one comma too many */
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(items[i]);
        if (!fits && used + (i ? 1 : 0) + k + nmore > SHP_TEXT_MAX)
            break;
        if (i)
            s[used++] = ',';
        memcpy(s + used, items[i], k);
        used += k;
    }
    if (!fits) {
        size_t skip = used ? 0 : 1; /* no item fits: "…" alone (an item of 250 bytes) */
        memcpy(s + used, more + skip, nmore - skip);
        used += nmore - skip;
        w->shortened++;
    }
    s[used] = '\0';
    return s;
}

/* items as a JSON array of strings (text that is not UTF-8 taken as Latin-1). */
static char *json_list(const char *const *items, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v = json_string(items[i]);
        if (!v) {
            char *recoded = CPLRecode(items[i], CPL_ENC_ISO8859_1, CPL_ENC_UTF8);
            v = json_string(recoded);
            CPLFree(recoded);
        }
        json_array_append_new(a, v ? v : json_null());
    }
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s ? s : xstrdup("[]");
}


/* ---- the engine ---- */

static void gdal_begin(map_writer *w)
{
    w->feature = OGR_F_Create(OGR_L_GetLayerDefn(w->layer));
}

static void gdal_string(map_writer *w, const char *v)
{
    if (w->format == MAP_SHP && strlen(v) > SHP_TEXT_MAX) {
        char *s = shp_text(w, v);
        OGR_F_SetFieldString(w->feature, w->field - 1, s);
        free(s);
    } else
        OGR_F_SetFieldString(w->feature, w->field - 1, v);  /* dates parsed by OGR */
}

static void gdal_null(map_writer *w)
{
    OGR_F_SetFieldNull(w->feature, w->field - 1);
}

static void gdal_int64(map_writer *w, int64_t v)
{
    OGR_F_SetFieldInteger64(w->feature, w->field - 1, (GIntBig)v);
}

static void gdal_real(map_writer *w, const map_field *fd, double v)
{
    double s = pow(10.0, fd->decimals);
    double r = round(v * s) / s;
    OGR_F_SetFieldDouble(w->feature, w->field - 1, r);
}

static void gdal_bool(map_writer *w, int v)
{
    OGR_F_SetFieldInteger(w->feature, w->field - 1, v ? 1 : 0);
}

static void gdal_list(map_writer *w, const char *const *items, int n)
{
    if (w->format == MAP_GEOJSON) {
        char **list = NULL;
        for (int i = 0; i < n; i++)
            list = CSLAddString(list, items[i]);
        static char *empty[] = {NULL};
        OGR_F_SetFieldStringList(w->feature, w->field - 1, list ? list : empty);
        CSLDestroy(list);
        return;
    }
    if (w->format == MAP_SHP) {
        char *s = shp_list(w, items, n);
        OGR_F_SetFieldString(w->feature, w->field - 1, s);
        free(s);
        return;
    }
    /* A JSON array, as GDAL's own JSON subtype holds it. */
    char *s = json_list(items, n);
    OGR_F_SetFieldString(w->feature, w->field - 1, s);
    free(s);
}

static int gdal_end_traced(map_writer *w, const topo_simplified *arcs, const double *lonlat,
                           const int *idx, int n)
{
    mw_trace_layers(w, arcs, idx, n);
    return gdal_write(w, traced_wgs84(w, arcs, lonlat));
}

static int gdal_close(map_writer *w, int rc)
{
    if (w->feature)
        OGR_F_Destroy(w->feature);
    if (w->wkb)
        GEOSWKBWriter_destroy_r(w->h, w->wkb);
    if (w->in && w->layer) {
        CPLErrorReset();
        if (rc == 0 && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
            rc = diag_error(w->path, 0, "cannot write the layer %s: %s; check free space",
                            OGR_L_GetName(w->layer), gdal_message());
        else if (rc != 0)
            GDALDatasetRollbackTransaction(w->ds);
    } else if (w->ds && !w->in) {
        if (w->format == MAP_GPKG && w->layer && rc == 0 &&
            GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
            rc = diag_error(w->path, 0, "cannot write: %s; check free space", gdal_message());
        CPLErrorReset();
        GDALClose(w->ds);
        if (rc == 0 && CPLGetLastErrorType() >= CE_Failure)
            rc = diag_error(w->path, 0, "cannot write: %s; check free space and permissions",
                            gdal_message());
    }
    return rc;
}

const mw_engine_ops mw_gdal_engine = {
    .open = gdal_open,
    .begin = gdal_begin,
    .name = NULL,             /* values go by index, unnamed */
    .string = gdal_string,
    .null = gdal_null,
    .int64 = gdal_int64,
    .real = gdal_real,
    .boolean = gdal_bool,
    .list = gdal_list,
    .end = gdal_end,
    .end_traced = gdal_end_traced,
    .close = gdal_close,
};
