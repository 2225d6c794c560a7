/* write_tables.c -- the CSV tables: coverage per department, region and CPTS, through time,
 * and join issues. One row per department, region, CPTS, (date, area) or issue, in order.
 *
 * The tables are what people open in a spreadsheet, so every cell goes through csv_write
 * (quoting, formula safety). Figures come from the coverage report as they are; the only
 * things made here are presentations: ISO dates, the department list of a CPTS and how many
 * of its communes another CPTS lists too. */
#include "results.h"

#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "util.h"

static const char *const area_figures[] = {
    "population", "covered_population", "covered_pct", "communes", "covered_communes",
    "communes_without_polygon", "area_km2", "covered_area_km2",
};
#define NFIGURES ((int)(sizeof area_figures / sizeof area_figures[0]))

/* The figures of a department or region, in the order of area_figures. */
static void put_figures(csvw *w, const coverage_figures *f)
{
    csvw_int(w, f->population);
    csvw_int(w, f->covered_population);
    csvw_fixed(w, cov_pct(f), 4);
    csvw_int(w, f->communes);
    csvw_int(w, f->covered_communes);
    csvw_int(w, f->communes_without_polygon);
    csvw_fixed(w, f->area_km2, 3);
    csvw_fixed(w, f->covered_area_km2, 3);
}

/* The header of an area table: first[0..nfirst-1], then area_figures. */
static void put_area_header(csvw *w, const char *const *first, int nfirst)
{
    for (int i = 0; i < nfirst; i++)
        csvw_text(w, first[i]);
    for (int i = 0; i < NFIGURES; i++)
        csvw_text(w, area_figures[i]);
    csvw_end_row(w);
}

static int write_departments(const char *path, const coverage_report *cov)
{
    csvw w;
    if (csvw_open(&w, path) < 0)
        return -1;
    static const char *const first[] = {"dep", "name", "reg"};
    put_area_header(&w, first, 3);
    for (int i = 0; i < cov->ndepartments; i++) {
        const coverage_area *a = &cov->departments[i];
        csvw_text(&w, a->code);
        csvw_text(&w, a->name);
        csvw_text(&w, a->reg);
        put_figures(&w, &a->fig);
        csvw_end_row(&w);
    }
    return csvw_close(&w);
}

static int write_regions(const char *path, const coverage_report *cov)
{
    csvw w;
    if (csvw_open(&w, path) < 0)
        return -1;
    static const char *const first[] = {"reg", "name"};
    put_area_header(&w, first, 2);
    for (int i = 0; i < cov->nregions; i++) {
        const coverage_area *a = &cov->regions[i];
        csvw_text(&w, a->code);
        csvw_text(&w, a->name);
        put_figures(&w, &a->fig);
        csvw_end_row(&w);
    }
    return csvw_close(&w);
}

