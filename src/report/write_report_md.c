/* write_report_md.c -- report.md: the figures and tables of the report in Markdown, no maps.
 * A writer: it reads a run_results and writes one file, in the language of r->lang.
 *
 * It is read by people, in a viewer or as plain text, so three rules hold. Every text that
 * comes from the inputs (names of communes, CPTS, areas, codes) goes through md_text, which
 * escapes what Markdown would act on (a "|" would split a table cell, "*" or "_" emphasise,
 * "[" or "<" make links or HTML, "&" entities, "`" code, "$" maths on GitHub), turns control
 * characters into spaces (a line break would end a table row) and bytes that are not UTF-8
 * into "?". Every list is bounded: a zone of 35,000 communes shows its most populous ones and
 * "and N more", and only the largest zones get a row, the others a total. Figures are the
 * run_results' own, formatted by numfmt; nothing is computed here but presentation (sorting
 * a zone's communes by population, counting join issues by kind). Reruns are identical: no
 * timestamp, no path of the machine. A failed write is found once, at the close. With
 * --scope (r->scope), the headline stays the nation's, for reference, and the areas, zones
 * and regional timeline are those of the scope. */
#include "report/write_report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "util/version.h"

#define MAX_ZONES 50          /* zones with a row of their own */
#define MAX_ZONE_COMMUNES 10  /* communes named per zone, the most populous first */
#define MAX_ZONE_CPTS 10      /* bordering or pending CPTS named per zone */
#define MAX_ZONE_DEPARTMENTS 12 /* departments named per zone */
#define EM_DASH "\xE2\x80\x94"

typedef struct md {
    FILE *f;
    report_lang lang;
} md;

static const char *W(const md *m, const char *key)
{
    return nfmt_word(m->lang, key);
}

/* The length of the UTF-8 character at s (1 to 4), or 0 when s does not start one. */
static int utf8_char(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
          : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Text from the inputs, escaped for Markdown (see the comment at the top). */
static void md_text(md *m, const char *s)
{
    if (!s)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = utf8_char(p);
        if (n == 0) {
            fputc('?', m->f);
            p++;
        } else if (n > 1) {
            fwrite(p, 1, (size_t)n, m->f);
            p += n;
        } else {
            if (*p < 0x20 || *p == 0x7F)
                fputc(' ', m->f);
            else if (strchr("\\`*_[]<>|~&$#", *p))
                fprintf(m->f, "\\%c", *p);
            else
                fputc(*p, m->f);
            p++;
        }
    }
}

/* Text of cptscov's own (words, formatted numbers): written as it is. */
static void put(md *m, const char *s)
{
    fputs(s, m->f);
}

