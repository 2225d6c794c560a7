/* test_formats.c -- the maps in every format (GeoPackage, FlatGeobuf, Shapefile) against the
 * GeoJSON, the GeoPackage's tables and QGIS styles, the Shapefile's limits, write failures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_error.h>
#include <cpl_minixml.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "compare_maps.h"
#include "util/diag.h"
#include "write/map_styles.h"
#include "app/options.h"
#include "write/results.h"
#include "app/run.h"
#include "util/util.h"

#define SAMPLE_OUT "build/test-formats"
static const char *const maps[] = {"communes", "cpts", "departments", "regions", "uncovered"};
static const long sample_counts[] = {40, 4, 1, 1, 2};

/* Runs `cptscov run` on the sample in this process, with more arguments (NULL ends). */
static void run_sample(const char *out, ...)
{
    char *argv[40] = {"cptscov", "run", CLI_SAMPLE_ARGS("geodata"), "--out", (char *)out,
                      "--quiet"};
    int argc = 15;
    va_list ap;
    va_start(ap, out);
    for (char *a = va_arg(ap, char *); a && argc < 39; a = va_arg(ap, char *))
        argv[argc++] = a;
    va_end(ap);
    run_options o;
    assert_int_equal(opt_parse(&o, argc, argv, 2), 0);
    if (run_job(&o) != 0)
        fail_msg("run failed: %s", diag_message());
    opt_free(&o);
}

/* The OGR type a field of cptscov type t has when read back from format f: the table of
 * docs/outputs.md ("Field types"). *alt is a second type accepted (a Shapefile's Integer64 narrower
 * than 10 digits reads back as Integer), or the same. */
static OGRFieldType documented_type(map_format f, map_field_type t, OGRFieldSubType *sub,
                                    OGRFieldType *alt)
{
    *sub = OFSTNone;
    OGRFieldType r = OFTString;
    switch (t) {
    case MF_STRING: r = OFTString; break;
    case MF_INT: r = OFTInteger; break;
    case MF_INT64: r = OFTInteger64; break;
    case MF_REAL: r = OFTReal; break;
    case MF_BOOL:
        r = OFTInteger;
        *sub = f == MAP_SHP ? OFSTNone : OFSTBoolean;
        break;
    case MF_DATE: r = f == MAP_FGB ? OFTDateTime : OFTDate; break;
    case MF_DATETIME: r = OFTDateTime; break;
    case MF_STRING_LIST:
        r = OFTString;
        *sub = f == MAP_GPKG ? OFSTJSON : OFSTNone; /* FlatGeobuf: JSON text, no subtype */
        break;
    }
    *alt = f == MAP_SHP && t == MF_INT64 ? OFTInteger : r;
    return r;
}

/* Checks the names and types of the fields of layer l (map i, format f). */
static void check_fields(OGRLayerH l, int i, map_format f)
{
    const map_layout *m = write_maps_layout(i);
    assert_non_null(m);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    assert_int_equal(OGR_FD_GetFieldCount(d), m->nfields);
    for (int k = 0; k < m->nfields; k++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(d, k);
        const char *want = f == MAP_SHP ? mw_shp_name(&m->fields[k]) : m->fields[k].name;
        if (strcmp(OGR_Fld_GetNameRef(fd), want) != 0)
            fail_msg("%s.%s: field %d is %s, not %s", maps[i], mw_format_name(f), k,
                     OGR_Fld_GetNameRef(fd), want);
        OGRFieldSubType sub;
        OGRFieldType alt, type = documented_type(f, m->fields[k].type, &sub, &alt);
        if ((OGR_Fld_GetType(fd) != type && OGR_Fld_GetType(fd) != alt) ||
            OGR_Fld_GetSubType(fd) != sub)
            fail_msg("%s.%s: field %s is %s(%s), not %s(%s)", maps[i], mw_format_name(f), want,
                     OGR_GetFieldTypeName(OGR_Fld_GetType(fd)),
                     OGR_GetFieldSubTypeName(OGR_Fld_GetSubType(fd)),
                     OGR_GetFieldTypeName(type), OGR_GetFieldSubTypeName(sub));
    }
}

