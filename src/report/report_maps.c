/* report_maps.c -- the maps of the report, each drawn once as SVG text.
 * The HTML report inlines them; each is also written alone as maps/NAME.svg, for slides.
 *
 * What each map shows is said here; how it is projected and laid out is svg_map.c's
 * business, and the geometry comes simplified from report_geometry.c. Nothing is computed:
 * the shares and figures are the coverage report's, only formatted for the reader. The
 * national maps draw dissolved territories (departments, covered and uncovered areas, CPTS
 * outlines), never the 35 000 communes. File names are made from codes only, and a code
 * that is not plain letters and digits is replaced by the region's rank, so that no name
 * from the inputs can lead outside maps/. The maps are drawn as tasks of the pool, each into
 * its own text: the report is the last part of the job to end, so its maps are drawn side by
 * side rather than one after the other. */
#include "report/report_maps.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "report/svg_map.h"
#include "util/pool.h"
#include "util/util.h"

#define TR(lang, fr, en) ((lang) == LANG_EN ? (en) : (fr))

const char rmap_css[] =
    ".map{font:13px sans-serif;background:#fff}"
    ".map-title{font-size:18px;font-weight:bold;fill:#222}"
    ".q0{fill:#e0e0e0}.q1{fill:#edf8e9}.q2{fill:#bae4b3}.q3{fill:#74c476}.q4{fill:#31a354}"
    ".q5{fill:#006d2c}"
    ".dep{stroke:#fff;stroke-width:.7}"
    ".reg{fill:none;stroke:#333;stroke-width:1;pointer-events:none}"
    ".covered{fill:#a1d99b}.uncovered{fill:#fdae6b}"
    ".cpts{fill:none;stroke:#00441b;stroke-width:.6}"
    ".zone{fill:#fd8d3c;stroke:#a63603;stroke-width:.4}"
    ".depline{fill:none;stroke:#222;stroke-width:1.4;pointer-events:stroke}"
    ".inset{fill:none;stroke:#999}.inset-label{font-size:11px;fill:#444}"
    ".map path:hover{opacity:.8}";

const char *rmap_share_class(const coverage_figures *f)
{
    if (f->population <= 0 || f->covered_population <= 0)
        return "q0";
    double pct = cov_pct(f);
    return pct < 20 ? "q1" : pct < 40 ? "q2" : pct < 60 ? "q3" : pct < 80 ? "q4" : "q5";
}

static void share_legend(svgm_map *m, report_lang lang)
{
    svgm_legend(m, "q0", TR(lang, "aucune population couverte", "no population covered"));
    svgm_legend(m, "q1", TR(lang, "moins de 20 %", "under 20%"));
    svgm_legend(m, "q2", TR(lang, "20 à 40 %", "20 to 40%"));
    svgm_legend(m, "q3", TR(lang, "40 à 60 %", "40 to 60%"));
    svgm_legend(m, "q4", TR(lang, "60 à 80 %", "60 to 80%"));
    svgm_legend(m, "q5", TR(lang, "80 % et plus", "80% and more"));
}

/* "Name (code): 69,7 % covered, 48 924 of 70 000 inhabitants". */
static char *area_tooltip(report_lang lang, const coverage_area *a)
{
    char pct[32], cov[32], pop[32];
    nfmt_pct(lang, cov_pct(&a->fig), 1, pct, sizeof pct);
    nfmt_int(lang, a->fig.covered_population, cov, sizeof cov);
    nfmt_int(lang, a->fig.population, pop, sizeof pop);
    return xasprintf(TR(lang, "%s (%s) : %s couverts, %s habitants sur %s",
                             "%s (%s): %s covered, %s of %s inhabitants"),
                     a->name ? a->name : a->code, a->code, pct, cov, pop);
}

static char *cpts_tooltip(report_lang lang, const commune_table *t, const coverage_report *c,
                          int k)
{
    char pop[32];
    nfmt_int(lang, c->by_cpts[k].population, pop, sizeof pop);
    const cpts *p = &t->cpts[k];
    return xasprintf(TR(lang, "CPTS %s (%s) : %s habitants, %d communes",
                             "CPTS %s (%s): %s inhabitants, %d communes"),
                     p->name && p->name[0] ? p->name : p->id, p->id, pop, p->ncommunes);
}

static char *zone_tooltip(report_lang lang, const zone_list *zl, int z)
{
    char pop[32];
    nfmt_int(lang, zl->zones[z].population, pop, sizeof pop);
    return xasprintf(TR(lang, "Zone non couverte n° %d : %s habitants, %d communes",
                             "Uncovered zone no. %d: %s inhabitants, %d communes"),
                     z + 1, pop, zl->zones[z].ncommunes);
}

