/* write_summary.c -- summary.json: the rule, the national and regional figures, the uncovered
 * zones, the inputs read, the join issues and the library versions of a run.
 * With --scope, "scope" follows "national" (kept for reference) and the regions and zones are
 * those of the scope.
 *
 * The summary is what scripts and dashboards read, and what a rerun is compared with, so the
 * output is byte-identical for identical inputs: keys in a fixed order (jansson 2.14 keeps
 * insertion order), no timestamp, reals rounded to the decimals of the CSV tables and printed
 * with 15 significant digits, which shows them without binary noise (45.1234, not
 * 45.123399999999997). */
#include "write/results.h"

#include <errno.h>
#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "util/version.h"

/* How many of the largest uncovered zones the summary lists. */
#define LARGEST_ZONES 10

static double round_to(double v, int decimals)
{
    double scale = pow(10.0, decimals);
    return round(v * scale) / scale;
}

/* A JSON string; bytes that are not UTF-8 (a file name in Latin-1, say) become '?', since
 * jansson only takes UTF-8. */
static json_t *text(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = xstrdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

/* A YYYYMMDD date as "YYYY-MM-DD", or null when 0. */
static json_t *iso_date(int d)
{
    if (d <= 0)
        return json_null();
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
    return json_string(buf);
}

/* Adds the figures of f to object o, in the order of the CSV tables. */
static void add_figures(json_t *o, const coverage_figures *f)
{
    json_object_set_new(o, "population", json_integer((json_int_t)f->population));
    json_object_set_new(o, "covered_population", json_integer((json_int_t)f->covered_population));
    json_object_set_new(o, "covered_pct", json_real(round_to(cov_pct(f), 4)));
    json_object_set_new(o, "communes", json_integer(f->communes));
    json_object_set_new(o, "covered_communes", json_integer(f->covered_communes));
    json_object_set_new(o, "communes_without_polygon", json_integer(f->communes_without_polygon));
    json_object_set_new(o, "area_km2", json_real(round_to(f->area_km2, 3)));
    json_object_set_new(o, "covered_area_km2", json_real(round_to(f->covered_area_km2, 3)));
}

static json_t *rule_json(const coverage_rule *rule)
{
    json_t *o = json_object();
    json_t *statuses = json_array();
    for (int s = 0; s < STATUS_COUNT; s++)
        if (rule->status[s])
            json_array_append_new(statuses, json_string(ctab_status_name((cpts_status)s)));
    json_object_set_new(o, "statuses", statuses);
    json_object_set_new(o, "as_of", iso_date(rule->as_of));
    return o;
}

static json_t *national_json(const run_results *r)
{
    json_t *o = json_object();
    add_figures(o, &r->coverage->nation);
    json_object_set_new(o, "cpts", json_integer(r->table->ncpts));
    json_object_set_new(o, "cpts_counting", json_integer(r->coverage->cpts_counting));
    return o;
}

/* The scope shown: what was asked, and its figures under the rule. */
static json_t *scope_json(const run_results *r)
{
    const coverage_scope *s = r->scope;
    json_t *o = json_object();
    json_object_set_new(o, "scope", text(s->text));
    json_object_set_new(o, "kind", json_string(s->kind == SCOPE_REGION ? "region" : "department"));
    json_t *codes = json_array();
    for (int i = 0; i < s->ncodes; i++)
        json_array_append_new(codes, text(s->codes[i]));
    json_object_set_new(o, "codes", codes);
    json_object_set_new(o, "label", text(s->label));
    add_figures(o, &r->coverage->scope);
    json_object_set_new(o, "cpts", json_integer(r->coverage->scope_cpts));
    json_object_set_new(o, "cpts_counting", json_integer(r->coverage->scope_cpts_counting));
    return o;
}

static json_t *regions_json(const coverage_report *cov, const coverage_scope *scope)
{
    json_t *a = json_array();
    for (int i = 0; i < cov->nregions; i++) {
        const coverage_area *reg = &cov->regions[i];
        if (!scope_has_region(scope, reg->code))
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "reg", text(reg->code));
        json_object_set_new(o, "name", text(reg->name));
        add_figures(o, &reg->fig);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *zones_json(const zone_list *zl, const coverage_scope *scope)
{
    int64_t population = 0;
    int count = 0;
    json_t *largest = json_array();
    for (int z = 0; z < zl->n; z++) {
        const uncovered_zone *zn = &zl->zones[z];
        if (!scope_has_zone(scope, zn))
            continue;
        population += zn->population;
        if (count++ >= LARGEST_ZONES)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "population", json_integer((json_int_t)zn->population));
        json_object_set_new(o, "communes", json_integer(zn->ncommunes));
        json_t *deps = json_array();
        for (int d = 0; d < zn->ndepartments; d++)
            json_array_append_new(deps, text(zn->departments[d]));
        json_object_set_new(o, "departments", deps);
        json_array_append_new(largest, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer(count));
    json_object_set_new(o, "population", json_integer((json_int_t)population));
    json_object_set_new(o, "largest", largest);
    return o;
}

static json_t *inputs_json(const run_results *r)
{
    json_t *a = json_array();
    for (int i = 0; i < r->ninputs; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", text(r->inputs[i].kind));
        json_object_set_new(o, "path", text(r->inputs[i].path));
        json_object_set_new(o, "rows", json_integer(r->inputs[i].rows));
        json_array_append_new(a, o);
    }
    return a;
}

/* The total and the count per kind, kinds in order of first appearance. */
static json_t *issues_json(const join_issues *ji)
{
    json_t *by_kind = json_object();
    int n = ji ? ji->n : 0, nk = 0;
    jis_kind *kinds = ji ? jis_count_kinds(ji, &nk) : NULL;
    for (int k = 0; k < nk; k++)
        json_object_set_new(by_kind, kinds[k].kind, json_integer(kinds[k].count));
    free(kinds);
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer(n));
    json_object_set_new(o, "by_kind", by_kind);
    return o;
}

static json_t *libraries_json(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "gdal", text(GDALVersionInfo("RELEASE_NAME")));
    json_object_set_new(o, "geos", text(GEOSversion()));
    json_object_set_new(o, "proj", text(proj_info().version));
    return o;
}

