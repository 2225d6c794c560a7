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
 * A run killed before its end (kill -9, a crash) leaves its temporary directory behind; on the
 * national job that is hundreds of megabytes. Each run holds an flock() on its temporary
 * directory until it ends, and the kernel drops the lock of a process that dies, so the next
 * run into the same --out removes the ".NAME.tmp-XXXXXX" beside it whose lock it can take:
 * those of runs that are gone, never one still writing (a pid would not tell across
 * containers or machines sharing the directory). */
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
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
            remove_dir(p);
        if (fd >= 0)
            close(fd);
        free(p);
    }
    closedir(d);
    free(prefix);
}

/* 1 when dir is empty or holds a summary.json written by cptscov. */
static int replaceable(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int empty = 1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    if (empty)
        return 1;
    char *p = xasprintf("%s/summary.json", dir);
    FILE *f = fopen(p, "r");
    free(p);
    if (!f)
        return 0;
    char head[256] = "";
    size_t n = fread(head, 1, sizeof head - 1, f);
    head[n] = '\0';
    fclose(f);
    return strstr(head, "\"generator\": \"cptscov\"") != NULL;
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
    o->lock = open(o->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->lock < 0 || flock(o->lock, LOCK_EX | LOCK_NB) != 0) {
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
