/* map_writer.c -- writing one map layer: features with properties and a territory's polygons.
 * Four formats (GeoJSON, GeoPackage, FlatGeobuf, Shapefile) behind one interface.
 *
 * GDAL's GeoJSON driver builds a JSON object for every coordinate before printing it: on the
 * national job it spends 4 s on the 2 million vertices of the communes alone, more than the
 * whole rest of the run. The stream engine writes the same RFC 7946 document in one pass:
 * coordinates go from GEOS to PROJ to text through one buffer per ring, numbers are
 * formatted by hand at a fixed 6 decimals. GDAL's driver stays available (--geojson-engine
 * gdal) as the reference the tests compare the stream engine with, feature by feature.
 *
 * RFC 7946 as written here: WGS84 longitude/latitude, exterior rings counter-clockwise and
 * holes clockwise (reversed when needed), 6 decimals, no "crs" member, a Polygon when the
 * territory has one polygon and a MultiPolygon otherwise.
 *
 * A territory traced from the exact arcs (every commune, every dissolve that passed its
 * checks) is traced again here (outline.c) and its points are taken from the arcs' points
 * projected to WGS84 once per job, in every format: a border shared by communes, CPTS,
 * departments and regions is projected once, not once per map, format and neighbour, and no
 * GEOS polygon is built for the GeoJSON stream. Any other territory goes through PROJ here,
 * a ring at a time.
 *
 * Every other format is GDAL's: the GeoPackage, FlatGeobuf and Shapefile drivers. What
 * differs between them is said in one place, ogr_field_type() and the creation options:
 * the types each format has (a boolean and a date but no list in a GeoPackage, a boolean
 * and a date-time but no date in FlatGeobuf, neither a boolean nor a list in a Shapefile),
 * what stands in for a missing one (lists as JSON text in GeoPackage and FlatGeobuf, as
 * comma-joined text in a Shapefile, 0/1 for its booleans), and the Shapefile's limits
 * (10-character names, 254-byte text: a longer list is shortened at an item, a longer text
 * at a character, and ends with "…", counted for a warning: never cut silently).
 * Coordinates are WGS84 longitude/latitude in every format, at full precision where the
 * format is binary. The dates a format records of its own (a GeoPackage's last_change, a
 * dBase header) are fixed (FIXED_DATE), so that re-runs give byte-identical files. */
#include "write/map_writer.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/crs.h"
#include "util/diag.h"
#include "util/gdal_drivers.h"
#include "geom/outline.h"
#include "util/util.h"

#define OUT_SIZE (1 << 16)
/* The longest point put_points writes: ",[" two numbers of 6 decimals "," "]". */
#define POINT_MAX 64

/* The date the formats that record one (a GeoPackage's last_change, a dBase header) are
 * given instead of today, so that re-runs give the same files, as for every output. */
#define FIXED_DATE "2000-01-01"

/* The longest text a Shapefile field holds, in bytes. */
#define SHP_TEXT_MAX 254

struct map_file {
    map_format format;
    char *path;
    GDALDatasetH ds;
};

struct map_writer {
    map_engine engine;
    map_format format;
    int table;                /* an attribute table: no geometry */
    map_file *in;             /* the file this layer is in, when it has several */
    long shortened;           /* Shapefile lists shortened to SHP_TEXT_MAX */
    char *path;
    const commune_table *t;
    GEOSContextHandle_t h;    /* the GEOS context of the thread writing this map */
    PJ_CONTEXT *proj;         /* a PROJ context of this writer's own, and in it */
    PJ **to_wgs84;            /* a copy of each layer's transformation (PJ are not shared),
                                 made when first needed (mw_transformations): a traced
                                 territory takes its points from the arcs' in WGS84, and a
                                 copy costs PROJ 0.4 ms of its database */
    const map_field *fields;
    int nfields, field;       /* the fields, and the next one to be given */
    int failed;               /* errno of a failed write, or -1 for a geometry PROJ refused */
    /* stream engine */
    FILE *f;
    char *out;
    size_t used;
    long features;
    double *xy;               /* one ring's coordinates */
    size_t xycap;
    topo_outline **outlines;  /* per layer, reused from feature to feature (put_traced) */
    /* GDAL engine */
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRFeatureH feature;
    GEOSWKBWriter *wkb;
};

