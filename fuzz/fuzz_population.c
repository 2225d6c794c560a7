/* fuzz_population.c -- libFuzzer target for read_population.c: the input is the population
 * table, read with INSEE codes and again with free codes (--free-codes). A table read whole
 * gives one current commune per row. */
#include <stdint.h>

#include "model/commune_table.h"
#include "model/fields.h"
#include "fuzz_common.h"
#include "read/readers.h"

FZ_INITIALIZE_GDAL()

static void read_once(const char *path, fld_codes codes)
{
    commune_table t;
    ctab_init(&t, NULL);
    join_issues ji;
    jis_init(&ji);
    population_columns cols = {NULL, NULL, NULL, NULL};
    long r = read_population(&t, path, &cols, codes, &ji);
    if (r >= 0) {
        FZ_CHECK(r == t.ncommunes);
        for (int i = 0; i < t.ncommunes; i++) {
            const commune *c = &t.communes[i];
            FZ_CHECK(ctab_find_commune(&t, c->code) == i);
            FZ_CHECK(c->population >= 0 && c->name != NULL);
            (void)ctab_area_name(&t, 0, c->dep);
            (void)ctab_area_name(&t, 1, c->reg);
        }
    }
    fz_after(r);
    jis_free(&ji);
    ctab_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write(0, "population", data, size);
    read_once(path, FLD_INSEE_CODES);
    read_once(path, FLD_FREE_CODES);
    return 0;
}
