/* test_report_md.c -- report.md written from grids whose figures are known: its sections in
 * both languages, Markdown escaping of hostile names, and bounded lists on large zones.
 * (The sample's report against summary.json is in test_cli.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyse/adjacency.h"
#include "cli_run.h"
#include "fixtures.h"
#include "report/write_report.h"
#include "write/results.h"
#include "analyse/timeline.h"
#include "analyse/zones.h"

#define NN "\xE2\x80\xAF"

/* A grid, its analyses, and the report written from them. */
typedef struct report {
    GEOSContextHandle_t h;
    commune_table t;
    coverage_report cov;
    adjacency adj;
    zone_list zones;
    coverage_timeline tl;
    join_issues ji;
    char dir[64];
    char *text;
} report;

static void report_init(report *r, int w, int h)
{
    memset(r, 0, sizeof *r);
    r->h = GEOS_init_r();
    fix_grid(&r->t, r->h, w, h);
    jis_init(&r->ji);
}

/* Computes everything under rule and writes report.md in lang; r->text holds it. */
static void report_write(report *r, coverage_rule rule, report_lang lang)
{
    cov_compute(&r->t, &rule, &r->cov);
    adj_build(&r->t, &r->adj);
    zone_find(&r->t, &r->adj, &r->cov, &r->zones);
    tl_compute(&r->t, &r->cov, &r->tl);
    snprintf(r->dir, sizeof r->dir, "/tmp/cptscov-md-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    run_results res = {
        .table = &r->t, .coverage = &r->cov, .zones = &r->zones, .issues = &r->ji,
        .timeline = &r->tl, .lang = lang,
    };
    assert_int_equal(write_report_md(r->dir, &res), 0);
    char *p = xasprintf("%s/report.md", r->dir);
    r->text = cli_slurp(p, NULL);
    assert_non_null(r->text);
    unlink(p);
    free(p);
    rmdir(r->dir);
}

static void report_free(report *r)
{
    free(r->text);
    tl_free(&r->tl);
    zone_free(&r->t, &r->zones);
    adj_free(&r->adj);
    cov_free(&r->cov);
    jis_free(&r->ji);
    ctab_free(&r->t);
    GEOS_finish_r(r->h);
}

static coverage_rule signed_rule(int as_of)
{
    coverage_rule rule;
    memset(&rule, 0, sizeof rule);
    rule.status[STATUS_SIGNED] = 1;
    rule.as_of = as_of;
    return rule;
}

/* Whether text has the line that starts with prefix. */
static const char *line_starting(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, n) == 0)
            return p;
    return NULL;
}

#define assert_has(text, s) \
    do { if (!strstr((text), (s))) fail_msg("no \"%s\" in:\n%s", (s), (text)); } while (0)
#define assert_hasnt(text, s) \
    do { if (strstr((text), (s))) fail_msg("\"%s\" in:\n%s", (s), (text)); } while (0)

/* The 4 x 3 grid (fixtures.h): population 7800; A (signed 2021-05-12) covers 35001 35002
 * 35003 (600), B (signed 2023-09-01) 35004 35007 35008 (1900); C is a project on 35012.
 * Department 22 (right half) has 4500 inhabitants, 2200 covered; 35 has 3300, 300 covered. */
static void grid_cpts(report *r, const char *a_name)
{
    static const char *const a[] = {"35001", "35002", "35003"};
    static const char *const b[] = {"35004", "35007", "35008"};
    static const char *const c[] = {"35012"};
    int k = fix_cpts(&r->t, "A", STATUS_SIGNED, 20210512, a, 3);
    if (a_name) {
        free(r->t.cpts[k].name);
        r->t.cpts[k].name = xstrdup(a_name);
    }
    fix_cpts(&r->t, "B", STATUS_SIGNED, 20230901, b, 3);
    fix_cpts(&r->t, "C", STATUS_PROJECT, 0, c, 1);
}

