/* coverage.h -- which communes are covered, and the figures per CPTS, department, region, nation.
 * Reads the commune table and never changes it: what a rule makes of it lives in the report,
 * so that several rules (the scenarios of a batch) can be computed on one table at once. */
#ifndef CPTSCOV_COVERAGE_H
#define CPTSCOV_COVERAGE_H

#include <stdint.h>

#include "model/commune_table.h"

/* Which CPTS count: statuses among those selected and, when as_of is set, signed on or before it. */
typedef struct coverage_rule {
    int status[STATUS_COUNT]; /* 1 where that status counts */
    int as_of;                /* YYYYMMDD, 0 for no date limit */
} coverage_rule;

typedef struct coverage_figures {
    int64_t population, covered_population;
    int communes, covered_communes;
    int communes_without_polygon;
    double area_km2, covered_area_km2;
} coverage_figures;

/* A department or a region and its figures. */
typedef struct coverage_area {
    char code[4];
    const char *name;        /* from france.c; the code when unknown */
    char reg[4];             /* the region of a department; "" for a region */
    coverage_figures fig;
    int *communes;           /* indices into commune_table.communes, ascending */
    int ncommunes, capcommunes;
} coverage_area;

typedef struct coverage_report {
    coverage_rule rule;
    coverage_figures nation;
    coverage_figures *by_cpts;     /* as many as commune_table.ncpts, same order */
    coverage_area *departments;    /* sorted by code */
    int ndepartments;
    coverage_area *regions;        /* sorted by code */
    int nregions;
    int cpts_counting;             /* CPTS that count under the rule */
    unsigned char *covered;        /* per commune (commune_table order): 1 when covered */
    unsigned char *counts;         /* per CPTS (commune_table order): 1 when it counts */
    /* The figures of the communes in the scope shown (--scope), and its CPTS (those with a
     * commune in scope): the nation's and all CPTS until cov_restrict says otherwise. */
    coverage_figures scope;
    int scope_cpts, scope_cpts_counting;
} coverage_report;

/* Computes everything; never fails. */
void cov_compute(const commune_table *t, const coverage_rule *rule, coverage_report *r);
void cov_free(coverage_report *r);
/* Sums r->scope over the communes whose flag in_commune is 1 and counts the CPTS whose flag in
 * in_cpts is 1 (flags in commune_table order). */
void cov_restrict(const commune_table *t, coverage_report *r, const unsigned char *in_commune,
                  const unsigned char *in_cpts);
/* Percentage covered_population / population, 0 when population is 0. */
double cov_pct(const coverage_figures *f);
/* The region of departement code dep in r, or NULL. */
const coverage_area *cov_find_region(const coverage_report *r, const char *reg);

#endif
