/* read_communes.c -- commune polygons from OGR data sources (ADMIN EXPRESS shapefiles...).
 * Each polygon is carried to its current commune, repaired if invalid, and attached.
 *
 * ADMIN EXPRESS ships one layer per territory, each in its own projection, and polygons of
 * its own year: a commune nouvelle may still be three old communes there. Polygons stay in
 * their layer's CRS (shared edges stay exact, which the coverage union and the adjacency
 * rely on); the polygons of old communes are gathered on their current commune and
 * dissolved once every source is read.
 *
 * Reading and checking a polygon needs no table, only joining it does; so the sources are
 * read ahead on threads of their own (crd_prefetch) while inputs.c reads the tables, and
 * joined after them (crd_read). The readers touch neither the table nor the join issues:
 * what it meets is kept with each feature (how its geometry came from OGR, why it was
 * invalid) and its error with its source, and the join reports them in the order a reading
 * one by one would have, so the outputs and the first error do not depend on threads.
 *
 * Nearly every commune is a polygon of one ring and no hole. Such a polygon is kept as its
 * ring (commune.ring: points in blocks the table frees together) and never made a GEOS
 * polygon on the way to the arcs, which copy its points and drop it: GEOS's 24 bytes a point
 * and its objects a ring were 60 MB of memory the process touched for the first time, which
 * on a virtual machine costs more than the copies. Whatever needs GEOS (a ring not simple,
 * a commune of several polygons, the areas) makes the polygon from the ring, the same points
 * in the same order, so nothing computed differs. */
#include "read/readers.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <proj.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "geom/crs.h"
#include "model/fields.h"
#include "util/gdal_drivers.h"
#include "util/pool.h"
#include "geom/segment.h"
#include "geom/shape.h"
#include "util/util.h"

static const char *const code_names[] = {"INSEE_COM", "insee_com", "code", "CODGEO", "CODE_INSEE",
                                         "COM", NULL};
static const char *const name_names[] = {"NOM", "NOM_COM", "nom", "name", "LIBGEO", NULL};

void crd_init(communes_reader *r, commune_table *t, const passage *p, const char *code_field,
              join_issues *ji)
{
    memset(r, 0, sizeof *r);
    r->t = t;
    r->p = p;
    r->ji = ji;
    r->code_field = code_field;
    atomic_init(&r->cancel, 0);
    atomic_init(&r->tables_ready, 0);
    smap_init(&r->seen);
}


static int find_field(OGRFeatureDefnH defn, const char *override, const char *const *names)
{
    if (override)
        return OGR_FD_GetFieldIndex(defn, override);
    for (const char *const *n = names; *n; n++) {
        int i = OGR_FD_GetFieldIndex(defn, *n);
        if (i >= 0)
            return i;
    }
    return -1;
}

/* Appends clones of the polygons of g to parts. */
static void add_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***parts,
                         int *n, int *cap)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON && !GEOSisEmpty_r(h, g)) {
        GROW(*parts, *cap, *n + 1);
        (*parts)[(*n)++] = GEOSGeom_clone_r(h, g);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            add_polygons(h, GEOSGetGeometryN_r(h, g, i), parts, n, cap);
    }
}

/* The polygonal part of g as one geometry (consumes g); NULL when it has none. */
static GEOSGeometry *polygonal(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
        if (!GEOSisEmpty_r(h, g))
            return g;
        GEOSGeom_destroy_r(h, g);
        return NULL;
    }
    GEOSGeometry **parts = NULL;
    int n = 0, cap = 0;
    add_polygons(h, g, &parts, &n, &cap);
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *r = n ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n) : NULL;
    free(parts);
    return r;
}

/* What became of a feature's geometry on its way from OGR to GEOS. */
enum { CONV_OK, CONV_EMPTY, CONV_CLOSED, CONV_BAD };

/* The ring og as a GEOS ring, its points copied straight from OGR (through buf, grown as
 * needed), or NULL when GEOS refuses it (too few points, not closed). */
static GEOSGeometry *ring_of_ogr(GEOSContextHandle_t h, OGRGeometryH og, double **buf,
                                 size_t *cap)
{
    int n = OGR_G_GetPointCount(og);
    if (n <= 0)
        return NULL;
    if ((size_t)n * 2 > *cap) {
        *cap = (size_t)n * 2;
        *buf = xrealloc(*buf, *cap * sizeof **buf);
    }
    OGR_G_GetPoints(og, *buf, 2 * sizeof(double), *buf + 1, 2 * sizeof(double), NULL, 0);
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, *buf, (unsigned)n, 0, 0);
    return seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
}

/* Polygon og (2D) in GEOS, or NULL when a ring is refused. */
static GEOSGeometry *polygon_of_ogr(GEOSContextHandle_t h, OGRGeometryH og, double **buf,
                                    size_t *cap)
{
    int nr = OGR_G_GetGeometryCount(og);
    if (nr <= 0)
        return NULL;
    GEOSGeometry *shell = ring_of_ogr(h, OGR_G_GetGeometryRef(og, 0), buf, cap);
    GEOSGeometry **holes = nr > 1 ? xmalloc((size_t)(nr - 1) * sizeof *holes) : NULL;
    int ok = shell != NULL;
    for (int i = 1; i < nr && ok; i++)
        ok = (holes[i - 1] = ring_of_ogr(h, OGR_G_GetGeometryRef(og, i), buf, cap)) != NULL;
    GEOSGeometry *g = NULL;
    if (ok) { /* GEOS takes the rings, even when it fails */
        g = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)(nr - 1));
    } else { /* what was made, freed */
        if (shell)
            GEOSGeom_destroy_r(h, shell);
        for (int i = 1; i < nr && holes[i - 1]; i++)
            GEOSGeom_destroy_r(h, holes[i - 1]);
    }
    free(holes);
    return g;
}

