/* test_timeline.c -- coverage at the end of each quarter, on a grid whose dates are known by
 * hand, and on the national tables of ../shared/geodata against the coverage report.
 *
 * The grid is 4 x 3 communes (see fixtures.h): commune 35000 + k has population 100 k. The
 * left half (i < 2) is department 35, region 53; the right half department 44, region 52:
 *
 *     row 2:  35009 35010 | 35011 35012        region 53: 3300 inhabitants
 *     row 1:  35005 35006 | 35007 35008        region 52: 4500 inhabitants
 *     row 0:  35001 35002 | 35003 35004        nation:    7800
 *
 * CPTS, in this order in the table:
 *     B  signed 2021-09-30 (a quarter end)  35003 35004 35007
 *     A  signed 2021-05-12                  35001 35002 35003  (35003 also in B, earlier here)
 *     C  project 2020-01-15                 35008
 *     D  signed, no date                    35009
 *     E  signed 2022-11-20                  35002 35006        (35002 also in A)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyse/coverage.h"
#include "fixtures.h"
#include "read/readers.h"
#include "analyse/timeline.h"

typedef struct grid {
    GEOSContextHandle_t h;
    commune_table t;
} grid;

static int setup_grid(void **state)
{
    grid *g = xcalloc(1, sizeof *g);
    g->h = GEOS_init_r();
    fix_grid(&g->t, g->h, 4, 3);
    for (int i = 0; i < g->t.ncommunes; i++)
        if (strcmp(g->t.communes[i].dep, "22") == 0) {
            strcpy(g->t.communes[i].dep, "44");
            strcpy(g->t.communes[i].reg, "52");
        }
    static const char *const b[] = {"35003", "35004", "35007"};
    static const char *const a[] = {"35001", "35002", "35003"};
    static const char *const c[] = {"35008"};
    static const char *const d[] = {"35009"};
    static const char *const e[] = {"35002", "35006"};
    fix_cpts(&g->t, "B", STATUS_SIGNED, 20210930, b, 3);
    fix_cpts(&g->t, "A", STATUS_SIGNED, 20210512, a, 3);
    fix_cpts(&g->t, "C", STATUS_PROJECT, 20200115, c, 1);
    fix_cpts(&g->t, "D", STATUS_SIGNED, 0, d, 1);
    fix_cpts(&g->t, "E", STATUS_SIGNED, 20221120, e, 2);
    *state = g;
    return 0;
}

static int teardown_grid(void **state)
{
    grid *g = *state;
    ctab_free(&g->t);
    GEOS_finish_r(g->h);
    free(g);
    return 0;
}

static coverage_rule rule_of(int as_of, int signed_only)
{
    coverage_rule r;
    memset(&r, 0, sizeof r);
    r.status[STATUS_SIGNED] = 1;
    if (!signed_only)
        r.status[STATUS_PROJECT] = 1;
    r.as_of = as_of;
    return r;
}

/* The timeline of the grid under rule, with the coverage report it was computed from. */
static void compute(grid *g, coverage_rule rule, coverage_report *cov, coverage_timeline *tl)
{
    cov_compute(&g->t, &rule, cov);
    tl_compute(&g->t, cov, tl);
    assert_int_equal(tl->nregions, cov->nregions);
}

/* The index of region code in cov. */
static int region(const coverage_report *cov, const char *code)
{
    for (int r = 0; r < cov->nregions; r++)
        if (strcmp(cov->regions[r].code, code) == 0)
            return r;
    fail_msg("no region %s", code);
    return -1;
}

/* Point i: its date, national covered population and CPTS counted, and region 53's and 52's
 * covered population. */
static void check_point(const coverage_timeline *tl, const coverage_report *cov, int i, int date,
                        int64_t covered, int cpts, int64_t r53, int64_t r52)
{
    const timeline_point *p = &tl->points[i];
    if (p->date != date || p->nation.covered_population != covered || p->cpts_counting != cpts)
        fail_msg("point %d: date %d covered %lld cpts %d; expected %d %lld %d", i, p->date,
                 (long long)p->nation.covered_population, p->cpts_counting, date,
                 (long long)covered, cpts);
    assert_int_equal(p->nation.population, 7800);
    assert_int_equal(p->nation.communes, 12);
    assert_int_equal(p->regions[region(cov, "53")].covered_population, r53);
    assert_int_equal(p->regions[region(cov, "52")].covered_population, r52);
    assert_int_equal(p->regions[region(cov, "53")].population, 3300);
    assert_int_equal(p->regions[region(cov, "52")].population, 4500);
}

