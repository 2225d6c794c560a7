/* simplify.c -- every arc simplified once (Douglas-Peucker, end nodes kept), then checked: no
 * two arcs cross (clash.c) and every face rebuilds valid (outline.c), else simplified again.
 *
 * Douglas-Peucker is done by hand on the flat buffer of the arcs' points rather than with
 * GEOSSimplify_r: no geometry is made per arc, and a closed arc (a ring with one node) keeps
 * three points off its node so that it cannot flatten. Distances are in metres (a
 * geographic layer's degrees are scaled at its mean latitude). Two checks follow: no two
 * simplified arcs may cross or touch off their end nodes (clash.c), and every commune must
 * rebuild valid (GEOSisValid_r), with an area and as many parts and holes as its exact
 * polygon. The arcs that fail are simplified again with a quarter of their tolerance, and
 * checked again, down to the exact arc (tolerance 0 keeps every point), which rebuilds the
 * original polygon. Checking communes alone would not do: two arcs of different communes may
 * cross (departments then overlap).
 *
 * At tolerance 0 (the exact arcs) topo_simplify proves instead that no two arcs without a
 * commune in common cross (topo_prove_layer): then the input is a clean coverage and the
 * exact arcs are checked as a simplification's are. */
#include "geom/simplify.h"
#include "arcs_layout.h"
#include "clash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/outline.h"
#include "util/diag.h"
#include "util/pool.h"
#include "util/util.h"

/* Re-simplifications of an arc before it is taken exact. */
#define MAX_RETRIES 6

/* ---- simplifying ------------------------------------------------------------------------ */

/* Squared distance in metres from p to the segment a-b, with scales kx, ky. */
static double topo_seg_dist2(const double *p, const double *a, const double *b, double kx,
                             double ky)
{
    double ax = a[0] * kx, ay = a[1] * ky, bx = b[0] * kx, by = b[1] * ky;
    double px = p[0] * kx, py = p[1] * ky;
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double u = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double qx = ax + u * dx - px, qy = ay + u * dy - py;
    return qx * qx + qy * qy;
}

/* The index of the point of p[lo+1..hi-1] farthest from segment lo-hi. */
static int topo_farthest(const double *p, int lo, int hi, double kx, double ky)
{
    double best = -1;
    int far = -1;
    for (int k = lo + 1; k < hi; k++) {
        double d = topo_seg_dist2(p + 2 * k, p + 2 * lo, p + 2 * hi, kx, ky);
        if (d > best) {
            best = d;
            far = k;
        }
    }
    return far;
}

/* Douglas-Peucker on points lo..hi of p, marking kept ones in keep (lo and hi already are). */
static void topo_dp(const double *p, int lo, int hi, double tol2, double kx, double ky,
                    unsigned char *keep, int *stack)
{
    int sp = 0;
    stack[sp++] = lo;
    stack[sp++] = hi;
    while (sp > 0) {
        int b = stack[--sp], a = stack[--sp];
        if (b - a < 2)
            continue;
        int far = topo_farthest(p, a, b, kx, ky);
        double best = topo_seg_dist2(p + 2 * far, p + 2 * a, p + 2 * b, kx, ky);
        if (best > tol2 || tol2 == 0) {
            keep[far] = 1;
            stack[sp++] = a;
            stack[sp++] = far;
            stack[sp++] = far;
            stack[sp++] = b;
        }
    }
}