/* A 2D polygon or multipolygon of OGR in GEOS with its points copied as they are (4 times
 * faster than through WKB: a tenth of the reading), or NULL for any other geometry, or one
 * GEOS refuses: the WKB path then says why. */
static GEOSGeometry *polygonal_of_ogr(GEOSContextHandle_t h, OGRGeometryH og)
{
    OGRwkbGeometryType type = OGR_G_GetGeometryType(og);
    if (type != wkbPolygon && type != wkbMultiPolygon)
        return NULL;
    double *buf = NULL;
    size_t cap = 0;
    GEOSGeometry *g = NULL;
    if (type == wkbPolygon) {
        g = polygon_of_ogr(h, og, &buf, &cap);
    } else {
        int np = OGR_G_GetGeometryCount(og);
        GEOSGeometry **parts = xmalloc((size_t)(np > 0 ? np : 1) * sizeof *parts);
        int ok = np > 0;
        for (int i = 0; i < np && ok; i++)
            ok = (parts[i] = polygon_of_ogr(h, OGR_G_GetGeometryRef(og, i), &buf, &cap)) != NULL;
        if (ok) /* GEOS takes the parts, even when it fails */
            g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)np);
        else
            for (int i = 0; i < np && parts[i]; i++)
                GEOSGeom_destroy_r(h, parts[i]);
        free(parts);
    }
    free(buf);
    return g;
}

/* A polygon of OGR of one ring, closed, of four points or more (nearly every commune), read
 * as a ring into rb: 1, and its points in *xy, *n; else 0. Such a polygon needs no GEOS
 * geometry until something asks for one (ctab_polygon): its points go once, 16 bytes each,
 * from OGR to where the arcs take them, instead of into a GEOS polygon of 24 bytes a point
 * that the arcs copy again and free, 60 MB of fresh memory for France. */
static int ring_of_ogr_polygon(OGRGeometryH og, ring_blocks *rb, double **xy, int *n)
{
    if (OGR_G_GetGeometryType(og) != wkbPolygon || OGR_G_GetGeometryCount(og) != 1)
        return 0;
    OGRGeometryH ring = OGR_G_GetGeometryRef(og, 0);
    int k = ring ? OGR_G_GetPointCount(ring) : 0;
    if (k < 4)
        return 0;
    double *p = ctab_ring_room(rb, (size_t)k);
    OGR_G_GetPoints(ring, p, 2 * sizeof(double), p + 1, 2 * sizeof(double), NULL, 0);
    if (p[0] != p[2 * k - 2] || p[1] != p[2 * k - 1]) { /* not closed: GEOS's way says so */
        ctab_ring_unroom(rb, (size_t)k);
        return 0;
    }
    *xy = p;
    *n = k;
    return 1;
}

/* The feature's geometry in GEOS, as it is (checked later), or NULL; or a ring in rb (*xy,
 * *n); *conv says what happened, for the join issues. */
static GEOSGeometry *feature_geometry(GEOSContextHandle_t h, OGRFeatureH f, int *conv,
                                      ring_blocks *rb, double **xy, int *n)
{
    *conv = CONV_OK;
    OGRGeometryH og = OGR_F_GetGeometryRef(f);
    if (!og || OGR_G_IsEmpty(og)) {
        *conv = CONV_EMPTY;
        return NULL;
    }
    OGRGeometryH lin = NULL;
    if (OGR_G_HasCurveGeometry(og, 1))
        og = lin = OGR_G_GetLinearGeometry(og, 0, NULL);
    if (OGR_G_GetCoordinateDimension(og) > 2 || OGR_G_IsMeasured(og)) {
        if (!lin)
            og = lin = OGR_G_Clone(og);
        OGR_G_FlattenTo2D(og);
        OGR_G_SetMeasured(og, 0);
    }
    if (ring_of_ogr_polygon(og, rb, xy, n)) {
        if (lin)
            OGR_G_DestroyGeometry(lin);
        return NULL;
    }
    GEOSGeometry *g = polygonal_of_ogr(h, og);
    if (!g) {
        int size = OGR_G_WkbSize(og);
        unsigned char *wkb = xmalloc((size_t)size);
        OGR_G_ExportToIsoWkb(og, wkbNDR, wkb);
        g = GEOSGeomFromWKB_buf_r(h, wkb, (size_t)size);
        free(wkb);
    }
    if (!g) {
        /* GEOS refuses a ring that does not end where it starts (some hand-made GeoJSON);
         * closing it can only have one meaning. */
        OGRGeometryH closed = OGR_G_Clone(og);
        OGR_G_CloseRings(closed);
        int size = OGR_G_WkbSize(closed);
        unsigned char *wkb = xmalloc((size_t)size);
        OGR_G_ExportToIsoWkb(closed, wkbNDR, wkb);
        OGR_G_DestroyGeometry(closed);
        g = GEOSGeomFromWKB_buf_r(h, wkb, (size_t)size);
        free(wkb);
        if (g)
            *conv = CONV_CLOSED;
    }
    if (lin)
        OGR_G_DestroyGeometry(lin);
    if (!g)
        *conv = CONV_BAD;
    return g;
}

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
 * and the checks, most of the reading time, overlap: 0.1 s less on the national job). Items
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

