/* fuzz_fields.c -- libFuzzer target for fields.c (and the status words of commune_table.c).
 * Every line of the input goes through every cell parser, with INSEE codes and with free codes
 * (--free-codes); what a parser accepts must read back unchanged (a repaired code is a valid
 * code, a date prints and parses to itself). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/commune_table.h"
#include "model/fields.h"
#include "fuzz_common.h"
#include "util/util.h"

static void one_cell(const char *s, fld_codes codes)
{
    int free_codes = codes == FLD_FREE_CODES;
    commune_code code;
    int r = fld_code(s, codes, code);
    if (r != FLD_INVALID) {
        FZ_CHECK(r == FLD_OK || (r == FLD_REPAIRED && !free_codes));
        FZ_CHECK(free_codes ? strlen(code) >= 1 && strlen(code) <= CODE_LEN
                            : strlen(code) == INSEE_CODE_LEN);
        commune_code again;
        FZ_CHECK(fld_code(code, codes, again) == FLD_OK && strcmp(code, again) == 0);
    }
    char dep[4];
    r = fld_department(s, codes, dep);
    if (r != FLD_INVALID) {
        char again[4];
        FZ_CHECK(strlen(dep) == 2 || strlen(dep) == 3 || (free_codes && strlen(dep) == 1));
        FZ_CHECK(fld_department(dep, codes, again) == FLD_OK && strcmp(dep, again) == 0);
    }
    char reg[4];
    r = fld_region(s, codes, reg);
    if (r != FLD_INVALID) {
        char again[4];
        FZ_CHECK(strlen(reg) == 2 || strlen(reg) == 3 || (free_codes && strlen(reg) == 1));
        FZ_CHECK(fld_region(reg, codes, again) == FLD_OK && strcmp(reg, again) == 0);
    }
    int64_t pop;
    if (fld_population(s, &pop) == FLD_OK) {
        char buf[32];
        int64_t again;
        FZ_CHECK(pop >= 0);
        snprintf(buf, sizeof buf, "%" PRId64, pop);
        FZ_CHECK(fld_population(buf, &again) == FLD_OK && again == pop);
    }
    int ymd;
    if (fld_date(s, &ymd) == FLD_OK) {
        char buf[11];
        int again;
        fld_format_date(ymd, buf);
        FZ_CHECK(ymd == 0 ? buf[0] == '\0' : strlen(buf) == 10);
        FZ_CHECK(fld_date(buf, &again) == FLD_OK && again == ymd);
    }
    int st = ctab_parse_status(s);
    FZ_CHECK(st >= -1 && st < STATUS_COUNT);
    free(str_trim_dup(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    /* The whole input as one cell, then each of its lines; with INSEE codes, then free ones. */
    char *copy = xmalloc(size + 1);
    memcpy(copy, s, size + 1);
    static const fld_codes rules[] = {FLD_INSEE_CODES, FLD_FREE_CODES};
    for (int k = 0; k < 2; k++) {
        one_cell(s, rules[k]);
        memcpy(copy, s, size + 1);
        for (char *line = copy, *end; line; line = end) {
            end = strchr(line, '\n');
            if (end)
                *end++ = '\0';
            one_cell(line, rules[k]);
        }
    }
    free(copy);
    /* Any date number formats into its 11 bytes. */
    if (size >= sizeof(int)) {
        int ymd;
        char buf[11];
        memcpy(&ymd, data, sizeof ymd);
        fld_format_date(ymd, buf);
        FZ_CHECK(strlen(buf) <= 10);
    }
    free(s);
    return 0;
}