static void test_sections_fr(void **state)
{
    (void)state;
    report r;
    report_init(&r, 4, 3);
    grid_cpts(&r, NULL);
    jis_add(&r.ji, "members.csv", 3, "99999", "unknown_code", "x");
    jis_add(&r.ji, "members.csv", 4, "99998", "unknown_code", "y");
    jis_add(&r.ji, "members.csv", 5, "35001", "repaired_code", "z");
    report_write(&r, signed_rule(20240115), LANG_FR);
    const char *t = r.text;
    assert_has(t, "# Couverture du territoire par les CPTS\n");
    assert_has(t, "**2" NN "500 habitants** sur 7" NN "800");
    assert_has(t, "**32,1" NN "%**");                        /* 2500 / 7800 */
    assert_has(t, "au 15 janvier 2024");
    assert_has(t, "CPTS comptées\xC2\xA0: 2 sur 3");
    assert_has(t, "| **53** | **Bretagne** | 7" NN "800 | 2" NN "500 | **32,1" NN "%** | 6 | 12 |\n"
                  "| 22 | Côtes-d'Armor | 4" NN "500 | 2" NN "200 | 48,9" NN "% | 4 | 6 |\n"
                  "| 35 | Ille-et-Vilaine | 3" NN "300 | 300 | 9,1" NN "% | 2 | 6 |\n");
    /* One zone: the six uncovered communes, largest first, bordered by A and B. */
    assert_has(t, "| 1 | 5" NN "300 | 6 | 22, 35 | Commune 3-2 (1" NN "200), Commune 2-2 (1" NN
                  "100), Commune 1-2 (1" NN "000), Commune 0-2 (900), Commune 1-1 (600), "
                  "Commune 0-1 (500) | CPTS A, CPTS B | CPTS C |");
    /* The timeline: Q2 2021 to as_of; the regional table at year ends and as_of. */
    assert_has(t, "| 30 juin 2021 | 600 | 7,7" NN "% | 1 |");
    assert_has(t, "| 30 septembre 2023 | 2" NN "500 | 32,1" NN "% | 2 |");
    assert_has(t, "| 15 janvier 2024 | 2" NN "500 | 32,1" NN "% | 2 |");
    assert_has(t, "| Code | Région | Fin 2021 | Fin 2022 | Fin 2023 | 15 janvier 2024 |");
    /* Join issues by kind, in order of first appearance. */
    assert_has(t, "| `unknown_code` | 2 | Codes de commune inconnus |\n"
                  "| `repaired_code` | 1 | Codes réparés |");
    assert_has(t, "`join_issues.csv`");
    report_free(&r);
}

static void test_sections_en(void **state)
{
    (void)state;
    report r;
    report_init(&r, 4, 3);
    grid_cpts(&r, NULL);
    report_write(&r, signed_rule(0), LANG_EN);
    const char *t = r.text;
    assert_has(t, "# CPTS coverage of the territory\n");
    assert_has(t, "**2,500 inhabitants** of 7,800");
    assert_has(t, "**32.1%**");
    assert_has(t, "with no date limit");
    assert_has(t, "| 22 | Côtes-d'Armor | 4,500 | 2,200 | 48.9% | 4 | 6 |");
    assert_has(t, "| 30 June 2021 | 600 | 7.7% | 1 |");
    assert_has(t, "No join issue.");
    assert_hasnt(t, "Zones non couvertes");
    assert_hasnt(t, NN);
    report_free(&r);
}

/* Names from the inputs cannot make Markdown: a table cell is never split, nothing becomes a
 * link, emphasis, HTML or code; control characters and bytes that are not UTF-8 are neutral. */
static void test_hostile_names(void **state)
{
    (void)state;
    report r;
    report_init(&r, 4, 3);
    grid_cpts(&r, "CPTS | *bold* _x_ [link](http://e.com) <script>alert(1)</script> `c` &amp; "
                  "$x$ ~s~ #h \\ line\nbreak \xFF end");
    free(r.t.communes[11].name);
    r.t.communes[11].name = xstrdup("Saint-|-Ville <b>");
    report_write(&r, signed_rule(0), LANG_FR);
    const char *t = r.text;
    assert_has(t, "CPTS \\| \\*bold\\* \\_x\\_ \\[link\\](http://e.com) \\<script\\>alert(1)"
                  "\\</script\\> \\`c\\` \\&amp; \\$x\\$ \\~s\\~ \\#h \\\\ line break ? end");
    assert_has(t, "Saint-\\|-Ville \\<b\\> (1" NN "200)");
    assert_hasnt(t, "<script>");
    /* Every row of the zones table has the 7 cells of its header: 8 unescaped bars. */
    const char *row = line_starting(t, "| 1 |");
    assert_non_null(row);
    int bars = 0;
    for (const char *p = row; *p && *p != '\n'; p++)
        bars += *p == '|' && p[-1] != '\\';
    assert_int_equal(bars, 8);
    report_free(&r);
}

