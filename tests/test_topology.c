/* test_topology.c -- the arcs of the commune polygons (geom/: arcs, simplify, clash, outline):
 * counted by hand on small coverages, rebuilt exactly at tolerance 0, simplified without gap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/diag.h"
#include "fixtures.h"
#include "util/pool.h"
#include "read/readers.h"
#include "geom/shape.h"
#include "geom/outline.h"

/* ---- building coverages ----------------------------------------------------------------- */

static GEOSGeometry *wkt(GEOSContextHandle_t h, const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, text);
    GEOSWKTReader_destroy_r(h, r);
    assert_non_null(g);
    return g;
}

/* A table with the fixtures' Lambert-93 layer and no commune. */
static void empty_table(commune_table *t, GEOSContextHandle_t h)
{
    ctab_init(t, h);
    fix_layer(t);
}

/* Adds commune code with geometry g (owned) in layer 0. */
static int add_commune(commune_table *t, const char *code, GEOSGeometry *g)
{
    int c = ctab_add_commune(t, code);
    commune *cm = &t->communes[c];
    cm->name = xstrdup(code);
    strcpy(cm->dep, "35");
    strcpy(cm->reg, "53");
    cm->geom = g;
    cm->layer = 0;
    cm->parts = 1;
    return c;
}

static void add_wkt(commune_table *t, const char *code, const char *text)
{
    add_commune(t, code, wkt(t->geos, text));
}

/* A point of a wiggly grid line from grid point (i0, j0) to (i1, j1) (neighbours): k of n,
 * pushed sideways by a deterministic wiggle of up to amp metres. The same whichever way the
 * line is walked, so that neighbours share it exactly. */
static void wiggle_point(int i0, int j0, int i1, int j1, int k, int n, double amp, double *x,
                         double *y)
{
    int swap = i1 < i0 || (i1 == i0 && j1 < j0);
    if (swap) {
        int ti = i0, tj = j0;
        i0 = i1;
        j0 = j1;
        i1 = ti;
        j1 = tj;
        k = n - k;
    }
    double f = (double)k / n;
    double ax = FIX_X0 + i0 * FIX_SIZE, ay = FIX_Y0 + j0 * FIX_SIZE;
    double bx = FIX_X0 + i1 * FIX_SIZE, by = FIX_Y0 + j1 * FIX_SIZE;
    double w = k == 0 || k == n ? 0 : amp * sin(k * 1.7 + i0 * 3.1 + j0 * 5.3 + i1 * 0.7);
    *x = ax + f * (bx - ax) + (i0 == i1 ? w : 0);
    *y = ay + f * (by - ay) + (j0 == j1 ? w : 0);
}

/* The square (i, j) of a grid whose lines are wiggly, n points a side. */
static GEOSGeometry *wiggly_square(GEOSContextHandle_t h, int i, int j, int n, double amp)
{
    int ci[5] = {i, i + 1, i + 1, i, i}, cj[5] = {j, j, j + 1, j + 1, j};
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, (unsigned)(4 * n + 1), 2);
    unsigned m = 0;
    for (int side = 0; side < 4; side++)
        for (int k = 0; k < n; k++) {
            double x, y;
            wiggle_point(ci[side], cj[side], ci[side + 1], cj[side + 1], k, n, amp, &x, &y);
            GEOSCoordSeq_setXY_r(h, s, m++, x, y);
        }
    double x0, y0;
    GEOSCoordSeq_getXY_r(h, s, 0, &x0, &y0);
    GEOSCoordSeq_setXY_r(h, s, m, x0, y0);
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
}

static void wiggly_grid(commune_table *t, GEOSContextHandle_t h, int w, int hgt, int n,
                        double amp)
{
    empty_table(t, h);
    for (int j = 0; j < hgt; j++)
        for (int i = 0; i < w; i++) {
            char code[12];
            snprintf(code, sizeof code, "%05d", 35001 + j * w + i);
            add_commune(t, code, wiggly_square(h, i, j, n, amp));
        }
}

/* ---- checks ----------------------------------------------------------------------------- */

/* A copy of commune c's polygon, to destroy. */
static GEOSGeometry *polygon_copy(GEOSContextHandle_t h, const commune *c)
{
    GEOSGeometry *made;
    const GEOSGeometry *g = ctab_polygon(c, h, &made);
    return made ? made : GEOSGeom_clone_r(h, g);
}

static GEOSGeometry *coverage_union(GEOSContextHandle_t h, const commune_table *t, const int *idx,
                                    int n)
{
    GEOSGeometry **g = xmalloc((size_t)n * sizeof *g);
    for (int i = 0; i < n; i++)
        g[i] = polygon_copy(h, &t->communes[idx[i]]);
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, g, (unsigned)n);
    free(g);
    GEOSGeometry *u = GEOSCoverageUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    assert_non_null(u);
    return u;
}

/* Group idx rebuilt at tolerance 0 equals the coverage union of its members. */
static void check_exact(GEOSContextHandle_t h, const commune_table *t, const topo_simplified *ts,
                        const int *idx, int n)
{
    shape s;
    topo_shape(ts, h, idx, n, &s);
    GEOSGeometry *u = coverage_union(h, t, idx, n);
    assert_non_null(s.by_layer[0]);
    assert_int_equal(GEOSisValid_r(h, s.by_layer[0]), 1);
    assert_int_equal(GEOSEquals_r(h, s.by_layer[0], u), 1);
    GEOSNormalize_r(h, s.by_layer[0]);
    GEOSNormalize_r(h, u);
    assert_int_equal(GEOSEqualsExact_r(h, s.by_layer[0], u, 0), 1);
    GEOSGeom_destroy_r(h, u);
    shape_free(t, &s);
}

