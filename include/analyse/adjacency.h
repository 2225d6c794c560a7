/* adjacency.h -- which communes share a border, read off the arcs of their polygons.
 * An arc (geom/arcs.h) is a stretch of border with one commune on each side. */
#ifndef CPTSCOV_ADJACENCY_H
#define CPTSCOV_ADJACENCY_H

#include "model/commune_table.h"
#include "geom/arcs.h"

typedef struct adjacency {
    int n;            /* communes in the table */
    int *start;       /* n + 1 offsets into neighbours (CSR layout) */
    int *neighbours;  /* indices into commune_table.communes, ascending per commune */
} adjacency;

/* Builds the graph for every commune with a polygon; communes of different layers are never
 * neighbours. Two communes touching at a single point are not neighbours. */
void adj_from_topology(const commune_table *t, const topology *tp, adjacency *a);
/* The same, building the arcs of t for the occasion (an empty graph if they cannot be). */
void adj_build(const commune_table *t, adjacency *a);
void adj_free(adjacency *a);

#endif
