/* map_writer.c -- writing one map layer: features with properties and a territory's polygons.
 * Four formats (GeoJSON, GeoPackage, FlatGeobuf, Shapefile) behind one interface.
 *
 * A territory traced from the exact arcs (every commune, every dissolve that passed its
 * checks) is traced again here (outline.c) and its points are taken from the arcs' points
 * projected to WGS84 once per job, in every format: a border shared by communes, CPTS,
 * departments and regions is projected once, not once per map, format and neighbour, and no
 * GEOS polygon is built for the GeoJSON stream. Any other territory goes through PROJ here,
 * a ring at a time.
 *
 * GeoJSON is written by the stream engine (map_geojson.c) or, as its reference, by GDAL's
 * driver; every other format by the GDAL engine (map_gdal.c). This file keeps the order of
 * the calls and what both engines share: the transformations and the traced outlines. */
#include "write/map_writer.h"

#include <errno.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_engine.h"
#include "util/diag.h"
#include "geom/outline.h"
#include "util/util.h"

/* The copies of the layers' transformations, made on first use. */
PJ **mw_transformations(map_writer *w)
{
    if (!w->to_wgs84) {
        int nlayers = w->t ? w->t->nlayers : 0;
        w->to_wgs84 = xcalloc((size_t)nlayers + 1, sizeof *w->to_wgs84);
        for (int l = 0; l < nlayers; l++)
            w->to_wgs84[l] = proj_clone(w->proj, w->t->layers[l].to_wgs84);
    }
    return w->to_wgs84;
}

/* The outlines of communes idx[0..n-1] traced from arcs, one per layer, in w->outlines;
 * returns the number of polygons. */
int mw_trace_layers(map_writer *w, const topo_simplified *arcs, const int *idx, int n)
{
    const commune_table *t = w->t;
    if (!w->outlines) {
        w->outlines = xcalloc((size_t)t->nlayers + 1, sizeof *w->outlines);
        for (int l = 0; l < t->nlayers; l++)
            w->outlines[l] = topo_outline_new();
    }
    int count = 0;
    for (int l = 0; l < t->nlayers; l++)
        count += topo_outline_trace(w->outlines[l], arcs, w->h, idx, n, l);
    return count;
}

/* ---- the formats ---- */

/* The --format name of each format. */
static const char *const names[MAP_NFORMATS] = {
    [MAP_GEOJSON] = "geojson",
    [MAP_GPKG] = "gpkg",
    [MAP_FGB] = "fgb",
    [MAP_SHP] = "shp",
};

const char *mw_format_name(map_format f)
{
    return names[f];
}

int mw_format_of(const char *name)
{
    for (int f = 0; f < MAP_NFORMATS; f++)
        if (strcmp(names[f], name) == 0)
            return f;
    return -1;
}

const char *mw_shp_name(const map_field *f)
{
    return f->shp_name ? f->shp_name : f->name;
}


/* ---- the interface ---- */

map_writer *mw_open(const char *path, map_file *in, const map_layout *m, map_format f,
                    map_engine engine, const commune_table *t, GEOSContextHandle_t h)
{
    map_writer *w = xcalloc(1, sizeof *w);
    w->format = in ? in->format : f;
    w->ops = w->format == MAP_GEOJSON && engine == ENGINE_STREAM ? &mw_stream_engine
                                                                  : &mw_gdal_engine;
    w->table = m->table;
    w->in = in;
    w->path = xstrdup(in ? in->path : path);
    w->t = m->table ? NULL : t;
    w->h = h;
    w->proj = proj_context_create();
    w->fields = m->fields;
    w->nfields = m->nfields;
    /* Neither GDAL's driver nor a half-replaced file should meet an earlier run's file. */
    if (!in && remove(path) != 0 && errno != ENOENT) {
        diag_error(path, 0, "cannot replace: %s; check permissions", strerror(errno));
        mw_close(w, -1);
        return NULL;
    }
    if (w->ops->open(w, m) < 0) {
        mw_close(w, -1);
        return NULL;
    }
    return w;
}

void mw_begin(map_writer *w)
{
    w->field = 0;
    w->ops->begin(w);
}

/* Names the next field to the engine and returns it. */
static const map_field *next_field(map_writer *w)
{
    const map_field *fd = &w->fields[w->field];
    if (w->ops->name)
        w->ops->name(w, fd);
    w->field++;
    return fd;
}

void mw_string(map_writer *w, const char *v)
{
    next_field(w);
    if (v)
        w->ops->string(w, v);
    else
        w->ops->null(w);
}

void mw_null(map_writer *w)
{
    next_field(w);
    w->ops->null(w);
}

void mw_int64(map_writer *w, int64_t v)
{
    next_field(w);
    w->ops->int64(w, v);
}

void mw_real(map_writer *w, double v)
{
    const map_field *fd = next_field(w);
    w->ops->real(w, fd, v);
}

void mw_bool(map_writer *w, int v)
{
    next_field(w);
    w->ops->boolean(w, v);
}

void mw_list(map_writer *w, const char *const *items, int n)
{
    next_field(w);
    w->ops->list(w, items, n);
}

int mw_end(map_writer *w, const shape *s)
{
    return w->ops->end(w, s);
}

int mw_traces(const map_writer *w, const shape *s, const topo_simplified *arcs,
              const double *lonlat)
{
    return !w->table && s->traced && arcs && lonlat;
}

int mw_end_traced(map_writer *w, const shape *s, const topo_simplified *arcs,
                  const double *lonlat, const int *idx, int n)
{
    if (!mw_traces(w, s, arcs, lonlat)) {
        int geometry = 0;
        for (int l = 0; s && l < s->nlayers; l++)
            geometry |= s->by_layer[l] != NULL;
        if (s && s->polygons > 0 && !geometry && !w->table) /* only the arcs hold it */
            return diag_error(w->path, 0, "internal error: a territory is held by arcs the "
                                          "writer was not given; please report it");
        return mw_end(w, s);
    }
    return w->ops->end_traced(w, arcs, lonlat, idx, n);
}

long mw_shortened(const map_writer *w)
{
    return w->shortened;
}

int mw_close(map_writer *w, int rc)
{
    rc = w->ops->close(w, rc);
    int nlayers = w->t ? w->t->nlayers : 0;
    for (int l = 0; w->to_wgs84 && l < nlayers; l++)
        if (w->to_wgs84[l])
            proj_destroy(w->to_wgs84[l]);
    free(w->to_wgs84);
    if (w->outlines)
        for (int l = 0; l < nlayers; l++)
            topo_outline_free(w->outlines[l]);
    free(w->outlines);
    proj_context_destroy(w->proj);
    free(w->path);
    free(w);
    return rc;
}
