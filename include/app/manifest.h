/* manifest.h -- OUT/manifest.json of a batch: what each scenario was made from.
 * Its inputs (path, size, modification time, SHA-256), its options and the digest of its data. */
#ifndef CPTSCOV_MANIFEST_H
#define CPTSCOV_MANIFEST_H

#include <jansson.h>

/* One file an input is made of (a shapefile is several). */
typedef struct mfst_file {
    char *path;
    long long size;
    long long mtime_ns;       /* modification time, in nanoseconds since the epoch */
    char sha256[65];          /* "" until known */
} mfst_file;

/* Reads path: a JSON object; a missing file gives an empty manifest, and so does one that
 * cannot be parsed (*broken set: the batch then redoes everything and says so). */
json_t *mfst_load(const char *path, int *broken);
/* Writes m into path through a temporary file renamed over it. 0, or -1 after diag_error. */
int mfst_save(const json_t *m, const char *path);

/* The recorded entry of scenario name, or NULL. */
json_t *mfst_scenario(json_t *m, const char *name);
/* The file records of entry e, as a JSON array of {path, size, mtime_ns, sha256}. */
json_t *mfst_files_json(const mfst_file *files, int n);
/* Looks path up in the files of entry e: 1 when recorded with the same size and mtime (its
 * SHA-256 copied into sha), 2 when only the size matches (sha copied: compare it with the
 * file's), 0 otherwise. */
int mfst_file_match(json_t *e, const mfst_file *f, char sha[65]);

#endif
