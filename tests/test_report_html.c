/* test_report_html.c -- report.html of the sample, opened in headless Chromium.
 * It must render without console errors, with one shape per department, and a screenshot.
 *
 * Chromium (Debian's, installed by scripts/install-deps) is run as the issue asks, with
 * --dump-dom for the page as rendered (after its inline script ran) and --enable-logging=
 * stderr, which prints every console message and uncaught error as an "INFO:CONSOLE" line;
 * the report writes none, so any such line fails. A second run saves a PNG screenshot into
 * the test logs. The same checker is run on deliberately broken copies of the page, which
 * it must refuse: a test that cannot fail proves nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"

#define MAX_HTML_BYTES (3 * 1024 * 1024)

static const char *logs_dir(void)
{
    const char *p = getenv("TEST_LOGS");
    return p && p[0] ? p : "build/test-logs";
}

static char work[PATH_MAX];  /* build/test-report-html, absolute */

/* Runs cptscov on the sample (members from members_csv, population from population_csv)
 * into dir; its exit status (its stderr printed when not 0). */
static int run_sample(const char *dir, const char *members_csv, const char *population_csv)
{
    const char *args[] = {"run", "--communes", "geodata/communes.shp", "--population",
                          population_csv, "--passage", "geodata/passage.csv", "--members",
                          members_csv, "--epci", "geodata/epci.csv", "--out", dir, "--quiet",
                          NULL};
    cli_result r = cli_run_in(work, "cptscov", args, (cli_limits){0});
    if (r.status != 0)
        fprintf(stderr, "cptscov on the sample exited %d: %s", r.status, r.err);
    int status = r.status;
    cli_result_free(&r);
    return status;
}

/* Counts occurrences of needle in [s, end). */
static int count_in(const char *s, const char *end, const char *needle)
{
    int n = 0;
    size_t k = strlen(needle);
    for (const char *p = strstr(s, needle); p && p + k <= end; p = strstr(p + k, needle))
        n++;
    return n;
}

/* Opens page in headless Chromium and checks what it rendered: no console message, the
 * sorting script ran, and the departments map holds `departments` shapes. With png, also
 * saves a screenshot there. Returns 0, or -1 with the reason in why. */
static int check_page(const char *page, int departments, const char *png, char *why, size_t n)
{
    char abs[PATH_MAX], url[PATH_MAX + 16], profile[PATH_MAX + 64];
    assert_non_null(realpath(page, abs));
    snprintf(url, sizeof url, "file://%s", abs);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/chromium-profile", work);
    char *dom_path = cli_path(work, "dom.html"), *log_path = cli_path(work, "chromium.log");
    char *const dump[] = {
        "timeout", "180", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", profile, "--enable-logging=stderr", "--v=0",
        "--dump-dom", url, NULL,
    };
    int status = cli_spawn(dump, dom_path, log_path, (cli_limits){0});
    char *dom = cli_slurp(dom_path, NULL), *log = cli_slurp(log_path, NULL);
    int rc = 0;
    const char *console = log ? strstr(log, ":CONSOLE") : NULL;
    const char *svg = dom ? strstr(dom, "id=\"departments\"") : NULL;
    const char *svg_end = svg ? strstr(svg, "</svg>") : NULL;
    if (status != 0 || !dom || !strstr(dom, "</html>")) {
        snprintf(why, n, "chromium exited %d without the page's DOM (see %s)", status, log_path);
        rc = -1;
    } else if (console) {
        const char *eol = strchr(console, '\n');
        snprintf(why, n, "console message: %.*s", (int)(eol ? eol - console : 200), console);
        rc = -1;
    } else if (!svg || !svg_end) {
        snprintf(why, n, "no map of departments in the rendered page");
        rc = -1;
    } else if (count_in(svg, svg_end, "data-code=\"") != departments) {
        snprintf(why, n, "%d department shapes in the map, %d expected",
                 count_in(svg, svg_end, "data-code=\""), departments);
        rc = -1;
    } else if (!strstr(dom, "tabindex=\"0\"")) {
        snprintf(why, n, "the sorting script did not run");
        rc = -1;
    }
    free(dom);
    free(log);
    if (rc == 0 && png) {
        char shot[PATH_MAX + 16];
        snprintf(shot, sizeof shot, "--screenshot=%s", png);
        char *const take[] = {
            "timeout", "180", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", profile, "--hide-scrollbars",
            "--window-size=1200,2600", shot, url, NULL,
        };
        status = cli_spawn(take, dom_path, log_path, (cli_limits){0});
        struct stat st;
        if (status != 0 || stat(png, &st) != 0 || st.st_size < 10000) {
            snprintf(why, n, "no screenshot %s (chromium exited %d)", png, status);
            rc = -1;
        }
    }
    free(dom_path);
    free(log_path);
    return rc;
}

/* Departments of coverage_departments.csv that have a polygon (communes_without_polygon,
 * the 9th column, below communes, the 7th). */
