/* fuzz_common.h -- what the libFuzzer targets share: GDAL set up once, the input as a file.
 * The readers open a path (tbl_open stats it and hands "CSV:path" to GDAL), so each input is
 * written to a scratch file of this process, in memory (/dev/shm) when the machine has it. */
#ifndef CPTSCOV_FUZZ_COMMON_H
#define CPTSCOV_FUZZ_COMMON_H

#include <cpl_error.h>
#include <gdal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/diag.h"

/* A check of the target's own: on failure, says which and aborts, so libFuzzer keeps the input. */
#define FZ_CHECK(cond)                                                                     \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

#define FZ_MAX_FILES 4
static char fz_paths[FZ_MAX_FILES][96];

static inline void fz_remove_files(void)
{
    for (int i = 0; i < FZ_MAX_FILES; i++)
        if (fz_paths[i][0])
            unlink(fz_paths[i]);
}

/* Writes size bytes of data to scratch file slot (0 for the input, others for fixed tables);
 * returns its path. */
static inline const char *fz_write(int slot, const char *name, const void *data, size_t size)
{
    if (!fz_paths[slot][0]) {
        struct stat st;
        const char *dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
        snprintf(fz_paths[slot], sizeof fz_paths[slot], "%s/cptscov-fuzz-%ld-%s.csv", dir,
                 (long)getpid(), name);
    }
    FILE *f = fopen(fz_paths[slot], "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(fz_paths[slot]);
        abort();
    }
    return fz_paths[slot];
}

/* GDAL quiet and its drivers registered, once (from LLVMFuzzerInitialize). */
static inline void fz_init_gdal(void)
{
    CPLSetErrorHandler(CPLQuietErrorHandler);
    GDALAllRegister();
    atexit(fz_remove_files);
}

/* The LLVMFuzzerInitialize of a target that needs nothing but GDAL. */
#define FZ_INITIALIZE_GDAL()                                                                \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                       \
    {                                                                                        \
        (void)argc;                                                                          \
        (void)argv;                                                                          \
        fz_init_gdal();                                                                      \
        return 0;                                                                            \
    }

/* After a reader: -1 always comes with the one error line, and the next input starts clean. */
static inline void fz_after(long r)
{
    if (r < 0)
        FZ_CHECK(diag_message() != NULL && diag_message()[0]);
    diag_clear();
}

#endif
