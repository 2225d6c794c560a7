/* input_spec_of.c -- the input spec of a job, from its options (the command line's or a batch's).
 * The one place where the readers' terms meet the options': a new reader option is added here. */
#include "app/options.h"

#include <string.h>

#include "read/input_spec.h"

void opt_input_spec(const run_options *o, input_spec *out)
{
    memset(out, 0, sizeof *out);
    out->communes = o->communes.items;
    out->ncommunes = o->communes.n;
    out->code_field = o->code_field;
    out->population = o->population;
    out->pop = (population_columns){o->pop_code, o->pop_dep, o->pop_reg, o->pop_count};
    out->passage = o->passage;
    out->passage_from = o->passage_from;
    out->passage_to = o->passage_to;
    out->members = o->members;
    out->epci = o->epci;
    out->codes = o->free_codes ? FLD_FREE_CODES : FLD_INSEE_CODES;
    out->threads = o->threads;
}
