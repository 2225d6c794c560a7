/* test_writers.c -- the CSV tables, summary.json and the GeoJSON maps of a run.
 * A 4 x 3 grid whose results are filled by hand is written out and read back.
 *
 * The coverage report, the shapes and the zones are made here, not by coverage.c or zones.c,
 * so that these tests check the writers alone: what goes in is known, what comes out must be
 * exactly it. The grid (fixtures.h), codes 35001..35012, row by row:
 *     35009 35010 35011 35012     35010 has no polygon; 35012 is wound clockwise
 *     35005 35006 35007 35008     covered: 35001 35002 35005 (CPTS A, which counts)
 *     35001 35002 35003 35004     departments: 35 in the two left columns, 22 elsewhere */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_error.h>
#include <cpl_string.h>
#include <dirent.h>
#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <unistd.h>

#include "write/csv_write.h"
#include "fixtures.h"
#include "write/results.h"

#define HYPERLINK_NAME "=HYPERLINK(\"http://x.example/\",\"clic\")"

/* Everything a run would hand to the writers, and the temporary output directory. */
typedef struct run {
    GEOSContextHandle_t h;
    commune_table t;
    coverage_report cov;
    shape *cpts_shapes, *department_shapes, *region_shapes;
    zone_list zones;
    join_issues issues;
    input_file inputs[2];
    run_results r;
    char dir[64];
} run;

/* A shape holding the union of the polygons of those communes (none: an empty shape). */
static void make_shape(run *w, const char *const *codes, int n, shape *s)
{
    s->nlayers = 1;
    s->by_layer = xcalloc(1, sizeof *s->by_layer);
    GEOSGeometry *parts[16];
    unsigned np = 0;
    for (int i = 0; i < n; i++) {
        const commune *c = &w->t.communes[ctab_find_commune(&w->t, codes[i])];
        if (c->geom)
            parts[np++] = GEOSGeom_clone_r(w->h, c->geom);
    }
    if (np == 0)
        return;
    GEOSGeometry *coll = GEOSGeom_createCollection_r(w->h, GEOS_MULTIPOLYGON, parts, np);
    s->by_layer[0] = GEOSUnaryUnion_r(w->h, coll);
    GEOSGeom_destroy_r(w->h, coll);
}

static void free_shape(run *w, shape *s)
{
    if (s->by_layer[0])
        GEOSGeom_destroy_r(w->h, s->by_layer[0]);
    free(s->by_layer);
}

static coverage_figures figures(int64_t pop, int64_t covpop, int n, int ncov, int nopoly,
                                double area, double covarea)
{
    coverage_figures f = {pop, covpop, n, ncov, nopoly, area, covarea};
    return f;
}

static int *indices(run *w, const char *const *codes, int n)
{
    int *idx = xmalloc((size_t)n * sizeof *idx);
    for (int i = 0; i < n; i++)
        idx[i] = ctab_find_commune(&w->t, codes[i]);
    return idx;
}

static const char *const dep22[] = {"35003", "35004", "35007", "35008", "35011", "35012"};
static const char *const dep35[] = {"35001", "35002", "35005", "35006", "35009", "35010"};
static const char *const zone1[] = {"35003", "35004", "35006", "35007",
                                    "35008", "35011", "35012"};
static const char *const zone2[] = {"35009"};

