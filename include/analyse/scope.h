/* scope.h -- the part of the country a scenario shows: regions or departments (--scope).
 * Writers ask it whether a commune, CPTS, department, region or zone is shown. */
#ifndef CPTSCOV_SCOPE_H
#define CPTSCOV_SCOPE_H

#include "model/commune_table.h"
#include "model/fields.h"
#include "analyse/zones.h"

typedef enum scope_kind { SCOPE_REGION, SCOPE_DEPARTMENT } scope_kind;

/* A scope resolved on a commune table. A NULL scope is the whole country: every test below
 * then answers 1. */
typedef struct coverage_scope {
    char *text;                  /* as given, e.g. "region:53" or "dep:35,22" */
    scope_kind kind;
    char (*codes)[4];            /* the regions or departments named, sorted, distinct */
    int ncodes;
    char *label;                 /* for people: "region 53 (Bretagne)", "departments 22, 35" */
    const commune_table *table;
    unsigned char *communes;     /* per commune: 1 when its region/department is named */
    unsigned char *cpts;         /* per CPTS: 1 when one of its communes is in scope */
    char (*departments)[4];      /* departments with a commune in scope, sorted */
    int ndepartments;
    char (*regions)[4];          /* regions with a commune in scope, sorted */
    int nregions;
} coverage_scope;

/* Checks the syntax of a --scope value ("region:53", "region:53,84", "dep:35,22"), without
 * data, its codes read by rules. Returns 0, or -1 after diag_error. */
int scope_check(const char *text, fld_codes rules);
/* Resolves text on t, its codes read by rules (t's own). A region or department no commune of
 * t has is an error. Returns 0, or -1 after diag_error (s is then empty; scope_free may be
 * called either way). */
int scope_resolve(coverage_scope *s, const char *text, fld_codes rules, const commune_table *t);
void scope_free(coverage_scope *s);

/* Membership tests; s NULL: always 1. */
int scope_has_commune(const coverage_scope *s, int commune);
int scope_has_cpts(const coverage_scope *s, int cpts);
int scope_has_department(const coverage_scope *s, const char *dep);
int scope_has_region(const coverage_scope *s, const char *reg);
/* A zone is in scope when one of its communes is. */
int scope_has_zone(const coverage_scope *s, const uncovered_zone *z);

#endif
