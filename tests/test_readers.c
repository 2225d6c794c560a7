/* test_readers.c -- every reader on tiny files written here, whose answers are known by hand.
 * Checks what lands in the commune table, the join issues, and the one-line errors with
 * their FILE:LINE, for the population, passage, EPCI, membership and polygon readers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_error.h>
#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/commune_table.h"
#include "util/diag.h"
#include "fixtures.h"
#include "read/inputs.h"
#include "read/readers.h"
#include "read/table.h"
#include "util/util.h"

static char *tmp_dir;

/* Paths handed out by write_file, freed at the end (read_members keeps the pointer). */
static char *paths[512];
static int npaths;

/* Writes bytes into dir/name; returns the path. */
static const char *write_file(const char *dir, const char *name, const char *bytes)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t n = strlen(bytes);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    assert_true(npaths < (int)(sizeof paths / sizeof paths[0]));
    paths[npaths++] = path;
    return path;
}

/* A path in the temporary directory, without writing it. */
static const char *path_in(const char *name)
{
    char *path = xasprintf("%s/%s", tmp_dir, name);
    assert_true(npaths < (int)(sizeof paths / sizeof paths[0]));
    paths[npaths++] = path;
    return path;
}

/* Number of join issues of that kind. */
static int count_kind(const join_issues *ji, const char *kind)
{
    int n = 0;
    for (int i = 0; i < ji->n; i++)
        n += strcmp(ji->items[i].kind, kind) == 0;
    return n;
}

/* The first join issue of that kind (fails when there is none). */
static const join_issue *issue_of(const join_issues *ji, const char *kind)
{
    for (int i = 0; i < ji->n; i++)
        if (strcmp(ji->items[i].kind, kind) == 0)
            return &ji->items[i];
    fail_msg("no join issue of kind %s among %d", kind, ji->n);
    return NULL;
}

/* The recorded error contains every string given (NULL-terminated). */
static void expect_error(const char *first, ...)
{
    const char *msg = diag_message();
    if (!msg)
        fail_msg("no error recorded, expected one with \"%s\"", first);
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        if (!strstr(msg, s))
            fail_msg("error \"%s\" does not contain \"%s\"", msg, s);
    va_end(ap);
    /* One line. */
    assert_null(strchr(msg, '\n'));
}

/* Everything a reader test needs. */
typedef struct world {
    GEOSContextHandle_t h;
    commune_table t;
    join_issues ji;
} world;

static int world_setup(void **state)
{
    world *w = xcalloc(1, sizeof *w);
    w->h = GEOS_init_r();
    ctab_init(&w->t, w->h);
    jis_init(&w->ji);
    diag_clear();
    *state = w;
    return 0;
}

static int world_teardown(void **state)
{
    world *w = *state;
    ctab_free(&w->t);
    jis_free(&w->ji);
    GEOS_finish_r(w->h);
    free(w);
    return 0;
}

static long read_pop(world *w, const char *name, const char *bytes)
{
    population_columns cols = {NULL, NULL, NULL, NULL};
    return read_population(&w->t, write_file(tmp_dir, name, bytes), &cols, FLD_INSEE_CODES, &w->ji);
}

static const commune *commune_of(const world *w, const char *code)
{
    int i = ctab_find_commune(&w->t, code);
    if (i < 0)
        fail_msg("no commune %s", code);
    return &w->t.communes[i];
}

/* ---- population ---------------------------------------------------------------------- */

/* The two communes every separator test reads. */
static void check_two_communes(world *w)
{
    assert_int_equal(w->t.ncommunes, 2);
    const commune *c = &w->t.communes[0];
    assert_string_equal(c->code, "35238");
    assert_string_equal(c->name, "Rennes");
    assert_string_equal(c->dep, "35");
    assert_string_equal(c->reg, "53");
    assert_true(c->population == 222485);
    assert_int_equal(c->line, 2);
    c = &w->t.communes[1];
    assert_string_equal(c->code, "2A004");
    assert_string_equal(c->name, "Ajaccio");
    assert_string_equal(c->dep, "2A");
    assert_string_equal(c->reg, "94");
    assert_true(c->population == 71361);
    assert_int_equal(c->line, 3);
    assert_int_equal(w->ji.n, 0);
    assert_null(diag_message());
}

/* ---- table.c: the rows as GDAL's CSV driver gives them ---- */

/* Reads path with table.c and with GDAL's CSV driver (the options table.c gives it), and
 * checks that every row has the same cells, present or not; returns whether table.c parsed
 * the rows itself (1) or read the driver's features (0). */
static int table_as_driver(const char *path)
{
    table t;
    if (tbl_open(&t, path) != 0)
        fail_msg("%s: %s", path, diag_message());
    int alone = t.fp != NULL;
    char *name = xasprintf("CSV:%s", path);
    const char *options[] = {"AUTODETECT_TYPE=NO", "HEADERS=YES", "EMPTY_STRING_AS_NULL=NO",
                             "KEEP_GEOM_COLUMNS=YES", NULL};
    GDALDatasetH ds = GDALOpenEx(name, GDAL_OF_VECTOR, NULL, options, NULL);
    free(name);
    assert_non_null(ds);
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(layer)), t.ncols);
    OGRFeatureH f;
    int rows = 0;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        assert_int_equal(tbl_next(&t), 1);
        rows++;
        for (int i = 0; i < t.ncols; i++) {
            assert_int_equal(tbl_has_cell(&t, i), OGR_F_IsFieldSet(f, i));
            const char *want = OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "";
            if (strcmp(tbl_cell(&t, i), want) != 0)
                fail_msg("%s row %d cell %d: \"%s\", GDAL's driver \"%s\"", path, rows, i,
                         tbl_cell(&t, i), want);
        }
        OGR_F_Destroy(f);
    }
    assert_int_equal(tbl_next(&t), 0);
    assert_true(rows > 0);
    GDALClose(ds);
    tbl_close(&t);
    return alone;
}

static void test_table_as_driver(void **state)
{
    (void)state;
    /* Parsed alone: the separator found from the driver's names, whatever it is. */
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t1.csv",
        "code;name;n\n1;\"a;b\";3\n\n2;\"line\nbreak\";\n3;cut\n4;\"\"\"q\"\"\";5;extra\n")), 1);
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t2.csv",
        "\xEF\xBB\xBF\"code\",\"name\"\r\n1,\"x, y\"\r\n2,\r\n")), 1);
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t3.tsv",
        "code\tname\tn\n1\tx y\t2\n2\t\t\n")), 1);
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t4.csv", "code;n\n1,5;2\n3;4,5\n")), 1);
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t5.csv", "a;a;c\n1;2;3\n")), 1);
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t6.csv", "a b c\n1 2 3\n4  5\n")), 1);
    /* Names the driver changed (an empty one, blanks around): its features are read. */
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t8.csv", "a;;c\n1;2;3\n4\n")), 0);
    assert_int_equal(table_as_driver(write_file(tmp_dir, "t9.csv", " a ; b\n 1 ; 2 \n")), 0);
}

static void test_pop_semicolon(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_semi.csv", "COM;LIBCOM;DEP;REG;PMUN\n"
                                                 "35238;Rennes;35;53;222485\n"
                                                 "2A004;Ajaccio;2A;94;71361\n"), 2);
    check_two_communes(w);
}

static void test_pop_comma(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_comma.csv", "COM,LIBCOM,DEP,REG,PMUN\n"
                                                  "35238,Rennes,35,53,222485\n"
                                                  "2A004,Ajaccio,2A,94,71361\n"), 2);
    check_two_communes(w);
}

static void test_pop_tab(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_tab.csv", "COM\tLIBCOM\tDEP\tREG\tPMUN\n"
                                                "35238\tRennes\t35\t53\t222485\n"
                                                "2A004\tAjaccio\t2A\t94\t71361\n"), 2);
    check_two_communes(w);
}

static void test_pop_bom_crlf(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_bom.csv", "\xEF\xBB\xBF" "COM;LIBCOM;DEP;REG;PMUN\r\n"
                                                "35238;Rennes;35;53;222485\r\n"
                                                "2A004;Ajaccio;2A;94;71361\r\n"), 2);
    check_two_communes(w);
    /* And a bad row is found at its line. */
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_bom_bad.csv", "\xEF\xBB\xBF" "COM;DEP;REG;PMUN\r\n"
                                                    "35001;35;53;1\r\n"
                                                    "35002;35;53;2\r\n"
                                                    "35003;35;53;x\r\n"), -1);
    expect_error("pop_bom_bad.csv:4: ", "\"x\"", "35003", NULL);
}

