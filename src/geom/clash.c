/* clash.c -- arcs that cross or touch off their end nodes, found with a uniform grid of
 * segments; and the proof that the exact arcs of a layer cross nowhere (a clean coverage).
 *
 * simplify.c calls it after each round of simplification (topo_find_clashes, then
 * topo_find_changed_clashes for the arcs changed since), and once on the exact arcs
 * (topo_prove_layer). Segments are tested with GEOSOrientationIndex_r (segment.c). */
#include "clash.h"
#include "arcs_layout.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geom/segment.h"
#include "util/hash.h"
#include "util/pool.h"
#include "util/util.h"

/* ---- crossing arcs ---------------------------------------------------------------------- */

typedef struct seg_ref {
    int arc;
    int k;         /* the segment from point k to k + 1 of the simplified arc */
    int cx0, cy0, cx1, cy1;
} seg_ref;

/* A uniform grid over the simplified arcs of one layer, cells about one segment wide. */
typedef struct seg_grid {
    double xmin, ymin, cell;
    long ncx, ncy;
    size_t nseg;
} seg_grid;

/* The boxes of the exact arcs of tp (xmin, ymin, xmax, ymax each): they hold the arcs at any
 * tolerance, whose points are some of the exact ones. */
double *topo_arc_boxes(const topology *tp)
{
    double *abox = xmalloc(4 * ((size_t)tp->narcs + 1) * sizeof *abox);
    for (int a = 0; a < tp->narcs; a++) {
        const double *p = tp->pts + 2 * tp->arcs[a].first;
        double *bb = abox + 4 * a;
        bb[0] = bb[2] = p[0];
        bb[1] = bb[3] = p[1];
        for (int k = 1; k < tp->arcs[a].n; k++) {
            bb[0] = seg_min(p[2 * k], bb[0]);
            bb[1] = seg_min(p[2 * k + 1], bb[1]);
            bb[2] = seg_max(p[2 * k], bb[2]);
            bb[3] = seg_max(p[2 * k + 1], bb[3]);
        }
    }
    return abox;
}

/* The grid of nseg segments within the extent xmin..xmax, ymin..ymax; 0 when there are fewer
 * than two. */
static int topo_grid_of(double xmin, double ymin, double xmax, double ymax, size_t nseg,
                        seg_grid *g)
{
    if (nseg < 2)
        return 0;
    double w = xmax - xmin, hgt = ymax - ymin;
    double cell = sqrt((w * hgt > 0 ? w * hgt : (w + hgt) * (w + hgt) + 1) / (double)nseg);
    if (!(cell > 0))
        cell = 1;
    long ncx = (long)(w / cell) + 1, ncy = (long)(hgt / cell) + 1;
    while ((double)ncx * (double)ncy > 4.0 * (double)nseg + 16) {
        cell *= 1.5;
        ncx = (long)(w / cell) + 1;
        ncy = (long)(hgt / cell) + 1;
    }
    *g = (seg_grid){xmin, ymin, cell, ncx, ncy, nseg};
    return 1;
}

/* The grid of the simplified arcs of layer, over their points, or with abox (not NULL) over
 * the boxes of the exact arcs, which hold them; 0 when it has fewer than two segments. */
static int topo_seg_grid(const topo_simplified *ts, int layer, const double *abox, seg_grid *g)
{
    const topology *tp = ts->tp;
    size_t nseg = 0;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (int a = 0; a < tp->narcs; a++) {
        if (tp->arcs[a].layer != layer || ts->cnt[a] < 2)
            continue; /* an arc a simplification leaves out has no point */
        nseg += (size_t)ts->cnt[a] - 1;
        const double *p = abox ? abox + 4 * a : ts->pts + 2 * topo_arc_place(ts, a);
        int n = abox ? 2 : ts->cnt[a];
        for (int k = 0; k < n; k++) {
            xmin = seg_min(p[2 * k], xmin);
            xmax = seg_max(p[2 * k], xmax);
            ymin = seg_min(p[2 * k + 1], ymin);
            ymax = seg_max(p[2 * k + 1], ymax);
        }
    }
    return topo_grid_of(xmin, ymin, xmax, ymax, nseg, g);
}

