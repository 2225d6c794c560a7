/* svg_map.c -- drawing territories as an SVG map: projections, layout of the frames, paths.
 * Metropolitan France in Lambert-93, each overseas department in an inset of its own.
 *
 * Why it is built this way. Layers come in their own CRS (Lambert-93, a UTM zone per overseas
 * department, or longitude/latitude): each polygon is drawn in the CRS of its frame, as
 * official French maps do: Lambert-93 (EPSG:2154) for metropolitan France, the legal
 * projection of each overseas department for its inset, each inset with its own scale. A
 * layer already in its frame's CRS (PROJ says equivalent: the case of ADMIN EXPRESS) is drawn
 * as it is; any other goes by PROJ to WGS84 (the layer's own transformation) and on to the
 * frame's CRS. Going through WGS84 for every layer would be most of the report's time, for
 * the same file. Polygons are projected when added, so that the layout knows every
 * frame's extent; the layout puts the main frame at the right and the insets in a column at
 * its left, so that they cannot overlap it.
 *
 * Files must stay small (the national report carries some twenty maps): the geometry comes
 * simplified by geom/simplify.c, and here coordinates are rounded to integer units of a viewBox
 * SVGM_WIDTH wide (a fifth of a millimetre on A4), points that round onto the previous one
 * dropped, rings that collapse skipped, and paths written with relative moves. Shared borders
 * stay shared: neighbours hold the same simplified vertices, which round the same way. */
#include "report/svg_map.h"

#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The projection of each overseas department's inset: its legal CRS. */
static const struct { const char *dep; const char *crs; } overseas_crs[] = {
    {"971", "EPSG:5490"}, /* Guadeloupe: RGAF09 / UTM 20N */
    {"972", "EPSG:5490"}, /* Martinique: RGAF09 / UTM 20N */
    {"973", "EPSG:2972"}, /* Guyane: RGFG95 / UTM 22N */
    {"974", "EPSG:2975"}, /* La Réunion: RGR92 / UTM 40S */
    {"975", "EPSG:4467"}, /* Saint-Pierre-et-Miquelon: RGSPM06 / UTM 21N */
    {"976", "EPSG:4471"}, /* Mayotte: RGM04 / UTM 38S */
};
#define METROPOLE_CRS "EPSG:2154"
/* The CRS of a frame: 0 metropole, 1 + i overseas_crs[i], then Web Mercator for the others. */
#define NKINDS (2 + (int)(sizeof overseas_crs / sizeof overseas_crs[0]))

/* Layout, in viewBox units. */
#define PAD 10.0
#define TITLE_H 36.0
#define LEGEND_ROW 22.0
#define LEGEND_COL 245.0
#define INSET_COL 0.17      /* of the map's width */
#define INSET_LABEL 14.0
#define MAX_ASPECT 1.25     /* height / width of the main frame at most */

typedef struct frame {
    char key[4];            /* "" metropole, else an overseas department */
    int kind;               /* which CRS (NKINDS) */
    char *label;
    PJ *crs;                /* its CRS, made on first use */
    PJ *from_wgs84;         /* longitude/latitude to its CRS, made on first use */
    int failed;             /* PROJ found no way */
    signed char *same;      /* per layer: 1 when it has the frame's CRS (its coordinates are
                               drawn as they are), 0 not, -1 not known yet */
    double minx, miny, maxx, maxy; /* extent of its polygons, in its CRS */
    int any;
    double scale, ox, oy;   /* viewBox = (ox + (x - minx) * scale, oy + (maxy - y) * scale) */
    double box[4];          /* its rectangle in the viewBox */
    int inset;
} frame;

typedef struct item {
    int frame;
    char *cls, *tooltip, *code;
    int *ring_start;        /* nrings + 1 offsets into pts (in points) */
    int nrings;
    double *pts;            /* x, y in the frame's CRS */
} item;

typedef struct legend_entry {
    char *cls, *label;
} legend_entry;

struct svgm_crs {
    pthread_mutex_t lock;
    int nlayers;
    signed char *same;      /* [kind * nlayers + layer]: as frame.same */
};

