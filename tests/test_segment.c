/* test_segment.c -- how two segments meet, and whether a ring is simple, held to GEOS:
 * seg_ring_simple must say "simple" exactly where GEOS calls the polygon of the ring valid. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/segment.h"

static int setup(void **state)
{
    *state = GEOS_init_r();
    return 0;
}

static int teardown(void **state)
{
    GEOS_finish_r(*state);
    return 0;
}

/* seg_meet on segments a-b and c-d, both ways round and both orders. */
static void meet(GEOSContextHandle_t h, double ax, double ay, double bx, double by, double cx,
                 double cy, double dx, double dy, int want)
{
    double a[2] = {ax, ay}, b[2] = {bx, by}, c[2] = {cx, cy}, d[2] = {dx, dy};
    assert_int_equal(seg_meet(h, a, b, c, d), want);
    assert_int_equal(seg_meet(h, b, a, c, d), want);
    assert_int_equal(seg_meet(h, a, b, d, c), want);
    assert_int_equal(seg_meet(h, c, d, a, b), want);
}

static void test_meet(void **state)
{
    GEOSContextHandle_t h = *state;
    meet(h, 0, 0, 2, 2, 0, 2, 2, 0, SEG_CLASH);  /* crossing */
    meet(h, 0, 0, 2, 0, 1, 0, 1, 5, SEG_CLASH);  /* one ends on the other */
    meet(h, 0, 0, 2, 0, 0, 1, 2, 1, SEG_APART);  /* parallel */
    meet(h, 0, 0, 2, 0, 3, 0, 5, 0, SEG_APART);  /* on one line, apart */
    meet(h, 0, 0, 2, 0, 1, 0, 5, 0, SEG_CLASH);  /* on one line, overlapping */
    meet(h, 0, 0, 2, 0, 2, 0, 2, 3, SEG_END);    /* a corner */
    meet(h, 0, 0, 2, 0, 2, 0, 5, 0, SEG_END);    /* one after the other on a line */
    meet(h, 0, 0, 2, 0, 0, 0, 1, 0, SEG_CLASH);  /* a shared end, the same way */
    meet(h, 0, 0, 2, 0, 2, 0, 0, 0, SEG_CLASH);  /* the same segment */
    meet(h, 0, 0, 1, 1e-300, 0, 1e-300, 1, 0, SEG_CLASH); /* a crossing no box would tell */
}

/* seg_ring_simple on a copy of the n points of xy (n pairs). */
static int simple(GEOSContextHandle_t h, const double *xy, int n)
{
    seg_work w = {0};
    double *copy = malloc(2 * (size_t)n * sizeof *copy);
    memcpy(copy, xy, 2 * (size_t)n * sizeof *copy);
    int r = seg_ring_simple(h, copy, n, &w);
    free(copy);
    seg_work_free(&w);
    return r;
}

/* GEOS's word on the polygon of ring xy: 1 valid, 0 invalid, -1 when it refuses the ring. */
static int geos_valid(GEOSContextHandle_t h, const double *xy, int n)
{
    GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)n, 0, 0);
    GEOSGeometry *ring = s ? GEOSGeom_createLinearRing_r(h, s) : NULL;
    if (!ring)
        return -1;
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(h, ring, NULL, 0);
    int v = GEOSisValid_r(h, poly);
    GEOSGeom_destroy_r(h, poly);
    return v;
}

