/* digest.c -- SHA-256 of files, and of the joined data one scenario shows.
 * A batch redoes a scenario when the digest of its data changed, not whenever an input did.
 *
 * Changing one membership row changes the members file, hence every scenario's inputs; yet a
 * scenario scoped to another region shows the same outputs. So, once the inputs are read and
 * joined again, each scenario's digest is taken over what its outputs are made of: the
 * memberships of the communes it shows and of those its territories reach (a CPTS and a zone
 * whole, a region with all its departments); the CPTS and zones it shows; and what every
 * scenario shows whole: the national figures and timeline kept for reference, the national
 * maps of report.html (each commune's place, through a hash of its fields and polygon made
 * once for all scenarios, and whether it is covered; the counting CPTS), the inputs' rows,
 * the join issues of the reading. So a membership of a CPTS that does not count under a
 * scenario's rule changes only the scenarios that show that CPTS. Equal digests mean equal
 * outputs, because the outputs are a function of exactly these; a field a
 * writer starts to show must be added here (the batch tests change one row and look).
 * OpenSSL's libcrypto does the hashing. */
#include "app/digest.h"

#include <errno.h>
#include <gdal.h>
#include <openssl/evp.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/coverage.h"
#include "util/diag.h"
#include "analyse/timeline.h"
#include "util/util.h"
#include "util/version.h"
#include "analyse/zones.h"

static void to_hex(const unsigned char *d, unsigned n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * n] = '\0';
}

