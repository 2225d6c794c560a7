/* ogr_rings.c -- a feature's geometry from OGR to GEOS, or to a ring of the table's blocks.
 * Its points are copied as they are, never reprojected or cleaned: the checks come later. */
#include "read_communes_internal.h"

#include <ogr_api.h>
#include <stdlib.h>

#include "util/util.h"

/* The ring og as a GEOS ring, its points copied straight from OGR (through buf, grown as
 * needed), or NULL when GEOS refuses it (too few points, not closed). */
static GEOSGeometry *ring_of_ogr(GEOSContextHandle_t h, OGRGeometryH og, double **buf,
                                 size_t *cap)
{
    int n = OGR_G_GetPointCount(og);
    if (n <= 0)
        return NULL;
    if ((size_t)n * 2 > *cap) {
        *cap = (size_t)n * 2;
        *buf = xrealloc(*buf, *cap * sizeof **buf);
    }
    OGR_G_GetPoints(og, *buf, 2 * sizeof(double), *buf + 1, 2 * sizeof(double), NULL, 0);
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, *buf, (unsigned)n, 0, 0);
    return seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
}

/* Polygon og (2D) in GEOS, or NULL when a ring is refused. */
static GEOSGeometry *polygon_of_ogr(GEOSContextHandle_t h, OGRGeometryH og, double **buf,
                                    size_t *cap)
{
    int nr = OGR_G_GetGeometryCount(og);
    if (nr <= 0)
        return NULL;
    GEOSGeometry *shell = ring_of_ogr(h, OGR_G_GetGeometryRef(og, 0), buf, cap);
    GEOSGeometry **holes = nr > 1 ? xmalloc((size_t)(nr - 1) * sizeof *holes) : NULL;
    int ok = shell != NULL;
    for (int i = 1; i < nr && ok; i++)
        ok = (holes[i - 1] = ring_of_ogr(h, OGR_G_GetGeometryRef(og, i), buf, cap)) != NULL;
    GEOSGeometry *g = NULL;
    if (ok) { /* GEOS takes the rings, even when it fails */
        g = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)(nr - 1));
    } else { /* what was made, freed */
        if (shell)
            GEOSGeom_destroy_r(h, shell);
        for (int i = 1; i < nr && holes[i - 1]; i++)
            GEOSGeom_destroy_r(h, holes[i - 1]);
    }
    free(holes);
    return g;
}

/* A 2D polygon or multipolygon of OGR in GEOS with its points copied as they are (through
 * WKB they would be written out and parsed again), or NULL for any other geometry, or one
 * GEOS refuses: the WKB path then says why. */
static GEOSGeometry *polygonal_of_ogr(GEOSContextHandle_t h, OGRGeometryH og)
{
    OGRwkbGeometryType type = OGR_G_GetGeometryType(og);
    if (type != wkbPolygon && type != wkbMultiPolygon)
        return NULL;
    double *buf = NULL;
    size_t cap = 0;
    GEOSGeometry *g = NULL;
    if (type == wkbPolygon) {
        g = polygon_of_ogr(h, og, &buf, &cap);
    } else {
        int np = OGR_G_GetGeometryCount(og);
        GEOSGeometry **parts = xmalloc((size_t)(np > 0 ? np : 1) * sizeof *parts);
        int ok = np > 0;
        for (int i = 0; i < np && ok; i++)
            ok = (parts[i] = polygon_of_ogr(h, OGR_G_GetGeometryRef(og, i), &buf, &cap)) != NULL;
        if (ok) /* GEOS takes the parts, even when it fails */
            g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)np);
        else
            for (int i = 0; i < np && parts[i]; i++)
                GEOSGeom_destroy_r(h, parts[i]);
        free(parts);
    }
    free(buf);
    return g;
}

/* A polygon of OGR of one ring, closed, of four points or more (nearly every commune), read
 * as a ring into rb: 1, and its points in *xy, *n; else 0. Such a polygon needs no GEOS
 * geometry until something asks for one (ctab_polygon): its points go once, 16 bytes each,
 * from OGR to where the arcs take them, instead of into a GEOS polygon of 24 bytes a point
 * that the arcs copy again and free, fresh memory for every commune. */
static int ring_of_ogr_polygon(OGRGeometryH og, ring_blocks *rb, double **xy, int *n)
{
    if (OGR_G_GetGeometryType(og) != wkbPolygon || OGR_G_GetGeometryCount(og) != 1)
        return 0;
    OGRGeometryH ring = OGR_G_GetGeometryRef(og, 0);
    int k = ring ? OGR_G_GetPointCount(ring) : 0;
    if (k < 4)
        return 0;
    double *p = ctab_ring_room(rb, (size_t)k);
    OGR_G_GetPoints(ring, p, 2 * sizeof(double), p + 1, 2 * sizeof(double), NULL, 0);
    if (p[0] != p[2 * k - 2] || p[1] != p[2 * k - 1]) { /* not closed: GEOS's way says so */
        ctab_ring_unroom(rb, (size_t)k);
        return 0;
    }
    *xy = p;
    *n = k;
    return 1;
}

/* The feature's geometry in GEOS, as it is (checked later), or NULL; or a ring in rb (*xy,
 * *n); *conv says what happened, for the join issues. */
GEOSGeometry *crd_feature_geometry(GEOSContextHandle_t h, OGRFeatureH f, int *conv,
                                   ring_blocks *rb, double **xy, int *n)
{
    *conv = CONV_OK;
    OGRGeometryH og = OGR_F_GetGeometryRef(f);
    if (!og || OGR_G_IsEmpty(og)) {
        *conv = CONV_EMPTY;
        return NULL;
    }
    OGRGeometryH lin = NULL;
    if (OGR_G_HasCurveGeometry(og, 1))
        og = lin = OGR_G_GetLinearGeometry(og, 0, NULL);
    if (OGR_G_GetCoordinateDimension(og) > 2 || OGR_G_IsMeasured(og)) {
        if (!lin)
            og = lin = OGR_G_Clone(og);
        OGR_G_FlattenTo2D(og);
        OGR_G_SetMeasured(og, 0);
    }
    if (ring_of_ogr_polygon(og, rb, xy, n)) {
        if (lin)
            OGR_G_DestroyGeometry(lin);
        return NULL;
    }
    GEOSGeometry *g = polygonal_of_ogr(h, og);
    if (!g) {
        int size = OGR_G_WkbSize(og);
        unsigned char *wkb = xmalloc((size_t)size);
        OGR_G_ExportToIsoWkb(og, wkbNDR, wkb);
        g = GEOSGeomFromWKB_buf_r(h, wkb, (size_t)size);
        free(wkb);
    }
    if (!g) {
        /* GEOS refuses a ring that does not end where it starts (some hand-made GeoJSON);
         * closing it can only have one meaning. */
        OGRGeometryH closed = OGR_G_Clone(og);
        OGR_G_CloseRings(closed);
        int size = OGR_G_WkbSize(closed);
        unsigned char *wkb = xmalloc((size_t)size);
        OGR_G_ExportToIsoWkb(closed, wkbNDR, wkb);
        OGR_G_DestroyGeometry(closed);
        g = GEOSGeomFromWKB_buf_r(h, wkb, (size_t)size);
        free(wkb);
        if (g)
            *conv = CONV_CLOSED;
    }
    if (lin)
        OGR_G_DestroyGeometry(lin);
    if (!g)
        *conv = CONV_BAD;
    return g;
}