/* as_of in the middle of a quarter: quarter ends from Q2 2021, then as_of itself. B, signed on
 * a quarter end, counts at that quarter end; 35003 (A and B) counts once, from A's quarter;
 * C (a project) and D (no date) never; E (after as_of) not yet. */
static void test_as_of_mid_quarter(void **state)
{
    grid *g = *state;
    coverage_report cov;
    coverage_timeline tl;
    compute(g, rule_of(20220815, 1), &cov, &tl);
    assert_int_equal(tl.n, 6);
    check_point(&tl, &cov, 0, 20210630, 600, 1, 300, 300);
    check_point(&tl, &cov, 1, 20210930, 1700, 2, 300, 1400);
    check_point(&tl, &cov, 2, 20211231, 1700, 2, 300, 1400);
    check_point(&tl, &cov, 3, 20220331, 1700, 2, 300, 1400);
    check_point(&tl, &cov, 4, 20220630, 1700, 2, 300, 1400);
    check_point(&tl, &cov, 5, 20220815, 1700, 2, 300, 1400);
    assert_int_equal(tl.points[0].nation.covered_communes, 3);
    assert_int_equal(tl.points[5].nation.covered_communes, 5);
    assert_true(fabs(tl.points[5].nation.covered_area_km2 - 5.0) < 1e-9);
    /* CPTS counted per region: A lists communes of both regions, B only of 52. */
    assert_int_equal(tl.points[0].region_cpts_counting[region(&cov, "53")], 1);
    assert_int_equal(tl.points[0].region_cpts_counting[region(&cov, "52")], 1);
    assert_int_equal(tl.points[1].region_cpts_counting[region(&cov, "53")], 1);
    assert_int_equal(tl.points[1].region_cpts_counting[region(&cov, "52")], 2);
    /* The last point is the coverage report. */
    const timeline_point *last = &tl.points[tl.n - 1];
    assert_int_equal(last->nation.covered_population, cov.nation.covered_population);
    assert_int_equal(last->nation.covered_communes, cov.nation.covered_communes);
    assert_int_equal(last->cpts_counting, cov.cpts_counting);
    for (int r = 0; r < cov.nregions; r++)
        assert_int_equal(last->regions[r].covered_population,
                         cov.regions[r].fig.covered_population);
    tl_free(&tl);
    assert_int_equal(tl.n, 0);
    cov_free(&cov);
}

/* as_of exactly on a quarter end: that quarter end is the last point, once. */
static void test_as_of_quarter_end(void **state)
{
    grid *g = *state;
    coverage_report cov;
    coverage_timeline tl;
    compute(g, rule_of(20211231, 1), &cov, &tl);
    assert_int_equal(tl.n, 3);
    check_point(&tl, &cov, 0, 20210630, 600, 1, 300, 300);
    check_point(&tl, &cov, 1, 20210930, 1700, 2, 300, 1400);
    check_point(&tl, &cov, 2, 20211231, 1700, 2, 300, 1400);
    tl_free(&tl);
    cov_free(&cov);
    /* as_of before the end of the first quarter: one point, as_of. */
    compute(g, rule_of(20210601, 1), &cov, &tl);
    assert_int_equal(tl.n, 1);
    check_point(&tl, &cov, 0, 20210601, 600, 1, 300, 300);
    tl_free(&tl);
    cov_free(&cov);
    /* as_of the day before B: B not yet. */
    compute(g, rule_of(20210929, 1), &cov, &tl);
    assert_int_equal(tl.n, 2);
    check_point(&tl, &cov, 1, 20210929, 600, 1, 300, 300);
    tl_free(&tl);
    cov_free(&cov);
}

/* Without as_of: to the end of the quarter of the last date (E, 2022-11-20). D, undated,
 * never enters, so the last point is below the coverage report by its 900 inhabitants. */