/* ---- output buffer of the stream engine ---- */

static void flush_out(map_writer *w)
{
    if (w->used && !w->failed && fwrite(w->out, 1, w->used, w->f) != w->used)
        w->failed = errno ? errno : EIO;
    w->used = 0;
}

static void put(map_writer *w, const char *s, size_t n)
{
    if (w->used + n > OUT_SIZE)
        flush_out(w);
    if (n > OUT_SIZE) {
        if (!w->failed && fwrite(s, 1, n, w->f) != n)
            w->failed = errno ? errno : EIO;
        return;
    }
    memcpy(w->out + w->used, s, n);
    w->used += n;
}

static void puts_(map_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

/* A JSON string, escaped; text that is not UTF-8 is taken as Latin-1. */
static void put_json_string(map_writer *w, const char *s)
{
    char *recoded = NULL;
    if (!CPLIsUTF8(s, -1))
        s = recoded = CPLRecode(s, CPL_ENC_ISO8859_1, CPL_ENC_UTF8);
    put(w, "\"", 1);
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        put(w, run, (size_t)((const char *)p - run));
        char esc[8];
        if (*p == '"' || *p == '\\')
            snprintf(esc, sizeof esc, "\\%c", *p);
        else if (*p == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (*p == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (*p == '\r')
            snprintf(esc, sizeof esc, "\\r");
        else
            snprintf(esc, sizeof esc, "\\u%04x", *p);
        puts_(w, esc);
        run = (const char *)p + 1;
    }
    puts_(w, run);
    put(w, "\"", 1);
    CPLFree(recoded);
}

/* "00" to "99", for writing two digits at once. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* v rounded to `decimals` decimals (at most 9), without trailing zeros. Inlined where
 * decimals is a constant (the coordinates' 6), its divisions become multiplications: a
 * third of the time of the national maps goes into their 5 million numbers. The decimals
 * are written two at a time, then the trailing zeros dropped (24.6 -> 20.5 ns a number). */
static inline __attribute__((always_inline)) char *put_fixed(char *p, double v, int decimals)
{
    static const uint64_t scale[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                       100000000, 1000000000};
    uint64_t s = scale[decimals];
    double x = v * (double)s;
    if (!(fabs(x) < 0x1p52)) /* too large for the integer path (never a coordinate) */
        return p + sprintf(p, "%.*f", decimals, v);
    /* round(x), half away from zero, without libm's call (1 % of the job's instructions):
     * below 2^52, x minus its truncation is exact. */
    int64_t m = (int64_t)x;
    double rest = x - (double)m;
    m += (rest >= 0.5) - (rest <= -0.5);
    if (m < 0) {
        *p++ = '-';
        m = -m;
    }
    uint64_t ip = (uint64_t)m / s, fp = (uint64_t)m % s;
    if (ip < 10) {
        *p++ = (char)('0' + ip);
    } else if (ip < 100) {
        memcpy(p, digit_pairs + 2 * ip, 2);
        p += 2;
    } else {
        p = str_put_int(p, (int64_t)ip);
    }
    if (fp) {
        char *d = p + 1; /* the decimals, zero-padded to `decimals` */
        int i = decimals;
        uint32_t f = (uint32_t)fp; /* < s <= 10^9: 32-bit divisions, cheaper by half */
        if (decimals == 6) { /* the coordinates: three pairs, two divisions, no loop */
            uint32_t hi = f / 10000, lo = f % 10000;
            memcpy(d, digit_pairs + 2 * hi, 2);
            memcpy(d + 2, digit_pairs + 2 * (lo / 100), 2);
            memcpy(d + 4, digit_pairs + 2 * (lo % 100), 2);
        } else {
            for (; i >= 2; i -= 2, f /= 100)
                memcpy(d + i - 2, digit_pairs + 2 * (f % 100), 2);
            if (i)
                d[0] = (char)('0' + f);
        }
        int n = decimals;
        while (d[n - 1] == '0') /* fp != 0: a digit is not 0 */
            n--;
        *p = '.';
        p = d + n;
    }
    return p;
}

/* The same, not inlined, for the properties' figures. */
static char *put_number(char *p, double v, int decimals)
{
    return put_fixed(p, v, decimals);
}

/* ---- geometry of the stream engine ---- */

/* Twice the signed area of ring xy[0..n-1] (positive when counter-clockwise). */
static double ring_area2(const double *xy, unsigned n)
{
    double a = 0;
    for (unsigned i = 0; i + 1 < n; i++)
        a += xy[2 * i] * xy[2 * i + 3] - xy[2 * i + 2] * xy[2 * i + 1];
    return a;
}

/* Writes ring xy[0..n-1] (longitude, latitude), counter-clockwise when exterior, clockwise
 * otherwise (RFC 7946), at 6 decimals; a point PROJ could not transform fails the writer. */
static void put_points(map_writer *w, const double *xy, unsigned n, int exterior)
{
    int reverse = (ring_area2(xy, n) > 0) != exterior;
    put(w, "[", 1);
    for (unsigned k = 0; k < n; k++) {
        unsigned i = reverse ? n - 1 - k : k;
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y)) {
            w->failed = -1;
            return;
        }
        if (w->used + POINT_MAX > OUT_SIZE)
            flush_out(w);
        char *p = w->out + w->used; /* straight into the buffer */
        if (k)
            *p++ = ',';
        *p++ = '[';
        p = put_fixed(p, x, 6);
        *p++ = ',';
        p = put_fixed(p, y, 6);
        *p++ = ']';
        w->used = (size_t)(p - w->out);
    }
    put(w, "]", 1);
}

