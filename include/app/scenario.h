/* scenario.h -- one scenario: a coverage rule and its options applied to inputs already read,
 * written into an output directory. `cptscov run` is one scenario; `cptscov batch` many. */
#ifndef CPTSCOV_SCENARIO_H
#define CPTSCOV_SCENARIO_H

#include "analyse/coverage.h"
#include "read/inputs.h"
#include "util/numfmt.h"
#include "app/options.h"
#include "write/outdir.h"
#include "util/stopwatch.h"
#include "analyse/territories.h"

/* What a scenario found, for the line `cptscov run` prints and the table of a batch. */
typedef struct scenario_outcome {
    coverage_figures nation;
    int cpts_counting, ncpts;
    coverage_figures scope;      /* the nation's without a scope */
    int scope_cpts_counting, scope_cpts;
    int zones;                   /* uncovered zones shown (in scope) */
    int nissues;                 /* join issues written */
    char issues_summary[512];    /* "N join issues (K kind, ...)" */
} scenario_outcome;

/* What a scenario's options say once checked: made by scn_check, carried to scn_run. */
typedef struct scenario_settings {
    coverage_rule rule;          /* --status, --as-of */
    report_lang lang;            /* --lang */
    unsigned formats;            /* --format, as bits 1 << map_format */
} scenario_settings;

/* Checks the options of a scenario that need no data (--status, --as-of, --geojson-engine,
 * --lang, --format, the syntax of --scope) and makes its settings. Returns 0, or -1 after
 * diag_error (a usage error). */
int scn_check(const run_options *o, scenario_settings *set);

/* Computes the scenario of options o, whose settings scn_check made of them, on in and tr (tr
 * made from in->table with at least what scope shows; scope resolved from o->scope on
 * in->table, NULL for the whole country) and writes every output into out's temporary
 * directory, then commits it. threads: for the zones' dissolves and the maps (0: every core).
 * h: the GEOS context of the calling thread. Returns 0, or -1 after diag_error (out is then
 * left to the caller's odir_abort). */
int scn_run(const inputs *in, const territories *tr, const run_options *o,
            const scenario_settings *set, const coverage_scope *scope, outdir *out, int threads,
            GEOSContextHandle_t h, scenario_outcome *res, stopwatch *w);

/* The first join issue as the one error line of --strict. Returns -1. */
int scn_strict_error(const join_issues *ji);
/* The report's scales and classes of t's communes (report_geometry.h), for terr_begin: the
 * territories simplify the arcs the report will draw without knowing the report. */
void scn_report_scales(const commune_table *t, terr_report_scales *out);

#endif