/* Compares map i of format f in out with its GeoJSON; returns the features compared. */
static long compare_with_geojson(const char *out, int i, map_format f)
{
    char *gj = xasprintf("%s/%s.geojson", out, maps[i]);
    char *path = f == MAP_GPKG ? xasprintf("%s/cptscov.gpkg", out)
               : f == MAP_FGB  ? xasprintf("%s/%s.fgb", out, maps[i])
                               : xasprintf("%s/shp/%s.shp", out, maps[i]);
    GDALDatasetH a = GDALOpenEx(gj, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH b = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!a || !b)
        fail_msg("cannot open %s", a ? path : gj);
    OGRLayerH lb = f == MAP_GPKG ? GDALDatasetGetLayerByName(b, maps[i])
                                 : GDALDatasetGetLayer(b, 0);
    assert_non_null(lb);
    check_fields(lb, i, f);
    char why[512] = "";
    long n = cmp_layer_with_geojson(GDALDatasetGetLayer(a, 0), lb, 1.01e-6, why, sizeof why);
    if (n < 0)
        fail_msg("%s in %s: %s", maps[i], path, why);
    GDALClose(a);
    GDALClose(b);
    free(gj);
    free(path);
    return n;
}

static void test_every_format_like_geojson(void **state)
{
    (void)state;
    run_sample(SAMPLE_OUT, "--format", "geojson,gpkg", "--format", "fgb,shp", NULL);
    for (int f = MAP_GPKG; f <= MAP_SHP; f++)
        for (int i = 0; i < 5; i++)
            assert_int_equal(compare_with_geojson(SAMPLE_OUT, i, (map_format)f), sample_counts[i]);
}

/* With --simplify, every format carries the same simplified polygons. */
static void test_simplified_formats(void **state)
{
    (void)state;
    const char *out = "build/test-formats-simplified";
    run_sample(out, "--simplify", "200", "--format", "geojson,gpkg,fgb,shp", NULL);
    for (int f = MAP_GPKG; f <= MAP_SHP; f++)
        for (int i = 0; i < 5; i++)
            assert_int_equal(compare_with_geojson(out, i, (map_format)f), sample_counts[i]);
}

/* 1 when files a and b hold the same bytes. */
static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int ca, cb;
    do {
        ca = getc(fa);
        cb = getc(fb);
    } while (ca == cb && ca != EOF);
    fclose(fa);
    fclose(fb);
    return ca == cb;
}

/* A re-run gives the same files in every format (no date of the day in a GeoPackage or a
 * dBase header). */
static void test_rerun_identical(void **state)
{
    (void)state;
    const char *out = "build/test-formats-rerun";
    run_sample(out, "--format", "gpkg,fgb,shp", NULL);
    const char *files[] = {"cptscov.gpkg", "communes.fgb", "uncovered.fgb", "shp/cpts.dbf",
                           "shp/communes.shp"};
    char *copies[5];
    for (int i = 0; i < 5; i++) {
        char *p = xasprintf("%s/%s", out, files[i]);
        copies[i] = xasprintf("build/test-formats-rerun-%d", i);
        assert_int_equal(rename(p, copies[i]), 0);
        free(p);
    }
    run_sample(out, "--format", "gpkg,fgb,shp", NULL);
    for (int i = 0; i < 5; i++) {
        char *p = xasprintf("%s/%s", out, files[i]);
        if (!same_bytes(p, copies[i]))
            fail_msg("%s differs from one run to the next", files[i]);
        free(p);
        free(copies[i]);
    }
}

