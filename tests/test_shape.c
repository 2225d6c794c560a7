/* test_shape.c -- dissolving communes into territories, and taking them to WGS84.
 * On the grid fixture (1 km squares in Lambert-93 near Rennes), whose unions are known. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "geom/shape.h"
#include "geom/outline.h"

/* An axis-aligned rectangle in the grid's CRS, from grid cell (i0, j0) to (i1, j1) excluded. */
static GEOSGeometry *rect(GEOSContextHandle_t h, int i0, int j0, int i1, int j1)
{
    double x0 = FIX_X0 + i0 * FIX_SIZE, y0 = FIX_Y0 + j0 * FIX_SIZE;
    double x1 = FIX_X0 + i1 * FIX_SIZE, y1 = FIX_Y0 + j1 * FIX_SIZE;
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, 5, 2);
    double xs[5] = {x0, x1, x1, x0, x0};
    double ys[5] = {y0, y0, y1, y1, y0};
    for (unsigned k = 0; k < 5; k++)
        GEOSCoordSeq_setXY_r(h, s, k, xs[k], ys[k]);
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
}

static double area(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    double a = -1;
    assert_int_equal(GEOSArea_r(h, g, &a), 1);
    return a;
}

/* Distinct vertices of the exterior ring of polygon g, once normalised. */
static int shell_vertices(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    GEOSGeometry *n = GEOSGeom_clone_r(h, g);
    assert_int_equal(GEOSNormalize_r(h, n), 0);
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, n);
    int k = GEOSGeomGetNumPoints_r(h, ring) - 1; /* the closing point repeats the first */
    GEOSGeom_destroy_r(h, n);
    return k;
}

/* Every dissolve test runs twice: with the unions (state NULL) and traced from the arcs
 * (state "arcs"), which must give the same territories and the same fall-backs. */
static const char arcs_mode[] = "arcs";

static void dissolve(void **state, commune_table *t, const int *idx, int n, const char *what,
                     join_issues *ji, shape *s)
{
    if (*state != arcs_mode) {
        shape_dissolve_communes(t, t->geos, idx, n, what, ji, s);
        return;
    }
    topology *tp = topo_build(t, t->geos);
    assert_non_null(tp);
    topo_simplified *exact = topo_simplify(tp, t->geos, 0);
    assert_non_null(exact);
    shape_dissolve_arcs(t, t->geos, exact, idx, n, what, ji, s);
    if (s->traced && topo_simplified_checked(exact)) {
        /* Proved arcs: only traced, no geometry; what the writers trace is checked. */
        for (int l = 0; l < s->nlayers; l++)
            assert_null(s->by_layer[l]);
        int polygons = s->polygons;
        shape_free(t, s);
        assert_int_equal(topo_shape(exact, t->geos, idx, n, s), 0);
        s->traced = 1;
        int counted = 0;
        for (int l = 0; l < s->nlayers; l++)
            if (s->by_layer[l])
                counted += GEOSGetNumGeometries_r(t->geos, s->by_layer[l]);
        assert_int_equal(counted, polygons);
        assert_int_equal(shape_has_polygon(s), polygons > 0);
    }
    topo_simplified_free(exact);
    topo_free(tp);
}

