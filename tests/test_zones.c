/* test_zones.c -- the adjacency graph and the uncovered zones, on grids known by hand.
 * Commune (i, j) of a w-wide grid has index j * w + i and code 35000 + 1 + j * w + i. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "analyse/adjacency.h"
#include "util/diag.h"
#include "fixtures.h"
#include "analyse/zones.h"

/* A linear ring through n points given in grid units (1 unit = one square), closed here. */
static GEOSGeometry *grid_ring(GEOSContextHandle_t h, const double *xy, int n)
{
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    for (int k = 0; k <= n; k++) {
        int m = k == n ? 0 : k;
        GEOSCoordSeq_setXY_r(h, s, (unsigned)k, FIX_X0 + xy[2 * m] * FIX_SIZE,
                             FIX_Y0 + xy[2 * m + 1] * FIX_SIZE);
    }
    return GEOSGeom_createLinearRing_r(h, s);
}

/* Replaces the polygon of commune c (NULL removes it). */
static void set_geom(commune_table *t, int c, GEOSGeometry *g)
{
    commune *cm = &t->communes[c];
    if (cm->geom)
        GEOSGeom_destroy_r(t->geos, cm->geom);
    cm->geom = g;
    cm->layer = g ? 0 : -1;
    double area = 0;
    if (g)
        GEOSArea_r(t->geos, g, &area);
    cm->area_km2 = area / 1e6;
}

/* What coverage analysis would make of the grids: set by hand, cleared before each test. */
static unsigned char covered_of[256], counts_of[32];
static coverage_report marks = {.covered = covered_of, .counts = counts_of};

static int clear_marks(void **state)
{
    (void)state;
    memset(covered_of, 0, sizeof covered_of);
    memset(counts_of, 0, sizeof counts_of);
    return 0;
}

/* Marks the members of CPTS k covered when it counts, as coverage analysis would. */
static void cover_by(commune_table *t, int k, int counts)
{
    counts_of[k] = (unsigned char)counts;
    if (!counts)
        return;
    for (int i = 0; i < t->cpts[k].ncommunes; i++)
        covered_of[t->cpts[k].communes[i]] = 1;
}

static void assert_neighbours(const adjacency *a, int c, const int *want, int n)
{
    assert_int_equal(a->start[c + 1] - a->start[c], n);
    for (int i = 0; i < n; i++)
        assert_int_equal(a->neighbours[a->start[c] + i], want[i]);
}