static void putf(md *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(md *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(m->f, fmt, ap);
    va_end(ap);
}

/* A word of the table with its first letter capitalised. */
static void put_cap(md *m, const char *key)
{
    char buf[256];
    put(m, nfmt_capital(W(m, key), buf, sizeof buf));
}

/* French sets a no-break space before ":". */
static void put_colon(md *m)
{
    put(m, m->lang == LANG_FR ? "\xC2\xA0: " : ": ");
}

static void put_int(md *m, int64_t v)
{
    char buf[64];
    put(m, nfmt_int(m->lang, v, buf, sizeof buf));
}

/* The share covered; a dash where nobody lives (an overseas collectivity without figures). */
static void put_pct(md *m, const coverage_figures *f)
{
    char buf[64];
    put(m, f->population > 0 ? nfmt_pct(m->lang, cov_pct(f), 1, buf, sizeof buf) : EM_DASH);
}

static void put_date(md *m, int ymd)
{
    char buf[64];
    put(m, nfmt_date(m->lang, ymd, buf, sizeof buf));
}

/* A table header: the capitalised words of keys; right[i] aligns column i to the right. */
static void put_header(md *m, const char *const *keys, const int *right, int n)
{
    put(m, "|");
    for (int i = 0; i < n; i++) {
        put(m, " ");
        put_cap(m, keys[i]);
        put(m, " |");
    }
    put(m, "\n|");
    for (int i = 0; i < n; i++)
        put(m, right[i] ? "---:|" : "---|");
    put(m, "\n");
}

/* The statuses the rule counts, in the words of the report. */
static void put_statuses(md *m, const coverage_rule *rule)
{
    int first = 1;
    for (int s = STATUS_COUNT - 1; s >= 0; s--)
        if (rule->status[s]) {
            put(m, first ? "" : ", ");
            put(m, W(m, ctab_status_name((cpts_status)s)));
            first = 0;
        }
}

static void headline(md *m, const run_results *r)
{
    const coverage_report *cov = r->coverage;
    const coverage_figures *n = &cov->nation;
    char covered[64], total[64], pct[64];
    nfmt_int(m->lang, n->covered_population, covered, sizeof covered);
    nfmt_int(m->lang, n->population, total, sizeof total);
    nfmt_pct(m->lang, cov_pct(n), 1, pct, sizeof pct);
    putf(m, "## %s\n\n", W(m, "headline"));
    if (m->lang == LANG_FR)
        putf(m, "**%s habitants** sur %s vivent dans une commune couverte par une CPTS, soit "
                "**%s** de la population.\n\n", covered, total, pct);
    else
        putf(m, "**%s inhabitants** of %s live in a commune covered by a CPTS: **%s** of the "
                "population.\n\n", covered, total, pct);
    put(m, "- ");
    put_cap(m, "counted_statuses");
    put_colon(m);
    put_statuses(m, &cov->rule);
    put(m, "\n- ");
    put_cap(m, "date");
    put_colon(m);
    if (cov->rule.as_of) {
        put(m, W(m, "as_of"));
        put(m, " ");
        put_date(m, cov->rule.as_of);
    } else {
        put(m, W(m, "no_date_limit"));
    }
    put(m, "\n- ");
    put_cap(m, "cpts_counting");
    put_colon(m);
    put_int(m, cov->cpts_counting);
    putf(m, " %s ", W(m, "of"));
    put_int(m, r->table->ncpts);
    put(m, "\n- ");
    put_cap(m, "covered_communes");
    put_colon(m);
    put_int(m, n->covered_communes);
    putf(m, " %s ", W(m, "of"));
    put_int(m, n->communes);
    put(m, "\n- ");
    put_cap(m, "uncovered_zones");
    put_colon(m);
    int64_t zpop = 0;
    int nzones = 0; /* those shown: with --scope, those with a commune in scope */
    for (int z = 0; r->zones && z < r->zones->n; z++)
        if (scope_has_zone(r->scope, &r->zones->zones[z])) {
            zpop += r->zones->zones[z].population;
            nzones++;
        }
    put_int(m, nzones);
    put(m, " (");
    put_int(m, zpop);
    putf(m, " %s)\n\n", W(m, "inhabitants"));
}

/* One row of the areas table; bold for a region. */
static void area_row(md *m, const coverage_area *a, int region)
{
    const char *b = region ? "**" : "";
    put(m, "| ");
    put(m, b);
    md_text(m, a->code);
    put(m, b);
    put(m, " | ");
    put(m, b);
    md_text(m, a->name);
    put(m, b);
    put(m, " | ");
    put_int(m, a->fig.population);
    put(m, " | ");
    put_int(m, a->fig.covered_population);
    put(m, " | ");
    put(m, b);
    put_pct(m, &a->fig);
    put(m, b);
    put(m, " | ");
    put_int(m, a->fig.covered_communes);
    put(m, " | ");
    put_int(m, a->fig.communes);
    put(m, " |\n");
}

/* Each region, then its departments (both in the order of their codes). */
static void areas(md *m, const coverage_report *cov, const coverage_scope *scope)
{
    putf(m, "## %s\n\n", W(m, "regions_departments"));
    static const char *const keys[] = {"code", "name", "population", "covered_population",
                                       "covered_pct", "covered_communes", "communes"};
    static const int right[] = {0, 0, 1, 1, 1, 1, 1};
    put_header(m, keys, right, 7);
    put(m, "| | **");
    put(m, W(m, "nation"));
    put(m, "** | ");
    put_int(m, cov->nation.population);
    put(m, " | ");
    put_int(m, cov->nation.covered_population);
    put(m, " | **");
    put_pct(m, &cov->nation);
    put(m, "** | ");
    put_int(m, cov->nation.covered_communes);
    put(m, " | ");
    put_int(m, cov->nation.communes);
    put(m, " |\n");
    for (int r = 0; r < cov->nregions; r++) {
        if (!scope_has_region(scope, cov->regions[r].code))
            continue;
        area_row(m, &cov->regions[r], 1);
        for (int d = 0; d < cov->ndepartments; d++)
            if (strcmp(cov->departments[d].reg, cov->regions[r].code) == 0 &&
                scope_has_department(scope, cov->departments[d].code))
                area_row(m, &cov->departments[d], 0);
    }
    put(m, "\n");
}

/* Communes by population, largest first, then by code (qsort_r, with the table). */
static int by_population(const void *a, const void *b, void *table)
{
    const commune_table *t = table;
    const commune *x = &t->communes[*(const int *)a];
    const commune *y = &t->communes[*(const int *)b];
    if (x->population != y->population)
        return x->population < y->population ? 1 : -1;
    return strcmp(x->code, y->code);
}

/* The names of CPTS ks[0..n-1], at most MAX_ZONE_CPTS of them, then "and N more". */
static void cpts_list(md *m, const commune_table *t, const int *ks, int n)
{
    if (n == 0) {
        put(m, EM_DASH); /* none */
        return;
    }
    for (int i = 0; i < n && i < MAX_ZONE_CPTS; i++) {
        put(m, i ? ", " : "");
        md_text(m, t->cpts[ks[i]].name && t->cpts[ks[i]].name[0] ? t->cpts[ks[i]].name
                                                                  : t->cpts[ks[i]].id);
    }
    if (n > MAX_ZONE_CPTS) {
        char more[128];
        putf(m, " %s", nfmt_and_more(m->lang, n - MAX_ZONE_CPTS, more, sizeof more));
    }
}

static void zone_row(md *m, const commune_table *t, const uncovered_zone *z, int rank)
{
    putf(m, "| %d | ", rank);
    put_int(m, z->population);
    put(m, " | ");
    put_int(m, z->ncommunes);
    put(m, " | ");
    for (int d = 0; d < z->ndepartments && d < MAX_ZONE_DEPARTMENTS; d++) {
        put(m, d ? ", " : "");
        md_text(m, z->departments[d]);
    }
    if (z->ndepartments > MAX_ZONE_DEPARTMENTS) {
        char more[128];
        putf(m, " %s", nfmt_and_more(m->lang, z->ndepartments - MAX_ZONE_DEPARTMENTS, more,
                                     sizeof more));
    }
    put(m, " | ");
    int *order = xmalloc((size_t)(z->ncommunes ? z->ncommunes : 1) * sizeof *order);
    memcpy(order, z->communes, (size_t)z->ncommunes * sizeof *order);
    qsort_r(order, (size_t)z->ncommunes, sizeof *order, by_population, (void *)t);
    for (int i = 0; i < z->ncommunes && i < MAX_ZONE_COMMUNES; i++) {
        const commune *c = &t->communes[order[i]];
        put(m, i ? ", " : "");
        md_text(m, c->name && c->name[0] ? c->name : c->code);
        put(m, " (");
        put_int(m, c->population);
        put(m, ")");
    }
    free(order);
    if (z->ncommunes > MAX_ZONE_COMMUNES) {
        char more[128];
        putf(m, " %s", nfmt_and_more(m->lang, z->ncommunes - MAX_ZONE_COMMUNES, more,
                                     sizeof more));
    }
    put(m, " | ");
    cpts_list(m, t, z->bordering_cpts, z->nbordering);
    put(m, " | ");
    cpts_list(m, t, z->pending_cpts, z->npending);
    put(m, " |\n");
}

static void zones_shown(md *m, const run_results *r, const uncovered_zone **zl, int n);

static void zones(md *m, const run_results *r)
{
    /* The zones shown (with --scope, those with a commune in scope), largest first. */
    int nshown = 0;
    const uncovered_zone **shown = xmalloc(((size_t)(r->zones ? r->zones->n : 0) + 1) *
                                           sizeof *shown);
    for (int z = 0; r->zones && z < r->zones->n; z++)
        if (scope_has_zone(r->scope, &r->zones->zones[z]))
            shown[nshown++] = &r->zones->zones[z];
    zones_shown(m, r, shown, nshown);
    free(shown);
}

static void zones_shown(md *m, const run_results *r, const uncovered_zone **zl, int n)
{
    putf(m, "## %s\n\n", W(m, "uncovered_zones"));
    if (n == 0) {
        putf(m, "%s\n\n", W(m, "uncovered_zones_none"));
        return;
    }
    if (m->lang == LANG_FR)
        put(m, "Groupes de communes non couvertes qui se touchent, les plus peuplés d'abord, "
               "avec les CPTS qui les bordent (candidates naturelles à une extension) et celles "
               "qui, sans compter encore, en listent des communes. Les communes citées sont "
               "les plus peuplées de la zone.\n\n");
    else
        put(m, "Groups of neighbouring uncovered communes, the most populated first, with the "
               "CPTS that border them (the natural candidates to extend) and those that list "
               "some of their communes without counting yet. The communes named are the zone's "
               "most populated.\n\n");
    static const char *const keys[] = {"#", "population", "communes", "departments",
                                       "largest_communes", "bordering_cpts", "pending_cpts"};
    static const int right[] = {1, 1, 1, 0, 0, 0, 0};
    put_header(m, keys, right, 7);
    for (int z = 0; z < n && z < MAX_ZONES; z++)
        zone_row(m, r->table, zl[z], z + 1);
    if (n > MAX_ZONES) {
        int64_t pop = 0;
        for (int z = MAX_ZONES; z < n; z++)
            pop += zl[z]->population;
        char more[64], p[64];
        nfmt_int(m->lang, n - MAX_ZONES, more, sizeof more);
        nfmt_int(m->lang, pop, p, sizeof p);
        int one = n - MAX_ZONES == 1;
        if (m->lang == LANG_FR)
            putf(m, "\n%s autre%s zone%s, de %s habitants en tout, %s dans uncovered.geojson.\n",
                 more, one ? "" : "s", one ? "" : "s", p, one ? "est" : "sont");
        else
            putf(m, "\n%s more zone%s, %s inhabitants in all, %s in uncovered.geojson.\n", more,
                 one ? "" : "s", p, one ? "is" : "are");
    }
    put(m, "\n");
}

/* Whether point i of tl is shown in the regional table: a year end, or the last point. */
static int regional_column(const coverage_timeline *tl, int i)
{
    return tl->points[i].date % 10000 == 1231 || i == tl->n - 1;
}

static void timeline(md *m, const run_results *r)
{
    const coverage_timeline *tl = r->timeline;
    const coverage_report *cov = r->coverage;
    putf(m, "## %s\n\n", W(m, "coverage_timeline"));
    if (!tl || tl->n == 0) {
        putf(m, "%s\n\n", W(m, "timeline_empty"));
        return;
    }
    int undated = 0;
    for (int k = 0; k < r->table->ncpts; k++)
        undated += cov->counts[k] && r->table->cpts[k].signed_on == 0;
    if (m->lang == LANG_FR)
        put(m, "Part de la population couverte à la fin de chaque trimestre, depuis la "
               "première signature");
    else
        put(m, "Share of the population covered at the end of each quarter, from the first "
               "signature");
    if (cov->rule.as_of) {
        putf(m, " %s ", m->lang == LANG_FR ? "jusqu'au" : "to");
        put_date(m, cov->rule.as_of);
    }
    put(m, ".");
    if (undated > 0) {
        char n[64];
        nfmt_int(m->lang, undated, n, sizeof n);
        if (m->lang == LANG_FR)
            putf(m, " %s CPTS comptée%s sans date de signature n'y figure%s pas.", n,
                 undated > 1 ? "s" : "", undated > 1 ? "nt" : "");
        else
            putf(m, " %s counted CPTS without a signing date %s not in it.", n,
                 undated > 1 ? "are" : "is");
    }
    put(m, "\n\n");
    static const char *const keys[] = {"date", "covered_population", "covered_pct",
                                       "cpts_counting"};
    static const int right[] = {0, 1, 1, 1};
    put_header(m, keys, right, 4);
    for (int i = 0; i < tl->n; i++) {
        const timeline_point *p = &tl->points[i];
        put(m, "| ");
        put_date(m, p->date);
        put(m, " | ");
        put_int(m, p->nation.covered_population);
        put(m, " | ");
        put_pct(m, &p->nation);
        put(m, " | ");
        put_int(m, p->cpts_counting);
        put(m, " |\n");
    }
    putf(m, "\n### %s\n\n", W(m, "timeline_regions"));
    put(m, "| ");
    put_cap(m, "code");
    put(m, " | ");
    put_cap(m, "region");
    put(m, " |");
    for (int i = 0; i < tl->n; i++)
        if (regional_column(tl, i)) {
            put(m, " ");
            if (tl->points[i].date % 10000 == 1231)
                putf(m, m->lang == LANG_FR ? "Fin %d" : "End of %d", tl->points[i].date / 10000);
            else
                put_date(m, tl->points[i].date);
            put(m, " |");
        }
    put(m, "\n|---|---|");
    for (int i = 0; i < tl->n; i++)
        if (regional_column(tl, i))
            put(m, "---:|");
    put(m, "\n");
    for (int g = 0; g < tl->nregions && g < cov->nregions; g++) {
        if (!scope_has_region(r->scope, cov->regions[g].code))
            continue;
        put(m, "| ");
        md_text(m, cov->regions[g].code);
        put(m, " | ");
        md_text(m, cov->regions[g].name);
        put(m, " |");
        for (int i = 0; i < tl->n; i++)
            if (regional_column(tl, i)) {
                put(m, " ");
                put_pct(m, &tl->points[i].regions[g]);
                put(m, " |");
            }
        put(m, "\n");
    }
    put(m, "\n");
}

/* The join issues counted by kind, kinds in order of first appearance. */
static void issues(md *m, const join_issues *ji)
{
    putf(m, "## %s\n\n", W(m, "join_issues"));
    int n = ji ? ji->n : 0;
    if (n == 0) {
        putf(m, "%s\n", W(m, "join_issues_none"));
        return;
    }
    int nk;
    jis_kind *kinds = jis_count_kinds(ji, &nk);
    static const char *const keys[] = {"kind", "count", "what"};
    static const int right[] = {0, 1, 0};
    put_header(m, keys, right, 3);
    for (int k = 0; k < nk; k++) {
        const char *kind = kinds[k].kind;
        put(m, "| ");
        if (strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(kind))
            putf(m, "`%s`", kind); /* a fixed word of cptscov: shown as code */
        else
            md_text(m, kind);
        put(m, " | ");
        put_int(m, kinds[k].count);
        put(m, " | ");
        char key[128];
        snprintf(key, sizeof key, "issue_%s", kind);
        if (nfmt_word_known(key))
            put_cap(m, key);
        put(m, " |\n");
    }
    char total[64];
    nfmt_int(m->lang, n, total, sizeof total);
    if (m->lang == LANG_FR)
        putf(m, "\n%s en tout ; le détail ligne par ligne est dans `join_issues.csv`.\n", total);
    else
        putf(m, "\n%s in all; every issue, with its file and line, is in `join_issues.csv`.\n",
             total);
    free(kinds);
}

static void write_all(md *m, const run_results *r)
{
    putf(m, "# %s\n\n", W(m, "report_title"));
    headline(m, r);
    areas(m, r->coverage, r->scope);
    zones(m, r);
    timeline(m, r);
    issues(m, r->issues);
    putf(m, "\n---\n\n%s cptscov %s.\n", m->lang == LANG_FR ? "Produit par" : "Made by",
         CPTSCOV_VERSION);
}

int write_report_md(const char *dir, const run_results *r)
{
    char *path = xasprintf("%s/report.md", dir);
    md m = {fopen(path, "wb"), r->lang};
    if (!m.f) {
        int rc = diag_error(path, 0, "cannot write: %s; check free space and permissions",
                            strerror(errno));
        free(path);
        return rc;
    }
    write_all(&m, r);
    int err = ferror(m.f) ? (errno ? errno : EIO) : 0;
    if (fclose(m.f) != 0 && !err)
        err = errno ? errno : EIO;
    int rc = err ? diag_error(path, 0, "cannot write: %s; check free space and permissions",
                              strerror(err))
                 : 0;
    free(path);
    return rc;
}
