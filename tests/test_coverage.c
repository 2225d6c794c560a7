/* test_coverage.c -- coverage analysis on the grid fixture, with answers known by hand.
 *
 * The grid is 4 x 3 communes: commune (i, j) has code 35000 + k, k = 1 + 4 j + i, population
 * 100 k, department "35" for i < 2 and "22" otherwise, region "53":
 *
 *     row 2:  35009 35010 | 35011 35012
 *     row 1:  35005 35006 | 35007 35008
 *     row 0:  35001 35002 | 35003 35004
 *             dep 35       dep 22
 *
 * and four CPTS:
 *     A  signed 2021-05-12  35001 35002 35003
 *     B  signed 2023-09-01  35003 35004 35007       (35003 shared with A)
 *     C  project            35007 35008 35012       (35007 also in B)
 *     D  signed, no date    35009
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/coverage.h"
#include "fixtures.h"

typedef struct grid {
    GEOSContextHandle_t h;
    commune_table t;
    int a, b, c, d; /* CPTS indices */
} grid;

static int setup(void **state)
{
    grid *g = xcalloc(1, sizeof *g);
    g->h = GEOS_init_r();
    fix_grid(&g->t, g->h, 4, 3);
    static const char *const a[] = {"35001", "35002", "35003"};
    static const char *const b[] = {"35003", "35004", "35007"};
    static const char *const c[] = {"35007", "35008", "35012"};
    static const char *const d[] = {"35009"};
    g->a = fix_cpts(&g->t, "A", STATUS_SIGNED, 20210512, a, 3);
    g->b = fix_cpts(&g->t, "B", STATUS_SIGNED, 20230901, b, 3);
    g->c = fix_cpts(&g->t, "C", STATUS_PROJECT, 0, c, 3);
    g->d = fix_cpts(&g->t, "D", STATUS_SIGNED, 0, d, 1);
    *state = g;
    return 0;
}

static int teardown(void **state)
{
    grid *g = *state;
    ctab_free(&g->t);
    GEOS_finish_r(g->h);
    free(g);
    return 0;
}

/* A rule counting the statuses given (-1 ends the list). */
static coverage_rule rule_of(int as_of, int s1, int s2)
{
    coverage_rule r;
    memset(&r, 0, sizeof r);
    if (s1 >= 0)
        r.status[s1] = 1;
    if (s2 >= 0)
        r.status[s2] = 1;
    r.as_of = as_of;
    return r;
}

static const coverage_area *find_dep(const coverage_report *r, const char *code)
{
    for (int i = 0; i < r->ndepartments; i++)
        if (strcmp(r->departments[i].code, code) == 0)
            return &r->departments[i];
    return NULL;
}

static int covered(const commune_table *t, const coverage_report *r, const char *code)
{
    return r->covered[ctab_find_commune(t, code)];
}

static void test_shared_commune_counts_once(void **state)
{
    grid *g = *state;
    coverage_rule rule = rule_of(0, STATUS_SIGNED, -1);
    coverage_report r;
    cov_compute(&g->t, &rule, &r);
    /* Covered: 35001 35002 35003 (A), 35004 35007 (B), 35009 (D); 35003 once. */
    assert_int_equal(r.nation.population, 7800);
    assert_int_equal(r.nation.covered_population, 100 * (1 + 2 + 3 + 4 + 7 + 9));
    assert_int_equal(r.nation.communes, 12);
    assert_int_equal(r.nation.covered_communes, 6);
    assert_int_equal(r.nation.communes_without_polygon, 0);
    assert_true(fabs(r.nation.area_km2 - 12.0) < 1e-9);
    assert_true(fabs(r.nation.covered_area_km2 - 6.0) < 1e-9);
    assert_int_equal(r.cpts_counting, 3);
    assert_int_equal(r.counts[g->a], 1);
    assert_int_equal(r.counts[g->c], 0);
    assert_int_equal(covered(&g->t, &r, "35003"), 1);
    assert_int_equal(covered(&g->t, &r, "35008"), 0);
    assert_true(fabs(cov_pct(&r.nation) - 100.0 * 2600 / 7800) < 1e-9);
    cov_free(&r);
}

static void test_status_rule(void **state)
{
    grid *g = *state;
    coverage_report r;
    coverage_rule signed_only = rule_of(0, STATUS_SIGNED, -1);
    cov_compute(&g->t, &signed_only, &r);
    assert_int_equal(r.nation.covered_population, 2600);
    cov_free(&r);

    /* The project C adds 35008 and 35012; 35007 is already covered by B. */
    coverage_rule with_project = rule_of(0, STATUS_SIGNED, STATUS_PROJECT);
    cov_compute(&g->t, &with_project, &r);
    assert_int_equal(r.nation.covered_population, 2600 + 800 + 1200);
    assert_int_equal(r.nation.covered_communes, 8);
    assert_int_equal(r.cpts_counting, 4);
    assert_int_equal(r.counts[g->c], 1);
    cov_free(&r);

    /* Only projects: C alone. */
    coverage_rule project_only = rule_of(0, STATUS_PROJECT, -1);
    cov_compute(&g->t, &project_only, &r);
    assert_int_equal(r.nation.covered_population, 700 + 800 + 1200);
    assert_int_equal(r.cpts_counting, 1);
    /* A commune covered under the previous rule is not any more: covered is recomputed. */
    assert_int_equal(covered(&g->t, &r, "35001"), 0);
    cov_free(&r);

    /* No status at all: nothing counts. */
    coverage_rule none = rule_of(0, -1, -1);
    cov_compute(&g->t, &none, &r);
    assert_int_equal(r.nation.covered_population, 0);
    assert_int_equal(r.cpts_counting, 0);
    assert_int_equal(r.nation.population, 7800);
    cov_free(&r);
}

