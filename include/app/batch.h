/* batch.h -- `cptscov batch CONFIG --out OUT`: many scenarios on inputs read once.
 * Each scenario is written to OUT/NAME/ as `cptscov run` writes it; unchanged ones are skipped. */
#ifndef CPTSCOV_BATCH_H
#define CPTSCOV_BATCH_H

#include "app/options.h"

/* Runs the batch of o->config into o->out. Returns 0 when every scenario is done or skipped,
 * 1 when one failed or nothing could be done (the errors printed), 2 for a usage or INI error
 * (after diag_error, printed by the caller). */
int batch_main(const run_options *o);

#endif
