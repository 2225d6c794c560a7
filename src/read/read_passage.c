/* read_passage.c -- the passage table from older commune codes to current ones.
 * Carries the codes of old polygons and old membership lists to the population's vintage.
 *
 * INSEE publishes one table per target year, mapping every code ever known to the current
 * commune that absorbed it, so one look-up suffices. A table made by hand may instead list
 * successive mergers (A -> B, then B -> C): chains are followed to their end, and a cycle
 * is an error rather than a loop. */
#include "read/readers.h"

#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "read/table.h"
#include <ogr_api.h>
#include "util/util.h"

static const char *const from_names[] = {"CODGEO_INI", "COM_INI", "old_code", "from", NULL};

/* The "to" column: the first named CODGEO_<year>, or one of the usual names. */
static int find_to_column(table *tb, const char *override)
{
    static const char *const to_names[] = {"CODGEO_2025", "CODGEO_2024", "CODGEO_2023",
                                           "COM_FIN", "new_code", "to", NULL};
    if (override)
        return tbl_column(tb, override, to_names, "current code", "--passage-to");
    int c = tbl_column(tb, NULL, to_names, NULL, NULL);
    if (c != -1)
        return c;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(tb->layer);
    for (int i = 0; i < tb->ncols; i++) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        if (strncmp(name, "CODGEO_", 7) == 0 && strcmp(name, "CODGEO_INI") != 0)
            return i;
    }
    return tbl_column(tb, NULL, to_names, "current code", "--passage-to");
}

static int compare_order(const void *a, const void *b, void *arg)
{
    const passage *p = arg;
    int i = *(const int *)a, j = *(const int *)b;
    int c = strcmp(p->to[i], p->to[j]);
    return c ? c : strcmp(p->from[i], p->from[j]);
}

/* Follows chains so that every to[] is a code that maps to itself or to nothing. The chain
 * is walked before to[i] is changed: changing it on the way would make a cycle through i
 * look like a code mapping to itself. */
static int follow_chains(passage *p, const char *path)
{
    for (int i = 0; i < p->n; i++) {
        const char *end = p->to[i];
        int steps = 0;
        for (;;) {
            int j = smap_get(&p->index, end);
            if (j < 0 || strcmp(p->to[j], end) == 0)
                break;
            if (j == i || ++steps > p->n)
                return diag_error(path, 0, "the codes from %s form a cycle; fix the table",
                                  p->from[i]);
            end = p->to[j];
        }
        if (end != p->to[i]) {
            char *s = xstrdup(end);
            free(p->to[i]);
            p->to[i] = s;
        }
    }
    return 0;
}

/* Room for n pairs in p->from and p->to, which grow together. */
static void passage_room(passage *p, int n)
{
    int cap = p->cap;
    GROW(p->from, p->cap, n);
    if (p->cap != cap)
        p->to = xrealloc(p->to, (size_t)p->cap * sizeof *p->to);
}

long read_passage(passage *p, const char *path, const char *from_col, const char *to_col,
                  fld_codes codes, join_issues *ji)
{
    memset(p, 0, sizeof *p);
    smap_init(&p->index);
    smap_init(&p->by_target);
    table tb;
    if (tbl_open(&tb, path) < 0)
        return -1;
    int records = tbl_record_count(&tb); /* room made once */
    passage_room(p, records);
    smap_reserve(&p->index, (size_t)records);
    int cf = tbl_column(&tb, from_col, from_names, "old code", "--passage-from");
    int ct = cf < 0 ? -1 : find_to_column(&tb, to_col);
    int r = ct < 0 ? -1 : 0;
    while (r == 0 && (r = tbl_next(&tb)) == 1) {
        commune_code from, to;
        const char *rf = tbl_cell(&tb, cf), *rt = tbl_cell(&tb, ct);
        int a = fld_code(rf, codes, from), b = fld_code(rt, codes, to);
        if (a == FLD_INVALID || b == FLD_INVALID) {
            r = diag_error(path, tb.line, "\"%s\" is not a commune code; fix this row",
                           a == FLD_INVALID ? rf : rt);
            break;
        }
        if (a == FLD_REPAIRED || b == FLD_REPAIRED)
            jis_add(ji, path, tb.line, from, "repaired_code", "codes \"%s\", \"%s\" read as %s, %s",
                    rf, rt, from, to);
        int prev = smap_get(&p->index, from);
        if (prev >= 0) {
            if (strcmp(p->to[prev], to) != 0)
                r = diag_error(path, tb.line, "old code %s is mapped both to %s and to %s; keep "
                                              "one", from, p->to[prev], to);
            else
                r = 0;
            continue;
        }
        passage_room(p, p->n + 1);
        p->from[p->n] = xstrdup(from);
        p->to[p->n] = xstrdup(to);
        smap_put(&p->index, from, p->n++);
        r = 0;
    }
    long rows = tb.rows;
    if (r == 0 && rows == 0)
        r = diag_error(path, 2, "the table has a header but no code; give the passage table, or "
                                "leave out --passage");
    if (r == 0)
        tbl_report_encoding(&tb, ji);
    tbl_close(&tb);
    if (r < 0 || follow_chains(p, path) < 0) {
        pass_free(p);
        return -1;
    }
    p->order = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *p->order);
    for (int i = 0; i < p->n; i++)
        p->order[i] = i;
    qsort_r(p->order, (size_t)p->n, sizeof *p->order, compare_order, p);
    for (int i = p->n - 1; i >= 0; i--)
        smap_put(&p->by_target, p->to[p->order[i]], i);
    return rows;
}

const char *pass_current(const passage *p, const char *code)
{
    if (!p)
        return NULL;
    int i = smap_get(&p->index, code);
    return i < 0 ? NULL : p->to[i];
}

int pass_constituents(const passage *p, const char *current, const int **first)
{
    int i = smap_get(&p->by_target, current);
    if (i < 0)
        return 0;
    int n = 0;
    while (i + n < p->n && strcmp(p->to[p->order[i + n]], current) == 0)
        n++;
    *first = p->order + i;
    return n;
}

void pass_free(passage *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->from[i]);
        free(p->to[i]);
    }
    free(p->from);
    free(p->to);
    free(p->order);
    smap_free(&p->index);
    smap_free(&p->by_target);
    memset(p, 0, sizeof *p);
}

int harmonise_code(const commune_table *t, const passage *p, const char *code, int *via_passage)
{
    *via_passage = 0;
    int i = ctab_find_commune(t, code);
    if (i >= 0)
        return i;
    const char *cur = pass_current(p, code);
    if (!cur)
        return -1;
    *via_passage = 1;
    return ctab_find_commune(t, cur);
}
