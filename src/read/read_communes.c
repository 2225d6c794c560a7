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
 * what they meet is kept with each feature (how its geometry came from OGR, why it was
 * invalid) and its error with its source, and the join reports them in the order a reading
 * one by one would have, so the outputs and the first error do not depend on threads.
 *
 * Nearly every commune is a polygon of one ring and no hole. Such a polygon is kept as its
 * ring (commune.ring: points in blocks the table frees together) and never made a GEOS
 * polygon on the way to the arcs, which copy its points and drop it: GEOS's 24 bytes a point
 * and its objects a ring would be memory the process touches for the first time, which on a
 * virtual machine costs more than the copies. Whatever needs GEOS (a ring not simple,
 * a commune of several polygons, the areas) makes the polygon from the ring, the same points
 * in the same order, so nothing computed differs.
 *
 * The reader is four files: commune_source.c reads the sources ahead (layers, features, the
 * reader threads), ogr_rings.c takes a feature's geometry from OGR, commune_validity.c checks
 * and repairs the polygons while they are read, and this file joins them to the table and
 * finishes it; read_communes_internal.h holds what they share. */
#include "read/readers.h"

#include <proj.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/crs.h"
#include "model/fields.h"
#include "util/pool.h"
#include "geom/shape.h"
#include "util/util.h"

#include "read_communes_internal.h"

void crd_init(communes_reader *r, commune_table *t, const passage *p, const char *code_field,
              fld_codes codes, join_issues *ji)
{
    memset(r, 0, sizeof *r);
    r->t = t;
    r->p = p;
    r->ji = ji;
    r->code_field = code_field;
    r->codes = codes;
    atomic_init(&r->cancel, 0);
    atomic_init(&r->tables_ready, 0);
    smap_init(&r->seen);
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
        crd_add_polygons(h, cm->geom, &parts, &n, &cap);
        GEOSGeom_destroy_r(h, cm->geom);
    }
    if (g) {
        crd_add_polygons(h, g, &parts, &n, &cap);
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
        read_polygon *p = crd_batch_item(b, i);
        const char *raw = p->raw;
        long fid = p->fid;
        commune_code code;
        commune_of[i] = -1;
        int fc = fld_code(raw, r->codes, code);
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
        read_polygon *p = crd_batch_item(b, i);
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
    crd_prefetch_wait(r);
    crd_source own, *s = NULL;
    if (r->next < r->nread && strcmp(r->sources[r->next].path, path) == 0) {
        s = &r->sources[r->next++];
    } else {
        /* Not read ahead: read now. */
        s = &own;
        crd_read_source_apart(r, path, s, r->t->geos);
        crd_finish_checks(s, r->t->geos);
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
    crd_free_source(s, r->t->geos);
    return total;
}

/* crd_finish on the thread pool: one task a worker, each taking slices of the communes in
 * turn, with its worker's GEOS context and copies of the layers' PROJ transformations of its
 * own (made once a worker: each copy is a look-up in PROJ's database, too dear to make again
 * for each slice); the join issues of each slice apart, appended
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
    crd_prefetch_wait(r);
    for (int i = r->next; i < r->nread; i++)
        crd_free_source(&r->sources[i], r->t->geos);
    free(r->sources);
    smap_free(&r->seen);
}
