/* options.h -- the command line of cptscov, from one table.
 * The same table drives parsing, --help and the man page, so they cannot drift apart. */
#ifndef CPTSCOV_OPTIONS_H
#define CPTSCOV_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef struct string_list {
    const char **items;
    int n, cap;
} string_list;

typedef struct run_options {
    string_list communes;
    const char *population, *passage, *members, *epci, *out;
    string_list status;
    string_list formats;
    const char *as_of;
    const char *scope;   /* "region:53", "dep:35,22"; NULL: the whole country */
    const char *code_field, *pop_code, *pop_dep, *pop_reg, *pop_count;
    const char *passage_from, *passage_to;
    const char *geojson_engine;
    const char *lang;   /* of the report: fr (default) or en */
    int threads;  /* 0: the machine's cores */
    double simplify_m; /* --simplify: tolerance of the GeoJSON maps in metres, 0: exact */
    int free_codes;
    int strict, timings, quiet, help, version, man;
} run_options;

/* Parses argv[first..argc-1] into o. Returns 0, or -1 after diag_error (a usage error). */
int opt_parse(run_options *o, int argc, char **argv, int first);
void opt_free(run_options *o);
void opt_print_help(FILE *f);
void opt_print_man(FILE *f);

#endif