/* Segment k of arc a (of ts) with the cells of g its box covers. */
static seg_ref topo_seg_at(const topo_simplified *ts, const seg_grid *g, int a, int k)
{
    const double *q = ts->pts + 2 * (topo_arc_place(ts, a) + (size_t)k), *r = q + 2;
    seg_ref sg = {a, k, (int)((seg_min(q[0], r[0]) - g->xmin) / g->cell),
                  (int)((seg_min(q[1], r[1]) - g->ymin) / g->cell),
                  (int)((seg_max(q[0], r[0]) - g->xmin) / g->cell),
                  (int)((seg_max(q[1], r[1]) - g->ymin) / g->cell)};
    sg.cx1 = sg.cx1 >= g->ncx ? (int)g->ncx - 1 : sg.cx1;
    sg.cy1 = sg.cy1 >= g->ncy ? (int)g->ncy - 1 : sg.cy1;
    return sg;
}

/* Tests segments s1 and s2 in cell (cx, cy), the first cell they share (elsewhere the pair
 * is tested there, so not here); marks both arcs bad when they clash. */
static void topo_test_pair(const topo_simplified *ts, GEOSContextHandle_t h, const seg_ref *s1,
                           const seg_ref *s2, long cx, long cy, unsigned char *bad)
{
    if ((s1->cx0 > s2->cx0 ? s1->cx0 : s2->cx0) != cx ||
        (s1->cy0 > s2->cy0 ? s1->cy0 : s2->cy0) != cy)
        return;
    if (s1->cx1 < s2->cx0 || s2->cx1 < s1->cx0 || s1->cy1 < s2->cy0 || s2->cy1 < s1->cy0)
        return;
    const double *p1 = ts->pts + 2 * (topo_arc_place(ts, s1->arc) + (size_t)s1->k);
    const double *q1 = ts->pts + 2 * (topo_arc_place(ts, s2->arc) + (size_t)s2->k);
    if (seg_max(p1[0], p1[2]) < seg_min(q1[0], q1[2]) ||
        seg_max(q1[0], q1[2]) < seg_min(p1[0], p1[2]) ||
        seg_max(p1[1], p1[3]) < seg_min(q1[1], q1[3]) ||
        seg_max(q1[1], q1[3]) < seg_min(p1[1], p1[3]))
        return;
    if (seg_meet(h, p1, p1 + 2, q1, q1 + 2) == SEG_CLASH) {
        bad[s1->arc] = 1;
        bad[s2->arc] = 1;
    }
}

/* Sorts the segments cells[0..n-1] into the cells of rows r0..r1-1 of a grid ncx cells wide
 * (each into every cell of those rows its box covers): a counting sort. Returns, per cell,
 * the offset of its first entry in *in_cell (ncells + 1 offsets); *in_cell gets the indices. */
static size_t *topo_cell_index(const seg_ref *cells, size_t n, long r0, long r1, long ncx,
                               int **in_cell)
{
    size_t ncells = (size_t)(r1 - r0) * (size_t)ncx;
    size_t *count = xzeroed(ncells + 1, sizeof *count); /* read before written */
    size_t *fill = NULL;
    for (int pass = 0; pass < 2; pass++) { /* count, then fill */
        if (pass == 1) {
            for (size_t c = 0; c < ncells; c++)
                count[c + 1] += count[c];
            *in_cell = xmalloc((count[ncells] ? count[ncells] : 1) * sizeof **in_cell);
            fill = xmalloc((ncells + 1) * sizeof *fill);
            memcpy(fill, count, ncells * sizeof *fill);
        }
        for (size_t i = 0; i < n; i++) {
            long y0 = cells[i].cy0 > r0 ? cells[i].cy0 : r0;
            long y1 = cells[i].cy1 < r1 - 1 ? cells[i].cy1 : r1 - 1;
            for (long cy = y0; cy <= y1; cy++)
                for (long cx = cells[i].cx0; cx <= cells[i].cx1; cx++) {
                    size_t c = (size_t)(cy - r0) * (size_t)ncx + (size_t)cx;
                    if (fill)
                        (*in_cell)[fill[c]++] = (int)i;
                    else
                        count[c + 1]++;
                }
        }
    }
    free(fill);
    return count;
}

