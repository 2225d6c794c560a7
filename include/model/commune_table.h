/* commune_table.h -- the in-memory model every stage of cptscov shares.
 * Readers fill it, analyses read it and add their results, writers only read it. */
#ifndef CPTSCOV_COMMUNE_TABLE_H
#define CPTSCOV_COMMUNE_TABLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <geos_c.h>

#include "util/strmap.h"

/* A commune code: 5 characters for INSEE's ("35238", "2A004"), up to CODE_LEN with
 * --free-codes, and a NUL. */
#define INSEE_CODE_LEN 5
#define CODE_LEN 15
typedef char commune_code[CODE_LEN + 1];

/* One source of polygons (a layer of an OGR data source) and its CRS.
 * Geometries stay in their layer's CRS; crs_to_wgs84 is a PROJ PJ*. */
typedef struct commune_layer {
    char *path;          /* as given on the command line */
    char *name;          /* layer name */
    char *crs_name;      /* e.g. "RGF93 v1 / Lambert-93" */
    char *crs_id;        /* e.g. "EPSG:2154", or "" when unidentified */
    void *to_wgs84;      /* PJ*: layer CRS -> longitude/latitude WGS84 */
    void *inverse;       /* PJ*, or NULL: when to_wgs84 is only the inverse of a projection
                            and radians to degrees (Lambert-93), that projection (crs.c) */
    void *crs;           /* PJ*: the projection of a projected CRS, for its scale factors */
    int geographic;      /* 1 when the CRS is in longitude/latitude */
    long features;       /* features read */
} commune_layer;

/* Status of a CPTS, in the order of its progress. */
typedef enum cpts_status { STATUS_LETTER = 0, STATUS_PROJECT = 1, STATUS_SIGNED = 2 } cpts_status;
#define STATUS_COUNT 3

typedef struct cpts {
    char *id;
    char *name;
    cpts_status status;
    int signed_on;        /* YYYYMMDD, 0 when none */
    int *communes;        /* indices into commune_table.communes, ascending, no duplicate */
    int ncommunes, capcommunes;
    const char *file;     /* the membership file and line where it was first seen */
    long line;
} cpts;

/* Blocks of points that rings are cut from, freed together: the readers put the points of a
 * polygon of one ring there as they come from OGR, without a GEOS polygon of its own. */
typedef struct ring_blocks {
    double **blocks;
    int nblocks, capblocks;
    size_t used, size;    /* doubles taken from the last block, and its size */
} ring_blocks;

/* Room for n points (2n doubles) in rb. */
double *ctab_ring_room(ring_blocks *rb, size_t n);
/* Gives back the room of the last n points taken. */
void ctab_ring_unroom(ring_blocks *rb, size_t n);
/* Moves the blocks of from to the end of to. */
void ctab_ring_blocks_move(ring_blocks *to, ring_blocks *from);
void ctab_ring_blocks_free(ring_blocks *rb);

typedef struct commune {
    commune_code code;    /* current code, in the population table's vintage */
    char *name;
    char dep[4];          /* "35", "2A", "971" */
    char reg[4];          /* "53"; "975" for an overseas collectivity */
    char *epci;           /* SIREN, or NULL */
    int64_t population;
    long line;            /* line in the population table */

    /* Filled by the geometry reader: */
    GEOSGeometry *geom;   /* polygonal, in the CRS of layers[layer]; NULL when no polygon,
                             when `ring` holds it, and once the arcs are built (territories.c):
                             the polygon then lives in the arcs, topo_shape rebuilds it */
    double *ring;         /* or, a polygon of one ring and no hole as read (most of ADMIN
                             EXPRESS's): its points x, y, the closing one included, in the
                             table's ring blocks; NULL otherwise (ctab_polygon) */
    int nring;            /* its points */
    int layer;            /* -1 when no polygon: the test of having one */
    double planar_area;   /* of the polygon, in its layer's CRS units */
    double bbox[4];       /* xmin, ymin, xmax, ymax of the polygon, in its layer's CRS */
    int parts;            /* how many source polygons were dissolved into geom */
    double area_km2;      /* on the ellipsoid, 0 when no polygon */

    /* Filled by the membership reader: */
    int *cpts;            /* indices into commune_table.cpts, ascending */
    int ncpts, capcpts;
} commune;

