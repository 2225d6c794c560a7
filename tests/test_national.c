/* test_national.c -- the national job on the real data of ../shared/geodata.
 * Every figure is checked against one computed here, independently, from the tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_error.h>
#include <gdal.h>
#include <jansson.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare_maps.h"
#include "util/diag.h"
#include "app/options.h"
#include "app/run.h"
#include "util/strmap.h"
#include "util/util.h"

static char geodata[512];
static char outdir[512];

static char *path_of(const char *rel)
{
    return xasprintf("%s/%s", geodata, rel);
}

/* Splits line at ';' into at most max fields (no quotes in these files). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ';') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

/* The tables as the test reads them itself. */
typedef struct tables {
    strmap commune;     /* code -> index */
    int64_t *pop;
    int n;
    int64_t total;
    strmap passage;     /* old code -> index of the current commune */
} tables;

static void read_tables(tables *t)
{
    char line[4096], *f[8];
    smap_init(&t->commune);
    smap_init(&t->passage);
    t->pop = xmalloc(40000 * sizeof *t->pop);
    t->n = 0;
    t->total = 0;
    char *p = path_of("insee/populations-2025.csv");
    FILE *in = fopen(p, "r");
    assert_non_null(in);
    assert_non_null(fgets(line, sizeof line, in));
    while (fgets(line, sizeof line, in)) {
        assert_int_equal(split(line, f, 8), 6);
        smap_put(&t->commune, f[0], t->n);
        t->pop[t->n] = atoll(f[5]);
        t->total += t->pop[t->n++];
    }
    fclose(in);
    free(p);
    p = path_of("insee/passage-cog-2025.csv");
    in = fopen(p, "r");
    assert_non_null(in);
    assert_non_null(fgets(line, sizeof line, in));
    while (fgets(line, sizeof line, in)) {
        split(line, f, 8);
        int c = smap_get(&t->commune, f[1]);
        if (c >= 0)
            smap_put(&t->passage, f[0], c);
    }
    fclose(in);
    free(p);
}

static int current(const tables *t, const char *code)
{
    int c = smap_get(&t->commune, code);
    return c >= 0 ? c : smap_get(&t->passage, code);
}

static int communes_without_polygon(const tables *t)
{
    const char *layers[] = {"FXX", "GLP", "MTQ", "GUF", "REU", "MYT"};
    char *reached = xcalloc((size_t)t->n, 1);
    GDALAllRegister();
    for (int i = 0; i < 6; i++) {
        char *p = xasprintf("%s/admin-express-cog-2018/COMMUNE_%s.shp", geodata, layers[i]);
        GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR, NULL, NULL, NULL);
        free(p);
        assert_non_null(ds);
        OGRLayerH l = GDALDatasetGetLayer(ds, 0);
        int field = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "INSEE_COM");
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(l)) != NULL) {
            int c = current(t, OGR_F_GetFieldAsString(f, field));
            assert_true(c >= 0);
            reached[c] = 1;
            OGR_F_Destroy(f);
        }
        GDALClose(ds);
    }
    int n = 0;
    for (int i = 0; i < t->n; i++)
        n += !reached[i];
    free(reached);
    return n;
}

/* Runs cptscov run with members file rel (under cpts/) into dir, GeoJSON written by engine,
 * maps in formats (NULL: the default). */
static void run_national_into(const char *members_rel, const char *dir, const char *engine,
                              const char *formats)
{
    const char *layers[] = {"FXX", "GLP", "MTQ", "GUF", "REU", "MYT"};
    char *paths[6];
    char *argv[64];
    int argc = 0;
    argv[argc++] = "cptscov";
    argv[argc++] = "run";
    for (int i = 0; i < 6; i++) {
        paths[i] = xasprintf("%s/admin-express-cog-2018/COMMUNE_%s.shp", geodata, layers[i]);
        argv[argc++] = "--communes";
        argv[argc++] = paths[i];
    }
    char *pop = path_of("insee/populations-2025.csv"), *pas = path_of("insee/passage-cog-2025.csv");
    char *epci = path_of("insee/epci-2025.csv"), *mem = path_of(members_rel);
    argv[argc++] = "--population";
    argv[argc++] = pop;
    argv[argc++] = "--passage";
    argv[argc++] = pas;
    argv[argc++] = "--epci";
    argv[argc++] = epci;
    argv[argc++] = "--members";
    argv[argc++] = mem;
    argv[argc++] = "--out";
    argv[argc++] = (char *)dir;
    argv[argc++] = "--geojson-engine";
    argv[argc++] = (char *)engine;
    argv[argc++] = "--quiet";
    if (formats) {
        argv[argc++] = "--format";
        argv[argc++] = (char *)formats;
    }
    run_options o;
    assert_int_equal(opt_parse(&o, argc, argv, 2), 0);
    int rc = run_job(&o);
    if (rc != 0)
        fail_msg("cptscov run failed: %s", diag_message());
    opt_free(&o);
    for (int i = 0; i < 6; i++)
        free(paths[i]);
    free(pop);
    free(pas);
    free(epci);
    free(mem);
}

