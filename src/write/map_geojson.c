/* map_geojson.c -- the stream engine: GeoJSON written in one pass, no object model.
 * RFC 7946 as GDAL's driver writes it, feature by feature, which the tests check.
 *
 * GDAL's GeoJSON driver builds a JSON object for every coordinate before printing it, which
 * dominates the writing of large maps. This engine writes the same document in one pass:
 * coordinates go from GEOS to PROJ to text through one buffer per ring, numbers are
 * formatted by hand at a fixed 6 decimals. GDAL's driver stays available (--geojson-engine
 * gdal, map_gdal.c) as the reference the tests compare this engine with.
 *
 * RFC 7946 as written here: WGS84 longitude/latitude, exterior rings counter-clockwise and
 * holes clockwise (reversed when needed), 6 decimals, no "crs" member, a Polygon when the
 * territory has one polygon and a MultiPolygon otherwise. */
#include "map_engine.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/crs.h"
#include "util/diag.h"
#include "geom/outline.h"
#include "util/util.h"

#define OUT_SIZE (1 << 16)
/* The longest point put_points writes: ",[" two numbers of 6 decimals "," "]". */
#define POINT_MAX 64

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
 * decimals is a constant (the coordinates' 6), its divisions become multiplications: the
 * coordinates' numbers are much of the time of the maps. The decimals are written two at
 * a time, then the trailing zeros dropped. */
static inline __attribute__((always_inline)) char *put_fixed(char *p, double v, int decimals)
{
    static const uint64_t scale[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                       100000000, 1000000000};
    uint64_t s = scale[decimals];
    double x = v * (double)s;
    if (!(fabs(x) < 0x1p52)) /* too large for the integer path (never a coordinate) */
        return p + sprintf(p, "%.*f", decimals, v);
    /* round(x), half away from zero, without libm's call: below 2^52, x minus its
     * truncation is exact. */
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
        uint32_t f = (uint32_t)fp; /* < s <= 10^9: 32-bit divisions, cheaper */
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

/* The number of non-empty polygons of g; when `write`, also writes each (a comma before
 * all but the *first). */
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

/* Writes the "geometry" member of communes idx[0..n-1] traced from arcs, taking the points
 * from lonlat (the arcs' points in WGS84); returns the number of polygons. */
static int put_traced(map_writer *w, const topo_simplified *arcs, const double *lonlat,
                      const int *idx, int n)
{
    const commune_table *t = w->t;
    int count = mw_trace_layers(w, arcs, idx, n);
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


/* ---- the engine ---- */

static int stream_open(map_writer *w, const map_layout *m)
{
    w->f = fopen(w->path, "wb");
    if (!w->f)
        return diag_error(w->path, 0, "cannot write: %s; check free space and permissions",
                          strerror(errno));
    w->out = xmalloc(OUT_SIZE);
    puts_(w, "{\n\"type\": \"FeatureCollection\",\n\"name\": ");
    put_json_string(w, m->name);
    puts_(w, ",\n\"features\": [\n");
    return 0;
}

static void stream_begin(map_writer *w)
{
    puts_(w, w->features++ ? ",\n{\"type\":\"Feature\",\"properties\":{"
                           : "{\"type\":\"Feature\",\"properties\":{");
}

/* Starts the next property ("name":). */
static void stream_name(map_writer *w, const map_field *fd)
{
    if (w->field)
        put(w, ",", 1);
    put_json_string(w, fd->name);
    put(w, ":", 1);
}

static void stream_string(map_writer *w, const char *v)
{
    put_json_string(w, v);
}

static void stream_null(map_writer *w)
{
    puts_(w, "null");
}

static void stream_int64(map_writer *w, int64_t v)
{
    char num[32];
    put(w, num, (size_t)(str_put_int(num, v) - num));
}

static void stream_real(map_writer *w, const map_field *fd, double v)
{
    char num[64];
    char *p = put_number(num, isfinite(v) ? v : 0.0, fd->decimals);
    put(w, num, (size_t)(p - num));
}

static void stream_bool(map_writer *w, int v)
{
    puts_(w, v ? "true" : "false");
}

static void stream_list(map_writer *w, const char *const *items, int n)
{
    put(w, "[", 1);
    for (int i = 0; i < n; i++) {
        if (i)
            put(w, ",", 1);
        put_json_string(w, items[i]);
    }
    put(w, "]", 1);
}

/* Ends the feature, whose geometry put wrote; a point PROJ refused fails it. */
static int stream_checked(map_writer *w)
{
    puts_(w, "}");
    if (w->failed == -1)
        return diag_error(w->path, 0, "PROJ could not take a polygon to WGS84 longitude/latitude; "
                                      "check the CRS of the commune layers");
    return 0;
}

static int stream_end(map_writer *w, const shape *s)
{
    puts_(w, "},");
    put_geometry(w, s);
    return stream_checked(w);
}

static int stream_end_traced(map_writer *w, const topo_simplified *arcs, const double *lonlat,
                             const int *idx, int n)
{
    puts_(w, "},");
    put_traced(w, arcs, lonlat, idx, n);
    return stream_checked(w);
}

static int stream_close(map_writer *w, int rc)
{
    if (w->f) {
        puts_(w, w->features ? "\n]\n}\n" : "]\n}\n");
        flush_out(w);
        if (fclose(w->f) != 0 && !w->failed)
            w->failed = errno ? errno : EIO;
        if (rc == 0 && w->failed > 0)
            rc = diag_error(w->path, 0, "cannot write: %s; check free space and permissions",
                            strerror(w->failed));
    }
    free(w->out);
    free(w->xy);
    return rc;
}

const mw_engine_ops mw_stream_engine = {
    .open = stream_open,
    .begin = stream_begin,
    .name = stream_name,
    .string = stream_string,
    .null = stream_null,
    .int64 = stream_int64,
    .real = stream_real,
    .boolean = stream_bool,
    .list = stream_list,
    .end = stream_end,
    .end_traced = stream_end_traced,
    .close = stream_close,
};