static int setup(void **state)
{
    run *w = xcalloc(1, sizeof *w);
    w->h = GEOS_init_r();
    commune_table *t = &w->t;
    fix_grid(t, w->h, 4, 3);

    /* 35010 has no polygon; 35012 is wound clockwise. */
    commune *c10 = &t->communes[ctab_find_commune(t, "35010")];
    GEOSGeom_destroy_r(w->h, c10->geom);
    c10->geom = NULL;
    c10->layer = -1;
    c10->parts = 0;
    c10->area_km2 = 0;
    commune *c12 = &t->communes[ctab_find_commune(t, "35012")];
    GEOSGeometry *cw = GEOSReverse_r(w->h, c12->geom);
    GEOSGeom_destroy_r(w->h, c12->geom);
    c12->geom = cw;

    const char *a[] = {"35001", "35002", "35005"};
    const char *b[] = {"35002", "35006"};
    const char *c[] = {"35003", "35010"};
    const char *d[] = {"35010"};
    int ka = fix_cpts(t, "A", STATUS_SIGNED, 20240416, a, 3);
    int kb = fix_cpts(t, "B", STATUS_PROJECT, 0, b, 2);
    int kc = fix_cpts(t, "C", STATUS_LETTER, 0, c, 2);
    int kd = fix_cpts(t, "D", STATUS_LETTER, 0, d, 1);
    free(t->cpts[ka].name);
    t->cpts[ka].name = xstrdup(HYPERLINK_NAME);
    free(t->cpts[kb].name);
    t->cpts[kb].name = xstrdup("Maison \"Santé\", Nord");
    free(t->cpts[kc].name);
    t->cpts[kc].name = xstrdup("-1+2");
    free(t->cpts[kd].name);
    t->cpts[kd].name = xstrdup("Sans polygone");
    coverage_report *cov = &w->cov;
    cov->counts = xcalloc(4, 1);
    cov->covered = xcalloc((size_t)t->ncommunes, 1);
    cov->counts[ka] = 1;
    for (int i = 0; i < 3; i++)
        cov->covered[ctab_find_commune(t, a[i])] = 1;
    cov->rule.status[STATUS_SIGNED] = 1;
    cov->rule.as_of = 20250101;
    cov->nation = figures(7800, 800, 12, 3, 1, 11.0, 3.0);
    cov->cpts_counting = 1;
    cov->by_cpts = xcalloc(4, sizeof *cov->by_cpts);
    cov->by_cpts[ka] = figures(800, 800, 3, 3, 0, 3.0, 3.0);
    cov->by_cpts[kb] = figures(800, 200, 2, 1, 0, 2.0, 1.0);
    cov->by_cpts[kc] = figures(1300, 0, 2, 0, 1, 1.0, 0.0);
    cov->by_cpts[kd] = figures(1000, 0, 1, 0, 1, 0.0, 0.0);
    cov->ndepartments = 2;
    cov->departments = xcalloc(2, sizeof *cov->departments);
    strcpy(cov->departments[0].code, "22");
    cov->departments[0].name = "Côtes-d'Armor";
    strcpy(cov->departments[0].reg, "53");
    cov->departments[0].fig = figures(4500, 0, 6, 0, 0, 6.0, 0.0);
    strcpy(cov->departments[1].code, "35");
    cov->departments[1].name = "Ille-et-Vilaine";
    strcpy(cov->departments[1].reg, "53");
    cov->departments[1].fig = figures(3300, 800, 6, 3, 1, 5.0, 3.0);
    cov->nregions = 1;
    cov->regions = xcalloc(1, sizeof *cov->regions);
    strcpy(cov->regions[0].code, "53");
    cov->regions[0].name = "Bretagne";
    cov->regions[0].fig = cov->nation;

    w->cpts_shapes = xcalloc(4, sizeof *w->cpts_shapes);
    make_shape(w, a, 3, &w->cpts_shapes[ka]);
    make_shape(w, b, 2, &w->cpts_shapes[kb]);
    make_shape(w, c, 2, &w->cpts_shapes[kc]);
    make_shape(w, d, 1, &w->cpts_shapes[kd]);
    w->department_shapes = xcalloc(2, sizeof *w->department_shapes);
    make_shape(w, dep22, 6, &w->department_shapes[0]);
    make_shape(w, dep35, 6, &w->department_shapes[1]);
    const char *all[12];
    for (int i = 0; i < 12; i++)
        all[i] = t->communes[i].code;
    w->region_shapes = xcalloc(1, sizeof *w->region_shapes);
    make_shape(w, all, 12, &w->region_shapes[0]);

    w->zones.n = 2;
    w->zones.zones = xcalloc(2, sizeof *w->zones.zones);
    uncovered_zone *z1 = &w->zones.zones[0];
    z1->ncommunes = 7;
    z1->communes = indices(w, zone1, 7);
    z1->population = 5100;
    z1->area_km2 = 7.0;
    z1->ndepartments = 2;
    z1->departments = xcalloc(2, sizeof *z1->departments);
    strcpy(z1->departments[0], "22");
    strcpy(z1->departments[1], "35");
    z1->nbordering = 1;
    z1->bordering_cpts = xmalloc(sizeof(int));
    z1->bordering_cpts[0] = ka;
    z1->npending = 2;
    z1->pending_cpts = xmalloc(2 * sizeof(int));
    z1->pending_cpts[0] = kb;
    z1->pending_cpts[1] = kc;
    make_shape(w, zone1, 7, &z1->shape);
    uncovered_zone *z2 = &w->zones.zones[1];
    z2->ncommunes = 1;
    z2->communes = indices(w, zone2, 1);
    z2->population = 900;
    z2->area_km2 = 1.0;
    z2->ndepartments = 1;
    z2->departments = xcalloc(1, sizeof *z2->departments);
    strcpy(z2->departments[0], "35");
    z2->nbordering = 1;
    z2->bordering_cpts = xmalloc(sizeof(int));
    z2->bordering_cpts[0] = ka;
    make_shape(w, zone2, 1, &z2->shape);

    jis_init(&w->issues);
    jis_add(&w->issues, "members.csv", 12, "35999", "unknown_code",
            "commune 35999 is not in the population table");
    jis_add(&w->issues, "passage.csv", 0, "", "repaired_code", "code \"35 1\", repaired");
    jis_add(&w->issues, "members.csv", 14, "=35998", "unknown_code", "again");

    w->inputs[0] = (input_file){"population", "population.csv", 12};
    w->inputs[1] = (input_file){"members", "members.csv", 8};

    w->r.table = t;
    w->r.coverage = cov;
    w->r.cpts_shapes = w->cpts_shapes;
    w->r.department_shapes = w->department_shapes;
    w->r.region_shapes = w->region_shapes;
    w->r.zones = &w->zones;
    w->r.issues = &w->issues;
    w->r.inputs = w->inputs;
    w->r.ninputs = 2;

    strcpy(w->dir, "/tmp/cptscov-test-XXXXXX");
    if (!mkdtemp(w->dir))
        return -1;
    diag_clear();
    *state = w;
    return 0;
}