static void run_national(const char *members_rel)
{
    run_national_into(members_rel, outdir, "stream", NULL);
}

static json_t *load_summary(void)
{
    char *p = xasprintf("%s/summary.json", outdir);
    json_error_t err;
    json_t *j = json_load_file(p, 0, &err);
    free(p);
    assert_non_null(j);
    return j;
}

/* How many rows of join_issues.csv have that kind. */
static int count_issues(const char *kind)
{
    char *p = xasprintf("%s/join_issues.csv", outdir);
    FILE *in = fopen(p, "r");
    free(p);
    assert_non_null(in);
    char line[8192], pattern[64];
    snprintf(pattern, sizeof pattern, ",%s,", kind);
    int n = 0;
    while (fgets(line, sizeof line, in))
        n += strstr(line, pattern) != NULL;
    fclose(in);
    return n;
}

static void test_synthetic_national(void **state)
{
    tables *t = *state;
    run_national("cpts/cpts-synthetic-national.csv");
    json_t *s = load_summary();
    json_t *nat = json_object_get(s, "national");
    assert_int_equal(json_integer_value(json_object_get(nat, "communes")), t->n);
    assert_int_equal(json_integer_value(json_object_get(nat, "population")), t->total);

    /* Covered population, computed here from the tables. */
    char line[4096], *f[8];
    char *p = path_of("cpts/cpts-synthetic-national.csv");
    FILE *in = fopen(p, "r");
    free(p);
    assert_non_null(in);
    assert_non_null(fgets(line, sizeof line, in));
    char *covered = xcalloc((size_t)t->n, 1);
    while (fgets(line, sizeof line, in)) {
        assert_int_equal(split(line, f, 8), 5);
        int c = current(t, f[2]);
        assert_true(c >= 0);
        if (strcmp(f[3], "signed") == 0)
            covered[c] = 1;
    }
    fclose(in);
    int64_t cov = 0;
    for (int i = 0; i < t->n; i++)
        if (covered[i])
            cov += t->pop[i];
    free(covered);
    assert_int_equal(json_integer_value(json_object_get(nat, "covered_population")), cov);
    double pct = json_real_value(json_object_get(nat, "covered_pct"));
    /* summary.json gives 4 decimals. */
    assert_true(pct > 100.0 * (double)cov / (double)t->total - 5.1e-5);
    assert_true(pct < 100.0 * (double)cov / (double)t->total + 5.1e-5);
    /* Every polygon finds its current commune through the passage table. */
    assert_int_equal(count_issues("unmatched_geometry"), 0);
    /* The communes that no polygon code reaches, counted here with OGR and the passage
     * table: the 94 of the overseas collectivities, and the few re-created after 2018. */
    assert_int_equal(json_integer_value(json_object_get(nat, "communes_without_polygon")),
                     communes_without_polygon(t));
    json_decref(s);

    /* Every map is there and GDAL opens it. */
    const char *maps[] = {"communes", "cpts", "departments", "regions", "uncovered"};
    for (int i = 0; i < 5; i++) {
        char *m = xasprintf("%s/%s.geojson", outdir, maps[i]);
        assert_int_equal(access(m, R_OK), 0);
        free(m);
    }
}

/* A seed CPTS's population as the test computes it from the tables. */
static int64_t seed_population(const tables *t, const char *id, int *ncommunes)
{
    char line[4096], *f[8];
    char *p = path_of("cpts/cpts-seeds.csv");
    FILE *in = fopen(p, "r");
    free(p);
    assert_non_null(in);
    assert_non_null(fgets(line, sizeof line, in));
    char *in_cpts = xcalloc((size_t)t->n, 1);
    while (fgets(line, sizeof line, in)) {
        split(line, f, 8);
        if (strcmp(f[0], id) != 0)
            continue;
        int c = current(t, f[2]);
        assert_true(c >= 0);
        in_cpts[c] = 1;
    }
    fclose(in);
    int64_t pop = 0;
    *ncommunes = 0;
    for (int i = 0; i < t->n; i++)
        if (in_cpts[i]) {
            pop += t->pop[i];
            (*ncommunes)++;
        }
    free(in_cpts);
    return pop;
}

