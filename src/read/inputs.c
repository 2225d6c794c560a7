/* inputs.c -- the inputs of a job read and joined once: the commune table and what came with it.
 * Every scenario of a batch reads the same joined inputs; none of them changes them.
 *
 * The order matters: the passage table first (it carries every other code), then the
 * population table (it defines the current communes), the EPCI table, the memberships and
 * the polygons. The polygons are read and checked ahead, beside the tables, and joined
 * after them in that order, so that errors and join issues come as if read one by one.
 * Nothing here depends on a coverage rule or a scope, so a batch of scenarios pays for the
 * reading, the longest stage of a job, once. What is read, and how, is the input spec's
 * (input_spec.h): the readers never see the command line. */
#include "read/inputs.h"

#include <gdal.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "util/gdal_drivers.h"
#include "util/util.h"

void inp_add_file(inputs *in, const char *kind, const char *path, long rows)
{
    GROW(in->files, in->capfiles, in->nfiles + 1);
    in->files[in->nfiles++] = (input_file){kind, path, rows};
}

/* The tables, in the order that matters; -1 after diag_error. */
static int read_tables(inputs *in, const input_spec *spec)
{
    long n;
    if (spec->passage) {
        if ((n = read_passage(&in->passage, spec->passage, spec->passage_from, spec->passage_to,
                              in->codes, &in->issues)) < 0)
            return -1;
        in->has_passage = 1;
        inp_add_file(in, "passage", spec->passage, n);
    }
    if ((n = read_population(&in->table, spec->population, &spec->pop, in->codes,
                             &in->issues)) < 0)
        return -1;
    inp_add_file(in, "population", spec->population, n);
    if (spec->epci) {
        if ((n = read_epci(&in->epci, spec->epci, in->codes, &in->issues)) < 0)
            return -1;
        in->has_epci = 1;
        inp_add_file(in, "epci", spec->epci, n);
    }
    const passage *p = in->has_passage ? &in->passage : NULL;
    if ((n = read_members(&in->table, spec->members, p, in->has_epci ? &in->epci : NULL, in->codes,
                          &in->issues)) < 0)
        return -1;
    inp_add_file(in, "members", spec->members, n);
    return 0;
}

int inp_read(inputs *in, const input_spec *spec, stopwatch *w)
{
    memset(in, 0, sizeof *in);
    in->codes = spec->codes;
    gdrv_init();
    ctab_init(&in->table, GEOS_init_r());
    jis_init(&in->issues);
    /* The polygons are read ahead, on a thread of their own, while the tables are read here:
     * reading and checking them needs no table, only joining them does. */
    communes_reader cr;
    crd_init(&cr, &in->table, NULL, spec->code_field, in->codes, &in->issues);
    cr.threads = spec->threads;
    crd_prefetch(&cr, spec->communes, spec->ncommunes);
    if (read_tables(in, spec) < 0) {
        crd_free(&cr);
        return -1;
    }
    sw_lap(w, "read tables");
    crd_tables_read(&cr, in->has_passage ? &in->passage : NULL);
    for (int i = 0; i < spec->ncommunes; i++) {
        long n = crd_read(&cr, spec->communes[i]);
        if (n < 0) {
            crd_free(&cr);
            return -1;
        }
        inp_add_file(in, "communes", spec->communes[i], n);
    }
    sw_lap(w, "read polygons");
    crd_finish(&cr);
    crd_free(&cr);
    sw_lap(w, "harmonise polygons");
    return 0;
}

void inp_free(inputs *in)
{
    if (in->has_passage)
        pass_free(&in->passage);
    if (in->has_epci)
        epci_free(&in->epci);
    jis_free(&in->issues);
    free(in->files);
    GEOSContextHandle_t h = in->table.geos;
    ctab_free(&in->table);
    if (h)
        GEOS_finish_r(h);
    memset(in, 0, sizeof *in);
}