/* Simplifies arc a with tolerance tol (metres) into out (x, y), returns the points kept. */
static int topo_simplify_arc(const topology *tp, int a, double tol, double *out,
                             unsigned char *keep, int *stack)
{
    const topo_arc *arc = &tp->arcs[a];
    const double *p = tp->pts + 2 * arc->first;
    int n = arc->n;
    if (tol <= 0) {
        memcpy(out, p, 2 * (size_t)n * sizeof *out);
        return n;
    }
    double kx = tp->kx[arc->layer], ky = tp->ky[arc->layer];
    memset(keep, 0, (size_t)n);
    keep[0] = keep[n - 1] = 1;
    double tol2 = tol * tol;
    if (arc->v0 == arc->v1 && n >= 4) {
        /* A closed arc keeps a triangle: the point farthest from its node, and the point
         * farthest from the line between them. */
        int far = -1;
        double best = -1;
        for (int k = 1; k < n - 1; k++) {
            double dx = (p[2 * k] - p[0]) * kx, dy = (p[2 * k + 1] - p[1]) * ky;
            if (dx * dx + dy * dy > best) {
                best = dx * dx + dy * dy;
                far = k;
            }
        }
        keep[far] = 1;
        int f1 = topo_farthest(p, 0, far, kx, ky), f2 = topo_farthest(p, far, n - 1, kx, ky);
        double d1 = f1 >= 0 ? topo_seg_dist2(p + 2 * f1, p, p + 2 * far, kx, ky) : -1;
        double d2 = f2 >= 0 ? topo_seg_dist2(p + 2 * f2, p + 2 * far, p + 2 * (n - 1), kx, ky)
                            : -1;
        int third = d1 >= d2 ? f1 : f2;
        if (third >= 0)
            keep[third] = 1;
        int marks[4], nm = 0;
        for (int k = 0; k < n; k++)
            if (keep[k])
                marks[nm++] = k;
        for (int i = 0; i + 1 < nm; i++)
            topo_dp(p, marks[i], marks[i + 1], tol2, kx, ky, keep, stack);
    } else {
        topo_dp(p, 0, n - 1, tol2, kx, ky, keep, stack);
    }
    int m = 0;
    for (int k = 0; k < n; k++)
        if (keep[k]) {
            out[2 * m] = p[2 * k];
            out[2 * m + 1] = p[2 * k + 1];
            m++;
        }
    return m;
}

/* ---- the faces a simplification checks -------------------------------------------------
 * Each commune, or with classes (topo_simplify_classes) each piece of the layer that the kept
 * arcs bound: communes joined across the arcs left out (union-find), whose polygons no map
 * separates. A face must rebuild valid from the simplified arcs, with as many polygons and
 * holes as from the exact ones. */
typedef struct topo_faces {
    int n;               /* faces made, of room for ncommunes more (a piece's split) */
    int *of;             /* per commune: its face, -1 without arcs (no polygon) */
    int *first, *size;   /* per face: its communes, members[first .. first + size - 1],
                            ascending; size 0 once split */
    int *members;
    int *shells, *holes; /* the polygons and holes of each face, exact; -1 until a piece's
                            exact arcs are traced (its first check) */
    int *ecnt;           /* with classes: per arc its exact points, for the exact trace */
} topo_faces;

static int topo_root(int *parent, int c)
{
    while (parent[c] != c) {
        parent[c] = parent[parent[c]];
        c = parent[c];
    }
    return c;
}

