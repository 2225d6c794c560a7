/* map_writer.h -- writing one map layer: features with properties and a territory's polygons.
 * Four formats (GeoJSON, GeoPackage, FlatGeobuf, Shapefile) behind one interface. */
#ifndef CPTSCOV_MAP_WRITER_H
#define CPTSCOV_MAP_WRITER_H

#include <stdint.h>

#include "model/commune_table.h"
#include "geom/shape.h"

typedef enum map_field_type {
    MF_STRING,
    MF_INT,                  /* 32-bit counts and ranks */
    MF_INT64,                /* populations */
    MF_REAL,
    MF_BOOL,                 /* boolean where the format has one, else 0/1 */
    MF_DATE,                 /* given as YYYY-MM-DD text; a date where the format has one */
    MF_DATETIME,             /* given as YYYY-MM-DDTHH:MM:SS text */
    MF_STRING_LIST           /* a list where the format has one, else JSON or joined text */
} map_field_type;

typedef struct map_field {
    const char *name;
    map_field_type type;
    int decimals;            /* for MF_REAL: reals are rounded to that many decimals */
    const char *shp_name;    /* the Shapefile's name when name is longer than 10 characters */
} map_field;

/* What one layer holds: its name and fields; a table has no geometry. */
typedef struct map_layout {
    const char *name;
    const map_field *fields;
    int nfields;
    int table;               /* 1: an attribute table (no geometry) */
} map_layout;

typedef enum map_format { MAP_GEOJSON, MAP_GPKG, MAP_FGB, MAP_SHP, MAP_NFORMATS } map_format;

typedef enum map_engine {
    ENGINE_STREAM,           /* cptscov's own GeoJSON writer: one pass, no object model */
    ENGINE_GDAL              /* GDAL's GeoJSON driver */
} map_engine;

/* "geojson", "gpkg", "fgb", "shp": the --format names. */
const char *mw_format_name(map_format f);
/* The format of that name, or -1. */
int mw_format_of(const char *name);
/* The Shapefile's name of a field (at most 10 characters). */
const char *mw_shp_name(const map_field *f);

typedef struct map_writer map_writer;
/* A file several layers go into (a GeoPackage). */
typedef struct map_file map_file;

/* Creates path as a file of format f that layers are added to with mw_open. NULL after
 * diag_error. */
map_file *mw_file_open(const char *path, map_format f);
/* Closes it; rc is the status so far. Returns 0, or -1 after diag_error. */
int mw_file_close(map_file *mf, int rc);

/* Creates a layer of layout m: in file `in` when given (its format), else in a new file
 * path of format f. GeoJSON is written by `engine`; every other format by GDAL. Geometries
 * are read with GEOS context h (the calling thread's); maps may be written on several
 * threads at once, each writer having its own copies of the PROJ transformations (t may be
 * NULL for a table). NULL after diag_error. */
map_writer *mw_open(const char *path, map_file *in, const map_layout *m, map_format f,
                    map_engine engine, const commune_table *t, GEOSContextHandle_t h);
/* A feature: call mw_begin, then one value call per field in the order of the fields,
 * then mw_end with its territory (NULL for a table's row). */
void mw_begin(map_writer *w);
void mw_string(map_writer *w, const char *v);   /* also MF_DATE, MF_DATETIME; NULL: null */
void mw_int64(map_writer *w, int64_t v);        /* MF_INT, MF_INT64 */
void mw_real(map_writer *w, double v);
void mw_bool(map_writer *w, int v);
void mw_list(map_writer *w, const char *const *items, int n);
void mw_null(map_writer *w);                    /* any field */
/* Ends the feature with the polygons of s (in their layers' CRS; taken to WGS84 here).
 * Returns 0, or -1 after diag_error. */
int mw_end(map_writer *w, const shape *s);
/* The same for a shape traced from the exact arcs arcs (s->traced) of communes idx[0..n-1]:
 * they are traced again and their points taken from lonlat, the arcs' points in WGS84
 * (topo_points_map), each shared point projected once for every map and format; a shape
 * not traced, as mw_end. */
int mw_end_traced(map_writer *w, const shape *s, const struct topo_simplified *arcs,
                  const double *lonlat, const int *idx, int n);
/* 1 when mw_end_traced takes s's polygons from the arcs (s traced, arcs and lonlat given),
 * never from s. */
int mw_traces(const map_writer *w, const shape *s, const struct topo_simplified *arcs,
              const double *lonlat);
/* Finishes the layer (and its file, unless it is in a map_file); rc is the status so far
 * (the file is only checked when rc is 0). Returns 0, or -1 after diag_error. */
int mw_close(map_writer *w, int rc);
/* How many list values of a Shapefile were shortened to the 254 bytes of a field. */
long mw_shortened(const map_writer *w);

#endif