static read_polygon *batch_item(const polygon_batch *b, int i)
{
    return &b->chunks[i / CHECK_CHUNK][i % CHECK_CHUNK];
}

/* 0 when the tables are read and code `raw` has no current commune: the join leaves such a
 * feature out before looking at its polygon, so its check can be spared (a population table
 * of one region beside the national polygons). The tables are only read here once
 * crd_tables_read has published them, and nothing writes them until the read-ahead ends. */
static int may_join(const communes_reader *r, const char *raw)
{
    if (!atomic_load_explicit(&r->tables_ready, memory_order_acquire))
        return 1;
    commune_code code;
    int old;
    return fld_code(raw, code) != FLD_INVALID && harmonise_code(r->t, r->p, code, &old) >= 0;
}

/* What a checker thread works in, kept from polygon to polygon. */
typedef struct check_work {
    double *ring;       /* the points of the ring being checked */
    unsigned ring_cap;
    seg_work seg;
} check_work;

/* Room for a ring of n points in w. */
static double *check_room(check_work *w, unsigned n)
{
    if (n > w->ring_cap) {
        w->ring_cap = n;
        w->ring = xrealloc(w->ring, (size_t)n * 2 * sizeof *w->ring);
    }
    return w->ring;
}

/* 1 when ring xy of n points is simple: a polygon of it alone is valid, which seg_ring_simple
 * tells in a quarter of GEOSisValid_r's instructions. It checks a copy (it takes repeated
 * points out of what it is given; the polygon keeps them). */
static int simple_ring(GEOSContextHandle_t h, const double *xy, int n, check_work *w)
{
    if (n < 4 || n > INT_MAX / 2)
        return 0;
    memcpy(check_room(w, (unsigned)n), xy, (size_t)n * 2 * sizeof *w->ring);
    return seg_ring_simple(h, w->ring, n, &w->seg);
}

/* 1 when g is a polygon of one simple ring, no hole (or a multipolygon of one such part). */
static int one_simple_ring(GEOSContextHandle_t h, const GEOSGeometry *g, check_work *w)
{
    if (GEOSGeomTypeId_r(h, g) == GEOS_MULTIPOLYGON) {
        if (GEOSGetNumGeometries_r(h, g) != 1)
            return 0;
        g = GEOSGetGeometryN_r(h, g, 0);
    }
    if (GEOSGeomTypeId_r(h, g) != GEOS_POLYGON || GEOSGetNumInteriorRings_r(h, g) != 0)
        return 0;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, g);
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 4 || n > INT_MAX / 2)
        return 0;
    return GEOSCoordSeq_copyToBuffer_r(h, seq, check_room(w, n), 0, 0) &&
           seg_ring_simple(h, w->ring, (int)n, &w->seg);
}

/* Checks one polygon: repairs it if invalid, keeps its polygonal part. */
static void check_polygon(read_polygon *p, GEOSContextHandle_t h, check_work *w)
{
    if (p->xy) {
        if (simple_ring(h, p->xy, p->n, w))
            return;
        p->g = ctab_ring_polygon(h, p->xy, p->n); /* GEOS says why, and repairs */
        p->xy = NULL;
        if (!p->g) {
            p->conv = CONV_BAD;
            return;
        }
    } else if (!p->g || one_simple_ring(h, p->g, w)) {
        return;
    }
    if (GEOSisValid_r(h, p->g) != 1) {
        char *why = GEOSisValidReason_r(h, p->g);
        p->why = xstrdup(why ? why : "?");
        GEOSFree_r(h, why);
        GEOSGeometry *fixed = GEOSMakeValid_r(h, p->g);
        GEOSGeom_destroy_r(h, p->g);
        p->g = fixed ? polygonal(h, fixed) : NULL;
    } else {
        p->g = polygonal(h, p->g);
        p->not_polygonal = p->g == NULL;
    }
}

/* Takes chunks as they are published and checks them, until the reading is over and every
 * chunk is taken. */
static void check_chunks(polygon_batch *b, GEOSContextHandle_t h)
{
    check_work w = {0};
    for (;;) {
        pthread_mutex_lock(&b->lock);
        while (!b->done && b->ready < (b->next + 1) * CHECK_CHUNK)
            pthread_cond_wait(&b->more, &b->lock);
        int k = b->next;
        int end = b->ready < (k + 1) * CHECK_CHUNK ? b->ready : (k + 1) * CHECK_CHUNK;
        if (k * CHECK_CHUNK >= end) {
            pthread_mutex_unlock(&b->lock);
            free(w.ring);
            seg_work_free(&w.seg);
            return;
        }
        b->next++;
        read_polygon *chunk = b->chunks[k];
        pthread_mutex_unlock(&b->lock);
        for (int i = 0; i < end - k * CHECK_CHUNK && !atomic_load(&b->r->cancel); i++)
            if (may_join(b->r, chunk[i].raw))
                check_polygon(&chunk[i], h, &w);
    }
}

