/* report_geometry.h -- the simplified territories the report's maps draw.
 * An analysis: built from the arcs of geom/simplify.h, each arc simplified once per scale. */
#ifndef CPTSCOV_REPORT_GEOMETRY_H
#define CPTSCOV_REPORT_GEOMETRY_H

#include "model/commune_table.h"
#include "analyse/coverage.h"
#include "geom/shape.h"
#include "geom/outline.h"
#include "analyse/zones.h"

/* The simplification tolerances follow the drawing: about one viewBox unit. The national
 * maps spread metropolitan France (or whatever the communes cover) over SVGM_WIDTH units; the
 * region maps and the overseas insets are drawn RGEO_ZOOM times larger. */
#define RGEO_ZOOM 5.0
#define RGEO_MIN_M 1.0

/* A piece of a territory inside one region: its index (a CPTS, a zone) and its polygons. */
typedef struct rgeo_piece {
    int index;
    shape shape;
} rgeo_piece;

typedef struct rgeo_region {
    shape covered;           /* the covered communes of the region, dissolved */
    rgeo_piece *cpts;        /* counting CPTS with communes in the region: those communes */
    int ncpts;
    rgeo_piece *zones;       /* uncovered zones with communes in the region: those communes */
    int nzones;
} rgeo_region;

/* The frames of the national maps: "" metropolitan France, else an overseas department
 * (svgm_frame_of), with the covered and uncovered communes of each dissolved. */
typedef struct rgeo_frame {
    char key[4];
    shape covered, uncovered;
} rgeo_frame;

typedef struct report_geometry {
    shape *departments;      /* per department of the coverage report, national scale
                                (overseas ones at the fine scale, for their insets) */
    shape *departments_fine; /* the same at the fine scale, for the region maps */
    shape *regions;          /* per region, national scale (their outlines) */
    shape *cpts;             /* per CPTS of the table, national scale; empty unless it counts */
    rgeo_frame *frames;
    int nframes;
    rgeo_region *by_region;  /* per region of the coverage report */
    int ndepartments, nregions, ncpts;
    double coarse_m, fine_m; /* the tolerances used, in metres */
} report_geometry;

/* The tolerances of the report's two scales for the communes of t, in metres: about one unit
 * of the maps' viewBox at the national scale, RGEO_ZOOM times finer. */
void rgeo_scales(const commune_table *t, double *coarse_m, double *fine_m);
/* Per commune of t, a class: the report's maps draw no border between two communes of the
 * same department, region and CPTS memberships (for topo_simplify_classes); to free. */
int *rgeo_classes(const commune_table *t);
/* Builds everything from the arcs of t's communes simplified at the two scales (coarse and
 * fine, geom/simplify.h; made once per job by territories.c); the territories are rebuilt on
 * `threads` threads (0: every core). */
void rgeo_build(report_geometry *g, const commune_table *t, const coverage_report *cov,
                const zone_list *zl, const topo_simplified *coarse, const topo_simplified *fine,
                int threads);
void rgeo_free(const commune_table *t, report_geometry *g);

#endif