/* The GeoJSON is the same file with or without the other formats, and without --format. */
static void test_geojson_unchanged(void **state)
{
    (void)state;
    run_sample("build/test-formats-default", NULL);
    for (int i = 0; i < 5; i++) {
        char *a = xasprintf("build/test-formats-default/%s.geojson", maps[i]);
        char *b = xasprintf("%s/%s.geojson", SAMPLE_OUT, maps[i]);
        if (!same_bytes(a, b))
            fail_msg("%s and %s differ", a, b);
        free(a);
        free(b);
    }
    /* Only the GeoJSON by default. */
    assert_int_not_equal(access("build/test-formats-default/cptscov.gpkg", F_OK), 0);
    assert_int_not_equal(access("build/test-formats-default/shp", F_OK), 0);
}

/* Every CSV table is an attribute table of the GeoPackage with the same rows. */
static void test_gpkg_tables(void **state)
{
    (void)state;
    const char *tables[] = {"coverage_departments", "coverage_regions", "coverage_cpts",
                            "coverage_timeline", "join_issues"};
    GDALDatasetH g = GDALOpenEx(SAMPLE_OUT "/cptscov.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(g);
    for (int t = 0; t < 5; t++) {
        char *csv = xasprintf("%s/%s.csv", SAMPLE_OUT, tables[t]);
        GDALDatasetH c = GDALOpenEx(csv, GDAL_OF_VECTOR, NULL, NULL, NULL);
        assert_non_null(c);
        OGRLayerH lc = GDALDatasetGetLayer(c, 0), lg = GDALDatasetGetLayerByName(g, tables[t]);
        assert_non_null(lg);
        assert_int_equal(OGR_L_GetGeomType(lg), wkbNone);
        OGRFeatureDefnH dc = OGR_L_GetLayerDefn(lc), dg = OGR_L_GetLayerDefn(lg);
        assert_int_equal(OGR_FD_GetFieldCount(dc), OGR_FD_GetFieldCount(dg));
        assert_int_equal(OGR_L_GetFeatureCount(lc, TRUE), OGR_L_GetFeatureCount(lg, TRUE));
        assert_true(OGR_L_GetFeatureCount(lg, TRUE) > 0);
        OGRFeatureH a, b;
        while ((a = OGR_L_GetNextFeature(lc)) != NULL) {
            b = OGR_L_GetNextFeature(lg);
            assert_non_null(b);
            for (int i = 0; i < OGR_FD_GetFieldCount(dc); i++) {
                OGRFieldDefnH fd = OGR_FD_GetFieldDefn(dg, i);
                assert_string_equal(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(dc, i)),
                                    OGR_Fld_GetNameRef(fd));
                const char *x = OGR_F_GetFieldAsString(a, i); /* CSV: every cell is text */
                if (!OGR_F_IsFieldSetAndNotNull(b, i)) {
                    assert_string_equal(x, "");
                    continue;
                }
                char ymd[16];
                switch (OGR_Fld_GetType(fd)) {
                case OFTInteger:
                case OFTInteger64:
                    assert_int_equal(atoll(x), OGR_F_GetFieldAsInteger64(b, i));
                    break;
                case OFTReal:
                    assert_float_equal(atof(x), OGR_F_GetFieldAsDouble(b, i), 1e-9);
                    break;
                case OFTDate: {
                    int y, m, d, h, mi, tz;
                    float s;
                    OGR_F_GetFieldAsDateTimeEx(b, i, &y, &m, &d, &h, &mi, &s, &tz);
                    snprintf(ymd, sizeof ymd, "%04d-%02d-%02d", y, m, d);
                    assert_string_equal(x, ymd);
                    break;
                }
                default:
                    assert_string_equal(x, OGR_F_GetFieldAsString(b, i));
                }
            }
            OGR_F_Destroy(a);
            OGR_F_Destroy(b);
        }
        GDALClose(c);
        free(csv);
    }
    /* The tables are GeoPackage attribute tables, the maps features. */
    OGRLayerH sql = GDALDatasetExecuteSQL(g, "SELECT table_name, data_type FROM gpkg_contents "
                                             "ORDER BY table_name", NULL, NULL);
    assert_non_null(sql);
    OGRFeatureH f;
    int attributes = 0, features = 0;
    while ((f = OGR_L_GetNextFeature(sql)) != NULL) {
        const char *type = OGR_F_GetFieldAsString(f, 1);
        attributes += strcmp(type, "attributes") == 0;
        features += strcmp(type, "features") == 0;
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(g, sql);
    assert_int_equal(features, 5);
    assert_int_equal(attributes, 6); /* five tables and layer_styles */
    GDALClose(g);
}

/* The renderer a map's style must have: its type, and a word its attribute holds. */
static void expected_renderer(const char *layer, const char **type, const char **attr)
{
    *attr = NULL;
    if (strcmp(layer, "departments") == 0 || strcmp(layer, "regions") == 0) {
        *type = "graduatedSymbol";
        *attr = "covered_pct";
    } else if (strcmp(layer, "communes") == 0) {
        *type = "categorizedSymbol";
        *attr = "covered";
    } else if (strcmp(layer, "cpts") == 0) {
        *type = "categorizedSymbol";
        *attr = "status";
    } else {
        *type = "singleSymbol";
    }
}

static void test_layer_styles(void **state)
{
    (void)state;
    GDALDatasetH g = GDALOpenEx(SAMPLE_OUT "/cptscov.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(g);
    OGRLayerH l = GDALDatasetGetLayerByName(g, "layer_styles");
    assert_non_null(l);
    const char *columns[] = {"f_table_catalog", "f_table_schema", "f_table_name",
                             "f_geometry_column", "styleName", "styleQML", "styleSLD",
                             "useAsDefault", "description", "owner", "ui", "update_time"};
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    for (int i = 0; i < 12; i++)
        if (OGR_FD_GetFieldIndex(d, columns[i]) < 0)
            fail_msg("layer_styles has no column %s", columns[i]);
    int seen[5] = {0};
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        const char *table = OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "f_table_name"));
        int m = 0;
        while (m < 5 && strcmp(maps[m], table) != 0)
            m++;
        if (m == 5)
            fail_msg("a style for %s, which is no map", table);
        seen[m]++;
        /* The style applies to the map's geometry column, by default. */
        OGRLayerH ml = GDALDatasetGetLayerByName(g, table);
        assert_string_equal(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "f_geometry_column")),
                            OGR_L_GetGeometryColumn(ml));
        assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "useAsDefault")), 1);
        const char *qml = OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "styleQML"));
        CPLXMLNode *root = CPLParseXMLString(qml);
        if (!root)
            fail_msg("the style of %s is not XML: %s", table, CPLGetLastErrorMsg());
        CPLXMLNode *qgis = CPLGetXMLNode(root, "=qgis");
        if (!qgis)
            fail_msg("the style of %s has no <qgis> root", table);
        CPLXMLNode *r = CPLGetXMLNode(qgis, "renderer-v2");
        assert_non_null(r);
        const char *type, *attr;
        expected_renderer(table, &type, &attr);
        assert_string_equal(CPLGetXMLValue(r, "type", ""), type);
        if (attr)
            assert_non_null(strstr(CPLGetXMLValue(r, "attr", ""), attr));
        /* Every class has its symbol. */
        int nsymbols = 0, nclasses = 0;
        CPLXMLNode *symbols = CPLGetXMLNode(r, "symbols");
        for (CPLXMLNode *c = symbols ? symbols->psChild : NULL; c; c = c->psNext)
            nsymbols += c->eType == CXT_Element && strcmp(c->pszValue, "symbol") == 0;
        const char *classes = strcmp(type, "graduatedSymbol") == 0 ? "ranges" : "categories";
        CPLXMLNode *cl = CPLGetXMLNode(r, classes);
        for (CPLXMLNode *c = cl ? cl->psChild : NULL; c; c = c->psNext)
            nclasses += c->eType == CXT_Element;
        assert_true(nsymbols >= 1);
        if (strcmp(type, "singleSymbol") != 0)
            assert_int_equal(nclasses, nsymbols);
        if (strcmp(type, "graduatedSymbol") == 0) {
            /* The classes cover 0 to 100 %. */
            assert_float_equal(atof(CPLGetXMLValue(cl->psChild, "lower", "")), 0, 1e-9);
            CPLXMLNode *last = cl->psChild;
            while (last->psNext)
                last = last->psNext;
            assert_float_equal(atof(CPLGetXMLValue(last, "upper", "")), 100, 1e-9);
        }
        CPLDestroyXMLNode(root);
        OGR_F_Destroy(f);
    }
    for (int m = 0; m < 5; m++)
        assert_int_equal(seen[m], 1);
    GDALClose(g);
    assert_null(mst_qml("not-a-map"));
}