static void test_pop_quoted_newline(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_quoted.csv", "COM;LIBCOM;DEP;REG;PMUN\n"
                                                   "35001;\"Saint-Malo; la\ncité \"\"close\"\"\";35;53;10\n"
                                                   "35002;Dinard;35;53;20\n"), 2);
    assert_string_equal(commune_of(w, "35001")->name, "Saint-Malo; la\ncité \"close\"");
    assert_int_equal(commune_of(w, "35001")->line, 2);
    assert_int_equal(commune_of(w, "35002")->line, 4);
    assert_true(commune_of(w, "35002")->population == 20);

    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_quoted_bad.csv", "COM;LIBCOM;DEP;REG;PMUN\n"
                                                       "35001;\"Saint-Malo; la\ncité\";35;53;10\n"
                                                       "35002;Dinard;35;53;20\n"
                                                       "35003;Bad;35;53;-5\n"), -1);
    expect_error("pop_quoted_bad.csv:5: ", "\"-5\"", "non-negative integer", NULL);

    /* Every cell quoted, as R and pandas write them: rows start with a quote. */
    diag_clear();
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_allquoted.csv", "\"COM\";\"LIBCOM\";\"DEP\";\"REG\";\"PMUN\"\n"
                                                      "\"35001\";\"Un\";\"35\";\"53\";\"1\"\n"
                                                      "\"35002\";\"Deux\n\nlignes\";\"35\";\"53\";\"2\"\n"
                                                      "\n"
                                                      "\"35003\";\"Trois\";\"35\";\"53\";\"3\"\n"
                                                      "\"35004\";\"Quatre\";\"35\";\"53\";\"4.0\"\n"), -1);
    expect_error("pop_allquoted.csv:8: ", "\"4.0\"", NULL);
    assert_int_equal(commune_of(w, "35001")->line, 2);
    assert_int_equal(commune_of(w, "35002")->line, 3);
    assert_int_equal(commune_of(w, "35003")->line, 7);
    assert_string_equal(commune_of(w, "35002")->name, "Deux\n\nlignes");
}

static void test_pop_blank_line(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_blank.csv", "COM;DEP;REG;PMUN\n"
                                                  "35001;35;53;1\n"
                                                  "\n"
                                                  "35002;35;53;2\n"
                                                  "35003;35;53;1.5\n"), -1);
    expect_error("pop_blank.csv:5: ", "\"1.5\"", NULL);
    assert_int_equal(commune_of(w, "35002")->line, 4);

    /* Empty lines of a CRLF file are skipped too; a line of blanks is a row, at its line. */
    diag_clear();
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_blank_crlf.csv", "COM;DEP;REG;PMUN\r\n"
                                                       "\r\n"
                                                       "35001;35;53;1\r\n"
                                                       "\r\n"
                                                       "\r\n"
                                                       "35002;35;53;2\r\n"
                                                       "35003;35;53;;\r\n"
                                                       "35004;35;53;-2\r\n"), -1);
    expect_error("pop_blank_crlf.csv:8: ", "\"-2\"", NULL);
    assert_int_equal(commune_of(w, "35001")->line, 3);
    assert_int_equal(commune_of(w, "35002")->line, 6);
    assert_int_equal(commune_of(w, "35003")->line, 7);
    diag_clear();
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_blanks.csv", "COM;DEP;REG;PMUN\n"
                                                   "35001;35;53;1\n"
                                                   " \t \n"
                                                   "35002;35;53;2\n"), -1);
    expect_error("pop_blanks.csv:3: ", "commune code", NULL);
}

static void test_pop_latin1(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_latin1.csv", "COM;LIBCOM;DEP;REG;PMUN\n"
                                                   "35001;Acign\xE9;35;53;1\n"
                                                   "35002;Rennes;35;53;2\n"
                                                   "35003;P\xE9ron;35;53;3\n"), 3);
    assert_string_equal(commune_of(w, "35001")->name, "Acign\xC3\xA9");
    assert_string_equal(commune_of(w, "35002")->name, "Rennes");
    assert_string_equal(commune_of(w, "35003")->name, "P\xC3\xA9ron");
    assert_int_equal(w->ji.n, 1);
    const join_issue *it = issue_of(&w->ji, "not_utf8");
    assert_int_equal(it->line, 2);
    assert_non_null(strstr(it->message, "2 rows"));
}

static void test_pop_header_only(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_header.csv", "COM;DEP;REG;PMUN\n"), -1);
    expect_error("pop_header.csv:2: ", "no commune", NULL);
    assert_int_equal(w->t.ncommunes, 0);
}

static void test_pop_empty_file(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_empty.csv", ""), -1);
    expect_error("pop_empty.csv:1: ", "empty", NULL);
    diag_clear();
    population_columns cols = {NULL, NULL, NULL, NULL};
    assert_int_equal(read_population(&w->t, path_in("pop_absent.csv"), &cols, FLD_INSEE_CODES,
                                     &w->ji), -1);
    expect_error("pop_absent.csv: ", "cannot read", NULL);
}

static void test_pop_missing_count(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_nocount.csv", "COM;DEP;REG;P21_POP\n35001;35;53;1\n"), -1);
    expect_error("pop_nocount.csv:1: ", "--pop-count", "PMUN", NULL);
    diag_clear();
    assert_int_equal(read_pop(w, "pop_nodep.csv", "COM;REG;PMUN\n35001;53;1\n"), -1);
    expect_error("pop_nodep.csv:1: ", "--pop-dep", NULL);
}

static void test_pop_count_override(void **state)
{
    world *w = *state;
    population_columns cols = {NULL, NULL, NULL, "P21_POP"};
    const char *path = write_file(tmp_dir, "pop_override.csv", "COM;DEP;REG;PMUN;P21_POP\n"
                                                               "35001;35;53;1;1000\n");
    assert_int_equal(read_population(&w->t, path, &cols, FLD_INSEE_CODES, &w->ji), 1);
    assert_true(commune_of(w, "35001")->population == 1000);
    /* Case does not matter; a column that is not there is named in the error. */
    ctab_free(&w->t);
    cols.count = "p21_pop";
    assert_int_equal(read_population(&w->t, path, &cols, FLD_INSEE_CODES, &w->ji), 1);
    assert_true(commune_of(w, "35001")->population == 1000);
    ctab_free(&w->t);
    cols.count = "P20_POP";
    assert_int_equal(read_population(&w->t, path, &cols, FLD_INSEE_CODES, &w->ji), -1);
    expect_error("pop_override.csv:1: ", "P20_POP", "--pop-count", NULL);
}

static void test_pop_duplicate(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_dup.csv", "COM;DEP;REG;PMUN\n"
                                                "35001;35;53;1\n"
                                                "35002;35;53;1\n"
                                                "35001;35;53;1\n"), -1);
    expect_error("pop_dup.csv:4: ", "35001", "twice", "line 2", NULL);
    diag_clear();
    /* "1001" and "01001" are the same commune. */
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_dup2.csv", "COM;DEP;REG;PMUN\n"
                                                 "01001;01;84;1\n"
                                                 "1001;01;84;1\n"), -1);
    expect_error("pop_dup2.csv:3: ", "01001", "line 2", NULL);
}

static void test_pop_bad_counts(void **state)
{
    world *w = *state;
    const char *bad[] = {"-1", "1.5", "12a", "abc", "1e3", "9223372036854775808",
                         "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        diag_clear();
        ctab_free(&w->t);
        char body[256], name[32];
        snprintf(body, sizeof body, "COM;DEP;REG;PMUN\n35001;35;53;1\n\n35002;35;53;%s\n"
                                    "35003;35;53;1\n", bad[i]);
        snprintf(name, sizeof name, "pop_bad%zu.csv", i);
        assert_int_equal(read_pop(w, name, body), -1);
        char where[48], quoted[48];
        snprintf(where, sizeof where, "%s:4: ", name);
        snprintf(quoted, sizeof quoted, "\"%s\"", bad[i]);
        expect_error(where, quoted, "35002", NULL);
    }
    /* The largest population there is. */
    diag_clear();
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_max.csv", "COM;DEP;REG;PMUN\n35001;35;53;9223372036854775807\n"),
                     1);
    assert_true(commune_of(w, "35001")->population == INT64_MAX);
}

