/* test_cli.c -- the cptscov program as a user runs it: exit statuses, the one error line,
 * the output directory written whole or not at all, and the sample's figures.
 * Runs the built ./cptscov (tests run from the project root) on geodata/ and on small broken
 * inputs written here; each run's stdout and stderr go to files in a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <geos_c.h>
#include <jansson.h>
#include <math.h>
#include <ogr_api.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/numfmt.h"

#include "cli_run.h"

#define PROGRAM cli_program()

static const char *const output_files[] = {
    "coverage_departments.csv", "coverage_regions.csv", "coverage_cpts.csv", "join_issues.csv",
    "summary.json", "communes.geojson", "cpts.geojson", "departments.geojson", "regions.geojson",
    "uncovered.geojson", "coverage_timeline.csv", "report.md", "report.html", "maps",
};
#define NOUTPUTS (sizeof output_files / sizeof output_files[0])

static char root[256]; /* the temporary directory of this program */

/* A new directory under root, for one test. */
static char *test_dir(const char *name)
{
    char *d = cli_path(root, name);
    assert_int_equal(mkdir(d, 0755), 0);
    return d;
}

/* Runs `cptscov run` on the sample into out, with up to four more arguments (NULL ends). */
static cli_result run_sample(const char *out, const char *x1, const char *x2, const char *x3,
                             const char *x4)
{
    const char *args[CLI_MAX_ARGS + 1] = {"run", CLI_SAMPLE_ARGS("geodata"), "--out", out};
    int n = 13;
    const char *extra[4] = {x1, x2, x3, x4};
    for (int i = 0; i < 4 && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    return cli_run_in(root, "run", args, (cli_limits){0});
}

/* 1 when s is exactly one line ending with a newline. */
static int one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl && nl > s && nl[1] == '\0';
}

static json_t *load_summary(const char *out)
{
    char *p = cli_path(out, "summary.json");
    json_error_t e;
    json_t *j = json_load_file(p, 0, &e);
    if (!j)
        fail_msg("%s:%d: %s", p, e.line, e.text);
    free(p);
    return j;
}

static json_int_t national_int(json_t *summary, const char *key)
{
    json_t *v = json_object_get(json_object_get(summary, "national"), key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* Splits a CSV line (commas, double quotes) in place; returns the number of fields. */
static int csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *w = line, *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        f[n++] = w;
        int quoted = *p == '"';
        if (quoted)
            p++;
        while (*p) {
            if (quoted && *p == '"' && p[1] == '"') {
                *w++ = '"';
                p += 2;
            } else if (quoted && *p == '"') {
                quoted = 0;
                p++;
            } else if (!quoted && *p == ',') {
                break;
            } else {
                *w++ = *p++;
            }
        }
        int more = *p == ',';
        *w++ = '\0';
        if (!more)
            break;
        w = ++p;
    }
    return n;
}

/* The cell of column col in the row whose first field is key, in CSV file path (a copy). */
static char *csv_cell(const char *path, const char *key, const char *col)
{
    char *text = cli_slurp(path, NULL);
    assert_non_null(text);
    char *save = NULL, *hdr[32], *f[32];
    char *line = strtok_r(text, "\n", &save);
    assert_non_null(line);
    int nh = csv_split(line, hdr, 32), c = -1;
    for (int i = 0; i < nh; i++)
        if (strcmp(hdr[i], col) == 0)
            c = i;
    if (c < 0)
        fail_msg("%s: no column %s", path, col);
    char *cell = NULL;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        int nf = csv_split(line, f, 32);
        if (nf > c && strcmp(f[0], key) == 0) {
            cell = strdup(f[c]);
            break;
        }
    }
    free(text);
    if (!cell)
        fail_msg("%s: no row %s", path, key);
    return cell;
}

static long csv_long(const char *out, const char *file, const char *key, const char *col)
{
    char *p = cli_path(out, file);
    char *cell = csv_cell(p, key, col);
    long v = strtol(cell, NULL, 10);
    free(cell);
    free(p);
    return v;
}

static int setup(void **state)
{
    (void)state;
    if (access(PROGRAM, X_OK) != 0) {
        fprintf(stderr, "%s not built: run make cptscov (from the project root)\n", PROGRAM);
        return -1;
    }
    if (cli_make_root(root, sizeof root, "cli") < 0)
        return -1;
    GDALAllRegister();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cli_rm_tree(root);
    return 0;
}

