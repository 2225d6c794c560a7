/* fuzz_members.c -- libFuzzer target for read_members.c: the input is the membership file,
 * read against a small fixed world: twelve current communes, a passage table with mergers and
 * a chain, an EPCI table with an old and an unknown code. Each input is read twice, with and
 * without the passage and EPCI tables. Memberships read must be the same from both sides. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/commune_table.h"
#include "fuzz_common.h"
#include "read/readers.h"
#include "util/util.h"

static const char *const codes[] = {"99001", "99002", "99003", "99004", "99005", "99006",
                                    "99007", "99008", "99009", "99010", "2A004", "97101"};
#define NCODES (int)(sizeof codes / sizeof codes[0])

static const char passage_csv[] = "CODGEO_INI;CODGEO_2025;LIBGEO_2025\n"
                                  "99001;99001;Un\n99011;99001;Un\n99012;99001;Un\n"
                                  "99013;99011;Un\n99014;99002;Deux\n99002;99002;Deux\n"
                                  "2A004;2A004;Ajaccio\n";
static const char epci_csv[] = "EPCI;LIBEPCI;NATURE;COM\n"
                               "299000001;CC A;CC;99001\n299000001;CC A;CC;99002\n"
                               "299000001;CC A;CC;99011\n299000002;CC B;CC;99003\n"
                               "299000002;CC B;CC;99099\n299000002;CC B;CC;2A004\n";

static passage pass;
static epci_table epci;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init_gdal();
    join_issues ji;
    jis_init(&ji);
    const char *pp = fz_write(1, "passage", passage_csv, sizeof passage_csv - 1);
    const char *pe = fz_write(2, "epci", epci_csv, sizeof epci_csv - 1);
    if (read_passage(&pass, pp, NULL, NULL, FLD_INSEE_CODES, &ji) < 0 ||
        read_epci(&epci, pe, FLD_INSEE_CODES, &ji) < 0) {
        fprintf(stderr, "fuzz_members: the fixed tables do not read: %s\n", diag_message());
        abort();
    }
    jis_free(&ji);
    return 0;
}

static void world(commune_table *t)
{
    ctab_init(t, NULL);
    for (int i = 0; i < NCODES; i++) {
        int c = ctab_add_commune(t, codes[i]);
        commune *cm = &t->communes[c];
        cm->name = xasprintf("Commune %s", codes[i]);
        memcpy(cm->dep, codes[i], codes[i][0] == '9' && codes[i][1] == '7' ? 3 : 2);
        strcpy(cm->reg, "99");
        cm->population = 100 * (i + 1);
    }
}

/* Every membership is recorded on the CPTS and on the commune, ascending. */
static void check(const commune_table *t)
{
    FZ_CHECK(t->ncommunes == NCODES);
    for (int k = 0; k < t->ncpts; k++) {
        const cpts *p = &t->cpts[k];
        FZ_CHECK(p->id && p->id[0] && p->name);
        for (int i = 0; i < p->ncommunes; i++) {
            int c = p->communes[i];
            FZ_CHECK(c >= 0 && c < t->ncommunes && (i == 0 || p->communes[i - 1] < c));
            const commune *cm = &t->communes[c];
            int found = 0;
            for (int j = 0; j < cm->ncpts; j++)
                found |= cm->cpts[j] == k;
            FZ_CHECK(found);
        }
    }
}

static void read_once(const char *path, const passage *p, const epci_table *e)
{
    commune_table t;
    world(&t);
    join_issues ji;
    jis_init(&ji);
    long r = read_members(&t, path, p, e, FLD_INSEE_CODES, &ji);
    if (r >= 0)
        check(&t);
    fz_after(r);
    jis_free(&ji);
    ctab_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write(0, "members", data, size);
    read_once(path, &pass, &epci);
    read_once(path, NULL, NULL);
    return 0;
}