static void test_pop_bad_codes(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_badcode.csv", "COM;DEP;REG;PMUN\n35001;35;53;1\n123;35;53;1\n"),
                     -1);
    expect_error("pop_badcode.csv:3: ", "\"123\"", "commune code", NULL);
    diag_clear();
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_baddep.csv", "COM;DEP;REG;PMUN\n35001;2C;53;1\n"), -1);
    expect_error("pop_baddep.csv:2: ", "\"2C\"", "department", NULL);
    diag_clear();
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_badreg.csv", "COM;DEP;REG;PMUN\n35001;35;5a;1\n"), -1);
    expect_error("pop_badreg.csv:2: ", "\"5a\"", "region", NULL);
    /* A code that does not start with its department is read, and reported. */
    diag_clear();
    ctab_free(&w->t);
    assert_int_equal(read_pop(w, "pop_mismatch.csv", "COM;DEP;REG;PMUN\n35001;35;53;1\n35002;22;53;1\n"),
                     2);
    assert_int_equal(w->ji.n, 1);
    assert_int_equal(issue_of(&w->ji, "department_mismatch")->line, 3);
    assert_string_equal(commune_of(w, "35002")->dep, "22");
}

static void test_pop_empty_population(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_nopop.csv", "COM;DEP;REG;PMUN\n35001;35;53;7\n35002;35;53;\n"),
                     2);
    assert_true(commune_of(w, "35002")->population == 0);
    assert_int_equal(w->ji.n, 1);
    const join_issue *it = issue_of(&w->ji, "empty_population");
    assert_int_equal(it->line, 3);
    assert_string_equal(it->code, "35002");
}

static void test_pop_repaired_code(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_repair.csv", "COM;LIBCOM;DEP;REG;PMUN\n"
                                                   "1001;L'Abergement-Clémenciat;1;84;859\n"
                                                   "2a004;Ajaccio;2A;94;71361\n"), 2);
    const commune *c = commune_of(w, "01001");
    assert_string_equal(c->dep, "01");
    assert_string_equal(c->reg, "84");
    assert_true(c->population == 859);
    assert_non_null(commune_of(w, "2A004"));
    assert_int_equal(count_kind(&w->ji, "repaired_code"), 2);
    assert_int_equal(w->ji.n, 2);
    const join_issue *it = issue_of(&w->ji, "repaired_code");
    assert_string_equal(it->code, "01001");
    assert_int_equal(it->line, 2);
    assert_non_null(strstr(it->message, "\"1001\""));
    assert_int_equal(w->ji.items[1].line, 3);
}

static void test_pop_area_names(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_names.csv", "COM;DEP;LIBDEP;REG;LIBREG;PMUN\n"
                                                  "35001;35;Ille-et-Vilaine (fichier);53;Bretagne (fichier);1\n"
                                                  "35002;35;Autre nom;53;Autre;1\n"
                                                  "22001;22;;53;;1\n"), 3);
    assert_string_equal(ctab_area_name(&w->t, 0, "35"), "Ille-et-Vilaine (fichier)");
    assert_string_equal(ctab_area_name(&w->t, 1, "53"), "Bretagne (fichier)");
    /* An empty name leaves the built-in one. */
    assert_string_equal(ctab_area_name(&w->t, 0, "22"), "Côtes-d'Armor");
}

static void test_pop_overseas_collectivity(void **state)
{
    world *w = *state;
    assert_int_equal(read_pop(w, "pop_975.csv", "COM;DEP;REG;PMUN\n97501;975;975;5974\n"
                                                "97502;975;975;6000\n"), 2);
    const commune *c = commune_of(w, "97502");
    assert_string_equal(c->dep, "975");
    assert_string_equal(c->reg, "975");
    assert_true(c->population == 6000);
    assert_int_equal(w->ji.n, 0);
}

/* ---- passage ------------------------------------------------------------------------- */

static void test_passage_chains(void **state)
{
    world *w = *state;
    passage p;
    const char *path = write_file(tmp_dir, "passage.csv", "CODGEO_INI;CODGEO_2024\n"
                                                          "35003;35003\n"
                                                          "35002;35003\n"
                                                          "35001;35003\n"
                                                          "35010;35011\n"
                                                          "35011;35012\n"
                                                          "35001;35003\n"   /* repeated: fine */
                                                          "35020;35010\n");
    assert_int_equal(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &w->ji), 7);
    assert_int_equal(w->ji.n, 0);
    assert_string_equal(pass_current(&p, "35001"), "35003");
    assert_string_equal(pass_current(&p, "35003"), "35003");
    assert_string_equal(pass_current(&p, "35010"), "35012");
    assert_string_equal(pass_current(&p, "35011"), "35012");
    assert_string_equal(pass_current(&p, "35020"), "35012");  /* 35020 -> 35010 -> 35011 -> 35012 */
    assert_null(pass_current(&p, "35012"));
    assert_null(pass_current(&p, "99999"));
    assert_null(pass_current(NULL, "35001"));

    const int *first = NULL;
    assert_int_equal(pass_constituents(&p, "35003", &first), 3);
    assert_string_equal(p.from[first[0]], "35001");
    assert_string_equal(p.from[first[1]], "35002");
    assert_string_equal(p.from[first[2]], "35003");
    assert_int_equal(pass_constituents(&p, "35012", &first), 3);
    assert_string_equal(p.from[first[0]], "35010");
    assert_string_equal(p.from[first[1]], "35011");
    assert_string_equal(p.from[first[2]], "35020");
    assert_int_equal(pass_constituents(&p, "35001", &first), 0);
    assert_int_equal(pass_constituents(&p, "35010", &first), 0);
    pass_free(&p);
}

static void test_passage_columns(void **state)
{
    world *w = *state;
    passage p;
    /* Any CODGEO_<year> column, and codes repaired. */
    const char *path = write_file(tmp_dir, "passage_2019.csv", "CODGEO_INI,LIBGEO,CODGEO_2019\n"
                                                               "1001,X,1002\n");
    assert_int_equal(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &w->ji), 1);
    assert_string_equal(pass_current(&p, "01001"), "01002");
    assert_int_equal(count_kind(&w->ji, "repaired_code"), 1);
    pass_free(&p);
    /* Named columns. */
    path = write_file(tmp_dir, "passage_named.csv", "a;b\n35001;35002\n");
    assert_int_equal(read_passage(&p, path, "a", "b", FLD_INSEE_CODES, &w->ji), 1);
    assert_string_equal(pass_current(&p, "35001"), "35002");
    pass_free(&p);
    assert_int_equal(read_passage(&p, path, "a", "c", FLD_INSEE_CODES, &w->ji), -1);
    expect_error("passage_named.csv:1: ", "\"c\"", "--passage-to", NULL);
    diag_clear();
    assert_int_equal(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &w->ji), -1);
    expect_error("passage_named.csv:1: ", "--passage-from", NULL);
}

static void test_passage_cycle(void **state)
{
    world *w = *state;
    passage p;
    const char *path = write_file(tmp_dir, "passage_cycle2.csv", "CODGEO_INI;CODGEO_2024\n"
                                                                 "35001;35002\n"
                                                                 "35002;35001\n");
    assert_int_equal(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &w->ji), -1);
    expect_error("passage_cycle2.csv", "cycle", NULL);
    diag_clear();
    path = write_file(tmp_dir, "passage_cycle3.csv", "CODGEO_INI;CODGEO_2024\n"
                                                     "35009;35001\n"
                                                     "35001;35002\n"
                                                     "35002;35003\n"
                                                     "35003;35001\n");
    assert_int_equal(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &w->ji), -1);
    expect_error("passage_cycle3.csv", "cycle", NULL);
}

static void test_passage_two_targets(void **state)
{
    world *w = *state;
    passage p;
    const char *path = write_file(tmp_dir, "passage_two.csv", "CODGEO_INI;CODGEO_2024\n"
                                                              "35001;35003\n"
                                                              "35002;35003\n"
                                                              "35001;35004\n");
    assert_int_equal(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &w->ji), -1);
    expect_error("passage_two.csv:4: ", "35001", "35003", "35004", NULL);
    diag_clear();
    path = write_file(tmp_dir, "passage_badcode.csv", "CODGEO_INI;CODGEO_2024\n35001;ABC\n");
    assert_int_equal(read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &w->ji), -1);
    expect_error("passage_badcode.csv:2: ", "\"ABC\"", NULL);
}

