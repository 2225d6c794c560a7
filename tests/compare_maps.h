/* compare_maps.h -- compares two GeoJSON maps feature by feature, as GDAL reads them.
 * Used to hold the streaming GeoJSON writer to what GDAL's own driver writes. */
#ifndef CPTSCOV_TEST_COMPARE_MAPS_H
#define CPTSCOV_TEST_COMPARE_MAPS_H

#include <gdal.h>
#include <math.h>
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

#endif
