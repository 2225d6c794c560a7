/* fuzz_passage.c -- libFuzzer target for read_passage.c: the input is the passage table.
 * A table read whole maps every old code to a current code that maps nowhere else (chains
 * followed), and lists every old code among the constituents of its current one. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "read/readers.h"

FZ_INITIALIZE_GDAL()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write(0, "passage", data, size);
    join_issues ji;
    jis_init(&ji);
    passage p;
    long r = read_passage(&p, path, NULL, NULL, FLD_INSEE_CODES, &ji);
    if (r >= 0) {
        FZ_CHECK(p.n <= r);
        for (int i = 0; i < p.n; i++) {
            const char *to = pass_current(&p, p.from[i]);
            FZ_CHECK(to && strcmp(to, p.to[i]) == 0);
            const char *end = pass_current(&p, to);
            FZ_CHECK(!end || strcmp(end, to) == 0);
            const int *first;
            int n = pass_constituents(&p, to, &first), found = 0;
            FZ_CHECK(n >= 1);
            for (int q = 0; q < n; q++) {
                FZ_CHECK(strcmp(p.to[first[q]], to) == 0);
                found |= first[q] == i;
            }
            FZ_CHECK(found);
        }
        pass_free(&p);
    }
    fz_after(r);
    jis_free(&ji);
    return 0;
}