static void *checker(void *arg)
{
    GEOSContextHandle_t h = GEOS_init_r();
    check_chunks(arg, h);
    GEOS_finish_r(h);
    return NULL;
}

/* Appends a polygon read; publishes its chunk when full. */
static void batch_add(polygon_batch *b, const read_polygon *p)
{
    if (b->n % CHECK_CHUNK == 0) {
        read_polygon *chunk = xmalloc(CHECK_CHUNK * sizeof *chunk);
        pthread_mutex_lock(&b->lock);
        GROW(b->chunks, b->capchunks, b->nchunks + 1);
        b->chunks[b->nchunks++] = chunk;
        pthread_mutex_unlock(&b->lock);
    }
    *batch_item(b, b->n++) = *p;
    if (b->n % CHECK_CHUNK == 0) {
        pthread_mutex_lock(&b->lock);
        b->ready = b->n;
        pthread_cond_broadcast(&b->more);
        pthread_mutex_unlock(&b->lock);
    }
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

static void free_source(crd_source *s, GEOSContextHandle_t h)
{
    for (int l = 0; l < s->nlayers; l++) {
        polygon_batch *b = s->layers[l].b; /* every layer added has one (read_features) */
        for (int i = 0; i < b->n; i++) {
            read_polygon *p = batch_item(b, i);
            if (p->g)
                GEOSGeom_destroy_r(h, p->g);
            free(p->raw);
            free(p->name);
            free(p->why);
            free(p->conv_error);
        }
        for (int k = 0; k < b->nchunks; k++)
            free(b->chunks[k]);
        free(b->chunks);
        ctab_ring_blocks_free(&b->rings);
        free(b);
        ctab_free_layer(&s->layers[l].cl);
    }
    free(s->layers);
    free(s->error);
    free(s->path);
    memset(s, 0, sizeof *s);
}

/* Has the driver skip every field of layer but the code and the name: the national layer
 * has 14 more, which would be read, trimmed and copied into every feature for nothing. */
static void ignore_other_fields(OGRLayerH layer, int code_field, int name_field)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int n = OGR_FD_GetFieldCount(defn), k = 0;
    const char **names = xcalloc((size_t)n + 2, sizeof *names);
    for (int i = 0; i < n; i++)
        if (i != code_field && i != name_field)
            names[k++] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
    names[k++] = "OGR_STYLE";
    OGR_L_SetIgnoredFields(layer, names);
    free(names);
}

/* Reads the features of layer into rl->b, checking them on other cores as they come (this
 * reader checks what is left in finish_checks, once no source is left to take: the checks
 * of the national layer go on while the overseas ones are read); returns the features read,
 * or -1 after diag_error. */
static long read_features(const communes_reader *r, OGRLayerH layer, int code_field,
                          const char *path, read_layer *rl, GEOSContextHandle_t h)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int name_field = find_field(defn, NULL, name_names);
    ignore_other_fields(layer, code_field, name_field);
    polygon_batch *b = rl->b = xcalloc(1, sizeof *rl->b);
    b->r = r;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->more, NULL);
    /* Checkers for every core but this one's, which reads; it checks too once done. */
    int ncheckers = (r->threads > 0 ? r->threads : pool_cores()) - 1;
    pthread_t *checkers = xmalloc((size_t)(ncheckers > 0 ? ncheckers : 1) * sizeof *checkers);
    int started = 0;
    for (int i = 0; i < ncheckers; i++)
        if (pthread_create(&checkers[started], NULL, checker, b) == 0)
            started++;
    long n = 0;
    OGRFeatureH f;
    CPLErrorReset(); /* only this layer's errors count below */
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        n++;
        read_polygon rp = {(long)OGR_F_GetFID(f),
                           xstrdup(OGR_F_GetFieldAsString(f, code_field)),
                           xstrdup(name_field >= 0 ? OGR_F_GetFieldAsString(f, name_field) : ""),
                           NULL, NULL, 0, CONV_OK, NULL, NULL, 0};
        /* An error while converting this feature's geometry is its own: it fails the layer
         * only if the feature is joined (an unmatched feature's never did). */
        CPLErr before = CPLGetLastErrorType();
        CPLErrorNum before_no = CPLGetLastErrorNo();
        char *before_msg = before != CE_None ? xstrdup(CPLGetLastErrorMsg()) : NULL;
        CPLErrorReset();
        rp.g = feature_geometry(h, f, &rp.conv, &b->rings, &rp.xy, &rp.n);
        if (CPLGetLastErrorType() >= CE_Failure)
            rp.conv_error = xstrdup(CPLGetLastErrorMsg());
        if (before_msg)
            CPLErrorSetState(before, before_no, before_msg);
        else
            CPLErrorReset();
        free(before_msg);
        OGR_F_Destroy(f);
        batch_add(b, &rp);
        if (atomic_load(&r->cancel))
            break;
    }
    if (CPLGetLastErrorType() >= CE_Failure)
        n = diag_error(path, 0, "reading layer %s failed: %s; check the file",
                       OGR_L_GetName(layer), CPLGetLastErrorMsg());
    pthread_mutex_lock(&b->lock);
    b->ready = b->n;
    b->done = 1;
    pthread_cond_broadcast(&b->more);
    pthread_mutex_unlock(&b->lock);
    b->checkers = checkers;
    b->nchecking = started;
    return n;
}