static void assert_ints(const int *got, int ngot, const int *want, int n)
{
    assert_int_equal(ngot, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
}

/* Every list ascending without duplicates, no self loop, and b in a's list iff a in b's. */
static void assert_symmetric(const adjacency *a)
{
    for (int c = 0; c < a->n; c++)
        for (int e = a->start[c]; e < a->start[c + 1]; e++) {
            int nb = a->neighbours[e];
            assert_true(nb != c);
            if (e > a->start[c])
                assert_true(a->neighbours[e - 1] < nb);
            int found = 0;
            for (int f = a->start[nb]; f < a->start[nb + 1]; f++)
                found |= a->neighbours[f] == c;
            assert_true(found);
        }
}

static void test_adjacency_grid(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 3);
    adjacency a;
    adj_build(&t, &a);
    assert_int_equal(a.n, 9);
    assert_int_equal(a.start[9], 24); /* 12 shared edges, both ways */
    assert_neighbours(&a, 0, (int[]){1, 3}, 2);
    assert_neighbours(&a, 1, (int[]){0, 2, 4}, 3);
    assert_neighbours(&a, 4, (int[]){1, 3, 5, 7}, 4);
    assert_neighbours(&a, 8, (int[]){5, 7}, 2);
    assert_symmetric(&a);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Communes without polygon and communes of another layer are nobody's neighbours. */
static void test_adjacency_missing_and_layers(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 1);
    set_geom(&t, 1, NULL);
    adjacency a;
    adj_build(&t, &a);
    assert_int_equal(a.start[3], 0);
    adj_free(&a);
    ctab_free(&t);

    fix_grid(&t, h, 3, 1);
    fix_layer(&t);
    t.communes[2].layer = 1; /* same coordinates, other CRS: not comparable */
    adj_build(&t, &a);
    assert_neighbours(&a, 0, (int[]){1}, 1);
    assert_neighbours(&a, 1, (int[]){0}, 1);
    assert_neighbours(&a, 2, NULL, 0);
    adj_free(&a);
    ctab_free(&t);

    ctab_init(&t, h); /* an empty table */
    adj_build(&t, &a);
    assert_int_equal(a.n, 0);
    assert_int_equal(a.start[0], 0);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Squares touching at a corner only are not neighbours, even when both rings repeat the
 * corner vertex (a zero-length edge they would otherwise share). */
static void test_adjacency_corner_and_degenerate(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 2, 2);
    const double sw[] = {0, 0, 1, 0, 1, 1, 1, 1, 0, 1};
    const double ne[] = {1, 1, 1, 1, 2, 1, 2, 2, 1, 2};
    set_geom(&t, 0, GEOSGeom_createPolygon_r(h, grid_ring(h, sw, 5), NULL, 0));
    set_geom(&t, 3, GEOSGeom_createPolygon_r(h, grid_ring(h, ne, 5), NULL, 0));
    adjacency a;
    adj_build(&t, &a);
    assert_neighbours(&a, 0, (int[]){1, 2}, 2);
    assert_neighbours(&a, 3, (int[]){1, 2}, 2);
    assert_neighbours(&a, 1, (int[]){0, 3}, 2);
    assert_symmetric(&a);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* An L-shaped commune over cells (0,0), (1,0), (0,1) of a 3x2 grid, its edges walked in the
 * other direction than the squares': neighbours (2,0) and (1,1), not (2,1) (one corner). */
static void test_adjacency_l_shape(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 2);
    const double l[] = {0, 0, 0, 2, 1, 2, 1, 1, 2, 1, 2, 0};
    set_geom(&t, 0, GEOSGeom_createPolygon_r(h, grid_ring(h, l, 6), NULL, 0));
    set_geom(&t, 1, NULL);
    set_geom(&t, 3, NULL);
    assert_true(t.communes[0].area_km2 > 2.999 && t.communes[0].area_km2 < 3.001);
    adjacency a;
    adj_build(&t, &a);
    assert_neighbours(&a, 0, (int[]){2, 4}, 2);
    assert_neighbours(&a, 2, (int[]){0, 5}, 2);
    assert_neighbours(&a, 4, (int[]){0, 5}, 2);
    assert_neighbours(&a, 5, (int[]){2, 4}, 2);
    assert_symmetric(&a);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* A commune with a hole, and the enclave filling it: neighbours through the interior ring. */
static void test_adjacency_enclave(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 3);
    const double outer[] = {0, 0, 3, 0, 3, 3, 0, 3};
    const double hole[] = {1, 1, 1, 2, 2, 2, 2, 1};
    GEOSGeometry *holes[] = {grid_ring(h, hole, 4)};
    set_geom(&t, 0, GEOSGeom_createPolygon_r(h, grid_ring(h, outer, 4), holes, 1));
    for (int c = 1; c < 9; c++)
        if (c != 4)
            set_geom(&t, c, NULL);
    adjacency a;
    adj_build(&t, &a);
    assert_neighbours(&a, 0, (int[]){4}, 1);
    assert_neighbours(&a, 4, (int[]){0}, 1);
    assert_int_equal(a.start[9], 2);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* A 3x2 grid where commune 0 is a MultiPolygon of cells (0,0) and (2,1). */
static void grid_with_multipolygon(commune_table *t, GEOSContextHandle_t h)
{
    fix_grid(t, h, 3, 2);
    GEOSGeometry *parts[] = {fix_square(h, 0, 0), fix_square(h, 2, 1)};
    set_geom(t, 0, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, 2));
    set_geom(t, 5, NULL);
}