/* Finds the simplified arcs of layer that cross or touch one another off their end nodes,
 * with a uniform grid of cells about one segment wide; sets bad[a] for each. Linear in
 * the segments on spread data; each pair is tested once, in the first cell they share. */
void topo_find_clashes(const topo_simplified *ts, GEOSContextHandle_t h, int layer,
                       unsigned char *bad)
{
    const topology *tp = ts->tp;
    seg_grid g;
    if (!topo_seg_grid(ts, layer, NULL, &g))
        return;
    seg_ref *segs = xmalloc(g.nseg * sizeof *segs);
    size_t i = 0;
    for (int a = 0; a < tp->narcs; a++)
        if (tp->arcs[a].layer == layer)
            for (int k = 0; k + 1 < ts->cnt[a]; k++)
                segs[i++] = topo_seg_at(ts, &g, a, k);
    int *in_cell;
    size_t *count = topo_cell_index(segs, g.nseg, 0, g.ncy, g.ncx, &in_cell);
    for (long cy = 0; cy < g.ncy; cy++)
        for (long cx = 0; cx < g.ncx; cx++) {
            size_t c = (size_t)cy * (size_t)g.ncx + (size_t)cx;
            for (size_t x = count[c]; x < count[c + 1]; x++)
                for (size_t y = x + 1; y < count[c + 1]; y++)
                    topo_test_pair(ts, h, &segs[in_cell[x]], &segs[in_cell[y]], cx, cy, bad);
        }
    free(in_cell);
    free(count);
    free(segs);
}

/* ---- the proof that the exact arcs do not cross -------------------------------------------
 * The exact arcs are cut from valid polygons (read/commune_validity.c checks and repairs
 * them), so two arcs that bound a commune in common never cross: they are parts of one
 * valid polygon's rings. Two arcs with no commune in common cross only where the input is not a clean
 * coverage (two communes overlap). topo_simplify at tolerance 0 looks for such crossings;
 * where there is none, every group of communes traces valid (as after a simplification) and
 * the dissolves skip GEOSisValid_r. The layer's grid is cut into
 * bands of rows, each a task of the pool holding its segments (points, cells, faces) in an
 * array of its own; in a cell the segments come arc by arc, and a pair of arcs with a
 * commune in common is passed over whole, so that the segments of two arcs are compared
 * only where the arcs have no commune in common: at nodes where four communes meet. */

/* A segment's points and its arc's faces, as a band holds them beside its seg_ref. */
typedef struct band_seg {
    double x0, y0, x1, y1;
    int left, right;
} band_seg;

/* Cells per band, about: the band's arrays stay in a core's cache. */
#define BAND_CELLS 65536

typedef struct proof_batch {
    const topo_simplified *ts;
    seg_grid g;
    int rows;              /* grid rows per band */
    int *start;            /* per band, its first arc in arcs (nbands + 1) */
    int *arcs;             /* per band, the arcs whose extent reaches it */
    unsigned char *crossed; /* per band: 1 when it found arcs that clash */
} proof_batch;

/* 1 when the arcs of s1 and s2 bound a commune in common. */
static int topo_share_face(const band_seg *s1, const band_seg *s2)
{
    return s1->left == s2->left || (s2->right >= 0 && s1->left == s2->right) ||
           (s1->right >= 0 && (s1->right == s2->left || s1->right == s2->right));
}

/* The end of the run of segments of one arc that starts at x in in_cell[..end-1]. */
static size_t topo_arc_run(const seg_ref *cells, const int *in_cell, size_t x, size_t end)
{
    size_t y = x + 1;
    while (y < end && cells[in_cell[y]].arc == cells[in_cell[x]].arc)
        y++;
    return y;
}

