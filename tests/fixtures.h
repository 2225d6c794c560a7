/* fixtures.h -- tiny inputs made in the tests, whose answers are known by hand.
 * A grid of square communes in Lambert-93, 1 km wide, around Rennes. */
#ifndef CPTSCOV_TEST_FIXTURES_H
#define CPTSCOV_TEST_FIXTURES_H

#include <proj.h>
#include <stdio.h>
#include <string.h>

#include "model/commune_table.h"
#include "util/util.h"

#define FIX_X0 350000.0
#define FIX_Y0 6790000.0
#define FIX_SIZE 1000.0

/* A square polygon of the grid, column i, row j, in Lambert-93 metres. */
static inline GEOSGeometry *fix_square(GEOSContextHandle_t h, int i, int j)
{
    double x = FIX_X0 + i * FIX_SIZE, y = FIX_Y0 + j * FIX_SIZE;
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, 5, 2);
    double xs[5] = {x, x + FIX_SIZE, x + FIX_SIZE, x, x};
    double ys[5] = {y, y, y + FIX_SIZE, y + FIX_SIZE, y};
    for (unsigned k = 0; k < 5; k++)
        GEOSCoordSeq_setXY_r(h, s, k, xs[k], ys[k]);
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
}

/* Adds the Lambert-93 layer the grid lives in. */
static inline void fix_layer(commune_table *t)
{
    commune_layer l = {0};
    l.path = xstrdup("grid");
    l.name = xstrdup("grid");
    l.crs_name = xstrdup("RGF93 v1 / Lambert-93");
    l.crs_id = xstrdup("EPSG:2154");
    PJ *p = proj_create_crs_to_crs(PJ_DEFAULT_CTX, "EPSG:2154", "EPSG:4326", NULL);
    PJ *n = proj_normalize_for_visualization(PJ_DEFAULT_CTX, p);
    proj_destroy(p);
    l.to_wgs84 = n;
    ctab_add_layer(t, &l);
}

/* A table of w x h square communes: commune (i, j) has code 35000 + 1 + j * w + i,
 * department "35" for i < w / 2 and "22" otherwise (regions "53"), population
 * 100 * (code - 35000). Every commune has its square, area 1 km2. */
static inline void fix_grid(commune_table *t, GEOSContextHandle_t h, int w, int hgt)
{
    ctab_init(t, h);
    fix_layer(t);
    for (int j = 0; j < hgt; j++)
        for (int i = 0; i < w; i++) {
            char code[12];
            int k = 1 + j * w + i;
            snprintf(code, sizeof code, "%05d", 35000 + k);
            int c = ctab_add_commune(t, code);
            commune *cm = &t->communes[c];
            cm->name = xasprintf("Commune %d-%d", i, j);
            strcpy(cm->dep, i < w / 2 ? "35" : "22");
            strcpy(cm->reg, "53");
            cm->population = 100 * k;
            cm->geom = fix_square(h, i, j);
            cm->layer = 0;
            cm->parts = 1;
            cm->area_km2 = 1.0;
        }
}

/* Puts the communes of codes[] into CPTS id with the given status and date. */
static inline int fix_cpts(commune_table *t, const char *id, cpts_status st, int signed_on,
                           const char *const *codes, int n)
{
    int created = 0;
    int k = ctab_get_cpts(t, id, &created);
    t->cpts[k].name = xasprintf("CPTS %s", id);
    t->cpts[k].status = st;
    t->cpts[k].signed_on = signed_on;
    for (int i = 0; i < n; i++)
        ctab_add_member(t, k, ctab_find_commune(t, codes[i]));
    return k;
}

#endif
