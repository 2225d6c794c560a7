/* run.c -- `cptscov run`: the whole pipeline, from the inputs to the output directory.
 * One scenario: the inputs read once, the territories dissolved, the scenario written.
 *
 * The three stages are modules of their own because `cptscov batch` runs the same ones with
 * many scenarios: inputs.c reads and joins (the order of the readers matters, see there),
 * territories.c makes what no coverage rule changes (adjacency; department, region and CPTS
 * shapes), scenario.c what a rule makes of them (coverage, uncovered zones) and the writers'
 * outputs. Only when everything is known is anything written, into a temporary directory
 * (outdir.c) opened before anything is read, so that an unusable --out is said at once, and
 * which takes the place of --out at the very end. */
#include "app/run.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/diag.h"
#include "read/inputs.h"
#include "write/outdir.h"
#include "app/scenario.h"
#include "util/stopwatch.h"
#include "analyse/territories.h"
#include "util/util.h"

static int check_required(const run_options *o)
{
    if (o->communes.n == 0)
        return diag_error(NULL, 0, "--communes is required; see cptscov --help");
    if (!o->population)
        return diag_error(NULL, 0, "--population is required; see cptscov --help");
    if (!o->members)
        return diag_error(NULL, 0, "--members is required; see cptscov --help");
    if (!o->out)
        return diag_error(NULL, 0, "--out is required; see cptscov --help");
    return 0;
}

static void print_outcome(const run_options *o, const coverage_scope *scope,
                          const scenario_outcome *s)
{
    const coverage_figures *n = &s->nation;
    if (s->nissues > 0)
        fprintf(stderr, "cptscov: warning: %s; see %s/join_issues.csv\n", s->issues_summary,
                o->out);
    if (scope) {
        const coverage_figures *f = &s->scope;
        printf("covered in %s: %lld of %lld inhabitants (%.2f %%), %d of %d communes, %d CPTS "
               "counting of %d; %d uncovered zone%s; national: %lld of %lld (%.2f %%)\n",
               scope->label, (long long)f->covered_population, (long long)f->population,
               cov_pct(f), f->covered_communes, f->communes, s->scope_cpts_counting,
               s->scope_cpts, s->zones, s->zones == 1 ? "" : "s",
               (long long)n->covered_population, (long long)n->population, cov_pct(n));
        printf("outputs: %s/\n", o->out);
        return;
    }
    printf("covered: %lld of %lld inhabitants (%.2f %%), %d of %d communes, %d CPTS counting "
           "of %d; %d uncovered zone%s\n",
           (long long)n->covered_population, (long long)n->population, cov_pct(n),
           n->covered_communes, n->communes, s->cpts_counting, s->ncpts, s->zones,
           s->zones == 1 ? "" : "s");
    printf("outputs: %s/\n", o->out);
}

int run_job(const run_options *o)
{
    scenario_settings set;
    if (check_required(o) < 0 || scn_check(o, &set) < 0)
        return EXIT_USAGE;
    stopwatch w;
    sw_start(&w, o->timings);
    /* An --out that cannot be written is said at once, not after the whole job. */
    outdir out;
    if (odir_begin(&out, o->out) < 0)
        return EXIT_ERROR;
    inputs *in = xcalloc(1, sizeof *in);
    territories tr = {0};
    coverage_scope scope_store, *scope = NULL;
    scenario_outcome res = {0};
    input_spec spec;
    opt_input_spec(o, &spec);
    int rc = inp_read(in, &spec, &w);
    if (rc == 0 && o->strict && in->issues.n > 0)
        rc = scn_strict_error(&in->issues);
    if (rc == 0 && o->scope) {
        rc = scope_resolve(&scope_store, o->scope, in->codes, &in->table);
        if (rc == 0)
            scope = &scope_store;
    }
    const coverage_scope *const scopes[1] = {scope};
    if (rc == 0) {
        terr_report_scales report;
        scn_report_scales(&in->table, &report);
        rc = terr_build(&tr, &in->table, &report, scopes, 1, o->threads, &w);
    }
    if (rc == 0) {
        if (o->simplify_m > 0)
            rc = terr_simplify(&tr, &o->simplify_m, 1, o->threads, &w);
    }
    if (rc == 0) {
        rc = scn_run(in, &tr, o, &set, scope, &out, o->threads, in->table.geos, &res, &w);
    }
    if (rc != 0)
        odir_abort(&out);
    if (rc == 0 && !o->quiet)
        print_outcome(o, scope, &res);
    sw_total(&w);
    if (scope)
        scope_free(scope);
    terr_free(&tr);
    inp_free(in);
    free(in);
    return rc == 0 ? EXIT_OK : EXIT_ERROR;
}
