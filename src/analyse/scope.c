/* scope.c -- the part of the country a scenario shows: regions or departments (--scope).
 * Writers ask it whether a commune, CPTS, department, region or zone is shown.
 *
 * A scope is a set of communes, those of the regions or departments it names; everything else
 * follows from them, so that a territory is never cut: a CPTS is shown (whole, with all its
 * communes' figures) when one of its communes is in scope, a zone when one of its communes is,
 * a department or region when one of its communes is. The answers are computed once on the
 * table, as flags per commune and CPTS and short sorted lists of codes, so that the writers'
 * tests are a look-up. */
#include "analyse/scope.h"

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "model/fields.h"
#include "util/util.h"

static int cmp_code(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Sorts and removes duplicates; returns the new count. */
static int sort_codes(char (*codes)[4], int n)
{
    if (n > 1)
        qsort(codes, (size_t)n, sizeof *codes, cmp_code);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || strcmp(codes[m - 1], codes[i]) != 0)
            memmove(codes[m++], codes[i], sizeof *codes);
    return m;
}

static int has_code(char (*codes)[4], int n, const char *code)
{
    return n > 0 && bsearch(code, codes, (size_t)n, sizeof *codes, cmp_code) != NULL;
}

/* Parses text into kind and codes (a new array). Returns 0, or -1 after diag_error. */
static int parse(const char *text, fld_codes rules, scope_kind *kind, char (**codes)[4],
                 int *ncodes)
{
    *codes = NULL;
    *ncodes = 0;
    const char *colon = strchr(text, ':');
    size_t klen = colon ? (size_t)(colon - text) : 0;
    if (colon && klen == 6 && strncmp(text, "region", 6) == 0)
        *kind = SCOPE_REGION;
    else if (colon && ((klen == 3 && strncmp(text, "dep", 3) == 0) ||
                       (klen == 10 && strncmp(text, "department", 10) == 0)))
        *kind = SCOPE_DEPARTMENT;
    else
        return diag_error(NULL, 0, "--scope \"%s\" is not a scope; write region:CODE[,CODE...] "
                                   "or dep:CODE[,CODE...], e.g. region:53 or dep:35,22", text);
    char *copy = xstrdup(colon + 1), *save = NULL;
    int n = 0, rc = 0;
    char(*out)[4] = xcalloc(strlen(copy) + 1, sizeof *out);
    for (char *p = strtok_r(copy, ",", &save); p && rc == 0; p = strtok_r(NULL, ",", &save)) {
        char code[4];
        int ok = *kind == SCOPE_REGION ? fld_region(p, rules, code)
                                       : fld_department(p, rules, code);
        if (ok == FLD_INVALID)
            rc = diag_error(NULL, 0, "--scope \"%s\": \"%s\" is not a %s code", text, p,
                            *kind == SCOPE_REGION ? "region" : "department");
        else
            memcpy(out[n++], code, sizeof code);
    }
    free(copy);
    if (rc == 0 && n == 0)
        rc = diag_error(NULL, 0, "--scope \"%s\" names no %s; e.g. region:53 or dep:35,22", text,
                        *kind == SCOPE_REGION ? "region" : "department");
    if (rc < 0) {
        free(out);
        return -1;
    }
    *codes = out;
    *ncodes = sort_codes(out, n);
    return 0;
}

int scope_check(const char *text, fld_codes rules)
{
    scope_kind kind;
    char(*codes)[4];
    int n;
    if (parse(text, rules, &kind, &codes, &n) < 0)
        return -1;
    free(codes);
    return 0;
}