/* ---- EPCI and memberships ------------------------------------------------------------- */

/* Current communes 35001..35008 and 35010; 35020, 35021 and 35022 were merged into 35010,
 * 35030 was renamed 35005. EPCI 200000001 holds 35001, 35002 and old 35020. */
typedef struct members_world {
    world w;
    passage p;
    epci_table e;
} members_world;

static int members_setup(void **state)
{
    members_world *m = xcalloc(1, sizeof *m);
    m->w.h = GEOS_init_r();
    ctab_init(&m->w.t, m->w.h);
    jis_init(&m->w.ji);
    diag_clear();
    population_columns cols = {NULL, NULL, NULL, NULL};
    const char *pop = write_file(tmp_dir, "m_pop.csv", "COM;LIBCOM;DEP;REG;PMUN\n"
                                                       "35001;Un;35;53;1\n35002;Deux;35;53;2\n"
                                                       "35003;Trois;35;53;3\n35004;Quatre;35;53;4\n"
                                                       "35005;Cinq;35;53;5\n35006;Six;35;53;6\n"
                                                       "35007;Sept;35;53;7\n35008;Huit;35;53;8\n"
                                                       "35010;Nouvelle;35;53;10\n");
    if (read_population(&m->w.t, pop, &cols, FLD_INSEE_CODES, &m->w.ji) != 9)
        return -1;
    const char *pass = write_file(tmp_dir, "m_passage.csv", "CODGEO_INI;CODGEO_2024\n"
                                                            "35020;35010\n35021;35010\n"
                                                            "35022;35010\n35030;35005\n");
    if (read_passage(&m->p, pass, NULL, NULL, FLD_INSEE_CODES, &m->w.ji) != 4)
        return -1;
    const char *epci = write_file(tmp_dir, "m_epci.csv", "EPCI;LIBEPCI;NATURE;COM\n"
                                                         "200000001;CC Un;CC;35001\n"
                                                         "200000001;CC Un;CC;35002\n"
                                                         "200000002;CC Deux;CC;35003\n"
                                                         "200000001;CC Un;CC;35020\n");
    if (read_epci(&m->e, epci, FLD_INSEE_CODES, &m->w.ji) != 4 || m->w.ji.n != 0)
        return -1;
    *state = m;
    return 0;
}

static int members_teardown(void **state)
{
    members_world *m = *state;
    pass_free(&m->p);
    epci_free(&m->e);
    return world_teardown(state);  /* w is the first member */
}

#define MEMBERS_HEADER "cpts_id;cpts_name;insee_com;status;signed_on\n"

static long read_mem(members_world *m, const char *name, const char *rows, int with_epci)
{
    const char *path = write_file(tmp_dir, name, rows);
    return read_members(&m->w.t, path, &m->p, with_epci ? &m->e : NULL, FLD_INSEE_CODES, &m->w.ji);
}

static int cpts_index(const members_world *m, const char *id)
{
    int k = smap_get(&m->w.t.cpts_by_id, id);
    if (k < 0)
        fail_msg("no CPTS %s", id);
    return k;
}

static void test_epci_table(void **state)
{
    members_world *m = *state;
    assert_int_equal(m->e.n, 2);
    int k = smap_get(&m->e.index, "200000001");
    assert_true(k >= 0);
    assert_int_equal(m->e.nmembers[k], 3);
    assert_string_equal(m->e.members[k][0], "35001");
    assert_string_equal(m->e.members[k][2], "35020");
    assert_string_equal(m->e.names[k], "CC Un");
    epci_table e;
    const char *path = write_file(tmp_dir, "epci_bad.csv", "EPCI;COM\n200000001;35001\n;35002\n");
    assert_int_equal(read_epci(&e, path, FLD_INSEE_CODES, &m->w.ji), -1);
    expect_error("epci_bad.csv:3: ", "EPCI is empty", NULL);
    diag_clear();
    path = write_file(tmp_dir, "epci_nocom.csv", "EPCI;X\n200000001;35001\n");
    assert_int_equal(read_epci(&e, path, FLD_INSEE_CODES, &m->w.ji), -1);
    expect_error("epci_nocom.csv:1: ", "COM", NULL);
}

static void test_members_epci(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_epci.csv", MEMBERS_HEADER
                                                 "A;CPTS A;EPCI:200000001;signed;2024-04-16\n"
                                                 "A;CPTS A;35004;signed;2024-04-16\n", 1),
                     2);
    int k = cpts_index(m, "A");
    const cpts *p = &m->w.t.cpts[k];
    assert_string_equal(p->name, "CPTS A");
    assert_int_equal(p->status, STATUS_SIGNED);
    assert_int_equal(p->signed_on, 20240416);
    assert_int_equal(p->line, 2);
    assert_int_equal(p->ncommunes, 4);  /* 35001, 35002, 35010 (old 35020), 35004 */
    assert_string_equal(m->w.t.communes[p->communes[0]].code, "35001");
    assert_string_equal(m->w.t.communes[p->communes[1]].code, "35002");
    assert_string_equal(m->w.t.communes[p->communes[2]].code, "35004");
    assert_string_equal(m->w.t.communes[p->communes[3]].code, "35010");
    /* 35020 alone of 35010: partial. */
    assert_int_equal(count_kind(&m->w.ji, "partial_membership"), 1);
    assert_int_equal(m->w.ji.n, 1);
}

static void test_members_epci_without_table(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_noepci.csv", MEMBERS_HEADER
                                                   "A;CPTS A;35004;signed;2024-04-16\n"
                                                   "A;CPTS A;EPCI:200000001;signed;2024-04-16\n", 0),
                     -1);
    expect_error("mem_noepci.csv:3: ", "200000001", "--epci", NULL);
}

static void test_members_unknown_epci(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_unkepci.csv", MEMBERS_HEADER
                                                    "A;CPTS A;EPCI: 299999999 ;signed;2024-04-16\n", 1),
                     1);
    assert_int_equal(m->w.ji.n, 1);
    const join_issue *it = issue_of(&m->w.ji, "unknown_epci");
    assert_string_equal(it->code, "299999999");
    assert_int_equal(it->line, 2);
    assert_int_equal(m->w.t.cpts[cpts_index(m, "A")].ncommunes, 0);
}

static void test_members_unknown_code(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_unkcode.csv", MEMBERS_HEADER
                                                    "A;CPTS A;35001;signed;2024-04-16\n"
                                                    "A;CPTS A;99999;signed;2024-04-16\n"
                                                    "A;CPTS A;ABC;signed;2024-04-16\n", 1),
                     3);
    assert_int_equal(count_kind(&m->w.ji, "unknown_code"), 2);
    assert_int_equal(m->w.ji.n, 2);
    assert_string_equal(m->w.ji.items[0].code, "99999");
    assert_int_equal(m->w.ji.items[0].line, 3);
    assert_int_equal(m->w.ji.items[1].line, 4);
    const cpts *p = &m->w.t.cpts[cpts_index(m, "A")];
    assert_int_equal(p->ncommunes, 1);
    assert_string_equal(m->w.t.communes[p->communes[0]].code, "35001");
}

static void test_members_old_code(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_old.csv", MEMBERS_HEADER
                                                "A;CPTS A;35030;project;\n"
                                                "B;CPTS B;35022;letter;\n"
                                                "B;CPTS B;35020;letter;\n"
                                                "B;CPTS B;35021;letter;\n", 1),
                     4);
    const cpts *a = &m->w.t.cpts[cpts_index(m, "A")];
    assert_int_equal(a->ncommunes, 1);
    assert_string_equal(m->w.t.communes[a->communes[0]].code, "35005");
    assert_int_equal(a->status, STATUS_PROJECT);
    assert_int_equal(a->signed_on, 0);
    const cpts *b = &m->w.t.cpts[cpts_index(m, "B")];
    assert_int_equal(b->ncommunes, 1);
    assert_string_equal(m->w.t.communes[b->communes[0]].code, "35010");
    assert_int_equal(count_kind(&m->w.ji, "merged_commune"), 2);
    assert_int_equal(count_kind(&m->w.ji, "partial_membership"), 0);
    assert_int_equal(count_kind(&m->w.ji, "duplicate_member"), 0);
    assert_int_equal(m->w.ji.n, 2);
    for (int i = 0; i < 2; i++) {
        const join_issue *it = &m->w.ji.items[i];
        const char *cur = strcmp(it->code, "35005") == 0 ? "35030" : "35020, 35021, 35022";
        if (!strstr(it->message, cur))
            fail_msg("issue \"%s\" does not name %s", it->message, cur);
    }
}