/* Every single commune, every pair, and the whole table rebuilt exactly at tolerance 0. */
static void check_all_exact(GEOSContextHandle_t h, const commune_table *t, const topology *tp)
{
    topo_simplified *ts = topo_simplify(tp, h, 0);
    assert_non_null(ts);
    assert_int_equal(topo_simplified_vertex_count(ts), topo_vertex_count(tp));
    int all[64];
    for (int i = 0; i < t->ncommunes; i++) {
        all[i] = i;
        check_exact(h, t, ts, &i, 1);
        for (int j = i + 1; j < t->ncommunes; j++) {
            int pair[2] = {i, j};
            check_exact(h, t, ts, pair, 2);
        }
    }
    check_exact(h, t, ts, all, t->ncommunes);
    topo_simplified_free(ts);
}

static double area_of(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    double a = 0;
    assert_int_equal(GEOSArea_r(h, g, &a), 1);
    return a;
}

/* Simplified communes: valid, none vanished, no gap and no overlap between them, and their
 * union within tol of the original outline. Returns the simplified vertex count. */
static size_t check_simplified(GEOSContextHandle_t h, const commune_table *t, const topology *tp,
                               double tol)
{
    topo_simplified *ts = topo_simplify(tp, h, tol);
    assert_non_null(ts);
    int n = t->ncommunes;
    GEOSGeometry **g = xmalloc((size_t)n * sizeof *g);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        shape s;
        topo_shape(ts, h, &i, 1, &s);
        g[i] = s.by_layer[0];
        s.by_layer[0] = NULL;
        shape_free(t, &s);
        assert_non_null(g[i]);
        assert_int_equal(GEOSisValid_r(h, g[i]), 1);
        double a = area_of(h, g[i]);
        assert_true(a > 0);
        sum += a;
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            GEOSGeometry *x = GEOSIntersection_r(h, g[i], g[j]);
            assert_non_null(x);
            assert_true(area_of(h, x) <= 1e-9 * sum);
            GEOSGeom_destroy_r(h, x);
        }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, g, (unsigned)n);
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    assert_non_null(u);
    assert_true(fabs(area_of(h, u) - sum) <= 1e-9 * sum); /* no overlap */
    /* The whole group rebuilt equals the union of its simplified members: no gap. */
    int *all = xmalloc((size_t)n * sizeof *all);
    for (int i = 0; i < n; i++)
        all[i] = i;
    shape whole;
    topo_shape(ts, h, all, n, &whole);
    assert_int_equal(GEOSisValid_r(h, whole.by_layer[0]), 1);
    GEOSGeometry *d = GEOSSymDifference_r(h, whole.by_layer[0], u);
    assert_true(area_of(h, d) <= 1e-9 * sum);
    GEOSGeom_destroy_r(h, d);
    /* Within tol of the original outline. */
    GEOSGeometry *orig = coverage_union(h, t, all, n);
    double hd = 0;
    assert_int_equal(GEOSHausdorffDistance_r(h, orig, whole.by_layer[0], &hd), 1);
    assert_true(hd <= tol + 1e-6);
    GEOSGeom_destroy_r(h, orig);
    shape_free(t, &whole);
    GEOSGeom_destroy_r(h, u);
    GEOSGeom_destroy_r(h, coll);
    free(all);
    free(g);
    size_t nv = topo_simplified_vertex_count(ts);
    topo_simplified_free(ts);
    return nv;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_grid_arcs(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 3);
    topology *tp = topo_build(&t, h);
    assert_non_null(tp);
    /* 12 inner edges, each between two nodes; the outline cut at its 8 nodes (its corners
     * are no nodes: the faces do not change there). */
    assert_int_equal(topo_arc_count(tp), 20);
    assert_int_equal(topo_vertex_count(tp), 36);
    check_all_exact(h, &t, tp);
    topo_simplified *exact = topo_simplify(tp, h, 0);
    assert_int_equal(topo_simplified_checked(exact), 1); /* a clean coverage: proved */
    topo_simplified_free(exact);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Sixteen wedges around one point, each ring starting there: the centre is the lower end of
 * sixteen edges, more than a vertex's list holds (EDGE_LIST), so that the others go to the
 * table beside it; the arcs are the same. */
