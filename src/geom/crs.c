/* crs.c -- coordinate reference systems of the commune layers, through PROJ.
 * Each layer keeps its own CRS; this gives its way to WGS84 and areas on the ellipsoid.
 *
 * Areas must be true areas, whatever the layer's projection: ADMIN EXPRESS uses conformal
 * projections (Lambert-93, UTM), whose planar areas are off by up to a few tenths of a
 * percent. A commune is small against the variation of the scale, so its planar area divided
 * by the projection's areal scale factor at its centre (proj_factors) is its area on the
 * ellipsoid to better than 1e-5; that costs one PROJ call per commune instead of one per
 * vertex. Layers in longitude/latitude get a geodesic polygon area instead. */
#include "geom/crs.h"

#include <geodesic.h>
#include <math.h>
#include <pthread.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/util.h"

/* The bare projection of a projected CRS, taking radians, for proj_factors: given the CRS
 * itself, proj_factors rebuilds the projection at each call, 20 000 times slower. */
static PJ *projection_of(PJ *crs)
{
    const char *def = proj_as_proj_string(PJ_DEFAULT_CTX, crs, PJ_PROJ_4, NULL);
    if (!def)
        return proj_clone(PJ_DEFAULT_CTX, crs);
    char *bare = xstrdup(def);
    char *type = strstr(bare, " +type=crs");
    if (type)
        *type = '\0';
    PJ *p = proj_create(PJ_DEFAULT_CTX, bare);
    free(bare);
    return p ? p : proj_clone(PJ_DEFAULT_CTX, crs);
}

/* The projection that op inverts, when op (normalised for visualisation) is that inverse
 * and radians to degrees, nothing else: the pipeline PROJ gives from Lambert-93 (and any
 * projected CRS on a datum that is WGS84's to a metre) to WGS84. The projection alone and
 * the conversion by hand give the same doubles (the conversion is PROJ's unitconvert: one
 * multiplication by the same factor) in 12 % less time, a pipeline's steps costing their
 * own; or NULL, for any other way, which stays with op. */
static PJ *inverse_projection_of(PJ *op)
{
    static const char head[] = "+proj=pipeline +step +inv ";
    static const char tail[] = " +step +proj=unitconvert +xy_in=rad +xy_out=deg";
    const char *def = proj_as_proj_string(PJ_DEFAULT_CTX, op, PJ_PROJ_5, NULL);
    size_t n = def ? strlen(def) : 0, nh = sizeof head - 1, nt = sizeof tail - 1;
    if (n <= nh + nt || strncmp(def, head, nh) != 0 || strcmp(def + n - nt, tail) != 0)
        return NULL;
    char *step = xasprintf("%.*s", (int)(n - nh - nt), def + nh);
    PJ *p = strstr(step, "+step") ? NULL : proj_create(PJ_DEFAULT_CTX, step);
    free(step);
    return p;
}

void crs_to_wgs84(void *to_wgs84, void *inverse, double *xy, size_t n)
{
    size_t stride = 2 * sizeof(double);
    if (!inverse) {
        proj_trans_generic(to_wgs84, PJ_FWD, xy, stride, n, xy + 1, stride, n, NULL, 0, 0, NULL,
                           0, 0);
        return;
    }
    proj_trans_generic(inverse, PJ_INV, xy, stride, n, xy + 1, stride, n, NULL, 0, 0, NULL, 0,
                       0);
    const double factor = 1.0 / proj_torad(1.0); /* as unitconvert's: 1 / PROJ's degree */
    for (size_t i = 0; i < 2 * n; i++)
        xy[i] *= factor;
}