/* "region 53 (Bretagne)", "regions 52, 53", "department 35 (Ille-et-Vilaine)", "departments 22, 35". */
static char *make_label(const coverage_scope *s, const commune_table *t)
{
    int region = s->kind == SCOPE_REGION;
    if (s->ncodes == 1) {
        const char *name = ctab_area_name(t, region, s->codes[0]);
        return name ? xasprintf("%s %s (%s)", region ? "region" : "department", s->codes[0], name)
                    : xasprintf("%s %s", region ? "region" : "department", s->codes[0]);
    }
    size_t len = 16 + (size_t)s->ncodes * 5;
    char *l = xmalloc(len);
    size_t n = (size_t)snprintf(l, len, "%s ", region ? "regions" : "departments");
    for (int i = 0; i < s->ncodes; i++)
        n += (size_t)snprintf(l + n, len - n, "%s%s", i ? ", " : "", s->codes[i]);
    return l;
}

int scope_resolve(coverage_scope *s, const char *text, fld_codes rules, const commune_table *t)
{
    memset(s, 0, sizeof *s);
    if (parse(text, rules, &s->kind, &s->codes, &s->ncodes) < 0)
        return -1;
    s->text = xstrdup(text);
    s->table = t;
    int region = s->kind == SCOPE_REGION;
    s->communes = xcalloc((size_t)(t->ncommunes ? t->ncommunes : 1), 1);
    s->cpts = xcalloc((size_t)(t->ncpts ? t->ncpts : 1), 1);
    unsigned char *found = xcalloc((size_t)s->ncodes, 1);
    s->departments = xcalloc((size_t)t->ncommunes + 1, sizeof *s->departments);
    s->regions = xcalloc((size_t)t->ncommunes + 1, sizeof *s->regions);
    for (int i = 0; i < t->ncommunes; i++) {
        const commune *c = &t->communes[i];
        const char *key = region ? c->reg : c->dep;
        char(*hit)[4] = s->ncodes ? bsearch(key, s->codes, (size_t)s->ncodes, sizeof *s->codes,
                                            cmp_code) : NULL;
        if (!hit)
            continue;
        found[hit - s->codes] = 1;
        s->communes[i] = 1;
        for (int j = 0; j < c->ncpts; j++)
            s->cpts[c->cpts[j]] = 1;
        memcpy(s->departments[s->ndepartments++], c->dep, 4);
        memcpy(s->regions[s->nregions++], c->reg, 4);
        /* keep the lists short as they grow */
        if (s->ndepartments > 64)
            s->ndepartments = sort_codes(s->departments, s->ndepartments);
        if (s->nregions > 64)
            s->nregions = sort_codes(s->regions, s->nregions);
    }
    s->ndepartments = sort_codes(s->departments, s->ndepartments);
    s->nregions = sort_codes(s->regions, s->nregions);
    for (int k = 0; k < s->ncodes; k++)
        if (!found[k]) {
            char code[4];
            memcpy(code, s->codes[k], sizeof code);
            free(found);
            scope_free(s);
            return diag_error(NULL, 0, "--scope \"%s\": no commune of the population table is in "
                              "%s %s; check the code", text, region ? "region" : "department",
                              code);
        }
    free(found);
    s->label = make_label(s, t);
    return 0;
}

void scope_free(coverage_scope *s)
{
    free(s->text);
    free(s->codes);
    free(s->label);
    free(s->communes);
    free(s->cpts);
    free(s->departments);
    free(s->regions);
    memset(s, 0, sizeof *s);
}

int scope_has_commune(const coverage_scope *s, int commune)
{
    return !s || s->communes[commune];
}

int scope_has_cpts(const coverage_scope *s, int cpts)
{
    return !s || s->cpts[cpts];
}

int scope_has_department(const coverage_scope *s, const char *dep)
{
    return !s || has_code(s->departments, s->ndepartments, dep);
}

int scope_has_region(const coverage_scope *s, const char *reg)
{
    return !s || has_code(s->regions, s->nregions, reg);
}

int scope_has_zone(const coverage_scope *s, const uncovered_zone *z)
{
    if (!s)
        return 1;
    for (int i = 0; i < z->ncommunes; i++)
        if (s->communes[z->communes[i]])
            return 1;
    return 0;
}
