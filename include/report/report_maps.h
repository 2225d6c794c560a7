/* report_maps.h -- the maps of the report, each drawn once as SVG text.
 * The HTML report inlines them; each is also written alone as maps/NAME.svg, for slides. */
#ifndef CPTSCOV_REPORT_MAPS_H
#define CPTSCOV_REPORT_MAPS_H

#include <stddef.h>

#include "report/report_geometry.h"
#include "write/results.h"

typedef struct report_map {
    char *name;     /* file name without ".svg", made of codes only: "departments", "cpts",
                       "region-53" */
    char *title;
    int region;     /* index into the coverage report's regions, -1 for a national map */
    char *svg;      /* the <svg> element */
    size_t len;
} report_map;

typedef struct report_maps {
    report_map *maps;   /* departments, cpts, then one per region in the report's order */
    int n;
} report_maps;

/* The CSS classes of the maps (fills, strokes, legend), also inlined in each map. */
extern const char rmap_css[];

/* Draws every map of r from g, the simplified territories. Returns 0, or -1 after
 * diag_error. */
int rmap_draw_all(const run_results *r, const report_geometry *g, report_maps *out);
void rmap_free(report_maps *m);

/* The class of a covered share in the choropleth ("q0".."q5"), and its legend label. */
const char *rmap_share_class(const coverage_figures *f);

#endif