/* A YYYYMMDD date as an ISO text cell. */
static void put_date(csvw *w, int ymd)
{
    char date[16];
    snprintf(date, sizeof date, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    csvw_text(w, date);
}

static int compare_codes(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The distinct department codes of the communes of p, sorted, separated by spaces. */
static char *cpts_departments(const commune_table *t, const cpts *p)
{
    char (*deps)[4] = xcalloc((size_t)p->ncommunes + 1, sizeof *deps);
    for (int i = 0; i < p->ncommunes; i++)
        memcpy(deps[i], t->communes[p->communes[i]].dep, sizeof deps[i]);
    qsort(deps, (size_t)p->ncommunes, sizeof *deps, compare_codes);
    char *s = xmalloc((size_t)p->ncommunes * 4 + 1);
    size_t n = 0;
    for (int i = 0; i < p->ncommunes; i++) {
        if (i > 0 && strcmp(deps[i], deps[i - 1]) == 0)
            continue;
        if (n > 0)
            s[n++] = ' ';
        size_t len = strlen(deps[i]);
        memcpy(s + n, deps[i], len);
        n += len;
    }
    s[n] = '\0';
    free(deps);
    return s;
}

/* How many communes of p another CPTS lists too. */
static int cpts_shared(const commune_table *t, const cpts *p)
{
    int n = 0;
    for (int i = 0; i < p->ncommunes; i++)
        if (t->communes[p->communes[i]].ncpts > 1)
            n++;
    return n;
}

static int write_cpts(const char *path, const commune_table *t, const coverage_report *cov)
{
    csvw w;
    if (csvw_open(&w, path) < 0)
        return -1;
    static const char *const header[] = {
        "cpts_id", "name", "status", "signed_on", "counts", "population", "covered_population",
        "covered_pct", "communes", "covered_communes", "area_km2", "departments",
        "shared_communes",
    };
    csvw_header(&w, header, (int)(sizeof header / sizeof header[0]));
    for (int k = 0; k < t->ncpts; k++) {
        const cpts *p = &t->cpts[k];
        const coverage_figures *f = &cov->by_cpts[k];
        csvw_text(&w, p->id);
        csvw_text(&w, p->name);
        csvw_text(&w, ctab_status_name(p->status));
        if (p->signed_on > 0) {
            put_date(&w, p->signed_on);
        } else {
            csvw_empty(&w);
        }
        csvw_int(&w, cov->counts[k]);
        csvw_int(&w, f->population);
        csvw_int(&w, f->covered_population);
        csvw_fixed(&w, cov_pct(f), 4);
        csvw_int(&w, f->communes);
        csvw_int(&w, f->covered_communes);
        csvw_fixed(&w, f->area_km2, 3);
        char *deps = cpts_departments(t, p);
        csvw_text(&w, deps);
        free(deps);
        csvw_int(&w, cpts_shared(t, p));
        csvw_end_row(&w);
    }
    return csvw_close(&w);
}

/* The timeline: for each date, the nation then every region in the report's order. */
static int write_timeline(const char *path, const coverage_timeline *tl,
                          const coverage_report *cov)
{
    csvw w;
    if (csvw_open(&w, path) < 0)
        return -1;
    static const char *const header[] = {
        "date", "level", "code", "name", "population", "covered_population", "covered_pct",
        "cpts_counting",
    };
    csvw_header(&w, header, (int)(sizeof header / sizeof header[0]));
    for (int i = 0; tl && i < tl->n; i++) {
        const timeline_point *p = &tl->points[i];
        put_date(&w, p->date);
        csvw_text(&w, "nation");
        csvw_empty(&w);
        csvw_empty(&w);
        csvw_int(&w, p->nation.population);
        csvw_int(&w, p->nation.covered_population);
        csvw_fixed(&w, cov_pct(&p->nation), 4);
        csvw_int(&w, p->cpts_counting);
        csvw_end_row(&w);
        for (int r = 0; r < tl->nregions && r < cov->nregions; r++) {
            put_date(&w, p->date);
            csvw_text(&w, "region");
            csvw_text(&w, cov->regions[r].code);
            csvw_text(&w, cov->regions[r].name);
            csvw_int(&w, p->regions[r].population);
            csvw_int(&w, p->regions[r].covered_population);
            csvw_fixed(&w, cov_pct(&p->regions[r]), 4);
            csvw_int(&w, p->region_cpts_counting[r]);
            csvw_end_row(&w);
        }
    }
    return csvw_close(&w);
}

static int write_issues(const char *path, const join_issues *ji)
{
    csvw w;
    if (csvw_open(&w, path) < 0)
        return -1;
    static const char *const header[] = {"file", "line", "code", "kind", "message"};
    csvw_header(&w, header, 5);
    for (int i = 0; ji && i < ji->n; i++) {
        const join_issue *it = &ji->items[i];
        csvw_text(&w, it->file);
        if (it->line > 0)
            csvw_int(&w, it->line);
        else
            csvw_empty(&w);
        csvw_text(&w, it->code);
        csvw_text(&w, it->kind);
        csvw_text(&w, it->message);
        csvw_end_row(&w);
    }
    return csvw_close(&w);
}

int write_tables(const char *dir, const run_results *r)
{
    char *departments_path = xasprintf("%s/coverage_departments.csv", dir);
    char *regions_path = xasprintf("%s/coverage_regions.csv", dir);
    char *cpts_path = xasprintf("%s/coverage_cpts.csv", dir);
    char *issues_path = xasprintf("%s/join_issues.csv", dir);
    char *timeline_path = xasprintf("%s/coverage_timeline.csv", dir);
    int rc = write_departments(departments_path, r->coverage);
    if (rc == 0)
        rc = write_regions(regions_path, r->coverage);
    if (rc == 0)
        rc = write_cpts(cpts_path, r->table, r->coverage);
    if (rc == 0)
        rc = write_timeline(timeline_path, r->timeline, r->coverage);
    if (rc == 0)
        rc = write_issues(issues_path, r->issues);
    free(departments_path);
    free(regions_path);
    free(cpts_path);
    free(issues_path);
    free(timeline_path);
    return rc;
}