/* Checks what is left of the polygons of the layers of s, with the checkers, and ends them. */
static void finish_checks(crd_source *s, GEOSContextHandle_t h)
{
    for (int l = 0; l < s->nlayers; l++) {
        polygon_batch *b = s->layers[l].b;
        if (!b->checkers)
            continue;
        check_chunks(b, h);
        for (int i = 0; i < b->nchecking; i++)
            pthread_join(b->checkers[i], NULL);
        free(b->checkers);
        b->checkers = NULL;
        pthread_mutex_destroy(&b->lock);
        pthread_cond_destroy(&b->more);
    }
}

/* Sets up the CRS of layer into cl; -1 after diag_error. */
static int setup_layer(commune_layer *cl, OGRLayerH layer, const char *path)
{
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (!srs)
        return diag_error(path, 0, "layer %s has no CRS (is its .prj missing?); give it one, for "
                                   "example with ogr2ogr -a_srs EPSG:2154", OGR_L_GetName(layer));
    char *wkt = NULL;
    const char *opts[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return diag_error(path, 0, "the CRS of layer %s cannot be read; reproject it with ogr2ogr",
                          OGR_L_GetName(layer));
    }
    int rc = crs_setup_layer(cl, wkt, path);
    CPLFree(wkt);
    if (rc < 0)
        return -1;
    cl->path = xstrdup(path);
    cl->name = xstrdup(OGR_L_GetName(layer));
    return 0;
}

/* 1 when the shapefile path (ending in .shp) has no part with extension ext (".dbf"), in
 * either case, beside it. */
static int shapefile_part_missing(const char *path, const char *ext)
{
    size_t n = strlen(path);
    char *p = xasprintf("%.*s%s", (int)(n - 4), path, ext);
    struct stat st;
    int missing = stat(p, &st) != 0;
    for (char *q = p + n - 3; missing && *q; q++)
        *q = (char)toupper((unsigned char)*q);
    missing = missing && stat(p, &st) != 0;
    free(p);
    return missing;
}

/* Reads source path ahead into s, touching neither the table nor the join issues; returns 0,
 * or -1 after diag_error (in the calling thread's context; s->error is left for the caller). */
static int read_source(const communes_reader *r, const char *path, crd_source *s,
                       GEOSContextHandle_t h)
{
    memset(s, 0, sizeof *s);
    s->path = xstrdup(path);
    size_t len = strlen(path);
    if (len > 4 && strcasecmp(path + len - 4, ".shp") == 0) {
        /* Without its .dbf, GDAL reads a shapefile without fields; without its .shx, not at
         * all: say which part is missing rather than what follows from it. */
        struct stat st;
        static const char *const parts[] = {".shx", ".dbf"};
        for (int i = 0; i < 2; i++)
            if (stat(path, &st) == 0 && shapefile_part_missing(path, parts[i]))
                return diag_error(path, 0, "the %s file of this shapefile is missing; copy it "
                                           "beside the .shp (a shapefile needs its .shp, .shx, "
                                           ".dbf and .prj)", parts[i]);
    }
    CPLErrorReset();
    GDALDatasetH ds = gdrv_open_vector(path, NULL, NULL);
    if (!ds) {
        struct stat st;
        if (stat(path, &st) != 0 && errno == ENOENT && strncmp(path, "/vsi", 4) != 0 &&
            !strchr(path, ':'))
            return diag_error(path, 0, "cannot open: no such file; check the path");
        const char *why = CPLGetLastErrorMsg();
        return diag_error(path, 0, "cannot open as a vector layer%s%s; give a Shapefile (with its "
                                   ".shx, .dbf and .prj), GeoPackage, GeoJSON or FlatGeobuf",
                          why[0] ? ": " : "", why);
    }
    int rc = 0;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds) && rc == 0 && !atomic_load(&r->cancel); i++) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, i);
        int field = find_field(OGR_L_GetLayerDefn(layer), r->code_field, code_names);
        if (field < 0)
            continue;
        read_layer rl;
        memset(&rl, 0, sizeof rl);
        s->layers = xrealloc(s->layers, (size_t)(s->nlayers + 1) * sizeof *s->layers);
        s->layers[s->nlayers] = rl;
        read_layer *at = &s->layers[s->nlayers++];
        /* The features first, the CRS after: the checkers start on the first polygons while
         * PROJ looks the CRS up in its database (0.03 s for Lambert-93), which nothing needs
         * before the layer is joined. */
        long n = read_features(r, layer, field, path, at, h);
        at->cl.features = n;
        if (n < 0 || setup_layer(&at->cl, layer, path) < 0)
            rc = -1;
        else
            s->features += n;
    }
    if (rc == 0 && s->nlayers == 0) {
        if (r->code_field)
            rc = diag_error(path, 0, "no layer has a field named %s (given with --code-field); "
                                     "check the field names with ogrinfo", r->code_field);
        else
            rc = diag_error(path, 0, "no layer has a commune code field (INSEE_COM, insee_com, "
                                     "code, CODGEO, CODE_INSEE, COM); name it with --code-field");
    }
    GDALClose(ds);
    return rc;
}

