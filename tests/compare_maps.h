/* compare_maps.h -- compares maps feature by feature, as GDAL reads them.
 * Holds the streaming GeoJSON writer to GDAL's driver, and every format to the GeoJSON. */
#ifndef CPTSCOV_TEST_COMPARE_MAPS_H
#define CPTSCOV_TEST_COMPARE_MAPS_H

#include <cpl_string.h>
#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "util/strmap.h"
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>

/* Rings equal within tol as closed loops: the same points in the same cyclic order, from any
 * starting point (a ring traced from arcs starts at a node, GDAL's at the source's first
 * point), forward only or, with any_way, in either direction (a Shapefile turns them). */
static inline int cmp_ring_cyclic(OGRGeometryH a, OGRGeometryH b, double tol, int any_way)
{
    int n = OGR_G_GetPointCount(a);
    if (n != OGR_G_GetPointCount(b) || n < 4)
        return n == OGR_G_GetPointCount(b) && n == 0 ? 0 : -1;
    int m = n - 1; /* distinct points: the last closes the ring */
    for (int k = 0; k < m; k++) {
        if (fabs(OGR_G_GetX(a, 0) - OGR_G_GetX(b, k)) > tol ||
            fabs(OGR_G_GetY(a, 0) - OGR_G_GetY(b, k)) > tol)
            continue;
        for (int dir = 0; dir < (any_way ? 2 : 1); dir++) {
            int i = 0;
            for (; i < m; i++) {
                int j = dir ? (k - i + m) % m : (k + i) % m;
                if (fabs(OGR_G_GetX(a, i) - OGR_G_GetX(b, j)) > tol ||
                    fabs(OGR_G_GetY(a, i) - OGR_G_GetY(b, j)) > tol)
                    break;
            }
            if (i == m)
                return 0;
        }
    }
    return -1;
}

/* Polygons x and y equal within tol: equal shells, and holes equal two by two in any order. */
static inline int cmp_polygon(OGRGeometryH x, OGRGeometryH y, double tol, int any_way)
{
    int nr = OGR_G_GetGeometryCount(x);
    if (nr != OGR_G_GetGeometryCount(y) || nr == 0)
        return nr == OGR_G_GetGeometryCount(y) ? 0 : -1;
    if (cmp_ring_cyclic(OGR_G_GetGeometryRef(x, 0), OGR_G_GetGeometryRef(y, 0), tol, any_way))
        return -1;
    char *taken = calloc((size_t)nr, 1);
    int rc = 0;
    for (int r = 1; r < nr && rc == 0; r++) {
        rc = -1;
        for (int q = 1; q < nr && rc; q++)
            if (!taken[q] && cmp_ring_cyclic(OGR_G_GetGeometryRef(x, r),
                                             OGR_G_GetGeometryRef(y, q), tol, any_way) == 0) {
                taken[q] = 1;
                rc = 0;
            }
    }
    free(taken);
    return rc;
}

/* Polygonal geometries equal within tol: the same polygons, in any order, each with the same
 * rings (holes in any order, each from any point); a Polygon is a MultiPolygon of one. Rings
 * in either direction with any_way, else in the same. */