/* The faces of tp: its communes with arcs, or with cls the pieces of equal class. */
static void topo_faces_make(const topology *tp, const int *cls, topo_faces *f)
{
    int nc = tp->t->ncommunes;
    int *root = xmalloc(((size_t)nc + 1) * sizeof *root);
    for (int c = 0; c < nc; c++)
        root[c] = c;
    for (int a = 0; cls && a < tp->narcs; a++) {
        const topo_arc *arc = &tp->arcs[a];
        if (arc->right >= 0 && cls[arc->left] == cls[arc->right]) {
            int x = topo_root(root, arc->left), y = topo_root(root, arc->right);
            if (x != y)
                root[x > y ? x : y] = x < y ? x : y;
        }
    }
    f->of = xmalloc(((size_t)nc + 1) * sizeof *f->of);
    int *id = xmalloc(((size_t)nc + 1) * sizeof *id); /* per root: its face */
    f->n = 0;
    for (int c = 0; c < nc; c++) {
        id[c] = -1;
        if (tp->cuse[c + 1] == tp->cuse[c]) {
            f->of[c] = -1;
            continue;
        }
        int r = topo_root(root, c); /* r <= c: its id is given already when r < c */
        if (id[r] < 0)
            id[r] = f->n++;
        f->of[c] = id[r];
    }
    free(id);
    free(root);
    size_t room = (size_t)f->n + (size_t)nc + 1;
    f->first = xcalloc(room, sizeof *f->first);
    f->size = xcalloc(room, sizeof *f->size);
    for (int c = 0; c < nc; c++)
        if (f->of[c] >= 0)
            f->size[f->of[c]]++;
    for (int i = 1; i < f->n; i++)
        f->first[i] = f->first[i - 1] + f->size[i - 1];
    f->members = xmalloc(((size_t)nc + 1) * sizeof *f->members);
    int *fill = xcalloc((size_t)f->n + 1, sizeof *fill);
    for (int c = 0; c < nc; c++) /* in the order of the communes: each face's ascending */
        if (f->of[c] >= 0)
            f->members[f->first[f->of[c]] + fill[f->of[c]]++] = c;
    free(fill);
    f->shells = xmalloc(room * sizeof *f->shells);
    f->holes = xmalloc(room * sizeof *f->holes);
    for (int i = 0; i < f->n; i++) {
        int c = f->members[f->first[i]];
        f->shells[i] = cls ? -1 : tp->shells[c];
        f->holes[i] = cls ? -1 : tp->holes[c];
    }
    f->ecnt = NULL;
    if (cls) {
        f->ecnt = xmalloc(((size_t)tp->narcs + 1) * sizeof *f->ecnt);
        for (int a = 0; a < tp->narcs; a++)
            f->ecnt[a] = tp->arcs[a].n;
    }
}

static void topo_faces_free(topo_faces *f)
{
    free(f->of);
    free(f->first);
    free(f->size);
    free(f->members);
    free(f->shells);
    free(f->holes);
    free(f->ecnt);
}

/* Counts the polygons and holes of polygonal g. */
static void topo_count_rings(GEOSContextHandle_t h, const GEOSGeometry *g, int *shells,
                             int *holes)
{
    if (GEOSGeomTypeId_r(h, g) == GEOS_POLYGON) {
        ++*shells;
        *holes += GEOSGetNumInteriorRings_r(h, g);
        return;
    }
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++)
        topo_count_rings(h, GEOSGetGeometryN_r(h, g, i), shells, holes);
}

/* 1 when face i rebuilt from ts is valid, has an area, and as many polygons and holes as
 * exact (a ring simplified into the wrong orientation would make a part a hole, or a hole a
 * part). A face of one ring and no hole, most of them, is only traced (o, reused): checked
 * once no arc crosses or touches another (topo_simplify ends there), its ring is simple, and
 * one counter-clockwise ring is a valid polygon; GEOSisValid_r is for the others, whose
 * holes or parts may have jumped out of or into one another. A piece's exact polygons are
 * counted the first time, by tracing its exact arcs. */
static int topo_face_ok(const topo_simplified *ts, topo_faces *f, GEOSContextHandle_t h, int i,
                        topo_outline *o)
{
    const topology *tp = ts->tp;
    const int *m = f->members + f->first[i];
    int n = f->size[i], layer = tp->t->communes[m[0]].layer;
    if (f->shells[i] < 0) {
        topo_simplified exact = {.tp = tp, .cnt = f->ecnt, .pts = tp->pts,
                                 .nplaces = tp->npts};
        int np = topo_outline_trace(o, &exact, h, m, n, layer), rings = 0;
        for (int p = 0; p < np; p++)
            rings += topo_outline_rings(o, p);
        f->shells[i] = np;
        f->holes[i] = rings - np;
    }
    if (f->shells[i] == 1 && f->holes[i] == 0)
        return topo_outline_trace(o, ts, h, m, n, layer) == 1 && topo_outline_rings(o, 0) == 1;
    GEOSGeometry *g = topo_rebuild(ts, h, m, n, layer);
    if (!g)
        return 0;
    double area = 0;
    int shells = 0, holes = 0;
    topo_count_rings(h, g, &shells, &holes);
    int ok = shells == f->shells[i] && holes == f->holes[i] && GEOSisValid_r(h, g) == 1 &&
             GEOSArea_r(h, g, &area) && area > 0;
    GEOSGeom_destroy_r(h, g);
    return ok;
}


