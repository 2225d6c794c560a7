/* diag.h -- errors for people, and the list of join issues.
 * An error is one line, "cptscov: FILE:LINE: what is wrong and what to do". */
#ifndef CPTSCOV_DIAG_H
#define CPTSCOV_DIAG_H

#include <pthread.h>
#include <stdio.h>

/* Exit statuses. */
enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

/* Records the error (the first one wins) and returns -1, so that "return diag_error(...)"
 * reads naturally. file may be NULL (no location), line <= 0 (file only). */
int diag_error(const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The recorded error, as the one line to print (without "cptscov: "), or NULL. */
const char *diag_message(void);
void diag_clear(void);
/* Replaces every `from` in the recorded error with `to` (outdir.c: the temporary directory
 * that a writer named by the --out the user knows). */
void diag_rename_path(const char *from, const char *to);

/* Where a thread's errors go: the global context unless diag_use says otherwise. A batch
 * gives each scenario its own; pool_run passes the caller's context to its workers. */
typedef struct diag_context {
    pthread_mutex_t lock;
    char message[2048];
    int has_message;
} diag_context;

void diag_context_init(diag_context *c);
void diag_context_free(diag_context *c);
/* The calling thread's context (NULL: the global one), and setting it (NULL: the global). */
diag_context *diag_current(void);
void diag_use(diag_context *c);

/* One problem the join met: it does not stop the run, unless --strict. */
typedef struct join_issue {
    char *file;
    long line;       /* 0 when none */
    char *code;      /* commune code, CPTS id or "" */
    char *kind;      /* a fixed word: unknown_code, repaired_code, merged_commune, ... */
    char *message;
} join_issue;

typedef struct join_issues {
    join_issue *items;
    int n, cap;
} join_issues;

void jis_init(join_issues *l);
void jis_free(join_issues *l);
void jis_add(join_issues *l, const char *file, long line, const char *code, const char *kind,
             const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Appends copies of the issues of from to to, in their order. */
void jis_append(join_issues *to, const join_issues *from);
/* Writes "N join issues (K kind, ...)" into buf, kinds as jis_count_kinds gives them. */
void jis_summary(const join_issues *l, char *buf, size_t size);

/* A kind of join issue and how many of a list's issues have it. */
typedef struct jis_kind {
    const char *kind;   /* the list's own text: valid while the list is */
    int count;
} jis_kind;

/* Every kind of l's issues, once, in order of first appearance, with its count: *nkinds of
 * them, in an array to free (NULL when l has no issue). */
jis_kind *jis_count_kinds(const join_issues *l, int *nkinds);

#endif
