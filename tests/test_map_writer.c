/* test_map_writer.c -- the streaming GeoJSON writer against GDAL's GeoJSON driver.
 * Both engines write the sample's maps; GDAL must read the same features from both. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_error.h>
#include <stdlib.h>
#include <unistd.h>

#include "compare_maps.h"
#include "util/diag.h"
#include "app/options.h"
#include "app/run.h"
#include "util/util.h"

static void run_sample(const char *engine, const char *out)
{
    char *argv[] = {"cptscov", "run", "--communes", "geodata/communes.shp",
                    "--population", "geodata/population.csv", "--passage", "geodata/passage.csv",
                    "--members", "geodata/members.csv", "--epci", "geodata/epci.csv",
                    "--geojson-engine", (char *)engine, "--out", (char *)out, "--quiet"};
    run_options o;
    assert_int_equal(opt_parse(&o, (int)(sizeof argv / sizeof argv[0]), argv, 2), 0);
    if (run_job(&o) != 0)
        fail_msg("run failed: %s", diag_message());
    opt_free(&o);
}

static void test_engines_agree(void **state)
{
    (void)state;
    run_sample("gdal", "build/test-engine-gdal");
    run_sample("stream", "build/test-engine-stream");
    const char *maps[] = {"communes", "cpts", "departments", "regions", "uncovered"};
    const long expected[] = {40, 4, 1, 1, 2};
    for (int i = 0; i < 5; i++) {
        char *a = xasprintf("build/test-engine-gdal/%s.geojson", maps[i]);
        char *b = xasprintf("build/test-engine-stream/%s.geojson", maps[i]);
        char why[512] = "";
        long n = cmp_maps(a, b, why, sizeof why);
        if (n < 0)
            fail_msg("%s: %s", maps[i], why);
        assert_int_equal(n, expected[i]);
        free(a);
        free(b);
    }
}

/* Exterior rings counter-clockwise, holes clockwise, as RFC 7946 wants. */
static double ring_area(OGRGeometryH ring)
{
    double a = 0;
    int n = OGR_G_GetPointCount(ring);
    for (int i = 0; i + 1 < n; i++)
        a += OGR_G_GetX(ring, i) * OGR_G_GetY(ring, i + 1) - OGR_G_GetX(ring, i + 1) * OGR_G_GetY(ring, i);
    return a / 2;
}

/* Every ring of every polygon of map `name` as RFC 7946 winds them. */
static void check_winding(const char *name)
{
    char *path = xasprintf("build/test-engine-stream/%s.geojson", name);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureH f;
    long rings = 0;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        assert_non_null(g);
        int multi = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon;
        for (int p = 0; p < (multi ? OGR_G_GetGeometryCount(g) : 1); p++) {
            OGRGeometryH poly = multi ? OGR_G_GetGeometryRef(g, p) : g;
            assert_true(ring_area(OGR_G_GetGeometryRef(poly, 0)) > 0);
            for (int r = 1; r < OGR_G_GetGeometryCount(poly); r++)
                assert_true(ring_area(OGR_G_GetGeometryRef(poly, r)) < 0);
            rings += OGR_G_GetGeometryCount(poly);
        }
        OGR_F_Destroy(f);
    }
    assert_true(rings > 0);
    GDALClose(ds);
    free(path);
}

static void test_stream_winding_and_decimals(void **state)
{
    (void)state;
    const char *maps[] = {"communes", "cpts", "departments", "regions", "uncovered"};
    for (int i = 0; i < 5; i++)
        check_winding(maps[i]);
    /* No coordinate has more than 6 decimals. */
    FILE *in = fopen("build/test-engine-stream/communes.geojson", "r");
    assert_non_null(in);
    int c, digits = -1, most = 0;
    while ((c = getc(in)) != EOF) {
        if (c == '.')
            digits = 0;
        else if (c >= '0' && c <= '9' && digits >= 0)
            digits++;
        else {
            if (digits > most)
                most = digits;
            digits = -1;
        }
    }
    fclose(in);
    assert_int_equal(most, 6);
}

int main(void)
{
    CPLSetErrorHandler(CPLQuietErrorHandler);
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engines_agree),
        cmocka_unit_test(test_stream_winding_and_decimals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
