/* fuzz_table.c -- libFuzzer target for table.c: the input is a delimited table, read whole.
 * Besides the sanitizers, checks that every row knows a line that is in the file, after the
 * line of the row before. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "read/table.h"

FZ_INITIALIZE_GDAL()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"COM", "CODGEO", "cpts_id", "EPCI", NULL};
    const char *path = fz_write(0, "table", data, size);
    long lines = 1; /* ended by LF, CR LF or a lone CR */
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
    join_issues ji;
    jis_init(&ji);
    table t;
    long r = tbl_open(&t, path);
    if (r == 0) {
        int col = tbl_column(&t, NULL, names, NULL, NULL);
        FZ_CHECK(col >= -2 && col < t.ncols);
        (void)tbl_column(&t, "PMUN", names, "population", "--pop-count");
        diag_clear();
        long prev = 1;
        while ((r = tbl_next(&t)) == 1) {
            FZ_CHECK(t.line > prev && t.line <= lines);
            prev = t.line;
            for (int i = -1; i <= t.ncols; i++)
                (void)strlen(tbl_cell(&t, i));
        }
        tbl_report_encoding(&t, &ji);
        tbl_close(&t);
    }
    fz_after(r);
    jis_free(&ji);
    return 0;
}
