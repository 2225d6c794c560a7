/* outdir.c -- an output directory written whole or not at all.
 * Files go to a temporary directory beside it, swapped into place at the end.
 *
 * A map that a GIS tool loads as if complete while half of it is missing is worse than no
 * map, so nothing is written into --out itself: the run writes into ".NAME.tmp-XXXXXX" in the
 * same parent (same file system, so renames are atomic), then exchanges it with the previous
 * output in one renameat2(RENAME_EXCHANGE) and removes the old one. A reader of --out sees
 * the old output or the new one, never a mixture. A directory that is not a previous output
 * of cptscov is never replaced: it might be someone's home. A symbolic link given as --out is
 * followed: the output it points to is replaced where it is, and the link kept.
 *
 * A run killed before its end (kill -9, a crash) leaves its temporary directory behind, as
 * large as a whole output. Each run holds an flock() on its temporary directory until it
 * ends, and the kernel drops the lock of a process that dies, so the next run into the same
 * --out removes the ".NAME.tmp-XXXXXX" beside it whose lock it can take: those of runs that
 * are gone, never one still writing (a pid would not tell across containers or machines
 * sharing the directory).
 *
 * A batch's OUT holds one such output per scenario and its manifest; it is never replaced,
 * only held (odir_hold): the same flock() on OUT keeps a second batch out while one writes
 * there. Whose a directory is (empty, or holding the file cptscov marks it with) and taking
 * a directory's lock are written once, below, for both. */
#include "write/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/util.h"

/* Removes directory path and the files it holds (no subdirectories are made by cptscov). */
static void remove_dir(const char *path)
{
    struct stat lst;
    if (lstat(path, &lst) == 0 && !S_ISDIR(lst.st_mode)) {
        unlink(path);  /* never follow a link: remove the link itself */
        return;
    }
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = xasprintf("%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_dir(p);
            else
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(path);
}

/* Opens directory path (flags: 0, or O_NOFOLLOW to refuse a link) and takes its flock()
 * without waiting. Returns the fd, or -1 with errno set: it cannot be opened, or another
 * process holds its lock. */
static int lock_dir(const char *path, int flags)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* 1 when dir holds nothing, 0 when it holds something, -1 when it cannot be listed. */
static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int empty = 1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

/* 1 when dir holds the file mark, whose first bytes hold head when head is not NULL: the
 * file cptscov writes in what it makes, by which it knows a directory is its own. */
static int has_mark(const char *dir, const char *mark, const char *head)
{
    char *p = xasprintf("%s/%s", dir, mark);
    if (!head) {
        int there = access(p, F_OK) == 0;
        free(p);
        return there;
    }
    FILE *f = fopen(p, "r");
    free(p);
    if (!f)
        return 0;
    char text[256] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return strstr(text, head) != NULL;
}

/* The open temporary directory of an output, locked until it is committed or aborted (a
 * batch writes several at once). */
static void release_lock(outdir *o)
{
    if (o->lock >= 0)
        close(o->lock);
    o->lock = -1;
}

/* Removes the temporary directories of name in parent that runs which died left behind:
 * exactly ".NAME.tmp-XXXXXX" (as mkdtemp makes them), directories, whose lock nobody holds. */
static void remove_stale(const char *parent, const char *name)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    char *prefix = xasprintf(".%s.tmp-", name);
    size_t len = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, len) != 0)
            continue;
        const char *x = e->d_name + len;
        if (strlen(x) != 6 ||
            strspn(x, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != 6)
            continue;
        char *p = xasprintf("%s/%s", parent, e->d_name);
        int fd = lock_dir(p, O_NOFOLLOW);
        if (fd >= 0) {
            remove_dir(p);
            close(fd);
        }
        free(p);
    }
    closedir(d);
    free(prefix);
}

/* 1 when dir is empty or holds a summary.json written by cptscov; never one it cannot list,
 * which it could not remove. */
static int replaceable(const char *dir)
{
    int empty = dir_empty(dir);
    return empty == 1 ||
           (empty == 0 && has_mark(dir, "summary.json", "\"generator\": \"cptscov\""));
}