struct svgm_map {
    const commune_table *t;
    GEOSContextHandle_t h;
    svgm_crs *shared;       /* NULL: none */
    PJ_CONTEXT *ctx;
    PJ **to_wgs84;          /* per layer, copies made on first use */
    frame *frames;
    int nframes, capframes;
    item *items;
    int nitems, capitems;
    legend_entry *legend;
    int nlegend, caplegend;
    double width, height;
    int laid_out;
};

const char *svgm_frame_of(const char *dep)
{
    return strlen(dep) == 3 && dep[0] == '9' && (dep[1] == '7' || dep[1] == '8') ? dep : "";
}

svgm_crs *svgm_crs_new(const commune_table *t)
{
    svgm_crs *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->nlayers = t->nlayers;
    size_t n = (size_t)NKINDS * (size_t)(t->nlayers ? t->nlayers : 1);
    c->same = xmalloc(n);
    memset(c->same, -1, n);
    return c;
}

void svgm_crs_free(svgm_crs *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->same);
    free(c);
}

svgm_map *svgm_new(const commune_table *t, GEOSContextHandle_t h, svgm_crs *shared)
{
    svgm_map *m = xcalloc(1, sizeof *m);
    m->t = t;
    m->h = h;
    m->shared = shared;
    m->ctx = proj_context_create();
    m->to_wgs84 = xcalloc((size_t)(t->nlayers ? t->nlayers : 1), sizeof *m->to_wgs84);
    return m;
}

static int find_frame(const svgm_map *m, const char *key)
{
    for (int i = 0; i < m->nframes; i++)
        if (strcmp(m->frames[i].key, key) == 0)
            return i;
    return -1;
}

static int get_frame(svgm_map *m, const char *dep)
{
    const char *key = svgm_frame_of(dep);
    int i = find_frame(m, key);
    if (i >= 0)
        return i;
    GROW(m->frames, m->capframes, m->nframes + 1);
    frame *f = &m->frames[m->nframes];
    memset(f, 0, sizeof *f);
    snprintf(f->key, sizeof f->key, "%s", key);
    f->kind = key[0] ? NKINDS - 1 : 0;
    for (int i = 0; key[0] && i < NKINDS - 2; i++)
        if (strcmp(overseas_crs[i].dep, key) == 0)
            f->kind = 1 + i;
    f->same = xmalloc((size_t)(m->t->nlayers ? m->t->nlayers : 1));
    memset(f->same, -1, (size_t)(m->t->nlayers ? m->t->nlayers : 1));
    return m->nframes++;
}

/* The CRS a frame is drawn in: Lambert-93, or an overseas department's legal CRS, or (an
 * overseas territory without one in the table) Web Mercator. */
static PJ *frame_crs(svgm_map *m, frame *f)
{
    if (f->crs)
        return f->crs; /* once per frame, not once per layer: each is a look-up in PROJ's
                          database */
    const char *def = f->kind == 0           ? METROPOLE_CRS
                      : f->kind < NKINDS - 1 ? overseas_crs[f->kind - 1].crs
                                             : "EPSG:3857";
    return f->crs = proj_create(m->ctx, def);
}

/* Longitude/latitude (WGS84) to frame f's CRS, made on first use; NULL when PROJ has none. */
static PJ *from_wgs84(svgm_map *m, frame *f)
{
    if (f->from_wgs84 || f->failed)
        return f->from_wgs84;
    PJ *src = proj_create(m->ctx, "EPSG:4326"), *dst = frame_crs(m, f);
    PJ *op = src && dst ? proj_create_crs_to_crs_from_pj(m->ctx, src, dst, NULL, NULL) : NULL;
    f->from_wgs84 = op ? proj_normalize_for_visualization(m->ctx, op) : NULL;
    f->failed = f->from_wgs84 == NULL;
    if (op)
        proj_destroy(op);
    if (src)
        proj_destroy(src);
    return f->from_wgs84;
}