/* Removes the files of the temporary directory, then the directory. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    run *w = *state;
    remove_dir(w->dir);
    for (int k = 0; k < 4; k++)
        free_shape(w, &w->cpts_shapes[k]);
    for (int i = 0; i < 2; i++)
        free_shape(w, &w->department_shapes[i]);
    free_shape(w, &w->region_shapes[0]);
    free(w->cpts_shapes);
    free(w->department_shapes);
    free(w->region_shapes);
    for (int z = 0; z < w->zones.n; z++) {
        uncovered_zone *zn = &w->zones.zones[z];
        free(zn->communes);
        free(zn->departments);
        free(zn->bordering_cpts);
        free(zn->pending_cpts);
        free_shape(w, &zn->shape);
    }
    free(w->zones.zones);
    free(w->cov.by_cpts);
    free(w->cov.counts);
    free(w->cov.covered);
    free(w->cov.departments);
    free(w->cov.regions);
    jis_free(&w->issues);
    ctab_free(&w->t);
    GEOS_finish_r(w->h);
    free(w);
    diag_clear();
    return 0;
}

/* The whole content of dir/name, NUL-terminated. */
static char *slurp(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    free(path);
    assert_non_null(f);
    char *s = NULL;
    size_t n = 0, cap = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF) {
        if (n + 1 >= cap) {
            cap = cap ? 2 * cap : 4096;
            s = xrealloc(s, cap);
        }
        s[n++] = (char)ch;
    }
    fclose(f);
    s = xrealloc(s, n + 1);
    s[n] = '\0';
    return s;
}