static void test_members_partial(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_partial.csv", MEMBERS_HEADER
                                                    "A;CPTS A;35021;signed;2024-04-16\n"
                                                    "B;CPTS B;35021;signed;2024-04-16\n"
                                                    "B;CPTS B;35010;signed;2024-04-16\n", 1),
                     3);
    /* A lists one old commune of 35010: the others are named. B lists 35010 itself. */
    assert_int_equal(m->w.ji.n, 1);
    const join_issue *it = issue_of(&m->w.ji, "partial_membership");
    assert_string_equal(it->code, "35010");
    assert_non_null(strstr(it->message, "CPTS A"));
    assert_non_null(strstr(it->message, "35020, 35022"));
    const cpts *a = &m->w.t.cpts[cpts_index(m, "A")];
    assert_int_equal(a->ncommunes, 1);
    assert_string_equal(m->w.t.communes[a->communes[0]].code, "35010");
    assert_int_equal(m->w.t.cpts[cpts_index(m, "B")].ncommunes, 1);
}

static void test_members_bad_status(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_status.csv", MEMBERS_HEADER
                                                   "A;CPTS A;35001;signed;2024-04-16\n"
                                                   "A;CPTS A;35002;signed;2024-04-16\n"
                                                   "B;CPTS B;35003;signée;2024-04-16\n", 1),
                     -1);
    expect_error("mem_status.csv:4: ", "signée", "signed, project or letter", NULL);
}

static void test_members_bad_date(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_date.csv", MEMBERS_HEADER
                                                 "A;CPTS A;35001;signed;2024-04-16\n"
                                                 "B;CPTS B;35002;signed;2023-02-30\n", 1),
                     -1);
    expect_error("mem_date.csv:3: ", "2023-02-30", "YYYY-MM-DD", NULL);
}

static void test_members_inconsistent(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_incons.csv", MEMBERS_HEADER
                                                   "A;CPTS A;35001;signed;2024-04-16\n"
                                                   "A;CPTS A;35002;signed;2024-05-01\n"
                                                   "A;CPTS A;35003;project;2024-04-16\n"
                                                   "A;CPTS A;35004;SIGNED ;2024-04-16\n", 1),
                     4);
    assert_int_equal(count_kind(&m->w.ji, "inconsistent_cpts"), 2);
    assert_int_equal(m->w.ji.n, 2);
    assert_int_equal(m->w.ji.items[0].line, 3);
    assert_int_equal(m->w.ji.items[1].line, 4);
    assert_non_null(strstr(m->w.ji.items[0].message, "line 2"));
    const cpts *a = &m->w.t.cpts[cpts_index(m, "A")];
    assert_int_equal(a->signed_on, 20240416);  /* the first is kept */
    assert_int_equal(a->status, STATUS_SIGNED);
    assert_int_equal(a->ncommunes, 4);
}

static void test_members_signed_without_date(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_nodate.csv", MEMBERS_HEADER
                                                   "A;CPTS A;35001;signed;\n"
                                                   "A;CPTS A;35002;signed;\n"
                                                   "B;CPTS B;35003;project;\n", 1),
                     3);
    assert_int_equal(m->w.ji.n, 1);
    const join_issue *it = issue_of(&m->w.ji, "signed_without_date");
    assert_string_equal(it->code, "A");
    assert_int_equal(it->line, 2);
}

static void test_members_duplicate(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_dup.csv", MEMBERS_HEADER
                                                "A;CPTS A;35001;signed;2024-04-16\n"
                                                "A;CPTS A;35002;signed;2024-04-16\n"
                                                "A;CPTS A;35001;signed;2024-04-16\n", 1),
                     3);
    assert_int_equal(m->w.ji.n, 1);
    const join_issue *it = issue_of(&m->w.ji, "duplicate_member");
    assert_string_equal(it->code, "35001");
    assert_int_equal(it->line, 4);
    assert_int_equal(m->w.t.cpts[cpts_index(m, "A")].ncommunes, 2);

    /* An old code and its current commune are no duplicate, in either order; the same old
     * code twice is one. */
    jis_free(&m->w.ji);
    assert_int_equal(read_mem(m, "mem_dup_old.csv", MEMBERS_HEADER
                                                    "B;CPTS B;35030;signed;2024-04-16\n"
                                                    "B;CPTS B;35005;signed;2024-04-16\n"
                                                    "C;CPTS C;35005;signed;2024-04-16\n"
                                                    "C;CPTS C;35030;signed;2024-04-16\n"
                                                    "D;CPTS D;35020;signed;2024-04-16\n"
                                                    "D;CPTS D;35020;signed;2024-04-16\n", 1),
                     6);
    assert_int_equal(count_kind(&m->w.ji, "duplicate_member"), 1);
    it = issue_of(&m->w.ji, "duplicate_member");
    assert_string_equal(it->code, "35020");
    assert_int_equal(it->line, 7);
    /* D lists 35020 (once) of 35010. */
    const join_issue *partial = issue_of(&m->w.ji, "partial_membership");
    assert_non_null(strstr(partial->message, "lists 35020, part"));
    assert_int_equal(m->w.ji.n, 2);
}

static void test_members_order(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_order.csv", MEMBERS_HEADER
                                                  "A;CPTS A;35007;signed;2024-04-16\n"
                                                  "A;CPTS A;35004;signed;2024-04-16\n"
                                                  "B;CPTS B;35004;project;\n"
                                                  "A;CPTS A;35001;signed;2024-04-16\n"
                                                  "A;CPTS A;35005;signed;2024-04-16\n"
                                                  "A;CPTS A;35030;signed;2024-04-16\n"
                                                  "A;CPTS A;35004;signed;2024-04-16\n", 1),
                     7);
    int ka = cpts_index(m, "A"), kb = cpts_index(m, "B");
    const cpts *a = &m->w.t.cpts[ka];
    assert_int_equal(a->ncommunes, 4);
    for (int i = 1; i < a->ncommunes; i++)
        assert_true(a->communes[i - 1] < a->communes[i]);
    assert_string_equal(m->w.t.communes[a->communes[0]].code, "35001");
    assert_string_equal(m->w.t.communes[a->communes[3]].code, "35007");
    const commune *c = commune_of(&m->w, "35004");
    assert_int_equal(c->ncpts, 2);
    assert_int_equal(c->cpts[0], ka < kb ? ka : kb);
    assert_int_equal(c->cpts[1], ka < kb ? kb : ka);
    assert_int_equal(commune_of(&m->w, "35001")->ncpts, 1);
    assert_int_equal(commune_of(&m->w, "35008")->ncpts, 0);
    assert_int_equal(count_kind(&m->w.ji, "duplicate_member"), 1);
}

static void test_members_errors(void **state)
{
    members_world *m = *state;
    assert_int_equal(read_mem(m, "mem_header.csv", MEMBERS_HEADER, 1), -1);
    expect_error("mem_header.csv:2: ", "no membership", NULL);
    diag_clear();
    assert_int_equal(read_mem(m, "mem_noid.csv", MEMBERS_HEADER "A;CPTS A;35001;signed;2024-04-16\n"
                                                 " ;CPTS A;35001;signed;2024-04-16\n", 1),
                     -1);
    expect_error("mem_noid.csv:3: ", "CPTS id", NULL);
    diag_clear();
    assert_int_equal(read_mem(m, "mem_nostatus.csv", "cpts_id;insee_com;signed_on\n"
                                                     "A;35001;2024-04-16\n", 1),
                     -1);
    expect_error("mem_nostatus.csv:1: ", "status", NULL);
}

/* ---- commune polygons ---------------------------------------------------------------- */

/* Lambert-93 ring of the 1 km square (i, j) of the fixture grid, as GeoJSON. */
static void square_json(char *buf, size_t size, int i, int j)
{
    double x = FIX_X0 + i * FIX_SIZE, y = FIX_Y0 + j * FIX_SIZE, s = FIX_SIZE;
    snprintf(buf, size, "{\"type\":\"Polygon\",\"coordinates\":[[[%.0f,%.0f],[%.0f,%.0f],"
                        "[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]]]}",
             x, y, x + s, y, x + s, y + s, x, y + s, x, y);
}