/* The checks of the faces marked todo, on every core: each task a slice of the faces, with
 * its worker's GEOS context; it writes only its own faces' bytes of failed and counts. */
#define CHECK_SLICE 256

typedef struct check_batch {
    const topo_simplified *ts;
    topo_faces *faces;
    const unsigned char *todo;
    unsigned char *failed;
} check_batch;

static void topo_check_task(void *arg, int task, GEOSContextHandle_t h)
{
    check_batch *b = arg;
    int n = b->faces->n;
    topo_outline *o = topo_outline_new();
    for (int i = task * CHECK_SLICE; i < n && i < (task + 1) * CHECK_SLICE; i++)
        b->failed[i] = b->todo[i] && !topo_face_ok(b->ts, b->faces, h, i, o);
    topo_outline_free(o);
}

/* 1 when `arc` is left out of a simplification with classes cls (or NULL): its two sides
 * are of one class, so no map draws it. */
static int topo_left_out(const topo_arc *arc, const int *cls)
{
    return cls && arc->right >= 0 && cls[arc->left] == cls[arc->right];
}

/* Simplifies arc a into ts with tolerance tol; an arc that had no place (left out, now
 * brought back) gets room for all its points after the others'. */
static void topo_fill(topo_simplified *ts, int a, double tol, unsigned char *keep, int *stack)
{
    const topology *tp = ts->tp;
    if (ts->place[a] == NO_PLACE) { /* room was made for every arc: pts never moves */
        ts->place[a] = ts->nplaces;
        ts->nplaces += (size_t)tp->arcs[a].n;
    }
    ts->cnt[a] = topo_simplify_arc(tp, a, tol, ts->pts + 2 * ts->place[a], keep, stack);
}

/* Splits the failed piece i into its communes, each a face of its own (todo), and brings
 * back the arcs it left out between them, simplified with tolerance_m (changed): where a
 * piece does not rebuild valid, its communes are checked one by one, as without classes, so
 * that only the arcs of those at fault are simplified again, not every arc around the piece. */
static void topo_split_face(topo_simplified *ts, topo_faces *f, int i, double tolerance_m,
                            double *tol, unsigned char *keep, int *stack,
                            unsigned char *changed_arc, unsigned char *todo)
{
    const topology *tp = ts->tp;
    for (int j = 0; j < f->size[i]; j++) {
        int k = f->n++, c = f->members[f->first[i] + j];
        f->first[k] = f->first[i] + j;
        f->size[k] = 1;
        f->shells[k] = tp->shells[c];
        f->holes[k] = tp->holes[c];
        f->of[c] = k;
        todo[k] = 1;
        for (int u = tp->cuse[c]; u < tp->cuse[c + 1]; u++) {
            int a = tp->uses[u] / 2;
            if (ts->cnt[a] > 0)
                continue;
            tol[a] = tolerance_m;
            topo_fill(ts, a, tol[a], keep, stack);
            changed_arc[a] = 1;
        }
    }
    f->size[i] = 0;
}

/* Packs the points the arcs of ts keep into an array of their size: a small part of the
 * exact points at the report's scales, where each arc's room for all its points was
 * needed while they were simplified again. */
static void topo_pack(topo_simplified *ts)
{
    const topology *tp = ts->tp;
    size_t n = 0;
    for (int a = 0; a < tp->narcs; a++)
        n += (size_t)ts->cnt[a];
    double *pts = xmalloc(2 * (n + 1) * sizeof *pts);
    size_t *place = xmalloc(((size_t)tp->narcs + 1) * sizeof *place);
    n = 0;
    for (int a = 0; a < tp->narcs; a++) {
        place[a] = n;
        if (ts->cnt[a] > 0) /* an arc left out has no place */
            memcpy(pts + 2 * n, ts->pts + 2 * topo_arc_place(ts, a),
                   2 * (size_t)ts->cnt[a] * sizeof *pts);
        n += (size_t)ts->cnt[a];
    }
    free(ts->pts);
    free(ts->place);
    ts->pts = pts;
    ts->place = place;
    ts->nplaces = n;
}