/* read_source with an error context of its own: its error, if any, is kept in s->error for
 * the moment the source is joined (the tables' errors, read meanwhile, come first). */
static int read_source_apart(const communes_reader *r, const char *path, crd_source *s,
                             GEOSContextHandle_t h)
{
    diag_context *saved = diag_current();
    diag_context dc;
    diag_context_init(&dc);
    diag_use(&dc);
    int rc = read_source(r, path, s, h);
    if (rc < 0)
        s->error = xstrdup(diag_message() ? diag_message() : "reading failed");
    diag_use(saved);
    diag_context_free(&dc);
    return rc;
}

/* One reader of the read-ahead: takes the sources in turn, none past one that failed, reads
 * each, then checks what the checkers left of its own and ends them. Sources are read by as
 * many readers as cores: most of a small layer's time goes to its CRS, which GDAL looks up
 * in PROJ's database (25 ms for each overseas layer of France), one reader's work that the
 * others no longer wait for. */
static void *reader_thread(void *arg)
{
    communes_reader *r = arg;
    GEOSContextHandle_t h = GEOS_init_r();
    int *mine = xmalloc((size_t)r->nsources * sizeof *mine), nmine = 0;
    for (;;) {
        int i = atomic_fetch_add(&r->taken, 1);
        if (i >= r->nsources || i > atomic_load(&r->failed) || atomic_load(&r->cancel))
            break;
        mine[nmine++] = i;
        if (read_source_apart(r, r->paths[i], &r->sources[i], h) < 0) {
            int f = atomic_load(&r->failed);
            while (i < f && !atomic_compare_exchange_weak(&r->failed, &f, i))
                ;
        }
    }
    for (int k = 0; k < nmine; k++)
        finish_checks(&r->sources[mine[k]], h);
    free(mine);
    GEOS_finish_r(h);
    return NULL;
}

/* The read-ahead: the readers, this thread one of them. The sources read are then the
 * first ones up to the first that failed, as a reading one by one would leave them; any
 * other a reader took meanwhile is freed. */
static void *prefetch_thread(void *arg)
{
    communes_reader *r = arg;
    int cores = r->threads > 0 ? r->threads : pool_cores();
    int helpers = (r->nsources < cores ? r->nsources : cores) - 1, started = 0;
    pthread_t *readers = xmalloc((size_t)(helpers > 0 ? helpers : 1) * sizeof *readers);
    for (int i = 0; i < helpers; i++)
        if (pthread_create(&readers[started], NULL, reader_thread, r) == 0)
            started++;
    reader_thread(r);
    for (int i = 0; i < started; i++)
        pthread_join(readers[i], NULL);
    free(readers);
    int n = 0, failed = atomic_load(&r->failed);
    while (n < r->nsources && r->sources[n].path && n <= failed)
        n++;
    GEOSContextHandle_t h = GEOS_init_r();
    for (int i = n; i < r->nsources; i++)
        if (r->sources[i].path)
            free_source(&r->sources[i], h);
    GEOS_finish_r(h);
    r->nread = n;
    return NULL;
}

void crd_tables_read(communes_reader *r, const passage *p)
{
    r->p = p;
    atomic_store_explicit(&r->tables_ready, 1, memory_order_release);
}

void crd_prefetch(communes_reader *r, const char *const *paths, int n)
{
    r->paths = paths;
    r->nsources = n;
    r->sources = xcalloc((size_t)(n ? n : 1), sizeof *r->sources);
    atomic_init(&r->taken, 0);
    atomic_init(&r->failed, INT_MAX);
    r->prefetching = pthread_create(&r->prefetcher, NULL, prefetch_thread, r) == 0;
    if (!r->prefetching)
        prefetch_thread(r); /* no thread to be had: read here, now */
}

/* Waits for the read-ahead, if any. */
static void prefetch_wait(communes_reader *r)
{
    if (r->prefetching) {
        pthread_join(r->prefetcher, NULL);
        r->prefetching = 0;
    }
}

/* Attaches the polygon of p (its geometry consumed, or its ring) of layer l to commune c. */
static int attach(communes_reader *r, int c, int l, read_polygon *p, const char *path)
{
    GEOSContextHandle_t h = r->t->geos;
    commune *cm = &r->t->communes[c];
    GEOSGeometry *g = p->g;
    p->g = NULL;
    if (!ctab_has_polygon(cm)) {
        cm->geom = g;
        cm->ring = p->xy;
        cm->nring = p->n;
        cm->layer = l;
        cm->parts = 1;
        return 0;
    }
    if (cm->layer != l) {
        if (g)
            GEOSGeom_destroy_r(h, g);
        return diag_error(path, 0, "commune %s has polygons both in layer %s of %s and in layer "
                                   "%s; give each commune in one layer only", cm->code,
                          r->t->layers[cm->layer].name, r->t->layers[cm->layer].path,
                          r->t->layers[l].name);
    }
    /* A second polygon: the parts are dissolved in GEOS (crd_finish). */
    if (!g)
        g = ctab_ring_polygon(h, p->xy, p->n);
    if (!cm->geom) {
        cm->geom = ctab_ring_polygon(h, cm->ring, cm->nring);
        cm->ring = NULL;
    }
    GEOSGeometry **parts = NULL;
    int n = 0, cap = 0;
    if (cm->geom) {
        add_polygons(h, cm->geom, &parts, &n, &cap);
        GEOSGeom_destroy_r(h, cm->geom);
    }
    if (g) {
        add_polygons(h, g, &parts, &n, &cap);
        GEOSGeom_destroy_r(h, g);
    }
    cm->geom = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    free(parts);
    cm->parts++;
    return 0;
}

