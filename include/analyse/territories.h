/* territories.h -- what does not depend on a coverage rule: who borders whom, and the shapes of
 * the departments, regions and CPTS. Made once per job and shared by all its scenarios. */
#ifndef CPTSCOV_TERRITORIES_H
#define CPTSCOV_TERRITORIES_H

#include "analyse/adjacency.h"
#include "model/commune_table.h"
#include "analyse/coverage.h"
#include "util/diag.h"
#include "analyse/scope.h"
#include "geom/shape.h"
#include "util/stopwatch.h"
#include "geom/outline.h"


typedef struct territories {
    const commune_table *table;
    /* The departments and regions of the table, sorted by code: the same lists, in the same
     * order, as in the coverage report of any rule, so that shapes and figures share indices. */
    coverage_report areas;
    adjacency adjacency;
    shape *cpts_shapes;        /* table->ncpts entries */
    shape *department_shapes;  /* areas.ndepartments entries */
    shape *region_shapes;      /* areas.nregions entries */
    /* The join issues of each dissolve (not_a_coverage), kept apart so that a scenario reports
     * those of the territories it shows, whatever else the job dissolved. */
    join_issues *cpts_issues, *department_issues, *region_issues;
    /* The arcs of the communes, built once: the adjacency, the report's maps and --simplify
     * read them; and their simplification at each tolerance the scenarios ask for
     * (terr_simplify). */
    topology *topology;
    topo_simplified *exact;    /* the arcs as they are, for the dissolves */
    double *exact_lonlat;      /* their points in WGS84 (topo_points_map), for the maps */
    topo_simplified **simplified;
    double *tolerances;
    int nsimplified;
    /* The arcs at the two scales of the report's maps (terr_report_scales), simplified on threads of
     * their own from the end of terr_begin, beside the dissolves; terr_report_arcs waits. */
    struct report_arcs *report_arcs;
} territories;

/* What the report's maps want of the arcs, chosen by the report (rgeo_scales, rgeo_classes)
 * and handed in by app/: two tolerances in metres and, per commune, a class that no map
 * separates (topo_simplify_classes). The territories take classes: terr_free frees it. */
typedef struct terr_report_scales {
    double coarse_m, fine_m;
    int *classes;
} terr_report_scales;

/* Builds the arcs of the communes (geom/arcs.h), taking t's commune polygons into them (each
 * commune's geom is then NULL: topo_shape on tr->exact rebuilds it), and the adjacency graph
 * read off them, and dissolves, on threads threads (0: every core), the CPTS, departments and regions that
 * scopes[0..nscopes-1] show (nscopes 0 or a NULL scope: all of them); the others keep an
 * empty shape (no layer). Returns 0, or -1 after diag_error (the arcs could not be built). */
int terr_build(territories *tr, commune_table *t, const terr_report_scales *report,
               const coverage_scope *const *scopes, int nscopes, int threads, stopwatch *w);
/* terr_build in two steps: the areas, the arcs and the adjacency graph (enough for the
 * uncovered zones of any rule; 0, or -1 after diag_error), then the dissolves. With report
 * (or NULL: no report's arcs), the arcs at its two scales are simplified from then on, on a
 * thread of their own. */
int terr_begin(territories *tr, commune_table *t, const terr_report_scales *report,
               int threads, stopwatch *w);
void terr_dissolve(territories *tr, const coverage_scope *const *scopes, int nscopes,
                   int threads, stopwatch *w);
/* Builds the arcs (once) and simplifies them at each of tolerances[0..n-1] (metres) not done
 * yet. Returns 0, or -1 after diag_error. */
int terr_simplify(territories *tr, const double *tolerances, int n, int threads, stopwatch *w);
/* The arcs at the report's coarse and fine scales, once they are made (waits for them; any
 * thread may ask). Returns 0, or -1 after diag_error when they could not be made or
 * terr_begin was given no report scales. */
int terr_report_arcs(const territories *tr, const topo_simplified **coarse,
                     const topo_simplified **fine);
/* The arcs simplified at tolerance, or NULL when terr_simplify did not make them. */
const topo_simplified *terr_simplified(const territories *tr, double tolerance);
void terr_free(territories *tr);

#endif