static void test_tables(void **state)
{
    run *w = *state;
    assert_int_equal(write_tables(w->dir, &w->r), 0);

    char *deps = slurp(w->dir, "coverage_departments.csv");
    assert_string_equal(deps,
        "dep,name,reg,population,covered_population,covered_pct,communes,covered_communes,"
        "communes_without_polygon,area_km2,covered_area_km2\n"
        "22,Côtes-d'Armor,53,4500,0,0.0000,6,0,0,6.000,0.000\n"
        "35,Ille-et-Vilaine,53,3300,800,24.2424,6,3,1,5.000,3.000\n");
    free(deps);

    char *regs = slurp(w->dir, "coverage_regions.csv");
    assert_string_equal(regs,
        "reg,name,population,covered_population,covered_pct,communes,covered_communes,"
        "communes_without_polygon,area_km2,covered_area_km2\n"
        "53,Bretagne,7800,800,10.2564,12,3,1,11.000,3.000\n");
    free(regs);

    char *cp = slurp(w->dir, "coverage_cpts.csv");
    assert_string_equal(cp,
        "cpts_id,name,status,signed_on,counts,population,covered_population,covered_pct,"
        "communes,covered_communes,area_km2,departments,shared_communes\n"
        /* A formula comes out as text; its quotes and comma make the cell quoted. */
        "A,\"'=HYPERLINK(\"\"http://x.example/\"\",\"\"clic\"\")\",signed,2024-04-16,1,"
        "800,800,100.0000,3,3,3.000,35,1\n"
        "B,\"Maison \"\"Santé\"\", Nord\",project,,0,800,200,25.0000,2,1,2.000,35,1\n"
        "C,'-1+2,letter,,0,1300,0,0.0000,2,0,1.000,22 35,1\n"
        "D,Sans polygone,letter,,0,1000,0,0.0000,1,0,0.000,35,1\n");
    free(cp);

    char *ji = slurp(w->dir, "join_issues.csv");
    assert_string_equal(ji,
        "file,line,code,kind,message\n"
        "members.csv,12,35999,unknown_code,commune 35999 is not in the population table\n"
        "passage.csv,,,repaired_code,\"code \"\"35 1\"\", repaired\"\n"
        "members.csv,14,'=35998,unknown_code,again\n");
    free(ji);
}

static void test_tables_unwritable(void **state)
{
    run *w = *state;
    char *missing = xasprintf("%s/no/such/dir", w->dir);
    assert_int_equal(write_tables(missing, &w->r), -1);
    assert_non_null(diag_message());
    assert_non_null(strstr(diag_message(), "coverage_departments.csv: cannot write: "));
    assert_non_null(strstr(diag_message(), "check free space and permissions"));
    free(missing);
}

static void test_csv_cells(void **state)
{
    run *w = *state;
    char *path = xasprintf("%s/cells.csv", w->dir);
    csvw c;
    assert_int_equal(csvw_open(&c, path), 0);
    csvw_text(&c, "+33 1 23");
    csvw_text(&c, "@SUM(A1)");
    csvw_text(&c, "\tx");
    csvw_text(&c, "a\nb");
    csvw_text(&c, "");
    csvw_text(&c, NULL);
    csvw_int(&c, -5);
    csvw_fixed(&c, -1.5, 3);
    csvw_end_row(&c);
    csvw_text(&c, "2A");
    csvw_end_row(&c);
    assert_int_equal(csvw_close(&c), 0);
    char *s = slurp(w->dir, "cells.csv");
    assert_string_equal(s, "'+33 1 23,'@SUM(A1),'\tx,\"a\nb\",,,-5,-1.500\n2A\n");
    free(s);
    free(path);
}

/* A header of 40 fields, more than any table has: every name, in order, quoted and guarded
 * as any text. */
static void test_csv_header_many_fields(void **state)
{
    run *w = *state;
    char *path = xasprintf("%s/header.csv", w->dir);
    csvw c;
    map_field fields[40];
    char names[40][16];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], i == 39 ? "=f%d" : "f%d", i);
        fields[i] = (map_field){names[i], MF_STRING, 0, NULL};
    }
    assert_int_equal(csvw_open(&c, path), 0);
    csvw_header(&c, fields, 40);
    assert_int_equal(csvw_close(&c), 0);
    char *s = slurp(w->dir, "header.csv");
    char *want = xstrdup("");
    for (int i = 0; i < 40; i++) {
        char *next = xasprintf("%s%s%s", want, i ? "," : "", i == 39 ? "'=f39" : names[i]);
        free(want);
        want = next;
    }
    char *line = xasprintf("%s\n", want);
    assert_string_equal(s, line);
    free(line);
    free(want);
    free(s);
    free(path);
}

