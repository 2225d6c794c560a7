/* adjacency.h -- which communes share a border, found from the edges their polygons share.
 * Commune polygons form a coverage: neighbours have identical edges, so hashing every
 * edge (its two end points, in either direction) finds all neighbours in one linear pass. */
#ifndef CPTSCOV_ADJACENCY_H
#define CPTSCOV_ADJACENCY_H

#include "commune_table.h"

typedef struct adjacency {
    int n;            /* communes in the table */
    int *start;       /* n + 1 offsets into neighbours (CSR layout) */
    int *neighbours;  /* indices into commune_table.communes, ascending per commune */
} adjacency;

/* Builds the graph for every commune with a polygon; communes of different layers are never
 * neighbours. Two communes touching at a single point are not neighbours. */
void adj_build(const commune_table *t, adjacency *a);
void adj_free(adjacency *a);

#endif