topo_simplified *topo_simplify(const topology *tp, GEOSContextHandle_t h, double tolerance_m)
{
    return topo_simplify_classes(tp, h, tolerance_m, NULL);
}

topo_simplified *topo_simplify_classes(const topology *tp, GEOSContextHandle_t h,
                                       double tolerance_m, const int *cls)
{
    if (!tp || !(tolerance_m >= 0) || !isfinite(tolerance_m)) {
        diag_error(NULL, 0, "simplification tolerance %g m is not a length; give metres >= 0",
                   tolerance_m);
        return NULL;
    }
    const commune_table *t = tp->t;
    topo_simplified *ts = xcalloc(1, sizeof *ts);
    ts->tp = tp;
    ts->tolerance_m = tolerance_m;
    ts->cnt = xmalloc(((size_t)tp->narcs + 1) * sizeof *ts->cnt);
    ts->nplaces = tp->npts;
    if (tolerance_m == 0 && !cls) {
        ts->pts = tp->pts;
        for (int a = 0; a < tp->narcs; a++)
            ts->cnt[a] = tp->arcs[a].n;
        double *abox = topo_arc_boxes(tp);
        ts->checked = 1;
        for (int l = 0; l < t->nlayers && ts->checked; l++)
            ts->checked = topo_prove_layer(ts, abox, l, tp->threads);
        free(abox);
        return ts;
    }
    /* The points of the arcs the classes keep, one after the other: a small part of them,
     * where each arc at its place in tp->pts touched nearly every page (the kept arcs are
     * everywhere). An arc brought back gets its room after them; room is made for every
     * arc, but only the pages of the arcs kept are touched. */
    ts->place = xmalloc(((size_t)tp->narcs + 1) * sizeof *ts->place);
    size_t kept = 0;
    for (int a = 0; a < tp->narcs; a++) {
        int out = topo_left_out(&tp->arcs[a], cls);
        ts->place[a] = out ? NO_PLACE : kept;
        kept += out ? 0 : (size_t)tp->arcs[a].n;
    }
    ts->nplaces = kept;
    ts->pts = xmalloc(2 * (tp->npts + 1) * sizeof *ts->pts);
    int maxn = 1;
    for (int a = 0; a < tp->narcs; a++)
        maxn = tp->arcs[a].n > maxn ? tp->arcs[a].n : maxn;
    unsigned char *keep = xmalloc((size_t)maxn);
    int *stack = xmalloc(4 * (size_t)maxn * sizeof *stack + 16);
    double *tol = xmalloc(((size_t)tp->narcs + 1) * sizeof *tol);
    int *tries = xcalloc((size_t)tp->narcs + 1, sizeof *tries);
    for (int a = 0; a < tp->narcs; a++) {
        if (topo_left_out(&tp->arcs[a], cls)) {
            ts->cnt[a] = 0; /* no segment, never checked nor traced */
            tol[a] = 0;
            continue;
        }
        tol[a] = tolerance_m;
        topo_fill(ts, a, tol[a], keep, stack);
    }
    /* Arcs that cross or touch others, and the arcs of faces that do not rebuild valid, get
     * a smaller tolerance; their faces are checked again, until all are good. Every arc
     * reaches tolerance 0 (the exact arc) after MAX_RETRIES, so this ends. */
    topo_faces f;
    topo_faces_make(tp, cls, &f);
    size_t room = (size_t)f.n + (size_t)t->ncommunes + 1; /* faces, split pieces' included */
    unsigned char *todo = xmalloc(room);
    memset(todo, 1, room);
    unsigned char *bad = xcalloc((size_t)tp->narcs + 1, 1);
    unsigned char *failed = xcalloc(room, 1);
    unsigned char *changed_arc = NULL; /* NULL in the first round: every arc is new */
    double *abox = topo_arc_boxes(tp);
    int stuck = 0; /* an arc failed the checks at tolerance 0: the input is not a clean
                      coverage, and what is traced from these arcs must be checked */
    int changed = 1;
    while (changed) {
        changed = 0;
        memset(bad, 0, (size_t)tp->narcs);
        for (int l = 0; l < t->nlayers; l++) {
            if (changed_arc)
                topo_find_changed_clashes(ts, h, l, changed_arc, abox, bad);
            else
                topo_find_clashes(ts, h, l, bad);
        }
        if (!changed_arc)
            changed_arc = xmalloc((size_t)tp->narcs + 1);
        check_batch cb = {ts, &f, todo, failed};
        pool_run(tp->threads, (f.n + CHECK_SLICE - 1) / CHECK_SLICE, topo_check_task, &cb);
        memset(changed_arc, 0, (size_t)tp->narcs);
        int nfaces = f.n;
        memset(todo, 0, (size_t)nfaces);
        for (int i = 0; i < nfaces; i++) {
            if (!failed[i])
                continue;
            if (f.size[i] > 1) {
                topo_split_face(ts, &f, i, tolerance_m, tol, keep, stack, changed_arc, todo);
                changed = 1;
                continue;
            }
            int c = f.members[f.first[i]];
            for (int u = tp->cuse[c]; u < tp->cuse[c + 1]; u++)
                bad[tp->uses[u] / 2] = 1;
        }
        for (int a = 0; a < tp->narcs; a++) {
            if (bad[a] && tol[a] <= 0)
                stuck = 1; /* exact, and still crossing or not valid */
            if (!bad[a] || tol[a] <= 0)
                continue;
            tol[a] = ++tries[a] >= MAX_RETRIES ? 0 : tol[a] / 4;
            topo_fill(ts, a, tol[a], keep, stack);
            changed = 1;
            changed_arc[a] = 1;
            todo[f.of[tp->arcs[a].left]] = 1;
            if (tp->arcs[a].right >= 0)
                todo[f.of[tp->arcs[a].right]] = 1;
        }
    }
    topo_faces_free(&f);
    free(todo);
    free(bad);
    free(abox);
    free(changed_arc);
    free(failed);
    ts->checked = !stuck;
    free(keep);
    free(stack);
    free(tol);
    free(tries);
    topo_pack(ts);
    return ts;
}

