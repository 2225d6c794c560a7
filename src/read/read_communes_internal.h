/* read_communes_internal.h -- what the four files of the commune polygon reader share.
 * A source read ahead and the features of its layers, checked, until the join takes them. */
#ifndef CPTSCOV_READ_COMMUNES_INTERNAL_H
#define CPTSCOV_READ_COMMUNES_INTERNAL_H

#include <gdal.h>
#include <ogr_api.h>
#include <pthread.h>

#include "model/commune_table.h"
#include "read/readers.h"

/* What became of a feature's geometry on its way from OGR to GEOS. */
enum { CONV_OK, CONV_EMPTY, CONV_CLOSED, CONV_BAD };

/* A feature as read, before any table is looked at: its code as written, its geometry
 * checked. */
typedef struct read_polygon {
    long fid;
    char *raw;              /* the code cell */
    char *name;             /* the name cell, "" without a name field */
    GEOSGeometry *g;        /* as read; after the check, valid and polygonal, or NULL */
    double *xy;             /* or a polygon of one ring, as read: its points, in the batch's
                               ring blocks; after the check, simple (else moved to g) */
    int n;                  /* its points */
    int conv;               /* CONV_*: how it came from OGR */
    char *conv_error;       /* GDAL's error while converting it, or NULL: it fails the layer
                               if the feature is joined, as reading a joined feature does */
    char *why;              /* why it was invalid (GEOS's words), or NULL */
    int not_polygonal;      /* valid, but nothing polygonal in it */
} read_polygon;

/* The polygons of a layer, checked while the layer is still being read: the reading thread
 * publishes them by chunks, which checkers take as they come (the reading, one thread's work,
 * and the checks, most of the reading time, overlap). Items
 * live in chunks that never move, so a checker works on its chunk without the lock. */
typedef struct polygon_batch {
    pthread_t *checkers;    /* the checker threads, until they are joined */
    int nchecking;
    read_polygon **chunks;
    int nchunks, capchunks;
    int n;                  /* items read */
    pthread_mutex_t lock;
    pthread_cond_t more;
    int ready;              /* items published: the checkers may take them */
    int done;               /* the reading is over: every item is published */
    int next;               /* the next chunk to check */
    const communes_reader *r; /* its cancel flag (chunks then taken unchecked), and once the
                                 tables are read, which codes have a commune */
    ring_blocks rings;        /* the points of the items' rings (xy), the reader's own */
} polygon_batch;

#define CHECK_CHUNK 256

static inline read_polygon *crd_batch_item(const polygon_batch *b, int i)
{
    return &b->chunks[i / CHECK_CHUNK][i % CHECK_CHUNK];
}

/* A layer read ahead: its CRS set up (not yet in the table), its features read and checked.
 * The batch does not move (the checkers hold it) while the source's layers grow. */
typedef struct read_layer {
    commune_layer cl;
    polygon_batch *b;
} read_layer;

/* A source read ahead: its layers with a code field, in order, then the error that stopped
 * the reading, if any (the message, as diag_message gives it). */
struct crd_source {
    char *path;
    read_layer *layers;
    int nlayers;
    char *error;
    long features;           /* features of its layers */
};

/* ogr_rings.c */
GEOSGeometry *crd_feature_geometry(GEOSContextHandle_t h, OGRFeatureH f, int *conv,
                                   ring_blocks *rb, double **xy, int *n);

/* commune_validity.c */
void crd_add_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***parts,
                      int *n, int *cap);
void crd_check_chunks(polygon_batch *b, GEOSContextHandle_t h);
void *crd_checker(void *arg);
void crd_batch_add(polygon_batch *b, const read_polygon *p);

/* commune_source.c */
void crd_free_source(crd_source *s, GEOSContextHandle_t h);
int crd_read_source_apart(const communes_reader *r, const char *path, crd_source *s,
                          GEOSContextHandle_t h);
void crd_finish_checks(crd_source *s, GEOSContextHandle_t h);
void crd_prefetch_wait(communes_reader *r);

#endif