static void test_rings(void **state)
{
    GEOSContextHandle_t h = *state;
    static const struct {
        int n, want;
        double xy[20];
    } rings[] = {
        {5, 1, {0, 0, 4, 0, 4, 4, 0, 4, 0, 0}},                   /* a square */
        {8, 1, {0, 0, 0, 0, 4, 0, 4, 4, 4, 4, 0, 4, 0, 0, 0, 0}}, /* repeated points */
        {4, 1, {0, 0, 4, 0, 0, 4, 0, 0}},                         /* a triangle */
        {5, 0, {0, 0, 4, 4, 4, 0, 0, 4, 0, 0}},                   /* a bow tie */
        {6, 0, {0, 0, 4, 0, 6, 0, 4, 0, 4, 4, 0, 0}},             /* a spike out and back */
        {4, 0, {0, 0, 2, 0, 4, 0, 0, 0}},                         /* flat */
        {8, 0, {0, 0, 2, 0, 2, 2, 4, 2, 4, 4, 2, 4, 2, 2, 0, 0}}, /* a figure 8 */
        {7, 0, {0, 0, 4, 0, 4, 4, 2, 0, 0, 4, 0, 1, 0, 0}},       /* a vertex on a side */
        {4, 0, {0, 0, 2e-200, 0, 1e-200, 0, 0, 0}},               /* flat, products underflow */
        {4, 0, {0, 0, 4, 0, 0, 0, 0, 0}},                         /* too few points */
        {5, 0, {0, 0, 4, 0, 4, 4, 0, 4, 0, 1}},                   /* not closed */
    };
    for (size_t i = 0; i < sizeof rings / sizeof *rings; i++) {
        assert_int_equal(simple(h, rings[i].xy, rings[i].n), rings[i].want);
        int g = geos_valid(h, rings[i].xy, rings[i].n);
        if (g >= 0)
            assert_int_equal(g, rings[i].want);
    }
    double nan_ring[10] = {0, 0, 4, 0, NAN, 4, 0, 4, 0, 0};
    assert_int_equal(simple(h, nan_ring, 5), 0);
}

/* Random rings, most of them on a 4 x 4 grid, where points repeat, segments lie on one line
 * and touch at ends: the same answer as GEOS for every one. */
static void test_random_rings_agree_with_geos(void **state)
{
    GEOSContextHandle_t h = *state;
    srand(12345);
    seg_work w = {0};
    int agreed_simple = 0, agreed_not = 0;
    double xy[2 * 16];
    for (int k = 0; k < 40000; k++) {
        int n = 3 + rand() % 9, grid = k % 4 != 3;
        for (int i = 0; i < n; i++) {
            xy[2 * i] = grid ? rand() % 4 : rand() / (double)RAND_MAX;
            xy[2 * i + 1] = grid ? rand() % 4 : rand() / (double)RAND_MAX;
        }
        xy[2 * n] = xy[0];
        xy[2 * n + 1] = xy[1];
        int g = geos_valid(h, xy, n + 1);
        if (g < 0)
            continue;
        int s = seg_ring_simple(h, xy, n + 1, &w);
        if (s != g)
            fail_msg("ring %d of %d points: seg_ring_simple %d, GEOS %d", k, n + 1, s, g);
        *(s ? &agreed_simple : &agreed_not) += 1;
    }
    seg_work_free(&w);
    assert_true(agreed_simple > 1000 && agreed_not > 1000);
}

/* A ring of 200 000 points round a circle is simple; a zigzag of 20 000 segments that each
 * span the whole ring, beyond the sweep's budget, is left to GEOS (0), and answered at once. */
static void test_large_rings(void **state)
{
    GEOSContextHandle_t h = *state;
    int n = 200000;
    double *xy = malloc((size_t)(n + 1) * 2 * sizeof *xy);
    for (int i = 0; i < n; i++) {
        xy[2 * i] = 1000 * cos(2 * M_PI * i / n);
        xy[2 * i + 1] = 1000 * sin(2 * M_PI * i / n);
    }
    xy[2 * n] = xy[0];
    xy[2 * n + 1] = xy[1];
    assert_int_equal(simple(h, xy, n + 1), 1);
    int z = 20000, k = 0;
    for (int i = 0; i < z; i++) {
        xy[k++] = i % 2 ? 1000 : 0;
        xy[k++] = i;
    }
    double tail[] = {1010, z, 1010, -10, 0, -10, 0, 0};
    for (int i = 0; i < 8; i++)
        xy[k++] = tail[i];
    assert_int_equal(geos_valid(h, xy, k / 2), 1);
    assert_int_equal(simple(h, xy, k / 2), 0);
    free(xy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_meet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_rings_agree_with_geos, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_rings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