static void test_seeds(void **state)
{
    tables *t = *state;
    run_national("cpts/cpts-seeds.csv");
    char *p = xasprintf("%s/coverage_cpts.csv", outdir);
    FILE *in = fopen(p, "r");
    free(p);
    assert_non_null(in);
    char line[8192];
    assert_non_null(fgets(line, sizeof line, in));
    assert_true(strncmp(line, "cpts_id,", 8) == 0);
    int seen = 0;
    while (fgets(line, sizeof line, in)) {
        /* cpts_id,name,status,signed_on,counts,population,covered_population,covered_pct,communes */
        char *cells[16];
        int n = 0;
        cells[n++] = line;
        for (char *q = line; *q && n < 16; q++)
            if (*q == ',') {
                *q = '\0';
                cells[n++] = q + 1;
            }
        assert_true(n >= 9);
        int ncom;
        int64_t expected = seed_population(t, cells[0], &ncom);
        assert_int_equal(atoll(cells[5]), expected);
        assert_int_equal(atoi(cells[8]), ncom);
        seen++;
    }
    fclose(in);
    assert_int_equal(seen, 3);
}

/* The streaming writer gives, on the whole country, the features GDAL's driver gives. */
static void test_engines_national(void **state)
{
    (void)state;
    const char *gdal_out = "build/test-national-gdal";
    run_national_into("cpts/cpts-synthetic-national.csv", outdir, "stream", NULL);
    run_national_into("cpts/cpts-synthetic-national.csv", gdal_out, "gdal", NULL);
    const char *maps[] = {"communes", "cpts", "departments", "regions", "uncovered"};
    for (int i = 0; i < 5; i++) {
        char *a = xasprintf("%s/%s.geojson", gdal_out, maps[i]);
        char *b = xasprintf("%s/%s.geojson", outdir, maps[i]);
        char why[512] = "";
        if (cmp_maps(a, b, why, sizeof why) < 0)
            fail_msg("%s: %s", maps[i], why);
        free(a);
        free(b);
    }
}

/* Every format holds, on the whole country, the features of the GeoJSON. */
static void test_formats_national(void **state)
{
    (void)state;
    const char *out = "build/test-national-formats";
    run_national_into("cpts/cpts-synthetic-national.csv", out, "stream", "geojson,gpkg,fgb,shp");
    const char *maps[] = {"communes", "cpts", "departments", "regions", "uncovered"};
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < 5; i++) {
            char *a = xasprintf("%s/%s.geojson", out, maps[i]);
            char *b = f == 0 ? xasprintf("%s/cptscov.gpkg", out)
                    : f == 1 ? xasprintf("%s/%s.fgb", out, maps[i])
                             : xasprintf("%s/shp/%s.shp", out, maps[i]);
            GDALDatasetH da = GDALOpenEx(a, GDAL_OF_VECTOR, NULL, NULL, NULL);
            GDALDatasetH db = GDALOpenEx(b, GDAL_OF_VECTOR, NULL, NULL, NULL);
            assert_non_null(da);
            assert_non_null(db);
            OGRLayerH lb = f == 0 ? GDALDatasetGetLayerByName(db, maps[i]) : GDALDatasetGetLayer(db, 0);
            assert_non_null(lb);
            char why[512] = "";
            /* (the Shapefile's lists too long for a field compare as their first items) */
            long n = cmp_layer_with_geojson(GDALDatasetGetLayer(da, 0), lb, 1.01e-6, why,
                                            sizeof why);
            if (n < 0)
                fail_msg("%s in %s: %s", maps[i], b, why);
            GDALClose(da);
            GDALClose(db);
            free(a);
            free(b);
        }
    }
}

static int setup(void **state)
{
    const char *g = getenv("CPTSCOV_GEODATA");
    snprintf(geodata, sizeof geodata, "%s", g ? g : "../shared/geodata");
    char *probe = path_of("README.md");
    if (access(probe, R_OK) != 0) {
        fprintf(stderr, "test_national: %s is missing; put the shared data beside the project "
                        "or set CPTSCOV_GEODATA\n", probe);
        free(probe);
        return -1;
    }
    free(probe);
    snprintf(outdir, sizeof outdir, "build/test-national-out");
    tables *t = xmalloc(sizeof *t);
    read_tables(t);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tables *t = *state;
    if (!t) /* the setup found no national data: nothing to free */
        return 0;
    smap_free(&t->commune);
    smap_free(&t->passage);
    free(t->pop);
    free(t);
    return 0;
}

int main(void)
{
    CPLSetErrorHandler(CPLQuietErrorHandler);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_national),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_engines_national),
        cmocka_unit_test(test_formats_national),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