/* Shapefile: names of 10 characters at most, distinct in a layer, and a .cpg saying UTF-8. */
static void test_shapefile_names(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        const map_layout *m = write_maps_layout(i);
        for (int k = 0; k < m->nfields; k++) {
            const char *name = mw_shp_name(&m->fields[k]);
            if (strlen(name) > 10)
                fail_msg("%s: the Shapefile name %s is longer than 10 characters", m->name, name);
            for (int j = 0; j < k; j++)
                assert_string_not_equal(name, mw_shp_name(&m->fields[j]));
        }
        char *cpg = xasprintf("%s/shp/%s.cpg", SAMPLE_OUT, maps[i]);
        FILE *f = fopen(cpg, "r");
        assert_non_null(f);
        char line[32] = "";
        assert_non_null(fgets(line, sizeof line, f));
        fclose(f);
        assert_int_equal(strncmp(line, "UTF-8", 5), 0);
        free(cpg);
    }
    assert_null(write_maps_layout(5));
}

/* A 10 x 10 grid of communes near Rennes in longitude/latitude, one CPTS on its first
 * column: the uncovered zone has 90 communes, whose codes do not fit in 254 bytes, and the
 * CPTS a name of 300 bytes, "é" (2 bytes) striding byte 251. */
#define GRID "build/test-formats-grid"
static char long_name[512];