/* Tests every pair of segments of cell (cx, cy), in_cell[lo..hi-1], whose arcs have no
 * commune in common; 1 when two clash. */
static int topo_cell_clashes(const seg_ref *cells, const band_seg *bs, const int *in_cell,
                             size_t lo, size_t hi, long cx, long cy, GEOSContextHandle_t h)
{
    for (size_t r1 = lo; r1 < hi;) {
        size_t e1 = topo_arc_run(cells, in_cell, r1, hi);
        for (size_t r2 = e1; r2 < hi;) {
            size_t e2 = topo_arc_run(cells, in_cell, r2, hi);
            if (!topo_share_face(&bs[in_cell[r1]], &bs[in_cell[r2]]))
                for (size_t x = r1; x < e1; x++)
                    for (size_t y = r2; y < e2; y++) {
                        const seg_ref *c1 = &cells[in_cell[x]], *c2 = &cells[in_cell[y]];
                        const band_seg *s1 = &bs[in_cell[x]], *s2 = &bs[in_cell[y]];
                        /* Tested in the first cell the two share only. */
                        if ((c1->cx0 > c2->cx0 ? c1->cx0 : c2->cx0) != cx ||
                            (c1->cy0 > c2->cy0 ? c1->cy0 : c2->cy0) != cy)
                            continue;
                        if (seg_meet(h, &s1->x0, &s1->x1, &s2->x0, &s2->x1) == SEG_CLASH)
                            return 1;
                    }
            r2 = e2;
        }
        r1 = e1;
    }
    return 0;
}

/* Task: band `band` of the proof. */
static void topo_proof_task(void *arg, int band, GEOSContextHandle_t h)
{
    proof_batch *pb = arg;
    const topo_simplified *ts = pb->ts;
    const topology *tp = ts->tp;
    const seg_grid *g = &pb->g;
    long r0 = (long)band * pb->rows, r1 = r0 + pb->rows;
    r1 = r1 > g->ncy ? g->ncy : r1;
    /* Room for every segment of the arcs that reach the band, made once: grown by doubling,
     * the copies would cost a part of the proof itself. */
    size_t cap = 1;
    for (int i = pb->start[band]; i < pb->start[band + 1]; i++)
        cap += ts->cnt[pb->arcs[i]] > 1 ? (size_t)ts->cnt[pb->arcs[i]] - 1 : 0;
    seg_ref *cells = xmalloc(cap * sizeof *cells);
    band_seg *bs = xmalloc(cap * sizeof *bs);
    int n = 0;
    for (int i = pb->start[band]; i < pb->start[band + 1]; i++) {
        int a = pb->arcs[i];
        if (ts->cnt[a] < 2)
            continue; /* no segment (an arc left out has no place) */
        const double *p = ts->pts + 2 * topo_arc_place(ts, a);
        for (int k = 0; k + 1 < ts->cnt[a]; k++) {
            seg_ref c = topo_seg_at(ts, g, a, k);
            if (c.cy1 < r0 || c.cy0 >= r1)
                continue;
            cells[n] = c;
            bs[n++] = (band_seg){p[2 * k], p[2 * k + 1], p[2 * k + 2], p[2 * k + 3],
                                 tp->arcs[a].left, tp->arcs[a].right};
        }
    }
    int *in_cell;
    size_t *count = topo_cell_index(cells, (size_t)n, r0, r1, g->ncx, &in_cell);
    size_t ncells = (size_t)(r1 - r0) * (size_t)g->ncx;
    for (size_t c = 0; c < ncells && !pb->crossed[band]; c++)
        if (count[c + 1] - count[c] > 1)
            pb->crossed[band] = (unsigned char)topo_cell_clashes(
                cells, bs, in_cell, count[c], count[c + 1], (long)(c % (size_t)g->ncx),
                r0 + (long)(c / (size_t)g->ncx), h);
    free(in_cell);
    free(count);
    free(cells);
    free(bs);
}