/* The first department of a CPTS (for the frame it is drawn in). */
static const char *cpts_dep(const commune_table *t, int k)
{
    return t->cpts[k].ncommunes ? t->communes[t->cpts[k].communes[0]].dep : "";
}

/* The region of a shape drawn alone (its frame): the first department of the region. */
static const char *region_dep(const coverage_report *c, int r)
{
    for (int d = 0; d < c->ndepartments; d++)
        if (strcmp(c->departments[d].reg, c->regions[r].code) == 0)
            return c->departments[d].code;
    return "";
}

static void label_insets(svgm_map *m, const coverage_report *c)
{
    for (int d = 0; d < c->ndepartments; d++)
        if (svgm_frame_of(c->departments[d].code)[0])
            svgm_frame_label(m, c->departments[d].code,
                             c->departments[d].name ? c->departments[d].name : c->departments[d].code);
}

static svgm_map *departments_map(const run_results *r, const report_geometry *g,
                                 GEOSContextHandle_t h, svgm_crs *crs)
{
    const coverage_report *c = r->coverage;
    svgm_map *m = svgm_new(r->table, h, crs);
    for (int d = 0; d < c->ndepartments; d++) {
        const coverage_area *a = &c->departments[d];
        if (!shape_has_polygon(&g->departments[d]))
            continue;           /* an overseas collectivity: in the tables only */
        char *tip = area_tooltip(r->lang, a);
        char cls[16];
        snprintf(cls, sizeof cls, "dep %s", rmap_share_class(&a->fig));
        svgm_add(m, a->code, &g->departments[d], cls, tip, a->code);
        free(tip);
    }
    for (int i = 0; i < c->nregions; i++)
        svgm_add(m, region_dep(c, i), &g->regions[i], "reg", NULL, NULL);
    label_insets(m, c);
    share_legend(m, r->lang);
    return m;
}

static svgm_map *cpts_map(const run_results *r, const report_geometry *g,
                          GEOSContextHandle_t h, svgm_crs *crs)
{
    const coverage_report *c = r->coverage;
    const commune_table *t = r->table;
    svgm_map *m = svgm_new(t, h, crs);
    for (int f = 0; f < g->nframes; f++) {
        const char *dep = g->frames[f].key;
        svgm_add(m, dep, &g->frames[f].covered, "covered", NULL, NULL);
        svgm_add(m, dep, &g->frames[f].uncovered, "uncovered", NULL, NULL);
    }
    for (int k = 0; k < t->ncpts; k++)
        if (c->counts[k] && t->cpts[k].ncommunes) {
            char *tip = cpts_tooltip(r->lang, t, c, k);
            svgm_add(m, cpts_dep(t, k), &g->cpts[k], "cpts", tip, NULL);
            free(tip);
        }
    for (int i = 0; i < c->nregions; i++)
        svgm_add(m, region_dep(c, i), &g->regions[i], "reg", NULL, NULL);
    label_insets(m, c);
    svgm_legend(m, "covered", TR(r->lang, "commune couverte", "covered commune"));
    svgm_legend(m, "uncovered", TR(r->lang, "commune non couverte", "uncovered commune"));
    svgm_legend(m, "cpts", TR(r->lang, "territoire d'une CPTS", "territory of a CPTS"));
    svgm_legend(m, "reg", TR(r->lang, "limite de région", "region border"));
    return m;
}

static svgm_map *region_map(const run_results *r, const report_geometry *g, int ri,
                            GEOSContextHandle_t h, svgm_crs *crs)
{
    const coverage_report *c = r->coverage;
    const commune_table *t = r->table;
    const rgeo_region *gr = &g->by_region[ri];
    const char *dep = region_dep(c, ri);
    svgm_map *m = svgm_new(t, h, crs);
    svgm_add(m, dep, &gr->covered, "covered", NULL, NULL);
    for (int i = 0; i < gr->nzones; i++) {
        char *tip = zone_tooltip(r->lang, r->zones, gr->zones[i].index);
        svgm_add(m, dep, &gr->zones[i].shape, "zone", tip, NULL);
        free(tip);
    }
    for (int i = 0; i < gr->ncpts; i++) {
        char *tip = cpts_tooltip(r->lang, t, c, gr->cpts[i].index);
        svgm_add(m, dep, &gr->cpts[i].shape, "cpts", tip, NULL);
        free(tip);
    }
    for (int d = 0; d < c->ndepartments; d++)
        if (strcmp(c->departments[d].reg, c->regions[ri].code) == 0) {
            char *tip = area_tooltip(r->lang, &c->departments[d]);
            svgm_add(m, dep, &g->departments_fine[d], "depline", tip, c->departments[d].code);
            free(tip);
        }
    svgm_legend(m, "covered", TR(r->lang, "commune couverte", "covered commune"));
    svgm_legend(m, "zone", TR(r->lang, "zone non couverte", "uncovered zone"));
    svgm_legend(m, "cpts", TR(r->lang, "territoire d'une CPTS", "territory of a CPTS"));
    svgm_legend(m, "depline", TR(r->lang, "limite de département", "department border"));
    return m;
}

