/* report_geometry.c -- the simplified territories the report's maps draw.
 * An analysis: built from the arcs of geom/simplify.h, each arc simplified once per scale.
 *
 * Why. A map of departments drawn from polygons simplified one by one shows slivers and gaps
 * along every shared border, and the full-detail polygons would make the report tens of
 * megabytes. geom/arcs.c cuts the commune polygons into shared arcs and simplifies each arc
 * once, so every territory rebuilt from them (topo_shape) keeps its borders identical to its
 * neighbours'. Two scales are enough: one for the national maps, one for the region maps and
 * the overseas insets, which are drawn larger. The national CPTS map draws the covered and
 * uncovered communes as one dissolved shape each per frame, not 35 000 communes. Every
 * territory is an independent task of the thread pool, the largest first. */
#include "report/report_geometry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/pool.h"
#include "util/strmap.h"
#include "report/svg_map.h"
#include "geom/outline.h"
#include "util/util.h"

/* One territory to rebuild: those communes, at that scale, into that shape. */
typedef struct task {
    const topo_simplified *ts;
    int *idx;
    int n;
    shape *out;
} task;

typedef struct task_list {
    task *items;
    int n, cap;
} task_list;

/* Adds a task; takes idx. */
static void add_task(task_list *l, const topo_simplified *ts, int *idx, int n, shape *out)
{
    GROW(l->items, l->cap, l->n + 1);
    l->items[l->n++] = (task){ts, idx, n, out};
}

static int *copy_idx(const int *idx, int n)
{
    int *c = xmalloc((size_t)(n ? n : 1) * sizeof *c);
    if (n)
        memcpy(c, idx, (size_t)n * sizeof *c);
    return c;
}

static void run_task(void *arg, int i, GEOSContextHandle_t h)
{
    task *tk = &((task_list *)arg)->items[i];
    topo_shape(tk->ts, h, tk->idx, tk->n, tk->out);
}

static int by_size_desc(const void *a, const void *b)
{
    const task *x = a, *y = b;
    return (y->n > x->n) - (y->n < x->n);
}

/* Index of the region of code reg in cov, or -1. */
static int region_index(const coverage_report *cov, const char *reg)
{
    for (int r = 0; r < cov->nregions; r++)
        if (strcmp(cov->regions[r].code, reg) == 0)
            return r;
    return -1;
}

static int frame_index(report_geometry *g, const char *dep)
{
    const char *key = svgm_frame_of(dep);
    for (int i = 0; i < g->nframes; i++)
        if (strcmp(g->frames[i].key, key) == 0)
            return i;
    g->frames = xrealloc(g->frames, (size_t)(g->nframes + 1) * sizeof *g->frames);
    memset(&g->frames[g->nframes], 0, sizeof g->frames[0]);
    snprintf(g->frames[g->nframes].key, sizeof g->frames[0].key, "%s", key);
    return g->nframes++;
}

/* Communes of list idx[0..n-1] whose region is reg (indices into regions of cov), into a new
 * array; *m their number. */
static int *in_region(const commune_table *t, const int *idx, int n, const char *reg, int *m)
{
    int *out = xmalloc((size_t)(n ? n : 1) * sizeof *out);
    *m = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(t->communes[idx[i]].reg, reg) == 0)
            out[(*m)++] = idx[i];
    return out;
}

/* The national tasks: departments, regions, counting CPTS, covered and uncovered per frame. */
static void national_tasks(report_geometry *g, task_list *l, const commune_table *t,
                           const coverage_report *cov, const topo_simplified *coarse,
                           const topo_simplified *fine)
{
    for (int d = 0; d < cov->ndepartments; d++) {
        const coverage_area *a = &cov->departments[d];
        int overseas = svgm_frame_of(a->code)[0] != '\0';
        add_task(l, overseas ? fine : coarse, copy_idx(a->communes, a->ncommunes), a->ncommunes,
                 &g->departments[d]);
        add_task(l, fine, copy_idx(a->communes, a->ncommunes), a->ncommunes,
                 &g->departments_fine[d]);
    }
    for (int r = 0; r < cov->nregions; r++) {
        const coverage_area *a = &cov->regions[r];
        int overseas = svgm_frame_of(a->ncommunes ? t->communes[a->communes[0]].dep : "")[0];
        add_task(l, overseas ? fine : coarse, copy_idx(a->communes, a->ncommunes), a->ncommunes,
                 &g->regions[r]);
    }
    for (int k = 0; k < t->ncpts; k++)
        if (cov->counts[k] && t->cpts[k].ncommunes > 0) {
            const cpts *p = &t->cpts[k];
            int overseas = svgm_frame_of(t->communes[p->communes[0]].dep)[0] != '\0';
            add_task(l, overseas ? fine : coarse, copy_idx(p->communes, p->ncommunes),
                     p->ncommunes, &g->cpts[k]);
        }
    /* Covered and uncovered communes with a polygon, grouped by frame. */
    for (int c = 0; c < t->ncommunes; c++)
        if (t->communes[c].layer >= 0)
            frame_index(g, t->communes[c].dep);
    int **lists = xmalloc(2 * (size_t)(g->nframes ? g->nframes : 1) * sizeof *lists);
    int *counts = xcalloc(2 * (size_t)(g->nframes ? g->nframes : 1), sizeof *counts);
    for (int f = 0; f < 2 * g->nframes; f++)
        lists[f] = xmalloc((size_t)(t->ncommunes ? t->ncommunes : 1) * sizeof **lists);
    for (int c = 0; c < t->ncommunes; c++) {
        if (t->communes[c].layer < 0)
            continue;
        int f = 2 * frame_index(g, t->communes[c].dep) + (cov->covered[c] ? 0 : 1);
        lists[f][counts[f]++] = c;
    }
    for (int f = 0; f < g->nframes; f++) {
        const topo_simplified *ts = g->frames[f].key[0] ? fine : coarse;
        add_task(l, ts, lists[2 * f], counts[2 * f], &g->frames[f].covered);
        add_task(l, ts, lists[2 * f + 1], counts[2 * f + 1], &g->frames[f].uncovered);
    }
    free(lists);
    free(counts);
}