/* A bow-tie over square (i, j): its edges cross in the middle. */
static void bowtie_json(char *buf, size_t size, int i, int j)
{
    double x = FIX_X0 + i * FIX_SIZE, y = FIX_Y0 + j * FIX_SIZE, s = FIX_SIZE;
    snprintf(buf, size, "{\"type\":\"Polygon\",\"coordinates\":[[[%.0f,%.0f],[%.0f,%.0f],"
                        "[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]]]}",
             x, y, x + s, y + s, x + s, y, x, y + s, x, y);
}

/* A GeoJSON FeatureCollection in Lambert-93 (old-style "crs" member) of n features, each given
 * as a field name, a code and a geometry (JSON text, "null" for none). */
static const char *write_geojson(const char *name, int with_crs, int n,
                                 const char *const *fields, const char *const *codes,
                                 const char *const *geoms)
{
    size_t size = 4096 + (size_t)n * 512;
    char *buf = xmalloc(size);
    size_t len = (size_t)snprintf(buf, size, "{\"type\":\"FeatureCollection\",%s\"features\":[",
                                  with_crs ? "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
                                             "\"urn:ogc:def:crs:EPSG::2154\"}}," : "");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, size - len,
                                "%s{\"type\":\"Feature\",\"properties\":{\"%s\":\"%s\",\"NOM\":"
                                "\"Commune %s\"},\"geometry\":%s}",
                                i ? "," : "", fields[i], codes[i], codes[i], geoms[i]);
    snprintf(buf + len, size - len, "]}\n");
    const char *path = write_file(tmp_dir, name, buf);
    free(buf);
    return path;
}

/* The communes world: current communes 35001..35005 and 35010 (old 35020, 35021, 35022). */
static int communes_setup(void **state)
{
    members_world *m = xcalloc(1, sizeof *m);
    m->w.h = GEOS_init_r();
    ctab_init(&m->w.t, m->w.h);
    jis_init(&m->w.ji);
    diag_clear();
    population_columns cols = {NULL, NULL, NULL, NULL};
    const char *pop = write_file(tmp_dir, "c_pop.csv", "COM;LIBCOM;DEP;REG;PMUN\n"
                                                       "35001;Un;35;53;1\n35002;Deux;35;53;2\n"
                                                       "35003;Trois;35;53;3\n35004;Quatre;35;53;4\n"
                                                       "35005;Cinq;35;53;5\n35010;Nouvelle;35;53;10\n");
    if (read_population(&m->w.t, pop, &cols, FLD_INSEE_CODES, &m->w.ji) != 6)
        return -1;
    const char *pass = write_file(tmp_dir, "c_passage.csv", "CODGEO_INI;CODGEO_2024\n"
                                                            "35020;35010\n35021;35010\n35022;35010\n");
    if (read_passage(&m->p, pass, NULL, NULL, FLD_INSEE_CODES, &m->w.ji) != 3)
        return -1;
    *state = m;
    return 0;
}

static int communes_teardown(void **state)
{
    members_world *m = *state;
    pass_free(&m->p);
    return world_teardown(state);
}

static void test_communes_basic(void **state)
{
    members_world *m = *state;
    char g1[512], g2[512];
    square_json(g1, sizeof g1, 0, 0);
    square_json(g2, sizeof g2, 1, 0);
    const char *fields[] = {"INSEE_COM", "INSEE_COM"}, *codes[] = {"35001", "35002"};
    const char *geoms[] = {g1, g2};
    const char *path = write_geojson("basic.geojson", 1, 2, fields, codes, geoms);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 2);
    assert_null(diag_message());
    assert_int_equal(m->w.t.nlayers, 1);
    assert_string_equal(m->w.t.layers[0].crs_id, "EPSG:2154");
    assert_string_equal(m->w.t.layers[0].name, "basic");
    assert_int_equal(m->w.t.layers[0].features, 2);
    assert_int_equal(m->w.t.layers[0].geographic, 0);
    const commune *c1 = commune_of(&m->w, "35001"), *c2 = commune_of(&m->w, "35002");
    /* Squares, polygons of one simple ring: kept as read, without a GEOS polygon. */
    assert_null(c1->geom);
    assert_non_null(c1->ring);
    assert_int_equal(c1->nring, 5);
    assert_non_null(c2->ring);
    assert_int_equal(c1->layer, 0);
    assert_int_equal(c1->parts, 1);
    double xmin = 0;
    GEOSGeometry *made;
    const GEOSGeometry *g2poly = ctab_polygon(c2, m->w.h, &made);
    assert_non_null(made);
    assert_int_equal(GEOSisValid_r(m->w.h, g2poly), 1);
    assert_true(GEOSGeom_getXMin_r(m->w.h, g2poly, &xmin));
    assert_true(xmin == FIX_X0 + FIX_SIZE);  /* 35002 got the second square */
    GEOSGeom_destroy_r(m->w.h, made);
    assert_null(commune_of(&m->w, "35003")->geom);
    assert_null(commune_of(&m->w, "35003")->ring);
    assert_int_equal(commune_of(&m->w, "35003")->layer, -1);
    assert_int_equal(m->w.ji.n, 0);
    crd_finish(&r);
    crd_free(&r);
    assert_true(c1->area_km2 > 0.99 && c1->area_km2 < 1.01);
    assert_true(c2->area_km2 > 0.99 && c2->area_km2 < 1.01);
    assert_true(commune_of(&m->w, "35003")->area_km2 == 0);
    /* 35003, 35004, 35005 and 35010 have no polygon. */
    assert_int_equal(count_kind(&m->w.ji, "no_polygon"), 4);
    assert_int_equal(m->w.ji.n, 4);
}

static void test_communes_no_crs(void **state)
{
    members_world *m = *state;
    char g1[512];
    square_json(g1, sizeof g1, 0, 0);
    const char *fields[] = {"INSEE_COM"}, *codes[] = {"35001"}, *geoms[] = {g1};
    const char *src = write_geojson("nocrs_src.geojson", 1, 1, fields, codes, geoms);
    const char *shp = path_in("nocrs.shp"), *prj = path_in("nocrs.prj");
    char *cmd = xasprintf("ogr2ogr -q -f 'ESRI Shapefile' '%s' '%s'", shp, src);
    int rc = system(cmd);
    free(cmd);
    assert_int_equal(rc, 0);
    assert_int_equal(access(prj, F_OK), 0);
    /* With its .prj it reads. */
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, shp), 1);
    assert_string_equal(m->w.t.layers[0].crs_id, "EPSG:2154");
    crd_free(&r);
    /* Without, it is refused. */
    ctab_free(&m->w.t);
    assert_int_equal(unlink(prj), 0);
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, shp), -1);
    expect_error("nocrs.shp: ", "no CRS", "-a_srs", NULL);
    crd_free(&r);
}

static void test_communes_bowtie(void **state)
{
    members_world *m = *state;
    char g1[512], g2[512];
    bowtie_json(g1, sizeof g1, 0, 0);
    square_json(g2, sizeof g2, 1, 0);
    const char *fields[] = {"INSEE_COM", "INSEE_COM"}, *codes[] = {"35001", "35002"};
    const char *geoms[] = {g1, g2};
    const char *path = write_geojson("bowtie.geojson", 1, 2, fields, codes, geoms);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 2);
    assert_int_equal(r.repaired, 1);
    assert_int_equal(count_kind(&m->w.ji, "repaired_geometry"), 1);
    assert_string_equal(issue_of(&m->w.ji, "repaired_geometry")->code, "35001");
    const commune *c = commune_of(&m->w, "35001");
    assert_non_null(c->geom);
    assert_int_equal(GEOSisValid_r(m->w.h, c->geom), 1);
    double a = 0;
    GEOSArea_r(m->w.h, c->geom, &a);
    assert_true(a > 0.49e6 && a < 0.51e6);  /* the two triangles of the bow-tie */
    crd_finish(&r);
    crd_free(&r);
    assert_true(c->area_km2 > 0.49 && c->area_km2 < 0.51);
}