static void test_no_as_of(void **state)
{
    grid *g = *state;
    coverage_report cov;
    coverage_timeline tl;
    compute(g, rule_of(0, 1), &cov, &tl);
    assert_int_equal(tl.n, 7);
    check_point(&tl, &cov, 5, 20220930, 1700, 2, 300, 1400);
    check_point(&tl, &cov, 6, 20221231, 2300, 3, 900, 1400); /* E adds 35006 only */
    assert_int_equal(cov.nation.covered_population, 3200);
    tl_free(&tl);
    cov_free(&cov);
}

/* A counted status with an earlier date starts the timeline earlier. */
static void test_projects_counted(void **state)
{
    grid *g = *state;
    coverage_report cov;
    coverage_timeline tl;
    compute(g, rule_of(0, 0), &cov, &tl);
    assert_int_equal(tl.n, 12); /* 2020 Q1 .. 2022 Q4 */
    check_point(&tl, &cov, 0, 20200331, 800, 1, 0, 800);
    check_point(&tl, &cov, 5, 20210630, 1400, 2, 300, 1100);
    check_point(&tl, &cov, 11, 20221231, 3100, 4, 900, 2200);
    for (int i = 1; i < tl.n; i++)
        assert_true(tl.points[i].date > tl.points[i - 1].date);
    tl_free(&tl);
    cov_free(&cov);
}

/* No dated CPTS among the counted ones, or none by as_of: an empty timeline. */
static void test_empty(void **state)
{
    grid *g = *state;
    coverage_report cov;
    coverage_timeline tl;
    compute(g, rule_of(20191231, 0), &cov, &tl); /* before every date */
    assert_int_equal(tl.n, 0);
    assert_null(tl.points);
    tl_free(&tl);
    cov_free(&cov);
    coverage_rule letters;
    memset(&letters, 0, sizeof letters);
    letters.status[STATUS_LETTER] = 1;           /* no CPTS is a letter */
    compute(g, letters, &cov, &tl);
    assert_int_equal(tl.n, 0);
    tl_free(&tl);
    cov_free(&cov);
    /* A table whose only CPTS has no date. */
    commune_table t;
    fix_grid(&t, g->h, 2, 1);
    static const char *const one[] = {"35001"};
    fix_cpts(&t, "X", STATUS_SIGNED, 0, one, 1);
    coverage_rule r = rule_of(0, 1);
    cov_compute(&t, &r, &cov);
    tl_compute(&t, &cov, &tl);
    assert_int_equal(tl.n, 0);
    tl_free(&tl);
    cov_free(&cov);
    ctab_free(&t);
}

/* Quarter ends across years, and the ends of short months. */
static void test_quarter_dates(void **state)
{
    grid *g = *state;
    commune_table t;
    fix_grid(&t, g->h, 2, 1);
    static const char *const one[] = {"35001"}, *const two[] = {"35002"};
    fix_cpts(&t, "X", STATUS_SIGNED, 20191231, one, 1); /* the last day of a year */
    fix_cpts(&t, "Y", STATUS_SIGNED, 20210401, two, 1); /* the first day of a quarter */
    coverage_report cov;
    coverage_timeline tl;
    coverage_rule r = rule_of(0, 1);
    cov_compute(&t, &r, &cov);
    tl_compute(&t, &cov, &tl);
    static const int want[] = {20191231, 20200331, 20200630, 20200930, 20201231,
                               20210331, 20210630};
    assert_int_equal(tl.n, 7);
    for (int i = 0; i < tl.n; i++)
        assert_int_equal(tl.points[i].date, want[i]);
    assert_int_equal(tl.points[0].nation.covered_population, 100);
    assert_int_equal(tl.points[5].nation.covered_population, 100);
    assert_int_equal(tl.points[6].nation.covered_population, 300);
    tl_free(&tl);
    cov_free(&cov);
    ctab_free(&t);
}

