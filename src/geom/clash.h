/* clash.h -- for simplify.c: the arcs that cross or touch off their end nodes (clash.c), and
 * the proof that a layer's exact arcs cross nowhere. Private to geom/. */
#ifndef CPTSCOV_CLASH_H
#define CPTSCOV_CLASH_H

#include <geos_c.h>

#include "geom/simplify.h"

/* The boxes of the exact arcs of tp (xmin, ymin, xmax, ymax each, for the caller to free):
 * they hold the arcs at any tolerance, whose points are some of the exact ones. */
double *topo_arc_boxes(const topology *tp);
/* Finds the simplified arcs of layer that cross or touch one another off their end nodes;
 * sets bad[a] for each. */
void topo_find_clashes(const topo_simplified *ts, GEOSContextHandle_t h, int layer,
                       unsigned char *bad);
/* topo_find_clashes for the pairs with a segment of a changed arc (only[a] set) alone, the
 * grid made over the exact arcs' boxes abox. */
void topo_find_changed_clashes(const topo_simplified *ts, GEOSContextHandle_t h, int layer,
                               const unsigned char *only, const double *abox,
                               unsigned char *bad);
/* 1 when no two exact arcs of ts (tolerance 0) in layer cross or touch off their end nodes,
 * on up to threads threads; abox: their boxes (topo_arc_boxes). */
int topo_prove_layer(const topo_simplified *ts, const double *abox, int layer, int threads);

#endif