static void test_sample(void **state)
{
    (void)state;
    char *dir = test_dir("sample");
    char *out = cli_path(dir, "out");
    cli_result r = run_sample(out, NULL, NULL, NULL, NULL);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    for (size_t i = 0; i < NOUTPUTS; i++) {
        char *p = cli_path(out, output_files[i]);
        if (!cli_exists(p))
            fail_msg("%s missing", p);
        free(p);
    }
    assert_int_equal(cli_count_entries(out, ""), (int)NOUTPUTS);
    assert_int_equal(cli_count_entries(dir, "."), 0); /* no temporary directory left beside it */
    assert_non_null(strstr(r.out, "covered: 45533 of 57094 inhabitants (79.75 %)"));
    json_t *s = load_summary(out);
    assert_string_equal(json_string_value(json_object_get(s, "generator")), "cptscov");
    assert_int_equal(national_int(s, "population"), 57094);
    assert_int_equal(national_int(s, "covered_population"), 45533);
    assert_int_equal(national_int(s, "communes"), 40);
    assert_int_equal(national_int(s, "covered_communes"), 21);
    assert_int_equal(national_int(s, "cpts_counting"), 2);
    double pct = json_number_value(json_object_get(json_object_get(s, "national"), "covered_pct"));
    assert_true(fabs(pct - 79.75) < 0.005);
    json_t *zones = json_object_get(s, "uncovered_zones");
    assert_int_equal(json_integer_value(json_object_get(zones, "count")), 2);
    json_decref(s);
    /* The per-CPTS table of geodata/README.md. */
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-nord", "communes"), 12);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-nord", "population"), 31577);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-est", "communes"), 10);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-est", "population"), 14140);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-landes", "communes"), 6);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-landes", "population"), 3478);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-sud", "communes"), 9);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-sud", "population"), 5915);
    assert_int_equal(csv_long(out, "coverage_departments.csv", "99", "population"), 57094);
    assert_int_equal(csv_long(out, "coverage_departments.csv", "99", "covered_population"),
                     45533);
    assert_int_equal(csv_long(out, "coverage_regions.csv", "99", "covered_population"), 45533);
    /* Every map opens with GDAL; the counts of features are known. */
    static const struct { const char *file; long features; } maps[] = {
        {"communes.geojson", 40}, {"cpts.geojson", 4}, {"departments.geojson", 1},
        {"regions.geojson", 1}, {"uncovered.geojson", 2},
    };
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        char *p = cli_path(out, maps[i].file);
        GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        if (!ds)
            fail_msg("GDAL cannot open %s", p);
        assert_int_equal(GDALDatasetGetLayerCount(ds), 1);
        OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
        if (OGR_L_GetFeatureCount(layer, 1) != maps[i].features)
            fail_msg("%s: %lld features, expected %ld", p,
                     (long long)OGR_L_GetFeatureCount(layer, 1), maps[i].features);
        OGRFeatureH feat;
        while ((feat = OGR_L_GetNextFeature(layer)) != NULL) {
            assert_non_null(OGR_F_GetGeometryRef(feat));
            OGR_F_Destroy(feat);
        }
        GDALClose(ds);
        free(p);
    }
    cli_result_free(&r);
    free(out);
    free(dir);
}

/* Commune polygons in a GeoPackage, and maps asked in it: cptscov registers GDAL's drivers
 * other than Shapefile and CSV only when a file or a format needs them (gdal_drivers.c);
 * the run gives what the shapefile's gives. */