void topo_simplified_free(topo_simplified *ts)
{
    if (!ts)
        return;
    free(ts->cnt);
    free(ts->place);
    if (ts->pts != ts->tp->pts)
        free(ts->pts);
    free(ts);
}

int topo_simplified_checked(const topo_simplified *ts)
{
    return ts->checked;
}

size_t topo_point_places(const topo_simplified *ts)
{
    return ts->nplaces;
}

void topo_points_map(const topo_simplified *ts, int part, int nparts, double *out,
                     void (*fn)(void *arg, int layer, double *xy, size_t n), void *arg)
{
    const topology *tp = ts->tp;
    int a0 = (int)((long long)tp->narcs * part / nparts);
    int a1 = (int)((long long)tp->narcs * (part + 1) / nparts);
    /* Runs of arcs of one layer whose points follow each other in ts->pts. */
    for (int a = a0; a < a1;) {
        int layer = tp->arcs[a].layer;
        size_t start = topo_arc_place(ts, a), end = start + (size_t)ts->cnt[a];
        int b = a + 1;
        while (b < a1 && tp->arcs[b].layer == layer && topo_arc_place(ts, b) == end) {
            end += (size_t)ts->cnt[b];
            b++;
        }
        double *xy = out + 2 * start;
        memcpy(xy, ts->pts + 2 * start, 2 * (end - start) * sizeof *xy);
        fn(arg, layer, xy, end - start);
        a = b;
    }
}

size_t topo_simplified_vertex_count(const topo_simplified *ts)
{
    if (!ts)
        return 0;
    /* Each arc's points but its last (the next arc's first along the ring). */
    size_t n = 0;
    const topology *tp = ts->tp;
    for (int c = 0; c < tp->t->ncommunes; c++)
        for (int u = tp->cuse[c]; u < tp->cuse[c + 1]; u++) {
            int a = tp->uses[u] / 2;
            n += ts->cnt[a] > 0 ? (size_t)ts->cnt[a] - 1 : 0;
        }
    return n;
}