static void test_communes_empty_and_unknown(void **state)
{
    members_world *m = *state;
    char g1[512], g2[512];
    square_json(g1, sizeof g1, 0, 0);
    square_json(g2, sizeof g2, 1, 0);
    const char *fields[] = {"INSEE_COM", "INSEE_COM", "INSEE_COM", "INSEE_COM"};
    const char *codes[] = {"35001", "35002", "99999", "XYZ"};
    const char *geoms[] = {g1, "null", g2, g2};
    const char *path = write_geojson("empty.geojson", 1, 4, fields, codes, geoms);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 4);
    assert_int_equal(count_kind(&m->w.ji, "empty_geometry"), 1);
    assert_string_equal(issue_of(&m->w.ji, "empty_geometry")->code, "35002");
    assert_int_equal(count_kind(&m->w.ji, "unmatched_geometry"), 2);
    assert_string_equal(issue_of(&m->w.ji, "unmatched_geometry")->code, "99999");
    assert_non_null(strstr(issue_of(&m->w.ji, "unmatched_geometry")->message, "Commune 99999"));
    assert_int_equal(r.unmatched, 2);
    assert_int_equal(m->w.ji.n, 3);
    assert_null(commune_of(&m->w, "35002")->geom);
    assert_null(commune_of(&m->w, "35002")->ring);
    assert_non_null(commune_of(&m->w, "35001")->ring);
    crd_free(&r);
}

static void test_communes_duplicate_feature(void **state)
{
    members_world *m = *state;
    char g1[512], g2[512];
    square_json(g1, sizeof g1, 0, 0);
    square_json(g2, sizeof g2, 0, 1);
    const char *fields[] = {"INSEE_COM", "INSEE_COM"}, *codes[] = {"35001", "1001"};
    const char *geoms[] = {g1, g2};
    const char *path = write_geojson("dupfeat.geojson", 1, 2, fields, codes, geoms);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 2);
    assert_int_equal(m->w.ji.n, 2);   /* 1001 is 01001, which is no commune here */
    assert_string_equal(issue_of(&m->w.ji, "repaired_code")->code, "01001");
    assert_string_equal(issue_of(&m->w.ji, "unmatched_geometry")->code, "01001");
    crd_free(&r);
    /* The same code twice in a layer: both polygons, dissolved. */
    jis_free(&m->w.ji);
    codes[1] = "35001";
    path = write_geojson("dupfeat2.geojson", 1, 2, fields, codes, geoms);
    ctab_free(&m->w.t);
    assert_int_equal(read_pop(&m->w, "dupfeat_pop.csv", "COM;DEP;REG;PMUN\n35001;35;53;1\n"), 1);
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 2);
    assert_int_equal(count_kind(&m->w.ji, "duplicate_code"), 1);
    const commune *c = commune_of(&m->w, "35001");
    assert_int_equal(c->parts, 2);
    crd_finish(&r);
    crd_free(&r);
    assert_int_equal(GEOSGeomTypeId_r(m->w.h, c->geom), GEOS_POLYGON);
    assert_true(c->area_km2 > 2 * 0.99 && c->area_km2 < 2 * 1.01);
}

/* A commune of a ring as read and of a polygon with a hole (GEOS's from the reading on): the
 * ring is made a GEOS polygon when the second comes, and both are dissolved. */
static void test_communes_ring_and_polygon_merged(void **state)
{
    members_world *m = *state;
    char g1[512], g2[1024];
    square_json(g1, sizeof g1, 0, 0);
    double x = FIX_X0 + FIX_SIZE, y = FIX_Y0, s = FIX_SIZE;
    snprintf(g2, sizeof g2, "{\"type\":\"Polygon\",\"coordinates\":[[[%.0f,%.0f],[%.0f,%.0f],"
             "[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]],[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],"
             "[%.0f,%.0f],[%.0f,%.0f]]]}", x, y, x + s, y, x + s, y + s, x, y + s, x, y,
             x + 400, y + 400, x + 400, y + 600, x + 600, y + 600, x + 600, y + 400, x + 400,
             y + 400);
    const char *fields[] = {"INSEE_COM", "INSEE_COM"}, *codes[] = {"35001", "35001"};
    const char *geoms[] = {g1, g2};
    const char *path = write_geojson("ringpoly.geojson", 1, 2, fields, codes, geoms);
    ctab_free(&m->w.t);
    assert_int_equal(read_pop(&m->w, "ringpoly_pop.csv", "COM;DEP;REG;PMUN\n35001;35;53;1\n"), 1);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 2);
    const commune *c = commune_of(&m->w, "35001");
    assert_null(c->ring);
    assert_non_null(c->geom);
    assert_int_equal(c->parts, 2);
    crd_finish(&r);
    crd_free(&r);
    assert_int_equal(GEOSGeomTypeId_r(m->w.h, c->geom), GEOS_POLYGON);
    assert_int_equal(GEOSGetNumInteriorRings_r(m->w.h, c->geom), 1);
    double a = 0;
    GEOSArea_r(m->w.h, c->geom, &a);
    assert_true(a == 2 * FIX_SIZE * FIX_SIZE - 200.0 * 200.0);
}

static void test_communes_geographic(void **state)
{
    members_world *m = *state;
    /* Without a crs member, GeoJSON is longitude/latitude WGS84: areas are geodesic. */
    const char *fields[] = {"INSEE_COM"}, *codes[] = {"35001"};
    const char *geoms[] = {"{\"type\":\"Polygon\",\"coordinates\":[[[-1.70,48.10],[-1.69,48.10],"
                           "[-1.69,48.11],[-1.70,48.11],[-1.70,48.10]]]}"};
    const char *path = write_geojson("wgs84.geojson", 0, 1, fields, codes, geoms);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 1);
    assert_int_equal(m->w.t.layers[0].geographic, 1);
    crd_finish(&r);
    crd_free(&r);
    /* 0.01 degree is about 743 m of longitude and 1112 m of latitude there. */
    double a = commune_of(&m->w, "35001")->area_km2;
    if (!(a > 0.82 && a < 0.835))
        fail_msg("area %g km2, expected about 0.827", a);
}

static void test_communes_merged(void **state)
{
    members_world *m = *state;
    char g1[512], g2[512], g3[512];
    square_json(g1, sizeof g1, 0, 0);
    square_json(g2, sizeof g2, 1, 0);
    square_json(g3, sizeof g3, 2, 0);
    const char *fields[] = {"INSEE_COM", "INSEE_COM", "INSEE_COM"};
    const char *codes[] = {"35021", "35020", "35022"};
    const char *geoms[] = {g1, g2, g3};
    const char *path = write_geojson("merged.geojson", 1, 3, fields, codes, geoms);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 3);
    assert_int_equal(m->w.ji.n, 0);
    const commune *c = commune_of(&m->w, "35010");
    assert_non_null(c->geom);
    assert_int_equal(c->parts, 3);
    crd_finish(&r);
    crd_free(&r);
    assert_int_equal(GEOSGeomTypeId_r(m->w.h, c->geom), GEOS_POLYGON);
    double a = 0;
    GEOSArea_r(m->w.h, c->geom, &a);
    assert_true(a > 3e6 - 1 && a < 3e6 + 1);
    assert_true(c->area_km2 > 3 * 0.99 && c->area_km2 < 3 * 1.01);
    assert_int_equal(count_kind(&m->w.ji, "merged_polygons"), 1);
    assert_int_equal(count_kind(&m->w.ji, "not_a_coverage"), 0);
    assert_string_equal(issue_of(&m->w.ji, "merged_polygons")->code, "35010");
}

static void test_communes_two_layers(void **state)
{
    members_world *m = *state;
    char g1[512], g2[512];
    square_json(g1, sizeof g1, 0, 0);
    square_json(g2, sizeof g2, 1, 0);
    const char *fields[] = {"INSEE_COM"}, *codes_a[] = {"35001"}, *codes_b[] = {"35001"};
    const char *geoms_a[] = {g1}, *geoms_b[] = {g2};
    const char *a = write_geojson("layer_a.geojson", 1, 1, fields, codes_a, geoms_a);
    const char *b = write_geojson("layer_b.geojson", 1, 1, fields, codes_b, geoms_b);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, a), 1);
    assert_int_equal(crd_read(&r, b), -1);
    expect_error("layer_b.geojson: ", "35001", "layer_a", "in one layer only", NULL);
    crd_free(&r);
}

