/* read_members.c -- CPTS memberships: one row per (CPTS, commune), as the ARS keep them.
 * Codes are carried to the current vintage; a row may name a whole EPCI ("EPCI:<SIREN>").
 *
 * Lists are typed from press releases and contracts of different years, so a listed code may
 * be an old commune since merged. The whole current commune then counts (population is only
 * known for current communes), and when the list names only some of the old communes that
 * form it, the CPTS and the missing codes are reported for someone to check. */
#include "read/readers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/fields.h"
#include "read/table.h"
#include "util/util.h"

static const char *const id_names[] = {"cpts_id", "id_cpts", "cpts", NULL};
static const char *const name_names[] = {"cpts_name", "nom_cpts", "name", NULL};
static const char *const code_names[] = {"insee_com", "COM", "CODGEO", "code", NULL};
static const char *const status_names[] = {"status", "statut", NULL};
static const char *const date_names[] = {"signed_on", "date_signature", NULL};

/* A listed code that reached commune c of CPTS k. */
typedef struct listing {
    int k, c;
    int direct;          /* the code was the current one */
    long line;           /* where it was listed */
    commune_code code;
} listing;

typedef struct member_reader {
    commune_table *t;
    const passage *p;
    const epci_table *epci;
    fld_codes codes;
    join_issues *ji;
    const char *path;
    listing *list;
    int n, cap;
    strmap seen;         /* "k:code" of every code listed, for duplicates */
} member_reader;

/* Adds commune code raw (from line) to CPTS k. */
static void add_code(member_reader *m, int k, const char *raw, long line, const char *via)
{
    commune_code code;
    int r = fld_code(raw, m->codes, code);
    if (r == FLD_INVALID) {
        jis_add(m->ji, m->path, line, raw, "unknown_code",
                "\"%s\"%s is not a commune code; row ignored", raw, via);
        return;
    }
    if (r == FLD_REPAIRED)
        jis_add(m->ji, m->path, line, code, "repaired_code", "code \"%s\" read as %s", raw, code);
    int old = 0;
    int c = harmonise_code(m->t, m->p, code, &old);
    if (c < 0) {
        jis_add(m->ji, m->path, line, code, "unknown_code",
                "commune %s%s is neither in the population table nor in the passage table; "
                "row ignored", code, via);
        return;
    }
    /* A duplicate is the same code twice, whatever the order of the rows: an old code and
     * its current commune in one list are a merger (check_partial), not a duplicate. */
    char key[sizeof code + 21];
    if (smap_put(&m->seen, str_int_key(key, k, code), 1) >= 0) {
        jis_add(m->ji, m->path, line, code, "duplicate_member",
                "commune %s is listed twice for CPTS %s", code, m->t->cpts[k].id);
        return;
    }
    ctab_add_member(m->t, k, c);
    GROW(m->list, m->cap, m->n + 1);
    listing *l = &m->list[m->n++];
    l->k = k;
    l->c = c;
    l->direct = !old;
    l->line = line;
    memcpy(l->code, code, sizeof code);
}

static int add_epci(member_reader *m, int k, const char *siren, long line)
{
    if (!m->epci)
        return diag_error(m->path, line, "this row names EPCI %s but no EPCI table was given; "
                                         "add --epci with the table of their communes", siren);
    int e = smap_get(&m->epci->index, siren);
    if (e < 0) {
        jis_add(m->ji, m->path, line, siren, "unknown_epci",
                "EPCI %s is not in the EPCI table; row ignored", siren);
        return 0;
    }
    char via[64];
    snprintf(via, sizeof via, " (of EPCI %s)", siren);
    for (int i = 0; i < m->epci->nmembers[e]; i++)
        add_code(m, k, m->epci->members[e][i], line, via);
    return 0;
}

/* Sets or checks the CPTS-wide fields of row line. */
static int cpts_fields(member_reader *m, int k, int created, const table *tb, const int col[5])
{
    cpts *p = &m->t->cpts[k];
    const char *st = tbl_cell(tb, col[3]), *date = tbl_cell(tb, col[4]);
    int status = ctab_parse_status(st);
    if (status < 0)
        return diag_error(m->path, tb->line, "unknown status \"%s\"; use signed, project or letter",
                          st);
    int ymd;
    if (fld_date(date, &ymd) != FLD_OK)
        return diag_error(m->path, tb->line, "\"%s\" is not a date that exists; write it "
                                             "YYYY-MM-DD", date);
    if (created) {
        p->name = xstrdup(tbl_cell(tb, col[1])[0] ? tbl_cell(tb, col[1]) : p->id);
        p->status = (cpts_status)status;
        p->signed_on = ymd;
        p->file = m->path;
        p->line = tb->line;
        if (status == STATUS_SIGNED && ymd == 0)
            jis_add(m->ji, m->path, tb->line, p->id, "signed_without_date",
                    "CPTS %s is signed but has no signed_on date; it never counts with --as-of",
                    p->id);
    } else if ((int)p->status != status || p->signed_on != ymd) {
        jis_add(m->ji, m->path, tb->line, p->id, "inconsistent_cpts",
                "CPTS %s has another status or date than at line %ld; the first is kept", p->id,
                p->line);
    }
    return 0;
}