static void test_maps_unwritable(void **state)
{
    run *w = *state;
    char *missing = xasprintf("%s/no/such/dir", w->dir);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    assert_int_equal(write_maps(missing, &w->r), -1);
    CPLPopErrorHandler();
    assert_non_null(diag_message());
    assert_non_null(strstr(diag_message(), "communes.geojson: cannot write: "));
    free(missing);
}

static void test_summary(void **state)
{
    run *w = *state;
    assert_int_equal(write_summary(w->dir, &w->r), 0);
    char *first = slurp(w->dir, "summary.json");
    assert_int_equal(write_summary(w->dir, &w->r), 0);
    char *second = slurp(w->dir, "summary.json");
    assert_string_equal(first, second); /* byte-identical on reruns */
    assert_non_null(strstr(first, "\"covered_pct\": 10.2564,"));
    assert_non_null(strstr(first, "\"area_km2\": 11.0,"));
    /* Keys in the fixed order. */
    const char *order[] = {"\"generator\"", "\"version\"", "\"rule\"", "\"national\"",
                           "\"regions\"", "\"uncovered_zones\"", "\"inputs\"",
                           "\"join_issues\"", "\"libraries\""};
    const char *prev = first;
    for (int i = 0; i < 9; i++) {
        const char *p = strstr(first, order[i]);
        assert_non_null(p);
        assert_true(p >= prev);
        prev = p;
    }

    json_error_t err;
    json_t *root = json_loads(first, 0, &err);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "generator")), "cptscov");
    assert_string_equal(json_string_value(json_object_get(root, "version")), "0.1.0");
    json_t *rule = json_object_get(root, "rule");
    json_t *st = json_object_get(rule, "statuses");
    assert_int_equal(json_array_size(st), 1);
    assert_string_equal(json_string_value(json_array_get(st, 0)), "signed");
    assert_string_equal(json_string_value(json_object_get(rule, "as_of")), "2025-01-01");

    json_t *nat = json_object_get(root, "national");
    assert_true(json_is_integer(json_object_get(nat, "population")));
    assert_int_equal(json_integer_value(json_object_get(nat, "population")), 7800);
    assert_int_equal(json_integer_value(json_object_get(nat, "covered_population")), 800);
    assert_true(json_is_real(json_object_get(nat, "covered_pct")));
    assert_true(fabs(json_real_value(json_object_get(nat, "covered_pct")) - 10.2564) < 1e-9);
    assert_int_equal(json_integer_value(json_object_get(nat, "communes")), 12);
    assert_int_equal(json_integer_value(json_object_get(nat, "communes_without_polygon")), 1);
    assert_int_equal(json_integer_value(json_object_get(nat, "cpts")), 4);
    assert_int_equal(json_integer_value(json_object_get(nat, "cpts_counting")), 1);

    json_t *reg = json_array_get(json_object_get(root, "regions"), 0);
    assert_string_equal(json_string_value(json_object_get(reg, "reg")), "53");
    assert_string_equal(json_string_value(json_object_get(reg, "name")), "Bretagne");
    assert_int_equal(json_integer_value(json_object_get(reg, "covered_communes")), 3);

    json_t *uz = json_object_get(root, "uncovered_zones");
    assert_int_equal(json_integer_value(json_object_get(uz, "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(uz, "population")), 6000);
    json_t *largest = json_object_get(uz, "largest");
    assert_int_equal(json_array_size(largest), 2);
    json_t *z1 = json_array_get(largest, 0);
    assert_int_equal(json_integer_value(json_object_get(z1, "population")), 5100);
    assert_int_equal(json_integer_value(json_object_get(z1, "communes")), 7);
    json_t *zd = json_object_get(z1, "departments");
    assert_int_equal(json_array_size(zd), 2);
    assert_string_equal(json_string_value(json_array_get(zd, 1)), "35");

    json_t *in = json_array_get(json_object_get(root, "inputs"), 1);
    assert_string_equal(json_string_value(json_object_get(in, "kind")), "members");
    assert_string_equal(json_string_value(json_object_get(in, "path")), "members.csv");
    assert_int_equal(json_integer_value(json_object_get(in, "rows")), 8);

    json_t *ji = json_object_get(root, "join_issues");
    assert_int_equal(json_integer_value(json_object_get(ji, "total")), 3);
    json_t *bk = json_object_get(ji, "by_kind");
    assert_int_equal(json_object_size(bk), 2);
    assert_int_equal(json_integer_value(json_object_get(bk, "unknown_code")), 2);
    assert_int_equal(json_integer_value(json_object_get(bk, "repaired_code")), 1);

    json_t *lib = json_object_get(root, "libraries");
    assert_string_equal(json_string_value(json_object_get(lib, "gdal")),
                        GDALVersionInfo("RELEASE_NAME"));
    assert_non_null(json_string_value(json_object_get(lib, "geos")));
    assert_non_null(json_string_value(json_object_get(lib, "proj")));
    json_decref(root);
    free(first);
    free(second);
}

/* 70 kinds of join issue besides the fixture's two, more than a table of 64 held: each
 * is in summary.json with its count, in the order it first appears. */
static void test_summary_many_issue_kinds(void **state)
{
    run *w = *state;
    for (int k = 0; k < 70; k++)
        for (int i = 0; i <= k % 3; i++) {
            char kind[32];
            snprintf(kind, sizeof kind, "kind_%02d", 69 - k);
            jis_add(&w->issues, "members.csv", k + 1, "35001", kind, "issue %d", i);
        }
    assert_int_equal(write_summary(w->dir, &w->r), 0);
    char *text = slurp(w->dir, "summary.json");
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    assert_non_null(root);
    json_t *ji = json_object_get(root, "join_issues");
    assert_int_equal(json_integer_value(json_object_get(ji, "total")), 3 + 139);
    json_t *bk = json_object_get(ji, "by_kind");
    assert_int_equal(json_object_size(bk), 72);
    const char *prev = strstr(text, "\"repaired_code\"");
    assert_non_null(prev);
    for (int k = 0; k < 70; k++) {
        char kind[32];
        snprintf(kind, sizeof kind, "kind_%02d", 69 - k);
        assert_int_equal(json_integer_value(json_object_get(bk, kind)), k % 3 + 1);
        char key[40];
        snprintf(key, sizeof key, "\"%s\"", kind);
        const char *p = strstr(text, key);
        assert_non_null(p);
        assert_true(p > prev);
        prev = p;
    }
    json_decref(root);
    free(text);
}

/* Opens dir/name with the GeoJSON driver; checks it has n features. */
static GDALDatasetH open_map(const char *dir, const char *name, int n)
{
    char *path = xasprintf("%s/%s", dir, name);
    const char *const drivers[] = {"GeoJSON", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    free(path);
    assert_non_null(ds);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 1);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE), n);
    return ds;
}