static void test_adjacency_multipolygon(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    grid_with_multipolygon(&t, h);
    adjacency a;
    adj_build(&t, &a);
    assert_neighbours(&a, 0, (int[]){1, 2, 3, 4}, 4);
    assert_neighbours(&a, 2, (int[]){0, 1}, 2);
    assert_neighbours(&a, 4, (int[]){0, 1, 3}, 3);
    assert_symmetric(&a);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Linear and exact on a large grid: every inner edge is found once. */
static void test_adjacency_large_grid(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    int w = 120, hg = 90;
    fix_grid(&t, h, w, hg);
    adjacency a;
    adj_build(&t, &a);
    assert_int_equal(a.start[w * hg], 2 * ((w - 1) * hg + w * (hg - 1)));
    int c = 45 * w + 60;
    assert_neighbours(&a, c, (int[]){c - w, c - 1, c + 1, c + w}, 4);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* A 4x3 grid, CPTS A (signed, counts) on column 1, CPTS P (project) on commune 35012:
 * zones are columns 2-3 (population 4500) then column 0 (1500). */
static void test_zones_middle_column(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 4, 3);
    const char *col1[] = {"35002", "35006", "35010"};
    int ka = fix_cpts(&t, "A", STATUS_SIGNED, 20230101, col1, 3);
    const char *proj[] = {"35012"};
    int kp = fix_cpts(&t, "P", STATUS_PROJECT, 0, proj, 1);
    cover_by(&t, ka, 1);
    cover_by(&t, kp, 0);
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 2);

    uncovered_zone *r = &zl.zones[0];
    assert_ints(r->communes, r->ncommunes, (int[]){2, 3, 6, 7, 10, 11}, 6);
    assert_int_equal(r->population, 4500);
    assert_true(r->area_km2 > 5.999 && r->area_km2 < 6.001);
    assert_int_equal(r->ndepartments, 1);
    assert_string_equal(r->departments[0], "22");
    assert_ints(r->bordering_cpts, r->nbordering, (int[]){ka}, 1);
    assert_ints(r->pending_cpts, r->npending, (int[]){kp}, 1);

    uncovered_zone *l = &zl.zones[1];
    assert_ints(l->communes, l->ncommunes, (int[]){0, 4, 8}, 3);
    assert_int_equal(l->population, 1500);
    assert_true(l->area_km2 > 2.999 && l->area_km2 < 3.001);
    assert_int_equal(l->ndepartments, 1);
    assert_string_equal(l->departments[0], "35");
    assert_ints(l->bordering_cpts, l->nbordering, (int[]){ka}, 1);
    assert_int_equal(l->npending, 0);

    zone_free(&t, &zl);
    assert_int_equal(zl.n, 0);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Bordering CPTS must count and hold a covered commune adjacent to the zone; a non-counting
 * CPTS on a neighbour is not listed at all; a counting CPTS elsewhere is not bordering. */
static void test_zones_bordering(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 5, 1); /* 0 1 2 3 4 */
    const char *b1[] = {"35002"}, *b2[] = {"35004", "35005"}, *far[] = {"35005"};
    const char *late[] = {"35002"};
    int k1 = fix_cpts(&t, "B1", STATUS_SIGNED, 20230101, b1, 1);
    int k2 = fix_cpts(&t, "B2", STATUS_SIGNED, 20230101, b2, 2);
    int kf = fix_cpts(&t, "F", STATUS_SIGNED, 20230101, far, 1);
    int kl = fix_cpts(&t, "L", STATUS_LETTER, 0, late, 1);
    cover_by(&t, k1, 1);
    cover_by(&t, k2, 1);
    cover_by(&t, kf, 1);
    cover_by(&t, kl, 0);
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    /* uncovered: 0 (100) and 2 (300) */
    assert_int_equal(zl.n, 2);
    assert_ints(zl.zones[0].communes, zl.zones[0].ncommunes, (int[]){2}, 1);
    assert_ints(zl.zones[0].bordering_cpts, zl.zones[0].nbordering, (int[]){k1, k2}, 2);
    assert_int_equal(zl.zones[0].npending, 0);
    assert_ints(zl.zones[1].communes, zl.zones[1].ncommunes, (int[]){0}, 1);
    assert_ints(zl.zones[1].bordering_cpts, zl.zones[1].nbordering, (int[]){k1}, 1);
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Two uncovered squares touching at one corner make two zones. */
static void test_zones_diagonal(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 2, 2);
    covered_of[1] = 1;
    covered_of[2] = 1;
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 2);
    assert_ints(zl.zones[0].communes, zl.zones[0].ncommunes, (int[]){3}, 1);
    assert_int_equal(zl.zones[0].population, 400);
    assert_ints(zl.zones[1].communes, zl.zones[1].ncommunes, (int[]){0}, 1);
    assert_int_equal(zl.zones[1].population, 100);
    assert_int_equal(zl.zones[1].nbordering, 0); /* covered, but by no CPTS */
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* A commune without polygon is in no zone and does not join its neighbours. */
static void test_zones_no_geometry(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 1);
    set_geom(&t, 1, NULL);
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 2);
    assert_ints(zl.zones[0].communes, zl.zones[0].ncommunes, (int[]){2}, 1);
    assert_int_equal(zl.zones[0].population, 300);
    assert_ints(zl.zones[1].communes, zl.zones[1].ncommunes, (int[]){0}, 1);
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* One zone across two departments; equal populations ordered by first code; none at all. */
static void test_zones_departments_and_order(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 4, 1);
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 1);
    assert_int_equal(zl.zones[0].ncommunes, 4);
    assert_int_equal(zl.zones[0].population, 1000);
    assert_int_equal(zl.zones[0].ndepartments, 2);
    assert_string_equal(zl.zones[0].departments[0], "22");
    assert_string_equal(zl.zones[0].departments[1], "35");
    zone_free(&t, &zl);

    /* 0 1 2 3 with 1 covered: zones {0} and {2, 3}; make both weigh 700 */
    covered_of[1] = 1;
    t.communes[0].population = 700;
    t.communes[2].population = 300;
    t.communes[3].population = 400;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 2);
    assert_int_equal(zl.zones[0].population, 700);
    assert_int_equal(zl.zones[1].population, 700);
    assert_ints(zl.zones[0].communes, zl.zones[0].ncommunes, (int[]){0}, 1);
    assert_ints(zl.zones[1].communes, zl.zones[1].ncommunes, (int[]){2, 3}, 2);
    zone_free(&t, &zl);

    for (int c = 0; c < 4; c++)
        covered_of[c] = 1;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 0);
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* The far part of a MultiPolygon commune joins commune (2,0) to its zone; the L-shaped
 * commune joins (2,0) and (1,1) but not (2,1). */
