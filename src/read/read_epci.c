/* read_epci.c -- the communes of each EPCI (intercommunality), for memberships by EPCI.
 * A CPTS is often "the communes of" an EPCI; a row "EPCI:<SIREN>" expands through this table. */
#include "read/readers.h"

#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "read/table.h"
#include "util/util.h"

static const char *const epci_names[] = {"EPCI", "SIREN", "siren_epci", NULL};
static const char *const name_names[] = {"LIBEPCI", "nom", "name", NULL};
static const char *const com_names[] = {"COM", "CODGEO", "INSEE_COM", "code", NULL};

long read_epci(epci_table *e, const char *path, fld_codes codes, join_issues *ji)
{
    memset(e, 0, sizeof *e);
    smap_init(&e->index);
    table tb;
    if (tbl_open(&tb, path) < 0)
        return -1;
    int ce = tbl_column(&tb, NULL, epci_names, "EPCI", "a header cell EPCI");
    int cc = ce < 0 ? -1 : tbl_column(&tb, NULL, com_names, "commune code", "a header cell COM");
    int cn = tbl_column(&tb, NULL, name_names, NULL, NULL);
    int r = cc < 0 || cn < -1 ? -1 : 0;
    while (r == 0 && (r = tbl_next(&tb)) == 1) {
        r = 0;
        char *siren = str_trim_dup(tbl_cell(&tb, ce));
        commune_code code;
        const char *raw = tbl_cell(&tb, cc);
        int fc = fld_code(raw, codes, code);
        if (!siren[0] || fc == FLD_INVALID) {
            if (siren[0])
                r = diag_error(path, tb.line, "\"%s\" is not a commune code (5 characters, like "
                                              "35238 or 2A004); fix this row", raw);
            else
                r = diag_error(path, tb.line, "the EPCI is empty; fix this row");
            free(siren);
            break;
        }
        if (fc == FLD_REPAIRED)
            jis_add(ji, path, tb.line, code, "repaired_code", "code \"%s\" read as %s", raw, code);
        int k = smap_get(&e->index, siren);
        if (k < 0) {
            GROW(e->members, e->cap, e->n + 1);
            e->nmembers = xrealloc(e->nmembers, (size_t)e->cap * sizeof *e->nmembers);
            e->names = xrealloc(e->names, (size_t)e->cap * sizeof *e->names);
            k = e->n++;
            e->members[k] = NULL;
            e->nmembers[k] = 0;
            e->names[k] = xstrdup(tbl_cell(&tb, cn));
            smap_put(&e->index, siren, k);
        }
        e->members[k] = xrealloc(e->members[k], (size_t)(e->nmembers[k] + 1) * sizeof(char *));
        e->members[k][e->nmembers[k]++] = xstrdup(code);
        free(siren);
    }
    long rows = tb.rows;
    if (r == 0 && rows == 0)
        r = diag_error(path, 2, "the table has a header but no commune; give the EPCI table, or "
                                "leave out --epci");
    if (r == 0)
        tbl_report_encoding(&tb, ji);
    tbl_close(&tb);
    if (r < 0) {
        epci_free(e);
        return -1;
    }
    return rows;
}

void epci_free(epci_table *e)
{
    for (int k = 0; k < e->n; k++) {
        for (int i = 0; i < e->nmembers[k]; i++)
            free(e->members[k][i]);
        free(e->members[k]);
        free(e->names[k]);
    }
    free(e->members);
    free(e->nmembers);
    free(e->names);
    smap_free(&e->index);
    memset(e, 0, sizeof *e);
}
