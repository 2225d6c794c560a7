/* write_report.h -- the two reports a planner reads: report.md and report.html (with maps/).
 * Writers like the others: they read the run results (write/results.h) and compute nothing. */
#ifndef CPTSCOV_WRITE_REPORT_H
#define CPTSCOV_WRITE_REPORT_H

#include "report/report_geometry.h"
#include "write/results.h"

/* Each writes its files into dir, in r->lang; returns 0, or -1 after diag_error. */
int write_report_md(const char *dir, const run_results *r); /* report.md */
/* report.html and maps/NAME.svg, their maps drawn from g, the simplified territories
 * (rgeo_build). */
int write_report_html(const char *dir, const run_results *r, const report_geometry *g);

#endif
