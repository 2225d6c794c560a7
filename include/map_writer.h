/* map_writer.h -- writing one map file: features with properties and a territory's polygons.
 * Two engines behind one interface: a streaming RFC 7946 GeoJSON writer, and GDAL/OGR. */
#ifndef CPTSCOV_MAP_WRITER_H
#define CPTSCOV_MAP_WRITER_H

#include <stdint.h>

#include "commune_table.h"
#include "shape.h"

typedef enum map_field_type {
    MF_STRING, MF_INT64, MF_REAL, MF_BOOL, MF_STRING_LIST
} map_field_type;

typedef struct map_field {
    const char *name;
    map_field_type type;
    int decimals;            /* for MF_REAL: reals are rounded to that many decimals */
} map_field;

typedef enum map_engine {
    ENGINE_STREAM,           /* cptscov's own GeoJSON writer: one pass, no object model */
    ENGINE_GDAL              /* GDAL's GeoJSON driver */
} map_engine;

typedef struct map_writer map_writer;

/* Creates path (a GeoJSON file) with a layer of those fields; geometries are read with GEOS
 * context h (the calling thread's). Maps may be written on several threads at once: each
 * writer has its own copies of the PROJ transformations. NULL after diag_error. */
map_writer *mw_open(const char *path, const char *layer, const map_field *fields, int nfields,
                    map_engine engine, const commune_table *t, GEOSContextHandle_t h);
/* A feature: call mw_begin, then one value call per field in the order of the fields,
 * then mw_end with its territory. */
void mw_begin(map_writer *w);
void mw_string(map_writer *w, const char *v);   /* NULL writes null */
void mw_int64(map_writer *w, int64_t v);
void mw_real(map_writer *w, double v);
void mw_bool(map_writer *w, int v);
void mw_list(map_writer *w, const char *const *items, int n);
/* Ends the feature with the polygons of s (in their layers' CRS; taken to WGS84 here).
 * Returns 0, or -1 after diag_error. */
int mw_end(map_writer *w, const shape *s);
/* Finishes the file; rc is the status so far (the file is only checked when rc is 0).
 * Returns 0, or -1 after diag_error. */
int mw_close(map_writer *w, int rc);

#endif
