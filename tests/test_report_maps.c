/* test_report_maps.c -- report.html and maps/ written from a grid of communes whose answers are
 * known: one shape per department, file names from codes only, hostile codes kept inside. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyse/adjacency.h"
#include "cli_run.h"
#include "fixtures.h"
#include "report/report_geometry.h"
#include "report/report_maps.h"
#include "report/write_report.h"
#include "write/results.h"
#include "analyse/timeline.h"
#include "geom/outline.h"
#include "analyse/zones.h"

/* The sorted names in dir, joined by spaces. */
static char *listing(const char *dir)
{
    char *names[64];
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = xstrdup(e->d_name);
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *x = names[j];
            names[j] = names[j - 1];
            names[j - 1] = x;
        }
    char *out = xstrdup("");
    for (int i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? " " : "", names[i]);
        free(out);
        free(names[i]);
        out = next;
    }
    return out;
}

/* A copy of s up to (not including) the first end, or all of s. */
static char *xstrndup_until(const char *s, const char *end)
{
    const char *e = strstr(s, end);
    size_t n = e ? (size_t)(e - s) : strlen(s);
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

/* A 6 x 4 grid: departments 35 (left) and 22 (right); the two top rows in region "53", the
 * two bottom ones in a region whose code "../" would climb out of maps/; a CPTS of named
 * "<script>" over the left column. */
static void maps_of_a_grid(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 6, 4);
    for (int c = 0; c < t.ncommunes; c++)
        if (c / 6 < 2)
            strcpy(t.communes[c].reg, "../");
    const char *left[] = {"35001", "35007", "35013", "35019"};
    int k = fix_cpts(&t, "left", STATUS_SIGNED, 20230115, left, 4);
    free(t.cpts[k].name);
    t.cpts[k].name = xstrdup("<script>alert(1)</script>");
    coverage_rule rule = {{0}, 0};
    rule.status[STATUS_SIGNED] = 1;
    coverage_report cov;
    cov_compute(&t, &rule, &cov);
    adjacency adj;
    adj_build(&t, &adj);
    zone_list zl;
    zone_find(&t, &adj, &cov, &zl);
    coverage_timeline tl;
    tl_compute(&t, &cov, &tl);
    topology *tp = topo_build(&t, h);
    assert_non_null(tp);
    double coarse_m, fine_m;
    rgeo_scales(&t, &coarse_m, &fine_m);
    topo_simplified *coarse = topo_simplify(tp, h, coarse_m), *fine = topo_simplify(tp, h, fine_m);
    assert_non_null(coarse);
    assert_non_null(fine);
    report_geometry g;
    rgeo_build(&g, &t, &cov, &zl, coarse, fine, 2);
    /* A 6 km grid: about 6 m a unit of the national maps, a fifth of it for the regions. */
    assert_float_equal(g.coarse_m, 6.0, 1e-9);
    assert_float_equal(g.fine_m, 1.2, 1e-9);
    join_issues ji; /* 70 kinds, more than a table of 64 held */
    jis_init(&ji);
    for (int k = 0; k < 70; k++)
        for (int i = 0; i <= k % 3; i++) {
            char kind[32];
            snprintf(kind, sizeof kind, "kind_%02d", 69 - k);
            jis_add(&ji, "members.csv", k + 1, "35001", kind, "issue %d", i);
        }
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/cptscov-maps-XXXXXX");
    assert_non_null(mkdtemp(dir));
    run_results r = {
        .table = &t, .coverage = &cov, .zones = &zl, .issues = &ji, .timeline = &tl,
        .lang = LANG_FR,
    };
    assert_int_equal(write_report_html(dir, &r, &g), 0);

    char *top = listing(dir);
    assert_string_equal(top, "maps report.html");
    char *sub = xasprintf("%s/maps", dir);
    char *maps = listing(sub);
    /* Regions sorted by code: "../" first, named by its rank. */
    assert_string_equal(maps, "cpts.svg departments.svg region-53.svg region-rank-1.svg");
    char *p = xasprintf("%s/report.html", dir);
    char *html = cli_slurp(p, NULL);
    assert_non_null(html);
    assert_null(strstr(html, "<script>alert"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    /* One shape per department in the choropleth: 35 has 30 % of its people covered (4 000 of
     * 13 200), 22 none. */
    const char *deps = strstr(html, "id=\"departments\"");
    assert_non_null(deps);
    char *deps_svg = xstrndup_until(deps, "</svg>");
    assert_int_equal(cli_count(deps_svg, "data-code="), 2);
    assert_non_null(strstr(deps_svg, "class=\"dep q2\" data-code=\"35\""));
    assert_non_null(strstr(deps_svg, "class=\"dep q0\" data-code=\"22\""));
    free(deps_svg);
    /* The CPTS map: the covered and the uncovered communes as one shape each. */
    const char *cpts = strstr(html, "id=\"cpts\"");
    assert_non_null(cpts);
    char *cpts_svg = xstrndup_until(cpts, "</svg>");
    assert_int_equal(cli_count(cpts_svg, "<path class=\"covered\""), 1);
    assert_int_equal(cli_count(cpts_svg, "<path class=\"uncovered\""), 1);
    free(cpts_svg);
    assert_non_null(strstr(html, "id=\"region-rank-1\""));
    /* Every kind of join issue has its row, in the order it first appears, with its count. */
    const char *prev = strstr(html, "id=\"join\"");
    assert_non_null(prev);
    for (int k = 0; k < 70; k++) {
        char row[96];
        snprintf(row, sizeof row, "<tr><td><code>kind_%02d</code></td><td class=\"n\" "
                 "data-v=\"%d\">%d</td>", 69 - k, k % 3 + 1, k % 3 + 1);
        const char *q = strstr(html, row);
        if (!q)
            fail_msg("no row %s", row);
        assert_true(q > prev);
        prev = q;
    }
    free(html);

    char *cmd = xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(p);
    free(top);
    free(sub);
    free(maps);
    jis_free(&ji);
    rgeo_free(&t, &g);
    topo_simplified_free(coarse);
    topo_simplified_free(fine);
    topo_free(tp);
    tl_free(&tl);
    zone_free(&t, &zl);
    adj_free(&adj);
    cov_free(&cov);
    ctab_free(&t);
    GEOS_finish_r(h);
}

/* The classes of the choropleth, at their bounds. */
static void share_classes(void **state)
{
    (void)state;
    coverage_figures f = {0};
    assert_string_equal(rmap_share_class(&f), "q0");          /* nobody lives there */
    f.population = 1000;
    assert_string_equal(rmap_share_class(&f), "q0");
    f.covered_population = 1;
    assert_string_equal(rmap_share_class(&f), "q1");
    f.covered_population = 200;
    assert_string_equal(rmap_share_class(&f), "q2");
    f.covered_population = 599;
    assert_string_equal(rmap_share_class(&f), "q3");
    f.covered_population = 799;
    assert_string_equal(rmap_share_class(&f), "q4");
    f.covered_population = 800;
    assert_string_equal(rmap_share_class(&f), "q5");
    f.covered_population = 1000;
    assert_string_equal(rmap_share_class(&f), "q5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_of_a_grid),
        cmocka_unit_test(share_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
