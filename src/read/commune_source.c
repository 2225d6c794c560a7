/* commune_source.c -- the sources of commune polygons read ahead: layers and features read.
 * Its readers touch neither the table nor the join issues: what they meet stays with the source. */
#include "read_communes_internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "geom/crs.h"
#include "util/gdal_drivers.h"
#include "util/pool.h"
#include "util/util.h"

static const char *const code_names[] = {"INSEE_COM", "insee_com", "code", "CODGEO", "CODE_INSEE",
                                         "COM", NULL};
static const char *const name_names[] = {"NOM", "NOM_COM", "nom", "name", "LIBGEO", NULL};

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

void crd_free_source(crd_source *s, GEOSContextHandle_t h)
{
    for (int l = 0; l < s->nlayers; l++) {
        polygon_batch *b = s->layers[l].b; /* every layer added has one (read_features) */
        for (int i = 0; i < b->n; i++) {
            read_polygon *p = crd_batch_item(b, i);
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
 * has many more, which would be read, trimmed and copied into every feature for nothing. */
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
 * reader checks what is left in crd_finish_checks, once no source is left to take: the checks
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
        if (pthread_create(&checkers[started], NULL, crd_checker, b) == 0)
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
         * only if the feature is joined (an unmatched feature's does not). */
        CPLErr before = CPLGetLastErrorType();
        CPLErrorNum before_no = CPLGetLastErrorNo();
        char *before_msg = before != CE_None ? xstrdup(CPLGetLastErrorMsg()) : NULL;
        CPLErrorReset();
        rp.g = crd_feature_geometry(h, f, &rp.conv, &b->rings, &rp.xy, &rp.n);
        if (CPLGetLastErrorType() >= CE_Failure)
            rp.conv_error = xstrdup(CPLGetLastErrorMsg());
        if (before_msg)
            CPLErrorSetState(before, before_no, before_msg);
        else
            CPLErrorReset();
        free(before_msg);
        OGR_F_Destroy(f);
        crd_batch_add(b, &rp);
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
void crd_finish_checks(crd_source *s, GEOSContextHandle_t h)
{
    for (int l = 0; l < s->nlayers; l++) {
        polygon_batch *b = s->layers[l].b;
        if (!b->checkers)
            continue;
        crd_check_chunks(b, h);
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
         * PROJ looks the CRS up in its database, which nothing needs
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
int crd_read_source_apart(const communes_reader *r, const char *path, crd_source *s,
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
 * in PROJ's database (a look-up for each overseas layer of France), one reader's work that the
 * others need not wait for. */
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
        if (crd_read_source_apart(r, r->paths[i], &r->sources[i], h) < 0) {
            int f = atomic_load(&r->failed);
            while (i < f && !atomic_compare_exchange_weak(&r->failed, &f, i))
                ;
        }
    }
    for (int k = 0; k < nmine; k++)
        crd_finish_checks(&r->sources[mine[k]], h);
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
            crd_free_source(&r->sources[i], h);
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
void crd_prefetch_wait(communes_reader *r)
{
    if (r->prefetching) {
        pthread_join(r->prefetcher, NULL);
        r->prefetching = 0;
    }
}