/* The tasks of the region maps: covered communes, pieces of CPTS and of zones per region. */
static void region_tasks(report_geometry *g, task_list *l, const commune_table *t,
                         const coverage_report *cov, const zone_list *zl,
                         const topo_simplified *fine)
{
    for (int r = 0; r < cov->nregions; r++) {
        const coverage_area *a = &cov->regions[r];
        rgeo_region *gr = &g->by_region[r];
        int *covered = xmalloc((size_t)(a->ncommunes ? a->ncommunes : 1) * sizeof *covered), n = 0;
        for (int i = 0; i < a->ncommunes; i++)
            if (cov->covered[a->communes[i]] && t->communes[a->communes[i]].layer >= 0)
                covered[n++] = a->communes[i];
        add_task(l, fine, covered, n, &gr->covered);
    }
    /* Each CPTS and zone is cut by the regions it spans (usually one). */
    for (int pass = 0; pass < 2; pass++) {
        int count = pass == 0 ? t->ncpts : zl->n;
        for (int k = 0; k < count; k++) {
            const int *idx = pass == 0 ? t->cpts[k].communes : zl->zones[k].communes;
            int n = pass == 0 ? t->cpts[k].ncommunes : zl->zones[k].ncommunes;
            if ((pass == 0 && !cov->counts[k]) || n == 0)
                continue;
            for (int i = 0; i < n; i++) {
                const char *reg = t->communes[idx[i]].reg;
                int r = region_index(cov, reg);
                if (r < 0)
                    continue;
                rgeo_region *gr = &g->by_region[r];
                rgeo_piece **pieces = pass == 0 ? &gr->cpts : &gr->zones;
                int *np = pass == 0 ? &gr->ncpts : &gr->nzones;
                if (*np > 0 && (*pieces)[*np - 1].index == k)
                    continue;       /* this region already has its piece of k */
                *pieces = xrealloc(*pieces, (size_t)(*np + 1) * sizeof **pieces);
                (*pieces)[*np].index = k;
                memset(&(*pieces)[*np].shape, 0, sizeof(shape));
                (*np)++;
            }
        }
    }
    for (int r = 0; r < cov->nregions; r++) {
        rgeo_region *gr = &g->by_region[r];
        for (int pass = 0; pass < 2; pass++) {
            rgeo_piece *pieces = pass == 0 ? gr->cpts : gr->zones;
            int np = pass == 0 ? gr->ncpts : gr->nzones;
            for (int i = 0; i < np; i++) {
                int k = pieces[i].index, m;
                const int *idx = pass == 0 ? t->cpts[k].communes : zl->zones[k].communes;
                int n = pass == 0 ? t->cpts[k].ncommunes : zl->zones[k].ncommunes;
                int *sub = in_region(t, idx, n, cov->regions[r].code, &m);
                add_task(l, fine, sub, m, &pieces[i].shape);
            }
        }
    }
}

/* The larger side, in metres, of the extent of the communes of the national map's main frame
 * (metropolitan France, else every commune), the largest over the layers. */
static double national_extent_m(const commune_table *t)
{
    int metropole = 0;
    for (int c = 0; c < t->ncommunes && !metropole; c++)
        metropole = t->communes[c].layer >= 0 && !svgm_frame_of(t->communes[c].dep)[0];
    double best = 0;
    for (int l = 0; l < t->nlayers; l++) {
        double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        int any = 0;
        for (int c = 0; c < t->ncommunes; c++) {
            const commune *cm = &t->communes[c];
            if (cm->layer != l || (metropole && svgm_frame_of(cm->dep)[0]))
                continue;
            double bb[4];
            ctab_polygon_bbox(cm, t->geos, bb);
            double a = bb[0], b = bb[1], d = bb[2], e = bb[3];
            if (!any || a < x0) x0 = a;
            if (!any || b < y0) y0 = b;
            if (!any || d > x1) x1 = d;
            if (!any || e > y1) y1 = e;
            any = 1;
        }
        if (!any)
            continue;
        double w = x1 - x0, h = y1 - y0;
        if (t->layers[l].geographic) {       /* degrees: about 111 km each */
            w *= 111320.0 * cos((y0 + y1) / 2 * M_PI / 180.0);
            h *= 110540.0;
        }
        best = fmax(best, fmax(w, h));
    }
    return best;
}