/* A zone of 1600 communes in 40 departments names 10 communes and 12 departments and counts
 * the rest; 60 zones show 50 and a total. A region without inhabitants has no share. */
static void test_bounded_lists(void **state)
{
    (void)state;
    report r;
    report_init(&r, 40, 40);
    for (int i = 0; i < r.t.ncommunes; i++) /* a department per column */
        snprintf(r.t.communes[i].dep, sizeof r.t.communes[i].dep, "%02d", i % 40 + 1);
    strcpy(r.t.communes[0].reg, "975");     /* a region where nobody lives */
    r.t.communes[0].population = 0;
    report_write(&r, signed_rule(0), LANG_FR);
    assert_int_equal(r.zones.n, 1);
    assert_has(r.text, "et 1" NN "590 autres");
    assert_has(r.text, "| 01, 02, 03, 04, 05, 06, 07, 08, 09, 10, 11, 12 et 28 autres | ");
    assert_has(r.text, "| **975** | **975** | 0 | 0 | **\xE2\x80\x94** | 0 | 1 |");
    assert_true(strlen(r.text) < 20000);
    assert_has(r.text, "Aucune CPTS comptée n'a de date de signature.");
    report_free(&r);

    /* Every other column covered, each by its own CPTS: 60 zones of 2 communes. */
    report_init(&r, 120, 2);
    for (int i = 0; i < 120; i += 2) {
        char id[16], c0[8], c1[8];
        snprintf(id, sizeof id, "K%d", i);
        snprintf(c0, sizeof c0, "%05d", 35001 + i);
        snprintf(c1, sizeof c1, "%05d", 35001 + 120 + i);
        const char *codes[] = {c0, c1};
        fix_cpts(&r.t, id, STATUS_SIGNED, 20200101 + i / 12 * 100, codes, 2);
    }
    report_write(&r, signed_rule(0), LANG_EN);
    assert_int_equal(r.zones.n, 60);
    assert_non_null(line_starting(r.text, "| 50 |"));
    assert_null(line_starting(r.text, "| 51 |"));
    assert_has(r.text, "10 more zones, ");
    assert_has(r.text, " are in uncovered.geojson.");
    report_free(&r);
}

/* 70 kinds of join issue, more than a table of 64 held: each has its row, in the order it
 * first appears, with its count. */
static void test_many_issue_kinds(void **state)
{
    (void)state;
    report r;
    report_init(&r, 4, 3);
    for (int k = 0; k < 70; k++)
        for (int i = 0; i <= k % 3; i++) {
            char kind[32];
            snprintf(kind, sizeof kind, "kind_%02d", 69 - k);
            jis_add(&r.ji, "members.csv", k + 1, "35001", kind, "issue %d", i);
        }
    report_write(&r, signed_rule(0), LANG_EN);
    const char *prev = r.text;
    for (int k = 0; k < 70; k++) {
        char row[64];
        snprintf(row, sizeof row, "| `kind_%02d` | %d |", 69 - k, k % 3 + 1);
        const char *p = strstr(r.text, row);
        if (!p)
            fail_msg("no \"%s\" in:\n%s", row, r.text);
        assert_true(p > prev);
        prev = p;
    }
    assert_has(r.text, "\n139 in all; ");
    report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_fr),   cmocka_unit_test(test_sections_en),
        cmocka_unit_test(test_hostile_names), cmocka_unit_test(test_bounded_lists),
        cmocka_unit_test(test_many_issue_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