static void test_grid_dissolves_to_square(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 3);
    int idx[9];
    for (int i = 0; i < 9; i++)
        idx[i] = i;
    join_issues ji;
    jis_init(&ji);
    shape s;
    dissolve(state, &t, idx, 9, "test grid", &ji, &s);
    assert_int_equal(ji.n, 0);
    assert_int_equal(s.nlayers, 1);
    const GEOSGeometry *g = s.by_layer[0];
    assert_non_null(g);
    assert_int_equal(GEOSGeomTypeId_r(h, g), GEOS_POLYGON);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, g), 0);
    assert_true(fabs(area(h, g) - 9e6) < 1e-3);
    assert_int_equal(GEOSisValid_r(h, g), 1);
    GEOSGeometry *sq = rect(h, 0, 0, 3, 3);
    assert_int_equal(GEOSEquals_r(h, g, sq), 1);
    GEOSGeom_destroy_r(h, sq);
    /* The outline only: 4 corners and at most the 8 grid points along the sides. */
    int nv = shell_vertices(h, g);
    assert_true(nv >= 4 && nv <= 12);
    /* The input polygons are untouched (the dissolve works on clones). */
    assert_true(fabs(area(h, t.communes[4].geom) - 1e6) < 1e-6);
    shape_free(&t, &s);
    assert_null(s.by_layer);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_ring_has_a_hole(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 3);
    int idx[8], n = 0;
    for (int i = 0; i < 9; i++)
        if (i != 4) /* the centre, (1, 1) */
            idx[n++] = i;
    join_issues ji;
    jis_init(&ji);
    shape s;
    dissolve(state, &t, idx, n, "ring", &ji, &s);
    assert_int_equal(ji.n, 0);
    const GEOSGeometry *g = s.by_layer[0];
    assert_non_null(g);
    assert_int_equal(GEOSGeomTypeId_r(h, g), GEOS_POLYGON);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, g), 1);
    assert_true(fabs(area(h, g) - 8e6) < 1e-3);
    GEOSGeometry *outer = rect(h, 0, 0, 3, 3), *hole = rect(h, 1, 1, 2, 2);
    GEOSGeometry *expected = GEOSDifference_r(h, outer, hole);
    assert_int_equal(GEOSEquals_r(h, g, expected), 1);
    GEOSGeom_destroy_r(h, expected);
    GEOSGeom_destroy_r(h, outer);
    GEOSGeom_destroy_r(h, hole);
    shape_free(&t, &s);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_overlap_falls_back(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 2, 1);
    /* The second square moved half a cell to the left: it overlaps the first by 0.5 km2. */
    commune *c = &t.communes[1];
    GEOSGeom_destroy_r(h, c->geom);
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, 5, 2);
    double x = FIX_X0 + 500, y = FIX_Y0;
    double xs[5] = {x, x + FIX_SIZE, x + FIX_SIZE, x, x};
    double ys[5] = {y, y, y + FIX_SIZE, y + FIX_SIZE, y};
    for (unsigned k = 0; k < 5; k++)
        GEOSCoordSeq_setXY_r(h, seq, k, xs[k], ys[k]);
    c->geom = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, seq), NULL, 0);
    int idx[2] = {0, 1};
    join_issues ji;
    jis_init(&ji);
    shape s;
    dissolve(state, &t, idx, 2, "department 35", &ji, &s);
    assert_int_equal(ji.n, 1);
    assert_string_equal(ji.items[0].kind, "not_a_coverage");
    assert_non_null(strstr(ji.items[0].message, "department 35"));
    const GEOSGeometry *g = s.by_layer[0];
    assert_non_null(g);
    assert_true(fabs(area(h, g) - 1.5e6) < 1e-3);
    GEOSGeometry *expected = GEOSUnion_r(h, t.communes[0].geom, t.communes[1].geom);
    assert_int_equal(GEOSEquals_r(h, g, expected), 1);
    GEOSGeom_destroy_r(h, expected);
    shape_free(&t, &s);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_unmatched_edges_fall_back(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 2, 1);
    /* The second square has an extra vertex in the middle of the edge it shares with the
     * first: no overlap, no gap, but the shared edges do not match segment for segment. */
    commune *c = &t.communes[1];
    GEOSGeom_destroy_r(h, c->geom);
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, 6, 2);
    double x = FIX_X0 + FIX_SIZE, y = FIX_Y0;
    double xs[6] = {x, x + FIX_SIZE, x + FIX_SIZE, x, x, x};
    double ys[6] = {y, y, y + FIX_SIZE, y + FIX_SIZE, y + FIX_SIZE / 2, y};
    for (unsigned k = 0; k < 6; k++)
        GEOSCoordSeq_setXY_r(h, seq, k, xs[k], ys[k]);
    c->geom = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, seq), NULL, 0);
    int idx[2] = {0, 1};
    join_issues ji;
    jis_init(&ji);
    shape s;
    dissolve(state, &t, idx, 2, "CPTS x", &ji, &s);
    assert_int_equal(ji.n, 1);
    assert_string_equal(ji.items[0].kind, "not_a_coverage");
    const GEOSGeometry *g = s.by_layer[0];
    assert_int_equal(GEOSGeomTypeId_r(h, g), GEOS_POLYGON);
    assert_int_equal(GEOSisValid_r(h, g), 1);
    assert_true(fabs(area(h, g) - 2e6) < 1e-3);
    GEOSGeometry *expected = rect(h, 0, 0, 2, 1);
    assert_int_equal(GEOSEquals_r(h, g, expected), 1);
    GEOSGeom_destroy_r(h, expected);
    shape_free(&t, &s);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_dissolve_departments(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 4, 3); /* "35" for columns 0-1, "22" for columns 2-3 */
    int d35[6], d22[6], n35 = 0, n22 = 0;
    for (int i = 0; i < t.ncommunes; i++) {
        if (strcmp(t.communes[i].dep, "35") == 0)
            d35[n35++] = i;
        else
            d22[n22++] = i;
    }
    assert_int_equal(n35, 6);
    assert_int_equal(n22, 6);
    join_issues ji;
    jis_init(&ji);
    shape deps[2], region;
    dissolve(state, &t, d35, n35, "department 35", &ji, &deps[0]);
    dissolve(state, &t, d22, n22, "department 22", &ji, &deps[1]);
    assert_true(fabs(area(h, deps[0].by_layer[0]) - 6e6) < 1e-3);
    int all[12];
    for (int i = 0; i < 12; i++)
        all[i] = i;
    dissolve(state, &t, all, 12, "region 53", &ji, &region);
    assert_int_equal(ji.n, 0);
    const GEOSGeometry *g = region.by_layer[0];
    assert_non_null(g);
    assert_int_equal(GEOSGeomTypeId_r(h, g), GEOS_POLYGON);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, g), 0);
    assert_true(fabs(area(h, g) - 12e6) < 1e-3);
    GEOSGeometry *expected = rect(h, 0, 0, 4, 3);
    assert_int_equal(GEOSEquals_r(h, g, expected), 1);
    GEOSGeom_destroy_r(h, expected);
    /* No commune is an empty shape. */
    shape none;
    dissolve(state, &t, all, 0, "none", &ji, &none);
    assert_null(none.by_layer[0]);
    assert_null(shape_to_wgs84(&t, t.geos, NULL, &none));
    assert_int_equal(ji.n, 0);
    shape_free(&t, &none);
    shape_free(&t, &region);
    shape_free(&t, &deps[0]);
    shape_free(&t, &deps[1]);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_to_wgs84(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 3);
    int idx[9];
    for (int i = 0; i < 9; i++)
        idx[i] = i;
    shape s;
    dissolve(state, &t, idx, 9, "grid", NULL, &s);
    GEOSGeometry *w = shape_to_wgs84(&t, t.geos, NULL, &s);
    assert_non_null(w);
    assert_int_equal(GEOSGeomTypeId_r(h, w), GEOS_POLYGON);
    assert_int_equal(GEOSisValid_r(h, w), 1);
    double xmin, ymin, xmax, ymax;
    assert_int_equal(GEOSGeom_getXMin_r(h, w, &xmin), 1);
    assert_int_equal(GEOSGeom_getYMin_r(h, w, &ymin), 1);
    assert_int_equal(GEOSGeom_getXMax_r(h, w, &xmax), 1);
    assert_int_equal(GEOSGeom_getYMax_r(h, w, &ymax), 1);
    /* Lambert-93 (350000, 6790000) is about lon -1.69, lat 48.14: longitude first. */
    assert_true(fabs(xmin - -1.7) < 0.5);
    assert_true(fabs(ymin - 48.1) < 0.5);
    assert_true(xmax > xmin && xmax - xmin < 0.1);
    assert_true(ymax > ymin && ymax - ymin < 0.1);
    /* Corners as PROJ's cs2cs gives them (EPSG:2154 -> EPSG:4326): (350000, 6790000) and
     * (353000, 6790000) are vertices of the outline, to a micro-degree. */
    const double corners[2][2] = {{-1.706096, 48.116474}, {-1.665852, 48.118075}};
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(h, w);
    for (int i = 0; i < 2; i++) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, corners[i][0], corners[i][1]);
        int near = 0;
        for (int k = 0; k < GEOSGeomGetNumPoints_r(h, shell); k++) {
            GEOSGeometry *v = GEOSGeomGetPointN_r(h, shell, k);
            double d = 1;
            GEOSDistance_r(h, v, pt, &d);
            near |= d < 2e-6;
            GEOSGeom_destroy_r(h, v);
        }
        assert_true(near);
        GEOSGeom_destroy_r(h, pt);
    }
    GEOSGeom_destroy_r(h, w);
    shape_free(&t, &s);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_multi_layer_to_wgs84(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 1);
    fix_layer(&t); /* a second Lambert-93 layer, as if from another file */
    assert_int_equal(t.nlayers, 2);
    t.communes[2].layer = 1; /* the third square comes from the second layer */
    int idx[3] = {0, 1, 2};
    join_issues ji;
    jis_init(&ji);
    shape s;
    dissolve(state, &t, idx, 3, "two layers", &ji, &s);
    assert_int_equal(ji.n, 0);
    assert_int_equal(s.nlayers, 2);
    assert_non_null(s.by_layer[0]);
    assert_non_null(s.by_layer[1]);
    assert_true(fabs(area(h, s.by_layer[0]) - 2e6) < 1e-3);
    assert_true(fabs(area(h, s.by_layer[1]) - 1e6) < 1e-3);
    GEOSGeometry *w = shape_to_wgs84(&t, t.geos, NULL, &s);
    assert_non_null(w);
    assert_int_equal(GEOSGeomTypeId_r(h, w), GEOS_MULTIPOLYGON);
    assert_int_equal(GEOSGetNumGeometries_r(h, w), 2);
    for (int i = 0; i < 2; i++) {
        double x, y;
        GEOSGeom_getXMin_r(h, GEOSGetGeometryN_r(h, w, i), &x);
        GEOSGeom_getYMin_r(h, GEOSGetGeometryN_r(h, w, i), &y);
        assert_true(fabs(x - -1.7) < 0.5);
        assert_true(fabs(y - 48.1) < 0.5);
    }
    GEOSGeom_destroy_r(h, w);
    shape_free(&t, &s);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_communes_without_polygon(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 2, 1);
    commune *c = &t.communes[1];
    GEOSGeom_destroy_r(h, c->geom);
    c->geom = NULL;
    c->layer = -1;
    int idx[2] = {0, 1};
    shape s;
    dissolve(state, &t, idx, 2, "half", NULL, &s);
    assert_true(fabs(area(h, s.by_layer[0]) - 1e6) < 1e-3);
    shape_free(&t, &s);
    /* Only communes without polygon: an empty shape, no WGS84 geometry. */
    dissolve(state, &t, idx + 1, 1, "none", NULL, &s);
    assert_null(s.by_layer[0]);
    assert_null(shape_to_wgs84(&t, t.geos, NULL, &s));
    shape_free(&t, &s);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* The test once more, its dissolves traced from the arcs. */
#define WITH_ARCS(f) {#f " (arcs)", f, NULL, NULL, (void *)arcs_mode}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_dissolves_to_square),
        WITH_ARCS(test_grid_dissolves_to_square),
        cmocka_unit_test(test_ring_has_a_hole),
        WITH_ARCS(test_ring_has_a_hole),
        cmocka_unit_test(test_overlap_falls_back),
        WITH_ARCS(test_overlap_falls_back),
        cmocka_unit_test(test_unmatched_edges_fall_back),
        WITH_ARCS(test_unmatched_edges_fall_back),
        cmocka_unit_test(test_dissolve_departments),
        WITH_ARCS(test_dissolve_departments),
        cmocka_unit_test(test_to_wgs84),
        WITH_ARCS(test_to_wgs84),
        cmocka_unit_test(test_multi_layer_to_wgs84),
        WITH_ARCS(test_multi_layer_to_wgs84),
        cmocka_unit_test(test_communes_without_polygon),
        WITH_ARCS(test_communes_without_polygon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
