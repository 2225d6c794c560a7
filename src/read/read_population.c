/* read_population.c -- the population table: its rows are the current communes.
 * Its vintage of codes is the one every other input is carried to.
 *
 * Every row must be right (a code, a department, a region, a non-negative integer
 * population) or the run stops at that line: a population table with a bad row would give
 * wrong national figures, and no figure is better than a wrong one. Codes damaged by a
 * spreadsheet are repaired and reported, since their meaning is not in doubt. */
#include "read/readers.h"

#include <stdio.h>
#include <string.h>

#include "model/fields.h"
#include "read/table.h"
#include "util/util.h"

static const char *const code_names[] = {"COM", "CODGEO", "INSEE_COM", "code", "DEPCOM", NULL};
static const char *const dep_names[] = {"DEP", "INSEE_DEP", "dep", "departement", NULL};
static const char *const reg_names[] = {"REG", "INSEE_REG", "reg", "region", NULL};
static const char *const count_names[] = {"PMUN", "population", "PTOT", "P_MUN", NULL};
static const char *const name_names[] = {"LIBCOM", "LIBGEO", "NOM", "nom", "name", NULL};
static const char *const epci_names[] = {"EPCI", NULL};
static const char *const depname_names[] = {"LIBDEP", NULL};
static const char *const regname_names[] = {"LIBREG", NULL};

/* Reads one row into the table, adding its population to *total; returns 0 or -1. */
static int read_row(commune_table *t, const table *tb, const int col[8], fld_codes codes,
                    int64_t *total, join_issues *ji)
{
    const char *path = tb->path;
    long line = tb->line;
    const char *raw = tbl_cell(tb, col[0]);
    commune_code code;
    int r = fld_code(raw, codes, code);
    if (r == FLD_INVALID)
        return diag_error(path, line, "\"%s\" is not a commune code (5 characters, like 35238 or "
                                      "2A004); fix this row", raw);
    if (r == FLD_REPAIRED)
        jis_add(ji, path, line, code, "repaired_code", "code \"%s\" read as %s", raw, code);
    int i = ctab_add_commune(t, code);
    if (i < 0)
        return diag_error(path, line, "commune %s appears twice (first at line %ld); keep one row "
                                      "per commune", code, t->communes[ctab_find_commune(t, code)].line);
    commune *c = &t->communes[i];
    c->line = line;
    const char *dep = tbl_cell(tb, col[1]);
    if (fld_department(dep, codes, c->dep) == FLD_INVALID)
        return diag_error(path, line, "\"%s\" is not a department code (like 35, 2A or 971); fix "
                                      "this row", dep);
    const char *reg = tbl_cell(tb, col[2]);
    if (fld_region(reg, codes, c->reg) == FLD_INVALID)
        return diag_error(path, line, "\"%s\" is not a region code (like 53 or 975); fix this row", reg);
    const char *count = tbl_cell(tb, col[3]);
    if (!count[0] && !tbl_has_cell(tb, col[3]))
        return diag_error(path, line, "the row ends before the population column (a cut row?); "
                                      "fix this row, or leave the cell empty for no inhabitants");
    if (!count[0]) {
        /* INSEE leaves it empty for the uninhabited territories (TAAF, Clipperton). */
        c->population = 0;
        jis_add(ji, path, line, code, "empty_population",
                "commune %s has no population; counted as 0 inhabitants", code);
    } else if (fld_population(count, &c->population) == FLD_INVALID)
        return diag_error(path, line, "population \"%s\" of commune %s is not a non-negative "
                                      "integer; fix this row", count, code);
    /* Every sum of the coverage is a part of the total: if it fits, they all do. */
    if (c->population > INT64_MAX - *total)
        return diag_error(path, line, "population \"%s\" of commune %s takes the table's total "
                                      "past 2^63-1 inhabitants; fix this row", count, code);
    *total += c->population;
    c->name = xstrdup(col[4] >= 0 && tbl_cell(tb, col[4])[0] ? tbl_cell(tb, col[4]) : code);
    if (col[5] >= 0 && tbl_cell(tb, col[5])[0])
        c->epci = xstrdup(tbl_cell(tb, col[5]));
    if (col[6] >= 0)
        ctab_set_area_name(t, 0, c->dep, tbl_cell(tb, col[6]));
    if (col[7] >= 0)
        ctab_set_area_name(t, 1, c->reg, tbl_cell(tb, col[7]));
    size_t dl = strlen(c->dep);  /* "35" for 35238, "971" for 97101 */
    if (codes == FLD_INSEE_CODES && strncmp(code, c->dep, dl) != 0)
        jis_add(ji, path, line, code, "department_mismatch",
                "commune %s is given department %s, which its code does not start with", code,
                c->dep);
    return 0;
}

/* Reports the communes whose region is not that of the first commune of their department:
 * regions are drawn from whole departments, each in the region of its first commune. */
static void check_regions(const commune_table *t, const char *path, join_issues *ji)
{
    strmap first;
    smap_init(&first);
    for (int i = 0; i < t->ncommunes; i++) {
        const commune *c = &t->communes[i];
        int f = smap_get(&first, c->dep);
        if (f < 0)
            smap_put(&first, c->dep, i);
        else if (strcmp(t->communes[f].reg, c->reg) != 0)
            jis_add(ji, path, c->line, c->code, "region_mismatch",
                    "commune %s of department %s is given region %s, but commune %s of the same "
                    "department region %s; the region maps draw the department in region %s; "
                    "check the table", c->code, c->dep, c->reg, t->communes[f].code,
                    t->communes[f].reg, t->communes[f].reg);
    }
    smap_free(&first);
}

long read_population(commune_table *t, const char *path, const population_columns *cols,
                     fld_codes codes, join_issues *ji)
{
    table tb;
    if (tbl_open(&tb, path) < 0)
        return -1;
    ctab_reserve_communes(t, tbl_record_count(&tb));
    int col[8];
    col[0] = tbl_column(&tb, cols->code, code_names, "commune code", "--pop-code");
    col[1] = col[0] < 0 ? -1 : tbl_column(&tb, cols->dep, dep_names, "department", "--pop-dep");
    col[2] = col[1] < 0 ? -1 : tbl_column(&tb, cols->reg, reg_names, "region", "--pop-reg");
    col[3] = col[2] < 0 ? -1 : tbl_column(&tb, cols->count, count_names, "population", "--pop-count");
    if (col[3] < 0) {
        tbl_close(&tb);
        return -1;
    }
    col[4] = tbl_column(&tb, NULL, name_names, NULL, NULL);
    col[5] = tbl_column(&tb, NULL, epci_names, NULL, NULL);
    col[6] = tbl_column(&tb, NULL, depname_names, NULL, NULL);
    col[7] = tbl_column(&tb, NULL, regname_names, NULL, NULL);
    if (col[4] < -1 || col[5] < -1 || col[6] < -1 || col[7] < -1) {
        tbl_close(&tb);
        return -1;
    }
    int r;
    int64_t total = 0;
    while ((r = tbl_next(&tb)) == 1)
        if (read_row(t, &tb, col, codes, &total, ji) < 0) {
            r = -1;
            break;
        }
    long rows = tb.rows;
    if (r == 0 && rows == 0)
        r = diag_error(path, 2, "the table has a header but no commune; give the population table");
    if (r == 0)
        check_regions(t, path, ji);
    if (r == 0)
        tbl_report_encoding(&tb, ji);
    tbl_close(&tb);
    return r < 0 ? -1 : rows;
}
