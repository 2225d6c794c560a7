/* commune_table.c -- the in-memory model: current communes, CPTS and commune layers.
 * Indices, not pointers, link communes and CPTS, so the arrays may grow while readers fill them. */
#include "model/commune_table.h"

#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/france.h"
#include "util/util.h"

void ctab_init(commune_table *t, GEOSContextHandle_t geos)
{
    memset(t, 0, sizeof *t);
    smap_init(&t->by_code);
    smap_init(&t->cpts_by_id);
    smap_init(&t->area_name_index);
    t->geos = geos;
    pthread_mutex_init(&t->geos_lock, NULL);
}

void ctab_geos_lock(const commune_table *t)
{
    pthread_mutex_lock((pthread_mutex_t *)&t->geos_lock);
}

void ctab_geos_unlock(const commune_table *t)
{
    pthread_mutex_unlock((pthread_mutex_t *)&t->geos_lock);
}

void ctab_free_layer(commune_layer *l)
{
    free(l->path);
    free(l->name);
    free(l->crs_name);
    free(l->crs_id);
    if (l->to_wgs84)
        proj_destroy(l->to_wgs84);
    if (l->inverse)
        proj_destroy(l->inverse);
    if (l->crs)
        proj_destroy(l->crs);
    memset(l, 0, sizeof *l);
}

void ctab_free(commune_table *t)
{
    for (int i = 0; i < t->ncommunes; i++) {
        commune *c = &t->communes[i];
        free(c->name);
        free(c->epci);
        free(c->cpts);
        if (c->geom)
            GEOSGeom_destroy_r(t->geos, c->geom);
    }
    free(t->communes);
    ctab_ring_blocks_free(&t->rings);
    for (int k = 0; k < t->ncpts; k++) {
        free(t->cpts[k].id);
        free(t->cpts[k].name);
        free(t->cpts[k].communes);
    }
    free(t->cpts);
    for (int l = 0; l < t->nlayers; l++)
        ctab_free_layer(&t->layers[l]);
    free(t->layers);
    smap_free(&t->by_code);
    smap_free(&t->cpts_by_id);
    for (int i = 0; i < t->nareanames; i++)
        free(t->area_names[i]);
    free(t->area_names);
    smap_free(&t->area_name_index);
    pthread_mutex_destroy(&t->geos_lock);
    ctab_init(t, t->geos);
}

void ctab_reserve_communes(commune_table *t, int n)
{
    GROW(t->communes, t->capcommunes, n);
    smap_reserve(&t->by_code, (size_t)n);
}

int ctab_add_commune(commune_table *t, const char *code)
{
    if (smap_get(&t->by_code, code) >= 0)
        return -1;
    GROW(t->communes, t->capcommunes, t->ncommunes + 1);
    int i = t->ncommunes++;
    commune *c = &t->communes[i];
    memset(c, 0, sizeof *c);
    strncpy(c->code, code, CODE_LEN);
    c->code[CODE_LEN] = '\0';
    c->layer = -1;
    smap_put(&t->by_code, c->code, i);
    return i;
}

int ctab_find_commune(const commune_table *t, const char *code)
{
    return smap_get(&t->by_code, code);
}

int ctab_get_cpts(commune_table *t, const char *id, int *created)
{
    int k = smap_get(&t->cpts_by_id, id);
    if (created)
        *created = k < 0;
    if (k >= 0)
        return k;
    GROW(t->cpts, t->capcpts, t->ncpts + 1);
    k = t->ncpts++;
    cpts *p = &t->cpts[k];
    memset(p, 0, sizeof *p);
    p->id = xstrdup(id);
    smap_put(&t->cpts_by_id, id, k);
    return k;
}