/* Joins the features of a layer read ahead to the table, as layer l: codes checked and
 * carried to their current commune, join issues in the order of the features (those of the
 * codes and of the reading first, then those of the checks), polygons attached. Takes the
 * geometries. Returns 0, or -1 after diag_error. */
static int join_layer(communes_reader *r, read_layer *rl, int l, const char *path)
{
    polygon_batch *b = rl->b;
    const char *lname = r->t->layers[l].name;
    int *commune_of = xmalloc((size_t)(b->n ? b->n : 1) * sizeof *commune_of);
    commune_code *codes = xmalloc((size_t)(b->n ? b->n : 1) * sizeof *codes);
    const char *conv_error = NULL; /* the first of a feature joined */
    for (int i = 0; i < b->n; i++) {
        read_polygon *p = batch_item(b, i);
        const char *raw = p->raw;
        long fid = p->fid;
        commune_code code;
        commune_of[i] = -1;
        int fc = fld_code(raw, code);
        if (fc == FLD_INVALID) {
            jis_add(r->ji, path, 0, raw, "unmatched_geometry", "feature %ld: \"%s\" is not a "
                    "commune code; the polygon is left out", fid, raw);
            r->unmatched++;
            continue;
        }
        if (fc == FLD_REPAIRED)
            jis_add(r->ji, path, 0, code, "repaired_code", "feature %ld: code \"%s\" read as %s",
                    fid, raw, code);
        char key[sizeof code + 21];
        if (smap_put(&r->seen, str_int_key(key, l, code), 1) >= 0)
            jis_add(r->ji, path, 0, code, "duplicate_code", "commune %s has several features in "
                    "layer %s; their polygons are dissolved together", code, lname);
        int old;
        int c = harmonise_code(r->t, r->p, code, &old);
        if (c < 0) {
            const char *name = p->name;
            jis_add(r->ji, path, 0, code, "unmatched_geometry", "feature %ld: commune %s%s%s is "
                    "neither in the population table nor in the passage table; the polygon is "
                    "left out", fid, code, name[0] ? " " : "", name);
            r->unmatched++;
            continue;
        }
        if (p->conv == CONV_EMPTY)
            jis_add(r->ji, path, 0, code, "empty_geometry", "feature %ld (commune %s) has no "
                    "polygon; it is left out of the maps", fid, code);
        else if (p->conv == CONV_CLOSED)
            jis_add(r->ji, path, 0, code, "repaired_geometry", "feature %ld (commune %s) had a "
                    "ring that was not closed; it was closed", fid, code);
        else if (p->conv == CONV_BAD)
            jis_add(r->ji, path, 0, code, "bad_geometry", "feature %ld (commune %s): GEOS cannot "
                    "read its geometry; it is left out of the maps", fid, code);
        if (!conv_error && p->conv_error)
            conv_error = p->conv_error;
        if (p->conv == CONV_EMPTY || p->conv == CONV_BAD)
            continue;
        commune_of[i] = c;
        memcpy(codes[i], code, sizeof code);
    }
    int rc = 0;
    if (conv_error)
        rc = diag_error(path, 0, "reading layer %s failed: %s; check the file", lname, conv_error);
    for (int i = 0; i < b->n; i++) {
        read_polygon *p = batch_item(b, i);
        if (commune_of[i] < 0)
            continue;
        if (rc == 0 && p->why) {
            r->repaired++;
            jis_add(r->ji, path, 0, codes[i], "repaired_geometry", "feature %ld (commune %s) was "
                    "invalid (%s) and was repaired%s", p->fid, codes[i], p->why,
                    p->g ? "" : "; nothing polygonal was left, so it is left out of the maps");
        } else if (rc == 0 && p->not_polygonal) {
            jis_add(r->ji, path, 0, codes[i], "bad_geometry", "feature %ld (commune %s) is not a "
                    "polygon; it is left out of the maps", p->fid, codes[i]);
        }
        if ((p->g || p->xy) && rc == 0)
            rc = attach(r, commune_of[i], l, p, path); /* takes it, even when it fails */
    }
    ctab_ring_blocks_move(&r->t->rings, &b->rings); /* where the rings attached live */
    free(commune_of);
    free(codes);
    return rc;
}

long crd_read(communes_reader *r, const char *path)
{
    prefetch_wait(r);
    crd_source own, *s = NULL;
    if (r->next < r->nread && strcmp(r->sources[r->next].path, path) == 0) {
        s = &r->sources[r->next++];
    } else {
        /* Not read ahead: read now. */
        s = &own;
        read_source_apart(r, path, s, r->t->geos);
        finish_checks(s, r->t->geos);
    }
    long total = s->features;
    for (int i = 0; i < s->nlayers && total >= 0; i++) {
        read_layer *rl = &s->layers[i];
        if (rl->cl.features < 0)
            break; /* its reading failed: s->error says why */
        int l = ctab_add_layer(r->t, &rl->cl);
        memset(&rl->cl, 0, sizeof rl->cl); /* the table has it now */
        if (l < 0 || join_layer(r, rl, l, path) < 0)
            total = -1;
    }
    if (total >= 0 && s->error)
        total = diag_error(NULL, 0, "%s", s->error);
    free_source(s, r->t->geos);
    return total;
}