/* Layer l's way to WGS84, a copy in this map's PROJ context (a PJ serves one thread). */
static PJ *to_wgs84(svgm_map *m, int l)
{
    if (!m->to_wgs84[l] && m->t->layers[l].to_wgs84)
        m->to_wgs84[l] = proj_clone(m->ctx, m->t->layers[l].to_wgs84);
    return m->to_wgs84[l];
}

static void extend(frame *f, double x, double y)
{
    if (!f->any) {
        f->minx = f->maxx = x;
        f->miny = f->maxy = y;
        f->any = 1;
        return;
    }
    if (x < f->minx) f->minx = x;
    if (x > f->maxx) f->maxx = x;
    if (y < f->miny) f->miny = y;
    if (y > f->maxy) f->maxy = y;
}

/* 1 when layer l has frame f's CRS: the metropolitan layer in the Lambert-93 frame, an
 * overseas department's layer in its UTM frame. Its points then go into the frame as they
 * are, instead of to WGS84 and back (most of the report's projections, once). */
static int find_same_crs(svgm_map *m, frame *f, int l)
{
    int same = 0;
    PJ *op = to_wgs84(m, l);
    PJ *src = op ? proj_get_source_crs(m->ctx, op) : NULL;
    PJ *dst = src ? frame_crs(m, f) : NULL;
    if (src && dst)
        same = proj_is_equivalent_to_with_ctx(m->ctx, src, dst, PJ_COMP_EQUIVALENT) != 0;
    if (src)
        proj_destroy(src);
    return same;
}

static int same_crs(svgm_map *m, frame *f, int l)
{
    if (f->same[l] >= 0)
        return f->same[l];
    svgm_crs *c = m->shared;
    if (!c || l >= c->nlayers)
        return f->same[l] = (signed char)find_same_crs(m, f, l);
    pthread_mutex_lock(&c->lock);
    signed char *known = &c->same[(size_t)f->kind * (size_t)c->nlayers + (size_t)l];
    if (*known < 0)
        *known = (signed char)find_same_crs(m, f, l);
    f->same[l] = *known;
    pthread_mutex_unlock(&c->lock);
    return f->same[l];
}

/* Appends the rings of polygon p (in layer l's CRS) to it, projected into frame f. */
static void add_polygon(svgm_map *m, frame *f, int l, const GEOSGeometry *p, item *it, int *cap)
{
    int same = same_crs(m, f, l);
    PJ *a = same ? NULL : to_wgs84(m, l), *b = same ? NULL : from_wgs84(m, f);
    if (!same && (!a || !b))
        return;
    int nh = GEOSGetNumInteriorRings_r(m->h, p);
    for (int r = -1; r < nh; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(m->h, p)
                                         : GEOSGetInteriorRingN_r(m->h, p, r);
        const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(m->h, ring) : NULL;
        unsigned n = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(m->h, seq, &n) || n < 4)
            continue;
        int start = it->ring_start[it->nrings];
        if (start + (int)n > *cap) {
            while (start + (int)n > *cap)
                *cap = *cap ? 2 * *cap : 1024;
            it->pts = xrealloc(it->pts, 2 * (size_t)*cap * sizeof *it->pts);
        }
        double *xy = it->pts + 2 * (size_t)start;
        GEOSCoordSeq_copyToBuffer_r(m->h, seq, xy, 0, 0);
        for (int k = 0; k < 2 && !same; k++)
            proj_trans_generic(k ? b : a, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1,
                               2 * sizeof(double), n, NULL, 0, 0, NULL, 0, 0);
        int ok = 1;
        for (unsigned i = 0; i < n && ok; i++)
            ok = isfinite(xy[2 * i]) && isfinite(xy[2 * i + 1]);
        if (!ok)
            continue;
        for (unsigned i = 0; i < n; i++)
            extend(f, xy[2 * i], xy[2 * i + 1]);
        it->ring_start = xrealloc(it->ring_start, (size_t)(it->nrings + 2) * sizeof *it->ring_start);
        it->ring_start[++it->nrings] = start + (int)n;
    }
}

