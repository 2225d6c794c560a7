/* input_spec.h -- what a job reads: the paths of its inputs and how each is to be read.
 * app/ builds it from the command line or a batch's [inputs]; the readers know neither. */
#ifndef CPTSCOV_INPUT_SPEC_H
#define CPTSCOV_INPUT_SPEC_H

#include "model/fields.h"
#include "read/readers.h"

/* Every string is borrowed: it outlives the inputs read with the spec (their files[] name
 * these paths). */
typedef struct input_spec {
    const char *const *communes;  /* the polygon sources (--communes), in order */
    int ncommunes;
    const char *code_field;       /* their code field (--code-field); NULL: found by name */
    const char *population;       /* the population table (--population) */
    population_columns pop;       /* its columns (--pop-code, --pop-dep, ...); NULL: by name */
    const char *passage;          /* the passage table (--passage), or NULL */
    const char *passage_from, *passage_to; /* its columns; NULL: found by name */
    const char *members;          /* the CPTS memberships (--members) */
    const char *epci;             /* the communes of each EPCI (--epci), or NULL */
    fld_codes codes;              /* the rules every code is read by (--free-codes) */
    int threads;                  /* for the polygons' checks; 0: every core */
} input_spec;

#endif
