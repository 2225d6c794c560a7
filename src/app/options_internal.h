/* options_internal.h -- the rows of the options table of options.c, for help.c.
 * Not for any other module: they use options.h. */
#ifndef CPTSCOV_OPTIONS_INTERNAL_H
#define CPTSCOV_OPTIONS_INTERNAL_H

#include <stddef.h>

#include "app/options.h"

/* OPT_SPLIT: a list that also takes comma-separated values. */
typedef enum opt_kind { OPT_FLAG, OPT_VALUE, OPT_LIST, OPT_SPLIT, OPT_COUNT, OPT_METRES } opt_kind;

typedef struct option_spec {
    const char *name;
    const char *arg;      /* NULL for a flag */
    opt_kind kind;
    size_t offset;        /* into run_options */
    const char *help;
} option_spec;

/* Row i of the table, in its order; NULL past the last. */
const option_spec *opt_spec(size_t i);
/* Where the option of row o is taken: OPT_RUN, OPT_BATCH, OPT_INPUTS, OPT_SCENARIO bits. */
unsigned opt_where(const option_spec *o);
/* Its one-letter form (-j), or 0. */
char opt_short(const option_spec *o);

#endif