int odir_begin(outdir *o, const char *final)
{
    o->final = NULL;
    o->named = NULL;
    o->tmp = NULL;
    o->lock = -1;
    size_t len = strlen(final);
    while (len > 1 && final[len - 1] == '/')
        len--;
    char *clean = xstrdup(final);
    clean[len] = '\0';
    struct stat st;
    if (lstat(clean, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* A link to the output: the output is replaced where it is, and the link kept
         * (exchanging the link itself would empty its target and leave the link behind). */
        char *real = realpath(clean, NULL);
        if (!real) {
            int e = errno;
            free(clean);
            return diag_error(final, 0, "is a symbolic link that cannot be followed: %s; choose "
                                        "another --out", strerror(e));
        }
        free(clean);
        clean = real;
    }
    if (stat(clean, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            free(clean);
            return diag_error(final, 0, "exists and is not a directory; choose another --out");
        }
        if (!replaceable(clean)) {
            free(clean);
            return diag_error(final, 0, "exists and is not an output of cptscov; choose another "
                                        "--out or empty it");
        }
    }
    char *d1 = xstrdup(clean), *d2 = xstrdup(clean);
    const char *parent = dirname(d1), *name = basename(d2);
    remove_stale(parent, name);
    o->tmp = xasprintf("%s/.%s.tmp-XXXXXX", parent, name);
    struct stat pst;
    int no_parent = stat(parent, &pst) != 0;
    free(d1);
    free(d2);
    if (!mkdtemp(o->tmp)) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        free(clean);
        if (no_parent)
            return diag_error(final, 0, "the directory that should hold it does not exist; "
                                        "create it or choose another --out");
        return diag_error(final, 0, "cannot create the output beside it: %s; choose a writable "
                                    "--out", strerror(e));
    }
    chmod(o->tmp, 0755);
    o->lock = lock_dir(o->tmp, 0);
    if (o->lock < 0) {
        /* Another run took it for a dead one's in the instant between its creation and now. */
        int e = errno;
        odir_abort(o);
        free(clean);
        return diag_error(final, 0, "cannot lock the output being written: %s; run again",
                          strerror(e));
    }
    o->final = clean;
    o->named = xasprintf("%.*s", (int)len, final);
    return 0;
}

int odir_commit(outdir *o)
{
    /* No fsync: the guarantee is against a run that dies (kill -9, a crash), which the
     * rename gives; against a power cut, the file system's own ordering is what there is. */
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) == 0) {
        remove_dir(o->tmp);  /* now the previous output */
    } else if (errno == ENOENT) {
        if (rename(o->tmp, o->final) != 0) {
            int e = errno;
            diag_error(o->named, 0, "cannot move the output into place: %s", strerror(e));
            odir_abort(o);
            return -1;
        }
    } else {
        int e = errno;
        diag_error(o->named, 0, "cannot replace the previous output: %s; remove it and run "
                                "again", strerror(e));
        odir_abort(o);
        return -1;
    }
    free(o->tmp);
    free(o->final);
    free(o->named);
    o->tmp = o->final = o->named = NULL;
    release_lock(o);
    return 0;
}

void odir_abort(outdir *o)
{
    if (o->tmp) {
        /* The writers name the files they write in tmp; the user knows --out. */
        if (o->named)
            diag_rename_path(o->tmp, o->named);
        remove_dir(o->tmp);
    }
    release_lock(o);
    free(o->tmp);
    free(o->final);
    free(o->named);
    o->tmp = o->final = o->named = NULL;
}

int odir_hold(const char *dir, const char *mark)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (mkdir(dir, 0755) != 0)
            return diag_error(dir, 0, "cannot create the output directory: %s; create its parent "
                                      "or choose another --out", strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return diag_error(dir, 0, "exists and is not a directory; choose another --out");
    } else if (!has_mark(dir, mark, NULL) && dir_empty(dir) != 1) {
        return diag_error(dir, 0, "exists and is not an output of cptscov batch (no %s); choose "
                                  "another --out or empty it", mark);
    }
    int fd = lock_dir(dir, 0);
    if (fd < 0)
        return diag_error(dir, 0, "another cptscov batch is writing it; wait for it to end");
    return fd;
}

void odir_release(int lock)
{
    if (lock >= 0)
        close(lock);
}
