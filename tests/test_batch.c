/* test_batch.c -- `cptscov batch` as a user runs it, and `cptscov run --scope`.
 * Every scenario equals a `cptscov run`, byte for byte; unchanged scenarios are skipped.
 *
 * Runs the built ./cptscov (tests run from the project root) on scripts/example-batch.ini,
 * on copies of the sample made in a temporary directory (the skip and redo cases change them)
 * and, when it is there, on the national data of ../shared/geodata. The status of each
 * scenario is read from the summary table the batch prints on stdout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/digest.h"
#include "cli_run.h"
#include "model/commune_table.h"
#include "util/diag.h"

static char root[256]; /* the temporary directory of this program */

/* The status a batch's summary table gives scenario name: "done", "skipped", "failed". */
static const char *status_of(const cli_result *r, const char *name)
{
    static char status[16];
    size_t len = strlen(name);
    for (const char *p = r->out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, name, len) == 0 && p[len] == ' ') {
            sscanf(p + len, "%15s", status);
            return status;
        }
    }
    fail_msg("no scenario %s in the table:\n%s", name, r->out);
    return NULL;
}

static void expect_status(const cli_result *r, const char *name, const char *want)
{
    const char *got = status_of(r, name);
    if (strcmp(got, want) != 0)
        fail_msg("scenario %s: %s, expected %s\nstdout:\n%s\nstderr:\n%s", name, got, want, r->out,
                 r->err);
}

/* Every file of dir a equals the file of the same name in b, and both hold the same names;
 * subdirectories (maps/, shp/) alike. Returns how many entries a holds. */
static int same_tree(const char *a, const char *b)
{
    int n = 0;
    DIR *d = opendir(a);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *pa = cli_fmt("%s/%s", a, e->d_name), *pb = cli_fmt("%s/%s", b, e->d_name);
        struct stat st;
        if (stat(pa, &st) == 0 && S_ISDIR(st.st_mode)) {
            same_tree(pa, pb);
            free(pa);
            free(pb);
            n++;
            continue;
        }
        cli_same_bytes(pa, pb);
        free(pa);
        free(pb);
        n++;
    }
    closedir(d);
    d = opendir(b);
    assert_non_null(d);
    int m = 0;
    while ((e = readdir(d)) != NULL)
        m += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, m);
    return n;
}

static void same_dirs(const char *a, const char *b)
{
    assert_true(same_tree(a, b) >= 10);
}

/* scripts/example-batch.ini: every scenario is what `cptscov run` writes with its options. */
static void test_example_equals_run(void **state)
{
    (void)state;
    char *out = cli_fmt("%s/example", root);
    cli_result r = cli_run(root, "batch", "scripts/example-batch.ini", "--out", out, "-j2", NULL);
    if (r.status != 0)
        fail_msg("batch failed: %s%s", r.out, r.err);
    static const struct {
        const char *name;
        const char *extra[6];
    } scenarios[] = {
        {"signed", {"--status", "signed"}},
        {"signed-and-projects", {"--status", "signed,project"}},
        {"all-statuses", {"--status", "signed,project,letter"}},
        {"signed-2021", {"--status", "signed", "--as-of", "2021-12-31"}},
        {"signed-2022", {"--status", "signed", "--as-of", "2022-12-31"}},
        {"signed-2023", {"--status", "signed", "--as-of", "2023-12-31"}},
        {"region-99", {"--status", "signed,project", "--scope", "region:99"}},
        {"dep-99-gdal", {"--scope", "dep:99", "--geojson-engine", "gdal"}},
        {"signed-en", {"--status", "signed", "--lang", "en"}},
        {"signed-web", {"--simplify", "50"}},
        {"signed-gis", {"--format", "gpkg,shp"}},
    };
    int n = (int)(sizeof scenarios / sizeof scenarios[0]);
    assert_true(n >= 6);
    for (int i = 0; i < n; i++) {
        expect_status(&r, scenarios[i].name, "done");
        char *single = cli_fmt("%s/single-%s", root, scenarios[i].name);
        const char *args[CLI_MAX_ARGS] = {"run", CLI_SAMPLE_ARGS("scripts/../geodata"), "--out",
                                          single, "--quiet"};
        int k = 14;
        for (int e = 0; e < 6 && scenarios[i].extra[e]; e++)
            args[k++] = scenarios[i].extra[e];
        args[k] = NULL;
        cli_result s = cli_run_in(root, "run", args, (cli_limits){0});
        assert_int_equal(s.status, 0);
        char *dir = cli_fmt("%s/%s", out, scenarios[i].name);
        same_dirs(single, dir);
        free(dir);
        free(single);
        cli_result_free(&s);
    }
    cli_result_free(&r);
    /* The second run does nothing. */
    r = cli_run(root, "batch", "scripts/example-batch.ini", "--out", out, "--quiet", NULL);
    assert_int_equal(r.status, 0);
    for (int i = 0; i < n; i++)
        expect_status(&r, scenarios[i].name, "skipped");
    cli_result_free(&r);
    free(out);
}