static inline int cmp_polygons_way(OGRGeometryH a, OGRGeometryH b, double tol, int any_way,
                                   char *why, size_t n)
{
    if (!a || !b) {
        snprintf(why, n, "geometry missing on one side");
        return (a || b) ? -1 : 0;
    }
    OGRGeometryH ma = OGR_G_ForceToMultiPolygon(OGR_G_Clone(a));
    OGRGeometryH mb = OGR_G_ForceToMultiPolygon(OGR_G_Clone(b));
    int rc = 0;
    int pa = OGR_G_GetGeometryCount(ma), pb = OGR_G_GetGeometryCount(mb);
    if (pa != pb) {
        snprintf(why, n, "%d and %d polygons", pa, pb);
        rc = -1;
    }
    char *taken = calloc((size_t)pb + 1, 1);
    for (int p = 0; p < pa && rc == 0; p++) {
        OGRGeometryH x = OGR_G_GetGeometryRef(ma, p);
        int found = -1;
        /* The polygon at the same place first: most maps list them in the same order. */
        for (int k = 0; k < pb && found < 0; k++) {
            int q = (p + k) % pb;
            if (!taken[q] && cmp_polygon(x, OGR_G_GetGeometryRef(mb, q), tol, any_way) == 0)
                found = q;
        }
        if (found < 0) {
            OGRGeometryH sh = OGR_G_GetGeometryRef(x, 0);
            snprintf(why, n, "polygon %d (%d rings, first point %.6f %.6f) has no equal", p,
                     OGR_G_GetGeometryCount(x), sh ? OGR_G_GetX(sh, 0) : 0.0,
                     sh ? OGR_G_GetY(sh, 0) : 0.0);
            rc = -1;
        } else {
            taken[found] = 1;
        }
    }
    free(taken);
    OGR_G_DestroyGeometry(ma);
    OGR_G_DestroyGeometry(mb);
    return rc;
}

/* The same, rings in either direction (any format against the GeoJSON). */
static inline int cmp_polygons(OGRGeometryH a, OGRGeometryH b, double tol, char *why, size_t n)
{
    return cmp_polygons_way(a, b, tol, 1, why, n);
}

/* Compares two map files: the same fields, the same features in the same order, the same
 * values, and geometries equal as cmp_polygons_way has it, rings in the same direction.
 * Returns the number of features compared, or -1 with why filled. */
static inline long cmp_maps(const char *path_a, const char *path_b, char *why, size_t n)
{
    GDALDatasetH da = GDALOpenEx(path_a, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH db = GDALOpenEx(path_b, GDAL_OF_VECTOR, NULL, NULL, NULL);
    long count = -1;
    if (!da || !db) {
        snprintf(why, n, "cannot open %s", da ? path_b : path_a);
        goto done;
    }
    OGRLayerH la = GDALDatasetGetLayer(da, 0), lb = GDALDatasetGetLayer(db, 0);
    OGRFeatureDefnH fa = OGR_L_GetLayerDefn(la), fb = OGR_L_GetLayerDefn(lb);
    if (OGR_FD_GetFieldCount(fa) != OGR_FD_GetFieldCount(fb)) {
        snprintf(why, n, "%d and %d fields", OGR_FD_GetFieldCount(fa), OGR_FD_GetFieldCount(fb));
        goto done;
    }
    for (int i = 0; i < OGR_FD_GetFieldCount(fa); i++) {
        OGRFieldDefnH x = OGR_FD_GetFieldDefn(fa, i), y = OGR_FD_GetFieldDefn(fb, i);
        if (strcmp(OGR_Fld_GetNameRef(x), OGR_Fld_GetNameRef(y)) != 0 ||
            OGR_Fld_GetType(x) != OGR_Fld_GetType(y) ||
            OGR_Fld_GetSubType(x) != OGR_Fld_GetSubType(y)) {
            snprintf(why, n, "field %d: %s and %s, or their types, differ", i,
                     OGR_Fld_GetNameRef(x), OGR_Fld_GetNameRef(y));
            goto done;
        }
    }
    long k = 0;
    for (;;) {
        OGRFeatureH a = OGR_L_GetNextFeature(la), b = OGR_L_GetNextFeature(lb);
        if (!a || !b) {
            if (a || b)
                snprintf(why, n, "feature counts differ after %ld", k);
            else
                count = k;
            OGR_F_Destroy(a);
            OGR_F_Destroy(b);
            break;
        }
        int bad = 0;
        for (int i = 0; i < OGR_FD_GetFieldCount(fa) && !bad; i++) {
            const char *x = OGR_F_IsFieldSetAndNotNull(a, i) ? OGR_F_GetFieldAsString(a, i) : "(null)";
            const char *y = OGR_F_IsFieldSetAndNotNull(b, i) ? OGR_F_GetFieldAsString(b, i) : "(null)";
            if (strcmp(x, y) != 0) {
                snprintf(why, n, "feature %ld, field %s: \"%.40s\" and \"%.40s\"", k,
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fa, i)), x, y);
                bad = 1;
            }
        }
        if (!bad && cmp_polygons_way(OGR_F_GetGeometryRef(a), OGR_F_GetGeometryRef(b), 1.01e-6, 0,
                                     why, n)) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "feature %ld: %s", k, why);
            snprintf(why, n, "%s", tmp);
            bad = 1;
        }
        OGR_F_Destroy(a);
        OGR_F_Destroy(b);
        if (bad)
            break;
        k++;
    }