void svgm_add(svgm_map *m, const char *dep, const shape *s, const char *cls,
              const char *tooltip, const char *code)
{
    int fi = get_frame(m, dep ? dep : "");
    frame *f = &m->frames[fi];
    GROW(m->items, m->capitems, m->nitems + 1);
    item *it = &m->items[m->nitems++];
    memset(it, 0, sizeof *it);
    it->frame = fi;
    it->cls = cls ? xstrdup(cls) : NULL;
    it->tooltip = tooltip ? xstrdup(tooltip) : NULL;
    it->code = code ? xstrdup(code) : NULL;
    it->ring_start = xcalloc(1, sizeof *it->ring_start);
    int cap = 0;
    for (int l = 0; s && l < s->nlayers && l < m->t->nlayers; l++) {
        const GEOSGeometry *g = s->by_layer[l];
        if (!g)
            continue;
        int type = GEOSGeomTypeId_r(m->h, g);
        int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(m->h, g);
        for (int i = 0; i < parts; i++) {
            const GEOSGeometry *p = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(m->h, g, i);
            if (p && GEOSGeomTypeId_r(m->h, p) == GEOS_POLYGON)
                add_polygon(m, f, l, p, it, &cap);
        }
    }
    m->laid_out = 0;
}

void svgm_frame_label(svgm_map *m, const char *dep, const char *label)
{
    frame *f = &m->frames[get_frame(m, dep)];
    free(f->label);
    f->label = label ? xstrdup(label) : NULL;
}

void svgm_legend(svgm_map *m, const char *cls, const char *label)
{
    GROW(m->legend, m->caplegend, m->nlegend + 1);
    m->legend[m->nlegend].cls = xstrdup(cls);
    m->legend[m->nlegend].label = xstrdup(label);
    m->nlegend++;
}

/* Fits frame f's extent into the rectangle x, y, w, h (centred), setting its scale. */
static void fit(frame *f, double x, double y, double w, double h)
{
    double ew = fmax(f->maxx - f->minx, 1.0), eh = fmax(f->maxy - f->miny, 1.0);
    f->scale = fmin(w / ew, h / eh);
    f->ox = x + (w - ew * f->scale) / 2;
    f->oy = y + (h - eh * f->scale) / 2;
}

static double legend_height(const svgm_map *m)
{
    if (m->nlegend == 0)
        return 0;
    int per_row = (int)((SVGM_WIDTH - 2 * PAD) / LEGEND_COL);
    int rows = (m->nlegend + per_row - 1) / per_row;
    return rows * LEGEND_ROW + PAD;
}

void svgm_layout(svgm_map *m)
{
    double aw = SVGM_WIDTH - 2 * PAD, top = TITLE_H, map_h = 0;
    /* The main frame: metropolitan France when on the map, else the first frame. */
    int main = find_frame(m, "");
    if (main < 0 || !m->frames[main].any)
        main = -1;
    for (int i = 0; main < 0 && i < m->nframes; i++)
        if (m->frames[i].any)
            main = i;
    int ninsets = 0;
    for (int i = 0; i < m->nframes; i++) {
        m->frames[i].inset = i != main && m->frames[i].any;
        ninsets += m->frames[i].inset;
    }
    if (main >= 0) {
        frame *f = &m->frames[main];
        double colw = ninsets ? INSET_COL * aw : 0, gap = ninsets ? PAD : 0;
        double mw = aw - colw - gap;
        double ew = fmax(f->maxx - f->minx, 1.0), eh = fmax(f->maxy - f->miny, 1.0);
        double s = fmin(mw / ew, MAX_ASPECT * aw / eh);
        map_h = eh * s;
        if (ninsets) {
            double b = fmin(colw, fmax(60.0, (map_h - (ninsets - 1) * PAD) / ninsets));
            map_h = fmax(map_h, ninsets * b + (ninsets - 1) * PAD);
            int k = 0;
            for (int i = 0; i < m->nframes; i++) {
                frame *g = &m->frames[i];
                if (!g->inset)
                    continue;
                double bx = PAD, by = top + k++ * (b + PAD);
                g->box[0] = bx;
                g->box[1] = by;
                g->box[2] = bx + b;
                g->box[3] = by + b;
                fit(g, bx + 4, by + 4, b - 8, b - 8 - INSET_LABEL);
            }
        }
        fit(f, PAD + colw + gap, top, mw, map_h);
        f->box[0] = f->ox;
        f->box[1] = f->oy;
        f->box[2] = f->ox + ew * f->scale;
        f->box[3] = f->oy + eh * f->scale;
    }
    m->width = SVGM_WIDTH;
    m->height = ceil(top + map_h + PAD + legend_height(m) - 1e-6);
    m->laid_out = 1;
}