int dig_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return diag_error(path, 0, "cannot read: %s", strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    size_t size = 1 << 20, n;
    unsigned char *buf = xmalloc(size);
    while ((n = fread(buf, 1, size, f)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    int err = ferror(f);
    fclose(f);
    free(buf);
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, d, &len);
    EVP_MD_CTX_free(ctx);
    if (err)
        return diag_error(path, 0, "cannot read: %s", strerror(EIO));
    to_hex(d, len, hex);
    return 0;
}

/* Feeding values: strings with their NUL, so that ("ab","c") and ("a","bc") differ. */
static void put_str(EVP_MD_CTX *c, const char *s)
{
    if (!s)
        s = "\x01(null)";
    EVP_DigestUpdate(c, s, strlen(s) + 1);
}

static void put_bytes(EVP_MD_CTX *c, const void *p, size_t n)
{
    EVP_DigestUpdate(c, p, n);
}

#define PUT(c, v) put_bytes((c), &(v), sizeof(v))

unsigned char (*dig_communes_before_arcs(const commune_table *t, GEOSContextHandle_t h))[32]
{
    if (t->polygons_taken) {
        diag_error(NULL, 0, "the communes' digest was asked for after the arcs took their "
                            "polygons; this is a bug of cptscov, please report it");
        return NULL;
    }
    unsigned char(*out)[32] = xcalloc((size_t)t->ncommunes + 1, sizeof *out);
    GEOSWKBWriter *wkb = GEOSWKBWriter_create_r(h);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    for (int i = 0; i < t->ncommunes; i++) {
        const commune *cm = &t->communes[i];
        EVP_DigestInit_ex(c, EVP_sha256(), NULL);
        put_str(c, cm->code);
        put_str(c, cm->name);
        put_str(c, cm->dep);
        put_str(c, cm->reg);
        put_str(c, cm->epci);
        PUT(c, cm->population);
        PUT(c, cm->layer);
        PUT(c, cm->parts);
        PUT(c, cm->area_km2);
        GEOSGeometry *made;
        const GEOSGeometry *g = ctab_polygon(cm, h, &made);
        if (g) {
            size_t n = 0;
            unsigned char *b = GEOSWKBWriter_write_r(h, wkb, g, &n);
            if (b) {
                put_bytes(c, b, n);
                GEOSFree_r(h, b);
            }
        }
        if (made)
            GEOSGeom_destroy_r(h, made);
        unsigned len = 0;
        EVP_DigestFinal_ex(c, out[i], &len);
    }
    EVP_MD_CTX_free(c);
    GEOSWKBWriter_destroy_r(h, wkb);
    return out;
}

static void put_figures(EVP_MD_CTX *c, const coverage_figures *f)
{
    PUT(c, f->population);
    PUT(c, f->covered_population);
    PUT(c, f->communes);
    PUT(c, f->covered_communes);
    PUT(c, f->communes_without_polygon);
    PUT(c, f->area_km2);
    PUT(c, f->covered_area_km2);
}

static void put_list(EVP_MD_CTX *c, const int *v, int n)
{
    PUT(c, n);
    put_bytes(c, v, (size_t)n * sizeof *v);
}

void dig_scenario(const inputs *in, const territories *tr, const unsigned char (*communes)[32],
                  const coverage_rule *rule, const coverage_scope *scope,
                  const char *options_text, char hex[65])
{
    const commune_table *t = &in->table;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    put_str(c, "cptscov " CPTSCOV_VERSION);
    put_str(c, GDALVersionInfo("RELEASE_NAME"));
    put_str(c, GEOSversion());
    put_str(c, proj_info().version);
    put_str(c, options_text);
    for (int i = 0; i < in->nfiles; i++) {
        put_str(c, in->files[i].kind);
        put_str(c, in->files[i].path);
        PUT(c, in->files[i].rows);
    }
    for (int l = 0; l < t->nlayers; l++) {
        put_str(c, t->layers[l].path);
        put_str(c, t->layers[l].name);
        put_str(c, t->layers[l].crs_name);
        put_str(c, t->layers[l].crs_id);
    }
    for (int i = 0; i < in->issues.n; i++) {
        const join_issue *it = &in->issues.items[i];
        put_str(c, it->file);
        PUT(c, it->line);
        put_str(c, it->code);
        put_str(c, it->kind);
        put_str(c, it->message);
    }
    coverage_report cov;
    cov_compute(t, rule, &cov);
    put_figures(c, &cov.nation);
    PUT(c, cov.cpts_counting);
    PUT(c, t->ncpts);
    zone_list zones;
    zone_find(t, &tr->adjacency, &cov, &zones);
    /* The timeline: the nation's (shown for reference) and the regions' in scope. */
    coverage_timeline tl;
    tl_compute(t, &cov, &tl);
    PUT(c, tl.n);
    for (int i = 0; i < tl.n; i++) {
        PUT(c, tl.points[i].date);
        PUT(c, tl.points[i].cpts_counting);
        put_figures(c, &tl.points[i].nation);
        for (int g = 0; g < tl.nregions && g < cov.nregions; g++)
            if (scope_has_region(scope, cov.regions[g].code)) {
                put_figures(c, &tl.points[i].regions[g]);
                PUT(c, tl.points[i].region_cpts_counting[g]);
            }
    }
    int undated = 0; /* counted CPTS without a date: report.md says how many */
    for (int k = 0; k < t->ncpts; k++)
        undated += cov.counts[k] && t->cpts[k].signed_on == 0;
    PUT(c, undated);
    tl_free(&tl);

    /* The communes the outputs are made of. */
    unsigned char *reach = xcalloc((size_t)t->ncommunes + 1, 1);
    for (int i = 0; i < t->ncommunes; i++)
        reach[i] = (unsigned char)(scope_has_commune(scope, i) ||
                                   scope_has_region(scope, t->communes[i].reg));
    for (int k = 0; k < t->ncpts; k++)
        if (scope_has_cpts(scope, k)) {
            const cpts *p = &t->cpts[k];
            put_str(c, p->id);
            put_str(c, p->name);
            PUT(c, p->status);
            PUT(c, p->signed_on);
            PUT(c, cov.counts[k]);
            for (int j = 0; j < p->ncommunes; j++)
                reach[p->communes[j]] = 1;
        }
    for (int z = 0; z < zones.n; z++) {
        const uncovered_zone *zn = &zones.zones[z];
        if (!scope_has_zone(scope, zn))
            continue;
        PUT(c, z); /* its national rank names it in the region maps */
        put_list(c, zn->communes, zn->ncommunes);
        put_list(c, zn->bordering_cpts, zn->nbordering);
        put_list(c, zn->pending_cpts, zn->npending);
        /* report.md names them, even those outside the scope */
        for (int k = 0; k < zn->nbordering; k++)
            put_str(c, t->cpts[zn->bordering_cpts[k]].name);
        for (int k = 0; k < zn->npending; k++)
            put_str(c, t->cpts[zn->pending_cpts[k]].name);
        for (int i = 0; i < zn->ncommunes; i++)
            reach[zn->communes[i]] = 1;
    }
    /* Every commune as the national maps of report.html draw it (they stay whole with --scope,
     * for reference): where it is, and whether it is covered. */
    for (int i = 0; i < t->ncommunes; i++) {
        put_bytes(c, communes[i], 32);
        PUT(c, cov.covered[i]);
    }
    /* The communes the scope's outputs are made of, with their memberships. */
    for (int i = 0; i < t->ncommunes; i++)
        if (reach[i]) {
            const commune *cm = &t->communes[i];
            PUT(c, i);
            PUT(c, cm->ncpts);
            for (int k = 0; k < cm->ncpts; k++)
                put_str(c, t->cpts[cm->cpts[k]].id);
        }
    /* The counting CPTS of the national CPTS map, and the national count of zones. */
    for (int k = 0; k < t->ncpts; k++)
        if (cov.counts[k]) {
            put_str(c, t->cpts[k].id);
            put_str(c, t->cpts[k].name);
            put_list(c, t->cpts[k].communes, t->cpts[k].ncommunes);
        }
    PUT(c, zones.n);
    const coverage_report *a = &tr->areas;
    for (int d = 0; d < a->ndepartments; d++) /* the national maps name them all */
        put_str(c, a->departments[d].name);
    for (int r = 0; r < a->nregions; r++)
        put_str(c, a->regions[r].name);
    free(reach);
    zone_free_r(t->geos, &zones);
    cov_free(&cov);
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(c, d, &len);
    EVP_MD_CTX_free(c);
    to_hex(d, len, hex);
}
