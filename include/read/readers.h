/* readers.h -- one reader per kind of input; each fills the commune table.
 * A reader joins and harmonises codes; it never computes coverage. */
#ifndef CPTSCOV_READERS_H
#define CPTSCOV_READERS_H

#include <pthread.h>
#include <stdatomic.h>

#include "model/commune_table.h"
#include "model/fields.h"
#include "util/diag.h"
#include "util/strmap.h"

/* Column names given on the command line (NULL: found by name). */
typedef struct population_columns {
    const char *code, *dep, *reg, *count;
} population_columns;

/* The population table: its rows become the current communes. Returns rows read, or -1. */
long read_population(commune_table *t, const char *path, const population_columns *cols,
                     fld_codes codes, join_issues *ji);

/* Older commune codes to current ones (the passage table), and back. */
typedef struct passage {
    strmap index;      /* old code -> index into to[] */
    char **from, **to; /* pairs as read, chains followed to their end */
    int n, cap;
    strmap by_target;  /* current code -> index of its first pair in order[] */
    int *order;        /* pair indices sorted by target, then by old code */
} passage;

long read_passage(passage *p, const char *path, const char *from_col, const char *to_col,
                  fld_codes codes, join_issues *ji);
/* The current code for code, or NULL when the table does not know it. */
const char *pass_current(const passage *p, const char *code);
/* The old codes merged into current code (itself included when listed), in order;
 * returns their count and sets *first to their place in p->order. */
int pass_constituents(const passage *p, const char *current, const int **first);
void pass_free(passage *p);

/* Communes of each EPCI (EPCI;LIBEPCI;NATURE;COM). */
typedef struct epci_table {
    strmap index;       /* SIREN -> index into members */
    char ***members;    /* codes of each EPCI */
    int *nmembers;
    char **names;
    int n, cap;
} epci_table;

long read_epci(epci_table *e, const char *path, fld_codes codes, join_issues *ji);
void epci_free(epci_table *e);

/* Current code of code: itself when current, else through the passage table (NULL when
 * absent). Returns the commune index, or -1; *via_passage set when the code was an old one. */
int harmonise_code(const commune_table *t, const passage *p, const char *code, int *via_passage);

/* The CPTS memberships. epci and passage may be NULL. Returns rows read, or -1. */
long read_members(commune_table *t, const char *path, const passage *p, const epci_table *epci,
                  fld_codes codes, join_issues *ji);

/* A source read ahead (read_communes_internal.h). */
typedef struct crd_source crd_source;

/* Commune polygons, from one or more OGR data sources. */
typedef struct communes_reader {
    commune_table *t;
    const passage *p;
    join_issues *ji;
    const char *code_field;  /* NULL: found by name */
    fld_codes codes;         /* how the code cells are read */
    strmap seen;             /* "layer:code" of every feature read, for duplicates */
    long unmatched;          /* features whose code has no current commune */
    long repaired;           /* polygons made valid */
    int threads;             /* for the validity checks; 0 (crd_init's): every core */
    /* Reading ahead (crd_prefetch): the sources, read by threads of their own. */
    const char *const *paths;
    int nsources;
    crd_source *sources;
    atomic_int taken;        /* sources the readers have taken */
    atomic_int failed;       /* the first source whose reading failed, or INT_MAX */
    int nread;               /* sources read ahead (valid once the read-ahead is joined) */
    int next;                /* the next source crd_read takes */
    pthread_t prefetcher;
    int prefetching;
    atomic_int cancel;       /* crd_free: stop reading ahead */
    atomic_int tables_ready; /* crd_tables_read: the checks may skip features of no commune */
} communes_reader;

void crd_init(communes_reader *r, commune_table *t, const passage *p, const char *code_field,
              fld_codes codes, join_issues *ji);
/* Starts reading sources paths[0..n-1] (kept by the caller until crd_free) on threads of
 * their own, one source each at a time: what needs no table (the features, their codes as written, their polygons checked
 * and repaired), while the caller reads the tables. The table, the passage table and the join
 * issues are only touched by crd_read, in the caller's thread. */
void crd_prefetch(communes_reader *r, const char *const *paths, int n);
/* Says that the tables are read (p: the passage table, or NULL) and will not change until
 * the read-ahead is joined: its checks then skip the features whose code has no commune. */
void crd_tables_read(communes_reader *r, const passage *p);
/* Reads every layer of path that holds a code field (taken from the read-ahead when path is
 * the next source crd_prefetch was given, read now otherwise): codes are carried through the
 * passage table, polygons repaired when invalid and attached to their current commune.
 * Returns the features read, or -1 after diag_error. */
long crd_read(communes_reader *r, const char *path);
/* Once every source is read: dissolves the polygons of merged communes, computes areas,
 * reports the communes left without polygon. */
void crd_finish(communes_reader *r);
void crd_free(communes_reader *r);

#endif
