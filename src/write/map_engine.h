/* map_engine.h -- the map writer shared by its interface (map_writer.c) and its two engines.
 * The interface keeps the order of the calls and hands each to the writer's engine: the
 * stream engine (map_geojson.c) writes GeoJSON itself, the GDAL engine (map_gdal.c) any
 * format through GDAL's drivers. Nothing outside src/write/map_*.c includes it. */
#ifndef CPTSCOV_MAP_ENGINE_H
#define CPTSCOV_MAP_ENGINE_H

#include <gdal.h>
#include <ogr_api.h>
#include <proj.h>
#include <stdint.h>
#include <stdio.h>

#include "geom/outline.h"
#include "write/map_writer.h"

typedef struct mw_engine_ops mw_engine_ops;

struct map_file {
    map_format format;
    char *path;
    GDALDatasetH ds;
};

struct map_writer {
    const mw_engine_ops *ops; /* its engine: mw_stream_engine or mw_gdal_engine */
    map_format format;
    int table;                /* an attribute table: no geometry */
    map_file *in;             /* the file this layer is in, when it has several */
    char *path;
    const commune_table *t;
    GEOSContextHandle_t h;    /* the GEOS context of the thread writing this map */
    PJ_CONTEXT *proj;         /* a PROJ context of this writer's own, and in it */
    PJ **to_wgs84;            /* a copy of each layer's transformation (PJ are not shared),
                                 made when first needed (mw_transformations): a traced
                                 territory takes its points from the arcs' in WGS84, and a
                                 copy costs PROJ a look-up in its database */
    topo_outline **outlines;  /* per layer, reused from feature to feature (mw_trace_layers) */
    const map_field *fields;
    int nfields, field;       /* the fields, and the next one to be given */
    /* stream engine */
    int failed;               /* errno of a failed write, or -1 for a geometry PROJ refused */
    FILE *f;
    char *out;
    size_t used;
    long features;
    double *xy;               /* one ring's coordinates */
    size_t xycap;
    /* GDAL engine */
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRFeatureH feature;      /* the feature being given its values */
    GEOSWKBWriter *wkb;       /* NULL for a table */
    long shortened;           /* Shapefile texts and lists shortened to SHP_TEXT_MAX */
};

/* What an engine does at each call of the interface. The interface has checked what it
 * could and counted the field (w->field is one past the value's index when a value is
 * given); every function may assume the calls come in the interface's order. */
struct mw_engine_ops {
    /* Begins the layer of layout m in w->path (or in w->in). 0, or -1 after diag_error. */
    int (*open)(map_writer *w, const map_layout *m);
    void (*begin)(map_writer *w);
    /* Names the next value fd (NULL: the engine names none); w->field is its index. */
    void (*name)(map_writer *w, const map_field *fd);
    void (*string)(map_writer *w, const char *v);       /* v not NULL */
    void (*null)(map_writer *w);
    void (*int64)(map_writer *w, int64_t v);
    void (*real)(map_writer *w, const map_field *fd, double v);
    void (*boolean)(map_writer *w, int v);
    void (*list)(map_writer *w, const char *const *items, int n);
    /* Ends the feature with the polygons of s (NULL: a table's row). 0, or -1 after
     * diag_error. */
    int (*end)(map_writer *w, const shape *s);
    /* Ends it with the polygons of communes idx[0..n-1] traced from arcs, their points
     * taken from lonlat. 0, or -1 after diag_error. */
    int (*end_traced)(map_writer *w, const topo_simplified *arcs, const double *lonlat,
                      const int *idx, int n);
    /* Finishes what open began, if anything (open may have failed or not run), and frees
     * what the engine holds; rc is the status so far. Returns rc, or -1 after diag_error. */
    int (*close)(map_writer *w, int rc);
};

extern const mw_engine_ops mw_stream_engine;   /* map_geojson.c: GeoJSON only */
extern const mw_engine_ops mw_gdal_engine;     /* map_gdal.c: every format */

/* What both engines take from the interface (map_writer.c). */
/* The copies of the layers' transformations, made on first use. */
PJ **mw_transformations(map_writer *w);
/* The outlines of communes idx[0..n-1] traced from arcs, one per layer, in w->outlines;
 * returns the number of polygons. */
int mw_trace_layers(map_writer *w, const topo_simplified *arcs, const int *idx, int n);

#endif
