/* outdir.h -- an output directory written whole or not at all.
 * Files go to a temporary directory beside it, swapped into place at the end. */
#ifndef CPTSCOV_OUTDIR_H
#define CPTSCOV_OUTDIR_H

typedef struct outdir {
    char *final;   /* the directory asked for (a link given as --out: what it points to) */
    char *named;   /* --out as given, which error messages name instead of tmp */
    char *tmp;     /* where the files are written until odir_commit */
    int lock;      /* fd of tmp, flock()ed while this output is written; -1 when none */
} outdir;

/* Checks that final may be (re)placed and creates the temporary directory.
 * Returns 0, or -1 after diag_error. */
int odir_begin(outdir *o, const char *final);
/* Moves the temporary directory into place, replacing a previous output. 0 or -1. */
int odir_commit(outdir *o);
/* Removes the temporary directory and what it holds (after an error). The error recorded
 * names files under --out, not in the temporary directory that no longer exists. */
void odir_abort(outdir *o);

/* A directory of outputs (a batch's OUT: an outdir per scenario, and the file mark that says
 * it is one, its manifest), written by one process at a time. Creates dir when missing and
 * refuses one that holds something but not mark (someone else's: nothing in it is touched),
 * then takes its flock(), which the kernel drops when the process dies. Returns the lock's fd,
 * for odir_release, or -1 after diag_error (another process holds it, or dir is not ours). */
int odir_hold(const char *dir, const char *mark);
/* Lets another process write dir (lock: odir_hold's fd; -1 does nothing). */
void odir_release(int lock);

#endif