/* Writes s and a final LF to path; returns 0, or -1 after diag_error. */
static int write_text(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return diag_error(path, 0, "cannot write: %s; check free space and permissions",
                          strerror(errno));
    size_t n = strlen(s);
    int err = 0;
    if (fwrite(s, 1, n, f) != n || fputc('\n', f) == EOF)
        err = errno ? errno : EIO;
    if (fclose(f) != 0 && !err)
        err = errno ? errno : EIO;
    if (err)
        return diag_error(path, 0, "cannot write: %s; check free space and permissions",
                          strerror(err));
    return 0;
}

int write_summary(const char *dir, const run_results *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "generator", json_string("cptscov"));
    json_object_set_new(root, "version", json_string(CPTSCOV_VERSION));
    json_object_set_new(root, "rule", rule_json(&r->coverage->rule));
    json_object_set_new(root, "national", national_json(r));
    if (r->scope) /* absent for the whole country */
        json_object_set_new(root, "scope", scope_json(r));
    json_object_set_new(root, "regions", regions_json(r->coverage, r->scope));
    json_object_set_new(root, "uncovered_zones", zones_json(r->zones, r->scope));
    json_object_set_new(root, "inputs", inputs_json(r));
    if (r->simplified) /* absent without --simplify: those outputs stay as they were */
        json_object_set_new(root, "maps", json_pack("{s:f}", "simplify_m", r->simplify_m));
    json_object_set_new(root, "join_issues", issues_json(r->issues));
    json_object_set_new(root, "libraries", libraries_json());

    char *path = xasprintf("%s/summary.json", dir);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    int rc;
    if (!s)
        rc = diag_error(path, 0, "cannot encode the summary as JSON; free memory and rerun");
    else
        rc = write_text(path, s);
    free(s);
    free(path);
    return rc;
}
