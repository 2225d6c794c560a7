/* batch_config.h -- the INI file of `cptscov batch`: one [inputs] section, many scenarios.
 * Keys are the options of `cptscov run` without "--", looked up in the options table. */
#ifndef CPTSCOV_BATCH_CONFIG_H
#define CPTSCOV_BATCH_CONFIG_H

#include "app/options.h"

typedef struct batch_scenario {
    char *name;              /* a safe directory name: OUT/NAME/ */
    long line;               /* of its [scenario NAME] header */
    run_options options;     /* its keys only (those of a scenario) */
} batch_scenario;

typedef struct batch_config {
    char *path;              /* the INI file, as given */
    char *dir;               /* its directory: relative paths are taken from there */
    run_options inputs;      /* the keys of [inputs] */
    batch_scenario *scenarios;
    int n, cap;
} batch_config;

/* Reads path. Errors (syntax, unknown key or section, unsafe or duplicate scenario name, a
 * value an option refuses) say path:line. Returns 0, or -1 after diag_error; bcfg_free frees
 * c either way. */
int bcfg_read(batch_config *c, const char *path);
void bcfg_free(batch_config *c);
/* 1 when name may be a directory of OUT: 1 to 64 letters, digits, '-', '_' or '.', not
 * starting with '.'. */
int bcfg_safe_name(const char *name);

#endif
