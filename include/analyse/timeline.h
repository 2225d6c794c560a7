/* timeline.h -- coverage through time: the share covered at the end of each quarter.
 * An analysis: it reads the commune table and a coverage rule, and writes nothing. */
#ifndef CPTSCOV_TIMELINE_H
#define CPTSCOV_TIMELINE_H

#include "model/commune_table.h"
#include "analyse/coverage.h"

/* Coverage at one date, under the statuses of the rule, counting the CPTS signed by then. */
typedef struct timeline_point {
    int date;                    /* YYYYMMDD: the last day of a quarter, or the rule's as_of */
    coverage_figures nation;
    coverage_figures *regions;   /* one per region of the coverage report, in its order */
    int cpts_counting;
    int *region_cpts_counting;   /* per region, in cov's order: the counted CPTS that list a
                                    commune of it by that date */
} timeline_point;

typedef struct coverage_timeline {
    timeline_point *points;      /* ascending dates */
    int n;
    int nregions;
} coverage_timeline;

/* From the quarter of the first signed_on among the CPTS of the rule's statuses to the rule's
 * as_of (without as_of: to the quarter of the last signed_on). Empty when no CPTS has a
 * date. Region order is cov's. Never fails.
 * A commune counts as covered at D when a CPTS of a counted status, signed on or before D,
 * lists it; CPTS without a date are left out (they cannot be placed in time), so without
 * as_of the last point may be below the coverage report, which counts them. With as_of, the
 * last point's figures are the report's. */
void tl_compute(const commune_table *t, const coverage_report *cov, coverage_timeline *tl);
void tl_free(coverage_timeline *tl);

#endif