static void test_zones_multipolygon_and_l_shape(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    grid_with_multipolygon(&t, h);
    const char *mid[] = {"35002", "35005"};
    int k = fix_cpts(&t, "A", STATUS_SIGNED, 20230101, mid, 2);
    cover_by(&t, k, 1);
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 1);
    assert_ints(zl.zones[0].communes, zl.zones[0].ncommunes, (int[]){0, 2, 3}, 3);
    assert_int_equal(zl.zones[0].population, 800);
    assert_true(zl.zones[0].area_km2 > 3.999 && zl.zones[0].area_km2 < 4.001);
    assert_ints(zl.zones[0].bordering_cpts, zl.zones[0].nbordering, (int[]){k}, 1);
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);

    fix_grid(&t, h, 3, 2);
    const double l[] = {0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2};
    set_geom(&t, 0, GEOSGeom_createPolygon_r(h, grid_ring(h, l, 6), NULL, 0));
    set_geom(&t, 1, NULL);
    set_geom(&t, 3, NULL);
    covered_of[4] = 1;
    adj_build(&t, &a);
    zone_find(&t, &a, &marks, &zl);
    /* {0, 2, 5} are joined through 2; 4 is covered */
    assert_int_equal(zl.n, 1);
    assert_ints(zl.zones[0].communes, zl.zones[0].ncommunes, (int[]){0, 2, 5}, 3);
    zone_free(&t, &zl);
    covered_of[2] = 1; /* now 0 and 5 touch at one corner only */
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 2);
    assert_ints(zl.zones[0].communes, zl.zones[0].ncommunes, (int[]){5}, 1);
    assert_ints(zl.zones[1].communes, zl.zones[1].ncommunes, (int[]){0}, 1);
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* A project CPTS over a zone is pending, a signed one that does not count (e.g. signed after
 * the date asked) too; the list is ascending and distinct across the zone's communes. */