static void test_geopackage_input(void **state)
{
    (void)state;
    char *dir = test_dir("gpkg-input");
    char *gpkg = cli_path(dir, "communes.gpkg"), *out = cli_path(dir, "out");
    char *ref = cli_path(dir, "ref");
    GDALDatasetH src = GDALOpenEx("geodata/communes.shp", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(src);
    char *topts[] = {"-f", "GPKG", NULL};
    GDALVectorTranslateOptions *vo = GDALVectorTranslateOptionsNew(topts, NULL);
    GDALDatasetH dst = GDALVectorTranslate(gpkg, NULL, 1, &src, vo, NULL);
    assert_non_null(dst);
    GDALClose(dst);
    GDALVectorTranslateOptionsFree(vo);
    GDALClose(src);
    cli_result r = cli_run(root, "run", "--communes", gpkg, "--population",
                           "geodata/population.csv", "--passage", "geodata/passage.csv",
                           "--members", "geodata/members.csv", "--epci", "geodata/epci.csv",
                           "--out", out, "--format", "geojson,gpkg,fgb", NULL);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    cli_result_free(&r);
    r = run_sample(ref, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    static const char *const same[] = {"communes.geojson", "cpts.geojson",
                                       "coverage_departments.csv", "coverage_cpts.csv"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char *a = cli_path(out, same[i]), *b = cli_path(ref, same[i]);
        cli_same_bytes(a, b);
        free(a);
        free(b);
    }
    char *g = cli_path(out, "cptscov.gpkg"), *f = cli_path(out, "communes.fgb");
    assert_true(cli_exists(g));
    assert_true(cli_exists(f));
    free(g);
    free(f);
    free(ref);
    free(out);
    free(gpkg);
    free(dir);
}

static void test_rerun_is_identical(void **state)
{
    (void)state;
    char *dir = test_dir("rerun");
    char *out = cli_path(dir, "out");
    cli_result r = run_sample(out, "--quiet", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    cli_result_free(&r);
    char *first[NOUTPUTS];
    size_t len[NOUTPUTS];
    for (size_t i = 0; i < NOUTPUTS; i++) {
        char *p = cli_path(out, output_files[i]);
        first[i] = cli_slurp(p, &len[i]);
        assert_non_null(first[i]);
        free(p);
    }
    r = run_sample(out, "--quiet", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    assert_int_equal(cli_count_entries(out, ""), (int)NOUTPUTS);
    assert_int_equal(cli_count_entries(dir, "."), 0);
    for (size_t i = 0; i < NOUTPUTS; i++) {
        char *p = cli_path(out, output_files[i]);
        size_t n2 = 0;
        char *second = cli_slurp(p, &n2);
        assert_non_null(second);
        if (n2 != len[i] || memcmp(first[i], second, n2) != 0)
            fail_msg("%s differs between two runs", p);
        free(second);
        free(first[i]);
        free(p);
    }
    free(out);
    free(dir);
}

/* The points of an OGR geometry, its parts included. */
static long count_points(OGRGeometryH g)
{
    long n = OGR_G_GetPointCount(g);
    for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
        n += count_points(OGR_G_GetGeometryRef(g, i));
    return n;
}

/* --simplify 100: the same features with the same attributes, valid geometries with fewer
 * points, the tolerance in summary.json, the figures unchanged. */
static void test_simplify(void **state)
{
    (void)state;
    char *dir = test_dir("simplify");
    char *exact = cli_path(dir, "exact"), *simple = cli_path(dir, "simple");
    cli_result r = run_sample(exact, "--quiet", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    r = run_sample(simple, "--quiet", "--simplify", "100", NULL);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    cli_result_free(&r);
    static const char *const maps[] = {"communes.geojson", "cpts.geojson", "departments.geojson",
                                       "regions.geojson", "uncovered.geojson"};
    long points_exact = 0, points_simple = 0;
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++) {
        char *pa = cli_path(exact, maps[m]), *pb = cli_path(simple, maps[m]);
        GDALDatasetH da = GDALOpenEx(pa, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        GDALDatasetH db = GDALOpenEx(pb, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        assert_non_null(da);
        assert_non_null(db);
        OGRLayerH la = GDALDatasetGetLayer(da, 0), lb = GDALDatasetGetLayer(db, 0);
        assert_int_equal(OGR_L_GetFeatureCount(la, 1), OGR_L_GetFeatureCount(lb, 1));
        OGRFeatureH fa, fb;
        while ((fa = OGR_L_GetNextFeature(la)) != NULL) {
            fb = OGR_L_GetNextFeature(lb);
            assert_non_null(fb);
            int nf = OGR_F_GetFieldCount(fa);
            assert_int_equal(OGR_F_GetFieldCount(fb), nf);
            for (int i = 0; i < nf; i++)
                if (strcmp(OGR_F_GetFieldAsString(fa, i), OGR_F_GetFieldAsString(fb, i)) != 0)
                    fail_msg("%s: field %d: %s and %s", maps[m], i,
                             OGR_F_GetFieldAsString(fa, i), OGR_F_GetFieldAsString(fb, i));
            OGRGeometryH gb = OGR_F_GetGeometryRef(fb);
            assert_non_null(gb);
            if (!OGR_G_IsValid(gb))
                fail_msg("%s: feature %s: invalid simplified geometry", maps[m],
                         OGR_F_GetFieldAsString(fb, 0));
            points_exact += count_points(OGR_F_GetGeometryRef(fa));
            points_simple += count_points(gb);
            OGR_F_Destroy(fa);
            OGR_F_Destroy(fb);
        }
        GDALClose(da);
        GDALClose(db);
        free(pa);
        free(pb);
    }
    print_message("sample maps: %ld points exact, %ld at 100 m\n", points_exact, points_simple);
    assert_true(points_simple < points_exact);
    json_t *se = load_summary(exact), *ss = load_summary(simple);
    assert_null(json_object_get(se, "maps"));
    json_t *tol = json_object_get(json_object_get(ss, "maps"), "simplify_m");
    assert_true(json_is_number(tol));
    assert_true(json_number_value(tol) == 100.0);
    assert_true(json_equal(json_object_get(se, "national"), json_object_get(ss, "national")));
    assert_true(json_equal(json_object_get(se, "regions"), json_object_get(ss, "regions")));
    json_decref(se);
    json_decref(ss);
    free(exact);
    free(simple);
    free(dir);
}

static void test_status_forms(void **state)
{
    (void)state;
    char *dir = test_dir("status");
    char *a = cli_path(dir, "comma"), *b = cli_path(dir, "repeated");
    cli_result r = run_sample(a, "--status", "signed,project", "--quiet", NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    r = run_sample(b, "--status", "signed", "--status", "project");
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    json_t *sa = load_summary(a), *sb = load_summary(b);
    /* cpts-landes (project, 3478 inhabitants, none covered by a signed CPTS) now counts. */
    assert_int_equal(national_int(sa, "covered_population"), 45533 + 3478);
    assert_int_equal(national_int(sb, "covered_population"), 45533 + 3478);
    assert_int_equal(national_int(sa, "cpts_counting"), 3);
    assert_int_equal(national_int(sb, "cpts_counting"), 3);
    assert_true(json_equal(json_object_get(sa, "rule"), json_object_get(sb, "rule")));
    json_decref(sa);
    json_decref(sb);
    /* The tables are the same byte for byte. */
    for (size_t i = 0; i < 4; i++) {
        char *pa = cli_path(a, output_files[i]), *pb = cli_path(b, output_files[i]);
        cli_same_bytes(pa, pb);
        free(pa);
        free(pb);
    }
    free(a);
    free(b);
    free(dir);
}

static void test_as_of(void **state)
{
    (void)state;
    char *dir = test_dir("as-of");
    char *out = cli_path(dir, "out");
    cli_result r = run_sample(out, "--as-of", "2022-01-01", "--quiet", NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    json_t *s = load_summary(out);
    assert_int_equal(national_int(s, "cpts_counting"), 1);
    assert_int_equal(national_int(s, "covered_population"), 31577);
    json_decref(s);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-nord", "counts"), 1);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-est", "counts"), 0);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-landes", "counts"), 0);
    assert_int_equal(csv_long(out, "coverage_cpts.csv", "cpts-sud", "counts"), 0);
    free(out);
    free(dir);
}

static void test_strict(void **state)
{
    (void)state;
    char *dir = test_dir("strict");
    char *out = cli_path(dir, "out");
    cli_result r = run_sample(out, "--strict", NULL, NULL, NULL);
    assert_int_equal(r.status, 1);
    if (!one_line(r.err))
        fail_msg("stderr is not one line: %s", r.err);
    assert_int_equal(strncmp(r.err, "cptscov: ", 9), 0);
    assert_non_null(strstr(r.err, "--strict"));
    assert_false(cli_exists(out));
    assert_int_equal(cli_count_entries(dir, ""), 0);
    cli_result_free(&r);
    free(out);
    free(dir);
}

static void test_usage_errors(void **state)
{
    (void)state;
    char *dir = test_dir("usage");
    char *out = cli_path(dir, "out");
    /* No --members. */
    cli_result r = cli_run(root, "run", "--communes", "geodata/communes.shp", "--population",
                           "geodata/population.csv", "--out", out, NULL);
    assert_int_equal(r.status, 2);
    if (!one_line(r.err))
        fail_msg("stderr is not one line: %s", r.err);
    assert_int_equal(strncmp(r.err, "cptscov: ", 9), 0);
    assert_non_null(strstr(r.err, "--members"));
    assert_string_equal(r.out, "");
    cli_result_free(&r);
    /* An unknown option. */
    r = run_sample(out, "--no-such-option", NULL, NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    assert_int_equal(strncmp(r.err, "cptscov: ", 9), 0);
    assert_non_null(strstr(r.err, "--no-such-option"));
    cli_result_free(&r);
    /* An option without its value. */
    r = run_sample(out, "--as-of", NULL, NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    cli_result_free(&r);
    /* A status that is none. */
    r = run_sample(out, "--status", "signed,maybe", NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    assert_non_null(strstr(r.err, "maybe"));
    cli_result_free(&r);
    /* A --status that names nothing would otherwise silently mean the default. */
    r = run_sample(out, "--status", ",", NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    cli_result_free(&r);
    /* An empty --out (an unset variable in a script) is a usage error, found before the work. */
    r = run_sample("", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    assert_non_null(strstr(r.err, "--out"));
    cli_result_free(&r);
    /* A date that does not exist. */
    r = run_sample(out, "--as-of", "2023-02-30", NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    cli_result_free(&r);
    /* A language the report is not written in. */
    r = run_sample(out, "--lang", "de", NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    assert_non_null(strstr(r.err, "--lang"));
    cli_result_free(&r);
    /* No command. */
    r = cli_run(root, "--out", out, NULL);
    assert_int_equal(r.status, 2);
    assert_true(one_line(r.err));
    cli_result_free(&r);
    assert_int_equal(cli_count_entries(dir, ""), 0);
    free(out);
    free(dir);
}

static void test_missing_population_file(void **state)
{
    (void)state;
    char *dir = test_dir("missing");
    char *out = cli_path(dir, "out"), *pop = cli_path(dir, "no-such-population.csv");
    cli_result r = cli_run(root, "run", "--communes", "geodata/communes.shp", "--population", pop,
                           "--members", "geodata/members.csv", "--out", out, NULL);
    assert_int_equal(r.status, 1);
    if (!one_line(r.err))
        fail_msg("stderr is not one line: %s", r.err);
    char *prefix = NULL;
    assert_true(asprintf(&prefix, "cptscov: %s: ", pop) > 0);
    if (strncmp(r.err, prefix, strlen(prefix)) != 0)
        fail_msg("stderr does not start with \"%s\": %s", prefix, r.err);
    free(prefix);
    assert_false(cli_exists(out));
    assert_int_equal(cli_count_entries(dir, ".out.tmp-"), 0);
    assert_int_equal(cli_count_entries(dir, ""), 0);
    cli_result_free(&r);
    free(pop);
    free(out);
    free(dir);
}

static void test_bad_population_line(void **state)
{
    (void)state;
    char *dir = test_dir("bad-population");
    char *out = cli_path(dir, "out"), *pop = cli_path(dir, "population.csv");
    cli_spit(pop, "COM;LIBCOM;DEP;REG;PMUN\n"
                  "99001;Saint-Aubin-des-Fougerais;99;99;936\n"
                  "99002;Le Plessis-Brûlé;99;99;deux cents\n"
                  "99003;Kerhervé-en-Landes;99;99;381\n");
    cli_result r = cli_run(root, "run", "--communes", "geodata/communes.shp", "--population", pop,
                           "--members", "geodata/members.csv", "--out", out, NULL);
    assert_int_equal(r.status, 1);
    if (!one_line(r.err))
        fail_msg("stderr is not one line: %s", r.err);
    char *where = NULL;
    assert_true(asprintf(&where, "cptscov: %s:3: ", pop) > 0);
    if (strncmp(r.err, where, strlen(where)) != 0)
        fail_msg("stderr does not start with \"%s\": %s", where, r.err);
    free(where);
    assert_non_null(strstr(r.err, "deux cents"));
    assert_false(cli_exists(out));
    assert_int_equal(cli_count_entries(dir, "."), 0);
    cli_result_free(&r);
    free(pop);
    free(out);
    free(dir);
}

static void test_out_is_a_file(void **state)
{
    (void)state;
    char *dir = test_dir("out-file");
    char *out = cli_path(dir, "out");
    cli_spit(out, "not a directory\n");
    cli_result r = run_sample(out, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 1);
    assert_true(one_line(r.err));
    assert_int_equal(strncmp(r.err, "cptscov: ", 9), 0);
    char *text = cli_slurp(out, NULL);
    assert_string_equal(text, "not a directory\n");
    free(text);
    assert_int_equal(cli_count_entries(dir, ""), 1);
    cli_result_free(&r);
    free(out);
    free(dir);
}

static void test_out_is_someone_elses_directory(void **state)
{
    (void)state;
    char *dir = test_dir("out-foreign");
    char *out = cli_path(dir, "home");
    assert_int_equal(mkdir(out, 0755), 0);
    char *notes = cli_path(out, "notes.txt");
    cli_spit(notes, "precious\n");
    /* Even one named like an output, without the summary of cptscov, is not replaced. */
    char *fake = cli_path(out, "summary.json");
    cli_spit(fake, "{\"generator\": \"someone else\"}\n");
    cli_result r = run_sample(out, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 1);
    assert_true(one_line(r.err));
    assert_int_equal(strncmp(r.err, "cptscov: ", 9), 0);
    char *text = cli_slurp(notes, NULL);
    assert_non_null(text);
    assert_string_equal(text, "precious\n");
    free(text);
    text = cli_slurp(fake, NULL);
    assert_string_equal(text, "{\"generator\": \"someone else\"}\n");
    free(text);
    assert_int_equal(cli_count_entries(out, ""), 2);
    assert_int_equal(cli_count_entries(dir, ""), 1); /* no temporary directory beside it */
    cli_result_free(&r);
    free(fake);
    free(notes);
    free(out);
    free(dir);
}

static void test_out_previous_output_replaced(void **state)
{
    (void)state;
    char *dir = test_dir("out-previous");
    char *out = cli_path(dir, "out");
    cli_result r = run_sample(out, "--quiet", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    char *stale = cli_path(out, "stale.txt");
    cli_spit(stale, "from before\n");
    /* A different rule, so that the new summary is seen to be the new one. */
    r = run_sample(out, "--status", "signed,project", "--quiet", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    cli_result_free(&r);
    assert_false(cli_exists(stale));
    assert_int_equal(cli_count_entries(out, ""), (int)NOUTPUTS);
    assert_int_equal(cli_count_entries(dir, ""), 1);
    json_t *s = load_summary(out);
    assert_int_equal(national_int(s, "covered_population"), 49011);
    json_decref(s);
    /* An empty directory is taken too, and a trailing slash is the same directory. */
    char *empty = cli_path(dir, "empty");
    assert_int_equal(mkdir(empty, 0755), 0);
    char *slashed = cli_path(empty, "");
    r = run_sample(slashed, "--quiet", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    assert_int_equal(cli_count_entries(empty, ""), (int)NOUTPUTS);
    assert_int_equal(cli_count_entries(dir, ""), 2);
    free(slashed);
    free(empty);
    free(stale);
    free(out);
    free(dir);
}

static void test_out_is_a_link_to_previous_output(void **state)
{
    (void)state;
    char *dir = test_dir("out-link");
    char *real = cli_path(dir, "real"), *link = cli_path(dir, "link");
    cli_result r = run_sample(real, "--quiet", NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    assert_int_equal(symlink("real", link), 0);
    r = run_sample(link, "--status", "signed,project", "--quiet", NULL);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    cli_result_free(&r);
    /* The link is kept, the output it points to replaced, nothing left beside them. */
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(cli_count_entries(real, ""), (int)NOUTPUTS);
    assert_int_equal(cli_count_entries(dir, ""), 2);
    json_t *s = load_summary(real);
    assert_int_equal(national_int(s, "covered_population"), 49011);
    json_decref(s);
    /* A link to nowhere is refused, and stays as it was. */
    char *dangling = cli_path(dir, "dangling");
    assert_int_equal(symlink("nowhere", dangling), 0);
    r = run_sample(dangling, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 1);
    assert_true(one_line(r.err));
    cli_result_free(&r);
    assert_int_equal(lstat(dangling, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(cli_count_entries(dir, ""), 3);
    free(dangling);
    free(link);
    free(real);
    free(dir);
}

/* Fails unless help names every file under dir (prefix: dir's path under --out), a map's as
 * NAME.EXT (shp/NAME.shp stands for the Shapefile's other files too); the number of files
 * and directories checked. */
static int assert_help_names(const char *help, const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *full = cli_path(dir, e->d_name), *rel = cli_fmt("%s%s", prefix, e->d_name);
        struct stat st;
        assert_int_equal(stat(full, &st), 0);
        const char *ext = strrchr(e->d_name, '.');
        char *as_map = cli_fmt("%sNAME%s", prefix, ext ? ext : "");
        if (S_ISDIR(st.st_mode)) {
            char *sub = cli_fmt("%s/", rel);
            if (!strstr(help, sub))
                fail_msg("--help does not name the directory %s", sub);
            n += 1 + assert_help_names(help, full, sub);
            free(sub);
        } else if (strcmp(prefix, "shp/") == 0 && (!ext || strcmp(ext, ".shp") != 0)) {
            n++; /* a side file of a Shapefile */
        } else {
            if (!strstr(help, rel) && !strstr(help, as_map))
                fail_msg("--help does not name %s (nor %s)", rel, as_map);
            n++;
        }
        free(as_map);
        free(full);
        free(rel);
    }
    closedir(d);
    return n;
}

static void test_help_lists_every_option(void **state)
{
    (void)state;
    cli_result r = cli_run(root, "--help", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    /* Every option of the table in src/app/options.c, as written there: {"--name", ... */
    char *src = cli_slurp("src/app/options.c", NULL);
    assert_non_null(src);
    int found = 0;
    for (char *p = strstr(src, "{\"--"); p; p = strstr(p + 1, "{\"--")) {
        char name[64];
        size_t n = strcspn(p + 2, "\"");
        assert_true(n < sizeof name);
        memcpy(name, p + 2, n);
        name[n] = '\0';
        char line[80];
        snprintf(line, sizeof line, "\n  %s", name);
        if (!strstr(r.out, line))
            fail_msg("--help does not describe %s", name);
        found++;
    }
    assert_true(found >= 20);
    free(src);
    /* Every file of an output in every format. */
    char *out = cli_path(root, "help-outputs");
    cli_result all = run_sample(out, "--format", "geojson,gpkg,fgb,shp", "--quiet", NULL);
    assert_int_equal(all.status, 0);
    cli_result_free(&all);
    assert_true(assert_help_names(r.out, out, "") >= 40);
    free(out);
    cli_result_free(&r);
    /* The same for `cptscov run --help`. */
    r = cli_run(root, "run", "--help", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--members"));
    cli_result_free(&r);
}

static void test_version(void **state)
{
    (void)state;
    cli_result r = cli_run(root, "--version", NULL);
    assert_int_equal(r.status, 0);
    char line[256];
    snprintf(line, sizeof line, "\nGDAL %s\n", GDALVersionInfo("RELEASE_NAME"));
    if (!strstr(r.out, line))
        fail_msg("no \"%s\" in: %s", line + 1, r.out);
    snprintf(line, sizeof line, "\nGEOS %s\n", GEOSversion());
    if (!strstr(r.out, line))
        fail_msg("no \"%s\" in: %s", line + 1, r.out);
    snprintf(line, sizeof line, "\nPROJ %s\n", proj_info().version);
    if (!strstr(r.out, line))
        fail_msg("no \"%s\" in: %s", line + 1, r.out);
    assert_int_equal(strncmp(r.out, "cptscov ", 8), 0);
    cli_result_free(&r);
}

#define assert_has(text, s) \
    do { if (!strstr((text), (s))) fail_msg("no \"%s\" in:\n%s", (s), (text)); } while (0)

/* Formatted as report.md formats them. */
static const char *fmt_int(report_lang lang, json_int_t v)
{
    static char buf[8][64];
    static int next;
    next = (next + 1) % 8;
    return nfmt_int(lang, v, buf[next], sizeof buf[next]);
}

static const char *fmt_pct(report_lang lang, double v)
{
    static char buf[8][64];
    static int next;
    next = (next + 1) % 8;
    return nfmt_pct(lang, v, 1, buf[next], sizeof buf[next]);
}

/* report.md of the sample, in both languages, holds the figures of summary.json, and
 * coverage_timeline.csv ends on them when --as-of is given. */
static void test_report_md(void **state)
{
    (void)state;
    char *dir = test_dir("report-md");
    char *fr = cli_path(dir, "fr"), *en = cli_path(dir, "en");
    cli_result r = run_sample(fr, "--as-of", "2024-04-16", "--quiet", NULL);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    r = run_sample(en, "--as-of", "2024-04-16", "--lang=en", "--quiet");
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    json_t *s = load_summary(fr);
    json_t *nat = json_object_get(s, "national");
    double pct = json_number_value(json_object_get(nat, "covered_pct"));
    for (int lang = LANG_FR; lang <= LANG_EN; lang++) {
        char *p = cli_path(lang == LANG_FR ? fr : en, "report.md");
        char *md = cli_slurp(p, NULL);
        assert_non_null(md);
        char want[256];
        snprintf(want, sizeof want, lang == LANG_FR ? "**%s habitants** sur %s" :
                 "**%s inhabitants** of %s", fmt_int(lang, national_int(s, "covered_population")),
                 fmt_int(lang, national_int(s, "population")));
        assert_has(md, want);
        snprintf(want, sizeof want, "**%s**", fmt_pct(lang, pct));
        assert_has(md, want);
        snprintf(want, sizeof want, lang == LANG_FR ? "au %s" : "as of %s",
                 lang == LANG_FR ? "16 avril 2024" : "16 April 2024");
        assert_has(md, want);
        snprintf(want, sizeof want, "%s %s %s", fmt_int(lang, national_int(s, "cpts_counting")),
                 lang == LANG_FR ? "sur" : "of", fmt_int(lang, national_int(s, "cpts")));
        assert_has(md, want);
        json_t *reg;
        size_t i;
        json_array_foreach(json_object_get(s, "regions"), i, reg) {
            snprintf(want, sizeof want, "| **%s** | **%s** | %s | %s | **%s** |",
                     json_string_value(json_object_get(reg, "reg")),
                     json_string_value(json_object_get(reg, "name")),
                     fmt_int(lang, json_integer_value(json_object_get(reg, "population"))),
                     fmt_int(lang, json_integer_value(json_object_get(reg, "covered_population"))),
                     fmt_pct(lang, json_number_value(json_object_get(reg, "covered_pct"))));
            assert_has(md, want);
        }
        json_t *zones = json_object_get(s, "uncovered_zones"), *z;
        json_array_foreach(json_object_get(zones, "largest"), i, z) {
            snprintf(want, sizeof want, "\n| %zu | %s | %s |", i + 1,
                     fmt_int(lang, json_integer_value(json_object_get(z, "population"))),
                     fmt_int(lang, json_integer_value(json_object_get(z, "communes"))));
            assert_has(md, want);
        }
        json_t *issues = json_object_get(s, "join_issues"), *count;
        const char *kind;
        json_object_foreach(json_object_get(issues, "by_kind"), kind, count) {
            snprintf(want, sizeof want, "| `%s` | %s |", kind,
                     fmt_int(lang, json_integer_value(count)));
            assert_has(md, want);
        }
        /* The last point of the timeline is as_of, with the headline's figures. */
        snprintf(want, sizeof want, "| %s | %s | %s | %s |\n\n",
                 lang == LANG_FR ? "16 avril 2024" : "16 April 2024",
                 fmt_int(lang, national_int(s, "covered_population")), fmt_pct(lang, pct),
                 fmt_int(lang, national_int(s, "cpts_counting")));
        assert_has(md, want);
        assert_has(md, lang == LANG_FR ? "## Zones non couvertes" : "## Uncovered zones");
        assert_null(strstr(md, lang == LANG_FR ? "## Uncovered zones" : "## Zones non couvertes"));
        free(md);
        free(p);
    }
    /* coverage_timeline.csv: its last national row is the summary's. */
    char *p = cli_path(fr, "coverage_timeline.csv");
    char *csv = cli_slurp(p, NULL);
    assert_non_null(csv);
    char want[256];
    snprintf(want, sizeof want, "\n2024-04-16,nation,,,%lld,%lld,%.4f,%lld\n",
             (long long)national_int(s, "population"),
             (long long)national_int(s, "covered_population"), pct,
             (long long)national_int(s, "cpts_counting"));
    assert_has(csv, want);
    assert_has(csv, "date,level,code,name,population,covered_population,covered_pct,"
                    "cpts_counting\n2021-06-30,nation,");
    free(csv);
    free(p);
    json_decref(s);
    free(fr);
    free(en);
    free(dir);
}

/* A CPTS name made to break Markdown and HTML is shown escaped in report.md. */
static void test_report_md_hostile_name(void **state)
{
    (void)state;
    char *dir = test_dir("report-md-hostile");
    char *members = cli_path(dir, "members.csv"), *out = cli_path(dir, "out");
    char *text = cli_slurp("geodata/members.csv", NULL);
    assert_non_null(text);
    /* Every row of cpts-nord gets the new name (a quoted CSV cell: ; and " inside). */
    const char *from = ";CPTS du Nord Val-de-Brume;";
    const char *to = ";\"Nord | <img src=x onerror=alert(1)> **gras** [lien](javascript:x) "
                     "\"\"q\"\";\";";
    size_t nf = strlen(from), nt = strlen(to);
    char *edited = malloc(strlen(text) * 4 + 1), *w = edited;
    assert_non_null(edited);
    int replaced = 0;
    for (const char *p = text; *p;) {
        if (strncmp(p, from, nf) == 0) {
            memcpy(w, to, nt);
            w += nt;
            p += nf;
            replaced++;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    assert_true(replaced > 5);
    cli_spit(members, edited);
    cli_result r =
        cli_run(root, "run", "--communes", "geodata/communes.shp", "--population",
                "geodata/population.csv", "--passage", "geodata/passage.csv", "--members", members,
                "--epci", "geodata/epci.csv", "--out", out, "--quiet", NULL);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    cli_result_free(&r);
    char *p = cli_path(out, "report.md");
    char *md = cli_slurp(p, NULL);
    assert_non_null(md);
    assert_has(md, "Nord \\| \\<img src=x onerror=alert(1)\\> \\*\\*gras\\*\\* "
                   "\\[lien\\](javascript:x) \"q\";");
    assert_null(strstr(md, " <img")); /* only "\\<img" */
    assert_null(strstr(md, "**gras**"));
    free(md);
    free(p);
    free(edited);
    free(text);
    free(members);
    free(out);
    free(dir);
}

/* docs/cptscov.1 is what --man prints today: `make man` after changing an option. */
static void test_man_page_current(void **state)
{
    (void)state;
    cli_result r = cli_run(root, "--man", NULL);
    assert_int_equal(r.status, 0);
    char *page = cli_slurp("docs/cptscov.1", NULL);
    assert_non_null(page);
    if (strcmp(page, r.out) != 0)
        fail_msg("docs/cptscov.1 is out of date: run `make man`");
    free(page);
    cli_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_rerun_is_identical),
        cmocka_unit_test(test_geopackage_input),
        cmocka_unit_test(test_simplify),
        cmocka_unit_test(test_status_forms),
        cmocka_unit_test(test_as_of),
        cmocka_unit_test(test_strict),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_missing_population_file),
        cmocka_unit_test(test_bad_population_line),
        cmocka_unit_test(test_out_is_a_file),
        cmocka_unit_test(test_out_is_someone_elses_directory),
        cmocka_unit_test(test_out_previous_output_replaced),
        cmocka_unit_test(test_out_is_a_link_to_previous_output),
        cmocka_unit_test(test_help_lists_every_option),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_man_page_current),
        cmocka_unit_test(test_report_md),
        cmocka_unit_test(test_report_md_hostile_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