/* 1 when no two exact arcs of ts (tolerance 0) in layer cross or touch off their end nodes,
 * on up to threads threads; abox: their boxes (topo_arc_boxes). */
int topo_prove_layer(const topo_simplified *ts, const double *abox, int layer, int threads)
{
    const topology *tp = ts->tp;
    proof_batch pb;
    memset(&pb, 0, sizeof pb);
    pb.ts = ts;
    if (!topo_seg_grid(ts, layer, abox, &pb.g))
        return 1;
    const seg_grid *g = &pb.g;
    long per_band = BAND_CELLS / g->ncx;
    pb.rows = (int)(per_band > 0 ? per_band : 1);
    int nbands = (int)((g->ncy + pb.rows - 1) / pb.rows);
    /* The bands each arc's extent reaches: counted, then listed. */
    int *band0 = xmalloc(((size_t)tp->narcs + 1) * sizeof *band0);
    int *band1 = xmalloc(((size_t)tp->narcs + 1) * sizeof *band1);
    pb.start = xzeroed((size_t)nbands + 2, sizeof *pb.start);
    for (int a = 0; a < tp->narcs; a++) {
        band0[a] = 0;
        band1[a] = -1;
        if (tp->arcs[a].layer != layer || ts->cnt[a] < 2)
            continue;
        const double *bb = abox + 4 * a;
        long c1 = (long)((bb[3] - g->ymin) / g->cell);
        band0[a] = (int)((long)((bb[1] - g->ymin) / g->cell) / pb.rows);
        band1[a] = (int)((c1 >= g->ncy ? g->ncy - 1 : c1) / pb.rows);
        for (int b = band0[a]; b <= band1[a]; b++)
            pb.start[b + 1]++;
    }
    for (int b = 0; b < nbands; b++)
        pb.start[b + 1] += pb.start[b];
    pb.arcs = xmalloc(((size_t)pb.start[nbands] + 1) * sizeof *pb.arcs);
    int *fill = xmalloc(((size_t)nbands + 1) * sizeof *fill);
    memcpy(fill, pb.start, (size_t)nbands * sizeof *fill);
    for (int a = 0; a < tp->narcs; a++)
        for (int b = band0[a]; b <= band1[a]; b++)
            pb.arcs[fill[b]++] = a;
    free(fill);
    free(band0);
    free(band1);
    pb.crossed = xzeroed((size_t)nbands + 1, 1);
    pool_run(threads, nbands, topo_proof_task, &pb);
    int clean = memchr(pb.crossed, 1, (size_t)nbands) == NULL;
    free(pb.crossed);
    free(pb.arcs);
    free(pb.start);
    return clean;
}

/* A cell of the grid and a changed segment in it, for topo_find_changed_clashes. */
typedef struct cell_seg {
    size_t cell;
    seg_ref seg;
} cell_seg;