static void test_as_of(void **state)
{
    grid *g = *state;
    coverage_report r;
    /* Before B was signed: A only; D (no date) never counts with a date limit. */
    coverage_rule before = rule_of(20221231, STATUS_SIGNED, -1);
    cov_compute(&g->t, &before, &r);
    assert_int_equal(r.counts[g->a], 1);
    assert_int_equal(r.counts[g->b], 0);
    assert_int_equal(r.counts[g->d], 0);
    assert_int_equal(r.cpts_counting, 1);
    assert_int_equal(r.nation.covered_population, 100 + 200 + 300);
    assert_int_equal(covered(&g->t, &r, "35009"), 0);
    cov_free(&r);

    /* On the day B was signed: B counts. */
    coverage_rule same_day = rule_of(20230901, STATUS_SIGNED, -1);
    cov_compute(&g->t, &same_day, &r);
    assert_int_equal(r.counts[g->b], 1);
    assert_int_equal(r.counts[g->d], 0);
    assert_int_equal(r.nation.covered_population, 100 * (1 + 2 + 3 + 4 + 7));
    cov_free(&r);

    /* The day before: B does not. */
    coverage_rule day_before = rule_of(20230831, STATUS_SIGNED, -1);
    cov_compute(&g->t, &day_before, &r);
    assert_int_equal(r.counts[g->b], 0);
    cov_free(&r);

    /* Long after: still no D, and the undated project C never counts with a date either. */
    coverage_rule later = rule_of(20991231, STATUS_SIGNED, STATUS_PROJECT);
    cov_compute(&g->t, &later, &r);
    assert_int_equal(r.counts[g->d], 0);
    assert_int_equal(r.counts[g->c], 0);
    assert_int_equal(r.cpts_counting, 2);
    assert_int_equal(r.nation.covered_population, 1700);
    cov_free(&r);
}

static void test_by_cpts(void **state)
{
    grid *g = *state;
    coverage_rule rule = rule_of(0, STATUS_SIGNED, -1);
    coverage_report r;
    cov_compute(&g->t, &rule, &r);
    const coverage_figures *a = &r.by_cpts[g->a];
    assert_int_equal(a->population, 600);
    assert_int_equal(a->covered_population, 600);
    assert_int_equal(a->communes, 3);
    assert_int_equal(a->covered_communes, 3);
    /* C does not count, but 35007 of it is covered by B. */
    const coverage_figures *c = &r.by_cpts[g->c];
    assert_int_equal(c->population, 700 + 800 + 1200);
    assert_int_equal(c->covered_population, 700);
    assert_int_equal(c->communes, 3);
    assert_int_equal(c->covered_communes, 1);
    assert_true(fabs(c->area_km2 - 3.0) < 1e-9);
    assert_true(fabs(c->covered_area_km2 - 1.0) < 1e-9);
    assert_true(fabs(cov_pct(c) - 100.0 * 700 / 2700) < 1e-9);
    const coverage_figures *d = &r.by_cpts[g->d];
    assert_int_equal(d->population, 900);
    assert_int_equal(d->covered_population, 900);
    cov_free(&r);
}

