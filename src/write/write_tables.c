/* write_tables.c -- the coverage tables: per department, region and CPTS, through time, and
 * join issues. One row per department, region, CPTS, (date, area) or issue, in order, as CSV
 * files and as GeoPackage tables.
 *
 * The CSV tables are what people open in a spreadsheet, so every cell goes through csv_write
 * (quoting, formula safety). The same tables go into the GeoPackage as attribute tables: each
 * table is said once, as its fields (names and types) and one loop over its rows, and a row
 * goes either to csv_write or to a map_writer (row_out below), so the two cannot differ.
 * Figures come from the coverage report as they are; the only things made here are
 * presentations: ISO dates, the department list of a CPTS and how many of its communes
 * another CPTS lists too. With --scope, the departments, regions and CPTS of the scope only,
 * and the timeline of the nation and the regions in scope (join issues are all kept: they are
 * about the inputs, which every scope reads whole). */
#include "write/results.h"

#include <stdlib.h>
#include <string.h>

#include "write/csv_write.h"
#include "util/util.h"

#define NFIELDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Where a row goes: a CSV file, or a layer of a GeoPackage. */
typedef struct row_out {
    csvw *csv;
    map_writer *mw;
} row_out;

/* Starts a row (a feature of the GeoPackage's table). */
static void out_begin(row_out *o)
{
    if (o->mw)
        mw_begin(o->mw);
}

static void out_text(row_out *o, const char *v)
{
    if (o->csv)
        csvw_text(o->csv, v);
    else
        mw_string(o->mw, v);
}

static void out_int(row_out *o, int64_t v)
{
    if (o->csv)
        csvw_int(o->csv, v);
    else
        mw_int64(o->mw, v);
}

/* A real with the decimals of its field. */
static void out_real(row_out *o, double v, int decimals)
{
    if (o->csv)
        csvw_fixed(o->csv, v, decimals);
    else
        mw_real(o->mw, v);
}

static void out_bool(row_out *o, int v)
{
    if (o->csv)
        csvw_int(o->csv, v ? 1 : 0);
    else
        mw_bool(o->mw, v);
}

static void out_null(row_out *o)
{
    if (o->csv)
        csvw_empty(o->csv);
    else
        mw_null(o->mw);
}

static int out_end_row(row_out *o)
{
    if (o->csv) {
        csvw_end_row(o->csv);
        return 0;
    }
    return mw_end(o->mw, NULL);
}

/* The fields of a department or region after its first ones. */
#define AREA_FIGURES                                                                          \
    {"population", MF_INT64, 0, NULL}, {"covered_population", MF_INT64, 0, NULL},              \
    {"covered_pct", MF_REAL, 4, NULL}, {"communes", MF_INT, 0, NULL},                          \
    {"covered_communes", MF_INT, 0, NULL}, {"communes_without_polygon", MF_INT, 0, NULL},      \
    {"area_km2", MF_REAL, 3, NULL}, {"covered_area_km2", MF_REAL, 3, NULL}

static const map_field department_fields[] = {
    {"dep", MF_STRING, 0, NULL}, {"name", MF_STRING, 0, NULL}, {"reg", MF_STRING, 0, NULL},
    AREA_FIGURES,
};

static const map_field region_fields[] = {
    {"reg", MF_STRING, 0, NULL}, {"name", MF_STRING, 0, NULL}, AREA_FIGURES,
};

static const map_field cpts_fields[] = {
    {"cpts_id", MF_STRING, 0, NULL},  {"name", MF_STRING, 0, NULL},
    {"status", MF_STRING, 0, NULL},   {"signed_on", MF_DATE, 0, NULL},
    {"counts", MF_BOOL, 0, NULL},     {"population", MF_INT64, 0, NULL},
    {"covered_population", MF_INT64, 0, NULL}, {"covered_pct", MF_REAL, 4, NULL},
    {"communes", MF_INT, 0, NULL},    {"covered_communes", MF_INT, 0, NULL},
    {"area_km2", MF_REAL, 3, NULL},   {"departments", MF_STRING, 0, NULL},
    {"shared_communes", MF_INT, 0, NULL},
};

static const map_field timeline_fields[] = {
    {"date", MF_DATE, 0, NULL},        {"level", MF_STRING, 0, NULL},
    {"code", MF_STRING, 0, NULL},      {"name", MF_STRING, 0, NULL},
    {"population", MF_INT64, 0, NULL}, {"covered_population", MF_INT64, 0, NULL},
    {"covered_pct", MF_REAL, 4, NULL}, {"cpts_counting", MF_INT, 0, NULL},
};

static const map_field issue_fields[] = {
    {"file", MF_STRING, 0, NULL}, {"line", MF_INT, 0, NULL}, {"code", MF_STRING, 0, NULL},
    {"kind", MF_STRING, 0, NULL}, {"message", MF_STRING, 0, NULL},
};

/* The figures of a department or region, in the order of AREA_FIGURES. */
static void put_figures(row_out *w, const coverage_figures *f)
{
    out_int(w, f->population);
    out_int(w, f->covered_population);
    out_real(w, cov_pct(f), 4);
    out_int(w, f->communes);
    out_int(w, f->covered_communes);
    out_int(w, f->communes_without_polygon);
    out_real(w, f->area_km2, 3);
    out_real(w, f->covered_area_km2, 3);
}

static int fill_departments(row_out *w, const run_results *r)
{
    const coverage_report *cov = r->coverage;
    int rc = 0;
    for (int i = 0; i < cov->ndepartments && rc == 0; i++) {
        const coverage_area *a = &cov->departments[i];
        if (!scope_has_department(r->scope, a->code))
            continue;
        out_begin(w);
        out_text(w, a->code);
        out_text(w, a->name);
        out_text(w, a->reg);
        put_figures(w, &a->fig);
        rc = out_end_row(w);
    }
    return rc;
}