static int topo_cmp_cell(const void *x, const void *y)
{
    const cell_seg *a = x, *b = y;
    return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* Blocks of BLOCK by BLOCK cells: an arc far from every changed one is passed over whole. */
#define BLOCK 8

/* topo_find_clashes for the pairs with a segment of a changed arc (only[a] set) alone: the
 * rounds after the first change only a few arcs. The changed segments go into
 * the cells they cover, sorted, found by a small hash table; the segments of the arcs whose
 * box (abox: of the exact arc, which holds the simplified one) reaches a block of cells that
 * holds a changed segment are then tested against the changed ones of their cells. The grid
 * is that of the exact arcs' extent (no pass over the points): a round costs about what it
 * changes, not a pass over every segment. */
void topo_find_changed_clashes(const topo_simplified *ts, GEOSContextHandle_t h, int layer,
                               const unsigned char *only, const double *abox,
                               unsigned char *bad)
{
    const topology *tp = ts->tp;
    seg_grid g;
    if (!topo_seg_grid(ts, layer, abox, &g))
        return;
    cell_seg *cs = NULL;
    int n = 0, cap = 0;
    for (int a = 0; a < tp->narcs; a++) {
        if (tp->arcs[a].layer != layer || !only[a])
            continue;
        for (int k = 0; k + 1 < ts->cnt[a]; k++) {
            seg_ref sg = topo_seg_at(ts, &g, a, k);
            for (int cy = sg.cy0; cy <= sg.cy1; cy++)
                for (int cx = sg.cx0; cx <= sg.cx1; cx++) {
                    GROW(cs, cap, n + 1);
                    cs[n++] = (cell_seg){(size_t)cy * (size_t)g.ncx + (size_t)cx, sg};
                }
        }
    }
    if (n == 0)
        return;
    qsort(cs, (size_t)n, sizeof *cs, topo_cmp_cell);
    /* Each occupied cell: its first entry in cs, by a table of cells. */
    size_t nslots = topo_slots_for((size_t)n);
    int *slot = xmalloc(nslots * sizeof *slot);
    for (size_t i = 0; i < nslots; i++)
        slot[i] = -1;
    for (int i = 0; i < n; i++) {
        if (i > 0 && cs[i].cell == cs[i - 1].cell)
            continue;
        size_t k = (size_t)hash_mix(cs[i].cell) & (nslots - 1);
        while (slot[k] >= 0)
            k = (k + 1) & (nslots - 1);
        slot[k] = i;
    }
    /* The blocks that hold a changed segment. */
    long nbx = g.ncx / BLOCK + 1, nby = g.ncy / BLOCK + 1;
    unsigned char *hot = xzeroed((size_t)(nbx * nby), 1);
    for (int i = 0; i < n; i++) {
        long cx = (long)(cs[i].cell % (size_t)g.ncx), cy = (long)(cs[i].cell / (size_t)g.ncx);
        hot[(cy / BLOCK) * nbx + cx / BLOCK] = 1;
    }
    for (int a = 0; a < tp->narcs; a++) {
        if (tp->arcs[a].layer != layer || ts->cnt[a] < 2)
            continue;
        const double *bb = abox + 4 * a;
        long bx0 = (long)((bb[0] - g.xmin) / g.cell) / BLOCK, bx1 = (long)((bb[2] - g.xmin) / g.cell) / BLOCK;
        long by0 = (long)((bb[1] - g.ymin) / g.cell) / BLOCK, by1 = (long)((bb[3] - g.ymin) / g.cell) / BLOCK;
        bx1 = bx1 >= nbx ? nbx - 1 : bx1;
        by1 = by1 >= nby ? nby - 1 : by1;
        int near = 0;
        for (long by = by0; by <= by1 && !near; by++)
            for (long bx = bx0; bx <= bx1 && !near; bx++)
                near = hot[by * nbx + bx];
        if (!near)
            continue;
        for (int k = 0; k + 1 < ts->cnt[a]; k++) {
            seg_ref sg = topo_seg_at(ts, &g, a, k);
            for (int cy = sg.cy0; cy <= sg.cy1; cy++)
                for (int cx = sg.cx0; cx <= sg.cx1; cx++) {
                    size_t cell = (size_t)cy * (size_t)g.ncx + (size_t)cx;
                    size_t q = (size_t)hash_mix(cell) & (nslots - 1);
                    while (slot[q] >= 0 && cs[slot[q]].cell != cell)
                        q = (q + 1) & (nslots - 1);
                    if (slot[q] < 0)
                        continue;
                    for (int i = slot[q]; i < n && cs[i].cell == cell; i++) {
                        const seg_ref *t2 = &cs[i].seg;
                        /* Two changed segments: the pair once, from its first. */
                        if (only[a] && (t2->arc < a || (t2->arc == a && t2->k <= k)))
                            continue;
                        topo_test_pair(ts, h, &sg, t2, cx, cy, bad);
                    }
                }
        }
    }
    free(hot);
    free(slot);
    free(cs);
}