static void test_departments_and_region(void **state)
{
    grid *g = *state;
    coverage_rule rule = rule_of(0, STATUS_SIGNED, -1);
    coverage_report r;
    cov_compute(&g->t, &rule, &r);
    assert_int_equal(r.ndepartments, 2);
    assert_string_equal(r.departments[0].code, "22"); /* sorted by code */
    assert_string_equal(r.departments[1].code, "35");
    const coverage_area *d35 = find_dep(&r, "35"), *d22 = find_dep(&r, "22");
    assert_non_null(d35);
    assert_non_null(d22);
    /* 35: 35001 35002 35005 35006 35009 35010; covered 35001 35002 35009. */
    assert_int_equal(d35->fig.population, 100 * (1 + 2 + 5 + 6 + 9 + 10));
    assert_int_equal(d35->fig.covered_population, 100 * (1 + 2 + 9));
    assert_int_equal(d35->fig.communes, 6);
    assert_int_equal(d35->fig.covered_communes, 3);
    assert_int_equal(d35->ncommunes, 6);
    assert_string_equal(d35->reg, "53");
    assert_string_equal(d35->name, "Ille-et-Vilaine");
    for (int i = 1; i < d35->ncommunes; i++)
        assert_true(d35->communes[i - 1] < d35->communes[i]);
    /* 22: 35003 35004 35007 35008 35011 35012; covered 35003 35004 35007. */
    assert_int_equal(d22->fig.population, 100 * (3 + 4 + 7 + 8 + 11 + 12));
    assert_int_equal(d22->fig.covered_population, 100 * (3 + 4 + 7));
    assert_int_equal(d22->fig.communes, 6);
    assert_int_equal(d22->fig.covered_communes, 3);
    assert_string_equal(d22->reg, "53");
    assert_int_equal(r.nregions, 1);
    const coverage_area *r53 = cov_find_region(&r, "53");
    assert_non_null(r53);
    assert_null(cov_find_region(&r, "35"));
    assert_int_equal(r53->fig.population, 7800);
    assert_int_equal(r53->fig.covered_population, 2600);
    assert_int_equal(r53->fig.communes, 12);
    assert_int_equal(r53->fig.covered_communes, 6);
    assert_int_equal(r53->ncommunes, 12);
    assert_string_equal(r53->reg, "");
    assert_string_equal(r53->name, "Bretagne");
    cov_free(&r);
}

static void test_communes_without_polygon(void **state)
{
    grid *g = *state;
    commune *c = &g->t.communes[ctab_find_commune(&g->t, "35010")];
    GEOSGeom_destroy_r(g->h, c->geom);
    c->geom = NULL;
    c->layer = -1;
    c->area_km2 = 0;
    coverage_rule rule = rule_of(0, STATUS_SIGNED, -1);
    coverage_report r;
    cov_compute(&g->t, &rule, &r);
    const coverage_area *d35 = find_dep(&r, "35"), *d22 = find_dep(&r, "22");
    assert_int_equal(d35->fig.communes_without_polygon, 1);
    assert_int_equal(d22->fig.communes_without_polygon, 0);
    assert_int_equal(cov_find_region(&r, "53")->fig.communes_without_polygon, 1);
    assert_int_equal(r.nation.communes_without_polygon, 1);
    /* Still counted in the population: the nation is the people, not the map. */
    assert_int_equal(d35->fig.population, 3300);
    assert_int_equal(d35->fig.communes, 6);
    assert_true(fabs(d35->fig.area_km2 - 5.0) < 1e-9);
    assert_int_equal(r.nation.population, 7800);
    cov_free(&r);
}

static void test_pct_of_nothing(void **state)
{
    (void)state;
    coverage_figures f;
    memset(&f, 0, sizeof f);
    assert_true(cov_pct(&f) == 0.0);
    f.covered_population = 5; /* inconsistent, but never a division by zero */
    assert_true(cov_pct(&f) == 0.0);
    f.population = 8;
    assert_true(fabs(cov_pct(&f) - 62.5) < 1e-12);
}

static void test_64_bit_sums(void **state)
{
    grid *g = *state;
    for (int i = 0; i < g->t.ncommunes; i++)
        g->t.communes[i].population = INT64_C(3000000000);
    coverage_rule rule = rule_of(0, STATUS_SIGNED, STATUS_PROJECT);
    coverage_report r;
    cov_compute(&g->t, &rule, &r);
    assert_true(r.nation.population > INT64_C(2147483648));
    assert_true(r.nation.population == INT64_C(36000000000));
    assert_true(r.nation.covered_population == INT64_C(24000000000));
    assert_true(find_dep(&r, "35")->fig.population == INT64_C(18000000000));
    assert_true(cov_find_region(&r, "53")->fig.covered_population == INT64_C(24000000000));
    assert_true(r.by_cpts[g->b].population == INT64_C(9000000000));
    assert_true(fabs(cov_pct(&r.nation) - 100.0 * 8 / 12) < 1e-9);
    cov_free(&r);
}

static void test_no_cpts(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    commune_table t;
    fix_grid(&t, h, 2, 1);
    coverage_rule rule = rule_of(0, STATUS_SIGNED, -1);
    coverage_report r;
    cov_compute(&t, &rule, &r);
    assert_int_equal(r.nation.population, 300);
    assert_int_equal(r.nation.covered_population, 0);
    assert_int_equal(r.cpts_counting, 0);
    assert_true(cov_pct(&r.nation) == 0.0);
    cov_free(&r);
    ctab_free(&t);
    GEOS_finish_r(h);
}

#define GRID_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        GRID_TEST(test_shared_commune_counts_once),
        GRID_TEST(test_status_rule),
        GRID_TEST(test_as_of),
        GRID_TEST(test_by_cpts),
        GRID_TEST(test_departments_and_region),
        GRID_TEST(test_communes_without_polygon),
        cmocka_unit_test(test_pct_of_nothing),
        GRID_TEST(test_64_bit_sums),
        cmocka_unit_test(test_no_cpts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