static int compare_listing(const void *a, const void *b)
{
    const listing *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    if (x->c != y->c)
        return x->c < y->c ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* Reports the current communes of which a CPTS lists only some old communes. */
static void check_partial(member_reader *m)
{
    if (m->n > 1) /* qsort must not get NULL, the list of a file without a valid code */
        qsort(m->list, (size_t)m->n, sizeof *m->list, compare_listing);
    for (int i = 0; i < m->n;) {
        int j = i, direct = 0;
        long line = m->list[i].line; /* the first line that listed the commune */
        for (; j < m->n && m->list[j].k == m->list[i].k && m->list[j].c == m->list[i].c; j++) {
            direct |= m->list[j].direct;
            if (m->list[j].line < line)
                line = m->list[j].line;
        }
        const commune *c = &m->t->communes[m->list[i].c];
        const int *first;
        int nc = m->p && !direct ? pass_constituents(m->p, c->code, &first) : 0;
        char missing[512] = "", listed[512] = "";
        size_t lm = 0, ll = 0;
        int nmissing = 0;
        for (int q = 0; q < nc; q++) {
            const char *old = m->p->from[first[q]];
            int found = 0;
            for (int x = i; x < j; x++)
                found |= strcmp(m->list[x].code, old) == 0;
            if (!found && lm < sizeof missing) {
                lm += (size_t)snprintf(missing + lm, sizeof missing - lm, "%s%s", nmissing ? ", " : "", old);
                nmissing++;
            }
        }
        for (int x = i; !direct && x < j && ll < sizeof listed; x++) /* said only if not direct */
            ll += (size_t)snprintf(listed + ll, sizeof listed - ll, "%s%s", x > i ? ", " : "", m->list[x].code);
        if (!direct && nmissing)
            jis_add(m->ji, m->path, line, c->code, "partial_membership",
                    "CPTS %s lists %s, part of current commune %s (%s), but not %s; the whole "
                    "commune is counted",
                    m->t->cpts[m->list[i].k].id, listed, c->code, c->name, missing);
        else if (!direct)
            jis_add(m->ji, m->path, line, c->code, "merged_commune",
                    "CPTS %s lists %s, now current commune %s (%s)", m->t->cpts[m->list[i].k].id,
                    listed, c->code, c->name);
        i = j;
    }
}

long read_members(commune_table *t, const char *path, const passage *p, const epci_table *epci,
                  fld_codes codes, join_issues *ji)
{
    member_reader m = {t, p, epci, codes, ji, path, NULL, 0, 0, {0}};
    table tb;
    if (tbl_open(&tb, path) < 0)
        return -1;
    smap_init(&m.seen);
    int col[5];
    col[0] = tbl_column(&tb, NULL, id_names, "CPTS id", "a header cell cpts_id");
    col[2] = col[0] < 0 ? -1 : tbl_column(&tb, NULL, code_names, "commune code", "a header cell insee_com");
    col[3] = col[2] < 0 ? -1 : tbl_column(&tb, NULL, status_names, "status", "a header cell status");
    col[4] = col[3] < 0 ? -1 : tbl_column(&tb, NULL, date_names, "signature date", "a header cell signed_on");
    col[1] = tbl_column(&tb, NULL, name_names, NULL, NULL);
    int r = col[4] < 0 || col[1] < -1 ? -1 : 0;
    while (r == 0 && (r = tbl_next(&tb)) == 1) {
        r = 0;
        char *id = str_trim_dup(tbl_cell(&tb, col[0]));
        if (!id[0]) {
            free(id);
            r = diag_error(path, tb.line, "the CPTS id is empty; give every row its cpts_id");
            break;
        }
        int created;
        int k = ctab_get_cpts(t, id, &created);
        free(id);
        if (cpts_fields(&m, k, created, &tb, col) < 0) {
            r = -1;
            break;
        }
        const char *code = tbl_cell(&tb, col[2]);
        while (*code == ' ')
            code++;
        if (strncasecmp(code, "EPCI:", 5) == 0) {
            char *siren = str_trim_dup(code + 5);
            r = add_epci(&m, k, siren, tb.line);
            free(siren);
        } else {
            add_code(&m, k, code, tb.line, "");
        }
    }
    long rows = tb.rows;
    if (r == 0 && rows == 0)
        r = diag_error(path, 2, "the table has a header but no membership; give at least one row");
    if (r == 0) {
        tbl_report_encoding(&tb, ji);
        check_partial(&m);
    }
    free(m.list);
    smap_free(&m.seen);
    tbl_close(&tb);
    return r < 0 ? -1 : rows;
}
