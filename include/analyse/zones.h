/* zones.h -- uncovered zones: connected groups of uncovered communes sharing a border.
 * Planners read them as the places where the next CPTS must be born. */
#ifndef CPTSCOV_ZONES_H
#define CPTSCOV_ZONES_H

#include <stdint.h>

#include "analyse/adjacency.h"
#include "model/commune_table.h"
#include "analyse/coverage.h"
#include "geom/shape.h"

typedef struct uncovered_zone {
    int *communes;          /* indices into commune_table.communes, ascending */
    int ncommunes;
    int64_t population;
    double area_km2;
    char (*departments)[4]; /* department codes, sorted, distinct */
    int ndepartments;
    int *bordering_cpts;    /* CPTS that count and cover a neighbour of the zone, ascending */
    int nbordering;
    int *pending_cpts;      /* CPTS that do not count (project, letter, later date) and list
                               a commune of the zone, ascending */
    int npending;
    shape shape;            /* filled by zone_dissolve */
} uncovered_zone;

typedef struct zone_list {
    uncovered_zone *zones;  /* largest population first; ties by first commune code */
    int n;
} zone_list;

/* Groups the communes that have a polygon and are uncovered under cov's rule. */
void zone_find(const commune_table *t, const adjacency *a, const coverage_report *cov,
               zone_list *zl);
void zone_dissolve(const commune_table *t, zone_list *zl, join_issues *ji);
/* Dissolves zone i alone, with GEOS context h (zones may be dissolved on several threads),
 * traced from the exact arcs when arcs is not NULL (shape_dissolve_arcs). */
void zone_dissolve_one(const commune_table *t, GEOSContextHandle_t h,
                       const struct topo_simplified *arcs, zone_list *zl, int i, join_issues *ji);
void zone_free(const commune_table *t, zone_list *zl);
/* The same with GEOS context h (a scenario freeing its zones on its own thread). */
void zone_free_r(GEOSContextHandle_t h, zone_list *zl);

#endif
