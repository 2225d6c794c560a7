/* inputs.h -- the inputs of a job read and joined once: the commune table and what came with it.
 * Every scenario of a batch reads the same joined inputs; none of them changes them. */
#ifndef CPTSCOV_INPUTS_H
#define CPTSCOV_INPUTS_H

#include "model/commune_table.h"
#include "model/input_file.h"
#include "util/diag.h"
#include "read/input_spec.h"
#include "read/readers.h"
#include "util/stopwatch.h"

typedef struct inputs {
    commune_table table;     /* its GEOS context is the reading thread's */
    passage passage;
    int has_passage;
    epci_table epci;
    int has_epci;
    fld_codes codes;         /* the rules its codes were read by, for --scope's too */
    join_issues issues;      /* met while reading and joining */
    input_file *files;       /* every file as read, in order, for summary.json */
    int nfiles, capfiles;
} inputs;

/* Reads the inputs spec names, in the order that matters. Returns 0, or -1 after diag_error;
 * in both cases inp_free frees what was read. */
int inp_read(inputs *in, const input_spec *spec, stopwatch *w);
void inp_free(inputs *in);
/* Records a file read (kind as in input_file; path borrowed) after the others. */
void inp_add_file(inputs *in, const char *kind, const char *path, long rows);

#endif