/* The feature whose string field is value (to be destroyed), or NULL. */
static OGRFeatureH find_feature(GDALDatasetH ds, const char *field, const char *value)
{
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGR_L_ResetReading(l);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        if (strcmp(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, field)), value) == 0)
            return f;
        OGR_F_Destroy(f);
    }
    return NULL;
}

static const char *field_str(OGRFeatureH f, const char *field)
{
    return OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, field));
}

static long long field_int(OGRFeatureH f, const char *field)
{
    return OGR_F_GetFieldAsInteger64(f, OGR_F_GetFieldIndex(f, field));
}

static double field_real(OGRFeatureH f, const char *field)
{
    return OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, field));
}

static char **field_list(OGRFeatureH f, const char *field)
{
    return OGR_F_GetFieldAsStringList(f, OGR_F_GetFieldIndex(f, field));
}

/* Checks that the first exterior ring of f's polygon is counter-clockwise (positive signed
 * area) and lies around Rennes in longitude, latitude order. */
static void check_ring(OGRFeatureH f)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    assert_non_null(g);
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon)
        g = OGR_G_GetGeometryRef(g, 0);
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPolygon);
    OGRGeometryH ring = OGR_G_GetGeometryRef(g, 0);
    int n = OGR_G_GetPointCount(ring);
    assert_true(n >= 4);
    double area2 = 0;
    for (int i = 0; i + 1 < n; i++)
        area2 += OGR_G_GetX(ring, i) * OGR_G_GetY(ring, i + 1) -
                 OGR_G_GetX(ring, i + 1) * OGR_G_GetY(ring, i);
    assert_true(area2 > 0);
    assert_true(OGR_G_GetX(ring, 0) > -2.5 && OGR_G_GetX(ring, 0) < -1.0);
    assert_true(OGR_G_GetY(ring, 0) > 47.5 && OGR_G_GetY(ring, 0) < 48.8);
}

