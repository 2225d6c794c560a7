/* coverage.c -- which communes are covered, and the figures per CPTS, department, region, nation.
 * An analysis: it reads the commune table filled by the readers and never touches a file.
 *
 * A commune is covered when at least one CPTS that counts lists it; its population is then
 * counted once, however many CPTS list it. The nation is every row of the population table,
 * including communes that have no polygon, so that the national share is that of the people,
 * not of the map. Sums are 64-bit. */
#include "analyse/coverage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

double cov_pct(const coverage_figures *f)
{
    return f->population > 0 ? 100.0 * (double)f->covered_population / (double)f->population : 0.0;
}

static void add_commune(coverage_figures *f, const commune *c, int covered)
{
    f->population += c->population;
    f->communes++;
    f->area_km2 += c->area_km2;
    if (c->layer < 0)
        f->communes_without_polygon++;
    if (covered) {
        f->covered_population += c->population;
        f->covered_communes++;
        f->covered_area_km2 += c->area_km2;
    }
}

static int cpts_counts(const cpts *p, const coverage_rule *rule)
{
    if (!rule->status[p->status])
        return 0;
    if (rule->as_of && (p->signed_on == 0 || p->signed_on > rule->as_of))
        return 0;
    return 1;
}

static int compare_areas(const void *a, const void *b)
{
    return strcmp(((const coverage_area *)a)->code, ((const coverage_area *)b)->code);
}

/* Groups the communes by key (department or region code) into *areas, sorted by code. */
static void group_areas(const commune_table *t, const unsigned char *covered, int by_region,
                        coverage_area **areas, int *n)
{
    strmap index;
    smap_init(&index);
    int cap = 0;
    *areas = NULL;
    *n = 0;
    for (int i = 0; i < t->ncommunes; i++) {
        const commune *c = &t->communes[i];
        const char *key = by_region ? c->reg : c->dep;
        int a = smap_get(&index, key);
        if (a < 0) {
            GROW(*areas, cap, *n + 1);
            a = (*n)++;
            coverage_area *ar = &(*areas)[a];
            memset(ar, 0, sizeof *ar);
            snprintf(ar->code, sizeof ar->code, "%s", key);
            if (!by_region)
                snprintf(ar->reg, sizeof ar->reg, "%s", c->reg);
            smap_put(&index, key, a);
        }
        coverage_area *ar = &(*areas)[a];
        GROW(ar->communes, ar->capcommunes, ar->ncommunes + 1);
        ar->communes[ar->ncommunes++] = i;
        add_commune(&ar->fig, c, covered[i]);
    }
    smap_free(&index);
    if (*n > 1) /* qsort must not get NULL (no commune at all) */
        qsort(*areas, (size_t)*n, sizeof **areas, compare_areas);
    for (int a = 0; a < *n; a++) {
        coverage_area *ar = &(*areas)[a];
        const char *name = ctab_area_name(t, by_region, ar->code);
        ar->name = name ? name : ar->code;
    }
}

void cov_compute(const commune_table *t, const coverage_rule *rule, coverage_report *r)
{
    memset(r, 0, sizeof *r);
    r->rule = *rule;
    r->counts = xcalloc((size_t)(t->ncpts ? t->ncpts : 1), 1);
    r->covered = xcalloc((size_t)(t->ncommunes ? t->ncommunes : 1), 1);
    for (int k = 0; k < t->ncpts; k++) {
        r->counts[k] = (unsigned char)cpts_counts(&t->cpts[k], rule);
        r->cpts_counting += r->counts[k];
    }
    for (int i = 0; i < t->ncommunes; i++) {
        const commune *c = &t->communes[i];
        for (int j = 0; j < c->ncpts && !r->covered[i]; j++)
            r->covered[i] = r->counts[c->cpts[j]];
        add_commune(&r->nation, c, r->covered[i]);
    }
    r->by_cpts = xcalloc((size_t)(t->ncpts ? t->ncpts : 1), sizeof *r->by_cpts);
    for (int k = 0; k < t->ncpts; k++)
        for (int j = 0; j < t->cpts[k].ncommunes; j++) {
            int i = t->cpts[k].communes[j];
            add_commune(&r->by_cpts[k], &t->communes[i], r->covered[i]);
        }
    group_areas(t, r->covered, 0, &r->departments, &r->ndepartments);
    group_areas(t, r->covered, 1, &r->regions, &r->nregions);
    r->scope = r->nation;
    r->scope_cpts = t->ncpts;
    r->scope_cpts_counting = r->cpts_counting;
}

void cov_restrict(const commune_table *t, coverage_report *r, const unsigned char *in_commune,
                  const unsigned char *in_cpts)
{
    memset(&r->scope, 0, sizeof r->scope);
    r->scope_cpts = r->scope_cpts_counting = 0;
    for (int i = 0; i < t->ncommunes; i++)
        if (in_commune[i])
            add_commune(&r->scope, &t->communes[i], r->covered[i]);
    for (int k = 0; k < t->ncpts; k++)
        if (in_cpts[k]) {
            r->scope_cpts++;
            r->scope_cpts_counting += r->counts[k];
        }
}

static void free_areas(coverage_area *a, int n)
{
    for (int i = 0; i < n; i++)
        free(a[i].communes);
    free(a);
}

void cov_free(coverage_report *r)
{
    free(r->by_cpts);
    free(r->covered);
    free(r->counts);
    free_areas(r->departments, r->ndepartments);
    free_areas(r->regions, r->nregions);
    memset(r, 0, sizeof *r);
}

const coverage_area *cov_find_region(const coverage_report *r, const char *reg)
{
    for (int i = 0; i < r->nregions; i++)
        if (strcmp(r->regions[i].code, reg) == 0)
            return &r->regions[i];
    return NULL;
}