/* Inserts v into the ascending array a[0..*n-1] unless present; returns 1 when present. */
static int insert_sorted(int **a, int *n, int *cap, int v)
{
    int lo = 0, hi = *n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if ((*a)[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && (*a)[lo] == v)
        return 1;
    GROW(*a, *cap, *n + 1);
    memmove(*a + lo + 1, *a + lo, (size_t)(*n - lo) * sizeof **a);
    (*a)[lo] = v;
    (*n)++;
    return 0;
}

int ctab_add_member(commune_table *t, int k, int c)
{
    cpts *p = &t->cpts[k];
    commune *cm = &t->communes[c];
    if (insert_sorted(&p->communes, &p->ncommunes, &p->capcommunes, c))
        return 1;
    insert_sorted(&cm->cpts, &cm->ncpts, &cm->capcpts, k);
    return 0;
}

double ctab_polygon_area(const commune *c, GEOSContextHandle_t h)
{
    double a = 0;
    if (!c->geom)
        return c->planar_area;
    GEOSArea_r(h, c->geom, &a);
    return a;
}

void ctab_polygon_bbox(const commune *c, GEOSContextHandle_t h, double bbox[4])
{
    if (!c->geom) {
        memcpy(bbox, c->bbox, sizeof c->bbox);
        return;
    }
    GEOSGeom_getXMin_r(h, c->geom, &bbox[0]);
    GEOSGeom_getYMin_r(h, c->geom, &bbox[1]);
    GEOSGeom_getXMax_r(h, c->geom, &bbox[2]);
    GEOSGeom_getYMax_r(h, c->geom, &bbox[3]);
}

/* ---- rings ----------------------------------------------------------------------------- */

/* Doubles per block: 4 MB, two huge pages. */
#define RING_BLOCK ((size_t)1 << 19)

double *ctab_ring_room(ring_blocks *rb, size_t n)
{
    size_t need = 2 * n;
    if (rb->nblocks == 0 || rb->size - rb->used < need) {
        rb->size = need > RING_BLOCK ? need : RING_BLOCK;
        GROW(rb->blocks, rb->capblocks, rb->nblocks + 1);
        rb->blocks[rb->nblocks++] = xmalloc(rb->size * sizeof(double));
        rb->used = 0;
    }
    double *room = rb->blocks[rb->nblocks - 1] + rb->used;
    rb->used += need;
    return room;
}

void ctab_ring_unroom(ring_blocks *rb, size_t n)
{
    rb->used -= 2 * n;
}

void ctab_ring_blocks_move(ring_blocks *to, ring_blocks *from)
{
    if (from->nblocks == 0)
        return;
    GROW(to->blocks, to->capblocks, to->nblocks + from->nblocks);
    memcpy(to->blocks + to->nblocks, from->blocks, (size_t)from->nblocks * sizeof *to->blocks);
    to->nblocks += from->nblocks;
    to->used = from->used; /* the last block is from's */
    to->size = from->size;
    free(from->blocks);
    memset(from, 0, sizeof *from);
}

void ctab_ring_blocks_free(ring_blocks *rb)
{
    for (int i = 0; i < rb->nblocks; i++)
        free(rb->blocks[i]);
    free(rb->blocks);
    memset(rb, 0, sizeof *rb);
}

int ctab_has_polygon(const commune *c)
{
    return c->geom || c->ring;
}

GEOSGeometry *ctab_ring_polygon(GEOSContextHandle_t h, const double *xy, int n)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)n, 0, 0);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

const GEOSGeometry *ctab_polygon(const commune *c, GEOSContextHandle_t h, GEOSGeometry **made)
{
    *made = NULL;
    if (c->geom || !c->ring)
        return c->geom;
    return *made = ctab_ring_polygon(h, c->ring, c->nring);
}

void ctab_drop_rings(commune_table *t)
{
    for (int i = 0; i < t->ncommunes; i++)
        t->communes[i].ring = NULL;
    ctab_ring_blocks_free(&t->rings);
}

int ctab_add_layer(commune_table *t, const commune_layer *layer)
{
    GROW(t->layers, t->caplayers, t->nlayers + 1);
    t->layers[t->nlayers] = *layer;
    return t->nlayers++;
}

void ctab_set_area_name(commune_table *t, int is_region, const char *code, const char *name)
{
    char key[16];
    snprintf(key, sizeof key, "%c:%s", is_region ? 'r' : 'd', code);
    if (!name[0] || smap_get(&t->area_name_index, key) >= 0)
        return;
    GROW(t->area_names, t->capareanames, t->nareanames + 1);
    t->area_names[t->nareanames] = xstrdup(name);
    smap_put(&t->area_name_index, key, t->nareanames++);
}

const char *ctab_area_name(const commune_table *t, int is_region, const char *code)
{
    char key[16];
    snprintf(key, sizeof key, "%c:%s", is_region ? 'r' : 'd', code);
    int i = smap_get(&t->area_name_index, key);
    if (i >= 0)
        return t->area_names[i];
    return is_region ? fr_region_name(code) : fr_department_name(code);
}

static const char *const status_names[STATUS_COUNT] = {"letter", "project", "signed"};

const char *ctab_status_name(cpts_status s)
{
    return (unsigned)s < STATUS_COUNT ? status_names[s] : "?";
}

int ctab_parse_status(const char *s)
{
    char *t = str_trim_dup(s);
    int r = -1;
    for (int i = 0; i < STATUS_COUNT; i++)
        if (str_ieq(t, status_names[i]))
            r = i;
    free(t);
    return r;
}