/* The most digits after a decimal point among the numbers of the "coordinates" members. */
static int max_coordinate_decimals(const char *json)
{
    int most = 0;
    const char *p = json;
    while ((p = strstr(p, "\"coordinates\"")) != NULL) {
        const char *end = strchr(p, '}');
        assert_non_null(end);
        for (; p < end; p++) {
            if (*p != '.')
                continue;
            int d = 0;
            while (p[1 + d] >= '0' && p[1 + d] <= '9')
                d++;
            if (d > most)
                most = d;
        }
    }
    return most;
}

static void test_maps(void **state)
{
    run *w = *state;
    assert_int_equal(write_maps(w->dir, &w->r), 0);
    char *before = slurp(w->dir, "uncovered.geojson");
    assert_int_equal(write_maps(w->dir, &w->r), 0); /* a rerun replaces the files */
    char *after = slurp(w->dir, "uncovered.geojson");
    assert_string_equal(before, after);
    free(before);
    free(after);
    const char *names[] = {"communes.geojson", "cpts.geojson", "departments.geojson",
                           "regions.geojson", "uncovered.geojson"};
    for (int i = 0; i < 5; i++) {
        char *s = slurp(w->dir, names[i]);
        assert_int_equal(max_coordinate_decimals(s), 6);
        assert_null(strstr(s, "\"crs\"")); /* RFC 7946: WGS84 only, no crs member */
        free(s);
    }

    /* communes: 11 of the 12 have a polygon. */
    GDALDatasetH ds = open_map(w->dir, "communes.geojson", 11);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(GDALDatasetGetLayer(ds, 0));
    OGRFieldDefnH covered = OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "covered"));
    assert_int_equal(OGR_Fld_GetSubType(covered), OFSTBoolean);
    OGRFieldDefnH cpts = OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "cpts"));
    assert_int_equal(OGR_Fld_GetType(cpts), OFTStringList);
    /* Integer64 when written; the reader makes it Integer when the values fit 32 bits. */
    OGRFieldType pop = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn,
                                       OGR_FD_GetFieldIndex(defn, "population")));
    assert_true(pop == OFTInteger || pop == OFTInteger64);
    assert_null(find_feature(ds, "code", "35010"));
    OGRFeatureH f = find_feature(ds, "code", "35002");
    assert_non_null(f);
    assert_string_equal(field_str(f, "name"), "Commune 1-0");
    assert_string_equal(field_str(f, "dep"), "35");
    assert_string_equal(field_str(f, "reg"), "53");
    assert_int_equal(field_int(f, "population"), 200);
    assert_int_equal(field_int(f, "covered"), 1);
    char **ids = field_list(f, "cpts");
    assert_int_equal(CSLCount(ids), 2);
    assert_string_equal(ids[0], "A");
    assert_string_equal(ids[1], "B");
    assert_true(fabs(field_real(f, "area_km2") - 1.0) < 1e-9);
    check_ring(f);
    OGR_F_Destroy(f);
    f = find_feature(ds, "code", "35012"); /* wound clockwise in the table */
    assert_non_null(f);
    assert_int_equal(field_int(f, "covered"), 0);
    assert_int_equal(CSLCount(field_list(f, "cpts")), 0);
    check_ring(f);
    OGR_F_Destroy(f);
    GDALClose(ds);
    char *s = slurp(w->dir, "communes.geojson");
    assert_non_null(strstr(s, "\"covered\":true"));
    assert_non_null(strstr(s, "\"cpts\":[]"));
    free(s);

    /* cpts: D has no commune with a polygon. The reader would take signed_on for a date:
     * its text is checked in the file. */
    s = slurp(w->dir, "cpts.geojson");
    assert_non_null(strstr(s, "\"signed_on\":\"2024-04-16\""));
    assert_non_null(strstr(s, "\"signed_on\":null"));
    assert_non_null(strstr(s, "\"counts\":false"));
    free(s);
    ds = open_map(w->dir, "cpts.geojson", 3);
    assert_null(find_feature(ds, "cpts_id", "D"));
    f = find_feature(ds, "cpts_id", "A");
    assert_non_null(f);
    assert_string_equal(field_str(f, "name"), HYPERLINK_NAME); /* no CSV prefix in a map */
    assert_string_equal(field_str(f, "status"), "signed");
    assert_int_equal(field_int(f, "counts"), 1);
    assert_int_equal(field_int(f, "communes"), 3);
    assert_int_equal(field_int(f, "population"), 800);
    assert_int_equal(field_int(f, "covered_population"), 800);
    assert_true(fabs(field_real(f, "area_km2") - 3.0) < 1e-9);
    check_ring(f);
    OGR_F_Destroy(f);
    f = find_feature(ds, "cpts_id", "B");
    assert_non_null(f);
    assert_int_equal(field_int(f, "counts"), 0);
    assert_true(OGR_F_IsFieldNull(f, OGR_F_GetFieldIndex(f, "signed_on")));
    OGR_F_Destroy(f);
    GDALClose(ds);

    ds = open_map(w->dir, "departments.geojson", 2);
    f = find_feature(ds, "code", "35");
    assert_non_null(f);
    assert_string_equal(field_str(f, "name"), "Ille-et-Vilaine");
    assert_string_equal(field_str(f, "reg"), "53");
    assert_int_equal(field_int(f, "population"), 3300);
    assert_int_equal(field_int(f, "covered_population"), 800);
    assert_true(fabs(field_real(f, "covered_pct") - 24.2424) < 1e-9);
    assert_int_equal(field_int(f, "communes"), 6);
    assert_int_equal(field_int(f, "covered_communes"), 3);
    check_ring(f);
    OGR_F_Destroy(f);
    GDALClose(ds);

    ds = open_map(w->dir, "regions.geojson", 1);
    f = find_feature(ds, "code", "53");
    assert_non_null(f);
    assert_string_equal(field_str(f, "name"), "Bretagne");
    assert_int_equal(OGR_F_GetFieldIndex(f, "reg"), -1);
    assert_true(fabs(field_real(f, "covered_pct") - 10.2564) < 1e-9);
    check_ring(f);
    OGR_F_Destroy(f);
    GDALClose(ds);

    ds = open_map(w->dir, "uncovered.geojson", 2);
    f = OGR_L_GetNextFeature(GDALDatasetGetLayer(ds, 0)); /* in the zone list order */
    assert_non_null(f);
    assert_int_equal(field_int(f, "rank"), 1);
    assert_int_equal(field_int(f, "population"), 5100);
    assert_true(fabs(field_real(f, "area_km2") - 7.0) < 1e-9);
    assert_int_equal(field_int(f, "communes"), 7);
    char **codes = field_list(f, "commune_codes");
    assert_int_equal(CSLCount(codes), 7);
    assert_string_equal(codes[0], "35003");
    assert_string_equal(codes[6], "35012");
    char **deps = field_list(f, "departments");
    assert_int_equal(CSLCount(deps), 2);
    assert_string_equal(deps[0], "22");
    char **bordering = field_list(f, "bordering_cpts");
    assert_int_equal(CSLCount(bordering), 1);
    assert_string_equal(bordering[0], "A");
    char **pending = field_list(f, "pending_cpts");
    assert_int_equal(CSLCount(pending), 2);
    assert_string_equal(pending[1], "C");
    check_ring(f);
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(GDALDatasetGetLayer(ds, 0));
    assert_non_null(f);
    assert_int_equal(field_int(f, "rank"), 2);
    assert_int_equal(CSLCount(field_list(f, "pending_cpts")), 0);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tables_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_header_many_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary_many_issue_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maps_unwritable, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroy();
    return rc;
}