static void make_grid(void)
{
    strcpy(long_name, "CPTS de test, "); /* 14 bytes */
    while (strlen(long_name) < 290)
        strcat(long_name, "du Pays de P\xc3\xa9");
    mkdir(GRID, 0777);
    FILE *g = fopen(GRID "/communes.geojson", "w"), *p = fopen(GRID "/population.csv", "w");
    FILE *m = fopen(GRID "/members.csv", "w");
    assert_non_null(g);
    assert_non_null(p);
    assert_non_null(m);
    fputs("{\"type\":\"FeatureCollection\",\"features\":[\n", g);
    fputs("COM;LIBCOM;DEP;REG;PMUN\n", p);
    fputs("cpts_id;cpts_name;insee_com;status;signed_on\n", m);
    for (int j = 0; j < 10; j++)
        for (int i = 0; i < 10; i++) {
            int code = 35001 + j * 10 + i;
            double x = -1.8 + 0.01 * i, y = 48.0 + 0.01 * j;
            fprintf(g, "%s{\"type\":\"Feature\",\"properties\":{\"code\":\"%d\"},\"geometry\":"
                    "{\"type\":\"Polygon\",\"coordinates\":[[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],"
                    "[%.2f,%.2f],[%.2f,%.2f]]]}}\n", code == 35001 ? "" : ",", code, x, y,
                    x + 0.01, y, x + 0.01, y + 0.01, x, y + 0.01, x, y);
            fprintf(p, "%d;Commune %d;35;53;%d\n", code, code, 100 + i);
            if (i == 0)
                fprintf(m, "cpts-ouest;%s;%d;signed;2022-03-01\n", long_name, code);
        }
    fputs("]}\n", g);
    fclose(g);
    fclose(p);
    fclose(m);
}

/* Runs ./cptscov with argv (NULL-terminated) in a child, its files limited to fsize bytes
 * (0: no limit); returns its exit status and its stderr in err (stdout is dropped). */