typedef struct commune_table {
    commune *communes;
    int ncommunes, capcommunes;
    strmap by_code;           /* code -> index into communes */

    cpts *cpts;
    int ncpts, capcpts;
    strmap cpts_by_id;        /* id -> index into cpts */

    commune_layer *layers;
    int nlayers, caplayers;

    /* Names of departments and regions given by the population table (LIBDEP, LIBREG),
     * keyed "d:35" or "r:53"; they take precedence over the built-in names of france.c. */
    strmap area_name_index;
    char **area_names;
    int nareanames, capareanames;

    /* The context the geometries belong to, which one thread at a time may use. The stages
     * that run one after the other (reading, territories, a batch's digest) use it freely;
     * a scenario's thread, of which a batch runs several at once, uses it only between
     * ctab_geos_lock and ctab_geos_unlock. */
    GEOSContextHandle_t geos;
    pthread_mutex_t geos_lock;  /* ctab_geos_lock's */
    ring_blocks rings;        /* where the communes' rings live */
    /* 1 once the arcs' build took the polygons (topo_build_taking): every commune's geom and
     * ring are then NULL, its polygon lives in the arcs. Whatever reads the polygons as read
     * (a batch's digest of the communes, dig_communes_before_arcs) must run before, and
     * checks this flag rather than read a table without polygons as one. */
    int polygons_taken;
} commune_table;

void ctab_init(commune_table *t, GEOSContextHandle_t geos);
/* Frees what t holds; t is then empty as ctab_init made it (the same GEOS context, which its
 * caller finishes), ready to be filled again. */
void ctab_free(commune_table *t);
/* Takes and gives back the right to use t->geos beside other threads (see geos above). The
 * table may be const to its user: the lock is not part of what it holds. */
void ctab_geos_lock(const commune_table *t);
void ctab_geos_unlock(const commune_table *t);
/* Frees what layer l holds (names, PROJ objects) and zeroes it. */
void ctab_free_layer(commune_layer *l);

/* Adds a commune with the given code; returns its index, or -1 when the code is already there. */
int ctab_add_commune(commune_table *t, const char *code);
/* Makes room for n communes in all (the rows of the population table), so that adding
 * them never moves the table. */
void ctab_reserve_communes(commune_table *t, int n);
/* Index of the commune of that current code, or -1. */
int ctab_find_commune(const commune_table *t, const char *code);

/* Returns the index of the CPTS of that id, adding it when new (*created set to 1). */
int ctab_get_cpts(commune_table *t, const char *id, int *created);
/* Records that commune c belongs to CPTS k; returns 0 when new, 1 when already recorded. */
int ctab_add_member(commune_table *t, int k, int c);

int ctab_add_layer(commune_table *t, const commune_layer *layer);
/* The planar area (layer units) and the extent {xmin, ymin, xmax, ymax} of commune c's
 * polygon (c->layer >= 0): from its GEOS geometry while it has one (read with GEOS context h,
 * the calling thread's), else as the reader recorded them (GEOS's of the same polygon: its
 * ring as read, which never changes, or the polygon now in the arcs). */
double ctab_polygon_area(const commune *c, GEOSContextHandle_t h);
void ctab_polygon_bbox(const commune *c, GEOSContextHandle_t h, double bbox[4]);

/* 1 when commune c holds its polygon: a GEOS geometry or a ring as read. */
int ctab_has_polygon(const commune *c);
/* The polygon of ring xy (n points) as a new GEOS polygon, or NULL when GEOS refuses it. */
GEOSGeometry *ctab_ring_polygon(GEOSContextHandle_t h, const double *xy, int n);
/* Commune c's polygon, read with GEOS context h: its geom, or a polygon made of its ring (put
 * in *made, for the caller to destroy; else *made is NULL), or NULL when it has neither. */
const GEOSGeometry *ctab_polygon(const commune *c, GEOSContextHandle_t h, GEOSGeometry **made);
/* Frees the rings of the communes (the arcs have them): `ring` NULL for every commune. */
void ctab_drop_rings(commune_table *t);

/* Records the name of a department (is_region 0) or region; the first name given wins. */
void ctab_set_area_name(commune_table *t, int is_region, const char *code, const char *name);
/* The name given by the inputs, else the built-in one, else NULL. */
const char *ctab_area_name(const commune_table *t, int is_region, const char *code);

const char *ctab_status_name(cpts_status s);
/* Parses "signed", "project", "letter" (any case, trimmed); returns -1 when unknown. */
int ctab_parse_status(const char *s);

#endif