static int departments_with_polygon(const char *dir)
{
    char *p = cli_path(dir, "coverage_departments.csv");
    char *csv = cli_slurp(p, NULL);
    free(p);
    assert_non_null(csv);
    int n = 0;
    char *save = NULL;
    strtok_r(csv, "\n", &save);                         /* the header */
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        long col[12] = {0};
        int c = 0;
        for (char *s = line; *s && c < 12; c++) {
            col[c] = strtol(s, NULL, 10);
            char *comma = strchr(s, ',');
            if (!comma)
                break;
            s = comma + 1;
        }
        n += col[8] < col[6];
    }
    free(csv);
    return n;
}

static char *sample_out(void)
{
    return cli_path(work, "sample");
}

static void report_is_self_contained(void **state)
{
    (void)state;
    char *dir = sample_out();
    char *page = cli_path(dir, "report.html");
    size_t len = 0;
    char *html = cli_slurp(page, &len);
    assert_non_null(html);
    assert_true(len < MAX_HTML_BYTES);
    assert_non_null(strstr(html, "<html lang=\"fr\">"));
    /* Nothing fetched: no link, image, frame, external script, import or url(). */
    const char *forbidden[] = {"<link", "<img", "<iframe", "<script src", "@import", "url(",
                               "<object", "<embed"};
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        if (strstr(html, forbidden[i]))
            fail_msg("report.html holds %s", forbidden[i]);
    for (const char *p = strstr(html, "http"); p; p = strstr(p + 4, "http"))
        if (strncmp(p, "http://www.w3.org/2000/svg", 26) != 0)
            fail_msg("report.html refers to %.40s", p);
    /* Every section, and numbers written the French way (narrow no-break spaces). */
    const char *ids[] = {"id=\"headline\"", "id=\"maps\"", "id=\"table\"", "id=\"zones\"",
                         "id=\"timeline\"", "id=\"join\"", "id=\"departments\"", "id=\"cpts\"",
                         "id=\"region-99\"", "join_issues.csv", "@page"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (!strstr(html, ids[i]))
            fail_msg("report.html lacks %s", ids[i]);
    assert_non_null(strstr(html, "45\xe2\x80\xaf" "533"));
    /* Each map alone, for slides. */
    const char *maps[] = {"maps/departments.svg", "maps/cpts.svg", "maps/region-99.svg"};
    for (int i = 0; i < 3; i++) {
        char *p = cli_path(dir, maps[i]);
        char *svg = cli_slurp(p, NULL);
        if (!svg)
            fail_msg("%s is missing", maps[i]);
        assert_int_equal(strncmp(svg, "<?xml", 5), 0);
        assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
        free(svg);
        free(p);
    }
    free(html);
    free(page);
    free(dir);
}

static void report_renders_in_chromium(void **state)
{
    (void)state;
    char *dir = sample_out();
    char *page = cli_path(dir, "report.html");
    char *png = cli_path(logs_dir(), "report-sample.png");
    char why[512] = "";
    int deps = departments_with_polygon(dir);
    assert_int_equal(deps, 1);
    if (check_page(page, deps, png, why, sizeof why) < 0)
        fail_msg("%s: %s", page, why);
    free(png);
    free(page);
    free(dir);
}

/* Writes a copy of the sample's report with `from` replaced by `to` (first occurrence). */
static char *broken_copy(const char *name, const char *from, const char *to)
{
    char *dir = sample_out(), *page = cli_path(dir, "report.html");
    char *html = cli_slurp(page, NULL);
    assert_non_null(html);
    char *at = strstr(html, from);
    assert_non_null(at);
    size_t n = strlen(html) - strlen(from) + strlen(to) + 1;
    char *copy = malloc(n);
    assert_non_null(copy);
    snprintf(copy, n, "%.*s%s%s", (int)(at - html), html, to, at + strlen(from));
    char *out = cli_path(work, name);
    cli_spit(out, copy);
    free(copy);
    free(html);
    free(page);
    free(dir);
    return out;
}

/* The checker refuses a page with a script error, and one that lost a department's shape. */
static void broken_pages_fail(void **state)
{
    (void)state;
    char why[512] = "";
    char *bad = broken_copy("broken-script.html", "</body>", "<script>noSuchFunction()</script></body>");
    assert_int_equal(check_page(bad, 1, NULL, why, sizeof why), -1);
    assert_non_null(strstr(why, "noSuchFunction"));
    free(bad);
    bad = broken_copy("broken-map.html", "data-code=\"99\"", "data-gone=\"99\"");
    assert_int_equal(check_page(bad, 1, NULL, why, sizeof why), -1);
    assert_non_null(strstr(why, "0 department shapes"));
    free(bad);
    bad = broken_copy("broken-sort.html", "<script>", "<script>throw 1;");
    assert_int_equal(check_page(bad, 1, NULL, why, sizeof why), -1);
    free(bad);
}

/* Names from the inputs reach the report and the maps escaped, never as markup. */
static void input_text_is_escaped(void **state)
{
    (void)state;
    char *members = cli_path(work, "members-evil.csv"),
         *population = cli_path(work, "population-evil.csv");
    char *csv = cli_slurp("geodata/members.csv", NULL),
         *pop = cli_slurp("geodata/population.csv", NULL);
    assert_non_null(csv);
    assert_non_null(pop);
    /* Every name of cpts-nord, and the first commune's name. */
    char *out = malloc(strlen(csv) * 4 + 1024);
    assert_non_null(out);
    out[0] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(csv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *semi = strchr(line, ';'), *semi2 = semi ? strchr(semi + 1, ';') : NULL;
        if (semi && semi2 && strncmp(line, "cpts-nord;", 10) == 0)
            sprintf(out + strlen(out), "%.*s;\"%s\"%s\n", (int)(semi - line), line,
                    "<img src=x onerror=alert(1)>&\"\"CPTS\"\"", semi2);
        else
            sprintf(out + strlen(out), "%s\n", line);
    }
    cli_spit(members, out);
    cli_spit(population, pop);
    char *dir = cli_path(work, "evil");
    assert_int_equal(run_sample(dir, members, population), 0);
    char *page = cli_path(dir, "report.html"), *map = cli_path(dir, "maps/cpts.svg");
    char *html = cli_slurp(page, NULL), *svg = cli_slurp(map, NULL);
    assert_non_null(html);
    assert_non_null(svg);
    assert_null(strstr(html, "<img"));
    assert_null(strstr(svg, "<img"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;CPTS&quot;"));
    assert_non_null(strstr(svg, "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;CPTS&quot;"));
    char why[512] = "";
    if (check_page(page, 1, NULL, why, sizeof why) < 0)
        fail_msg("%s: %s", page, why);
    free(html);
    free(svg);
    free(page);
    free(map);
    free(dir);
    free(out);
    free(csv);
    free(pop);
    free(members);
    free(population);
}

/* The national job on ../shared/geodata (or $CPTSCOV_GEODATA): report.html under 3 MB, one
 * shape per department with a polygon (101), no console message, and a screenshot. */
static void national_report(void **state)
{
    (void)state;
    const char *g = getenv("CPTSCOV_GEODATA");
    const char *geodata = g && g[0] ? g : "../shared/geodata";
    const char *layers[] = {"FXX", "GLP", "MTQ", "GUF", "REU", "MYT"};
    char *paths[6], *argv[40];
    int n = 0;
    argv[n++] = (char *)cli_program();
    argv[n++] = "run";
    for (int i = 0; i < 6; i++) {
        paths[i] = malloc(strlen(geodata) + 64);
        assert_non_null(paths[i]);
        sprintf(paths[i], "%s/admin-express-cog-2018/COMMUNE_%s.shp", geodata, layers[i]);
        argv[n++] = "--communes";
        argv[n++] = paths[i];
    }
    char *pop = cli_path(geodata, "insee/populations-2025.csv");
    char *pass = cli_path(geodata, "insee/passage-cog-2025.csv");
    char *epci = cli_path(geodata, "insee/epci-2025.csv");
    char *members = cli_path(geodata, "cpts/cpts-synthetic-national.csv");
    char *dir = cli_path(work, "national");
    char *extra[] = {"--population", pop, "--passage", pass, "--epci", epci, "--members", members,
                     "--out", dir, "--quiet", NULL};
    for (int i = 0; extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    char *out = cli_path(work, "national.out"), *err = cli_path(work, "national.err");
    int status = cli_spawn(argv, out, err, (cli_limits){0});
    if (status != 0) {
        char *e = cli_slurp(err, NULL);
        fail_msg("cptscov on the national data exited %d: %s", status, e ? e : "");
    }
    char *page = cli_path(dir, "report.html");
    struct stat st;
    assert_int_equal(stat(page, &st), 0);
    if (st.st_size >= MAX_HTML_BYTES)
        fail_msg("the national report.html weighs %lld bytes, over 3 MB", (long long)st.st_size);
    int deps = departments_with_polygon(dir);
    assert_int_equal(deps, 101);
    char *png = cli_path(logs_dir(), "report-national.png");
    char why[512] = "";
    if (check_page(page, deps, png, why, sizeof why) < 0)
        fail_msg("%s: %s", page, why);
    for (int i = 0; i < 6; i++)
        free(paths[i]);
    free(png);
    free(page);
    free(out);
    free(err);
    free(dir);
    free(pop);
    free(pass);
    free(epci);
    free(members);
}

static int setup(void **state)
{
    (void)state;
    if (system("rm -rf build/test-report-html && mkdir -p build/test-report-html") != 0)
        return -1;
    mkdir(logs_dir(), 0755);
    if (!realpath("build/test-report-html", work))
        return -1;
    char *dir = sample_out();
    int status = run_sample(dir, "geodata/members.csv", "geodata/population.csv");
    free(dir);
    return status == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_is_self_contained),
        cmocka_unit_test(report_renders_in_chromium),
        cmocka_unit_test(broken_pages_fail),
        cmocka_unit_test(input_text_is_escaped),
        cmocka_unit_test(national_report),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
