/* arcs_layout.h -- the arcs as arcs.c builds them and simplify.c simplifies them, laid bare for
 * the files of geom/ that walk them (arcs.c, simplify.c, clash.c, outline.c); data, no code. */
#ifndef CPTSCOV_ARCS_LAYOUT_H
#define CPTSCOV_ARCS_LAYOUT_H

#include <stddef.h>

#include "geom/arcs.h"
#include "geom/simplify.h"
#include "util/util.h"

typedef struct topo_arc {
    size_t first;   /* index of its first point in tp->pts */
    int n;          /* points, at least 2 */
    int left;       /* the commune on its left walking forward */
    int right;      /* the commune on its right, -1 for outside */
    int v0, v1;     /* vertex ids of its end nodes */
    int layer;
} topo_arc;

struct topology {
    const commune_table *t;
    double *pts;     /* x, y of the arcs' points, arc after arc */
    size_t npts, cappts;
    topo_arc *arcs;
    int narcs, caparcs;
    int *cuse;       /* ncommunes + 1 offsets into uses */
    int *uses;       /* 2 * arc + 1 when walked backwards by the commune */
    int *shells, *holes; /* per commune, the rings of its polygon, to check what is rebuilt */
    double *kx, *ky; /* per layer: metres per unit of x and y */
    size_t ring_vertices; /* vertices of the rings (closing points excluded) */
    int threads;     /* for the checks of topo_simplify; 0: every core */
};

struct topo_simplified {
    const topology *tp;
    double tolerance_m;
    int *cnt;        /* per arc, the points it keeps */
    double *pts;     /* x, y of the simplified arcs: tp->pts itself at tolerance 0 (the exact
                        arcs share their points); else, while simplifying, room for each arc
                        simplified so far to keep all its points, and once simplified,
                        packed */
    size_t *place;   /* per arc, the index of its first point in pts (NO_PLACE: an arc left
                        out has none); NULL: as in tp->pts */
    size_t nplaces;  /* the points pts has room for (while simplifying, the points placed) */
    int checked;     /* simplified and checked (tolerance > 0): no two arcs cross or touch
                        off their end nodes and every commune rebuilds valid, so any group
                        of communes traces valid (outline.c skips GEOSisValid_r) */
};

/* The place of an arc that has none (left out by the classes of the simplification). */
#define NO_PLACE ((size_t)-1)

/* The index in ts->pts of the first point of arc a. */
static inline size_t topo_arc_place(const topo_simplified *ts, int a)
{
    return ts->place ? ts->place[a] : ts->tp->arcs[a].first;
}

/* Grows the doubles *p (of *cap) to hold at least need. */
static inline void topo_grow(double **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    *p = xrealloc(*p, c * sizeof **p);
    *cap = c;
}

/* The slots of an open-addressing table for n keys: a power of two, at most two-thirds full. */
static inline size_t topo_slots_for(size_t n)
{
    size_t s = 16;
    while (s < n + n / 2 + 1)
        s <<= 1;
    return s;
}

#endif
