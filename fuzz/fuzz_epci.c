/* fuzz_epci.c -- libFuzzer target for read_epci.c: the input is the table of the communes
 * of each EPCI. A table read whole holds every row's commune under its EPCI. */
#include <stdint.h>

#include "fuzz_common.h"
#include "read/readers.h"

FZ_INITIALIZE_GDAL()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write(0, "epci", data, size);
    join_issues ji;
    jis_init(&ji);
    epci_table e;
    long r = read_epci(&e, path, FLD_INSEE_CODES, &ji);
    if (r >= 0) {
        long total = 0;
        for (int k = 0; k < e.n; k++) {
            FZ_CHECK(e.nmembers[k] >= 1 && e.names[k] != NULL);
            total += e.nmembers[k];
        }
        FZ_CHECK(total == r);
        epci_free(&e);
    }
    fz_after(r);
    jis_free(&ji);
    return 0;
}