static void test_wedges_around_a_point(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    empty_table(&t, h);
    enum { N = 16 };
    double x[N], y[N], cx = 500000, cy = 6700000;
    for (int i = 0; i < N; i++) {
        x[i] = cx + 1000 * cos(2 * M_PI * i / N);
        y[i] = cy + 1000 * sin(2 * M_PI * i / N);
    }
    for (int i = 0; i < N; i++) {
        char code[8], text[256];
        snprintf(code, sizeof code, "35%03d", i);
        int j = (i + 1) % N;
        snprintf(text, sizeof text, "POLYGON((%.17g %.17g,%.17g %.17g,%.17g %.17g,%.17g %.17g))",
                 cx, cy, x[i], y[i], x[j], y[j], cx, cy);
        add_wkt(&t, code, text);
    }
    topology *tp = topo_build(&t, h);
    assert_non_null(tp);
    /* 16 spokes between two wedges, 16 outer edges. */
    assert_int_equal(topo_arc_count(tp), 2 * N);
    assert_int_equal(topo_vertex_count(tp), 3 * N);
    for (int a = 0; a < topo_arc_count(tp); a++) {
        int left, right;
        topo_arc_faces(tp, a, &left, &right);
        assert_true(right < 0 || (right - left + N) % N == 1 || (left - right + N) % N == 1);
    }
    check_all_exact(h, &t, tp);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_l_shapes(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    empty_table(&t, h);
    /* An L of three squares and the square that fills its corner; then an L around both. */
    add_wkt(&t, "35001", "POLYGON((0 0,2000 0,2000 1000,1000 1000,1000 2000,0 2000,0 0))");
    add_wkt(&t, "35002", "POLYGON((1000 1000,2000 1000,2000 2000,1000 2000,1000 1000))");
    topology *tp = topo_build(&t, h);
    /* The shared corner (two edges, one arc), and the rest of each outline. */
    assert_int_equal(topo_arc_count(tp), 3);
    check_all_exact(h, &t, tp);
    topo_free(tp);
    add_wkt(&t, "35003", "POLYGON((2000 0,3000 0,3000 3000,0 3000,0 2000,1000 2000,2000 2000,"
                         "2000 1000,2000 0))");
    tp = topo_build(&t, h);
    /* Nodes (2000 0), (2000 1000), (1000 2000), (0 2000); arcs: 35001|35002, 35002|35003,
     * 35001|35003 twice (either side of 35002), 35001|outside, 35003|outside. */
    assert_int_equal(topo_arc_count(tp), 6);
    check_all_exact(h, &t, tp);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_enclave_and_hole(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    empty_table(&t, h);
    add_wkt(&t, "35001", "POLYGON((0 0,3000 0,3000 3000,0 3000,0 0),"
                         "(1000 1000,1000 2000,2000 2000,2000 1000,1000 1000))");
    add_wkt(&t, "35002", "POLYGON((1000 1000,2000 1000,2000 2000,1000 2000,1000 1000))");
    /* A lake in the enclave: a hole that nobody fills. */
    add_wkt(&t, "35003", "POLYGON((4000 0,6000 0,6000 2000,4000 2000,4000 0),"
                         "(4500 500,4500 1500,5500 1500,5500 500,4500 500))");
    topology *tp = topo_build(&t, h);
    /* No node anywhere: each ring one closed arc, the enclave's shared with the hole. */
    assert_int_equal(topo_arc_count(tp), 4);
    check_all_exact(h, &t, tp);
    /* The enclave and its commune rebuild without the hole. */
    topo_simplified *ts = topo_simplify(tp, h, 0);
    int both[2] = {0, 1};
    shape s;
    topo_shape(ts, h, both, 2, &s);
    assert_int_equal(GEOSGeomTypeId_r(h, s.by_layer[0]), GEOS_POLYGON);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, s.by_layer[0]), 0);
    shape_free(&t, &s);
    int one = 0;
    topo_shape(ts, h, &one, 1, &s);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, s.by_layer[0]), 1);
    shape_free(&t, &s);
    topo_simplified_free(ts);
    /* Simplified hard, the enclave and the lake keep an area. */
    check_simplified(h, &t, tp, 5000);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_two_parts_and_vertex_touch(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    empty_table(&t, h);
    /* A commune of two parts, one touching its neighbour's corner at a single vertex. */
    add_wkt(&t, "35001", "MULTIPOLYGON(((0 0,1000 0,1000 1000,0 1000,0 0)),"
                         "((3000 0,4000 0,4000 1000,3000 1000,3000 0)))");
    add_wkt(&t, "35002", "POLYGON((1000 1000,2000 1000,2000 2000,1000 2000,1000 1000))");
    topology *tp = topo_build(&t, h);
    /* (1000 1000) is a node: the two rings touching there are cut there; the far part has
     * none of its own and gets one. Three closed arcs. */
    assert_int_equal(topo_arc_count(tp), 3);
    check_all_exact(h, &t, tp);
    /* Both together: two polygons touching at one point, a valid MultiPolygon. */
    topo_simplified *ts = topo_simplify(tp, h, 0);
    int both[2] = {0, 1};
    shape s;
    topo_shape(ts, h, both, 2, &s);
    assert_int_equal(GEOSGeomTypeId_r(h, s.by_layer[0]), GEOS_MULTIPOLYGON);
    assert_int_equal(GEOSGetNumGeometries_r(h, s.by_layer[0]), 3);
    shape_free(&t, &s);
    topo_simplified_free(ts);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_touch_on_a_border(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    empty_table(&t, h);
    /* 35003 touches the border of 35001 and 35002 at one vertex, (1000 0), where the faces
     * along 35003's outline do not change: a node all the same. */
    add_wkt(&t, "35001", "POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))");
    add_wkt(&t, "35002", "POLYGON((1000 0,2000 0,2000 1000,1000 1000,1000 0))");
    add_wkt(&t, "35003", "POLYGON((500 -1000,1500 -1000,1000 0,500 -1000))");
    topology *tp = topo_build(&t, h);
    /* Nodes (1000 0) and (1000 1000): 35001|35002, 35001|out, 35002|out, 35003 closed. */
    assert_int_equal(topo_arc_count(tp), 4);
    check_all_exact(h, &t, tp);
    /* A pocket nobody covers, closed by 35001 and 35003: for the pair, a hole that touches
     * its shell at one point, (1000 1000). */
    topo_free(tp);
    ctab_free(&t);
    empty_table(&t, h);
    add_wkt(&t, "35001", "POLYGON((0 0,3000 0,3000 1000,2000 1000,1500 1000,1500 500,1000 500,"
                         "1000 1000,0 1000,0 0))");
    add_wkt(&t, "35002", "POLYGON((0 1000,1000 1000,1500 1500,2000 1000,3000 1000,3000 2000,"
                         "0 2000,0 1000))");
    add_wkt(&t, "35003", "POLYGON((1000 1000,1500 1000,2000 1000,1500 1500,1000 1000))");
    tp = topo_build(&t, h);
    check_all_exact(h, &t, tp);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* A change of coordinates for the tests: an affine map, its calls counted per thread. */
static void affine_change(void *arg, int layer, double *xy, size_t n)
{
    (void)layer;
    size_t *calls = arg;
    *calls += n;
    for (size_t i = 0; i < n; i++) {
        xy[2 * i] = 2 * xy[2 * i] + 1;
        xy[2 * i + 1] = 3 * xy[2 * i + 1] - 7;
    }
}

/* The arcs' points changed beside the build (several chunks of vertices, on two threads)
 * are those topo_points_map gives after it, point for point, each vertex changed once. */
static void test_points_beside_build(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t, t2;
    wiggly_grid(&t, h, 20, 20, 40, 10);
    wiggly_grid(&t2, h, 20, 20, 40, 10);
    topology *tp = topo_build(&t, h);
    topo_simplified *ts = topo_simplify(tp, h, 0);
    size_t n = topo_point_places(ts), calls_after = 0;
    double *after = xmalloc(2 * (n + 1) * sizeof *after);
    topo_points_map(ts, 0, 1, after, affine_change, &calls_after);
    size_t calls[2] = {0, 0};
    topo_points_change change = {affine_change, {&calls[0], &calls[1]}, NULL};
    topology *tp2 = topo_build_taking(&t2, h, &change, 0);
    assert_non_null(tp2);
    assert_non_null(change.out);
    topo_simplified *ts2 = topo_simplify(tp2, h, 0);
    assert_int_equal(topo_point_places(ts2), n);
    assert_memory_equal(change.out, after, 2 * n * sizeof *after);
    /* Each distinct vertex once: fewer than the arcs' points (their nodes are shared). */
    print_message("%zu points of the arcs, %zu vertices changed beside the build (%zu + %zu)\n",
                  n, calls[0] + calls[1], calls[0], calls[1]);
    assert_true(calls[0] + calls[1] < n);
    assert_true(calls[0] + calls[1] > n / 2);
    free(change.out);
    free(after);
    topo_simplified_free(ts2);
    topo_simplified_free(ts);
    topo_free(tp2);
    topo_free(tp);
    ctab_free(&t2);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* The two departments of the wiggly grid (two columns each) traced from ts: each, and both
 * together, valid as traced (nothing repaired), without overlap or gap. */
static void check_grid_departments(GEOSContextHandle_t h, commune_table *t,
                                   const topo_simplified *ts)
{
    int d35[6], d22[6], n35 = 0, n22 = 0, every[12];
    for (int c = 0; c < 12; c++) {
        if (c % 4 < 2)
            d35[n35++] = c;
        else
            d22[n22++] = c;
        every[c] = c;
    }
    shape a, b, all;
    assert_int_equal(topo_shape(ts, h, d35, n35, &a), 0);
    assert_int_equal(topo_shape(ts, h, d22, n22, &b), 0);
    assert_int_equal(topo_shape(ts, h, every, 12, &all), 0);
    assert_int_equal(GEOSisValid_r(h, a.by_layer[0]), 1);
    assert_int_equal(GEOSisValid_r(h, b.by_layer[0]), 1);
    assert_int_equal(GEOSisValid_r(h, all.by_layer[0]), 1);
    GEOSGeometry *x = GEOSIntersection_r(h, a.by_layer[0], b.by_layer[0]);
    assert_true(area_of(h, x) < 1e-6);
    GEOSGeom_destroy_r(h, x);
    double sum = area_of(h, a.by_layer[0]) + area_of(h, b.by_layer[0]);
    assert_true(fabs(sum - area_of(h, all.by_layer[0])) < 1e-6 * sum);
    shape_free(t, &a);
    shape_free(t, &b);
    shape_free(t, &all);
}

static void test_wiggly_grid_simplified(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    wiggly_grid(&t, h, 4, 3, 40, 10);
    topology *tp = topo_build(&t, h);
    /* 9 + 8 inner borders, the outline cut at its 10 nodes. */
    assert_int_equal(topo_arc_count(tp), 17 + 10);
    check_all_exact(h, &t, tp);
    size_t before = topo_vertex_count(tp);
    size_t at10 = check_simplified(h, &t, tp, 3);
    size_t at100 = check_simplified(h, &t, tp, 100);
    size_t at5000 = check_simplified(h, &t, tp, 5000);
    print_message("wiggly grid: %zu vertices, %zu at 3 m, %zu at 100 m, %zu at 5000 m\n",
                  before, at10, at100, at5000);
    assert_true(at10 < before);
    assert_true(at100 < at10);
    assert_true(at5000 <= at100);
    /* Departments (two columns each) at 100 m: no gap, no overlap. */
    topo_simplified *ts = topo_simplify(tp, h, 100);
    check_grid_departments(h, &t, ts);
    topo_simplified_free(ts);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* The arcs between two departments of columns alone (topo_simplify_classes), at every
 * tolerance up to one that flattens whole rows: each department and both together valid,
 * without overlap, from fewer points than all the arcs; a department's inner arcs left out. */
static void test_classes(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    wiggly_grid(&t, h, 4, 3, 40, 10);
    topology *tp = topo_build(&t, h);
    int cls[12];
    for (int c = 0; c < 12; c++)
        cls[c] = c % 4 < 2 ? 35 : 22;
    const double tols[] = {3, 100, 5000, 50000};
    for (int i = 0; i < 4; i++) {
        topo_simplified *all = topo_simplify(tp, h, tols[i]);
        topo_simplified *ts = topo_simplify_classes(tp, h, tols[i], cls);
        assert_non_null(ts);
        assert_true(topo_simplified_checked(ts));
        assert_true(topo_simplified_vertex_count(ts) < topo_simplified_vertex_count(all));
        check_grid_departments(h, &t, ts);
        print_message("classes at %.0f m: %zu vertices (all arcs: %zu)\n", tols[i],
                      topo_simplified_vertex_count(ts), topo_simplified_vertex_count(all));
        topo_simplified_free(ts);
        topo_simplified_free(all);
    }
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_sliver_never_vanishes(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    empty_table(&t, h);
    /* A thin commune between two large ones, and a tiny one in a corner: at 2 km, a naive
     * simplification would flatten both. */
    add_wkt(&t, "35001", "POLYGON((0 0,5000 0,5000 10,5000 2000,2600 2000,2500 2030,2400 2000,"
                         "0 2000,0 0))");
    add_wkt(&t, "35002", "POLYGON((0 2000,2400 2000,2500 2030,2600 2000,5000 2000,5000 2010,"
                         "2500 2050,0 2010,0 2000))");
    add_wkt(&t, "35003", "POLYGON((0 2010,2500 2050,5000 2010,5000 4000,0 4000,0 2010))");
    add_wkt(&t, "35004", "POLYGON((5000 0,5010 0,5010 10,5000 10,5000 0))");
    topology *tp = topo_build(&t, h);
    check_all_exact(h, &t, tp);
    check_simplified(h, &t, tp, 2000);
    check_simplified(h, &t, tp, 100000);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Communes in longitude/latitude: the tolerance in metres is taken to degrees. The wiggles
 * of the borders are 0.0002 degree (about 15 m east-west and 22 m north-south at 48 N). */
static void test_geographic_layer(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    wiggly_grid(&t, h, 3, 3, 20, 10);
    t.layers[0].geographic = 1;
    /* The grid to degrees around (-1.7, 48.1): 1 km squares become 0.01 degree ones. */
    for (int c = 0; c < t.ncommunes; c++) {
        GEOSGeometry *g = t.communes[c].geom;
        const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, g);
        GEOSCoordSequence *s = GEOSCoordSeq_clone_r(h, GEOSGeom_getCoordSeq_r(h, ring));
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, s, &n);
        for (unsigned k = 0; k < n; k++) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, s, k, &x, &y);
            GEOSCoordSeq_setXY_r(h, s, k, -1.7 + (x - FIX_X0) / 1e5, 48.1 + (y - FIX_Y0) / 1e5);
        }
        GEOSGeom_destroy_r(h, g);
        t.communes[c].geom =
            GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
    }
    topology *tp = topo_build(&t, h);
    check_all_exact(h, &t, tp);
    size_t before = topo_vertex_count(tp);
    /* 5 m keeps most wiggles (up to 15 m and 22 m), 50 m removes them all. */
    topo_simplified *ts = topo_simplify(tp, h, 5);
    size_t at5 = topo_simplified_vertex_count(ts);
    topo_simplified_free(ts);
    ts = topo_simplify(tp, h, 50);
    size_t at50 = topo_simplified_vertex_count(ts);
    topo_simplified_free(ts);
    print_message("geographic grid: %zu vertices, %zu at 5 m, %zu at 50 m\n", before, at5,
                  at50);
    assert_true(at5 < before && at5 > before / 2);
    assert_int_equal(at50, 9 * 4);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Polygons that are not a clean coverage (an overlap, a border with a vertex on one side
 * only): no crash, every commune rebuilt exact at tolerance 0 and valid when simplified. */
static void test_not_a_coverage(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    empty_table(&t, h);
    add_wkt(&t, "35001", "POLYGON((0 0,2000 0,2000 1000,0 1000,0 0))");
    add_wkt(&t, "35002", "POLYGON((0 1000,1000 1000,1000 2000,0 2000,0 1000))");
    add_wkt(&t, "35003", "POLYGON((1000 1000,2000 1000,2000 2000,1000 2000,1000 1000))");
    add_wkt(&t, "35004", "POLYGON((1500 1500,2500 1500,2500 2500,1500 2500,1500 1500))");
    topology *tp = topo_build(&t, h);
    assert_non_null(tp);
    topo_simplified *ts = topo_simplify(tp, h, 0);
    assert_int_equal(topo_simplified_checked(ts), 0); /* 35003 and 35004 overlap */
    for (int c = 0; c < t.ncommunes; c++) {
        shape s;
        topo_shape(ts, h, &c, 1, &s);
        assert_int_equal(GEOSEquals_r(h, s.by_layer[0], t.communes[c].geom), 1);
        shape_free(&t, &s);
    }
    topo_simplified_free(ts);
    ts = topo_simplify(tp, h, 5000);
    assert_int_equal(topo_simplified_checked(ts), 0); /* their arcs still cross exact */
    int all[4] = {0, 1, 2, 3};
    for (int c = 0; c <= 4; c++) {
        shape s;
        topo_shape(ts, h, c < 4 ? &all[c] : all, c < 4 ? 1 : 4, &s);
        assert_non_null(s.by_layer[0]);
        assert_int_equal(GEOSisValid_r(h, s.by_layer[0]), 1);
        assert_true(area_of(h, s.by_layer[0]) > 0);
        shape_free(&t, &s);
    }
    topo_simplified_free(ts);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* topo_shape from several threads at once gives what it gives on one. */
typedef struct shape_batch {
    const topo_simplified *ts;
    const commune_table *t;
    GEOSGeometry **out;   /* task i: commune i alone, or (i >= ncommunes) a block of rows */
} shape_batch;

static void shape_task(void *arg, int i, GEOSContextHandle_t h)
{
    shape_batch *b = arg;
    int n = b->t->ncommunes, row[8], k = 0;
    shape s;
    if (i < n) {
        topo_shape(b->ts, h, &i, 1, &s);
    } else {
        for (int c = 0; c < n; c++)
            if (c / 4 <= i - n) /* rows 0 .. i - n of the 4-wide grid */
                row[k++] = c;
        topo_shape(b->ts, h, row, k, &s);
    }
    b->out[i] = s.by_layer[0];
    s.by_layer[0] = NULL;
    shape_free(b->t, &s);
}

static void test_shapes_on_threads(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    wiggly_grid(&t, h, 4, 2, 30, 10);
    topology *tp = topo_build(&t, h);
    topo_simplified *ts = topo_simplify(tp, h, 4);
    int ntasks = t.ncommunes + 2;
    GEOSGeometry *seq[16], *par[16];
    shape_batch one = {ts, &t, seq}, many = {ts, &t, par};
    for (int i = 0; i < ntasks; i++)
        shape_task(&one, i, h);
    for (int round = 0; round < 20; round++) {
        pool_run(4, ntasks, shape_task, &many);
        for (int i = 0; i < ntasks; i++) {
            assert_non_null(par[i]);
            assert_int_equal(GEOSEqualsExact_r(h, seq[i], par[i], 0), 1);
            GEOSGeom_destroy_r(h, par[i]);
        }
    }
    for (int i = 0; i < ntasks; i++)
        GEOSGeom_destroy_r(h, seq[i]);
    topo_simplified_free(ts);
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

static void test_bad_tolerance(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 2, 2);
    topology *tp = topo_build(&t, h);
    assert_null(topo_simplify(tp, h, -1));
    assert_null(topo_simplify(tp, h, NAN));
    assert_non_null(diag_message());
    diag_clear();
    topo_free(tp);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* ---- the national communes -------------------------------------------------------------- */

static double seconds_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static int count_holes(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    if (!g)
        return 0;
    if (GEOSGeomTypeId_r(h, g) == GEOS_POLYGON)
        return GEOSGetNumInteriorRings_r(h, g);
    int n = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
        n += count_holes(h, GEOSGetGeometryN_r(h, g, i));
    return n;
}

/* At tolerance 0 every department rebuilds exactly as the coverage union of its communes. */
static void check_national_exact(GEOSContextHandle_t h, const commune_table *t,
                                 const topology *tp)
{
    topo_simplified *ts = topo_simplify(tp, h, 0);
    /* ADMIN EXPRESS, its one invalid polygon repaired, is a clean coverage: no two exact arcs
     * cross, so the dissolves trust what they trace (and the departments below, traced
     * without GEOSisValid_r, equal their GEOS coverage unions). */
    assert_int_equal(topo_simplified_checked(ts), 1);
    strmap deps;
    smap_init(&deps);
    int *members = xmalloc((size_t)t->ncommunes * sizeof *members);
    int checked = 0;
    for (int c = 0; c < t->ncommunes; c++) {
        if (!ctab_has_polygon(&t->communes[c]) || smap_get(&deps, t->communes[c].dep) >= 0)
            continue;
        smap_put(&deps, t->communes[c].dep, 1);
        int n = 0;
        for (int k = c; k < t->ncommunes; k++)
            if (ctab_has_polygon(&t->communes[k]) &&
                strcmp(t->communes[k].dep, t->communes[c].dep) == 0)
                members[n++] = k;
        shape s;
        topo_shape(ts, h, members, n, &s);
        GEOSGeometry *u = coverage_union(h, t, members, n);
        GEOSGeometry *g = s.by_layer[t->communes[c].layer];
        assert_non_null(g);
        assert_int_equal(GEOSisValid_r(h, g), 1); /* traced without the check */
        GEOSNormalize_r(h, g);
        GEOSNormalize_r(h, u);
        if (GEOSEqualsExact_r(h, g, u, 0) != 1)
            fail_msg("department %s rebuilt at tolerance 0 differs from its union",
                     t->communes[c].dep);
        GEOSGeom_destroy_r(h, u);
        shape_free(t, &s);
        checked++;
    }
    print_message("%d departments rebuilt exactly at tolerance 0\n", checked);
    /* Every commune traced alone is its polygon, point for point: the GeoJSON maps and the
     * dissolves take the communes from the arcs once the table's polygons are gone. */
    int communes = 0;
    for (int c = 0; c < t->ncommunes; c++) {
        if (!ctab_has_polygon(&t->communes[c]))
            continue;
        shape s;
        assert_int_equal(topo_shape(ts, h, &c, 1, &s), 0);
        GEOSGeometry *g = s.by_layer[t->communes[c].layer];
        GEOSGeometry *e = polygon_copy(h, &t->communes[c]);
        assert_non_null(g);
        GEOSNormalize_r(h, g);
        GEOSNormalize_r(h, e);
        if (GEOSEqualsExact_r(h, g, e, 0) != 1)
            fail_msg("commune %s traced from the exact arcs differs from its polygon",
                     t->communes[c].code);
        GEOSGeom_destroy_r(h, e);
        shape_free(t, &s);
        communes++;
    }
    print_message("%d communes traced exactly at tolerance 0\n", communes);
    free(members);
    smap_free(&deps);
    topo_simplified_free(ts);
}

/* Groups (single communes: by 0; departments: 1; regions: 2) simplified with tol: each valid
 * (checked here: topo_shape trusts the checks of topo_simplify), the sum of their areas that
 * of their union per layer (no overlap), the union's holes those of the exact union (no new
 * hole: no gap). */
static void check_national_groups(GEOSContextHandle_t h, const commune_table *t,
                                  const topo_simplified *ts, int by, double tol)
{
    int ngroups = 0;
    int *group_of = xmalloc((size_t)t->ncommunes * sizeof *group_of);
    strmap deps;
    smap_init(&deps);
    for (int c = 0; c < t->ncommunes; c++) {
        group_of[c] = -1;
        if (!ctab_has_polygon(&t->communes[c]))
            continue;
        if (!by) {
            group_of[c] = ngroups++;
            continue;
        }
        const char *key = by == 1 ? t->communes[c].dep : t->communes[c].reg;
        int g = smap_get(&deps, key);
        if (g < 0) {
            g = ngroups++;
            smap_put(&deps, key, g);
        }
        group_of[c] = g;
    }
    int *members = xmalloc((size_t)t->ncommunes * sizeof *members);
    int *start = xcalloc((size_t)ngroups + 1, sizeof *start);
    for (int c = 0; c < t->ncommunes; c++)
        if (group_of[c] >= 0)
            start[group_of[c] + 1]++;
    for (int g = 0; g < ngroups; g++)
        start[g + 1] += start[g];
    int *fill = xmalloc(((size_t)ngroups + 1) * sizeof *fill);
    memcpy(fill, start, (size_t)ngroups * sizeof *fill);
    for (int c = 0; c < t->ncommunes; c++)
        if (group_of[c] >= 0)
            members[fill[group_of[c]]++] = c;
    for (int l = 0; l < t->nlayers; l++) {
        GEOSGeometry **parts = xmalloc((size_t)ngroups * sizeof *parts);
        GEOSGeometry **exact = xmalloc((size_t)t->ncommunes * sizeof *exact);
        int np = 0, ne = 0, invalid = 0;
        double sum = 0;
        for (int g = 0; g < ngroups; g++) {
            shape s;
            /* Valid as traced: nothing repaired (GEOSMakeValid_r) on the way. */
            invalid += topo_shape(ts, h, members + start[g], start[g + 1] - start[g], &s);
            if (s.by_layer[l]) {
                invalid += GEOSisValid_r(h, s.by_layer[l]) != 1;
                sum += area_of(h, s.by_layer[l]);
                parts[np++] = s.by_layer[l];
                s.by_layer[l] = NULL;
            }
            shape_free(t, &s);
        }
        for (int c = 0; c < t->ncommunes; c++)
            if (ctab_has_polygon(&t->communes[c]) && t->communes[c].layer == l)
                exact[ne++] = polygon_copy(h, &t->communes[c]);
        assert_int_equal(invalid, 0);
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                         (unsigned)np);
        GEOSGeometry *u = GEOSCoverageUnion_r(h, coll);
        if (!u)
            u = GEOSUnaryUnion_r(h, coll);
        GEOSGeometry *ecoll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, exact,
                                                          (unsigned)ne);
        GEOSGeometry *eu = GEOSCoverageUnion_r(h, ecoll);
        double ua = area_of(h, u);
        print_message("layer %s, %s at %.0f m: %d groups, sum of areas %.6e, union %.6e, "
                      "holes %d (exact %d)\n", t->layers[l].name,
                      by == 2 ? "regions" : by ? "departments" : "communes", tol, np, sum, ua,
                      count_holes(h, u), count_holes(h, eu));
        assert_true(fabs(ua - sum) <= 1e-6 * sum);
        assert_int_equal(count_holes(h, u), count_holes(h, eu));
        GEOSGeom_destroy_r(h, u);
        GEOSGeom_destroy_r(h, eu);
        GEOSGeom_destroy_r(h, coll);
        GEOSGeom_destroy_r(h, ecoll);
        free(parts);
        free(exact);
    }
    free(fill);
    free(start);
    free(members);
    free(group_of);
    smap_free(&deps);
}

static void test_national(void **state)
{
    (void)state;
    const char *g = getenv("CPTSCOV_GEODATA");
    char geodata[512];
    snprintf(geodata, sizeof geodata, "%s", g ? g : "../shared/geodata");
    char *probe = xasprintf("%s/README.md", geodata);
    int have = access(probe, R_OK) == 0;
    free(probe);
    if (!have) {
        print_message("test_topology: %s is missing; national test skipped\n", geodata);
        skip();
    }
    GDALAllRegister();
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    ctab_init(&t, h);
    join_issues ji;
    jis_init(&ji);
    passage p;
    char *path = xasprintf("%s/insee/passage-cog-2025.csv", geodata);
    assert_true(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &ji) > 0);
    free(path);
    population_columns cols = {0};
    path = xasprintf("%s/insee/populations-2025.csv", geodata);
    assert_true(read_population(&t, path, &cols, FLD_INSEE_CODES, &ji) > 0);
    free(path);
    communes_reader cr;
    crd_init(&cr, &t, &p, NULL, FLD_INSEE_CODES, &ji);
    static const char *const layers[] = {"FXX", "GLP", "MTQ", "GUF", "REU", "MYT"};
    for (int i = 0; i < 6; i++) {
        path = xasprintf("%s/admin-express-cog-2018/COMMUNE_%s.shp", geodata, layers[i]);
        assert_true(crd_read(&cr, path) > 0);
        free(path);
    }
    crd_finish(&cr);
    crd_free(&cr);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    topology *tp = topo_build(&t, h);
    assert_non_null(tp);
    double build = seconds_since(&t0);
    size_t before = topo_vertex_count(tp);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    topo_simplified *dep = topo_simplify(tp, h, 1000);
    double s1000 = seconds_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    topo_simplified *com = topo_simplify(tp, h, 200);
    double s200 = seconds_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    topo_simplified *c100 = topo_simplify(tp, h, 100);
    double s100 = seconds_since(&t0);
    assert_non_null(dep);
    assert_non_null(com);
    assert_non_null(c100);
    size_t v1000 = topo_simplified_vertex_count(dep), v200 = topo_simplified_vertex_count(com);
    size_t v100 = topo_simplified_vertex_count(c100);
    print_message("national: %d arcs built in %.2f s; %zu vertices; at 1000 m %zu (%.2f s), "
                  "at 200 m %zu (%.2f s), at 100 m %zu (%.2f s)\n", topo_arc_count(tp), build,
                  before, v1000, s1000, v200, s200, v100, s100);
    assert_true(v1000 < v200);
    assert_true(v200 < before / 2);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_national_exact(h, &t, tp);
    print_message("checked in %.2f s\n", seconds_since(&t0));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_national_groups(h, &t, dep, 1, 1000);
    check_national_groups(h, &t, dep, 2, 1000);
    print_message("departments at 1000 m rebuilt and checked in %.2f s\n", seconds_since(&t0));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_national_groups(h, &t, com, 0, 200);
    print_message("communes at 200 m rebuilt and checked in %.2f s\n", seconds_since(&t0));
    check_national_groups(h, &t, dep, 0, 1000);
    print_message("communes at 1000 m rebuilt and checked\n");
    /* The arcs between departments alone (the report's way, topo_simplify_classes): fewer
     * points, and departments and regions as valid, without gap or overlap. */
    int *cls = xmalloc((size_t)t.ncommunes * sizeof *cls);
    strmap by_dep;
    smap_init(&by_dep);
    for (int c = 0; c < t.ncommunes; c++) {
        cls[c] = smap_get(&by_dep, t.communes[c].dep);
        if (cls[c] < 0)
            smap_put(&by_dep, t.communes[c].dep, cls[c] = (int)by_dep.len);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    topo_simplified *borders = topo_simplify_classes(tp, h, 1000, cls);
    double sb = seconds_since(&t0);
    assert_non_null(borders);
    assert_true(topo_simplified_checked(borders));
    size_t vb = topo_simplified_vertex_count(borders);
    print_message("departments' borders alone at 1000 m: %zu vertices (%.2f s)\n", vb, sb);
    assert_true(vb < v1000 / 2);
    check_national_groups(h, &t, borders, 1, 1000);
    check_national_groups(h, &t, borders, 2, 1000);
    topo_simplified_free(borders);
    smap_free(&by_dep);
    free(cls);
    topo_simplified_free(dep);
    topo_simplified_free(com);
    topo_simplified_free(c100);
    topo_free(tp);
    pass_free(&p);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_arcs),
        cmocka_unit_test(test_wedges_around_a_point),
        cmocka_unit_test(test_l_shapes),
        cmocka_unit_test(test_enclave_and_hole),
        cmocka_unit_test(test_two_parts_and_vertex_touch),
        cmocka_unit_test(test_touch_on_a_border),
        cmocka_unit_test(test_wiggly_grid_simplified),
        cmocka_unit_test(test_points_beside_build),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_sliver_never_vanishes),
        cmocka_unit_test(test_geographic_layer),
        cmocka_unit_test(test_not_a_coverage),
        cmocka_unit_test(test_shapes_on_threads),
        cmocka_unit_test(test_bad_tolerance),
        cmocka_unit_test(test_national),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