static int run_child(char *const *argv, long fsize, char *err, size_t size)
{
    const char *errpath = "build/test-formats-stderr";
    int status = cli_spawn(argv, NULL, errpath, (cli_limits){.fsize = fsize});
    char *text = cli_slurp(errpath, NULL);
    assert_non_null(text);
    snprintf(err, size, "%s", text);
    free(text);
    return status;
}

static void test_shapefile_long_list(void **state)
{
    (void)state;
    make_grid();
    char *argv[] = {(char *)cli_program(), "run", "--communes", GRID "/communes.geojson",
                    "--population", GRID "/population.csv", "--members", GRID "/members.csv",
                    "--out", GRID "/out", "--format", "geojson,shp,gpkg", NULL};
    char err[4096];
    int status = run_child(argv, 0, err, sizeof err);
    if (status != 0)
        fail_msg("exit %d: %s", status, err);
    /* Said on stderr, naming the file. */
    assert_non_null(strstr(err, "warning"));
    assert_non_null(strstr(err, "shp/uncovered.shp"));
    assert_null(strstr(err, "shp/communes.shp"));
    GDALDatasetH a = GDALOpenEx(GRID "/out/uncovered.geojson", GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH b = GDALOpenEx(GRID "/out/shp/uncovered.shp", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(a);
    assert_non_null(b);
    OGRFeatureH fa = OGR_L_GetNextFeature(GDALDatasetGetLayer(a, 0));
    OGRFeatureH fb = OGR_L_GetNextFeature(GDALDatasetGetLayer(b, 0));
    assert_non_null(fa);
    assert_non_null(fb);
    int ia = OGR_F_GetFieldIndex(fa, "commune_codes"), ib = OGR_F_GetFieldIndex(fb, "com_codes");
    char **full = OGR_F_GetFieldAsStringList(fa, ia);
    assert_int_equal(CSLCount(full), 90);
    const char *s = OGR_F_GetFieldAsString(fb, ib);
    size_t len = strlen(s);
    assert_true(len <= 254);
    assert_true(len > 254 - 10); /* as many whole codes as fit */
    /* Shortened at an item, and saying so. */
    assert_string_equal(s + len - 4, ",\xe2\x80\xa6");
    char **items = CSLTokenizeString2(s, ",", 0);
    int n = CSLCount(items) - 1;
    assert_true(n > 30 && n < 90);
    for (int i = 0; i < n; i++)
        assert_string_equal(items[i], full[i]);
    CSLDestroy(items);
    OGR_F_Destroy(fa);
    OGR_F_Destroy(fb);
    GDALClose(a);
    GDALClose(b);
    /* A long text is shortened at a character, and said too. */
    assert_non_null(strstr(err, "shp/cpts.shp"));
    a = GDALOpenEx(GRID "/out/shp/cpts.shp", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(a);
    fa = OGR_L_GetNextFeature(GDALDatasetGetLayer(a, 0));
    assert_non_null(fa);
    s = OGR_F_GetFieldAsString(fa, OGR_F_GetFieldIndex(fa, "name"));
    len = strlen(s);
    assert_true(len <= 254 && len >= 250);
    assert_string_equal(s + len - 3, "\xe2\x80\xa6");
    assert_int_equal(strncmp(s, long_name, len - 3), 0);
    assert_true(CPLIsUTF8(s, -1));
    OGR_F_Destroy(fa);
    GDALClose(a);
    /* The GeoPackage keeps the whole list; the Shapefile compares as its first items. */
    assert_int_equal(compare_with_geojson(GRID "/out", 4, MAP_GPKG), 1);
    assert_int_equal(compare_with_geojson(GRID "/out", 4, MAP_SHP), 1);
    assert_int_equal(compare_with_geojson(GRID "/out", 0, MAP_GPKG), 100);
    assert_int_equal(compare_with_geojson(GRID "/out", 1, MAP_SHP), 1);
    assert_int_equal(compare_with_geojson(GRID "/out", 1, MAP_GPKG), 1);
}

/* A write that fails in GDAL (a file size limit the GeoPackage passes) is one line naming
 * the file, exit 1, and the previous output is left as it was. */
static void test_gdal_failure(void **state)
{
    (void)state;
    const char *out = "build/test-formats-fail";
    run_sample(out, NULL);
    char *argv[] = {(char *)cli_program(), "run", CLI_SAMPLE_ARGS("geodata"), "--out",
                    "build/test-formats-fail/", "--format", "geojson,gpkg", NULL};
    char err[4096];
    /* Every GeoJSON of the sample is under 64 KB; the GeoPackage is several times that. The
     * file is named under --out, as the user knows it, not in the temporary directory. */
    int status = run_child(argv, 96 * 1024, err, sizeof err);
    assert_int_equal(status, 1);
    if (strncmp(err, "cptscov: build/test-formats-fail/cptscov.gpkg: ", 47) != 0 ||
        strstr(err, ".tmp-"))
        fail_msg("not the file under --out: %s", err);
    assert_int_equal(strchr(err, '\n') - err, (long)strlen(err) - 1); /* one line */
    /* --out untouched: the earlier output, GeoJSON only, no temporary directory left. */
    assert_int_equal(access("build/test-formats-fail/communes.geojson", F_OK), 0);
    assert_int_not_equal(access("build/test-formats-fail/cptscov.gpkg", F_OK), 0);
    /* An unknown format is a usage error naming the valid ones. */
    char *bad[] = {(char *)cli_program(), "run", "--communes", "geodata/communes.shp",
                   "--population", "geodata/population.csv", "--members", "geodata/members.csv",
                   "--out", (char *)out, "--format", "geojson,kml", NULL};
    assert_int_equal(run_child(bad, 0, err, sizeof err), 2);
    assert_non_null(strstr(err, "kml"));
    assert_non_null(strstr(err, "gpkg"));
    assert_non_null(strstr(err, "fgb"));
    assert_non_null(strstr(err, "shp"));
}

/* The same failure in a scenario of a batch: the file under OUT/NAME/, in the line that says
 * which scenario failed. */
static void test_gdal_failure_batch(void **state)
{
    (void)state;
    const char *ini = "build/test-formats-batch.ini";
    cli_rm_tree("build/test-formats-batch");
    cli_spit(ini, "[inputs]\ncommunes = ../geodata/communes.shp\n"
                  "population = ../geodata/population.csv\npassage = ../geodata/passage.csv\n"
                  "members = ../geodata/members.csv\nepci = ../geodata/epci.csv\n\n"
                  "[scenario web]\n\n[scenario gis]\nformats = geojson, gpkg\n");
    char *argv[] = {(char *)cli_program(), "batch", (char *)ini, "--out",
                    "build/test-formats-batch", "--quiet", "-j1", NULL};
    char err[4096];
    assert_int_equal(run_child(argv, 96 * 1024, err, sizeof err), 1);
    const char *want = "cptscov: build/test-formats-batch.ini:10: scenario gis failed: "
                       "build/test-formats-batch/gis/cptscov.gpkg: ";
    if (!strstr(err, want) || strstr(err, ".tmp-"))
        fail_msg("not the file under OUT/gis: %s", err);
    assert_int_equal(access("build/test-formats-batch/web/communes.geojson", F_OK), 0);
    assert_int_not_equal(access("build/test-formats-batch/gis", F_OK), 0);
}

int main(void)
{
    CPLSetErrorHandler(CPLQuietErrorHandler);
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_format_like_geojson),
        cmocka_unit_test(test_simplified_formats),
        cmocka_unit_test(test_rerun_identical),
        cmocka_unit_test(test_geojson_unchanged),
        cmocka_unit_test(test_gpkg_tables),
        cmocka_unit_test(test_layer_styles),
        cmocka_unit_test(test_shapefile_names),
        cmocka_unit_test(test_shapefile_long_list),
        cmocka_unit_test(test_gdal_failure),
        cmocka_unit_test(test_gdal_failure_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