/* crd_finish on the thread pool: one task a worker, each taking slices of the communes in
 * turn, with its worker's GEOS context and copies of the layers' PROJ transformations of its
 * own (made once a worker: each copy is a look-up in PROJ's database, and a context and copies
 * per slice were 25 ms of the stage's 170); the join issues of each slice apart, appended
 * slice after slice so that they come in the order of the communes. */
#define FINISH_SLICE 2048

typedef struct finish_batch {
    commune_table *t;
    join_issues *issues;   /* one list per slice */
    int nslices;
    atomic_int next;       /* the next slice to take */
} finish_batch;

/* Dissolves the parts of each commune of slice k and records its areas and extent. */
static void finish_slice(finish_batch *b, int k, GEOSContextHandle_t h, PJ_CONTEXT *ctx,
                         PJ **pj)
{
    commune_table *t = b->t;
    join_issues *ji = &b->issues[k];
    int end = (k + 1) * FINISH_SLICE < t->ncommunes ? (k + 1) * FINISH_SLICE : t->ncommunes;
    for (int i = k * FINISH_SLICE; i < end; i++) {
        commune *c = &t->communes[i];
        if (!ctab_has_polygon(c)) {
            jis_add(ji, "", 0, c->code, "no_polygon", "commune %s (%s, department %s) has no "
                    "polygon; its population counts, it is not on the maps", c->code, c->name, c->dep);
            continue;
        }
        if (c->parts > 1) {
            char what[64];
            snprintf(what, sizeof what, "commune %s", c->code);
            shape s;
            shape_dissolve_communes(t, h, &i, 1, what, ji, &s);
            GEOSGeom_destroy_r(h, c->geom);
            c->geom = s.by_layer[c->layer];
            s.by_layer[c->layer] = NULL;
            shape_free_r(h, &s);
            jis_add(ji, t->layers[c->layer].path, 0, c->code, "merged_polygons",
                    "%d polygons dissolved into current commune %s (%s)", c->parts, c->code,
                    c->name);
            if (!c->geom) { /* nothing polygonal came out of the union (never seen) */
                c->layer = -1;
                continue;
            }
        }
        const commune_layer *layer = &t->layers[c->layer];
        PJ **own = pj + 2 * c->layer;
        if (!own[0]) {
            own[0] = proj_clone(ctx, layer->to_wgs84);
            own[1] = layer->crs ? proj_clone(ctx, layer->crs) : NULL;
        }
        GEOSGeometry *made; /* a ring's polygon, for GEOS's measures */
        const GEOSGeometry *g = ctab_polygon(c, h, &made);
        if (!g) /* GEOS refused the ring (never seen: it is closed, of 4 points or more) */
            continue;
        GEOSArea_r(h, g, &c->planar_area);
        GEOSGeom_getXMin_r(h, g, &c->bbox[0]);
        GEOSGeom_getYMin_r(h, g, &c->bbox[1]);
        GEOSGeom_getXMax_r(h, g, &c->bbox[2]);
        GEOSGeom_getYMax_r(h, g, &c->bbox[3]);
        c->area_km2 = crs_area_km2_with(layer, own[0], own[1], h, g, c->planar_area, c->bbox);
        if (made)
            GEOSGeom_destroy_r(h, made);
    }
}

static void finish_task(void *arg, int task, GEOSContextHandle_t h)
{
    (void)task;
    finish_batch *b = arg;
    PJ_CONTEXT *ctx = proj_context_create();
    PJ **pj = xcalloc(2 * (size_t)b->t->nlayers + 2, sizeof *pj); /* to WGS84, projection */
    for (int k; (k = atomic_fetch_add(&b->next, 1)) < b->nslices;)
        finish_slice(b, k, h, ctx, pj);
    for (int l = 0; l < 2 * b->t->nlayers; l++)
        if (pj[l])
            proj_destroy(pj[l]);
    free(pj);
    proj_context_destroy(ctx);
}

void crd_finish(communes_reader *r)
{
    commune_table *t = r->t;
    int nslices = (t->ncommunes + FINISH_SLICE - 1) / FINISH_SLICE;
    finish_batch b = {t, xcalloc((size_t)nslices + 1, sizeof *b.issues), nslices, 0};
    for (int k = 0; k < nslices; k++)
        jis_init(&b.issues[k]);
    int workers = r->threads > 0 ? r->threads : pool_cores();
    pool_run(workers, workers < nslices ? workers : nslices, finish_task, &b);
    for (int k = 0; k < nslices; k++) {
        jis_append(r->ji, &b.issues[k]);
        jis_free(&b.issues[k]);
    }
    free(b.issues);
}

void crd_free(communes_reader *r)
{
    atomic_store(&r->cancel, 1);
    prefetch_wait(r);
    for (int i = r->next; i < r->nread; i++)
        free_source(&r->sources[i], r->t->geos);
    free(r->sources);
    smap_free(&r->seen);
}