void rgeo_scales(const commune_table *t, double *coarse_m, double *fine_m)
{
    *coarse_m = fmax(national_extent_m(t) / SVGM_WIDTH, RGEO_MIN_M);
    *fine_m = fmax(*coarse_m / RGEO_ZOOM, RGEO_MIN_M);
}

/* Every territory the maps draw is a union of communes of equal department, region and
 * CPTS memberships, or of connected pieces of them: departments, regions and their frames,
 * CPTS, covered and uncovered communes (whatever the rule: memberships decide), and
 * uncovered zones (connected uncovered communes). */
int *rgeo_classes(const commune_table *t)
{
    int *cls = xmalloc((size_t)(t->ncommunes ? t->ncommunes : 1) * sizeof *cls);
    strmap seen;
    smap_init(&seen);
    char *key = NULL;
    size_t cap = 0;
    for (int c = 0; c < t->ncommunes; c++) {
        const commune *cm = &t->communes[c];
        size_t need = sizeof cm->dep + sizeof cm->reg + 12 * (size_t)cm->ncpts + 1;
        if (need > cap)
            key = xrealloc(key, cap = 2 * need);
        char *p = stpcpy(key, cm->dep); /* "dep/reg,cpts,..." */
        *p++ = '/';
        p = stpcpy(p, cm->reg);
        for (int i = 0; i < cm->ncpts; i++) {
            *p++ = ',';
            p = str_put_int(p, cm->cpts[i]);
        }
        *p = '\0';
        int k = smap_get(&seen, key);
        if (k < 0)
            smap_put(&seen, key, k = (int)seen.len);
        cls[c] = k;
    }
    free(key);
    smap_free(&seen);
    return cls;
}

void rgeo_build(report_geometry *g, const commune_table *t, const coverage_report *cov,
                const zone_list *zl, const topo_simplified *coarse, const topo_simplified *fine,
                int threads)
{
    memset(g, 0, sizeof *g);
    g->ndepartments = cov->ndepartments;
    g->nregions = cov->nregions;
    g->ncpts = t->ncpts;
    g->departments = xcalloc((size_t)(cov->ndepartments ? cov->ndepartments : 1), sizeof(shape));
    g->departments_fine = xcalloc((size_t)(cov->ndepartments ? cov->ndepartments : 1),
                                  sizeof(shape));
    g->regions = xcalloc((size_t)(cov->nregions ? cov->nregions : 1), sizeof(shape));
    g->cpts = xcalloc((size_t)(t->ncpts ? t->ncpts : 1), sizeof(shape));
    g->by_region = xcalloc((size_t)(cov->nregions ? cov->nregions : 1), sizeof(rgeo_region));
    rgeo_scales(t, &g->coarse_m, &g->fine_m);
    task_list l = {0};
    national_tasks(g, &l, t, cov, coarse, fine);
    region_tasks(g, &l, t, cov, zl, fine);
    qsort(l.items, (size_t)l.n, sizeof *l.items, by_size_desc);
    pool_run(threads, l.n, run_task, &l);
    for (int i = 0; i < l.n; i++)
        free(l.items[i].idx);
    free(l.items);
}

static void free_shapes(const commune_table *t, shape *s, int n)
{
    for (int i = 0; s && i < n; i++)
        shape_free(t, &s[i]);
    free(s);
}

void rgeo_free(const commune_table *t, report_geometry *g)
{
    free_shapes(t, g->departments, g->ndepartments);
    free_shapes(t, g->departments_fine, g->ndepartments);
    free_shapes(t, g->regions, g->nregions);
    free_shapes(t, g->cpts, g->ncpts);
    for (int f = 0; f < g->nframes; f++) {
        shape_free(t, &g->frames[f].covered);
        shape_free(t, &g->frames[f].uncovered);
    }
    free(g->frames);
    for (int r = 0; g->by_region && r < g->nregions; r++) {
        rgeo_region *gr = &g->by_region[r];
        shape_free(t, &gr->covered);
        for (int i = 0; i < gr->ncpts; i++)
            shape_free(t, &gr->cpts[i].shape);
        for (int i = 0; i < gr->nzones; i++)
            shape_free(t, &gr->zones[i].shape);
        free(gr->cpts);
        free(gr->zones);
    }
    free(g->by_region);
    memset(g, 0, sizeof *g);
}