done:
    if (da)
        GDALClose(da);
    if (db)
        GDALClose(db);
    return count;
}

/* ---- any format against the GeoJSON ---- */

/* 1 when s is a JSON array. */
static inline int is_json_array(const char *s)
{
    if (s[0] != '[')
        return 0;
    json_t *a = json_loads(s, 0, NULL);
    int r = json_is_array(a);
    json_decref(a);
    return r;
}

/* The items of a list field of f: a StringList, a JSON array (GDAL reads a GeoJSON field
 * whose lists are all empty as the text "[ ]"), or comma-joined text. */
static inline char **list_items(OGRFeatureH f, int i)
{
    OGRFieldDefnH fd = OGR_F_GetFieldDefnRef(f, i);
    if (OGR_Fld_GetType(fd) == OFTStringList)
        return CSLDuplicate(OGR_F_GetFieldAsStringList(f, i));
    const char *s = OGR_F_GetFieldAsString(f, i);
    char **items = NULL;
    if (is_json_array(s)) {
        json_t *a = json_loads(s, 0, NULL);
        for (size_t k = 0; k < json_array_size(a); k++)
            items = CSLAddString(items, json_string_value(json_array_get(a, k)));
        json_decref(a);
        return items;
    }
    return CSLTokenizeString2(s, ",", 0);
}

/* Field i of a (the GeoJSON) and field j of b equal, by a's type; 0 when equal. */
static inline int cmp_value(OGRFeatureH a, int i, OGRFeatureH b, int j)
{
    int na = !OGR_F_IsFieldSetAndNotNull(a, i), nb = !OGR_F_IsFieldSetAndNotNull(b, j);
    OGRFieldDefnH fa = OGR_F_GetFieldDefnRef(a, i);
    if (OGR_Fld_GetType(fa) == OFTStringList ||
        (OGR_Fld_GetType(fa) == OFTString && !na && is_json_array(OGR_F_GetFieldAsString(a, i)))) {
        char **x = list_items(a, i), **y = list_items(b, j);
        int cx = CSLCount(x), cy = CSLCount(y);
        /* A Shapefile's list too long for its field: the first items, then "…". */
        int shortened = cy > 0 && strcmp(y[cy - 1], "\xe2\x80\xa6") == 0;
        if (shortened)
            cy--;
        int rc = shortened ? cy >= cx : cx != cy;
        if (!rc && shortened)
            cx = cy;
        for (int k = 0; k < cx && !rc; k++)
            rc = strcmp(x[k], y[k]) != 0;
        CSLDestroy(x);
        CSLDestroy(y);
        return rc;
    }
    if (na || nb)
        return na != nb;
    switch (OGR_Fld_GetType(fa)) {
    case OFTInteger:
    case OFTInteger64:
        return OGR_F_GetFieldAsInteger64(a, i) != OGR_F_GetFieldAsInteger64(b, j);
    case OFTReal: {
        double x = OGR_F_GetFieldAsDouble(a, i), y = OGR_F_GetFieldAsDouble(b, j);
        return fabs(x - y) > 1e-9 * (fabs(x) > 1 ? fabs(x) : 1);
    }
    case OFTDate: {
        int y1, m1, d1, y2, m2, d2, h, mi, tz;
        float sec;
        OGR_F_GetFieldAsDateTimeEx(a, i, &y1, &m1, &d1, &h, &mi, &sec, &tz);
        OGR_F_GetFieldAsDateTimeEx(b, j, &y2, &m2, &d2, &h, &mi, &sec, &tz);
        return y1 != y2 || m1 != m2 || d1 != d2;
    }
    default: {
        const char *x = OGR_F_GetFieldAsString(a, i), *y = OGR_F_GetFieldAsString(b, j);
        size_t ny = strlen(y);
        /* A Shapefile's text too long for its field: its beginning, then "…". */
        if (ny >= 3 && strcmp(y + ny - 3, "\xe2\x80\xa6") == 0 && strlen(x) > ny)
            return strncmp(x, y, ny - 3) != 0;
        return strcmp(x, y) != 0;
    }
    }
}