/* "region-53", or "region-rank-4" when the code is not plain letters and digits. */
static char *region_file_name(const coverage_report *c, int ri)
{
    const char *code = c->regions[ri].code;
    int plain = code[0] != '\0';
    for (const char *s = code; *s; s++)
        plain = plain && isalnum((unsigned char)*s);
    return plain ? xasprintf("region-%s", code) : xasprintf("region-rank-%d", ri + 1);
}

/* Renders m into a new string. */
static int render(svgm_map *m, report_map *out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return diag_error(NULL, 0, "cannot draw the map %s: out of memory", out->name);
    int rc = svgm_write(m, f, out->name, out->title, rmap_css);
    if (fclose(f) != 0 || rc < 0) {
        free(buf);
        return diag_error(NULL, 0, "cannot draw the map %s: out of memory", out->name);
    }
    out->svg = buf;
    out->len = len;
    return 0;
}

/* The maps of the report, each a task of the pool: which[i] is 0 for the departments, 1 for
 * the CPTS, 2 + ri for region ri; each task draws into its own out->maps[i]. */
typedef struct draw_batch {
    const run_results *r;
    const report_geometry *g;
    report_maps *out;
    const int *which;
    int *rc;
    svgm_crs *crs;  /* which layers are drawn as they are in which frame, shared */
} draw_batch;

static void draw_task(void *arg, int i, GEOSContextHandle_t h)
{
    draw_batch *b = arg;
    const run_results *r = b->r;
    const coverage_report *c = r->coverage;
    report_lang lang = r->lang;
    report_map *rm = &b->out->maps[i];
    svgm_map *m;
    if (b->which[i] == 0) {
        rm->name = xstrdup("departments");
        rm->title = xstrdup(TR(lang, "Part de la population couverte par département",
                               "Share of the population covered, by department"));
        rm->region = -1;
        m = departments_map(r, b->g, h, b->crs);
    } else if (b->which[i] == 1) {
        rm->name = xstrdup("cpts");
        rm->title = xstrdup(TR(lang, "Territoires des CPTS et communes couvertes",
                               "CPTS territories and covered communes"));
        rm->region = -1;
        m = cpts_map(r, b->g, h, b->crs);
    } else {
        int ri = b->which[i] - 2;
        rm->name = region_file_name(c, ri);
        rm->title = xasprintf("%s", c->regions[ri].name ? c->regions[ri].name : c->regions[ri].code);
        rm->region = ri;
        m = region_map(r, b->g, ri, h, b->crs);
    }
    b->rc[i] = render(m, rm);
    svgm_free(m);
}

int rmap_draw_all(const run_results *r, const report_geometry *g, report_maps *out)
{
    const coverage_report *c = r->coverage;
    int *which = xmalloc(((size_t)c->nregions + 2) * sizeof *which);
    int n = 0;
    which[n++] = 0;
    which[n++] = 1;
    for (int ri = 0; ri < c->nregions; ri++)
        if (shape_has_polygon(&g->regions[ri]) && /* not an overseas collectivity */
            scope_has_region(r->scope, c->regions[ri].code)) /* --scope: those shown */
            which[n++] = 2 + ri;
    out->n = n;
    out->maps = xcalloc((size_t)c->nregions + 2, sizeof *out->maps);
    int *rc = xcalloc((size_t)n, sizeof *rc);
    draw_batch b = {r, g, out, which, rc, svgm_crs_new(r->table)};
    pool_run(r->threads, n, draw_task, &b);
    svgm_crs_free(b.crs);
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed |= rc[i] < 0;
    free(rc);
    free(which);
    return failed ? -1 : 0;
}

void rmap_free(report_maps *m)
{
    for (int i = 0; i < m->n; i++) {
        free(m->maps[i].name);
        free(m->maps[i].title);
        free(m->maps[i].svg);
    }
    free(m->maps);
    m->maps = NULL;
    m->n = 0;
}