static void test_communes_code_field(void **state)
{
    members_world *m = *state;
    char g1[512];
    square_json(g1, sizeof g1, 0, 0);
    const char *fields[] = {"foo"}, *codes[] = {"35001"}, *geoms[] = {g1};
    const char *path = write_geojson("nocode.geojson", 1, 1, fields, codes, geoms);
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), -1);
    expect_error("nocode.geojson: ", "--code-field", NULL);
    crd_free(&r);
    diag_clear();
    crd_init(&r, &m->w.t, &m->p, "bar", FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), -1);
    expect_error("nocode.geojson: ", "bar", "--code-field", NULL);
    crd_free(&r);
    /* Named with --code-field, it is used. */
    diag_clear();
    crd_init(&r, &m->w.t, &m->p, "foo", FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path), 1);
    assert_non_null(commune_of(&m->w, "35001")->ring);
    crd_free(&r);
}

static void test_communes_missing_file(void **state)
{
    members_world *m = *state;
    communes_reader r;
    crd_init(&r, &m->w.t, &m->p, NULL, FLD_INSEE_CODES, &m->w.ji);
    assert_int_equal(crd_read(&r, path_in("absent.shp")), -1);
    expect_error("absent.shp: ", "cannot open", NULL);
    crd_free(&r);
    assert_int_equal(m->w.t.nlayers, 0);
}

/* ---- the inputs of a job ------------------------------------------------------------ */

/* Every file read is recorded, however many: 70 --communes sources (one commune each), the
 * population and the memberships, in the order they were read, with the rows of each. */
#define MANY_SOURCES 70

static void test_inputs_many_files(void **state)
{
    (void)state;
    diag_clear();
    char *pop = xstrdup("COM;LIBCOM;DEP;REG;PMUN\n");
    const char *sources[MANY_SOURCES];
    for (int i = 0; i < MANY_SOURCES; i++) {
        char code[8], row[64], name[32], g[512];
        snprintf(code, sizeof code, "35%03d", i + 1);
        snprintf(row, sizeof row, "%s;C%s;35;53;%d\n", code, code, i + 1);
        char *grown = xasprintf("%s%s", pop, row);
        free(pop);
        pop = grown;
        snprintf(name, sizeof name, "many_%02d.geojson", i);
        square_json(g, sizeof g, i, 0);
        const char *field = "INSEE_COM", *codes[] = {code}, *geoms[] = {g};
        sources[i] = write_geojson(name, 1, 1, &field, codes, geoms);
    }
    input_spec spec = {0};
    spec.communes = sources;
    spec.ncommunes = MANY_SOURCES;
    spec.population = write_file(tmp_dir, "many_pop.csv", pop);
    free(pop);
    spec.members = write_file(tmp_dir, "many_members.csv", "cpts_id;cpts_name;insee_com;status;"
                                                           "signed_on\nC1;Un;35001;signed;"
                                                           "2020-01-01\n");
    spec.codes = FLD_INSEE_CODES;
    inputs *in = xcalloc(1, sizeof *in);
    stopwatch w;
    sw_start(&w, 0);
    assert_int_equal(inp_read(in, &spec, &w), 0);
    assert_null(diag_message());
    assert_int_equal(in->table.nlayers, MANY_SOURCES);
    assert_int_equal(in->nfiles, MANY_SOURCES + 2);
    assert_string_equal(in->files[0].kind, "population");
    assert_int_equal(in->files[0].rows, MANY_SOURCES);
    assert_string_equal(in->files[1].kind, "members");
    assert_int_equal(in->files[1].rows, 1);
    for (int i = 0; i < MANY_SOURCES; i++) {
        const input_file *f = &in->files[2 + i];
        assert_string_equal(f->kind, "communes");
        assert_ptr_equal(f->path, sources[i]);
        assert_int_equal(f->rows, 1);
    }
    inp_free(in);
    assert_null(in->files);
    assert_int_equal(in->nfiles, 0);
    free(in);
}

/* Removes the temporary directory and what the tests wrote there. */
static void remove_tmp_dir(void)
{
    char *cmd = xasprintf("rm -rf '%s'", tmp_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmp_dir);
    free(cmd);
}

/* Ring blocks: rooms never overlap, a ring larger than a block gets one of its own, the last
 * room can be given back, and moving the blocks keeps every point where it was. */
static void test_ring_blocks(void **state)
{
    (void)state;
    ring_blocks a = {0}, b = {0};
    size_t sizes[] = {5, 200000, 3, 1000000, 262000, 7, 300000};
    double *room[7];
    for (int i = 0; i < 7; i++) {
        room[i] = ctab_ring_room(&a, sizes[i]);
        for (size_t k = 0; k < 2 * sizes[i]; k++)
            room[i][k] = i * 1e7 + (double)k;
    }
    assert_true(a.nblocks >= 3);
    double *again = ctab_ring_room(&a, 11);
    ctab_ring_unroom(&a, 11);
    assert_ptr_equal(ctab_ring_room(&a, 11), again);
    double *kept = ctab_ring_room(&b, 4);
    kept[0] = 42;
    ctab_ring_blocks_move(&b, &a);
    assert_int_equal(a.nblocks, 0);
    assert_null(a.blocks);
    for (int i = 0; i < 7; i++)
        for (size_t k = 0; k < 2 * sizes[i]; k++)
            if (room[i][k] != i * 1e7 + (double)k)
                fail_msg("room %d, double %zu changed", i, k);
    assert_true(kept[0] == 42);
    ctab_ring_blocks_free(&b);
    assert_int_equal(b.nblocks, 0);
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)
#define MEMBERS_TEST(f) cmocka_unit_test_setup_teardown(f, members_setup, members_teardown)
#define COMMUNES_TEST(f) cmocka_unit_test_setup_teardown(f, communes_setup, communes_teardown)

int main(void)
{
    GDALAllRegister();
    CPLSetErrorHandler(CPLQuietErrorHandler);
    char tmpl[] = "/tmp/cptscov-readers-XXXXXX";
    tmp_dir = mkdtemp(tmpl);
    if (!tmp_dir) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_as_driver),
        cmocka_unit_test(test_ring_blocks),
        cmocka_unit_test(test_inputs_many_files),
        WORLD_TEST(test_pop_semicolon),
        WORLD_TEST(test_pop_comma),
        WORLD_TEST(test_pop_tab),
        WORLD_TEST(test_pop_bom_crlf),
        WORLD_TEST(test_pop_quoted_newline),
        WORLD_TEST(test_pop_blank_line),
        WORLD_TEST(test_pop_latin1),
        WORLD_TEST(test_pop_header_only),
        WORLD_TEST(test_pop_empty_file),
        WORLD_TEST(test_pop_missing_count),
        WORLD_TEST(test_pop_count_override),
        WORLD_TEST(test_pop_duplicate),
        WORLD_TEST(test_pop_bad_counts),
        WORLD_TEST(test_pop_bad_codes),
        WORLD_TEST(test_pop_empty_population),
        WORLD_TEST(test_pop_repaired_code),
        WORLD_TEST(test_pop_area_names),
        WORLD_TEST(test_pop_overseas_collectivity),
        WORLD_TEST(test_passage_chains),
        WORLD_TEST(test_passage_columns),
        WORLD_TEST(test_passage_cycle),
        WORLD_TEST(test_passage_two_targets),
        MEMBERS_TEST(test_epci_table),
        MEMBERS_TEST(test_members_epci),
        MEMBERS_TEST(test_members_epci_without_table),
        MEMBERS_TEST(test_members_unknown_epci),
        MEMBERS_TEST(test_members_unknown_code),
        MEMBERS_TEST(test_members_old_code),
        MEMBERS_TEST(test_members_partial),
        MEMBERS_TEST(test_members_bad_status),
        MEMBERS_TEST(test_members_bad_date),
        MEMBERS_TEST(test_members_inconsistent),
        MEMBERS_TEST(test_members_signed_without_date),
        MEMBERS_TEST(test_members_duplicate),
        MEMBERS_TEST(test_members_order),
        MEMBERS_TEST(test_members_errors),
        COMMUNES_TEST(test_communes_basic),
        COMMUNES_TEST(test_communes_no_crs),
        COMMUNES_TEST(test_communes_bowtie),
        COMMUNES_TEST(test_communes_empty_and_unknown),
        COMMUNES_TEST(test_communes_duplicate_feature),
        COMMUNES_TEST(test_communes_ring_and_polygon_merged),
        COMMUNES_TEST(test_communes_geographic),
        COMMUNES_TEST(test_communes_merged),
        COMMUNES_TEST(test_communes_two_layers),
        COMMUNES_TEST(test_communes_code_field),
        COMMUNES_TEST(test_communes_missing_file),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    remove_tmp_dir();
    for (int i = 0; i < npaths; i++)
        free(paths[i]);
    return failed;
}