void svgm_size(const svgm_map *m, double *width, double *height)
{
    *width = m->width;
    *height = m->height;
}

int svgm_frame_box(const svgm_map *m, const char *dep, double box[4])
{
    int i = find_frame(m, svgm_frame_of(dep));
    if (i < 0 || !m->laid_out || !m->frames[i].any)
        return -1;
    memcpy(box, m->frames[i].box, sizeof m->frames[i].box);
    return 0;
}

int svgm_lonlat(svgm_map *m, const char *dep, double lon, double lat, double *x, double *y)
{
    int i = find_frame(m, svgm_frame_of(dep));
    if (i < 0 || !m->laid_out || !m->frames[i].any)
        return -1;
    frame *f = &m->frames[i];
    PJ *op = from_wgs84(m, f);
    if (!op)
        return -1;
    PJ_COORD c = proj_trans(op, PJ_FWD, proj_coord(lon, lat, 0, 0));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
        return -1;
    *x = f->ox + (c.xy.x - f->minx) * f->scale;
    *y = f->oy + (f->maxy - c.xy.y) * f->scale;
    return 0;
}

void svgm_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
        }
    }
}

/* Writes one ring as "Mx y" then relative moves, rounded to whole units; nothing when it
 * collapses to fewer than three points. */
static void write_ring(FILE *out, const frame *f, const double *xy, int n)
{
    long *pt = xmalloc(2 * (size_t)n * sizeof *pt);
    int k = 0;
    for (int i = 0; i < n; i++) {
        long x = lround(f->ox + (xy[2 * i] - f->minx) * f->scale);
        long y = lround(f->oy + (f->maxy - xy[2 * i + 1]) * f->scale);
        if (k > 0 && pt[2 * k - 2] == x && pt[2 * k - 1] == y)
            continue;
        pt[2 * k] = x;
        pt[2 * k + 1] = y;
        k++;
    }
    if (k > 1 && pt[0] == pt[2 * k - 2] && pt[1] == pt[2 * k - 1])
        k--;                 /* the closing point: "z" closes */
    if (k >= 3) {
        /* Into a buffer, then out at once: printf per number was half of the maps' drawing. */
        char *text = xmalloc(44 * (size_t)k + 8), *p = text;
        *p++ = 'M';
        p = str_put_int(p, pt[0]);
        *p++ = ' ';
        p = str_put_int(p, pt[1]);
        *p++ = 'l';
        for (int i = 1; i < k; i++) {
            long dx = pt[2 * i] - pt[2 * i - 2], dy = pt[2 * i + 1] - pt[2 * i - 1];
            /* A minus sign separates numbers by itself. */
            if (i > 1 && dx >= 0)
                *p++ = ' ';
            p = str_put_int(p, dx);
            if (dy >= 0)
                *p++ = ' ';
            p = str_put_int(p, dy);
        }
        *p++ = 'z';
        fwrite(text, 1, (size_t)(p - text), out);
        free(text);
    }
    free(pt);
}