static void put_ring(map_writer *w, const GEOSGeometry *ring, PJ *pj, int exterior)
{
    GEOSContextHandle_t h = w->h;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    if (2 * (size_t)n > w->xycap) {
        w->xycap = 2 * (size_t)n;
        w->xy = xrealloc(w->xy, w->xycap * sizeof *w->xy);
    }
    double *xy = w->xy;
    GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0);
    crs_to_wgs84(pj, NULL, xy, n);
    put_points(w, xy, n, exterior);
}

static void put_polygon(map_writer *w, const GEOSGeometry *poly, PJ *pj)
{
    GEOSContextHandle_t h = w->h;
    put(w, "[", 1);
    put_ring(w, GEOSGetExteriorRing_r(h, poly), pj, 1);
    int nh = GEOSGetNumInteriorRings_r(h, poly);
    for (int i = 0; i < nh; i++) {
        put(w, ",", 1);
        put_ring(w, GEOSGetInteriorRingN_r(h, poly, i), pj, 0);
    }
    put(w, "]", 1);
}

/* Calls fn on each non-empty polygon of g; returns how many. */
static int each_polygon(map_writer *w, const GEOSGeometry *g, PJ *pj, int *first, int write)
{
    GEOSContextHandle_t h = w->h;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g))
            return 0;
        if (write) {
            if (!*first)
                put(w, ",", 1);
            *first = 0;
            put_polygon(w, g, pj);
        }
        return 1;
    }
    int n = 0;
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            n += each_polygon(w, GEOSGetGeometryN_r(h, g, i), pj, first, write);
    return n;
}

/* The copies of the layers' transformations, made on first use. */
static PJ **mw_transformations(map_writer *w)
{
    if (!w->to_wgs84) {
        int nlayers = w->t ? w->t->nlayers : 0;
        w->to_wgs84 = xcalloc((size_t)nlayers + 1, sizeof *w->to_wgs84);
        for (int l = 0; l < nlayers; l++)
            w->to_wgs84[l] = proj_clone(w->proj, w->t->layers[l].to_wgs84);
    }
    return w->to_wgs84;
}