static void test_zones_pending(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 3, 1);
    const char *all[] = {"35001", "35002", "35003"}, *one[] = {"35003"};
    int kp = fix_cpts(&t, "P", STATUS_PROJECT, 0, all, 3);
    int ks = fix_cpts(&t, "S", STATUS_SIGNED, 20991231, one, 1);
    cover_by(&t, kp, 0);
    cover_by(&t, ks, 0);
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    assert_int_equal(zl.n, 1);
    assert_ints(zl.zones[0].pending_cpts, zl.zones[0].npending, (int[]){kp, ks}, 2);
    assert_int_equal(zl.zones[0].nbordering, 0);
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* Dissolved zones: one polygon per zone, with the zone's area, and no join issue. */
static void test_zones_dissolve(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 4, 3);
    const char *col1[] = {"35002", "35006", "35010"};
    cover_by(&t, fix_cpts(&t, "A", STATUS_SIGNED, 20230101, col1, 3), 1);
    adjacency a;
    adj_build(&t, &a);
    zone_list zl;
    zone_find(&t, &a, &marks, &zl);
    join_issues ji;
    jis_init(&ji);
    zone_dissolve(&t, &zl, &ji);
    zone_dissolve(&t, &zl, &ji); /* twice: the first shapes are freed */
    assert_int_equal(ji.n, 0);
    assert_int_equal(zl.n, 2);
    const double want[] = {6e6, 3e6};
    for (int i = 0; i < 2; i++) {
        const shape *s = &zl.zones[i].shape;
        assert_int_equal(s->nlayers, 1);
        assert_non_null(s->by_layer[0]);
        double area = 0;
        assert_true(GEOSArea_r(h, s->by_layer[0], &area));
        assert_true(area > want[i] - 1 && area < want[i] + 1);
        assert_int_equal(GEOSGetNumGeometries_r(h, s->by_layer[0]), 1);
    }
    jis_free(&ji);
    zone_free(&t, &zl);
    adj_free(&a);
    ctab_free(&t);
    GEOS_finish_r(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adjacency_grid),
        cmocka_unit_test(test_adjacency_missing_and_layers),
        cmocka_unit_test(test_adjacency_corner_and_degenerate),
        cmocka_unit_test(test_adjacency_l_shape),
        cmocka_unit_test(test_adjacency_enclave),
        cmocka_unit_test(test_adjacency_multipolygon),
        cmocka_unit_test(test_adjacency_large_grid),
        cmocka_unit_test_setup(test_zones_middle_column, clear_marks),
        cmocka_unit_test_setup(test_zones_bordering, clear_marks),
        cmocka_unit_test_setup(test_zones_diagonal, clear_marks),
        cmocka_unit_test_setup(test_zones_no_geometry, clear_marks),
        cmocka_unit_test_setup(test_zones_departments_and_order, clear_marks),
        cmocka_unit_test_setup(test_zones_multipolygon_and_l_shape, clear_marks),
        cmocka_unit_test_setup(test_zones_pending, clear_marks),
        cmocka_unit_test_setup(test_zones_dissolve, clear_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
