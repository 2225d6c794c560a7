/* compare_maps.h -- compares maps feature by feature, as GDAL reads them.
 * Holds the streaming GeoJSON writer to GDAL's driver, and every format to the GeoJSON. */
#ifndef CPTSCOV_TEST_COMPARE_MAPS_H
#define CPTSCOV_TEST_COMPARE_MAPS_H

#include <cpl_string.h>
#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "strmap.h"
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>

/* Compares the points of two geometries of the same structure, within tol; 0 when equal. */
static inline int cmp_geometry(OGRGeometryH a, OGRGeometryH b, double tol, char *why, size_t n)
{
    if (!a || !b) {
        snprintf(why, n, "geometry missing on one side");
        return (a || b) ? -1 : 0;
    }
    if (OGR_G_GetGeometryType(a) != OGR_G_GetGeometryType(b)) {
        snprintf(why, n, "geometry types %s and %s", OGR_G_GetGeometryName(a),
                 OGR_G_GetGeometryName(b));
        return -1;
    }
    int ga = OGR_G_GetGeometryCount(a), gb = OGR_G_GetGeometryCount(b);
    if (ga != gb) {
        snprintf(why, n, "%d and %d parts", ga, gb);
        return -1;
    }
    for (int i = 0; i < ga; i++)
        if (cmp_geometry(OGR_G_GetGeometryRef(a, i), OGR_G_GetGeometryRef(b, i), tol, why, n))
            return -1;
    int pa = OGR_G_GetPointCount(a), pb = OGR_G_GetPointCount(b);
    if (pa != pb) {
        snprintf(why, n, "%d and %d points", pa, pb);
        return -1;
    }
    for (int i = 0; i < pa; i++)
        if (fabs(OGR_G_GetX(a, i) - OGR_G_GetX(b, i)) > tol ||
            fabs(OGR_G_GetY(a, i) - OGR_G_GetY(b, i)) > tol) {
            snprintf(why, n, "point %d: %.7f %.7f and %.7f %.7f", i, OGR_G_GetX(a, i),
                     OGR_G_GetY(a, i), OGR_G_GetX(b, i), OGR_G_GetY(b, i));
            return -1;
        }
    return 0;
}

/* Compares two map files; returns the number of features compared, or -1 with why filled. */
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
        if (!bad && cmp_geometry(OGR_F_GetGeometryRef(a), OGR_F_GetGeometryRef(b), 1.01e-6, why, n)) {
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

/* Rings equal point by point within tol, in either direction (a Shapefile turns them). */
static inline int cmp_ring_any_way(OGRGeometryH a, OGRGeometryH b, double tol)
{
    int n = OGR_G_GetPointCount(a);
    if (n != OGR_G_GetPointCount(b))
        return -1;
    for (int dir = 0; dir < 2; dir++) {
        int i = 0;
        for (; i < n; i++) {
            int k = dir ? n - 1 - i : i;
            if (fabs(OGR_G_GetX(a, i) - OGR_G_GetX(b, k)) > tol ||
                fabs(OGR_G_GetY(a, i) - OGR_G_GetY(b, k)) > tol)
                break;
        }
        if (i == n)
            return 0;
    }
    return -1;
}

/* Polygonal geometries equal within tol: the same polygons with the same rings, a Polygon
 * being a MultiPolygon of one, rings in either direction. */
static inline int cmp_polygons(OGRGeometryH a, OGRGeometryH b, double tol, char *why, size_t n)
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
    for (int p = 0; p < pa && rc == 0; p++) {
        OGRGeometryH x = OGR_G_GetGeometryRef(ma, p), y = OGR_G_GetGeometryRef(mb, p);
        int ra = OGR_G_GetGeometryCount(x), rb = OGR_G_GetGeometryCount(y);
        if (ra != rb) {
            snprintf(why, n, "polygon %d: %d and %d rings", p, ra, rb);
            rc = -1;
        }
        for (int r = 0; r < ra && rc == 0; r++)
            if (cmp_ring_any_way(OGR_G_GetGeometryRef(x, r), OGR_G_GetGeometryRef(y, r), tol)) {
                snprintf(why, n, "polygon %d, ring %d: the points differ", p, r);
                rc = -1;
            }
    }
    OGR_G_DestroyGeometry(ma);
    OGR_G_DestroyGeometry(mb);
    return rc;
}

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