static void write_item(FILE *out, const svgm_map *m, const item *it)
{
    const frame *f = &m->frames[it->frame];
    fputs("<path", out);
    if (it->cls) {
        fputs(" class=\"", out);
        svgm_escape(out, it->cls);
        fputc('"', out);
    }
    if (it->code) {
        fputs(" data-code=\"", out);
        svgm_escape(out, it->code);
        fputc('"', out);
    }
    fputs(" d=\"", out);
    for (int r = 0; r < it->nrings; r++)
        write_ring(out, f, it->pts + 2 * (size_t)it->ring_start[r],
                   it->ring_start[r + 1] - it->ring_start[r]);
    fputc('"', out);
    if (it->tooltip) {
        fputs("><title>", out);
        svgm_escape(out, it->tooltip);
        fputs("</title></path>\n", out);
    } else {
        fputs("/>\n", out);
    }
}

static void write_legend(FILE *out, const svgm_map *m)
{
    int per_row = (int)((SVGM_WIDTH - 2 * PAD) / LEGEND_COL);
    double y0 = m->height - legend_height(m) + PAD / 2;
    fputs("<g class=\"legend\">\n", out);
    for (int i = 0; i < m->nlegend; i++) {
        double x = PAD + (i % per_row) * LEGEND_COL, y = y0 + (i / per_row) * LEGEND_ROW;
        fputs("<rect class=\"", out);
        svgm_escape(out, m->legend[i].cls);
        fprintf(out, "\" x=\"%.0f\" y=\"%.0f\" width=\"24\" height=\"14\"/><text x=\"%.0f\" "
                     "y=\"%.0f\">", x, y, x + 30, y + 12);
        svgm_escape(out, m->legend[i].label);
        fputs("</text>\n", out);
    }
    fputs("</g>\n", out);
}

int svgm_write(svgm_map *m, FILE *out, const char *id, const char *title, const char *css)
{
    if (!m->laid_out)
        svgm_layout(m);
    /* width and height for the tools that open a map alone (the report's CSS overrides). */
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                 "width=\"%.0f\" height=\"%.0f\"", m->width, m->height, m->width, m->height);
    if (id) {
        fputs(" id=\"", out);
        svgm_escape(out, id);
        fputc('"', out);
    }
    fputs(" class=\"map\" role=\"img\" fill-rule=\"evenodd\">\n<title>", out);
    svgm_escape(out, title);
    fputs("</title>\n", out);
    if (css)
        fprintf(out, "<style>%s</style>\n", css);
    fputs("<text class=\"map-title\" x=\"10\" y=\"24\">", out);
    svgm_escape(out, title);
    fputs("</text>\n", out);
    for (int i = 0; i < m->nframes; i++) {
        const frame *f = &m->frames[i];
        if (!f->inset)
            continue;
        fprintf(out, "<rect class=\"inset\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>\n",
                f->box[0], f->box[1], f->box[2] - f->box[0], f->box[3] - f->box[1]);
        fprintf(out, "<text class=\"inset-label\" x=\"%.0f\" y=\"%.0f\">", f->box[0] + 4,
                f->box[3] - 4);
        svgm_escape(out, f->label ? f->label : f->key);
        fputs("</text>\n", out);
    }
    for (int i = 0; i < m->nitems; i++)
        write_item(out, m, &m->items[i]);
    write_legend(out, m);
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}

void svgm_free(svgm_map *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->nframes; i++) {
        frame *f = &m->frames[i];
        if (f->from_wgs84)
            proj_destroy(f->from_wgs84);
        if (f->crs)
            proj_destroy(f->crs);
        free(f->label);
        free(f->same);
    }
    free(m->frames);
    for (int l = 0; l < m->t->nlayers; l++)
        if (m->to_wgs84[l])
            proj_destroy(m->to_wgs84[l]);
    free(m->to_wgs84);
    for (int i = 0; i < m->nitems; i++) {
        item *it = &m->items[i];
        free(it->cls);
        free(it->tooltip);
        free(it->code);
        free(it->ring_start);
        free(it->pts);
    }
    free(m->items);
    for (int i = 0; i < m->nlegend; i++) {
        free(m->legend[i].cls);
        free(m->legend[i].label);
    }
    free(m->legend);
    proj_context_destroy(m->ctx);
    free(m);
}
