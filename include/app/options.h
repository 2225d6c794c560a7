/* options.h -- the command line of cptscov, from one table.
 * The same table drives parsing, --help and the man page (help.h), so they cannot drift apart. */
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
    /* cptscov batch */
    const char *config;  /* the INI file */
    int jobs;            /* scenarios at once; 0: the machine's cores */
    int force;
    string_list owned;   /* values this struct owns (read from an INI file), freed by opt_free */
} run_options;

/* Where an option is taken (the "commands" column of the options table). An option whose
 * row says nothing (0) is an option of a scenario: on run's command line and as a key of a
 * batch's [scenario NAME] sections, which is what a new analysis or output option wants. */
enum {
    OPT_RUN = 1,        /* cptscov run ... */
    OPT_BATCH = 2,      /* cptscov batch CONFIG ... */
    OPT_INPUTS = 4,     /* key of a batch's [inputs] */
    OPT_SCENARIO = 8,   /* key of a batch's [scenario NAME] */
    OPT_PATH = 16,      /* its value is a path: in an INI file, relative to the file */
};

/* Parses argv[first..argc-1] into o: the options of `cptscov run`. Returns 0, or -1 after
 * diag_error (a usage error). */
int opt_parse(run_options *o, int argc, char **argv, int first);
/* The same for the options of `cptscov batch` (where: OPT_BATCH), whose one argument that is
 * not an option is the INI file (o->config). */
int opt_parse_for(run_options *o, int argc, char **argv, int first, unsigned where);
void opt_free(run_options *o);
/* The input spec of o, for inp_read (input_spec_of.c): it borrows o's strings and lists. */
struct input_spec;
void opt_input_spec(const run_options *o, struct input_spec *out);

/* Sets the option named key (its name without "--"; '_' may stand for '-', and a list option
 * may be named in the plural, e.g. "formats") from a value read in an INI file, in a section
 * that takes options of kind where (OPT_INPUTS or OPT_SCENARIO). Lists take comma-separated
 * values and a repeated key adds to the list. Relative paths are taken relative to base_dir
 * (NULL or "." : left as they are). Errors name file:line. Returns 0, or -1 after diag_error. */
int opt_set_key(run_options *o, const char *key, const char *value, unsigned where,
                const char *base_dir, const char *file, long line);
/* Copies into dst (shallowly: dst does not own them) the values of the options of kind where
 * that src has set. */
void opt_merge(run_options *dst, const run_options *src, unsigned where);
/* The options of kind where that o sets, one "name=value" a line in the order of the table,
 * lists comma-separated: what a batch's manifest compares. A new string. */
char *opt_normalise(const run_options *o, unsigned where);
/* The values of the path options (OPT_PATH) of kind where that o sets, every item of a list,
 * as many as there are: a new array of *n paths borrowed from o (free the array, not them;
 * NULL when *n is 0). */
const char **opt_paths(const run_options *o, unsigned where, int *n);

#endif
