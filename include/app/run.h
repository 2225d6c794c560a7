/* run.h -- `cptscov run`: the whole pipeline, from the inputs to the output directory.
 * Readers fill the commune table, analyses read it, writers write it. */
#ifndef CPTSCOV_RUN_H
#define CPTSCOV_RUN_H

#include "app/options.h"

/* Runs the job; returns an exit status (0, or 1 after diag_error). */
int run_job(const run_options *o);

#endif