static int fill_regions(row_out *w, const run_results *r)
{
    const coverage_report *cov = r->coverage;
    int rc = 0;
    for (int i = 0; i < cov->nregions && rc == 0; i++) {
        const coverage_area *a = &cov->regions[i];
        if (!scope_has_region(r->scope, a->code))
            continue;
        out_begin(w);
        out_text(w, a->code);
        out_text(w, a->name);
        put_figures(w, &a->fig);
        rc = out_end_row(w);
    }
    return rc;
}

/* A YYYYMMDD date as ISO text. */
static void out_date(row_out *o, int ymd)
{
    char date[16];
    snprintf(date, sizeof date, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    out_text(o, date);
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

static int fill_cpts(row_out *w, const run_results *r)
{
    const commune_table *t = r->table;
    const coverage_report *cov = r->coverage;
    int rc = 0;
    for (int k = 0; k < t->ncpts && rc == 0; k++) {
        if (!scope_has_cpts(r->scope, k))
            continue;
        const cpts *p = &t->cpts[k];
        const coverage_figures *f = &cov->by_cpts[k];
        out_begin(w);
        out_text(w, p->id);
        out_text(w, p->name);
        out_text(w, ctab_status_name(p->status));
        if (p->signed_on > 0) {
            out_date(w, p->signed_on);
        } else {
            out_null(w);
        }
        out_bool(w, cov->counts[k]);
        out_int(w, f->population);
        out_int(w, f->covered_population);
        out_real(w, cov_pct(f), 4);
        out_int(w, f->communes);
        out_int(w, f->covered_communes);
        out_real(w, f->area_km2, 3);
        char *deps = cpts_departments(t, p);
        out_text(w, deps);
        free(deps);
        out_int(w, cpts_shared(t, p));
        rc = out_end_row(w);
    }
    return rc;
}

/* The timeline: for each date, the nation then every region in the report's order. */
static int fill_timeline(row_out *w, const run_results *r)
{
    const coverage_timeline *tl = r->timeline;
    const coverage_report *cov = r->coverage;
    int rc = 0;
    for (int i = 0; tl && i < tl->n && rc == 0; i++) {
        const timeline_point *p = &tl->points[i];
        out_begin(w);
        out_date(w, p->date);
        out_text(w, "nation");
        out_null(w);
        out_null(w);
        out_int(w, p->nation.population);
        out_int(w, p->nation.covered_population);
        out_real(w, cov_pct(&p->nation), 4);
        out_int(w, p->cpts_counting);
        rc = out_end_row(w);
        for (int k = 0; k < tl->nregions && k < cov->nregions && rc == 0; k++) {
            if (!scope_has_region(r->scope, cov->regions[k].code))
                continue;
            out_begin(w);
            out_date(w, p->date);
            out_text(w, "region");
            out_text(w, cov->regions[k].code);
            out_text(w, cov->regions[k].name);
            out_int(w, p->regions[k].population);
            out_int(w, p->regions[k].covered_population);
            out_real(w, cov_pct(&p->regions[k]), 4);
            out_int(w, p->region_cpts_counting[k]);
            rc = out_end_row(w);
        }
    }
    return rc;
}

static int fill_issues(row_out *w, const run_results *r)
{
    const join_issues *ji = r->issues;
    int rc = 0;
    for (int i = 0; ji && i < ji->n && rc == 0; i++) {
        const join_issue *it = &ji->items[i];
        out_begin(w);
        out_text(w, it->file);
        if (it->line > 0)
            out_int(w, it->line);
        else
            out_null(w);
        out_text(w, it->code);
        out_text(w, it->kind);
        out_text(w, it->message);
        rc = out_end_row(w);
    }
    return rc;
}

/* A table: its layout (the GeoPackage table's name, the CSV file's without .csv) and loop. */
typedef struct table_def {
    map_layout layout;
    int (*fill)(row_out *w, const run_results *r);
} table_def;

#define TABLE(name, fields) {name, fields, NFIELDS(fields), 1}

static const table_def tables[] = {
    {TABLE("coverage_departments", department_fields), fill_departments},
    {TABLE("coverage_regions", region_fields), fill_regions},
    {TABLE("coverage_cpts", cpts_fields), fill_cpts},
    {TABLE("coverage_timeline", timeline_fields), fill_timeline},
    {TABLE("join_issues", issue_fields), fill_issues},
};
#define NTABLES NFIELDS(tables)

const map_layout *write_tables_layout(int i)
{
    return i >= 0 && i < NTABLES ? &tables[i].layout : NULL;
}

static int write_csv(const char *dir, const table_def *d, const run_results *r)
{
    char *path = xasprintf("%s/%s.csv", dir, d->layout.name);
    csvw w;
    int rc = csvw_open(&w, path);
    free(path);
    if (rc < 0)
        return -1;
    csvw_header(&w, d->layout.fields, d->layout.nfields);
    row_out o = {&w, NULL};
    d->fill(&o, r);
    return csvw_close(&w);
}

int write_tables(const char *dir, const run_results *r)
{
    for (int i = 0; i < NTABLES; i++)
        if (write_csv(dir, &tables[i], r) < 0)
            return -1;
    return 0;
}

int write_tables_into(map_file *f, const run_results *r, GEOSContextHandle_t h)
{
    for (int i = 0; i < NTABLES; i++) {
        map_writer *w = mw_open(NULL, f, &tables[i].layout, MAP_GPKG, ENGINE_GDAL, NULL, h);
        if (!w)
            return -1;
        row_out o = {NULL, w};
        if (mw_close(w, tables[i].fill(&o, r)) < 0)
            return -1;
    }
    return 0;
}