/* A copy of the sample in dir where communes 99001 to 99020 are in department 98, region 53,
 * so that scopes of two regions can be told apart. */
static void make_two_regions(const char *dir)
{
    assert_int_equal(mkdir(dir, 0755), 0);
    static const char *const files[] = {"communes.shp", "communes.shx", "communes.dbf",
                                        "communes.prj", "communes.cpg", "passage.csv",
                                        "members.csv", "epci.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *src = cli_fmt("geodata/%s", files[i]), *dst = cli_fmt("%s/%s", dir, files[i]);
        size_t len;
        char *c = cli_slurp(src, &len);
        assert_non_null(c);
        FILE *f = fopen(dst, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(c, 1, len, f), len);
        fclose(f);
        free(c);
        free(src);
        free(dst);
    }
    char *pop = cli_slurp("geodata/population.csv", NULL);
    char *dst = cli_fmt("%s/population.csv", dir);
    FILE *f = fopen(dst, "wb");
    assert_non_null(f);
    char *save = NULL;
    for (char *line = strtok_r(pop, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        long code = strtol(line, NULL, 10);
        if (code >= 99001 && code <= 99020) {
            /* COM;LIBCOM;DEP;REG;EPCI;PMUN;LIBDEP;LIBREG */
            char *fields[8];
            int n = 0;
            char *s2 = NULL;
            for (char *p = strtok_r(line, ";", &s2); p && n < 8; p = strtok_r(NULL, ";", &s2))
                fields[n++] = p;
            assert_int_equal(n, 8);
            fprintf(f, "%s;%s;98;53;%s;%s;Val-d'Essai;Région Test\n", fields[0], fields[1],
                    fields[4], fields[5]);
        } else {
            fprintf(f, "%s\n", line);
        }
    }
    fclose(f);
    free(dst);
    free(pop);
}

static const char *const skip_ini =
    "; the batch of the skip and redo test\n"
    "[inputs]\n"
    "communes = communes.shp\n"
    "population = population.csv\n"
    "passage = passage.csv\n"
    "members = members.csv\n"
    "epci = epci.csv\n"
    "\n"
    "[scenario nat-signed]\n"
    "[scenario nat-projects]\n"
    "status = signed,project\n"
    "[scenario r53-signed]\n"
    "scope = region:53\n"
    "[scenario r53-2022]\n"
    "scope = region:53\n"
    "as_of = %s\n"
    "[scenario r53-projects]\n"
    "status = signed, project\n"
    "scope = region:53\n"
    "[scenario r99-signed]\n"
    "scope = region:99\n";

static void write_skip_ini(const char *dir, const char *as_of)
{
    char *ini = cli_fmt("%s/batch.ini", dir), *text = cli_fmt(skip_ini, as_of);
    cli_spit(ini, text);
    free(ini);
    free(text);
}

static void replace_in_file(const char *path, const char *from, const char *to)
{
    char *c = cli_slurp(path, NULL);
    assert_non_null(c);
    char *at = strstr(c, from);
    assert_non_null(at);
    *at = '\0';
    char *n = cli_fmt("%s%s%s", c, to, at + strlen(from));
    cli_spit(path, n);
    free(n);
    free(c);
}

static long long mtime_ns(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* Touch, an option, one membership row, --force: what is redone and what is skipped. */
static void test_skip_and_redo(void **state)
{
    (void)state;
    char *dir = cli_fmt("%s/two-regions", root);
    make_two_regions(dir);
    write_skip_ini(dir, "2022-12-31");
    char *ini = cli_fmt("%s/batch.ini", dir), *out = cli_fmt("%s/out", dir);
    char *manifest = cli_fmt("%s/manifest.json", out);
    static const char *const all[] = {"nat-signed", "nat-projects", "r53-signed", "r53-2022",
                                      "r53-projects", "r99-signed"};
    cli_result r = cli_run(root, "batch", ini, "--out", out, NULL);
    if (r.status != 0)
        fail_msg("batch failed: %s%s", r.out, r.err);
    for (int i = 0; i < 6; i++)
        expect_status(&r, all[i], "done");
    /* The scoped scenario holds region 53 only, with the national figure for reference. */
    char *s53 = cli_fmt("%s/r53-signed/summary.json", out);
    json_t *j = json_load_file(s53, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "national"),
                                                        "covered_population")), 45533);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "scope"),
                                                        "population")), 41947);
    assert_int_equal(json_array_size(json_object_get(j, "regions")), 1);
    json_decref(j);
    free(s53);
    cli_result_free(&r);

    /* touch: the files are hashed again, found equal: all skipped, the manifest updated. */
    char *members = cli_fmt("%s/members.csv", dir);
    long long before = mtime_ns(manifest);
    struct timespec later[2] = {{0, UTIME_NOW}, {time(NULL) + 5, 0}};
    assert_int_equal(utimensat(AT_FDCWD, members, later, 0), 0);
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(r.status, 0);
    for (int i = 0; i < 6; i++)
        expect_status(&r, all[i], "skipped");
    assert_true(mtime_ns(manifest) != before);
    cli_result_free(&r);
    before = mtime_ns(manifest);
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    for (int i = 0; i < 6; i++)
        expect_status(&r, all[i], "skipped");
    assert_true(mtime_ns(manifest) == before); /* nothing changed: not even rewritten */
    cli_result_free(&r);

    /* One option changed: that scenario only. */
    write_skip_ini(dir, "2023-12-31");
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(r.status, 0);
    for (int i = 0; i < 6; i++)
        expect_status(&r, all[i], strcmp(all[i], "r53-2022") == 0 ? "done" : "skipped");
    cli_result_free(&r);

    /* One membership row: cpts-sud (region 99 only) goes from letter to project. Region 53
     * under the signed rule shows nothing of it: skipped; a rule counting projects changes the
     * national figure every scenario shows: redone. */
    replace_in_file(members, "EPCI:299000003;letter;", "EPCI:299000003;project;");
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(r.status, 0);
    expect_status(&r, "nat-signed", "done");
    expect_status(&r, "nat-projects", "done");
    expect_status(&r, "r53-signed", "skipped");
    expect_status(&r, "r53-2022", "skipped");
    expect_status(&r, "r53-projects", "done");
    expect_status(&r, "r99-signed", "done");
    cli_result_free(&r);
    /* What was skipped is still what a run writes now, and so is what was redone. */
    static const char *const scopes[][2] = {{"r53-signed", "region:53"},
                                            {"r99-signed", "region:99"}};
    for (int i = 0; i < 2; i++) {
        char *single = cli_fmt("%s/single-%s", dir, scopes[i][0]);
        char *com = cli_fmt("%s/communes.shp", dir), *pop = cli_fmt("%s/population.csv", dir);
        char *pas = cli_fmt("%s/passage.csv", dir), *epci = cli_fmt("%s/epci.csv", dir);
        cli_result s = cli_run(root, "run", "--communes", com, "--population", pop, "--passage",
                               pas, "--members", members, "--epci", epci, "--scope", scopes[i][1],
                               "--out", single, "--quiet", NULL);
        assert_int_equal(s.status, 0);
        char *batch_dir = cli_fmt("%s/%s", out, scopes[i][0]);
        same_dirs(single, batch_dir);
        cli_result_free(&s);
        free(batch_dir);
        free(com);
        free(pop);
        free(pas);
        free(epci);
        free(single);
    }

    /* --force: everything. */
    r = cli_run(root, "batch", ini, "--out", out, "--force", NULL);
    assert_int_equal(r.status, 0);
    for (int i = 0; i < 6; i++)
        expect_status(&r, all[i], "done");
    cli_result_free(&r);
    /* A manifest that cannot be read: everything redone, and said. */
    cli_spit(manifest, "{ not json");
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(r.status, 0);
    for (int i = 0; i < 6; i++)
        expect_status(&r, all[i], "done");
    assert_non_null(strstr(r.err, "cannot be read; every scenario is redone"));
    cli_result_free(&r);
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    for (int i = 0; i < 6; i++)
        expect_status(&r, all[i], "skipped");
    cli_result_free(&r);
    /* An output directory removed by hand is written again. */
    char *gone = cli_fmt("%s/r99-signed", out);
    cli_rm_tree(gone);
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    expect_status(&r, "r99-signed", "done");
    expect_status(&r, "nat-signed", "skipped");
    cli_result_free(&r);
    free(gone);
    free(members);
    free(manifest);
    free(ini);
    free(out);
    free(dir);
}