/* Compares layer lb (any format, any order of features) with la, a GeoJSON map written by
 * cptscov: the same number of fields, features matched by their first field, every value
 * equal by the GeoJSON's type, geometries equal within tol. Returns the number of features
 * compared, or -1 with why filled. */
static inline long cmp_layer_with_geojson(OGRLayerH la, OGRLayerH lb, double tol, char *why,
                                          size_t n)
{
    OGRFeatureDefnH fa = OGR_L_GetLayerDefn(la), fb = OGR_L_GetLayerDefn(lb);
    int nf = OGR_FD_GetFieldCount(fa);
    if (nf != OGR_FD_GetFieldCount(fb)) {
        snprintf(why, n, "%d and %d fields", nf, OGR_FD_GetFieldCount(fb));
        return -1;
    }
    long na = (long)OGR_L_GetFeatureCount(la, TRUE), nb = (long)OGR_L_GetFeatureCount(lb, TRUE);
    if (na != nb) {
        snprintf(why, n, "%ld and %ld features", na, nb);
        return -1;
    }
    /* The GeoJSON's features by key (first field, all distinct). */
    strmap keys;
    smap_init(&keys);
    OGRFeatureH *byk = calloc((size_t)na + 1, sizeof *byk);
    OGR_L_ResetReading(la);
    OGRFeatureH f;
    long k = 0;
    while ((f = OGR_L_GetNextFeature(la)) != NULL && k < na) {
        smap_put(&keys, OGR_F_GetFieldAsString(f, 0), (int)k);
        byk[k++] = f;
    }
    long count = 0;
    OGR_L_ResetReading(lb);
    while ((f = OGR_L_GetNextFeature(lb)) != NULL) {
        char key[64];
        snprintf(key, sizeof key, "%s", OGR_F_GetFieldAsString(f, 0));
        int at = smap_get(&keys, key);
        int bad = 0;
        if (at < 0 || !byk[at]) {
            snprintf(why, n, "feature %.60s: not in the GeoJSON, or twice", key);
            bad = 1;
        }
        for (int i = 0; i < nf && !bad; i++)
            if (cmp_value(byk[at], i, f, i)) {
                snprintf(why, n, "feature %.60s, field %.40s: \"%.60s\" and \"%.60s\"", key,
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fa, i)),
                         OGR_F_GetFieldAsString(byk[at], i), OGR_F_GetFieldAsString(f, i));
                bad = 1;
            }
        char geom_why[128];
        if (!bad && cmp_polygons(OGR_F_GetGeometryRef(byk[at]), OGR_F_GetGeometryRef(f), tol,
                                 geom_why, sizeof geom_why)) {
            snprintf(why, n, "feature %.60s: %.120s", key, geom_why);
            bad = 1;
        }
        if (!bad) {
            OGR_F_Destroy(byk[at]);
            byk[at] = NULL;
        }
        OGR_F_Destroy(f);
        if (bad) {
            count = -1;
            break;
        }
        count++;
    }
    for (long i = 0; i < na; i++)
        if (byk[i])
            OGR_F_Destroy(byk[i]);
    free(byk);
    smap_free(&keys);
    return count;
}

#endif