/* Writes the "geometry" member; returns the number of polygons. */
static int put_geometry(map_writer *w, const shape *s)
{
    const commune_table *t = w->t;
    int count = 0, first = 1;
    for (int l = 0; l < s->nlayers && l < t->nlayers; l++)
        if (s->by_layer[l])
            count += each_polygon(w, s->by_layer[l], NULL, &first, 0);
    if (count == 0) {
        puts_(w, "\"geometry\":null");
        return 0;
    }
    puts_(w, count == 1 ? "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                        : "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[");
    PJ **to_wgs84 = mw_transformations(w);
    for (int l = 0; l < s->nlayers && l < t->nlayers; l++)
        if (s->by_layer[l])
            each_polygon(w, s->by_layer[l], to_wgs84[l], &first, 1);
    puts_(w, count == 1 ? "}" : "]}");
    return count;
}

/* The outlines of communes idx[0..n-1] traced from arcs, one per layer, in w->outlines;
 * returns the number of polygons. */
static int trace_layers(map_writer *w, const topo_simplified *arcs, const int *idx, int n)
{
    const commune_table *t = w->t;
    if (!w->outlines) {
        w->outlines = xcalloc((size_t)t->nlayers + 1, sizeof *w->outlines);
        for (int l = 0; l < t->nlayers; l++)
            w->outlines[l] = topo_outline_new();
    }
    int count = 0;
    for (int l = 0; l < t->nlayers; l++)
        count += topo_outline_trace(w->outlines[l], arcs, w->h, idx, n, l);
    return count;
}

/* Writes the "geometry" member of communes idx[0..n-1] traced from arcs, taking the points
 * from lonlat (the arcs' points in WGS84); returns the number of polygons. */
static int put_traced(map_writer *w, const topo_simplified *arcs, const double *lonlat,
                      const int *idx, int n)
{
    const commune_table *t = w->t;
    int count = trace_layers(w, arcs, idx, n);
    if (count == 0) {
        puts_(w, "\"geometry\":null");
        return 0;
    }
    puts_(w, count == 1 ? "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                        : "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[");
    int first = 1;
    for (int l = 0; l < t->nlayers; l++) {
        const topo_outline *o = w->outlines[l];
        for (int p = 0; p < topo_outline_polygons(o); p++) {
            put(w, first ? "[" : ",[", first ? 1 : 2);
            first = 0;
            for (int r = 0; r < topo_outline_rings(o, p); r++) {
                size_t m = topo_ring_points(o, arcs, p, r, lonlat, &w->xy, &w->xycap);
                if (r)
                    put(w, ",", 1);
                put_points(w, w->xy, (unsigned)m, r == 0);
            }
            put(w, "]", 1);
        }
    }
    puts_(w, count == 1 ? "}" : "]}");
    return count;
}

/* ---- the formats ---- */

static const struct {
    const char *name;         /* for --format */
    const char *driver;       /* GDAL's */
} formats[MAP_NFORMATS] = {
    [MAP_GEOJSON] = {"geojson", "GeoJSON"},
    [MAP_GPKG] = {"gpkg", "GPKG"},
    [MAP_FGB] = {"fgb", "FlatGeobuf"},
    [MAP_SHP] = {"shp", "ESRI Shapefile"},
};

const char *mw_format_name(map_format f)
{
    return formats[f].name;
}

int mw_format_of(const char *name)
{
    for (int f = 0; f < MAP_NFORMATS; f++)
        if (strcmp(formats[f].name, name) == 0)
            return f;
    return -1;
}

const char *mw_shp_name(const map_field *f)
{
    return f->shp_name ? f->shp_name : f->name;
}

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
    GDALDriverH driver = gdrv_by_name(formats[f].driver);
    if (!driver) {
        diag_error(path, 0, "GDAL has no %s driver; install a GDAL built with it",
                   formats[f].driver);
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

/* The polygons traced by trace_layers as one GEOS geometry in WGS84, their points taken
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

/* ---- the interface ---- */

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

map_writer *mw_open(const char *path, map_file *in, const map_layout *m, map_format f,
                    map_engine engine, const commune_table *t, GEOSContextHandle_t h)
{
    map_writer *w = xcalloc(1, sizeof *w);
    w->format = in ? in->format : f;
    w->engine = w->format == MAP_GEOJSON ? engine : ENGINE_GDAL;
    w->table = m->table;
    w->in = in;
    w->path = xstrdup(in ? in->path : path);
    w->t = m->table ? NULL : t;
    w->h = h;
    w->proj = proj_context_create();
    w->fields = m->fields;
    w->nfields = m->nfields;
    /* Neither GDAL's driver nor a half-replaced file should meet an earlier run's file. */
    if (!in && remove(path) != 0 && errno != ENOENT) {
        diag_error(path, 0, "cannot replace: %s; check permissions", strerror(errno));
        mw_close(w, -1);
        return NULL;
    }
    int rc = 0;
    if (w->engine == ENGINE_GDAL) {
        rc = gdal_open(w, m);
    } else {
        w->f = fopen(path, "wb");
        if (!w->f) {
            rc = diag_error(path, 0, "cannot write: %s; check free space and permissions",
                            strerror(errno));
        } else {
            w->out = xmalloc(OUT_SIZE);
            puts_(w, "{\n\"type\": \"FeatureCollection\",\n\"name\": ");
            put_json_string(w, m->name);
            puts_(w, ",\n\"features\": [\n");
        }
    }
    if (rc < 0) {
        mw_close(w, -1);
        return NULL;
    }
    return w;
}

void mw_begin(map_writer *w)
{
    w->field = 0;
    if (w->engine == ENGINE_GDAL) {
        w->feature = OGR_F_Create(OGR_L_GetLayerDefn(w->layer));
        return;
    }
    puts_(w, w->features++ ? ",\n{\"type\":\"Feature\",\"properties\":{"
                           : "{\"type\":\"Feature\",\"properties\":{");
}

/* Starts the next property of the stream engine ("name":) and returns its field. */
static const map_field *next_field(map_writer *w)
{
    const map_field *fd = &w->fields[w->field];
    if (w->engine == ENGINE_STREAM) {
        if (w->field)
            put(w, ",", 1);
        put_json_string(w, fd->name);
        put(w, ":", 1);
    }
    w->field++;
    return fd;
}

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

void mw_string(map_writer *w, const char *v)
{
    next_field(w);
    if (w->engine == ENGINE_GDAL) {
        if (v && w->format == MAP_SHP && strlen(v) > SHP_TEXT_MAX) {
            char *s = shp_text(w, v);
            OGR_F_SetFieldString(w->feature, w->field - 1, s);
            free(s);
        } else if (v)
            OGR_F_SetFieldString(w->feature, w->field - 1, v);  /* dates parsed by OGR */
        else
            OGR_F_SetFieldNull(w->feature, w->field - 1);
    } else if (v) {
        put_json_string(w, v);
    } else {
        puts_(w, "null");
    }
}

void mw_null(map_writer *w)
{
    next_field(w);
    if (w->engine == ENGINE_GDAL)
        OGR_F_SetFieldNull(w->feature, w->field - 1);
    else
        puts_(w, "null");
}

void mw_int64(map_writer *w, int64_t v)
{
    next_field(w);
    if (w->engine == ENGINE_GDAL) {
        OGR_F_SetFieldInteger64(w->feature, w->field - 1, (GIntBig)v);
        return;
    }
    char num[32];
    put(w, num, (size_t)(str_put_int(num, v) - num));
}

void mw_real(map_writer *w, double v)
{
    const map_field *fd = next_field(w);
    double s = pow(10.0, fd->decimals);
    double r = round(v * s) / s;
    if (w->engine == ENGINE_GDAL) {
        OGR_F_SetFieldDouble(w->feature, w->field - 1, r);
        return;
    }
    char num[64];
    char *p = put_number(num, isfinite(v) ? v : 0.0, fd->decimals);
    put(w, num, (size_t)(p - num));
}

void mw_bool(map_writer *w, int v)
{
    next_field(w);
    if (w->engine == ENGINE_GDAL)
        OGR_F_SetFieldInteger(w->feature, w->field - 1, v ? 1 : 0);
    else
        puts_(w, v ? "true" : "false");
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

void mw_list(map_writer *w, const char *const *items, int n)
{
    next_field(w);
    if (w->engine == ENGINE_GDAL && w->format == MAP_GEOJSON) {
        char **list = NULL;
        for (int i = 0; i < n; i++)
            list = CSLAddString(list, items[i]);
        static char *empty[] = {NULL};
        OGR_F_SetFieldStringList(w->feature, w->field - 1, list ? list : empty);
        CSLDestroy(list);
        return;
    }
    if (w->engine == ENGINE_GDAL && w->format == MAP_SHP) {
        char *s = shp_list(w, items, n);
        OGR_F_SetFieldString(w->feature, w->field - 1, s);
        free(s);
        return;
    }
    if (w->engine == ENGINE_GDAL) {
        /* A JSON array, as GDAL's own JSON subtype holds it. */
        char *s = json_list(items, n);
        OGR_F_SetFieldString(w->feature, w->field - 1, s);
        free(s);
        return;
    }
    put(w, "[", 1);
    for (int i = 0; i < n; i++) {
        if (i)
            put(w, ",", 1);
        put_json_string(w, items[i]);
    }
    put(w, "]", 1);
}

int mw_end(map_writer *w, const shape *s)
{
    if (w->engine == ENGINE_GDAL)
        return gdal_end(w, s);
    puts_(w, "},");
    put_geometry(w, s);
    puts_(w, "}");
    if (w->failed == -1)
        return diag_error(w->path, 0, "PROJ could not take a polygon to WGS84 longitude/latitude; "
                                      "check the CRS of the commune layers");
    return 0;
}

int mw_traces(const map_writer *w, const shape *s, const topo_simplified *arcs,
              const double *lonlat)
{
    return !w->table && s->traced && arcs && lonlat;
}

int mw_end_traced(map_writer *w, const shape *s, const topo_simplified *arcs,
                  const double *lonlat, const int *idx, int n)
{
    if (!mw_traces(w, s, arcs, lonlat)) {
        int geometry = 0;
        for (int l = 0; s && l < s->nlayers; l++)
            geometry |= s->by_layer[l] != NULL;
        if (s && s->polygons > 0 && !geometry && !w->table) /* only the arcs hold it */
            return diag_error(w->path, 0, "internal error: a territory is held by arcs the "
                                          "writer was not given; please report it");
        return mw_end(w, s);
    }
    if (w->engine == ENGINE_GDAL) {
        trace_layers(w, arcs, idx, n);
        return gdal_write(w, traced_wgs84(w, arcs, lonlat));
    }
    puts_(w, "},");
    put_traced(w, arcs, lonlat, idx, n);
    puts_(w, "}");
    if (w->failed == -1)
        return diag_error(w->path, 0, "PROJ could not take a polygon to WGS84 longitude/latitude; "
                                      "check the CRS of the commune layers");
    return 0;
}

long mw_shortened(const map_writer *w)
{
    return w->shortened;
}

int mw_close(map_writer *w, int rc)
{
    if (w->engine == ENGINE_GDAL) {
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
    } else if (w->f) {
        puts_(w, w->features ? "\n]\n}\n" : "]\n}\n");
        flush_out(w);
        if (fclose(w->f) != 0 && !w->failed)
            w->failed = errno ? errno : EIO;
        if (rc == 0 && w->failed > 0)
            rc = diag_error(w->path, 0, "cannot write: %s; check free space and permissions",
                            strerror(w->failed));
    }
    int nlayers = w->t ? w->t->nlayers : 0;
    for (int l = 0; w->to_wgs84 && l < nlayers; l++)
        if (w->to_wgs84[l])
            proj_destroy(w->to_wgs84[l]);
    free(w->to_wgs84);
    if (w->outlines)
        for (int l = 0; l < nlayers; l++)
            topo_outline_free(w->outlines[l]);
    free(w->outlines);
    proj_context_destroy(w->proj);
    free(w->out);
    free(w->xy);
    free(w->path);
    free(w);
    return rc;
}