/* A scenario that fails (a region no commune is in) does not stop the others; exit status 1. */
static void test_failing_scenario(void **state)
{
    (void)state;
    char *dir = cli_fmt("%s/failing", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    char *ini = cli_fmt("%s/batch.ini", dir), *out = cli_fmt("%s/out", dir);
    /* The sample by its absolute path (relative paths would be taken from the INI file). */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char *text =
        cli_fmt("[inputs]\ncommunes = %s/geodata/communes.shp\npopulation = %s/geodata/"
                "population.csv\nmembers = %s/geodata/members.csv\nepci = %s/geodata/epci.csv\n"
                "[scenario good]\n\n[scenario bad]\nscope = region:77\n\n"
                "[scenario also-good]\nstatus = project\n",
                cwd, cwd, cwd, cwd);
    cli_spit(ini, text);
    free(text);
    cli_result r = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(r.status, 1);
    expect_status(&r, "good", "done");
    expect_status(&r, "bad", "failed");
    expect_status(&r, "also-good", "done");
    char *where = cli_fmt("%s:8: scenario bad failed: --scope \"region:77\": no commune", ini);
    if (!strstr(r.err, where))
        fail_msg("no \"%s\" in:\n%s", where, r.err);
    free(where);
    char *bad = cli_fmt("%s/bad", out);
    assert_int_not_equal(access(bad, F_OK), 0);
    free(bad);
    cli_result_free(&r);
    /* An --out that is someone else's directory is refused before anything. */
    char *foreign = cli_fmt("%s/foreign", dir), *notes = cli_fmt("%s/foreign/notes.txt", dir);
    assert_int_equal(mkdir(foreign, 0755), 0);
    cli_spit(notes, "mine\n");
    cli_result f = cli_run(root, "batch", ini, "--out", foreign, NULL);
    assert_int_equal(f.status, 1);
    assert_non_null(strstr(f.err, "is not an output of cptscov batch"));
    assert_int_equal(access(notes, F_OK), 0);
    cli_result_free(&f);
    free(notes);
    free(foreign);
    /* A batch already writing OUT (it holds OUT's lock): refused, nothing touched. */
    int busy = open(out, O_RDONLY | O_DIRECTORY);
    assert_true(busy >= 0);
    assert_int_equal(flock(busy, LOCK_EX | LOCK_NB), 0);
    cli_result l = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(l.status, 1);
    assert_non_null(strstr(l.err, "another cptscov batch is writing it"));
    cli_result_free(&l);
    close(busy);
    /* The failed scenario is tried again, the others are skipped. */
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(r.status, 1);
    expect_status(&r, "good", "skipped");
    expect_status(&r, "bad", "failed");
    cli_result_free(&r);
    free(ini);
    free(out);
    free(dir);
}

/* A commune of the many-files batch: a square of 0.01 degree (side 0.01 * scale) of its own,
 * apart from the others, in a GeoJSON file of its own. */
static void write_square(const char *dir, int i, double scale)
{
    double x = -2.0 + (i % 20) * 0.02, y = 48.0 + (i / 20) * 0.02, d = 0.01 * scale;
    char *path = cli_fmt("%s/c%03d.geojson", dir, i);
    char *text = cli_fmt("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
                         "\"properties\": {\"INSEE_COM\": \"35%03d\"}, \"geometry\": {\"type\": "
                         "\"Polygon\", \"coordinates\": [[[%.2f, %.2f], [%.4f, %.2f], "
                         "[%.4f, %.4f], [%.2f, %.4f], [%.2f, %.2f]]]}}]}\n",
                         i + 1, x, y, x + d, y, x + d, y + d, x, y + d, x, y);
    cli_spit(path, text);
    free(text);
    free(path);
}

/* A batch whose inputs are more files than a fixed table would hold (300 layers, one file
 * each, then the tables): every file is in the manifest, and a change to the last layer is
 * seen and redoes the scenario. */
static void test_many_input_files(void **state)
{
    (void)state;
    enum { NLAYERS = 300 };
    char *dir = cli_fmt("%s/many-files", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    char *ini_text = NULL, *pop_text = NULL, *mem_text = NULL;
    size_t ini_len = 0, pop_len = 0, mem_len = 0;
    FILE *ini = open_memstream(&ini_text, &ini_len);
    FILE *pop = open_memstream(&pop_text, &pop_len);
    FILE *mem = open_memstream(&mem_text, &mem_len);
    assert_true(ini && pop && mem);
    fputs("[inputs]\n", ini);
    fputs("COM;LIBCOM;DEP;REG;PMUN\n", pop);
    fputs("cpts_id;cpts_name;insee_com;status;signed_on\n", mem);
    for (int i = 0; i < NLAYERS; i++) {
        write_square(dir, i, 1.0);
        fprintf(ini, "communes = c%03d.geojson\n", i);
        fprintf(pop, "35%03d;Commune %d;35;53;%d\n", i + 1, i + 1, 100 + i);
        if (i % 2 == 0)
            fprintf(mem, "cpts-a;CPTS A;35%03d;signed;2021-05-12\n", i + 1);
    }
    fputs("population = population.csv\nmembers = members.csv\n[scenario all]\n", ini);
    fclose(ini);
    fclose(pop);
    fclose(mem);
    char *ini_path = cli_fmt("%s/batch.ini", dir), *pop_path = cli_fmt("%s/population.csv", dir);
    char *mem_path = cli_fmt("%s/members.csv", dir), *out = cli_fmt("%s/out", dir);
    cli_spit(ini_path, ini_text);
    cli_spit(pop_path, pop_text);
    cli_spit(mem_path, mem_text);
    free(ini_text);
    free(pop_text);
    free(mem_text);

    cli_result r = cli_run(root, "batch", ini_path, "--out", out, NULL);
    if (r.status != 0)
        fail_msg("batch failed: %s%s", r.out, r.err);
    expect_status(&r, "all", "done");
    cli_result_free(&r);
    char *manifest = cli_fmt("%s/manifest.json", out);
    json_t *m = json_load_file(manifest, 0, NULL);
    assert_non_null(m);
    json_t *files = json_object_get(json_object_get(json_object_get(m, "scenarios"), "all"),
                                    "files");
    assert_int_equal(json_array_size(files), NLAYERS + 2);
    json_decref(m);
    /* Unchanged: skipped. */
    r = cli_run(root, "batch", ini_path, "--out", out, NULL);
    assert_int_equal(r.status, 0);
    expect_status(&r, "all", "skipped");
    cli_result_free(&r);
    /* The last layer's commune shrinks: its area changes, the scenario is redone. */
    write_square(dir, NLAYERS - 1, 0.5);
    r = cli_run(root, "batch", ini_path, "--out", out, NULL);
    assert_int_equal(r.status, 0);
    expect_status(&r, "all", "done");
    cli_result_free(&r);
    free(manifest);
    free(ini_path);
    free(pop_path);
    free(mem_path);
    free(out);
    free(dir);
}

/* The communes' digest reads the polygons as read: on a table whose polygons the arcs took,
 * it refuses (a bug of the caller) instead of digesting communes without polygons. */
static void test_digest_before_arcs(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    ctab_init(&t, h);
    assert_int_equal(ctab_add_commune(&t, "35001"), 0);
    unsigned char(*hashes)[32] = dig_communes_before_arcs(&t, h);
    assert_non_null(hashes);
    free(hashes);
    t.polygons_taken = 1;
    diag_clear();
    assert_null(dig_communes_before_arcs(&t, h));
    assert_non_null(diag_message());
    assert_non_null(strstr(diag_message(), "after the arcs took their polygons"));
    diag_clear();
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* INI errors: one line CONFIG:LINE, exit status 2, nothing written. */
static void test_ini_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *words;
    } cases[] = {
        {"[inputs]\ncommunes = a.shp\nfrobnicate = 1\n", 3, "unknown key \"frobnicate\""},
        {"[inputs]\ncommunes = a.shp\n[outputs]\n", 3, "unknown section [outputs]"},
        {"[inputs]\n[scenario ../x]\n", 2, "scenario name \"../x\" cannot be a directory name"},
        {"[inputs]\n[scenario a]\nstatus = signed\n\n[scenario a]\n", 5,
         "scenario \"a\" is already defined at line 2"},
        {"[inputs]\ncommunes = a.shp\npopulation = p.csv\nmembers = m.csv\n[scenario a]\n"
         "as_of = 2023-02-30\n", 5, "as-of \"2023-02-30\" is not a date"},
        {"[inputs]\ncommunes = a.shp\npopulation = p.csv\nmembers = m.csv\n[scenario a]\n"
         "scope = brittany\n", 5, "--scope \"brittany\" is not a scope"},
        {"[inputs]\ncommunes = a.shp\n[scenario a]\n", 1, "[inputs] has no population"},
        {"[inputs]\n[scenario a]\npopulation = p.csv\n", 3, "\"population\" belongs in [inputs]"},
        {"status = signed\n", 1, "comes before any section"},
        {"[inputs]\nthis line has no equals sign\n", 2, "not a \"key = value\" line"},
        {"[inputs]\n[inputs]\n", 2, "a second [inputs] section"},
        {"[scenario .hidden]\n", 1, "cannot be a directory name"},
        {"[scenario manifest.json]\n", 1, "cannot be a directory name"},
    };
    char *dir = cli_fmt("%s/ini", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *ini = cli_fmt("%s/case%zu.ini", dir, i), *out = cli_fmt("%s/out%zu", dir, i);
        cli_spit(ini, cases[i].text);
        cli_result r = cli_run(root, "batch", ini, "--out", out, NULL);
        char *want = cli_fmt("cptscov: %s:%d: ", ini, cases[i].line);
        if (r.status != 2 || strncmp(r.err, want, strlen(want)) != 0 ||
            !strstr(r.err, cases[i].words) || strchr(r.err, '\n') != r.err + strlen(r.err) - 1)
            fail_msg("case %zu: status %d, stderr:\n%s\nexpected status 2 and \"%s...%s\"", i,
                     r.status, r.err, want, cases[i].words);
        assert_int_not_equal(access(out, F_OK), 0);
        cli_result_free(&r);
        free(want);
        free(ini);
        free(out);
    }
    /* A line too long for libinih's buffer is refused, never cut. */
    char *ini = cli_fmt("%s/long.ini", dir), *out = cli_fmt("%s/out-long", dir);
    char longline[400];
    memset(longline, 'a', sizeof longline);
    longline[sizeof longline - 1] = '\0';
    char *text = cli_fmt("[inputs]\ncommunes = %s.shp\n", longline);
    cli_spit(ini, text);
    cli_result r = cli_run(root, "batch", ini, "--out", out, NULL);
    assert_int_equal(r.status, 2);
    char *want = cli_fmt("%s:2: line longer than", ini);
    assert_non_null(strstr(r.err, want));
    cli_result_free(&r);
    free(want);
    free(text);
    free(ini);
    free(out);
    /* No CONFIG, no --out. */
    r = cli_run(root, "batch", "--out", "x", NULL);
    assert_int_equal(r.status, 2);
    cli_result_free(&r);
    r = cli_run(root, "batch", "scripts/example-batch.ini", NULL);
    assert_int_equal(r.status, 2);
    cli_result_free(&r);
    free(dir);
}

/* run --scope: the figures of region 53, the national one kept; unknown codes refused. */
static void test_run_scope(void **state)
{
    (void)state;
    char *dir = cli_fmt("%s/scope", root);
    make_two_regions(dir);
    char *pop = cli_fmt("%s/population.csv", dir), *out = cli_fmt("%s/out", dir);
    cli_result r =
        cli_run(root, "run", "--communes", "geodata/communes.shp", "--population", pop, "--passage",
                "geodata/passage.csv", "--members", "geodata/members.csv", "--epci",
                "geodata/epci.csv", "--scope", "region:53", "--out", out, NULL);
    assert_int_equal(r.status, 0);
    if (!strstr(r.out, "covered in region 53 (Région Test): 38628 of 41947 inhabitants (92.09 %), "
                       "13 of 18 communes, 2 CPTS counting of 3; 1 uncovered zone; national: "
                       "45533 of 57094 (79.75 %)"))
        fail_msg("stdout: %s", r.out);
    cli_result_free(&r);
    char *csv = cli_fmt("%s/coverage_departments.csv", out);
    char *c = cli_slurp(csv, NULL);
    assert_non_null(strstr(c, "\n98,Val-d'Essai,53,41947,38628,92.0876,18,13,"));
    assert_null(strstr(c, "\n99,"));
    free(c);
    free(csv);
    csv = cli_fmt("%s/coverage_cpts.csv", out);
    c = cli_slurp(csv, NULL);
    assert_non_null(strstr(c, "\ncpts-landes,"));
    assert_null(strstr(c, "cpts-sud")); /* all its communes are in region 99 */
    free(c);
    free(csv);
    /* Departments: the same figures through dep:98; region 99 alone; an unknown code. */
    cli_result d = cli_run(root, "run", "--communes", "geodata/communes.shp", "--population", pop,
                           "--members", "geodata/members.csv", "--epci", "geodata/epci.csv",
                           "--scope", "dep:98", "--out", out, "--quiet", NULL);
    assert_int_equal(d.status, 0);
    cli_result_free(&d);
    d = cli_run(root, "run", "--communes", "geodata/communes.shp", "--population", pop, "--members",
                "geodata/members.csv", "--epci", "geodata/epci.csv", "--scope", "region:77",
                "--out", out, NULL);
    assert_int_equal(d.status, 1);
    assert_non_null(strstr(d.err, "no commune of the population table is in region 77"));
    cli_result_free(&d);
    free(pop);
    free(out);
    free(dir);
}

/* The national data: two scoped scenarios, then the second run, skipped whole, timed. */
static void test_national_batch(void **state)
{
    (void)state;
    const char *g = getenv("CPTSCOV_GEODATA");
    char geodata[512];
    snprintf(geodata, sizeof geodata, "%s", g ? g : "../shared/geodata");
    char *probe = cli_fmt("%s/README.md", geodata);
    if (access(probe, R_OK) != 0) {
        free(probe);
        skip();
    }
    free(probe);
    char real[4096];
    assert_non_null(realpath(geodata, real));
    char *dir = cli_fmt("%s/national", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    char *ini = cli_fmt("%s/national.ini", dir), *out = cli_fmt("%s/out", dir);
    char *a = cli_fmt("%s/admin-express-cog-2018", real);
    char *text = cli_fmt("[inputs]\n"
                         "communes = %s/COMMUNE_FXX.shp, %s/COMMUNE_GLP.shp,\n"
                         "    %s/COMMUNE_MTQ.shp, %s/COMMUNE_GUF.shp,\n"
                         "    %s/COMMUNE_REU.shp, %s/COMMUNE_MYT.shp\n"
                         "population = %s/insee/populations-2025.csv\n"
                         "passage = %s/insee/passage-cog-2025.csv\n"
                         "epci = %s/insee/epci-2025.csv\n"
                         "members = %s/cpts/cpts-synthetic-national.csv\n\n"
                         "[scenario bretagne]\nscope = region:53\n\n"
                         "[scenario cotes-ille]\nstatus = signed, project\nscope = dep:35,22\n",
                         a, a, a, a, a, a, real, real, real, real);
    cli_spit(ini, text);
    cli_result r = cli_run(root, "batch", ini, "--out", out, NULL);
    if (r.status != 0)
        fail_msg("batch failed: %s%s", r.out, r.err);
    expect_status(&r, "bretagne", "done");
    expect_status(&r, "cotes-ille", "done");
    cli_result_free(&r);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = cli_run(root, "batch", ini, "--out", out, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(r.status, 0);
    expect_status(&r, "bretagne", "skipped");
    expect_status(&r, "cotes-ille", "skipped");
    /* Measured, not asserted (the machine is shared): docs/hacking.md quotes it. */
    printf("national batch, second run (everything skipped): %.3f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    cli_result_free(&r);
    free(text);
    free(a);
    free(ini);
    free(out);
    free(dir);
}

static int setup(void **state)
{
    (void)state;
    if (access(cli_program(), X_OK) != 0) {
        fprintf(stderr, "%s not built: run make cptscov (from the project root)\n", cli_program());
        return -1;
    }
    return cli_make_root(root, sizeof root, "batch");
}

static int teardown(void **state)
{
    (void)state;
    cli_rm_tree(root);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_equals_run),
        cmocka_unit_test(test_skip_and_redo),
        cmocka_unit_test(test_failing_scenario),
        cmocka_unit_test(test_many_input_files),
        cmocka_unit_test(test_digest_before_arcs),
        cmocka_unit_test(test_ini_errors),
        cmocka_unit_test(test_run_scope),
        cmocka_unit_test(test_national_batch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