/* crs_setup_layer, its caller holding PROJ's default context. */
static int setup_layer_locked(commune_layer *layer, const char *wkt, const char *path)
{
    PJ *crs = proj_create(PJ_DEFAULT_CTX, wkt);
    if (!crs)
        return diag_error(path, 0, "PROJ cannot use the layer's CRS; reproject it with ogr2ogr");
    PJ_TYPE type = proj_get_type(crs);
    layer->geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS;
    PJ *wgs84 = proj_create(PJ_DEFAULT_CTX, "EPSG:4326");
    PJ *op = proj_create_crs_to_crs_from_pj(PJ_DEFAULT_CTX, crs, wgs84, NULL, NULL);
    proj_destroy(wgs84);
    PJ *norm = op ? proj_normalize_for_visualization(PJ_DEFAULT_CTX, op) : NULL;
    if (op)
        proj_destroy(op);
    if (!norm) {
        proj_destroy(crs);
        return diag_error(path, 0, "PROJ finds no way from the layer's CRS to WGS84; reproject "
                                   "it with ogr2ogr");
    }
    const char *name = proj_get_name(crs);
    const char *auth = proj_get_id_auth_name(crs, 0), *code = proj_get_id_code(crs, 0);
    layer->crs_name = xstrdup(name ? name : "");
    layer->crs_id = auth && code ? xasprintf("%s:%s", auth, code) : xstrdup("");
    layer->crs = layer->geographic ? NULL : projection_of(crs);
    proj_destroy(crs);
    layer->to_wgs84 = norm;
    layer->inverse = inverse_projection_of(norm);
    return 0;
}

/* PROJ's default context, which the layers' objects live in, serves one thread at a time:
 * the sources are read ahead by several (read_communes.c). */
static pthread_mutex_t default_ctx_lock = PTHREAD_MUTEX_INITIALIZER;

int crs_setup_layer(commune_layer *layer, const char *wkt, const char *path)
{
    pthread_mutex_lock(&default_ctx_lock);
    int rc = setup_layer_locked(layer, wkt, path);
    pthread_mutex_unlock(&default_ctx_lock);
    return rc;
}

/* Geodesic area of the rings of polygon p (longitude/latitude degrees), in m². */
static double geodesic_polygon(GEOSContextHandle_t h, const GEOSGeometry *p)
{
    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1 / 298.257223563);
    double total = 0;
    int nh = GEOSGetNumInteriorRings_r(h, p);
    for (int r = -1; r < nh; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(h, p) : GEOSGetInteriorRingN_r(h, p, r);
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, seq, &n);
        double *xy = xmalloc(2 * (size_t)(n ? n : 1) * sizeof *xy);
        GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0);
        double *lat = xmalloc((size_t)(n ? n : 1) * sizeof *lat), *lon = xmalloc((size_t)(n ? n : 1) * sizeof *lon);
        for (unsigned i = 0; i < n; i++) {
            lon[i] = xy[2 * i];
            lat[i] = xy[2 * i + 1];
        }
        double area = 0;
        geod_polygonarea(&g, lat, lon, n > 0 ? (int)n - 1 : 0, &area, NULL);
        total += r < 0 ? fabs(area) : -fabs(area);
        free(xy);
        free(lat);
        free(lon);
    }
    return total;
}

static double geodesic_area(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON)
        return GEOSisEmpty_r(h, g) ? 0 : geodesic_polygon(h, g);
    double total = 0;
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            total += geodesic_area(h, GEOSGetGeometryN_r(h, g, i));
    return total;
}

double crs_area_km2_with(const commune_layer *layer, void *to_wgs84, void *projection,
                         GEOSContextHandle_t h, const GEOSGeometry *g, double planar,
                         const double *bbox)
{
    if (layer->geographic)
        return geodesic_area(h, g) / 1e6;
    if (planar <= 0)
        return 0;
    PJ_COORD c = proj_coord((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2, 0, 0);
    PJ_COORD lp = proj_trans(to_wgs84, PJ_FWD, c);
    PJ_COORD rad = proj_coord(proj_torad(lp.lp.lam), proj_torad(lp.lp.phi), 0, 0);
    PJ_FACTORS f = projection ? proj_factors(projection, rad) : (PJ_FACTORS){0};
    double scale = f.areal_scale > 0 && isfinite(f.areal_scale) ? f.areal_scale : 1.0;
    return planar / scale / 1e6;
}
