/* test_crs.c -- the layers' ways to WGS84: a projection's inverse taken alone, where PROJ's
 * pipeline is only that and radians to degrees, gives the pipeline's doubles, bit for bit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <proj.h>
#include <stdlib.h>
#include <string.h>

#include "geom/crs.h"

/* Sets layer l up from the CRS code (a WKT of it, as read_communes.c hands it). */
static void setup(commune_layer *l, const char *code)
{
    memset(l, 0, sizeof *l);
    PJ *crs = proj_create(PJ_DEFAULT_CTX, code);
    assert_non_null(crs);
    const char *wkt = proj_as_wkt(PJ_DEFAULT_CTX, crs, PJ_WKT2_2019, NULL);
    assert_non_null(wkt);
    assert_int_equal(crs_setup_layer(l, wkt, code), 0);
    proj_destroy(crs);
}

/* n random points of the box x0, y0, x1, y1 through both ways: the same doubles. */
static void same_both_ways(const commune_layer *l, double x0, double y0, double x1, double y1)
{
    enum { N = 100000 };
    double *a = malloc(2 * N * sizeof *a), *b = malloc(2 * N * sizeof *b);
    srand(7);
    for (int i = 0; i < N; i++) {
        a[2 * i] = x0 + (x1 - x0) * (rand() / (double)RAND_MAX);
        a[2 * i + 1] = y0 + (y1 - y0) * (rand() / (double)RAND_MAX);
    }
    memcpy(b, a, 2 * N * sizeof *a);
    crs_to_wgs84(l->to_wgs84, NULL, a, N);
    crs_to_wgs84(l->to_wgs84, l->inverse, b, N);
    assert_memory_equal(a, b, 2 * N * sizeof *a);
    free(a);
    free(b);
}

static void test_lambert93_inverse(void **state)
{
    (void)state;
    commune_layer l;
    setup(&l, "EPSG:2154");
    assert_non_null(l.inverse);
    same_both_ways(&l, 90000, 6040000, 1250000, 7120000);
    double p[2] = {700000, 6600000}; /* the projection's origin: 3 E, 46.5 N */
    crs_to_wgs84(l.to_wgs84, l.inverse, p, 1);
    assert_true(p[0] > 2.9999999 && p[0] < 3.0000001 && p[1] > 46.4999999 && p[1] < 46.5000001);
    ctab_free_layer(&l);
}

/* The overseas layers' UTM zones: the same doubles whichever way they take. */
static void test_overseas_either_way(void **state)
{
    (void)state;
    static const char *const codes[] = {"EPSG:5490", "EPSG:2972", "EPSG:2975", "EPSG:4471"};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        commune_layer l;
        setup(&l, codes[i]);
        same_both_ways(&l, 300000, 1000000, 700000, 9000000);
        ctab_free_layer(&l);
    }
}

/* A way with a datum shift (NTF to WGS84) is not a bare inverse: it stays PROJ's. */
static void test_datum_shift_stays_whole(void **state)
{
    (void)state;
    commune_layer l;
    setup(&l, "EPSG:27572");
    assert_null(l.inverse);
    ctab_free_layer(&l);
}

int main(void)
{
    proj_log_level(PJ_DEFAULT_CTX, PJ_LOG_NONE);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lambert93_inverse),
        cmocka_unit_test(test_overseas_either_way),
        cmocka_unit_test(test_datum_shift_stays_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