/* The national tables (no polygons: the timeline does not need them), read by the readers. */
static int national_table(commune_table *t, GEOSContextHandle_t h, passage *p, epci_table *e,
                          join_issues *ji)
{
    const char *g = getenv("CPTSCOV_GEODATA");
    char dir[512];
    snprintf(dir, sizeof dir, "%s", g ? g : "../shared/geodata");
    char *probe = xasprintf("%s/README.md", dir);
    int ok = access(probe, R_OK) == 0;
    free(probe);
    if (!ok) {
        fprintf(stderr, "test_timeline: %s is missing; put the shared data beside the project "
                        "or set CPTSCOV_GEODATA\n", dir);
        return -1;
    }
    GDALAllRegister();
    ctab_init(t, h);
    jis_init(ji);
    char *pas = xasprintf("%s/insee/passage-cog-2025.csv", dir);
    char *pop = xasprintf("%s/insee/populations-2025.csv", dir);
    char *epc = xasprintf("%s/insee/epci-2025.csv", dir);
    char *mem = xasprintf("%s/cpts/cpts-synthetic-national.csv", dir);
    population_columns cols = {0};
    fld_codes insee = FLD_INSEE_CODES;
    int rc = read_passage(p, pas, NULL, NULL, insee, ji) < 0 ||
             read_population(t, pop, &cols, insee, ji) < 0 || read_epci(e, epc, insee, ji) < 0 ||
             read_members(t, mem, p, e, insee, ji) < 0 ? -1 : 0;
    free(pas);
    free(pop);
    free(epc);
    free(mem);
    return rc;
}

static void same_covered(const coverage_figures *a, const coverage_figures *b)
{
    assert_int_equal(a->population, b->population);
    assert_int_equal(a->covered_population, b->covered_population);
    assert_int_equal(a->communes, b->communes);
    assert_int_equal(a->covered_communes, b->covered_communes);
}

/* Every point of the national timeline is the coverage report computed with as_of = its date,
 * nationally and in every region; shares never go down; the last point is as_of. */
static void test_national(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    passage p;
    epci_table e;
    join_issues ji;
    if (national_table(&t, h, &p, &e, &ji) < 0)
        fail_msg("the national tables could not be read");
    coverage_rule rule = rule_of(20250615, 1);
    coverage_report cov;
    coverage_timeline tl;
    cov_compute(&t, &rule, &cov);
    tl_compute(&t, &cov, &tl);
    assert_true(tl.n > 20); /* signed from 2019 to 2025 */
    assert_int_equal(tl.points[tl.n - 1].date, 20250615);
    assert_int_equal(tl.points[0].date, 20190331);
    assert_true(cov.nation.covered_population > 0);
    for (int i = 0; i < tl.n; i++) {
        const timeline_point *pt = &tl.points[i];
        coverage_rule at = rule_of(pt->date, 1);
        coverage_report c;
        cov_compute(&t, &at, &c);
        same_covered(&pt->nation, &c.nation);
        assert_int_equal(pt->cpts_counting, c.cpts_counting);
        assert_int_equal(c.nregions, tl.nregions);
        for (int r = 0; r < c.nregions; r++)
            same_covered(&pt->regions[r], &c.regions[r].fig);
        cov_free(&c);
        if (i > 0) {
            const timeline_point *prev = &tl.points[i - 1];
            assert_true(cov_pct(&pt->nation) >= cov_pct(&prev->nation));
            for (int r = 0; r < tl.nregions; r++) {
                assert_true(cov_pct(&pt->regions[r]) >= cov_pct(&prev->regions[r]));
                assert_true(pt->region_cpts_counting[r] >= prev->region_cpts_counting[r]);
            }
        }
    }
    same_covered(&tl.points[tl.n - 1].nation, &cov.nation);
    assert_true(tl.points[0].nation.covered_population < cov.nation.covered_population);
    tl_free(&tl);
    cov_free(&cov);
    pass_free(&p);
    epci_free(&e);
    jis_free(&ji);
    ctab_free(&t);
    GEOS_finish_r(h);
}

int main(void)
{
    CPLSetErrorHandler(CPLQuietErrorHandler);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_as_of_mid_quarter, setup_grid, teardown_grid),
        cmocka_unit_test_setup_teardown(test_as_of_quarter_end, setup_grid, teardown_grid),
        cmocka_unit_test_setup_teardown(test_no_as_of, setup_grid, teardown_grid),
        cmocka_unit_test_setup_teardown(test_projects_counted, setup_grid, teardown_grid),
        cmocka_unit_test_setup_teardown(test_empty, setup_grid, teardown_grid),
        cmocka_unit_test_setup_teardown(test_quarter_dates, setup_grid, teardown_grid),
        cmocka_unit_test(test_national),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
